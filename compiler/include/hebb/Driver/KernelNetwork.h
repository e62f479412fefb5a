//===- KernelNetwork.h - A network around one model -------------*- C++ -*-===//
//
// `hebbc FILE --kernel MODEL -c` compiles one model as functions over a
// caller's arrays. It does so by compiling a small network that holds the
// model alone; this writes that network's source.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_KERNELNETWORK_H
#define HEBB_DRIVER_KERNELNETWORK_H

#include "hebb/Frontend/AST.h"

#include <cstdint>
#include <string>

namespace hebb {

struct KernelShape {
  int64_t numPre = 0, numPost = 0; // a synapse: a dense layer
  int64_t size = 0;                // a neuron: a population
};

/// The source of network `name`: for a synapse, a dense projection `rule`
/// from population `source` (numPre neurons) to `target` (numPost) whose
/// models have exactly the variables the synapse reads and writes on each
/// side, unit-free; for a neuron, a population `neurons`. Every signal the
/// model reads is declared. Empty, with `error` set, if a size is missing.
std::string kernelNetworkSource(const ast::Model &model,
                                const std::string &name,
                                const KernelShape &shape, std::string &error);

} // namespace hebb

#endif // HEBB_DRIVER_KERNELNETWORK_H
