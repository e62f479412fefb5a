// RUN: hebb-opt %s --hebb-hoist-reciprocals | FileCheck %s

// A division by a value defined outside the loop becomes a multiplication
// by its reciprocal, computed once before the outermost loop it is
// invariant in and shared by every division by it; a division by a value
// of the loop stays.
// CHECK-LABEL: func.func @divide(
// CHECK-SAME: %[[TAU:.*]]: f32, %[[X:.*]]: memref<?xf32>
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[ONE]], %[[TAU]] : f32
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: %[[V:.*]] = memref.load
// CHECK-NEXT: %[[A:.*]] = arith.mulf %[[V]], %[[R]] : f32
// CHECK-NEXT: %[[B:.*]] = arith.mulf %[[A]], %[[R]] : f32
// CHECK-NEXT: %[[C:.*]] = arith.divf %[[B]], %[[V]] : f32
// CHECK-NEXT: memref.store %[[C]]
// CHECK-NOT: arith.divf
func.func @divide(%tau: f32, %x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %j = %c0 to %n step %c1 {
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %x[%i] : memref<?xf32>
      %a = arith.divf %v, %tau : f32
      %b = arith.divf %a, %tau : f32
      %c = arith.divf %b, %v : f32
      memref.store %c, %x[%i] : memref<?xf32>
    }
  }
  return
}

// Outside loops nothing changes.
// CHECK-LABEL: func.func @straight(
// CHECK-NEXT: arith.divf
func.func @straight(%a: f32, %b: f32) -> f32 {
  %0 = arith.divf %a, %b : f32
  return %0 : f32
}
