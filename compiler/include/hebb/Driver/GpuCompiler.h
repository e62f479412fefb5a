//===- GpuCompiler.h - The network's kernels for NVIDIA GPUs ----*- C++ -*-===//
//
// `--target=cuda`: the loop-level kernels as GPU kernels (MLIR's gpu
// dialect), lowered through NVVM to PTX. Needs no CUDA toolkit: only f64
// functions that CUDA's libdevice provides (exp, log, ... in f64) need one
// at compile time.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_GPUCOMPILER_H
#define HEBB_DRIVER_GPUCOMPILER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hebb {

class DiagnosticEngine;
class Sema;
struct NetworkPlan;

/// Whether `target` (the tools' --target) is one kernels compile for, cpu
/// or cuda; if not, says so.
bool checkKernelTarget(const std::string &target, DiagnosticEngine &diags);

struct GpuOptions {
  /// The compute capability the PTX is for; the driver JIT-compiles it for
  /// the GPU at hand (same or newer).
  std::string chip = "sm_80";
  int optLevel = 3;
};

/// The dialects, translations and interfaces of the GPU pipeline.
void registerGpuDialects(mlir::DialectRegistry &registry);

/// Turns a loop-level module (lowerHebbToLoops) into a gpu.module of GPU
/// kernels, as the CPU pipeline does the same arithmetic (reciprocals
/// hoisted, f32 functions as polynomials): the same numbers on both.
bool lowerLoopsToGpu(mlir::ModuleOp module);

/// Compiles the GPU kernels of `module` (lowerLoopsToGpu) to PTX text.
/// Errors go through the context's diagnostics; `error` says what failed
/// when it is not about the module.
bool emitPtx(mlir::ModuleOp module, const GpuOptions &options, std::string &ptx,
             std::string &error);

/// Assembles PTX into a cubin for `options.chip` with NVIDIA's ptxas (from
/// $CUDA_ROOT, the CUDA toolkit MLIR was configured with, or the PATH).
bool assembleCubin(const std::string &ptx, const GpuOptions &options,
                   std::string &cubin, std::string &error);

/// `plan` (already checked) compiled for the GPU: its PTX and the names of
/// its kernels. Errors are reported through `sema`.
bool compileNetworkToPtx(Sema &sema, const NetworkPlan &plan, bool useF64,
                         const GpuOptions &options, std::string &ptx,
                         std::vector<std::string> &kernels);

} // namespace hebb

#endif // HEBB_DRIVER_GPUCOMPILER_H
