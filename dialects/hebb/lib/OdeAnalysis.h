//===- OdeAnalysis.h - Differentiating ODE right sides ----------*- C++ -*-===//
//
// Shared by hebb-integrate-odes and hebb-lazy-event-traces: clone the right
// sides of a hebb.odes system at a given state, and differentiate them with
// respect to one variable (forward mode, emitting the derivative as ops), so
// that the passes can classify a system (linear? constant coefficients?) and
// build its exact or exponential-Euler update.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DIALECT_LIB_ODEANALYSIS_H
#define HEBB_DIALECT_LIB_ODEANALYSIS_H

#include "hebb/Dialect/HebbOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::hebb {

/// The right sides of a system evaluated at some state.
struct RhsEvaluation {
  SmallVector<Value> rhs;       // one per variable
  SmallVector<Operation *> ops; // the cloned ops, in order
};

/// Clones the body of `odes` at the builder's insertion point with its block
/// arguments replaced by `state`.
RhsEvaluation evaluateRhs(OpBuilder &builder, OdesOp odes, ValueRange state);

/// Emits d(outputs)/d(seed) over `eval.ops`. A null entry in the result is a
/// derivative known to be zero. Fails if an op on the path has no rule.
FailureOr<SmallVector<Value>>
differentiate(OpBuilder &builder, const RhsEvaluation &eval, Value seed);

/// The computation of `value` as infix text, for people: state and
/// parameters by name (`(v_rest - v) / tau_m`).
std::string formatValue(Value value);

/// Whether `value` is computed from any value in `leaves`.
bool dependsOnAny(Value value, const llvm::DenseSet<Value> &leaves);

/// Whether `value` is the same for every element: computed only from
/// constants, parameters, signals and dt.
bool isElementInvariant(Value value);

/// Whether `value` is the same for every element and at every time:
/// computed only from constants, parameters and dt.
bool isTimeInvariant(Value value);

} // namespace mlir::hebb

#endif // HEBB_DIALECT_LIB_ODEANALYSIS_H
