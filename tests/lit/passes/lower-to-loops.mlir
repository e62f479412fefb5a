// RUN: hebb-opt %s --hebb-lower-to-loops | FileCheck %s
// RUN: hebb-opt %s --hebb-lower-to-loops | FileCheck %s --check-prefix=NOHEBB

// Every stage becomes a kernel `<instance>__<stage>` with the runtime's ABI
//   (begin, end, step, t, dt, seed, params, signals, buffers...),
// a `hebb.buffers` manifest naming the buffers after the 8 fixed arguments,
// in order, and a `hebb.domain` saying what [begin, end) ranges over
// (neurons; synapses; events, the spiking neurons). No hebb op survives.
// A population's kernels, whose buffers are all distinct arrays, carry
// `hebb.distinct_buffers` (the LLVM stage marks their pointers noalias); a
// projection's do not, since its pre and post fields may be the same
// population's.

// NOHEBB-NOT: {{^ *(%[^ ]+ = )?"?hebb\.}}
// NOHEBB: func.func @pop__init
// NOHEBB-NOT: {{^ *(%[^ ]+ = )?"?hebb\.}}

// --- Population init: one scf.for over [begin, end); rand() is Philox4x32-10
// keyed by (seed, stream) with counter (element, step lo, step hi, draw).
// CHECK-LABEL: func.func @pop__init(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index, %[[STEP:arg[0-9]+]]: i64, %{{arg[0-9]+}}: f64, %{{arg[0-9]+}}: f64, %[[SEED:arg[0-9]+]]: i64,
// CHECK-SAME: %{{arg[0-9]+}}: memref<?xf64> {llvm.noalias}, %{{arg[0-9]+}}: memref<?xf64> {llvm.noalias}, %[[KEYS:arg[0-9]+]]: memref<?xi32> {llvm.noalias}, %[[V:arg[0-9]+]]: memref<?xf32> {llvm.noalias})
// CHECK-SAME: attributes {hebb.buffers = ["stream:init", "field:v"], hebb.distinct_buffers, hebb.domain = "neurons", hebb.gpu_parallel, hebb.instance = "pop", hebb.kind = "init"} {
// The stream's key is read once, from the buffer the runtime fills with
// streamId("pop.init"): instances of one model share their code.
// CHECK: %[[KEY32:.*]] = memref.load %[[KEYS]][%{{.*}}] : memref<?xi32>
// CHECK-NEXT: %[[KEY:.*]] = arith.extui %[[KEY32]] : i32 to i64
// CHECK: scf.for %[[I:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[CTR0:.*]] = arith.index_castui %[[I]] : index to i32
// The rounds run in 64-bit lanes: a 32 x 32 -> 64 product gives both halves
// of a multiplication; a word is masked to 32 bits where it is multiplied
// and truncated where it is returned.
// CHECK-NEXT: %[[C:.*]] = arith.extui %[[CTR0]] : i32 to i64
// CHECK-NEXT: %[[LOW0:.*]] = arith.constant 4294967295 : i64
// CHECK-NEXT: arith.andi %[[STEP]], %[[LOW0]] : i64
// CHECK-NEXT: %[[C32:.*]] = arith.constant 32 : i64
// CHECK-NEXT: arith.shrui %[[STEP]], %[[C32]] : i64
// CHECK-DAG: %[[LOW:.*]] = arith.constant 4294967295 : i64
// CHECK-DAG: %[[M0:.*]] = arith.constant 3528531795 : i64
// CHECK-DAG: %[[W0:.*]] = arith.constant 2654435769 : i64
// CHECK: %[[X:.*]] = arith.andi %[[C]], %[[LOW]] : i64
// CHECK-NEXT: arith.muli %[[M0]], %[[X]] : i64
// CHECK: arith.addi %[[SEED]], %[[W0]] : i64
// CHECK-NEXT: arith.addi %[[KEY]], %{{.*}} : i64
// Ten rounds of two multiplications each.
// CHECK-COUNT-18: arith.muli %{{.*}} : i64
// CHECK-NOT: arith.muli
// CHECK: %[[WORD:.*]] = arith.trunci %{{.*}} : i64 to i32
// CHECK: %[[SH:.*]] = arith.shrui %[[WORD]], %{{.*}} : i32
// CHECK-NEXT: %[[F:.*]] = arith.uitofp %[[SH]] : i32 to f32
// CHECK-NEXT: %[[C24:.*]] = arith.constant 5.96046448E-8 : f32
// CHECK-NEXT: %[[U:.*]] = arith.mulf %[[F]], %[[C24]] : f32
// CHECK-NEXT: memref.store %[[U]], %[[V]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return

// --- Population step: state update, refractoriness, spike test and a
// predicated (branch-free) reset.
// CHECK-LABEL: func.func @pop__step(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index, %{{arg[0-9]+}}: i64, %{{arg[0-9]+}}: f64, %[[DT:arg[0-9]+]]: f64, %{{arg[0-9]+}}: i64,
// CHECK-SAME: %[[P:arg[0-9]+]]: memref<?xf64> {llvm.noalias}, %{{arg[0-9]+}}: memref<?xf64> {llvm.noalias},
// CHECK-SAME: %[[LEFT:arg[0-9]+]]: memref<?xf32> {llvm.noalias}, %[[V:arg[0-9]+]]: memref<?xf32> {llvm.noalias}, %[[IN:arg[0-9]+]]: memref<?xf32> {llvm.noalias}, %[[SPK:arg[0-9]+]]: memref<?xi8> {llvm.noalias})
// CHECK-SAME: attributes {hebb.buffers = ["refractory", "field:v", "field:I", "spiked"], hebb.distinct_buffers, hebb.domain = "neurons", hebb.gpu_parallel, hebb.instance = "pop", hebb.kind = "step", hebb.parallel} {
// CHECK-NOT: scf.if
// v_th is parameter 1, loaded once per call, before the loop.
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[TH64:.*]] = memref.load %[[P]][%[[C1]]] : memref<?xf64>
// CHECK-NEXT: %[[TH:.*]] = arith.truncf %[[TH64]] : f64 to f32
// CHECK: scf.for %[[I:.*]] = %[[B]] to %[[E]] step
// Refractory steps after a spike: ceil(t_ref / dt - slack) - 1, in f64.
// CHECK: %[[RATIO:.*]] = arith.divf %{{.*}}, %[[DT]] : f64
// CHECK: %[[CEIL:.*]] = math.ceil %{{.*}} : f64
// CHECK: %[[K64:.*]] = arith.subf %[[CEIL]], %{{.*}} : f64
// CHECK-NEXT: %[[K:.*]] = arith.truncf %[[K64]] : f64 to f32
// The countdown: one step less, refractory while some remain.
// CHECK-NEXT: %[[L0:.*]] = memref.load %[[LEFT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[L1:.*]] = arith.subf %[[L0]], %[[ONE]] : f32
// CHECK-NEXT: %[[FLOOR:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-NEXT: %[[LS:.*]] = arith.maximumf %[[L1]], %[[FLOOR]] : f32
// CHECK-NEXT: %[[NONE:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[REFR:.*]] = arith.cmpf oge, %[[LS]], %[[NONE]] : f32
// CHECK-NEXT: %[[HELD:.*]] = memref.load %[[V]][%[[I]]]
// CHECK: %[[V0:.*]] = memref.load %[[V]][%[[I]]]
// CHECK-NEXT: %[[I0:.*]] = memref.load %[[IN]][%[[I]]]
// CHECK-NEXT: %[[V1:.*]] = arith.addf %[[V0]], %[[I0]] : f32
// CHECK-NEXT: memref.store %[[V1]], %[[V]][%[[I]]]
// While refractory, v keeps its value.
// CHECK-NEXT: %[[V2:.*]] = memref.load %[[V]][%[[I]]]
// CHECK-NEXT: %[[V3:.*]] = arith.select %[[REFR]], %[[HELD]], %[[V2]] : f32
// CHECK-NEXT: memref.store %[[V3]], %[[V]][%[[I]]]
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %{{.*}}, %[[TH]] : f32
// CHECK: %[[NOTREFR:.*]] = arith.xori %[[REFR]], %{{.*}} : i1
// CHECK-NEXT: %[[FIRED:.*]] = arith.andi %[[ABOVE]], %[[NOTREFR]] : i1
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[V]][%[[I]]]
// CHECK-NEXT: %[[RESET:.*]] = arith.select %[[FIRED]], %[[ZERO]], %[[OLD]] : f32
// CHECK-NEXT: memref.store %[[RESET]], %[[V]][%[[I]]]
// CHECK-NEXT: %[[NEWLEFT:.*]] = arith.select %[[FIRED]], %[[K]], %[[LS]] : f32
// CHECK-NEXT: memref.store %[[NEWLEFT]], %[[LEFT]][%[[I]]]
// CHECK-NEXT: %[[FLAG:.*]] = arith.extui %[[FIRED]] : i1 to i8
// CHECK-NEXT: memref.store %[[FLAG]], %[[SPK]][%[[I]]] : memref<?xi8>
// CHECK-NEXT: }

// --- Projections: over all synapses (transmit, learn), over the synapses
// of the spiking presynaptic neurons (on_pre, CSR rows) and of the spiking
// postsynaptic neurons (on_post, CSC columns). Buffers of projections may
// alias: no llvm.noalias on them, and no hebb.distinct_buffers (the
// attribute dictionaries are matched whole, up to the region's brace).
// CHECK-LABEL: func.func @syn__transmit(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[PI:arg[0-9]+]]: memref<?xi32>, %[[QI:arg[0-9]+]]: memref<?xi32>, %[[W:arg[0-9]+]]: memref<?xf32>, %[[PV:arg[0-9]+]]: memref<?xf32>, %[[QIN:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["pre_index", "post_index", "field:w", "pre:v", "post:I"], hebb.distinct_buffers, hebb.domain = "synapses", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "transmit"} {
// CHECK: scf.for %[[S:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[PRE32:.*]] = memref.load %[[PI]][%[[S]]] : memref<?xi32>
// CHECK-NEXT: %[[PRE:.*]] = arith.index_castui %[[PRE32]] : i32 to index
// CHECK-NEXT: %[[POST32:.*]] = memref.load %[[QI]][%[[S]]] : memref<?xi32>
// CHECK-NEXT: %[[POST:.*]] = arith.index_castui %[[POST32]] : i32 to index
// CHECK: %[[WS:.*]] = memref.load %[[W]][%[[S]]]
// CHECK-NEXT: %[[X:.*]] = memref.load %[[PV]][%[[PRE]]]
// CHECK-NEXT: %[[WX:.*]] = arith.mulf %[[WS]], %[[X]] : f32
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[QIN]][%[[POST]]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[WX]] : f32
// CHECK-NEXT: memref.store %[[SUM]], %[[QIN]][%[[POST]]]

// Learning reads pre.x as transmitted this step ("prev:"), post.x as just
// computed, and signal "beta" at index 1 of the signals; `if` is a select.
// CHECK-LABEL: func.func @syn__learn(
// CHECK-SAME: %{{arg[0-9]+}}: memref<?xf64> {llvm.noalias}, %[[SIG:arg[0-9]+]]: memref<?xf64> {llvm.noalias},
// CHECK-SAME: attributes {hebb.buffers = ["pre_index", "post_index", "post:v", "prev:v", "field:w"], hebb.distinct_buffers, hebb.domain = "synapses", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "learn", hebb.parallel} {
// The signal and the parameter are loaded once per call, before the loop.
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT: memref.load %[[SIG]][%[[C1]]] : memref<?xf64>
// CHECK-NEXT: arith.truncf
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: memref.load %{{arg[0-9]+}}[%[[C0]]] : memref<?xf64>
// CHECK: scf.for
// CHECK: %[[COND:.*]] = arith.cmpf ogt
// CHECK-NEXT: %[[WOLD:.*]] = memref.load
// CHECK-NEXT: %[[WNEW:.*]] = arith.select %[[COND]], %{{.*}}, %[[WOLD]] : f32
// CHECK-NEXT: memref.store %[[WNEW]]
// CHECK-NOT: scf.if

// CHECK-LABEL: func.func @syn__on_pre(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[LAY:arg[0-9]+]]: memref<?xi32>, %[[EVR:arg[0-9]+]]: memref<?xi32>, %[[ROW:arg[0-9]+]]: memref<?xi32>, %[[QI:arg[0-9]+]]: memref<?xi32>, %[[W:arg[0-9]+]]: memref<?xf32>, %[[EV:arg[0-9]+]]: memref<?xi32>, %[[QIN:arg[0-9]+]]: memref<?xf32>)
// Its synapses write only themselves and their post neurons: the runtime
// may split its rows by ranges of post neurons (hebb.parallel).
// CHECK-SAME: attributes {hebb.buffers = ["row_layout", "event_rows", "row_bounds", "post_index", "field:w", "events", "post:I"], hebb.distinct_buffers, hebb.domain = "events", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "on_pre", hebb.parallel} {
// The row layout [stride, offset, gap], read once per call: row block r's
// synapses are [row_bounds[r * stride + offset], row_bounds[r * stride +
// offset + gap]).
// CHECK: %[[STRIDE32:.*]] = memref.load %[[LAY]][%c0] : memref<?xi32>
// CHECK-NEXT: %[[STRIDE:.*]] = arith.index_castui %[[STRIDE32]]
// CHECK: %[[OFF32:.*]] = memref.load %[[LAY]][%{{.*}}] : memref<?xi32>
// CHECK-NEXT: %[[OFF:.*]] = arith.index_castui %[[OFF32]]
// CHECK: %[[GAP32:.*]] = memref.load %[[LAY]][%c2] : memref<?xi32>
// CHECK-NEXT: %[[GAP:.*]] = arith.index_castui %[[GAP32]]
// CHECK: scf.for %[[K:.*]] = %[[B]] to %[[E]] step
// The row bounds of the spike 8 ahead, and each cache line of the row of
// the spike 4 ahead (indices and weights, at most 8 lines of 16 each), are
// prefetched.
// CHECK: %[[A8:.*]] = arith.addi %[[K]], %c8 : index
// CHECK: %[[R8:.*]] = arith.index_castui
// CHECK-NEXT: %[[M8:.*]] = arith.muli %[[R8]], %[[STRIDE]] : index
// CHECK-NEXT: %[[B8:.*]] = arith.addi %[[M8]], %[[OFF]] : index
// CHECK-NEXT: %[[E8:.*]] = arith.addi %[[B8]], %[[GAP]] : index
// CHECK-NEXT: memref.prefetch %[[ROW]][%[[B8]]], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[ROW]][%[[E8]]], read, locality<3>, data
// CHECK: %[[A4:.*]] = arith.addi %[[K]], %c4 : index
// CHECK: %[[F32:.*]] = memref.load %[[ROW]]
// CHECK-NEXT: %[[F:.*]] = arith.index_castui %[[F32]]
// CHECK-NEXT: %[[L32:.*]] = memref.load %[[ROW]]
// CHECK-NEXT: %[[L:.*]] = arith.index_castui %[[L32]]
// CHECK-NEXT: %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT: %[[CAP:.*]] = arith.addi %[[F]], %[[C128]] : index
// CHECK-NEXT: %[[STOP:.*]] = arith.minui %[[L]], %[[CAP]] : index
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: scf.for %[[P:.*]] = %[[F]] to %[[STOP]] step %[[C16]] {
// CHECK-NEXT: memref.prefetch %[[QI]][%[[P]]], read, locality<3>, data
// CHECK: scf.for %[[P2:.*]] = %[[F]] to %{{.*}} step %{{.*}} {
// CHECK-NEXT: memref.prefetch %[[W]][%[[P2]]], read, locality<3>, data
// The spike's row for its event row r (the pre itself, or its block of
// synapses of one delay).
// CHECK: memref.load %[[EV]][%[[K]]] : memref<?xi32>
// CHECK-NEXT: arith.index_castui
// CHECK-NEXT: %[[R32:.*]] = memref.load %[[EVR]][%[[K]]] : memref<?xi32>
// CHECK-NEXT: %[[R:.*]] = arith.index_castui %[[R32]] : i32 to index
// CHECK-NEXT: %[[RM:.*]] = arith.muli %[[R]], %[[STRIDE]] : index
// CHECK-NEXT: %[[RB:.*]] = arith.addi %[[RM]], %[[OFF]] : index
// CHECK-NEXT: %[[RE:.*]] = arith.addi %[[RB]], %[[GAP]] : index
// CHECK-NEXT: %[[LO32:.*]] = memref.load %[[ROW]][%[[RB]]]
// CHECK-NEXT: %[[LO:.*]] = arith.index_castui %[[LO32]]
// CHECK-NEXT: %[[HI32:.*]] = memref.load %[[ROW]][%[[RE]]]
// CHECK-NEXT: %[[HI:.*]] = arith.index_castui %[[HI32]]
// CHECK: scf.for %[[S:.*]] = %[[LO]] to %[[HI]] step
// CHECK: %[[WS:.*]] = memref.load %[[W]][%[[S]]]
// CHECK: arith.addf %{{.*}}, %[[WS]] : f32

// CHECK-LABEL: func.func @syn__on_post(
// CHECK-SAME: attributes {hebb.buffers = ["events", "col_ptr", "col_syn", "pre_index", "prev:v", "field:w"], hebb.distinct_buffers, hebb.domain = "events", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "on_post"} {
// CHECK: scf.for
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: %[[S32:.*]] = memref.load %{{.*}}[%[[C]]] : memref<?xi32>
// CHECK-NEXT: %[[S:.*]] = arith.index_castui %[[S32]] : i32 to index

// CHECK-NOT: hebb.get
// CHECK-NOT: hebb.set

module attributes {hebb.signals = ["reward", "beta"]} {
  hebb.population @pop size 8 model "N" {
    hebb.param @tau = 1.000000e-02 unit "s"
    hebb.param @v_th = 1.000000e+00 unit "1"
    hebb.field @v : f32 "element"
    hebb.field @I : f32 "element" input
    hebb.init {
      %0 = hebb.rand "uniform" draw 0 : f32
      hebb.set "v", %0 : f32
    }
    hebb.step {
      %0 = hebb.get "self" "v" : f32
      %1 = hebb.get "self" "I" : f32
      %2 = arith.addf %0, %1 : f32
      hebb.set "v", %2 : f32
    }
    hebb.spike {
      %0 = hebb.get "self" "v" : f32
      %1 = hebb.param_get @v_th : f32
      %2 = arith.cmpf ogt, %0, %1 : f32
      hebb.yield %2 : i1
    }
    hebb.reset {
      %cst = arith.constant 0.000000e+00 : f32
      hebb.set "v", %cst : f32
    }
    hebb.refractory {
      %cst = arith.constant 2.000000e-03 : f32
      hebb.yield %cst : f32
    }
  }
  hebb.projection @syn from @pop[0 : 4] to @pop[4 : 8] model "S" delay 1 {
    hebb.param @eta = 1.000000e-02 unit "1"
    hebb.field @w : f32 "element"
    hebb.on_pre {
      %0 = hebb.get "self" "w" : f32
      hebb.accumulate "I", %0 : f32
    }
    hebb.on_post {
      %0 = hebb.get "pre" "v" : f32
      %1 = hebb.get "self" "w" : f32
      %2 = arith.addf %0, %1 : f32
      hebb.set "w", %2 : f32
    }
    hebb.transmit {
      %0 = hebb.get "self" "w" : f32
      %1 = hebb.get "pre" "v" : f32
      %2 = arith.mulf %0, %1 : f32
      hebb.accumulate "I", %2 : f32
    }
    hebb.learn {
      %0 = hebb.param_get @eta : f32
      %1 = hebb.signal "beta" : f32
      %2 = hebb.get "post" "v" : f32
      %3 = hebb.get "pre" "v" : f32
      %4 = arith.mulf %0, %1 : f32
      %5 = arith.mulf %4, %2 : f32
      %6 = arith.mulf %5, %3 : f32
      %7 = hebb.get "self" "w" : f32
      %8 = arith.addf %7, %6 : f32
      %cst = arith.constant 0.000000e+00 : f32
      %9 = arith.cmpf ogt, %8, %cst : f32
      scf.if %9 {
        hebb.set "w", %8 : f32
      }
    }
  }
}
