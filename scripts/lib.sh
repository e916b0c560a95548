#!/usr/bin/env bash
# Shared helpers for the project's scripts: logging, privilege escalation and the idempotent
# installation of everything the project needs on a fresh Debian 12 machine that has only the Rust
# toolchain and Node.js. Sourced, never executed directly.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else die "need root (or sudo) to run: $*"; fi
}

# Debian packages every build needs: a C compiler for the bundled SQLite, and libdbus for the OS
# keychain (the `keyring` crate talks to the Secret Service over D-Bus).
HEADLESS_PACKAGES=(build-essential pkg-config libdbus-1-dev)

# Debian packages the desktop shell (Tauri 2 on WebKitGTK 4.1) and the desktop end-to-end tests need.
DESKTOP_PACKAGES=(
  "${HEADLESS_PACKAGES[@]}" libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev libxdo-dev
  xvfb xdotool x11-apps imagemagick trayer
  # The desktop end-to-end suite (tests/desktop): WebKitGTK's WebDriver, a private session bus, curl.
  webkit2gtk-driver dbus-daemon curl
  # The UI is Chinese for most users; without a CJK font a fresh Debian shows empty boxes.
  fonts-noto-cjk
)

# Installs the Debian packages that are missing, once; a no-op when all are present.
ensure_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian system; skipping system packages"; return 0; }
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs the npm workspaces (UI and test suites) exactly as pinned by package-lock.json, skipping
# the work when the lock file has not changed since the last install.
ensure_node_modules() {
  command -v npm >/dev/null 2>&1 || die "Node.js and npm are required (https://nodejs.org)"
  local stamp="$ROOT/node_modules/.package-lock.sha"
  local want; want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  say "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

# Builds the UI into ui/dist, which the desktop shell embeds at compile time.
build_ui() {
  say "building the UI"
  (cd "$ROOT" && npm run --silent build -w ui)
}

# tauri-driver, the WebDriver front of the desktop end-to-end suite, pinned and installed into the
# project's own target/tools (not ~/.cargo/bin); skipped when that version is already there.
TAURI_DRIVER_VERSION=2.1.0
TAURI_DRIVER_ROOT="$ROOT/target/tools"
ensure_tauri_driver() {
  if [ -x "$TAURI_DRIVER_ROOT/bin/tauri-driver" ] &&
    grep -q "\"tauri-driver $TAURI_DRIVER_VERSION " "$TAURI_DRIVER_ROOT/.crates.toml" 2>/dev/null; then
    return 0
  fi
  say "installing tauri-driver $TAURI_DRIVER_VERSION into target/tools"
  CARGO_TARGET_DIR="$ROOT/target/tools/build" cargo install --locked --quiet tauri-driver \
    --version "$TAURI_DRIVER_VERSION" --root "$TAURI_DRIVER_ROOT"
  rm -rf "$ROOT/target/tools/build"
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 || die "the Rust toolchain is required (https://rustup.rs)"
}
