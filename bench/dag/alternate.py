#!/usr/bin/env python3
"""A/B of two mship builds on the layered DAG, against make, in alternating rounds.

On a shared machine the same command's time drifts by tens of percent within minutes; hyperfine
runs all of one command before the next, so a drift lands on one side. Here every round runs
make, then A, then B, and the figures are the mean and median of each over the rounds, with the
CPU time (user + system, children included) of each.

Usage: alternate.py A_BINARY B_BINARY [--tasks N] [--layers L] [--rounds R] [--parallel P]
(defaults: 500 tasks, 10 layers, 20 rounds after 2 warm-up rounds, parallel 2). A binary is a
built `mship` (artifacts/cli/mship of a worktree), not the ./mship wrapper: its source check
would be timed too. The DAG is bench/dag/generate.py's, written to bench/out/alternate/.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("a")
parser.add_argument("b")
parser.add_argument("--tasks", type=int, default=500)
parser.add_argument("--layers", type=int, default=10)
parser.add_argument("--rounds", type=int, default=20)
parser.add_argument("--parallel", type=int, default=2)
args = parser.parse_args()

out = os.path.join(root, "bench", "out", "alternate")
work = os.path.join(out, "work")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
subprocess.run(["python3", os.path.join(root, "bench", "dag", "generate.py"), "--tasks", str(args.tasks), "--layers", str(args.layers), "--out", out],
               check=True, stdout=subprocess.DEVNULL)
dag, makefile = os.path.join(out, "dag.yaml"), os.path.join(out, "Makefile")


def mship(binary):
    # A fresh workdir per run, as bench/run-dag.sh gives each: no run pays for the last one's folders.
    return lambda: [binary, "run", "-f", dag, "--parallel", str(args.parallel), "--workdir", tempfile.mkdtemp(dir=work)]


commands = {"make": lambda: ["make", "-s", "-B", f"-j{args.parallel}", "-f", makefile, "all"], "A": mship(args.a), "B": mship(args.b)}
wall = {k: [] for k in commands}
cpu = {k: [] for k in commands}
load_before = open("/proc/loadavg").read().split()[0]
for round_ in range(args.rounds + 2):
    for name, command in commands.items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if round_ >= 2:
            wall[name].append(elapsed * 1000)
            cpu[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)

print(f"{args.tasks} tasks, {args.layers} layers, parallel {args.parallel}, {args.rounds} rounds (make, A, B in turn); "
      f"load {load_before} -> {open('/proc/loadavg').read().split()[0]}; A = {args.a}, B = {args.b}")
print("| | mean / median / min ms | CPU ms (mean) | / make (mean) | / make (median) |")
print("| --- | --- | --- | --- | --- |")
for name in commands:
    mean, median = statistics.mean(wall[name]), statistics.median(wall[name])
    print(f"| {name} | {mean:.1f} / {median:.1f} / {min(wall[name]):.1f} | {statistics.mean(cpu[name]):.0f} "
          f"| {mean / statistics.mean(wall['make']):.2f}x | {median / statistics.median(wall['make']):.2f}x |")
