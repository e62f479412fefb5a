// RUN: hebb-opt %s --hebb-approximate-math | mlir-opt --convert-scf-to-cf \
// RUN:   --convert-math-to-llvm --convert-arith-to-llvm --convert-func-to-llvm \
// RUN:   --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils | FileCheck %s

// The f32 expm1 that hebb-approximate-math expands (it runs in every
// exponential-Euler update) against libm's f64 expm1, run: the largest
// error in units in the last place of the f32 result, where exp(x) - 1
// would cancel ([-1, 1] by 2^-17) and over the range ([-30, 88.5] by
// 2^-10). Measured: 1.59 and 1.32 ulp.
// CHECK: {{^[01]\.[0-9]+$}}
// CHECK-NEXT: {{^[01]\.[0-9]+$}}

func.func private @printF64(f64)
func.func private @printI64(i64)
func.func private @printNewline()

// The largest error of the f32 expm1 against libm's f64 expm1, in units in
// the last place of the f32 result, over n points from lo by step.
func.func @max_ulp(%lo: f64, %step: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %one = arith.constant 1 : i32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%worst = %zero) -> f64 {
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    %x64 = math.fma %fi, %step, %lo : f64
    %x = arith.truncf %x64 : f64 to f32
    %y = math.expm1 %x : f32
    %xe = arith.extf %x : f32 to f64
    %ref = math.expm1 %xe : f64
    %ref32 = arith.truncf %ref : f64 to f32
    %a32 = math.absf %ref32 : f32
    %bits = arith.bitcast %a32 : f32 to i32
    %next = arith.addi %bits, %one : i32
    %up = arith.bitcast %next : i32 to f32
    %ulp32 = arith.subf %up, %a32 : f32
    %ulp = arith.extf %ulp32 : f32 to f64
    %ye = arith.extf %y : f32 to f64
    %d = arith.subf %ye, %ref : f64
    %ad = math.absf %d : f64
    %e = arith.divf %ad, %ulp : f64
    %w = arith.maximumf %worst, %e : f64
    scf.yield %w : f64
  }
  return %r : f64
}

func.func @main() {
  // Near 0, where exp(x) - 1 would cancel: [-1, 1] by 2^-17.
  %lo0 = arith.constant -1.0 : f64
  %s0 = arith.constant 7.62939453125e-6 : f64
  %n0 = arith.constant 262144 : index
  %e0 = call @max_ulp(%lo0, %s0, %n0) : (f64, f64, index) -> f64
  call @printF64(%e0) : (f64) -> ()
  call @printNewline() : () -> ()
  // [-30, 88.5] by about 1e-3.
  %lo1 = arith.constant -30.0 : f64
  %s1 = arith.constant 9.765625e-4 : f64
  %n1 = arith.constant 121344 : index
  %e1 = call @max_ulp(%lo1, %s1, %n1) : (f64, f64, index) -> f64
  call @printF64(%e1) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}
