// RUN: hebb-opt %s --hebb-lower-to-loops | FileCheck %s
// RUN: hebb-opt %s --hebb-lower-to-loops | FileCheck %s --check-prefix=NOHEBB

// A `dense` projection (every pre to every post; here 3 pres to 5 posts)
// stores synapses post-major, s = j * n_pre + i (here j*3 + i): its kernels
// compute s and need no index arrays (no pre_index, post_index, row_ptr,
// col_ptr or col_syn buffer). init, transmit and learn range over
// postsynaptic rows ("post_rows") with an inner loop over the 3 pres; on_pre
// loops over the 5 posts of the spiking pre (strided, step 3 in s), on_post
// over the 3 pres of the spiking post's contiguous row. Pre and
// post indices are local to the projection's slices (the runtime offsets
// the buffers and the events).

// NOHEBB-NOT: {{^ *(%[^ ]+ = )?"?hebb\.}}
// NOHEBB-NOT: pre_index
// NOHEBB-NOT: post_index
// NOHEBB-NOT: row_ptr
// NOHEBB-NOT: col_ptr
// NOHEBB-NOT: col_syn

// CHECK-LABEL: func.func @syn__init(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %{{arg[0-9]+}}: memref<?xi32>, %[[W:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["stream:init", "field:w"], hebb.distinct_buffers, hebb.domain = "post_rows", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "init", hebb.parallel} {
// CHECK: scf.for %[[J:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[NQ:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[ST:.*]] = arith.constant 1 : index
// CHECK-NEXT: scf.for %[[I:.*]] = %[[C0]] to %[[NQ]] step %[[ST]] {
// CHECK-NEXT: %[[N:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[JN:.*]] = arith.muli %[[J]], %[[N]] : index
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[JN]], %[[I]] : index
// The random stream's counter is the synapse index.
// CHECK-NEXT: %[[CTR:.*]] = arith.index_castui %[[S]] : index to i32
// CHECK: arith.extui %[[CTR]] : i32 to i64
// CHECK: memref.store %{{.*}}, %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return

// transmit: post.I[j] += sum over i of w[s] * pre.v[i], summed in a register
// (reassociable, so that it vectorises) and stored once per post.
// CHECK-LABEL: func.func @syn__transmit(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[W:arg[0-9]+]]: memref<?xf32>, %[[PV:arg[0-9]+]]: memref<?xf32>, %[[QIN:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["field:w", "pre:v", "post:I"], hebb.distinct_buffers, hebb.domain = "post_rows", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "transmit"} {
// CHECK: scf.for %[[J:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[NQ:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[ST:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[TOTAL:.*]] = scf.for %[[I:.*]] = %[[C0]] to %[[NQ]] step %[[ST]] iter_args(%[[ACCUM:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[N:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[JN:.*]] = arith.muli %[[J]], %[[N]] : index
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[JN]], %[[I]] : index
// CHECK-NEXT: arith.index_castui %[[S]] : index to i32
// CHECK-NEXT: %[[WS:.*]] = memref.load %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: %[[X:.*]] = memref.load %[[PV]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[WX:.*]] = arith.mulf %[[WS]], %[[X]] : f32
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[ACCUM]], %[[WX]] fastmath<reassoc> : f32
// CHECK-NEXT: scf.yield %[[NEXT]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[QIN]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[TOTAL]] : f32
// CHECK-NEXT: memref.store %[[SUM]], %[[QIN]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return

// learn: w[s] += eta * beta * post.v[j] * prev.v[i].
// CHECK-LABEL: func.func @syn__learn(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[P:arg[0-9]+]]: memref<?xf64> {llvm.noalias}, %[[SIG:arg[0-9]+]]: memref<?xf64> {llvm.noalias},
// CHECK-SAME: %[[QV:arg[0-9]+]]: memref<?xf32>, %[[PV:arg[0-9]+]]: memref<?xf32>, %[[W:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["post:v", "prev:v", "field:w"], hebb.distinct_buffers, hebb.domain = "post_rows", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "learn", hebb.parallel} {
// Parameters and signals are loaded once per call, before the loops.
// CHECK-DAG: memref.load %[[P]]
// CHECK-DAG: memref.load %[[SIG]]
// CHECK: scf.for %[[J:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[NQ:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[ST:.*]] = arith.constant 1 : index
// CHECK-NEXT: scf.for %[[I:.*]] = %[[C0]] to %[[NQ]] step %[[ST]] {
// CHECK-NEXT: %[[N:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[JN:.*]] = arith.muli %[[J]], %[[N]] : index
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[JN]], %[[I]] : index
// CHECK-NOT: memref.load %[[P]]
// CHECK: %[[QVJ:.*]] = memref.load %[[QV]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: %[[PVI:.*]] = memref.load %[[PV]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[EB:.*]] = arith.mulf
// CHECK-NEXT: %[[EBQ:.*]] = arith.mulf %[[EB]], %[[QVJ]] : f32
// CHECK-NEXT: %[[DW:.*]] = arith.mulf %[[EBQ]], %[[PVI]] : f32
// CHECK-NEXT: %[[WS:.*]] = memref.load %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: %[[WN:.*]] = arith.addf %[[WS]], %[[DW]] : f32
// CHECK-NEXT: memref.store %[[WN]], %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return

// on_pre: for the spiking pre i, over the 5 posts j, s = j*3 + i (strided).
// CHECK-LABEL: func.func @syn__on_pre(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[EV:arg[0-9]+]]: memref<?xi32>, %[[W:arg[0-9]+]]: memref<?xf32>, %[[QIN:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["events", "field:w", "post:I"], hebb.distinct_buffers, hebb.domain = "events", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "on_pre"} {
// CHECK: scf.for %[[K:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[I32:.*]] = memref.load %[[EV]][%[[K]]] : memref<?xi32>
// CHECK-NEXT: %[[I:.*]] = arith.index_castui %[[I32]] : i32 to index
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[NP:.*]] = arith.constant 5 : index
// CHECK-NEXT: %[[ST:.*]] = arith.constant 1 : index
// CHECK-NEXT: scf.for %[[J:.*]] = %[[C0]] to %[[NP]] step %[[ST]] {
// CHECK-NEXT: %[[N:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[JN:.*]] = arith.muli %[[J]], %[[N]] : index
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[JN]], %[[I]] : index
// CHECK-NEXT: arith.index_castui %[[S]] : index to i32
// CHECK-NEXT: %[[WS:.*]] = memref.load %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[QIN]][%[[J]]] : memref<?xf32>
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[WS]] : f32
// CHECK-NEXT: memref.store %[[SUM]], %[[QIN]][%[[J]]] {hebb.accumulate} : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return

// on_post: for the spiking post j (its contiguous row), over the 3 pres i,
// s = j*3 + i; pre.v is the snapshot "prev:v".
// CHECK-LABEL: func.func @syn__on_post(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index,
// CHECK-SAME: %[[EV:arg[0-9]+]]: memref<?xi32>, %[[PV:arg[0-9]+]]: memref<?xf32>, %[[W:arg[0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {hebb.buffers = ["events", "prev:v", "field:w"], hebb.distinct_buffers, hebb.domain = "events", hebb.gpu_parallel, hebb.instance = "syn", hebb.kind = "on_post"} {
// CHECK: scf.for %[[K:.*]] = %[[B]] to %[[E]] step
// CHECK-NEXT: %[[J32:.*]] = memref.load %[[EV]][%[[K]]] : memref<?xi32>
// CHECK-NEXT: %[[J:.*]] = arith.index_castui %[[J32]] : i32 to index
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[NQ:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[ST:.*]] = arith.constant 1 : index
// CHECK-NEXT: scf.for %[[I:.*]] = %[[C0]] to %[[NQ]] step %[[ST]] {
// CHECK-NEXT: %[[N:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[JN:.*]] = arith.muli %[[J]], %[[N]] : index
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[JN]], %[[I]] : index
// CHECK-NEXT: arith.index_castui %[[S]] : index to i32
// CHECK-NEXT: %[[X:.*]] = memref.load %[[PV]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[WS:.*]] = memref.load %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: %[[WN:.*]] = arith.addf %[[X]], %[[WS]] : f32
// CHECK-NEXT: memref.store %[[WN]], %[[W]][%[[S]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return

module attributes {hebb.signals = ["beta"]} {
  hebb.population @pop size 8 model "N" {
    hebb.field @v : f32 "element"
    hebb.field @I : f32 "element" input
  }
  hebb.projection @syn from @pop[0 : 3] to @pop[3 : 8] model "S" delay 1 dense {
    hebb.param @eta = 1.000000e-02 unit "1"
    hebb.field @w : f32 "element"
    hebb.init {
      %0 = hebb.rand "uniform" draw 0 : f32
      hebb.set "w", %0 : f32
    }
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
      hebb.set "w", %8 : f32
    }
  }
}
