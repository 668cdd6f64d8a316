#!/bin/sh
# Regenerates the committed icons in assets/ from the SVG artwork (run once after changing it).
# Needs Debian's librsvg2-bin (rsvg-convert), imagemagick (ICO) and icnsutils (png2icns).
set -eu
cd "$(dirname "$0")/../assets"
mkdir -p icons
for size in 16 24 32 48 64 128 256 512 1024; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/${size}x${size}.png"
done
cp icons/512x512.png icon.png
rsvg-convert -w 16 -h 16 tray.svg -o tray.png
rsvg-convert -w 32 -h 32 tray.svg -o tray@2x.png
rsvg-convert -w 16 -h 16 trayTemplate.svg -o trayTemplate.png
rsvg-convert -w 32 -h 32 trayTemplate.svg -o trayTemplate@2x.png
convert-im6.q16 icons/16x16.png icons/24x24.png icons/32x32.png icons/48x48.png icons/64x64.png \
  icons/128x128.png icons/256x256.png icon.ico 2>/dev/null || convert icons/16x16.png icons/24x24.png \
  icons/32x32.png icons/48x48.png icons/64x64.png icons/128x128.png icons/256x256.png icon.ico
png2icns icon.icns icons/16x16.png icons/32x32.png icons/48x48.png icons/128x128.png \
  icons/256x256.png icons/512x512.png icons/1024x1024.png >/dev/null
