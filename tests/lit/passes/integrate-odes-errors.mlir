// RUN: hebb-opt %s -split-input-file --hebb-integrate-odes -verify-diagnostics

// `exact` forced on a nonlinear equation is an error, not a silent
// fallback.
hebb.population @sq size 1 model "Sq" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op dv/dt is not linear in the integrated variables, so it cannot be integrated exactly; use ': exp_euler' or ': rk4'}}
    hebb.odes ["v"] methods ["exact"] {
    ^bb0(%v: f32):
      %0 = arith.mulf %v, %v : f32
      hebb.yield %0 : f32
    }
  }
}

// -----

// Linear in v but with a coefficient that depends on another integrated
// variable: still not `exact`.
hebb.population @cross size 1 model "Cross" {
  hebb.field @v : f32 "element"
  hebb.field @g : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op dv/dt is not linear in the integrated variables}}
    hebb.odes ["v", "g"] methods ["exact", "auto"] {
    ^bb0(%v: f32, %g: f32):
      %0 = arith.mulf %g, %v : f32
      %1 = arith.negf %g : f32
      hebb.yield %0, %1 : f32, f32
    }
  }
}

// -----

hebb.population @sq size 1 model "Sq" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op dv/dt is not linear in v, so exponential Euler does not apply; use ': rk4'}}
    hebb.odes ["v"] methods ["exp_euler"] {
    ^bb0(%v: f32):
      %0 = arith.mulf %v, %v : f32
      hebb.yield %0 : f32
    }
  }
}

// -----

hebb.population @atan size 1 model "Atan" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op cannot differentiate the right side of dv/dt to integrate it with 'exact'; use ': rk4'}}
    hebb.odes ["v"] methods ["exact"] {
    ^bb0(%v: f32):
      %0 = math.atan %v : f32
      hebb.yield %0 : f32
    }
  }
}
