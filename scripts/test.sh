#!/usr/bin/env bash
# Quick start, command 2: installs what is missing and runs every check and test of the project:
# formatting, clippy (all members, the desktop shell included) with warnings denied, all Rust tests,
# the UI typecheck, lint and unit tests, and the end-to-end suite that drives the real `taiji-gateway` and
# `taiji-sim` binaries with the real clients (the official OpenAI and Anthropic SDKs, the Vercel AI
# SDK and the Claude Code CLI), and the desktop end-to-end suite (the app's window through WebDriver,
# its tray through xdotool, under Xvfb). Stops at the first failure and ends with one line counting
# every test that ran.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$(date +%s)
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

ensure_rust
ensure_debian_packages "${DESKTOP_PACKAGES[@]}"
ensure_node_modules
build_ui

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (all members, all targets, -D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

say "cargo test (all members)"
# Includes the module-graph check: crates/taiji-core/tests/it/module_graph.rs fails on any cycle
# between the top-level modules of taiji-core, taiji-gateway, taiji-sim and the desktop shell.
cargo test --locked --workspace 2>&1 | tee "$results/cargo.txt"

say "UI typecheck, lint (ESLint: typescript-eslint, rules of hooks, no literal strings outside the catalogs) and unit tests"
npm run --silent typecheck -w ui
npm run --silent lint -w ui
npm run --silent test -w ui 2>&1 | tee "$results/ui.txt"

if [ -d "$ROOT/tests/sdk" ]; then
  say "SDK end-to-end suite (openai, @anthropic-ai/sdk, the AI SDK and Claude Code against the real binaries)"
  cargo build --locked -p taiji-gateway -p taiji-sim
  TAIJI_GATEWAY_BIN="$ROOT/target/debug/taiji-gateway" TAIJI_SIM_BIN="$ROOT/target/debug/taiji-sim" \
    npm run --silent test -w tests/sdk 2>&1 | tee "$results/sdk.txt"
fi

if [ -d "$ROOT/tests/desktop" ]; then
  say "desktop end-to-end suite (the app's window through WebDriver and its tray through xdotool, under Xvfb)"
  ensure_tauri_driver
  cargo build --locked -p taiji-desktop -p taiji-sim
  # Screenshots and the processes' logs stay in target/e2e-artifacts/ after the run (emptied first).
  rm -rf "$ROOT/target/e2e-artifacts"
  TAIJI_DESKTOP_BIN="$ROOT/target/debug/taiji-desktop" TAIJI_SIM_BIN="$ROOT/target/debug/taiji-sim" \
    TAURI_DRIVER_BIN="$TAURI_DRIVER_ROOT/bin/tauri-driver" \
    npm run --silent test -w tests/desktop 2>&1 | tee "$results/desktop.txt"
fi

say "service packaging (systemd unit, container image)"
# Counted in the closing line: each check passes or is skipped (said why), never faked.
service_passed=0; service_skipped=0
if command -v systemd-analyze >/dev/null 2>&1; then
  cargo build --locked -p taiji-gateway
  unit_dir="$results/unit"; mkdir -p "$unit_dir"
  # Verify against the built binary: the unit's /usr/local/bin path exists only once installed.
  sed "s|/usr/local/bin/taiji-gateway|$ROOT/target/debug/taiji-gateway|" \
    packaging/systemd/taiji-gateway.service >"$unit_dir/taiji-gateway.service"
  systemd-analyze verify "$unit_dir/taiji-gateway.service"
  echo "systemd unit verified"; service_passed=$((service_passed + 1))
else
  echo "systemd unit check skipped: systemd-analyze is not installed"; service_skipped=$((service_skipped + 1))
fi
engine=""
for candidate in docker podman; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" info >/dev/null 2>&1; then engine=$candidate; break; fi
done
if [ -n "$engine" ]; then
  "$engine" build -t taiji-gateway:test .
  user=$("$engine" image inspect -f '{{.Config.User}}' taiji-gateway:test)
  health=$("$engine" image inspect -f '{{json .Config.Healthcheck}}' taiji-gateway:test)
  [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || { echo "the image runs as root"; exit 1; }
  case "$health" in *"/health"*) ;; *) echo "the image has no health check on /health"; exit 1 ;; esac
  "$engine" run --rm taiji-gateway:test --version
  echo "container image built and checked with $engine"; service_passed=$((service_passed + 1))
else
  echo "container image check skipped: no running container engine (docker or podman)"
  service_skipped=$((service_skipped + 1))
fi

# One closing line over every runner: cargo's "test result:" lines, vitest's "Tests" line and the
# Node test runner's "# pass"/"# fail" lines.
passed=0; failed=0; skipped=0
while read -r p f i; do passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + i)); done < <(
  sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed; \([0-9]*\) ignored.*/\1 \2 \3/p' "$results/cargo.txt")
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' "$results/ui.txt" | sed -n 's/^ *Tests *\([0-9]*\) passed.*/\1/p' | tail -1)
passed=$((passed + ${ui_passed:-0}))
for suite in sdk desktop; do
  [ -f "$results/$suite.txt" ] || continue
  passed=$((passed + $(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$results/$suite.txt" | tail -1)))
  failed=$((failed + $(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$results/$suite.txt" | tail -1)))
  skipped=$((skipped + $(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$results/$suite.txt" | tail -1)))
done
passed=$((passed + service_passed)); skipped=$((skipped + service_skipped))
say "all checks passed in $(( $(date +%s) - started )) s"
echo "total: $passed passed, $failed failed, $skipped skipped"
