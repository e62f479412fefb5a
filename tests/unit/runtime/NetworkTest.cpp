//===- NetworkTest.cpp - The runtime steps networks of compiled kernels ---===//
//
// Delivery after the delay, event lists, records and input zeroing, on the
// hand-written kernels of ClockNetwork.h.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Network.h"
#include "ClockNetwork.h"
#include "hebb/runtime/Error.h"

#include <gtest/gtest.h>

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
