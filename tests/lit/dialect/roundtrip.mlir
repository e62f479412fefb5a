// RUN: hebb-opt %s | hebb-opt | FileCheck %s
// RUN: hebb-opt %s --mlir-print-op-generic | hebb-opt | FileCheck %s

// Every op of the hebb dialect survives printing and parsing, in its custom
// form and in the generic form.

// CHECK-LABEL: module @net
// CHECK-SAME: hebb.signals = ["reward"]
module @net attributes {hebb.network = "net", hebb.signals = ["reward"]} {
  // CHECK: hebb.population @a size 10 model "N" {
  hebb.population @a size 10 model "N" {
    // CHECK-NEXT: hebb.param @tau = 1.000000e-02 unit "s"
    // CHECK-NEXT: hebb.param @v_th = -5.000000e-02 unit "V"
    // CHECK-NEXT: hebb.field @v : f32 "element"{{$}}
    // CHECK-NEXT: hebb.field @I : f32 "element" input{{$}}
    // CHECK-NEXT: hebb.field @acc : f64 "element"{{$}}
    hebb.param @tau = 1.000000e-02 unit "s"
    hebb.param @v_th = -5.000000e-02 unit "V"
    hebb.field @v : f32 "element"
    hebb.field @I : f32 "element" input
    hebb.field @acc : f64 "element"
    // CHECK: hebb.init {
    // CHECK-NEXT: %[[IDX:.*]] = hebb.index "self" : f32
    // CHECK-NEXT: %[[N:.*]] = hebb.size : f32
    // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[IDX]], %[[N]] : f32
    // CHECK-NEXT: hebb.set "v", %[[Q]] : f32
    // CHECK-NEXT: }
    hebb.init {
      %0 = hebb.index "self" : f32
      %1 = hebb.size : f32
      %2 = arith.divf %0, %1 : f32
      hebb.set "v", %2 : f32
    }
    // CHECK: hebb.step {
    // CHECK-NEXT: hebb.odes ["v"] methods ["auto"] {
    // CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
    // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[V]] : f32
    // CHECK-NEXT: %[[IN:.*]] = hebb.get "self" "I" : f32
    // CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[NEG]], %[[IN]] : f32
    // CHECK-NEXT: %[[TAU:.*]] = hebb.param_get @tau : f32
    // CHECK-NEXT: %[[D:.*]] = arith.divf %[[SUM]], %[[TAU]] : f32
    // CHECK-NEXT: hebb.yield %[[D]] : f32
    // CHECK-NEXT: }
    // CHECK-NEXT: %[[T:.*]] = hebb.time : f64
    // CHECK-NEXT: %[[DT:.*]] = hebb.dt : f64
    // CHECK-NEXT: %[[TDT:.*]] = arith.addf %[[T]], %[[DT]] : f64
    // CHECK-NEXT: hebb.set "acc", %[[TDT]] : f64
    // CHECK-NEXT: }
    hebb.step {
      hebb.odes ["v"] methods ["auto"] {
      ^bb0(%arg0: f32):
        %2 = arith.negf %arg0 : f32
        %3 = hebb.get "self" "I" : f32
        %4 = arith.addf %2, %3 : f32
        %5 = hebb.param_get @tau : f32
        %6 = arith.divf %4, %5 : f32
        hebb.yield %6 : f32
      }
      %t = hebb.time : f64
      %dt = hebb.dt : f64
      %s = arith.addf %t, %dt : f64
      hebb.set "acc", %s : f64
    }
    // CHECK: hebb.spike {
    // CHECK-NEXT: hebb.get "self" "v" : f32
    // CHECK-NEXT: hebb.param_get @v_th : f32
    // CHECK-NEXT: %[[C:.*]] = arith.cmpf ogt
    // CHECK-NEXT: hebb.yield %[[C]] : i1
    hebb.spike {
      %0 = hebb.get "self" "v" : f32
      %1 = hebb.param_get @v_th : f32
      %2 = arith.cmpf ogt, %0, %1 : f32
      hebb.yield %2 : i1
    }
    // CHECK: hebb.reset {
    // CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
    // CHECK-NEXT: hebb.set "v", %[[Z]] : f32
    // CHECK-NEXT: }
    hebb.reset {
      %cst = arith.constant 0.000000e+00 : f32
      hebb.set "v", %cst : f32
    }
    // CHECK: hebb.refractory {
    // CHECK-NEXT: %[[R:.*]] = arith.constant 2.000000e-03 : f32
    // CHECK-NEXT: hebb.yield %[[R]] : f32
    hebb.refractory {
      %cst = arith.constant 2.000000e-03 : f32
      hebb.yield %cst : f32
    }
  }

  // CHECK: hebb.population @b size 5 model "Rate" {
  hebb.population @b size 5 model "Rate" {
    hebb.field @v : f32 "element"
    hebb.field @I : f32 "element" input
  }

  // CHECK: hebb.projection @p from @a[2 : 8] to @b[0 : 5] model "S" delay 3 {
  hebb.projection @p from @a[2 : 8] to @b[0 : 5] model "S" delay 3 {
    // CHECK-NEXT: hebb.param @eta = 1.000000e-02 unit "1"
    // CHECK-NEXT: hebb.param @tau = 2.000000e-02 unit "s"
    // CHECK-NEXT: hebb.field @w : f32 "element"{{$}}
    // CHECK-NEXT: hebb.field @x : f32 "pre"{{$}}
    // CHECK-NEXT: hebb.field @y : f32 "post"{{$}}
    // CHECK-NEXT: hebb.field @g : f64 "proj"{{$}}
    // CHECK-NEXT: hebb.field @apre : f32 "element" event{{$}}
    hebb.param @eta = 1.000000e-02 unit "1"
    hebb.param @tau = 2.000000e-02 unit "s"
    hebb.field @w : f32 "element"
    hebb.field @x : f32 "pre"
    hebb.field @y : f32 "post"
    hebb.field @g : f64 "proj"
    hebb.field @apre : f32 "element" event
    // CHECK: hebb.init {
    // CHECK-NEXT: %[[U:.*]] = hebb.rand "uniform" draw 0 : f32
    // CHECK-NEXT: hebb.set "w", %[[U]] : f32
    // CHECK-NEXT: %[[PI:.*]] = hebb.index "pre" : f32
    // CHECK-NEXT: %[[QI:.*]] = hebb.index "post" : f32
    hebb.init {
      %0 = hebb.rand "uniform" draw 0 : f32
      hebb.set "w", %0 : f32
      %1 = hebb.index "pre" : f32
      %2 = hebb.index "post" : f32
      %3 = arith.addf %1, %2 : f32
      hebb.set "x", %3 : f32
    }
    // CHECK: hebb.odes ["apre"] methods ["event"] {
    hebb.odes ["apre"] methods ["event"] {
    ^bb0(%arg0: f32):
      %0 = arith.negf %arg0 : f32
      %1 = hebb.param_get @tau : f32
      %2 = arith.divf %0, %1 : f32
      hebb.yield %2 : f32
    }
    // CHECK: hebb.on_pre {
    // CHECK-NEXT: %[[W:.*]] = hebb.get "self" "w" : f32
    // CHECK-NEXT: hebb.accumulate "I", %[[W]] : f32
    hebb.on_pre {
      %0 = hebb.get "self" "w" : f32
      hebb.accumulate "I", %0 : f32
      %cst = arith.constant 1.000000e+00 : f32
      %1 = hebb.get "self" "apre" : f32
      %2 = arith.addf %1, %cst : f32
      hebb.set "apre", %2 : f32
    }
    // CHECK: hebb.on_post {
    // CHECK-NEXT: hebb.get "self" "y" : f32
    hebb.on_post {
      %0 = hebb.get "self" "y" : f32
      %cst = arith.constant 1.000000e+00 : f32
      %1 = arith.addf %0, %cst : f32
      hebb.set "y", %1 : f32
    }
    // CHECK: hebb.transmit {
    // CHECK-NEXT: hebb.get "self" "w" : f32
    // CHECK-NEXT: hebb.get "pre" "v" : f32
    // CHECK-NEXT: %[[WX:.*]] = arith.mulf
    // CHECK-NEXT: hebb.accumulate "I", %[[WX]] : f32
    // CHECK-NEXT: }
    hebb.transmit {
      %0 = hebb.get "self" "w" : f32
      %1 = hebb.get "pre" "v" : f32
      %2 = arith.mulf %0, %1 : f32
      hebb.accumulate "I", %2 : f32
    }
    // CHECK: hebb.learn {
    // CHECK-NEXT: hebb.signal "reward" : f32
    // CHECK-NEXT: hebb.get "post" "v" : f32
    // CHECK-NEXT: hebb.rand "normal" draw 1 : f32
    // CHECK: scf.if
    // CHECK: hebb.set "w"
    // CHECK: hebb.odes ["w", "g"] methods ["euler", "rk4"] {
    // CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: f64):
    hebb.learn {
      %0 = hebb.signal "reward" : f32
      %1 = hebb.get "post" "v" : f32
      %2 = hebb.rand "normal" draw 1 : f32
      %3 = arith.mulf %0, %1 : f32
      %4 = arith.addf %3, %2 : f32
      %cst = arith.constant 0.000000e+00 : f32
      %5 = arith.cmpf ogt, %4, %cst : f32
      scf.if %5 {
        hebb.set "w", %4 : f32
      }
      hebb.odes ["w", "g"] methods ["euler", "rk4"] {
      ^bb0(%a: f32, %b: f64):
        %n = arith.negf %a : f32
        %m = arith.negf %b : f64
        hebb.yield %n, %m : f32, f64
      }
    }
  }
}

// The other integration methods are accepted too.
// CHECK-LABEL: module @methods
module @methods {
  hebb.population @m size 1 model "M" {
    hebb.field @a : f32 "element"
    hebb.field @b : f32 "element"
    hebb.field @c : f32 "element"
    // CHECK: hebb.odes ["a", "b", "c"] methods ["exact", "exp_euler", "rk2"]
    hebb.step {
      hebb.odes ["a", "b", "c"] methods ["exact", "exp_euler", "rk2"] {
      ^bb0(%a: f32, %b: f32, %c: f32):
        hebb.yield %a, %b, %c : f32, f32, f32
      }
    }
  }
}
