//===- NetworkState.h - The runtime state of a network ----------*- C++ -*-===//
//
// Private to the runtime: the buffers, kernel calls, spike queues and
// recorders behind a Network, shared by the files that implement it
// (stepping in Network.cpp; access by name and checkpoints in
// NetworkAccess.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_LIB_NETWORKSTATE_H
#define HEBB_RUNTIME_LIB_NETWORKSTATE_H

#include "hebb/runtime/Error.h"
#include "hebb/runtime/Network.h"
#include "hebb/runtime/Npy.h"
#include "hebb/runtime/ThreadPool.h"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hebb::rt {
namespace detail {
/// Adds the time of a scope to a profile entry, if there is one.
class ProfileTimer {
public:
  explicit ProfileTimer(ProfileEntry *entry) : entry(entry) {
    if (entry)
      start = std::chrono::steady_clock::now();
  }
  ~ProfileTimer() {
    if (!entry)
      return;
    entry->seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    entry->calls++;
  }
  ProfileTimer(const ProfileTimer &) = delete;
  ProfileTimer &operator=(const ProfileTimer &) = delete;

private:
  ProfileEntry *entry;
  std::chrono::steady_clock::time_point start;
};

/// Throws where `field` is per synapse and `ps`'s synapses are procedural.
void requireStoredSynapses(const ProjectionSpec &ps, const std::string &field);

/// The packed arguments of one kernel, built once: buffers never move, so
/// only the scalars change between calls.
class KernelCall {
public:
  KernelCall() = default;
  KernelCall(const KernelSpec &spec, MemRef1D params, MemRef1D signals,
             std::vector<MemRef1D> buffers, int64_t domainSize)
      : entry(spec.entry), symbol(spec.symbol), params(params),
        signals(signals), buffers(std::move(buffers)), domainSize(domainSize),
        parallel(spec.parallel) {
    if (!entry)
      throw RuntimeError("kernel '" + spec.symbol + "' has no entry point");
    if (this->buffers.size() > kMaxBuffers)
      throw RuntimeError("kernel '" + spec.symbol + "' has more than " +
                         std::to_string(kMaxBuffers) + " buffers");
  }

  /// Runs [begin, end). Reentrant: threads may run chunks at once.
  void call(int64_t begin, int64_t end, int64_t step, double t, double dt,
            int64_t seed) const {
    if (begin >= end)
      return;
    int64_t scalars[4] = {begin, end, step, seed};
    double time = t, timestep = dt;
    MemRef1D p = params, sig = signals;
    void *args[kMaxArgs];
    int n = 0;
    args[n++] = &scalars[0];
    args[n++] = &scalars[1];
    args[n++] = &scalars[2];
    args[n++] = &time;
    args[n++] = &timestep;
    args[n++] = &scalars[3];
    auto push = [&](MemRef1D &m) {
      args[n++] = &m.allocated;
      args[n++] = &m.aligned;
      args[n++] = &m.offset;
      args[n++] = &m.size;
      args[n++] = &m.stride;
    };
    push(p);
    push(sig);
    // The kernel only reads the descriptors; copies keep this reentrant.
    MemRef1D local[kMaxBuffers];
    for (size_t i = 0; i < buffers.size(); ++i) {
      local[i] = buffers[i];
      push(local[i]);
    }
    entry(args);
  }

  /// Runs the whole domain, split across `pool` where elements are
  /// independent.
  void callAll(int64_t step, double t, double dt, int64_t seed,
               ThreadPool *pool) const {
    ProfileTimer timer(profile);
    if (!pool || !parallel) {
      call(0, domainSize, step, t, dt, seed);
      return;
    }
    pool->parallelFor(0, domainSize, [&](int64_t lo, int64_t hi) {
      call(lo, hi, step, t, dt, seed);
    });
  }

  /// Runs a handler over the first `count` entries of its event list.
  void callEvents(int64_t count, int64_t step, double t, double dt,
                  int64_t seed) const {
    ProfileTimer timer(profile);
    call(0, count, step, t, dt, seed);
  }

  /// Where to add this kernel's calls and time (null: not profiling).
  void setProfile(ProfileEntry *entry) { profile = entry; }
  const std::string &name() const { return symbol; }

  ProfileEntry *profileEntry() const { return profile; }
  bool isParallel() const { return parallel; }
  int64_t domain() const { return domainSize; }
  bool valid() const { return entry != nullptr; }
  std::vector<MemRef1D> &bufferDescriptors() { return buffers; }

private:
  KernelEntry entry = nullptr;
  std::string symbol;
  MemRef1D params, signals;
  std::vector<MemRef1D> buffers;
  int64_t domainSize = 0;
  bool parallel = false;
  ProfileEntry *profile = nullptr;
  static constexpr size_t kMaxBuffers = 64;
  static constexpr size_t kMaxArgs = 6 + 5 * (2 + kMaxBuffers);
};

inline MemRef1D describe(const Buffer &b, int64_t offset = 0,
                         int64_t size = -1) {
  MemRef1D m;
  m.allocated = b.data();
  m.aligned = static_cast<char *>(b.data()) + offset * b.elementSize();
  m.offset = 0;
  m.size = size < 0 ? static_cast<int64_t>(b.size()) - offset : size;
  m.stride = 1;
  return m;
}

struct PopulationState {
  std::map<std::string, Buffer> fields;
  Buffer params, spiked, refractory;
  /// The keys of the random streams the kernels read ("stream:<name>").
  std::map<std::string, Buffer> streamKeys;
  KernelCall init, step;
  std::vector<uint32_t> spikesNow; // indices that spiked this step
  /// Spikes of the last `history.size()` steps, indexed by step modulo size.
  std::vector<std::vector<uint32_t>> history;
  int64_t totalSpikes = 0;
  std::vector<int64_t> spikesPerNeuron;
  std::vector<std::pair<std::string, KernelCall>> onEnd; // by phase
  /// Inputs on their way, per field that projections deliver into ahead
  /// of time: `ringSlots` rows of one value per neuron; the row of step n
  /// is n mod ringSlots, added into the field at step n.
  std::map<std::string, Buffer> rings;
  /// Whether thread p of the neuron update updates exactly neurons
  /// [size * p / threads, size * (p + 1) / threads), the range its part
  /// of a split delivery writes (splitNeurons).
  bool updatedWithItsDelivery = false;
  // Stream populations.
  NpyArray streamData;
  std::vector<float> streamRows; // (T, N) as float
  int64_t streamRowCount = 0;
  int64_t streamEpoch = -1;         // the epoch `streamOrder` is for
  std::vector<int64_t> streamOrder; // shuffle: this epoch's row order
};

struct ProjectionState {
  Connectivity conn;
  std::map<std::string, Buffer> fields;
  /// The keys of the random streams the kernels read ("stream:<name>").
  std::map<std::string, Buffer> streamKeys;
  Buffer params, rowPtr, postIndex, preIndex, colPtr, colSyn;
  /// `on pre`'s row_layout (KernelABI.h): where its rows' bounds are.
  Buffer rowLayout;
  /// Spikes that arrive this step: the pre (in the slice) and, with delays
  /// per synapse, the row block of its synapses with that delay.
  Buffer events, eventRows;
  /// With delays per synapse: delayRows() of the connectivity, and the
  /// shortest and longest delay in steps.
  Buffer delayRows;
  int64_t minDelay = 1, maxDelay = 1;
  /// Delivery into rings: `on pre` runs when a spike is emitted and adds
  /// into the postsynaptic population's rings at each synapse's delay.
  /// ringInfo is i32 [ring slots, slot of the emission step, neurons per
  /// slot]; ringColumn is u32 per synapse: its delay in steps times the
  /// ring's row length, plus its postsynaptic index.
  bool ring = false;
  Buffer ringInfo, ringColumn;
  /// Procedural synapses: i32 [posts, the post that is pre 0 itself or
  /// INT32_MIN where no pair of a neuron with itself is left out].
  Buffer rowDraw;
  /// Procedural synapses: each row's shortest and longest delay (seconds).
  Buffer delayLeast, delayMost;
  /// With several threads, `on pre` split by ranges of postsynaptic
  /// neurons, a call per thread: the rows' bounds of each range
  /// (postRangeRows), each part's row_layout, and the calls that read
  /// them. Empty on one thread.
  Buffer postRanges, partLayouts;
  std::vector<KernelCall> onPreParts;
  std::vector<double> partSeconds; // per part, when profiling
  /// Whether the split `on pre` runs in one parallel region with the
  /// others next to it, and its spikes of this step there.
  bool joinsGroup = false;
  int64_t eventCount = 0;
  /// prev:NAME snapshots of presynaptic fields, taken before neurons update.
  std::map<std::string, Buffer> snapshots;
  std::vector<KernelCall> init, learn;
  KernelCall onPre, onPost, transmit;
  std::vector<KernelCall> beforeTransmit, beforeOnPre, beforeOnPost;
  KernelCall learnTransmit;
  /// The next step's transmitted sums, per postsynaptic field, taken by
  /// `learnTransmit`; `fusedReady` while they are valid.
  std::map<std::string, Buffer> nexts;
  bool fusedReady = false;
  std::vector<std::pair<std::string, KernelCall>> onEnd; // by phase
};

} // namespace detail

struct Network::Impl {
  std::vector<detail::PopulationState> pops;
  std::vector<detail::ProjectionState> projs;
  Buffer signals;
  std::vector<SpikeRecorder> spikeRecorders;
  std::vector<StateRecorder> stateRecorders;
  /// Per record: what a monitor compares with (the initial weights for
  /// drift; spike counts or activity summed since the last sample, with
  /// the step count in its last element, for a population's activity).
  std::vector<std::vector<double>> monitorBaselines;
  std::vector<int> recorderOf; // per record: index into its recorder list
  int64_t maxDelay = 1;
  /// Split `on pre` projections waiting to be delivered together.
  std::vector<size_t> splitGroup;
  /// Whether the last split group is delivered in the neuron update's
  /// region (deliverableWithNeurons); -1 until decided for these threads.
  int lastGroupWithNeurons = -1;
  /// Per thread: seconds its part of a group delivered in the neuron
  /// update's region took (when profiling).
  std::vector<double> deliverySeconds;
  /// Rows of every population's rings: maxDelay + 1.
  int64_t ringSlots = 1;
  /// Per population with rings: the projections that deliver into them,
  /// in order. A population's rings are delivered by every thread, each
  /// into its range of neurons, where all its projections split by
  /// postsynaptic ranges, else by one thread; either way the sums do not
  /// depend on the threads. `ringCost` (seconds spent, decaying) and
  /// `ringThread` spread the populations that do not split.
  std::vector<std::pair<int, std::vector<size_t>>> ringTargets;
  std::vector<double> ringCost;
  std::vector<unsigned> ringThread;
  /// Per population with rings: whether all its projections split, so
  /// that every thread delivers into it (set by splitDelivery).
  std::vector<char> ringSplit;
  /// Seconds each thread spent on each population's rings this step.
  std::vector<double> ringSeconds;
  std::unique_ptr<ThreadPool> pool; // null: one thread
  /// The neuron update: every updated population's neurons, in order, cut
  /// into runs of about equal size, one per thread; thread t updates
  /// segments [threadSegments[t], threadSegments[t + 1]). Empty until the
  /// first step after the threads are set.
  struct NeuronSegment {
    size_t pop;
    int64_t begin, end;
    std::vector<uint32_t> spikes; // found in this step's update
    double seconds = 0;           // when profiling
  };
  std::vector<NeuronSegment> neuronSegments;
  std::vector<size_t> threadSegments;
  /// Kernel and runtime times when profiling; a deque keeps entries put.
  std::deque<ProfileEntry> profile;
  ProfileEntry *spikeLists = nullptr, *records = nullptr;
  /// count(pop.spikes): the spike total at the node's last evaluation.
  std::map<const SignalExpr *, int64_t> countedSpikes;
  /// A phase run until settled: every neuron state variable after the last
  /// step, per population (empty for a population without state).
  std::vector<std::vector<double>> settlePrevious;
  bool settleValid = false;
  /// How often each phase has ended (Streams that advance per phase).
  std::map<std::string, int64_t> phaseEnds;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_LIB_NETWORKSTATE_H
