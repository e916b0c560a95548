#!/usr/bin/env bash
# The gateway's performance, measured against the zero-overhead baseline in the same run (issue 13).
#
# Builds release `taiji-gateway`, `taiji-sim` and the load generator (`bench/loadgen`), starts one
# `taiji-sim` with a 50 ms first-frame latency (a model's time to first token) and one gateway
# (release, pacing off, concurrency limit 64), and measures:
#   - time to first token added by the gateway, p50/p99 at 1, 16 and 64 concurrent streams: direct
#     to the simulator (sign in once; per request create a session, send the message, read the
#     stream, delete the session: what any correct client of the site does) vs through the
#     gateway's OpenAI API, in alternating rounds so that other load on the machine hits both;
#     and through the minimal relay (`taiji-loadgen relay`: one more hop with the gateway's
#     libraries and none of its features), the least such a hop adds on this machine; at 64
#     streams also the mean of each batch's first wave (64 requests starting together), where the
#     tail is, and each one's CPU per request before the first frame, 64 sent at once (`burst`);
#   - frames/s over long replies, direct vs OpenAI vs Anthropic, and the gateway's CPU per
#     forwarded frame (user + system time from /proc/<pid>/stat);
#   - the gateway's RSS idle (signed in, before any request), after the load, and with 200 open
#     streams (64 running upstream, 136 queued);
#   - start → `listening on` of the CLI (signed in against the simulator), median of 5;
#   - the desktop app's memory, shown / closed to the tray (its webview destroyed) / `--hidden`
#     (bench/desktop_memory.sh on the release desktop binary, built here with the UI and the
#     Debian packages it needs, as scripts/start.sh does; TAIJI_BENCH_DESKTOP=0 skips it);
#   - the criterion micro-benchmarks (`cargo bench -p taiji-core --bench hot_path`, short runs;
#     TAIJI_BENCH_CRITERION=0 skips them).
# Prints a table; the raw JSON lines stay in $TAIJI_BENCH_OUT (default: a temp file, path printed).
# A benchmark, not a test: nothing is asserted. About 5 minutes on 2 cores after the builds (on a
# fresh clone the release builds take some 12 minutes, the desktop app's 7 of them).
#
#   bench/run.sh                  (TAIJI_BENCH_NO_BUILD=1 uses the binaries already built)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
target=${CARGO_TARGET_DIR:-target}
bin=$target/release

if [[ -z ${TAIJI_BENCH_NO_BUILD:-} ]]; then
  cargo build --release -p taiji-gateway -p taiji-sim -p taiji-loadgen
  if [[ ${TAIJI_BENCH_DESKTOP:-1} != 0 && -z ${TAIJI_BENCH_DESKTOP_BIN:-} ]]; then
    # The desktop app embeds the built UI and links WebKitGTK: the same steps as scripts/start.sh.
    (
      # shellcheck source=scripts/lib.sh
      source scripts/lib.sh
      ensure_debian_packages "${DESKTOP_PACKAGES[@]}"
      ensure_node_modules
      build_ui
      cargo build --locked --release -p taiji-desktop
    )
  fi
fi

# shellcheck source=bench/processes.sh
source bench/processes.sh
out=${TAIJI_BENCH_OUT:-$work/results.jsonl}
: >"$out"
on_exit() {
  [[ -n ${TAIJI_BENCH_OUT:-} ]] || cp "$out" "${TMPDIR:-/tmp}/taiji-bench-last.jsonl" 2>/dev/null || true
}
note() { echo "== $*" >&2; }
record() { tee -a "$out" >&2; }

note "taiji-sim, 50 ms to the first frame"
start_sim "$bin/taiji-sim" --first-frame-delay-ms 50

key=sk-bench-0123456789abcdef
# Pacing off for the whole run (the stored settings; the rest are defaults or flags).
new_data_dir() { mkdir -p "$1" && echo '{"pacing":{"enabled":false}}' >"$1/settings.json"; }

note "start → listening (5 runs, each with its own data directory)"
new_data_dir "$work/startup"
"$bin/taiji-loadgen" startup --runs 5 -- "${gateway_env[@]}" "$bin/taiji-gateway" serve --port 0 \
  --data-dir "$work/startup" --api-base "$sim" --api-key "$key" --max-concurrent 64 | record

note "taiji-gateway, release, pacing off, limit 64"
new_data_dir "$work/data"
start_gateway "$bin/taiji-gateway" "$key" --max-concurrent 64
[[ -n $gateway ]] || { cat "$work/gateway.err" >&2; exit 1; }

rss_mib() { awk '$1 == "VmRSS:" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
sleep 1
echo "{\"bench\":\"rss_idle\",\"rss_mib\":$(rss_mib "$gateway_pid")}" | record

lg=("$bin/taiji-loadgen")
targets=(--sim "$sim" --gateway "$gateway" --key "$key")

note "one HTTP request and response on loopback (the least one more hop costs)"
"${lg[@]}" hop "${targets[@]}" | record

note "the minimal relay (the second baseline: one more hop with none of the gateway's features)"
start_relay "$bin/taiji-loadgen"

note "time to first token, direct vs gateway (OpenAI) vs minimal relay, alternating rounds"
trio=(--relay "$relay" --targets direct,openai,relay)
"${lg[@]}" ttft "${targets[@]}" "${trio[@]}" --streams 1 --requests 300 --rounds 2 | record
"${lg[@]}" ttft "${targets[@]}" "${trio[@]}" --streams 16 --requests 320 --rounds 2 | record
"${lg[@]}" ttft "${targets[@]}" "${trio[@]}" --streams 64 --requests 640 --rounds 2 | record
note "CPU per request before the first frame, 64 requests sent at once, gateway vs minimal relay"
"${lg[@]}" burst "${targets[@]}" --target openai --pid "$gateway_pid" | record
"${lg[@]}" burst --sim "$sim" --relay "$relay" --key "$key" --target relay --pid "$relay_pid" | record
note "time to first token with a 40 KiB prompt (near the site's 48,000-character limit; Claude Code sends such prompts), direct vs gateway (Anthropic)"
"${lg[@]}" ttft "${targets[@]}" --streams 1 --requests 30 --rounds 2 --prompt-kib 40 \
  --targets direct,anthropic | record

note "frames/s over long replies, and the gateway's CPU per frame"
for api in direct openai anthropic direct openai anthropic; do
  "${lg[@]}" frames "${targets[@]}" --target "$api" --streams 2 --words 150000 --pid "$gateway_pid" \
    --sim-pid "$sim_pid" | record
done

sleep 2
echo "{\"bench\":\"rss_after_load\",\"rss_mib\":$(rss_mib "$gateway_pid")}" | record

note "RSS with 200 open streams (64 running)"
curl -s -o /dev/null -X POST -d '{"ms":200}' "$sim/__sim/frame-delay"
"${lg[@]}" hold "${targets[@]}" --streams 200 --pid "$gateway_pid" --secs 4 | record
curl -s -o /dev/null -X POST -d '{"ms":0}' "$sim/__sim/frame-delay"

if [[ ${TAIJI_BENCH_DESKTOP:-1} != 0 ]]; then
  desktop=${TAIJI_BENCH_DESKTOP_BIN:-$target/release/taiji-desktop}
  if [[ -x $desktop ]]; then
    note "desktop app memory (release build, all its processes)"
    bench/desktop_memory.sh "$desktop" | tee "$work/desktop.txt" >&2 || true
    awk '$1 == "shown" || $1 == "closed" || $1 == "--hidden" {
      printf "{\"bench\":\"desktop\",\"state\":\"%s\",\"rss_mib\":%s,\"pss_mib\":%s}\n", $1, $2, $3 }' \
      "$work/desktop.txt" | record
  else
    note "no release desktop binary at $desktop (TAIJI_BENCH_NO_BUILD): desktop memory skipped"
  fi
fi

if [[ ${TAIJI_BENCH_CRITERION:-1} != 0 ]]; then
  note "criterion micro-benchmarks (short runs)"
  cargo bench -p taiji-core --bench hot_path -- --warm-up-time 1 --measurement-time 3 --noplot 2>/dev/null |
    tee "$work/criterion.txt" >&2 || true
  awk '/^[a-z_]+\/[a-z_]+/ { name = $1 }
    /time:/ && name != "" {
      gsub(/\[|\]/, "")
      for (i = 1; i <= NF; i++) if ($i == "time:") break
      printf "{\"bench\":\"criterion\",\"name\":\"%s\",\"median\":\"%s %s\"}\n", name, $(i + 3), $(i + 4)
      name = "" }' \
    "$work/criterion.txt" | record
fi

python3 bench/table.py "$out"
echo "raw results: $out (a copy of the last run stays in ${TMPDIR:-/tmp}/taiji-bench-last.jsonl)"
