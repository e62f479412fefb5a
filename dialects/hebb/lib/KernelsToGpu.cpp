//===- KernelsToGpu.cpp - The network's kernels as GPU kernels ------------===//
//
// Each host kernel of hebb-lower-to-loops becomes a gpu.func: the loop over
// its elements is spread over GPU threads where the elements are
// independent, and adds into neurons become atomic.
//
//===----------------------------------------------------------------------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBKERNELSTOGPU
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
/// Whether `op` or an op inside it writes memory.
bool writes(Operation *op) {
  WalkResult result = op->walk([](Operation *inner) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
    if ((effects && effects.hasEffect<MemoryEffects::Write>()) ||
        (!effects && !inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
         !isPure(inner)))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// The loop over the kernel's elements, if every thread may run what is
/// around it: an scf.for from the first to the second argument, directly in
/// the body, the last op before the return, after ops that only read.
scf::ForOp elementLoop(gpu::GPUFuncOp kernel) {
  Block &entry = kernel.getBody().front();
  for (auto loop : entry.getOps<scf::ForOp>()) {
    if (loop.getLowerBound() != entry.getArgument(0) ||
        loop.getUpperBound() != entry.getArgument(1) ||
        loop.getNumResults() != 0 ||
        loop->getNextNode() != entry.getTerminator())
      continue;
    for (Operation &op : entry) {
      if (&op == loop.getOperation())
        return loop;
      if (writes(&op))
        return {};
    }
  }
  return {};
}

/// `store (load m[i]) + x, m[i]` marked hebb.accumulate, as one atomic add.
void makeAtomic(memref::StoreOp store) {
  auto add = store.getValue().getDefiningOp<arith::AddFOp>();
  auto old = add ? add.getLhs().getDefiningOp<memref::LoadOp>() : nullptr;
  if (!old || old.getMemRef() != store.getMemRef() ||
      old.getIndices() != store.getIndices())
    return;
  OpBuilder b(store);
  memref::AtomicRMWOp::create(b, store.getLoc(), arith::AtomicRMWKind::addf,
                              add.getRhs(), store.getMemRef(),
                              store.getIndices());
  store.erase();
  if (add->use_empty())
    add.erase();
  if (old->use_empty())
    old.erase();
}

/// Runs each iteration of `loop` on its own thread.
void spreadOverThreads(scf::ForOp loop) {
  OpBuilder b(loop);
  Location l = loop.getLoc();
  Value offset = arith::AddIOp::create(
      b, l,
      arith::MulIOp::create(b, l,
                            gpu::BlockIdOp::create(b, l, gpu::Dimension::x),
                            gpu::BlockDimOp::create(b, l, gpu::Dimension::x)),
      gpu::ThreadIdOp::create(b, l, gpu::Dimension::x));
  Value element = arith::AddIOp::create(b, l, loop.getLowerBound(), offset);
  Value inRange = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                        element, loop.getUpperBound());
  auto guard = scf::IfOp::create(b, l, inRange, /*withElseRegion=*/false);
  Block *body = loop.getBody();
  body->getTerminator()->erase();
  IRRewriter rewriter(loop.getContext());
  rewriter.inlineBlockBefore(body, guard.thenBlock()->getTerminator(),
                             ValueRange{element});
  loop.erase();
}

/// Runs the whole kernel on the first thread of the first block.
void runOnOneThread(gpu::GPUFuncOp kernel) {
  Block &entry = kernel.getBody().front();
  Operation *ret = entry.getTerminator();
  OpBuilder b(ret);
  Location l = kernel.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  auto first = [&](Value id) {
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, id, zero);
  };
  Value isFirst = arith::AndIOp::create(
      b, l, first(gpu::ThreadIdOp::create(b, l, gpu::Dimension::x)),
      first(gpu::BlockIdOp::create(b, l, gpu::Dimension::x)));
  auto guard = scf::IfOp::create(b, l, isFirst, /*withElseRegion=*/false);
  // Everything before the guard's condition moves inside it.
  Operation *yield = guard.thenBlock()->getTerminator();
  SmallVector<Operation *> body;
  for (Operation &op : entry) {
    if (&op == zero.getDefiningOp())
      break;
    body.push_back(&op);
  }
  for (Operation *op : body)
    op->moveBefore(yield);
}

/// `<population>__compact_spikes`: the indices of the neurons of [begin,
/// end) whose `spiked` is set, appended to `spike_list` at the slots an
/// atomic counter `spike_count[0]` hands out (in no fixed order).
void addSpikeCompaction(OpBuilder &b, gpu::GPUFuncOp step) {
  MLIRContext *ctx = b.getContext();
  Location l = step.getLoc();
  Type index = b.getIndexType();
  auto buffer = [&](Type element) {
    return MemRefType::get({ShapedType::kDynamic}, element);
  };
  auto type =
      b.getFunctionType({index, index, buffer(b.getI8Type()),
                         buffer(b.getI32Type()), buffer(b.getI32Type())},
                        {});
  std::string instance =
      step->getAttrOfType<StringAttr>("hebb.instance").getValue().str();
  auto kernel =
      gpu::GPUFuncOp::create(b, l, instance + "__compact_spikes", type);
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
  kernel->setAttr("hebb.instance", step->getAttr("hebb.instance"));
  kernel->setAttr("hebb.kind", StringAttr::get(ctx, "compact_spikes"));
  kernel->setAttr("hebb.domain", StringAttr::get(ctx, "neurons"));
  kernel->setAttr("hebb.buffers",
                  b.getStrArrayAttr({"spiked", "spike_count", "spike_list"}));
  kernel->setAttr("hebb.gpu_threads", StringAttr::get(ctx, "elements"));
  Block &entry = kernel.getBody().front();
  OpBuilder kb = OpBuilder::atBlockEnd(&entry);
  Value one = arith::ConstantIndexOp::create(kb, l, 1);
  auto loop = scf::ForOp::create(kb, l, entry.getArgument(0),
                                 entry.getArgument(1), one);
  gpu::ReturnOp::create(kb, l);
  kb.setInsertionPoint(loop.getBody()->getTerminator());
  Value i = loop.getInductionVar();
  Value spiked = memref::LoadOp::create(kb, l, entry.getArgument(2), i);
  Value zero8 = arith::ConstantIntOp::create(kb, l, 0, 8);
  Value fired =
      arith::CmpIOp::create(kb, l, arith::CmpIPredicate::ne, spiked, zero8);
  auto ifFired = scf::IfOp::create(kb, l, fired, /*withElseRegion=*/false);
  kb.setInsertionPoint(ifFired.thenBlock()->getTerminator());
  Value zero = arith::ConstantIndexOp::create(kb, l, 0);
  Value slot32 =
      memref::AtomicRMWOp::create(kb, l, arith::AtomicRMWKind::addi,
                                  arith::ConstantIntOp::create(kb, l, 1, 32),
                                  entry.getArgument(3), ValueRange{zero});
  Value slot = arith::IndexCastUIOp::create(kb, l, index, slot32);
  memref::StoreOp::create(
      kb, l, arith::IndexCastUIOp::create(kb, l, b.getI32Type(), i),
      entry.getArgument(4), slot);
  spreadOverThreads(loop);
}

struct KernelsToGpuPass
    : public hebb::impl::HebbKernelsToGpuBase<KernelsToGpuPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<func::FuncOp> kernels;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr("hebb.kind") && !func.isExternal())
        kernels.push_back(func);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx));
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto gpuModule =
        gpu::GPUModuleOp::create(b, module.getLoc(), "hebb_kernels");
    b.setInsertionPointToStart(gpuModule.getBody());
    for (func::FuncOp func : kernels) {
      auto kernel = gpu::GPUFuncOp::create(b, func.getLoc(), func.getName(),
                                           func.getFunctionType());
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      UnitAttr::get(ctx));
      for (NamedAttribute attr : func->getDiscardableAttrs())
        kernel->setAttr(attr.getName(), attr.getValue());
      // The body: the function's, its return a gpu.return.
      kernel.getBody().front().erase();
      kernel.getBody().takeBody(func.getBody());
      Operation *ret = kernel.getBody().front().getTerminator();
      OpBuilder rb(ret);
      gpu::ReturnOp::create(rb, ret->getLoc());
      ret->erase();
      func.erase();

      kernel.walk([](memref::PrefetchOp op) { op.erase(); });
      scf::ForOp loop = elementLoop(kernel);
      bool spread = loop && kernel->hasAttr("hebb.gpu_parallel");
      if (spread) {
        SmallVector<memref::StoreOp> adds;
        kernel.walk([&](memref::StoreOp store) {
          if (store->hasAttr("hebb.accumulate"))
            adds.push_back(store);
        });
        for (memref::StoreOp store : adds)
          makeAtomic(store);
        spreadOverThreads(loop);
      } else {
        runOnOneThread(kernel);
      }
      kernel->setAttr("hebb.gpu_threads",
                      StringAttr::get(ctx, spread ? "elements" : "one"));
      // Spikes are listed on the device, for delivery and for the host.
      auto buffers = kernel->getAttrOfType<ArrayAttr>("hebb.buffers");
      auto kind = kernel->getAttrOfType<StringAttr>("hebb.kind");
      if (kind && kind.getValue() == "step" && buffers &&
          llvm::is_contained(buffers.getValue(), b.getStringAttr("spiked")))
        addSpikeCompaction(b, kernel);
    }
  }
};
} // namespace
