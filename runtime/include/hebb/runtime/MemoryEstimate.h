//===- MemoryEstimate.h - What a network will need, before it runs -*- C++
//-*-===//
//
// The bytes a network's buffers, connectivity and state records will take,
// from its description alone: `hebb run` refuses a network that does not
// fit the memory available, instead of being killed by the system, and
// `hebbc --stats` prints the estimate.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_MEMORYESTIMATE_H
#define HEBB_RUNTIME_MEMORYESTIMATE_H

#include "hebb/runtime/Network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hebb::rt {

struct MemoryItem {
  std::string what;    // "population P", "projection ce", "records"
  double synapses = 0; // projections: the expected number of synapses
  double bytes = 0;
};

struct MemoryEstimate {
  std::vector<MemoryItem> items;
  double total() const;
};

/// The expected number of synapses of a projection (its mean, for random
/// rules).
double expectedSynapses(const ProjectionSpec &projection);

MemoryEstimate estimateMemory(const NetworkSpec &spec);

/// Bytes of memory available to a new allocation (MemAvailable of
/// /proc/meminfo, bounded by the address-space limit), or 0 if unknown.
double availableMemory();

/// Throws RuntimeError, before anything is allocated, if a projection
/// would exceed 32-bit synapse indices or the network would not fit the
/// available memory.
void checkFits(const NetworkSpec &spec);

/// "1.5 GiB", "320 MiB".
std::string formatBytes(double bytes);

} // namespace hebb::rt

#endif // HEBB_RUNTIME_MEMORYESTIMATE_H
