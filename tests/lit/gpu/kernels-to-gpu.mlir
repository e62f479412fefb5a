// RUN: hebb-opt %s --hebb-kernels-to-gpu | FileCheck %s
// Each kernel becomes a gpu.func of @hebb_kernels with its arguments and
// attributes. A hebb.gpu_parallel kernel runs element begin + block_id *
// block_dim + thread_id on each thread, its marked adds atomic; others run
// on the first thread; prefetches go.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func @
// CHECK: gpu.module @hebb_kernels

// CHECK-LABEL: gpu.func @p__step(
// CHECK-SAME: %[[B:.*]]: index, %[[E:.*]]: index, %[[V:.*]]: memref<?xf32>) kernel
// CHECK-SAME: hebb.gpu_threads = "elements"
// CHECK-SAME: hebb.kind = "step"
// CHECK: %[[C:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[BID:.*]] = gpu.block_id x
// CHECK-NEXT: %[[BDIM:.*]] = gpu.block_dim x
// CHECK-NEXT: %[[MUL:.*]] = arith.muli %[[BID]], %[[BDIM]] : index
// CHECK-NEXT: %[[TID:.*]] = gpu.thread_id x
// CHECK-NEXT: %[[OFF:.*]] = arith.addi %[[MUL]], %[[TID]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[B]], %[[OFF]] : index
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[E]] : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: %[[X:.*]] = memref.load %[[V]][%[[I]]]
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[X]], %[[C]]
// CHECK-NEXT: memref.store %[[Y]], %[[V]][%[[I]]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.return

// CHECK-LABEL: gpu.func @c__on_pre(
// CHECK-SAME: %[[EV:arg[0-9]+]]: memref<?xi32>, %[[RP:arg[0-9]+]]: memref<?xi32>, %[[POST:arg[0-9]+]]: memref<?xi32>, %[[G:arg[0-9]+]]: memref<?xf32>) kernel
// CHECK-SAME: hebb.gpu_threads = "elements"
// CHECK-NOT: memref.prefetch
// CHECK: scf.if
// CHECK: scf.for
// CHECK: %[[J:.*]] = arith.index_castui
// CHECK-NEXT: memref.atomic_rmw addf %{{.*}}, %[[G]][%[[J]]] : (f32, memref<?xf32>) -> f32
// CHECK-NOT: memref.store
// CHECK: gpu.return

// Not marked: the whole body on thread 0 of block 0, the loop kept.
// CHECK-LABEL: gpu.func @c__reduce(
// CHECK-SAME: hebb.gpu_threads = "one"
// CHECK: %[[T:.*]] = gpu.thread_id x
// CHECK-NEXT: %[[T0:.*]] = arith.cmpi eq, %[[T]], %[[ZERO:.*]] : index
// CHECK-NEXT: %[[BL:.*]] = gpu.block_id x
// CHECK-NEXT: %[[B0:.*]] = arith.cmpi eq, %[[BL]], %[[ZERO]] : index
// CHECK-NEXT: %[[FIRST:.*]] = arith.andi %[[T0]], %[[B0]] : i1
// CHECK-NEXT: scf.if %[[FIRST]] {
// CHECK: scf.for
// CHECK: memref.store
// CHECK: gpu.return

// Marked, but a store before the element loop would run on every thread:
// one thread.
// CHECK-LABEL: gpu.func @c__init_pre(
// CHECK-SAME: hebb.gpu_threads = "one"

module {
  func.func @p__step(%begin: index, %end: index, %v: memref<?xf32>)
      attributes {hebb.kind = "step", hebb.gpu_parallel} {
    %c1 = arith.constant 1 : index
    %two = arith.constant 2.0 : f32
    scf.for %i = %begin to %end step %c1 {
      %x = memref.load %v[%i] : memref<?xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %v[%i] : memref<?xf32>
    }
    return
  }
  func.func @c__on_pre(%begin: index, %end: index, %events: memref<?xi32>,
                       %rows: memref<?xi32>, %post: memref<?xi32>,
                       %g: memref<?xf32>)
      attributes {hebb.kind = "on_pre", hebb.gpu_parallel} {
    %c1 = arith.constant 1 : index
    %w = arith.constant 0.5 : f32
    scf.for %e = %begin to %end step %c1 {
      %i32 = memref.load %events[%e] : memref<?xi32>
      %i = arith.index_castui %i32 : i32 to index
      %i1 = arith.addi %i, %c1 : index
      %lo32 = memref.load %rows[%i] : memref<?xi32>
      %hi32 = memref.load %rows[%i1] : memref<?xi32>
      %lo = arith.index_castui %lo32 : i32 to index
      %hi = arith.index_castui %hi32 : i32 to index
      memref.prefetch %post[%lo], read, locality<3>, data : memref<?xi32>
      scf.for %s = %lo to %hi step %c1 {
        %j32 = memref.load %post[%s] : memref<?xi32>
        %j = arith.index_castui %j32 : i32 to index
        %old = memref.load %g[%j] : memref<?xf32>
        %new = arith.addf %old, %w : f32
        memref.store %new, %g[%j] {hebb.accumulate} : memref<?xf32>
      }
    }
    return
  }
  func.func @c__reduce(%begin: index, %end: index, %run: memref<?xf32>)
      attributes {hebb.kind = "reduce"} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %begin to %end step %c1 {
      %x = memref.load %run[%c0] : memref<?xf32>
      memref.store %x, %run[%i] : memref<?xf32>
    }
    return
  }
  func.func @c__init_pre(%begin: index, %end: index, %x: memref<?xf32>)
      attributes {hebb.kind = "init_pre", hebb.gpu_parallel} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %x[%c0] : memref<?xf32>
    scf.for %i = %begin to %end step %c1 {
      memref.store %zero, %x[%i] : memref<?xf32>
    }
    return
  }
}
