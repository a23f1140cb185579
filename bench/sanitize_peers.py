#!/usr/bin/env python3
"""Runs mamori's 無害化 and its peers over the corpus of sanitize_corpus.py,
one process per file for every tool, and prints the comparison.

    bench/sanitize_peers.py MAMORI_SANITIZE CORPUS [--out DIR] [--kinds pdf,ooxml,image]

For each process: wall time, CPU time (user + system, from wait4) and peak
RSS. Rates are per CPU second of the tools' processes (the machine may be
shared; CPU time is what the tool itself spent), the wall rate is printed
beside. Outputs are checked: every mamori PDF with `qpdf --check`, every
mamori OOXML by opening the zip and parsing each XML part, every mamori
image by its signature and end marker. A per-file TSV goes to DIR.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import xml.etree.ElementTree as ElementTree
import zipfile

GS = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite"]


TIMEOUT = None  # seconds of wall time per process (--timeout); exit status -9 then


def run(args, cwd=None):
    """(status, wall s, cpu s, peak RSS KiB) of one process."""
    start = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    timer = None
    if TIMEOUT:
        timer = threading.Timer(TIMEOUT, process.kill)
        timer.start()
    _, status, usage = os.wait4(process.pid, 0)
    if timer:
        timer.cancel()
    wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


class Tool:
    def __init__(self, name, command, ok, refused=()):
        self.name = name
        self.command = command  # (input, output, scratch dir) -> argv, output path
        self.ok = ok            # exit statuses that mean "written"
        self.refused = refused  # exit statuses that mean "refused on purpose"
        self.rows = []

    def measure(self, path, scratch):
        output = os.path.join(scratch, "out_" + self.name + os.path.splitext(path)[1])
        argv, output = self.command(path, output, scratch)
        status, wall, cpu, rss = run(argv, cwd=scratch)
        written = status in self.ok and os.path.exists(output)
        outcome = "ok" if written else ("refused" if status in self.refused else "failed")
        self.rows.append((path, os.path.getsize(path), outcome, status, wall, cpu, rss))
        return outcome, output


def mamori_tool(binary):
    return Tool("mamori", lambda i, o, s: ([binary, i, "-o", o], o), ok=(0,),
                refused=(6,))


def mat2_command(path, output, scratch):
    # mat2 writes NAME.cleaned.EXT beside its input: give it a copy.
    copy = os.path.join(scratch, "in" + os.path.splitext(path)[1])
    shutil.copyfile(path, copy)
    base, ext = os.path.splitext(copy)
    return ["mat2", copy], base + ".cleaned" + ext


def check_pdf(path):
    status = subprocess.run(["qpdf", "--check", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
    return {0: "clean", 3: "warnings"}.get(status, "errors")


def check_ooxml(path):
    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return "errors"
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    ElementTree.fromstring(z.read(name))
        return "clean"
    except Exception:  # noqa: BLE001 - any failure to read is the verdict
        return "errors"


def check_image(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xff\xd8") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "clean"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]:
        return "clean"
    return "errors"


def files_of(corpus, kind):
    directory = os.path.join(corpus, kind)
    return sorted(os.path.join(directory, n) for n in os.listdir(directory))


def summary(tool, only=None):
    rows = [r for r in tool.rows if only is None or only(r)]
    size = sum(r[1] for r in rows)
    wall = sum(r[4] for r in rows)
    cpu = sum(r[5] for r in rows)
    return {
        "files": len(rows), "mb": size / 1e6, "wall": wall, "cpu": cpu,
        "files_s": len(rows) / cpu if cpu else 0, "mb_s": size / 1e6 / cpu if cpu else 0,
        "wall_mb_s": size / 1e6 / wall if wall else 0,
        "rss": max((r[6] for r in rows), default=0),
        "ok": sum(r[2] == "ok" for r in rows), "refused": sum(r[2] == "refused" for r in rows),
        "failed": sum(r[2] == "failed" for r in rows),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mamori")
    parser.add_argument("corpus")
    parser.add_argument("--out", default=None)
    parser.add_argument("--kinds", default="pdf,ooxml,image")
    parser.add_argument("--jobs", type=int, default=1,
                        help="files measured at once (each process's CPU time is its own)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="wall seconds per process before it is killed (counted as failed)")
    args = parser.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    args.mamori = os.path.abspath(args.mamori)  # (each tool runs in a scratch directory)
    out_dir = args.out or os.path.join(args.corpus, "results")
    os.makedirs(out_dir, exist_ok=True)
    kinds = args.kinds.split(",")

    groups = {
        "pdf": ([mamori_tool(args.mamori),
                 Tool("qpdf", lambda i, o, s: (["qpdf", "--object-streams=generate", i, o], o),
                      ok=(0, 3)),
                 Tool("gs", lambda i, o, s: (GS + ["-sOutputFile=" + o, i], o), ok=(0,))],
                check_pdf),
        "ooxml": ([mamori_tool(args.mamori), Tool("mat2", mat2_command, ok=(0,))], check_ooxml),
        "image": ([mamori_tool(args.mamori),
                   Tool("exiftool", lambda i, o, s: (["exiftool", "-q", "-q", "-all=", "-o", o, i],
                                                     o), ok=(0,))], check_image),
    }
    checks = {}
    results = {}
    for kind in kinds:
        tools, check = groups[kind]
        files = files_of(args.corpus, kind)
        verdicts = {"clean": 0, "warnings": 0, "errors": 0}
        print("== %s: %d files, %.1f MB" % (kind, len(files),
                                            sum(os.path.getsize(f) for f in files) / 1e6),
              file=sys.stderr)
        done = [0]
        lock = threading.Lock()

        def one_file(path):
            for tool in tools:
                scratch = tempfile.mkdtemp(prefix="mamori_peers_")
                try:
                    outcome, output = tool.measure(path, scratch)
                    if tool.name == "mamori" and outcome == "ok":
                        verdict = check(output)
                        with lock:
                            verdicts[verdict] += 1
                        if verdict != "clean":
                            print("   check: %s output of %s: %s" % (tool.name,
                                                                     os.path.basename(path),
                                                                     verdict), file=sys.stderr)
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
            with lock:
                done[0] += 1
                if done[0] % 25 == 0:
                    print("   %d/%d" % (done[0], len(files)), file=sys.stderr)

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(one_file, files))
        for tool in tools:
            tool.rows.sort()
        checks[kind] = verdicts
        results[kind] = tools
        for tool in tools:
            with open(os.path.join(out_dir, "%s_%s.tsv" % (kind, tool.name)), "w") as f:
                f.write("file\tbytes\toutcome\tstatus\twall_s\tcpu_s\tpeak_rss_kib\n")
                for row in tool.rows:
                    f.write("%s\t%d\t%s\t%d\t%.4f\t%.4f\t%d\n" % ((os.path.basename(row[0]),) +
                                                                  row[1:]))

    # Machine-readable lines for the shell script, then the table.
    print("%-6s %-9s %6s %8s %9s %9s %10s %10s %5s %7s %6s" % (
        "kind", "tool", "files", "MB", "files/s", "MB/s", "MB/s wall", "peak RSS", "ok",
        "refused", "failed"))
    for kind in kinds:
        for tool in results[kind]:
            s = summary(tool)
            print("%-6s %-9s %6d %8.1f %9.1f %9.2f %10.2f %7.1f MB %5d %7d %6d" % (
                kind, tool.name, s["files"], s["mb"], s["files_s"], s["mb_s"], s["wall_mb_s"],
                s["rss"] * 1024 / 1e6, s["ok"], s["refused"], s["failed"]))
    for kind in kinds:
        v = checks[kind]
        print("CHECK kind=%s clean=%d warnings=%d errors=%d" % (kind, v["clean"], v["warnings"],
                                                               v["errors"]))
    # Ratios, on the files every tool of the group wrote (a refusal costs
    # little and would flatter the faster side), and on all files.
    for kind in kinds:
        tools = results[kind]
        mamori = tools[0]
        written = {r[0] for r in mamori.rows if r[2] == "ok"}
        for tool in tools[1:]:
            written &= {r[0] for r in tool.rows if r[2] == "ok"}
        for peer in tools[1:]:
            for label, only in (("all", None), ("both_ok", lambda r: r[0] in written),
                                ("large", lambda r: r[1] >= 1_000_000 and r[0] in written)):
                m, p = summary(mamori, only), summary(peer, only)
                if m["cpu"] and p["cpu"]:
                    print("RATIO kind=%s peer=%s set=%s files=%d ratio=%.3f" % (
                        kind, peer.name, label, m["files"], p["cpu"] / m["cpu"]))
    # Where mamori is slowest against qpdf: the five worst files.
    if "pdf" in kinds:
        mamori, qpdf = results["pdf"][0], results["pdf"][1]
        by_file = {r[0]: r for r in qpdf.rows}
        worst = sorted(((r[5] / max(by_file[r[0]][5], 1e-4), r) for r in mamori.rows
                        if r[2] == "ok"), reverse=True)[:5]
        for ratio, r in worst:
            print("SLOWEST file=%s bytes=%d mamori_cpu=%.3f qpdf_cpu=%.3f x=%.2f" % (
                os.path.basename(r[0]), r[1], r[5], by_file[r[0]][5], ratio))


if __name__ == "__main__":
    main()
