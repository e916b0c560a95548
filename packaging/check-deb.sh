#!/usr/bin/env bash
# Proves that the desktop app's .deb installs and starts on a fresh Debian 12 (issue 12, "Packages").
# Makes a throwaway Debian 12 root with debootstrap (minbase), installs the .deb into it with apt (which
# must pull every library the app needs from the package's own Depends/Recommends), creates a user, and
# starts the installed /usr/bin/taiji-desktop from inside that root on a private Xvfb display, the way a
# user's session would:
#   1. `taiji-desktop --hidden` (the start-at-login entry): the gateway answers /health and no window
#      is mapped;
#   2. `taiji-desktop` in a Chinese locale: a window is mapped, the gateway answers, a CJK font is
#      installed (else Chinese shows as boxes), and a screenshot of the screen is saved to look at.
# Exits non-zero at the first check that fails. Downloads a Debian root (~200 MB, plus the app's
# dependencies), so scripts/test.sh does not run it.
#
#   sudo packaging/check-deb.sh [PATH.deb]   (default: the newest target/release/bundle/deb/*.deb,
#                                             made by `npm run tauri -- build --bundles deb`)
# Environment: TAIJI_DEB_ROOT (default /tmp/taiji-deb12root, deleted at the end unless TAIJI_DEB_KEEP=1),
# TAIJI_DEB_MIRROR (default: the Debian mirror this machine's apt sources use), TAIJI_DEB_SHOT (default
# target/deb-check/window.png). Needs root, debootstrap, Xvfb, xdotool, ImageMagick (import) and curl.
# The Taiji site is an unreachable loopback port: the app itself touches no network.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || fail "run as root (debootstrap, chroot and mounts need it)"
for tool in debootstrap chroot Xvfb xdotool import identify fc-list curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install debootstrap xvfb xdotool imagemagick fontconfig curl python3)"
done

deb=${1:-}
if [[ -z $deb ]]; then
  deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)
  [[ -n $deb ]] || fail "no .deb in target/release/bundle/deb/; build it with: npm run tauri -- build --bundles deb"
fi
[[ -f $deb ]] || fail "no such file: $deb"
deb=$(realpath "$deb")

root=${TAIJI_DEB_ROOT:-/tmp/taiji-deb12root}
shot=${TAIJI_DEB_SHOT:-target/deb-check/window.png}
mirror=${TAIJI_DEB_MIRROR:-}
if [[ -z $mirror ]]; then
  # The first Debian (not security) mirror of this machine's apt sources, deb822 or one-line style.
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -v security | head -1 || true)
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [[ -n $mirror ]] || mirror=http://deb.debian.org/debian
fi

mounts=()
xvfb=
app=
# Every process whose root directory is the throwaway root: the app, its WebKit helpers, D-Bus.
root_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/root" 2>/dev/null) == "$root" ]] && echo "${p#/proc/}"
  done
  return 0
}
stop_app() {
  if [[ -n $app ]]; then kill -- "-$app" 2>/dev/null || true; fi
  local pids
  pids=$(root_pids)
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    sleep 1
    pids=$(root_pids)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
  fi
  if [[ -n $app ]]; then wait "$app" 2>/dev/null || true; fi
  app=
}
cleanup() {
  set +e
  stop_app
  [[ -n $xvfb ]] && kill "$xvfb" 2>/dev/null
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -R "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}"; done
  if [[ -z ${TAIJI_DEB_KEEP:-} ]] && ! grep -q " $root/" /proc/mounts; then rm -rf "$root"; fi
}
trap cleanup EXIT

say "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Package Version Depends Recommends | sed 's/^/   /'

# A fresh root every run: anything left from an earlier run would hide a missing dependency.
if [[ -e $root ]]; then
  grep -q " $root/" /proc/mounts && fail "$root has mounts left from an earlier run; unmount them first"
  rm -rf "$root"
fi
say "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log" >&2; fail "debootstrap could not make a Debian 12 root from $mirror"; }
rm -f "$root.debootstrap.log"
# The suites an installed Debian 12 uses (updates and security too); security from this machine's
# security mirror when it has one.
security=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -E '^(URIs:|deb )' |
  grep -o 'http[^ ]*debian-security' | head -1 || true)
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"

mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounts+=("$root/sys")
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounts+=("$root/dev")
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix" && mounts+=("$root/tmp/.X11-unix")

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

say "apt-get install ./$(basename "$deb") in the fresh root"
cp "$deb" "$root/tmp/app.deb"
in_root apt-get update -q >/dev/null
in_root dpkg-query -W -f '${Package}\n' | sort >"$root/tmp/before"
in_root apt-get install -y -q /tmp/app.deb >"$root/tmp/install.log" 2>&1 ||
  { tail -30 "$root/tmp/install.log" >&2; fail "apt-get install of the .deb failed"; }
grep -E '^(Need to get|After this operation)' "$root/tmp/install.log" | sed 's/^/   /'
in_root dpkg-query -W -f '${Package}\n' | sort >"$root/tmp/after"
added=$(comm -13 "$root/tmp/before" "$root/tmp/after")
say "apt installed $(wc -l <<<"$added") packages with it: $(tr '\n' ' ' <<<"$added")"
pkg=$(dpkg-deb -f "$deb" Package)
[[ $(in_root dpkg-query -W -f '${db:Status-Status}' "$pkg") == installed ]] || fail "$pkg is not installed"
[[ -x $root/usr/bin/taiji-desktop ]] || fail "/usr/bin/taiji-desktop is missing from the package"
missing=$(in_root ldd /usr/bin/taiji-desktop | grep 'not found' || true)
[[ -z $missing ]] || fail "libraries the package does not pull in: $missing"

in_root apt-get clean

# What a desktop session has anyway and the package rightly does not depend on: a session bus, and
# for a Chinese user the zh_CN.UTF-8 locale (without it WebKit reports en-US and the UI is English).
say "session bus and zh_CN.UTF-8 locale for the check, as a Chinese user's login session has them"
in_root apt-get install -y -q --no-install-recommends dbus-bin dbus-daemon dbus-session-bus-common locales >/dev/null
grep -q '^zh_CN.UTF-8 UTF-8' "$root/etc/locale.gen" || echo 'zh_CN.UTF-8 UTF-8' >>"$root/etc/locale.gen"
in_root locale-gen >/dev/null
in_root apt-get clean

in_root useradd --create-home --shell /bin/bash taiji-user 2>/dev/null || true
uid=$(in_root id -u taiji-user)
gid=$(in_root id -g taiji-user)

display=140
while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$display ]] && break; sleep 0.2; done
[[ -e /tmp/.X11-unix/X$display ]] || fail "Xvfb :$display did not start"

# The default port (8760) when it is free on this machine; else a free one written to the settings
# file, as a user who changed the port would have it.
port=8760
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi

# Starts the installed app as taiji-user with a fresh HOME ($1) and the rest of the arguments.
launch() {
  local name=$1 home=/home/taiji-user/$1 lang=$2
  shift 2
  rm -rf "${root:?}$home"
  mkdir -p "$root$home/.local/share/cn.taiji.gateway" "$root/run/user/$uid"
  if [[ $port != 8760 ]]; then
    printf '{"listen":{"host":"127.0.0.1","port":%s}}' "$port" >"$root$home/.local/share/cn.taiji.gateway/settings.json"
  fi
  chown -R "$uid:$gid" "$root$home" "$root/run/user/$uid"
  chmod 700 "$root/run/user/$uid"
  setsid chroot --userspec="$uid:$gid" "$root" env -i PATH=/usr/bin:/bin HOME="$home" USER=taiji-user \
    LOGNAME=taiji-user DISPLAY=":$display" XDG_RUNTIME_DIR="/run/user/$uid" LANG="$lang" \
    TAIJI_API_BASE=http://127.0.0.1:1 dbus-run-session -- taiji-desktop "$@" >"$root/tmp/$name.log" 2>&1 &
  app=$!
}
serves() { curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; }
wait_serving() {
  for _ in $(seq 120); do
    serves && return 0
    kill -0 "$app" 2>/dev/null || { tail -20 "$root/tmp/$1.log" >&2; fail "the app exited ($1)"; }
    sleep 0.5
  done
  tail -20 "$root/tmp/$1.log" >&2
  fail "the gateway did not answer http://127.0.0.1:$port/health ($1)"
}
windows() { DISPLAY=":$display" xdotool search --onlyvisible --name '^Taiji Gateway$' 2>/dev/null || true; }

say "start hidden: dbus-run-session -- taiji-desktop --hidden (fresh HOME)"
launch hidden C.UTF-8 --hidden
wait_serving hidden
say "   gateway serves: http://127.0.0.1:$port/health -> $(curl -fsS "http://127.0.0.1:$port/health")"
sleep 5
[[ -z $(windows) ]] || fail "a --hidden launch mapped a window"
kill -0 "$app" 2>/dev/null || fail "the hidden app exited"
say "   no window mapped after 5 s, still running"
stop_app
serves && fail "the gateway still answers after the app was stopped"

say "start shown in Chinese: LANG=zh_CN.UTF-8 dbus-run-session -- taiji-desktop (fresh HOME)"
# The root's own font configuration, read by this machine's fc-list (the root has no fontconfig tools).
fonts=$(FONTCONFIG_SYSROOT=$root fc-list :lang=zh family 2>/dev/null || true)
[[ -n $fonts ]] || fail "no Chinese font installed with the package: the Chinese UI would show boxes"
say "   Chinese fonts: $(head -1 <<<"$fonts")"
launch shown zh_CN.UTF-8
wait_serving shown
for _ in $(seq 120); do [[ -n $(windows) ]] && break; sleep 0.5; done
[[ -n $(windows) ]] || fail "no window was mapped"
# Give the web view time to load and render the UI before the picture.
sleep "${TAIJI_DEB_SETTLE:-8}"
mkdir -p "$(dirname "$shot")"
DISPLAY=":$display" import -window root "$shot"
spread=$(identify -format '%[fx:standard_deviation]' "$shot")
python3 -c "import sys; sys.exit(0 if float('$spread') > 0.02 else 1)" || fail "the screenshot is blank ($shot)"
say "   window mapped; screenshot: $shot (look at it: the UI, in Chinese, no boxes)"
stop_app

say "OK: the .deb installs on a fresh Debian 12 and the app starts hidden and shown"
