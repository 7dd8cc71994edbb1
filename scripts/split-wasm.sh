#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): splits the page's wasm so that a visit downloads only the code
# it runs. The evaluation page (the first visit's) stays in the main module; the other pages, the
# evaluation page's charts and recorder, and the reading of links are split points (`wasm_split`,
# `src/lazy.rs`), and `wasm-split-cli` moves the code only such a point reaches into a piece of wasm
# of its own, downloaded when it is first called.
#
# Trunk has already built the wasm (linked with --emit-relocs, build.rs), run wasm-bindgen on it and
# written index.html; this hook splits cargo's wasm again from the start, runs wasm-bindgen on the
# main module (keeping the exports the pieces import) and, in release builds, wasm-opt on every module
# (Trunk's own wasm-opt is off, index.html), then puts the results in Trunk's staging folder, every
# file under a name made from its content (cached for a year by `likely serve`), and index.html's
# names and integrity hashes to match.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/env.sh"
log() { printf '[split-wasm] %s\n' "$*" >&2; }

staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
# The cargo profile of each Trunk mode (index.html: data-cargo-profile-release).
case "${TRUNK_PROFILE:-debug}" in
  release) profile=wasm-release ;;
  *) profile=debug ;;
esac
target_dir="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps --offline \
  --manifest-path "$root/Cargo.toml" | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}"
input="$target_dir/wasm32-unknown-unknown/$profile/likely-app.wasm"
[ -f "$input" ] || { log "no wasm at $input"; exit 1; }
js_files=("$staging"/likely-app-*.js)
[ "${#js_files[@]}" = 1 ] || { log "expected one likely-app-*.js in $staging"; exit 1; }
stem="$(basename "${js_files[0]}" .js)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/split" "$work/out"
wasm-split-cli --out-name "$stem" "$input" "$work/split" >&2
wasm-bindgen --target=web --keep-debug --no-typescript --keep-lld-exports \
  --out-dir="$work/out" --out-name="$stem" "$work/split/$stem.wasm"
mv "$work/split/__wasm_split.js" "$work/out/"
for piece in "$work"/split/*.wasm; do
  [ "$piece" = "$work/split/$stem.wasm" ] || mv "$piece" "$work/out/"
done

python3 "$root/scripts/wasm-segment-names.py" "$work"/out/*.wasm
# The modules with their names, for scripts/wasm-parts.py.
named="$target_dir/wasm-split/$profile"
rm -rf "$named" && mkdir -p "$named"
for wasm in "$work"/out/*.wasm; do
  name="$(basename "$wasm")"
  [ "$name" = "${stem}_bg.wasm" ] && name=main.wasm
  cp "$wasm" "$named/$name"
done

# wasm-opt -Os rather than -Oz: larger raw but smaller in brotli, as it crosses the network.
# --low-memory-unused: the linker puts the stack first (addresses 0 to 1 MB, data above), so the low
# 1 KB is never a valid address and wasm-opt may fold constant offsets into loads and stores.
# Functions ordered by name (wasm-bindgen kept the names for this only; wasm-opt drops them).
# BENCHMARKS.md, "Bundle", has the figures; scripts/wasm-parts.py reads these flags.
WASM_OPT_FLAGS=(-Os --low-memory-unused --reorder-functions-by-name --reorder-locals)
if [ "$profile" != debug ]; then
  for wasm in "$work"/out/*.wasm; do
    if ! wasm-opt "${WASM_OPT_FLAGS[@]}" "$wasm" -o "$wasm.opt" 2>"$work/wasm-opt.err"; then
      grep -v '^warning' "$work/wasm-opt.err" | cut -c1-300 | tail -5 >&2
      log "wasm-opt failed on $(basename "$wasm")"
      exit 1
    fi
    mv "$wasm.opt" "$wasm"
  done
fi

hash16() { cat "$@" | sha256sum | cut -c1-16; }
# Every file under a name made from its content, as Trunk names its own (the server caches such
# names for a year): the pieces first, then the main module, its JS glue and the pieces' loader
# under one hash of the three (the glue imports the loader, the loader imports the glue).
for piece in "$work"/out/*.wasm; do
  name="$(basename "$piece" .wasm)"
  [ "$name" = "${stem}_bg" ] && continue
  hashed="$name-$(hash16 "$piece")"
  mv "$piece" "$work/out/$hashed.wasm"
  sed -i "s|\"\./$name\.wasm\"|\"./$hashed.wasm\"|" "$work/out/__wasm_split.js"
done
hash="$(hash16 "$work/out/${stem}_bg.wasm" "$work/out/$stem.js" "$work/out/__wasm_split.js")"
main="likely-app-$hash"
loader="__wasm_split-$hash"
grep -q "from \"\./$stem\.js\"" "$work/out/__wasm_split.js" ||
  { log "the loader does not import $stem.js"; exit 1; }
sed "s|\"\./$stem\.js\"|\"./$main.js\"|" "$work/out/__wasm_split.js" >"$work/out/$loader.js"
# The glue's import of the loader (only the JS imports: the wasm's import object keeps the module
# name it was linked with) and its own wasm's name.
grep -q '^import .* from "\./__wasm_split\.js"' "$work/out/$stem.js" ||
  { log "the main module does not import __wasm_split.js"; exit 1; }
sed -E "s|^(import .* from \")\./__wasm_split\.js\"|\1./$loader.js\"|; s|${stem}_bg\.wasm|${main}_bg.wasm|g" \
  "$work/out/$stem.js" >"$work/out/$main.js"
mv "$work/out/${stem}_bg.wasm" "$work/out/${main}_bg.wasm"
rm "$work/out/__wasm_split.js" "$work/out/$stem.js"

rm -f "$staging"/__wasm_split-*.js "$staging"/split_*.wasm "$staging"/chunk_*.wasm \
  "$staging/$stem.js" "$staging/${stem}_bg.wasm"
cp "$work"/out/*.js "$work"/out/*.wasm "$staging/"

# index.html: the new names and their integrity hashes, and the loader preloaded beside the glue.
python3 - "$staging" "$stem" "$main" "$loader" <<'PY'
import base64, hashlib, pathlib, re, sys

staging, stem, main, loader = pathlib.Path(sys.argv[1]), *sys.argv[2:5]

def sri(name):
    return "sha384-" + base64.b64encode(hashlib.sha384((staging / name).read_bytes()).digest()).decode()

html = (staging / "index.html").read_text().replace(f"/{stem}.js", f"/{main}.js")
html = html.replace(f"/{stem}_bg.wasm", f"/{main}_bg.wasm")
for name in (f"{main}.js", f"{main}_bg.wasm"):
    html, count = re.subn(rf'(href="/{re.escape(name)}"[^>]*integrity=")[^"]*"',
                          lambda m: m.group(1) + sri(name) + '"', html)
    if count != 1:
        sys.exit(f"index.html: no integrity attribute for {name}")
preload = f'<link rel="modulepreload" href="/{loader}.js" crossorigin="anonymous" integrity="{sri(loader + ".js")}">'
html = html.replace("</head>", preload + "</head>", 1)
(staging / "index.html").write_text(html)
PY
log "split into $(ls "$work"/out/*.wasm | wc -l) wasm modules"
