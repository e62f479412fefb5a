// RUN: hebb-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'hebb.population' op needs at least one neuron, not 0}}
hebb.population @p size 0 model "M" {
}

// -----

hebb.population @a size 4 model "M" {
}
// expected-error @+1 {{'hebb.projection' op has an empty presynaptic range}}
hebb.projection @p from @a[2 : 2] to @a[0 : 4] model "S" delay 1 {
}

// -----

hebb.population @a size 4 model "M" {
}
// expected-error @+1 {{'hebb.projection' op has an empty presynaptic range}}
hebb.projection @p from @a[-1 : 2] to @a[0 : 4] model "S" delay 1 {
}

// -----

hebb.population @a size 4 model "M" {
}
// expected-error @+1 {{'hebb.projection' op has an empty postsynaptic range}}
hebb.projection @p from @a[0 : 4] to @a[3 : 1] model "S" delay 1 {
}

// -----

hebb.population @a size 4 model "M" {
}
// expected-error @+1 {{'hebb.projection' op needs a delay of at least one step}}
hebb.projection @p from @a[0 : 4] to @a[0 : 4] model "S" delay 0 {
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.field' op scope must be element, pre, post or proj, not 'neuron'}}
  hebb.field @v : f32 "neuron"
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.field' op a field holds floats, not 'i32'}}
  hebb.field @v : i32 "element"
}

// -----

hebb.population @a size 4 model "M" {
}
hebb.projection @p from @a[0 : 4] to @a[0 : 4] model "S" delay 1 {
  // expected-error @+1 {{'hebb.field' op inputs belong to populations}}
  hebb.field @I : f32 "element" input
}

// -----

// expected-error @+1 {{'hebb.field' op expects parent op to be one of 'hebb.population, hebb.projection'}}
hebb.field @v : f32 "element"

// -----

// expected-error @+1 {{'hebb.param' op expects parent op to be one of 'hebb.population, hebb.projection'}}
hebb.param @tau = 1.0 unit "s"

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.spike' op must yield one i1 condition}}
  hebb.spike {
    %0 = arith.constant 1.0 : f32
    hebb.yield %0 : f32
  }
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.spike' op must yield one i1 condition}}
  hebb.spike {
    %0 = arith.constant true
    hebb.yield %0, %0 : i1, i1
  }
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.spike' op must yield one i1 condition}}
  hebb.spike {
    hebb.yield
  }
}

// -----

// A refractory period yields exactly one float, the duration in seconds
// (f32 or f64). Without this verifier hebb-lower-to-loops failed with no
// diagnostic at all on a period that yields nothing.

hebb.population @a size 4 model "M" {
  hebb.field @v : f32 "element"
  hebb.spike {
    %0 = arith.constant true
    hebb.yield %0 : i1
  }
  hebb.reset {
    %c = arith.constant 0.0 : f32
    hebb.set "v", %c : f32
  }
  // expected-error @+1 {{'hebb.refractory' op must yield one float duration}}
  hebb.refractory {
    hebb.yield
  }
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.refractory' op must yield one float duration}}
  hebb.refractory {
    %0 = arith.constant 2 : i32
    hebb.yield %0 : i32
  }
}

// -----

hebb.population @a size 4 model "M" {
  // expected-error @+1 {{'hebb.refractory' op must yield one float duration}}
  hebb.refractory {
    %0 = arith.constant 2.0e-03 : f32
    hebb.yield %0, %0 : f32, f32
  }
}

// -----

// An f64 duration is accepted.
hebb.population @a size 4 model "M" {
  hebb.refractory {
    %0 = arith.constant 2.0e-03 : f64
    hebb.yield %0 : f64
  }
}

// -----

hebb.population @a size 4 model "M" {
}
hebb.projection @p from @a[0 : 4] to @a[0 : 4] model "S" delay 1 {
  // expected-error @+1 {{'hebb.spike' op expects parent op 'hebb.population'}}
  hebb.spike {
    %0 = arith.constant true
    hebb.yield %0 : i1
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op needs one method per variable}}
    hebb.odes ["v", "u"] methods ["auto"] {
    ^bb0(%v: f32, %u: f32):
      hebb.yield %v, %u : f32, f32
    }
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op needs one block argument per variable}}
    hebb.odes ["v", "u"] methods ["auto", "auto"] {
    ^bb0(%v: f32):
      hebb.yield %v, %v : f32, f32
    }
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op must yield one derivative per variable}}
    hebb.odes ["v", "u"] methods ["auto", "auto"] {
    ^bb0(%v: f32, %u: f32):
      hebb.yield %v : f32
    }
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.step {
    // expected-error @+1 {{'hebb.odes' op unknown integration method 'rk45'}}
    hebb.odes ["v"] methods ["rk45"] {
    ^bb0(%v: f32):
      hebb.yield %v : f32
    }
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.get' op scope must be self, pre or post}}
    %0 = hebb.get "other" "v" : f32
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.get' op reads pre/post state outside a projection}}
    %0 = hebb.get "pre" "v" : f32
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.field @v : f32 "element"
  hebb.step {
    // expected-error @+1 {{'hebb.get' op result #0 must be floating-point, but got 'i32'}}
    %0 = "hebb.get"() {scope = "self", field = "v"} : () -> i32
  }
}

// -----

hebb.population @a size 4 model "M" {
  hebb.step {
    // expected-error @+1 {{'hebb.step' op expects parent op to be one of 'hebb.population, hebb.projection'}}
    hebb.step {
    }
  }
}

// -----

hebb.population @p size 2 model "Unit" {
  hebb.field @s : f32 "element"
  // expected-error @+1 {{'hebb.init' op only a projection's stages have a scope}}
  hebb.init over "pre" {
  }
}

// -----

hebb.population @p size 2 model "Unit" {
  hebb.field @s : f32 "element"
}
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.learn' op scope must be pre, post or proj, not 'neuron'}}
  hebb.learn over "neuron" {
  }
}

// -----

hebb.population @p size 2 model "Unit" {
  hebb.field @s : f32 "element"
}
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.reduce' op sums into pre or post neurons, not 'proj'}}
  hebb.reduce "w" into "proj" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
}

// -----

hebb.population @p size 2 model "M" {
}
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.reduce' op runs before transmit, on_pre, on_post or on_end_<phase>, not 'learn'}}
  hebb.reduce "w" into "post" before "learn" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
}

// -----

hebb.population @p size 2 model "M" {
}
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.reduce' op combines by sum, min, max or cumsum, not 'median'}}
  hebb.reduce "w" into "post" by "median" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
}

// -----

hebb.population @p size 2 model "M" {
}
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 {
  hebb.field @w : f32 "element"
  // expected-error @+1 {{'hebb.reduce' op needs a running field exactly when it combines by cumsum}}
  hebb.reduce "w" into "post" by "cumsum" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
}

// -----

hebb.population @p size 4 model "Unit" {
}
// expected-error @+1 {{reads tied weights as a matrix, so it must be dense}}
hebb.projection @back from @p[0 : 4] to @p[0 : 4] model "S" delay 1 tied to @fwd {
}

// -----

hebb.population @p size 4 model "Unit" {
}
// expected-error @+1 {{draws its rows at each spike, so it cannot be dense}}
hebb.projection @all from @p[0 : 4] to @p[0 : 4] model "S" delay 1 dense procedural {
}
