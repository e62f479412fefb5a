//===- IntegrateOdes.cpp - Discrete updates of hebb.odes ------------------===//
//
// Each hebb.odes op becomes the update of one step, written with hebb.set
// after every new value is computed from the state at the start of the step.
//
//   exact      x' = M x + c with M and c constant over the step: x_new =
//              Phi x + Gamma c from exp([[M, I], [0, 0]] dt), by scaling and
//              squaring in f64; decoupled equations use the closed form
//              x + f dt (e^(a dt) - 1) / (a dt).
//   exp_euler  each x_i' = a_i x_i + b_i with a_i, b_i frozen over the step:
//              the same closed form per equation.
//   euler, rk2 (midpoint), rk4: the explicit Runge-Kutta schemes.
//
//===----------------------------------------------------------------------===//

#include "OdeAnalysis.h"
#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBINTEGRATEODES
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;
using namespace mlir::hebb;

namespace {

/// Squarings and Taylor terms of the matrix exponential: near f64 rounding
/// for the usual ||M dt|| < 1, and about 1e-8 relative (still below f32
/// rounding) for stiff systems up to ||M dt|| of about 10^3.
constexpr int kExpSquarings = 12;
constexpr int kExpTaylorTerms = 8;

class OdeIntegrator {
public:
  OdeIntegrator(OpBuilder &b, OdesOp odes, bool explain)
      : b(b), odes(odes), l(odes.getLoc()), explain(explain) {}

  LogicalResult run() {
    Block &body = odes.getBody().front();
    unsigned n = body.getNumArguments();
    ft = cast<FloatType>(body.getArgument(0).getType());
    b.setInsertionPoint(odes);
    for (unsigned i = 0; i < n; ++i)
      x.push_back(GetOp::create(b, l, ft, "self", varName(i)));
    dt = DtOp::create(b, l, ft);
    RhsEvaluation f0 = evaluateRhs(b, odes, x);

    // The Jacobian, column by column; null entries are zero.
    llvm::DenseSet<Value> stateLeaves(x.begin(), x.end());
    bool differentiable = true;
    jac.assign(n, SmallVector<Value>(n));
    for (unsigned j = 0; j < n; ++j) {
      FailureOr<SmallVector<Value>> col = differentiate(b, f0, x[j]);
      if (failed(col)) {
        differentiable = false;
        break;
      }
      for (unsigned i = 0; i < n; ++i)
        jac[i][j] = (*col)[i];
    }

    // Classify the equations whose method is `auto`, as one system.
    SmallVector<std::string> methods;
    for (Attribute m : odes.getMethods())
      methods.push_back(cast<StringAttr>(m).getValue().str());
    bool linear = differentiable, ownLinear = differentiable,
         invariant = differentiable;
    for (unsigned i = 0; i < n && differentiable; ++i) {
      if (methods[i] != "auto")
        continue;
      for (unsigned j = 0; j < n; ++j) {
        Value a = jac[i][j];
        if (!a)
          continue;
        if (dependsOnAny(a, stateLeaves))
          linear = false;
        if (!isElementInvariant(a))
          invariant = false;
      }
      if (jac[i][i] && dependsOnAny(jac[i][i], {x[i]}))
        ownLinear = false;
    }
    // A coupled linear system whose coefficients vary per element would
    // need a matrix exponential per element: exponential Euler is exact
    // enough there and far cheaper.
    bool coupled = false;
    for (unsigned i = 0; i < n; ++i)
      for (unsigned j = 0; j < n; ++j)
        if (i != j && methods[i] == "auto" && methods[j] == "auto" && jac[i][j])
          coupled = true;
    bool exact = linear && (!coupled || invariant);
    for (unsigned i = 0; i < n; ++i) {
      if (methods[i] != "auto")
        continue;
      methods[i] = exact ? "exact" : ownLinear ? "exp_euler" : "rk4";
    }

    if (explain)
      explainMethods(methods, f0, linear, ownLinear, coupled);

    SmallVector<Value> next(n);
    SmallVector<unsigned> exactVars, rk2Vars, rk4Vars;
    for (unsigned i = 0; i < n; ++i) {
      const std::string &m = methods[i];
      if ((m == "exact" || m == "exp_euler") && !differentiable)
        return odes.emitOpError("cannot differentiate the right side of d")
               << varName(i) << "/dt to integrate it with '" << m
               << "'; use ': rk4'";
      if (m == "exact") {
        for (unsigned j = 0; j < n; ++j)
          if (jac[i][j] && dependsOnAny(jac[i][j], stateLeaves))
            return odes.emitOpError("d")
                   << varName(i) << "/dt is not linear in the integrated "
                   << "variables, so it cannot be integrated exactly; use "
                      "': exp_euler' or ': rk4'";
        exactVars.push_back(i);
      } else if (m == "exp_euler") {
        if (jac[i][i] && dependsOnAny(jac[i][i], {x[i]}))
          return odes.emitOpError("d")
                 << varName(i) << "/dt is not linear in " << varName(i)
                 << ", so exponential Euler does not apply; use ': rk4'";
        next[i] = closedForm(i, f0.rhs[i], jac[i][i]);
      } else if (m == "euler") {
        next[i] = arith::AddFOp::create(
            b, l, x[i], arith::MulFOp::create(b, l, dt, f0.rhs[i]));
      } else if (m == "rk2") {
        rk2Vars.push_back(i);
      } else if (m == "rk4") {
        rk4Vars.push_back(i);
      } else {
        return odes.emitOpError("cannot integrate method '") << m << "' here";
      }
    }
    if (!exactVars.empty())
      integrateExact(exactVars, f0, next);
    if (!rk2Vars.empty())
      integrateRungeKutta(rk2Vars, f0, next, /*order=*/2);
    if (!rk4Vars.empty())
      integrateRungeKutta(rk4Vars, f0, next, /*order=*/4);

    for (unsigned i = 0; i < n; ++i)
      SetOp::create(b, l, varName(i), next[i]);
    return success();
  }

private:
  OpBuilder &b;
  OdesOp odes;
  Location l;
  bool explain;

  /// A remark at each equation: the method, why, and the discrete update.
  void explainMethods(ArrayRef<std::string> methods, const RhsEvaluation &f0,
                      bool linear, bool ownLinear, bool coupled) {
    Operation *owner = odes->getParentOfType<PopulationOp>();
    if (!owner)
      owner = odes->getParentOfType<ProjectionOp>();
    std::string who;
    if (auto pop = dyn_cast_or_null<PopulationOp>(owner))
      who = (pop.getSymName() + " (" + pop.getModel() + ")").str();
    else if (auto proj = dyn_cast_or_null<ProjectionOp>(owner))
      who = (proj.getSymName() + " (" + proj.getModel() + ")").str();
    unsigned n = methods.size();
    for (unsigned i = 0; i < n; ++i) {
      std::string x = varName(i), rhs = formatValue(f0.rhs[i]);
      std::string a = jac[i][i] ? formatValue(jac[i][i]) : "0";
      std::string why, update;
      const std::string &m = methods[i];
      bool automatic =
          cast<StringAttr>(odes.getMethods()[i]).getValue() == "auto";
      if (m == "exact") {
        why = automatic ? "exact, since the system is linear with constant "
                          "coefficients"
                        : "exact, as asked";
        bool mine = false;
        for (unsigned j = 0; j < n; ++j)
          mine |= j != i && jac[i][j] && methods[j] == "exact";
        if (coupled && mine) {
          std::string row;
          for (unsigned j = 0; j < n; ++j)
            if (methods[j] == "exact")
              row += (row.empty() ? "" : ", ") + varName(j) + ": " +
                     (jac[i][j] ? formatValue(jac[i][j]) : "0");
          update = x + " <- (Phi x + Gamma f(0))_" + x +
                   " with [[Phi, Gamma], [0, I]] = exp([[M, I], [0, 0]] dt), "
                   "row " +
                   x + " of M = {" + row + "}";
        } else {
          update =
              x + " <- " + x + " + f dt (exp(a dt) - 1) / (a dt), a = " + a;
        }
      } else if (m == "exp_euler") {
        why = automatic ? std::string(linear ? ""
                                             : "the system is not "
                                               "linear, but ") +
                              "each equation is linear in its own variable: "
                              "exponential Euler"
                        : "exponential Euler, as asked";
        update = x + " <- " + x + " + f dt (exp(a dt) - 1) / (a dt), a = " + a +
                 ", frozen at the start of the step";
      } else if (m == "euler") {
        why = "explicit Euler, as asked";
        update = x + " <- " + x + " + dt f";
      } else if (m == "rk2") {
        why = "second-order Runge-Kutta (midpoint), as asked";
        update = x + " <- " + x + " + dt f(" + x + " + dt/2 f)";
      } else {
        why = automatic ? std::string(ownLinear ? ""
                                                : "an equation is "
                                                  "not linear in its "
                                                  "own variable: ") +
                              "classical Runge-Kutta (RK4)"
                        : "classical Runge-Kutta (RK4), as asked";
        update = x + " <- " + x + " + dt/6 (k1 + 2 k2 + 2 k3 + k4)";
      }
      mlir::emitRemark(odes.getBody().front().getArgument(i).getLoc())
          << who << ": d" << x << "/dt = " << rhs << "; " << why << "; "
          << update;
    }
  }
  FloatType ft;
  SmallVector<Value> x;
  Value dt;
  SmallVector<SmallVector<Value>> jac;

  std::string varName(unsigned i) {
    return cast<StringAttr>(odes.getVars()[i]).getValue().str();
  }

  Value constant(Type t, double v) {
    return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, v));
  }

  /// p q + acc, marked contractible to one fused multiply-add; a null p or
  /// q is a zero term, a null acc none.
  Value fusedMulAdd(Value p, Value q, Value acc) {
    if (!p || !q)
      return acc;
    auto contract = arith::FastMathFlags::contract;
    Value prod = arith::MulFOp::create(b, l, p, q, contract);
    return acc ? arith::AddFOp::create(b, l, prod, acc, contract).getResult()
               : prod;
  }

  /// x + f dt phi(a dt), phi(z) = (e^z - 1) / z with phi(0) = 1: exact for
  /// x' = a x + b with a, b constant over the step. With b = f at x = 0 and
  /// P = dt phi(a dt), it is applied as x + (a x + b) P, or, where a (so P)
  /// is the same for every element, as x + ((a P) x + P b): two fused
  /// multiply-adds per element (a decaying trace's is one).
  Value closedForm(unsigned i, Value fi, Value a) {
    Value xi = x[i];
    if (!a)
      return arith::AddFOp::create(b, l, xi,
                                   arith::MulFOp::create(b, l, fi, dt));
    Value z = arith::MulFOp::create(b, l, a, dt);
    Value zero = constant(ft, 0.0);
    // P = (e^z - 1) / a, and dt at z = 0, where the quotient is 0/0 and is
    // not used.
    Value isZero =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, z, zero);
    Value em1 = math::ExpM1Op::create(b, l, z);
    Value p = arith::SelectOp::create(b, l, isZero, dt,
                                      arith::DivFOp::create(b, l, em1, a));
    SmallVector<Value> atZero(x.begin(), x.end());
    atZero[i] = zero;
    Value bi = evaluateRhs(b, odes, atZero).rhs[i];
    Value inc;
    if (isElementInvariant(a)) {
      Value ap = arith::MulFOp::create(b, l, a, p);
      Value pb = fusedMulAdd(p, bi, Value());
      inc = fusedMulAdd(ap, xi, pb);
    } else {
      inc = arith::MulFOp::create(b, l, fusedMulAdd(a, xi, bi), p);
    }
    return arith::AddFOp::create(b, l, xi, inc);
  }

  void integrateExact(ArrayRef<unsigned> vars, const RhsEvaluation &f0,
                      SmallVector<Value> &next) {
    bool coupled = false;
    for (unsigned i : vars)
      for (unsigned j : vars)
        if (i != j && jac[i][j])
          coupled = true;
    if (!coupled) {
      for (unsigned i : vars)
        next[i] = closedForm(i, f0.rhs[i], jac[i][i]);
      return;
    }
    matrixExponential(vars, f0, next);
  }

  /// The exact step of x' = M x + c with M and c constant over the step:
  /// exp([[M, I], [0, 0]] dt) = [[Phi, Gamma], [0, I]], then
  /// x_new = Phi x + Gamma c with c = f(0), the constant part of f. Phi and
  /// Gamma depend on M alone, so where M is the same for every element (the
  /// usual case) the whole matrix exponential, computed in f64 by scaling
  /// and squaring, is hoisted out of the element loop.
  void matrixExponential(ArrayRef<unsigned> vars, const RhsEvaluation &f0,
                         SmallVector<Value> &next) {
    Type f64 = b.getF64Type();
    auto widen = [&](Value v) -> Value {
      if (!v || v.getType() == f64)
        return v;
      return arith::ExtFOp::create(b, l, f64, v);
    };
    unsigned n = vars.size(), m = 2 * n;
    using Mat = SmallVector<SmallVector<Value>>;
    auto mulAdd = [&](Value acc, Value p, Value q) -> Value {
      if (!p || !q)
        return acc;
      Value prod = arith::MulFOp::create(b, l, p, q);
      return acc ? arith::AddFOp::create(b, l, acc, prod).getResult() : prod;
    };
    auto matMul = [&](const Mat &p, const Mat &q) {
      Mat r(m, SmallVector<Value>(m));
      for (unsigned i = 0; i < m; ++i)
        for (unsigned j = 0; j < m; ++j)
          for (unsigned k = 0; k < m; ++k)
            r[i][j] = mulAdd(r[i][j], p[i][k], q[k][j]);
      return r;
    };
    Value dt64 = widen(dt);
    Value scale = constant(f64, std::ldexp(1.0, -kExpSquarings));
    Value h = arith::MulFOp::create(b, l, dt64, scale);
    Mat a(m, SmallVector<Value>(m));
    for (unsigned r = 0; r < n; ++r) {
      for (unsigned s = 0; s < n; ++s)
        if (Value mij = widen(jac[vars[r]][vars[s]]))
          a[r][s] = arith::MulFOp::create(b, l, mij, h);
      a[r][n + r] = h;
    }
    // Work with F = E - I rather than E: for a small step E is close to I,
    // and squaring I + F in floating point would lose F's low bits at
    // every squaring. Taylor by Horner: F = A (I + A/2 (I + A/3 (...))),
    // then (I + F)^2 - I = 2F + F F.
    Value one = constant(f64, 1.0), two = constant(f64, 2.0);
    Mat p(m, SmallVector<Value>(m));
    for (unsigned i = 0; i < m; ++i)
      p[i][i] = one;
    for (int k = kExpTaylorTerms; k >= 2; --k) {
      Mat ap = matMul(a, p);
      Value inv = constant(f64, 1.0 / k);
      Mat t(m, SmallVector<Value>(m));
      for (unsigned i = 0; i < m; ++i)
        for (unsigned j = 0; j < m; ++j) {
          Value v = ap[i][j]
                        ? arith::MulFOp::create(b, l, ap[i][j], inv).getResult()
                        : Value();
          if (i == j)
            v = v ? arith::AddFOp::create(b, l, v, one).getResult() : one;
          t[i][j] = v;
        }
      p = t;
    }
    Mat f = matMul(a, p);
    for (int s = 0; s < kExpSquarings; ++s) {
      Mat ff = matMul(f, f);
      for (unsigned i = 0; i < m; ++i)
        for (unsigned j = 0; j < m; ++j) {
          Value twice =
              f[i][j] ? arith::MulFOp::create(b, l, f[i][j], two).getResult()
                      : Value();
          f[i][j] =
              !twice ? ff[i][j]
              : ff[i][j]
                  ? arith::AddFOp::create(b, l, twice, ff[i][j]).getResult()
                  : twice;
        }
    }
    // Per element, in the state's precision: c = f at x = 0 (f is affine in
    // x), then x_new = x + (Gamma c + (Phi - I) x). Where c is the same for
    // every element, Gamma c is too and leaves the loop; the rest is a few
    // fused multiply-adds per variable.
    SmallVector<Value> atZero(x.begin(), x.end());
    for (unsigned s : vars)
      atZero[s] = constant(ft, 0.0);
    RhsEvaluation fz = evaluateRhs(b, odes, atZero);
    auto narrow = [&](Value v) -> Value {
      if (!v || v.getType() == ft)
        return v;
      return arith::TruncFOp::create(b, l, ft, v);
    };
    for (unsigned r = 0; r < n; ++r) {
      Value acc;
      for (unsigned s = 0; s < n; ++s)
        acc = fusedMulAdd(narrow(f[r][n + s]), fz.rhs[vars[s]], acc);
      for (unsigned s = 0; s < n; ++s)
        acc = fusedMulAdd(narrow(f[r][s]), x[vars[s]], acc);
      Value xr = x[vars[r]];
      next[vars[r]] =
          acc ? arith::AddFOp::create(b, l, xr, acc).getResult() : xr;
    }
  }

  void integrateRungeKutta(ArrayRef<unsigned> vars, const RhsEvaluation &f0,
                           SmallVector<Value> &next, int order) {
    auto stateAt = [&](ArrayRef<Value> k, Value factor) {
      SmallVector<Value> s(x.begin(), x.end());
      for (auto [r, i] : llvm::enumerate(vars)) {
        Value step = arith::MulFOp::create(b, l, factor, k[r]);
        s[i] = arith::AddFOp::create(b, l, x[i], step);
      }
      return s;
    };
    auto rhsOf = [&](const RhsEvaluation &e) {
      SmallVector<Value> k;
      for (unsigned i : vars)
        k.push_back(e.rhs[i]);
      return k;
    };
    Value half = arith::MulFOp::create(b, l, dt, constant(ft, 0.5));
    SmallVector<Value> k1 = rhsOf(f0);
    if (order == 2) {
      SmallVector<Value> k2 = rhsOf(evaluateRhs(b, odes, stateAt(k1, half)));
      for (auto [r, i] : llvm::enumerate(vars))
        next[i] = arith::AddFOp::create(b, l, x[i],
                                        arith::MulFOp::create(b, l, dt, k2[r]));
      return;
    }
    SmallVector<Value> k2 = rhsOf(evaluateRhs(b, odes, stateAt(k1, half)));
    SmallVector<Value> k3 = rhsOf(evaluateRhs(b, odes, stateAt(k2, half)));
    SmallVector<Value> k4 = rhsOf(evaluateRhs(b, odes, stateAt(k3, dt)));
    Value two = constant(ft, 2.0);
    Value sixth = arith::DivFOp::create(b, l, dt, constant(ft, 6.0));
    for (auto [r, i] : llvm::enumerate(vars)) {
      Value sum = arith::AddFOp::create(
          b, l, k1[r], arith::MulFOp::create(b, l, two, k2[r]));
      sum = arith::AddFOp::create(b, l, sum,
                                  arith::MulFOp::create(b, l, two, k3[r]));
      sum = arith::AddFOp::create(b, l, sum, k4[r]);
      next[i] = arith::AddFOp::create(b, l, x[i],
                                      arith::MulFOp::create(b, l, sixth, sum));
    }
  }
};

/// `: event` equations are left to hebb-lazy-event-traces; say so.
void explainEvents(OdesOp odes) {
  auto proj = odes->getParentOfType<ProjectionOp>();
  std::string who =
      proj ? (proj.getSymName() + " (" + proj.getModel() + ")").str() : "";
  Block &body = odes.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  for (unsigned i = 0; i < body.getNumArguments(); ++i) {
    std::string x = cast<StringAttr>(odes.getVars()[i]).getValue().str();
    mlir::emitRemark(body.getArgument(i).getLoc())
        << who << ": d" << x << "/dt = " << formatValue(yield.getValues()[i])
        << "; event-driven: not stepped, but brought up to date exactly "
           "when a spike handler runs, over the time T since the synapse's "
           "last event; "
        << x << " <- " << x << " exp(a T) + b T (exp(a T) - 1) / (a T) for d"
        << x << "/dt = a " << x << " + b";
  }
}

struct IntegrateOdesPass
    : public mlir::hebb::impl::HebbIntegrateOdesBase<IntegrateOdesPass> {
  using HebbIntegrateOdesBase::HebbIntegrateOdesBase;

  void runOnOperation() override {
    SmallVector<OdesOp> systems;
    getOperation()->walk([&](OdesOp op) { systems.push_back(op); });
    for (OdesOp op : systems) {
      bool allEvent = llvm::all_of(op.getMethods(), [](Attribute m) {
        return cast<StringAttr>(m).getValue() == "event";
      });
      if (allEvent) {
        if (explain)
          explainEvents(op);
        continue;
      }
      OpBuilder b(op);
      OdeIntegrator integrator(b, op, explain);
      if (failed(integrator.run()))
        return signalPassFailure();
      op.erase();
    }
  }
};
} // namespace
