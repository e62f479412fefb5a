//===- ApproximateMath.cpp - Vectorisable f32 math functions --------------===//

#include "hebb/Dialect/Passes.h"

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
      signalPassFailure();
  }
};
} // namespace
