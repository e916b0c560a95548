#!/usr/bin/env bash
# Where one stream's first token spends its time: each step of a request on the wire, from a
# loopback capture of client → gateway → simulator (kernel timestamps, no tracing in the processes).
# Diagnosis for BENCHMARKS.md ("Where the first token's time goes"), not part of bench/run.sh.
#
# Needs tcpdump (`apt-get install tcpdump`) and root, and the release binaries bench/run.sh builds.
#
#   bench/first_token_steps.sh [requests] [first-frame delay ms] [prompt KiB]   (defaults: 300, 50, 0)
#
# TAIJI_STEPS_TARGET=relay measures the minimal relay (`taiji-loadgen relay`, bench/loadgen/src/relay.rs)
# in the gateway's place: the same steps with none of the gateway's features.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/release
requests=${1:-300}
delay=${2:-50}
prompt_kib=${3:-0}
# shellcheck source=bench/processes.sh
source bench/processes.sh
start_sim "$bin/taiji-sim" --first-frame-delay-ms "$delay"
key=sk-bench-0123456789abcdef
start_hop "$bin" "$key"

one_stream 50 --prompt-kib "$prompt_kib" >/dev/null
tcpdump -i lo -n -s 300 -w "$work/capture.pcap" "tcp port ${sim##*:} or tcp port ${hop##*:}" \
  >/dev/null 2>&1 &
capture=$!
sleep 1
one_stream "$requests" --prompt-kib "$prompt_kib"
sleep 0.5
kill "$capture"
wait "$capture" 2>/dev/null || true
python3 bench/first_token_steps.py "$work/capture.pcap" "${sim##*:}" "${hop##*:}"
