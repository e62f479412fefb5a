// RUN: hebb-opt %s -split-input-file --hebb-lazy-event-traces -verify-diagnostics

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op dx/dt is not linear in x; an event equation must be like dx/dt = -x / tau}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = arith.mulf %x, %x : f32
    hebb.yield %0 : f32
  }
  hebb.on_pre {
  }
}

// -----

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  hebb.field @y : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op dy/dt depends on x; event equations must each involve only their own variable}}
  hebb.odes ["x", "y"] methods ["event", "event"] {
  ^bb0(%x: f32, %y: f32):
    %0 = arith.negf %x : f32
    %1 = arith.subf %x, %y : f32
    hebb.yield %0, %1 : f32, f32
  }
  hebb.on_post {
  }
}

// -----

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op cannot differentiate dx/dt; an event equation must be linear, like dx/dt = -x / tau}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = math.atan %x : f32
    hebb.yield %0 : f32
  }
  hebb.on_pre {
  }
}

// -----

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  hebb.field @y : f32 "element" event
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = arith.negf %x : f32
    hebb.yield %0 : f32
  }
  // expected-error @+1 {{'hebb.odes' op a projection keeps its event equations in one hebb.odes}}
  hebb.odes ["y"] methods ["event"] {
  ^bb0(%y: f32):
    %0 = arith.negf %y : f32
    hebb.yield %0 : f32
  }
}
