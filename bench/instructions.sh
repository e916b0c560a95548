#!/usr/bin/env bash
# The gateway's user-space instructions per request, counted by callgrind, for one binary or two
# side by side (the second as a ratio to the first).
#
# The time-based figures of run.sh move by ±20 % between gateway processes of the same build on a
# shared VM; an instruction count moves by under 1 %. This is the figure to judge a change of a few
# per cent with (BENCHMARKS.md, "The first wave"). Each binary serves 8 concurrent streams of the
# simulator's short reply under valgrind: a warm-up, then the counters are zeroed and 160 requests
# are counted, everything a request costs the gateway (session, message, 31 frames relayed,
# deletion, the request log's writes). Kernel time is not counted. Installs valgrind when it is
# missing (scripts/lib.sh); about half a minute per binary.
#
#   bench/instructions.sh [GATEWAY_A [GATEWAY_B]]      (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
ensure_debian_packages valgrind
bin=${CARGO_TARGET_DIR:-target}/release
[[ -x $bin/taiji-sim && -x $bin/taiji-loadgen ]] ||
  cargo build --release -p taiji-sim -p taiji-loadgen
gateways=("${@:-$bin/taiji-gateway}")
requests=${TAIJI_BENCH_REQUESTS:-160}

# shellcheck source=bench/processes.sh
source bench/processes.sh
start_sim "$bin/taiji-sim" --first-frame-delay-ms 50
key=sk-bench-0123456789abcdef

# Prints the instructions per request of the gateway binary $1.
count() {
  local pid out
  gateway_data=$(mktemp -d "$work/gateway.XXXX")
  echo '{"pacing":{"enabled":false}}' >"$gateway_data/settings.json"
  gateway_launcher=(valgrind --tool=callgrind --callgrind-out-file="$gateway_data/callgrind.out")
  start_gateway "$1" "$key" --max-concurrent 64
  [[ -n $gateway ]] || { cat "$work/gateway.err" >&2; exit 1; }
  pid=$gateway_pid
  local ttft=("$bin/taiji-loadgen" ttft --sim "$sim" --gateway "$gateway" --key "$key" --streams 8
    --rounds 1 --targets openai)
  "${ttft[@]}" --requests 40 >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1
  "${ttft[@]}" --requests "$requests" >/dev/null
  # Let the last session deletions and log writes finish before the counters are written.
  sleep 1
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  out=$(ls -t "$gateway_data"/callgrind.out.* | head -1)
  callgrind_annotate "$out" 2>/dev/null |
    awk -v n="$requests" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%d\n", $1 / n; exit }'
}

first=
for gateway in "${gateways[@]}"; do
  per_request=$(count "$gateway")
  if [[ -z $first ]]; then
    first=$per_request
    ratio=1
  else
    ratio=$(awk -v a="$first" -v b="$per_request" 'BEGIN { printf "%.3f", b / a }')
  fi
  echo "{\"bench\":\"instructions\",\"gateway\":\"$gateway\",\"requests\":$requests,\"instructions_per_request\":$per_request,\"ratio_to_first\":$ratio}"
done
