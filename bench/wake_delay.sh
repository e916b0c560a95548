#!/usr/bin/env bash
# How long the hop's threads wait for a core once woken: the kernel scheduler's view of one stream
# (`perf sched`). Diagnosis for BENCHMARKS.md ("Waiting for a core"), not part of
# bench/run.sh. On these two cores the simulator and the client run beside the hop; a thread that a
# loopback write wakes is often queued on the writer's own core, behind the writer, while the
# other core idles. This script shows how much of a first token that is.
#
# Needs perf (`apt-get install linux-perf`) and root, and the release binaries bench/run.sh builds.
#
#   bench/wake_delay.sh [requests] [prompt KiB]      (defaults: 200, 0 = the one-line prompt)
#
# TAIJI_STEPS_TARGET=relay measures the minimal relay (`taiji-loadgen relay`) in the gateway's place.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
bin=${CARGO_TARGET_DIR:-target}/release
requests=${1:-200}
prompt_kib=${2:-0}
delay=50
# shellcheck source=bench/processes.sh
source bench/processes.sh
start_sim "$bin/taiji-sim" --first-frame-delay-ms "$delay"
key=sk-bench-0123456789abcdef
start_hop "$bin" "$key"

one_stream 50 --prompt-kib "$prompt_kib" >/dev/null
# Long enough for the requests (about 53 ms each) and a margin.
perf sched record -o "$work/sched.data" -- sleep $((requests * 60 / 1000 + 3)) >/dev/null 2>&1 &
recorder=$!
sleep 0.5
one_stream "$requests" --prompt-kib "$prompt_kib"
wait "$recorder"
perf sched timehist -i "$work/sched.data" 2>/dev/null >"$work/timehist.txt"
python3 bench/wake_delay.py "$work/timehist.txt" "$hop_pid" "$requests" "$delay"
