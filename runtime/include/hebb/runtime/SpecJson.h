//===- SpecJson.h - Network descriptions as JSON ----------------*- C++ -*-===//
//
// A NetworkSpec, less its kernels' entry points, as JSON: what `hebbc -c`
// embeds in an object file and the C API reads back to build the network.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_SPECJSON_H
#define HEBB_RUNTIME_SPECJSON_H

#include "hebb/runtime/Network.h"

#include <string>

namespace hebb::rt {

/// The version of the description format; a reader refuses any other.
constexpr int kSpecFormatVersion = 1;

std::string specToJson(const NetworkSpec &spec);

/// Throws RuntimeError on malformed input or another format version.
NetworkSpec specFromJson(const std::string &json);

} // namespace hebb::rt

#endif // HEBB_RUNTIME_SPECJSON_H
