//===- Sema.h - Name resolution, units and network elaboration --*- C++ -*-===//
//
// Loads a file with its imports, resolves names, checks physical units, and
// elaborates a network into a NetworkPlan: sizes, slices, parameter values in
// SI units, connectivity and the schedule, all evaluated.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_SEMA_H
#define HEBB_FRONTEND_SEMA_H

#include "hebb/Frontend/AST.h"
#include "hebb/Frontend/Diagnostics.h"
#include "hebb/Frontend/Units.h"
#include "hebb/runtime/Network.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hebb {

/// A parameter of a model instance or network, evaluated to SI.
struct ParamValue {
  std::string name;
  double value = 0;
  Dimension dim;
  /// A name-valued parameter (`target = ge`) binds a postsynaptic variable.
  bool isName = false;
  std::string boundName;
  ast::Loc loc;
};

/// A model as used by a population or projection, with its parameters.
struct ModelInstance {
  const ast::Model *model = nullptr;
  std::vector<ParamValue> params; // header order
  const ParamValue *findParam(const std::string &name) const;
};

struct PopulationPlan {
  std::string name;
  ast::Loc loc;
  int64_t size = 0;
  ModelInstance instance;
  std::vector<const ast::InitStmt *> inits;
  /// A population with a built-in input model (`Stream`) has no compiled
  /// model; its file is a resolved path.
  std::optional<rt::StreamSpec> stream;
};

/// A contiguous part of a population.
struct PopSlice {
  int pop = -1;
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};

struct ProjectionPlan {
  std::string name;
  ast::Loc loc;
  PopSlice pre, post;
  ModelInstance instance;
  ast::ConnectKind connect = ast::ConnectKind::All;
  double connectValue = 0;
  std::string connectFile;
  int64_t delaySteps = 1;
  /// A delay drawn per synapse (an init expression in seconds), or null.
  const ast::Expr *delayExpr = nullptr;
  bool noSelf = false;
  std::vector<const ast::InitStmt *> inits;
  /// `weights = fwd.T`: the synapses of dense projection `fwd` reversed,
  /// whose `w` this projection reads transposed, without a copy.
  std::string tiedTo;
};

struct RecordPlan {
  enum Kind { Spikes, PopulationState, ProjectionState };
  Kind kind = Spikes;
  int object = -1;            // population or projection index
  int64_t begin = 0, end = 0; // element range (populations)
  std::string field;
  int64_t everySteps = 1;
  std::string label;      // file stem, e.g. "out_spikes", "P_0_5_v", "syn_w"
  std::string unit;       // SI unit of the field ("1": none; "" for spikes)
  std::string monitor;    // drift, effective_rank, dormant_ratio, ...
  std::string atPhaseEnd; // `at end <phase>`: sampled when it ends
  ast::Loc loc;
};

struct NetworkPlan {
  std::string name;
  const ast::Network *network = nullptr;
  double dt = 1e-4;
  uint64_t seed = 1;
  std::vector<ParamValue> params;
  std::vector<PopulationPlan> populations;
  std::vector<ProjectionPlan> projections;
  std::vector<RecordPlan> records;
  std::vector<std::pair<std::string, double>> signals;
  /// The flattened schedule: runs, signal settings and phase ends.
  std::vector<rt::ScheduleStep> schedule;
  /// `at` and `every` blocks, in the runtime's form.
  std::vector<rt::SignalUpdate> signalUpdates;
  int64_t totalSteps() const;
};

/// A `--set name=value` override of a network parameter, in SI. Without a
/// unit the value is a plain number, which only a dimensionless parameter
/// accepts.
struct Setting {
  std::string name;
  double value = 0;
  Dimension dim;
};

/// The dimension of an expression, or of nothing known (a wildcard: the
/// literal 0, or a name whose owner is not known yet).
struct ExprType {
  bool isBool = false;
  std::optional<Dimension> dim; // nullopt: any dimension
};

class Sema {
public:
  Sema(SourceManager &sources, DiagnosticEngine &diags,
       std::vector<std::string> searchPath);
  ~Sema();

  /// Parses `path` and everything it imports, then checks every model.
  /// Returns false if there were errors.
  bool loadFile(const std::string &path);
  /// Parses text that did not come from a file (REPL, tests).
  bool loadBuffer(const std::string &name, const std::string &text);

  const ast::Model *findModel(const std::string &name) const;
  const ast::Func *findFunc(const std::string &name) const;
  const std::vector<const ast::Network *> &networks() const {
    return networkList;
  }
  const std::vector<const ast::Model *> &models() const { return modelList; }

  /// Elaborates the network `name` ("" picks the last network of the main
  /// file) with `--set name=value` overrides of network parameters.
  std::optional<NetworkPlan> elaborate(const std::string &name,
                                       const std::vector<Setting> &overrides);

  SourceManager &sourceManager() { return sources; }
  DiagnosticEngine &diagnostics() { return diags; }

  /// The checker's state; public so that its helpers in Sema.cpp can name it.
  struct Impl;

private:
  std::unique_ptr<Impl> impl;
  SourceManager &sources;
  DiagnosticEngine &diags;
  std::vector<const ast::Network *> networkList;
  std::vector<const ast::Model *> modelList;
};

/// The names of built-in functions and the number of arguments they take
/// (-1: any number >= 1).
std::optional<int> builtinArity(const std::string &name);

/// A reduction over the synapses of a neuron: `sum_in`, `mean_out`,
/// `min_in`, `cumsum_out`, ...
struct Reduction {
  /// How values combine: "sum", "min", "max" or "cumsum".
  std::string combine;
  /// Over each postsynaptic neuron's incoming synapses (`_in`), else over
  /// each presynaptic neuron's outgoing ones.
  bool overIncoming;
  /// `mean_*`: the sum divided by the number of synapses.
  bool mean;
  /// `cumsum_*` gives each synapse the running sum over its neuron's
  /// synapses up to and including itself, in the other side's index order.
  bool perSynapse() const { return combine == "cumsum"; }
};

/// The reduction a built-in's name denotes, if it is one.
std::optional<Reduction> reductionOf(const std::string &name);

} // namespace hebb

#endif // HEBB_FRONTEND_SEMA_H
