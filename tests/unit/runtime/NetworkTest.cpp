//===- NetworkTest.cpp - The runtime steps networks of compiled kernels ---===//
//
// Delivery after the delay, event lists, records and input zeroing, on the
// hand-written kernels of ClockNetwork.h.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Network.h"
#include "ClockNetwork.h"
#include "hebb/runtime/Connectivity.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <thread>

using namespace hebb::rt;
using namespace hebb::rt::test;

TEST(Network, SpikesArriveAfterTheDelay) {
  for (int64_t delay : {1, 2, 5}) {
    Network net(clockNetwork(delay));
    const int64_t steps = 30;
    net.run(steps);
    EXPECT_EQ(net.spikeCount(0), steps);
    // Spikes of steps 0 .. steps - 1 - delay have arrived; pre i reaches
    // post j through synapse 2 i + j, of weight 2 i + j + 1.
    std::vector<double> received = net.populationField(1, "received");
    std::vector<double> expected(2, 0.0);
    for (int64_t n = 0; n + delay < steps; ++n)
      for (int j = 0; j < 2; ++j)
        expected[j] += 2 * (n % 3) + j + 1;
    EXPECT_EQ(received, expected) << "delay " << delay;
  }
}

TEST(Network, StateRecordsStartWithTheInitialState) {
  Network net(clockNetwork(1));
  net.run(4);
  std::string dir = ::testing::TempDir() + "/hebb_network_test";
  std::vector<std::vector<std::string>> files = net.writeRecords(dir);
  ASSERT_EQ(files.size(), 2u);
  NpyArray t = readNpy(dir + "/src_spikes_t.npy");
  NpyArray i = readNpy(dir + "/src_spikes_i.npy");
  EXPECT_EQ(t.toDoubles(), (std::vector<double>{0, 1e-3, 2e-3, 3e-3}));
  EXPECT_EQ(i.toDoubles(), (std::vector<double>{0, 1, 2, 0}));
  NpyArray r = readNpy(dir + "/dst_received.npy");
  ASSERT_EQ(r.shape, (std::vector<int64_t>{5, 2}));
  // After step 1 the spike of neuron 0 (weights 1, 2) has arrived.
  EXPECT_EQ(r.toDoubles(),
            (std::vector<double>{0, 0, 0, 0, 1, 2, 4, 6, 9, 12}));
}

// Procedural synapses: the runtime keeps the row sizes alone, asks
// delay_range for each row's delays, and refuses to read or set what it
// does not keep.
namespace {
double proceduralDelay = 2e-3;
// Buffers: row_ptr, delay_least, delay_most. Every row's delays are
// `proceduralDelay`.
void delayRange(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  float *least = bufferArg<float>(args, 1), *most = bufferArg<float>(args, 2);
  for (int64_t i = begin; i < end; ++i)
    least[i] = most[i] = float(proceduralDelay);
}
void drawnOnPre(void **) {}

NetworkSpec proceduralNetwork() {
  NetworkSpec spec = clockNetwork(1);
  ProjectionSpec &p = spec.projections[0];
  p.connect = ConnectRule::Total;
  p.connectValue = 30;
  p.synapseDelays = true;
  p.fields.push_back(FieldSpec{kSynapseDelayField, "element", false, false});
  p.init.clear();
  p.delayRange = KernelSpec{"syn__delay_range",
                            {"row_ptr", "delay_least", "delay_most"},
                            KernelDomain::PreNeurons,
                            false,
                            delayRange};
  p.onPre = KernelSpec{"syn__on_pre",
                       {"ring_info", "events", "row_ptr", "row_draw",
                        "stream:connect", "ring:drive"},
                       KernelDomain::Events,
                       false,
                       drawnOnPre};
  spec.records.pop_back(); // not of the synapses
  return spec;
}
} // namespace

TEST(Network, ProceduralSynapsesAreNotKept) {
  proceduralDelay = 2e-3;
  Network net(proceduralNetwork());
  EXPECT_EQ(net.numSynapses(0), 30u);
  const Connectivity &c = net.connectivity(0);
  EXPECT_TRUE(c.post.empty());
  EXPECT_EQ(c.rowPtr,
            connectTotalRows(3, 2, 30, 1, streamId("syn.connect")).rowPtr);
  net.run(5);
  try {
    net.projectionField(0, "w");
    FAIL() << "read a procedural synapse's weight";
  } catch (const RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "projection 'syn' is procedural: its synapses are drawn "
                  "again at each spike, not kept"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(net.setProjectionField(0, "w", {1.0}), RuntimeError);
  for (double bad : {100.0, std::nan("")}) {
    proceduralDelay = bad;
    try {
      Network tooLong(proceduralNetwork());
      FAIL() << "a delay of " << bad << " s";
    } catch (const RuntimeError &e) {
      EXPECT_NE(std::string(e.what()).find("more than 65535 steps"),
                std::string::npos)
          << e.what();
    }
  }
  proceduralDelay = 2e-3;
}

TEST(Network, KernelWithoutEntryPointIsAnError) {
  NetworkSpec spec = clockNetwork(1);
  spec.populations[0].step->entry = nullptr;
  EXPECT_THROW(Network net(spec), RuntimeError);
}

TEST(Network, UnknownBufferIsAnError) {
  NetworkSpec spec = clockNetwork(1);
  spec.projections[0].onPre->buffers.push_back("nonsense");
  EXPECT_THROW(Network net(spec), RuntimeError);
}

namespace {
// Buffers: field:who. Each element records which thread computed it.
void whoComputes(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  float *who = bufferArg<float>(args, 0);
  float id = static_cast<float>(
      std::hash<std::thread::id>{}(std::this_thread::get_id()) % 1000003);
  for (int64_t i = begin; i < end; ++i)
    who[i] = id;
}
} // namespace

// Kernels marked parallel are split over the threads: with two, the first
// and the last neuron of a large population are computed by different ones.
TEST(Network, ParallelKernelsAreSplitAcrossThreads) {
  NetworkSpec spec;
  spec.name = "split";
  PopulationSpec pop;
  pop.name = "p";
  pop.size = 32768;
  pop.fields = {FieldSpec{"who", "element", false, false}};
  pop.step = KernelSpec{"p__step",
                        {"field:who"},
                        KernelDomain::Neurons,
                        /*parallel=*/true,
                        whoComputes};
  spec.populations = {pop};
  for (unsigned threads : {1u, 2u}) {
    Network net(spec);
    net.setThreads(threads);
    net.run(2);
    std::vector<double> who = net.populationField(0, "who");
    if (threads == 1)
      EXPECT_EQ(who.front(), who.back());
    else
      EXPECT_NE(who.front(), who.back());
  }
}
