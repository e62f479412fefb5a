//===- CApiTest.cpp - hebb.h over the runtime, and descriptions as JSON ---===//
//
// The C API on the hand-written kernels of ClockNetwork.h, packed into a
// hebb_module as `hebbc -c` packs compiled ones: results, every error path
// (a status and a message, the network unchanged), checkpoints.
//
//===----------------------------------------------------------------------===//

#include "ClockNetwork.h"
#include "TestUtil.h"
#include "hebb/hebb.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/SpecJson.h"

#include <gtest/gtest.h>

using namespace hebb::rt;
using namespace hebb::rt::test;

namespace {
/// A module as an object file holds it: the description and the kernels.
struct ClockModule {
  explicit ClockModule(int64_t delay, uint32_t abi = HEBB_ABI_VERSION) {
    NetworkSpec spec = clockNetwork(delay);
    spec.signals = {{"gain", 2.0}};
    spec.populations[1].params = {ParamSpec{"tau", 0.02, "s"}};
    description = specToJson(spec);
    kernels = {{"src__step", clockStep},
               {"syn__init", initWeights},
               {"syn__on_pre", deliverOnPre}};
    module = {abi, "clock", description.c_str(),
              static_cast<uint32_t>(kernels.size()), kernels.data()};
  }
  std::string description;
  std::vector<hebb_kernel> kernels;
  hebb_module module;
};

std::vector<double> state(hebb_network *net, const char *name) {
  int64_t n = 0;
  EXPECT_EQ(hebb_state_size(net, name, &n), HEBB_OK) << hebb_last_error();
  std::vector<double> v(n);
  EXPECT_EQ(hebb_read_state(net, name, v.data(), n), HEBB_OK)
      << hebb_last_error();
  return v;
}
} // namespace

TEST(SpecJson, RoundTripsEveryPart) {
  NetworkSpec spec = clockNetwork(3);
  spec.signals = {{"dopamine", 0.5}};
  SignalUpdate every;
  every.signal = 0;
  every.everySteps = 10;
  every.value.kind = SignalExpr::Binary;
  every.value.op = "*";
  every.value.args.resize(2);
  every.value.args[0].kind = SignalExpr::Count;
  every.value.args[0].index = 0;
  every.value.args[0].end = 3;
  every.value.args[1].value = 0.25;
  spec.signalUpdates = {every};
  spec.schedule = {ScheduleStep{ScheduleStep::Run, 100, "", 0},
                   ScheduleStep{ScheduleStep::EndPhase, 0, "free", 0}};
  spec.projections[0].dense = true;
  spec.projections[0].connect = ConnectRule::InDegree;
  spec.projections[0].connectValue = 2;
  std::string json = specToJson(spec);
  NetworkSpec back = specFromJson(json);
  EXPECT_EQ(specToJson(back), json);
  EXPECT_EQ(back.projections[0].delaySteps, 3);
  EXPECT_TRUE(back.projections[0].dense);
  EXPECT_EQ(back.projections[0].connect, ConnectRule::InDegree);
  ASSERT_TRUE(back.projections[0].onPre.has_value());
  EXPECT_EQ(back.projections[0].onPre->buffers,
            spec.projections[0].onPre->buffers);
  EXPECT_EQ(back.projections[0].onPre->entry, nullptr); // bound at load
  EXPECT_EQ(back.signalUpdates[0].value.args[0].kind, SignalExpr::Count);
  EXPECT_EQ(back.schedule[1].signal, "free");
}

TEST(SpecJson, RejectsMalformedAndOtherVersions) {
  EXPECT_THROW(specFromJson("{\"format\": 1, \"name\": 3"), RuntimeError);
  try {
    specFromJson("{\"format\": 99}");
    FAIL();
  } catch (const RuntimeError &e) {
    EXPECT_STREQ(e.what(),
                 "network description format 99, this runtime reads 1");
  }
}

TEST(CApi, RunsTheNetworkAsTheRuntimeDoes) {
  ClockModule m(2);
  hebb_network *net = nullptr;
  ASSERT_EQ(hebb_network_create(&m.module, HEBB_DEFAULT_SEED, &net), HEBB_OK)
      << hebb_last_error();
  ASSERT_EQ(hebb_run_steps(net, 30), HEBB_OK);
  Network reference(clockNetwork(2));
  reference.run(30);
  EXPECT_EQ(state(net, "dst.received"),
            reference.populationField(1, "received"));
  EXPECT_EQ(state(net, "syn.w"), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(hebb_steps_done(net), 30);
  EXPECT_DOUBLE_EQ(hebb_time(net), 0.03);

  int32_t pre[6], post[6];
  ASSERT_EQ(hebb_synapses(net, "syn", pre, post, 6), HEBB_OK);
  EXPECT_EQ(pre[5], 2);
  EXPECT_EQ(post[5], 1);

  double v = 0;
  ASSERT_EQ(hebb_get_parameter(net, "dst.tau", &v), HEBB_OK);
  EXPECT_EQ(v, 0.02);
  ASSERT_EQ(hebb_set_parameter(net, "dst.tau", 0.05), HEBB_OK);
  ASSERT_EQ(hebb_get_parameter(net, "dst.tau", &v), HEBB_OK);
  EXPECT_EQ(v, 0.05);
  ASSERT_EQ(hebb_get_signal(net, "gain", &v), HEBB_OK);
  EXPECT_EQ(v, 2.0);
  ASSERT_EQ(hebb_set_signal(net, "gain", 3.0), HEBB_OK);
  ASSERT_EQ(hebb_get_signal(net, "gain", &v), HEBB_OK);
  EXPECT_EQ(v, 3.0);

  std::vector<double> w{6, 5, 4, 3, 2, 1};
  ASSERT_EQ(hebb_write_state(net, "syn.w", w.data(), 6), HEBB_OK);
  EXPECT_EQ(state(net, "syn.w"), w);

  int64_t records = 0, spikes = 0, rows = 0, columns = 0;
  ASSERT_EQ(hebb_record_count(net, &records), HEBB_OK);
  ASSERT_EQ(records, 2);
  const char *name = nullptr;
  int isSpikes = 0;
  ASSERT_EQ(hebb_record_name(net, 0, &name, &isSpikes), HEBB_OK);
  EXPECT_STREQ(name, "src_spikes");
  EXPECT_EQ(isSpikes, 1);
  ASSERT_EQ(hebb_spike_record_size(net, 0, &spikes), HEBB_OK);
  ASSERT_EQ(spikes, 30);
  std::vector<double> times(spikes);
  std::vector<int32_t> neurons(spikes);
  ASSERT_EQ(
      hebb_read_spike_record(net, 0, times.data(), neurons.data(), spikes),
      HEBB_OK);
  EXPECT_EQ(neurons[4], 1); // step 4: neuron 4 mod 3
  EXPECT_DOUBLE_EQ(times[4], 0.004);
  ASSERT_EQ(hebb_state_record_shape(net, 1, &rows, &columns), HEBB_OK);
  EXPECT_EQ(rows, 31);
  EXPECT_EQ(columns, 2);
  std::vector<double> t(rows), values(rows * columns);
  ASSERT_EQ(
      hebb_read_state_record(net, 1, t.data(), values.data(), rows, columns),
      HEBB_OK);
  EXPECT_EQ(values[60], reference.populationField(1, "received")[0]);
  hebb_network_destroy(net);
}

TEST(CApi, ErrorsAreStatusesWithMessages) {
  ClockModule m(1);
  hebb_network *net = nullptr;
  EXPECT_EQ(hebb_network_create(nullptr, 1, &net), HEBB_ERROR_ARGUMENT);
  EXPECT_STREQ(hebb_last_error(), "hebb_network_create: null argument");
  ClockModule old(1, HEBB_ABI_VERSION + 1);
  EXPECT_EQ(hebb_network_create(&old.module, 1, &net), HEBB_ERROR_VERSION);
  ClockModule missing(1);
  missing.kernels.pop_back();
  missing.module.num_kernels = 2;
  EXPECT_EQ(hebb_network_create(&missing.module, 1, &net), HEBB_ERROR_RUNTIME);
  EXPECT_STREQ(hebb_last_error(), "the module has no kernel 'syn__on_pre'");
  EXPECT_EQ(net, nullptr);

  ASSERT_EQ(hebb_network_create(&m.module, 1, &net), HEBB_OK);
  double v = 0;
  EXPECT_EQ(hebb_get_parameter(net, "dst.nope", &v), HEBB_ERROR_NOT_FOUND);
  EXPECT_STREQ(hebb_last_error(), "no parameter 'dst.nope'");
  EXPECT_EQ(hebb_get_parameter(net, "tau", &v), HEBB_ERROR_NOT_FOUND);
  EXPECT_STREQ(hebb_last_error(), "'tau' is not of the form object.variable");
  EXPECT_EQ(hebb_set_signal(net, "dopamine", 1), HEBB_ERROR_NOT_FOUND);
  double w[5] = {0, 0, 0, 0, 0};
  EXPECT_EQ(hebb_write_state(net, "syn.w", w, 5), HEBB_ERROR_ARGUMENT);
  EXPECT_STREQ(hebb_last_error(), "'syn.w' has 6 values, not 5");
  EXPECT_EQ(hebb_run_steps(net, -1), HEBB_ERROR_ARGUMENT);
  EXPECT_EQ(hebb_run_duration(net, 1.0 / 0.0), HEBB_ERROR_ARGUMENT);
  int64_t n = 0;
  EXPECT_EQ(hebb_spike_record_size(net, 1, &n), HEBB_ERROR_ARGUMENT);
  EXPECT_STREQ(hebb_last_error(), "record 1 records state, not spikes");
  EXPECT_EQ(hebb_spike_record_size(net, 7, &n), HEBB_ERROR_NOT_FOUND);
  EXPECT_EQ(hebb_run_steps(nullptr, 1), HEBB_ERROR_ARGUMENT);
  EXPECT_EQ(hebb_run_steps(net, 2), HEBB_OK);
  EXPECT_STREQ(hebb_last_error(), ""); // cleared by a success
  hebb_network_destroy(net);
}

TEST(CApi, CheckpointsResumeExactlyAndRefuseOtherNetworks) {
  TempDir tmp;
  std::string path = tmp.path() + "/clock.ckpt";
  ClockModule m(3);
  hebb_network *a = nullptr, *b = nullptr, *other = nullptr;
  ASSERT_EQ(hebb_network_create(&m.module, 5, &a), HEBB_OK);
  ASSERT_EQ(hebb_run_steps(a, 10), HEBB_OK);
  ASSERT_EQ(hebb_set_parameter(a, "dst.tau", 0.07), HEBB_OK);
  ASSERT_EQ(hebb_save_checkpoint(a, path.c_str()), HEBB_OK)
      << hebb_last_error();
  ASSERT_EQ(hebb_run_steps(a, 10), HEBB_OK);

  // Spikes in flight at the checkpoint (delay 3) arrive after it.
  ASSERT_EQ(hebb_network_create(&m.module, 5, &b), HEBB_OK);
  ASSERT_EQ(hebb_load_checkpoint(b, path.c_str()), HEBB_OK)
      << hebb_last_error();
  EXPECT_EQ(hebb_steps_done(b), 10);
  double tau = 0;
  ASSERT_EQ(hebb_get_parameter(b, "dst.tau", &tau), HEBB_OK);
  EXPECT_EQ(tau, 0.07); // parameters are part of the state
  ASSERT_EQ(hebb_run_steps(b, 10), HEBB_OK);
  EXPECT_EQ(state(b, "dst.received"), state(a, "dst.received"));

  // Another seed is another network; a truncated file is refused; either
  // way the network is left as it was.
  ASSERT_EQ(hebb_network_create(&m.module, 6, &other), HEBB_OK);
  EXPECT_EQ(hebb_load_checkpoint(other, path.c_str()), HEBB_ERROR_RUNTIME);
  EXPECT_NE(std::string(hebb_last_error()).find("saved from another network"),
            std::string::npos);
  std::string full = readBytes(path);
  writeBytes(tmp.file("cut.ckpt"), full.substr(0, full.size() - 5));
  std::vector<double> before = state(b, "dst.received");
  EXPECT_EQ(hebb_load_checkpoint(b, tmp.file("cut.ckpt").c_str()),
            HEBB_ERROR_RUNTIME);
  EXPECT_NE(std::string(hebb_last_error()).find("truncated"),
            std::string::npos);
  EXPECT_EQ(state(b, "dst.received"), before);
  EXPECT_EQ(hebb_steps_done(b), 20);
  hebb_network_destroy(a);
  hebb_network_destroy(b);
  hebb_network_destroy(other);
}

TEST(CApi, KernelRunsOverCallerArrays) {
  ClockModule m(1);
  uint8_t spiked[3] = {0, 0, 0};
  hebb_array arrays[] = {{spiked, 3}};
  ASSERT_EQ(hebb_kernel_run(&m.module, "src__step", nullptr, 0, nullptr, 0, 0,
                            3, 5, 1e-3, 1, arrays, 1),
            HEBB_OK)
      << hebb_last_error();
  EXPECT_EQ(spiked[2], 1); // step 5: neuron 5 mod 3
  EXPECT_EQ(spiked[0] + spiked[1], 0);
  EXPECT_EQ(hebb_kernel_run(&m.module, "nope", nullptr, 0, nullptr, 0, 0, 3, 0,
                            1e-3, 1, arrays, 1),
            HEBB_ERROR_NOT_FOUND);
  EXPECT_EQ(hebb_kernel_run(&m.module, "src__step", nullptr, 0, nullptr, 0, 2,
                            1, 0, 1e-3, 1, arrays, 1),
            HEBB_ERROR_ARGUMENT);
}
