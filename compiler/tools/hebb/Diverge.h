//===- Diverge.h - hebb diverge: two runs compared record by record -*- C++
//-*-===//

#ifndef HEBB_TOOLS_HEBB_DIVERGE_H
#define HEBB_TOOLS_HEBB_DIVERGE_H

#include <string>

namespace hebb {

/// Compares the records two runs of the same network wrote (for example
/// with seeds or initial weights a hair apart): for each record both have
/// with the same shape, the distance between the runs at each sample,
/// printed as its first and last values and their ratio, and written to
/// `outDir` (if not empty) as RECORD_divergence.npy. Returns the exit
/// status.
int compareRuns(const std::string &runA, const std::string &runB,
                const std::string &outDir);

} // namespace hebb

#endif // HEBB_TOOLS_HEBB_DIVERGE_H
