#!/usr/bin/env bash
# The GPU check of issue 10, in one command, on a machine with an NVIDIA GPU
# and its driver (run from the checkout; builds first if build/ is missing):
#   scripts/gpu-check.sh [OUT_DIR]
# 1. the GPU's name, driver and compute capability (nvidia-smi);
# 2. the lit tests of tests/lit/gpu (PTX, atomics, diagnostics);
# 3. for each example and benchmark network: its PTX JIT-loaded onto the
#    GPU by `hebb run --target=cuda` (every kernel looked up), and, once
#    hebb runs networks on the GPU, the run itself against the same run on
#    the CPU: each population's rate within 2%, spike counts and weights.
# Prints a table and writes OUT_DIR/gpu-check.md (default out/gpu-check).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/gpu-check}
mkdir -p "$out"
report="$out/gpu-check.md"
[ -x build/bin/hebb ] || make build
hebb=build/bin/hebb

{
  echo "# GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo '```'
  nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total \
    --format=csv 2>&1 || echo "nvidia-smi: not found"
  echo '```'
  echo
  echo "## lit tests of tests/lit/gpu"
  echo '```'
  /usr/lib/llvm-22/bin/lit -v build/tests/lit --filter gpu 2>&1 | tail -15
  echo '```'
  echo
  echo "## Networks on the GPU"
  echo
  echo "| network | kernels load | GPU run | CPU rate Hz | GPU rate Hz | difference |"
  echo "| --- | --- | --- | ---: | ---: | ---: |"
} > "$report"

# A dense 4096 x 4096 Oja layer on 64 random inputs (as bench/run.py's).
oja="$out/oja4096.hebb"
/usr/bin/python3 -c "import numpy as np; np.save('$out/oja4096_x.npy', np.random.default_rng(0).standard_normal((64, 4096)).astype(np.float32))" 2>/dev/null
cat > "$oja" <<HEBB
import "neurons/rate.hebb"
import "synapses/oja.hebb"
network oja4096(dt = 1 ms, seed = 1) {
  population x[4096]: Stream(file = "oja4096_x.npy", every = 1 ms)
  population y[4096]: Linear
  projection syn: x -> y : Oja(eta = 7.3e-6) {
    connect all
    init w = normal(0, 0.0156)
  }
  record syn.w every 100 ms
  run 200 ms
}
HEBB

# name|file|--set arguments
networks=(
  "song2000|examples/song2000.hebb|"
  "coba|examples/coba.hebb|"
  "oja_pca|examples/oja_pca.hebb|"
  "contrastive_hebbian|examples/contrastive_hebbian.hebb|"
  "potjans2014 (0.1)|examples/potjans2014.hebb|--set scale=0.1 --set T=200ms"
  "coba 4000|bench/coba_scaled.hebb|--set N=4000 --set seed=16"
  "coba 64000|bench/coba_scaled.hebb|--set N=64000 --set seed=16"
  "coba 256000|bench/coba_scaled.hebb|--set N=256000 --set seed=16"
  "oja 4096x4096|$oja|"
)
for entry in "${networks[@]}"; do
  IFS='|' read -r name file sets <<< "$entry"
  dir="$out/$(echo "$name" | tr ' ()' '___')"
  # shellcheck disable=SC2086
  gpu=$($hebb run "$file" $sets --target=cuda --quiet --out "$dir/gpu" 2>&1)
  status=$?
  loads=no
  echo "$gpu" | grep -q "load on\|simulated" && loads=yes
  if [ $status -ne 0 ]; then
    echo "| $name | $loads | not run: $(echo "$gpu" | tail -1) | | | |" >> "$report"
    continue
  fi
  # shellcheck disable=SC2086
  $hebb run "$file" $sets --quiet --out "$dir/cpu" > /dev/null 2>&1
  /usr/bin/python3 - "$name" "$dir" >> "$report" <<'PY'
import json, sys
name, d = sys.argv[1], sys.argv[2]
# Mean rate over every population's neurons (spikes per neuron and second).
def rate(run):
    info = json.load(open(f"{d}/{run}/run.json"))
    pops = info["populations"]
    neurons = sum(p["size"] for p in pops)
    return sum(p.get("spikes", 0) for p in pops) / neurons / info["simulated_s"]
rc, rg = rate("cpu"), rate("gpu")
diff = abs(rg - rc) / rc if rc else abs(rg - rc)
print(f"| {name} | yes | ran | {rc:.3f} | {rg:.3f} | "
      f"{100 * diff:.2f}%{'' if diff <= 0.02 else ' (over 2%)'} |")
PY
done
cat "$report"
