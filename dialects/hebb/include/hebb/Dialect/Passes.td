//===- Passes.td - Passes of the hebb dialect --------------*- tablegen -*-===//

#ifndef HEBB_PASSES_TD
#define HEBB_PASSES_TD

include "mlir/Pass/PassBase.td"

def HebbIntegrateOdes : Pass<"hebb-integrate-odes"> {
  let summary = "Replace hebb.odes by the discrete update of one step";
  let description = [{
    Classifies each system by forward-mode differentiation of its right
    sides: linear with constant coefficients is integrated exactly (the
    matrix exponential of the augmented system, or the scalar closed form
    where the equations are decoupled), a system whose equations are each
    linear in their own variable by exponential Euler, anything else by RK4,
    unless a method is given. Equations marked `event` are left to
    hebb-lazy-event-traces. With `explain`, a remark at each equation says
    which method was chosen, why, and the discrete update
    (`hebbc --explain-integration`).
  }];
  let options = [
    Option<"explain", "explain", "bool", "false",
           "Emit a remark per equation with its method and update">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

def HebbLazyEventTraces : Pass<"hebb-lazy-event-traces"> {
  let summary = "Bring `: event` variables up to date where events read them";
  let description = [{
    An `event` equation must be linear with constant coefficients in its own
    variable (dx/dt = a x + b, a and b from parameters only: a signal may
    change between two events). Instead
    of stepping it, every `hebb.on_pre` and `hebb.on_post` of the projection
    starts by bringing it up to date exactly over the time since its last
    update, kept in a per-synapse `lastupdate` field.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

def HebbLowerToLoops : Pass<"hebb-lower-to-loops", "mlir::ModuleOp"> {
  let summary = "Lower populations and projections to kernels over buffers";
  let description = [{
    Every stage becomes a `func.func` with one memref argument per field it
    touches and an `scf.for` over its elements (neurons, synapses of the
    spiking presynaptic neurons, ...). The kernels' signatures follow the
    runtime's kernel ABI (runtime/include/hebb/runtime/KernelABI.h).
    In a neuron step, four neurons share a Philox block for `rand()` and
    `poisson()`: the blocks of a chunk of neurons are computed ahead of the
    neuron loop, a quarter of the work of one block per neuron.
  }];
  let options = [
    Option<"perElementDraws", "per-element-draws", "bool", "false",
           "Let each neuron compute its word of a shared Philox block itself "
           "(GPU threads): the same numbers, without the loop ahead">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def HebbApproximateMath : Pass<"hebb-approximate-math"> {
  let summary = "Expand f32 math functions into vectorisable polynomials";
  let description = [{
    Calls to expf or logf inside a loop keep LLVM from vectorising it (no
    vector math library is linked). MLIR's polynomial approximations of
    exp, expm1, log, tanh, sin, cos, ... are plain arithmetic, accurate to
    a few ulp in f32, and vectorise. f64 functions are left to libm (expm1
    called explicitly, since convert-math-to-llvm would make it exp - 1).
  }];
  let options = [
    Option<"libmExpM1", "libm-expm1", "bool", "true",
           "Call libm's expm1 for f64 (GPU code leaves math.expm1 to "
           "libdevice)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::x86vector::X86VectorDialect"];
}

def HebbInitConstantsToParams
    : Pass<"hebb-init-constants-to-params", "mlir::ModuleOp"> {
  let summary = "Read the constants of initial values as parameters";
  let description = [{
    Each float constant in a population's or projection's `hebb.init`
    stages becomes a parameter `__init<n>` of the instance (its value,
    exactly), read with `hebb.param_get`. Instances whose initial values
    differ only in numbers then lower to the same kernels, which the JIT
    compiles once (the microcircuit's `w_e`, `2 w_e` and `g w_e`), and a
    network parameter changed with `--set` that only reaches initial values
    changes no code.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def HebbHoistReciprocals : Pass<"hebb-hoist-reciprocals"> {
  let summary = "Divide by a loop-invariant value as a multiplication";
  let description = [{
    `x / tau` in an element loop, where `tau` is a parameter or another
    value defined outside the loop, becomes `x * r` with `r = 1 / tau`
    computed once before the loop: a vector division costs several times a
    multiplication. The result may differ from the division in the last
    bit, as with C compilers' -freciprocal-math (part of the -ffast-math
    that Brian2 compiles with).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def HebbUnswitchLoops : Pass<"hebb-unswitch-loops"> {
  let summary = "Choose between copies of a loop by a loop-invariant condition";
  let description = [{
    An `scf.if` inside an `scf.for` whose condition is defined outside the
    loop (a test of parameters, such as Poisson's choice of method by its
    mean) becomes a choice before the loop between two copies of it, each
    with one side of the branch. LLVM's vectoriser if-converts a branch in
    a loop and so computes both sides for every element; its own
    unswitching gives up on loops of this size. A condition is hoisted to
    the outermost loop it is invariant in. Every loop nest is copied at
    most four times (two conditions), to bound the code size.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def HebbKernelsToGpu : Pass<"hebb-kernels-to-gpu", "mlir::ModuleOp"> {
  let summary = "Turn the network's kernels into GPU kernels";
  let description = [{
    Every kernel (`func.func` with `hebb.kind`, as hebb-lower-to-loops
    makes them) becomes a `gpu.func` of one `gpu.module @hebb_kernels`,
    with the same arguments. In a kernel marked `hebb.gpu_parallel`, each
    iteration of the loop over [begin, end) runs on its own thread, element
    begin + block_id * block_dim + thread_id, and the adds into neurons
    that hebb-lower-to-loops marks `hebb.accumulate` become
    `memref.atomic_rmw addf`. Any other kernel runs its loop on the first
    thread alone (`hebb.gpu_threads` says which: "elements" or "one").
    Prefetches, which only help a CPU's caches, are dropped. Each step
    kernel that sets `spiked` gets a `<population>__compact_spikes` kernel
    that lists the spiking neurons on the device.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def HebbLibdeviceToInstructions : Pass<"hebb-libdevice-to-instructions"> {
  let summary = "Call PTX instructions, not libdevice, for exact functions";
  let description = [{
    convert-gpu-to-nvvm turns math.sqrt, fma, abs, ceil, floor, trunc,
    roundeven and copysign into calls of CUDA's libdevice (`__nv_sqrtf`,
    ...), which only a CUDA toolkit provides. Each is one exactly rounded
    PTX instruction, the same result as the CPU's: the calls become LLVM
    intrinsics, which the NVPTX back end emits as those instructions, and
    their declarations go. Runs after convert-gpu-to-nvvm.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // HEBB_PASSES_TD
