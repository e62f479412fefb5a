#!/usr/bin/env bash
# Installs what the side-by-side benchmarks (bench/run.py) need, skipping the
# packages already present: Brian2, PyTorch and NumPy for /usr/bin/python3, and
# OpenBLAS, which becomes the system BLAS for NumPy and PyTorch (Debian's
# default reference BLAS would make the references needlessly slow), and
# matplotlib for examples/analysis.py.
set -euo pipefail
exec "$(dirname "$0")/../scripts/setup.sh" \
  python3-brian python3-torch python3-numpy libopenblas0-pthread \
  python3-matplotlib
