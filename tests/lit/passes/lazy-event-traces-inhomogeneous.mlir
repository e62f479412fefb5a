// RUN: hebb-opt %s -split-input-file --hebb-lazy-event-traces | FileCheck %s

// An inhomogeneous event equation, dx/dt = (1 - x) / tau, i.e. x' = a x + b
// with a = -1/tau and b = 1/tau, is brought up to date exactly:
//   x e^(a T) + (b T) phi(a T) = 1 + (x - 1) e^(-T/tau),
// phi(z) = expm1(z) / z, with T = t - lastupdate. b is the right side at
// x = 0, (1 - 0)/tau: the constant term is kept, and it is b T, not
// f(x) T, that phi multiplies.

// CHECK-LABEL: hebb.projection @p
// CHECK-NEXT: hebb.field @lastupdate : f64 "element"{{$}}
// CHECK-NOT: hebb.odes
// CHECK-LABEL: hebb.on_pre {
// CHECK-NEXT: %[[T:.*]] = hebb.time : f64
// CHECK-NEXT: %[[LAST:.*]] = hebb.get "self" "lastupdate" : f64
// CHECK-NEXT: %[[EL64:.*]] = arith.subf %[[T]], %[[LAST]] : f64
// CHECK-NEXT: %[[EL:.*]] = arith.truncf %[[EL64]] : f64 to f32
// CHECK-NEXT: %[[X:.*]] = hebb.get "self" "x" : f32
// The right side at x (differentiated for a).
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[C1]], %[[X]] : f32
// CHECK-NEXT: %[[TAU:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[F:.*]] = arith.divf %[[D]], %[[TAU]] : f32
// b = (1 - 0)/tau, the right side cloned with x = 0 (built once per
// handler, before the derivatives).
// CHECK-NEXT: %[[X0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[C1B:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[DB:.*]] = arith.subf %[[C1B]], %[[X0]] : f32
// CHECK-NEXT: %[[TAUB:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[B:.*]] = arith.divf %[[DB]], %[[TAUB]] : f32
// a = d((1 - x)/tau)/dx = -1/tau.
// CHECK-NEXT: %[[DC1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NDC1:.*]] = arith.negf %[[DC1]] : f32
// CHECK-NEXT: %[[A:.*]] = arith.divf %[[NDC1]], %[[TAU]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.mulf %[[A]], %[[EL]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[ISZ:.*]] = arith.cmpf oeq, %[[Z]], %[[ZERO]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.select %[[ISZ]], %[[ONE]], %[[Z]] : f32
// CHECK-NEXT: %[[E:.*]] = math.expm1 %[[S]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[E]], %[[S]] : f32
// CHECK-NEXT: %[[PHI:.*]] = arith.select %[[ISZ]], %[[ONE]], %[[Q]] : f32
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[Z]] : f32
// CHECK-NEXT: %[[DEC:.*]] = arith.mulf %[[X]], %[[EXP]] : f32
// CHECK-NEXT: %[[BT:.*]] = arith.mulf %[[B]], %[[EL]] : f32
// CHECK-NEXT: %[[DRV:.*]] = arith.mulf %[[BT]], %[[PHI]] : f32
// CHECK-NEXT: %[[XN:.*]] = arith.addf %[[DEC]], %[[DRV]] : f32
// CHECK-NEXT: hebb.set "x", %[[XN]] : f32
// CHECK-NEXT: hebb.set "lastupdate", %[[T]] : f64
// The handler reads the brought-up-to-date x.
// CHECK-NEXT: %[[X2:.*]] = hebb.get "self" "x" : f32
// CHECK-NEXT: hebb.set "x", %[[X2]] : f32
// CHECK-NEXT: }
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @x : f32 "element" event
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %one = arith.constant 1.000000e+00 : f32
    %0 = arith.subf %one, %x : f32
    %1 = hebb.param_get @tau : f32
    %2 = arith.divf %0, %1 : f32
    hebb.yield %2 : f32
  }
  hebb.on_pre {
    %0 = hebb.get "self" "x" : f32
    hebb.set "x", %0 : f32
  }
}

// -----

// dx/dt = r, a constant drift (a = 0): x + b T with b = r, with no
// exponential.

// CHECK-LABEL: hebb.projection @drift
// CHECK-LABEL: hebb.on_post {
// CHECK-NEXT: %[[T:.*]] = hebb.time : f64
// CHECK-NEXT: %[[LAST:.*]] = hebb.get "self" "lastupdate" : f64
// CHECK-NEXT: %[[EL64:.*]] = arith.subf %[[T]], %[[LAST]] : f64
// CHECK-NEXT: %[[EL:.*]] = arith.truncf %[[EL64]] : f64 to f32
// CHECK-NEXT: %[[X:.*]] = hebb.get "self" "x" : f32
// The right side at x, then b: the right side at x = 0.
// CHECK-NEXT: hebb.param_get @r : f32
// CHECK-NEXT: arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = hebb.param_get @r : f32
// CHECK-NOT: math.exp
// CHECK-NOT: hebb.set
// CHECK: %[[RT:.*]] = arith.mulf %[[R]], %[[EL]] : f32
// CHECK-NEXT: %[[XN:.*]] = arith.addf %[[X]], %[[RT]] : f32
// CHECK-NEXT: hebb.set "x", %[[XN]] : f32
// CHECK-NEXT: hebb.set "lastupdate", %[[T]] : f64
// CHECK-NEXT: }
hebb.population @a size 2 model "M" {
}
hebb.projection @drift from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @r = 5.000000e+00 unit "1/s"
  hebb.field @x : f32 "element" event
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = hebb.param_get @r : f32
    hebb.yield %0 : f32
  }
  hebb.on_post {
  }
}
