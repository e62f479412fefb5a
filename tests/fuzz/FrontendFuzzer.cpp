//===- FrontendFuzzer.cpp - Parse and check arbitrary bytes ---------------===//
//
// Any input must end in diagnostics or a checked program: never a crash, a
// hang or a leak.
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/Frontend.h"
#include "hebb/Frontend/Sema.h"

#include <cstddef>
#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  hebb::SourceManager sources;
  std::ostringstream sink;
  hebb::DiagnosticEngine diags(sources, sink);
  hebb::Sema sema(sources, diags, hebb::importSearchPath());
  if (sema.loadBuffer("fuzz.hebb", text) && !sema.networks().empty())
    (void)sema.elaborate("", {});
  return 0;
}
