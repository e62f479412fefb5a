// RUN: hebb-opt %s -split-input-file --hebb-lower-to-loops -verify-diagnostics

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.get' op reads unknown field 'u'}}
    %0 = hebb.get "self" "u" : f32
    hebb.set "v", %0 : f32
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    %0 = arith.constant 1.0 : f32
    // expected-error @+1 {{'hebb.set' op writes unknown field 'u'}}
    hebb.set "u", %0 : f32
  }
}

// -----

module attributes {hebb.signals = ["reward"]} {
  hebb.population @a size 2 model "M" {
    hebb.field @v : f32 "element"
    hebb.step {
      // expected-error @+1 {{'hebb.signal' op reads undeclared signal 'dopamine'}}
      %0 = hebb.signal "dopamine" : f32
      hebb.set "v", %0 : f32
    }
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.param_get' op reads unknown parameter}}
    %0 = hebb.param_get @tau : f32
    hebb.set "v", %0 : f32
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // The ODEs must be integrated first.
    // expected-error @+1 {{'hebb.odes' op cannot be lowered inside a stage}}
    hebb.odes ["v"] methods ["auto"] {
    ^bb0(%v: f32):
      hebb.yield %v : f32
    }
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  hebb.transmit {
    %0 = hebb.get "self" "w" : f32
    // expected-error @+1 {{'hebb.accumulate' op adds into unknown postsynaptic field 'I'}}
    hebb.accumulate "I", %0 : f32
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  hebb.init {
    // expected-error @+1 {{'hebb.size' op N is defined for populations only}}
    %0 = hebb.size : f32
    hebb.set "w", %0 : f32
  }
}

// -----

hebb.population @a size 2 model "M" {
  hebb.field @v : f32 "element"
}
hebb.projection @p from @a[0 : 2] to @a[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  hebb.learn {
    // expected-error @+1 {{'hebb.get' op reads unknown presynaptic field 'r'}}
    %0 = hebb.get "pre" "r" : f32
    hebb.set "w", %0 : f32
  }
}
