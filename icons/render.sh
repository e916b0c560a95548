#!/usr/bin/env sh
# Renders the committed PNGs from the SVG sources in icons/src/.
# Needs rsvg-convert (Debian: librsvg2-bin) and, for the platform set, the Tauri CLI from the root package.json.
set -eu
cd "$(dirname "$0")"

rsvg-convert -w 1024 -h 1024 src/app-icon.svg -o app-icon.png
for state in running stopped needs-login error; do
  rsvg-convert -w 32 -h 32 "src/tray-$state.svg" -o "tray/$state-32.png"
  rsvg-convert -w 64 -h 64 "src/tray-$state.svg" -o "tray/$state-64.png"
done

# The platform set (PNG sizes, .ico, .icns) that tauri.conf.json's bundle.icon points at.
npx tauri icon app-icon.png -o app

# We ship desktop bundles only: drop the mobile and Windows Store variants the CLI also writes.
rm -rf app/android app/ios app/Square*Logo.png app/StoreLogo.png
