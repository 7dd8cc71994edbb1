#!/usr/bin/env bash
# Sourced by the other scripts: where Likely's tools live and the PATH that finds them.
# LIKELY_TOOLS_DIR (default ~/.local/share/likely-tools) holds npm's wasm-opt; cargo's tools are in
# ~/.cargo/bin.
export LIKELY_TOOLS_DIR="${LIKELY_TOOLS_DIR:-$HOME/.local/share/likely-tools}"
export PATH="$HOME/.cargo/bin:$LIKELY_TOOLS_DIR/npm/node_modules/.bin:$PATH"
# The Python tools the dialect tests run (lm-eval, openai): a virtual environment made by
# scripts/install-python-tools.sh.
export LIKELY_PYTHON_TOOLS="${LIKELY_PYTHON_TOOLS:-$LIKELY_TOOLS_DIR/python}"
