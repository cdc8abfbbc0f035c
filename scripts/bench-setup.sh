#!/usr/bin/env bash
# Peers for the benchmarks (never needed by the tests), in .tools/bench-venv: Python's quantile-forest (bench:qrf),
# PyTorch (bench:screen) and RDKit (bench:featurize). Idempotent.
# Plain `pip install torch` from PyPI pulls the CUDA build and its nvidia-*/triton wheels (about 5 GB installed);
# the benchmark only uses its CPU path.
set -euo pipefail
cd "$(dirname "$0")/.."
peer() { # peer MODULE PACKAGE
  if ! .tools/bench-venv/bin/python -c "import $1" 2>/dev/null; then
    echo "bench-setup: installing $2 into .tools/bench-venv"
    [ -x .tools/bench-venv/bin/python ] || python3 -m venv .tools/bench-venv
    .tools/bench-venv/bin/pip install --quiet --disable-pip-version-check "$2"
  fi
}
peer quantile_forest quantile-forest
peer torch torch
peer rdkit rdkit
