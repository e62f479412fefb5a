//===- Network.h - A network of compiled kernels, stepped in time -*- C++
//-*-===//
//
// The runtime's model of a network: populations and projections with their
// buffers (structure of arrays), the compiled kernels that update them, the
// spike queues that deliver events after each projection's delay, monitors,
// and the schedule. One step follows LANGUAGE.md section 4: delivery,
// transmission, neurons, learning, bookkeeping.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_NETWORK_H
#define HEBB_RUNTIME_NETWORK_H

#include "hebb/runtime/Connectivity.h"
#include "hebb/runtime/KernelABI.h"
#include "hebb/runtime/Recorders.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hebb::rt {

struct FieldSpec {
  std::string name;
  std::string scope = "element"; // element | pre | post | proj
  bool input = false;            // zeroed at the end of every step
  bool f64 = false;              // else f32
  /// A projection's field that only the init kernels write (fixed weights,
  /// delays): finite checks and their in-memory snapshots skip it.
  bool constant = false;
};

struct ParamSpec {
  std::string name;
  double value = 0;
  std::string unit; // SI, for people: "s", "V", "1"
};

/// What a kernel's [begin, end) ranges over: a population's neurons, a
/// projection's synapses, its postsynaptic rows (dense layout), its pre or
/// post neurons (@pre/@post state), the projection once, or a list of
/// spiking neurons given at the call.
enum class KernelDomain {
  Neurons,
  Synapses,
  PostRows,
  PreNeurons,
  PostNeurons,
  Projection,
  Events
};

/// A compiled kernel: its symbol, manifest and entry point.
struct KernelSpec {
  std::string symbol;
  std::vector<std::string> buffers;
  KernelDomain domain = KernelDomain::Neurons;
  /// Each element writes only its own state, so the domain may be split
  /// across threads.
  bool parallel = false;
  KernelEntry entry = nullptr;
};

struct StreamSpec {
  std::string file;
  int64_t everySteps = 1;
  bool shuffle = false;
  /// Non-empty: the row advances each time this phase ends, instead of
  /// every `everySteps` steps.
  std::string advancePhase;
};

struct PopulationSpec {
  std::string name;
  std::string model;
  int64_t size = 0;
  std::vector<FieldSpec> fields;
  std::vector<ParamSpec> params;
  std::optional<KernelSpec> init, step;
  /// `on end <phase>` kernels, by phase name.
  std::vector<std::pair<std::string, KernelSpec>> onEnd;
  std::optional<StreamSpec> stream;
  bool spiking = false; // has a spike condition

  /// Calls `f` on every kernel.
  template <typename F> void forEachKernel(F &&f) {
    for (std::optional<KernelSpec> *k : {&init, &step})
      if (*k)
        f(**k);
    for (auto &[phase, k] : onEnd)
      f(k);
  }
};

/// The per-synapse field that holds a synapse's delay in seconds.
inline constexpr const char *kSynapseDelayField = "__delay";

enum class ConnectRule {
  All,
  OneToOne,
  Probability,
  InDegree,
  OutDegree,
  /// `total = k`: k synapses, each between a uniformly drawn pre and post
  /// (pairs may repeat), as NEST's fixed_total_number and GeNN's
  /// FixedNumberTotalWithReplacement.
  Total,
  File
};

struct ProjectionSpec {
  std::string name;
  std::string model;
  int pre = -1, post = -1;
  int64_t preBegin = 0, preEnd = 0, postBegin = 0, postEnd = 0;
  std::vector<FieldSpec> fields;
  std::vector<ParamSpec> params;
  ConnectRule connect = ConnectRule::All;
  /// Every pre to every post, stored post-major: synapse j * n_pre + i.
  bool dense = false;
  /// `weights = fwd.T`: a dense projection whose `w` is the buffer of the
  /// earlier projection `fwd` (from this one's post to its pre), read
  /// transposed.
  std::string tiedTo;
  double connectValue = 0;
  std::string connectFile;
  bool noSelf = false;
  /// The delay of every synapse, in steps; with `synapseDelays`, the
  /// shortest (each synapse's own is in the field kSynapseDelayField).
  int64_t delaySteps = 1;
  /// A delay per synapse, drawn by the init kernels into the per-synapse
  /// field kSynapseDelayField (seconds). After initialisation the runtime
  /// rounds it to whole steps (at least one) and orders each presynaptic
  /// neuron's synapses by delay, then postsynaptic index, so that the
  /// synapses a spike reaches at one step are contiguous.
  bool synapseDelays = false;
  /// Init and learning kernels, in order: per synapse (with the sums over
  /// synapses between learning stages), then @pre, @post and @proj state.
  std::vector<KernelSpec> init, learn;
  std::optional<KernelSpec> onPre, onPost, transmit;
  /// Sums over synapses that transmit (on_pre, on_post) statements read,
  /// taken just before the stage runs.
  std::vector<KernelSpec> beforeTransmit, beforeOnPre, beforeOnPost;
  /// Learning fused with the next step's transmission (dense projections
  /// where nothing else touches the weights in between): used instead of
  /// `learn`, its sums (`next:` buffers) replace the next `transmit`.
  std::optional<KernelSpec> learnTransmit;
  std::vector<std::pair<std::string, KernelSpec>> onEnd;
  /// Procedural synapses (`--procedural`, connect total): no synapse is
  /// stored; each spike draws its row again in `onPre` (the posts from the
  /// stream "<name>.connect" as connectTotal draws them, the fields as the
  /// init stages give them). The runtime keeps the row sizes alone; this
  /// kernel gives each row's shortest and longest delay, in seconds, into
  /// `delay_least` and `delay_most` (per pre neuron), for the rings.
  std::optional<KernelSpec> delayRange;
  bool procedural() const { return delayRange.has_value(); }

  /// Calls `f` on every kernel.
  template <typename F> void forEachKernel(F &&f) {
    for (std::vector<KernelSpec> *ks :
         {&init, &learn, &beforeTransmit, &beforeOnPre, &beforeOnPost})
      for (KernelSpec &k : *ks)
        f(k);
    for (std::optional<KernelSpec> *k :
         {&onPre, &onPost, &transmit, &learnTransmit, &delayRange})
      if (*k)
        f(**k);
    for (auto &[phase, k] : onEnd)
      f(k);
  }
};

struct RecordSpec {
  enum Kind { Spikes, PopulationState, ProjectionState };
  Kind kind = Spikes;
  int object = -1;
  int64_t begin = 0, end = 0;
  std::string field;
  int64_t everySteps = 1;
  std::string label;
  std::string unit; // SI unit of the field, for people ("V", "1")
  /// A monitor (drift, effective_rank, dormant_ratio, active_fraction):
  /// one scalar per sample, computed from `field` ("spikes" for a spiking
  /// population's activity), kept by a one-column state recorder.
  std::string monitor;
  /// Non-empty: sampled when this phase ends (after its `on end`
  /// handlers) instead of every `everySteps` steps.
  std::string atPhaseEnd;
};

/// A value a network computes for a signal: constants, other signals, and
/// statistics of the network (`mean(pop.x)`, `sum(pop.x)`,
/// `count(pop.spikes)`: the spikes since the expression was last
/// evaluated), combined with arithmetic and a few functions.
struct SignalExpr {
  enum Kind { Constant, Signal, Mean, Sum, Count, Unary, Binary, Call };
  Kind kind = Constant;
  double value = 0;  // Constant
  int index = -1;    // Signal: signal index; Mean/Sum/Count: population
  std::string field; // Mean, Sum
  int64_t begin = 0, end = 0; // Mean/Sum/Count: neurons of the population
  std::string op;             // Unary: "-"; Binary: + - * / < > ...; Call: name
  std::vector<SignalExpr> args;
};

/// `name = value` on a signal: at one step (`at`), or every `everySteps`
/// steps after it (`every`).
struct SignalUpdate {
  int signal = -1;
  SignalExpr value;
  int64_t step = 0;       // at
  int64_t everySteps = 0; // every (0: once, at `step`)
};

struct ScheduleStep {
  enum Kind { Run, SetSignal, EndPhase };
  Kind kind = Run;
  /// Run: the number of steps, or with a settle tolerance the most.
  int64_t steps = 0;
  std::string signal; // SetSignal; EndPhase: the phase's name
  double value = 0;
  /// Run until settled: stop after the first step in which no neuron's
  /// state variable changed by this much or more.
  double settleTolerance = 0;
};

struct NetworkSpec {
  std::string name;
  double dt = 1e-4;
  uint64_t seed = 1;
  std::vector<ParamSpec> params; // the network's own, for run.json
  std::vector<PopulationSpec> populations;
  std::vector<ProjectionSpec> projections;
  std::vector<RecordSpec> records;
  std::vector<std::pair<std::string, double>> signals;
  std::vector<SignalUpdate> signalUpdates;
  std::vector<ScheduleStep> schedule;
};

/// Where the time of a run goes (`hebb run --profile`): one entry per
/// kernel, and for the runtime's own per-step work.
struct ProfileEntry {
  std::string name;
  int64_t calls = 0;
  double seconds = 0;
};

/// Called during long runs: simulated time done and total, wall seconds.
using ProgressFn =
    std::function<void(double simulated, double total, double wallSeconds)>;

/// A 64-byte aligned, zero-initialised array that never moves.
class Buffer {
public:
  Buffer() = default;
  Buffer(size_t count, size_t elementSize);
  ~Buffer();
  Buffer(Buffer &&other) noexcept;
  Buffer &operator=(Buffer &&other) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  void *data() const { return ptr; }
  size_t size() const { return count; }
  size_t elementSize() const { return elemSize; }
  template <typename T> T *as() const { return static_cast<T *>(ptr); }
  void zero();

private:
  void *ptr = nullptr;
  size_t count = 0, elemSize = 0;
};

/// Where a network is in its schedule: the next item, and the steps of it
/// already run (for a run item). Saved in checkpoints, so that a resumed
/// run goes on exactly where the saved one stopped.
struct ScheduleCursor {
  size_t item = 0;
  int64_t stepsDone = 0;
};

/// How `hebb run` runs a schedule.
struct RunControl {
  ProgressFn progress;
  /// Called between steps every `checkpointEvery` steps (0: never), with
  /// the network at a step boundary that a checkpoint can resume from.
  int64_t checkpointEvery = 0;
  std::function<void()> checkpoint;
  /// Set (from a signal handler, say) to stop after the current step.
  const std::atomic<bool> *stop = nullptr;
  /// Checks every state variable for NaN and infinities. Checks are spaced
  /// so that they cost about 2% of the run; between them the network keeps
  /// an in-memory snapshot, so that a failure is traced to its exact step.
  bool checkFinite = false;
};

enum class RunOutcome { Finished, Stopped, NonFinite };

/// The first state variable that stopped being finite.
struct NonFiniteReport {
  std::string variable;                 // "pop.v" or "proj.w"
  int population = -1, projection = -1; // where it is (one of the two)
  std::string field;
  int64_t element = 0;
  int64_t step = 0;      // the step that made it non-finite
  double value = 0;      // NaN or an infinity
  double lastFinite = 0; // its value before that step
  bool exact = true;     // false: no snapshot; `step` is where it was seen
};

namespace detail {
struct PopulationState;
} // namespace detail

class Network {
public:
  /// Allocates every buffer, builds connectivity and runs the init kernels.
  /// Throws RuntimeError on bad input (a missing file, a bad kernel).
  explicit Network(NetworkSpec spec);
  ~Network();

  /// Runs the whole schedule of the spec.
  void runSchedule(const ProgressFn &progress = nullptr);
  /// Runs the schedule from the cursor (the start, or where a checkpoint
  /// left it) to its end, unless asked to stop or a variable stops being
  /// finite; then the network is at the last finite step and nonFinite()
  /// says what happened, with records up to that step.
  RunOutcome runSchedule(const RunControl &control);
  const ScheduleCursor &scheduleCursor() const { return cursor; }
  const NonFiniteReport &nonFinite() const { return nonFiniteReport; }
  /// Runs `steps` steps.
  void run(int64_t steps, const ProgressFn &progress = nullptr);
  void step();

  double time() const { return static_cast<double>(stepCount) * spec.dt; }
  int64_t steps() const { return stepCount; }
  const NetworkSpec &networkSpec() const { return spec; }

  /// Writes every record as .npy files into `dir` (created if needed) and
  /// returns the files written, record by record.
  std::vector<std::vector<std::string>>
  writeRecords(const std::string &dir) const;

  // Inspection (summaries, tests, the REPL).
  int populationIndex(const std::string &name) const;
  int projectionIndex(const std::string &name) const;
  /// A field's values as doubles; empty if there is no such field.
  std::vector<double> populationField(int pop, const std::string &field) const;
  std::vector<double> projectionField(int proj, const std::string &field) const;
  size_t numSynapses(int proj) const;
  /// Spikes emitted by the neurons of a population since the start.
  int64_t spikeCount(int pop) const;
  /// The spikes of each neuron of a population since the network began.
  const std::vector<int64_t> &spikeCounts(int pop) const;
  const Connectivity &connectivity(int proj) const;
  void setSignal(const std::string &name, double value);
  double signal(const std::string &name) const;
  /// Runs the `on end <phase>` handlers of every model.
  void endPhase(const std::string &phase);
  /// A parameter of a population or projection (`object`), in SI units;
  /// nullopt if there is none. Setting one applies from the next step.
  std::optional<double> parameter(const std::string &object,
                                  const std::string &name) const;
  bool setParameter(const std::string &object, const std::string &name,
                    double value);
  /// Overwrites a field with `values` (one per element); throws
  /// RuntimeError if there is no such field or the count differs.
  void setPopulationField(int pop, const std::string &field,
                          const std::vector<double> &values);
  void setProjectionField(int proj, const std::string &field,
                          const std::vector<double> &values);
  /// The recorders of record `index` of the spec (null for the other kind).
  const SpikeRecorder *spikeRecord(size_t index) const;
  const StateRecorder *stateRecord(size_t index) const;
  /// Writes the state needed to continue the run (time, every field,
  /// parameters, signals, spikes in flight, counters, the schedule cursor
  /// and the records so far) to `path`, or restores it. The file carries a
  /// format version and a CRC-32 of its contents, is written under a
  /// temporary name and renamed, and loads only into a network of the same
  /// description; a corrupt or mismatched file is an error that leaves the
  /// network as it was.
  void saveCheckpoint(const std::string &path) const;
  void loadCheckpoint(const std::string &path);
  /// Takes over the state of `old`, a network of an earlier version of
  /// the same session (`hebb repl`): the time, the signals by name, and the
  /// fields, parameters and spike queues of every population and
  /// projection that kept its name and size. What is new starts from its
  /// initial values.
  void adoptState(const Network &old);
  /// Times every kernel call and the runtime's per-step work from now on.
  void enableProfiling();
  /// The times so far, largest first (empty unless profiling).
  std::vector<ProfileEntry> profile() const;
  /// Splits neuron updates and learning over `threads` threads (1: none;
  /// at most kMaxThreads). Results are the same for any number of threads.
  void setThreads(unsigned threads);
  static constexpr unsigned kMaxThreads = 1024;

private:
  /// Runs `on pre` of projection `k` at step `n` on the spikes that reach
  /// it: those of step n - delay; with delays per synapse, those of each
  /// step n - d on the synapses of delay d; delivering into rings, those
  /// of step n - 1, added ahead into the rows of their arrival steps.
  void deliver(size_t k, int64_t n, double t);
  /// Updates every population's neurons for step `n`, all populations in
  /// one parallel region, and lists those that spiked. With `deliveries`,
  /// each thread first delivers its part of those split projections.
  void updateNeurons(int64_t n, double t,
                     std::vector<size_t> *deliveries = nullptr);
  /// Cuts the neuron update into a run of segments per thread.
  void splitNeurons();
  /// Adds the rings' rows of step `n` into their fields and clears them,
  /// for neurons [begin, end).
  void drainRings(detail::PopulationState &pop, int64_t n, int64_t begin,
                  int64_t end);
  /// Delivery into rings for step `n`: a population's rings split by
  /// ranges of its neurons across the threads, or on one thread.
  void deliverRings(int64_t n, double t);
  /// Makes the rings of the projections that deliver into them, once the
  /// longest delay is known.
  void makeRings();
  /// Lists projection `k`'s spikes that arrive at step `n` (one delay for
  /// all synapses) as its events; returns how many.
  int64_t gatherUniform(size_t k, int64_t n);
  /// Lists projection `k`'s spikes emitted at step `emitted` as its
  /// events; returns how many.
  int64_t gatherEmitted(size_t k, int64_t emitted);
  /// Delivers the split projections of `group`, one parallel region for
  /// all, and empties it.
  void deliverSplit(std::vector<size_t> &group, int64_t n, double t);
  /// Lists the events of `group`'s projections and runs their sums;
  /// returns about how many synapses they reach.
  double prepareSplit(const std::vector<size_t> &group, int64_t n, double t);
  /// Thread `part`'s range of each projection of `group`.
  void deliverPart(const std::vector<size_t> &group, unsigned part, int64_t n,
                   double t);
  /// Shares the `seconds` a group's delivery took among its profile lines.
  void profileSplit(const std::vector<size_t> &group, double seconds,
                    double total);
  /// Whether each thread can deliver its part of `group` just before it
  /// updates its neurons, in one parallel region: the group writes only
  /// postsynaptic inputs that no other step phase touches in between, in
  /// the ranges of the neurons the same thread updates.
  bool deliverableWithNeurons(const std::vector<size_t> &group);
  /// Splits the `on pre` of each projection that allows it by ranges of
  /// postsynaptic neurons, a part per thread of the pool.
  void splitDelivery();
  /// The checkpoint format: `records` false leaves out the records (the
  /// in-memory snapshots of the finite checks keep only their lengths),
  /// and a `trusted` snapshot of this network is read in one pass without
  /// a checksum.
  void writeState(std::ostream &out, bool records, bool checksum) const;
  void readState(std::istream &in, const std::string &name, bool records,
                 bool trusted);
  /// The first non-finite value of any state variable, if any; without
  /// `constants`, leaving out the fields only init writes.
  bool findNonFinite(NonFiniteReport &report, bool constants = true) const;
  /// Whether field `name` of projection `k` is one only init writes.
  bool constantField(size_t k, const std::string &name) const;
  /// Record lengths, to roll records back to a snapshot.
  std::vector<int64_t> recordSizes() const;
  void truncateRecords(const std::vector<int64_t> &sizes);
  /// Runs one step of the schedule's run items at the cursor, applying the
  /// signal settings and phase ends before it; false at the schedule's end.
  /// `skipped` (if given) grows by the steps a phase run until settled
  /// did not need.
  bool advanceSchedule(int64_t *skipped = nullptr);
  /// For phases run until settled: keeps every neuron state variable, or
  /// compares with what was kept and keeps the new values; true when no
  /// value changed by `tolerance` or more.
  bool settled(double tolerance);
  /// Sums a fused learning pass took for the next step are stale once
  /// anything but a step changes the state.
  void invalidateFusedSums();
  struct Impl;
  const Buffer &recordedField(const RecordSpec &r) const;
  /// Samples the state records due at `step` (steps completed).
  void sampleRecords(int64_t step);
  /// Samples state record `index` (a variable or a monitor) now.
  void sampleRecord(size_t index, int64_t step);
  /// The value of monitor record `index` now.
  double monitorSample(size_t index);
  double evaluate(const SignalExpr &e, size_t update);
  void applySignalUpdates(bool afterStep);

  NetworkSpec spec;
  std::unique_ptr<Impl> impl;
  int64_t stepCount = 0;
  ScheduleCursor cursor;
  NonFiniteReport nonFiniteReport;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_NETWORK_H
