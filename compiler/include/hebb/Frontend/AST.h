//===- AST.h - Hebb abstract syntax tree ------------------------*- C++ -*-===//
//
// Plain C++ structs with source locations. The parser builds them from the
// ANTLR parse tree; nothing after parsing sees ANTLR types.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_AST_H
#define HEBB_FRONTEND_AST_H

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hebb::ast {

/// A position in a source file. `file` indexes the SourceManager's files.
struct Loc {
  uint32_t file = 0;
  uint32_t line = 0; // 1-based
  uint32_t col = 0;  // 1-based
};

/// A unit as written: `ms` is {("ms", 1)}, `[mV/ms]` is {("mV", 1), ("ms",
/// -1)}, `[nS*mV]` is {("nS", 1), ("mV", 1)}, `[mV/ms^2]` is {("mV", 1),
/// ("ms", -2)}. Empty means dimensionless (no unit written).
struct UnitFactor {
  std::string name;
  int exponent = 1;
  Loc loc;
};
using UnitText = std::vector<UnitFactor>;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

enum class ExprKind {
  Number,      // number, with an optional unit: `3`, `20 ms`, `[mV/ms]`
  Bool,        // `true` / `false`
  String,      // "path"
  Name,        // identifier, or the keywords `t`, `dt`, `index` as names
  Member,      // `pre.x`, `post.x`, `pop.x`: object `name`, field `member`
  Unary,       // op: "-", "+", "not"
  Binary,      // op: + - * / ^ < <= > >= == != and or
  Conditional, // args: cond, then, else
  Call,        // `name(args...)`, with optional named args for models
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  Loc loc;
  double number = 0; // Number
  bool boolean = false;
  UnitText unit;      // Number: the unit written after it (may be empty)
  std::string name;   // Name, Member (object), Call (callee), String (text)
  std::string member; // Member: the field after the dot
  std::string op;     // Unary, Binary
  std::vector<ExprPtr> args;

  Expr(ExprKind kind, Loc loc) : kind(kind), loc(loc) {}
};

//===----------------------------------------------------------------------===//
// Statements (bodies of update, reset, on pre/post, at, phase blocks)
//===----------------------------------------------------------------------===//

enum class StmtKind { Assign, If };

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct Stmt {
  StmtKind kind;
  Loc loc;
  // Assign: `target op value`; op is one of "=", "+=", "-=", "*=", "/=".
  // target is a Name or Member expression.
  ExprPtr target;
  std::string op;
  ExprPtr value;
  // If: `if cond { thenBody } else { elseBody }`; `else if` nests an If.
  ExprPtr cond;
  Block thenBody;
  Block elseBody;

  Stmt(StmtKind kind, Loc loc) : kind(kind), loc(loc) {}
};

//===----------------------------------------------------------------------===//
// Models: neurons and synapses
//===----------------------------------------------------------------------===//

/// `name = default` or `name: unit = default` in a model or network header.
/// A default that is a bare name of no parameter or constant is a name-valued
/// parameter (`target = I`), bound to a postsynaptic variable where used.
struct Param {
  std::string name;
  Loc loc;
  bool hasUnit = false;
  UnitText unit; // when hasUnit
  ExprPtr value;
};

/// A named argument where a model is used: `LIF(tau_m = 10 ms)`.
struct NamedArg {
  std::string name;
  Loc loc;
  ExprPtr value;
};

enum class VarScope { Element, Pre, Post, Proj };

/// `var name = init [@pre|@post|@proj]` or `var name: unit = init`.
struct VarDecl {
  std::string name;
  Loc loc;
  bool hasUnit = false;
  UnitText unit;
  ExprPtr init;
  VarScope scope = VarScope::Element;
};

/// `in name` or `in name: unit` (neurons only).
struct InputDecl {
  std::string name;
  Loc loc;
  bool hasUnit = false;
  UnitText unit;
};

/// `dx/dt = rhs [: method]`; method is "" (default), "event", "exact",
/// "euler", "exp_euler", "rk2" or "rk4".
struct OdeDecl {
  std::string var; // without the leading `d`
  Loc loc;
  ExprPtr rhs;
  std::string method;
  Loc methodLoc;
};

enum class HandlerKind { Pre, Post, End };

/// `on pre { ... }`, `on post { ... }`, `on end <phase> { ... }`.
struct Handler {
  HandlerKind kind;
  Loc loc;
  std::string phase; // End only
  Block body;
};

/// `constrain x in [lo, hi]` or `constrain x sign`.
struct Constraint {
  std::string var;
  Loc loc;
  bool sign = false;
  ExprPtr lo, hi;
};

/// `signal name` inside a model: the model reads the network's signal.
struct SignalUse {
  std::string name;
  Loc loc;
};

enum class ModelKind { Neuron, Synapse };

struct Model {
  ModelKind kind;
  std::string name;
  Loc loc;
  std::vector<Param> params;
  std::vector<VarDecl> vars;
  std::vector<InputDecl> inputs;
  std::vector<SignalUse> signals;
  std::vector<OdeDecl> odes;
  std::string integrate; // `integrate <method>`; "" if absent
  Loc integrateLoc;
  ExprPtr spikeWhen; // neurons; may be null
  Loc spikeLoc;
  bool hasReset = false;
  Block reset;
  ExprPtr refractory; // may be null
  bool hasUpdate = false;
  Block update;
  Loc updateLoc;
  std::vector<Handler> handlers;
  std::vector<Constraint> constraints;
};

/// `func name(a, b) = expr`.
struct Func {
  std::string name;
  Loc loc;
  std::vector<std::string> params;
  ExprPtr body;
};

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

/// `Model(args...)` where a model is used; `args` may be empty.
struct ModelUse {
  std::string model;
  Loc loc;
  std::vector<NamedArg> args;
};

/// `init x = expr` in a population or projection body.
struct InitStmt {
  std::string var;
  Loc loc;
  ExprPtr value;
};

/// `population name[size]: Model(...) { init ... }`.
struct Population {
  std::string name;
  Loc loc;
  ExprPtr size;
  ModelUse model;
  std::vector<InitStmt> inits;
};

/// A reference to a population, possibly sliced: `P`, `E` (a let), `P[0:5]`.
struct PopRef {
  std::string name;
  Loc loc;
  ExprPtr begin, end; // both null unless sliced
};

/// `let name = pop[a:b]`.
struct SliceDecl {
  std::string name;
  Loc loc;
  PopRef of; // always sliced
};

enum class ConnectKind {
  All,
  OneToOne,
  Prob,
  InDegree,
  OutDegree,
  Total,
  File
};

struct ConnectSpec {
  ConnectKind kind = ConnectKind::All;
  Loc loc;
  ExprPtr value;    // Prob, InDegree, OutDegree
  std::string file; // File
};

/// `projection name: A -> B : Synapse(...) { connect ...; init ...; ... }`.
struct Projection {
  std::string name;
  Loc loc;
  PopRef pre, post;
  ModelUse synapse;
  bool hasConnect = false;
  ConnectSpec connect;
  ExprPtr delay; // may be null (one step)
  bool noSelf = false;
  std::vector<InitStmt> inits;
  /// Other `name = expr` settings in the body (e.g. `weights = fwd.T`).
  std::vector<NamedArg> settings;
};

/// `record X.field [every T]`: X is a population (maybe sliced), a let, or a
/// projection; field is `spikes` or a variable name.
struct Record {
  PopRef object;
  std::string field;
  Loc loc;
  ExprPtr every; // may be null: every step (states) or every spike
  /// `record X.f at end <phase>`: sampled each time the phase ends.
  std::string atEnd;
  Loc atEndLoc;
};

/// `signal name = value` in a network.
struct SignalDecl {
  std::string name;
  Loc loc;
  ExprPtr value;
};

enum class ScheduleKind { Run, Repeat, At, Phase, Every };

/// One schedule statement. Run: `run <duration>`. Repeat: `repeat <count> {
/// body }`. At: `at <time> { assigns }`. Phase: `phase name <duration> {
/// assigns }`, or `phase name until settled(tol = x, max = n steps) {
/// assigns }` (`settle` holds the arguments, `value` is null). Every:
/// `every <period> { assigns }` (a periodic block; may also appear among
/// declarations).
struct ScheduleItem {
  ScheduleKind kind;
  Loc loc;
  ExprPtr value;                  // duration, count, time or period
  std::string name;               // Phase
  std::vector<ScheduleItem> body; // Repeat
  Block assigns;                  // At, Phase, Every
  bool untilSettled = false;      // Phase
  std::vector<NamedArg> settle;   // Phase until settled: tol, max
};

struct Network {
  std::string name;
  Loc loc;
  std::vector<Param> params;
  std::vector<Population> populations;
  std::vector<SliceDecl> slices;
  std::vector<Projection> projections;
  std::vector<Record> records;
  std::vector<SignalDecl> signals;
  std::vector<ScheduleItem> schedule; // in source order, `every` included
};

struct Import {
  std::string path;
  Loc loc;
};

/// One parsed file.
struct File {
  uint32_t fileId = 0;
  std::vector<Import> imports;
  std::vector<Func> funcs;
  std::vector<Model> models;
  std::vector<Network> networks;
};

} // namespace hebb::ast

#endif // HEBB_FRONTEND_AST_H
