// RUN: hebb-opt %s --hebb-lazy-event-traces | FileCheck %s

// The `: event` traces of STDP (examples/song2000.hebb) are not stepped:
// a per-synapse f64 `lastupdate` field is added, and every on_pre and
// on_post starts by bringing each trace up to date exactly over
// T = t - lastupdate with the closed form of x' = a x + b (a, b constant),
//   x <- x e^z + (b T) phi(z),  z = a T,  phi(z) = expm1(z) / z,  phi(0) = 1,
// with a = d(dx/dt)/dx = -1/tau and b = the right side at x = 0 (here
// -0/tau, so the trace decays as x e^(a T)), then records t, before the
// handler's own statements.

// CHECK-LABEL: hebb.projection @syn
// CHECK-NEXT: hebb.field @lastupdate : f64 "element"{{$}}
// CHECK-NOT: hebb.odes

// CHECK-LABEL: hebb.on_pre {
// CHECK-NEXT: %[[T:.*]] = hebb.time : f64
// CHECK-NEXT: %[[LAST:.*]] = hebb.get "self" "lastupdate" : f64
// CHECK-NEXT: %[[EL64:.*]] = arith.subf %[[T]], %[[LAST]] : f64
// CHECK-NEXT: %[[EL:.*]] = arith.truncf %[[EL64]] : f64 to f32
// CHECK-NEXT: %[[APRE:.*]] = hebb.get "self" "apre" : f32
// CHECK-NEXT: %[[APOST:.*]] = hebb.get "self" "apost" : f32
// The right sides at the current state (differentiated for a).
// CHECK-NEXT: %[[NPRE:.*]] = arith.negf %[[APRE]] : f32
// CHECK-NEXT: %[[TPRE:.*]] = hebb.param_get @tau_pre : f32
// CHECK-NEXT: %[[FPRE:.*]] = arith.divf %[[NPRE]], %[[TPRE]] : f32
// CHECK-NEXT: %[[NPOST:.*]] = arith.negf %[[APOST]] : f32
// CHECK-NEXT: %[[TPOST:.*]] = hebb.param_get @tau_post : f32
// CHECK-NEXT: %[[FPOST:.*]] = arith.divf %[[NPOST]], %[[TPOST]] : f32
// b: the right sides again, with every event variable set to 0 (built once
// per handler).
// CHECK-NEXT: %[[Z0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NZ0:.*]] = arith.negf %[[Z0]] : f32
// CHECK-NEXT: %[[TPRE_B:.*]] = hebb.param_get @tau_pre : f32
// CHECK-NEXT: %[[APRE_B:.*]] = arith.divf %[[NZ0]], %[[TPRE_B]] : f32
// CHECK-NEXT: %[[NZ1:.*]] = arith.negf %[[Z0]] : f32
// CHECK-NEXT: %[[TPOST_B:.*]] = hebb.param_get @tau_post : f32
// CHECK-NEXT: %[[APOST_B:.*]] = arith.divf %[[NZ1]], %[[TPOST_B]] : f32
// apre: a = d(-apre/tau_pre)/dapre = -1/tau_pre.
// CHECK-NEXT: %[[D1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[ND1:.*]] = arith.negf %[[D1]] : f32
// CHECK-NEXT: %[[APRE_A:.*]] = arith.divf %[[ND1]], %[[TPRE]] : f32
// z = a T, phi(z) with the removable singularity at 0 selected away.
// CHECK-NEXT: %[[APRE_Z:.*]] = arith.mulf %[[APRE_A]], %[[EL]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[APRE_ISZ:.*]] = arith.cmpf oeq, %[[APRE_Z]], %[[ZERO]] : f32
// CHECK-NEXT: %[[APRE_S:.*]] = arith.select %[[APRE_ISZ]], %[[ONE]], %[[APRE_Z]] : f32
// CHECK-NEXT: %[[APRE_E:.*]] = math.expm1 %[[APRE_S]] : f32
// CHECK-NEXT: %[[APRE_Q:.*]] = arith.divf %[[APRE_E]], %[[APRE_S]] : f32
// CHECK-NEXT: %[[APRE_PHI:.*]] = arith.select %[[APRE_ISZ]], %[[ONE]], %[[APRE_Q]] : f32
// x e^z + (b T) phi(z).
// CHECK-NEXT: %[[APRE_EXP:.*]] = math.exp %[[APRE_Z]] : f32
// CHECK-NEXT: %[[APRE_DEC:.*]] = arith.mulf %[[APRE]], %[[APRE_EXP]] : f32
// CHECK-NEXT: %[[APRE_BT:.*]] = arith.mulf %[[APRE_B]], %[[EL]] : f32
// CHECK-NEXT: %[[APRE_DRV:.*]] = arith.mulf %[[APRE_BT]], %[[APRE_PHI]] : f32
// CHECK-NEXT: %[[APRE_N:.*]] = arith.addf %[[APRE_DEC]], %[[APRE_DRV]] : f32
// apost: a = -1/tau_post; b is its right side at 0, built once above from
// the state before the catch-up.
// CHECK-NEXT: %[[D1B:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[ND1B:.*]] = arith.negf %[[D1B]] : f32
// CHECK-NEXT: %[[APOST_A:.*]] = arith.divf %[[ND1B]], %[[TPOST]] : f32
// CHECK-NEXT: %[[APOST_Z:.*]] = arith.mulf %[[APOST_A]], %[[EL]] : f32
// CHECK-NEXT: %[[ZERO2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ONE2:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[APOST_ISZ:.*]] = arith.cmpf oeq, %[[APOST_Z]], %[[ZERO2]] : f32
// CHECK-NEXT: %[[APOST_S:.*]] = arith.select %[[APOST_ISZ]], %[[ONE2]], %[[APOST_Z]] : f32
// CHECK-NEXT: %[[APOST_E:.*]] = math.expm1 %[[APOST_S]] : f32
// CHECK-NEXT: %[[APOST_Q:.*]] = arith.divf %[[APOST_E]], %[[APOST_S]] : f32
// CHECK-NEXT: %[[APOST_PHI:.*]] = arith.select %[[APOST_ISZ]], %[[ONE2]], %[[APOST_Q]] : f32
// CHECK-NEXT: %[[APOST_EXP:.*]] = math.exp %[[APOST_Z]] : f32
// CHECK-NEXT: %[[APOST_DEC:.*]] = arith.mulf %[[APOST]], %[[APOST_EXP]] : f32
// CHECK-NEXT: %[[APOST_BT:.*]] = arith.mulf %[[APOST_B]], %[[EL]] : f32
// CHECK-NEXT: %[[APOST_DRV:.*]] = arith.mulf %[[APOST_BT]], %[[APOST_PHI]] : f32
// CHECK-NEXT: %[[APOST_N:.*]] = arith.addf %[[APOST_DEC]], %[[APOST_DRV]] : f32
// Both stored once both are computed.
// CHECK-NEXT: hebb.set "apre", %[[APRE_N]] : f32
// CHECK-NEXT: hebb.set "apost", %[[APOST_N]] : f32
// CHECK-NEXT: hebb.set "lastupdate", %[[T]] : f64
// The handler's own statements come after the catch-up.
// CHECK-NEXT: %[[W:.*]] = hebb.get "self" "w" : f32
// CHECK-NEXT: hebb.accumulate "ge", %[[W]] : f32
// CHECK: }

// CHECK-LABEL: hebb.on_post {
// CHECK-NEXT: %[[T2:.*]] = hebb.time : f64
// CHECK-NEXT: %[[LAST2:.*]] = hebb.get "self" "lastupdate" : f64
// CHECK-NEXT: %[[EL2_64:.*]] = arith.subf %[[T2]], %[[LAST2]] : f64
// CHECK-NEXT: %[[EL2:.*]] = arith.truncf %[[EL2_64]] : f64 to f32
// CHECK-NEXT: %[[APRE2:.*]] = hebb.get "self" "apre" : f32
// CHECK-NEXT: %[[APOST2:.*]] = hebb.get "self" "apost" : f32
// CHECK-NOT: hebb.set
// CHECK: %[[Z2:.*]] = arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK: math.expm1
// CHECK: %[[EXP2:.*]] = math.exp %[[Z2]] : f32
// CHECK-NEXT: %[[DEC2:.*]] = arith.mulf %[[APRE2]], %[[EXP2]] : f32
// CHECK-NEXT: %[[BT2:.*]] = arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK-NEXT: %[[DRV2:.*]] = arith.mulf %[[BT2]], %{{.*}} : f32
// CHECK-NEXT: %[[APRE2_N:.*]] = arith.addf %[[DEC2]], %[[DRV2]] : f32
// CHECK-NOT: hebb.set
// CHECK: %[[Z3:.*]] = arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK: math.expm1
// CHECK: %[[EXP3:.*]] = math.exp %[[Z3]] : f32
// CHECK-NEXT: %[[DEC3:.*]] = arith.mulf %[[APOST2]], %[[EXP3]] : f32
// CHECK-NEXT: %[[BT3:.*]] = arith.mulf %{{.*}}, %[[EL2]] : f32
// CHECK-NEXT: %[[DRV3:.*]] = arith.mulf %[[BT3]], %{{.*}} : f32
// CHECK-NEXT: %[[APOST2_N:.*]] = arith.addf %[[DEC3]], %[[DRV3]] : f32
// CHECK-NEXT: hebb.set "apre", %[[APRE2_N]] : f32
// CHECK-NEXT: hebb.set "apost", %[[APOST2_N]] : f32
// CHECK-NEXT: hebb.set "lastupdate", %[[T2]] : f64
// CHECK-NEXT: hebb.param_get @A_minus : f32
// No stepping.
// CHECK-NOT: hebb.odes

hebb.population @input size 1000 model "Poisson" {
}
hebb.population @out size 1 model "LIF_COBA" {
  hebb.field @ge : f32 "element"
}
hebb.projection @syn from @input[0 : 1000] to @out[0 : 1] model "STDP" delay 1 {
  hebb.param @tau_pre = 2.000000e-02 unit "s"
  hebb.param @tau_post = 2.000000e-02 unit "s"
  hebb.param @A_plus = 1.000000e-02 unit "1"
  hebb.param @A_minus = -1.050000e-02 unit "1"
  hebb.param @w_max = 1.000000e-02 unit "1"
  hebb.field @w : f32 "element"
  hebb.field @apre : f32 "element" event
  hebb.field @apost : f32 "element" event
  hebb.init {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = hebb.param_get @w_max : f32
    %1 = hebb.rand "uniform" draw 0 : f32
    %2 = arith.subf %0, %cst : f32
    %3 = arith.mulf %1, %2 : f32
    %4 = arith.addf %cst, %3 : f32
    hebb.set "w", %4 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    hebb.set "apre", %cst_0 : f32
    %cst_1 = arith.constant 0.000000e+00 : f32
    hebb.set "apost", %cst_1 : f32
  }
  hebb.odes ["apre", "apost"] methods ["event", "event"] {
  ^bb0(%arg0: f32, %arg1: f32):
    %0 = arith.negf %arg0 : f32
    %1 = hebb.param_get @tau_pre : f32
    %2 = arith.divf %0, %1 : f32
    %3 = arith.negf %arg1 : f32
    %4 = hebb.param_get @tau_post : f32
    %5 = arith.divf %3, %4 : f32
    hebb.yield %2, %5 : f32, f32
  }
  hebb.on_pre {
    %0 = hebb.get "self" "w" : f32
    hebb.accumulate "ge", %0 : f32
    %1 = hebb.param_get @A_plus : f32
    %2 = hebb.param_get @w_max : f32
    %3 = arith.mulf %1, %2 : f32
    %4 = hebb.get "self" "apre" : f32
    %5 = arith.addf %4, %3 : f32
    hebb.set "apre", %5 : f32
    %6 = hebb.get "self" "w" : f32
    %7 = hebb.get "self" "apost" : f32
    %8 = arith.addf %6, %7 : f32
    %cst = arith.constant 0.000000e+00 : f32
    %9 = hebb.param_get @w_max : f32
    %10 = arith.maximumf %8, %cst : f32
    %11 = arith.minimumf %10, %9 : f32
    hebb.set "w", %11 : f32
  }
  hebb.on_post {
    %0 = hebb.param_get @A_minus : f32
    %1 = hebb.param_get @w_max : f32
    %2 = arith.mulf %0, %1 : f32
    %3 = hebb.get "self" "apost" : f32
    %4 = arith.addf %3, %2 : f32
    hebb.set "apost", %4 : f32
    %5 = hebb.get "self" "w" : f32
    %6 = hebb.get "self" "apre" : f32
    %7 = arith.addf %5, %6 : f32
    %cst = arith.constant 0.000000e+00 : f32
    %8 = hebb.param_get @w_max : f32
    %9 = arith.maximumf %7, %cst : f32
    %10 = arith.minimumf %9, %8 : f32
    hebb.set "w", %10 : f32
  }
}
