//===- NpyFuzzer.cpp - The .npy reader on arbitrary bytes -----------------===//
//
// A malformed file must be a RuntimeError naming it, never a crash or an
// allocation of what a corrupt header claims.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  try {
    hebb::rt::NpyArray array = hebb::rt::parseNpy(bytes, "fuzz.npy");
    (void)array.toDoubles();
  } catch (const hebb::rt::RuntimeError &) {
  }
  return 0;
}
