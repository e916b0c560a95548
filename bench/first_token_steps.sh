#!/usr/bin/env bash
# Where one stream's first token spends its time: each step of a request on the wire, from a
# loopback capture of client → gateway → simulator (kernel timestamps, no tracing in the processes).
# Diagnosis for BENCHMARKS.md ("Where the first token's time goes"), not part of bench/run.sh.
#
# Needs tcpdump (`apt-get install tcpdump`) and root, and the release binaries bench/run.sh builds.
#
#   bench/first_token_steps.sh [requests] [first-frame delay ms]      (defaults: 300, 50)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/release
requests=${1:-300}
delay=${2:-50}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/taiji-sim" --port 0 --first-frame-delay-ms "$delay" >"$work/sim.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/sim.out" && break; sleep 0.1; done
sim=$(sed -n 's/^taiji-sim listening on \(\S*\).*/\1/p' "$work/sim.out")
key=sk-bench-0123456789abcdef
mkdir -p "$work/data"
echo '{"pacing":{"enabled":false}}' >"$work/data/settings.json"
env HOME="$work" TAIJI_ACCOUNT=13800000000 TAIJI_PASSWORD=taiji-demo-pass TAIJI_CREDENTIAL_STORE=file \
  RUST_LOG=warn "$bin/taiji-gateway" serve --port 0 --data-dir "$work/data" --api-base "$sim" \
  --api-key "$key" --max-concurrent 64 >"$work/gateway.out" 2>"$work/gateway.err" &
pids+=($!)
for _ in $(seq 100); do grep -q "^listening on" "$work/gateway.out" && break; sleep 0.1; done
gateway=$(sed -n 's/^listening on \(\S*\)$/\1/p' "$work/gateway.out")

load() {
  "$bin/taiji-loadgen" ttft --sim "$sim" --gateway "$gateway" --key "$key" --streams 1 \
    --requests "$1" --rounds 1 --targets openai
}
load 50 >/dev/null
tcpdump -i lo -n -s 300 -w "$work/capture.pcap" "tcp port ${sim##*:} or tcp port ${gateway##*:}" \
  >/dev/null 2>&1 &
capture=$!
sleep 1
load "$requests"
sleep 0.5
kill "$capture"
wait "$capture" 2>/dev/null || true
python3 bench/first_token_steps.py "$work/capture.pcap" "${sim##*:}" "${gateway##*:}"
