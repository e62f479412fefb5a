// RUN: hebb-opt %s --hebb-approximate-math | FileCheck %s
// RUN: hebb-opt %s '--hebb-approximate-math=libm-expm1=false' | FileCheck %s --check-prefix=GPU

// f32 exp becomes a polynomial (Cephes-style range reduction by ln 2,
// 2^n built from the exponent bits): no math.exp and no call is left, so a
// loop around it vectorises.
// CHECK-LABEL: func.func private @expm1(f64) -> f64
// CHECK-NOT: func.func private @expm1

// CHECK-LABEL: func.func @f32_exp(
// CHECK-SAME: %[[X:.*]]: f32) -> f32
// CHECK-NOT: math.exp
// CHECK-NOT: call
// CHECK: arith.constant 1.44269502 : f32
// CHECK: %[[CL:.*]] = arith.cmpf uge, %[[X]], %{{.*}} : f32
// CHECK: math.floor
// CHECK: math.fma
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.shli
// CHECK: %[[POW2:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK-NEXT: %[[R:.*]] = arith.mulf %{{.*}}, %[[POW2]] : f32
// CHECK-NEXT: return %[[R]] : f32
func.func @f32_exp(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// f32 expm1 is one branch-free line: k = round(x / ln2) by adding 1.5 * 2^23
// (12582912), r = x - k ln2 (Cody-Waite), e^r - 1 = r + r^2 Q(r) (Horner
// from 1/7! = 1.98412701E-4), then 2 (h (e^r - 1) + h - 1/2) with
// h = 2^(k-1) from the exponent bits, and +inf past 88.72: no exp, no log,
// no floor, no division, no call.
// CHECK-LABEL: func.func @f32_expm1(
// CHECK-SAME: %[[X:.*]]: f32
// CHECK-NOT: math.expm1
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.floor
// CHECK-NOT: arith.divf
// CHECK-NOT: call
// CHECK-DAG: %[[SHIFTER:.*]] = arith.constant 0x4B400000 : f32
// CHECK-DAG: %[[BIAS:.*]] = arith.constant 1056964608 : i32
// CHECK: %[[KF:.*]] = math.fma %{{.*}}, %{{.*}}, %[[SHIFTER]] : f32
// CHECK-NEXT: %[[K:.*]] = arith.subf %[[KF]], %[[SHIFTER]] : f32
// CHECK-NEXT: %[[R1:.*]] = math.fma %[[K]], %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: %[[R:.*]] = math.fma %[[K]], %{{.*}}, %[[R1]] : f32
// CHECK-NEXT: math.fma %{{.*}}, %[[R]], %{{.*}} : f32
// CHECK-COUNT-4: math.fma %{{.*}}, %[[R]], %{{.*}} : f32
// CHECK-NEXT: %[[R2:.*]] = arith.mulf %[[R]], %[[R]] : f32
// CHECK-NEXT: %[[EM1R:.*]] = math.fma %[[R2]], %{{.*}}, %[[R]] : f32
// CHECK-NEXT: %[[KB:.*]] = arith.bitcast %[[KF]] : f32 to i32
// CHECK-NEXT: %[[SH:.*]] = arith.shli %[[KB]], %{{.*}} : i32
// CHECK-NEXT: %[[BITS:.*]] = arith.addi %[[SH]], %[[BIAS]] : i32
// CHECK-NEXT: %[[H:.*]] = arith.bitcast %[[BITS]] : i32 to f32
// CHECK-NEXT: %[[HM:.*]] = arith.subf %[[H]], %{{.*}} : f32
// CHECK-NEXT: %[[F:.*]] = math.fma %[[H]], %[[EM1R]], %[[HM]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.mulf %[[F]], %{{.*}} : f32
// CHECK-NEXT: %[[BIG:.*]] = arith.cmpf ogt, %[[X]], %{{.*}} : f32
// CHECK-NEXT: %[[RES:.*]] = arith.select %[[BIG]], %{{.*}}, %[[D]] : f32
// CHECK-NEXT: return %[[RES]]
func.func @f32_expm1(%x: f32) -> f32 {
  %0 = math.expm1 %x : f32
  return %0 : f32
}

// f64 expm1 is a call to libm's expm1 (declared once in the module), not
// exp(x) - 1.
// CHECK-LABEL: func.func @f64_expm1(
// CHECK-SAME: %[[X:.*]]: f64, %[[Y:.*]]: f64) -> f64
// CHECK-NEXT: %[[A:.*]] = call @expm1(%[[X]]) : (f64) -> f64
// CHECK-NEXT: %[[B:.*]] = call @expm1(%[[Y]]) : (f64) -> f64
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f64
// CHECK-NEXT: return %[[S]] : f64
// Without libm (GPU code): f64 expm1 stays, for libdevice; f32 is expanded.
// GPU-NOT: func.func private @expm1
// GPU-LABEL: func.func @f32_expm1(
// GPU-NOT: math.expm1
// GPU-LABEL: func.func @f64_expm1(
// GPU-NEXT: math.expm1 %{{.*}} : f64
// GPU-NEXT: math.expm1 %{{.*}} : f64
// GPU-NOT: call @expm1
func.func @f64_expm1(%x: f64, %y: f64) -> f64 {
  %0 = math.expm1 %x : f64
  %1 = math.expm1 %y : f64
  %2 = arith.addf %0, %1 : f64
  return %2 : f64
}

// Other f64 functions are left to libm.
// CHECK-LABEL: func.func @f64_exp(
// CHECK-NEXT: %[[E:.*]] = math.exp %{{.*}} : f64
// CHECK-NEXT: return %[[E]] : f64
func.func @f64_exp(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  return %0 : f64
}

// tanh and log in f32 are expanded as well.
// CHECK-LABEL: func.func @f32_tanh_log(
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: return
func.func @f32_tanh_log(%x: f32) -> f32 {
  %0 = math.tanh %x : f32
  %1 = math.log %0 : f32
  return %1 : f32
}

// Inside a kernel loop, as hebb-lower-to-loops leaves it.
// CHECK-LABEL: func.func @kernel(
// CHECK: scf.for
// CHECK-NOT: math.exp
// CHECK: memref.store
func.func @kernel(%lo: index, %hi: index, %buf: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %0 = memref.load %buf[%i] : memref<?xf32>
    %1 = math.exp %0 : f32
    memref.store %1, %buf[%i] : memref<?xf32>
  }
  return
}
