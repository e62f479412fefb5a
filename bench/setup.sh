#!/usr/bin/env bash
# Installs what the side-by-side benchmarks (bench/run.py) need, skipping the
# packages already present: Brian2, PyTorch and NumPy for /usr/bin/python3, and
# OpenBLAS, which becomes the system BLAS for NumPy and PyTorch (Debian's
# default reference BLAS would make the references needlessly slow).
# Safe to run repeatedly; run as root or with sudo available.
set -euo pipefail

packages=(python3-brian python3-torch python3-numpy libopenblas0-pthread)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench-setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "bench-setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
