//===- NetworkAccess.cpp - Parameters, fields, records and checkpoints ----===//
//
// What a host program (the C API, the REPL) reads and changes in a network
// by name between steps, and saving and restoring its state.
//
//===----------------------------------------------------------------------===//

#include "NetworkState.h"
#include "hebb/runtime/SpecJson.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>

#include <zlib.h>

using namespace hebb::rt;
using namespace hebb::rt::detail;

namespace {
/// The parameter list and buffer of the population or projection `object`.
std::pair<const std::vector<ParamSpec> *, Buffer *>
findParams(const NetworkSpec &spec, std::vector<PopulationState> &pops,
           std::vector<ProjectionState> &projs, const std::string &object) {
  for (size_t k = 0; k < spec.populations.size(); ++k)
    if (spec.populations[k].name == object)
      return {&spec.populations[k].params, &pops[k].params};
  for (size_t k = 0; k < spec.projections.size(); ++k)
    if (spec.projections[k].name == object)
      return {&spec.projections[k].params, &projs[k].params};
  return {nullptr, nullptr};
}

void setField(Buffer &b, size_t count, const std::vector<double> &values,
              const std::string &what) {
  if (values.size() != count)
    throw RuntimeError(what + " has " + std::to_string(count) +
                       " values, not " + std::to_string(values.size()));
  if (b.elementSize() == 8)
    std::memcpy(b.data(), values.data(), count * sizeof(double));
  else
    for (size_t i = 0; i < count; ++i)
      b.as<float>()[i] = static_cast<float>(values[i]);
}

/// The `count(pop.spikes)` nodes of the signal updates, in a fixed order.
std::vector<const SignalExpr *> countNodes(const NetworkSpec &spec) {
  std::vector<const SignalExpr *> nodes;
  std::function<void(const SignalExpr &)> visit = [&](const SignalExpr &e) {
    if (e.kind == SignalExpr::Count)
      nodes.push_back(&e);
    for (const SignalExpr &a : e.args)
      visit(a);
  };
  for (const SignalUpdate &u : spec.signalUpdates)
    visit(u.value);
  return nodes;
}

/// `crc` extended by `size` bytes (zlib's crc32 takes at most 4 GiB at a
/// time).
uLong extendCrc(uLong crc, const void *data, uint64_t size) {
  const auto *p = static_cast<const Bytef *>(data);
  for (uint64_t done = 0; done < size;) {
    uInt chunk = static_cast<uInt>(std::min<uint64_t>(size - done, 1u << 30));
    crc = crc32(crc, p + done, chunk);
    done += chunk;
  }
  return crc;
}

constexpr char kMagic[8] = {'H', 'E', 'B', 'B', 'C', 'K', 'P', 'T'};
/// The checkpoint format: 2 added the schedule cursor, the records and a
/// CRC-32 of everything after the header.
constexpr uint32_t kFormatVersion = 2;

/// Sections of a checkpoint, each a size and its bytes, with a running
/// CRC-32 of what was written.
class CheckpointWriter {
public:
  CheckpointWriter(std::ostream &out, bool checksum)
      : out(out), checksum_(checksum) {}
  void bytes(const void *data, uint64_t size) {
    raw(&size, sizeof size);
    raw(data, size);
  }
  void buffer(const Buffer &b) { bytes(b.data(), b.size() * b.elementSize()); }
  template <typename T> void value(const T &v) { bytes(&v, sizeof v); }
  template <typename T> void vector(const std::vector<T> &v) {
    bytes(v.data(), v.size() * sizeof(T));
  }
  uint32_t checksum() const { return static_cast<uint32_t>(crc); }

private:
  void raw(const void *data, uint64_t size) {
    out.write(static_cast<const char *>(data),
              static_cast<std::streamsize>(size));
    if (checksum_)
      crc = extendCrc(crc, data, size);
  }

  std::ostream &out;
  bool checksum_;
  uLong crc = crc32(0L, Z_NULL, 0);
};

/// Reads sections into place, or, without `apply`, only checks that every
/// section is there with the size this network expects (and sums the
/// CRC-32 of what it read).
class CheckpointReader {
public:
  /// `in` is at the start of the checkpoint; its length is taken once, so
  /// that a size read from a corrupt file is checked before anything is
  /// allocated for it.
  CheckpointReader(std::istream &in, std::string path, bool apply,
                   bool checksum)
      : in(in), path(std::move(path)), apply(apply), checksum_(checksum) {
    in.seekg(0, std::ios::end);
    std::streampos last = in.tellg();
    in.seekg(0);
    length = last < 0 ? 0 : uint64_t(last);
  }
  uint64_t size() {
    uint64_t n = 0;
    read(&n, sizeof n, /*always=*/true);
    return n;
  }
  void bytes(void *data, uint64_t expected, const std::string &what) {
    uint64_t n = size();
    if (n != expected)
      fail(what + " holds " + std::to_string(n) + " bytes, this network " +
           std::to_string(expected));
    read(data, n);
  }
  void buffer(Buffer &b, const std::string &what) {
    bytes(b.data(), b.size() * b.elementSize(), what);
  }
  template <typename T> void value(T &v, const std::string &what) {
    bytes(&v, sizeof v, what);
  }
  /// A value read in both passes, into a local of the caller.
  template <typename T> T local(const std::string &what) {
    T v{};
    if (size() != sizeof v)
      fail(what + " has the wrong size");
    read(&v, sizeof v, /*always=*/true);
    return v;
  }
  /// A list whose length the checkpoint gives; kept only when applying.
  template <typename T> void vector(std::vector<T> &v) {
    uint64_t n = size();
    if (n % sizeof(T) != 0)
      fail("a list has a partial element");
    if (n > remaining())
      fail("truncated");
    std::vector<T> discarded;
    std::vector<T> &into = apply ? v : discarded;
    into.resize(n / sizeof(T));
    read(into.data(), n, /*always=*/true);
  }
  uint32_t checksum() const { return static_cast<uint32_t>(crc); }
  /// The header and the trailing checksum: read as they are, outside the
  /// checksum.
  bool plain(void *data, uint64_t n) {
    if (n > remaining())
      return false;
    position += n;
    in.read(static_cast<char *>(data), static_cast<std::streamsize>(n));
    return bool(in);
  }
  [[noreturn]] void fail(const std::string &why) {
    throw RuntimeError("checkpoint '" + path + "': " + why);
  }

private:
  uint64_t remaining() const { return length - position; }
  void read(void *data, uint64_t n, bool always = false) {
    if (n > remaining())
      fail("truncated");
    position += n;
    char *into = static_cast<char *>(data);
    if (!apply && !always) {
      scratch.resize(n);
      into = scratch.data();
    }
    in.read(into, static_cast<std::streamsize>(n));
    if (!in)
      fail("truncated");
    if (checksum_)
      crc = extendCrc(crc, into, n);
  }

  std::istream &in;
  std::string path;
  bool apply, checksum_;
  uint64_t length = 0, position = 0;
  std::vector<char> scratch;
  uLong crc = crc32(0L, Z_NULL, 0);
};

/// Identifies the network a checkpoint belongs to: its description.
uint64_t fingerprint(const NetworkSpec &spec) {
  return std::hash<std::string>{}(specToJson(spec));
}
} // namespace

std::optional<double> Network::parameter(const std::string &object,
                                         const std::string &name) const {
  auto [params, buffer] = findParams(spec, impl->pops, impl->projs, object);
  if (params)
    for (size_t i = 0; i < params->size(); ++i)
      if ((*params)[i].name == name)
        return buffer->as<double>()[i];
  return std::nullopt;
}

bool Network::setParameter(const std::string &object, const std::string &name,
                           double value) {
  invalidateFusedSums();
  auto [params, buffer] = findParams(spec, impl->pops, impl->projs, object);
  if (params)
    for (size_t i = 0; i < params->size(); ++i)
      if ((*params)[i].name == name) {
        buffer->as<double>()[i] = value;
        return true;
      }
  return false;
}

void Network::setPopulationField(int pop, const std::string &field,
                                 const std::vector<double> &values) {
  invalidateFusedSums();
  PopulationState &st = impl->pops.at(pop);
  auto it = st.fields.find(field);
  if (it == st.fields.end())
    throw RuntimeError("population '" + spec.populations[pop].name +
                       "' has no variable '" + field + "'");
  setField(it->second, spec.populations[pop].size, values,
           spec.populations[pop].name + "." + field);
}

void Network::setProjectionField(int proj, const std::string &field,
                                 const std::vector<double> &values) {
  invalidateFusedSums();
  requireStoredSynapses(spec.projections.at(proj), field);
  ProjectionState &st = impl->projs.at(proj);
  auto it = st.fields.find(field);
  if (it == st.fields.end())
    throw RuntimeError("projection '" + spec.projections[proj].name +
                       "' has no variable '" + field + "'");
  // @pre, @post and @proj state has fewer values than synapses.
  setField(it->second, it->second.size(), values,
           spec.projections[proj].name + "." + field);
}

const SpikeRecorder *Network::spikeRecord(size_t index) const {
  if (index >= spec.records.size() ||
      spec.records[index].kind != RecordSpec::Spikes)
    return nullptr;
  return &impl->spikeRecorders[impl->recorderOf[index]];
}

const StateRecorder *Network::stateRecord(size_t index) const {
  if (index >= spec.records.size() ||
      spec.records[index].kind == RecordSpec::Spikes)
    return nullptr;
  return &impl->stateRecorders[impl->recorderOf[index]];
}

void Network::writeState(std::ostream &out, bool records, bool checksum) const {
  out.write(kMagic, sizeof kMagic);
  out.write(reinterpret_cast<const char *>(&kFormatVersion),
            sizeof kFormatVersion);
  CheckpointWriter w(out, checksum);
  w.value(fingerprint(spec));
  w.value(stepCount);
  w.value(static_cast<uint64_t>(cursor.item));
  w.value(cursor.stepsDone);
  w.buffer(impl->signals);
  for (const PopulationState &st : impl->pops) {
    w.buffer(st.params);
    for (const auto &[name, b] : st.fields)
      w.buffer(b);
    w.buffer(st.refractory);
    w.buffer(st.spiked);
    w.value(static_cast<uint64_t>(st.history.size()));
    for (const std::vector<uint32_t> &slot : st.history)
      w.vector(slot);
    w.vector(st.spikesNow);
    w.value(st.totalSpikes);
    w.vector(st.spikesPerNeuron);
    for (const auto &[name, ring] : st.rings)
      w.buffer(ring);
  }
  for (size_t k = 0; k < impl->projs.size(); ++k) {
    const ProjectionState &st = impl->projs[k];
    w.buffer(st.params);
    // A snapshot leaves out what only init writes.
    for (const auto &[name, b] : st.fields)
      if (records || !constantField(k, name))
        w.buffer(b);
  }
  for (const SignalExpr *e : countNodes(spec)) {
    auto it = impl->countedSpikes.find(e);
    w.value(it == impl->countedSpikes.end() ? int64_t(0) : it->second);
  }
  for (const std::vector<double> &baseline : impl->monitorBaselines)
    w.vector(baseline);
  w.value(static_cast<uint8_t>(records));
  if (records) {
    for (const SpikeRecorder &r : impl->spikeRecorders) {
      w.vector(r.steps());
      w.vector(r.indices());
    }
    for (const StateRecorder &r : impl->stateRecorders) {
      w.vector(r.steps());
      w.vector(r.values());
      w.vector(r.values64());
    }
  }
  uint32_t crc = w.checksum();
  out.write(reinterpret_cast<const char *>(&crc), sizeof crc);
}

void Network::readState(std::istream &in, const std::string &path, bool records,
                        bool trusted) {
  invalidateFusedSums();
  // A first pass checks every section and the checksum, so that a bad file
  // leaves the network as it was; the second restores. The network's own
  // in-memory snapshots are trusted: one pass, no checksum.
  for (bool apply : {false, true}) {
    if (trusted && !apply)
      continue;
    in.clear();
    CheckpointReader r(in, path, apply, !trusted);
    char magic[sizeof kMagic];
    if (!r.plain(magic, sizeof magic) ||
        std::memcmp(magic, kMagic, sizeof kMagic) != 0)
      r.fail("not a Hebb checkpoint");
    uint32_t version = 0;
    if (!r.plain(&version, sizeof version) || version != kFormatVersion)
      r.fail("format version " + std::to_string(version) +
             "; this Hebb reads version " + std::to_string(kFormatVersion));
    if (r.local<uint64_t>("the network's fingerprint") != fingerprint(spec))
      r.fail("saved from another network (or another seed or parameters)");
    int64_t steps = r.local<int64_t>("the step count");
    uint64_t item = r.local<uint64_t>("the schedule position");
    int64_t stepsDone = r.local<int64_t>("the schedule position");
    if (item > spec.schedule.size())
      r.fail("its schedule position is past this network's schedule");
    r.buffer(impl->signals, "the signals");
    for (size_t k = 0; k < impl->pops.size(); ++k) {
      PopulationState &st = impl->pops[k];
      const std::string &pop = spec.populations[k].name;
      r.buffer(st.params, pop + " parameters");
      for (auto &[name, b] : st.fields)
        r.buffer(b, pop + "." + name);
      r.buffer(st.refractory, pop + " refractory counts");
      r.buffer(st.spiked, pop + " spike flags");
      if (r.local<uint64_t>(pop + " spike queue") != st.history.size())
        r.fail(pop + " spike queue has another length");
      for (std::vector<uint32_t> &slot : st.history)
        r.vector(slot);
      r.vector(st.spikesNow);
      r.value(st.totalSpikes, pop + " spike total");
      r.vector(st.spikesPerNeuron);
      for (auto &[name, ring] : st.rings)
        r.buffer(ring, pop + "." + name + " inputs on their way");
    }
    for (size_t k = 0; k < impl->projs.size(); ++k) {
      const std::string &proj = spec.projections[k].name;
      r.buffer(impl->projs[k].params, proj + " parameters");
      for (auto &[name, b] : impl->projs[k].fields)
        if (records || !constantField(k, name))
          r.buffer(b, proj + "." + name);
    }
    for (const SignalExpr *e : countNodes(spec)) {
      int64_t baseline = r.local<int64_t>("a spike count baseline");
      if (apply)
        impl->countedSpikes[e] = baseline;
    }
    for (std::vector<double> &baseline : impl->monitorBaselines)
      r.vector(baseline);
    // Records are read (for the checksum) whenever the file has them, and
    // kept when asked for.
    bool hasRecords = r.local<uint8_t>("the records flag") != 0;
    bool keep = apply && records;
    if (hasRecords) {
      for (SpikeRecorder &rec : impl->spikeRecorders) {
        std::vector<int64_t> stepLog;
        std::vector<int32_t> indexLog;
        r.vector(stepLog);
        r.vector(indexLog);
        if (keep)
          rec.assign(std::move(stepLog), std::move(indexLog));
      }
      for (StateRecorder &rec : impl->stateRecorders) {
        std::vector<int64_t> sampleSteps;
        std::vector<float> values;
        std::vector<double> values64;
        r.vector(sampleSteps);
        r.vector(values);
        r.vector(values64);
        if (keep)
          rec.assign(std::move(sampleSteps), std::move(values),
                     std::move(values64));
      }
    }
    uint32_t computed = r.checksum(), stored = 0;
    if (!r.plain(&stored, sizeof stored))
      r.fail("truncated");
    if (!trusted && stored != computed)
      r.fail("its checksum does not match its contents (the file is "
             "corrupt)");
    if (apply) {
      stepCount = steps;
      cursor = {static_cast<size_t>(item), stepsDone};
      // Phases run until settled compare with the state as restored, and
      // Streams that advance per phase count the phase ends before it.
      impl->settleValid = false;
      impl->phaseEnds.clear();
      for (size_t k = 0; k < cursor.item; ++k)
        if (spec.schedule[k].kind == ScheduleStep::EndPhase)
          ++impl->phaseEnds[spec.schedule[k].signal];
    }
  }
}

void Network::saveCheckpoint(const std::string &path) const {
  // Written beside the target and renamed: a crash leaves the old one.
  std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out)
      throw RuntimeError("cannot write checkpoint '" + path + "'");
    writeState(out, /*records=*/true, /*checksum=*/true);
    out.flush();
    if (!out) {
      std::remove(partial.c_str());
      throw RuntimeError("cannot write checkpoint '" + path + "'");
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw RuntimeError("cannot write checkpoint '" + path + "'");
  }
}

void Network::loadCheckpoint(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError("cannot read checkpoint '" + path + "'");
  readState(in, path, /*records=*/true, /*trusted=*/false);
}

namespace {
/// Copies the buffers of `from` into those of `to` with the same name and
/// size.
void copyFields(std::map<std::string, Buffer> &to,
                const std::map<std::string, Buffer> &from) {
  for (auto &[name, b] : to) {
    auto it = from.find(name);
    if (it != from.end() && it->second.size() == b.size() &&
        it->second.elementSize() == b.elementSize())
      std::memcpy(b.data(), it->second.data(), b.size() * b.elementSize());
  }
}

void copyParams(Buffer &to, const std::vector<ParamSpec> &toSpec,
                const Buffer &from, const std::vector<ParamSpec> &fromSpec) {
  for (size_t i = 0; i < toSpec.size(); ++i)
    for (size_t j = 0; j < fromSpec.size(); ++j)
      if (toSpec[i].name == fromSpec[j].name)
        to.as<double>()[i] = from.as<double>()[j];
}
} // namespace

void Network::adoptState(const Network &old) {
  stepCount = old.stepCount;
  for (size_t i = 0; i < spec.signals.size(); ++i)
    for (size_t j = 0; j < old.spec.signals.size(); ++j)
      if (spec.signals[i].first == old.spec.signals[j].first)
        impl->signals.as<double>()[i] = old.impl->signals.as<double>()[j];
  for (size_t k = 0; k < spec.populations.size(); ++k) {
    int o = old.populationIndex(spec.populations[k].name);
    if (o < 0 || old.spec.populations[o].size != spec.populations[k].size)
      continue;
    PopulationState &to = impl->pops[k];
    const PopulationState &from = old.impl->pops[o];
    copyFields(to.fields, from.fields);
    copyParams(to.params, spec.populations[k].params, from.params,
               old.spec.populations[o].params);
    std::memcpy(to.refractory.data(), from.refractory.data(),
                to.refractory.size() * to.refractory.elementSize());
    to.spikesNow = from.spikesNow;
    to.totalSpikes = from.totalSpikes;
    to.spikesPerNeuron = from.spikesPerNeuron;
    // Spikes in flight, where the longest delay kept the queue's length.
    if (to.history.size() == from.history.size()) {
      to.history = from.history;
      for (auto &[name, ring] : to.rings) {
        auto it = from.rings.find(name);
        if (it != from.rings.end() && it->second.size() == ring.size())
          std::memcpy(ring.data(), it->second.data(),
                      ring.size() * ring.elementSize());
      }
    }
  }
  for (size_t k = 0; k < spec.projections.size(); ++k) {
    int o = old.projectionIndex(spec.projections[k].name);
    if (o < 0 || old.numSynapses(o) != numSynapses(static_cast<int>(k)))
      continue;
    copyFields(impl->projs[k].fields, old.impl->projs[o].fields);
    copyParams(impl->projs[k].params, spec.projections[k].params,
               old.impl->projs[o].params, old.spec.projections[o].params);
  }
}
