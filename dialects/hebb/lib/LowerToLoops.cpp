//===- LowerToLoops.cpp - Stages to kernels over buffers ------------------===//
//
// Every stage of a hebb.population or hebb.projection becomes a func.func
// that loops over its elements with scf.for and reads and writes fields as
// memref<?xT> buffers (structure of arrays). Control flow inside a stage
// (`if`, `reset`) is predicated: both sides are computed and stores select,
// so loop bodies stay branch-free and vectorise. The kernel signature is the
// runtime's kernel ABI (runtime/include/hebb/runtime/KernelABI.h); the
// `hebb.buffers` attribute of each kernel is its manifest.
//
//===----------------------------------------------------------------------===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <map>
#include <set>

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBLOWERTOLOOPS
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;
using namespace mlir::hebb;

namespace {

/// Where a stage's per-element ops find their element.
struct Element {
  Value self;    // index of element-scope fields (neuron or synapse)
  Value pre;     // presynaptic neuron, within the slice (projections)
  Value post;    // postsynaptic neuron, within the slice (projections)
  Value counter; // i32 element id for the random generator
  /// The stage's random stream, "<instance>.<stream>": the kernel reads its
  /// key from a buffer the runtime fills, so that instances of one model
  /// share their code. Empty: stream 0.
  std::string stream;
  bool preSnapshot = false; // pre.x reads the value transmitted this step
  /// rand() and poisson() take shared words (KernelBuilder::sharedWord).
  bool sharedDraws = false;
};

class KernelBuilder {
public:
  KernelBuilder(ModuleOp module, Operation *instance, StringRef kind,
                bool noAlias)
      : module(module), instance(instance), b(module.getContext()),
        l(instance->getLoc()), noAlias(noAlias) {
    StringRef name = SymbolTable::getSymbolName(instance).getValue();
    instanceName = name.str();
    b.setInsertionPointToEnd(module.getBody());
    auto indexTy = b.getIndexType();
    auto f64 = b.getF64Type();
    auto i64 = b.getI64Type();
    auto dyn = [&](Type t) {
      return MemRefType::get({ShapedType::kDynamic}, t);
    };
    SmallVector<Type> args = {indexTy, indexTy, i64,      f64,
                              f64,     i64,     dyn(f64), dyn(f64)};
    // A projection may have several stages of a kind (learning split
    // around sums over synapses): number the later ones.
    std::string symbol = (name + "__" + kind).str();
    for (int n = 1; module.lookupSymbol(symbol); ++n)
      symbol = (name + "__" + kind + "_" + Twine(n)).str();
    func = func::FuncOp::create(b, l, symbol, b.getFunctionType(args, {}));
    func->setAttr("hebb.instance", b.getStringAttr(name));
    func->setAttr("hebb.kind", b.getStringAttr(kind));
    // Every buffer is a different array: later stages may mark them noalias.
    if (noAlias)
      func->setAttr("hebb.distinct_buffers", b.getUnitAttr());
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    func::ReturnOp::create(b, l);
    b.setInsertionPointToStart(entry);
    begin = entry->getArgument(0);
    end = entry->getArgument(1);
    step = entry->getArgument(2);
    time = entry->getArgument(3);
    dt = entry->getArgument(4);
    seed = entry->getArgument(5);
    params = entry->getArgument(6);
    signals = entry->getArgument(7);
    // Parameters and signals are read-only and never overlap a field.
    func.setArgAttr(6, "llvm.noalias", b.getUnitAttr());
    func.setArgAttr(7, "llvm.noalias", b.getUnitAttr());
  }

  ~KernelBuilder() {
    SmallVector<Attribute> names;
    for (const std::string &n : bufferNames)
      names.push_back(b.getStringAttr(n));
    func->setAttr("hebb.buffers", b.getArrayAttr(names));
  }

  /// The buffer `name` (a manifest entry), added to the signature on first
  /// use.
  Value buffer(StringRef name, Type elementType) {
    auto it = bufferIndex.find(name);
    if (it != bufferIndex.end())
      return func.getArgument(it->second);
    unsigned index = func.getNumArguments();
    auto type = MemRefType::get({ShapedType::kDynamic}, elementType);
    (void)func.insertArgument(index, type, {}, l);
    if (noAlias)
      func.setArgAttr(index, "llvm.noalias", b.getUnitAttr());
    bufferIndex[name] = index;
    bufferNames.push_back(name.str());
    return func.getArgument(index);
  }

  /// Where `hebb.accumulate` adds: the postsynaptic field ("post:"), or
  /// the ring of inputs that arrive later ("ring:", delivery into a ring).
  StringRef accumulatePrefix = "post:";

  Value load(StringRef name, Type elementType, Value index) {
    return memref::LoadOp::create(b, l, buffer(name, elementType), index);
  }
  void store(StringRef name, Type elementType, Value value, Value index) {
    memref::StoreOp::create(b, l, value, buffer(name, elementType), index);
  }
  /// An i32 connectivity entry as an index.
  Value loadIndex(StringRef name, Value index) {
    Value v = load(name, b.getI32Type(), index);
    return arith::IndexCastUIOp::create(b, l, b.getIndexType(), v);
  }

  /// How row blocks find their synapses: row_bounds at r * stride + offset
  /// and `gap` further on, with row_layout = [stride, offset, gap]. CSR row
  /// pointers are [1, 0, 1]; rows in blocks of one delay, [1, 0, n_pre];
  /// a thread's part of rows split by postsynaptic ranges, whose bounds
  /// are kept side by side per pre, [parts + 1, part, 1].
  struct RowLayout {
    Value stride, offset, gap;
  };
  RowLayout rowLayout() {
    auto at = [&](int64_t i) {
      return loadIndex("row_layout", arith::ConstantIndexOp::create(b, l, i));
    };
    return {at(0), at(1), at(2)};
  }
  /// Where row block `r`'s bounds are in row_bounds: [begin, end).
  std::pair<Value, Value> rowBoundsAt(const RowLayout &layout, Value r) {
    Value begin = arith::AddIOp::create(
        b, l, arith::MulIOp::create(b, l, r, layout.stride), layout.offset);
    return {begin, arith::AddIOp::create(b, l, begin, layout.gap)};
  }
  std::pair<Value, Value> rowBounds(const RowLayout &layout, Value r) {
    auto [begin, end] = rowBoundsAt(layout, r);
    return {loadIndex("row_bounds", begin), loadIndex("row_bounds", end)};
  }

  /// Runs `body` inside `for i in [lo, hi)`, builder inside the loop.
  /// Philox4x32-10 of counter (counter, step low, step high, drawWord)
  /// and key (seed, stream's key).
  SmallVector<Value, 4> philoxBlock(Value counter, StringRef stream,
                                    uint32_t drawWord);
  /// Philox4x32-10 of a counter of four i64 words (the low 32 bits of
  /// each count) and key (seed, `key`).
  SmallVector<Value, 4> philoxRounds(SmallVector<Value, 4> ctr, Value key);
  /// The 32 random bits of draw `draw` for element e where four elements
  /// share a Philox block: word e % 4 of the block with counter (e / 4,
  /// step, 2^31 | draw). A neuron step computes the blocks of a chunk of
  /// elements ahead of its loop (a quarter of the work);
  /// `perElementDraws` computes each element's block itself (GPU threads).
  Value sharedWord(const Element &e, int32_t draw);
  static constexpr uint32_t kSharedDraw = 0x80000000u;
  /// Where the step loop's chunk keeps each (stream, draw)'s words, and
  /// the first element they are for.
  std::map<std::pair<std::string, int32_t>, Value> sharedWords;
  Value sharedFirst;
  bool perElementDraws = false;

  void loop(Value lo, Value hi, function_ref<void(Value)> body) {
    Value one = arith::ConstantIndexOp::create(b, l, 1);
    auto forOp = scf::ForOp::create(b, l, lo, hi, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }

  /// Lowers some ops of a stage's block, in order.
  LogicalResult lowerOps(ArrayRef<Operation *> ops, const Element &e) {
    for (Operation *op : ops)
      if (failed(lowerOp(*op, e, {})))
        return failure();
    return success();
  }

  /// Lowers the ops of a stage's block; returns what its yield yields.
  FailureOr<SmallVector<Value>> lowerBlock(Block &block, const Element &e,
                                           Value predicate) {
    SmallVector<Value> yielded;
    for (Operation &op : block) {
      if (auto yield = dyn_cast<YieldOp>(op)) {
        for (Value v : yield.getValues())
          yielded.push_back(mapping.lookupOrDefault(v));
        continue;
      }
      if (failed(lowerOp(op, e, predicate)))
        return failure();
    }
    return yielded;
  }

  OpBuilder &builder() { return b; }
  Location loc() { return l; }
  /// While set, `hebb.accumulate` into these post buffers adds into the
  /// values here instead of memory.
  void setAccumulators(llvm::StringMap<Value> *values) {
    accumulators = values;
  }
  /// The post fields a block adds into, by buffer name, with their types.
  SmallVector<std::pair<std::string, Type>> accumulatedFields(Block &block) {
    SmallVector<std::pair<std::string, Type>> out;
    Operation *post = neuronSide("post");
    block.walk([&](AccumulateOp acc) {
      std::string name = ("post:" + acc.getField()).str();
      Type ft = post ? fieldType(post, acc.getField()) : Type();
      if (ft && llvm::none_of(out, [&](auto &f) { return f.first == name; }))
        out.push_back({name, ft});
    });
    return out;
  }
  /// What [begin, end) ranges over: neurons, synapses, post_rows (dense),
  /// pre_neurons, post_neurons, projection or events.
  void setDomain(StringRef domain) {
    func->setAttr("hebb.domain", b.getStringAttr(domain));
  }
  /// Elements write only their own state: the runtime may split the domain
  /// across threads.
  void setParallel() { func->setAttr("hebb.parallel", b.getUnitAttr()); }
  /// Elements meet only in adds into neurons (`hebb.accumulate` stores,
  /// which a GPU makes atomic): each may run on its own GPU thread.
  void setGpuParallel() { func->setAttr("hebb.gpu_parallel", b.getUnitAttr()); }
  /// The scope of the instance's field `field`: element, pre, post or proj.
  StringRef fieldScope(StringRef field) {
    for (auto f : instance->getRegion(0).front().getOps<FieldOp>())
      if (f.getSymName() == field)
        return f.getScope();
    return "element";
  }
  Value begin, end, step, time, dt, seed, params, signals;
  /// While set, a synapse's own fields are values here, not memory: reads
  /// take them (zero if never set), writes replace them.
  llvm::StringMap<Value> *heldFields = nullptr;

  Value zero(Type t) {
    return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, 0.0));
  }
  /// A stack array of `n` values of type `t`, made at the kernel's entry.
  Value scratch(int64_t n, Type t) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&func.getBody().front());
    return memref::AllocaOp::create(b, l, MemRefType::get({n}, t));
  }
  void setAttr(StringRef name) { func->setAttr(name, b.getUnitAttr()); }

private:
  ModuleOp module;
  Operation *instance;
  std::string instanceName;
  OpBuilder b;
  Location l;
  bool noAlias;
  func::FuncOp func;
  llvm::StringMap<unsigned> bufferIndex;
  SmallVector<std::string> bufferNames;
  IRMapping mapping;
  llvm::StringMap<Value> *accumulators = nullptr;
  /// Parameters and signals loaded at the entry, by (array, index, type).
  llvm::DenseMap<std::tuple<Value, int64_t, Type>, Value> invariants;
  llvm::StringMap<Value> streamKeys;

  Type fieldType(Operation *owner, StringRef field) {
    Region &body = owner->getRegion(0);
    for (auto f : body.front().getOps<FieldOp>())
      if (f.getSymName() == field)
        return f.getType();
    return {};
  }
  /// Where `field` of this element is: the synapse's (or neuron's) index,
  /// its pre or post neuron's for @pre/@post state, 0 for @proj; null
  /// where the element has no such index.
  Value fieldIndex(StringRef field, const Element &e) {
    StringRef scope = fieldScope(field);
    if (scope == "proj")
      return arith::ConstantIndexOp::create(b, l, 0);
    return scope == "pre" ? e.pre : scope == "post" ? e.post : e.self;
  }

  Operation *neuronSide(StringRef side) {
    auto proj = cast<ProjectionOp>(instance);
    StringRef name = side == "pre" ? proj.getPre() : proj.getPost();
    return SymbolTable::lookupSymbolIn(module, name);
  }

  /// Entry `k` of the parameters or signals, as `t`, loaded once at the
  /// kernel's entry: neither changes during a call, and a value defined
  /// outside the element loop lets later passes hoist what depends on it
  /// (a division by a time constant becomes a multiplication).
  Value invariantLoad(Value array, int64_t k, Type t) {
    Value &cached = invariants[{array, k, t}];
    if (!cached) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&func.getBody().front());
      Value idx = arith::ConstantIndexOp::create(b, l, k);
      cached = toType(memref::LoadOp::create(b, l, array, idx), t);
    }
    return cached;
  }

public:
  /// The key of stream `name` of this instance, read once per call from
  /// the buffer "stream:<name>" (the runtime's streamId of
  /// "<instance>.<name>"); 0 for the unnamed stream.
  Value streamKey(StringRef name) {
    Type i64 = b.getI64Type();
    if (name.empty())
      return arith::ConstantOp::create(b, l, i64, b.getI64IntegerAttr(0));
    Value &cached = streamKeys[name];
    if (!cached) {
      OpBuilder::InsertionGuard guard(b);
      Value keys = buffer(("stream:" + name).str(), b.getI32Type());
      b.setInsertionPointToStart(&func.getBody().front());
      Value word = memref::LoadOp::create(
          b, l, keys, ValueRange{arith::ConstantIndexOp::create(b, l, 0)});
      cached = arith::ExtUIOp::create(b, l, i64, word);
    }
    return cached;
  }

  Value toType(Value v, Type t) {
    if (v.getType() == t)
      return v;
    if (cast<FloatType>(v.getType()).getWidth() > cast<FloatType>(t).getWidth())
      return arith::TruncFOp::create(b, l, t, v);
    return arith::ExtFOp::create(b, l, t, v);
  }

  Value indexToFloat(Value index, Type t) {
    Value i = arith::IndexCastUIOp::create(b, l, b.getI64Type(), index);
    return arith::UIToFPOp::create(b, l, t, i);
  }

private:
  LogicalResult lowerOp(Operation &op, const Element &e, Value predicate);
  Value philoxUniform(Value word, Type t);
  /// A standard normal from two Philox words (Box-Muller in f32, as the
  /// runtime's normalAt).
  Value philoxNormal(Value word0, Value word1);
  /// A Poisson count with mean `lambda` from one Philox block (PoissonOp).
  Value philoxPoisson(ArrayRef<Value> words, Value lambda);
  SmallVector<Value, 4> philox(const Element &e, int32_t draw);
};

SmallVector<Value, 4> KernelBuilder::philox(const Element &e, int32_t draw) {
  return philoxBlock(e.counter, e.stream, static_cast<uint32_t>(draw));
}

SmallVector<Value, 4>
KernelBuilder::philoxBlock(Value counter, StringRef stream, uint32_t drawWord) {
  Type i64 = b.getI64Type();
  auto c64 = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(b, l, i64,
                                     b.getI64IntegerAttr(int64_t(v)));
  };
  SmallVector<Value, 4> ctr = {
      arith::ExtUIOp::create(b, l, i64, counter),
      arith::AndIOp::create(b, l, step, c64(0xFFFFFFFFu)),
      arith::ShRUIOp::create(b, l, step, c64(32)), c64(drawWord)};
  return philoxRounds(ctr, streamKey(stream));
}

SmallVector<Value, 4> KernelBuilder::philoxRounds(SmallVector<Value, 4> ctr,
                                                  Value key) {
  // Philox-4x32-10 in 64-bit lanes: a 32 x 32 -> 64 product gives both
  // halves of a round's multiplication, and only the low 32 bits of a word
  // count until it is multiplied (masked there) or returned (truncated).
  // Mixing 32- and 64-bit lanes made LLVM convert between them every round.
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c64 = [&](uint64_t v) -> Value {
    return arith::ConstantOp::create(b, l, i64,
                                     b.getI64IntegerAttr(int64_t(v)));
  };
  Value low = c64(0xFFFFFFFFu), shift = c64(32);
  auto low32 = [&](Value v) -> Value {
    return arith::AndIOp::create(b, l, v, low);
  };
  Value k0 = seed, k1 = key;
  Value m0 = c64(0xD2511F53u), m1 = c64(0xCD9E8D57u);
  Value w0 = c64(0x9E3779B9u), w1 = c64(0xBB67AE85u);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(b, l, k0, w0);
      k1 = arith::AddIOp::create(b, l, k1, w1);
    }
    Value p0 = arith::MulIOp::create(b, l, m0, low32(ctr[0]));
    Value p1 = arith::MulIOp::create(b, l, m1, low32(ctr[2]));
    auto high = [&](Value p) { return arith::ShRUIOp::create(b, l, p, shift); };
    Value c0 = arith::XOrIOp::create(
        b, l, arith::XOrIOp::create(b, l, high(p1), ctr[1]), k0);
    Value c2 = arith::XOrIOp::create(
        b, l, arith::XOrIOp::create(b, l, high(p0), ctr[3]), k1);
    ctr = {c0, p1, c2, p0};
  }
  for (Value &word : ctr)
    word = arith::TruncIOp::create(b, l, i32, word);
  return ctr;
}

Value KernelBuilder::sharedWord(const Element &e, int32_t draw) {
  Type i32 = b.getI32Type();
  auto it = sharedWords.find({e.stream, draw});
  if (it != sharedWords.end() && !perElementDraws) {
    Value at = arith::SubIOp::create(b, l, e.self, sharedFirst);
    return memref::LoadOp::create(b, l, it->second, ValueRange{at});
  }
  auto c32 = [&](uint32_t v) -> Value {
    return arith::ConstantOp::create(b, l, i32,
                                     b.getI32IntegerAttr(int32_t(v)));
  };
  Value block = arith::ShRUIOp::create(b, l, e.counter, c32(2));
  SmallVector<Value, 4> w =
      philoxBlock(block, e.stream, kSharedDraw | uint32_t(draw));
  Value lane = arith::AndIOp::create(b, l, e.counter, c32(3));
  Value word = w[3];
  for (int j = 2; j >= 0; --j)
    word = arith::SelectOp::create(
        b, l,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, lane, c32(j)),
        w[j], word);
  return word;
}

Value KernelBuilder::philoxUniform(Value word, Type t) {
  Value shifted = arith::ShRUIOp::create(
      b, l, word, arith::ConstantOp::create(b, l, b.getI32IntegerAttr(8)));
  Value f = arith::UIToFPOp::create(b, l, b.getF32Type(), shifted);
  Value scale = arith::ConstantOp::create(
      b, l, b.getF32Type(), b.getF32FloatAttr(std::ldexp(1.0f, -24)));
  return toType(arith::MulFOp::create(b, l, f, scale), t);
}

Value KernelBuilder::philoxNormal(Value word0, Value word1) {
  Type f32 = b.getF32Type();
  auto c = [&](float v) {
    return arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(v));
  };
  Value u1 = arith::SubFOp::create(b, l, c(1), philoxUniform(word0, f32));
  Value u2 = philoxUniform(word1, f32);
  Value r = math::SqrtOp::create(
      b, l, arith::MulFOp::create(b, l, c(-2), math::LogOp::create(b, l, u1)));
  Value angle = arith::MulFOp::create(b, l, c(6.283185307179586f), u2);
  return arith::MulFOp::create(b, l, r, math::CosOp::create(b, l, angle));
}

Value KernelBuilder::philoxPoisson(ArrayRef<Value> words, Value lambda) {
  Type f32 = b.getF32Type();
  auto c = [&](float v) {
    return arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(v));
  };
  Value lam = toType(lambda, f32);
  // Above 6: the normal approximation, rounded and not negative; below,
  // inversion. Both sides are branch-free, so LLVM if-converts the branch
  // and the loop stays a vector loop. Where lambda is the same for every
  // element, hebb-unswitch-loops makes the choice once, before the loop.
  Value large =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, lam, c(6));
  auto branch = scf::IfOp::create(b, l, TypeRange{f32}, large,
                                  /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    Value z = philoxNormal(words[1], words[2]);
    Value spread =
        arith::MulFOp::create(b, l, math::SqrtOp::create(b, l, lam), z);
    Value rounded = math::FloorOp::create(
        b, l,
        arith::AddFOp::create(b, l, arith::AddFOp::create(b, l, lam, spread),
                              c(0.5f)));
    Value normal = arith::MaximumFOp::create(b, l, rounded, c(0));
    scf::YieldOp::create(b, l, ValueRange{normal});

    // The count is the number of k in 0..23 with u >= F(k), where F(k) =
    // P(X <= k) is summed term by term (loop-invariant where lambda is).
    // Counts above 24 have chance below 2^-24, the uniform's resolution,
    // for lambda <= 6; counts above 15, for lambda <= 2.5 (most background
    // rates per step), which skips the last 9 terms where hebb-unswitch-
    // loops can choose once. In f32 the sum can stop just below 1 (at
    // 0.9999999 for lambda = 1.6), and every u above it would count all
    // the terms: u is scaled by the last term's F instead, which only
    // F(k) = 1 (truncated there) can reach.
    b.setInsertionPointToStart(branch.elseBlock());
    constexpr int kTerms = 24, kFewTerms = 15;
    Value term = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, lam));
    SmallVector<Value> cdf = {term};
    for (int k = 1; k < kTerms; ++k) {
      term = arith::MulFOp::create(
          b, l, term, arith::MulFOp::create(b, l, lam, c(1.0f / float(k))));
      cdf.push_back(arith::AddFOp::create(b, l, cdf.back(), term));
    }
    Value more =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, lam, c(2.5f));
    Value total = arith::SelectOp::create(b, l, more, cdf[kTerms - 1],
                                          cdf[kFewTerms - 1]);
    Value u = arith::MulFOp::create(b, l, philoxUniform(words[0], f32), total);
    // Summed pairwise (exact: small integers), not in a chain of dependent
    // additions.
    auto count = [&](int from, int to) {
      SmallVector<Value> counts;
      for (int k = from; k < to; ++k) {
        Value above =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u, cdf[k]);
        counts.push_back(arith::SelectOp::create(b, l, above, c(1), c(0)));
      }
      while (counts.size() > 1) {
        SmallVector<Value> sums;
        for (size_t i = 0; i + 1 < counts.size(); i += 2)
          sums.push_back(arith::AddFOp::create(b, l, counts[i], counts[i + 1]));
        if (counts.size() % 2)
          sums.push_back(counts.back());
        counts = std::move(sums);
      }
      return counts.front();
    };
    Value few = count(0, kFewTerms);
    auto rest = scf::IfOp::create(b, l, TypeRange{f32}, more,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(rest.thenBlock());
      scf::YieldOp::create(b, l, ValueRange{count(kFewTerms, kTerms)});
      b.setInsertionPointToStart(rest.elseBlock());
      scf::YieldOp::create(b, l, ValueRange{c(0)});
    }
    scf::YieldOp::create(
        b, l, ValueRange{arith::AddFOp::create(b, l, few, rest.getResult(0))});
  }
  return branch.getResult(0);
}

LogicalResult KernelBuilder::lowerOp(Operation &op, const Element &e,
                                     Value predicate) {
  auto result = [&](Value v) { mapping.map(op.getResult(0), v); };
  if (auto get = dyn_cast<GetOp>(op)) {
    Type t = get.getType();
    StringRef field = get.getField();
    if (get.getScope() == "self") {
      Type ft = fieldType(instance, field);
      if (!ft)
        return get.emitOpError("reads unknown field '") << field << "'";
      if (heldFields && fieldScope(field) == "element") {
        auto it = heldFields->find(field);
        result(toType(it != heldFields->end() ? it->second : zero(ft), t));
        return success();
      }
      Value idx = fieldIndex(field, e);
      if (!idx)
        return get.emitOpError("reads per-synapse state '")
               << field << "' where there is no synapse";
      result(toType(load(("field:" + field).str(), ft, idx), t));
      return success();
    }
    Operation *side = neuronSide(get.getScope());
    Type ft = side ? fieldType(side, field) : Type();
    if (!ft)
      return get.emitOpError("reads unknown ")
             << get.getScope() << "synaptic field '" << field << "'";
    bool pre = get.getScope() == "pre";
    if (!(pre ? e.pre : e.post))
      return get.emitOpError("reads ")
             << get.getScope() << "synaptic state where there is no "
             << get.getScope() << "synaptic neuron";
    std::string name =
        (pre ? (e.preSnapshot ? "prev:" : "pre:") : std::string("post:")) +
        field.str();
    result(toType(load(name, ft, pre ? e.pre : e.post), t));
    return success();
  }
  if (auto set = dyn_cast<SetOp>(op)) {
    StringRef field = set.getField();
    Type ft = fieldType(instance, field);
    if (!ft)
      return set.emitOpError("writes unknown field '") << field << "'";
    if (heldFields && fieldScope(field) == "element") {
      Value v = toType(mapping.lookupOrDefault(set.getValue()), ft);
      auto it = heldFields->find(field);
      if (predicate)
        v = arith::SelectOp::create(b, l, predicate, v,
                                    it != heldFields->end() ? it->second
                                                            : zero(ft));
      (*heldFields)[field] = v;
      return success();
    }
    Value idx = fieldIndex(field, e);
    if (!idx)
      return set.emitOpError("writes per-synapse state '")
             << field << "' where there is no synapse";
    std::string name = ("field:" + field).str();
    Value v = toType(mapping.lookupOrDefault(set.getValue()), ft);
    if (predicate)
      v = arith::SelectOp::create(b, l, predicate, v, load(name, ft, idx));
    store(name, ft, v, idx);
    return success();
  }
  if (auto acc = dyn_cast<AccumulateOp>(op)) {
    Operation *post = neuronSide("post");
    StringRef field = acc.getField();
    Type ft = post ? fieldType(post, field) : Type();
    if (!ft)
      return acc.emitOpError("adds into unknown postsynaptic field '")
             << field << "'";
    if (!e.post)
      return acc.emitOpError("adds into a postsynaptic neuron where there is "
                             "none");
    std::string name = (accumulatePrefix + field).str();
    Value v = toType(mapping.lookupOrDefault(acc.getValue()), ft);
    if (predicate) {
      Value zero = arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, 0.0));
      v = arith::SelectOp::create(b, l, predicate, v, zero);
    }
    // Inside a loop over one postsynaptic neuron's synapses, sum in a
    // register; the order of the sum may change (so that it vectorises).
    if (accumulators) {
      auto it = accumulators->find(name);
      if (it != accumulators->end()) {
        it->second = arith::AddFOp::create(b, l, it->second, v,
                                           arith::FastMathFlags::reassoc);
        return success();
      }
    }
    Value old = load(name, ft, e.post);
    auto add = memref::StoreOp::create(
        b, l, arith::AddFOp::create(b, l, old, v), buffer(name, ft), e.post);
    add->setAttr("hebb.accumulate", b.getUnitAttr());
    return success();
  }
  if (auto param = dyn_cast<ParamGetOp>(op)) {
    int64_t k = 0;
    bool found = false;
    for (auto p : instance->getRegion(0).front().getOps<ParamOp>()) {
      if (p.getSymName() == param.getParam()) {
        found = true;
        break;
      }
      ++k;
    }
    if (!found)
      return param.emitOpError("reads unknown parameter");
    result(invariantLoad(params, k, param.getType()));
    return success();
  }
  if (auto signal = dyn_cast<SignalOp>(op)) {
    auto names = module->getAttrOfType<ArrayAttr>("hebb.signals");
    int64_t k = -1;
    if (names)
      for (auto [i, n] : llvm::enumerate(names))
        if (cast<StringAttr>(n).getValue() == signal.getName())
          k = i;
    if (k < 0)
      return signal.emitOpError("reads undeclared signal '")
             << signal.getName() << "'";
    result(invariantLoad(signals, k, signal.getType()));
    return success();
  }
  if (auto rand = dyn_cast<RandOp>(op)) {
    Type t = rand.getType();
    if (rand.getDistribution() == "uniform") {
      result(philoxUniform(e.sharedDraws ? sharedWord(e, rand.getDraw())
                                         : philox(e, rand.getDraw())[0],
                           t));
      return success();
    }
    SmallVector<Value, 4> w = philox(e, rand.getDraw());
    result(toType(philoxNormal(w[0], w[1]), t));
    return success();
  }
  if (auto poisson = dyn_cast<PoissonOp>(op)) {
    // Inversion takes one word (shared by four elements in a neuron
    // step); the normal approximation, above lambda = 6, two of the
    // element's own block.
    SmallVector<Value, 4> w = philox(e, poisson.getDraw());
    if (e.sharedDraws)
      w[0] = sharedWord(e, poisson.getDraw());
    Value lambda = mapping.lookupOrDefault(poisson.getLambda());
    result(toType(philoxPoisson(w, lambda), poisson.getType()));
    return success();
  }
  if (isa<TimeOp>(op)) {
    result(time);
    return success();
  }
  if (auto d = dyn_cast<DtOp>(op)) {
    result(toType(dt, d.getType()));
    return success();
  }
  if (auto index = dyn_cast<IndexOp>(op)) {
    Value which = index.getScope() == "pre"    ? e.pre
                  : index.getScope() == "post" ? e.post
                                               : e.self;
    if (!which)
      return index.emitOpError("has no such element here");
    result(indexToFloat(which, index.getType()));
    return success();
  }
  if (auto size = dyn_cast<SizeOp>(op)) {
    auto pop = dyn_cast<PopulationOp>(instance);
    if (!pop)
      return size.emitOpError("N is defined for populations only");
    result(arith::ConstantOp::create(
        b, l, size.getType(),
        b.getFloatAttr(size.getType(), static_cast<double>(pop.getSize()))));
    return success();
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    if (ifOp.getNumResults() != 0)
      return ifOp.emitOpError("with results is not expected in a stage");
    Value cond = mapping.lookupOrDefault(ifOp.getCondition());
    Value thenPred =
        predicate ? arith::AndIOp::create(b, l, predicate, cond).getResult()
                  : cond;
    if (failed(lowerBlock(ifOp.getThenRegion().front(), e, thenPred)))
      return failure();
    if (!ifOp.getElseRegion().empty()) {
      Value t =
          arith::ConstantOp::create(b, l, b.getI1Type(), b.getBoolAttr(true));
      Value notCond = arith::XOrIOp::create(b, l, cond, t);
      Value elsePred =
          predicate
              ? arith::AndIOp::create(b, l, predicate, notCond).getResult()
              : notCond;
      if (failed(lowerBlock(ifOp.getElseRegion().front(), e, elsePred)))
        return failure();
    }
    return success();
  }
  if (isa<scf::YieldOp>(op))
    return success();
  if (op.getDialect() && isa<HebbDialect>(op.getDialect()))
    return op.emitOpError("cannot be lowered inside a stage");
  b.clone(op, mapping);
  return success();
}

/// Finds the single stage op of type T in an instance, if any.
template <typename T> T findStage(Operation *instance) {
  for (Operation &op : instance->getRegion(0).front())
    if (auto s = dyn_cast<T>(op))
      return s;
  return nullptr;
}

/// The fields a stage writes (reset: to hold them while refractory).
SmallVector<StringRef> writtenFields(Region &region) {
  SmallVector<StringRef> fields;
  region.walk([&](SetOp set) {
    if (!llvm::is_contained(fields, set.getField()))
      fields.push_back(set.getField());
  });
  return fields;
}

LogicalResult lowerPopulation(ModuleOp module, PopulationOp pop,
                              bool perElementDraws) {
  auto counterOf = [](OpBuilder &b, Location l, Value i) -> Value {
    return arith::IndexCastUIOp::create(b, l, b.getI32Type(), i);
  };
  if (auto init = findStage<InitOp>(pop)) {
    KernelBuilder k(module, pop, "init", /*noAlias=*/true);
    k.setDomain("neurons");
    k.setGpuParallel();
    LogicalResult status = success();
    k.loop(k.begin, k.end, [&](Value i) {
      Element e{i, {}, {}, counterOf(k.builder(), k.loc(), i), "init"};
      if (failed(k.lowerBlock(init.getBody().front(), e, {})))
        status = failure();
    });
    if (failed(status))
      return failure();
  }
  for (auto onEnd : pop.getBody().front().getOps<OnEndOp>()) {
    std::string kind = ("on_end_" + onEnd.getPhase()).str();
    KernelBuilder k(module, pop, kind, /*noAlias=*/true);
    k.setDomain("neurons");
    k.setParallel();
    k.setGpuParallel();
    LogicalResult status = success();
    k.loop(k.begin, k.end, [&](Value i) {
      Element e{i, {}, {}, counterOf(k.builder(), k.loc(), i), kind};
      if (failed(k.lowerBlock(onEnd.getBody().front(), e, {})))
        status = failure();
    });
    if (failed(status))
      return failure();
  }
  auto stepStage = findStage<StepOp>(pop);
  auto spike = findStage<SpikeOp>(pop);
  auto reset = findStage<ResetOp>(pop);
  auto refractory = findStage<RefractoryOp>(pop);
  if (!stepStage && !spike)
    return success();
  KernelBuilder k(module, pop, "step", /*noAlias=*/true);
  k.setDomain("neurons");
  k.setParallel();
  k.setGpuParallel();
  k.perElementDraws = perElementDraws;
  OpBuilder &b = k.builder();
  Location l = k.loc();
  LogicalResult status = success();
  auto body = [&](Value i) {
    Element e{i, {}, {}, counterOf(b, l, i), ""};
    e.sharedDraws = true;
    // Refractoriness counts down whole steps, per neuron, in f32: no
    // absolute time in the loop (f64 there would halve its vector width).
    // After a spike in step n, step n + m is refractory while m dt < t_ref:
    // for K = ceil(t_ref / dt) - 1 steps, computed in f64 (loop-invariant
    // where t_ref is a parameter).
    Value refractoryNow, stepsLeft, refractorySteps;
    SmallVector<std::pair<StringRef, Value>> held;
    if (refractory && reset) {
      Type f32 = b.getF32Type(), f64 = b.getF64Type();
      e.stream = "refractory";
      auto yielded = k.lowerBlock(refractory.getBody().front(), e, {});
      if (failed(yielded) || yielded->size() != 1) {
        status = failure();
        return;
      }
      Value period = (*yielded)[0];
      if (!period.getType().isF64())
        period = arith::ExtFOp::create(b, l, f64, period);
      auto constant = [&](Type t, double v) -> Value {
        return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, v));
      };
      // Rounding must not add a step: t_ref arrives as f32 (2 ms is
      // 0.00200000009 s), and 20.0000009 steps are 20.
      Value ratio = arith::DivFOp::create(b, l, period, k.dt);
      Value slack = arith::MulFOp::create(
          b, l, constant(f64, 1e-6),
          arith::MaximumFOp::create(b, l, ratio, constant(f64, 1)));
      Value steps = arith::SubFOp::create(
          b, l,
          math::CeilOp::create(b, l, arith::SubFOp::create(b, l, ratio, slack)),
          constant(f64, 1));
      refractorySteps = arith::TruncFOp::create(b, l, f32, steps);
      Value left = k.load("refractory", f32, i);
      stepsLeft = arith::MaximumFOp::create(
          b, l, arith::SubFOp::create(b, l, left, constant(f32, 1)),
          constant(f32, -1));
      refractoryNow = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                            stepsLeft, constant(f32, 0));
      for (auto f : pop.getBody().front().getOps<FieldOp>())
        if (llvm::is_contained(writtenFields(reset.getBody()), f.getSymName()))
          held.push_back(
              {f.getSymName(),
               k.load(("field:" + f.getSymName()).str(), f.getType(), i)});
    }
    if (stepStage) {
      e.stream = "step";
      if (failed(k.lowerBlock(stepStage.getBody().front(), e, {}))) {
        status = failure();
        return;
      }
    }
    // Variables assigned in reset are held while refractory.
    for (auto [field, old] : held) {
      std::string buf = ("field:" + field).str();
      Type t = old.getType();
      Value now = k.load(buf, t, i);
      k.store(buf, t, arith::SelectOp::create(b, l, refractoryNow, old, now),
              i);
    }
    if (!spike)
      return;
    e.stream = "spike";
    auto cond = k.lowerBlock(spike.getBody().front(), e, {});
    if (failed(cond)) {
      status = failure();
      return;
    }
    Value fired = (*cond)[0];
    if (refractoryNow) {
      Value t =
          arith::ConstantOp::create(b, l, b.getI1Type(), b.getBoolAttr(true));
      fired = arith::AndIOp::create(
          b, l, fired, arith::XOrIOp::create(b, l, refractoryNow, t));
    }
    if (reset) {
      e.stream = "reset";
      if (failed(k.lowerBlock(reset.getBody().front(), e, fired))) {
        status = failure();
        return;
      }
    }
    if (stepsLeft)
      k.store("refractory", b.getF32Type(),
              arith::SelectOp::create(b, l, fired, refractorySteps, stepsLeft),
              i);
    Value flag = arith::ExtUIOp::create(b, l, b.getI8Type(), fired);
    k.store("spiked", b.getI8Type(), flag, i);
  };
  // The draws whose words four neurons share, by stream: their Philox
  // blocks are computed a chunk at a time ahead of the neuron loop.
  std::set<std::pair<std::string, int32_t>> draws;
  auto scan = [&](Operation *stage, StringRef stream) {
    if (!stage)
      return;
    stage->walk([&](Operation *op) {
      if (auto rand = dyn_cast<RandOp>(op)) {
        if (rand.getDistribution() == "uniform")
          draws.insert({stream.str(), rand.getDraw()});
      } else if (auto poisson = dyn_cast<PoissonOp>(op)) {
        draws.insert({stream.str(), poisson.getDraw()});
      }
    });
  };
  if (refractory && reset)
    scan(refractory, "refractory");
  scan(stepStage, "step");
  scan(spike, "spike");
  if (spike)
    scan(reset, "reset");
  if (draws.empty() || perElementDraws) {
    k.loop(k.begin, k.end, body);
    return status;
  }
  constexpr int64_t kChunk = 1024;
  for (const auto &draw : draws)
    k.sharedWords[draw] = k.scratch(kChunk + 8, k.builder().getI32Type());
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, l, v);
  };
  auto chunks = scf::ForOp::create(b, l, k.begin, k.end, index(kChunk));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(chunks.getBody()->getTerminator());
  Value first = chunks.getInductionVar();
  Value last = arith::MinUIOp::create(
      b, l, arith::AddIOp::create(b, l, first, index(kChunk)), k.end);
  Value firstBlock = arith::ShRUIOp::create(b, l, first, index(2));
  Value endBlock = arith::ShRUIOp::create(
      b, l, arith::AddIOp::create(b, l, last, index(3)), index(2));
  k.sharedFirst = arith::ShLIOp::create(b, l, firstBlock, index(2));
  for (const auto &[draw, words] : k.sharedWords) {
    k.loop(firstBlock, endBlock, [&](Value block) {
      SmallVector<Value, 4> w = k.philoxBlock(
          arith::IndexCastUIOp::create(b, l, b.getI32Type(), block), draw.first,
          KernelBuilder::kSharedDraw | uint32_t(draw.second));
      Value at = arith::ShLIOp::create(
          b, l, arith::SubIOp::create(b, l, block, firstBlock), index(2));
      for (int j = 0; j < 4; ++j)
        memref::StoreOp::create(
            b, l, w[j], words,
            ValueRange{arith::AddIOp::create(b, l, at, index(j))});
    });
  }
  k.loop(first, last, body);
  return status;
}

LogicalResult lowerProjection(ModuleOp module, ProjectionOp proj) {
  StringRef name = proj.getSymName();
  // A dense projection (every pre to every post) stores synapse
  // s = j * numPre + i, each postsynaptic neuron's synapses together (as a
  // weight matrix W[post][pre]): its kernels compute indices instead of
  // loading them, and a postsynaptic neuron's synapses are contiguous for
  // transmission, learning and `on post`.
  bool dense = proj.getDense();
  int64_t numPre = proj.getPreEnd() - proj.getPreBegin();
  int64_t numPost = proj.getPostEnd() - proj.getPostBegin();
  auto counterOf = [](OpBuilder &b, Location l, Value s) -> Value {
    return arith::IndexCastUIOp::create(b, l, b.getI32Type(), s);
  };
  // Tied weights belong to a projection that runs the other way: this
  // projection's synapse (i, j) is that one's (j, i).
  bool transposed = static_cast<bool>(proj.getTiedTo());
  auto denseIndex = [&](KernelBuilder &k, Value i, Value j) -> Value {
    OpBuilder &b = k.builder();
    Value n = arith::ConstantIndexOp::create(b, k.loc(),
                                             transposed ? numPost : numPre);
    if (transposed)
      std::swap(i, j);
    return arith::AddIOp::create(b, k.loc(),
                                 arith::MulIOp::create(b, k.loc(), j, n), i);
  };
  auto constantIndex = [](KernelBuilder &k, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(k.builder(), k.loc(), v);
  };
  // Whether a stage's ops reach its synapses' presynaptic and
  // postsynaptic neurons (their fields, indices, @pre and @post state, adds
  // into them).
  auto sidesReached = [](KernelBuilder &k, Region &region) {
    std::pair<bool, bool> sides{false, false};
    auto reach = [&](StringRef scope) {
      sides.first |= scope == "pre";
      sides.second |= scope == "post";
    };
    region.walk([&](Operation *op) {
      if (auto get = dyn_cast<GetOp>(op))
        reach(get.getScope() == "self" ? k.fieldScope(get.getField())
                                       : get.getScope());
      else if (auto set = dyn_cast<SetOp>(op))
        reach(k.fieldScope(set.getField()));
      else if (auto index = dyn_cast<IndexOp>(op))
        reach(index.getScope());
      else if (isa<AccumulateOp>(op))
        reach("post");
    });
    return sides;
  };
  // Calls body(s, i, j) for every synapse of the kernel's range: dense
  // kernels range over postsynaptic rows, CSR ones over synapse ids, whose
  // pre_index and post_index are read only where `sides` says the body
  // reaches that side (a billion synapses' worth is gigabytes).
  auto forEachSynapse = [&](KernelBuilder &k, std::pair<bool, bool> sides,
                            function_ref<void(Value, Value, Value)> body) {
    if (dense) {
      k.loop(k.begin, k.end, [&](Value j) {
        k.loop(constantIndex(k, 0), constantIndex(k, numPre),
               [&](Value i) { body(denseIndex(k, i, j), i, j); });
      });
      return;
    }
    k.loop(k.begin, k.end, [&](Value s) {
      body(s, sides.first ? k.loadIndex("pre_index", s) : Value(),
           sides.second ? k.loadIndex("post_index", s) : Value());
    });
  };
  // For each postsynaptic row j of a dense kernel: body(i, j) over its
  // presynaptic i, with the post fields it accumulates into (`sums`) carried
  // in registers, then finish(j, field, type, sum) once per field.
  auto forEachRowWithSums =
      [&](KernelBuilder &k, ArrayRef<std::pair<std::string, Type>> sums,
          function_ref<void(Value, Value)> body,
          function_ref<void(Value, StringRef, Type, Value)> finish) {
        k.loop(k.begin, k.end, [&](Value j) {
          OpBuilder &b = k.builder();
          SmallVector<Value> inits;
          for (auto &[field, type] : sums)
            inits.push_back(arith::ConstantOp::create(b, k.loc(), type,
                                                      b.getFloatAttr(type, 0)));
          auto inner = scf::ForOp::create(b, k.loc(), constantIndex(k, 0),
                                          constantIndex(k, numPre),
                                          constantIndex(k, 1), inits);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(inner.getBody());
            llvm::StringMap<Value> values;
            for (auto [n, field] : llvm::enumerate(sums))
              values[field.first] = inner.getRegionIterArgs()[n];
            k.setAccumulators(&values);
            body(inner.getInductionVar(), j);
            k.setAccumulators(nullptr);
            SmallVector<Value> next;
            for (auto &field : sums)
              next.push_back(values[field.first]);
            scf::YieldOp::create(b, k.loc(), next);
          }
          for (auto [n, field] : llvm::enumerate(sums))
            finish(j, field.first, field.second, inner.getResult(n));
        });
      };
  // Stages that run over all synapses: init, transmit, learn. CSR kernels
  // loop over synapse ids; dense ones over postsynaptic rows, then pres.
  auto overSynapses = [&](Region &region, StringRef kind,
                          bool preSnapshot) -> LogicalResult {
    KernelBuilder k(module, proj, kind, /*noAlias=*/false);
    k.setDomain(dense ? "post_rows" : "synapses");
    // Each synapse's initial values and learning depend on its own state
    // and its neurons' only.
    if (kind == "learn" || kind == "init")
      k.setParallel();
    // Transmission only adds into postsynaptic neurons.
    if (kind == "learn" || kind == "init" || kind == "transmit")
      k.setGpuParallel();
    std::string stream = kind.str();
    LogicalResult status = success();
    auto body = [&](Value s, Value i, Value j) {
      Element e{s,      i,          j, counterOf(k.builder(), k.loc(), s),
                stream, preSnapshot};
      if (failed(k.lowerBlock(region.front(), e, {})))
        status = failure();
    };
    if (dense && kind == "transmit") {
      // What a postsynaptic neuron receives is a sum over its contiguous
      // synapses: carry it in the inner loop, store it once.
      forEachRowWithSums(
          k, k.accumulatedFields(region.front()),
          [&](Value i, Value j) { body(denseIndex(k, i, j), i, j); },
          [&](Value j, StringRef field, Type type, Value sum) {
            Value old = k.load(field, type, j);
            k.store(field, type,
                    arith::AddFOp::create(k.builder(), k.loc(), old, sum), j);
          });
    } else {
      forEachSynapse(k, sidesReached(k, region), body);
    }
    return status;
  };
  // A reduction over each neuron's synapses into a hidden per-neuron field:
  // set to the identity, then combined synapse by synapse (one thread: the
  // values of different synapses meet in one neuron). A cumulative sum
  // keeps the running sum per neuron and stores it per synapse; both
  // layouts visit a neuron's synapses in the other side's index order.
  auto lowerReduce = [&](ReduceOp reduce) -> LogicalResult {
    std::optional<StringRef> before = reduce.getBefore();
    std::string kind = before ? ("reduce_" + *before).str() : "reduce";
    KernelBuilder k(module, proj, kind, /*noAlias=*/false);
    // Learning and `on post` read presynaptic values as transmitted.
    bool preSnapshot = !before || *before == "on_post";
    k.setDomain(dense ? "post_rows" : "synapses");
    bool intoPost = reduce.getInto() == "post";
    StringRef combine = reduce.getCombine().value_or("sum");
    std::optional<StringRef> running = reduce.getRunning();
    StringRef field = running ? *running : reduce.getField();
    Type ft = reduce.getBody().front().getTerminator()->getOperand(0).getType();
    for (auto f : proj.getBody().front().getOps<FieldOp>())
      if (f.getSymName() == field)
        ft = f.getType();
    std::string buffer = ("field:" + field).str();
    OpBuilder &b = k.builder();
    auto floatType = cast<FloatType>(ft);
    APFloat identity =
        combine == "min"   ? APFloat::getInf(floatType.getFloatSemantics())
        : combine == "max" ? APFloat::getInf(floatType.getFloatSemantics(),
                                             /*Negative=*/true)
                           : APFloat::getZero(floatType.getFloatSemantics());
    Value init =
        arith::ConstantOp::create(b, k.loc(), ft, b.getFloatAttr(ft, identity));
    k.loop(constantIndex(k, 0), constantIndex(k, intoPost ? numPost : numPre),
           [&](Value n) { k.store(buffer, ft, init, n); });
    std::string stream = reduce.getField().str();
    LogicalResult status = success();
    auto body = [&](Value s, Value i, Value j) {
      Element e{s,      i,          j, counterOf(k.builder(), k.loc(), s),
                stream, preSnapshot};
      auto value = k.lowerBlock(reduce.getBody().front(), e, {});
      if (failed(value) || value->size() != 1) {
        status = failure();
        return;
      }
      OpBuilder &b = k.builder();
      Value target = intoPost ? j : i;
      Value old = k.load(buffer, ft, target);
      Value v = (*value)[0];
      if (v.getType() != ft)
        v = arith::ExtFOp::create(b, k.loc(), ft, v);
      Value next;
      if (combine == "min")
        next = arith::MinimumFOp::create(b, k.loc(), old, v);
      else if (combine == "max")
        next = arith::MaximumFOp::create(b, k.loc(), old, v);
      else
        next = arith::AddFOp::create(b, k.loc(), old, v);
      k.store(buffer, ft, next, target);
      if (running)
        k.store(("field:" + reduce.getField()).str(), ft, next, s);
    };
    auto sides = sidesReached(k, reduce.getBody());
    (intoPost ? sides.second : sides.first) = true;
    forEachSynapse(k, sides, body);
    return status;
  };

  // Stages over the projection's @pre or @post neurons, or run once.
  auto overNeurons = [&](Region &region, StringRef kind, StringRef scope,
                         bool preSnapshot) -> LogicalResult {
    std::string stage = (kind + "_" + scope).str();
    KernelBuilder k(module, proj, stage, /*noAlias=*/false);
    if (kind == "learn")
      k.setParallel();
    if (kind == "learn" || kind == "init")
      k.setGpuParallel();
    k.setDomain(scope == "pre"    ? "pre_neurons"
                : scope == "post" ? "post_neurons"
                                  : "projection");
    std::string stream = stage;
    LogicalResult status = success();
    k.loop(k.begin, k.end, [&](Value n) {
      Element e{{},
                scope == "pre" ? n : Value(),
                scope == "post" ? n : Value(),
                counterOf(k.builder(), k.loc(), n),
                stream,
                preSnapshot};
      if (failed(k.lowerBlock(region.front(), e, {})))
        status = failure();
    });
    return status;
  };
  auto scoped = [&](auto stageOp, StringRef kind,
                    bool preSnapshot) -> LogicalResult {
    if (std::optional<StringRef> scope = stageOp.getScope())
      return overNeurons(stageOp.getBody(), kind, *scope, preSnapshot);
    return overSynapses(stageOp.getBody(), kind, preSnapshot);
  };
  // With a delay per synapse, an `on pre` that only adds into postsynaptic
  // variables what its synapse's (unchanging) fields and parameters give
  // can run when the spike is emitted: it adds into a ring of inputs, slot
  // (emission step + delay) mod D, which the runtime adds into the field at
  // that step. Each spike's row is then read once, in order, instead of
  // one piece per delay.
  auto deliversIntoRing = [&](OnPreOp onPre) {
    if (!proj.getSynapseDelays() || dense)
      return false;
    for (Operation &op : proj.getBody().front())
      if (isa<LearnOp, OnPostOp, OnEndOp, TransmitOp, ReduceOp>(op))
        return false;
    bool pure = true;
    onPre.getBody().walk([&](Operation *op) {
      if (op->hasTrait<OpTrait::IsTerminator>() ||
          isa<AccumulateOp, ParamGetOp, DtOp, arith::ConstantOp>(op) ||
          op->getDialect()->getNamespace() == "arith" ||
          op->getDialect()->getNamespace() == "math")
        return;
      if (auto get = dyn_cast<GetOp>(op))
        if (get.getScope() == "self")
          for (auto f : proj.getBody().front().getOps<FieldOp>())
            if (f.getSymName() == get.getField() && f.getScope() == "element")
              return;
      pure = false;
    });
    return pure;
  };
  // Procedural synapses are drawn where they are used: their initial
  // values, by `on pre` at each spike.
  OnPreOp onPreStage = findStage<OnPreOp>(proj);
  bool procedural =
      proj.getProcedural() && onPreStage && deliversIntoRing(onPreStage);
  for (auto init : proj.getBody().front().getOps<InitOp>())
    if (!(procedural && !init.getScope()) &&
        failed(scoped(init, "init", false)))
      return failure();
  if (auto transmit = findStage<TransmitOp>(proj))
    if (failed(overSynapses(transmit.getBody(), "transmit", false)))
      return failure();
  // `on end` handlers with the sums they read just before them, in program
  // order: the runtime runs a phase's kernels in the order they are emitted.
  auto beforeOnEnd = [](ReduceOp reduce) {
    std::optional<StringRef> before = reduce.getBefore();
    return before && before->starts_with("on_end_");
  };
  for (Operation &op : proj.getBody().front()) {
    if (auto onEnd = dyn_cast<OnEndOp>(op)) {
      if (failed(overSynapses(onEnd.getBody(),
                              ("on_end_" + onEnd.getPhase()).str(), false)))
        return failure();
    } else if (auto reduce = dyn_cast<ReduceOp>(op)) {
      if (beforeOnEnd(reduce) && failed(lowerReduce(reduce)))
        return failure();
    }
  }
  // Learning stages and the sums between them, in program order.
  for (Operation &op : proj.getBody().front()) {
    if (auto learn = dyn_cast<LearnOp>(op)) {
      if (failed(scoped(learn, "learn", true)))
        return failure();
    } else if (auto reduce = dyn_cast<ReduceOp>(op)) {
      if (!beforeOnEnd(reduce) && failed(lowerReduce(reduce)))
        return failure();
    }
  }
  // Learning of step n fused with transmission of step n + 1: one pass over
  // a dense weight matrix instead of two. Transmission at n + 1 reads the
  // weights as learning leaves them and the presynaptic values of the end
  // of step n, so the sums can be taken right after each weight's update,
  // into `next:` buffers that the runtime adds in at the next step's
  // transmission. Only where nothing else may change the weights or what
  // transmission reads in between: no spike handlers, no sums over
  // synapses, one per-synapse learning stage, and a transmission that reads
  // no postsynaptic value, signal, time or random number.
  auto fusable = [&]() {
    auto transmit = findStage<TransmitOp>(proj);
    if (!dense || !transmit)
      return false;
    int learns = 0;
    for (Operation &op : proj.getBody().front()) {
      if (isa<OnPreOp, OnPostOp, OnEndOp, ReduceOp>(op))
        return false;
      if (auto learn = dyn_cast<LearnOp>(op)) {
        if (learn.getScope())
          return false;
        ++learns;
      }
    }
    bool plain = true;
    transmit.getBody().walk([&](Operation *op) {
      if (isa<SignalOp, TimeOp, RandOp, PoissonOp>(op))
        plain = false;
      if (auto get = dyn_cast<GetOp>(op))
        if (get.getScope() == "post")
          plain = false;
    });
    return learns == 1 && plain;
  };
  if (fusable()) {
    auto transmit = findStage<TransmitOp>(proj);
    auto learn = findStage<LearnOp>(proj);
    KernelBuilder k(module, proj, "learn_transmit", /*noAlias=*/false);
    k.setDomain("post_rows");
    k.setParallel();
    k.setGpuParallel();
    std::string learnStream = "learn";
    LogicalResult status = success();
    // Learning reads the transmitted presynaptic values; the sums, those of
    // the end of the step. Learning adds into nothing, so the accumulators
    // serve transmission alone.
    forEachRowWithSums(
        k, k.accumulatedFields(transmit.getBody().front()),
        [&](Value i, Value j) {
          Value s = denseIndex(k, i, j);
          Value counter = counterOf(k.builder(), k.loc(), s);
          Element learnElement{s, i, j, counter, learnStream, true};
          Element transmitElement{s, i, j, counter, "", false};
          if (failed(k.lowerBlock(learn.getBody().front(), learnElement, {})) ||
              failed(k.lowerBlock(transmit.getBody().front(), transmitElement,
                                  {})))
            status = failure();
        },
        [&](Value j, StringRef field, Type type, Value sum) {
          k.store(("next:" + field.drop_front(5)).str(), type, sum, j);
        });
    if (failed(status))
      return failure();
  }
  // A handler's ops in order, cut where hebb.once runs a part once per
  // event instead of once per synapse.
  struct Segment {
    OnceOp once;                  // null: per-synapse ops
    SmallVector<Operation *> ops; // per-synapse ops
  };
  auto segmentsOf = [](Block &block) {
    SmallVector<Segment> segments;
    for (Operation &op : block.without_terminator()) {
      if (auto once = dyn_cast<OnceOp>(op)) {
        segments.push_back({once, {}});
        continue;
      }
      if (segments.empty() || segments.back().once)
        segments.push_back({nullptr, {}});
      segments.back().ops.push_back(&op);
    }
    return segments;
  };
  // Delivery waits on memory: each spike's row is elsewhere. Ask, from
  // event `ev`, for the row bounds of the spike 8 ahead and the synapses of
  // the spike 4 ahead (each array of `rowFields`, up to 8 cache lines: the
  // hardware's stream prefetcher would start too late on rows a few lines
  // long), so that they are in cache when their turn comes. `rowOf` is the
  // event list that gives an event's row; `last` the last event.
  auto prefetchRowsAhead =
      [&](KernelBuilder &k, const KernelBuilder::RowLayout &layout, Value ev,
          Value last, StringRef rowOf,
          ArrayRef<std::pair<std::string, Type>> rowFields) {
        constexpr int64_t kPrefetchLines = 8;
        OpBuilder &b = k.builder();
        auto ahead = [&](int64_t d) {
          Value at = arith::AddIOp::create(b, k.loc(), ev, constantIndex(k, d));
          return k.loadIndex(rowOf,
                             arith::MinUIOp::create(b, k.loc(), at, last));
        };
        auto prefetch = [&](StringRef name, Type type, Value index) {
          memref::PrefetchOp::create(b, k.loc(), k.buffer(name, type),
                                     ValueRange{index}, /*isWrite=*/false,
                                     /*localityHint=*/3,
                                     /*isDataCache=*/true);
        };
        auto [laterBegin, laterEnd] = k.rowBoundsAt(layout, ahead(8));
        prefetch("row_bounds", b.getI32Type(), laterBegin);
        prefetch("row_bounds", b.getI32Type(), laterEnd);
        auto [first, rowEnd] = k.rowBounds(layout, ahead(4));
        for (auto &[name, type] : rowFields) {
          int64_t perLine = 64 * 8 / type.getIntOrFloatBitWidth();
          Value stop = arith::MinUIOp::create(
              b, k.loc(), rowEnd,
              arith::AddIOp::create(
                  b, k.loc(), first,
                  constantIndex(k, perLine * kPrefetchLines)));
          auto lines = scf::ForOp::create(b, k.loc(), first, stop,
                                          constantIndex(k, perLine));
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(lines.getBody()->getTerminator());
          prefetch(name, type, lines.getInductionVar());
        }
      };
  // The synapse fields a handler reads, after `first`: the arrays of a row
  // worth prefetching.
  auto fieldsRead = [&](KernelBuilder &k, Region &region,
                        std::pair<std::string, Type> first) {
    SmallVector<std::pair<std::string, Type>> rowFields = {first};
    region.walk([&](GetOp get) {
      if (get.getScope() != "self" || k.fieldScope(get.getField()) != "element")
        return;
      std::string name = ("field:" + get.getField()).str();
      for (auto &f : rowFields)
        if (f.first == name)
          return;
      rowFields.push_back({name, get.getType()});
    });
    return rowFields;
  };
  // An `on pre` over CSR rows whose synapses write only their own fields
  // and their postsynaptic neurons': the runtime may split every row by
  // ranges of postsynaptic neurons across threads. Each neuron still
  // receives its inputs in the order of the spikes, so results do not
  // depend on the number of threads. A presynaptic variable read where
  // postsynaptic ones are written could be the same neuron's (a recurrent
  // projection), written by another thread: such a handler is not split.
  auto splitsByPost = [](Region &region, KernelBuilder &k) {
    bool splits = true;
    llvm::StringSet<> written, readPre;
    region.walk([&](Operation *op) {
      if (isa<OnceOp>(op))
        splits = false;
      else if (auto set = dyn_cast<SetOp>(op)) {
        StringRef scope = k.fieldScope(set.getField());
        if (scope != "element" && scope != "post")
          splits = false;
      } else if (auto add = dyn_cast<AccumulateOp>(op)) {
        written.insert(add.getField());
      } else if (auto get = dyn_cast<GetOp>(op)) {
        if (get.getScope() == "pre")
          readPre.insert(get.getField());
      }
    });
    for (const auto &field : readPre)
      if (written.contains(field.getKey()))
        splits = false;
    return splits;
  };
  // Whether a handler's events may run at once, one per GPU thread: each
  // writes only its synapses and its own neuron's side (`once` bodies),
  // and they meet only in adds into postsynaptic neurons that no event
  // reads. With delays per synapse, `on pre` can list a neuron twice in a
  // step (spikes of two steps arriving), so its `once` bodies stay serial.
  auto eventsIndependent = [&](Region &region, KernelBuilder &k, bool onPre) {
    StringRef ownSide = onPre ? "pre" : "post";
    bool onceAllowed = !onPre || !proj.getSynapseDelays();
    llvm::StringSet<> added;
    region.walk([&](AccumulateOp add) { added.insert(add.getField()); });
    WalkResult result = region.walk([&](Operation *op) {
      if (isa<OnceOp>(op) && !onceAllowed)
        return WalkResult::interrupt();
      if (auto set = dyn_cast<SetOp>(op)) {
        StringRef scope = k.fieldScope(set.getField());
        if (scope != "element" && scope != ownSide)
          return WalkResult::interrupt();
      }
      if (auto get = dyn_cast<GetOp>(op))
        if (get.getScope() == "post" && added.contains(get.getField()))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    return !result.wasInterrupted();
  };
  // A spike handler: for each spiking neuron of the list, its segments in
  // order: per-synapse ops over the neuron's synapses (its row for `on
  // pre`, its column for `on post`), hebb.once bodies once.
  auto lowerHandler = [&](Region &region, bool onPre) -> LogicalResult {
    StringRef kind = onPre ? "on_pre" : "on_post";
    KernelBuilder k(module, proj, kind, /*noAlias=*/false);
    k.setDomain("events");
    if (onPre && !dense && splitsByPost(region, k))
      k.setParallel();
    if (eventsIndependent(region, k, onPre))
      k.setGpuParallel();
    std::string stream = kind.str();
    LogicalResult status = success();
    SmallVector<std::pair<std::string, Type>> rowFields;
    if (onPre && !dense)
      rowFields =
          fieldsRead(k, region, {"post_index", k.builder().getI32Type()});
    // The last event, where look-ahead stops (used only inside the loop,
    // so never when there is no event).
    Value last;
    if (!rowFields.empty())
      last = arith::SubIOp::create(k.builder(), k.loc(), k.end,
                                   constantIndex(k, 1));
    // Read once per call: the handler's stores could alias it.
    KernelBuilder::RowLayout layout;
    if (onPre && !dense)
      layout = k.rowLayout();
    k.loop(k.begin, k.end, [&](Value ev) {
      if (!rowFields.empty())
        prefetchRowsAhead(k, layout, ev, last, "event_rows", rowFields);
      Value spiking = k.loadIndex("events", ev);
      for (Segment &segment : segmentsOf(region.front())) {
        if (segment.once) {
          Element e{{},
                    onPre ? spiking : Value(),
                    onPre ? Value() : spiking,
                    counterOf(k.builder(), k.loc(), spiking),
                    stream,
                    !onPre};
          if (failed(k.lowerBlock(segment.once.getBody().front(), e, {})))
            status = failure();
          continue;
        }
        // `other` is the synapse's neuron on the other side.
        auto body = [&](Value s, Value other) {
          Element e{s,
                    onPre ? spiking : other,
                    onPre ? other : spiking,
                    counterOf(k.builder(), k.loc(), s),
                    stream,
                    !onPre};
          if (failed(k.lowerOps(segment.ops, e)))
            status = failure();
        };
        if (dense) {
          k.loop(constantIndex(k, 0),
                 constantIndex(k, onPre ? numPost : numPre), [&](Value other) {
                   body(onPre ? denseIndex(k, spiking, other)
                              : denseIndex(k, other, spiking),
                        other);
                 });
          continue;
        }
        if (onPre) {
          // The synapses this spike reaches now: its whole row, or with
          // delays per synapse the part of it with this spike's delay.
          auto [rowBegin, rowEnd] =
              k.rowBounds(layout, k.loadIndex("event_rows", ev));
          k.loop(rowBegin, rowEnd,
                 [&](Value c) { body(c, k.loadIndex("post_index", c)); });
          continue;
        }
        OpBuilder &b = k.builder();
        Value next =
            arith::AddIOp::create(b, k.loc(), spiking, constantIndex(k, 1));
        k.loop(k.loadIndex("col_ptr", spiking), k.loadIndex("col_ptr", next),
               [&](Value c) {
                 Value s = k.loadIndex("col_syn", c);
                 body(s, k.loadIndex("pre_index", s));
               });
      }
    });
    return status;
  };
  // A ring's geometry, read once per call from ring_info [slots, slot of
  // the emission step, row length of the ring]: where the emission slot's
  // row starts, the ring's size and its row length. at(column) is where a
  // synapse of ring column `column` (delay * row length + post) adds: one
  // add and one wrap.
  struct Ring {
    Value first, total, stride;
  };
  auto ringOf = [&](KernelBuilder &k) {
    OpBuilder &b = k.builder();
    auto info = [&](int64_t at) {
      return k.loadIndex("ring_info", constantIndex(k, at));
    };
    Value slots = info(0), base = info(1), stride = info(2);
    return Ring{arith::MulIOp::create(b, k.loc(), base, stride),
                arith::MulIOp::create(b, k.loc(), slots, stride), stride};
  };
  auto ringEntry = [&](KernelBuilder &k, const Ring &ring, Value column) {
    OpBuilder &b = k.builder();
    Value at = arith::AddIOp::create(b, k.loc(), ring.first, column);
    Value wrap = arith::CmpIOp::create(b, k.loc(), arith::CmpIPredicate::uge,
                                       at, ring.total);
    return arith::SelectOp::create(
        b, k.loc(), wrap, arith::SubIOp::create(b, k.loc(), at, ring.total),
        at);
  };
  auto lowerRingDelivery = [&](OnPreOp onPre) -> LogicalResult {
    KernelBuilder k(module, proj, "on_pre", /*noAlias=*/false);
    k.setDomain("events");
    // Synapses add only into their postsynaptic neurons' rings: the runtime
    // may split the rows by postsynaptic ranges, as for splitsByPost.
    k.setParallel();
    k.setGpuParallel();
    k.accumulatePrefix = "ring:";
    OpBuilder &b = k.builder();
    Ring ring = ringOf(k);
    // Synapse s adds at row (emission slot + its delay) mod slots of the
    // ring, at its postsynaptic neuron: its ring_column[s] is kept, so that
    // one add and one wrap find it. (Loads of the delay and the post, and
    // prefetching the entry ahead, made each synapse half again as long.)
    auto ringIndex = [&](Value s) {
      return ringEntry(k, ring, k.loadIndex("ring_column", s));
    };
    LogicalResult status = success();
    KernelBuilder::RowLayout layout = k.rowLayout();
    SmallVector<std::pair<std::string, Type>> rowFields =
        fieldsRead(k, onPre.getBody(), {"ring_column", b.getI32Type()});
    Value last = arith::SubIOp::create(b, k.loc(), k.end, constantIndex(k, 1));
    k.loop(k.begin, k.end, [&](Value ev) {
      prefetchRowsAhead(k, layout, ev, last, "events", rowFields);
      Value spiking = k.loadIndex("events", ev);
      auto [rowBegin, rowEnd] = k.rowBounds(layout, spiking);
      k.loop(rowBegin, rowEnd, [&](Value s) {
        Element e{s,  spiking, ringIndex(s), counterOf(b, k.loc(), s),
                  "", false};
        SmallVector<Operation *> ops;
        for (Operation &op : onPre.getBody().front().without_terminator())
          ops.push_back(&op);
        if (failed(k.lowerOps(ops, e)))
          status = failure();
      });
    });
    return status;
  };
  // A procedural projection keeps no synapse: each spike draws its row
  // again. Post n of pre i's row is uniform over the row's candidates, from
  // words 0 and 1 of Philox (i, step 0, draw n) of the `connect` stream, as
  // the runtime's connectTotal draws them (unsorted here); synapse
  // s = row_ptr[i] + n takes its fields from the init stages as their
  // kernel would give them (element s, step 0), held in `held`. Returns
  // the post. row_draw is [posts, the post that is pre 0 itself or
  // INT32_MIN]: read, not built in, so that projections of one model share
  // the kernel.
  SmallVector<InitOp> synapseInits;
  for (auto init : proj.getBody().front().getOps<InitOp>())
    if (!init.getScope())
      synapseInits.push_back(init);
  auto drawSynapse = [&](KernelBuilder &k, Value pre, Value rowBegin, Value s,
                         llvm::StringMap<Value> &held,
                         LogicalResult &status) -> Value {
    OpBuilder &b = k.builder();
    Location l = k.loc();
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    auto c64 = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(b, l, i64, b.getI64IntegerAttr(v));
    };
    auto rowDraw = [&](int64_t at) -> Value {
      Value v = k.load("row_draw", i32, constantIndex(k, at));
      return arith::ExtSIOp::create(b, l, i64, v);
    };
    Value numPosts = rowDraw(0),
          pre64 = arith::IndexCastUIOp::create(b, l, i64, pre);
    // The pair of the neuron with itself, if it is left out.
    Value self = arith::AddIOp::create(b, l, pre64, rowDraw(1));
    Value hasSelf = arith::AndIOp::create(
        b, l,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, self, c64(0)),
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, self, numPosts));
    Value candidates = arith::SubIOp::create(
        b, l, numPosts, arith::ExtUIOp::create(b, l, i64, hasSelf));
    Value n = arith::IndexCastUIOp::create(
        b, l, i64, arith::SubIOp::create(b, l, s, rowBegin));
    SmallVector<Value, 4> w =
        k.philoxRounds({pre64, c64(0), c64(0), n}, k.streamKey("connect"));
    auto times = [&](Value word) {
      return arith::MulIOp::create(
          b, l, arith::ExtUIOp::create(b, l, i64, word), candidates);
    };
    Value j = arith::ShRUIOp::create(
        b, l,
        arith::AddIOp::create(
            b, l, times(w[0]),
            arith::ShRUIOp::create(b, l, times(w[1]), c64(32))),
        c64(32));
    Value skip = arith::AndIOp::create(
        b, l, hasSelf,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, j, self));
    j = arith::AddIOp::create(b, l, j, arith::ExtUIOp::create(b, l, i64, skip));
    Value post = arith::IndexCastUIOp::create(b, l, b.getIndexType(), j);
    // The synapse's initial fields, as at step 0.
    k.heldFields = &held;
    Value step = k.step, time = k.time;
    k.step = c64(0);
    k.time =
        arith::ConstantOp::create(b, l, b.getF64Type(), b.getF64FloatAttr(0));
    for (InitOp init : synapseInits) {
      Element e{s, pre, post, counterOf(b, l, s), "init", false};
      if (failed(k.lowerBlock(init.getBody().front(), e, {})))
        status = failure();
    }
    k.step = step;
    k.time = time;
    k.heldFields = nullptr;
    if (!held.count(ProjectionOp::kDelayField))
      status = proj.emitOpError("has no delay per synapse to deliver by");
    return post;
  };
  // Each procedural row's shortest and longest delay, in seconds, as its
  // init draws them: the runtime sizes the rings by them.
  auto lowerProceduralDelays = [&]() -> LogicalResult {
    KernelBuilder k(module, proj, "delay_range", /*noAlias=*/false);
    k.setDomain("pre_neurons");
    k.setParallel();
    OpBuilder &b = k.builder();
    Location l = k.loc();
    Type ft = FloatType();
    for (auto f : proj.getBody().front().getOps<FieldOp>())
      if (f.getSymName() == ProjectionOp::kDelayField)
        ft = f.getType();
    if (!ft)
      return proj.emitOpError("has no delay per synapse to deliver by");
    LogicalResult status = success();
    k.loop(k.begin, k.end, [&](Value pre) {
      Value rowBegin = k.loadIndex("row_ptr", pre);
      Value rowEnd = k.loadIndex(
          "row_ptr", arith::AddIOp::create(b, l, pre, constantIndex(k, 1)));
      APFloat inf = APFloat::getInf(cast<FloatType>(ft).getFloatSemantics());
      APFloat negInf =
          APFloat::getInf(cast<FloatType>(ft).getFloatSemantics(), true);
      Value inits[] = {
          arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, inf)),
          arith::ConstantOp::create(b, l, ft, b.getFloatAttr(ft, negInf))};
      auto row = scf::ForOp::create(b, l, rowBegin, rowEnd, constantIndex(k, 1),
                                    inits);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(row.getBody());
        llvm::StringMap<Value> held;
        drawSynapse(k, pre, rowBegin, row.getInductionVar(), held, status);
        Value delay = held.lookup(ProjectionOp::kDelayField);
        if (!delay)
          delay = k.zero(ft);
        delay = k.toType(delay, ft);
        // NaN carries through to the runtime, which reports it.
        Value least =
            arith::MinimumFOp::create(b, l, row.getRegionIterArgs()[0], delay);
        Value most =
            arith::MaximumFOp::create(b, l, row.getRegionIterArgs()[1], delay);
        scf::YieldOp::create(b, l, ValueRange{least, most});
      }
      k.store("delay_least", ft, row.getResult(0), pre);
      k.store("delay_most", ft, row.getResult(1), pre);
    });
    return status;
  };
  // Each spike's row is drawn a chunk at a time in a loop free of memory
  // dependences (a vector loop), into stack arrays: where each synapse adds
  // (its delay rounded to steps as the runtime rounds it) and what; a
  // second loop adds into the rings.
  auto lowerProceduralRingDelivery = [&](OnPreOp onPre) -> LogicalResult {
    constexpr int64_t kChunk = 256;
    KernelBuilder k(module, proj, "on_pre", /*noAlias=*/false);
    k.setDomain("events");
    k.setAttr("hebb.procedural");
    k.accumulatePrefix = "ring:";
    OpBuilder &b = k.builder();
    Location l = k.loc();
    Type i32 = b.getI32Type(), f64 = b.getF64Type();
    Ring ring = ringOf(k);
    // What each synapse adds, per ring, and where.
    SmallVector<std::pair<std::string, Type>> adds;
    for (auto [name, type] : k.accumulatedFields(onPre.getBody().front()))
      adds.push_back({"ring:" + name.substr(5), type});
    Value where = k.scratch(kChunk, i32);
    SmallVector<Value> values;
    for (auto &[name, type] : adds)
      values.push_back(k.scratch(kChunk, type));
    LogicalResult status = success();
    k.loop(k.begin, k.end, [&](Value ev) {
      Value spiking = k.loadIndex("events", ev);
      Value rowBegin = k.loadIndex("row_ptr", spiking);
      Value rowEnd = k.loadIndex(
          "row_ptr", arith::AddIOp::create(b, l, spiking, constantIndex(k, 1)));
      auto chunks =
          scf::ForOp::create(b, l, rowBegin, rowEnd, constantIndex(k, kChunk));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(chunks.getBody()->getTerminator());
      Value c0 = chunks.getInductionVar();
      Value c1 = arith::MinUIOp::create(
          b, l, rowEnd,
          arith::AddIOp::create(b, l, c0, constantIndex(k, kChunk)));
      k.loop(c0, c1, [&](Value s) {
        Value slot = arith::SubIOp::create(b, l, s, c0);
        llvm::StringMap<Value> held;
        Value post = drawSynapse(k, spiking, rowBegin, s, held, status);
        Value delay = held.lookup(ProjectionOp::kDelayField);
        if (!delay)
          return;
        // Delay in steps: round(delay / dt), at least one.
        Value rounded = math::FloorOp::create(
            b, l,
            arith::AddFOp::create(
                b, l, arith::DivFOp::create(b, l, k.toType(delay, f64), k.dt),
                arith::ConstantOp::create(b, l, f64, b.getF64FloatAttr(0.5))));
        rounded = arith::MaximumFOp::create(
            b, l, rounded,
            arith::ConstantOp::create(b, l, f64, b.getF64FloatAttr(1)));
        Value steps = arith::IndexCastUIOp::create(
            b, l, b.getIndexType(),
            arith::FPToUIOp::create(b, l, b.getI64Type(), rounded));
        Value at = ringEntry(
            k, ring,
            arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, steps, ring.stride), post));
        memref::StoreOp::create(b, l,
                                arith::IndexCastUIOp::create(b, l, i32, at),
                                where, ValueRange{slot});
        // What the handler adds, summed per ring.
        llvm::StringMap<Value> sums;
        for (auto &[name, type] : adds)
          sums[name] = k.zero(type);
        k.setAccumulators(&sums);
        k.heldFields = &held;
        SmallVector<Operation *> ops;
        for (Operation &op : onPre.getBody().front().without_terminator())
          ops.push_back(&op);
        if (failed(k.lowerOps(
                ops, Element{s, spiking, post, counterOf(b, l, s), "", false})))
          status = failure();
        k.setAccumulators(nullptr);
        k.heldFields = nullptr;
        for (auto [n, add] : llvm::enumerate(adds))
          memref::StoreOp::create(b, l, sums[add.first], values[n],
                                  ValueRange{slot});
      });
      k.loop(c0, c1, [&](Value s) {
        Value slot = arith::SubIOp::create(b, l, s, c0);
        Value at = arith::IndexCastUIOp::create(
            b, l, b.getIndexType(),
            memref::LoadOp::create(b, l, where, ValueRange{slot}));
        for (auto [n, add] : llvm::enumerate(adds)) {
          Value v = memref::LoadOp::create(b, l, values[n], ValueRange{slot});
          Value old = k.load(add.first, add.second, at);
          k.store(add.first, add.second, arith::AddFOp::create(b, l, old, v),
                  at);
        }
      });
    });
    return status;
  };
  if (auto onPre = findStage<OnPreOp>(proj)) {
    if (procedural) {
      if (failed(lowerProceduralDelays()) ||
          failed(lowerProceduralRingDelivery(onPre)))
        return failure();
    } else if (deliversIntoRing(onPre)) {
      if (failed(lowerRingDelivery(onPre)))
        return failure();
    } else if (failed(lowerHandler(onPre.getBody(), /*onPre=*/true))) {
      return failure();
    }
  }
  if (auto onPost = findStage<OnPostOp>(proj))
    if (failed(lowerHandler(onPost.getBody(), /*onPre=*/false)))
      return failure();
  // A kernel's buffers are distinct memory (and may be marked noalias)
  // unless both sides are one population and it reads a field of it as
  // both pre and post.
  bool oneSide = proj.getPre() == proj.getPost();
  for (auto func : module.getBody()->getOps<func::FuncOp>()) {
    auto instance = func->getAttrOfType<StringAttr>("hebb.instance");
    auto buffers = func->getAttrOfType<ArrayAttr>("hebb.buffers");
    if (!instance || instance.getValue() != name || !buffers)
      continue;
    llvm::StringSet<> pre, post;
    for (Attribute b : buffers) {
      StringRef entry = cast<StringAttr>(b).getValue();
      if (entry.consume_front("pre:"))
        pre.insert(entry);
      else if (entry.consume_front("post:"))
        post.insert(entry);
    }
    bool overlap = oneSide && llvm::any_of(pre, [&](const auto &field) {
                     return post.contains(field.getKey());
                   });
    if (!overlap)
      func->setAttr("hebb.distinct_buffers", UnitAttr::get(proj.getContext()));
  }
  return success();
}

struct LowerToLoopsPass
    : public mlir::hebb::impl::HebbLowerToLoopsBase<LowerToLoopsPass> {
  using HebbLowerToLoopsBase::HebbLowerToLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> instances;
    for (Operation &op : module.getBody()->getOperations())
      if (isa<PopulationOp, ProjectionOp>(op))
        instances.push_back(&op);
    for (Operation *op : instances) {
      LogicalResult r =
          isa<PopulationOp>(op)
              ? lowerPopulation(module, cast<PopulationOp>(op), perElementDraws)
              : lowerProjection(module, cast<ProjectionOp>(op));
      if (failed(r))
        return signalPassFailure();
    }
    for (Operation *op : instances)
      op->erase();
  }
};
} // namespace
