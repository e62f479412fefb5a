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

/// The field that records when a system's variables were last brought up to
/// date: per synapse, or per neuron for @pre and @post traces.
std::string lastUpdateField(StringRef scope) {
  return scope == "element" ? std::string("lastupdate")
                            : ("lastupdate_" + scope).str();
}

/// Emits, at b's insertion point, the values now of the event variables of
/// `odes` (only variable `only` when given), advanced exactly from their
/// stored values over the time since `lastField`.
FailureOr<SmallVector<Value>> advanceToNow(OpBuilder &b, OdesOp odes,
                                           StringRef lastField,
                                           std::optional<unsigned> only,
                                           Value &t) {
  Location l = odes.getLoc();
  Block &body = odes.getBody().front();
  unsigned n = body.getNumArguments();
  auto ft = cast<FloatType>(body.getArgument(0).getType());
  t = TimeOp::create(b, l, b.getF64Type());
  Value last = GetOp::create(b, l, b.getF64Type(), "self", lastField);
  Value elapsed64 = arith::SubFOp::create(b, l, t, last);
  Value elapsed =
      ft.isF64() ? elapsed64 : arith::TruncFOp::create(b, l, ft, elapsed64);
  // Each equation involves only its own variable (checked below), so one
  // variable's update may read zeros for the others.
  SmallVector<Value> x;
  Value zero;
  for (unsigned i = 0; i < n; ++i) {
    if (!only || *only == i) {
      x.push_back(GetOp::create(
          b, l, ft, "self", cast<StringAttr>(odes.getVars()[i]).getValue()));
      continue;
    }
    if (!zero)
      zero = arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 0.0));
    x.push_back(zero);
  }
  RhsEvaluation f = evaluateRhs(b, odes, x);
  // b of x' = a x + b: the right sides at x = 0.
  SmallVector<Value> zeros(
      n, arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 0.0)));
  RhsEvaluation atZero = evaluateRhs(b, odes, zeros);
  llvm::DenseSet<Value> leaves(x.begin(), x.end());
  SmallVector<Value> next;
  for (unsigned i = 0; i < n; ++i) {
    if (only && *only != i)
      continue;
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
    if (!a) {
      next.push_back(arith::AddFOp::create(
          b, l, x[i], arith::MulFOp::create(b, l, drift, elapsed)));
      continue;
    }
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
    next.push_back(arith::AddFOp::create(b, l, decayed, driven));
  }
  return next;
}

/// Checks that `odes` has a closed form even where no handler reads it.
LogicalResult checkClosedForm(OdesOp odes) {
  // Built before the system, where its parameters resolve, then dropped.
  Block *block = odes->getBlock();
  auto first = Block::iterator(odes);
  bool atStart = first == block->begin();
  Block::iterator before = atStart ? first : std::prev(first);
  OpBuilder b(odes);
  Value t;
  LogicalResult status = advanceToNow(b, odes, "lastupdate", std::nullopt, t);
  Block::iterator begin = atStart ? block->begin() : std::next(before);
  SmallVector<Operation *> built;
  for (auto it = begin; it != Block::iterator(odes); ++it)
    built.push_back(&*it);
  for (Operation *op : llvm::reverse(built))
    op->erase();
  return status;
}

/// Emits, at the start of `block`, the catch-up of every event variable of
/// `odes`: each is brought up to date and the time recorded.
LogicalResult catchUp(OdesOp odes, Block &block, StringRef lastField) {
  OpBuilder b(&block, block.begin());
  Value t;
  FailureOr<SmallVector<Value>> next =
      advanceToNow(b, odes, lastField, std::nullopt, t);
  if (failed(next))
    return failure();
  for (auto [var, value] : llvm::zip(odes.getVars(), *next))
    SetOp::create(b, odes.getLoc(), cast<StringAttr>(var).getValue(), value);
  SetOp::create(b, odes.getLoc(), lastField, t);
  return success();
}

/// The scope of the fields `odes` integrates: all must share one.
FailureOr<StringRef> systemScope(ProjectionOp proj, OdesOp odes) {
  std::optional<StringRef> scope;
  for (Attribute var : odes.getVars())
    for (auto field : proj.getBody().front().getOps<FieldOp>())
      if (field.getSymName() == cast<StringAttr>(var).getValue()) {
        if (scope && *scope != field.getScope())
          return odes.emitOpError("event variables of one hebb.odes must "
                                  "share a scope");
        scope = field.getScope();
      }
  if (!scope)
    return odes.emitOpError("integrates no field of the projection");
  return *scope;
}

/// Per-neuron traces (@pre, @post): a spike handler's hebb.once (for its
/// own side's neuron) and a learning stage over those neurons bring the
/// traces up to date, so each is written once per neuron; every other read,
/// for instance of a @post trace in `on pre`, computes the value now from
/// the stored one without writing it.
LogicalResult lowerNeuronTraces(ProjectionOp proj, OdesOp odes,
                                StringRef scope) {
  std::string lastField = lastUpdateField(scope);
  llvm::StringMap<unsigned> index;
  for (auto [i, var] : llvm::enumerate(odes.getVars()))
    index[cast<StringAttr>(var).getValue()] = i;
  SmallVector<Block *> writers;
  for (Operation &op : proj.getBody().front()) {
    if (auto learn = dyn_cast<LearnOp>(op)) {
      if (learn.getScope() == scope)
        writers.push_back(&learn.getBody().front());
      continue;
    }
    bool own = (isa<OnPreOp>(op) && scope == "pre") ||
               (isa<OnPostOp>(op) && scope == "post");
    if (own)
      op.walk([&](OnceOp once) { writers.push_back(&once.getBody().front()); });
  }
  // Reads after a catch-up see the stored value as it is.
  SmallVector<GetOp> reads;
  proj.walk([&](GetOp get) {
    if (get.getScope() != "self" || !index.count(get.getField()) ||
        get->getParentOfType<InitOp>() || get->getParentOfType<OdesOp>())
      return;
    if (llvm::none_of(writers, [&](Block *block) {
          return block->findAncestorOpInBlock(*get) != nullptr;
        }))
      reads.push_back(get);
  });
  for (GetOp get : reads) {
    OpBuilder b(get);
    Value t;
    FailureOr<SmallVector<Value>> now =
        advanceToNow(b, odes, lastField, index[get.getField()], t);
    if (failed(now))
      return failure();
    get.replaceAllUsesWith(now->front());
    get.erase();
  }
  for (Block *block : writers)
    if (failed(catchUp(odes, *block, lastField)))
      return failure();
  return success();
}

struct LazyEventTracesPass
    : public mlir::hebb::impl::HebbLazyEventTracesBase<LazyEventTracesPass> {
  void runOnOperation() override {
    SmallVector<ProjectionOp> projections;
    getOperation()->walk([&](ProjectionOp p) { projections.push_back(p); });
    for (ProjectionOp proj : projections)
      if (failed(lowerProjection(proj)))
        return signalPassFailure();
  }

  LogicalResult lowerProjection(ProjectionOp proj) {
    // One system per scope shares one lastupdate field.
    llvm::StringMap<OdesOp> systems;
    for (auto odes : proj.getBody().front().getOps<OdesOp>()) {
      if (!llvm::all_of(odes.getMethods(), [](Attribute m) {
            return cast<StringAttr>(m).getValue() == "event";
          }))
        continue;
      FailureOr<StringRef> scope = systemScope(proj, odes);
      if (failed(scope))
        return failure();
      if (*scope == "proj")
        return odes.emitOpError("': event' equations of '@proj' state are "
                                "not supported; drop ': event'");
      if (failed(checkClosedForm(odes)))
        return failure();
      if (!systems.try_emplace(*scope, odes).second)
        return odes.emitOpError("a projection keeps the event equations of "
                                "one scope in one hebb.odes");
    }
    for (StringRef scope : {"element", "pre", "post"}) {
      OdesOp odes = systems.lookup(scope);
      if (!odes)
        continue;
      OpBuilder b(&proj.getBody().front(), proj.getBody().front().begin());
      FieldOp::create(b, proj.getLoc(), lastUpdateField(scope), b.getF64Type(),
                      scope, false, false);
      if (scope == "element") {
        for (Operation &op : proj.getBody().front())
          if (isa<OnPreOp, OnPostOp>(op) &&
              failed(catchUp(odes, op.getRegion(0).front(), "lastupdate")))
            return failure();
      } else if (failed(lowerNeuronTraces(proj, odes, scope))) {
        return failure();
      }
      odes.erase();
    }
    return success();
  }
};
} // namespace
