#!/usr/bin/env bash
# Writes a `.br` (brotli, quality 11) and a `.gz` (gzip -9) beside each file of a built dashboard
# (default dist/): `likely serve` sends the one the browser accepts (Accept-Encoding), so the wasm
# crosses the network at about a third of its size without compressing anything per request.
# Debian's `brotli` is the reference encoder (scripts/install-tools.sh installs it); where it is
# missing only the `.gz` files are written, with a warning.
set -euo pipefail
dist="${1:-dist}"
log() { printf '[precompress] %s\n' "$*" >&2; }

[ -d "$dist" ] || { log "no such folder: $dist"; exit 1; }
# Compressed forms of files that no longer exist (an earlier build's hashed names) go first.
find "$dist" -type f \( -name '*.br' -o -name '*.gz' \) -delete
have_brotli=1
command -v brotli >/dev/null 2>&1 || { have_brotli=0; log "no brotli on PATH: writing .gz files only"; }
find "$dist" -type f ! -name '.*' -print0 | while IFS= read -r -d '' file; do
  gzip -9 --no-name --keep --force "$file"
  if [ "$have_brotli" = 1 ]; then
    brotli --quality=11 --keep --force "$file"
  fi
done
log "compressed $(find "$dist" -type f -name '*.gz' | wc -l) files of $dist"
