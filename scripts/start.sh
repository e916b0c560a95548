#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds and starts Taiji Gateway.
# With a display it starts the desktop app (tray + window); without one it says so plainly and starts
# the headless gateway instead. Extra arguments go to the headless `taiji-gateway serve`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_rust
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  ensure_debian_packages "${DESKTOP_PACKAGES[@]}"
  ensure_node_modules
  build_ui
  say "building and starting the desktop app (first build takes several minutes)"
  exec cargo run --locked --release -p taiji-desktop
else
  ensure_debian_packages "${HEADLESS_PACKAGES[@]}"
  say "no display found (DISPLAY/WAYLAND_DISPLAY unset): starting the headless gateway instead."
  say "for the desktop app, run this from a graphical session."
  exec cargo run --locked --release -p taiji-gateway -- serve "$@"
fi
