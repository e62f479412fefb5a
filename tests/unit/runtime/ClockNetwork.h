//===- ClockNetwork.h - A small network of hand-written kernels -*- C++ -*-===//
//
// Kernels here are plain C++ functions with the packed kernel ABI, so the
// runtime's scheduling and the C API are tested without a compiler: three
// neurons spike in turn (neuron step mod 3) into two that sum the weights
// that arrive.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_TESTS_UNIT_RUNTIME_CLOCKNETWORK_H
#define HEBB_TESTS_UNIT_RUNTIME_CLOCKNETWORK_H

#include "hebb/runtime/Network.h"

namespace hebb::rt::test {
// Packed arguments: begin, end, step, t, dt, seed, then params and signals
// (five slots each), then five slots per buffer.
constexpr int kFirstBuffer = 16;
template <typename T> inline T *bufferArg(void **args, int index) {
  return *static_cast<T **>(args[kFirstBuffer + 5 * index + 1]);
}
inline int64_t scalarArg(void **args, int index) {
  return *static_cast<int64_t *>(args[index]);
}

// Neuron (step mod 3) spikes; "drive" is an input that counts deliveries.
inline void clockStep(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  int64_t step = scalarArg(args, 2);
  uint8_t *spiked = bufferArg<uint8_t>(args, 0);
  for (int64_t i = begin; i < end; ++i)
    spiked[i] = i == step % 3;
}

// Buffers: events, row_ptr, post_index, post:received, field:w.
inline void deliverOnPre(void **args) {
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
inline void initWeights(void **args) {
  int64_t begin = scalarArg(args, 0), end = scalarArg(args, 1);
  float *w = bufferArg<float>(args, 0);
  for (int64_t s = begin; s < end; ++s)
    w[s] = static_cast<float>(s + 1);
}

inline NetworkSpec clockNetwork(int64_t delay) {
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
} // namespace hebb::rt::test

#endif // HEBB_TESTS_UNIT_RUNTIME_CLOCKNETWORK_H
