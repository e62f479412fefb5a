//===- KernelABI.h - How the runtime calls compiled kernels -----*- C++ -*-===//
//
// Every compiled kernel is a function of the same leading arguments followed
// by the buffers its manifest names, called through a packed entry point
// `void entry(void **args)` in which args[k] points at the k-th argument.
// A memref argument of the kernel takes five slots (allocated pointer,
// aligned pointer, offset, size, stride), as MLIR's calling convention
// expands it.
//
//   index begin, index end      the range of the kernel's iteration domain
//   i64 step                    the step number (the random counter uses it)
//   f64 t, f64 dt               time at the start of the step, and the step
//   i64 seed                    the network seed
//   memref<?xf64> params        the instance's parameters, header order
//   memref<?xf64> signals       the network's signals
//   memref<?xT> buffer...       one per manifest entry
//
// Manifest entries (the `hebb.buffers` attribute of each kernel):
//   field:NAME   a field of the instance itself
//   pre:NAME     a field of the presynaptic population, from the slice start
//   post:NAME    a field of the postsynaptic population, from the slice start
//   prev:NAME    the presynaptic field as transmitted this step (snapshot)
//   spiked       u8 per neuron: 1 if it spiked this step (written by step)
//   refractory   f32 per neuron: refractory steps left, counted down
//   events       i32 indices (in the slice) of the neurons whose events the
//                kernel handles: [begin, end) indexes this list
//   row_ptr, post_index, pre_index, col_ptr, col_syn: i32 connectivity
//   event_rows   i32 per event: the row block it delivers (with delays per
//                synapse, the block of one delay; else the pre itself)
//   row_bounds   i32: where row blocks begin and end; block r's synapses
//                are [row_bounds[r * stride + offset], row_bounds[r *
//                stride + offset + gap])
//   row_layout   i32 [stride, offset, gap]: CSR row pointers [1, 0, 1];
//                blocks of one delay [1, 0, n_pre]; with threads, a part
//                of rows split by postsynaptic ranges, the bounds side by
//                side per pre (one cache line a spike), [parts + 1, part, 1]
//   ring_info    i32 [slots, slot of the emission step, row length]
//   ring_column  u32 per synapse: delay * row length + post
//   ring:NAME    the rings of a postsynaptic field, added ahead at arrival
//   row_draw     i32 [posts, the post that is pre 0 itself or INT32_MIN]:
//                how a procedural `on pre` draws a row's postsynaptic
//                neurons (where no pair of a neuron with itself is left
//                out, INT32_MIN)
//   stream:NAME  i32 [key]: the key of the instance's random stream NAME
//
// The `hebb.domain` attribute says what [begin, end) ranges over (neurons,
// synapses, post_rows of a dense projection, pre_neurons, post_neurons,
// projection, events); `hebb.parallel` marks kernels whose range may be
// split across threads.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_KERNELABI_H
#define HEBB_RUNTIME_KERNELABI_H

#include <cstdint>

namespace hebb::rt {

/// The packed entry point of a kernel.
using KernelEntry = void (*)(void **args);

/// MLIR's descriptor of a one-dimensional memref.
struct MemRef1D {
  void *allocated = nullptr;
  void *aligned = nullptr;
  int64_t offset = 0;
  int64_t size = 0;
  int64_t stride = 1;
};

/// The number of leading scalar and memref arguments before the buffers.
constexpr int kNumLeadingArgs = 8;

} // namespace hebb::rt

#endif // HEBB_RUNTIME_KERNELABI_H
