#!/usr/bin/env python3
"""Runs `PROGRAM -t -f FILE` N times for each program and prints a side-by-side table of exit
codes, median wall time and peak RSS. Called by config_test.sh inside a network namespace that
has the interfaces the configuration names; it can be run directly where they exist.

Peak RSS comes from os.wait4(), which returns the resource usage of that one child (including
any children it waited for), so each run is measured on its own.

Usage: measure.py FILE RUNS NAME=PROGRAM [NAME=PROGRAM ...]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall_ms = (time.perf_counter() - start) * 1000.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall_ms, usage.ru_maxrss / 1024.0, stderr.decode(errors="replace")


def measure(program, conf, runs):
    path = shutil.which(program)
    if path is None:
        return None
    argv = [path, "-t", "-f", conf]
    codes, walls, rss, first_err = [], [], [], None
    for _ in range(runs):
        code, wall, peak, err = run_once(argv)
        codes.append(code)
        walls.append(wall)
        rss.append(peak)
        if first_err is None:
            first_err = err
    return {"argv": argv, "codes": codes, "wall": statistics.median(walls),
            "wall_min": min(walls), "rss": max(rss), "stderr": first_err}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    conf, runs = sys.argv[1], int(sys.argv[2])
    programs = [a.split("=", 1) for a in sys.argv[3:]]
    results = []
    for name, program in programs:
        print(f"running {name}: {program} -t -f {conf} x{runs}", file=sys.stderr)
        results.append((name, measure(program, conf, runs)))

    with open(conf) as f:
        lines = sum(1 for _ in f)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nconfig: {conf} ({lines} lines), {runs} runs each; load average {load}\n")
    width = 22
    header = f"{'':<24}" + "".join(f"{name:>{width}}" for name, _ in results)
    print(header)
    print("-" * len(header))

    def row(label, fmt):
        cells = []
        for _, r in results:
            cells.append(f"{'not found':>{width}}" if r is None else f"{fmt(r):>{width}}")
        print(f"{label:<24}" + "".join(cells))

    def codes(r):
        distinct = sorted(set(r["codes"]))
        return ",".join(str(c) for c in distinct) + ("" if len(distinct) == 1 else " (varied)")

    row("exit code of -t", codes)
    row("median wall ms", lambda r: f"{r['wall']:.1f}")
    row("fastest wall ms", lambda r: f"{r['wall_min']:.1f}")
    row("peak RSS MiB", lambda r: f"{r['rss']:.1f}")

    failed = False
    for name, r in results:
        if r is None:
            failed = True
            continue
        if any(c != 0 for c in r["codes"]):
            failed = True
            tail = "\n".join(r["stderr"].splitlines()[-15:])
            print(f"\n{name} did not pass -t (exit {codes(r)}); last lines of its stderr:\n{tail}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
