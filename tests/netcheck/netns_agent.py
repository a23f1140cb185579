#!/usr/bin/env python3
"""Runs inside one network namespace of kernel_diff.py, driven by JSON lines
on stdin, one answer line each on stdout:

  {"op": "sniff"}                       start capturing on every interface
  {"op": "send", "probes": [...]}       send each probe from this namespace
  {"op": "collect", "wait_ms": 150}     stop capturing; the probes that arrived
  {"op": "quit"}

A probe is {"family": 4|6, "protocol": "tcp"|"udp", "src": ADDR, "dst": ADDR,
"sport": N, "dport": N}. TCP probes are a SYN (a non-blocking connect from
the bound source port); UDP probes one datagram. Arrival is seen on an
AF_PACKET socket, so no listener is needed and nothing answers.
"""
import errno
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def parse(frame):
    """(family, protocol, src, dst, sport, dport) of an IP packet, or None."""
    if not frame:
        return None
    version = frame[0] >> 4
    if version == 4 and len(frame) >= 20:
        header = (frame[0] & 0x0F) * 4
        proto = frame[9]
        src = socket.inet_ntop(socket.AF_INET, frame[12:16])
        dst = socket.inet_ntop(socket.AF_INET, frame[16:20])
        rest = frame[header:]
        family = 4
    elif version == 6 and len(frame) >= 40:
        proto = frame[6]
        src = socket.inet_ntop(socket.AF_INET6, frame[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, frame[24:40])
        rest = frame[40:]
        family = 6
    else:
        return None
    if proto not in (6, 17) or len(rest) < 4:
        return None
    sport, dport = struct.unpack("!HH", rest[:4])
    return family, "tcp" if proto == 6 else "udp", src, dst, sport, dport


def main():
    sniffer = None
    seen = set()
    held = []
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "sniff":
            # SOCK_DGRAM: the link-layer header is removed; IP starts at 0.
            sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
            sniffer.setblocking(False)
            seen = set()
            answer = {"ok": True}
        elif op == "send":
            sent = 0
            for probe in command["probes"]:
                family = socket.AF_INET if probe["family"] == 4 else socket.AF_INET6
                kind = socket.SOCK_STREAM if probe["protocol"] == "tcp" else socket.SOCK_DGRAM
                s = socket.socket(family, kind)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((probe["src"], probe["sport"]))
                s.setblocking(False)
                try:
                    if kind == socket.SOCK_STREAM:
                        s.connect((probe["dst"], probe["dport"]))
                    else:
                        s.sendto(b"mamori-probe", (probe["dst"], probe["dport"]))
                except OSError as error:
                    if error.errno not in (errno.EINPROGRESS, errno.EAGAIN):
                        raise
                held.append(s)  # closing now could abort the SYN before it leaves
                sent += 1
            answer = {"sent": sent}
        elif op == "collect":
            deadline = time.monotonic() + command.get("wait_ms", 150) / 1000
            while sniffer is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready, _, _ = select.select([sniffer], [], [], left)
                if not ready:
                    continue
                while True:
                    try:
                        frame, address = sniffer.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if address[2] == socket.PACKET_OUTGOING:
                        continue
                    packet = parse(frame)
                    if packet:
                        seen.add(packet)
            if sniffer is not None:
                sniffer.close()
                sniffer = None
            for s in held:
                s.close()
            held = []
            answer = {"arrived": [list(p) for p in sorted(seen)]}
        elif op == "quit":
            break
        else:
            answer = {"error": "unknown op " + op}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
