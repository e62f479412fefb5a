//===- Compiler.cpp - From a network plan to running code -----------------===//
//
// The one MLIR-heavy translation unit of the driver: pass pipelines, LLVM
// translation and optimisation, assembly/object emission and the JIT.
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/Compiler.h"
#include "hebb/Dialect/HebbOps.h"
#include "hebb/Dialect/Passes.h"
#include "hebb/Driver/GpuCompiler.h"
#include "hebb/Driver/KernelCache.h"
#include "hebb/Driver/KernelTable.h"
#include "hebb/runtime/SpecJson.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <set>

using namespace hebb;

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::unique_ptr<llvm::TargetMachine> hostTargetMachine(int optLevel,
                                                       bool forObject) {
  initializeLLVMTargets();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    llvm::consumeError(builder.takeError());
    return nullptr;
  }
  builder->setCodeGenOptLevel(optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                              : optLevel == 0 ? llvm::CodeGenOptLevel::None
                                              : llvm::CodeGenOptLevel::Default);
  if (forObject) {
    builder->setRelocationModel(llvm::Reloc::PIC_);
    builder->setCodeModel(llvm::CodeModel::Small);
  }
  auto tm = builder->createTargetMachine();
  if (!tm) {
    llvm::consumeError(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}
} // namespace

struct MLIRDiagnostics::Impl {
  Impl(mlir::MLIRContext &context, Sema &sema)
      : handler(&context, [&sema](mlir::Diagnostic &diag) {
          ast::Loc loc;
          if (auto fl =
                  mlir::dyn_cast<mlir::FileLineColLoc>(diag.getLocation())) {
            SourceManager &sources = sema.sourceManager();
            for (uint32_t id = 0; id < sources.numFiles(); ++id)
              if (sources.path(id) == fl.getFilename().str())
                loc = ast::Loc{id, fl.getLine(), fl.getColumn()};
          }
          // Users wrote no `'hebb.odes' op`: drop MLIR's op prefix.
          std::string message = diag.str();
          if (message.rfind("'hebb.", 0) == 0) {
            size_t op = message.find("' op ");
            if (op != std::string::npos)
              message = message.substr(op + 5);
          }
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
            sema.diagnostics().error(loc, message);
          else if (diag.getSeverity() == mlir::DiagnosticSeverity::Warning)
            sema.diagnostics().warning(loc, message);
          else
            sema.diagnostics().note(loc, message);
          return mlir::success();
        }) {}
  mlir::ScopedDiagnosticHandler handler;
};

MLIRDiagnostics::MLIRDiagnostics(mlir::MLIRContext &context, Sema &sema)
    : impl(std::make_unique<Impl>(context, sema)) {}
MLIRDiagnostics::~MLIRDiagnostics() = default;

void hebb::registerHebbPassesAndDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::hebb::HebbDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::func::FuncDialect,
                  mlir::scf::SCFDialect, mlir::memref::MemRefDialect,
                  mlir::vector::VectorDialect, mlir::LLVM::LLVMDialect,
                  mlir::cf::ControlFlowDialect, mlir::ub::UBDialect,
                  mlir::x86vector::X86VectorDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  registerGpuDialects(registry);
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::registerAllPasses();
    mlir::hebb::registerHebbPasses();
  });
}

void hebb::loadHebbDialects(mlir::MLIRContext &context) {
  mlir::DialectRegistry registry;
  registerHebbPassesAndDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

bool hebb::runPassPipeline(mlir::ModuleOp module, const std::string &pipeline) {
  mlir::PassManager pm(module->getContext(),
                       mlir::ModuleOp::getOperationName());
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, errorStream))) {
    module->emitError("bad pass pipeline: ") << errors;
    return false;
  }
  return mlir::succeeded(pm.run(module));
}

static const char *kHebbPipeline =
    "hebb-integrate-odes,hebb-lazy-event-traces,hebb-init-constants-to-params";
/// For `hebbc --kernel`, whose header's parameter struct is the kernels'
/// parameter buffer: initial values keep their constants.
static const char *kHebbPipelineKeepingConstants =
    "hebb-integrate-odes,hebb-lazy-event-traces";
static const char *kLowerPipeline = "hebb-lower-to-loops,canonicalize,cse";
static const char *kLowerForGpuPipeline =
    "hebb-lower-to-loops{per-element-draws=true},canonicalize,cse";
static const char *kLLVMPipeline =
    "loop-invariant-code-motion,hebb-unswitch-loops,hebb-hoist-reciprocals,"
    "canonicalize,cse,"
    "hebb-approximate-math,canonicalize,convert-scf-to-cf,"
    "convert-math-to-llvm,convert-math-to-libm,convert-arith-to-llvm,"
    "finalize-memref-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
    "convert-ub-to-llvm,reconcile-unrealized-casts";

bool hebb::explainIntegration(mlir::ModuleOp module) {
  return runPassPipeline(module, "hebb-integrate-odes{explain=true}");
}

bool hebb::lowerHebbToLoops(mlir::ModuleOp module, bool forGpu) {
  return runPassPipeline(module, kHebbPipeline) &&
         runPassPipeline(module,
                         forGpu ? kLowerForGpuPipeline : kLowerPipeline);
}

/// Marks the buffer pointers of kernels noalias, which convert-func-to-llvm
/// does not carry over from memref arguments. Without it LLVM cannot hoist
/// parameter loads out of the element loop and guards the vector loop with
/// run-time overlap checks. A population's buffers are distinct fields; a
/// projection's pre and post fields may be the same population, so there
/// only the read-only parameters and signals are marked.
static void markKernelBuffersNoAlias(mlir::ModuleOp module) {
  // Leading LLVM arguments: begin, end, step, t, dt, seed, then the params
  // and signals memrefs of five values each (allocated and aligned pointers
  // first), then five per buffer.
  constexpr unsigned kFirstMemRef = 6, kMemRefWidth = 5;
  for (auto func : module.getBody()->getOps<mlir::LLVM::LLVMFuncOp>()) {
    auto instance = func->getAttrOfType<mlir::StringAttr>("hebb.instance");
    if (!instance || func.isExternal())
      continue;
    bool distinct = func->hasAttr("hebb.distinct_buffers");
    unsigned numArgs = func.getNumArguments();
    for (unsigned i = kFirstMemRef; i < numArgs; ++i) {
      unsigned slot = (i - kFirstMemRef) % kMemRefWidth;
      unsigned memref = (i - kFirstMemRef) / kMemRefWidth;
      if (slot > 1) // offset, size, stride
        continue;
      if (!distinct && memref > 1)
        continue;
      func.setArgAttr(i, mlir::LLVM::LLVMDialect::getNoAliasAttrName(),
                      mlir::UnitAttr::get(module.getContext()));
    }
  }
}

bool hebb::lowerLoopsToLLVM(mlir::ModuleOp module) {
  if (!runPassPipeline(module, kLLVMPipeline))
    return false;
  markKernelBuffersNoAlias(module);
  return true;
}

namespace {
/// Optimises `module` for `tm` and prints LLVM IR, assembly or an object.
bool emitLLVMModule(llvm::Module &module, llvm::TargetMachine &tm,
                    EmitStage stage, int optLevel, std::ostream &out,
                    std::string &error) {
  mlir::ExecutionEngine::setupTargetTripleAndDataLayout(&module, &tm);
  auto optimize = mlir::makeOptimizingTransformer(optLevel, 0, &tm);
  if (llvm::Error e = optimize(&module)) {
    error = llvm::toString(std::move(e));
    return false;
  }
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  if (stage == EmitStage::LLVM) {
    module.print(os, nullptr);
  } else {
    llvm::legacy::PassManager pm;
    auto type = stage == EmitStage::Obj ? llvm::CodeGenFileType::ObjectFile
                                        : llvm::CodeGenFileType::AssemblyFile;
    if (tm.addPassesToEmitFile(pm, os, nullptr, type)) {
      error = "the target cannot emit this file type";
      return false;
    }
    pm.run(module);
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  return true;
}

/// The target of `hebbc -c`: the host, or a triple and CPU.
std::unique_ptr<llvm::TargetMachine>
objectTargetMachine(const ObjectOptions &object, int optLevel,
                    std::string &error) {
  if (object.targetTriple.empty() && object.cpu.empty()) {
    auto tm = hostTargetMachine(optLevel, true);
    if (!tm)
      error = "cannot create a target machine for this host";
    return tm;
  }
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
  llvm::Triple triple(object.targetTriple.empty()
                          ? llvm::sys::getDefaultTargetTriple()
                          : object.targetTriple);
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "unknown target '" + triple.str() + "': " + lookupError;
    return nullptr;
  }
  std::string cpu = !object.cpu.empty() ? object.cpu
                    : object.targetTriple.empty()
                        ? llvm::sys::getHostCPUName().str()
                        : "generic";
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, "", targetOptions, llvm::Reloc::PIC_, llvm::CodeModel::Small,
      optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : optLevel == 0 ? llvm::CodeGenOptLevel::None
                      : llvm::CodeGenOptLevel::Default));
  if (!tm)
    error = "cannot create a target machine for '" + triple.str() + "' (" +
            cpu + ")";
  return tm;
}
} // namespace

bool hebb::emitFromLLVMDialect(mlir::ModuleOp module, EmitStage stage,
                               int optLevel, std::ostream &out,
                               std::string &error) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule) {
    error = "cannot translate to LLVM IR";
    return false;
  }
  std::unique_ptr<llvm::TargetMachine> tm =
      hostTargetMachine(optLevel, stage == EmitStage::Obj);
  if (!tm) {
    error = "cannot create a target machine for this host";
    return false;
  }
  return emitLLVMModule(*llvmModule, *tm, stage, optLevel, out, error);
}

bool hebb::emitNetworkObject(Sema &sema, const NetworkPlan &plan,
                             const CompilerOptions &options,
                             const ObjectOptions &object, std::ostream &out,
                             rt::NetworkSpec &spec) {
  mlir::MLIRContext context;
  CompileTimings timings;
  // Kernels that are the same code are compiled once (the microcircuit's
  // 126 are 9): the table names each, the code of the one kept.
  llvm::StringMap<std::string> merged;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      lowerNetwork(context, sema, plan, options, spec, timings, &merged);
  if (!module)
    return false;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm =
      objectTargetMachine(object, options.optLevel, error);
  if (!tm) {
    sema.diagnostics().errorNoLoc(error);
    return false;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(*module, llvmContext);
  if (!llvmModule) {
    sema.diagnostics().errorNoLoc("cannot translate to LLVM IR");
    return false;
  }
  addKernelTable(*llvmModule, spec, object.prefix, merged);
  if (!emitLLVMModule(*llvmModule, *tm, EmitStage::Obj, options.optLevel, out,
                      error)) {
    sema.diagnostics().errorNoLoc(error);
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// The runtime's view of a network
//===----------------------------------------------------------------------===//

namespace {
template <typename OpT>
void describeInstance(OpT op, std::vector<rt::FieldSpec> &fields,
                      std::vector<rt::ParamSpec> &params) {
  // What the stages other than init write: the rest keeps its initial
  // value (a projection's fixed weights and delays).
  std::set<std::string> written;
  op.getBody().walk([&](mlir::Operation *inner) {
    if (inner->getParentOfType<mlir::hebb::InitOp>())
      return;
    if (auto set = mlir::dyn_cast<mlir::hebb::SetOp>(inner))
      written.insert(set.getField().str());
    else if (auto odes = mlir::dyn_cast<mlir::hebb::OdesOp>(inner))
      for (mlir::Attribute v : odes.getVars())
        written.insert(mlir::cast<mlir::StringAttr>(v).getValue().str());
    else if (auto reduce = mlir::dyn_cast<mlir::hebb::ReduceOp>(inner)) {
      written.insert(reduce.getInto().str());
      if (reduce.getRunning())
        written.insert(reduce.getRunning()->str());
    }
  });
  for (mlir::Operation &inner : op.getBody().front()) {
    if (auto f = mlir::dyn_cast<mlir::hebb::FieldOp>(inner)) {
      rt::FieldSpec fs;
      fs.name = f.getSymName().str();
      fs.scope = f.getScope().str();
      fs.input = f.getInput();
      fs.f64 = f.getType().isF64();
      fs.constant = std::is_same_v<OpT, mlir::hebb::ProjectionOp> &&
                    !written.count(fs.name);
      fields.push_back(fs);
    } else if (auto p = mlir::dyn_cast<mlir::hebb::ParamOp>(inner)) {
      params.push_back({p.getSymName().str(), p.getValue().convertToDouble(),
                        p.getUnit().str()});
    }
  }
}
} // namespace

rt::NetworkSpec hebb::describeNetwork(mlir::ModuleOp module,
                                      const NetworkPlan &plan) {
  rt::NetworkSpec spec;
  spec.name = plan.name;
  spec.dt = plan.dt;
  spec.seed = plan.seed;
  for (const ParamValue &p : plan.params)
    spec.params.push_back({p.name, p.value, p.dim.str()});
  spec.signals = plan.signals;
  spec.signalUpdates = plan.signalUpdates;
  for (const PopulationPlan &pop : plan.populations) {
    rt::PopulationSpec ps;
    ps.name = pop.name;
    ps.size = pop.size;
    ps.model = pop.stream ? "Stream" : pop.instance.model->name;
    if (pop.stream)
      ps.stream = *pop.stream;
    for (auto op : module.getBody()->getOps<mlir::hebb::PopulationOp>())
      if (op.getSymName() == pop.name)
        describeInstance(op, ps.fields, ps.params);
    spec.populations.push_back(std::move(ps));
  }
  for (const ProjectionPlan &proj : plan.projections) {
    rt::ProjectionSpec ps;
    ps.name = proj.name;
    ps.model = proj.instance.model->name;
    ps.pre = proj.pre.pop;
    ps.preBegin = proj.pre.begin;
    ps.preEnd = proj.pre.end;
    ps.post = proj.post.pop;
    ps.postBegin = proj.post.begin;
    ps.postEnd = proj.post.end;
    ps.connectValue = proj.connectValue;
    ps.connectFile = proj.connectFile;
    ps.noSelf = proj.noSelf;
    ps.delaySteps = proj.delaySteps;
    ps.synapseDelays = proj.delayExpr != nullptr;
    switch (proj.connect) {
    case ast::ConnectKind::All:
      ps.connect = rt::ConnectRule::All;
      break;
    case ast::ConnectKind::OneToOne:
      ps.connect = rt::ConnectRule::OneToOne;
      break;
    case ast::ConnectKind::Prob:
      ps.connect = rt::ConnectRule::Probability;
      break;
    case ast::ConnectKind::InDegree:
      ps.connect = rt::ConnectRule::InDegree;
      break;
    case ast::ConnectKind::OutDegree:
      ps.connect = rt::ConnectRule::OutDegree;
      break;
    case ast::ConnectKind::Total:
      ps.connect = rt::ConnectRule::Total;
      break;
    case ast::ConnectKind::File:
      ps.connect = rt::ConnectRule::File;
      break;
    }
    for (auto op : module.getBody()->getOps<mlir::hebb::ProjectionOp>())
      if (op.getSymName() == proj.name) {
        describeInstance(op, ps.fields, ps.params);
        ps.dense = op.getDense();
      }
    if (!proj.tiedTo.empty()) {
      // Its `w` is the other projection's buffer.
      ps.tiedTo = proj.tiedTo;
      llvm::erase_if(ps.fields,
                     [](const rt::FieldSpec &f) { return f.name == "w"; });
    }
    spec.projections.push_back(std::move(ps));
  }
  for (const RecordPlan &r : plan.records) {
    rt::RecordSpec rs;
    rs.kind = r.kind == RecordPlan::Spikes ? rt::RecordSpec::Spikes
              : r.kind == RecordPlan::PopulationState
                  ? rt::RecordSpec::PopulationState
                  : rt::RecordSpec::ProjectionState;
    rs.object = r.object;
    rs.begin = r.begin;
    rs.end = r.end;
    rs.field = r.field;
    rs.everySteps = r.everySteps;
    rs.atPhaseEnd = r.atPhaseEnd;
    rs.label = r.label;
    rs.unit = r.unit;
    rs.monitor = r.monitor;
    spec.records.push_back(rs);
  }
  spec.schedule = plan.schedule;
  return spec;
}

/// The runtime's view of a kernel function; false for other functions.
static bool kernelOf(mlir::func::FuncOp func, std::string &instance,
                     std::string &kind, rt::KernelSpec &k) {
  auto instanceAttr = func->getAttrOfType<mlir::StringAttr>("hebb.instance");
  auto kindAttr = func->getAttrOfType<mlir::StringAttr>("hebb.kind");
  auto buffers = func->getAttrOfType<mlir::ArrayAttr>("hebb.buffers");
  if (!instanceAttr || !kindAttr || !buffers)
    return false;
  instance = instanceAttr.getValue().str();
  kind = kindAttr.getValue().str();
  k = rt::KernelSpec();
  k.symbol = func.getSymName().str();
  k.parallel = func->hasAttr("hebb.parallel");
  if (auto domain = func->getAttrOfType<mlir::StringAttr>("hebb.domain"))
    k.domain = llvm::StringSwitch<rt::KernelDomain>(domain.getValue())
                   .Case("synapses", rt::KernelDomain::Synapses)
                   .Case("post_rows", rt::KernelDomain::PostRows)
                   .Case("pre_neurons", rt::KernelDomain::PreNeurons)
                   .Case("post_neurons", rt::KernelDomain::PostNeurons)
                   .Case("projection", rt::KernelDomain::Projection)
                   .Case("events", rt::KernelDomain::Events)
                   .Default(rt::KernelDomain::Neurons);
  for (mlir::Attribute b : buffers)
    k.buffers.push_back(mlir::cast<mlir::StringAttr>(b).getValue().str());
  return true;
}

/// Attaches kernel `k` of kind `what` to instance `name` of `spec`.
static void attachKernel(rt::NetworkSpec &spec, llvm::StringRef name,
                         llvm::StringRef what, const rt::KernelSpec &k) {
  for (rt::PopulationSpec &p : spec.populations) {
    if (p.name != name)
      continue;
    if (what.starts_with("on_end_"))
      p.onEnd.emplace_back(what.drop_front(7).str(), k);
    else
      (what == "init" ? p.init : p.step) = k;
    if (llvm::is_contained(k.buffers, "spiked"))
      p.spiking = true;
  }
  for (rt::ProjectionSpec &p : spec.projections) {
    if (p.name != name)
      continue;
    if (what.starts_with("on_end_"))
      p.onEnd.emplace_back(what.drop_front(7).str(), k);
    else if (what.starts_with("reduce_on_end_"))
      p.onEnd.emplace_back(what.drop_front(14).str(), k); // before its handler
    else if (what.starts_with("init"))
      p.init.push_back(k);
    else if (what == "learn_transmit")
      p.learnTransmit = k;
    else if (what.starts_with("learn") || what == "reduce")
      p.learn.push_back(k);
    else if (what == "reduce_transmit")
      p.beforeTransmit.push_back(k);
    else if (what == "reduce_on_pre")
      p.beforeOnPre.push_back(k);
    else if (what == "reduce_on_post")
      p.beforeOnPost.push_back(k);
    else if (what == "on_pre")
      p.onPre = k;
    else if (what == "on_post")
      p.onPost = k;
    else if (what == "transmit")
      p.transmit = k;
    else if (what == "delay_range")
      p.delayRange = k;
  }
}

/// Attaches the kernels of a loop-level module to the instances they update.
static void attachKernels(mlir::ModuleOp module, rt::NetworkSpec &spec) {
  for (auto func : module.getBody()->getOps<mlir::func::FuncOp>()) {
    std::string instance, kind;
    rt::KernelSpec k;
    if (kernelOf(func, instance, kind, k))
      attachKernel(spec, instance, kind, k);
  }
}

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

/// Kernels that are the same code under another name (the `on pre` of
/// projections of one synapse model, the updates of populations of one
/// neuron model: parameters are read at run time) are lowered and compiled
/// once: each duplicate is erased and its symbol mapped to the one kept.
static llvm::StringMap<std::string>
mergeIdenticalKernels(mlir::ModuleOp module) {
  llvm::StringMap<std::string> kept; // printed body -> symbol
  llvm::StringMap<std::string> alias;
  // Only a kernel nobody calls may go.
  llvm::StringSet<> called;
  if (auto uses = mlir::SymbolTable::getSymbolUses(&module.getBodyRegion()))
    for (const mlir::SymbolTable::SymbolUse &use : *uses)
      called.insert(use.getSymbolRef().getRootReference().getValue());
  std::vector<mlir::func::FuncOp> duplicates;
  for (auto func : module.getBody()->getOps<mlir::func::FuncOp>()) {
    if (func.isExternal() || !func->hasAttr("hebb.kind"))
      continue;
    std::string name = func.getSymName().str();
    std::string key;
    {
      // Printed under one name and without the instance it is for: equal
      // text is equal code.
      mlir::Attribute instance = func->removeAttr("hebb.instance");
      func.setSymName("kernel");
      llvm::raw_string_ostream os(key);
      func.print(os,
                 mlir::OpPrintingFlags().printGenericOpForm().useLocalScope());
      func.setSymName(name);
      if (instance)
        func->setAttr("hebb.instance", instance);
    }
    auto [it, inserted] = kept.try_emplace(key, name);
    if (inserted || called.contains(name))
      continue;
    alias[name] = it->second;
    duplicates.push_back(func);
  }
  for (auto func : duplicates)
    func.erase();
  return alias;
}

/// The host's target machine for the JIT, or null after an error.
static std::unique_ptr<llvm::TargetMachine> jitTargetMachine(int optLevel,
                                                             Sema &sema) {
  std::unique_ptr<llvm::TargetMachine> tm = hostTargetMachine(optLevel, false);
  if (!tm)
    sema.diagnostics().errorNoLoc("cannot create a target machine for this "
                                  "host");
  return tm;
}

/// JIT-compiles an LLVM-dialect module for the host, optimised at
/// `optLevel` by `transformer` (which must outlive the engine); with
/// `keepObject` the engine keeps the object it makes, for the cache.
static std::unique_ptr<mlir::ExecutionEngine>
jitCompile(mlir::ModuleOp module, int optLevel, Sema &sema,
           std::function<llvm::Error(llvm::Module *)> &transformer,
           llvm::TargetMachine &tm, bool keepObject) {
  transformer = mlir::makeOptimizingTransformer(optLevel, 0, &tm);
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.enableObjectDump = keepObject;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = optLevel >= 3
                                         ? llvm::CodeGenOptLevel::Aggressive
                                         : llvm::CodeGenOptLevel::Default;
  auto engine = mlir::ExecutionEngine::create(module, engineOptions);
  if (!engine) {
    sema.diagnostics().errorNoLoc("JIT compilation failed: " +
                                  llvm::toString(engine.takeError()));
    return nullptr;
  }
  return std::move(*engine);
}

struct CompiledNetwork::Impl {
  mlir::MLIRContext context;
  std::function<llvm::Error(llvm::Module *)> transformer;
  /// The kernels: compiled now, or loaded from the cache.
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::unique_ptr<llvm::orc::LLJIT> cached;
};

CompiledNetwork::~CompiledNetwork() = default;

/// An op's text, without locations.
static std::string printed(mlir::Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
  return text;
}

/// The network's module after the hebb passes, and its spec without
/// kernels; null after an error.
static mlir::OwningOpRef<mlir::ModuleOp>
emitHebbModule(mlir::MLIRContext &context, Sema &sema, const NetworkPlan &plan,
               const CompilerOptions &options, rt::NetworkSpec &spec,
               CompileTimings &timings) {
  loadHebbDialects(context);
  MLIRDiagnostics bridge(context, sema);
  CodeGenOptions cg;
  cg.useF64 = options.useF64;
  cg.proceduralSynapses = options.proceduralSynapses;
  auto phase = Clock::now();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitNetwork(context, sema, plan, cg);
  if (!module)
    return nullptr;
  timings.mlirGen = secondsSince(phase);
  if (!runPassPipeline(*module, options.initConstantsAsParams
                                    ? kHebbPipeline
                                    : kHebbPipelineKeepingConstants))
    return nullptr;
  spec = describeNetwork(*module, plan);
  return module;
}

/// Lowers a module of emitHebbModule to the LLVM dialect, attaching its
/// kernels to `spec`; with `merged`, kernels that are the same code are
/// merged (`merged` maps each one dropped to the one kept).
static bool lowerHebbModule(mlir::ModuleOp module, Sema &sema,
                            rt::NetworkSpec &spec,
                            llvm::StringMap<std::string> *merged) {
  MLIRDiagnostics bridge(*module.getContext(), sema);
  if (!merged) {
    if (!runPassPipeline(module, kLowerPipeline))
      return false;
    attachKernels(module, spec);
  } else {
    // Copies merged before they are canonicalised, which takes most of the
    // time of a network of many instances of few models; merged again
    // after, where canonicalisation made two the same.
    if (!runPassPipeline(module, "hebb-lower-to-loops"))
      return false;
    attachKernels(module, spec);
    *merged = mergeIdenticalKernels(module);
    if (!runPassPipeline(module, "canonicalize,cse"))
      return false;
    llvm::StringMap<std::string> later = mergeIdenticalKernels(module);
    for (auto &[name, kept] : *merged)
      if (auto it = later.find(kept); it != later.end())
        kept = it->second;
    for (auto &[name, kept] : later)
      (*merged)[name] = kept;
  }
  return lowerLoopsToLLVM(module);
}

mlir::OwningOpRef<mlir::ModuleOp>
hebb::lowerNetwork(mlir::MLIRContext &context, Sema &sema,
                   const NetworkPlan &plan, const CompilerOptions &options,
                   rt::NetworkSpec &spec, CompileTimings &timings,
                   llvm::StringMap<std::string> *merged) {
  auto phase = Clock::now();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitHebbModule(context, sema, plan, options, spec, timings);
  if (!module || !lowerHebbModule(*module, sema, spec, merged))
    return nullptr;
  timings.passes = secondsSince(phase) - timings.mlirGen;
  return module;
}

/// Gives the instances of `to` the kernels of those of `from` of the same
/// name, with what attaching them says (a spike condition).
static void copyKernels(const rt::NetworkSpec &from, rt::NetworkSpec &to) {
  auto sameName = [](auto &into, const auto &of, auto copy) {
    for (auto &p : into)
      for (const auto &q : of)
        if (q.name == p.name)
          copy(p, q);
  };
  sameName(to.populations, from.populations,
           [](rt::PopulationSpec &p, const rt::PopulationSpec &q) {
             p.init = q.init;
             p.step = q.step;
             p.onEnd = q.onEnd;
             p.spiking = q.spiking;
           });
  sameName(to.projections, from.projections,
           [](rt::ProjectionSpec &p, const rt::ProjectionSpec &q) {
             p.init = q.init;
             p.learn = q.learn;
             p.onPre = q.onPre;
             p.onPost = q.onPost;
             p.transmit = q.transmit;
             p.beforeTransmit = q.beforeTransmit;
             p.beforeOnPre = q.beforeOnPre;
             p.beforeOnPost = q.beforeOnPost;
             p.learnTransmit = q.learnTransmit;
             p.onEnd = q.onEnd;
             p.delayRange = q.delayRange;
           });
}

/// What a re-run of an unchanged network needs instead of lowering it: the
/// key of its object, the kernels merged into others, and the kernels of
/// its spec. Kept in the cache under the key of its hebb module.
namespace {
struct CacheNote {
  std::string objectKey;
  llvm::StringMap<std::string> aliases;
  rt::NetworkSpec kernels;

  static constexpr const char *kHeader = "hebb kernel note 1";

  std::string write() const {
    std::string text = std::string(kHeader) + "\n" + objectKey + "\n" +
                       std::to_string(aliases.size()) + "\n";
    for (const auto &entry : aliases)
      text += entry.getKey().str() + " " + entry.getValue() + "\n";
    return text + rt::specToJson(kernels);
  }

  static std::optional<CacheNote> read(llvm::StringRef text) {
    CacheNote note;
    auto line = [&]() {
      auto [first, rest] = text.split('\n');
      text = rest;
      return first;
    };
    size_t count = 0;
    if (line() != kHeader)
      return std::nullopt;
    note.objectKey = line().str();
    if (line().getAsInteger(10, count))
      return std::nullopt;
    for (size_t n = 0; n < count; ++n) {
      auto [name, kept] = line().split(' ');
      if (name.empty() || kept.empty())
        return std::nullopt;
      note.aliases[name] = kept.str();
    }
    try {
      note.kernels = rt::specFromJson(text.str());
    } catch (const std::exception &) {
      return std::nullopt;
    }
    return note;
  }
};
} // namespace

std::unique_ptr<CompiledNetwork>
hebb::compileNetwork(Sema &sema, const NetworkPlan &plan,
                     const CompilerOptions &options) {
  auto start = Clock::now();
  auto result = std::make_unique<CompiledNetwork>();
  result->impl = std::make_unique<CompiledNetwork::Impl>();
  llvm::StringMap<std::string> alias;
  auto phase = Clock::now();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitHebbModule(result->impl->context, sema, plan, options, result->spec,
                     result->timings);
  if (!module)
    return nullptr;
  MLIRDiagnostics bridge(result->impl->context, sema);
  std::unique_ptr<llvm::TargetMachine> tm =
      jitTargetMachine(options.optLevel, sema);
  if (!tm)
    return nullptr;
  // Binds every kernel of the spec to its entry in a JIT, counting them in
  // `bound`; false (with `why` set) if one is missing.
  using Lookup =
      std::function<llvm::Expected<void (*)(void **)>(llvm::StringRef)>;
  size_t bound = 0;
  auto bindAll = [&](const Lookup &lookup, std::string &why) {
    bound = 0;
    auto bindOne = [&](rt::KernelSpec &k) {
      if (!why.empty())
        return;
      ++bound;
      auto same = alias.find(k.symbol);
      auto entry = lookup(same == alias.end() ? k.symbol : same->second);
      if (!entry) {
        why = "kernel '" + k.symbol +
              "' is missing: " + llvm::toString(entry.takeError());
        return;
      }
      k.entry = *entry;
    };
    for (rt::PopulationSpec &p : result->spec.populations)
      p.forEachKernel(bindOne);
    for (rt::ProjectionSpec &p : result->spec.projections)
      p.forEachKernel(bindOne);
    return why.empty();
  };
  std::optional<KernelCache> cache;
  std::string key, noteKey;
  // Binds the spec's kernels to `jit`'s; false (and no jit kept) where it
  // is null or lacks one.
  auto bindCached = [&](std::unique_ptr<llvm::orc::LLJIT> jit) {
    if (!(result->impl->cached = std::move(jit)))
      return false;
    std::string why;
    if (bindAll(
            [&](llvm::StringRef name) {
              return lookupPacked(*result->impl->cached, name);
            },
            why))
      return true;
    result->impl->cached.reset();
    return false;
  };
  auto fromCache = [&]() {
    result->timings.fromCache = true;
    result->timings.llvm = secondsSince(phase);
    result->timings.total = secondsSince(start);
  };
  if (options.useCache && (cache = KernelCache::open())) {
    // A network compiled before, unchanged, skips its lowering (0.2 s for
    // the microcircuit's 126 kernels): the note under its hebb module's
    // key names the object and holds the kernels. A module changed only in
    // what lowering reads at run time (parameters) lowers to an object
    // kept before.
    noteKey = KernelCache::key(printed(*module), *tm, options.optLevel);
    if (std::optional<std::string> text = cache->loadNote(noteKey))
      if (std::optional<CacheNote> note = CacheNote::read(*text)) {
        rt::NetworkSpec bare = result->spec;
        copyKernels(note->kernels, result->spec);
        alias = std::move(note->aliases);
        if (bindCached(cache->load(note->objectKey))) {
          fromCache();
          return result;
        }
        result->spec = std::move(bare);
        alias.clear();
      }
  }
  if (!lowerHebbModule(*module, sema, result->spec, &alias))
    return nullptr;
  result->timings.passes = secondsSince(phase) - result->timings.mlirGen;
  phase = Clock::now();
  auto keepNote = [&]() {
    CacheNote note{key, alias, result->spec};
    cache->storeNote(noteKey, note.write());
  };
  if (cache) {
    key = KernelCache::key(printed(*module), *tm, options.optLevel);
    // An object that does not load is compiled again and replaced.
    if (bindCached(cache->load(key))) {
      keepNote();
      fromCache();
      return result;
    }
  }
  result->impl->engine =
      jitCompile(*module, options.optLevel, sema, result->impl->transformer,
                 *tm, /*keepObject=*/cache.has_value());
  if (!result->impl->engine)
    return nullptr;
  std::string why;
  if (!bindAll(
          [&](llvm::StringRef name) {
            return result->impl->engine->lookupPacked(name);
          },
          why)) {
    sema.diagnostics().errorNoLoc(why);
    return nullptr;
  }
  if (cache && bound > 0) {
    // Every kernel is bound, so the module has been compiled.
    std::string object = cache->temporaryPath();
    result->impl->engine->dumpToObjectFile(object);
    cache->store(key, object);
    keepNote();
  }
  result->timings.llvm = secondsSince(phase);
  result->timings.total = secondsSince(start);
  return result;
}

//===----------------------------------------------------------------------===//
// Incremental compilation (hebb repl)
//===----------------------------------------------------------------------===//

namespace {
/// The kernels of one population or projection, JIT-compiled on their own.
struct CompiledUnit {
  std::function<llvm::Error(llvm::Module *)> transformer;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// (kind, kernel) in the module's order, which is the learning order.
  std::vector<std::pair<std::string, rt::KernelSpec>> kernels;
};

/// A module holding instance `op` alone, with the populations a projection
/// reads reduced to their fields and parameters (their kernels are compiled
/// with them, not here).
mlir::OwningOpRef<mlir::ModuleOp> unitModule(mlir::ModuleOp network,
                                             mlir::Operation *op) {
  mlir::OpBuilder b(network.getContext());
  mlir::OwningOpRef<mlir::ModuleOp> unit =
      mlir::ModuleOp::create(network.getLoc());
  unit.get()->setAttrs(network->getAttrs());
  b.setInsertionPointToEnd(unit->getBody());
  if (auto proj = mlir::dyn_cast<mlir::hebb::ProjectionOp>(op)) {
    std::set<llvm::StringRef> sides = {proj.getPre(), proj.getPost()};
    for (llvm::StringRef side : sides) {
      auto pop = network.lookupSymbol<mlir::hebb::PopulationOp>(side);
      if (!pop)
        continue;
      auto clone = mlir::cast<mlir::hebb::PopulationOp>(b.clone(*pop));
      for (mlir::Operation &inner :
           llvm::make_early_inc_range(clone.getBody().front()))
        if (!mlir::isa<mlir::hebb::FieldOp, mlir::hebb::ParamOp>(inner))
          inner.erase();
    }
  }
  b.clone(*op);
  return unit;
}

/// Lowers a unit module to loops and keeps only instance `name`'s kernels
/// (the side populations' are compiled with them).
bool lowerUnit(mlir::ModuleOp unit, llvm::StringRef name) {
  if (!runPassPipeline(unit, kLowerPipeline))
    return false;
  for (auto func : llvm::make_early_inc_range(
           unit.getBody()->getOps<mlir::func::FuncOp>())) {
    auto instance = func->getAttrOfType<mlir::StringAttr>("hebb.instance");
    if (instance && instance.getValue() != name)
      func.erase();
  }
  return true;
}

} // namespace

struct IncrementalCompiler::Impl {
  CompilerOptions options;
  mlir::MLIRContext context;
  std::map<std::string, std::unique_ptr<CompiledUnit>> units; // by key

  /// The network's hebb module after the hebb passes; null on error.
  mlir::OwningOpRef<mlir::ModuleOp> hebbModule(Sema &sema,
                                               const NetworkPlan &plan) {
    CodeGenOptions cg;
    cg.useF64 = options.useF64;
    cg.proceduralSynapses = options.proceduralSynapses;
    cg.proceduralSynapses = options.proceduralSynapses;
    mlir::OwningOpRef<mlir::ModuleOp> module =
        emitNetwork(context, sema, plan, cg);
    if (!module || !runPassPipeline(*module, kHebbPipeline))
      return nullptr;
    return module;
  }

  /// The key of an instance: its unit module's text, and how it is compiled.
  std::string keyOf(mlir::ModuleOp unit) {
    return std::to_string(options.optLevel) + (options.useF64 ? "d" : "f") +
           printed(unit);
  }

  CompiledUnit *compileUnit(Sema &sema, mlir::ModuleOp unit,
                            llvm::StringRef name) {
    if (!lowerUnit(unit, name))
      return nullptr;
    auto result = std::make_unique<CompiledUnit>();
    for (auto func : unit.getBody()->getOps<mlir::func::FuncOp>()) {
      std::string instance, kind;
      rt::KernelSpec k;
      if (kernelOf(func, instance, kind, k))
        result->kernels.emplace_back(kind, k);
    }
    if (!lowerLoopsToLLVM(unit))
      return nullptr;
    std::unique_ptr<llvm::TargetMachine> tm =
        jitTargetMachine(options.optLevel, sema);
    if (!tm)
      return nullptr;
    result->engine = jitCompile(unit, options.optLevel, sema,
                                result->transformer, *tm, /*keepObject=*/false);
    if (!result->engine)
      return nullptr;
    for (auto &[kind, k] : result->kernels) {
      auto entry = result->engine->lookupPacked(k.symbol);
      if (!entry) {
        sema.diagnostics().errorNoLoc("kernel '" + k.symbol + "' is missing: " +
                                      llvm::toString(entry.takeError()));
        return nullptr;
      }
      k.entry = *entry;
    }
    return result.release();
  }
};

IncrementalCompiler::IncrementalCompiler(const CompilerOptions &options)
    : impl(std::make_unique<Impl>()) {
  impl->options = options;
  loadHebbDialects(impl->context);
}

IncrementalCompiler::~IncrementalCompiler() = default;

std::optional<rt::NetworkSpec>
IncrementalCompiler::compile(Sema &sema, const NetworkPlan &plan,
                             Stats &stats) {
  auto start = Clock::now();
  stats = Stats();
  MLIRDiagnostics bridge(impl->context, sema);
  mlir::OwningOpRef<mlir::ModuleOp> module = impl->hebbModule(sema, plan);
  if (!module)
    return std::nullopt;
  rt::NetworkSpec spec = describeNetwork(*module, plan);
  for (mlir::Operation &op : *module->getBody()) {
    if (!mlir::isa<mlir::hebb::PopulationOp, mlir::hebb::ProjectionOp>(op))
      continue;
    llvm::StringRef name = mlir::SymbolTable::getSymbolName(&op).getValue();
    mlir::OwningOpRef<mlir::ModuleOp> unit = unitModule(*module, &op);
    std::string key = impl->keyOf(*unit);
    auto it = impl->units.find(key);
    if (it == impl->units.end()) {
      CompiledUnit *compiled = impl->compileUnit(sema, *unit, name);
      if (!compiled)
        return std::nullopt;
      it = impl->units.emplace(key, std::unique_ptr<CompiledUnit>(compiled))
               .first;
      stats.compiled.push_back(name.str());
    } else {
      ++stats.reused;
    }
    for (const auto &[kind, k] : it->second->kernels)
      attachKernel(spec, name, kind, k);
  }
  stats.seconds = secondsSince(start);
  return spec;
}

bool IncrementalCompiler::emit(Sema &sema, const NetworkPlan &plan,
                               EmitStage stage, const std::string &name,
                               std::ostream &out) {
  MLIRDiagnostics bridge(impl->context, sema);
  mlir::OwningOpRef<mlir::ModuleOp> module = impl->hebbModule(sema, plan);
  if (!module)
    return false;
  mlir::Operation *op = module->lookupSymbol(name);
  if (!op ||
      !mlir::isa<mlir::hebb::PopulationOp, mlir::hebb::ProjectionOp>(op)) {
    sema.diagnostics().errorNoLoc("no population or projection '" + name + "'");
    return false;
  }
  if (stage == EmitStage::Hebb) {
    out << printed(op) << "\n";
    return true;
  }
  mlir::OwningOpRef<mlir::ModuleOp> unit = unitModule(*module, op);
  if (!lowerUnit(*unit, name))
    return false;
  if (stage == EmitStage::MLIR) {
    out << printed(*unit) << "\n";
    return true;
  }
  if (!lowerLoopsToLLVM(*unit))
    return false;
  std::string error;
  if (!emitFromLLVMDialect(*unit, stage, impl->options.optLevel, out, error)) {
    sema.diagnostics().errorNoLoc(error);
    return false;
  }
  return true;
}
