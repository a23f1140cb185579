#!/usr/bin/env python3
"""Differential test of mamori's rule-set model against the Linux kernel.

Builds a three-zone network out of network namespaces it creates itself (a
firewall namespace routing between three zone namespaces over veth pairs;
IPv4 and IPv6), then for each of COUNT random rule sets — nftables and
iptables in turn — loads it into the firewall namespace, sends probe packets
between the zones and records which arrive; asks `mamori netcheck eval` for
its verdict on the same packets against the rule set as the kernel itself
prints it back (`nft -j list ruleset`, `iptables-save`), and compares.
Every disagreement is printed with the rule set, kept in --keep DIR, and
makes the exit status 1.

    kernel_diff.py MAMORI [--count 500] [--seed N] [--probes 24] [--keep DIR]

Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) for `ip netns`; sends
traffic only inside the namespaces it made, and removes them at exit.
"""
import argparse
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ZONES = ["mynumber", "lgwan", "internet"]  # zone i+1: 10.(i+1).0.0/24, fd00:(i+1)::/64
HOSTS = [2, 3]  # host addresses in every zone
AGENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netns_agent.py")
STATES = ["new", "established", "related", "invalid"]


def sh(*args, stdin=None, check=True):
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def host(zone, n, family):
    return f"10.{zone + 1}.0.{n}" if family == 4 else f"fd00:{zone + 1}::{n}"


class Network:
    def __init__(self):
        self.prefix = f"mamori-kd{os.getpid()}"
        self.names = {z: f"{self.prefix}-z{z + 1}" for z in range(3)}
        self.fw = f"{self.prefix}-fw"
        self.agents = {}

    def __enter__(self):
        for ns in [self.fw, *self.names.values()]:
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", self.fw, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        sh("ip", "netns", "exec", self.fw, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        for z, ns in self.names.items():
            i = z + 1
            sh("ip", "link", "add", f"f{i}", "netns", self.fw, "type", "veth", "peer", "name",
               "eth0", "netns", ns)
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0")
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
            sh("ip", "netns", "exec", self.fw, "sysctl", "-qw", f"net.ipv6.conf.f{i}.accept_dad=0")
            sh("ip", "-n", self.fw, "addr", "add", f"10.{i}.0.1/24", "dev", f"f{i}")
            sh("ip", "-n", self.fw, "addr", "add", f"fd00:{i}::1/64", "dev", f"f{i}", "nodad")
            sh("ip", "-n", self.fw, "link", "set", f"f{i}", "up")
            for n in HOSTS:
                sh("ip", "-n", ns, "addr", "add", f"10.{i}.0.{n}/24", "dev", "eth0")
                sh("ip", "-n", ns, "addr", "add", f"fd00:{i}::{n}/64", "dev", "eth0", "nodad")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "route", "add", "default", "via", f"10.{i}.0.1")
            sh("ip", "-n", ns, "-6", "route", "add", "default", "via", f"fd00:{i}::1")
        # Neighbours first, so that no probe waits on ARP or ND.
        for z in range(3):
            for n in HOSTS:
                for family in (4, 6):
                    sh("ip", "netns", "exec", self.fw, "ping", f"-{family}", "-c1", "-W1",
                       host(z, n, family), check=False)
        for z, ns in self.names.items():
            self.agents[z] = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, AGENT],
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                              text=True)
        return self

    def ask(self, zone, command):
        agent = self.agents[zone]
        agent.stdin.write(json.dumps(command) + "\n")
        agent.stdin.flush()
        return json.loads(agent.stdout.readline())

    def __exit__(self, *exc):
        for agent in self.agents.values():
            try:
                agent.stdin.write('{"op": "quit"}\n')
                agent.stdin.close()
                agent.wait(timeout=5)
            except Exception:  # noqa: BLE001 - tear down whatever is left
                agent.kill()
        for ns in [self.fw, *self.names.values()]:
            sh("ip", "netns", "del", ns, check=False)

    def load(self, kind, text):
        """Loads a rule set into the firewall; returns it as the kernel prints it."""
        fw = ["ip", "netns", "exec", self.fw]
        sh(*fw, "nft", "flush", "ruleset")
        if kind == "nft":
            sh(*fw, "nft", "-f", "-", stdin=text["nft"])
            return {"nft": sh(*fw, "nft", "-j", "list", "ruleset")}
        sh(*fw, "iptables-restore", stdin=text[4])
        sh(*fw, "ip6tables-restore", stdin=text[6])
        return {4: sh(*fw, "iptables-save", "-t", "filter"),
                6: sh(*fw, "ip6tables-save", "-t", "filter")}

    def probe(self, probes, wait_ms=80):
        """The probes that arrived in their destination zone."""
        for z in range(3):
            self.ask(z, {"op": "sniff"})
        for z in range(3):
            mine = [p for p in probes if p["src_zone"] == z]
            if mine:
                self.ask(z, {"op": "send", "probes": mine})
        arrived = set()
        for z in range(3):
            for packet in self.ask(z, {"op": "collect", "wait_ms": wait_ms})["arrived"]:
                arrived.add(tuple(packet))
        return [(p["family"], p["protocol"], str(ipaddress.ip_address(p["src"])),
                 str(ipaddress.ip_address(p["dst"])), p["sport"], p["dport"]) in arrived
                for p in probes]


# --- random rule sets -------------------------------------------------------

def random_prefix(rng, family):
    z = rng.randrange(3) + 1
    choices = ([f"10.{z}.0.{rng.choice(HOSTS)}/32", f"10.{z}.0.0/24", f"10.{z}.0.0/25",
                f"10.{z}.0.128/25", f"10.{z}.0.2/31", "10.0.0.0/8", f"10.{z}.0.0/30"]
               if family == 4 else
               [f"fd00:{z}::{rng.choice(HOSTS)}/128", f"fd00:{z}::/64", f"fd00:{z}::/126",
                f"fd00:{z}::8000:0:0:0/65", "fd00::/16"])
    return rng.choice(choices)


def random_ports(rng, pool):
    spans = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        lo = rng.choice(pool)
        hi = lo if rng.random() < 0.6 else min(65535, lo + rng.choice([1, 5, 100, 1000]))
        spans.append((lo, hi))
    return spans


def random_rule(rng, chains, in_user_chain, port_pool):
    rule = {}
    family = rng.choice([None, None, 4, 6])
    if family:
        rule["family"] = family
        for side in ("saddr", "daddr"):
            if rng.random() < 0.6:
                rule[side] = (random_prefix(rng, family), rng.random() < 0.15)
    if rng.random() < 0.7:
        rule["protocol"] = rng.choice(["tcp", "udp"])
        if rng.random() < 0.7:
            rule["dport"] = random_ports(rng, port_pool)
        if rng.random() < 0.2:
            # iptables' multiport takes --sports or --dports, not both.
            rule["sport"] = random_ports(rng, port_pool)[:1 if "dport" in rule else 3]
    for side in ("iif", "oif"):
        if rng.random() < 0.3:
            rule[side] = rng.choice(["f1", "f2", "f3", "f+"])
    if rng.random() < 0.25:
        rule["state"] = sorted(rng.sample(STATES, rng.choice([1, 2])))
    actions = ["accept", "accept", "drop", "drop", "reject"]
    if in_user_chain:
        actions.append("return")
    if chains:
        actions += [f"jump {c}" for c in chains] + [f"goto {c}" for c in chains]
    rule["action"] = rng.choice(actions)
    return rule


def random_ruleset(rng):
    port_pool = [22, 25, 53, 80, 443, 445, 3389, 8080, 10000, 40000]
    user = [f"u{i}" for i in range(rng.choice([0, 0, 1, 2]))]
    chains = {"FORWARD": []}
    # u1 may jump to u0 but not back: no loops.
    for i, name in reversed(list(enumerate(user))):
        chains[name] = [random_rule(rng, user[:i], True, port_pool)
                        for _ in range(rng.randrange(1, 5))]
    chains["FORWARD"] = [random_rule(rng, user, False, port_pool)
                         for _ in range(rng.randrange(1, 12))]
    return {"policy": rng.choice(["accept", "drop"]), "chains": chains, "order": user,
            "ports": port_pool}


def spans_text(spans, sep, rng_sep):
    return sep.join(f"{lo}" if lo == hi else f"{lo}{rng_sep}{hi}" for lo, hi in spans)


def iptables_text(ruleset, family):
    lines = ["*filter", ":INPUT ACCEPT [0:0]",
             f":FORWARD {ruleset['policy'].upper()} [0:0]", ":OUTPUT ACCEPT [0:0]"]
    lines += [f":{c} - [0:0]" for c in ruleset["order"]]
    for chain, rules in ruleset["chains"].items():
        for rule in rules:
            if rule.get("family", family) != family:
                continue
            parts = ["-A", chain]
            for side, flag in (("saddr", "-s"), ("daddr", "-d")):
                if side in rule:
                    prefix, negated = rule[side]
                    parts += (["!"] if negated else []) + [flag, prefix]
            for side, flag in (("iif", "-i"), ("oif", "-o")):
                if side in rule:
                    parts += [flag, rule[side]]
            if "protocol" in rule:
                parts += ["-p", rule["protocol"]]
                for side in ("sport", "dport"):
                    if side in rule:
                        spans = rule[side]
                        if len(spans) == 1:
                            parts += [f"--{side}", spans_text(spans, ",", ":")]
                        else:
                            parts += ["-m", "multiport", f"--{side}s", spans_text(spans, ",", ":")]
            if "state" in rule:
                parts += ["-m", "conntrack", "--ctstate", ",".join(s.upper() for s in rule["state"])]
            action = rule["action"]
            if action.startswith("jump "):
                parts += ["-j", action[5:]]
            elif action.startswith("goto "):
                parts += ["-g", action[5:]]
            else:
                parts += ["-j", action.upper()]
            lines.append(" ".join(parts))
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def nft_text(ruleset):
    out = ["table inet mamori_kd {"]
    for chain in ["FORWARD", *ruleset["order"]]:
        name = "forward" if chain == "FORWARD" else chain
        out.append(f"  chain {name} {{")
        if chain == "FORWARD":
            out.append(f"    type filter hook forward priority 0; policy {ruleset['policy']};")
        for rule in ruleset["chains"][chain]:
            parts = []
            family = rule.get("family")
            if family:
                parts.append("meta nfproto " + ("ipv4" if family == 4 else "ipv6"))
            proto = "ip" if family == 4 else "ip6"
            for side in ("saddr", "daddr"):
                if side in rule:
                    prefix, negated = rule[side]
                    parts.append(f"{proto} {side} {'!= ' if negated else ''}{prefix}")
            for side, key in (("iif", "iifname"), ("oif", "oifname")):
                if side in rule:
                    parts.append(f'{key} "{rule[side].replace("+", "*")}"')
            if "protocol" in rule:
                parts.append(f"meta l4proto {rule['protocol']}")
                for side in ("sport", "dport"):
                    if side in rule:
                        parts.append(f"{rule['protocol']} {side} {{ {spans_text(rule[side], ', ', '-')} }}")
            if "state" in rule:
                parts.append("ct state { " + ", ".join(rule["state"]) + " }")
            action = rule["action"]
            parts.append(action if not action.startswith(("jump", "goto")) else action)
            out.append("    " + " ".join(parts))
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def random_probes(rng, count, ports):
    probes = []
    used = set()
    while len(probes) < count:
        family = 4 if rng.random() < 0.65 else 6
        src_zone, dst_zone = rng.sample(range(3), 2)
        protocol = rng.choice(["tcp", "udp"])
        dport = rng.choice(ports + [rng.randrange(1, 65536)])
        dport = min(65535, dport + rng.choice([0, 0, 0, 1, 3, 50, 500]))
        sport = rng.randrange(20000, 60000) if rng.random() < 0.8 else rng.choice(ports)
        src, dst = host(src_zone, rng.choice(HOSTS), family), host(dst_zone, rng.choice(HOSTS), family)
        key = (family, protocol, src, sport)
        if key in used:
            continue
        used.add(key)
        probes.append({"family": family, "protocol": protocol, "src": src, "dst": dst,
                       "sport": sport, "dport": dport, "src_zone": src_zone,
                       "dst_zone": dst_zone, "iif": f"f{src_zone + 1}",
                       "oif": f"f{dst_zone + 1}", "state": "new"})
    return probes


def mamori_verdicts(mamori, work, name, printed, probes):
    """mamori's verdict (True: accepted) for each probe, and its answers.
    `printed` is the rule set as the kernel listed it: {"nft": JSON} or
    {4: iptables-save, 6: ip6tables-save}, given together as rules.v4 and
    rules.v6 are."""
    paths = []
    for key, body in printed.items():
        path = os.path.join(work, f"{name}.{key}")
        with open(path, "w") as f:
            f.write(body)
        paths.append(path)
    packets = os.path.join(work, f"{name}.packets.jsonl")
    with open(packets, "w") as f:
        for p in probes:
            f.write(json.dumps({k: p[k] for k in ("protocol", "src", "dst", "sport", "dport",
                                                   "iif", "oif", "state")}) + "\n")
    vendor = "nft" if "nft" in printed else "iptables"
    result = subprocess.run([mamori, "netcheck", "eval", *paths, "--vendor", vendor,
                             "--packets", packets, "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"mamori netcheck eval failed ({result.returncode}): {result.stderr}")
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if len(answers) != len(probes):
        raise RuntimeError(f"mamori answered {len(answers)} of {len(probes)} packets")
    return [a["verdict"] == "accept" for a in answers], answers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mamori")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--probes", type=int, default=24)
    parser.add_argument("--keep", help="directory for the rule sets that disagree")
    parser.add_argument("--kernel-only", action="store_true",
                        help="load and probe only (checks the generator and the namespaces)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("kernel_diff: needs root for ip netns", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="mamori-kd-")
    disagreements = probes_total = accepted_total = 0
    try:
        with Network() as network:
            # The harness itself first: with an empty rule set whose policy
            # accepts every probe must arrive, with one that drops none.
            for policy in ("accept", "drop"):
                empty = {"policy": policy, "chains": {"FORWARD": []}, "order": [], "ports": [80]}
                network.load("iptables", {4: iptables_text(empty, 4), 6: iptables_text(empty, 6)})
                arrived = network.probe(random_probes(rng, 48, [80, 443]))
                if arrived != [policy == "accept"] * len(arrived):
                    print(f"kernel_diff: with policy {policy}, {sum(arrived)} of {len(arrived)} "
                          "probes arrived: the namespaces do not work as this test needs")
                    return 2
            # The kernel side runs rule set after rule set; mamori's answers
            # for each are asked at once, two processes at a time, while the
            # kernel goes on with the next ones.
            cases = []
            with ThreadPoolExecutor(max_workers=2) as pool:
                for i in range(args.count):
                    kind = "nft" if i % 2 == 0 else "iptables"
                    ruleset = random_ruleset(rng)
                    text = ({"nft": nft_text(ruleset)} if kind == "nft" else
                            {4: iptables_text(ruleset, 4), 6: iptables_text(ruleset, 6)})
                    printed = network.load(kind, text)
                    probes = random_probes(rng, args.probes, ruleset["ports"])
                    asked = (None if args.kernel_only else
                             pool.submit(mamori_verdicts, args.mamori, work, f"r{i}", printed, probes))
                    cases.append((i, kind, text, printed, probes, network.probe(probes), asked))
                for i, kind, text, printed, probes, kernel, asked in cases:
                    probes_total += len(probes)
                    accepted_total += sum(kernel)
                    if asked is None:
                        continue
                    verdicts, answers = asked.result()
                    # A probe that did not arrive where mamori says it passes
                    # is sent once more, with the rule set loaded again and a
                    # longer wait: on a loaded machine arrival can be late,
                    # but a drop is never undone.
                    late = [j for j in range(len(probes)) if verdicts[j] and not kernel[j]]
                    if late:
                        network.load(kind, text)
                        again = network.probe([probes[j] for j in late], wait_ms=600)
                        for j, arrived in zip(late, again):
                            kernel[j] = arrived
                    for j, probe in enumerate(probes):
                        if kernel[j] == verdicts[j]:
                            continue
                        disagreements += 1
                        print(f"DISAGREE rule set {i} ({kind}): kernel "
                              f"{'delivered' if kernel[j] else 'dropped'}, mamori "
                              f"{json.dumps(answers[j], ensure_ascii=False)} for "
                              f"{json.dumps({k: probe[k] for k in ('protocol', 'src', 'dst', 'sport', 'dport', 'iif', 'oif')})}")
                        if args.keep:
                            os.makedirs(args.keep, exist_ok=True)
                            for name, body in printed.items():
                                with open(os.path.join(args.keep, f"ruleset{i}.{name}"), "w") as f:
                                    f.write(body)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"kernel_diff: {args.count} rule sets (nftables and iptables in turn), "
          f"{probes_total} probes, {accepted_total} delivered by the kernel, "
          f"{disagreements} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
