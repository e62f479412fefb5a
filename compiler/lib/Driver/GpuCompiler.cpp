//===- GpuCompiler.cpp - The network's kernels for NVIDIA GPUs ------------===//
//
// gpu dialect -> NVVM -> PTX, through MLIR's gpu-module-to-binary.
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/GpuCompiler.h"
#include "hebb/CodeGen/MLIRGen.h"
#include "hebb/Dialect/Passes.h"
#include "hebb/Driver/Compiler.h"
#include "hebb/Frontend/Diagnostics.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVM/NVVM/Utils.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <regex>

#include "llvm/ADT/ScopeExit.h"

using namespace hebb;

void hebb::registerGpuDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::gpu::GPUDialect, mlir::NVVM::NVVMDialect>();
  mlir::registerGPUDialectTranslation(registry);
  mlir::registerNVVMDialectTranslation(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // The conversions to LLVM that convert-gpu-to-nvvm finds through the
  // dialects' interfaces.
  mlir::registerAllExtensions(registry);
}

bool hebb::lowerLoopsToGpu(mlir::ModuleOp module) {
  // As the CPU pipeline, less what only helps a CPU's vector loops
  // (unswitching), and f64 expm1 left to libdevice instead of libm.
  return runPassPipeline(
      module, "loop-invariant-code-motion,hebb-hoist-reciprocals,"
              "canonicalize,cse,hebb-approximate-math{libm-expm1=false},"
              "hebb-kernels-to-gpu,canonicalize,cse");
}

bool hebb::emitPtx(mlir::ModuleOp module, const GpuOptions &options,
                   std::string &ptx, std::string &error) {
  if (!std::regex_match(options.chip, std::regex("sm_[0-9]+[a-z]?"))) {
    error = "unknown GPU chip '" + options.chip + "' (e.g. sm_80, sm_90)";
    return false;
  }
  // Flush f32 denormals to zero, as the CPU runtime does (FTZ and DAZ).
  std::string pipeline =
      "nvvm-attach-target{chip=" + options.chip +
      " O=" + std::to_string(options.optLevel) +
      " ftz=true},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm,"
      "hebb-libdevice-to-instructions,canonicalize,cse,"
      "reconcile-unrealized-casts),"
      "gpu-module-to-binary{format=isa}";
  if (!runPassPipeline(module, pipeline))
    return false;
  ptx.clear();
  for (auto binary : module.getOps<mlir::gpu::BinaryOp>())
    for (mlir::Attribute attr : binary.getObjects())
      if (auto object = mlir::dyn_cast<mlir::gpu::ObjectAttr>(attr))
        ptx += object.getObject().getValue().str();
  if (ptx.empty()) {
    error = "no PTX was produced";
    return false;
  }
  // libdevice is linked only where a CUDA toolkit was found; without it a
  // call into it would fail when the driver loads the module.
  std::smatch missing;
  if (std::regex_search(
          ptx, missing,
          std::regex(R"(\.extern \.func[^\n]*\n?\s*(__nv_\w+))"))) {
    error = "the GPU kernels call '" + missing[1].str() +
            "' of CUDA's libdevice, which was not found: set CUDA_ROOT to a "
            "CUDA toolkit (Hebb computes f32 exp, expm1, log, sin, cos, tanh "
            "and erf itself; other functions, and f64 ones, come from "
            "libdevice)";
    return false;
  }
  return true;
}

bool hebb::assembleCubin(const std::string &ptx, const GpuOptions &options,
                         std::string &cubin, std::string &error) {
  std::string ptxas;
  llvm::StringRef toolkit = mlir::NVVM::getCUDAToolkitPath();
  if (!toolkit.empty()) {
    llvm::SmallString<256> path(toolkit);
    llvm::sys::path::append(path, "bin", "ptxas");
    if (llvm::sys::fs::can_execute(path))
      ptxas = path.str().str();
  }
  if (ptxas.empty())
    if (auto found = llvm::sys::findProgramByName("ptxas"))
      ptxas = *found;
  if (ptxas.empty()) {
    error = "--emit=cubin needs NVIDIA's ptxas, from a CUDA toolkit (set "
            "CUDA_ROOT), which was not found; --emit=ptx needs none";
    return false;
  }
  llvm::SmallString<128> in, out, log;
  for (auto [path, suffix] : {std::pair{&in, "ptx"}, std::pair{&out, "cubin"},
                              std::pair{&log, "log"}})
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("hebb", suffix, *path)) {
      error = "cannot create a temporary file: " + ec.message();
      return false;
    }
  llvm::scope_exit cleanUp([&] {
    for (auto *path : {&in, &out, &log})
      llvm::sys::fs::remove(*path);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(in, ec);
    file << ptx;
  }
  std::string optLevel = "-O" + std::to_string(options.optLevel);
  llvm::StringRef args[] = {ptxas, "-arch", options.chip, optLevel,
                            in,    "-o",    out};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log, log};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                         0, 0, &message);
  auto read = [](llvm::StringRef path) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
    return buffer ? (*buffer)->getBuffer().str() : std::string();
  };
  if (status != 0) {
    std::string said = read(log);
    while (!said.empty() && said.back() == '\n')
      said.pop_back();
    error = ptxas + " failed" + (said.empty() ? ": " + message : ": " + said);
    return false;
  }
  cubin = read(out);
  return true;
}

bool hebb::checkKernelTarget(const std::string &target,
                             DiagnosticEngine &diags) {
  if (target == "cpu" || target == "cuda")
    return true;
  diags.errorNoLoc("--target takes cpu or cuda, not '" + target + "'");
  return false;
}

bool hebb::compileNetworkToPtx(Sema &sema, const NetworkPlan &plan, bool useF64,
                               const GpuOptions &options, std::string &ptx,
                               std::vector<std::string> &kernels) {
  mlir::MLIRContext context;
  loadHebbDialects(context);
  MLIRDiagnostics bridge(context, sema);
  CodeGenOptions cg;
  cg.useF64 = useF64;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitNetwork(context, sema, plan, cg);
  if (!module || !lowerHebbToLoops(*module, /*forGpu=*/true) ||
      !lowerLoopsToGpu(*module))
    return false;
  kernels.clear();
  module->walk([&](mlir::gpu::GPUFuncOp kernel) {
    kernels.push_back(kernel.getName().str());
  });
  std::string error;
  if (!emitPtx(*module, options, ptx, error)) {
    if (!error.empty())
      sema.diagnostics().errorNoLoc(error);
    return false;
  }
  return true;
}
