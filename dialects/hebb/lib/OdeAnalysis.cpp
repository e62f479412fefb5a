//===- OdeAnalysis.cpp - Differentiating ODE right sides ------------------===//

#include "OdeAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::hebb;

RhsEvaluation mlir::hebb::evaluateRhs(OpBuilder &builder, OdesOp odes,
                                      ValueRange state) {
  RhsEvaluation eval;
  IRMapping mapping;
  Block &body = odes.getBody().front();
  for (auto [arg, value] : llvm::zip(body.getArguments(), state))
    mapping.map(arg, value);
  for (Operation &op : body.without_terminator())
    eval.ops.push_back(builder.clone(op, mapping));
  for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
    eval.rhs.push_back(mapping.lookupOrDefault(v));
  return eval;
}

namespace {
/// Forward-mode differentiation: d[v] is dv/dseed, or null for zero.
class Differentiator {
public:
  Differentiator(OpBuilder &b, Value seed) : b(b) {
    d[seed] = constant(seed.getType(), 1.0, seed.getLoc());
  }

  LogicalResult run(ArrayRef<Operation *> ops) {
    for (Operation *op : ops)
      if (failed(visit(op)))
        return failure();
    return success();
  }

  Value get(Value v) const { return d.lookup(v); }

private:
  OpBuilder &b;
  llvm::DenseMap<Value, Value> d;

  Value constant(Type t, double v, Location loc) {
    return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
  }
  Value add(Value x, Value y, Location l) {
    if (!x)
      return y;
    if (!y)
      return x;
    return arith::AddFOp::create(b, l, x, y);
  }
  Value mul(Value x, Value y, Location l) {
    if (!x || !y)
      return nullptr;
    return arith::MulFOp::create(b, l, x, y);
  }
  Value neg(Value x, Location l) {
    return x ? arith::NegFOp::create(b, l, x).getResult() : Value();
  }

  LogicalResult visit(Operation *op) {
    if (op->getNumResults() != 1)
      return success(llvm::none_of(op->getOperands(),
                                   [&](Value v) { return d.count(v); }));
    Value r = op->getResult(0);
    Location l = op->getLoc();
    bool anyNonZero = llvm::any_of(op->getOperands(),
                                   [&](Value v) { return (bool)d.lookup(v); });
    if (!anyNonZero)
      return success(); // derivative zero
    auto dx = [&](unsigned i) { return d.lookup(op->getOperand(i)); };
    auto x = [&](unsigned i) { return op->getOperand(i); };
    Value out;
    if (isa<arith::AddFOp>(op)) {
      out = add(dx(0), dx(1), l);
    } else if (isa<arith::SubFOp>(op)) {
      out = add(dx(0), neg(dx(1), l), l);
    } else if (isa<arith::NegFOp>(op)) {
      out = neg(dx(0), l);
    } else if (isa<arith::MulFOp>(op)) {
      out = add(mul(dx(0), x(1), l), mul(x(0), dx(1), l), l);
    } else if (isa<arith::DivFOp>(op)) {
      // (a/b)' = a'/b - a b' / b^2
      Value t0 = dx(0) ? arith::DivFOp::create(b, l, dx(0), x(1)).getResult()
                       : Value();
      Value t1;
      if (dx(1)) {
        Value q = arith::DivFOp::create(b, l, r, x(1));
        t1 = neg(mul(q, dx(1), l), l);
      }
      out = add(t0, t1, l);
    } else if (isa<math::ExpOp>(op)) {
      out = mul(r, dx(0), l);
    } else if (isa<math::LogOp>(op)) {
      out = arith::DivFOp::create(b, l, dx(0), x(0));
    } else if (isa<math::SqrtOp>(op)) {
      Value twice = arith::AddFOp::create(b, l, r, r);
      out = arith::DivFOp::create(b, l, dx(0), twice);
    } else if (isa<math::TanhOp>(op)) {
      Value one = constant(r.getType(), 1.0, l);
      Value sq = arith::MulFOp::create(b, l, r, r);
      out = mul(arith::SubFOp::create(b, l, one, sq), dx(0), l);
    } else if (isa<math::SinOp>(op)) {
      out = mul(math::CosOp::create(b, l, x(0)), dx(0), l);
    } else if (isa<math::CosOp>(op)) {
      out = neg(mul(math::SinOp::create(b, l, x(0)), dx(0), l), l);
    } else if (isa<math::AbsFOp>(op)) {
      Value zero = constant(r.getType(), 0.0, l);
      Value negative =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x(0), zero);
      out = arith::SelectOp::create(b, l, negative, neg(dx(0), l), dx(0));
    } else if (auto pow = dyn_cast<math::PowFOp>(op)) {
      if (dx(1))
        return failure(); // a variable exponent: not a case we integrate
      Value one = constant(r.getType(), 1.0, l);
      Value em1 = arith::SubFOp::create(b, l, x(1), one);
      Value p = math::PowFOp::create(b, l, x(0), em1);
      out = mul(mul(x(1), p, l), dx(0), l);
    } else if (isa<arith::SelectOp>(op)) {
      Type t = r.getType();
      Value a = dx(1) ? dx(1) : constant(t, 0.0, l);
      Value c = dx(2) ? dx(2) : constant(t, 0.0, l);
      out = arith::SelectOp::create(b, l, x(0), a, c);
    } else if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      Type t = r.getType();
      auto pred = isa<arith::MaximumFOp>(op) ? arith::CmpFPredicate::OGE
                                             : arith::CmpFPredicate::OLE;
      Value first = arith::CmpFOp::create(b, l, pred, x(0), x(1));
      Value a = dx(0) ? dx(0) : constant(t, 0.0, l);
      Value c = dx(1) ? dx(1) : constant(t, 0.0, l);
      out = arith::SelectOp::create(b, l, first, a, c);
    } else if (isa<math::FloorOp, math::CeilOp, arith::CmpFOp>(op)) {
      out = nullptr; // piecewise constant
    } else if (isa<arith::TruncFOp>(op)) {
      out = arith::TruncFOp::create(b, l, r.getType(), dx(0));
    } else if (isa<arith::ExtFOp>(op)) {
      out = arith::ExtFOp::create(b, l, r.getType(), dx(0));
    } else {
      return failure();
    }
    if (out)
      d[r] = out;
    return success();
  }
};
} // namespace

FailureOr<SmallVector<Value>>
mlir::hebb::differentiate(OpBuilder &builder, const RhsEvaluation &eval,
                          Value seed) {
  Differentiator diff(builder, seed);
  if (failed(diff.run(eval.ops)))
    return failure();
  SmallVector<Value> result;
  for (Value v : eval.rhs)
    result.push_back(v == seed ? diff.get(seed) : diff.get(v));
  return result;
}

bool mlir::hebb::dependsOnAny(Value value,
                              const llvm::DenseSet<Value> &leaves) {
  SmallVector<Value> work{value};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!v || !seen.insert(v).second)
      continue;
    if (leaves.contains(v))
      return true;
    if (Operation *def = v.getDefiningOp())
      for (Value operand : def->getOperands())
        work.push_back(operand);
  }
  return false;
}

static bool onlyReads(Value value, bool allowSignals) {
  SmallVector<Value> work{value};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!v || !seen.insert(v).second)
      continue;
    Operation *def = v.getDefiningOp();
    if (!def)
      return false; // a block argument: per-element state
    if (isa<GetOp, RandOp, PoissonOp, IndexOp, TimeOp>(def) ||
        (!allowSignals && isa<SignalOp>(def)))
      return false;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  return true;
}

bool mlir::hebb::isElementInvariant(Value value) {
  return onlyReads(value, /*allowSignals=*/true);
}

bool mlir::hebb::isTimeInvariant(Value value) {
  return onlyReads(value, /*allowSignals=*/false);
}

static std::string formatNumber(double v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%g", v);
  return text;
}

static std::string formatRec(Value value, int depth) {
  if (depth > 64)
    return "...";
  Operation *def = value.getDefiningOp();
  if (!def) {
    // A variable of a hebb.odes system.
    auto arg = cast<BlockArgument>(value);
    if (auto odes = dyn_cast<OdesOp>(arg.getOwner()->getParentOp()))
      return cast<StringAttr>(odes.getVars()[arg.getArgNumber()])
          .getValue()
          .str();
    return "?";
  }
  auto operand = [&](unsigned i) {
    return formatRec(def->getOperand(i), depth + 1);
  };
  auto binary = [&](StringRef op) {
    return "(" + operand(0) + " " + op.str() + " " + operand(1) + ")";
  };
  if (auto c = dyn_cast<arith::ConstantOp>(def)) {
    if (auto f = dyn_cast<FloatAttr>(c.getValue()))
      return formatNumber(f.getValueAsDouble());
    return "const";
  }
  if (auto get = dyn_cast<GetOp>(def))
    return get.getScope() == "self"
               ? get.getField().str()
               : (get.getScope() + "." + get.getField()).str();
  if (auto param = dyn_cast<ParamGetOp>(def))
    return param.getParam().str();
  if (auto signal = dyn_cast<SignalOp>(def))
    return signal.getName().str();
  if (isa<DtOp>(def))
    return "dt";
  if (isa<TimeOp>(def))
    return "t";
  if (auto index = dyn_cast<IndexOp>(def))
    return index.getScope() == "self" ? "index"
                                      : (index.getScope() + ".index").str();
  if (auto rand = dyn_cast<RandOp>(def))
    return rand.getDistribution() == "uniform" ? "rand()" : "randn()";
  if (isa<PoissonOp>(def))
    return "poisson(" + operand(0) + ")";
  if (isa<arith::AddFOp>(def))
    return binary("+");
  if (isa<arith::SubFOp>(def))
    return binary("-");
  if (isa<arith::MulFOp>(def))
    return binary("*");
  if (isa<arith::DivFOp>(def))
    return binary("/");
  if (isa<arith::NegFOp>(def))
    return "-" + operand(0);
  if (isa<arith::ExtFOp, arith::TruncFOp>(def))
    return operand(0);
  if (isa<arith::MaximumFOp>(def))
    return "max(" + operand(0) + ", " + operand(1) + ")";
  if (isa<arith::MinimumFOp>(def))
    return "min(" + operand(0) + ", " + operand(1) + ")";
  if (isa<arith::SelectOp>(def))
    return "(" + operand(0) + " ? " + operand(1) + " : " + operand(2) + ")";
  if (auto cmp = dyn_cast<arith::CmpFOp>(def))
    return "(" + operand(0) + " " +
           arith::stringifyCmpFPredicate(cmp.getPredicate()).str() + " " +
           operand(1) + ")";
  if (isa<math::PowFOp>(def))
    return binary("^");
  if (def->getDialect() && def->getDialect()->getNamespace() == "math" &&
      def->getNumOperands() == 1)
    return def->getName().stripDialect().str() + "(" + operand(0) + ")";
  return def->getName().getStringRef().str();
}

std::string mlir::hebb::formatValue(Value value) { return formatRec(value, 0); }
