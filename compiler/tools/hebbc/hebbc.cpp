//===- hebbc.cpp - The Hebb compiler --------------------------------------===//
//
// hebbc FILE.hebb [--emit=ast|hebb|mlir|llvm|asm|obj|ptx] [-o FILE]
//                 [--network NAME] [--set name=value] [-O0..3]
//                 [--precision=f32|f64] [--target=cpu|cuda] [--gpu-chip=sm_NN]
//
//===----------------------------------------------------------------------===//

#include "hebb/CodeGen/MLIRGen.h"
#include "hebb/Driver/Compiler.h"
#include "hebb/Driver/Frontend.h"
#include "hebb/Driver/GpuCompiler.h"
#include "hebb/Driver/KernelNetwork.h"
#include "hebb/Frontend/ASTDumper.h"
#include "hebb/Frontend/Parser.h"

#include "hebb/runtime/MemoryEstimate.h"
#include "hebb/runtime/Version.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace hebb;
namespace cl = llvm::cl;

static cl::OptionCategory category("hebbc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.hebb>"),
                                      cl::Required, cl::cat(category));
static cl::opt<EmitStage>
    emit("emit", cl::desc("Stop at a stage and print it"),
         cl::init(EmitStage::None),
         cl::values(clEnumValN(EmitStage::AST, "ast", "the syntax tree"),
                    clEnumValN(EmitStage::Hebb, "hebb", "the hebb dialect"),
                    clEnumValN(EmitStage::MLIR, "mlir",
                               "loops over buffers (scf, memref, arith, math)"),
                    clEnumValN(EmitStage::LLVM, "llvm", "optimised LLVM IR"),
                    clEnumValN(EmitStage::Asm, "asm", "host assembly"),
                    clEnumValN(EmitStage::Obj, "obj", "a host object file"),
                    clEnumValN(EmitStage::PTX, "ptx",
                               "PTX of the GPU kernels (--target=cuda)"),
                    clEnumValN(EmitStage::Cubin, "cubin",
                               "the GPU kernels assembled by ptxas, where a "
                               "CUDA toolkit is installed")),
         cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Write the output here"),
                                       cl::value_desc("file"),
                                       cl::cat(category));
static cl::opt<std::string> networkName("network",
                                        cl::desc("The network to compile "
                                                 "(default: the file's last)"),
                                        cl::cat(category));
static cl::list<std::string> settings("set",
                                      cl::desc("Override a network parameter"),
                                      cl::value_desc("name=value"),
                                      cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level (0-3)"),
                                  cl::Prefix, cl::init(3), cl::cat(category));
static cl::opt<bool> explain(
    "explain-integration",
    cl::desc("Print the integration method chosen for each equation and its "
             "discrete update"),
    cl::cat(category));
static cl::opt<bool> compileOnly(
    "c",
    cl::desc("Write a relocatable object with the network and its kernels "
             "(link it with the Hebb runtime; see --header)"),
    cl::cat(category));
static cl::opt<std::string>
    headerFile("header", cl::desc("With -c, write the C header here"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    targetTriple("target-triple",
                 cl::desc("With -c, compile for this target (default: the "
                          "host)"),
                 cl::cat(category));
static cl::opt<std::string>
    targetCpu("cpu",
              cl::desc("With -c, compile for this CPU (default: the host's)"),
              cl::cat(category));
static cl::opt<std::string> kernelModel(
    "kernel",
    cl::desc("With -c, compile this synapse or neuron model alone, as "
             "functions over the caller's arrays"),
    cl::value_desc("model"), cl::cat(category));
static cl::opt<int64_t> kernelPre("pre",
                                  cl::desc("With --kernel, presynaptic neurons "
                                           "of the dense layer"),
                                  cl::init(0), cl::cat(category));
static cl::opt<int64_t> kernelPost("post",
                                   cl::desc("With --kernel, postsynaptic "
                                            "neurons of the dense layer"),
                                   cl::init(0), cl::cat(category));
static cl::opt<int64_t>
    kernelSize("size", cl::desc("With --kernel, neurons of the population"),
               cl::init(0), cl::cat(category));
static cl::opt<std::string>
    target("target",
           cl::desc("Compile the kernels for cpu (default) or cuda (NVIDIA "
                    "GPUs: --emit=mlir prints the gpu dialect, --emit=ptx "
                    "the PTX)"),
           cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    gpuChip("gpu-chip",
            cl::desc("With --target=cuda, the compute capability the PTX is "
                     "for (default sm_80; newer GPUs JIT-compile it)"),
            cl::init("sm_80"), cl::cat(category));
static cl::opt<std::string> precision("precision",
                                      cl::desc("Floating point: f32 or f64"),
                                      cl::init("f32"), cl::cat(category));
static cl::opt<bool> procedural(
    "procedural",
    cl::desc("Store no synapse of a 'connect total' projection whose spikes "
             "only add into neurons: draw each spike's synapses again"),
    cl::cat(category));

namespace {
/// Writes output to -o atomically (a temporary renamed on success), or to
/// standard output.
class Output {
public:
  explicit Output(const std::string &path) : path(path) {}
  std::ostream &stream() { return path.empty() ? std::cout : buffer; }
  bool commit(std::string &error) {
    if (path.empty())
      return true;
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      if (!out) {
        error = "cannot write '" + path + "'";
        return false;
      }
      std::string data = buffer.str();
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) {
        error = "cannot write '" + path + "'";
        return false;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      error = "cannot write '" + path + "': " + ec.message();
      return false;
    }
    return true;
  }

private:
  std::string path;
  std::ostringstream buffer;
};

/// `hebbc -c`: the object (default NETWORK.o) and, with --header, its C
/// header, both written only if everything succeeds.
/// `--stats`: what the network will take in memory, part by part.
int printStats(Sema &sema, const NetworkPlan &plan) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registerHebbPassesAndDialects(registry);
  context.appendDialectRegistry(registry);
  CompilerOptions options;
  options.useF64 = precision == "f64";
  options.proceduralSynapses = procedural;
  rt::NetworkSpec spec;
  CompileTimings timings;
  if (!lowerNetwork(context, sema, plan, options, spec, timings))
    return 1;
  rt::MemoryEstimate estimate = rt::estimateMemory(spec);
  llvm::outs() << "network '" << plan.name << "': memory estimate\n";
  for (const rt::MemoryItem &item : estimate.items) {
    llvm::outs() << "  " << llvm::left_justify(item.what, 28)
                 << llvm::right_justify(rt::formatBytes(item.bytes), 12);
    if (item.synapses > 0)
      llvm::outs() << "  (" << llvm::format("%.4g", item.synapses)
                   << " synapses)";
    llvm::outs() << "\n";
  }
  llvm::outs() << "  " << llvm::left_justify("total", 28)
               << llvm::right_justify(rt::formatBytes(estimate.total()), 12)
               << "\n";
  double available = rt::availableMemory();
  if (available > 0)
    llvm::outs() << "  " << llvm::left_justify("available now", 28)
                 << llvm::right_justify(rt::formatBytes(available), 12) << "\n";
  return 0;
}

int compileObject(Sema &sema, const NetworkPlan &plan) {
  bool kernel = !kernelModel.empty();
  CompilerOptions options;
  options.optLevel = optLevel;
  options.useF64 = precision == "f64";
  options.proceduralSynapses = procedural;
  options.initConstantsAsParams = !kernel;
  ObjectOptions object;
  object.targetTriple = targetTriple;
  object.cpu = targetCpu;
  object.prefix = plan.name;
  Output objectOut(outputFile.empty() ? plan.name + ".o" : outputFile);
  rt::NetworkSpec spec;
  if (!emitNetworkObject(sema, plan, options, object, objectOut.stream(), spec))
    return 1;
  std::string error;
  if (!headerFile.empty()) {
    Output headerOut(headerFile);
    headerOut.stream() << (kernel
                               ? kernelHeader(spec, object.prefix, kernelModel)
                               : networkHeader(spec, object.prefix));
    if (!headerOut.commit(error)) {
      sema.diagnostics().errorNoLoc(error);
      return 1;
    }
  }
  if (!objectOut.commit(error)) {
    sema.diagnostics().errorNoLoc(error);
    return 1;
  }
  return 0;
}

int run() {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  if (optLevel > 3) {
    diags.errorNoLoc("-O takes 0 to 3");
    return 1;
  }
  std::optional<std::vector<Setting>> overrides =
      parseSettings(settings, precision, diags);
  if (!overrides)
    return 1;
  if (compileOnly && emit != EmitStage::None) {
    diags.errorNoLoc("-c writes an object; it does not take --emit");
    return 1;
  }
  if (!checkKernelTarget(target, diags))
    return 1;
  const bool cuda =
      target == "cuda" || emit == EmitStage::PTX || emit == EmitStage::Cubin;
  if (cuda && (compileOnly || emit == EmitStage::LLVM ||
               emit == EmitStage::Asm || emit == EmitStage::Obj)) {
    diags.errorNoLoc("--target=cuda compiles to PTX: it takes --emit=ast, "
                     "hebb, mlir, ptx or cubin, and not -c");
    return 1;
  }
  if (cuda && procedural) {
    diags.errorNoLoc("--procedural compiles for the CPU only (--target=cpu)");
    return 1;
  }
  if (!compileOnly && (!headerFile.empty() || !targetTriple.empty() ||
                       !targetCpu.empty() || !kernelModel.empty())) {
    diags.errorNoLoc("--header, --kernel, --target-triple and --cpu go with "
                     "-c");
    return 1;
  }
  Sema sema(sources, diags, importSearchPath());
  Output output(outputFile);
  if (emit == EmitStage::AST) {
    // The tree of the file as written, even if it does not check.
    std::optional<uint32_t> id = sources.addFile(inputFile);
    if (!id) {
      diags.errorNoLoc("cannot read '" + inputFile + "'");
      return 1;
    }
    std::optional<ast::File> file = parseFile(sources, *id, diags);
    if (!file)
      return 1;
    dumpAST(*file, sources, output.stream());
    std::string error;
    if (!output.commit(error)) {
      diags.errorNoLoc(error);
      return 1;
    }
    return 0;
  }
  if (!sema.loadFile(inputFile))
    return 1;
  if (!kernelModel.empty()) {
    // A network that holds the model alone, compiled as any other.
    const ast::Model *model = sema.findModel(kernelModel);
    if (!model) {
      diags.errorNoLoc("'" + inputFile + "' has no model '" + kernelModel +
                       "'");
      return 1;
    }
    std::string name;
    for (char c : kernelModel)
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    KernelShape shape{kernelPre, kernelPost, kernelSize};
    std::string error;
    std::string source = kernelNetworkSource(*model, name, shape, error);
    if (source.empty()) {
      diags.errorNoLoc(error);
      return 1;
    }
    if (!sema.loadBuffer("<kernel " + kernelModel + ">", source))
      return 1;
    std::optional<NetworkPlan> plan = sema.elaborate(name, *overrides);
    if (!plan)
      return 1;
    return compileObject(sema, *plan);
  }
  if (sema.networks().empty()) {
    if (emit != EmitStage::None) {
      diags.errorNoLoc("'" + inputFile +
                       "' declares no network; --emit needs one");
      return 1;
    }
    return 0; // a library of models: checked
  }
  std::optional<NetworkPlan> plan = sema.elaborate(networkName, *overrides);
  if (!plan)
    return 1;
  // `--stats` is LLVM's own option (statistics of its passes); hebbc
  // answers it with the network's: what it will take in memory.
  if (llvm::AreStatisticsEnabled())
    return printStats(sema, *plan);
  if (compileOnly)
    return compileObject(sema, *plan);

  mlir::MLIRContext context;
  loadHebbDialects(context);
  MLIRDiagnostics bridge(context, sema);
  CodeGenOptions cg;
  cg.useF64 = precision == "f64";
  cg.proceduralSynapses = procedural;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitNetwork(context, sema, *plan, cg);
  if (!module)
    return 1;
  auto printModule = [&]() {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
    output.stream() << text;
  };
  if (explain) {
    // The remarks print as notes at each equation.
    return explainIntegration(*module) ? 0 : 1;
  }
  if (emit == EmitStage::Hebb) {
    printModule();
  } else {
    if (!lowerHebbToLoops(*module, cuda))
      return 1;
    if (cuda) {
      if (!lowerLoopsToGpu(*module))
        return 1;
      if (emit == EmitStage::MLIR) {
        printModule();
      } else {
        GpuOptions gpu;
        gpu.chip = gpuChip;
        gpu.optLevel = static_cast<int>(optLevel);
        std::string ptx, error;
        if (!emitPtx(*module, gpu, ptx, error)) {
          if (!error.empty())
            diags.errorNoLoc(error);
          return 1;
        }
        if (emit == EmitStage::PTX)
          output.stream() << ptx;
        std::string cubin;
        if (emit == EmitStage::Cubin) {
          if (!assembleCubin(ptx, gpu, cubin, error)) {
            diags.errorNoLoc(error);
            return 1;
          }
          output.stream() << cubin;
        }
      }
    } else if (emit == EmitStage::MLIR) {
      printModule();
    } else {
      if (!lowerLoopsToLLVM(*module))
        return 1;
      if (emit != EmitStage::None) {
        std::string error;
        if (!emitFromLLVMDialect(*module, emit, optLevel, output.stream(),
                                 error)) {
          diags.errorNoLoc(error);
          return 1;
        }
      }
    }
  }
  std::string error;
  if (!output.commit(error)) {
    diags.errorNoLoc(error);
    return 1;
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "hebbc " HEBB_VERSION_STRING " (LLVM/MLIR " LLVM_VERSION_STRING ")\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "hebbc: the Hebb compiler. Checks a .hebb file and compiles its "
      "network;\n--emit prints a stage of the pipeline.\n");
  return run();
}
