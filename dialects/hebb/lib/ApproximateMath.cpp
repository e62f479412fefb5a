//===- ApproximateMath.cpp - Vectorisable f32 math functions --------------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
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
  using HebbApproximateMathBase::HebbApproximateMathBase;

  void runOnOperation() override {
    expandExpM1F32();
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (libmExpM1)
      callLibmExpM1();
  }

  /// MLIR's f32 expm1 is exp(x) corrected through log(exp(x)) and a
  /// division: three functions' worth of work per element, in the loop of
  /// every exponential-Euler update. Near 0, where exp(x) - 1 cancels,
  /// x (1 + x/2 + ... + x^7/8!) is accurate to the last bit for |x| < 1/2
  /// (the first term left out is below 1.2e-8 relative); elsewhere
  /// exp(x) - 1 loses at most a factor 1 / (1 - e^-1/2) < 2.6 of exp's
  /// accuracy. Both are computed and one is selected, so the loop stays a
  /// straight vectorisable line.
  void expandExpM1F32() {
    SmallVector<math::ExpM1Op> ops;
    getOperation()->walk([&](math::ExpM1Op op) {
      if (getElementTypeOrSelf(op.getType()).isF32())
        ops.push_back(op);
    });
    for (math::ExpM1Op op : ops) {
      OpBuilder b(op);
      Location l = op.getLoc();
      Type t = op.getType();
      auto constant = [&](double v) -> Value {
        Attribute attr = b.getF32FloatAttr(static_cast<float>(v));
        if (auto vt = dyn_cast<VectorType>(t))
          attr = DenseElementsAttr::get(vt, attr);
        return arith::ConstantOp::create(b, l, t, cast<TypedAttr>(attr));
      };
      Value x = op.getOperand();
      // Horner: 1 + x/2! + x^2/3! + ... + x^7/8!.
      double factorial = 40320; // 8!
      Value poly = constant(1.0 / factorial);
      for (int k = 7; k >= 1; --k) {
        factorial /= k + 1;
        poly = math::FmaOp::create(b, l, poly, x, constant(1.0 / factorial));
      }
      Value series = arith::MulFOp::create(b, l, x, poly);
      Value direct = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                                           constant(1.0));
      Value small =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                math::AbsFOp::create(b, l, x), constant(0.5));
      op.replaceAllUsesWith(
          arith::SelectOp::create(b, l, small, series, direct).getResult());
      op.erase();
    }
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
