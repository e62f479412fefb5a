// RUN: hebb-opt %s --hebb-unswitch-loops | FileCheck %s

// A branch on a value defined outside the loop becomes a choice between
// two copies of the loop, each with one side of the branch inlined; the
// loop's results come out of the choice.
// CHECK-LABEL: func.func @invariant(
// CHECK-SAME: %[[LAM:.*]]: f32, %[[X:.*]]: memref<?xf32>, %[[N:.*]]: index
// CHECK: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT: %[[LARGE:.*]] = arith.cmpf ogt, %[[LAM]], %[[SIX]] : f32
// CHECK-NEXT: %[[R:.*]] = scf.if %[[LARGE]] -> (f32) {
// CHECK-NEXT: %[[A:.*]] = scf.for {{.*}} iter_args(%[[SA:.*]] = {{.*}}) -> (f32) {
// CHECK-NEXT: %[[VA:.*]] = memref.load %[[X]]
// CHECK-NEXT: %[[PA:.*]] = math.sqrt %[[VA]] : f32
// CHECK-NEXT: %[[TA:.*]] = arith.addf %[[SA]], %[[PA]] : f32
// CHECK-NEXT: scf.yield %[[TA]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[A]] : f32
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[B:.*]] = scf.for {{.*}} iter_args(%[[SB:.*]] = {{.*}}) -> (f32) {
// CHECK-NEXT: %[[VB:.*]] = memref.load %[[X]]
// CHECK-NEXT: %[[PB:.*]] = arith.mulf %[[VB]], %[[LAM]] : f32
// CHECK-NEXT: %[[TB:.*]] = arith.addf %[[SB]], %[[PB]] : f32
// CHECK-NEXT: scf.yield %[[TB]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[B]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : f32
func.func @invariant(%lam: f32, %x: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %large = arith.cmpf ogt, %lam, %six : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%s = %zero) -> (f32) {
    %v = memref.load %x[%i] : memref<?xf32>
    %p = scf.if %large -> (f32) {
      %r = math.sqrt %v : f32
      scf.yield %r : f32
    } else {
      %r = arith.mulf %v, %lam : f32
      scf.yield %r : f32
    }
    %t = arith.addf %s, %p : f32
    scf.yield %t : f32
  }
  return %sum : f32
}

// A branch on a value of the loop stays where it is.
// CHECK-LABEL: func.func @variant(
// CHECK: scf.for
// CHECK-NEXT: memref.load
// CHECK-NEXT: arith.cmpf
// CHECK-NEXT: scf.if
// CHECK-NOT: scf.for
func.func @variant(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %neg = arith.cmpf olt, %v, %zero : f32
    scf.if %neg {
      memref.store %zero, %x[%i] : memref<?xf32>
    }
  }
  return
}

// A condition invariant in both loops of a nest leaves the outer one. The
// copy for a false condition loses the branch, which has no else side.
// CHECK-LABEL: func.func @nest(
// CHECK-SAME: %[[C:.*]]: i1,
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: scf.if %[[C]] {
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.store
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @nest(%c: i1, %x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.for %j = %c0 to %n step %c1 {
    scf.for %i = %c0 to %n step %c1 {
      scf.if %c {
        memref.store %zero, %x[%i] : memref<?xf32>
      }
    }
  }
  return
}

// At most two conditions per loop nest: four copies, the third branch kept
// in each.
// CHECK-LABEL: func.func @three(
// CHECK-COUNT-4: scf.for {{.*}} {
// CHECK-NOT: scf.for
func.func @three(%a: i1, %b: i1, %c: i1, %x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.if %a {
      memref.store %zero, %x[%i] : memref<?xf32>
    }
    scf.if %b {
      memref.store %one, %x[%i] : memref<?xf32>
    }
    scf.if %c {
      memref.store %two, %x[%i] : memref<?xf32>
    }
  }
  return
}
