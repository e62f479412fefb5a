//===- Passes.h - Passes of the hebb dialect --------------------*- C++ -*-===//

#ifndef HEBB_DIALECT_PASSES_H
#define HEBB_DIALECT_PASSES_H

#include "hebb/Dialect/HebbOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir::hebb {

#define GEN_PASS_DECL
#include "hebb/Dialect/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hebb/Dialect/Passes.h.inc"

} // namespace mlir::hebb

#endif // HEBB_DIALECT_PASSES_H
