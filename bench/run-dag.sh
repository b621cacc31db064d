#!/usr/bin/env bash
# End-to-end benchmark: `mship run --parallel 2` against `make -j2` on the same layered DAG of
# no-op steps, timed by hyperfine in one invocation so both see the same machine load.
# Usage: bench/run-dag.sh [TASKS] [LAYERS] [RUNS]   (defaults: 500 10 10)
# BENCH_WORK=DIR puts mship's run folders under DIR instead of bench/out/work (e.g. on tmpfs:
# BENCH_WORK=/dev/shm/mothership-bench-work, for the disk's share of the time).
# Prints hyperfine's report, then one markdown table row of the figures (bench/run-all.sh collects them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tasks="${1:-500}" layers="${2:-10}" runs="${3:-10}"
out=bench/out
work="${BENCH_WORK:-$out/work}"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }
python3 bench/dag/generate.py --tasks "$tasks" --layers "$layers" --out "$out"
# Build once outside the timing: ./mship rebuilds itself only when sources changed. The timing
# then calls the built binary itself: the ./mship wrapper's source check (a bash and a find over
# src/) costs ~11 ms per call, which make does not pay.
./mship validate -f "$out/dag.yaml"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   nproc: $(nproc)   kernel: $(uname -r)"
# Each TaskRun leaves a directory behind. Every mship run gets a fresh workdir rather than
# deleting the last one just before it: on ext4, creating hundreds of directories right after
# deleting hundreds makes every mkdir search for a free inode (about 3x the system time), which
# no real run pays. Old workdirs are removed before timing starts.
rm -rf "$work"
mkdir -p "$work"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
hyperfine --warmup 2 --runs "$runs" --export-json "$out/hyperfine.json" \
  -n make -n mship \
  "make -s -B -j2 -f $out/Makefile all" \
  "artifacts/cli/mship run -f $out/dag.yaml --parallel 2 --workdir \$(mktemp -d -p $work)"

python3 - "$out/hyperfine.json" "$tasks" "$layers" "$runs" "$work" "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" "$(date -u '+%H:%M UTC')" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
tasks, layers, runs, work, before, after, when = sys.argv[2:9]
make, mship = r["make"], r["mship"]
ratio = mship["mean"] / make["mean"]
print(f"make  -j2        : mean {make['mean']*1000:8.1f} ms  median {make['median']*1000:8.1f} ms  min {make['min']*1000:8.1f} ms")
print(f"mship --parallel 2: mean {mship['mean']*1000:8.1f} ms  median {mship['median']*1000:8.1f} ms  min {mship['min']*1000:8.1f} ms")
print(f"ratio mship/make (mean): {ratio:.2f}x  (goal: within 1.5x) -> {'met' if ratio <= 1.5 else 'NOT met'}")
print()
print("| tasks (layers) | make -j2 mean / min | mship --parallel 2 mean ± σ / min | mship user / sys | **mship / make** | runs | workdir | load (1 min) before → after | at |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print(f"| {int(tasks):,} ({layers}) | {make['mean']*1000:.1f} / {make['min']*1000:.1f} ms | {mship['mean']*1000:.1f} ± {mship['stddev']*1000:.1f} / {mship['min']*1000:.1f} ms "
      f"| {mship['user']:.2f} / {mship['system']:.2f} s | **{ratio:.2f}x** | {runs} | {work} | {before} → {after} | {when} |")
PY
