//===- CApi.cpp - The C API of hebb.h over rt::Network --------------------===//
//
// Every entry point catches what the runtime throws and turns it into a
// status and a per-thread message: no exception crosses into C.
//
//===----------------------------------------------------------------------===//

#include "NetworkState.h"
#include "hebb/hebb.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Network.h"
#include "hebb/runtime/SpecJson.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <new>
#include <string>

using namespace hebb::rt;

struct hebb_network {
  std::unique_ptr<Network> net;
};

namespace {
thread_local std::string lastError;

/// An error with its status, for the API's own checks.
struct ApiError {
  hebb_status status;
  std::string message;
};

template <typename F> hebb_status guard(F &&body) {
  try {
    lastError.clear();
    body();
    return HEBB_OK;
  } catch (const ApiError &e) {
    lastError = e.message;
    return e.status;
  } catch (const std::bad_alloc &) {
    lastError = "out of memory";
    return HEBB_ERROR_RUNTIME;
  } catch (const std::exception &e) {
    lastError = e.what();
    return HEBB_ERROR_RUNTIME;
  } catch (...) {
    lastError = "unknown error";
    return HEBB_ERROR_RUNTIME;
  }
}

void require(bool ok, const std::string &message) {
  if (!ok)
    throw ApiError{HEBB_ERROR_ARGUMENT, message};
}

Network &network(const hebb_network *net) {
  require(net && net->net, "no network (null pointer)");
  return *net->net;
}

/// "object.variable", split at the first dot.
std::pair<std::string, std::string> splitName(const char *name) {
  require(name != nullptr, "no name (null pointer)");
  std::string s(name);
  size_t dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
    throw ApiError{HEBB_ERROR_NOT_FOUND,
                   "'" + s + "' is not of the form object.variable"};
  return {s.substr(0, dot), s.substr(dot + 1)};
}

/// A state array's values by name, or a NOT_FOUND error.
std::vector<double> readState(const Network &n, const char *name) {
  auto [object, var] = splitName(name);
  int pop = n.populationIndex(object);
  if (pop >= 0) {
    std::vector<double> v = n.populationField(pop, var);
    if (!v.empty())
      return v;
  }
  int proj = n.projectionIndex(object);
  if (proj >= 0) {
    std::vector<double> v = n.projectionField(proj, var);
    if (!v.empty() || n.numSynapses(proj) == 0)
      return v;
  }
  throw ApiError{HEBB_ERROR_NOT_FOUND,
                 std::string("no state variable '") + name + "'"};
}

const RecordSpec &record(const Network &n, int64_t index) {
  const auto &records = n.networkSpec().records;
  if (index < 0 || index >= static_cast<int64_t>(records.size()))
    throw ApiError{HEBB_ERROR_NOT_FOUND,
                   "no record " + std::to_string(index) + " (there are " +
                       std::to_string(records.size()) + ")"};
  return records[index];
}
} // namespace

extern "C" {

const char *hebb_last_error(void) { return lastError.c_str(); }

hebb_status hebb_network_create(const hebb_module *module, uint64_t seed,
                                hebb_network **out) {
  return guard([&] {
    require(module && out, "hebb_network_create: null argument");
    *out = nullptr;
    if (module->abi_version != HEBB_ABI_VERSION)
      throw ApiError{HEBB_ERROR_VERSION,
                     "the module was compiled for Hebb ABI " +
                         std::to_string(module->abi_version) +
                         ", this runtime has " +
                         std::to_string(HEBB_ABI_VERSION)};
    NetworkSpec spec = specFromJson(module->description);
    std::map<std::string, KernelEntry> entries;
    for (uint32_t i = 0; i < module->num_kernels; ++i)
      entries[module->kernels[i].symbol] = module->kernels[i].entry;
    auto bind = [&](KernelSpec &k) {
      auto it = entries.find(k.symbol);
      if (it == entries.end())
        throw ApiError{HEBB_ERROR_RUNTIME,
                       "the module has no kernel '" + k.symbol + "'"};
      k.entry = it->second;
    };
    for (PopulationSpec &p : spec.populations)
      p.forEachKernel(bind);
    for (ProjectionSpec &p : spec.projections)
      p.forEachKernel(bind);
    if (seed != HEBB_DEFAULT_SEED)
      spec.seed = seed;
    auto net = std::make_unique<hebb_network>();
    net->net = std::make_unique<Network>(std::move(spec));
    *out = net.release();
  });
}

void hebb_network_destroy(hebb_network *net) { delete net; }

hebb_status hebb_run_steps(hebb_network *net, int64_t steps) {
  return guard([&] {
    require(steps >= 0, "a negative number of steps");
    network(net).run(steps);
  });
}

hebb_status hebb_run_duration(hebb_network *net, double seconds) {
  return guard([&] {
    Network &n = network(net);
    require(std::isfinite(seconds) && seconds >= 0,
            "a duration must be finite and not negative");
    n.run(static_cast<int64_t>(std::llround(seconds / n.networkSpec().dt)));
  });
}

hebb_status hebb_run_schedule(hebb_network *net) {
  return guard([&] { network(net).runSchedule(); });
}

hebb_status hebb_end_phase(hebb_network *net, const char *phase) {
  return guard([&] {
    require(phase != nullptr, "no phase name (null pointer)");
    network(net).endPhase(phase);
  });
}

double hebb_time(const hebb_network *net) {
  return net && net->net ? net->net->time() : 0.0;
}

double hebb_dt(const hebb_network *net) {
  return net && net->net ? net->net->networkSpec().dt : 0.0;
}

int64_t hebb_steps_done(const hebb_network *net) {
  return net && net->net ? net->net->steps() : 0;
}

hebb_status hebb_set_threads(hebb_network *net, unsigned threads) {
  return guard([&] {
    require(threads >= 1, "at least one thread");
    network(net).setThreads(threads);
  });
}

hebb_status hebb_get_parameter(const hebb_network *net, const char *name,
                               double *value) {
  return guard([&] {
    require(value != nullptr, "no value pointer");
    auto [object, param] = splitName(name);
    std::optional<double> v = network(net).parameter(object, param);
    if (!v)
      throw ApiError{HEBB_ERROR_NOT_FOUND,
                     std::string("no parameter '") + name + "'"};
    *value = *v;
  });
}

hebb_status hebb_set_parameter(hebb_network *net, const char *name,
                               double value) {
  return guard([&] {
    auto [object, param] = splitName(name);
    if (!network(net).setParameter(object, param, value))
      throw ApiError{HEBB_ERROR_NOT_FOUND,
                     std::string("no parameter '") + name + "'"};
  });
}

hebb_status hebb_get_signal(const hebb_network *net, const char *name,
                            double *value) {
  return guard([&] {
    require(name && value, "null argument");
    for (const auto &[signal, initial] : network(net).networkSpec().signals)
      if (signal == name) {
        *value = network(net).signal(name);
        return;
      }
    throw ApiError{HEBB_ERROR_NOT_FOUND,
                   std::string("no signal '") + name + "'"};
  });
}

hebb_status hebb_set_signal(hebb_network *net, const char *name, double value) {
  return guard([&] {
    require(name != nullptr, "no signal name (null pointer)");
    for (const auto &[signal, initial] : network(net).networkSpec().signals)
      if (signal == name) {
        network(net).setSignal(name, value);
        return;
      }
    throw ApiError{HEBB_ERROR_NOT_FOUND,
                   std::string("no signal '") + name + "'"};
  });
}

hebb_status hebb_state_size(const hebb_network *net, const char *name,
                            int64_t *count) {
  return guard([&] {
    require(count != nullptr, "no count pointer");
    *count = static_cast<int64_t>(readState(network(net), name).size());
  });
}

hebb_status hebb_read_state(const hebb_network *net, const char *name,
                            double *values, int64_t count) {
  return guard([&] {
    std::vector<double> v = readState(network(net), name);
    require(values || v.empty(), "no values pointer");
    require(count == static_cast<int64_t>(v.size()),
            std::string("'") + name + "' has " + std::to_string(v.size()) +
                " values, not " + std::to_string(count));
    std::copy(v.begin(), v.end(), values);
  });
}

hebb_status hebb_write_state(hebb_network *net, const char *name,
                             const double *values, int64_t count) {
  return guard([&] {
    Network &n = network(net);
    std::vector<double> current = readState(n, name); // checks the name
    require(values || current.empty(), "no values pointer");
    require(count == static_cast<int64_t>(current.size()),
            std::string("'") + name + "' has " +
                std::to_string(current.size()) + " values, not " +
                std::to_string(count));
    auto [object, var] = splitName(name);
    std::vector<double> v(values, values + count);
    int pop = n.populationIndex(object);
    if (pop >= 0 && !n.populationField(pop, var).empty())
      n.setPopulationField(pop, var, v);
    else
      n.setProjectionField(n.projectionIndex(object), var, v);
  });
}

hebb_status hebb_synapse_count(const hebb_network *net, const char *proj,
                               int64_t *count) {
  return guard([&] {
    require(proj && count, "null argument");
    int k = network(net).projectionIndex(proj);
    if (k < 0)
      throw ApiError{HEBB_ERROR_NOT_FOUND,
                     std::string("no projection '") + proj + "'"};
    *count = static_cast<int64_t>(network(net).numSynapses(k));
  });
}

hebb_status hebb_synapses(const hebb_network *net, const char *proj,
                          int32_t *pre, int32_t *post, int64_t count) {
  return guard([&] {
    require(proj && pre && post, "null argument");
    int k = network(net).projectionIndex(proj);
    if (k < 0)
      throw ApiError{HEBB_ERROR_NOT_FOUND,
                     std::string("no projection '") + proj + "'"};
    const Connectivity &c = network(net).connectivity(k);
    std::vector<uint32_t> pres = presOf(c);
    require(count == static_cast<int64_t>(pres.size()),
            std::string("'") + proj + "' has " + std::to_string(pres.size()) +
                " synapses, not " + std::to_string(count));
    for (size_t s = 0; s < pres.size(); ++s) {
      pre[s] = static_cast<int32_t>(pres[s]);
      post[s] = static_cast<int32_t>(c.post[s]);
    }
  });
}

hebb_status hebb_record_count(const hebb_network *net, int64_t *count) {
  return guard([&] {
    require(count != nullptr, "no count pointer");
    *count = static_cast<int64_t>(network(net).networkSpec().records.size());
  });
}

hebb_status hebb_record_name(const hebb_network *net, int64_t index,
                             const char **name, int *is_spikes) {
  return guard([&] {
    require(name != nullptr, "no name pointer");
    const RecordSpec &r = record(network(net), index);
    *name = r.label.c_str();
    if (is_spikes)
      *is_spikes = r.kind == RecordSpec::Spikes;
  });
}

hebb_status hebb_spike_record_size(const hebb_network *net, int64_t index,
                                   int64_t *count) {
  return guard([&] {
    require(count != nullptr, "no count pointer");
    record(network(net), index);
    const SpikeRecorder *r = network(net).spikeRecord(index);
    require(r != nullptr,
            "record " + std::to_string(index) + " records state, not spikes");
    *count = static_cast<int64_t>(r->numSpikes());
  });
}

hebb_status hebb_read_spike_record(const hebb_network *net, int64_t index,
                                   double *times, int32_t *neurons,
                                   int64_t count) {
  return guard([&] {
    const Network &n = network(net);
    record(n, index);
    const SpikeRecorder *r = n.spikeRecord(index);
    require(r != nullptr,
            "record " + std::to_string(index) + " records state, not spikes");
    require(count == static_cast<int64_t>(r->numSpikes()),
            "the record holds " + std::to_string(r->numSpikes()) +
                " spikes, not " + std::to_string(count));
    require(count == 0 || (times && neurons), "null argument");
    double dt = n.networkSpec().dt;
    for (int64_t k = 0; k < count; ++k) {
      times[k] = static_cast<double>(r->steps()[k]) * dt;
      neurons[k] = r->indices()[k];
    }
  });
}

hebb_status hebb_state_record_shape(const hebb_network *net, int64_t index,
                                    int64_t *rows, int64_t *columns) {
  return guard([&] {
    require(rows && columns, "null argument");
    record(network(net), index);
    const StateRecorder *r = network(net).stateRecord(index);
    require(r != nullptr,
            "record " + std::to_string(index) + " records spikes, not state");
    *rows = r->numSamples();
    *columns = r->width();
  });
}

hebb_status hebb_read_state_record(const hebb_network *net, int64_t index,
                                   double *times, double *values, int64_t rows,
                                   int64_t columns) {
  return guard([&] {
    const Network &n = network(net);
    record(n, index);
    const StateRecorder *r = n.stateRecord(index);
    require(r != nullptr,
            "record " + std::to_string(index) + " records spikes, not state");
    require(rows == r->numSamples() && columns == r->width(),
            "the record is " + std::to_string(r->numSamples()) + " x " +
                std::to_string(r->width()));
    require(rows * columns == 0 || (times && values), "null argument");
    double dt = n.networkSpec().dt;
    for (int64_t k = 0; k < rows; ++k)
      times[k] = static_cast<double>(r->steps()[k]) * dt;
    for (int64_t k = 0; k < rows * columns; ++k)
      values[k] = r->isF64() ? r->values64()[k] : r->values()[k];
  });
}

hebb_status hebb_write_records(const hebb_network *net, const char *dir) {
  return guard([&] {
    require(dir != nullptr, "no directory (null pointer)");
    network(net).writeRecords(dir);
  });
}

hebb_status hebb_save_checkpoint(const hebb_network *net, const char *path) {
  return guard([&] {
    require(path != nullptr, "no path (null pointer)");
    network(net).saveCheckpoint(path);
  });
}

hebb_status hebb_load_checkpoint(hebb_network *net, const char *path) {
  return guard([&] {
    require(path != nullptr, "no path (null pointer)");
    network(net).loadCheckpoint(path);
  });
}

hebb_status hebb_kernel_run(const hebb_module *module, const char *symbol,
                            const double *params, int64_t num_params,
                            const double *signals, int64_t num_signals,
                            int64_t begin, int64_t end, int64_t step, double dt,
                            uint64_t seed, const hebb_array *arrays,
                            int64_t num_arrays) {
  return guard([&] {
    require(module && symbol, "hebb_kernel_run: null argument");
    require(num_params >= 0 && num_arrays >= 0 && begin >= 0 && begin <= end,
            "hebb_kernel_run: negative count or empty range");
    require(num_params == 0 || params, "hebb_kernel_run: no parameters");
    require(num_signals == 0 || signals, "hebb_kernel_run: no signals");
    require(num_arrays == 0 || arrays, "hebb_kernel_run: no arrays");
    if (module->abi_version != HEBB_ABI_VERSION)
      throw ApiError{HEBB_ERROR_VERSION, "the module was compiled for another "
                                         "Hebb ABI"};
    KernelSpec spec;
    spec.symbol = symbol;
    for (uint32_t i = 0; i < module->num_kernels; ++i)
      if (std::string(module->kernels[i].symbol) == symbol)
        spec.entry = module->kernels[i].entry;
    if (!spec.entry)
      throw ApiError{HEBB_ERROR_NOT_FOUND,
                     std::string("the module has no kernel '") + symbol + "'"};
    auto memref = [](void *data, int64_t size) {
      MemRef1D m;
      m.allocated = m.aligned = data;
      m.size = size;
      return m;
    };
    // Kernels take a signal descriptor even when they read none.
    double noSignal = 0;
    double *sig = num_signals > 0 ? const_cast<double *>(signals) : &noSignal;
    std::vector<MemRef1D> buffers;
    for (int64_t i = 0; i < num_arrays; ++i) {
      require(arrays[i].data || arrays[i].size == 0,
              "hebb_kernel_run: array " + std::to_string(i) + " is null");
      buffers.push_back(memref(arrays[i].data, arrays[i].size));
    }
    detail::KernelCall call(spec,
                            memref(const_cast<double *>(params), num_params),
                            memref(sig, std::max<int64_t>(1, num_signals)),
                            std::move(buffers), end);
    call.call(begin, end, step, static_cast<double>(step) * dt, dt,
              static_cast<int64_t>(seed));
  });
}

} // extern "C"
