#!/usr/bin/env bash
# Installs the Debian packages Hebb needs to build and test (or the packages
# named on the command line), skipping those already present. Safe to run
# repeatedly; run as root or with sudo available.
set -euo pipefail

packages=(
  # LLVM/MLIR 22: libraries, tools (FileCheck, lit), clang and lld for fast builds
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld
  # ANTLR4: the tool generates the parser at build time; the C++ runtime links it
  antlr4 libantlr4-runtime-dev
  # build tools and libraries
  cmake ninja-build ccache g++ libgtest-dev libedit-dev
  # JSON for network descriptions embedded in object files (hebbc -c)
  nlohmann-json3-dev pkg-config
  # CRC-32 of checkpoints; singular values of the effective_rank monitor;
  # radix sorts of connectivity rows (Boost.Sort)
  zlib1g-dev libeigen3-dev libboost-dev
  # the REPL test drives a real terminal
  tmux
  # figures (hebb run --plot): cairo draws them, with DejaVu fonts
  libcairo2-dev fonts-dejavu-core
  # ASan/UBSan and libFuzzer runtimes for make test-asan and make fuzz
  libclang-rt-22-dev
)
if [ $# -gt 0 ]; then packages=("$@"); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
