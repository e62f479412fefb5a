//===- ApproximateMath.cpp - Vectorisable f32 math functions --------------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBAPPROXIMATEMATH
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
struct ApproximateMathPass
    : public hebb::impl::HebbApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    callLibmExpM1();
  }

  /// convert-math-to-llvm lowers expm1 to exp(x) - 1, which loses all
  /// precision for small x (the exponential-Euler update divides by x):
  /// call libm's expm1 for f64 instead.
  void callLibmExpM1() {
    SmallVector<math::ExpM1Op> ops;
    getOperation()->walk([&](math::ExpM1Op op) {
      if (op.getType().isF64())
        ops.push_back(op);
    });
    for (math::ExpM1Op op : ops) {
      auto module = op->getParentOfType<ModuleOp>();
      auto type =
          FunctionType::get(&getContext(), {op.getType()}, {op.getType()});
      if (!module.lookupSymbol("expm1")) {
        OpBuilder b(module.getBodyRegion());
        auto decl = func::FuncOp::create(b, module.getLoc(), "expm1", type);
        decl.setPrivate();
      }
      OpBuilder b(op);
      auto call =
          func::CallOp::create(b, op.getLoc(), "expm1", TypeRange{op.getType()},
                               ValueRange{op.getOperand()});
      op.replaceAllUsesWith(call.getResult(0));
      op.erase();
    }
  }
};
} // namespace
