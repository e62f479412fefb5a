//===- HoistReciprocals.cpp - Loop-invariant divisors as reciprocals ------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBHOISTRECIPROCALS
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
struct HoistReciprocalsPass
    : public hebb::impl::HebbHoistReciprocalsBase<HoistReciprocalsPass> {
  void runOnOperation() override {
    // One reciprocal per divisor and loop, shared by its divisions.
    DenseMap<std::pair<Operation *, Value>, Value> reciprocals;
    SmallVector<arith::DivFOp> divisions;
    getOperation()->walk([&](arith::DivFOp div) { divisions.push_back(div); });
    for (arith::DivFOp div : divisions) {
      auto loop = div->getParentOfType<scf::ForOp>();
      Value divisor = div.getRhs();
      if (!loop || !isa<FloatType>(divisor.getType()) ||
          !loop.isDefinedOutsideOfLoop(divisor))
        continue;
      // The outermost loop the divisor is invariant in.
      while (auto outer = loop->getParentOfType<scf::ForOp>()) {
        if (!outer.isDefinedOutsideOfLoop(divisor))
          break;
        loop = outer;
      }
      Value &r = reciprocals[{loop.getOperation(), divisor}];
      if (!r) {
        OpBuilder b(loop);
        Type t = divisor.getType();
        Value one = arith::ConstantOp::create(b, div.getLoc(), t,
                                              b.getFloatAttr(t, 1.0));
        r = arith::DivFOp::create(b, div.getLoc(), one, divisor);
      }
      OpBuilder b(div);
      div.replaceAllUsesWith(
          arith::MulFOp::create(b, div.getLoc(), div.getLhs(), r).getResult());
      div.erase();
    }
  }
};
} // namespace
