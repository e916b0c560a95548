#!/usr/bin/env bash
# Memory of the desktop app, shown and hidden (issue 12: "hidden costs as much as shown"). Starts the
# desktop binary under Xvfb and a private D-Bus session with a throwaway HOME, and prints the total
# resident memory of all the app's processes (the app and every descendant: WebKit's
# WebKitWebProcess and WebKitNetworkProcess, bubblewrap, xdg-dbus-proxy) in four states:
#   shown          the window as a normal launch opens it
#   closed         after the window was closed to the tray (WM_DELETE_WINDOW, as a window manager
#                  sends it for the close button)
#   reopened       after a second launch brought the window back
#   --hidden       a fresh launch as the start-at-login entry makes it
# RSS counts shared pages once per process, so the PSS column (proportional share) is the fairer
# total. A benchmark, not a test: it asserts nothing, and it is not part of scripts/test.sh.
#
#   bench/desktop_memory.sh [DESKTOP_BIN]     (default: target/release/taiji-desktop, else target/debug)
# Needs Xvfb, xdotool, dbus-run-session and python3 (to send the close request without a window
# manager). The Taiji site is an unreachable loopback port: nothing touches the network.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${TAIJI_BENCH_INNER:-} ]]; then
  bin=${1:-}
  if [[ -z $bin ]]; then
    bin=target/release/taiji-desktop
    [[ -x $bin ]] || bin=target/debug/taiji-desktop
  fi
  [[ -x $bin ]] || { echo "no desktop binary at $bin; build it with cargo build -p taiji-desktop" >&2; exit 1; }
  for tool in Xvfb xdotool dbus-run-session python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing; see scripts/lib.sh DESKTOP_PACKAGES" >&2; exit 1; }
  done
  work=$(mktemp -d)
  trap 'kill "$xvfb" 2>/dev/null || true; rm -rf "$work"' EXIT
  display=:$((90 + RANDOM % 800))
  Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  mkdir -p "$work/run" && chmod 700 "$work/run"
  # A private session bus: the single-instance plugin and the keychain talk to it, and it keeps
  # this app apart from any other instance on the machine.
  HOME=$work XDG_CONFIG_HOME=$work/.config XDG_DATA_HOME=$work/.local/share XDG_CACHE_HOME=$work/.cache \
    XDG_RUNTIME_DIR=$work/run DISPLAY=$display TAIJI_BENCH_INNER=1 TAIJI_BENCH_BIN=$(realpath "$bin") \
    TAIJI_API_BASE=http://127.0.0.1:9 RUST_LOG=warn \
    dbus-run-session -- "$0"
  exit
fi

bin=$TAIJI_BENCH_BIN
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# The app's process and all its descendants.
tree() {
  local all=" $1 " grew=1
  while ((grew)); do
    grew=0
    while read -r pid ppid; do
      if [[ $all == *" $ppid "* && $all != *" $pid "* ]]; then all+="$pid "; grew=1; fi
    done < <(ps -e -o pid=,ppid=)
  done
  echo "$all"
}

# Prints "<rss MiB> <pss MiB> <processes>" for the tree under $1.
measure() {
  local rss=0 pss=0 n=0 names=()
  for pid in $(tree "$1"); do
    [[ -r /proc/$pid/status ]] || continue
    local one
    one=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    rss=$((rss + one))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
    names+=("$(cat "/proc/$pid/comm" 2>/dev/null)=$((one / 1024))")
    n=$((n + 1))
  done
  printf '%6d %6d   %d: %s\n' $((rss / 1024)) $((pss / 1024)) "$n" "${names[*]}"
}

main_windows() { xdotool search --onlyvisible --name '^Taiji Gateway$' 2>/dev/null || true; }

# Asks every visible main window to close, as a window manager's close button does.
close_windows() {
  for id in $(main_windows); do
    python3 - "$id" <<'PY'
import ctypes, sys
x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(Event)]
x.XFlush.argtypes = [ctypes.c_void_p]
dpy = x.XOpenDisplay(None)
event = Event()
event.xclient.type = 33  # ClientMessage
event.xclient.window = int(sys.argv[1])
event.xclient.message_type = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
event.xclient.format = 32
event.xclient.data[0] = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
x.XSendEvent(dpy, int(sys.argv[1]), 0, 0, ctypes.byref(event))
x.XFlush(dpy)
PY
  done
}

wait_for_window() {
  for _ in $(seq 120); do [[ -n $(main_windows) ]] && return 0; sleep 0.5; done
  echo "(no window appeared)" >&2
}

settle=${TAIJI_BENCH_SETTLE:-8}
printf '%-10s %6s %6s   %s\n' state RSS PSS "processes: name=RSS (MiB)"

setsid "$bin" >/dev/null 2>&1 &
app=$!
pids+=("$app")
wait_for_window
sleep "$settle"
printf '%-10s %s\n' shown "$(measure "$app")"

close_windows
sleep "$settle"
kill -0 "$app" 2>/dev/null || { echo "the app exited when its window closed" >&2; exit 1; }
printf '%-10s %s  windows:%s\n' closed "$(measure "$app")" "$(main_windows | wc -l)"

# A second launch hands over to the first (single instance) and exits; the first opens its window.
"$bin" >/dev/null 2>&1 || true
wait_for_window
sleep "$settle"
printf '%-10s %s\n' reopened "$(measure "$app")"

cleanup
pids=()
sleep 1
setsid "$bin" --hidden >/dev/null 2>&1 &
app=$!
pids+=("$app")
sleep "$settle"
printf '%-10s %s  windows:%s\n' --hidden "$(measure "$app")" "$(main_windows | wc -l)"
