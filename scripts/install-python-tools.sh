#!/usr/bin/env bash
# Installs the Python tools the dialect tests run for real, in their own virtual environment outside
# the checkout: lm-evaluation-harness (`lm-eval[api]`: its API models' extras, no torch) and OpenAI's
# Python SDK (`openai`), both pinned. The environment lives in $LIKELY_TOOLS_DIR/python (env.sh); a
# machine that already has both at these versions pays well under a second.
# Usage: bash scripts/install-python-tools.sh   (prints the environment's folder on standard output)
set -euo pipefail

LM_EVAL_VERSION="0.4.13"
OPENAI_VERSION="3.63.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"

log() { printf '[install-python-tools] %s\n' "$*" >&2; }

venv="$LIKELY_PYTHON_TOOLS"
python="$venv/bin/python"

installed() { # installed PACKAGE VERSION: the environment has exactly that version
  "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null
}

if [ -x "$python" ] && installed lm-eval "$LM_EVAL_VERSION" && installed openai "$OPENAI_VERSION" &&
  "$python" -c "import tenacity, tiktoken" 2>/dev/null; then
  echo "$venv"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  log "python3 is missing: install it (e.g. apt-get install -y python3 python3-venv)"
  exit 1
fi
if [ ! -x "$python" ]; then
  log "creating the virtual environment $venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
fi
log "installing lm-eval $LM_EVAL_VERSION and openai $OPENAI_VERSION (a few minutes the first time)"
"$python" -m pip install --quiet --disable-pip-version-check \
  "lm-eval[api]==$LM_EVAL_VERSION" "openai==$OPENAI_VERSION" >&2
echo "$venv"
