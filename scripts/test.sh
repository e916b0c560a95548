#!/usr/bin/env bash
# Quick start, command 2: installs what is missing and runs every check and test of the project:
# formatting, clippy (all members, the desktop shell included) with warnings denied, all Rust tests,
# the UI typecheck and unit tests. Exits non-zero on the first failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$(date +%s)

ensure_rust
ensure_debian_packages "${DESKTOP_PACKAGES[@]}"
ensure_node_modules
build_ui

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (all members, all targets, -D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

say "cargo test (all members)"
cargo test --locked --workspace

say "UI typecheck and unit tests"
npm run --silent typecheck -w ui
npm run --silent test -w ui

say "all checks passed in $(( $(date +%s) - started )) s"
