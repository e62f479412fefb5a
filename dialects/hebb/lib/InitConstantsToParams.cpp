//===- InitConstantsToParams.cpp - Initial values' constants as parameters ===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/Dialect/HebbOps.h"
#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBINITCONSTANTSTOPARAMS
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;
using namespace mlir::hebb;

namespace {
/// Folds arithmetic on constants (`2 * w_e`), in order, so that it becomes
/// one parameter.
void foldConstantArithmetic(Region &region) {
  SmallVector<Operation *> ops;
  region.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "arith" &&
        !isa<arith::ConstantOp>(op) && op->getNumResults() == 1)
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    SmallVector<Attribute> operands;
    for (Value v : op->getOperands()) {
      auto c = v.getDefiningOp<arith::ConstantOp>();
      if (!c)
        break;
      operands.push_back(c.getValue());
    }
    SmallVector<OpFoldResult> folded;
    if (operands.size() != op->getNumOperands() ||
        failed(op->fold(operands, folded)) || folded.size() != 1)
      continue;
    auto attr = dyn_cast_if_present<TypedAttr>(
        dyn_cast_if_present<Attribute>(folded[0]));
    if (!attr || attr.getType() != op->getResult(0).getType())
      continue;
    OpBuilder b(op);
    op->getResult(0).replaceAllUsesWith(
        arith::ConstantOp::create(b, op->getLoc(), attr).getResult());
    op->erase();
  }
}

/// Turns the float constants of an instance's `hebb.init` stages into
/// parameters `__init<n>` of the instance, read with hebb.param_get.
void hoistInitConstants(Operation *instance) {
  Block &body = instance->getRegion(0).front();
  SmallVector<arith::ConstantOp> constants;
  for (auto init : body.getOps<InitOp>()) {
    foldConstantArithmetic(init.getBody());
    SmallVector<arith::ConstantOp> dead;
    init.getBody().walk([&](arith::ConstantOp c) {
      if (c.use_empty())
        dead.push_back(c);
      else if (isa<FloatAttr>(c.getValue()))
        constants.push_back(c);
    });
    for (arith::ConstantOp c : dead)
      c.erase();
  }
  if (constants.empty())
    return;
  // After the instance's parameters, whose order is the buffer's.
  OpBuilder b(instance->getContext());
  b.setInsertionPointToStart(&body);
  for (auto p : body.getOps<ParamOp>())
    b.setInsertionPointAfter(p);
  int n = 0;
  for (arith::ConstantOp c : constants) {
    std::string name;
    do
      name = "__init" + std::to_string(n++);
    while (SymbolTable::lookupSymbolIn(instance, name));
    double value = cast<FloatAttr>(c.getValue()).getValueAsDouble();
    auto param = ParamOp::create(b, c.getLoc(), b.getStringAttr(name),
                                 b.getF64FloatAttr(value), b.getStringAttr(""));
    b.setInsertionPointAfter(param);
    OpBuilder at(c);
    c.replaceAllUsesWith(
        ParamGetOp::create(at, c.getLoc(), c.getType(), name).getResult());
    c.erase();
  }
}

struct InitConstantsToParamsPass
    : public mlir::hebb::impl::HebbInitConstantsToParamsBase<
          InitConstantsToParamsPass> {
  void runOnOperation() override {
    for (Operation &op : getOperation().getBody()->getOperations())
      if (isa<PopulationOp, ProjectionOp>(op))
        hoistInitConstants(&op);
  }
};
} // namespace
