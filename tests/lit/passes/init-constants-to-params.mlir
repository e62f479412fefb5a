// RUN: hebb-opt %s --hebb-init-constants-to-params | FileCheck %s
// RUN: hebbc %S/../../../examples/potjans2014.hebb --set scale=0.1 --emit=mlir > %t.mlir
// RUN: sed -n '/func.func @L23E_L23E__init/,/^  }/p' %t.mlir | sed 's/L23E_L23E/X/g' > %t.a
// RUN: sed -n '/func.func @L4E_L23E__init/,/^  }/p' %t.mlir | sed 's/L4E_L23E/X/g' > %t.b
// RUN: diff %t.a %t.b
// RUN: FileCheck %s --check-prefix=SHARED < %t.a

// The float constants of initial values become parameters of the instance,
// after its own, arithmetic on constants folded first (2 * 3 is one
// parameter, 6) and constants nothing uses dropped; constants elsewhere
// (the step) stay.
// CHECK-LABEL: hebb.population @a size 4 model "M" {
// CHECK-NEXT: hebb.param @tau = 2.000000e-02 unit "s"
// CHECK-NEXT: hebb.param @__init0 = 5.000000e-01 unit ""
// CHECK-NEXT: hebb.param @__init1 = 6.000000e+00 unit ""
// CHECK-NEXT: hebb.field @v : f32 "element"
// CHECK: hebb.init {
// CHECK-NEXT: %[[U:.*]] = hebb.rand "uniform" draw 0 : f32
// CHECK-NEXT: %[[HALF:.*]] = hebb.param_get @__init0 : f32
// CHECK-NEXT: %[[SIX:.*]] = hebb.param_get @__init1 : f32
// CHECK-NEXT: %[[A:.*]] = arith.mulf %[[U]], %[[SIX]] : f32
// CHECK-NEXT: %[[B:.*]] = arith.addf %[[A]], %[[HALF]] : f32
// CHECK-NEXT: hebb.set "v", %[[B]] : f32
// CHECK-NOT: arith.constant
// CHECK: hebb.step {
// CHECK: arith.constant 1.000000e+00 : f32
hebb.population @a size 4 model "M" {
  hebb.param @tau = 2.000000e-02 unit "s"
  hebb.field @v : f32 "element"
  hebb.init {
    %u = hebb.rand "uniform" draw 0 : f32
    %two = arith.constant 2.000000e+00 : f32
    %three = arith.constant 3.000000e+00 : f32
    %half = arith.constant 5.000000e-01 : f32
    %unused = arith.constant 7.000000e+00 : f32
    %six = arith.mulf %two, %three : f32
    %a = arith.mulf %u, %six : f32
    %b = arith.addf %a, %half : f32
    hebb.set "v", %b : f32
  }
  hebb.step {
    %one = arith.constant 1.000000e+00 : f32
    hebb.set "v", %one : f32
  }
}

// The microcircuit's excitatory projections differ only in their weights'
// means (w_e, 2 w_e): their init kernels are the same code, which reads the
// means from the parameters.
// SHARED: func.func @X__init(
// SHARED-SAME: hebb.buffers = ["stream:init", "field:w", "field:__delay"]
// SHARED: memref.load %arg6
