//===- ApproximateMath.cpp - Vectorisable f32 math functions --------------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBAPPROXIMATEMATH
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
/// The largest f32 x with e^x - 1 finite.
constexpr double kExpM1Max = 88.72283935546875;

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
  /// every exponential-Euler update. Instead, one branch-free line (Tang's
  /// method): x = k ln2 + r with |r| <= ln2/2, e^r - 1 = r + r^2 Q(r) by Taylor
  /// (the first term left out is below 1.5e-8 relative), then
  /// e^x - 1 = 2^k (e^r - 1) + (2^k - 1), where 2^k - 1 is exact and adds no
  /// cancellation: for k = 0 it is e^r - 1 itself. Below -87 the result is
  /// -1; above kExpM1Max, +inf.
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
      Type it = b.getI32Type();
      if (auto vt = dyn_cast<VectorType>(t))
        it = VectorType::get(vt.getShape(), it);
      auto splat = [&](Type type, Attribute attr) -> Value {
        if (auto vt = dyn_cast<VectorType>(type))
          attr = DenseElementsAttr::get(vt, attr);
        return arith::ConstantOp::create(b, l, type, cast<TypedAttr>(attr));
      };
      auto constant = [&](double v) {
        return splat(t, b.getF32FloatAttr(static_cast<float>(v)));
      };
      auto intConstant = [&](int32_t v) {
        return splat(it, b.getI32IntegerAttr(v));
      };
      auto fma = [&](Value p, Value q, Value r) -> Value {
        return math::FmaOp::create(b, l, p, q, r);
      };
      Value x = op.getOperand();
      Value clamped = arith::MaximumFOp::create(
          b, l, arith::MinimumFOp::create(b, l, x, constant(kExpM1Max)),
          constant(-87.0));
      // k = round(x / ln2) by adding 1.5 * 2^23, which leaves k in the low
      // bits of kf's significand; r = x - k ln2 with ln2 split in two (Cody
      // and Waite) so that k ln2_hi is exact.
      constexpr double kShifter = 12582912.0;
      Value kf = fma(clamped, constant(1.4426950408889634), constant(kShifter));
      Value k = arith::SubFOp::create(b, l, kf, constant(kShifter));
      Value r = fma(k, constant(-0.693359375), clamped);
      r = fma(k, constant(2.12194440e-4), r);
      // e^r - 1 = r + r^2 Q(r), Q(r) = 1/2! + r/3! + ... + r^5/7!, by
      // Horner from 1/7!: r enters exactly, the rounding is in r^2 Q alone.
      double factorial = 5040; // 7!
      Value poly = constant(1.0 / factorial);
      for (int j = 6; j >= 2; --j) {
        factorial /= j + 1;
        poly = fma(poly, r, constant(1.0 / factorial));
      }
      Value em1r = fma(arith::MulFOp::create(b, l, r, r), poly, r);
      // h = 2^(k-1) from the exponent bits (k is in [-126, 128]; h = 0 at
      // -126, where the result is -1 anyway), then 2 (h (e^r - 1) + h - 1/2):
      // the doubling is exact, and 2^128 (k = 128) is never formed. kf's
      // bits shifted by 23 leave k's low nine bits, k << 23 modulo 2^32.
      Value bits = arith::AddIOp::create(
          b, l,
          arith::ShLIOp::create(b, l, arith::BitcastOp::create(b, l, it, kf),
                                intConstant(23)),
          intConstant(126 << 23));
      Value half = arith::BitcastOp::create(b, l, t, bits);
      Value result = arith::MulFOp::create(
          b, l, constant(2.0),
          fma(half, em1r, arith::SubFOp::create(b, l, half, constant(0.5))));
      Value overflows = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                              x, constant(kExpM1Max));
      op.replaceAllUsesWith(
          arith::SelectOp::create(b, l, overflows, constant(INFINITY), result)
              .getResult());
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
