# lit configuration of Hebb's FileCheck tests.
import os

import lit.formats

config.name = "Hebb"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".hebb", ".mlir"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hebb_obj_root, "tests", "lit")

config.environment["PATH"] = os.pathsep.join(
    [config.hebb_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)
config.environment["HEBB_PATH"] = ""
# Compiled networks are cached in the build tree, not the user's home.
config.environment["HEBB_CACHE_DIR"] = os.path.join(config.test_exec_root, "kernel-cache")
# AddressSanitizer reserves terabytes of address space: no `ulimit -v`.
if getattr(config, "hebb_sanitize", False):
    config.available_features.add("asan")
config.substitutions.append(("%stdlib", os.path.join(config.hebb_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.hebb_src_root, "examples")))
config.substitutions.append(("%hebb", os.path.join(config.hebb_tools_dir, "hebb")))
# MLIR's C runner utilities (printF64, ...) for tests run with mlir-runner.
config.substitutions.append(("%mlir_c_runner_utils", os.path.join(
    os.path.dirname(config.llvm_tools_dir), "lib", "libmlir_c_runner_utils.so")))
# A PATH of Hebb's and LLVM's tools alone (no CUDA toolkit on it).
config.substitutions.append(("%toolpath", os.pathsep.join([config.hebb_tools_dir, config.llvm_tools_dir])))
# NVIDIA's ptxas, where a CUDA toolkit is installed: hebbc --emit=cubin.
import shutil

cuda_roots = [os.environ.get(v) for v in ("CUDA_ROOT", "CUDA_HOME", "CUDA_PATH")] + ["/usr/local/cuda"]
if shutil.which("ptxas") or any(r and os.access(os.path.join(r, "bin", "ptxas"), os.X_OK) for r in cuda_roots):
    config.available_features.add("ptxas")
    ptxas_root = next((r for r in cuda_roots if r and os.access(os.path.join(r, "bin", "ptxas"), os.X_OK)), "")
    config.substitutions.append(("%cudaroot", ptxas_root))
# A stand-in for NVIDIA's driver (tests/unit/runtime/FakeCuda.c).
config.substitutions.append(("%fakecuda", os.path.join(config.hebb_obj_root, "lib", "libhebb_fake_cuda.so")))

# examples/analysis.py needs Debian's NumPy and matplotlib (bench/setup.sh
# installs them); Hebb itself does not, so its test runs only where they are.
import subprocess

try:
    subprocess.run(["/usr/bin/python3", "-c", "import numpy, matplotlib"],
                   check=True, capture_output=True, timeout=60)
    config.available_features.add("matplotlib")
except (OSError, subprocess.SubprocessError):
    pass
