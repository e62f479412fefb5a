//===- MLIRGen.cpp - AST and network plan to the hebb dialect -------------===//
//
// Expressions become arith/math ops on scalars inside the stage regions of
// hebb.population and hebb.projection, so every pass sees the per-element
// body of a rule. Quantities are converted to SI here.
//
//===----------------------------------------------------------------------===//

#include "hebb/CodeGen/MLIRGen.h"
#include "hebb/Dialect/HebbOps.h"
#include "hebb/Dialect/Passes.h"
#include "hebb/Frontend/Units.h"
#include "hebb/runtime/Network.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <cmath>
#include <functional>
#include <set>
#include <string_view>

using namespace hebb;
using mlir::Value;

void hebb::registerHebbDialects(mlir::MLIRContext &context) {
  context.getOrLoadDialect<mlir::hebb::HebbDialect>();
  context.getOrLoadDialect<mlir::arith::ArithDialect>();
  context.getOrLoadDialect<mlir::math::MathDialect>();
  context.getOrLoadDialect<mlir::func::FuncDialect>();
  context.getOrLoadDialect<mlir::scf::SCFDialect>();
  context.getOrLoadDialect<mlir::memref::MemRefDialect>();
  context.getOrLoadDialect<mlir::vector::VectorDialect>();
  context.getOrLoadDialect<mlir::LLVM::LLVMDialect>();
}

namespace {

/// What a name means inside the model being generated.
struct GenScope {
  const ast::Model *model = nullptr;
  const ModelInstance *instance = nullptr;
  std::set<std::string> params, vars, inputs, signals;
  std::map<std::string, std::string> nameParams; // synapse: param -> bound
  /// The network's parameters, which `init` expressions may read (in SI).
  std::map<std::string, double> networkParams;
  /// In a hebb.odes region, the integrated variables are block arguments.
  std::map<std::string, Value> odeArgs;
  /// Arguments of an inlined func.
  std::map<std::string, Value> locals;
  /// Constraints of the model, applied to every assignment.
  std::map<std::string, const ast::Constraint *> constraints;
  bool isInit = false;
  bool hasSignField = false;
  /// Reductions (sum_in, min_out, cumsum_in, ...) computed by a hebb.reduce
  /// before the statement: the hidden fields holding the result and, for a
  /// mean, the count.
  struct ReductionFields {
    std::string value, count;
  };
  std::map<const ast::Expr *, ReductionFields> reductions;
};

class ModelGen {
public:
  ModelGen(mlir::OpBuilder &builder, Sema &sema, mlir::FloatType floatType,
           GenScope &scope)
      : b(builder), sema(sema), ft(floatType), scope(scope) {}

  /// Statements of a block, at the builder's insertion point.
  bool genBlock(const ast::Block &block) {
    for (const ast::StmtPtr &s : block)
      if (!genStmt(*s))
        return false;
    return true;
  }

  Value genExpr(const ast::Expr &e);

  /// Restarts draw numbering: each stage region numbers its own draws.
  void resetDraws() { draws = 0; }

  mlir::Location loc(ast::Loc l) {
    return mlir::FileLineColLoc::get(
        b.getStringAttr(sema.sourceManager().path(l.file)), l.line, l.col);
  }

  Value constant(double v, ast::Loc l) {
    return mlir::arith::ConstantOp::create(b, loc(l), ft,
                                           b.getFloatAttr(ft, v));
  }

  Value getVar(const std::string &name, ast::Loc l) {
    auto arg = scope.odeArgs.find(name);
    if (arg != scope.odeArgs.end())
      return arg->second;
    return mlir::hebb::GetOp::create(b, loc(l), ft, "self", name);
  }

  /// Writes `value` to `name`, applying the model's constraints.
  void setVar(const std::string &name, Value value, ast::Loc l);

private:
  mlir::OpBuilder &b;
  Sema &sema;
  mlir::FloatType ft;
  GenScope &scope;
  int32_t draws = 0;

  bool genStmt(const ast::Stmt &s);
  Value genCall(const ast::Expr &e);
  Value genBinary(const ast::Expr &e);
  Value clip(Value x, Value lo, Value hi, mlir::Location l) {
    Value m = mlir::arith::MaximumFOp::create(b, l, x, lo);
    return mlir::arith::MinimumFOp::create(b, l, m, hi);
  }
};

void ModelGen::setVar(const std::string &name, Value value, ast::Loc l) {
  auto c = scope.constraints.find(name);
  if (c != scope.constraints.end()) {
    const ast::Constraint &con = *c->second;
    mlir::Location ml = loc(con.loc);
    if (con.sign) {
      // Stop at zero rather than cross it: the sign of the initial value is
      // kept in a hidden field set by the init stage.
      Value s0 = mlir::hebb::GetOp::create(b, ml, ft, "self", "__sign_" + name);
      Value zero = constant(0, con.loc);
      Value pos = mlir::arith::CmpFOp::create(
          b, ml, mlir::arith::CmpFPredicate::OGT, s0, zero);
      Value neg = mlir::arith::CmpFOp::create(
          b, ml, mlir::arith::CmpFPredicate::OLT, s0, zero);
      Value up = mlir::arith::MaximumFOp::create(b, ml, value, zero);
      Value down = mlir::arith::MinimumFOp::create(b, ml, value, zero);
      value = mlir::arith::SelectOp::create(
          b, ml, pos, up,
          mlir::arith::SelectOp::create(b, ml, neg, down, value));
    } else {
      value = clip(value, genExpr(*con.lo), genExpr(*con.hi), ml);
    }
  }
  mlir::hebb::SetOp::create(b, loc(l), name, value);
}

bool ModelGen::genStmt(const ast::Stmt &s) {
  mlir::Location l = loc(s.loc);
  if (s.kind == ast::StmtKind::If) {
    Value cond = genExpr(*s.cond);
    if (!cond)
      return false;
    auto ifOp = mlir::scf::IfOp::create(b, l, cond, /*withElse=*/
                                        !s.elseBody.empty());
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    if (!genBlock(s.thenBody))
      return false;
    if (!s.elseBody.empty()) {
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      if (!genBlock(s.elseBody))
        return false;
    }
    return true;
  }
  Value value = genExpr(*s.value);
  if (!value)
    return false;
  const ast::Expr &target = *s.target;
  if (target.kind == ast::ExprKind::Member) {
    // post.x += e (checked by Sema); a name-valued parameter is resolved.
    std::string field = target.member;
    auto bound = scope.nameParams.find(field);
    if (bound != scope.nameParams.end())
      field = bound->second;
    if (s.op == "-=")
      value = mlir::arith::NegFOp::create(b, l, value);
    mlir::hebb::AccumulateOp::create(b, l, field, value);
    return true;
  }
  const std::string &name = target.name;
  if (s.op != "=") {
    Value old = getVar(name, target.loc);
    if (s.op == "+=")
      value = mlir::arith::AddFOp::create(b, l, old, value);
    else if (s.op == "-=")
      value = mlir::arith::SubFOp::create(b, l, old, value);
    else if (s.op == "*=")
      value = mlir::arith::MulFOp::create(b, l, old, value);
    else if (s.op == "/=")
      value = mlir::arith::DivFOp::create(b, l, old, value);
  }
  setVar(name, value, s.loc);
  return true;
}

Value ModelGen::genExpr(const ast::Expr &e) {
  mlir::Location l = loc(e.loc);
  switch (e.kind) {
  case ast::ExprKind::Number: {
    double scale = 1;
    if (!e.unit.empty()) {
      std::optional<Unit> u = evaluateUnit(e.unit, nullptr);
      scale = u ? u->scale : 1;
    }
    return constant(e.number * scale, e.loc);
  }
  case ast::ExprKind::Bool:
    return mlir::arith::ConstantOp::create(b, l, b.getI1Type(),
                                           b.getBoolAttr(e.boolean));
  case ast::ExprKind::String:
    return nullptr;
  case ast::ExprKind::Name: {
    auto local = scope.locals.find(e.name);
    if (local != scope.locals.end())
      return local->second;
    if (e.name == "t") {
      Value t = mlir::hebb::TimeOp::create(b, l, b.getF64Type());
      return ft.isF64() ? t : mlir::arith::TruncFOp::create(b, l, ft, t);
    }
    if (e.name == "dt")
      return mlir::hebb::DtOp::create(b, l, ft);
    if (e.name == "index")
      return mlir::hebb::IndexOp::create(b, l, ft, "self");
    if (e.name == "N" && scope.isInit && !scope.params.count("N"))
      return mlir::hebb::SizeOp::create(b, l, ft);
    if (scope.params.count(e.name))
      return mlir::hebb::ParamGetOp::create(
          b, l, ft, mlir::FlatSymbolRefAttr::get(b.getContext(), e.name));
    if (scope.signals.count(e.name))
      return mlir::hebb::SignalOp::create(b, l, ft, e.name);
    if (scope.isInit && !scope.vars.count(e.name)) {
      auto network = scope.networkParams.find(e.name);
      if (network != scope.networkParams.end())
        return constant(network->second, e.loc);
    }
    return getVar(e.name, e.loc);
  }
  case ast::ExprKind::Member: {
    if (e.member == "index")
      return mlir::hebb::IndexOp::create(b, l, ft, e.name);
    std::string field = e.member;
    auto bound = scope.nameParams.find(field);
    if (e.name == "post" && bound != scope.nameParams.end())
      field = bound->second;
    return mlir::hebb::GetOp::create(b, l, ft, e.name, field);
  }
  case ast::ExprKind::Unary: {
    Value a = genExpr(*e.args[0]);
    if (!a)
      return nullptr;
    if (e.op == "-")
      return mlir::arith::NegFOp::create(b, l, a);
    if (e.op == "not") {
      Value one = mlir::arith::ConstantOp::create(b, l, b.getI1Type(),
                                                  b.getBoolAttr(true));
      return mlir::arith::XOrIOp::create(b, l, a, one);
    }
    return a;
  }
  case ast::ExprKind::Binary:
    return genBinary(e);
  case ast::ExprKind::Conditional: {
    Value c = genExpr(*e.args[0]);
    Value x = genExpr(*e.args[1]);
    Value y = genExpr(*e.args[2]);
    if (!c || !x || !y)
      return nullptr;
    return mlir::arith::SelectOp::create(b, l, c, x, y);
  }
  case ast::ExprKind::Call:
    return genCall(e);
  }
  return nullptr;
}

Value ModelGen::genBinary(const ast::Expr &e) {
  mlir::Location l = loc(e.loc);
  const std::string &op = e.op;
  Value x = genExpr(*e.args[0]);
  if (!x)
    return nullptr;
  // Small whole powers multiply out: x^2 is common in rules and cheap.
  if (op == "^") {
    const ast::Expr &rhs = *e.args[1];
    if (rhs.kind == ast::ExprKind::Number && rhs.unit.empty() &&
        rhs.number == std::floor(rhs.number) && rhs.number >= 1 &&
        rhs.number <= 4) {
      Value r = x;
      for (int i = 1; i < static_cast<int>(rhs.number); ++i)
        r = mlir::arith::MulFOp::create(b, l, r, x);
      return r;
    }
  }
  Value y = genExpr(*e.args[1]);
  if (!y)
    return nullptr;
  using P = mlir::arith::CmpFPredicate;
  if (op == "+")
    return mlir::arith::AddFOp::create(b, l, x, y);
  if (op == "-")
    return mlir::arith::SubFOp::create(b, l, x, y);
  if (op == "*")
    return mlir::arith::MulFOp::create(b, l, x, y);
  if (op == "/")
    return mlir::arith::DivFOp::create(b, l, x, y);
  if (op == "^")
    return mlir::math::PowFOp::create(b, l, x, y);
  if (op == "and")
    return mlir::arith::AndIOp::create(b, l, x, y);
  if (op == "or")
    return mlir::arith::OrIOp::create(b, l, x, y);
  P pred = op == "<"    ? P::OLT
           : op == "<=" ? P::OLE
           : op == ">"  ? P::OGT
           : op == ">=" ? P::OGE
           : op == "==" ? P::OEQ
                        : P::UNE;
  return mlir::arith::CmpFOp::create(b, l, pred, x, y);
}

Value ModelGen::genCall(const ast::Expr &e) {
  mlir::Location l = loc(e.loc);
  if (const ast::Func *f = sema.findFunc(e.name)) {
    std::map<std::string, Value> saved = scope.locals;
    std::map<std::string, Value> bound;
    for (size_t i = 0; i < e.args.size(); ++i) {
      Value a = genExpr(*e.args[i]);
      if (!a)
        return nullptr;
      bound[f->params[i]] = a;
    }
    scope.locals = bound; // a func sees only its parameters and globals
    Value r = genExpr(*f->body);
    scope.locals = saved;
    return r;
  }
  const std::string &n = e.name;
  if (reductionOf(n)) {
    auto r = scope.reductions.find(&e);
    if (r == scope.reductions.end()) {
      sema.diagnostics().error(e.loc, "'" + n +
                                          "' is supported in the statements "
                                          "of a synapse (update, on pre, on "
                                          "post, on end), not here");
      return nullptr;
    }
    Value sum = mlir::hebb::GetOp::create(b, l, ft, "self", r->second.value);
    if (r->second.count.empty())
      return sum;
    Value count = mlir::hebb::GetOp::create(b, l, ft, "self", r->second.count);
    return mlir::arith::DivFOp::create(b, l, sum, count);
  }
  if (n == "rand" || n == "randn")
    return mlir::hebb::RandOp::create(
        b, l, ft, n == "rand" ? "uniform" : "normal", draws++);
  std::vector<Value> a;
  for (const ast::ExprPtr &arg : e.args) {
    Value v = genExpr(*arg);
    if (!v)
      return nullptr;
    a.push_back(v);
  }
  if (n == "uniform" || n == "normal") {
    Value r = mlir::hebb::RandOp::create(
        b, l, ft, n == "uniform" ? "uniform" : "normal", draws++);
    Value scale =
        n == "uniform" ? mlir::arith::SubFOp::create(b, l, a[1], a[0]) : a[1];
    Value scaled = mlir::arith::MulFOp::create(b, l, r, scale);
    return mlir::arith::AddFOp::create(b, l, a[0], scaled);
  }
  if (n == "poisson")
    return mlir::hebb::PoissonOp::create(b, l, ft, a[0], draws++);
  if (n == "exp")
    return mlir::math::ExpOp::create(b, l, a[0]);
  if (n == "log")
    return mlir::math::LogOp::create(b, l, a[0]);
  if (n == "log10")
    return mlir::math::Log10Op::create(b, l, a[0]);
  if (n == "sqrt")
    return mlir::math::SqrtOp::create(b, l, a[0]);
  if (n == "abs")
    return mlir::math::AbsFOp::create(b, l, a[0]);
  if (n == "sin")
    return mlir::math::SinOp::create(b, l, a[0]);
  if (n == "cos")
    return mlir::math::CosOp::create(b, l, a[0]);
  if (n == "tanh")
    return mlir::math::TanhOp::create(b, l, a[0]);
  if (n == "floor")
    return mlir::math::FloorOp::create(b, l, a[0]);
  if (n == "ceil")
    return mlir::math::CeilOp::create(b, l, a[0]);
  if (n == "sigmoid") {
    Value one = constant(1, e.loc);
    Value neg = mlir::arith::NegFOp::create(b, l, a[0]);
    Value ex = mlir::math::ExpOp::create(b, l, neg);
    Value den = mlir::arith::AddFOp::create(b, l, one, ex);
    return mlir::arith::DivFOp::create(b, l, one, den);
  }
  if (n == "relu")
    return mlir::arith::MaximumFOp::create(b, l, a[0], constant(0, e.loc));
  if (n == "min")
    return mlir::arith::MinimumFOp::create(b, l, a[0], a[1]);
  if (n == "max")
    return mlir::arith::MaximumFOp::create(b, l, a[0], a[1]);
  if (n == "clip")
    return clip(a[0], a[1], a[2], l);
  if (n == "sign") {
    Value zero = constant(0, e.loc);
    Value pos = mlir::arith::CmpFOp::create(
        b, l, mlir::arith::CmpFPredicate::OGT, a[0], zero);
    Value neg = mlir::arith::CmpFOp::create(
        b, l, mlir::arith::CmpFPredicate::OLT, a[0], zero);
    Value m =
        mlir::arith::SelectOp::create(b, l, neg, constant(-1, e.loc), zero);
    return mlir::arith::SelectOp::create(b, l, pos, constant(1, e.loc), m);
  }
  sema.diagnostics().error(e.loc, "no code generation for '" + n + "'");
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Instances
//===----------------------------------------------------------------------===//

static_assert(
    std::string_view(hebb::rt::kSynapseDelayField) ==
        std::string_view(mlir::hebb::ProjectionOp::kDelayField.data()),
    "the runtime and the dialect name the delay field alike");

class NetworkGen {
public:
  NetworkGen(mlir::MLIRContext &context, Sema &sema, const NetworkPlan &plan,
             const CodeGenOptions &options)
      : b(&context), sema(sema), plan(plan), options(options),
        ft(options.useF64 ? mlir::FloatType(b.getF64Type())
                          : mlir::FloatType(b.getF32Type())) {}

  mlir::OwningOpRef<mlir::ModuleOp> run() {
    module = mlir::ModuleOp::create(b.getUnknownLoc(), plan.name);
    std::vector<mlir::Attribute> signals;
    for (const auto &[name, value] : plan.signals)
      signals.push_back(b.getStringAttr(name));
    (*module)->setAttr("hebb.signals", b.getArrayAttr(signals));
    (*module)->setAttr("hebb.network", b.getStringAttr(plan.name));
    b.setInsertionPointToEnd(module->getBody());
    for (const PopulationPlan &pop : plan.populations)
      if (!genPopulation(pop))
        return nullptr;
    for (const ProjectionPlan &proj : plan.projections)
      if (!genProjection(proj))
        return nullptr;
    return std::move(module);
  }

private:
  mlir::OpBuilder b;
  Sema &sema;
  const NetworkPlan &plan;
  const CodeGenOptions &options;
  mlir::FloatType ft;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  int reductionCount = 0;
  /// The projection being generated: its synapse variables kept per neuron
  /// (oneSidedTraces).
  std::map<std::string, ast::VarScope> promoted;

  mlir::Location loc(ast::Loc l) {
    return mlir::FileLineColLoc::get(
        b.getStringAttr(sema.sourceManager().path(l.file)), l.line, l.col);
  }

  void unsupported(ast::Loc l, const std::string &what) {
    sema.diagnostics().error(l, what + " is not supported by the code "
                                       "generator yet");
  }

  GenScope makeScope(const ModelInstance &inst) {
    GenScope scope;
    scope.model = inst.model;
    scope.instance = &inst;
    for (const ParamValue &p : inst.params) {
      if (p.isName)
        scope.nameParams[p.name] = p.boundName;
      else
        scope.params.insert(p.name);
    }
    for (const ast::VarDecl &v : inst.model->vars)
      scope.vars.insert(v.name);
    for (const ast::InputDecl &in : inst.model->inputs)
      scope.inputs.insert(in.name);
    for (const ast::SignalUse &s : inst.model->signals)
      scope.signals.insert(s.name);
    for (const ast::Constraint &c : inst.model->constraints)
      scope.constraints[c.var] = &c;
    for (const ParamValue &p : plan.params)
      if (!p.isName)
        scope.networkParams[p.name] = p.value;
    return scope;
  }

  void genParams(const ModelInstance &inst) {
    for (const ParamValue &p : inst.params)
      if (!p.isName)
        mlir::hebb::ParamOp::create(b, loc(p.loc), b.getStringAttr(p.name),
                                    b.getF64FloatAttr(p.value),
                                    b.getStringAttr(p.dim.str()));
  }

  template <typename StageOp>
  StageOp stage(ast::Loc l, llvm::StringRef scope = "") {
    auto op = StageOp::create(
        b, loc(l), scope.empty() ? mlir::StringAttr() : b.getStringAttr(scope));
    if (op.getBody().empty())
      op.getBody().emplaceBlock();
    if (op.getBody().front().empty()) {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(&op.getBody().front());
      mlir::hebb::YieldOp::create(b, loc(l));
    }
    return op;
  }

  /// Positions `b` before the terminator of a stage's block.
  void enter(mlir::Region &region) {
    b.setInsertionPoint(region.front().getTerminator());
  }

  /// The init stage: each var's declared initial value, or the network's
  /// `init` override.
  /// One init stage per scope of state (synapse, @pre, @post, @proj).
  /// The init stages of a model; `skip` names a variable they leave alone
  /// (tied weights).
  bool genInit(ModelGen &gen, GenScope &scope, const ast::Model &model,
               const std::vector<const ast::InitStmt *> &inits, ast::Loc l,
               llvm::StringRef skip = "",
               const ast::Expr *synapseDelay = nullptr) {
    for (ast::VarScope s : {ast::VarScope::Element, ast::VarScope::Pre,
                            ast::VarScope::Post, ast::VarScope::Proj}) {
      bool any = s == ast::VarScope::Element;
      for (const ast::VarDecl &v : model.vars)
        any |= scopeOf(v) == s;
      if (any &&
          !genInitOf(gen, scope, model, inits, l, s, skip,
                     s == ast::VarScope::Element ? synapseDelay : nullptr))
        return false;
    }
    return true;
  }

  static llvm::StringRef scopeName(ast::VarScope s) {
    return s == ast::VarScope::Pre    ? "pre"
           : s == ast::VarScope::Post ? "post"
           : s == ast::VarScope::Proj ? "proj"
                                      : "";
  }

  bool genInitOf(ModelGen &gen, GenScope &scope, const ast::Model &model,
                 const std::vector<const ast::InitStmt *> &inits, ast::Loc l,
                 ast::VarScope only, llvm::StringRef skip,
                 const ast::Expr *synapseDelay) {
    mlir::OpBuilder::InsertionGuard guard(b);
    auto init = stage<mlir::hebb::InitOp>(l, scopeName(only));
    enter(init.getBody());
    scope.isInit = true;
    gen.resetDraws();
    for (const ast::VarDecl &v : model.vars) {
      if (scopeOf(v) != only || v.name == skip)
        continue;
      const ast::InitStmt *override = nullptr;
      for (const ast::InitStmt *i : inits)
        if (i->var == v.name)
          override = i;
      const ast::Expr *e = override ? override->value.get() : v.init.get();
      Value value = e ? gen.genExpr(*e) : gen.constant(0, v.loc);
      if (!value)
        return false;
      if (scope.constraints.count(v.name) && scope.constraints[v.name]->sign) {
        mlir::hebb::SetOp::create(b, loc(v.loc), v.name, value);
        const ast::Constraint *c = scope.constraints[v.name];
        Value zero = gen.constant(0, c->loc);
        auto l2 = loc(c->loc);
        Value pos = mlir::arith::CmpFOp::create(
            b, l2, mlir::arith::CmpFPredicate::OGT, value, zero);
        Value neg = mlir::arith::CmpFOp::create(
            b, l2, mlir::arith::CmpFPredicate::OLT, value, zero);
        Value s = mlir::arith::SelectOp::create(
            b, l2, pos, gen.constant(1, c->loc),
            mlir::arith::SelectOp::create(b, l2, neg, gen.constant(-1, c->loc),
                                          zero));
        mlir::hebb::SetOp::create(b, l2, "__sign_" + v.name, s);
      } else {
        gen.setVar(v.name, value, v.loc);
      }
    }
    if (synapseDelay) {
      // In seconds; the runtime rounds it to steps and orders each
      // presynaptic neuron's synapses by it.
      Value value = gen.genExpr(*synapseDelay);
      if (!value)
        return false;
      mlir::hebb::SetOp::create(b, loc(synapseDelay->loc),
                                hebb::rt::kSynapseDelayField, value);
    }
    scope.isInit = false;
    return true;
  }

  /// A hebb.odes op for `odes`, with the model's integration method.
  bool genOdes(ModelGen &gen, GenScope &scope, const ast::Model &model,
               const std::vector<const ast::OdeDecl *> &odes) {
    if (odes.empty())
      return true;
    std::vector<mlir::Attribute> vars, methods;
    for (const ast::OdeDecl *ode : odes) {
      vars.push_back(b.getStringAttr(ode->var));
      std::string m = !ode->method.empty()       ? ode->method
                      : !model.integrate.empty() ? model.integrate
                                                 : "auto";
      methods.push_back(b.getStringAttr(m));
    }
    auto op = mlir::hebb::OdesOp::create(b, loc(odes.front()->loc),
                                         b.getArrayAttr(vars),
                                         b.getArrayAttr(methods));
    mlir::Block *block = new mlir::Block();
    op.getBody().push_back(block);
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(block);
    for (const ast::OdeDecl *ode : odes)
      scope.odeArgs[ode->var] = block->addArgument(ft, loc(ode->loc));
    std::vector<Value> rhs;
    for (const ast::OdeDecl *ode : odes) {
      Value r = gen.genExpr(*ode->rhs);
      if (!r)
        return false;
      rhs.push_back(r);
    }
    mlir::hebb::YieldOp::create(b, loc(odes.front()->loc), rhs);
    scope.odeArgs.clear();
    return true;
  }

  bool genPopulation(const PopulationPlan &pop) {
    if (pop.stream) {
      // A Stream population is fed by the runtime: it has a field and no
      // compiled stages.
      auto op = mlir::hebb::PopulationOp::create(b, loc(pop.loc), pop.name,
                                                 pop.size, "Stream");
      op.getBody().emplaceBlock();
      mlir::OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&op.getBody().front());
      mlir::hebb::FieldOp::create(b, loc(pop.loc), "r", ft, "element", false,
                                  false);
      return true;
    }
    const ast::Model &model = *pop.instance.model;
    auto op = mlir::hebb::PopulationOp::create(b, loc(pop.loc), pop.name,
                                               pop.size, model.name);
    op.getBody().emplaceBlock();
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&op.getBody().front());
    genParams(pop.instance);
    for (const ast::VarDecl &v : model.vars)
      mlir::hebb::FieldOp::create(b, loc(v.loc), v.name, ft, "element", false,
                                  false);
    for (const ast::InputDecl &in : model.inputs)
      mlir::hebb::FieldOp::create(b, loc(in.loc), in.name, ft, "element", true,
                                  false);
    GenScope scope = makeScope(pop.instance);
    ModelGen gen(b, sema, ft, scope);
    if (!genInit(gen, scope, model, pop.inits, pop.loc))
      return false;

    auto step = stage<mlir::hebb::StepOp>(model.loc);
    {
      mlir::OpBuilder::InsertionGuard g(b);
      enter(step.getBody());
      gen.resetDraws();
      std::vector<const ast::OdeDecl *> odes;
      for (const ast::OdeDecl &ode : model.odes)
        odes.push_back(&ode);
      if (!genOdes(gen, scope, model, odes) || !gen.genBlock(model.update))
        return false;
    }
    if (model.spikeWhen) {
      auto spike = mlir::hebb::SpikeOp::create(b, loc(model.spikeLoc));
      spike.getBody().emplaceBlock();
      mlir::OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&spike.getBody().front());
      gen.resetDraws();
      Value c = gen.genExpr(*model.spikeWhen);
      if (!c)
        return false;
      mlir::hebb::YieldOp::create(b, loc(model.spikeLoc), mlir::ValueRange{c});
    }
    if (model.hasReset) {
      auto reset = stage<mlir::hebb::ResetOp>(model.loc);
      mlir::OpBuilder::InsertionGuard g(b);
      enter(reset.getBody());
      gen.resetDraws();
      if (!gen.genBlock(model.reset))
        return false;
    }
    if (model.refractory) {
      auto refr =
          mlir::hebb::RefractoryOp::create(b, loc(model.refractory->loc));
      refr.getBody().emplaceBlock();
      mlir::OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&refr.getBody().front());
      Value d = gen.genExpr(*model.refractory);
      if (!d)
        return false;
      mlir::hebb::YieldOp::create(b, loc(model.refractory->loc),
                                  mlir::ValueRange{d});
    }
    for (const ast::Handler &h : model.handlers)
      if (!genOnEnd(gen, h))
        return false;
    return !sema.diagnostics().hasErrors();
  }

  static bool accumulates(const ast::Stmt &s) {
    if (s.kind == ast::StmtKind::Assign)
      return s.target->kind == ast::ExprKind::Member;
    for (const ast::StmtPtr &t : s.thenBody)
      if (accumulates(*t))
        return true;
    for (const ast::StmtPtr &t : s.elseBody)
      if (accumulates(*t))
        return true;
    return false;
  }

  /// A synapse variable's scope as generated: its declared one, or @pre
  /// (@post) where oneSidedTraces found it the same for every synapse of a
  /// presynaptic (postsynaptic) neuron.
  ast::VarScope scopeOf(const ast::VarDecl &v) const {
    auto it = promoted.find(v.name);
    return it == promoted.end() ? v.scope : it->second;
  }

  /// Per-synapse variables that hold the same value in every synapse of a
  /// presynaptic (or postsynaptic) neuron, so that one value per neuron
  /// gives the same results with one memory access instead of one per
  /// synapse: a trace such as `apre` that starts from a constant, decays by
  /// an event equation with constant coefficients, and is assigned only at
  /// the top of `on pre` (`on post`) from itself, parameters, signals and
  /// the spiking side's neuron. Recorded variables keep their scope, so
  /// that a record of them stays one value per synapse.
  std::map<std::string, ast::VarScope>
  oneSidedTraces(const ProjectionPlan &proj, int projIndex) const {
    std::map<std::string, ast::VarScope> out;
    const ast::Model &model = *proj.instance.model;
    if (!proj.tiedTo.empty())
      return out;
    bool monitored = false;
    for (const RecordPlan &r : plan.records)
      if (r.kind == RecordPlan::ProjectionState && r.object == projIndex)
        monitored |= !r.monitor.empty();
    bool hasW = false;
    for (const ast::VarDecl &v : model.vars)
      hasW |= v.name == "w" && v.scope == ast::VarScope::Element;
    auto declared = [&](const std::string &name) -> const ast::VarDecl * {
      for (const ast::VarDecl &v : model.vars)
        if (v.name == name)
          return &v;
      return nullptr;
    };
    // Whether `e` reads only `self`, constants, parameters, signals, time
    // and (for side Pre/Post) that side's neuron and state.
    std::function<bool(const ast::Expr &, const std::string &, ast::VarScope)>
        sideOnly = [&](const ast::Expr &e, const std::string &self,
                       ast::VarScope side) {
          switch (e.kind) {
          case ast::ExprKind::Name: {
            if (e.name == self || e.name == "dt" || e.name == "t")
              return true;
            if (e.name == "index")
              return false;
            if (const ast::VarDecl *v = declared(e.name))
              return side != ast::VarScope::Element && v->scope == side;
            return true; // a parameter or signal: the same for all
          }
          case ast::ExprKind::Member:
            return (e.name == "pre" && side == ast::VarScope::Pre) ||
                   (e.name == "post" && side == ast::VarScope::Post);
          case ast::ExprKind::Call:
            if (e.name == "rand" || e.name == "randn" || e.name == "poisson" ||
                e.name == "uniform" || e.name == "normal" ||
                reductionOf(e.name))
              return false;
            break;
          default:
            break;
          }
          for (const ast::ExprPtr &a : e.args)
            if (!sideOnly(*a, self, side))
              return false;
          return true;
        };
    for (const ast::VarDecl &v : model.vars) {
      if (v.scope != ast::VarScope::Element || (monitored && !hasW))
        continue;
      bool ok = !v.init || sideOnly(*v.init, "", ast::VarScope::Element);
      for (const ast::InitStmt *i : proj.inits)
        ok &= i->var != v.name;
      for (const ast::Constraint &c : model.constraints)
        ok &= c.var != v.name;
      for (const RecordPlan &r : plan.records)
        ok &= !(r.kind == RecordPlan::ProjectionState &&
                r.object == projIndex && r.field == v.name);
      for (const ast::OdeDecl &ode : model.odes)
        if (ode.var == v.name)
          ok &= ode.method == "event" &&
                sideOnly(*ode.rhs, v.name, ast::VarScope::Element);
      // Where v is assigned: only at the top of one spike handler.
      std::optional<ast::HandlerKind> where;
      std::function<void(const ast::Block &, bool,
                         std::optional<ast::HandlerKind>)>
          scan = [&](const ast::Block &block, bool top,
                     std::optional<ast::HandlerKind> handler) {
            for (const ast::StmtPtr &st : block) {
              if (st->kind == ast::StmtKind::If) {
                scan(st->thenBody, false, handler);
                scan(st->elseBody, false, handler);
                continue;
              }
              if (st->target->kind != ast::ExprKind::Name ||
                  st->target->name != v.name)
                continue;
              if (!top || !handler || *handler == ast::HandlerKind::End ||
                  (where && *where != *handler)) {
                ok = false;
                continue;
              }
              where = handler;
              ast::VarScope side = *handler == ast::HandlerKind::Pre
                                       ? ast::VarScope::Pre
                                       : ast::VarScope::Post;
              ok &= sideOnly(*st->value, v.name, side);
            }
          };
      scan(model.update, true, std::nullopt);
      for (const ast::Handler &h : model.handlers)
        scan(h.body, true, h.kind);
      if (ok && where)
        out[v.name] = *where == ast::HandlerKind::Pre ? ast::VarScope::Pre
                                                      : ast::VarScope::Post;
    }
    return out;
  }

  bool genProjection(const ProjectionPlan &proj) {
    const ast::Model &model = *proj.instance.model;
    // With a delay per synapse, a spike reaches a neuron's synapses at
    // different steps: their traces differ.
    if (!proj.delayExpr)
      promoted = oneSidedTraces(proj, int(&proj - plan.projections.data()));
    struct ClearPromoted {
      std::map<std::string, ast::VarScope> &m;
      ~ClearPromoted() { m.clear(); }
    } clearPromoted{promoted};
    const PopulationPlan &pre = plan.populations[proj.pre.pop];
    const PopulationPlan &post = plan.populations[proj.post.pop];
    // Synapses drawn again at each spike have nothing to record.
    int index = int(&proj - plan.projections.data());
    bool procedural =
        options.proceduralSynapses && proj.connect == ast::ConnectKind::Total &&
        proj.tiedTo.empty() &&
        std::none_of(
            plan.records.begin(), plan.records.end(), [&](const RecordPlan &r) {
              return r.kind == RecordPlan::ProjectionState && r.object == index;
            });
    auto op = mlir::hebb::ProjectionOp::create(
        b, loc(proj.loc), proj.name, pre.name, proj.pre.begin, proj.pre.end,
        post.name, proj.post.begin, proj.post.end, model.name, proj.delaySteps,
        /*dense=*/proj.connect == ast::ConnectKind::All && !proj.noSelf,
        /*synapse_delays=*/proj.delayExpr != nullptr,
        proj.tiedTo.empty()
            ? mlir::FlatSymbolRefAttr()
            : mlir::FlatSymbolRefAttr::get(b.getContext(), proj.tiedTo),
        procedural, proj.noSelf);
    op.getBody().emplaceBlock();
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&op.getBody().front());
    genParams(proj.instance);

    std::set<std::string> eventVars;
    for (const ast::OdeDecl &ode : model.odes)
      if (ode.method == "event")
        eventVars.insert(ode.var);
    for (const ast::VarDecl &v : model.vars) {
      llvm::StringRef scope = scopeName(scopeOf(v));
      if (v.scope == ast::VarScope::Proj && eventVars.count(v.name)) {
        unsupported(v.loc, "': event' equations of '@proj' state (drop "
                           "': event': such a variable is stepped once per "
                           "projection)");
        return false;
      }
      mlir::hebb::FieldOp::create(b, loc(v.loc), v.name, ft,
                                  scope.empty() ? "element" : scope, false,
                                  eventVars.count(v.name) > 0);
    }
    for (const ast::Constraint &c : model.constraints)
      if (c.sign)
        mlir::hebb::FieldOp::create(b, loc(c.loc), "__sign_" + c.var, ft,
                                    "element", false, false);
    if (proj.delayExpr)
      mlir::hebb::FieldOp::create(b, loc(proj.delayExpr->loc),
                                  hebb::rt::kSynapseDelayField, ft, "element",
                                  false, false);
    GenScope scope = makeScope(proj.instance);
    ModelGen gen(b, sema, ft, scope);
    // Tied weights are initialised by the projection they belong to.
    if (!genInit(gen, scope, model, proj.inits, proj.loc,
                 proj.tiedTo.empty() ? "" : "w", proj.delayExpr))
      return false;

    auto varScope = [&](const std::string &name) {
      for (const ast::VarDecl &v : model.vars)
        if (v.name == name)
          return scopeOf(v);
      return ast::VarScope::Element;
    };
    std::map<ast::VarScope, std::vector<const ast::OdeDecl *>> eventOdes,
        clockOdes;
    for (const ast::OdeDecl &ode : model.odes) {
      if (ode.method == "event")
        eventOdes[varScope(ode.var)].push_back(&ode);
      else if (checkReads(*ode.rhs, varScope(ode.var), model, ode.loc))
        clockOdes[varScope(ode.var)].push_back(&ode);
      else
        return false;
    }
    // One system per scope: hebb-lazy-event-traces keeps one time of last
    // update per synapse, presynaptic or postsynaptic neuron.
    for (const auto &[sc, odes] : eventOdes)
      if (!genOdes(gen, scope, model, odes))
        return false;

    for (const ast::Handler &h : model.handlers) {
      if (h.kind == ast::HandlerKind::End) {
        for (const ast::StmtPtr &st : h.body) {
          std::optional<ast::VarScope> target = targetScope(*st, varScope);
          if (!target)
            return false;
          if (*target != ast::VarScope::Element) {
            unsupported(st->loc, "updating '@pre', '@post' or '@proj' state "
                                 "in 'on end'");
            return false;
          }
        }
        std::vector<const ast::Expr *> sums;
        for (const ast::StmtPtr &st : h.body)
          collectReductions(*st, sums);
        if (!sums.empty() &&
            !genReductions(gen, scope, sums, "on_end_" + h.phase))
          return false;
        if (!genOnEnd(gen, h))
          return false;
        continue;
      }
      mlir::OpBuilder::InsertionGuard g(b);
      ast::VarScope own = h.kind == ast::HandlerKind::Pre ? ast::VarScope::Pre
                                                          : ast::VarScope::Post;
      // Sums over synapses read by the handler's per-synapse statements
      // are taken just before it runs.
      std::vector<const ast::Expr *> sums;
      for (const ast::StmtPtr &st : h.body) {
        std::optional<ast::VarScope> target = targetScope(*st, varScope);
        if (!target)
          return false;
        std::vector<const ast::Expr *> calls;
        collectReductions(*st, calls);
        if (!calls.empty() && *target != ast::VarScope::Element) {
          sema.diagnostics().error(calls.front()->loc,
                                   "sums over synapses are for per-synapse "
                                   "statements");
          return false;
        }
        sums.insert(sums.end(), calls.begin(), calls.end());
      }
      if (!sums.empty() &&
          !genReductions(gen, scope, sums,
                         h.kind == ast::HandlerKind::Pre ? "on_pre"
                                                         : "on_post"))
        return false;
      mlir::Region *body;
      if (h.kind == ast::HandlerKind::Pre) {
        body = &stage<mlir::hebb::OnPreOp>(h.loc).getBody();
      } else {
        body = &stage<mlir::hebb::OnPostOp>(h.loc).getBody();
      }
      enter(*body);
      gen.resetDraws();
      // Statements that update the spiking neuron's own @pre (@post) state
      // run once per spike, in a hebb.once at their place in the handler.
      mlir::hebb::OnceOp once;
      for (const ast::StmtPtr &st : h.body) {
        std::optional<ast::VarScope> target = targetScope(*st, varScope);
        if (!target)
          return false;
        if (*target != own) {
          once = nullptr;
          if (!genOne(gen, *st))
            return false;
          continue;
        }
        if (!checkStmtReads(*st, own, model))
          return false;
        if (!once) {
          once = mlir::hebb::OnceOp::create(b, loc(st->loc));
          once.getBody().emplaceBlock();
          mlir::OpBuilder::InsertionGuard inner(b);
          b.setInsertionPointToEnd(&once.getBody().front());
          mlir::hebb::YieldOp::create(b, loc(st->loc));
        }
        mlir::OpBuilder::InsertionGuard inner(b);
        b.setInsertionPoint(once.getBody().front().getTerminator());
        if (!genOne(gen, *st))
          return false;
      }
    }
    // `update`: what adds into post goes to transmission; the rest is
    // learning, per synapse or per @pre/@post/@proj neuron.
    std::vector<const ast::Stmt *> transmitStmts;
    std::map<ast::VarScope, std::vector<const ast::Stmt *>> learnStmts;
    for (const ast::StmtPtr &st : model.update) {
      if (accumulates(*st)) {
        transmitStmts.push_back(st.get());
        continue;
      }
      std::optional<ast::VarScope> target = targetScope(*st, varScope);
      if (!target || !checkStmtReads(*st, *target, model))
        return false;
      learnStmts[*target].push_back(st.get());
    }
    if (!transmitStmts.empty()) {
      std::vector<const ast::Expr *> sums;
      for (const ast::Stmt *st : transmitStmts)
        collectReductions(*st, sums);
      if (!sums.empty() && !genReductions(gen, scope, sums, "transmit"))
        return false;
      mlir::OpBuilder::InsertionGuard g(b);
      enter(stage<mlir::hebb::TransmitOp>(model.updateLoc).getBody());
      gen.resetDraws();
      for (const ast::Stmt *st : transmitStmts)
        if (!genOne(gen, *st))
          return false;
    }
    for (ast::VarScope sc : {ast::VarScope::Element, ast::VarScope::Pre,
                             ast::VarScope::Post, ast::VarScope::Proj}) {
      if (learnStmts[sc].empty() && clockOdes[sc].empty())
        continue;
      // A statement that reads a sum over synapses starts a new learning
      // stage, after the hebb.reduce that computes the sum. The builder
      // stays in the projection's body; statements go into `learn`.
      mlir::hebb::LearnOp learn;
      auto inLearn = [&](const std::function<bool()> &gen_) {
        if (!learn) {
          learn = stage<mlir::hebb::LearnOp>(model.updateLoc, scopeName(sc));
          gen.resetDraws();
        }
        mlir::OpBuilder::InsertionGuard g(b);
        enter(learn.getBody());
        return gen_();
      };
      for (const ast::Stmt *st : learnStmts[sc]) {
        std::vector<const ast::Expr *> calls;
        collectReductions(*st, calls);
        if (!calls.empty()) {
          // A per-neuron statement may read its own neuron's reduction.
          for (const ast::Expr *call : calls) {
            Reduction kind = *reductionOf(call->name);
            bool own = (sc == ast::VarScope::Post && kind.overIncoming) ||
                       (sc == ast::VarScope::Pre && !kind.overIncoming);
            if (sc == ast::VarScope::Element || (own && !kind.perSynapse()))
              continue;
            std::string where = sc == ast::VarScope::Post  ? "@post"
                                : sc == ast::VarScope::Pre ? "@pre"
                                                           : "@proj";
            sema.diagnostics().error(
                call->loc, "'" + call->name +
                               "' cannot be read by a statement on " + where +
                               " state: such a statement can read " +
                               (sc == ast::VarScope::Post
                                    ? "sum_in, mean_in, min_in or max_in"
                                : sc == ast::VarScope::Pre
                                    ? "sum_out, mean_out, min_out or max_out"
                                    : "no reduction"));
            return false;
          }
          if (!genReductions(gen, scope, calls))
            return false;
          learn = nullptr;
        }
        if (!inLearn([&] { return genOne(gen, *st); }))
          return false;
      }
      if (!clockOdes[sc].empty() && !inLearn([&] {
            if (!genOdes(gen, scope, model, clockOdes[sc]))
              return false;
            // Constraints hold after the ODEs too.
            for (const ast::OdeDecl *ode : clockOdes[sc])
              if (scope.constraints.count(ode->var))
                gen.setVar(ode->var, gen.getVar(ode->var, ode->loc), ode->loc);
            return true;
          }))
        return false;
    }
    return true;
  }

  static void collectReductions(const ast::Expr &e,
                                std::vector<const ast::Expr *> &out) {
    if (e.kind == ast::ExprKind::Call && reductionOf(e.name)) {
      out.push_back(&e);
      return; // a sum inside a sum is a constant per neuron: not nested
    }
    for (const ast::ExprPtr &a : e.args)
      collectReductions(*a, out);
  }

  static void collectReductions(const ast::Stmt &st,
                                std::vector<const ast::Expr *> &out) {
    if (st.value)
      collectReductions(*st.value, out);
    if (st.cond)
      collectReductions(*st.cond, out);
    for (const ast::StmtPtr &t : st.thenBody)
      collectReductions(*t, out);
    for (const ast::StmtPtr &t : st.elseBody)
      collectReductions(*t, out);
  }

  /// One hebb.reduce per reduction (and one for the count of a mean), into
  /// hidden per-neuron fields (per-synapse ones for a cumulative sum, with
  /// a per-neuron running sum), at the builder's position: run in
  /// learning, or `before` the stage named.
  bool genReductions(ModelGen &gen, GenScope &scope,
                     const std::vector<const ast::Expr *> &calls,
                     llvm::StringRef before = {}) {
    auto projection = b.getInsertionBlock()->getParentOp();
    auto field = [&](const std::string &name, llvm::StringRef fieldScope) {
      mlir::OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&projection->getRegion(0).front());
      mlir::hebb::FieldOp::create(b, projection->getLoc(), name, ft, fieldScope,
                                  false, false);
    };
    auto reduce = [&](const std::string &name, llvm::StringRef into,
                      llvm::StringRef combine, const std::string &running,
                      const ast::Expr *expr, ast::Loc l) -> bool {
      auto str = [&](llvm::StringRef s) {
        return s.empty() ? mlir::StringAttr() : b.getStringAttr(s);
      };
      auto op = mlir::hebb::ReduceOp::create(
          b, gen.loc(l), name, into, str(combine == "sum" ? "" : combine),
          str(running), str(before));
      op.getBody().emplaceBlock();
      mlir::OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&op.getBody().front());
      gen.resetDraws();
      Value v = expr ? gen.genExpr(*expr) : gen.constant(1, l);
      if (!v)
        return false;
      mlir::hebb::YieldOp::create(b, gen.loc(l), mlir::ValueRange{v});
      return true;
    };
    for (const ast::Expr *call : calls) {
      Reduction kind = *reductionOf(call->name);
      llvm::StringRef into = kind.overIncoming ? "post" : "pre";
      GenScope::ReductionFields r;
      r.value = "__" + call->name + "_" + std::to_string(reductionCount++);
      std::string running;
      if (kind.perSynapse()) {
        running = r.value + "_running";
        field(running, into);
      }
      field(r.value, kind.perSynapse() ? "element" : into);
      if (!reduce(r.value, into, kind.combine, running, call->args[0].get(),
                  call->loc))
        return false;
      if (kind.mean) {
        r.count = r.value + "_count";
        field(r.count, into);
        if (!reduce(r.count, into, "sum", "", nullptr, call->loc))
          return false;
      }
      scope.reductions[call] = r;
    }
    return true;
  }

  /// `on end <phase>`: a stage run for every element when the phase ends.
  bool genOnEnd(ModelGen &gen, const ast::Handler &h) {
    mlir::OpBuilder::InsertionGuard g(b);
    auto op = mlir::hebb::OnEndOp::create(b, loc(h.loc), h.phase);
    op.getBody().emplaceBlock();
    b.setInsertionPointToEnd(&op.getBody().front());
    auto yield = mlir::hebb::YieldOp::create(b, loc(h.loc));
    b.setInsertionPoint(yield);
    gen.resetDraws();
    return gen.genBlock(h.body);
  }

  /// The scope of the state a statement assigns (all its targets must
  /// agree); accumulation into post counts as per synapse.
  std::optional<ast::VarScope>
  targetScope(const ast::Stmt &st,
              const std::function<ast::VarScope(const std::string &)> &of) {
    std::set<ast::VarScope> scopes;
    std::function<void(const ast::Stmt &)> walk = [&](const ast::Stmt &x) {
      if (x.kind == ast::StmtKind::Assign) {
        scopes.insert(x.target->kind == ast::ExprKind::Member
                          ? ast::VarScope::Element
                          : of(x.target->name));
        return;
      }
      for (const ast::StmtPtr &t : x.thenBody)
        walk(*t);
      for (const ast::StmtPtr &t : x.elseBody)
        walk(*t);
    };
    walk(st);
    if (scopes.size() > 1) {
      sema.diagnostics().error(st.loc, "this statement assigns state of "
                                       "different scopes (per synapse and "
                                       "@pre/@post/@proj); split it");
      return std::nullopt;
    }
    return scopes.empty() ? ast::VarScope::Element : *scopes.begin();
  }

  /// @pre state is updated per presynaptic neuron, so it may read only the
  /// presynaptic side (and parameters, signals, @proj state); likewise
  /// @post; @proj state reads neither side.
  bool checkReads(const ast::Expr &e, ast::VarScope scope,
                  const ast::Model &model, ast::Loc at) {
    if (scope == ast::VarScope::Element)
      return true;
    std::string bad;
    ast::Loc badLoc = at;
    std::function<void(const ast::Expr &)> walk = [&](const ast::Expr &x) {
      if (!bad.empty())
        return;
      // A reduction's argument is evaluated per synapse.
      if (x.kind == ast::ExprKind::Call && reductionOf(x.name))
        return;
      if (x.kind == ast::ExprKind::Member) {
        if ((x.name == "post" && scope != ast::VarScope::Post) ||
            (x.name == "pre" && scope != ast::VarScope::Pre)) {
          bad = x.name + "." + x.member;
          badLoc = x.loc;
        }
      } else if (x.kind == ast::ExprKind::Name) {
        for (const ast::VarDecl &v : model.vars)
          if (v.name == x.name && scopeOf(v) != scope &&
              scopeOf(v) != ast::VarScope::Proj) {
            bad = x.name;
            badLoc = x.loc;
          }
      }
      for (const ast::ExprPtr &a : x.args)
        walk(*a);
    };
    walk(e);
    if (bad.empty())
      return true;
    const char *what = scope == ast::VarScope::Pre    ? "@pre"
                       : scope == ast::VarScope::Post ? "@post"
                                                      : "@proj";
    sema.diagnostics().error(badLoc,
                             std::string(what) +
                                 " state is updated once per neuron, so "
                                 "its update cannot read '" +
                                 bad + "'");
    return false;
  }

  bool checkStmtReads(const ast::Stmt &st, ast::VarScope scope,
                      const ast::Model &model) {
    if (st.kind == ast::StmtKind::Assign)
      return checkReads(*st.value, scope, model, st.value->loc);
    if (!checkReads(*st.cond, scope, model, st.cond->loc))
      return false;
    for (const ast::StmtPtr &t : st.thenBody)
      if (!checkStmtReads(*t, scope, model))
        return false;
    for (const ast::StmtPtr &t : st.elseBody)
      if (!checkStmtReads(*t, scope, model))
        return false;
    return true;
  }

  bool genOne(ModelGen &gen, const ast::Stmt &s) {
    // A one-statement view of a block without copying the AST.
    ast::Block view;
    view.emplace_back(const_cast<ast::Stmt *>(&s));
    bool ok = gen.genBlock(view);
    view.front().release();
    return ok;
  }
};
} // namespace

mlir::OwningOpRef<mlir::ModuleOp>
hebb::emitNetwork(mlir::MLIRContext &context, Sema &sema,
                  const NetworkPlan &plan, const CodeGenOptions &options) {
  registerHebbDialects(context);
  NetworkGen gen(context, sema, plan, options);
  mlir::OwningOpRef<mlir::ModuleOp> module = gen.run();
  // Every failure above reports why; never fail silently.
  if (!module && !sema.diagnostics().hasErrors())
    sema.diagnostics().errorNoLoc("code generation failed for network '" +
                                  plan.name + "'");
  return module;
}
