//===- Sema.cpp - Name resolution, units and network elaboration ----------===//

#include "hebb/Frontend/Sema.h"
#include "hebb/Frontend/ASTDumper.h"
#include "hebb/Frontend/Parser.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Monitors.h"
#include "hebb/runtime/Network.h"
#include "hebb/runtime/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

using namespace hebb;
namespace fs = std::filesystem;

namespace {
const Dimension kSecond = Dimension::base(Dimension::Second);

/// Built-in functions: name -> arity (-1 = one or more).
const std::map<std::string, int> &builtins() {
  static const std::map<std::string, int> table = {
      {"exp", 1},       {"log", 1},        {"log10", 1},   {"sqrt", 1},
      {"abs", 1},       {"sin", 1},        {"cos", 1},     {"tanh", 1},
      {"sigmoid", 1},   {"relu", 1},       {"min", 2},     {"max", 2},
      {"clip", 3},      {"floor", 1},      {"ceil", 1},    {"sign", 1},
      {"rand", 0},      {"randn", 0},      {"uniform", 2}, {"normal", 2},
      {"sum_in", 1},    {"mean_in", 1},    {"sum_out", 1}, {"mean_out", 1},
      {"min_in", 1},    {"max_in", 1},     {"min_out", 1}, {"max_out", 1},
      {"cumsum_in", 1}, {"cumsum_out", 1}, {"poisson", 1},
  };
  return table;
}

/// True for a whole number in [lo, hi]; false for NaN and infinities, so a
/// value that passes converts to an integer without overflow.
bool isWholeIn(double v, double lo, double hi) {
  return v >= lo && v <= hi && v == std::floor(v);
}

/// Units raised to larger powers are typos; the bound keeps exponents small.
constexpr double kMaxUnitExponent = 16;

std::string dimStr(const std::optional<Dimension> &d) {
  return d ? d->str() : "any";
}
} // namespace

std::optional<int> hebb::builtinArity(const std::string &name) {
  auto it = builtins().find(name);
  if (it == builtins().end())
    return std::nullopt;
  return it->second;
}

std::optional<Reduction> hebb::reductionOf(const std::string &name) {
  size_t bar = name.rfind('_');
  if (bar == std::string::npos)
    return std::nullopt;
  std::string op = name.substr(0, bar), side = name.substr(bar + 1);
  if (side != "in" && side != "out")
    return std::nullopt;
  if (op != "sum" && op != "mean" && op != "min" && op != "max" &&
      op != "cumsum")
    return std::nullopt;
  return Reduction{op == "mean" ? "sum" : op, side == "in", op == "mean"};
}

const ParamValue *ModelInstance::findParam(const std::string &name) const {
  for (const ParamValue &p : params)
    if (p.name == name)
      return &p;
  return nullptr;
}

int64_t NetworkPlan::totalSteps() const {
  int64_t n = 0;
  for (const rt::ScheduleStep &a : schedule)
    if (a.kind == rt::ScheduleStep::Run)
      n += a.steps;
  return n;
}

//===----------------------------------------------------------------------===//
// Implementation state
//===----------------------------------------------------------------------===//

struct Sema::Impl {
  SourceManager &sources;
  DiagnosticEngine &diags;
  std::vector<std::string> searchPath;
  std::vector<std::unique_ptr<ast::File>> files;
  std::map<std::string, uint32_t> loadedPaths; // canonical path -> file id
  std::vector<std::string> importStack;
  std::map<std::string, const ast::Model *> models;
  std::map<std::string, const ast::Func *> funcs;
  std::map<std::string, const ast::Network *> networks;
  const ast::File *mainFile = nullptr;
  std::set<std::string> reported; // deduplicates diagnostics

  Impl(SourceManager &s, DiagnosticEngine &d, std::vector<std::string> p)
      : sources(s), diags(d), searchPath(std::move(p)) {}

  /// Reports an error once; false if it was reported before.
  bool error(ast::Loc loc, const std::string &msg) {
    std::ostringstream key;
    key << loc.file << ":" << loc.line << ":" << loc.col << ":" << msg;
    if (!reported.insert(key.str()).second)
      return false;
    diags.error(loc, msg);
    return true;
  }

  /// `1e` reaches the checker as the number 1 with the unit `e`.
  void unknownUnit(const ast::UnitFactor &unit) {
    if (unit.name == "e" || unit.name == "E")
      error(unit.loc, "malformed number: an exponent needs digits after '" +
                          unit.name + "', as in 1e-3");
    else
      error(unit.loc, "unknown unit '" + unit.name + "'");
  }

  bool loadPath(const std::string &path, ast::Loc importLoc,
                const ast::File **out);
  bool registerFile(const ast::File &file);
  std::optional<std::string> resolveImport(const std::string &importer,
                                           const std::string &path);
};

std::optional<std::string>
Sema::Impl::resolveImport(const std::string &importer,
                          const std::string &path) {
  std::vector<fs::path> candidates;
  fs::path p(path);
  if (p.is_absolute()) {
    candidates.push_back(p);
  } else {
    candidates.push_back(fs::path(importer).parent_path() / p);
    for (const std::string &dir : searchPath)
      candidates.push_back(fs::path(dir) / p);
  }
  for (const fs::path &c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec))
      return c.string();
  }
  return std::nullopt;
}

bool Sema::Impl::loadPath(const std::string &path, ast::Loc importLoc,
                          const ast::File **out) {
  std::error_code ec;
  std::string canonical = fs::weakly_canonical(path, ec).string();
  if (ec)
    canonical = path;
  for (size_t i = 0; i < importStack.size(); ++i) {
    if (importStack[i] != canonical)
      continue;
    std::string cycle;
    for (size_t j = i; j < importStack.size(); ++j)
      cycle += fs::path(importStack[j]).filename().string() + " -> ";
    cycle += fs::path(canonical).filename().string();
    error(importLoc, "import cycle: " + cycle);
    return false;
  }
  if (loadedPaths.count(canonical))
    return true; // importing twice is harmless
  std::optional<uint32_t> id = sources.addFile(path);
  if (!id) {
    if (importLoc.line)
      error(importLoc, "cannot read '" + path + "'");
    else
      diags.errorNoLoc("cannot read '" + path + "'");
    return false;
  }
  loadedPaths[canonical] = *id;
  std::optional<ast::File> parsed = parseFile(sources, *id, diags);
  if (!parsed)
    return false;
  files.push_back(std::make_unique<ast::File>(std::move(*parsed)));
  ast::File *file = files.back().get();
  if (out)
    *out = file;
  importStack.push_back(canonical);
  bool ok = true;
  for (const ast::Import &imp : file->imports) {
    std::optional<std::string> resolved = resolveImport(path, imp.path);
    if (!resolved) {
      error(imp.loc, "cannot find import '" + imp.path +
                         "' (looked beside this file, in HEBB_PATH and in "
                         "the standard library)");
      ok = false;
      continue;
    }
    ok &= loadPath(*resolved, imp.loc, nullptr);
  }
  importStack.pop_back();
  return registerFile(*file) && ok;
}

bool Sema::Impl::registerFile(const ast::File &file) {
  bool ok = true;
  auto clash = [&](const std::string &name, ast::Loc loc, ast::Loc prev) {
    error(loc, "'" + name + "' is already declared");
    diags.note(prev, "previous declaration is here");
    ok = false;
  };
  for (const ast::Model &m : file.models) {
    auto [it, inserted] = models.emplace(m.name, &m);
    if (!inserted)
      clash(m.name, m.loc, it->second->loc);
  }
  for (const ast::Func &f : file.funcs) {
    if (builtinArity(f.name)) {
      error(f.loc, "'" + f.name + "' is a built-in function");
      ok = false;
      continue;
    }
    for (size_t i = 0; i < f.params.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (f.params[i] == f.params[j]) {
          error(f.loc, "'" + f.name + "' names its parameter '" + f.params[i] +
                           "' twice");
          ok = false;
        }
    auto [it, inserted] = funcs.emplace(f.name, &f);
    if (!inserted)
      clash(f.name, f.loc, it->second->loc);
  }
  for (const ast::Network &n : file.networks) {
    auto [it, inserted] = networks.emplace(n.name, &n);
    if (!inserted)
      clash(n.name, n.loc, it->second->loc);
  }
  return ok;
}

//===----------------------------------------------------------------------===//
// Constant evaluation (parameters, sizes, durations)
//===----------------------------------------------------------------------===//

namespace {
struct ConstValue {
  double value = 0;
  std::optional<Dimension> dim; // nullopt: the literal 0, fits any unit
};

using ConstEnv = std::map<std::string, ConstValue>;

class ConstEvaluator {
public:
  ConstEvaluator(Sema::Impl &sema, const ConstEnv &env)
      : sema(sema), env(env) {}

  std::optional<ConstValue> eval(const ast::Expr &e) {
    switch (e.kind) {
    case ast::ExprKind::Number: {
      if (e.unit.empty()) {
        if (e.number == 0)
          return ConstValue{0, std::nullopt};
        return ConstValue{e.number, Dimension()};
      }
      const ast::UnitFactor *unknown = nullptr;
      std::optional<Unit> u = evaluateUnit(e.unit, &unknown);
      if (!u) {
        sema.unknownUnit(*unknown);
        return std::nullopt;
      }
      return ConstValue{e.number * u->scale, u->dim};
    }
    case ast::ExprKind::Bool:
      return ConstValue{e.boolean ? 1.0 : 0.0, Dimension()};
    case ast::ExprKind::Name: {
      auto it = env.find(e.name);
      if (it != env.end())
        return it->second;
      sema.error(e.loc, "'" + e.name + "' is not a constant here");
      return std::nullopt;
    }
    case ast::ExprKind::Unary: {
      auto a = eval(*e.args[0]);
      if (!a)
        return std::nullopt;
      if (e.op == "-")
        return ConstValue{-a->value, a->dim};
      if (e.op == "not")
        return ConstValue{a->value == 0 ? 1.0 : 0.0, Dimension()};
      return a;
    }
    case ast::ExprKind::Binary:
      return evalBinary(e);
    case ast::ExprKind::Conditional: {
      auto c = eval(*e.args[0]);
      if (!c)
        return std::nullopt;
      return eval(*e.args[c->value != 0 ? 1 : 2]);
    }
    case ast::ExprKind::Call:
      return evalCall(e);
    default:
      sema.error(e.loc, "expected a constant expression");
      return std::nullopt;
    }
  }

private:
  Sema::Impl &sema;
  const ConstEnv &env;

  bool sameDim(const ast::Expr &e, ConstValue &a, ConstValue &b) {
    if (!a.dim || !b.dim || *a.dim == *b.dim)
      return true;
    sema.error(e.loc, "operands of '" + e.op + "' have different units: " +
                          a.dim->str() + " and " + b.dim->str());
    return false;
  }

  std::optional<ConstValue> evalBinary(const ast::Expr &e) {
    auto a = eval(*e.args[0]);
    auto b = eval(*e.args[1]);
    if (!a || !b)
      return std::nullopt;
    const std::string &op = e.op;
    auto join = [](const ConstValue &x, const ConstValue &y) {
      return x.dim ? x.dim : y.dim;
    };
    if (op == "+" || op == "-") {
      if (!sameDim(e, *a, *b))
        return std::nullopt;
      return ConstValue{op == "+" ? a->value + b->value : a->value - b->value,
                        join(*a, *b)};
    }
    if (op == "*" || op == "/") {
      std::optional<Dimension> d;
      if (a->dim && b->dim)
        d = op == "*" ? *a->dim * *b->dim : *a->dim / *b->dim;
      else if (a->value == 0 && !a->dim)
        d = std::nullopt;
      else
        d = a->dim ? a->dim : (op == "*" ? b->dim : b->dim->pow(-1));
      return ConstValue{op == "*" ? a->value * b->value : a->value / b->value,
                        d};
    }
    if (op == "^") {
      if (b->dim && !b->dim->isDimensionless()) {
        sema.error(e.args[1]->loc, "an exponent must be dimensionless");
        return std::nullopt;
      }
      std::optional<Dimension> d = Dimension();
      if (a->dim && !a->dim->isDimensionless()) {
        if (!isWholeIn(b->value, -kMaxUnitExponent, kMaxUnitExponent)) {
          sema.error(e.args[1]->loc,
                     "a quantity with a unit needs a whole-number exponent "
                     "from -16 to 16");
          return std::nullopt;
        }
        d = a->dim->pow(static_cast<int>(b->value));
      }
      return ConstValue{std::pow(a->value, b->value), d};
    }
    if (op == "and" || op == "or") {
      bool r = op == "and" ? (a->value != 0 && b->value != 0)
                           : (a->value != 0 || b->value != 0);
      return ConstValue{r ? 1.0 : 0.0, Dimension()};
    }
    if (!sameDim(e, *a, *b))
      return std::nullopt;
    bool r = false;
    if (op == "<")
      r = a->value < b->value;
    else if (op == "<=")
      r = a->value <= b->value;
    else if (op == ">")
      r = a->value > b->value;
    else if (op == ">=")
      r = a->value >= b->value;
    else if (op == "==")
      r = a->value == b->value;
    else if (op == "!=")
      r = a->value != b->value;
    return ConstValue{r ? 1.0 : 0.0, Dimension()};
  }

  std::optional<ConstValue> evalCall(const ast::Expr &e) {
    std::vector<ConstValue> args;
    for (const ast::ExprPtr &a : e.args) {
      auto v = eval(*a);
      if (!v)
        return std::nullopt;
      args.push_back(*v);
    }
    static const std::map<std::string, double (*)(double)> unary = {
        {"exp", [](double x) { return std::exp(x); }},
        {"log", [](double x) { return std::log(x); }},
        {"log10", [](double x) { return std::log10(x); }},
        {"sin", [](double x) { return std::sin(x); }},
        {"cos", [](double x) { return std::cos(x); }},
        {"tanh", [](double x) { return std::tanh(x); }},
        {"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
    };
    auto u = unary.find(e.name);
    if (u != unary.end() && args.size() == 1) {
      if (args[0].dim && !args[0].dim->isDimensionless()) {
        sema.error(e.loc, "'" + e.name +
                              "' needs a dimensionless argument, not " +
                              args[0].dim->str());
        return std::nullopt;
      }
      return ConstValue{u->second(args[0].value), Dimension()};
    }
    if (e.name == "sqrt" && args.size() == 1)
      return ConstValue{std::sqrt(args[0].value), args[0].dim};
    if (e.name == "abs" && args.size() == 1)
      return ConstValue{std::fabs(args[0].value), args[0].dim};
    if ((e.name == "floor" || e.name == "ceil") && args.size() == 1)
      return ConstValue{e.name == "floor" ? std::floor(args[0].value)
                                          : std::ceil(args[0].value),
                        args[0].dim};
    if ((e.name == "min" || e.name == "max") && args.size() == 2)
      return ConstValue{e.name == "min"
                            ? std::min(args[0].value, args[1].value)
                            : std::max(args[0].value, args[1].value),
                        args[0].dim ? args[0].dim : args[1].dim};
    sema.error(e.loc, "expected a constant expression");
    return std::nullopt;
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Unit checking of model bodies
//===----------------------------------------------------------------------===//

namespace {
/// What a name in a model body refers to.
struct NameInfo {
  enum Kind { Param, Var, Input, Signal, NameParam } kind;
  std::optional<Dimension> dim;
  ast::VarScope scope = ast::VarScope::Element;
  std::string bound = {}; // NameParam: the bound postsynaptic name ("" unbound)
};

/// The names of one model, as seen from inside it.
struct ModelScope {
  const ast::Model *model = nullptr;
  std::map<std::string, NameInfo> names;
};

class ExprChecker {
public:
  ExprChecker(Sema::Impl &sema, const ModelScope &self, const ModelScope *pre,
              const ModelScope *post, bool inInit)
      : sema(sema), self(self), pre(pre), post(post), inInit(inInit) {}

  std::optional<ExprType> check(const ast::Expr &e) {
    if (++depth > 200) {
      sema.error(e.loc, "expression nested too deeply");
      return std::nullopt;
    }
    auto result = checkImpl(e);
    --depth;
    return result;
  }

  /// The dimension of an assignable target (`x`, `post.x`), checked writable.
  std::optional<ExprType> checkTarget(const ast::Expr &e, bool accumulate) {
    if (e.kind == ast::ExprKind::Name) {
      auto it = self.names.find(e.name);
      if (it == self.names.end() || (it->second.kind != NameInfo::Var &&
                                     it->second.kind != NameInfo::Input)) {
        if (it != self.names.end() && it->second.kind == NameInfo::Param) {
          sema.error(e.loc, "cannot assign to parameter '" + e.name + "'");
          return std::nullopt;
        }
        sema.error(e.loc, "'" + e.name + "' is not a state variable of " +
                              self.model->name);
        return std::nullopt;
      }
      return ExprType{false, it->second.dim};
    }
    if (e.kind == ast::ExprKind::Member && e.name == "post" &&
        self.model->kind == ast::ModelKind::Synapse) {
      if (!accumulate) {
        sema.error(e.loc, "a synapse can only add into a postsynaptic "
                          "variable: write 'post." +
                              e.member + " += ...'");
        return std::nullopt;
      }
      return memberType(e);
    }
    sema.error(e.loc, "cannot assign to this expression");
    return std::nullopt;
  }

  std::map<std::string, std::optional<Dimension>> locals; // func params

private:
  Sema::Impl &sema;
  const ModelScope &self;
  const ModelScope *pre, *post;
  bool inInit;
  int depth = 0;
  std::vector<const ast::Func *>
      expanding; // funcs being inlined, outermost first

  std::optional<ExprType> memberType(const ast::Expr &e) {
    const ModelScope *scope = nullptr;
    if (e.name == "pre" || e.name == "post") {
      if (self.model->kind != ast::ModelKind::Synapse) {
        sema.error(e.loc, "'" + e.name + "' is only defined in a synapse");
        return std::nullopt;
      }
      scope = e.name == "pre" ? pre : post;
    } else {
      sema.error(e.loc, "unknown object '" + e.name + "'");
      return std::nullopt;
    }
    if (e.member == "index" && inInit)
      return ExprType{false, Dimension()};
    if (!scope)
      return ExprType{false, std::nullopt}; // not known until used
    std::string field = e.member;
    // A name-valued parameter of the synapse stands for the bound variable.
    auto np = self.names.find(field);
    if (e.name == "post" && np != self.names.end() &&
        np->second.kind == NameInfo::NameParam)
      field = np->second.bound;
    auto it = scope->names.find(field);
    if (it == scope->names.end() || it->second.kind == NameInfo::Param ||
        it->second.kind == NameInfo::NameParam) {
      sema.error(e.loc, "'" + field + "' is not a variable or input of " +
                            e.name + "synaptic model " + scope->model->name);
      return std::nullopt;
    }
    return ExprType{false, it->second.dim};
  }

  std::optional<ExprType> checkImpl(const ast::Expr &e) {
    switch (e.kind) {
    case ast::ExprKind::Number: {
      if (e.unit.empty())
        return ExprType{false, e.number == 0 ? std::nullopt
                                             : std::optional(Dimension())};
      const ast::UnitFactor *unknown = nullptr;
      std::optional<Unit> u = evaluateUnit(e.unit, &unknown);
      if (!u) {
        sema.unknownUnit(*unknown);
        return std::nullopt;
      }
      return ExprType{false, u->dim};
    }
    case ast::ExprKind::Bool:
      return ExprType{true, Dimension()};
    case ast::ExprKind::String:
      sema.error(e.loc, "a string is not a value here");
      return std::nullopt;
    case ast::ExprKind::Name:
      return nameType(e);
    case ast::ExprKind::Member:
      return memberType(e);
    case ast::ExprKind::Unary: {
      auto a = check(*e.args[0]);
      if (!a)
        return std::nullopt;
      if (e.op == "not") {
        if (!a->isBool) {
          sema.error(e.loc, "'not' needs a condition");
          return std::nullopt;
        }
        return a;
      }
      if (a->isBool) {
        sema.error(e.loc, "'" + e.op + "' needs a number, not a condition");
        return std::nullopt;
      }
      return a;
    }
    case ast::ExprKind::Binary:
      return binaryType(e);
    case ast::ExprKind::Conditional: {
      auto c = check(*e.args[0]);
      auto a = check(*e.args[1]);
      auto b = check(*e.args[2]);
      if (!c || !a || !b)
        return std::nullopt;
      if (!c->isBool) {
        sema.error(e.args[0]->loc, "the condition of '?' must be a comparison");
        return std::nullopt;
      }
      return unify(e, *a, *b, "the branches of '?'");
    }
    case ast::ExprKind::Call:
      return callType(e);
    }
    return std::nullopt;
  }

  std::optional<ExprType> nameType(const ast::Expr &e) {
    auto local = locals.find(e.name);
    if (local != locals.end())
      return ExprType{false, local->second};
    if (e.name == "t" || e.name == "dt")
      return ExprType{false, kSecond};
    if (e.name == "index")
      return ExprType{false, Dimension()};
    if (e.name == "N" && inInit && self.model->kind == ast::ModelKind::Neuron)
      return ExprType{false, Dimension()};
    auto it = self.names.find(e.name);
    if (it == self.names.end()) {
      sema.error(e.loc, "unknown name '" + e.name + "' in " + self.model->name);
      return std::nullopt;
    }
    if (it->second.kind == NameInfo::NameParam) {
      sema.error(e.loc, "'" + e.name +
                            "' names a postsynaptic variable; "
                            "write 'post." +
                            e.name + "'");
      return std::nullopt;
    }
    return ExprType{false, it->second.dim};
  }

  std::optional<ExprType> unify(const ast::Expr &e, const ExprType &a,
                                const ExprType &b, const std::string &what) {
    if (a.isBool != b.isBool) {
      sema.error(e.loc, what + " mix a condition and a number");
      return std::nullopt;
    }
    if (a.dim && b.dim && *a.dim != *b.dim) {
      sema.error(e.loc, what + " have different units: " + a.dim->str() +
                            " and " + b.dim->str());
      return std::nullopt;
    }
    return ExprType{a.isBool, a.dim ? a.dim : b.dim};
  }

  std::optional<ExprType> binaryType(const ast::Expr &e) {
    auto a = check(*e.args[0]);
    auto b = check(*e.args[1]);
    if (!a || !b)
      return std::nullopt;
    const std::string &op = e.op;
    if (op == "and" || op == "or") {
      if (!a->isBool || !b->isBool) {
        sema.error(e.loc, "'" + op + "' needs conditions on both sides");
        return std::nullopt;
      }
      return ExprType{true, Dimension()};
    }
    if (a->isBool || b->isBool) {
      sema.error(e.loc, "'" + op + "' needs numbers, not conditions");
      return std::nullopt;
    }
    if (op == "+" || op == "-")
      return unify(e, *a, *b, "operands of '" + op + "'");
    if (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" ||
        op == "!=") {
      if (!unify(e, *a, *b, "operands of '" + op + "'"))
        return std::nullopt;
      return ExprType{true, Dimension()};
    }
    if (op == "*" || op == "/") {
      if (!a->dim || !b->dim)
        return ExprType{false, std::nullopt};
      return ExprType{false, op == "*" ? *a->dim * *b->dim : *a->dim / *b->dim};
    }
    if (op == "^") {
      if (b->dim && !b->dim->isDimensionless()) {
        sema.error(e.args[1]->loc,
                   "an exponent must be dimensionless, not " + b->dim->str());
        return std::nullopt;
      }
      if (!a->dim || a->dim->isDimensionless())
        return ExprType{false, a->dim};
      const ast::Expr &rhs = *e.args[1];
      bool negative = rhs.kind == ast::ExprKind::Unary && rhs.op == "-";
      const ast::Expr &num = negative ? *rhs.args[0] : rhs;
      if (num.kind != ast::ExprKind::Number || !num.unit.empty() ||
          !isWholeIn(num.number, 0, kMaxUnitExponent)) {
        sema.error(
            rhs.loc,
            "a quantity with a unit (" + a->dim->str() +
                ") needs a whole-number constant exponent from -16 to 16");
        return std::nullopt;
      }
      int n = static_cast<int>(num.number) * (negative ? -1 : 1);
      return ExprType{false, a->dim->pow(n)};
    }
    sema.error(e.loc, "unknown operator '" + op + "'");
    return std::nullopt;
  }

  std::optional<ExprType> callType(const ast::Expr &e) {
    if (const ast::Func *f =
            sema.funcs.count(e.name) ? sema.funcs[e.name] : nullptr) {
      if (f->params.size() != e.args.size()) {
        sema.error(e.loc, "'" + e.name + "' takes " +
                              std::to_string(f->params.size()) +
                              " arguments, not " +
                              std::to_string(e.args.size()));
        return std::nullopt;
      }
      if (std::find(expanding.begin(), expanding.end(), f) != expanding.end()) {
        sema.error(e.loc, "'" + e.name +
                              "' calls itself: functions are inlined, so "
                              "they cannot be recursive");
        return std::nullopt;
      }
      ExprChecker inner(sema, self, pre, post, inInit);
      inner.depth = depth;
      inner.expanding = expanding;
      inner.expanding.push_back(f);
      for (size_t i = 0; i < e.args.size(); ++i) {
        auto a = check(*e.args[i]);
        if (!a)
          return std::nullopt;
        inner.locals[f->params[i]] = a->dim;
      }
      return inner.check(*f->body);
    }
    std::optional<int> arity = builtinArity(e.name);
    if (!arity) {
      sema.error(e.loc, "unknown function '" + e.name + "'");
      return std::nullopt;
    }
    if (reductionOf(e.name) &&
        (self.model->kind != ast::ModelKind::Synapse || inInit)) {
      sema.error(e.loc, "'" + e.name +
                            "' reduces over the synapses of a "
                            "neuron: it belongs in a synapse's statements "
                            "(update, on pre, on post, on end)");
      return std::nullopt;
    }
    if ((e.name == "uniform" || e.name == "normal") && !inInit) {
      sema.error(e.loc, "'" + e.name +
                            "' is only available in 'init'; use "
                            "rand() or randn() in model code");
      return std::nullopt;
    }
    if (static_cast<int>(e.args.size()) != *arity) {
      sema.error(e.loc, "'" + e.name + "' takes " + std::to_string(*arity) +
                            " argument" + (*arity == 1 ? "" : "s") + ", not " +
                            std::to_string(e.args.size()));
      return std::nullopt;
    }
    std::vector<ExprType> args;
    for (const ast::ExprPtr &a : e.args) {
      auto t = check(*a);
      if (!t)
        return std::nullopt;
      if (t->isBool) {
        sema.error(a->loc, "'" + e.name + "' needs a number, not a condition");
        return std::nullopt;
      }
      args.push_back(*t);
    }
    const std::string &n = e.name;
    if (n == "rand" || n == "randn")
      return ExprType{false, Dimension()};
    if (reductionOf(n))
      return args[0];
    if (n == "exp" || n == "log" || n == "log10" || n == "sin" || n == "cos" ||
        n == "tanh" || n == "sigmoid" || n == "poisson") {
      if (args[0].dim && !args[0].dim->isDimensionless()) {
        sema.error(e.loc, "'" + n + "' needs a dimensionless argument, not " +
                              args[0].dim->str());
        return std::nullopt;
      }
      return ExprType{false, Dimension()};
    }
    if (n == "sign")
      return ExprType{false, Dimension()};
    if (n == "sqrt") {
      if (!args[0].dim)
        return args[0];
      Dimension d = *args[0].dim;
      Dimension half;
      for (int b = 0; b < Dimension::NumBases; ++b) {
        int x = d.exponent(Dimension::Base(b));
        if (x % 2 != 0) {
          sema.error(e.loc, "'sqrt' needs an argument whose unit is a "
                            "square, not " +
                                d.str());
          return std::nullopt;
        }
        half = half * Dimension::base(Dimension::Base(b)).pow(x / 2);
      }
      return ExprType{false, half};
    }
    if (n == "abs" || n == "relu" || n == "floor" || n == "ceil")
      return args[0];
    // min, max, clip, uniform, normal: all arguments share a unit.
    ExprType joined = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      auto j = unify(e, joined, args[i], "the arguments of '" + n + "'");
      if (!j)
        return std::nullopt;
      joined = *j;
    }
    return joined;
  }
};

/// Checks statement blocks of one model.
class BodyChecker {
public:
  BodyChecker(Sema::Impl &sema, ExprChecker &exprs, const ModelScope &self)
      : sema(sema), exprs(exprs), self(self) {}

  void checkBlock(const ast::Block &block) {
    for (const ast::StmtPtr &s : block)
      checkStmt(*s);
  }

  void checkStmt(const ast::Stmt &s) {
    if (s.kind == ast::StmtKind::If) {
      auto c = exprs.check(*s.cond);
      if (c && !c->isBool)
        sema.error(s.cond->loc, "the condition of 'if' must be a comparison");
      checkBlock(s.thenBody);
      checkBlock(s.elseBody);
      return;
    }
    bool accumulate = s.op == "+=" || s.op == "-=";
    auto target = exprs.checkTarget(*s.target, accumulate);
    auto value = exprs.check(*s.value);
    if (!target || !value)
      return;
    if (value->isBool) {
      sema.error(s.value->loc, "cannot assign a condition to a variable");
      return;
    }
    if (s.op == "*=" || s.op == "/=") {
      if (value->dim && !value->dim->isDimensionless())
        sema.error(s.value->loc, "'" + s.op +
                                     "' needs a dimensionless factor, not " +
                                     value->dim->str());
      return;
    }
    if (target->dim && value->dim && *target->dim != *value->dim)
      sema.error(s.value->loc, "cannot assign a value in " + value->dim->str() +
                                   " to '" + targetName(*s.target) + " in " +
                                   target->dim->str());
  }

  /// `post.target'`, or `post.target' (bound to 'gi')` where `target` is a
  /// name-valued parameter.
  std::string targetName(const ast::Expr &e) const {
    if (e.kind != ast::ExprKind::Member)
      return e.name + "'";
    std::string name = e.name + "." + e.member + "'";
    auto np = self.names.find(e.member);
    if (e.name == "post" && np != self.names.end() &&
        np->second.kind == NameInfo::NameParam && !np->second.bound.empty())
      name += " (bound to '" + np->second.bound + "')";
    return name;
  }

private:
  Sema::Impl &sema;
  ExprChecker &exprs;
  const ModelScope &self;
};
} // namespace

//===----------------------------------------------------------------------===//
// Model scopes and checks
//===----------------------------------------------------------------------===//

namespace {
std::optional<Dimension> declaredDim(Sema::Impl &sema, bool hasUnit,
                                     const ast::UnitText &unit, bool &ok) {
  if (!hasUnit)
    return std::nullopt;
  const ast::UnitFactor *unknown = nullptr;
  std::optional<Unit> u = evaluateUnit(unit, &unknown);
  if (!u) {
    sema.unknownUnit(*unknown);
    ok = false;
    return std::nullopt;
  }
  return u->dim;
}

/// Builds the scope of a model; with `instance`, name-valued parameters are
/// bound as the instance binds them.
bool buildScope(Sema::Impl &sema, const ast::Model &model,
                const ModelInstance *instance, ModelScope &scope,
                ConstEnv *paramDefaults) {
  bool ok = true;
  scope.model = &model;
  ConstEnv env;
  std::map<std::string, ast::Loc> declaredAt;
  auto declare = [&](const std::string &name, ast::Loc loc, NameInfo info) {
    if (name == "t" || name == "dt" || name == "index") {
      sema.error(loc, "'" + name + "' is reserved");
      ok = false;
      return;
    }
    if (!scope.names.emplace(name, info).second) {
      if (sema.error(loc,
                     "'" + name + "' is already declared in " + model.name))
        sema.diags.note(declaredAt[name], "previous declaration is here");
      ok = false;
      return;
    }
    declaredAt[name] = loc;
  };
  for (const ast::Param &p : model.params) {
    bool isName = p.value && p.value->kind == ast::ExprKind::Name &&
                  !env.count(p.value->name) && !p.hasUnit;
    if (isName && model.kind != ast::ModelKind::Synapse) {
      sema.error(p.value->loc, "unknown name '" + p.value->name +
                                   "' in the default of '" + p.name + "'");
      ok = false;
      continue;
    }
    if (isName) {
      NameInfo info{NameInfo::NameParam, std::nullopt};
      info.bound = p.value->name;
      if (instance)
        if (const ParamValue *v = instance->findParam(p.name))
          info.bound = v->boundName;
      declare(p.name, p.loc, info);
      continue;
    }
    ConstEvaluator eval(sema, env);
    std::optional<ConstValue> v = eval.eval(*p.value);
    if (!v) {
      ok = false;
      continue;
    }
    std::optional<Dimension> dim = declaredDim(sema, p.hasUnit, p.unit, ok);
    if (dim && v->dim && *dim != *v->dim) {
      sema.error(p.value->loc, "the default of '" + p.name + "' is in " +
                                   v->dim->str() + " but it is declared in " +
                                   dim->str());
      ok = false;
    }
    if (!dim)
      dim = v->dim ? *v->dim : Dimension();
    // A plain-number parameter takes the unit its use gives it.
    if (instance && !p.hasUnit && dim->isDimensionless())
      if (const ParamValue *given = instance->findParam(p.name))
        dim = given->dim;
    env[p.name] = ConstValue{v->value, dim};
    declare(p.name, p.loc, NameInfo{NameInfo::Param, dim});
  }
  if (paramDefaults)
    *paramDefaults = env;
  for (const ast::InputDecl &in : model.inputs) {
    if (model.kind != ast::ModelKind::Neuron) {
      sema.error(in.loc, "'in' declares a neuron input; a synapse adds into "
                         "one with 'post.x += ...'");
      ok = false;
    }
    std::optional<Dimension> dim = declaredDim(sema, in.hasUnit, in.unit, ok);
    declare(in.name, in.loc,
            NameInfo{NameInfo::Input, dim ? *dim : Dimension()});
  }
  for (const ast::SignalUse &s : model.signals)
    declare(s.name, s.loc, NameInfo{NameInfo::Signal, Dimension()});
  // Vars may refer to parameters and earlier vars in their initial values.
  for (const ast::VarDecl &v : model.vars) {
    if (v.scope != ast::VarScope::Element &&
        model.kind != ast::ModelKind::Synapse) {
      sema.error(v.loc, "'@pre', '@post' and '@proj' are for synapse state");
      ok = false;
    }
    std::optional<Dimension> dim = declaredDim(sema, v.hasUnit, v.unit, ok);
    ExprChecker exprs(sema, scope, nullptr, nullptr, /*inInit=*/true);
    std::optional<ExprType> init = v.init ? exprs.check(*v.init) : std::nullopt;
    if (v.init && !init)
      ok = false;
    if (init && init->isBool) {
      sema.error(v.init->loc,
                 "the initial value of '" + v.name + "' must be a number");
      ok = false;
    }
    if (dim && init && init->dim && *init->dim != *dim) {
      sema.error(v.init->loc, "the initial value of '" + v.name + "' is in " +
                                  init->dim->str() + " but it is declared in " +
                                  dim->str());
      ok = false;
    }
    if (!dim)
      dim = init && init->dim ? *init->dim : Dimension();
    NameInfo info{NameInfo::Var, dim};
    info.scope = v.scope;
    declare(v.name, v.loc, info);
  }
  return ok;
}

bool checkModelBody(Sema::Impl &sema, const ast::Model &model,
                    const ModelScope &self, const ModelScope *pre,
                    const ModelScope *post) {
  unsigned before = sema.diags.numErrors();
  ExprChecker exprs(sema, self, pre, post, /*inInit=*/false);
  BodyChecker body(sema, exprs, self);
  static const std::set<std::string> methods = {"exact", "euler", "exp_euler",
                                                "rk2", "rk4"};
  if (!model.integrate.empty() && !methods.count(model.integrate))
    sema.error(model.integrateLoc, "unknown integration method '" +
                                       model.integrate +
                                       "' (exact, euler, exp_euler, rk2, rk4)");
  std::set<std::string> withOde;
  for (const ast::OdeDecl &ode : model.odes) {
    auto it = self.names.find(ode.var);
    if (it == self.names.end() || it->second.kind != NameInfo::Var) {
      sema.error(ode.loc, "d" + ode.var + "/dt: '" + ode.var +
                              "' is not a state variable (declare it with "
                              "'var " +
                              ode.var + " = ...')");
      continue;
    }
    if (!withOde.insert(ode.var).second)
      sema.error(ode.loc, "'" + ode.var + "' already has an equation");
    if (!ode.method.empty() && ode.method != "event" &&
        !methods.count(ode.method))
      sema.error(ode.methodLoc,
                 "unknown integration method '" + ode.method + "'");
    if (ode.method == "event" && model.kind != ast::ModelKind::Synapse)
      sema.error(ode.methodLoc, "': event' is for synapse equations, updated "
                                "when an event handler reads them");
    auto rhs = exprs.check(*ode.rhs);
    if (!rhs)
      continue;
    if (rhs->isBool) {
      sema.error(ode.rhs->loc,
                 "the right side of d" + ode.var + "/dt must be a number");
      continue;
    }
    Dimension want = *it->second.dim / kSecond;
    if (rhs->dim && *rhs->dim != want)
      sema.error(ode.rhs->loc, "the right side of d" + ode.var + "/dt is in " +
                                   rhs->dim->str() + " but d" + ode.var +
                                   "/dt needs " + want.str() + " (" + ode.var +
                                   " is in " + it->second.dim->str() + ")");
  }
  if (model.spikeWhen) {
    if (model.kind != ast::ModelKind::Neuron)
      sema.error(model.spikeLoc, "'spike when' is for neurons");
    auto c = exprs.check(*model.spikeWhen);
    if (c && !c->isBool)
      sema.error(model.spikeWhen->loc,
                 "'spike when' needs a condition, such as 'v > v_th'");
  }
  body.checkBlock(model.reset);
  if (model.refractory) {
    auto r = exprs.check(*model.refractory);
    if (r && r->dim && *r->dim != kSecond)
      sema.error(model.refractory->loc,
                 "'refractory' needs a time, not " + dimStr(r->dim));
  }
  body.checkBlock(model.update);
  for (const ast::Handler &h : model.handlers) {
    if (model.kind != ast::ModelKind::Synapse &&
        h.kind != ast::HandlerKind::End)
      sema.error(h.loc, "'on pre' and 'on post' are for synapses");
    body.checkBlock(h.body);
  }
  for (const ast::Constraint &c : model.constraints) {
    auto it = self.names.find(c.var);
    if (it == self.names.end() || it->second.kind != NameInfo::Var) {
      sema.error(c.loc, "'" + c.var + "' is not a state variable");
      continue;
    }
    for (const ast::ExprPtr *bound : {&c.lo, &c.hi}) {
      if (!*bound)
        continue;
      auto b = exprs.check(**bound);
      if (b && b->dim && it->second.dim && *b->dim != *it->second.dim)
        sema.error((*bound)->loc, "the bound is in " + b->dim->str() +
                                      " but '" + c.var + "' is in " +
                                      it->second.dim->str());
    }
  }
  return sema.diags.numErrors() == before;
}
} // namespace

//===----------------------------------------------------------------------===//
// Sema
//===----------------------------------------------------------------------===//

Sema::Sema(SourceManager &sources, DiagnosticEngine &diags,
           std::vector<std::string> searchPath)
    : impl(std::make_unique<Impl>(sources, diags, std::move(searchPath))),
      sources(sources), diags(diags) {}

Sema::~Sema() = default;

const ast::Model *Sema::findModel(const std::string &name) const {
  auto it = impl->models.find(name);
  return it == impl->models.end() ? nullptr : it->second;
}

const ast::Func *Sema::findFunc(const std::string &name) const {
  auto it = impl->funcs.find(name);
  return it == impl->funcs.end() ? nullptr : it->second;
}

static bool checkAllModels(Sema::Impl &impl,
                           std::vector<const ast::Model *> &modelList,
                           std::vector<const ast::Network *> &networkList) {
  bool ok = true;
  modelList.clear();
  networkList.clear();
  for (const auto &file : impl.files) {
    for (const ast::Model &m : file->models) {
      modelList.push_back(&m);
      ModelScope scope;
      if (!buildScope(impl, m, nullptr, scope, nullptr)) {
        ok = false;
        continue;
      }
      // Synapse bodies are checked against their pre/post models where used.
      ok &= checkModelBody(impl, m, scope, nullptr, nullptr);
    }
    for (const ast::Network &n : file->networks)
      networkList.push_back(&n);
  }
  return ok;
}

bool Sema::loadFile(const std::string &path) {
  const ast::File *file = nullptr;
  bool ok = impl->loadPath(path, ast::Loc{}, &file);
  if (file)
    impl->mainFile = file;
  if (!ok)
    return false;
  return checkAllModels(*impl, modelList, networkList);
}

bool Sema::loadBuffer(const std::string &name, const std::string &text) {
  uint32_t id = sources.addBuffer(name, text);
  std::optional<ast::File> parsed = parseFile(sources, id, diags);
  if (!parsed)
    return false;
  impl->files.push_back(std::make_unique<ast::File>(std::move(*parsed)));
  ast::File *file = impl->files.back().get();
  impl->mainFile = file;
  bool ok = true;
  for (const ast::Import &imp : file->imports) {
    std::optional<std::string> resolved = impl->resolveImport(name, imp.path);
    if (!resolved) {
      impl->error(imp.loc, "cannot find import '" + imp.path + "'");
      ok = false;
      continue;
    }
    ok &= impl->loadPath(*resolved, imp.loc, nullptr);
  }
  ok &= impl->registerFile(*file);
  return ok && checkAllModels(*impl, modelList, networkList);
}

//===----------------------------------------------------------------------===//
// Network elaboration
//===----------------------------------------------------------------------===//

namespace {
class Elaborator {
public:
  Elaborator(Sema::Impl &sema, Sema &outer) : sema(sema), outer(outer) {}

  std::optional<NetworkPlan> run(const ast::Network &net,
                                 const std::vector<Setting> &overrides) {
    plan.name = net.name;
    plan.network = &net;
    unsigned before = sema.diags.numErrors();
    evalParams(net, overrides);
    std::map<std::string, ast::Loc> declared;
    auto unique = [&](const std::string &name, ast::Loc loc) {
      auto [it, inserted] = declared.emplace(name, loc);
      if (!inserted) {
        sema.error(loc, "'" + name + "' is already declared");
        sema.diags.note(it->second, "previous declaration is here");
      }
    };
    for (const ast::Population &p : net.populations)
      unique(p.name, p.loc);
    for (const ast::SliceDecl &s : net.slices)
      unique(s.name, s.loc);
    for (const ast::Projection &p : net.projections)
      unique(p.name, p.loc);
    for (const ast::SignalDecl &s : net.signals)
      unique(s.name, s.loc);
    for (const ast::SignalDecl &s : net.signals) {
      auto v = constant(*s.value);
      if (v)
        plan.signals.push_back({s.name, v->value});
      env[s.name] = ConstValue{v ? v->value : 0, Dimension()};
    }
    for (const ast::Population &p : net.populations)
      addPopulation(p);
    for (const ast::SliceDecl &s : net.slices) {
      auto slice = resolvePopRef(s.of);
      if (slice)
        slices[s.name] = *slice;
    }
    for (const ast::Projection &p : net.projections)
      addProjection(p);
    for (const ast::Record &r : net.records)
      addRecord(r);
    for (const ast::ScheduleItem &item : net.schedule)
      addSchedule(item, plan.schedule);
    checkPhases(net);
    if (sema.diags.numErrors() != before)
      return std::nullopt;
    return std::move(plan);
  }

private:
  Sema::Impl &sema;
  Sema &outer;
  NetworkPlan plan;
  ConstEnv env;
  std::map<std::string, PopSlice> slices;
  std::map<std::string, int> popIndex, projIndex;
  /// `Stream(advance = <phase>)` and `record ... at end <phase>`: the phase
  /// each names, for checkPhases.
  struct PhaseUse {
    std::string phase;
    ast::Loc loc;
    std::string what;
  };
  std::vector<PhaseUse> phaseUses;

  std::optional<ConstValue> constant(const ast::Expr &e) {
    ConstEvaluator eval(sema, env);
    return eval.eval(e);
  }

  std::optional<double> constantIn(const ast::Expr &e, const Dimension &want,
                                   const std::string &what) {
    auto v = constant(e);
    if (!v)
      return std::nullopt;
    if (v->dim && *v->dim != want) {
      sema.error(e.loc, what + " needs " +
                            (want.isDimensionless() ? std::string("a number")
                                                    : want.str()) +
                            ", not " + v->dim->str());
      return std::nullopt;
    }
    return v->value;
  }

  std::optional<int64_t> steps(const ast::Expr &e, const std::string &what) {
    auto v = constantIn(e, kSecond, what);
    if (!v)
      return std::nullopt;
    double n = *v / plan.dt;
    if (n < 0) {
      sema.error(e.loc, what + " must not be negative");
      return std::nullopt;
    }
    if (!(n <= 1e15)) {
      sema.error(e.loc, what + " must be at most 1e15 steps");
      return std::nullopt;
    }
    return static_cast<int64_t>(std::llround(n));
  }

  void evalParams(const ast::Network &net,
                  const std::vector<Setting> &overrides) {
    for (const ast::Param &p : net.params) {
      auto v = constant(*p.value);
      if (!v)
        continue;
      ParamValue pv;
      pv.name = p.name;
      pv.loc = p.loc;
      pv.value = v->value;
      pv.dim = v->dim ? *v->dim : Dimension();
      bool ok = true;
      if (auto d = declaredDim(sema, p.hasUnit, p.unit, ok))
        pv.dim = *d;
      for (const Setting &set : overrides) {
        if (set.name != p.name)
          continue;
        if (set.dim != pv.dim) {
          sema.diags.errorNoLoc(
              "--set " + set.name + ": '" + p.name + "' is in " + pv.dim.str() +
              ", not " + set.dim.str() +
              (set.dim.isDimensionless()
                   ? " (give a unit, e.g. --set " + p.name + "=10ms)"
                   : ""));
          continue;
        }
        pv.value = set.value; // given in SI by the caller
      }
      env[p.name] = ConstValue{pv.value, pv.dim};
      plan.params.push_back(pv);
    }
    std::set<std::string> overridden;
    for (const Setting &set : overrides) {
      bool found = false;
      for (const ParamValue &p : plan.params)
        found |= p.name == set.name;
      // Every network has a step and a seed, declared or not.
      if (!found && (set.name == "dt" || set.name == "seed")) {
        ParamValue pv;
        pv.name = set.name;
        pv.value = set.value;
        pv.dim = set.dim;
        pv.loc = net.loc;
        plan.params.push_back(pv);
        found = true;
      }
      if (!found)
        sema.diags.errorNoLoc("--set " + set.name + ": network '" + net.name +
                              "' has no parameter '" + set.name + "'");
      overridden.insert(set.name);
    }
    // A bad value given with --set is reported as such, not at the header.
    auto invalid = [&](const ParamValue &p, const std::string &why) {
      if (overridden.count(p.name))
        sema.diags.errorNoLoc("--set " + p.name + ": " + why);
      else
        sema.error(p.loc, why);
    };
    for (const ParamValue &p : plan.params) {
      if (p.name == "dt") {
        if (p.dim != kSecond || !(p.value > 0))
          invalid(p, "'dt' must be a positive time");
        else
          plan.dt = p.value;
      } else if (p.name == "seed") {
        // The random generator is keyed by a 32-bit seed.
        if (!p.dim.isDimensionless() || p.value < 0 ||
            p.value != std::floor(p.value) || p.value >= 4294967296.0)
          invalid(p, "'seed' must be a whole number from 0 to 4294967295");
        else
          plan.seed = static_cast<uint64_t>(p.value);
      }
    }
    env["dt"] = ConstValue{plan.dt, kSecond};
  }

  bool instantiate(const ast::ModelUse &use, ModelInstance &inst) {
    const ast::Model *model = outer.findModel(use.model);
    if (!model) {
      sema.error(use.loc, "unknown model '" + use.model + "'");
      return false;
    }
    inst.model = model;
    ModelScope scope;
    ConstEnv defaults;
    if (!buildScope(sema, *model, nullptr, scope, &defaults))
      return false;
    for (const ast::Param &p : model->params) {
      ParamValue pv;
      pv.name = p.name;
      pv.loc = p.loc;
      const NameInfo &info = scope.names[p.name];
      if (info.kind == NameInfo::NameParam) {
        pv.isName = true;
        pv.boundName = info.bound;
      } else {
        pv.value = defaults[p.name].value;
        pv.dim = *info.dim;
      }
      inst.params.push_back(pv);
    }
    bool ok = true;
    for (const ast::NamedArg &arg : use.args) {
      ParamValue *pv = nullptr;
      for (ParamValue &p : inst.params)
        if (p.name == arg.name)
          pv = &p;
      if (!pv) {
        sema.error(arg.loc, "model '" + model->name + "' has no parameter '" +
                                arg.name + "'");
        ok = false;
        continue;
      }
      if (pv->isName) {
        if (arg.value->kind != ast::ExprKind::Name) {
          sema.error(arg.value->loc, "'" + arg.name +
                                         "' names a postsynaptic variable: "
                                         "give a name, such as 'ge'");
          ok = false;
          continue;
        }
        pv->boundName = arg.value->name;
        continue;
      }
      auto v = constant(*arg.value);
      if (!v) {
        ok = false;
        continue;
      }
      // A parameter declared without a unit whose default is a plain
      // number takes the unit of the value given here (OnPre(w = 0.5 nA)):
      // the model's statements are checked with it.
      const ast::Param *decl = nullptr;
      for (const ast::Param &p : model->params)
        if (p.name == arg.name)
          decl = &p;
      if (v->dim && !decl->hasUnit && pv->dim.isDimensionless())
        pv->dim = *v->dim;
      else if (v->dim && *v->dim != pv->dim) {
        sema.error(arg.value->loc, "'" + arg.name + "' of " + model->name +
                                       " is in " + pv->dim.str() + ", not " +
                                       v->dim->str());
        ok = false;
        continue;
      }
      pv->value = v->value;
    }
    return ok;
  }

  void addPopulation(const ast::Population &p) {
    PopulationPlan pop;
    pop.name = p.name;
    pop.loc = p.loc;
    auto size = constantIn(*p.size, Dimension(), "a population size");
    if (size) {
      if (!isWholeIn(*size, 1, 2e9))
        sema.error(p.size->loc, "a population size must be a whole number "
                                "from 1 to 2e9");
      else
        pop.size = static_cast<int64_t>(*size);
    }
    if (p.model.model == "Stream" && !outer.findModel("Stream")) {
      addStream(p, pop);
    } else if (instantiate(p.model, pop.instance)) {
      if (pop.instance.model->kind != ast::ModelKind::Neuron)
        sema.error(p.model.loc, "'" + p.model.model +
                                    "' is a synapse model; a population "
                                    "needs a neuron model");
      else {
        checkInits(p.inits, *pop.instance.model, pop.instance, nullptr,
                   nullptr);
        checkSignals(*pop.instance.model, p.model.loc);
      }
    }
    for (const ast::InitStmt &i : p.inits)
      pop.inits.push_back(&i);
    popIndex.emplace(p.name, static_cast<int>(plan.populations.size()));
    plan.populations.push_back(std::move(pop));
  }

  void addStream(const ast::Population &p, PopulationPlan &pop) {
    rt::StreamSpec stream;
    bool haveFile = false;
    for (const ast::NamedArg &a : p.model.args) {
      if (a.name == "file" && a.value->kind == ast::ExprKind::String) {
        fs::path file(a.value->name);
        if (file.is_relative())
          file = fs::path(sema.sources.path(p.loc.file)).parent_path() / file;
        stream.file = file.string();
        haveFile = true;
        std::error_code ec;
        if (!fs::is_regular_file(file, ec))
          sema.error(a.value->loc, "cannot find '" + a.value->name + "' (" +
                                       file.string() + ")");
        else if (std::optional<rt::NpyArray> header =
                     npyHeader(file.string(), a.value->loc))
          if (header->shape.size() != 2 || header->shape[1] != pop.size)
            sema.error(a.value->loc,
                       "'" + a.value->name + "' holds an array of shape " +
                           shapeText(header->shape) + "; Stream population '" +
                           pop.name + "' of " + std::to_string(pop.size) +
                           " neurons needs (T, " + std::to_string(pop.size) +
                           ")");
      } else if (a.name == "every") {
        if (auto s = steps(*a.value, "'every'"))
          stream.everySteps = std::max<int64_t>(1, *s);
      } else if (a.name == "shuffle") {
        auto v = constant(*a.value);
        stream.shuffle = v && v->value != 0;
      } else if (a.name == "advance" && a.value->kind == ast::ExprKind::Name) {
        stream.advancePhase = a.value->name;
        phaseUses.push_back(
            {a.value->name, a.value->loc, "advance = " + a.value->name});
      } else {
        sema.error(a.loc, "Stream takes file = \"...\", every = <time>, "
                          "shuffle = true|false and advance = <phase>");
      }
    }
    if (!haveFile)
      sema.error(p.model.loc, "Stream needs file = \"data.npy\"");
    if (!p.inits.empty())
      sema.error(p.inits.front().loc, "a Stream population has no state to "
                                      "initialise");
    pop.stream = stream;
  }

  void checkInits(const std::vector<ast::InitStmt> &inits,
                  const ast::Model &model, const ModelInstance &inst,
                  const ModelScope *pre, const ModelScope *post) {
    ModelScope scope;
    if (!buildScope(sema, model, &inst, scope, nullptr))
      return;
    // Initial values may read the network's parameters; the model's own
    // names come first.
    for (const ParamValue &p : plan.params)
      if (!p.isName)
        scope.names.emplace(p.name, NameInfo{NameInfo::Param, p.dim});
    ExprChecker exprs(sema, scope, pre, post, /*inInit=*/true);
    for (const ast::InitStmt &i : inits) {
      auto it = scope.names.find(i.var);
      if (it == scope.names.end() || it->second.kind != NameInfo::Var) {
        sema.error(i.loc,
                   "'" + i.var + "' is not a state variable of " + model.name);
        continue;
      }
      auto t = exprs.check(*i.value);
      if (t && t->dim && it->second.dim && *t->dim != *it->second.dim)
        sema.error(i.value->loc, "'" + i.var + "' is in " +
                                     it->second.dim->str() + ", not " +
                                     t->dim->str());
    }
  }

  std::optional<PopSlice> resolvePopRef(const ast::PopRef &ref) {
    PopSlice slice;
    auto s = slices.find(ref.name);
    auto p = popIndex.find(ref.name);
    if (s != slices.end()) {
      slice = s->second;
    } else if (p != popIndex.end()) {
      slice.pop = p->second;
      slice.begin = 0;
      slice.end = plan.populations[p->second].size;
    } else {
      sema.error(ref.loc, "unknown population '" + ref.name + "'");
      return std::nullopt;
    }
    if (ref.begin) {
      auto b = constantIn(*ref.begin, Dimension(), "a slice bound");
      auto e = constantIn(*ref.end, Dimension(), "a slice bound");
      if (!b || !e)
        return std::nullopt;
      if (!isWholeIn(*b, -2e9, 2e9) || !isWholeIn(*e, -2e9, 2e9)) {
        sema.error(ref.loc, "slice bounds are whole numbers");
        return std::nullopt;
      }
      int64_t lo = static_cast<int64_t>(*b), hi = static_cast<int64_t>(*e);
      if (hi <= lo) {
        sema.error(ref.loc, "slice [" + std::to_string(lo) + ":" +
                                std::to_string(hi) +
                                "] is empty: the end must come after the "
                                "start");
        return std::nullopt;
      }
      if (lo < 0 || lo + slice.begin > slice.end ||
          hi + slice.begin > slice.end) {
        sema.error(ref.loc, "slice [" + std::to_string(lo) + ":" +
                                std::to_string(hi) + "] is outside '" +
                                ref.name + "' of size " +
                                std::to_string(slice.size()));
        return std::nullopt;
      }
      slice.end = slice.begin + hi;
      slice.begin += lo;
    }
    return slice;
  }

  void addProjection(const ast::Projection &p) {
    ProjectionPlan proj;
    proj.name = p.name;
    proj.loc = p.loc;
    auto pre = resolvePopRef(p.pre);
    auto post = resolvePopRef(p.post);
    bool ok = pre && post && instantiate(p.synapse, proj.instance);
    if (ok && proj.instance.model->kind != ast::ModelKind::Synapse) {
      sema.error(p.synapse.loc, "'" + p.synapse.model +
                                    "' is a neuron model; a projection needs "
                                    "a synapse model");
      ok = false;
    }
    if (ok) {
      proj.pre = *pre;
      proj.post = *post;
      ok = checkSynapseAgainst(p, proj);
    }
    if (p.hasConnect) {
      proj.connect = p.connect.kind;
      if (p.connect.value) {
        if (auto v = constantIn(*p.connect.value, Dimension(),
                                "the connection rule"))
          proj.connectValue = *v;
      }
      if (p.connect.kind == ast::ConnectKind::Prob &&
          (proj.connectValue < 0 || proj.connectValue > 1))
        sema.error(p.connect.value->loc,
                   "a connection probability must be in [0, 1]");
      if (p.connect.kind == ast::ConnectKind::OneToOne && pre && post &&
          pre->size() != post->size())
        sema.error(p.connect.loc, "'one_to_one' needs populations of equal "
                                  "size, not " +
                                      std::to_string(pre->size()) + " and " +
                                      std::to_string(post->size()));
      if (p.connect.kind == ast::ConnectKind::File) {
        fs::path file(p.connect.file);
        if (file.is_relative())
          file = fs::path(sema.sources.path(p.loc.file)).parent_path() / file;
        proj.connectFile = file.string();
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
          sema.error(p.connect.loc, "cannot find '" + p.connect.file + "' (" +
                                        file.string() + ")");
        } else if (std::optional<rt::NpyArray> header =
                       npyHeader(file.string(), p.connect.loc)) {
          std::string dtype = rt::npyCanonicalDtype(header->dtype);
          if (header->shape.size() != 2 || header->shape[1] != 2)
            sema.error(p.connect.loc,
                       "'" + p.connect.file + "' holds an array of shape " +
                           shapeText(header->shape) +
                           "; connect from needs (n, 2): one (pre, post) "
                           "index pair per row");
          else if (dtype != "<i4" && dtype != "<i8" && dtype != "<u4")
            sema.error(p.connect.loc,
                       "'" + p.connect.file + "' holds " + header->dtype +
                           " values; connect from needs integer indices "
                           "(int32, int64 or uint32)");
        }
      }
      checkDegree(p, proj);
    }
    if (p.delay && drawnPerSynapse(*p.delay)) {
      // Checked with the synapse's initial values (checkSynapseAgainst);
      // the runtime rounds each synapse's delay to steps.
      proj.delayExpr = p.delay.get();
    } else if (p.delay) {
      if (auto d = steps(*p.delay, "'delay'")) {
        proj.delaySteps = std::max<int64_t>(1, *d);
        auto exact = constant(*p.delay);
        double n = exact ? exact->value / plan.dt : 0;
        if (exact && std::fabs(n - std::llround(n)) > 1e-6)
          sema.diags.warning(
              p.delay->loc, "the delay is not a whole number of steps; "
                            "rounded to " +
                                std::to_string(proj.delaySteps) + " steps (" +
                                formatSeconds(proj.delaySteps * plan.dt) + ")");
        else if (*d < 1)
          sema.diags.warning(p.delay->loc,
                             "a delay is at least one step; using one");
      }
    }
    for (const ast::NamedArg &s : p.settings) {
      if (s.name == "weights")
        tieWeights(p, s, proj, ok);
      else
        sema.error(s.loc, "unknown projection setting '" + s.name +
                              "' (a projection takes 'weights = "
                              "<projection>.T')");
    }
    proj.noSelf = p.noSelf;
    for (const ast::InitStmt &i : p.inits)
      proj.inits.push_back(&i);
    projIndex.emplace(p.name, static_cast<int>(plan.projections.size()));
    plan.projections.push_back(std::move(proj));
  }

  /// `weights = fwd.T`: this projection has the synapses of `fwd` (dense,
  /// declared before) reversed, and reads their `w`, which only `fwd`
  /// changes.
  void tieWeights(const ast::Projection &p, const ast::NamedArg &s,
                  ProjectionPlan &proj, bool modelOk) {
    const ast::Expr &e = *s.value;
    if (e.kind != ast::ExprKind::Member || e.member != "T") {
      sema.error(e.loc, "'weights' takes the transpose of a projection "
                        "declared before: 'weights = fwd.T'");
      return;
    }
    auto it = projIndex.find(e.name);
    if (it == projIndex.end()) {
      sema.error(e.loc, "no projection '" + e.name + "' is declared before '" +
                            p.name + "'");
      return;
    }
    const ProjectionPlan &fwd = plan.projections[it->second];
    if (fwd.pre.pop < 0 || fwd.post.pop < 0)
      return; // its own error is reported
    if (p.hasConnect)
      sema.error(p.connect.loc, "'" + p.name + "' has the synapses of '" +
                                    fwd.name +
                                    "', reversed: it takes no connect rule");
    if (fwd.connect != ast::ConnectKind::All || fwd.noSelf ||
        !fwd.tiedTo.empty()) {
      sema.error(e.loc, "'" + fwd.name +
                            "' must connect all to all (its weights are a "
                            "matrix) for '" +
                            p.name + "' to read them transposed");
      return;
    }
    auto sliceText = [&](const PopSlice &x) {
      const PopulationPlan &pop = plan.populations[x.pop];
      return pop.name + "[" + std::to_string(x.begin) + ":" +
             std::to_string(x.end) + "]";
    };
    if (modelOk &&
        (proj.pre.pop != fwd.post.pop || proj.pre.begin != fwd.post.begin ||
         proj.pre.end != fwd.post.end || proj.post.pop != fwd.pre.pop ||
         proj.post.begin != fwd.pre.begin || proj.post.end != fwd.pre.end)) {
      sema.error(p.loc, "'" + p.name + "' reads '" + fwd.name +
                            "' transposed, so it goes from " +
                            sliceText(fwd.post) + " to " + sliceText(fwd.pre) +
                            ", not from " + sliceText(proj.pre) + " to " +
                            sliceText(proj.post));
      return;
    }
    if (!modelOk || !fwd.instance.model)
      return;
    const ast::Model &model = *proj.instance.model;
    auto synapseVar = [](const ast::Model &m,
                         const std::string &name) -> const ast::VarDecl * {
      for (const ast::VarDecl &v : m.vars)
        if (v.name == name && v.scope == ast::VarScope::Element)
          return &v;
      return nullptr;
    };
    if (!synapseVar(model, "w") || !synapseVar(*fwd.instance.model, "w")) {
      sema.error(e.loc, "tied weights are the variable 'w' of both models: "
                        "'" +
                            (synapseVar(model, "w") ? fwd.instance.model->name
                                                    : model.name) +
                            "' has no per-synapse 'w'");
      return;
    }
    for (const ast::VarDecl &v : model.vars)
      if (v.scope == ast::VarScope::Element && v.name != "w")
        sema.error(v.loc, "'" + model.name +
                              "' is used with tied weights "
                              "(projection '" +
                              p.name +
                              "'), so its only per-synapse variable is 'w'; "
                              "keep '" +
                              v.name + "' @pre, @post or @proj");
    for (const ast::InitStmt &i : p.inits)
      if (i.var == "w")
        sema.error(i.loc, "'" + p.name + "' reads the weights of '" + fwd.name +
                              "'; initialise them there");
    for (const ast::OdeDecl &ode : model.odes)
      if (ode.var == "w")
        sema.error(ode.loc, tiedWriteMessage(p.name, fwd.name));
    std::function<void(const ast::Block &)> writes = [&](const ast::Block &b) {
      for (const ast::StmtPtr &st : b) {
        if (st->kind == ast::StmtKind::Assign &&
            st->target->kind == ast::ExprKind::Name && st->target->name == "w")
          sema.error(st->loc, tiedWriteMessage(p.name, fwd.name));
        writes(st->thenBody);
        writes(st->elseBody);
      }
    };
    writes(model.update);
    for (const ast::Handler &h : model.handlers)
      writes(h.body);
    proj.tiedTo = fwd.name;
  }

  static std::string tiedWriteMessage(const std::string &proj,
                                      const std::string &fwd) {
    return "'w' of projection '" + proj +
           "' is the transpose of the weights of '" + fwd + "', which only '" +
           fwd + "' changes";
  }

  /// A model that reads a signal needs the network to declare it.
  bool checkSignals(const ast::Model &model, ast::Loc use) {
    bool ok = true;
    for (const ast::SignalUse &s : model.signals) {
      bool declared = false;
      for (const auto &[name, value] : plan.signals)
        declared |= name == s.name;
      if (!declared) {
        sema.error(use, "'" + model.name + "' reads signal '" + s.name +
                            "', which network '" + plan.name +
                            "' does not declare");
        ok = false;
      }
    }
    return ok;
  }

  static std::string formatSeconds(double s) {
    char text[64];
    std::snprintf(text, sizeof text, "%g ms", s * 1e3);
    return text;
  }

  /// A delay drawn per synapse: `delay = normal(1.5 ms, 0.2 ms)`, or one
  /// that depends on the synapse's neurons (`pre.index`, `post.index`).
  static bool drawnPerSynapse(const ast::Expr &e) {
    if (e.kind == ast::ExprKind::Call &&
        (e.name == "uniform" || e.name == "normal"))
      return true;
    if (e.kind == ast::ExprKind::Member &&
        (e.name == "pre" || e.name == "post"))
      return true;
    for (const ast::ExprPtr &a : e.args)
      if (a && drawnPerSynapse(*a))
        return true;
    return false;
  }

  /// A per-synapse delay is an initial value in seconds. The synapses of a
  /// presynaptic neuron then run `on pre` at different steps, so what the
  /// handler does once per spike (the presynaptic side's own state) has no
  /// single time: that is an error.
  bool checkSynapseDelay(const ast::Projection &p, const ProjectionPlan &proj,
                         const ModelScope &preScope,
                         const ModelScope &postScope) {
    ModelScope scope;
    if (!buildScope(sema, *proj.instance.model, &proj.instance, scope, nullptr))
      return false;
    for (const ParamValue &pv : plan.params)
      if (!pv.isName)
        scope.names.emplace(pv.name, NameInfo{NameInfo::Param, pv.dim});
    ExprChecker exprs(sema, scope, &preScope, &postScope, /*inInit=*/true);
    auto t = exprs.check(*p.delay);
    if (!t)
      return false;
    if (t->isBool || (t->dim && *t->dim != kSecond)) {
      sema.error(p.delay->loc,
                 "a delay is a time, not " +
                     (t->isBool ? std::string("a condition") : t->dim->str()));
      return false;
    }
    bool all = !p.hasConnect || p.connect.kind == ast::ConnectKind::All;
    if (all && !p.noSelf) {
      sema.error(p.delay->loc,
                 "a delay drawn per synapse needs a sparse projection; "
                 "'connect all' stores a weight matrix, whose synapses "
                 "arrive together");
      return false;
    }
    const ast::Model &model = *proj.instance.model;
    std::function<const ast::Stmt *(const ast::Block &)> preSide =
        [&](const ast::Block &block) -> const ast::Stmt * {
      for (const ast::StmtPtr &st : block) {
        if (st->kind == ast::StmtKind::If) {
          if (const ast::Stmt *inner = preSide(st->thenBody))
            return inner;
          if (const ast::Stmt *inner = preSide(st->elseBody))
            return inner;
          continue;
        }
        const ast::Expr *target = st->target.get();
        if (!target)
          continue;
        if (target->kind == ast::ExprKind::Member && target->name == "pre")
          return st.get();
        if (target->kind == ast::ExprKind::Name)
          for (const ast::VarDecl &v : model.vars)
            if (v.name == target->name && v.scope == ast::VarScope::Pre)
              return st.get();
      }
      return nullptr;
    };
    for (const ast::Handler &h : model.handlers) {
      if (h.kind != ast::HandlerKind::Pre)
        continue;
      if (const ast::Stmt *st = preSide(h.body)) {
        sema.error(st->loc, "'on pre' changes the presynaptic neuron's state, "
                            "but projection '" +
                                proj.name +
                                "' draws a delay per synapse: its synapses "
                                "receive a spike at different steps");
        sema.diags.note(p.delay->loc, "the delay is drawn here");
        return false;
      }
    }
    return true;
  }

  /// in_degree and out_degree draw k distinct partners: k must be a whole
  /// number no larger than the other side.
  void checkDegree(const ast::Projection &p, const ProjectionPlan &proj) {
    if (proj.pre.pop < 0 || proj.post.pop < 0 || !p.connect.value)
      return;
    if (proj.connect == ast::ConnectKind::Total) {
      if (!isWholeIn(proj.connectValue, 0, 4294967295.0))
        sema.error(p.connect.value->loc,
                   "total must be a whole number of synapses, from 0 to "
                   "4294967295");
      else if (proj.connectValue > 0 && p.noSelf &&
               proj.pre.pop == proj.post.pop && proj.pre.size() == 1 &&
               proj.post.size() == 1 && proj.pre.begin == proj.post.begin)
        sema.error(p.connect.value->loc,
                   "no_self leaves no pair to draw the synapses from");
      return;
    }
    bool in = proj.connect == ast::ConnectKind::InDegree;
    if (!in && proj.connect != ast::ConnectKind::OutDegree)
      return;
    int64_t available = in ? proj.pre.size() : proj.post.size();
    double k = proj.connectValue;
    if (!isWholeIn(k, 1, std::numeric_limits<double>::max()))
      sema.error(p.connect.value->loc,
                 std::string(in ? "in_degree" : "out_degree") +
                     " must be a whole number of synapses, at least 1");
    else if (k > available)
      sema.error(p.connect.value->loc,
                 std::string(in ? "in_degree" : "out_degree") + " = " +
                     formatNumber(k) + " is more than the " +
                     std::to_string(available) +
                     (in ? " presynaptic" : " postsynaptic") +
                     " neurons there are");
  }

  /// `on end <phase>` of a model used here needs that phase in the
  /// schedule.
  void checkPhases(const ast::Network &net) {
    std::set<std::string> phases;
    std::function<void(const std::vector<ast::ScheduleItem> &)> collect =
        [&](const std::vector<ast::ScheduleItem> &items) {
          for (const ast::ScheduleItem &item : items) {
            if (item.kind == ast::ScheduleKind::Phase)
              phases.insert(item.name);
            collect(item.body);
          }
        };
    collect(net.schedule);
    std::set<const ast::Model *> models;
    for (const PopulationPlan &pop : plan.populations)
      if (pop.instance.model)
        models.insert(pop.instance.model);
    for (const ProjectionPlan &proj : plan.projections)
      if (proj.instance.model)
        models.insert(proj.instance.model);
    for (const ast::Model *m : models)
      for (const ast::Handler &h : m->handlers)
        if (h.kind == ast::HandlerKind::End && !phases.count(h.phase))
          sema.error(h.loc, "'on end " + h.phase + "': network '" + plan.name +
                                "' has no phase named '" + h.phase + "'");
    for (const PhaseUse &use : phaseUses)
      if (!phases.count(use.phase))
        sema.error(use.loc, "'" + use.what + "': network '" + plan.name +
                                "' has no phase named '" + use.phase + "'");
  }

  bool checkSynapseAgainst(const ast::Projection &p, ProjectionPlan &proj) {
    const PopulationPlan &prePop = plan.populations[proj.pre.pop];
    const PopulationPlan &postPop = plan.populations[proj.post.pop];
    ModelScope preScope, postScope, self;
    bool ok = true;
    auto scopeOf = [&](const PopulationPlan &pop, ModelScope &scope) {
      if (pop.stream) {
        static ast::Model streamModel = [] {
          ast::Model m;
          m.kind = ast::ModelKind::Neuron;
          m.name = "Stream";
          return m;
        }();
        scope.model = &streamModel;
        scope.names["r"] = NameInfo{NameInfo::Var, Dimension()};
        return true;
      }
      return pop.instance.model && buildScope(sema, *pop.instance.model,
                                              &pop.instance, scope, nullptr);
    };
    if (!scopeOf(prePop, preScope) || !scopeOf(postPop, postScope))
      return false;
    if (!buildScope(sema, *proj.instance.model, &proj.instance, self, nullptr))
      return false;
    for (const ParamValue &pv : proj.instance.params) {
      if (!pv.isName)
        continue;
      auto it = postScope.names.find(pv.boundName);
      if (it == postScope.names.end() || (it->second.kind != NameInfo::Var &&
                                          it->second.kind != NameInfo::Input)) {
        sema.error(p.synapse.loc, "'" + pv.name + " = " + pv.boundName +
                                      "': '" + pv.boundName +
                                      "' is not a variable or input of " +
                                      postScope.model->name);
        ok = false;
      }
    }
    // A model is checked against the neurons it connects where it is used:
    // say where, when the error is inside the model (perhaps the stdlib).
    unsigned before = sema.diags.numErrors();
    if (ok)
      ok &= checkModelBody(sema, *proj.instance.model, self, &preScope,
                           &postScope);
    if (sema.diags.numErrors() != before)
      sema.diags.note(p.loc, "in projection '" + p.name + "' of '" +
                                 proj.instance.model->name + "' from '" +
                                 prePop.name + "' to '" + postPop.name + "'");
    checkInits(p.inits, *proj.instance.model, proj.instance, &preScope,
               &postScope);
    if (p.delay && drawnPerSynapse(*p.delay))
      ok &= checkSynapseDelay(p, proj, preScope, postScope);
    ok &= checkSignals(*proj.instance.model, p.synapse.loc);
    return ok;
  }

  /// The dtype and shape of a .npy file a program names, or an error at
  /// `loc` saying why it cannot be read.
  std::optional<rt::NpyArray> npyHeader(const std::string &path, ast::Loc loc) {
    try {
      return rt::readNpyHeader(path);
    } catch (const rt::RuntimeError &e) {
      sema.error(loc, e.what());
      return std::nullopt;
    }
  }

  static std::string shapeText(const std::vector<int64_t> &shape) {
    std::string text = "(";
    for (size_t k = 0; k < shape.size(); ++k)
      text += (k ? ", " : "") + std::to_string(shape[k]);
    return text + (shape.size() == 1 ? ",)" : ")");
  }

  /// The SI unit of a model instance's variable, "1" if dimensionless or
  /// not known.
  std::string unitOf(const ModelInstance &instance, const std::string &var) {
    ModelScope scope;
    if (!instance.model ||
        !buildScope(sema, *instance.model, &instance, scope, nullptr))
      return "1";
    auto it = scope.names.find(var);
    if (it == scope.names.end() || !it->second.dim)
      return "1";
    return it->second.dim->str();
  }

  void addRecord(const ast::Record &r) {
    RecordPlan rec;
    rec.loc = r.loc;
    rec.field = r.field;
    auto proj = projIndex.find(r.object.name);
    if (proj != projIndex.end()) {
      rec.kind = RecordPlan::ProjectionState;
      rec.object = proj->second;
      const ProjectionPlan &pp = plan.projections[proj->second];
      bool found = false, ofProjection = false;
      if (!pp.tiedTo.empty() &&
          (r.field == "w" ||
           (rt::isMonitor(r.field, ofProjection) && ofProjection))) {
        sema.error(r.loc, "'" + pp.name + "' reads the weights of '" +
                              pp.tiedTo + "' transposed: record " + pp.tiedTo +
                              "." + r.field);
        return;
      }
      if (pp.instance.model)
        for (const ast::VarDecl &v : pp.instance.model->vars)
          found |= v.name == r.field;
      if (!found && rt::isMonitor(r.field, ofProjection) && ofProjection) {
        // drift and effective_rank read the weights: `w`, else the
        // first per-synapse variable.
        if (!pp.instance.model)
          return; // its unknown model is reported already
        std::string weights;
        for (const ast::VarDecl &v : pp.instance.model->vars)
          if (v.scope == ast::VarScope::Element &&
              (weights.empty() || v.name == "w"))
            weights = v.name;
        if (weights.empty()) {
          sema.error(r.loc, "projection '" + r.object.name + "' of '" +
                                pp.instance.model->name +
                                "' has no per-synapse variable for '" +
                                r.field + "' to follow");
          return;
        }
        rec.monitor = r.field;
        rec.field = weights;
        rec.unit = "1";
        rec.label = r.object.name + "_" + r.field;
        addRecordEvery(r, rec);
        return;
      }
      if (!found && r.field == "delay" && pp.delayExpr) {
        // Each synapse's delay as used: whole steps, in seconds.
        rec.field = rt::kSynapseDelayField;
        rec.label = r.object.name + "_delay";
        rec.unit = "s";
        addRecordEvery(r, rec);
        return;
      }
      if (!found) {
        sema.error(r.loc, "projection '" + r.object.name +
                              "' has no variable '" + r.field + "'" +
                              (r.field == "delay"
                                   ? " (its delay is not drawn per synapse)"
                                   : ""));
        return;
      }
      rec.label = r.object.name + "_" + r.field;
      rec.unit = unitOf(pp.instance, r.field);
    } else {
      auto slice = resolvePopRef(r.object);
      if (!slice)
        return;
      rec.object = slice->pop;
      rec.begin = slice->begin;
      rec.end = slice->end;
      const PopulationPlan &pop = plan.populations[slice->pop];
      rec.label = r.object.name;
      if (r.object.begin)
        rec.label += "_" + std::to_string(slice->begin) + "_" +
                     std::to_string(slice->end);
      rec.label += "_" + r.field;
      bool ofProjection = false;
      bool declared = pop.stream && r.field == "r";
      if (pop.instance.model)
        for (const ast::VarDecl &v : pop.instance.model->vars)
          declared |= v.name == r.field;
      if (r.field == "spikes") {
        rec.kind = RecordPlan::Spikes;
      } else if (!declared && rt::isMonitor(r.field, ofProjection) &&
                 !ofProjection) {
        // Activity: spikes of a spiking population, else the magnitude of
        // its `r` (or first variable).
        rec.kind = RecordPlan::PopulationState;
        rec.monitor = r.field;
        rec.unit = "1";
        const ast::Model *model = pop.instance.model;
        if (!model && !pop.stream)
          return; // its unknown model is reported already
        if (model && model->spikeWhen) {
          rec.field = "spikes";
        } else {
          rec.field = pop.stream ? "r" : "";
          if (model)
            for (const ast::VarDecl &v : model->vars)
              if (rec.field.empty() || v.name == "r")
                rec.field = v.name;
        }
        if (rec.field.empty()) {
          sema.error(r.loc, "population '" + pop.name +
                                "' has no variable and no spikes for '" +
                                r.field + "' to measure");
          return;
        }
      } else {
        rec.kind = RecordPlan::PopulationState;
        bool found = pop.stream && r.field == "r";
        if (pop.instance.model)
          for (const ast::VarDecl &v : pop.instance.model->vars)
            found |= v.name == r.field;
        if (!found) {
          sema.error(r.loc, "population '" + pop.name + "' has no variable '" +
                                r.field + "'");
          return;
        }
        rec.unit = pop.stream ? "1" : unitOf(pop.instance, r.field);
      }
    }
    addRecordEvery(r, rec);
  }

  /// Reads `every` into `rec` and adds it to the plan.
  void addRecordEvery(const ast::Record &r, RecordPlan &rec) {
    if (r.every) {
      auto s = steps(*r.every, "'every'");
      if (!s)
        return;
      if (*s < 1) {
        sema.error(r.every->loc, "'every' must be at least one step");
        return;
      }
      if (rec.kind == RecordPlan::Spikes)
        sema.error(r.every->loc, "spikes are recorded as they happen; "
                                 "'every' is for variables");
      rec.everySteps = *s;
    }
    if (!r.atEnd.empty()) {
      if (rec.kind == RecordPlan::Spikes) {
        sema.error(r.atEndLoc, "spikes are recorded as they happen; "
                               "'at end' is for variables");
        return;
      }
      rec.atPhaseEnd = r.atEnd;
      rec.label += "_at_end_" + r.atEnd; // beside the same variable's record
      phaseUses.push_back({r.atEnd, r.atEndLoc, "record ... at end"});
    }
    plan.records.push_back(rec);
  }

  void addSchedule(const ast::ScheduleItem &item,
                   std::vector<rt::ScheduleStep> &out, bool nested = false) {
    switch (item.kind) {
    case ast::ScheduleKind::Run:
      if (auto s = steps(*item.value, "'run'")) {
        rt::ScheduleStep a;
        a.kind = rt::ScheduleStep::Run;
        a.steps = *s;
        out.push_back(a);
      }
      return;
    case ast::ScheduleKind::Repeat: {
      auto n = constantIn(*item.value, Dimension(), "'repeat'");
      if (!n)
        return;
      if (!isWholeIn(*n, 0, 1e9)) {
        sema.error(item.value->loc, "'repeat' takes a whole number of "
                                    "times, at least 0");
        return;
      }
      std::vector<rt::ScheduleStep> body;
      for (const ast::ScheduleItem &b : item.body)
        addSchedule(b, body, /*nested=*/true);
      for (int64_t i = 0; i < static_cast<int64_t>(*n); ++i)
        out.insert(out.end(), body.begin(), body.end());
      return;
    }
    case ast::ScheduleKind::Phase: {
      rt::ScheduleStep a;
      a.kind = rt::ScheduleStep::Run;
      if (item.untilSettled) {
        if (!settleLimits(item, a))
          return;
      } else if (auto s = steps(*item.value, "a phase")) {
        a.steps = *s;
      } else {
        return;
      }
      for (const ast::StmtPtr &stmt : item.assigns)
        addSignalSet(*stmt, out);
      out.push_back(a);
      rt::ScheduleStep end;
      end.kind = rt::ScheduleStep::EndPhase;
      end.signal = item.name;
      out.push_back(end);
      return;
    }
    case ast::ScheduleKind::At:
    case ast::ScheduleKind::Every: {
      bool at = item.kind == ast::ScheduleKind::At;
      if (nested) {
        sema.error(item.loc, std::string("'") + (at ? "at" : "every") +
                                 "' belongs at the top of the schedule, "
                                 "not inside 'repeat'");
        return;
      }
      auto s = steps(*item.value, at ? "'at'" : "'every'");
      if (!s)
        return;
      if (!at && *s < 1) {
        sema.error(item.value->loc, "'every' must be at least one step");
        return;
      }
      for (const ast::StmtPtr &stmt : item.assigns) {
        std::optional<int> signal = signalTarget(*stmt);
        if (!signal)
          continue;
        std::optional<rt::SignalExpr> value = signalExpr(*stmt->value);
        if (!value)
          continue;
        rt::SignalUpdate update;
        update.signal = *signal;
        update.value = std::move(*value);
        update.step = at ? *s : 0;
        update.everySteps = at ? 0 : *s;
        plan.signalUpdates.push_back(std::move(update));
      }
      return;
    }
    }
  }

  /// `until settled(tol = x, max = n steps | time)`: the phase ends after
  /// the first step in which no state variable changed by `tol` or more
  /// (in SI units), or after `max` steps.
  bool settleLimits(const ast::ScheduleItem &item, rt::ScheduleStep &run) {
    run.settleTolerance = 1e-4;
    run.steps = 1000;
    bool ok = true;
    for (const ast::NamedArg &a : item.settle) {
      if (a.name == "tol") {
        auto v = constantIn(*a.value, Dimension(), "'tol'");
        if (v && !(*v > 0 && std::isfinite(*v))) {
          sema.error(a.value->loc, "'tol' must be a positive number");
          ok = false;
        } else if (v) {
          run.settleTolerance = *v;
        } else {
          ok = false;
        }
      } else if (a.name == "max") {
        const ast::Expr &e = *a.value;
        std::optional<int64_t> n;
        if (e.kind == ast::ExprKind::Number && e.unit.size() == 1 &&
            (e.unit[0].name == "steps" || e.unit[0].name == "step") &&
            e.unit[0].exponent == 1) {
          if (!isWholeIn(e.number, 0, 1e12))
            sema.error(e.loc, "'max' takes a whole number of steps");
          else
            n = static_cast<int64_t>(e.number);
        } else {
          n = steps(e, "'max'");
        }
        if (n && *n < 1) {
          sema.error(e.loc, "'max' must be at least one step");
          n.reset();
        }
        if (n)
          run.steps = *n;
        else
          ok = false;
      } else {
        sema.error(a.loc, "'settled' takes tol = <number> and max = <n> "
                          "steps (or a time)");
        ok = false;
      }
    }
    return ok;
  }

  /// The index of the signal an `at`/`every` statement assigns.
  std::optional<int> signalTarget(const ast::Stmt &stmt) {
    if (stmt.kind != ast::StmtKind::Assign || stmt.op != "=" ||
        stmt.target->kind != ast::ExprKind::Name) {
      sema.error(stmt.loc, "'at' and 'every' set signals: 'name = value'");
      return std::nullopt;
    }
    for (size_t i = 0; i < plan.signals.size(); ++i)
      if (plan.signals[i].first == stmt.target->name)
        return static_cast<int>(i);
    sema.error(stmt.target->loc, "unknown signal '" + stmt.target->name + "'");
    return std::nullopt;
  }

  /// A signal's new value: constants, network parameters, signals, and
  /// mean(pop.x), sum(pop.x), count(pop.spikes) of populations or slices.
  std::optional<rt::SignalExpr> signalExpr(const ast::Expr &e) {
    rt::SignalExpr out;
    switch (e.kind) {
    case ast::ExprKind::Number:
    case ast::ExprKind::Bool: {
      auto v = constant(e);
      if (!v)
        return std::nullopt;
      out.value = v->value;
      return out;
    }
    case ast::ExprKind::Name: {
      for (size_t i = 0; i < plan.signals.size(); ++i)
        if (plan.signals[i].first == e.name) {
          out.kind = rt::SignalExpr::Signal;
          out.index = static_cast<int>(i);
          return out;
        }
      auto v = constant(e);
      if (!v)
        return std::nullopt;
      out.value = v->value;
      return out;
    }
    case ast::ExprKind::Unary:
    case ast::ExprKind::Binary:
    case ast::ExprKind::Conditional: {
      out.kind = e.kind == ast::ExprKind::Unary    ? rt::SignalExpr::Unary
                 : e.kind == ast::ExprKind::Binary ? rt::SignalExpr::Binary
                                                   : rt::SignalExpr::Call;
      out.op = e.kind == ast::ExprKind::Conditional ? "cond" : e.op;
      return withArgs(e, std::move(out));
    }
    case ast::ExprKind::Call: {
      if (e.name == "mean" || e.name == "sum" || e.name == "count")
        return statistic(e);
      static const std::set<std::string> functions = {
          "exp", "log", "sqrt", "abs", "tanh", "min", "max", "clip"};
      if (!functions.count(e.name)) {
        sema.error(e.loc, "'" + e.name +
                              "' is not available in 'at' and "
                              "'every' (use mean, sum, count, exp, log, sqrt, "
                              "abs, tanh, min, max, clip)");
        return std::nullopt;
      }
      out.kind = rt::SignalExpr::Call;
      out.op = e.name;
      return withArgs(e, std::move(out));
    }
    default:
      sema.error(e.loc, "this is not a value a signal can take");
      return std::nullopt;
    }
  }

  /// `out` with the converted arguments of `e`.
  std::optional<rt::SignalExpr> withArgs(const ast::Expr &e,
                                         rt::SignalExpr out) {
    for (const ast::ExprPtr &a : e.args) {
      auto arg = signalExpr(*a);
      if (!arg)
        return std::nullopt;
      out.args.push_back(std::move(*arg));
    }
    return out;
  }

  std::optional<rt::SignalExpr> statistic(const ast::Expr &e) {
    if (e.args.size() != 1 || e.args[0]->kind != ast::ExprKind::Member) {
      sema.error(e.loc, "'" + e.name + "' takes one population's variable: '" +
                            e.name + "(pop.x)'");
      return std::nullopt;
    }
    const ast::Expr &arg = *e.args[0];
    ast::PopRef ref;
    ref.name = arg.name;
    ref.loc = arg.loc;
    auto slice = resolvePopRef(ref);
    if (!slice)
      return std::nullopt;
    rt::SignalExpr out;
    out.index = slice->pop;
    out.begin = slice->begin;
    out.end = slice->end;
    const PopulationPlan &pop = plan.populations[slice->pop];
    if (e.name == "count") {
      if (arg.member != "spikes") {
        sema.error(arg.loc,
                   "'count' counts spikes: 'count(" + arg.name + ".spikes)'");
        return std::nullopt;
      }
      out.kind = rt::SignalExpr::Count;
      return out;
    }
    bool found = pop.stream && arg.member == "r";
    if (pop.instance.model) {
      for (const ast::VarDecl &v : pop.instance.model->vars)
        found |= v.name == arg.member;
      for (const ast::InputDecl &in : pop.instance.model->inputs)
        found |= in.name == arg.member;
    }
    if (!found) {
      sema.error(arg.loc, "population '" + pop.name + "' has no variable '" +
                              arg.member + "'");
      return std::nullopt;
    }
    out.kind = e.name == "mean" ? rt::SignalExpr::Mean : rt::SignalExpr::Sum;
    out.field = arg.member;
    return out;
  }

  void addSignalSet(const ast::Stmt &stmt, std::vector<rt::ScheduleStep> &out) {
    if (stmt.kind != ast::StmtKind::Assign || stmt.op != "=" ||
        stmt.target->kind != ast::ExprKind::Name) {
      sema.error(stmt.loc, "a phase sets signals: 'name = value'");
      return;
    }
    bool declared = false;
    for (const auto &[name, value] : plan.signals)
      declared |= name == stmt.target->name;
    if (!declared) {
      sema.error(stmt.target->loc,
                 "unknown signal '" + stmt.target->name + "'");
      return;
    }
    auto v = constant(*stmt.value);
    if (!v)
      return;
    rt::ScheduleStep a;
    a.kind = rt::ScheduleStep::SetSignal;
    a.signal = stmt.target->name;
    a.value = v->value;
    out.push_back(a);
  }
};
} // namespace

std::optional<NetworkPlan>
Sema::elaborate(const std::string &name,
                const std::vector<Setting> &overrides) {
  const ast::Network *net = nullptr;
  if (!name.empty()) {
    auto it = impl->networks.find(name);
    if (it == impl->networks.end()) {
      diags.errorNoLoc("no network named '" + name + "'");
      return std::nullopt;
    }
    net = it->second;
  } else if (impl->mainFile && !impl->mainFile->networks.empty()) {
    net = &impl->mainFile->networks.back();
  } else {
    diags.errorNoLoc("the file declares no network to run");
    return std::nullopt;
  }
  Elaborator elaborator(*impl, *this);
  return elaborator.run(*net, overrides);
}
