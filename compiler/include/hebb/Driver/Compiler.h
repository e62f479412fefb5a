//===- Compiler.h - From a network plan to running code ---------*- C++ -*-===//
//
// The pass pipelines (hebb -> loops -> LLVM), LLVM IR and assembly emission,
// and the JIT that binds compiled kernels into a runtime NetworkSpec.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_COMPILER_H
#define HEBB_DRIVER_COMPILER_H

#include "hebb/CodeGen/MLIRGen.h"
#include "hebb/runtime/Network.h"

#include "llvm/ADT/StringMap.h"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hebb {

/// The stages `hebbc --emit=` can stop at.
enum class EmitStage { AST, Hebb, MLIR, LLVM, Asm, Obj, PTX, Cubin, None };

struct CompilerOptions {
  int optLevel = 3;
  bool useF64 = false;
  /// --procedural: draw the synapses of `connect total` projections again
  /// at each spike instead of storing them (CodeGenOptions).
  bool proceduralSynapses = false;
  /// Constants of initial values read as parameters, so that instances
  /// that differ only in them share kernels (hebb-init-constants-to-params);
  /// off for `hebbc --kernel`, whose header's parameters are the buffer.
  bool initConstantsAsParams = true;
  /// Load the kernels from the cache of compiled networks when they are
  /// there, and keep them there when they are compiled (KernelCache.h).
  bool useCache = false;
};

/// Wall time of each compile phase, in seconds.
struct CompileTimings {
  double frontEnd = 0, mlirGen = 0, passes = 0, llvm = 0, total = 0;
  /// The kernels were loaded from the cache (`llvm` is the load's time).
  bool fromCache = false;
};

/// A network compiled in memory; owns the JIT that holds its kernels.
class CompiledNetwork {
public:
  ~CompiledNetwork();
  rt::NetworkSpec spec;
  CompileTimings timings;

  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// While alive, reports MLIR diagnostics through the front end's
/// DiagnosticEngine, as `file:line:col: error:` with the source line.
class MLIRDiagnostics {
public:
  MLIRDiagnostics(mlir::MLIRContext &context, Sema &sema);
  ~MLIRDiagnostics();

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Registers Hebb's dialects, passes and translations with `context` and
/// loads the dialects.
void loadHebbDialects(mlir::MLIRContext &context);

/// Runs a textual pass pipeline (comma-separated passes) on `module`;
/// errors go through the context's diagnostics.
bool runPassPipeline(mlir::ModuleOp module, const std::string &pipeline);

/// Runs the hebb passes (integration, lazy traces) and lowers to loops;
/// `forGpu`: for GPU threads (each neuron computes its own random words).
/// Reports errors through the MLIR context's diagnostic handler.
bool lowerHebbToLoops(mlir::ModuleOp module, bool forGpu = false);

/// Runs hebb-integrate-odes with remarks that explain each equation's method
/// and discrete update (`hebbc --explain-integration`).
bool explainIntegration(mlir::ModuleOp module);

/// Lowers a loop-level module to the LLVM dialect.
bool lowerLoopsToLLVM(mlir::ModuleOp module);

/// Translates an LLVM-dialect module, optimises it for the host at
/// `optLevel`, and prints LLVM IR, assembly, or writes an object file.
bool emitFromLLVMDialect(mlir::ModuleOp module, EmitStage stage, int optLevel,
                         std::ostream &out, std::string &error);

/// Compiles `plan` (already checked) and JIT-compiles its kernels.
std::unique_ptr<CompiledNetwork> compileNetwork(Sema &sema,
                                                const NetworkPlan &plan,
                                                const CompilerOptions &options);

/// The front half of the JIT and of object files: compiles `plan` to an
/// LLVM-dialect module and fills `spec` with its description (kernels named,
/// without entry points). With `merged`, kernels that are the same code are
/// lowered once: the duplicates are left out, each mapped there to the
/// kernel kept. Null on error, reported through `sema`.
mlir::OwningOpRef<mlir::ModuleOp>
lowerNetwork(mlir::MLIRContext &context, Sema &sema, const NetworkPlan &plan,
             const CompilerOptions &options, rt::NetworkSpec &spec,
             CompileTimings &timings,
             llvm::StringMap<std::string> *merged = nullptr);

/// Where `hebbc -c` compiles for, and the prefix of the C names it defines.
struct ObjectOptions {
  std::string targetTriple; // empty: the host
  std::string cpu;          // empty: the host's (or "generic" for a triple)
  std::string prefix;       // `<prefix>_module` in the object
};

/// `hebbc -c`: writes a relocatable object holding the network's kernels
/// and its description as the hebb_module `<prefix>_module` (hebb.h), and
/// fills `spec`. Reports errors through `sema`.
bool emitNetworkObject(Sema &sema, const NetworkPlan &plan,
                       const CompilerOptions &options,
                       const ObjectOptions &object, std::ostream &out,
                       rt::NetworkSpec &spec);

/// The C header that goes with such an object: its module, a create
/// function and, in comments, what the network holds.
std::string networkHeader(const rt::NetworkSpec &spec,
                          const std::string &prefix);

/// The C header of a `--kernel` object: the model's stages as functions
/// over the caller's arrays, with the layout and sizes they expect.
std::string kernelHeader(const rt::NetworkSpec &spec, const std::string &prefix,
                         const std::string &modelName);

/// Compiles the networks of a session (`hebb repl`) one population or
/// projection at a time and keeps what it compiled, keyed by the instance's
/// hebb-dialect text: a network that differs from the last by a projection
/// compiles only that projection's kernels.
class IncrementalCompiler {
public:
  explicit IncrementalCompiler(const CompilerOptions &options);
  ~IncrementalCompiler();

  /// What the last compile did.
  struct Stats {
    std::vector<std::string> compiled; // instances compiled now
    int reused = 0;                    // instances whose kernels were kept
    double seconds = 0;
  };

  /// The network of `plan` with every kernel bound; nullopt on error,
  /// reported through `sema`. Entries stay valid while this lives.
  std::optional<rt::NetworkSpec> compile(Sema &sema, const NetworkPlan &plan,
                                         Stats &stats);

  /// Prints what the compiler makes of population or projection `name`:
  /// its hebb dialect, its loops, its LLVM IR or its assembly.
  bool emit(Sema &sema, const NetworkPlan &plan, EmitStage stage,
            const std::string &name, std::ostream &out);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Makes the runtime spec of a hebb-dialect module (before lowering).
rt::NetworkSpec describeNetwork(mlir::ModuleOp module, const NetworkPlan &plan);

/// Registers the hebb dialect, its passes and the upstream ones the
/// pipelines use (for hebb-opt and the pass managers).
void registerHebbPassesAndDialects(mlir::DialectRegistry &registry);

} // namespace hebb

#endif // HEBB_DRIVER_COMPILER_H
