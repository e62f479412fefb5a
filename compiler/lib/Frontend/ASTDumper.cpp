//===- ASTDumper.cpp - Print the AST as an indented tree ------------------===//
//
// Output of `hebbc --emit=ast`. Lit tests match it line by line, so any
// change to the format here means updating tests/lit/parse.
//
//===----------------------------------------------------------------------===//

#include "hebb/Frontend/ASTDumper.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <sstream>

using namespace hebb;
using namespace hebb::ast;

std::string hebb::formatNumber(double value) {
  char buf[64];
  // Whole numbers as integers: `3200`, not `3.2e+03`. The range test comes
  // first: converting a larger double to an integer is undefined.
  if (value > -1e15 && value < 1e15 &&
      value == static_cast<double>(static_cast<long long>(value))) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(value));
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      return buf;
  }
  return buf;
}

static std::string quote(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string hebb::unitToString(const UnitText &unit) {
  if (unit.empty())
    return "";
  auto factor = [](const UnitFactor &f, int exponent) {
    return exponent == 1 ? f.name : f.name + "^" + std::to_string(exponent);
  };
  std::string num, den;
  for (const UnitFactor &f : unit) {
    if (f.exponent >= 0)
      num += (num.empty() ? "" : "*") + factor(f, f.exponent);
    else
      den += "/" + factor(f, -f.exponent);
  }
  if (num.empty())
    num = "1";
  // A single plain factor is written bare, as in the source: `20 ms`.
  if (unit.size() == 1 && unit[0].exponent == 1)
    return num;
  return "[" + num + den + "]";
}

std::string hebb::exprToString(const Expr &e) {
  switch (e.kind) {
  case ExprKind::Number:
    if (e.unit.empty())
      return formatNumber(e.number);
    return "(" + formatNumber(e.number) + " " + unitToString(e.unit) + ")";
  case ExprKind::Bool:
    return e.boolean ? "true" : "false";
  case ExprKind::String:
    return quote(e.name);
  case ExprKind::Name:
    return e.name;
  case ExprKind::Member:
    return e.name + "." + e.member;
  case ExprKind::Unary:
    return "(" + e.op + " " +
           (e.args.empty() ? "?" : exprToString(*e.args[0])) + ")";
  case ExprKind::Binary:
    if (e.args.size() != 2)
      return "(?)";
    return "(" + exprToString(*e.args[0]) + " " + e.op + " " +
           exprToString(*e.args[1]) + ")";
  case ExprKind::Conditional:
    if (e.args.size() != 3)
      return "(?)";
    return "(" + exprToString(*e.args[0]) + " ? " + exprToString(*e.args[1]) +
           " : " + exprToString(*e.args[2]) + ")";
  case ExprKind::Call: {
    std::string out = e.name + "(";
    for (size_t i = 0; i < e.args.size(); ++i)
      out += (i ? ", " : "") + exprToString(*e.args[i]);
    return out + ")";
  }
  }
  return "?";
}

namespace {

/// Holds the stream and indentation while walking the tree.
class Dumper {
public:
  Dumper(const SourceManager &sources, std::ostream &os)
      : sources(sources), os(os) {}

  void dumpFile(const File &file);

private:
  const SourceManager &sources;
  std::ostream &os;
  unsigned depth = 0;

  /// Starts a line at the current indentation.
  std::ostream &line() {
    for (unsigned i = 0; i < depth; ++i)
      os << "  ";
    return os;
  }
  static std::string at(const Loc &loc) {
    return " @" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
  }
  static std::string expr(const ExprPtr &e) {
    return e ? exprToString(*e) : "<null>";
  }
  /// Runs `body` one level deeper.
  template <typename Fn> void nested(Fn body) {
    ++depth;
    body();
    --depth;
  }

  void dumpBlock(const Block &block);
  void dumpStmt(const Stmt &stmt);
  void dumpParams(const std::vector<Param> &params);
  void dumpModel(const Model &model);
  void dumpNetwork(const Network &net);
  void dumpSchedule(const ScheduleItem &item);
  static std::string modelUse(const ModelUse &use);
  static std::string popRef(const PopRef &ref);
};

} // namespace

void Dumper::dumpBlock(const Block &block) {
  for (const StmtPtr &stmt : block)
    if (stmt)
      dumpStmt(*stmt);
}

void Dumper::dumpStmt(const Stmt &stmt) {
  switch (stmt.kind) {
  case StmtKind::Assign:
    line() << "Assign " << expr(stmt.target) << " " << stmt.op << " "
           << expr(stmt.value) << "\n";
    return;
  case StmtKind::If:
    line() << "If " << expr(stmt.cond) << "\n";
    nested([&] {
      line() << "Then\n";
      nested([&] { dumpBlock(stmt.thenBody); });
      if (!stmt.elseBody.empty()) {
        line() << "Else\n";
        nested([&] { dumpBlock(stmt.elseBody); });
      }
    });
    return;
  }
}

void Dumper::dumpParams(const std::vector<Param> &params) {
  for (const Param &p : params) {
    line() << "Param " << p.name;
    if (p.hasUnit)
      os << ": " << unitToString(p.unit);
    os << " = " << expr(p.value) << "\n";
  }
}

static const char *scopeName(VarScope scope) {
  switch (scope) {
  case VarScope::Element:
    return "";
  case VarScope::Pre:
    return " @pre";
  case VarScope::Post:
    return " @post";
  case VarScope::Proj:
    return " @proj";
  }
  return "";
}

void Dumper::dumpModel(const Model &m) {
  line() << (m.kind == ModelKind::Neuron ? "Neuron " : "Synapse ") << m.name
         << at(m.loc) << "\n";
  nested([&] {
    dumpParams(m.params);
    for (const VarDecl &v : m.vars) {
      line() << "Var " << v.name;
      if (v.hasUnit)
        os << ": " << unitToString(v.unit);
      os << " = " << expr(v.init) << scopeName(v.scope) << "\n";
    }
    for (const InputDecl &in : m.inputs) {
      line() << "Input " << in.name;
      if (in.hasUnit)
        os << ": " << unitToString(in.unit);
      os << "\n";
    }
    for (const SignalUse &s : m.signals)
      line() << "Signal " << s.name << "\n";
    for (const OdeDecl &ode : m.odes) {
      line() << "Ode " << ode.var;
      if (!ode.method.empty())
        os << " : " << ode.method;
      os << " = " << expr(ode.rhs) << "\n";
    }
    if (!m.integrate.empty())
      line() << "Integrate " << m.integrate << "\n";
    if (m.spikeWhen)
      line() << "SpikeWhen " << expr(m.spikeWhen) << "\n";
    if (m.hasReset) {
      line() << "Reset\n";
      nested([&] { dumpBlock(m.reset); });
    }
    if (m.refractory)
      line() << "Refractory " << expr(m.refractory) << "\n";
    if (m.hasUpdate) {
      line() << "Update\n";
      nested([&] { dumpBlock(m.update); });
    }
    for (const Handler &h : m.handlers) {
      switch (h.kind) {
      case HandlerKind::Pre:
        line() << "OnPre\n";
        break;
      case HandlerKind::Post:
        line() << "OnPost\n";
        break;
      case HandlerKind::End:
        line() << "OnEnd " << h.phase << "\n";
        break;
      }
      nested([&] { dumpBlock(h.body); });
    }
    for (const Constraint &c : m.constraints) {
      if (c.sign)
        line() << "Constrain " << c.var << " sign\n";
      else
        line() << "Constrain " << c.var << " in [" << expr(c.lo) << ", "
               << expr(c.hi) << "]\n";
    }
  });
}

std::string Dumper::modelUse(const ModelUse &use) {
  std::string out = use.model;
  if (use.args.empty())
    return out;
  out += "(";
  for (size_t i = 0; i < use.args.size(); ++i)
    out += (i ? ", " : "") + use.args[i].name + " = " + expr(use.args[i].value);
  return out + ")";
}

std::string Dumper::popRef(const PopRef &ref) {
  if (!ref.begin && !ref.end)
    return ref.name;
  return ref.name + "[" + expr(ref.begin) + ":" + expr(ref.end) + "]";
}

void Dumper::dumpSchedule(const ScheduleItem &item) {
  switch (item.kind) {
  case ScheduleKind::Run:
    line() << "Run " << expr(item.value) << "\n";
    return;
  case ScheduleKind::Repeat:
    line() << "Repeat " << expr(item.value) << "\n";
    nested([&] {
      for (const ScheduleItem &sub : item.body)
        dumpSchedule(sub);
    });
    return;
  case ScheduleKind::At:
    line() << "At " << expr(item.value) << "\n";
    break;
  case ScheduleKind::Phase:
    if (item.untilSettled) {
      std::string args;
      for (const NamedArg &a : item.settle)
        args += (args.empty() ? "" : ", ") + a.name + " = " + expr(a.value);
      line() << "Phase " << item.name << " until settled(" << args << ")\n";
    } else {
      line() << "Phase " << item.name << " " << expr(item.value) << "\n";
    }
    break;
  case ScheduleKind::Every:
    line() << "Every " << expr(item.value) << "\n";
    break;
  }
  nested([&] { dumpBlock(item.assigns); });
}

static const char *connectName(ConnectKind kind) {
  switch (kind) {
  case ConnectKind::All:
    return "all";
  case ConnectKind::OneToOne:
    return "one_to_one";
  case ConnectKind::Prob:
    return "p";
  case ConnectKind::InDegree:
    return "in_degree";
  case ConnectKind::OutDegree:
    return "out_degree";
  case ConnectKind::Total:
    return "total";
  case ConnectKind::File:
    return "from";
  }
  return "?";
}

void Dumper::dumpNetwork(const Network &net) {
  line() << "Network " << net.name << at(net.loc) << "\n";
  nested([&] {
    dumpParams(net.params);
    for (const Population &pop : net.populations) {
      line() << "Population " << pop.name << "[" << expr(pop.size)
             << "]: " << modelUse(pop.model) << "\n";
      nested([&] {
        for (const InitStmt &init : pop.inits)
          line() << "Init " << init.var << " = " << expr(init.value) << "\n";
      });
    }
    for (const SliceDecl &slice : net.slices)
      line() << "Let " << slice.name << " = " << popRef(slice.of) << "\n";
    for (const Projection &proj : net.projections) {
      line() << "Projection " << proj.name << ": " << popRef(proj.pre) << " -> "
             << popRef(proj.post) << " : " << modelUse(proj.synapse) << "\n";
      nested([&] {
        if (proj.hasConnect) {
          const ConnectSpec &c = proj.connect;
          line() << "Connect " << connectName(c.kind);
          if (c.kind == ConnectKind::File)
            os << " " << quote(c.file);
          else if (c.value)
            os << " = " << expr(c.value);
          os << "\n";
        }
        if (proj.delay)
          line() << "Delay " << expr(proj.delay) << "\n";
        if (proj.noSelf)
          line() << "NoSelf\n";
        for (const InitStmt &init : proj.inits)
          line() << "Init " << init.var << " = " << expr(init.value) << "\n";
        for (const NamedArg &s : proj.settings)
          line() << "Setting " << s.name << " = " << expr(s.value) << "\n";
      });
    }
    for (const SignalDecl &s : net.signals)
      line() << "Signal " << s.name << " = " << expr(s.value) << "\n";
    for (const Record &r : net.records) {
      line() << "Record " << popRef(r.object) << "." << r.field;
      if (r.every)
        os << " every " << expr(r.every);
      if (!r.atEnd.empty())
        os << " at end " << r.atEnd;
      os << "\n";
    }
    for (const ScheduleItem &item : net.schedule)
      dumpSchedule(item);
  });
}

void Dumper::dumpFile(const File &file) {
  std::string path =
      file.fileId < sources.numFiles() ? sources.path(file.fileId) : "";
  line() << "File " << quote(path) << "\n";
  nested([&] {
    for (const Import &imp : file.imports)
      line() << "Import " << quote(imp.path) << at(imp.loc) << "\n";
    for (const Func &f : file.funcs) {
      line() << "Func " << f.name << "(";
      for (size_t i = 0; i < f.params.size(); ++i)
        os << (i ? ", " : "") << f.params[i];
      os << ")" << at(f.loc) << "\n";
      nested([&] { line() << "Body " << expr(f.body) << "\n"; });
    }
    for (const Model &m : file.models)
      dumpModel(m);
    for (const Network &n : file.networks)
      dumpNetwork(n);
  });
}

void hebb::dumpAST(const File &file, const SourceManager &sources,
                   std::ostream &os) {
  Dumper(sources, os).dumpFile(file);
}
