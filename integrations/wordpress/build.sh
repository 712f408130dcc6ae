#!/usr/bin/env bash
# Builds the installable plugin from the sources: OUT/hakam/ (a copy of hakam/ with every
# languages/*.po compiled to .mo, which is what WordPress loads) and OUT/hakam.zip for
# Plugins → Add New → Upload. The repository keeps only the .po sources: .mo files are build
# output. Needs msgfmt (Debian package gettext).   Usage: build.sh [OUT]   (default: ./build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/build}"
command -v msgfmt >/dev/null || { echo "build.sh: msgfmt not found; apt-get install gettext" >&2; exit 1; }
rm -rf "$out/hakam" "$out/hakam.zip"
mkdir -p "$out"
cp -R "$here/hakam" "$out/hakam"
for po in "$out"/hakam/languages/*.po; do
    msgfmt --check -o "${po%.po}.mo" "$po"
done
(cd "$out" && python3 -m zipfile -c hakam.zip hakam/)
echo "$out/hakam.zip"
