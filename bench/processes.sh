# Sourced by bench scripts: a work directory that is removed on exit together with the processes
# started for the run, and the simulator and the gateway started and waited for.
#
#   source bench/processes.sh
#   start_sim BIN [ARGS...]              sets $sim (its base URL) and $sim_pid
#   start_gateway BIN KEY [ARGS...]      sets $gateway (its base URL) and $gateway_pid; signed in to
#                                        $sim with the simulator's demo account, data in
#                                        $gateway_data (default $work/data), environment
#                                        $gateway_env (also for a script's own runs), run under
#                                        the command in $gateway_launcher when one is set (valgrind)
#   start_relay LOADGEN_BIN              sets $relay (its base URL) and $relay_pid: the minimal relay
#                                        (`taiji-loadgen relay`) of $sim
#   start_hop BIN_DIR KEY                the one-stream diagnoses' hop in front of $sim: the gateway
#                                        (pacing off), or the minimal relay when
#                                        TAIJI_STEPS_TARGET=relay; sets $hop (its base URL), $hop_pid
#                                        and $through (the load generator's arguments for it)
#   one_stream REQUESTS [ARGS...]        that many requests, one at a time, through the hop
#                                        (`taiji-loadgen ttft`, ARGS added); prints its result line
#
# A script that defines `on_exit` has it run at exit, before the work directory is removed.

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if declare -F on_exit >/dev/null; then on_exit; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_sim() {
  "$1" --port 0 "${@:2}" >"$work/sim.out" 2>&1 &
  sim_pid=$!
  pids+=("$sim_pid")
  for _ in $(seq 100); do grep -q "listening on" "$work/sim.out" && break; sleep 0.1; done
  sim=$(sed -n 's/^taiji-sim listening on \(\S*\).*/\1/p' "$work/sim.out")
}

# The environment of every gateway a bench script starts: signed in to the simulator's demo
# account, its home in $work, and the log filter a user gets (`RUST_LOG` unset: the serving level,
# `taiji_core=info`), so that what logging costs per request is in the figures.
gateway_env=(env -u RUST_LOG HOME="$work" TAIJI_ACCOUNT=13800000000 TAIJI_PASSWORD=taiji-demo-pass
  TAIJI_CREDENTIAL_STORE=file)

gateway_launcher=()

start_gateway() {
  "${gateway_env[@]}" "${gateway_launcher[@]}" "$1" serve --port 0 --data-dir "${gateway_data:-$work/data}" \
    --api-base "$sim" --api-key "$2" "${@:3}" >"$work/gateway.out" 2>"$work/gateway.err" &
  gateway_pid=$!
  pids+=("$gateway_pid")
  for _ in $(seq 300); do grep -q "^listening on" "$work/gateway.out" && break; sleep 0.1; done
  gateway=$(sed -n 's/^listening on \(\S*\)$/\1/p' "$work/gateway.out")
}

start_relay() {
  "$1" relay --sim "$sim" >"$work/relay.out" 2>&1 &
  relay_pid=$!
  pids+=("$relay_pid")
  for _ in $(seq 100); do grep -q "^listening on" "$work/relay.out" && break; sleep 0.1; done
  relay=$(sed -n 's/^listening on \(\S*\)$/\1/p' "$work/relay.out")
}

start_hop() {
  hop_bin=$1
  hop_key=$2
  mkdir -p "$work/data"
  echo '{"pacing":{"enabled":false}}' >"$work/data/settings.json"
  if [[ ${TAIJI_STEPS_TARGET:-gateway} == relay ]]; then
    start_relay "$hop_bin/taiji-loadgen"
    hop=$relay
    hop_pid=$relay_pid
    through=(--relay "$relay" --targets relay)
  else
    start_gateway "$hop_bin/taiji-gateway" "$hop_key" --max-concurrent 64
    hop=$gateway
    hop_pid=$gateway_pid
    through=(--gateway "$gateway" --targets openai)
  fi
}

one_stream() {
  "$hop_bin/taiji-loadgen" ttft --sim "$sim" "${through[@]}" --key "$hop_key" --streams 1 \
    --requests "$1" --rounds 1 "${@:2}"
}
