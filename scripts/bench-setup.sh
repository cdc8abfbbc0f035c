#!/usr/bin/env bash
# Peers for the benchmarks (never needed by the tests): Python's quantile-forest in .tools/bench-venv. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .tools/bench-venv/bin/python -c 'import quantile_forest' 2>/dev/null; then
  echo "bench-setup: installing quantile-forest into .tools/bench-venv"
  python3 -m venv .tools/bench-venv
  .tools/bench-venv/bin/pip install --quiet --disable-pip-version-check quantile-forest
fi
