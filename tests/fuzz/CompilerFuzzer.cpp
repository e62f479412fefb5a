//===- CompilerFuzzer.cpp - Programs through the whole compiler -----------===//
//
// Inputs that check go through MLIR generation, the Hebb passes, the
// lowering to loops and to the LLVM dialect, and the translation to LLVM
// IR. Seeded with every .hebb file of the repository and a dictionary of
// the language's words (hebb.dict), mutations stay close to programs.
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/Compiler.h"
#include "hebb/Driver/Frontend.h"
#include "hebb/Frontend/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    hebb::registerHebbPassesAndDialects(registry);
    auto *c = new mlir::MLIRContext(registry);
    c->loadAllAvailableDialects();
    return c;
  }();
  std::string text(reinterpret_cast<const char *>(data), size);
  hebb::SourceManager sources;
  std::ostringstream sink;
  hebb::DiagnosticEngine diags(sources, sink);
  hebb::Sema sema(sources, diags, hebb::importSearchPath());
  if (!sema.loadBuffer("fuzz.hebb", text) || sema.networks().empty())
    return 0;
  std::optional<hebb::NetworkPlan> plan = sema.elaborate("", {});
  if (!plan)
    return 0;
  hebb::CompilerOptions options;
  hebb::rt::NetworkSpec spec;
  hebb::CompileTimings timings;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      hebb::lowerNetwork(*context, sema, *plan, options, spec, timings);
  if (!module)
    return 0;
  std::ostringstream ir;
  std::string error;
  (void)hebb::emitFromLLVMDialect(*module, hebb::EmitStage::LLVM,
                                  /*optLevel=*/0, ir, error);
  return 0;
}
