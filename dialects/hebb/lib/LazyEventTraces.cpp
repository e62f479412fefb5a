//===- LazyEventTraces.cpp - Event-driven update of `: event` ODEs --------===//
//
// A trace such as dapre/dt = -apre / tau_pre only matters when a spike
// handler reads it. Rather than stepping it every dt, each hebb.on_pre and
// hebb.on_post of the projection first brings it up to date exactly over the
// time since the synapse's last event (for x' = a x + b with a, b constant:
// x e^(a T) + b T (e^(a T) - 1) / (a T)), then records t.
//
//===----------------------------------------------------------------------===//

#include "OdeAnalysis.h"
#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBLAZYEVENTTRACES
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;
using namespace mlir::hebb;

namespace {

constexpr StringLiteral kLastUpdate = "lastupdate";

/// Emits the catch-up of every event variable at the start of `handler`.
LogicalResult catchUp(OdesOp odes, Region &handler) {
  OpBuilder b(&handler.front(), handler.front().begin());
  Location l = odes.getLoc();
  Block &body = odes.getBody().front();
  unsigned n = body.getNumArguments();
  auto ft = cast<FloatType>(body.getArgument(0).getType());
  Value t = TimeOp::create(b, l, b.getF64Type());
  Value last = GetOp::create(b, l, b.getF64Type(), "self", kLastUpdate);
  Value elapsed64 = arith::SubFOp::create(b, l, t, last);
  Value elapsed =
      ft.isF64() ? elapsed64 : arith::TruncFOp::create(b, l, ft, elapsed64);
  SmallVector<Value> x;
  for (unsigned i = 0; i < n; ++i)
    x.push_back(GetOp::create(b, l, ft, "self",
                              cast<StringAttr>(odes.getVars()[i]).getValue()));
  RhsEvaluation f = evaluateRhs(b, odes, x);
  // b of x' = a x + b: the right sides at x = 0.
  SmallVector<Value> zeros(
      n, arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 0.0)));
  RhsEvaluation atZero = evaluateRhs(b, odes, zeros);
  llvm::DenseSet<Value> leaves(x.begin(), x.end());
  for (unsigned i = 0; i < n; ++i) {
    StringRef name = cast<StringAttr>(odes.getVars()[i]).getValue();
    FailureOr<SmallVector<Value>> col = differentiate(b, f, x[i]);
    if (failed(col))
      return odes.emitOpError("cannot differentiate d")
             << name << "/dt; an event equation must be linear, like "
             << "dx/dt = -x / tau";
    for (unsigned j = 0; j < n; ++j) {
      Value a = (*col)[j];
      if (j != i && a)
        return odes.emitOpError("d")
               << cast<StringAttr>(odes.getVars()[j]).getValue()
               << "/dt depends on " << name
               << "; event equations must each involve only their own "
                  "variable";
      if (j == i && a && dependsOnAny(a, leaves))
        return odes.emitOpError("d")
               << name << "/dt is not linear in " << name
               << "; an event equation must be like dx/dt = -x / tau";
    }
    // The closed form is exact for x' = a x + b with a and b constant over
    // the interval: from parameters only. A signal may change between two
    // events, so an event equation cannot read one.
    Value a = (*col)[i], drift = atZero.rhs[i];
    if (!isTimeInvariant(drift) || (a && !isTimeInvariant(a)))
      return odes.emitOpError("d")
             << name << "/dt = a " << name
             << " + b needs a and b constant (parameters only); an event "
                "equation cannot read other state, signals or time";
    Value next;
    if (!a) {
      next = arith::AddFOp::create(b, l, x[i],
                                   arith::MulFOp::create(b, l, drift, elapsed));
    } else {
      // x e^(a T) + b T (e^(a T) - 1) / (a T), with the limit b T at a T = 0:
      // a pure decay (b = 0) stays x e^(a T) to the last bit.
      Value z = arith::MulFOp::create(b, l, a, elapsed);
      Value zero = arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 0.0));
      Value one = arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 1.0));
      Value isZero =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, z, zero);
      Value safe = arith::SelectOp::create(b, l, isZero, one, z);
      Value phi = arith::SelectOp::create(
          b, l, isZero, one,
          arith::DivFOp::create(b, l, math::ExpM1Op::create(b, l, safe), safe));
      Value decayed =
          arith::MulFOp::create(b, l, x[i], math::ExpOp::create(b, l, z));
      Value driven = arith::MulFOp::create(
          b, l, arith::MulFOp::create(b, l, drift, elapsed), phi);
      next = arith::AddFOp::create(b, l, decayed, driven);
    }
    SetOp::create(b, l, name, next);
  }
  SetOp::create(b, l, kLastUpdate, t);
  return success();
}

struct LazyEventTracesPass
    : public mlir::hebb::impl::HebbLazyEventTracesBase<LazyEventTracesPass> {
  void runOnOperation() override {
    SmallVector<ProjectionOp> projections;
    getOperation()->walk([&](ProjectionOp p) { projections.push_back(p); });
    for (ProjectionOp proj : projections) {
      SmallVector<OdesOp> eventSystems;
      for (auto odes : proj.getBody().front().getOps<OdesOp>())
        if (llvm::all_of(odes.getMethods(), [](Attribute m) {
              return cast<StringAttr>(m).getValue() == "event";
            }))
          eventSystems.push_back(odes);
      if (eventSystems.empty())
        continue;
      // One system per projection shares one lastupdate field.
      if (eventSystems.size() > 1) {
        eventSystems[1].emitOpError("a projection keeps its event equations "
                                    "in one hebb.odes");
        return signalPassFailure();
      }
      OpBuilder b(&proj.getBody().front(), proj.getBody().front().begin());
      FieldOp::create(b, proj.getLoc(), kLastUpdate, b.getF64Type(), "element",
                      false, false);
      for (OdesOp odes : eventSystems) {
        for (Operation &op : proj.getBody().front()) {
          Region *handler = nullptr;
          if (auto onPre = dyn_cast<OnPreOp>(op))
            handler = &onPre.getBody();
          else if (auto onPost = dyn_cast<OnPostOp>(op))
            handler = &onPost.getBody();
          if (handler && failed(catchUp(odes, *handler)))
            return signalPassFailure();
        }
        odes.erase();
      }
    }
  }
};
} // namespace
