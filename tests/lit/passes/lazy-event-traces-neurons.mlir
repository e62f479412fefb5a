// RUN: hebb-opt %s --hebb-lazy-event-traces | FileCheck %s

// `: event` traces of @pre and @post state are kept once per neuron with a
// per-neuron f64 time of last update. The spiking neuron's own traces are
// brought up to date at the start of the handler's hebb.once (and of a
// learning stage over those neurons), where they are written; every other
// read computes the value now without writing it.

hebb.population @a size 2 model "Poisson" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 dense {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @w : f32 "element"
  hebb.field @x : f32 "pre" event
  hebb.field @y : f32 "post" event
  hebb.init over "pre" {
    %cst = arith.constant 0.000000e+00 : f32
    hebb.set "x", %cst : f32
  }
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%arg0: f32):
    %0 = arith.negf %arg0 : f32
    %1 = hebb.param_get @tau : f32
    %2 = arith.divf %0, %1 : f32
    hebb.yield %2 : f32
  }
  hebb.odes ["y"] methods ["event"] {
  ^bb0(%arg0: f32):
    %0 = arith.negf %arg0 : f32
    %1 = hebb.param_get @tau : f32
    %2 = arith.divf %0, %1 : f32
    hebb.yield %2 : f32
  }
  hebb.on_pre {
    %0 = hebb.get "self" "y" : f32
    %1 = hebb.get "self" "w" : f32
    %2 = arith.subf %1, %0 : f32
    hebb.set "w", %2 : f32
    hebb.once {
      %cst = arith.constant 1.000000e+00 : f32
      %3 = hebb.get "self" "x" : f32
      %4 = arith.addf %3, %cst : f32
      hebb.set "x", %4 : f32
    }
  }
  hebb.on_post {
    %0 = hebb.get "self" "x" : f32
    %1 = hebb.get "self" "w" : f32
    %2 = arith.addf %1, %0 : f32
    hebb.set "w", %2 : f32
  }
}

// CHECK-LABEL: hebb.projection @p
// CHECK-DAG: hebb.field @lastupdate_pre : f64 "pre"
// CHECK-DAG: hebb.field @lastupdate_post : f64 "post"
// CHECK-NOT: hebb.odes
// The initial value is stored as it is.
// CHECK: hebb.init over "pre" {
// CHECK-NEXT: arith.constant
// CHECK-NEXT: hebb.set "x"
// CHECK-NEXT: }

// on_pre reads y of the postsynaptic side: y e^(a T) with T since y's
// last update, and nothing written to y.
// CHECK: hebb.on_pre {
// CHECK-NEXT: %[[T:.*]] = hebb.time : f64
// CHECK-NEXT: %[[LAST:.*]] = hebb.get "self" "lastupdate_post" : f64
// CHECK-NEXT: %[[EL:.*]] = arith.subf %[[T]], %[[LAST]] : f64
// CHECK-NEXT: %[[ELF:.*]] = arith.truncf %[[EL]] : f64 to f32
// CHECK-NEXT: %[[Y:.*]] = hebb.get "self" "y" : f32
// CHECK: %[[Z:.*]] = arith.mulf %{{.*}}, %[[ELF]] : f32
// CHECK: %[[E:.*]] = math.exp %[[Z]] : f32
// CHECK-NEXT: %[[DEC:.*]] = arith.mulf %[[Y]], %[[E]] : f32
// CHECK: %[[YNOW:.*]] = arith.addf %[[DEC]], %{{.*}} : f32
// CHECK-NOT: hebb.set "y"
// CHECK: %[[W:.*]] = hebb.get "self" "w" : f32
// CHECK-NEXT: arith.subf %[[W]], %[[YNOW]] : f32
// CHECK-NEXT: hebb.set "w"
// The spiking neuron's own x: caught up at the start of hebb.once, then
// read as stored.
// CHECK-NEXT: hebb.once {
// CHECK-NEXT: %[[T2:.*]] = hebb.time : f64
// CHECK-NEXT: hebb.get "self" "lastupdate_pre" : f64
// CHECK: hebb.set "x", %{{.*}} : f32
// CHECK-NEXT: hebb.set "lastupdate_pre", %[[T2]] : f64
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.0
// CHECK-NEXT: %[[X:.*]] = hebb.get "self" "x" : f32
// CHECK-NEXT: %[[X1:.*]] = arith.addf %[[X]], %[[ONE]] : f32
// CHECK-NEXT: hebb.set "x", %[[X1]] : f32
// CHECK-NEXT: }

// on_post reads x of the presynaptic side without writing it.
// CHECK: hebb.on_post {
// CHECK-NEXT: hebb.time : f64
// CHECK-NEXT: hebb.get "self" "lastupdate_pre" : f64
// CHECK-NOT: hebb.set "x"
// CHECK-NOT: hebb.set "lastupdate_pre"
// CHECK: hebb.set "w"
// CHECK-NEXT: }
