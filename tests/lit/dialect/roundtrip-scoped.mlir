// RUN: hebb-opt %s | hebb-opt | FileCheck %s
// Stages with a scope, hebb.once, hebb.reduce and hebb.on_end print and
// parse back.

// CHECK-LABEL: hebb.population @p size 2 model "Unit"
hebb.population @p size 2 model "Unit" {
  hebb.field @s : f32 "element"
  hebb.field @snap : f32 "element"
  // CHECK: hebb.on_end "free" {
  // CHECK-NEXT: %[[S:.*]] = hebb.get "self" "s" : f32
  // CHECK-NEXT: hebb.set "snap", %[[S]] : f32
  hebb.on_end "free" {
    %0 = hebb.get "self" "s" : f32
    hebb.set "snap", %0 : f32
  }
}

// CHECK-LABEL: hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 dense
hebb.projection @syn from @p[0 : 2] to @p[0 : 2] model "S" delay 1 dense {
  hebb.field @w : f32 "element"
  hebb.field @x : f32 "pre"
  hebb.field @__sum_in_0 : f32 "post"
  // CHECK: hebb.init over "pre" {
  hebb.init over "pre" {
    %c = arith.constant 0.0 : f32
    hebb.set "x", %c : f32
  }
  // CHECK: hebb.on_pre {
  // CHECK: hebb.once {
  // CHECK: hebb.set "x"
  hebb.on_pre {
    %w = hebb.get "self" "w" : f32
    hebb.accumulate "s", %w : f32
    hebb.once {
      %x = hebb.get "self" "x" : f32
      %one = arith.constant 1.0 : f32
      %x1 = arith.addf %x, %one : f32
      hebb.set "x", %x1 : f32
    }
  }
  // CHECK: hebb.reduce "__sum_in_0" into "post" {
  // CHECK-NEXT: %[[W:.*]] = hebb.get "self" "w" : f32
  // CHECK-NEXT: hebb.yield %[[W]] : f32
  hebb.reduce "__sum_in_0" into "post" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
  // CHECK: hebb.reduce "__mean_out_1" into "pre" before "on_pre" {
  hebb.reduce "__mean_out_1" into "pre" before "on_pre" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
  // CHECK: hebb.reduce "__sum_in_2" into "post" before "on_end_sample" {
  hebb.reduce "__sum_in_2" into "post" before "on_end_sample" {
    %w = hebb.get "self" "w" : f32
    hebb.yield %w : f32
  }
  // CHECK: hebb.learn over "pre" {
  hebb.learn over "pre" {
    %x = hebb.get "self" "x" : f32
    hebb.set "x", %x : f32
  }
}
