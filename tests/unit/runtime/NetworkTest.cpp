//===- NetworkTest.cpp - The runtime steps networks of compiled kernels ---===//
//
// Kernels here are plain C++ functions with the packed kernel ABI, so the
// runtime's scheduling (delivery after the delay, event lists, records,
// input zeroing) is tested without a compiler.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Network.h"
#include "hebb/runtime/Error.h"

#include <gtest/gtest.h>

using namespace hebb::rt;

namespace {
// Packed arguments: begin, end, step, t, dt, seed, then params and signals
// (five slots each), then five slots per buffer.
constexpr int kFirstBuffer = 16;
template <typename T> T *bufferArg(void **args, int index) {
  return *static_cast<T **>(args[kFirstBuffer + 5 * index + 1]);
}
int64_t scalarArg(void **args, int index) {
  return *static_cast<int64_t *>(args[index]);
}

// Neuron (step mod 3) spikes; "drive" is an input that counts deliveries.
void clockStep(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  int64_t step = scalarArg(args, 2);
  uint8_t *spiked = bufferArg<uint8_t>(args, 0);
  for (int64_t i = begin; i < end; ++i)
    spiked[i] = i == step % 3;
}

// Buffers: events, row_ptr, post_index, post:received, field:w.
void deliverOnPre(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  const uint32_t *events = bufferArg<uint32_t>(args, 0);
  const uint32_t *rowPtr = bufferArg<uint32_t>(args, 1);
  const uint32_t *post = bufferArg<uint32_t>(args, 2);
  float *received = bufferArg<float>(args, 3);
  float *w = bufferArg<float>(args, 4);
  for (int64_t k = begin; k < end; ++k)
    for (uint32_t s = rowPtr[events[k]]; s < rowPtr[events[k] + 1]; ++s)
      received[post[s]] += w[s];
}

// Buffers: field:w. Synapse s gets weight s + 1.
void initWeights(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  float *w = bufferArg<float>(args, 0);
  for (int64_t s = begin; s < end; ++s)
    w[s] = static_cast<float>(s + 1);
}

NetworkSpec clockNetwork(int64_t delay) {
  NetworkSpec spec;
  spec.name = "clock";
  spec.dt = 1e-3;
  PopulationSpec src;
  src.name = "src";
  src.size = 3;
  src.spiking = true;
  src.step = KernelSpec{
      "src__step", {"spiked"}, KernelDomain::Neurons, true, clockStep};
  PopulationSpec dst;
  dst.name = "dst";
  dst.size = 2;
  dst.fields = {FieldSpec{"received", "element", /*input=*/false, false},
                FieldSpec{"drive", "element", /*input=*/true, false}};
  ProjectionSpec proj;
  proj.name = "syn";
  proj.pre = 0;
  proj.post = 1;
  proj.preEnd = 3;
  proj.postEnd = 2;
  proj.delaySteps = delay;
  proj.fields = {FieldSpec{"w", "element", false, false}};
  proj.init = {KernelSpec{
      "syn__init", {"field:w"}, KernelDomain::Synapses, false, initWeights}};
  proj.onPre = KernelSpec{
      "syn__on_pre",
      {"events", "row_ptr", "post_index", "post:received", "field:w"},
      KernelDomain::Events,
      false,
      deliverOnPre};
  spec.populations = {src, dst};
  spec.projections = {proj};
  RecordSpec spikes;
  spikes.kind = RecordSpec::Spikes;
  spikes.object = 0;
  spikes.end = 3;
  spikes.label = "src_spikes";
  RecordSpec received;
  received.kind = RecordSpec::PopulationState;
  received.object = 1;
  received.end = 2;
  received.field = "received";
  received.label = "dst_received";
  spec.records = {spikes, received};
  return spec;
}
} // namespace

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
