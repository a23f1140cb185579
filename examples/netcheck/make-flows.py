#!/usr/bin/env python3
"""A week of synthetic flows of an α-model municipality (tests/data/netcheck/
alpha_zones.toml), as a Zeek conn.log (TSV) and an nfdump-compatible CSV,
with two planted violations: one internet → マイナンバー利用事務系 flow
(never) and one internet → the sanitizing gateway's tcp/22 (sanitized, not
its service). Deterministic (fixed seed).

  python3 examples/netcheck/make-flows.py OUTDIR [--flows N] [--pcap FILE]

--pcap also writes one TCP SYN per flow as a pcap, which Debian's nfpcapd
turns into an nfdump binary file without any network (bench/).
"""
import argparse
import os
import random
import struct

START = 1777593600  # 2026-05-01 00:00:00 UTC
WEEK = 7 * 24 * 3600

# (source network prefix, destination, port) of the legal crossings.
LEGAL = [
    ("172.16", "10.20.0.10", 443),   # internet → 無害化装置 (sanitized)
    ("10.20", "172.16.0.20", 443),   # LGWAN → 画面転送 (screen transfer)
    ("10.20", "172.16.0.20", 8443),
    ("10.30", "10.20.0.50", 8443),   # マイナンバー → 住民情報連携 (restricted)
    ("10.20", "10.20.0.60", 443),    # inside LGWAN: not a crossing
]
PLANTED = [
    ("172.16.9.9", "10.30.0.7", 445),   # never
    ("172.16.9.10", "10.20.0.10", 22),  # sanitized, not the gateway's service
]

NFDUMP_HEADER = (
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,"
    "nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,"
    "mpls10,cl,sl,al,ra,eng,exid,tr")
NFDUMP_TAIL = (",0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,"
               "00:00:00:00:00:00,00:00:00:00:00:00" + ",0-0-0" * 10 +
               ",    0.000,    0.000,    0.000,0.0.0.0,0/0,0,")
ZEEK_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
               "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig",
               "local_resp", "missed_bytes", "history", "orig_pkts", "orig_ip_bytes",
               "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
ZEEK_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval",
              "count", "count", "string", "bool", "bool", "count", "string", "count", "count",
              "count", "count", "set[string]"]


def flows(count, rng):
    planted_at = {count // 3: PLANTED[0], (2 * count) // 3: PLANTED[1]}
    for i in range(count):
        ts = START + (i * WEEK) // max(count, 1)
        if i in planted_at:
            src, dst, port = planted_at[i]
        else:
            prefix, dst, port = LEGAL[rng.randrange(len(LEGAL))]
            src = "%s.%d.%d" % (prefix, rng.randrange(1, 255), rng.randrange(1, 255))
        yield ts, src, rng.randrange(32768, 61000), dst, port, rng.randrange(3, 40)


def fmt_time(ts):
    import time
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--flows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--pcap")
    parser.add_argument("--no-text", action="store_true", help="only the pcap")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(args.seed)
    conn = nf = pcap = None
    if not args.no_text:
        conn = open(os.path.join(args.outdir, "conn.log"), "w", encoding="utf-8")
        conn.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                   "#unset_field\t-\n#path\tconn\n")
        conn.write("#fields\t" + "\t".join(ZEEK_FIELDS) + "\n")
        conn.write("#types\t" + "\t".join(ZEEK_TYPES) + "\n")
        nf = open(os.path.join(args.outdir, "flows.csv"), "w", encoding="utf-8")
        nf.write(NFDUMP_HEADER + "\n")
    if args.pcap:
        pcap = open(args.pcap, "wb")
        pcap.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    total_bytes = 0
    n = 0
    for n, (ts, src, sport, dst, dport, packets) in enumerate(flows(args.flows, rng), 1):
        size = packets * 60
        total_bytes += size
        if conn:
            conn.write("%d.000000\tC%x\t%s\t%d\t%s\t%d\ttcp\t-\t1.0\t%d\t0\tSF\t-\t-\t0\tShADadFf"
                       "\t%d\t%d\t0\t0\t-\n" % (ts, n, src, sport, dst, dport, size, packets, size))
            t = fmt_time(ts)
            nf.write("%s,%s,0.000,%s,%s,%d,%d,TCP,...A..S.,0,0,%d,%d%s%s\n"
                     % (t, t, src, dst, sport, dport, packets, size, NFDUMP_TAIL, t + ".000"))
        if pcap:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, n & 0xFFFF, 0, 64, 6, 0,
                             bytes(int(x) for x in src.split(".")),
                             bytes(int(x) for x in dst.split(".")))
            words = struct.unpack("!10H", ip)
            s = sum(words)
            s = (s >> 16) + (s & 0xFFFF)
            s += s >> 16
            ip = ip[:10] + struct.pack("!H", (~s) & 0xFFFF) + ip[12:]
            tcp = struct.pack("!HHIIBBHHH", sport, dport, n, 0, 0x50, 0x02, 1024, 0, 0)
            frame = b"\x00" * 12 + b"\x08\x00" + ip + tcp
            pcap.write(struct.pack("<IIII", ts, n % 1_000_000, len(frame), len(frame)) + frame)
    if conn:
        conn.write("#close\t%s\n" % fmt_time(START + WEEK).replace(" ", "-").replace(":", "-"))
        nf.write("\nSummary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n%d,%d,0,0,0,0\n"
                 % (n, total_bytes))
    for f in (conn, nf, pcap):
        if f:
            f.close()


if __name__ == "__main__":
    main()
