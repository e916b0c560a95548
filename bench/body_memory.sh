#!/usr/bin/env bash
# Peak memory of the gateway while it receives four maximum-size request bodies at once (issue 8:
# "big bodies cost 6-8x their size"). Starts the real `taiji-sim` and `taiji-gateway serve`
# binaries on loopback, sends four OpenAI requests of ~34 MB each (five 5 MB images as base64 data
# URLs, the largest valid request) concurrently, and prints the gateway's resident memory before,
# at its peak (VmHWM) and afterwards. A benchmark, not a test: it asserts nothing.
#
# Measured on the 2-core dev machine, debug builds, 4 x 33 MB bodies, all answered 200:
#   before issue 8 (64 MB limit, no budget):           peak 790-815 MB, 170-180 MB two seconds later
#   after (40 MiB limit, budget, bodies dropped early): peak 535-595 MB, 370-400 MB two seconds later
# What stays resident afterwards is mostly glibc keeping freed blocks: over three rounds in a row
# the old build stays at ~620 MB and the new one at ~560 MB, neither keeps growing.
#
#   bench/body_memory.sh [GATEWAY_BIN] [SIM_BIN]     (defaults: target/debug/taiji-{gateway,sim})
set -euo pipefail
cd "$(dirname "$0")/.."
gateway_bin=${1:-target/debug/taiji-gateway}
sim_bin=${2:-target/debug/taiji-sim}
# shellcheck source=bench/processes.sh
source bench/processes.sh
start_sim "$sim_bin"
key=sk-bench-body-memory-0123456789
start_gateway "$gateway_bin" "$key"
url=$gateway
gateway=$gateway_pid

python3 - "$work/body.json" <<'PY'
import base64, json, os, sys
image = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + os.urandom(5 * 1024 * 1024 - 16)).decode()
parts = [{"type": "image_url", "image_url": {"url": image}} for _ in range(5)]
parts.append({"type": "text", "text": "describe these " + "words " * 1000})
body = {"model": "gpt-4o", "messages": [{"role": "user", "content": parts}]}
with open(sys.argv[1], "w") as f:
    json.dump(body, f)
PY

rss() { awk -v field="$1" '$1 == field":" {print int($2 / 1024)}' "/proc/$gateway/status"; }
# Warm up (sign-in, catalog) with a small request so the baseline includes them.
curl -s -o /dev/null -H "authorization: Bearer $key" -H 'content-type: application/json' \
  -d '{"model":"gpt-4.1-mini","messages":[{"role":"user","content":"hi"}]}' "$url/v1/chat/completions"
before=$(rss VmRSS)
size=$(($(stat -c %s "$work/body.json") / 1024 / 1024))
for i in 1 2 3 4; do
  curl -s -o "$work/answer.$i" -w "%{http_code}\n" -H "authorization: Bearer $key" -H "content-type: application/json" \
    --data-binary "@$work/body.json" "$url/v1/chat/completions" >"$work/status.$i" &
done
wait_for=$(jobs -p | grep -v -e "^${pids[0]}$" -e "^$gateway$" || true)
for job in $wait_for; do wait "$job" || true; done
sleep 2
statuses=$(cat "$work"/status.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
echo "bodies: 4 x ${size} MB; answers: ${statuses}"
# The first answer, to see why when a status is not 200.
head -c 300 "$work/answer.1"; echo
echo "gateway RSS before: ${before} MB, peak: $(rss VmHWM) MB, after: $(rss VmRSS) MB"
