#!/usr/bin/env bash
# The run command: installs what is missing, builds, and serves Likely at http://127.0.0.1:8080.
# Arguments go to `likely serve`, e.g. `scripts/run.sh --port 9000` or `--config likely.toml`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-tools.sh build
bash scripts/fetch-corpora.sh
bash scripts/build.sh
exec target/release/likely serve --dist dist "$@"
