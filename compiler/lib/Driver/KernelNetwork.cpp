//===- KernelNetwork.cpp - A network around one model ---------------------===//

#include "hebb/Driver/KernelNetwork.h"

#include <functional>
#include <set>
#include <sstream>

using namespace hebb;

namespace {
/// The `pre.x` and `post.x` a synapse reads or writes, and the variables
/// its name-valued parameters bind by default.
struct SideVariables {
  std::set<std::string> pre, post;
};

void collect(const ast::Expr &e, SideVariables &out) {
  if (e.kind == ast::ExprKind::Member) {
    if (e.name == "pre" && e.member != "index")
      out.pre.insert(e.member);
    else if (e.name == "post" && e.member != "index")
      out.post.insert(e.member);
  }
  for (const ast::ExprPtr &a : e.args)
    if (a)
      collect(*a, out);
}

void collect(const ast::Block &block, SideVariables &out) {
  for (const ast::StmtPtr &st : block) {
    for (const ast::ExprPtr *e : {&st->target, &st->value, &st->cond})
      if (*e)
        collect(**e, out);
    collect(st->thenBody, out);
    collect(st->elseBody, out);
  }
}

SideVariables sideVariables(const ast::Model &model) {
  SideVariables out;
  for (const ast::VarDecl &v : model.vars)
    if (v.init)
      collect(*v.init, out);
  for (const ast::OdeDecl &o : model.odes)
    collect(*o.rhs, out);
  collect(model.update, out);
  for (const ast::Handler &h : model.handlers)
    collect(h.body, out);
  for (const ast::Constraint &c : model.constraints)
    for (const ast::ExprPtr *e : {&c.lo, &c.hi})
      if (*e)
        collect(**e, out);
  // `post.target` with `target = I`: the default binding is the variable.
  std::set<std::string> renamed;
  for (const ast::Param &p : model.params)
    if (p.value && p.value->kind == ast::ExprKind::Name && !p.hasUnit &&
        out.post.count(p.name)) {
      out.post.erase(p.name);
      renamed.insert(p.value->name);
    }
  out.post.insert(renamed.begin(), renamed.end());
  return out;
}

/// A neuron model with a unit-free variable (initially 0, which fits any
/// unit) for each name.
void sideModel(std::ostringstream &src, const std::string &name,
               const std::set<std::string> &vars) {
  src << "neuron " << name << "() {\n";
  for (const std::string &v : vars)
    src << "  var " << v << " = 0\n";
  src << "}\n";
}
} // namespace

std::string hebb::kernelNetworkSource(const ast::Model &model,
                                      const std::string &name,
                                      const KernelShape &shape,
                                      std::string &error) {
  std::ostringstream src;
  std::string header = "network " + name + "(dt = 0.1 ms, seed = 1) {\n";
  std::string signals;
  for (const ast::SignalUse &s : model.signals)
    signals += "  signal " + s.name + " = 0\n";
  if (model.kind == ast::ModelKind::Neuron) {
    if (shape.size < 1) {
      error = "--kernel " + model.name + " is a neuron model: give --size N";
      return "";
    }
    src << header << signals << "  population neurons[" << shape.size
        << "]: " << model.name << "\n}\n";
    return src.str();
  }
  if (shape.numPre < 1 || shape.numPost < 1) {
    error = "--kernel " + model.name +
            " is a synapse model: give --pre N and --post M (a dense layer)";
    return "";
  }
  SideVariables sides = sideVariables(model);
  std::string pre = "__KernelSource_" + model.name;
  std::string post = "__KernelTarget_" + model.name;
  sideModel(src, pre, sides.pre);
  sideModel(src, post, sides.post);
  src << header << signals << "  population source[" << shape.numPre
      << "]: " << pre << "\n"
      << "  population target[" << shape.numPost << "]: " << post << "\n"
      << "  projection rule: source -> target : " << model.name
      << " { connect all }\n}\n";
  return src.str();
}
