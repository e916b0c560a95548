#!/usr/bin/env bash
# Quick start, command 2: installs what is missing and runs every check and test of the project:
# formatting, clippy (all members, the desktop shell included) with warnings denied, all Rust tests,
# the UI typecheck and unit tests, and the end-to-end suite that drives the real `taiji-gateway` and
# `taiji-sim` binaries with the real clients (the official OpenAI and Anthropic SDKs, the Vercel AI
# SDK and the Claude Code CLI). Stops at the first failure and ends with one line counting every
# test that ran.
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
cargo test --locked --workspace 2>&1 | tee "$results/cargo.txt"

say "UI typecheck and unit tests"
npm run --silent typecheck -w ui
npm run --silent test -w ui 2>&1 | tee "$results/ui.txt"

if [ -d "$ROOT/tests/sdk" ]; then
  say "SDK end-to-end suite (openai, @anthropic-ai/sdk, the AI SDK and Claude Code against the real binaries)"
  cargo build --locked -p taiji-gateway -p taiji-sim
  TAIJI_GATEWAY_BIN="$ROOT/target/debug/taiji-gateway" TAIJI_SIM_BIN="$ROOT/target/debug/taiji-sim" \
    npm run --silent test -w tests/sdk 2>&1 | tee "$results/sdk.txt"
fi

# One closing line over every runner: cargo's "test result:" lines, vitest's "Tests" line and the
# Node test runner's "# pass"/"# fail" lines.
passed=0; failed=0; skipped=0
while read -r p f i; do passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + i)); done < <(
  sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed; \([0-9]*\) ignored.*/\1 \2 \3/p' "$results/cargo.txt")
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' "$results/ui.txt" | sed -n 's/^ *Tests *\([0-9]*\) passed.*/\1/p' | tail -1)
passed=$((passed + ${ui_passed:-0}))
if [ -f "$results/sdk.txt" ]; then
  passed=$((passed + $(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$results/sdk.txt" | tail -1)))
  failed=$((failed + $(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$results/sdk.txt" | tail -1)))
  skipped=$((skipped + $(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$results/sdk.txt" | tail -1)))
fi
say "all checks passed in $(( $(date +%s) - started )) s"
echo "total: $passed passed, $failed failed, $skipped skipped"
