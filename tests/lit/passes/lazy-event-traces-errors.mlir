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
  // expected-error @+1 {{'hebb.odes' op a projection keeps the event equations of one scope in one hebb.odes}}
  hebb.odes ["y"] methods ["event"] {
  ^bb0(%y: f32):
    %0 = arith.negf %y : f32
    hebb.yield %0 : f32
  }
}

// -----

// The closed form is exact only for constant a and b: b may not read other
// per-synapse state (here the weight w).
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @x : f32 "element" event
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only); an event equation cannot read other state, signals or time}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %w = hebb.get "self" "w" : f32
    %0 = arith.subf %w, %x : f32
    %1 = hebb.param_get @tau : f32
    %2 = arith.divf %0, %1 : f32
    hebb.yield %2 : f32
  }
  hebb.on_pre {
  }
}

// -----

// Nor a: dx/dt = -w x is linear in x, but its rate is per-synapse state.
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only); an event equation cannot read other state, signals or time}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %w = hebb.get "self" "w" : f32
    %0 = arith.negf %x : f32
    %1 = arith.mulf %w, %0 : f32
    hebb.yield %1 : f32
  }
  hebb.on_post {
  }
}

// -----

// b may not read the postsynaptic neuron's state either: it changes between
// events.
hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only)}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %v = hebb.get "post" "v" : f32
    %0 = arith.subf %v, %x : f32
    hebb.yield %0 : f32
  }
  hebb.on_pre {
  }
}

// -----

// Nor time.
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only)}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %t = hebb.time : f64
    %t32 = arith.truncf %t : f64 to f32
    %0 = arith.subf %t32, %x : f32
    hebb.yield %0 : f32
  }
  hebb.on_pre {
  }
}

// -----

// Nor a signal, in b: a signal may change between two events, so the closed
// form over the elapsed time would use its value at the last event only.
module attributes {hebb.signals = ["drive"]} {
  hebb.population @a size 2 model "M" {
  }
  hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
    hebb.param @tau = 2.000000e-02 unit "s"
    hebb.field @x : f32 "element" event
    // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only); an event equation cannot read other state, signals or time}}
    hebb.odes ["x"] methods ["event"] {
    ^bb0(%x: f32):
      %s = hebb.signal "drive" : f32
      %0 = arith.subf %s, %x : f32
      %1 = hebb.param_get @tau : f32
      %2 = arith.divf %0, %1 : f32
      hebb.yield %2 : f32
    }
    hebb.on_pre {
    }
  }
}

// -----

// Nor a signal in a: dx/dt = -beta x with a signal beta.
module attributes {hebb.signals = ["beta"]} {
  hebb.population @a size 2 model "M" {
  }
  hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
    hebb.field @x : f32 "element" event
    // expected-error @+1 {{'hebb.odes' op dx/dt = a x + b needs a and b constant (parameters only); an event equation cannot read other state, signals or time}}
    hebb.odes ["x"] methods ["event"] {
    ^bb0(%x: f32):
      %beta = hebb.signal "beta" : f32
      %0 = arith.negf %x : f32
      %1 = arith.mulf %beta, %0 : f32
      hebb.yield %1 : f32
    }
    hebb.on_post {
    }
  }
}

// -----

// A parameter-only rate and drift is accepted (no diagnostic).
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.param @x_inf = 1.000000e+00 unit "1"
  hebb.field @x : f32 "element" event
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = hebb.param_get @x_inf : f32
    %1 = arith.subf %0, %x : f32
    %2 = hebb.param_get @tau : f32
    %3 = arith.divf %1, %2 : f32
    hebb.yield %3 : f32
  }
  hebb.on_pre {
  }
}

// -----

// One system, one time of last update: its variables share a scope.
hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "pre" event
  hebb.field @y : f32 "element" event
  // expected-error @+1 {{'hebb.odes' op event variables of one hebb.odes must share a scope}}
  hebb.odes ["x", "y"] methods ["event", "event"] {
  ^bb0(%x: f32, %y: f32):
    %0 = arith.negf %x : f32
    %1 = arith.negf %y : f32
    hebb.yield %0, %1 : f32, f32
  }
}

// -----

hebb.population @a size 2 model "M" {
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @x : f32 "proj" event
  // expected-error @+1 {{'hebb.odes' op ': event' equations of '@proj' state are not supported; drop ': event'}}
  hebb.odes ["x"] methods ["event"] {
  ^bb0(%x: f32):
    %0 = arith.negf %x : f32
    hebb.yield %0 : f32
  }
}
