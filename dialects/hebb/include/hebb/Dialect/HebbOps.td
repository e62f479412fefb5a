//===- HebbOps.td - Operations of the hebb dialect ---------*- tablegen -*-===//

#ifndef HEBB_OPS_TD
#define HEBB_OPS_TD

include "hebb/Dialect/HebbDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Model instances
//===----------------------------------------------------------------------===//

def Hebb_PopulationOp : Hebb_Op<"population",
    [Symbol, SymbolTable, NoTerminator, SingleBlock, IsolatedFromAbove]> {
  let summary = "A population of neurons of one model";
  let description = [{
    `size` neurons of model `model`. The body declares the parameters and
    fields of the instance and holds its stages (`hebb.init`, `hebb.step`,
    `hebb.spike`, `hebb.reset`, `hebb.refractory`).

    ```mlir
    hebb.population @out size 1 model "LIF_COBA" {
      hebb.param @tau_m = 1.000000e-02 unit "s"
      hebb.field @v : f32 element
      ...
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$size,
                       StrAttr:$model);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `size` $size `model` $model attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Hebb_ProjectionOp : Hebb_Op<"projection",
    [Symbol, SymbolTable, NoTerminator, SingleBlock, IsolatedFromAbove]> {
  let summary = "The synapses from one population (slice) to another";
  let description = [{
    Synapses of model `model` from neurons `[pre_begin, pre_end)` of
    population `pre` to `[post_begin, post_end)` of `post`. The body declares
    parameters and fields and holds the stages `hebb.init`, `hebb.on_pre`,
    `hebb.on_post`, `hebb.transmit` and `hebb.learn`. A `dense` projection
    connects every pre to every post and stores synapse `j * n_pre + i`
    (presynaptic i, postsynaptic j: a weight matrix W[post][pre]), so its
    kernels need no index arrays; the others are CSR. A dense projection
    `tied to` another reads that projection's `w` (which runs the other
    way) transposed, at `i * n_post + j`, without a copy. With
    `synapse_delays`, each synapse has its own delay (the field `__delay`,
    drawn by `hebb.init`); `delay` is then the shortest.

    A `procedural` projection stores no synapse: it connects a fixed total
    number of pairs, and each spike draws its row again from the counter-based
    generator (the postsynaptic neurons from the `connect` stream, the fields
    from `hebb.init`), as GeNN's procedural connectivity does. `no_self`
    leaves out the pairs of a neuron with itself.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$pre,
                       I64Attr:$pre_begin, I64Attr:$pre_end,
                       FlatSymbolRefAttr:$post, I64Attr:$post_begin,
                       I64Attr:$post_end, StrAttr:$model,
                       I64Attr:$delay_steps, UnitAttr:$dense,
                       UnitAttr:$synapse_delays,
                       OptionalAttr<FlatSymbolRefAttr>:$tied_to,
                       UnitAttr:$procedural, UnitAttr:$no_self);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `from` $pre `[` $pre_begin `:` $pre_end `]`
    `to` $post `[` $post_begin `:` $post_end `]`
    `model` $model `delay` $delay_steps (`dense` $dense^)?
    (`synapse_delays` $synapse_delays^)? (`tied` `to` $tied_to^)?
    (`procedural` $procedural^)? (`no_self` $no_self^)?
    attr-dict-with-keyword $body
  }];
  let extraClassDeclaration = [{
    /// The field with each synapse's delay, in seconds.
    static constexpr ::llvm::StringLiteral kDelayField = "__delay";
  }];
  let hasVerifier = 1;
}

def Hebb_ParamOp : Hebb_Op<"param", [Symbol, HasParent<"PopulationOp, ProjectionOp">]> {
  let summary = "A parameter shared by every element, changeable at run time";
  let description = [{
    The value is in SI units (`unit` says which, for people); kernels read
    it from the parameter buffer, so changing it needs no recompilation.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$value,
                       StrAttr:$unit);
  let assemblyFormat = "$sym_name `=` $value `unit` $unit attr-dict";
}

def Hebb_FieldOp : Hebb_Op<"field", [Symbol, HasParent<"PopulationOp, ProjectionOp">]> {
  let summary = "A per-element buffer: a state variable or an input";
  let description = [{
    `scope` says how many values the field has: `element` (one per neuron of
    a population or per synapse of a projection), `pre` or `post` (one per
    presynaptic or postsynaptic neuron of a projection) or `proj` (one for
    the projection). `input` fields are accumulators zeroed every step.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type,
                       StrAttr:$scope, UnitAttr:$input, UnitAttr:$event);
  let assemblyFormat = "$sym_name `:` $type $scope (`input` $input^)? (`event` $event^)? attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Stages: regions of per-element code
//===----------------------------------------------------------------------===//

class Hebb_StageOp<string mnemonic, string doc>
    : Hebb_Op<mnemonic, [SingleBlockImplicitTerminator<"YieldOp">,
                         HasParent<"PopulationOp, ProjectionOp">]> {
  let summary = doc;
  let description = [{
    In a projection, `scope` says what the stage runs over: each synapse
    (absent), each presynaptic neuron (`"pre"`), each postsynaptic neuron
    (`"post"`) or the projection once (`"proj"`), for the state declared
    with `@pre`, `@post` and `@proj`.
  }];
  let arguments = (ins OptionalAttr<StrAttr>:$scope);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`over` $scope^)? attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Hebb_InitOp : Hebb_StageOp<"init",
    "Sets the initial value of every field of an element">;
def Hebb_StepOp : Hebb_StageOp<"step",
    "A neuron's state update of one step: ODEs, then the update block">;
def Hebb_ResetOp : Hebb_StageOp<"reset",
    "Runs for each neuron that spiked in this step">;
def Hebb_OnPreOp : Hebb_StageOp<"on_pre",
    "Runs for each synapse whose presynaptic neuron's spike arrives">;
def Hebb_OnPostOp : Hebb_StageOp<"on_post",
    "Runs for each synapse whose postsynaptic neuron spiked this step">;
def Hebb_TransmitOp : Hebb_StageOp<"transmit",
    "Rate transmission: the `post.x += ...` statements of `update`">;
def Hebb_LearnOp : Hebb_StageOp<"learn",
    "Learning: the other statements of `update` and clock-driven ODEs">;

def Hebb_OnEndOp : Hebb_Op<"on_end",
    [SingleBlockImplicitTerminator<"YieldOp">,
     HasParent<"PopulationOp, ProjectionOp">]> {
  let summary = "Runs for every element when a phase of the schedule ends";
  let description = [{
    `on end free { ... }` in a model: after the schedule's phase `phase`
    has run, every neuron (or synapse) runs the body once. Two-phase rules
    snapshot the free state here and apply their update at the end of the
    nudged phase.
  }];
  let arguments = (ins StrAttr:$phase);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$phase attr-dict-with-keyword $body";
}

def Hebb_ReduceOp : Hebb_Op<"reduce", [HasParent<"ProjectionOp">]> {
  let summary = "Reduces a per-synapse value over each neuron's synapses";
  let description = [{
    For `sum_in(expr)` (`into = "post"`), the field `field` of each
    postsynaptic neuron becomes the sum of `expr` over its incoming
    synapses; for `sum_out` (`into = "pre"`), over each presynaptic neuron's
    outgoing synapses. `by "min"` or `by "max"` takes the smallest or
    largest value instead (+inf or -inf for a neuron without synapses).
    `by "cumsum"` makes `field` a per-synapse field: each synapse gets the
    sum over its neuron's synapses up to and including itself, in the
    order of the other side's index, accumulated in the per-neuron field
    `running`. The region computes `expr` for one synapse. Without
    `before`, it runs in learning, between the stages before and after the
    statement that reads the result; with `before "transmit" | "on_pre" |
    "on_post"`, just before that stage, for its statements; with `before
    "on_end_<phase>"`, when phase `<phase>` ends, just before the projection's
    `on end` handler of that phase. Either way every synapse sees the same
    result.
  }];
  let arguments = (ins StrAttr:$field, StrAttr:$into,
                       OptionalAttr<StrAttr>:$combine,
                       OptionalAttr<StrAttr>:$running,
                       OptionalAttr<StrAttr>:$before);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $field `into` $into (`by` $combine^)? (`running` $running^)?
    (`before` $before^)? attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Hebb_OnceOp : Hebb_Op<"once", [SingleBlockImplicitTerminator<"YieldOp">,
                                    HasParent<"OnPreOp, OnPostOp">]> {
  let summary = "Runs once per event, not once per synapse";
  let description = [{
    Statements of an `on pre` handler that update `@pre` state (or of an
    `on post` handler that update `@post` state) run once for the neuron
    whose spike is handled, at their place among the per-synapse
    statements.
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
}

def Hebb_SpikeOp : Hebb_Op<"spike", [HasParent<"PopulationOp">]> {
  let summary = "The spike condition, tested after the state update";
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

def Hebb_RefractoryOp : Hebb_Op<"refractory", [HasParent<"PopulationOp">]> {
  let summary = "The refractory period after a spike, in seconds";
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
}

def Hebb_OdesOp : Hebb_Op<"odes", [SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "A system of ODEs, to be integrated over one step";
  let description = [{
    The region computes the time derivatives of `vars` (in order) from their
    current values, passed as block arguments; it may also read other state,
    inputs and parameters. `methods` gives each equation's method: `exact`,
    `euler`, `exp_euler`, `rk2`, `rk4`, `event` (brought up to date lazily
    when an event handler reads it), or `auto` (the default of the
    language: exact where the system is linear with constant coefficients,
    else exponential Euler where each equation is linear in its own variable,
    else RK4). `hebb-integrate-odes` replaces the op by the discrete update.
  }];
  let arguments = (ins StrArrayAttr:$vars, StrArrayAttr:$methods);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$vars `methods` $methods attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Hebb_YieldOp : Hebb_Op<"yield", [Pure, Terminator, ReturnLike]> {
  let summary = "Ends a stage; yields a spike condition, derivatives or a time";
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, {}); }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Per-element operations
//===----------------------------------------------------------------------===//

def Hebb_GetOp : Hebb_Op<"get"> {
  let summary = "Reads a field of this element, or of its pre/post neuron";
  let description = [{
    `self` reads a field declared by the enclosing population or projection
    (at the index its scope implies); `pre` and `post` read a field of the
    presynaptic or postsynaptic neuron of a synapse.
  }];
  let arguments = (ins StrAttr:$scope, StrAttr:$field);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$scope $field attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Hebb_SetOp : Hebb_Op<"set"> {
  let summary = "Writes a field of this element";
  let arguments = (ins StrAttr:$field, AnyFloat:$value);
  let assemblyFormat = "$field `,` $value attr-dict `:` type($value)";
}

def Hebb_AccumulateOp : Hebb_Op<"accumulate"> {
  let summary = "Adds into a variable or input of the postsynaptic neuron";
  let arguments = (ins StrAttr:$field, AnyFloat:$value);
  let assemblyFormat = "$field `,` $value attr-dict `:` type($value)";
}

def Hebb_ParamGetOp : Hebb_Op<"param_get", [Pure]> {
  let summary = "Reads a parameter of the enclosing instance";
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Hebb_SignalOp : Hebb_Op<"signal", [Pure]> {
  let summary = "Reads a network signal's current value";
  let arguments = (ins StrAttr:$name);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Hebb_RandOp : Hebb_Op<"rand", [Pure]> {
  let summary = "A random number, uniform on [0, 1) or standard normal";
  let description = [{
    Drawn from Philox4x32-10 keyed by the network seed and the instance's
    stream, with the counter (element, step, draw): the same numbers on any
    number of threads or any device. `draw` tells apart the calls of one
    stage; The front end numbers them.
  }];
  let arguments = (ins StrAttr:$distribution, I32Attr:$draw);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$distribution `draw` $draw attr-dict `:` type($result)";
}

def Hebb_PoissonOp : Hebb_Op<"poisson", [Pure]> {
  let summary = "A Poisson-distributed count with mean `lambda`";
  let description = [{
    Inverts the Poisson distribution function at one uniform number drawn
    as `hebb.rand` draws (same key, counter and draw numbering), summing
    the probabilities of counts 0 to 23: exact, to the resolution of the
    24-bit uniform, for lambda up to 6. Above 6, the count is
    max(0, round(lambda + sqrt(lambda) z)) for a standard normal z from
    the same draw (the normal approximation). The branch-free form keeps
    the loop it sits in vectorisable.
  }];
  let arguments = (ins AnyFloat:$lambda, I32Attr:$draw);
  let results = (outs AnyFloat:$result);
  let assemblyFormat =
      "$lambda `draw` $draw attr-dict `:` type($lambda) `->` type($result)";
}

def Hebb_TimeOp : Hebb_Op<"time", [Pure]> {
  let summary = "The time at the start of this step, in seconds";
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Hebb_DtOp : Hebb_Op<"dt", [Pure]> {
  let summary = "The time step, in seconds";
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Hebb_IndexOp : Hebb_Op<"index", [Pure]> {
  let summary = "The element's index in its population (or pre/post's)";
  let arguments = (ins StrAttr:$scope);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$scope attr-dict `:` type($result)";
}

def Hebb_SizeOp : Hebb_Op<"size", [Pure]> {
  let summary = "The number of elements (N) of the instance";
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

#endif // HEBB_OPS_TD
