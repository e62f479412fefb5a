// RUN: hebb-opt %s -split-input-file --hebb-integrate-odes | FileCheck %s

// A decoupled linear system with constant coefficients is integrated
// exactly, equation by equation, with the closed form
//   x + f dt (e^(a dt) - 1) / (a dt),  a = df/dx = -1/tau,
// applied as x + (a P x + P f(0)) with P = (e^(a dt) - 1) / a (dt at
// a dt = 0),
// guarded against a dt = 0, and evaluated once (no Runge-Kutta stages).

// CHECK-LABEL: hebb.population @lin
// CHECK: hebb.step {
// CHECK-NEXT: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-NEXT: %[[G:.*]] = hebb.get "self" "g" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: %[[VR:.*]] = hebb.param_get @v_rest : f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[VR]], %[[V]] : f32
// CHECK-NEXT: %[[TAU:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[FV:.*]] = arith.divf %[[D]], %[[TAU]] : f32
// CHECK-NEXT: %[[NG:.*]] = arith.negf %[[G]] : f32
// CHECK-NEXT: %[[TAUE:.*]] = hebb.param_get @tau_e : f32
// CHECK-NEXT: %[[FG:.*]] = arith.divf %[[NG]], %[[TAUE]] : f32
// CHECK-NOT: hebb.param_get
// CHECK-NOT: hebb.get
// The Jacobian's diagonal: -1/tau and -1/tau_e.
// CHECK: %[[AV:.*]] = arith.divf %{{.*}}, %[[TAU]] : f32
// CHECK: %[[AG:.*]] = arith.divf %{{.*}}, %[[TAUE]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.mulf %[[AV]], %[[DT]] : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ISZ:.*]] = arith.cmpf oeq, %[[Z]], %[[ZERO]] : f32
// CHECK-NEXT: %[[EM1:.*]] = math.expm1 %[[Z]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[EM1]], %[[AV]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.select %[[ISZ]], %[[DT]], %[[Q]] : f32
// b = f(v = 0); a is the same for every element: v + ((a P) v + P b).
// CHECK-NEXT: %[[VR0:.*]] = hebb.param_get @v_rest : f32
// CHECK-NEXT: %[[D0:.*]] = arith.subf %[[VR0]], %[[ZERO]] : f32
// CHECK-NEXT: %[[TAU0:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[BV:.*]] = arith.divf %[[D0]], %[[TAU0]] : f32
// CHECK: %[[AP:.*]] = arith.mulf %[[AV]], %[[P]] : f32
// CHECK-NEXT: %[[PB:.*]] = arith.mulf %[[P]], %[[BV]] fastmath<contract> : f32
// CHECK-NEXT: %[[APV:.*]] = arith.mulf %[[AP]], %[[V]] fastmath<contract> : f32
// CHECK-NEXT: %[[INC:.*]] = arith.addf %[[APV]], %[[PB]] fastmath<contract> : f32
// CHECK-NEXT: %[[VN:.*]] = arith.addf %[[V]], %[[INC]] : f32
// CHECK-NEXT: %[[GZ:.*]] = arith.mulf %[[AG]], %[[DT]] : f32
// CHECK: math.expm1
// CHECK: %[[GN:.*]] = arith.addf %[[G]], %{{.*}} : f32
// CHECK-NEXT: hebb.set "v", %[[VN]] : f32
// CHECK-NEXT: hebb.set "g", %[[GN]] : f32
// CHECK-NEXT: }
// CHECK-NOT: hebb.odes
hebb.population @lin size 4 model "Lin" {
  hebb.param @tau = 1.000000e-02 unit "s"
  hebb.param @v_rest = -6.500000e-02 unit "V"
  hebb.param @tau_e = 5.000000e-03 unit "s"
  hebb.field @v : f32 "element"
  hebb.field @g : f32 "element"
  hebb.step {
    hebb.odes ["v", "g"] methods ["auto", "auto"] {
    ^bb0(%v: f32, %g: f32):
      %0 = hebb.param_get @v_rest : f32
      %1 = arith.subf %0, %v : f32
      %2 = hebb.param_get @tau : f32
      %3 = arith.divf %1, %2 : f32
      %4 = arith.negf %g : f32
      %5 = hebb.param_get @tau_e : f32
      %6 = arith.divf %4, %5 : f32
      hebb.yield %3, %6 : f32, f32
    }
  }
}

// -----

// LIF_COBA: dv/dt depends on ge * v and gi * v, so the system is not linear
// in its variables, but each equation is linear in its own variable:
// exponential Euler, with dv/dt's coefficient -(1 + ge + gi) / tau_m
// frozen over the step (it depends on this step's ge and gi).

// CHECK-LABEL: hebb.population @coba
// CHECK: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-NEXT: %[[GE:.*]] = hebb.get "self" "ge" : f32
// CHECK-NEXT: %[[GI:.*]] = hebb.get "self" "gi" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK: %[[TAUM:.*]] = hebb.param_get @tau_m : f32
// CHECK-NEXT: %[[FV:.*]] = arith.divf %{{.*}}, %[[TAUM]] : f32
// CHECK-NOT: hebb.param_get @v_rest
// The diagonal entry of the Jacobian for v: (-1 - ge - gi) / tau_m.
// CHECK: %[[T1:.*]] = arith.mulf %[[GE]], %{{.*}} : f32
// CHECK-NEXT: %[[S1:.*]] = arith.addf %{{.*}}, %[[T1]] : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.negf
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %[[GI]], %[[NEG]] : f32
// CHECK-NEXT: %[[S2:.*]] = arith.addf %[[S1]], %[[T2]] : f32
// CHECK-NEXT: %[[AV:.*]] = arith.divf %[[S2]], %[[TAUM]] : f32
// CHECK: %[[Z:.*]] = arith.mulf %[[AV]], %[[DT]] : f32
// CHECK: math.expm1 %[[Z]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %{{.*}}, %[[AV]] : f32
// CHECK-NEXT: %[[P:.*]] = arith.select %{{.*}}, %[[DT]], %[[Q]] : f32
// b = f(v = 0) = (v_rest + ge E_exc + gi E_inh) / tau_m, then, a varying
// per element, v + (a v + b) P.
// CHECK: %[[TAUM0:.*]] = hebb.param_get @tau_m : f32
// CHECK-NEXT: %[[BV:.*]] = arith.divf %{{.*}}, %[[TAUM0]] : f32
// CHECK: %[[AVV:.*]] = arith.mulf %[[AV]], %[[V]] fastmath<contract> : f32
// CHECK-NEXT: %[[F:.*]] = arith.addf %[[AVV]], %[[BV]] fastmath<contract> : f32
// CHECK-NEXT: %[[INC:.*]] = arith.mulf %[[F]], %[[P]] : f32
// CHECK-NEXT: %[[VN:.*]] = arith.addf %[[V]], %[[INC]] : f32
// CHECK: math.expm1
// CHECK: %[[GEN:.*]] = arith.addf %[[GE]], %{{.*}} : f32
// CHECK: math.expm1
// CHECK: %[[GIN:.*]] = arith.addf %[[GI]], %{{.*}} : f32
// CHECK-NEXT: hebb.set "v", %[[VN]] : f32
// CHECK-NEXT: hebb.set "ge", %[[GEN]] : f32
// CHECK-NEXT: hebb.set "gi", %[[GIN]] : f32
// No matrix exponential (f64) and no Runge-Kutta stages.
// CHECK-NOT: arith.extf
// CHECK-NOT: hebb.odes
hebb.population @coba size 1 model "LIF_COBA" {
  hebb.param @tau_m = 1.000000e-02 unit "s"
  hebb.param @v_rest = -0.073999999999999996 unit "V"
  hebb.param @E_exc = 0.000000e+00 unit "V"
  hebb.param @E_inh = -8.000000e-02 unit "V"
  hebb.param @tau_e = 5.000000e-03 unit "s"
  hebb.param @tau_i = 1.000000e-02 unit "s"
  hebb.field @v : f32 "element"
  hebb.field @ge : f32 "element"
  hebb.field @gi : f32 "element"
  hebb.step {
    hebb.odes ["v", "ge", "gi"] methods ["auto", "auto", "auto"] {
    ^bb0(%arg0: f32, %arg1: f32, %arg2: f32):
      %0 = hebb.param_get @v_rest : f32
      %1 = arith.subf %0, %arg0 : f32
      %2 = hebb.param_get @E_exc : f32
      %3 = arith.subf %2, %arg0 : f32
      %4 = arith.mulf %arg1, %3 : f32
      %5 = arith.addf %1, %4 : f32
      %6 = hebb.param_get @E_inh : f32
      %7 = arith.subf %6, %arg0 : f32
      %8 = arith.mulf %arg2, %7 : f32
      %9 = arith.addf %5, %8 : f32
      %10 = hebb.param_get @tau_m : f32
      %11 = arith.divf %9, %10 : f32
      %12 = arith.negf %arg1 : f32
      %13 = hebb.param_get @tau_e : f32
      %14 = arith.divf %12, %13 : f32
      %15 = arith.negf %arg2 : f32
      %16 = hebb.param_get @tau_i : f32
      %17 = arith.divf %15, %16 : f32
      hebb.yield %11, %14, %17 : f32, f32, f32
    }
  }
}

// -----

// dv/dt = v^2 is not linear in v: RK4, four evaluations of the right side
// at v, v + dt/2 k1, v + dt/2 k2 and v + dt k3, combined with weights
// dt/6 (1, 2, 2, 1).

// CHECK-LABEL: hebb.population @sq
// CHECK: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: %[[K1:.*]] = arith.mulf %[[V]], %[[V]] : f32
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[H:.*]] = arith.mulf %[[DT]], %[[HALF]] : f32
// CHECK-NEXT: %[[S1:.*]] = arith.mulf %[[H]], %[[K1]] : f32
// CHECK-NEXT: %[[X2:.*]] = arith.addf %[[V]], %[[S1]] : f32
// CHECK-NEXT: %[[K2:.*]] = arith.mulf %[[X2]], %[[X2]] : f32
// CHECK-NEXT: %[[S2:.*]] = arith.mulf %[[H]], %[[K2]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.addf %[[V]], %[[S2]] : f32
// CHECK-NEXT: %[[K3:.*]] = arith.mulf %[[X3]], %[[X3]] : f32
// CHECK-NEXT: %[[S3:.*]] = arith.mulf %[[DT]], %[[K3]] : f32
// CHECK-NEXT: %[[X4:.*]] = arith.addf %[[V]], %[[S3]] : f32
// CHECK-NEXT: %[[K4:.*]] = arith.mulf %[[X4]], %[[X4]] : f32
// CHECK-NEXT: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT: %[[W:.*]] = arith.divf %[[DT]], %[[SIX]] : f32
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %[[TWO]], %[[K2]] : f32
// CHECK-NEXT: %[[A1:.*]] = arith.addf %[[K1]], %[[T2]] : f32
// CHECK-NEXT: %[[T3:.*]] = arith.mulf %[[TWO]], %[[K3]] : f32
// CHECK-NEXT: %[[A2:.*]] = arith.addf %[[A1]], %[[T3]] : f32
// CHECK-NEXT: %[[A3:.*]] = arith.addf %[[A2]], %[[K4]] : f32
// CHECK-NEXT: %[[INC:.*]] = arith.mulf %[[W]], %[[A3]] : f32
// CHECK-NEXT: %[[VN:.*]] = arith.addf %[[V]], %[[INC]] : f32
// CHECK-NEXT: hebb.set "v", %[[VN]] : f32
// CHECK-NOT: math.expm1
hebb.population @sq size 1 model "Sq" {
  hebb.field @v : f32 "element"
  hebb.step {
    hebb.odes ["v"] methods ["auto"] {
    ^bb0(%v: f32):
      %0 = arith.mulf %v, %v : f32
      hebb.yield %0 : f32
    }
  }
}

// -----

// A right side the pass cannot differentiate (atan) falls back to RK4.

// CHECK-LABEL: hebb.population @atan
// CHECK: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-COUNT-4: math.atan
// CHECK-NOT: math.atan
// CHECK-NOT: math.expm1
// CHECK: hebb.set "v"
hebb.population @atan size 1 model "Atan" {
  hebb.field @v : f32 "element"
  hebb.step {
    hebb.odes ["v"] methods ["auto"] {
    ^bb0(%v: f32):
      %0 = math.atan %v : f32
      hebb.yield %0 : f32
    }
  }
}

// -----

// An explicit `euler` is x + dt f(x), even where exact integration applies.

// CHECK-LABEL: hebb.population @eu
// CHECK: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[V]] : f32
// CHECK-NEXT: %[[TAU:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[F:.*]] = arith.divf %[[N]], %[[TAU]] : f32
// CHECK: %[[STEP:.*]] = arith.mulf %[[DT]], %[[F]] : f32
// CHECK-NEXT: %[[VN:.*]] = arith.addf %[[V]], %[[STEP]] : f32
// CHECK-NEXT: hebb.set "v", %[[VN]] : f32
// CHECK-NOT: math.expm1
hebb.population @eu size 1 model "Eu" {
  hebb.param @tau = 1.000000e-02 unit "s"
  hebb.field @v : f32 "element"
  hebb.step {
    hebb.odes ["v"] methods ["euler"] {
    ^bb0(%v: f32):
      %0 = arith.negf %v : f32
      %1 = hebb.param_get @tau : f32
      %2 = arith.divf %0, %1 : f32
      hebb.yield %2 : f32
    }
  }
}

// -----

// An explicit `rk2` is the midpoint rule: x + dt f(x + dt/2 f(x)).

// CHECK-LABEL: hebb.population @mid
// CHECK: %[[V:.*]] = hebb.get "self" "v" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: %[[K1:.*]] = arith.mulf %[[V]], %[[V]] : f32
// CHECK: %[[H:.*]] = arith.mulf %[[DT]], %{{.*}} : f32
// CHECK-NEXT: %[[S1:.*]] = arith.mulf %[[H]], %[[K1]] : f32
// CHECK-NEXT: %[[X2:.*]] = arith.addf %[[V]], %[[S1]] : f32
// CHECK-NEXT: %[[K2:.*]] = arith.mulf %[[X2]], %[[X2]] : f32
// CHECK-NEXT: %[[STEP:.*]] = arith.mulf %[[DT]], %[[K2]] : f32
// CHECK-NEXT: %[[VN:.*]] = arith.addf %[[V]], %[[STEP]] : f32
// CHECK-NEXT: hebb.set "v", %[[VN]] : f32
hebb.population @mid size 1 model "Mid" {
  hebb.field @v : f32 "element"
  hebb.step {
    hebb.odes ["v"] methods ["rk2"] {
    ^bb0(%v: f32):
      %0 = arith.mulf %v, %v : f32
      hebb.yield %0 : f32
    }
  }
}

// -----

// A coupled linear system with element-invariant coefficients,
//   dx/dt = -x/tau + y/tau,  dy/dt = -y/tau2,  i.e. x' = M x + c,
// is integrated exactly from the exponential of the 2n x 2n matrix
//   exp([[M, I], [0, 0]] dt) = [[Phi, Gamma], [0, I]],
// in f64: A = [[M h, I h], [0, 0]] with h = dt / 2^12, F = exp(A) - I by
// Taylor terms (Horner, 1/8 down to 1/2), then 12 squarings
// F <- 2F + F F. Per element, c = f(0) and
//   x_new = x + (Phi - I) x + Gamma c,
// so the new x depends on y. Phi and Gamma depend on M and dt only.

// CHECK-LABEL: hebb.population @cpl
// CHECK: %[[X:.*]] = hebb.get "self" "x" : f32
// CHECK-NEXT: %[[Y:.*]] = hebb.get "self" "y" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: arith.negf %[[X]] : f32
// CHECK-NEXT: %[[TAU:.*]] = hebb.param_get @tau : f32
// CHECK: %[[FX:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: arith.negf %[[Y]] : f32
// CHECK-NEXT: %[[TAU2:.*]] = hebb.param_get @tau2 : f32
// CHECK-NEXT: %[[FY:.*]] = arith.divf %{{.*}}, %[[TAU2]] : f32
// The Jacobian M = [[-1/tau, 1/tau], [0, -1/tau2]].
// CHECK: %[[MXX:.*]] = arith.divf %{{.*}}, %[[TAU]] : f32
// CHECK: %[[MXY:.*]] = arith.divf %{{.*}}, %[[TAU]] : f32
// CHECK: %[[MYY:.*]] = arith.divf %{{.*}}, %[[TAU2]] : f32
// A = [[M h, I h], [0, 0]]; M's zero entry dy/dx is left out.
// CHECK-NEXT: %[[DT64:.*]] = arith.extf %[[DT]] : f32 to f64
// CHECK-NEXT: %[[SCALE:.*]] = arith.constant 2.44140625E-4 : f64
// CHECK-NEXT: %[[H:.*]] = arith.mulf %[[DT64]], %[[SCALE]] : f64
// CHECK-NEXT: %[[MXX64:.*]] = arith.extf %[[MXX]] : f32 to f64
// CHECK-NEXT: %[[AXX:.*]] = arith.mulf %[[MXX64]], %[[H]] : f64
// CHECK-NEXT: %[[MXY64:.*]] = arith.extf %[[MXY]] : f32 to f64
// CHECK-NEXT: %[[AXY:.*]] = arith.mulf %[[MXY64]], %[[H]] : f64
// CHECK-NEXT: %[[MYY64:.*]] = arith.extf %[[MYY]] : f32 to f64
// CHECK-NEXT: %[[AYY:.*]] = arith.mulf %[[MYY64]], %[[H]] : f64
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT: %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// The innermost Horner product A I: the identity block enters as h.
// CHECK-NEXT: arith.mulf %[[AXX]], %[[ONE]] : f64
// CHECK-NEXT: arith.mulf %[[AXY]], %[[ONE]] : f64
// CHECK-NEXT: arith.mulf %[[H]], %[[ONE]] : f64
// CHECK-NEXT: arith.mulf %[[AYY]], %[[ONE]] : f64
// CHECK-NEXT: arith.mulf %[[H]], %[[ONE]] : f64
// CHECK-NEXT: arith.constant 1.250000e-01 : f64
// CHECK: arith.constant 0.14285714285714285 : f64
// CHECK: arith.constant 0.16666666666666666 : f64
// CHECK: arith.constant 2.000000e-01 : f64
// CHECK: arith.constant 2.500000e-01 : f64
// CHECK: arith.constant 0.33333333333333331 : f64
// CHECK: arith.constant 5.000000e-01 : f64
// CHECK-NOT: arith.constant
// CHECK-NOT: math.expm1
// Twelve squarings of the six nonzero entries of F (Phi - I: xx, xy, yy;
// Gamma: xx, xy, yy); the last one gives the propagator.
// CHECK-COUNT-66: arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK: %[[T0:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[PXX:.*]] = arith.addf %[[T0]], %{{.*}} : f64
// CHECK-NEXT: %[[T1:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[PXY:.*]] = arith.addf %[[T1]], %{{.*}} : f64
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[GXX:.*]] = arith.addf %[[T2]], %{{.*}} : f64
// CHECK-NEXT: %[[T3:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[GXY:.*]] = arith.addf %[[T3]], %{{.*}} : f64
// CHECK-NEXT: %[[T4:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[PYY:.*]] = arith.addf %[[T4]], %{{.*}} : f64
// CHECK-NEXT: %[[T5:.*]] = arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NEXT: %[[GYY:.*]] = arith.addf %[[T5]], %{{.*}} : f64
// c = f(0), the right sides with x = y = 0.
// CHECK-NEXT: %[[Z0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Z1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NZ:.*]] = arith.negf %[[Z0]] : f32
// CHECK-NEXT: %[[TAUZ:.*]] = hebb.param_get @tau : f32
// CHECK-NEXT: %[[CX1:.*]] = arith.divf %[[NZ]], %[[TAUZ]] : f32
// CHECK-NEXT: %[[CX2:.*]] = arith.divf %[[Z1]], %[[TAUZ]] : f32
// CHECK-NEXT: %[[CX:.*]] = arith.addf %[[CX1]], %[[CX2]] : f32
// CHECK-NEXT: %[[NZY:.*]] = arith.negf %[[Z1]] : f32
// CHECK-NEXT: %[[TAU2Z:.*]] = hebb.param_get @tau2 : f32
// CHECK-NEXT: %[[CY:.*]] = arith.divf %[[NZY]], %[[TAU2Z]] : f32
// In f32, Gamma c first (the same for every element here), then
// x_new = x + ((Gxx cx + Gxy cy) + Fxx x + Fxy y), contractible to FMAs.
// CHECK-NEXT: %[[GXX32:.*]] = arith.truncf %[[GXX]] : f64 to f32
// CHECK-NEXT: %[[R1:.*]] = arith.mulf %[[GXX32]], %[[CX]] fastmath<contract> : f32
// CHECK-NEXT: %[[GXY32:.*]] = arith.truncf %[[GXY]] : f64 to f32
// CHECK-NEXT: %[[R2:.*]] = arith.mulf %[[GXY32]], %[[CY]] fastmath<contract> : f32
// CHECK-NEXT: %[[S2:.*]] = arith.addf %[[R2]], %[[R1]] fastmath<contract> : f32
// CHECK-NEXT: %[[PXX32:.*]] = arith.truncf %[[PXX]] : f64 to f32
// CHECK-NEXT: %[[R3:.*]] = arith.mulf %[[PXX32]], %[[X]] fastmath<contract> : f32
// CHECK-NEXT: %[[S3:.*]] = arith.addf %[[R3]], %[[S2]] fastmath<contract> : f32
// CHECK-NEXT: %[[PXY32:.*]] = arith.truncf %[[PXY]] : f64 to f32
// CHECK-NEXT: %[[R4:.*]] = arith.mulf %[[PXY32]], %[[Y]] fastmath<contract> : f32
// CHECK-NEXT: %[[S4:.*]] = arith.addf %[[R4]], %[[S3]] fastmath<contract> : f32
// CHECK-NEXT: %[[XN:.*]] = arith.addf %[[X]], %[[S4]] : f32
// y_new = y + (Gyy cy + Fyy y): x does not enter.
// CHECK-NEXT: %[[GYY32:.*]] = arith.truncf %[[GYY]] : f64 to f32
// CHECK-NEXT: %[[R5:.*]] = arith.mulf %[[GYY32]], %[[CY]] fastmath<contract> : f32
// CHECK-NEXT: %[[PYY32:.*]] = arith.truncf %[[PYY]] : f64 to f32
// CHECK-NEXT: %[[R6:.*]] = arith.mulf %[[PYY32]], %[[Y]] fastmath<contract> : f32
// CHECK-NEXT: %[[S6:.*]] = arith.addf %[[R6]], %[[R5]] fastmath<contract> : f32
// CHECK-NEXT: %[[YN:.*]] = arith.addf %[[Y]], %[[S6]] : f32
// CHECK-NEXT: hebb.set "x", %[[XN]] : f32
// CHECK-NEXT: hebb.set "y", %[[YN]] : f32
// CHECK-NEXT: }
hebb.population @cpl size 1 model "Cpl" {
  hebb.param @tau = 1.000000e-02 unit "s"
  hebb.param @tau2 = 5.000000e-03 unit "s"
  hebb.field @x : f32 "element"
  hebb.field @y : f32 "element"
  hebb.step {
    hebb.odes ["x", "y"] methods ["auto", "auto"] {
    ^bb0(%x: f32, %y: f32):
      %0 = arith.negf %x : f32
      %1 = hebb.param_get @tau : f32
      %2 = arith.divf %0, %1 : f32
      %3 = arith.divf %y, %1 : f32
      %4 = arith.addf %2, %3 : f32
      %5 = arith.negf %y : f32
      %6 = hebb.param_get @tau2 : f32
      %7 = arith.divf %5, %6 : f32
      hebb.yield %4, %7 : f32, f32
    }
  }
}

// -----

// The same coupled system with a coefficient that varies per element (k,
// a field: not integrated, so the system is still linear) would need a
// matrix exponential per element; `auto` picks exponential Euler instead:
// the closed form per equation, with the coupling term k y frozen over the
// step. No f64 matrix exponential.

// CHECK-LABEL: hebb.population @cplvar
// CHECK: %[[X:.*]] = hebb.get "self" "x" : f32
// CHECK-NEXT: %[[Y:.*]] = hebb.get "self" "y" : f32
// CHECK-NEXT: %[[DT:.*]] = hebb.dt : f32
// CHECK-NEXT: %[[K:.*]] = hebb.get "self" "k" : f32
// CHECK-NEXT: %[[NX:.*]] = arith.negf %[[X]] : f32
// CHECK-NEXT: %[[KY:.*]] = arith.mulf %[[K]], %[[Y]] : f32
// CHECK-NEXT: %[[FX:.*]] = arith.addf %[[NX]], %[[KY]] : f32
// CHECK-NOT: arith.extf
// CHECK: %[[ZX:.*]] = arith.mulf %[[AX:.*]], %[[DT]] : f32
// CHECK: %[[EX:.*]] = math.expm1 %[[ZX]] : f32
// CHECK-NEXT: %[[QX:.*]] = arith.divf %[[EX]], %[[AX]] : f32
// CHECK-NEXT: %[[PX:.*]] = arith.select %{{.*}}, %[[DT]], %[[QX]] : f32
// x's own coefficient -1 is the same everywhere: b = f(x = 0) = -0 + k y,
// then x + ((a P) x + P b).
// CHECK-NEXT: %[[K0:.*]] = hebb.get "self" "k" : f32
// CHECK: %[[KY0:.*]] = arith.mulf %[[K0]], %[[Y]] : f32
// CHECK-NEXT: %[[BX:.*]] = arith.addf %{{.*}}, %[[KY0]] : f32
// CHECK: %[[APX:.*]] = arith.mulf %[[AX]], %[[PX]] : f32
// CHECK-NEXT: %[[PBX:.*]] = arith.mulf %[[PX]], %[[BX]] fastmath<contract> : f32
// CHECK-NEXT: %[[APXX:.*]] = arith.mulf %[[APX]], %[[X]] fastmath<contract> : f32
// CHECK-NEXT: %[[INCX:.*]] = arith.addf %[[APXX]], %[[PBX]] fastmath<contract> : f32
// CHECK-NEXT: %[[XN:.*]] = arith.addf %[[X]], %[[INCX]] : f32
// CHECK: math.expm1
// CHECK: %[[YN:.*]] = arith.addf %[[Y]], %{{.*}} : f32
// CHECK-NEXT: hebb.set "x", %[[XN]] : f32
// CHECK-NEXT: hebb.set "y", %[[YN]] : f32
// CHECK-NOT: arith.extf
// CHECK-NOT: f64
hebb.population @cplvar size 4 model "CplVar" {
  hebb.param @tau = 1.000000e-02 unit "s"
  hebb.field @x : f32 "element"
  hebb.field @y : f32 "element"
  hebb.field @k : f32 "element"
  hebb.step {
    hebb.odes ["x", "y"] methods ["auto", "auto"] {
    ^bb0(%x: f32, %y: f32):
      %k = hebb.get "self" "k" : f32
      %0 = arith.negf %x : f32
      %1 = arith.mulf %k, %y : f32
      %2 = arith.addf %0, %1 : f32
      %3 = arith.negf %y : f32
      %4 = hebb.param_get @tau : f32
      %5 = arith.divf %3, %4 : f32
      hebb.yield %2, %5 : f32, f32
    }
  }
}

// -----

// An explicit `exact` on that system is honoured: the matrix exponential,
// per element.

// CHECK-LABEL: hebb.population @cplvarexact
// CHECK: %[[X:.*]] = hebb.get "self" "x" : f32
// CHECK-NEXT: %[[Y:.*]] = hebb.get "self" "y" : f32
// CHECK: %[[K:.*]] = hebb.get "self" "k" : f32
// The right side's k y, then its derivative in y, M[x][y] = k * 1.
// CHECK: arith.mulf %[[K]], %{{.*}} : f32
// CHECK: %[[MXY:.*]] = arith.mulf %[[K]], %{{.*}} : f32
// CHECK-NOT: math.expm1
// CHECK: %[[H:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK: %[[MXY64:.*]] = arith.extf %[[MXY]] : f32 to f64
// CHECK-NEXT: arith.mulf %[[MXY64]], %[[H]] : f64
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-COUNT-72: arith.mulf %{{.*}}, %[[TWO]] : f64
// CHECK-NOT: %[[TWO]]
// CHECK-NOT: math.expm1
// The propagator is rounded to f32 and applied there.
// CHECK: %[[XN:.*]] = arith.addf %[[X]], %{{[0-9]+}} : f32
// CHECK: %[[YN:.*]] = arith.addf %[[Y]], %{{[0-9]+}} : f32
// CHECK-NEXT: hebb.set "x", %[[XN]] : f32
// CHECK-NEXT: hebb.set "y", %[[YN]] : f32
hebb.population @cplvarexact size 4 model "CplVar" {
  hebb.param @tau = 1.000000e-02 unit "s"
  hebb.field @x : f32 "element"
  hebb.field @y : f32 "element"
  hebb.field @k : f32 "element"
  hebb.step {
    hebb.odes ["x", "y"] methods ["exact", "exact"] {
    ^bb0(%x: f32, %y: f32):
      %k = hebb.get "self" "k" : f32
      %0 = arith.negf %x : f32
      %1 = arith.mulf %k, %y : f32
      %2 = arith.addf %0, %1 : f32
      %3 = arith.negf %y : f32
      %4 = hebb.param_get @tau : f32
      %5 = arith.divf %3, %4 : f32
      hebb.yield %2, %5 : f32, f32
    }
  }
}

// -----

// `event` systems are left for hebb-lazy-event-traces.

// CHECK-LABEL: hebb.projection @ev
// CHECK: hebb.odes ["apre"] methods ["event"]
hebb.population @a size 2 model "M" {
}
hebb.projection @ev from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @apre : f32 "element" event
  hebb.odes ["apre"] methods ["event"] {
  ^bb0(%arg0: f32):
    %0 = arith.negf %arg0 : f32
    %1 = hebb.param_get @tau : f32
    %2 = arith.divf %0, %1 : f32
    hebb.yield %2 : f32
  }
}
