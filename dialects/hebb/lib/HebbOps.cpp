//===- HebbOps.cpp - Operations of the hebb dialect -----------------------===//

#include "hebb/Dialect/HebbOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::hebb;

static bool isScope(StringRef scope, std::initializer_list<StringRef> allowed) {
  for (StringRef a : allowed)
    if (scope == a)
      return true;
  return false;
}

LogicalResult PopulationOp::verify() {
  if (getSize() < 1)
    return emitOpError("needs at least one neuron, not ") << getSize();
  return success();
}

LogicalResult ProjectionOp::verify() {
  if (getPreBegin() < 0 || getPreEnd() <= getPreBegin())
    return emitOpError("has an empty presynaptic range");
  if (getPostBegin() < 0 || getPostEnd() <= getPostBegin())
    return emitOpError("has an empty postsynaptic range");
  if (getDelaySteps() < 1)
    return emitOpError("needs a delay of at least one step");
  if (getTiedTo() && !getDense())
    return emitOpError("reads tied weights as a matrix, so it must be dense");
  if (getProcedural() && (getDense() || getTiedTo()))
    return emitOpError("draws its rows at each spike, so it cannot be dense");
  return success();
}

LogicalResult FieldOp::verify() {
  if (!isScope(getScope(), {"element", "pre", "post", "proj"}))
    return emitOpError("scope must be element, pre, post or proj, not '")
           << getScope() << "'";
  if (!isa<FloatType>(getType()))
    return emitOpError("a field holds floats, not ") << getType();
  if (getInput() && (*this)->getParentOfType<ProjectionOp>())
    return emitOpError("inputs belong to populations");
  return success();
}

LogicalResult SpikeOp::verifyRegions() {
  auto yield = dyn_cast<YieldOp>(getBody().front().getTerminator());
  if (!yield || yield.getValues().size() != 1 ||
      !yield.getValues()[0].getType().isInteger(1))
    return emitOpError("must yield one i1 condition");
  return success();
}

/// A stage's scope: over synapses (none), pre or post neurons, or once.
static LogicalResult verifyStageScope(Operation *op,
                                      std::optional<StringRef> scope) {
  if (!scope)
    return success();
  if (!isScope(*scope, {"pre", "post", "proj"}))
    return op->emitOpError("scope must be pre, post or proj, not '")
           << *scope << "'";
  if (!op->getParentOfType<ProjectionOp>())
    return op->emitOpError("only a projection's stages have a scope");
  return success();
}

#define HEBB_STAGE_VERIFIER(Op)                                                \
  LogicalResult Op::verify() { return verifyStageScope(*this, getScope()); }
HEBB_STAGE_VERIFIER(InitOp)
HEBB_STAGE_VERIFIER(StepOp)
HEBB_STAGE_VERIFIER(ResetOp)
HEBB_STAGE_VERIFIER(OnPreOp)
HEBB_STAGE_VERIFIER(OnPostOp)
HEBB_STAGE_VERIFIER(TransmitOp)
HEBB_STAGE_VERIFIER(LearnOp)
#undef HEBB_STAGE_VERIFIER

LogicalResult ReduceOp::verify() {
  if (!isScope(getInto(), {"pre", "post"}))
    return emitOpError("sums into pre or post neurons, not '")
           << getInto() << "'";
  std::optional<StringRef> combine = getCombine();
  if (combine && !isScope(*combine, {"sum", "min", "max", "cumsum"}))
    return emitOpError("combines by sum, min, max or cumsum, not '")
           << *combine << "'";
  if ((combine && *combine == "cumsum") != getRunning().has_value())
    return emitOpError("needs a running field exactly when it combines by "
                       "cumsum");
  if (std::optional<StringRef> before = getBefore())
    if (!isScope(*before, {"transmit", "on_pre", "on_post"}) &&
        !(before->starts_with("on_end_") && before->size() > 7))
      return emitOpError("runs before transmit, on_pre, on_post or "
                         "on_end_<phase>, not '")
             << *before << "'";
  auto yield = dyn_cast<YieldOp>(getBody().front().getTerminator());
  if (!yield || yield.getValues().size() != 1 ||
      !isa<FloatType>(yield.getValues()[0].getType()))
    return emitOpError("must yield the one float value it sums");
  return success();
}

LogicalResult RefractoryOp::verifyRegions() {
  auto yield = dyn_cast<YieldOp>(getBody().front().getTerminator());
  size_t count = yield ? yield.getValues().size() : 0;
  if (count == 1 && isa<FloatType>(yield.getValues()[0].getType()))
    return success();
  InFlightDiagnostic diag = emitOpError("must yield one float duration, not ");
  if (count == 1)
    diag << "a value of type " << yield.getValues()[0].getType();
  else
    diag << count << " values";
  return diag;
}

LogicalResult OdesOp::verify() {
  Block &body = getBody().front();
  if (getVars().size() != getMethods().size())
    return emitOpError("needs one method per variable");
  if (body.getNumArguments() != getVars().size())
    return emitOpError("needs one block argument per variable");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || yield.getValues().size() != getVars().size())
    return emitOpError("must yield one derivative per variable");
  for (Attribute m : getMethods()) {
    StringRef method = cast<StringAttr>(m).getValue();
    if (!isScope(method, {"auto", "exact", "euler", "exp_euler", "rk2", "rk4",
                          "event"}))
      return emitOpError("unknown integration method '") << method << "'";
  }
  return success();
}

LogicalResult GetOp::verify() {
  if (!isScope(getScope(), {"self", "pre", "post"}))
    return emitOpError("scope must be self, pre or post");
  if (getScope() != "self" && !(*this)->getParentOfType<ProjectionOp>())
    return emitOpError("reads pre/post state outside a projection");
  return success();
}

#define GET_OP_CLASSES
#include "hebb/Dialect/HebbOps.cpp.inc"
