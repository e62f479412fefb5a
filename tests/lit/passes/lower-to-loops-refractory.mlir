// A `hebb.refractory` must yield one period. One that yields nothing makes
// --hebb-lower-to-loops fail without any diagnostic (exit code 1, empty
// stderr): RefractoryOp has no verifier, and lowerPopulation sets
// `status = failure()` on `period->size() != 1` without emitting an error.
// XFAIL: *
// RUN: not hebb-opt %s --hebb-lower-to-loops 2>&1 | FileCheck %s

// CHECK: error: {{.*}}refractory
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
  hebb.refractory {
    hebb.yield
  }
}
