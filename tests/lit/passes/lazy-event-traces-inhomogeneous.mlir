// An `event` equation must be homogeneous (dx/dt = a x). The pass checks
// linearity but not homogeneity: dx/dt = (1 - x) / tau is accepted and the
// catch-up it emits is x * exp(-(t - lastupdate) / tau), which drops the
// constant term 1/tau (the exact update is 1 + (x - 1) e^(-Δt/tau)).
// It should be rejected.
// XFAIL: *
// RUN: hebb-opt %s --hebb-lazy-event-traces -verify-diagnostics

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @x : f32 "element" event
  // expected-error @+1 {{dx/dt}}
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
