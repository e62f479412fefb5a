//===- MLIRGen.h - AST and network plan to the hebb dialect -----*- C++ -*-===//

#ifndef HEBB_CODEGEN_MLIRGEN_H
#define HEBB_CODEGEN_MLIRGEN_H

#include "hebb/Frontend/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir {
class MLIRContext;
}

namespace hebb {

struct CodeGenOptions {
  bool useF64 = false; // --precision=f64
  /// --procedural: mark `connect total` projections whose synapses nothing
  /// records as procedural (hebb-lower-to-loops keeps them so where their
  /// spikes only add into rings).
  bool proceduralSynapses = false;
};

/// Emits a `hebb.population` per population and a `hebb.projection` per
/// projection of `plan`, with their stages. Returns null after reporting an
/// error (a construct the code generator does not support yet).
mlir::OwningOpRef<mlir::ModuleOp> emitNetwork(mlir::MLIRContext &context,
                                              Sema &sema,
                                              const NetworkPlan &plan,
                                              const CodeGenOptions &options);

/// Loads the dialects Hebb's pipelines use into `context`.
void registerHebbDialects(mlir::MLIRContext &context);

} // namespace hebb

#endif // HEBB_CODEGEN_MLIRGEN_H
