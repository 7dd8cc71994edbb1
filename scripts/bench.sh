#!/usr/bin/env bash
# The bench command: prints the figures behind BENCHMARKS.md. Installs and builds what is missing
# first (like scripts/test.sh), then runs, one after the other on an otherwise idle machine:
#   1. the embedded models: training, load, size, peak memory, scoring throughput (likely-ngram-bench);
#   2. the embedded models' evaluation table on the snippet, Hamlet and held-out general text;
#   3. the core's paired bootstrap and share-link codec (likely-core example `bench`);
#   4. the token view in headless Chromium: render and hover cost at 20k and 100k tokens × 3 models;
#   4b. a whole evaluation in headless Chromium against the same requests from a plain client (Hamlet's
#      paragraphs: 150, 1,410 and 5,000 snippets × 2 models);
#   5. `likely serve` under load (scripts/load.sh: wrk at 200 connections plus abandoned generations).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/env.sh"

bash scripts/install-tools.sh all
bash scripts/fetch-corpora.sh
bash scripts/build.sh

echo "== embedded models: cargo run --release -p likely-ngram --bin likely-ngram-bench"
cargo run --quiet --release -p likely-ngram --bin likely-ngram-bench
echo "== embedded models: cargo run --release -p likely-ngram --bin likely-ngram-eval"
cargo run --quiet --release -p likely-ngram --bin likely-ngram-eval
echo "== core: cargo run --release -p likely-core --example bench"
cargo run --quiet --release -p likely-core --example bench
echo "== token view: cargo bench -p likely-app --features e2e --bench token_view"
LIKELY_BIN="$root/target/release/likely" LIKELY_DIST="$root/dist" \
  cargo bench --quiet -p likely-app --features e2e --bench token_view
echo "== page run: cargo bench -p likely-app --features e2e --bench page_run"
LIKELY_BIN="$root/target/release/likely" LIKELY_DIST="$root/dist" \
  cargo bench --quiet -p likely-app --features e2e --bench page_run
echo "== load: bash scripts/load.sh (DURATION=${DURATION:-60})"
LIKELY_BIN="$root/target/release/likely" bash scripts/load.sh
