#!/usr/bin/env bash
# Store calls of one N-task layered DAG run through `mship server` (SQLite, local executor,
# 4 attempts at once): how many journal commits (`commit_transition`) and log appends the run
# made and the time they took, from the server's own /metrics. Counts, unlike wall times, do
# not depend on how busy the machine is.
#
#   bench/server/store-calls.sh [MSHIP] [TASKS] [PORT] [LINES]
#
# MSHIP defaults to artifacts/cli/jit/mship (build it with ./mship --version), TASKS to 2000;
# with LINES > 0 each step prints that many lines (bash builtins: no process more) instead of
# being a no-op.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mship=${1:-$here/../artifacts/cli/jit/mship}
tasks=${2:-2000}
port=${3:-18231}
lines=${4:-0}
dir=$(mktemp -d)
server=""
trap '[[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
python3 "$here/dag/generate.py" --tasks "$tasks" --layers 10 --lines "$lines" --out "$dir" > /dev/null
"$mship" server --db "sqlite:$dir/db.sqlite" --urls "http://127.0.0.1:$port" --max-concurrent-taskruns 4 --workdir "$dir/runs" > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
curl -sf -X POST -H "Content-Type: application/yaml" --data-binary "@$dir/dag.yaml" "http://127.0.0.1:$port/api/v1/pipelineruns" > /dev/null
# Polled from the run list (summaries): the run itself is megabytes at 10,000 tasks.
status=""
for _ in $(seq 3600); do
  status=$(curl -sf "http://127.0.0.1:$port/api/v1/pipelineruns?pipeline=dag&limit=1" \
    | python3 -c 'import json, sys; r = json.load(sys.stdin)["items"][0]; print(r["status"] if r["phase"] == "Finished" else "")' 2> /dev/null || true)
  [[ $status == True || $status == False ]] && break
  sleep 0.5
done
echo "$tasks tasks printing $lines lines each, run ended with status $status ($mship)"
curl -sf "http://127.0.0.1:$port/metrics" | python3 -c '
import re, sys
calls = {}
for line in sys.stdin:
    m = re.match(r"mothership_store_operation_duration_seconds_(count|sum)\{operation=\"(\w+)\"\} (\S+)", line)
    if m and m.group(2) in ("commit_transition", "append_logs"):
        calls.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
for op, v in sorted(calls.items()):
    n, total = v["count"], v["sum"]
    print(f"{op}: {int(n):,} calls ({n / '"$tasks"':.2f} per task), {total:.2f} s in all")
'
