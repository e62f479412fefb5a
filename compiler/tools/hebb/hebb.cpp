//===- hebb.cpp - Run Hebb networks ---------------------------------------===//
//
// hebb run FILE.hebb [--network NAME] [--set name=value ...] [--out DIR]
//
//===----------------------------------------------------------------------===//

#include "Diverge.h"
#include "Repl.h"
#include "hebb/Driver/Compiler.h"
#include "hebb/Driver/Frontend.h"
#include "hebb/Driver/GpuCompiler.h"
#include "hebb/Driver/RunReport.h"
#include "hebb/plot/Figures.h"
#include "hebb/runtime/CudaDriver.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Recorders.h"

#include "hebb/runtime/Version.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace hebb;
namespace cl = llvm::cl;

static cl::OptionCategory category("hebb run options");
static cl::SubCommand runCommand("run", "Compile a network in memory and run "
                                        "it, writing its records");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.hebb>"),
                                      cl::Required, cl::sub(runCommand),
                                      cl::cat(category));
static cl::opt<std::string> networkName("network",
                                        cl::desc("The network to run "
                                                 "(default: the file's last)"),
                                        cl::sub(runCommand), cl::cat(category));
static cl::list<std::string> settings("set",
                                      cl::desc("Override a network parameter"),
                                      cl::value_desc("name=value"),
                                      cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string> outDir("out",
                                   cl::desc("Where records go (default: "
                                            "out/<network>)"),
                                   cl::value_desc("dir"), cl::sub(runCommand),
                                   cl::cat(category));
static cl::opt<std::string> precision("precision",
                                      cl::desc("Floating point: f32 or f64"),
                                      cl::init("f32"), cl::sub(runCommand),
                                      cl::cat(category));
static cl::opt<bool> procedural(
    "procedural",
    cl::desc("Store no synapse of a 'connect total' projection whose spikes "
             "only add into neurons: draw each spike's synapses again "
             "(GeNN's procedural connectivity; far less memory and no "
             "build, slower delivery)"),
    cl::sub(runCommand), cl::cat(category));
static cl::opt<unsigned> threads("threads",
                                 cl::desc("Threads for neuron updates and "
                                          "learning (results do not depend "
                                          "on it)"),
                                 cl::init(1), cl::sub(runCommand),
                                 cl::cat(category));
static cl::opt<std::string>
    target("target",
           cl::desc("Where the kernels run: cpu (default) or cuda (an NVIDIA "
                    "GPU, through the driver loaded at run time)"),
           cl::init("cpu"), cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string>
    gpuChip("gpu-chip",
            cl::desc("With --target=cuda, the compute capability the PTX is "
                     "for (default sm_80; newer GPUs JIT-compile it)"),
            cl::init("sm_80"), cl::sub(runCommand), cl::cat(category));
static cl::opt<bool>
    profile("profile",
            cl::desc("Print the time spent in each kernel and in the runtime"),
            cl::sub(runCommand), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("No progress line"),
                           cl::sub(runCommand), cl::cat(category));
static cl::opt<bool>
    plotFigures("plot",
                cl::desc("Draw the records as PNG and SVG figures in the "
                         "output directory"),
                cl::sub(runCommand), cl::cat(category));

static cl::opt<bool> useCache(
    "cache",
    cl::desc("Keep compiled networks in a cache ($HEBB_CACHE_DIR, else "
             "~/.cache/hebb) and load them from it on a re-run (on by "
             "default; --cache=false compiles every time)"),
    cl::init(true), cl::sub(runCommand), cl::cat(category));

static cl::opt<bool> checkFinite(
    "check-finite",
    cl::desc("Stop a run whose state becomes NaN or infinite, and say "
             "where (on by default; --check-finite=false turns it off)"),
    cl::init(true), cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string> checkpointEvery(
    "checkpoint-every",
    cl::desc("Save a checkpoint to the output directory every this much "
             "simulated time (for example 10s)"),
    cl::value_desc("time"), cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string>
    resumeDir("resume",
              cl::desc("Go on from the checkpoint in this output directory "
                       "(the same program and --set values)"),
              cl::value_desc("dir"), cl::sub(runCommand), cl::cat(category));

static cl::SubCommand plotCommand("plot", "Draw the figures of a finished "
                                          "run from its output directory");
static cl::opt<std::string> plotDir(cl::Positional, cl::desc("<run directory>"),
                                    cl::Required, cl::sub(plotCommand),
                                    cl::cat(category));

static cl::SubCommand
    divergeCommand("diverge",
                   "Compare two runs of a network record by record: the "
                   "distance between them at each sample (chaos checks)");
static cl::list<std::string> divergeDirs(cl::Positional,
                                         cl::desc("<run A> <run B>"),
                                         cl::OneOrMore, cl::sub(divergeCommand),
                                         cl::cat(category));
static cl::opt<std::string>
    divergeOut("out",
               cl::desc("Also write each record's distances as "
                        "RECORD_divergence.npy here"),
               cl::value_desc("dir"), cl::sub(divergeCommand),
               cl::cat(category));

static cl::SubCommand replCommand("repl", "An interactive session: declare "
                                          "models, build a network, run it "
                                          "and look at it");
static cl::list<std::string> replFiles(cl::Positional,
                                       cl::desc("[file.hebb ...]"),
                                       cl::sub(replCommand), cl::cat(category));
static cl::list<std::string>
    replSettings("set", cl::desc("dt or seed of the session's network"),
                 cl::value_desc("name=value"), cl::sub(replCommand),
                 cl::cat(category));
static cl::opt<std::string>
    replBatch("batch",
              cl::desc("Run the commands of this file and exit; stop at the "
                       "first error"),
              cl::value_desc("file"), cl::sub(replCommand), cl::cat(category));
static cl::opt<std::string> replPrecision("precision",
                                          cl::desc("Floating point: f32 or "
                                                   "f64"),
                                          cl::init("f32"), cl::sub(replCommand),
                                          cl::cat(category));

namespace {
void printFigures(std::ostream &os, const std::vector<std::string> &files) {
  os << "figures:";
  for (const std::string &f : files)
    os << " " << f.substr(f.find_last_of('/') + 1);
  os << "\n";
}

int plotRunDirectory() {
  try {
    std::vector<std::string> files = plot::plotRun(plotDir);
    if (files.empty())
      std::cout << "no records to draw in " << plotDir << "\n";
    else
      printFigures(std::cout, files);
  } catch (const std::exception &e) {
    std::cerr << "hebb: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

/// The checkpoint of a run, in its output directory.
std::string checkpointPath(const std::string &dir) {
  return rt::joinPath(dir, "checkpoint.hebbckpt");
}

/// SIGINT and SIGTERM stop a run after its current step; it then saves a
/// checkpoint and its records.
std::atomic<bool> stopRequested{false};
std::atomic<int> stopSignal{0};
void onStopSignal(int signal) {
  stopSignal = signal;
  stopRequested = true;
}

/// Steps between checkpoints from `--checkpoint-every`; 0 without it.
std::optional<int64_t> checkpointSteps(double dt, DiagnosticEngine &diags) {
  if (checkpointEvery.empty())
    return 0;
  std::string error;
  std::optional<Setting> every =
      parseQuantity("--checkpoint-every", checkpointEvery, error);
  if (!every || every->dim != Dimension::base(Dimension::Second) ||
      !(every->value > 0)) {
    diags.errorNoLoc("--checkpoint-every needs a positive time, such as 10s, "
                     "not '" +
                     checkpointEvery + "'");
    return std::nullopt;
  }
  return std::max<int64_t>(1, std::llround(every->value / dt));
}

/// With --procedural, says which `connect total` projections keep their
/// synapses, and why such a projection would; or that none could.
void warnStoredSynapses(const NetworkPlan &plan, const rt::NetworkSpec &spec,
                        DiagnosticEngine &diags) {
  bool any = false;
  for (size_t k = 0; k < spec.projections.size(); ++k) {
    const rt::ProjectionSpec &ps = spec.projections[k];
    any |= ps.connect == rt::ConnectRule::Total;
    if (ps.connect == rt::ConnectRule::Total && !ps.procedural())
      diags.warning(plan.projections[k].loc,
                    "--procedural: '" + ps.name +
                        "' keeps its synapses: drawing them at each spike "
                        "takes a delay per synapse, an 'on pre' that only "
                        "adds into postsynaptic variables, no learning and "
                        "no record of synapse state");
  }
  if (!any && plan.network)
    diags.warning(plan.network->loc,
                  "--procedural: '" + plan.name +
                      "' has no projection with 'connect total', whose "
                      "synapses could be drawn at each spike");
}

/// `hebb run --target=cuda`: compiles the network's kernels to PTX (so the
/// program's errors come first), then loads them on the GPU through the
/// driver. Running the network there is the part still to come (issue
/// 10): until then this says so, after checking everything before it.
int runOnGpu(Sema &sema, const NetworkPlan &plan) {
  DiagnosticEngine &diags = sema.diagnostics();
  GpuOptions gpu;
  gpu.chip = gpuChip;
  std::string ptx;
  std::vector<std::string> kernels;
  if (!compileNetworkToPtx(sema, plan, precision == "f64", gpu, ptx, kernels))
    return 1;
  try {
    std::unique_ptr<rt::CudaDriver> driver = rt::CudaDriver::open();
    int chip = std::stoi(gpu.chip.substr(3));
    if (driver->computeCapability() < chip) {
      diags.errorNoLoc(driver->deviceName() + " is sm_" +
                       std::to_string(driver->computeCapability()) +
                       ": compile for it with --gpu-chip=sm_" +
                       std::to_string(driver->computeCapability()));
      return 1;
    }
    rt::CudaDriver::Module module = driver->loadPtx(ptx);
    for (const std::string &kernel : kernels)
      driver->function(module, kernel);
    diags.errorNoLoc(
        "the " + std::to_string(kernels.size()) + " kernels of '" + plan.name +
        "' load on " + driver->deviceName() + " (sm_" +
        std::to_string(driver->computeCapability()) +
        "), but hebb run cannot run a network on the GPU yet: run it "
        "without --target=cuda");
  } catch (const rt::RuntimeError &e) {
    diags.errorNoLoc(e.what());
  }
  return 1;
}

int runNetwork() {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::optional<std::vector<Setting>> overrides =
      parseSettings(settings, precision, diags);
  if (!overrides)
    return 1;
  if (threads == 0 || threads > rt::Network::kMaxThreads) {
    diags.errorNoLoc("--threads must be from 1 to " +
                     std::to_string(rt::Network::kMaxThreads) + ", not " +
                     std::to_string(threads));
    return 1;
  }
  if (!checkKernelTarget(target, diags))
    return 1;
  auto start = std::chrono::steady_clock::now();
  Sema sema(sources, diags, importSearchPath());
  if (!sema.loadFile(inputFile))
    return 1;
  std::optional<NetworkPlan> plan = sema.elaborate(networkName, *overrides);
  if (!plan)
    return 1;
  std::optional<int64_t> everySteps = checkpointSteps(plan->dt, diags);
  if (!everySteps)
    return 1;
  if (target == "cuda") {
    if (procedural) {
      diags.errorNoLoc("--procedural runs on the CPU only (--target=cpu)");
      return 1;
    }
    return runOnGpu(sema, *plan);
  }
  std::string dir = !outDir.empty()      ? std::string(outDir)
                    : !resumeDir.empty() ? std::string(resumeDir)
                                         : "out/" + plan->name;
  if (!resumeDir.empty() &&
      !std::filesystem::exists(checkpointPath(resumeDir))) {
    diags.errorNoLoc("--resume: there is no checkpoint in '" + resumeDir +
                     "' (" + checkpointPath(resumeDir) + ")");
    return 1;
  }
  CompilerOptions options;
  options.useF64 = precision == "f64";
  options.proceduralSynapses = procedural;
  options.useCache = useCache;
  std::unique_ptr<CompiledNetwork> compiled =
      compileNetwork(sema, *plan, options);
  if (!compiled)
    return 1;
  if (procedural)
    warnStoredSynapses(*plan, compiled->spec, diags);
  RunInfo info;
  info.program = inputFile;
  if (sources.numFiles() > 0) // the main file is loaded first
    info.source = sources.text(0);
  info.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  info.kernelsFromCache = compiled->timings.fromCache;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    diags.errorNoLoc("cannot create the output directory '" + dir +
                     "': " + (ec ? ec.message() : "a file has that name"));
    return 1;
  }
  if (access(dir.c_str(), W_OK) != 0) {
    diags.errorNoLoc("cannot write into the output directory '" + dir + "'");
    return 1;
  }
  try {
    auto buildStart = std::chrono::steady_clock::now();
    rt::Network network(compiled->spec);
    info.buildSeconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - buildStart)
                            .count();
    network.setThreads(threads);
    if (profile)
      network.enableProfiling();
    if (!resumeDir.empty())
      network.loadCheckpoint(checkpointPath(resumeDir));
    auto runStart = std::chrono::steady_clock::now();
    ProgressPrinter progress(stderr, isatty(STDERR_FILENO));
    rt::RunControl control;
    if (!quiet)
      control.progress = std::ref(progress);
    control.checkFinite = checkFinite;
    control.checkpointEvery = *everySteps;
    control.checkpoint = [&] { network.saveCheckpoint(checkpointPath(dir)); };
    control.stop = &stopRequested;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    rt::RunOutcome outcome = network.runSchedule(control);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    info.runSeconds = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - runStart)
                          .count();
    if (outcome == rt::RunOutcome::Stopped) {
      network.saveCheckpoint(checkpointPath(dir));
      std::cerr << "\n";
    }
    info.recordFiles = network.writeRecords(dir);
    writeRunJson(dir, network, info);
    if (outcome == rt::RunOutcome::NonFinite) {
      const rt::NonFiniteReport &r = network.nonFinite();
      double dt = compiled->spec.dt;
      std::ostringstream what;
      what << r.variable << "[" << r.element << "] became " << r.value;
      if (r.exact)
        what << " in the step to t = " << r.step * dt
             << " s; its last finite value was " << r.lastFinite
             << ". Records up to t = " << network.time() << " s are in " << dir
             << "/";
      else
        what << "; it was seen at t = " << r.step * dt
             << " s (the state was too large to keep a snapshot to trace "
                "the exact step). Records are in "
             << dir << "/";
      diags.errorNoLoc(what.str());
      return 1;
    }
    printSummary(std::cout, network, info);
    if (profile)
      printProfile(std::cout, network, info.runSeconds);
    // Records of one projection share its pre/post index files: name each
    // file once.
    std::cout << "records written to " << dir << "/ (run.json";
    std::set<std::string> named;
    for (const auto &files : info.recordFiles)
      for (const std::string &f : files)
        if (named.insert(f).second)
          std::cout << ", " << f.substr(f.find_last_of('/') + 1);
    std::cout << ")\n";
    if (outcome == rt::RunOutcome::Stopped) {
      std::cout << "stopped at t = " << network.time()
                << " s; checkpoint saved: go on with\n  hebb run " << inputFile
                << " --resume " << dir << "\n";
      return 128 + stopSignal;
    }
    if (plotFigures)
      printFigures(std::cout, plot::plotRun(dir));
  } catch (const rt::RuntimeError &e) {
    diags.errorNoLoc(e.what());
    return 1;
  } catch (const std::exception &e) {
    diags.errorNoLoc(e.what());
    return 1;
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "hebb " HEBB_VERSION_STRING " (LLVM/MLIR " LLVM_VERSION_STRING ")\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "hebb: run networks of neurons that learn.\n\n"
                              "  hebb run FILE.hebb [options]\n"
                              "  hebb repl [FILE.hebb ...] [options]\n"
                              "  hebb plot RUN_DIRECTORY\n"
                              "  hebb diverge RUN_A RUN_B [--out DIR]\n");
  if (runCommand)
    return runNetwork();
  if (plotCommand)
    return plotRunDirectory();
  if (divergeCommand) {
    if (divergeDirs.size() != 2) {
      std::cerr << "hebb: error: diverge compares two run directories\n";
      return 1;
    }
    return compareRuns(divergeDirs[0], divergeDirs[1], divergeOut);
  }
  if (replCommand) {
    ReplOptions options;
    options.files = replFiles;
    options.settings = replSettings;
    options.batchFile = replBatch;
    options.precision = replPrecision;
    return runRepl(options);
  }
  std::cerr << "hebb: error: give a command: hebb run FILE.hebb or hebb repl "
               "(see hebb --help)\n";
  return 1;
}
