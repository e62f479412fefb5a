// RUN: hebb-opt %s --pass-pipeline='builtin.module(gpu.module(hebb-libdevice-to-instructions))' | FileCheck %s
// Calls of libdevice functions that are one exact PTX instruction become
// LLVM intrinsics, and their declarations go; others (exp in f64) stay.

// CHECK-LABEL: gpu.module @k
// CHECK-NOT: llvm.func @__nv_sqrtf
// CHECK-NOT: llvm.func @__nv_fma(
// CHECK-NOT: llvm.func @__nv_fabsf
// CHECK-NOT: llvm.func @__nv_floor(
// CHECK: llvm.func @__nv_exp(f64) -> f64
// CHECK-LABEL: llvm.func @f(
// CHECK: llvm.intr.sqrt(%{{.*}}) : (f32) -> f32
// CHECK: llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (f64, f64, f64) -> f64
// CHECK: llvm.intr.fabs(%{{.*}}) : (f32) -> f32
// CHECK: llvm.intr.floor(%{{.*}}) : (f64) -> f64
// CHECK: llvm.call @__nv_exp(%{{.*}}) : (f64) -> f64

module attributes {gpu.container_module} {
  gpu.module @k {
    llvm.func @__nv_sqrtf(f32) -> f32
    llvm.func @__nv_fma(f64, f64, f64) -> f64
    llvm.func @__nv_fabsf(f32) -> f32
    llvm.func @__nv_floor(f64) -> f64
    llvm.func @__nv_exp(f64) -> f64
    llvm.func @f(%x: f32, %y: f64) -> f64 {
      %0 = llvm.call @__nv_sqrtf(%x) : (f32) -> f32
      %1 = llvm.call @__nv_fma(%y, %y, %y) : (f64, f64, f64) -> f64
      %2 = llvm.call @__nv_fabsf(%0) : (f32) -> f32
      %3 = llvm.call @__nv_floor(%1) : (f64) -> f64
      %4 = llvm.call @__nv_exp(%3) : (f64) -> f64
      llvm.return %4 : f64
    }
  }
}
