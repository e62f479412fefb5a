//===- HebbOps.h - Operations of the hebb dialect ---------------*- C++ -*-===//

#ifndef HEBB_DIALECT_HEBBOPS_H
#define HEBB_DIALECT_HEBBOPS_H

#include "hebb/Dialect/HebbDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "hebb/Dialect/HebbOps.h.inc"

#endif // HEBB_DIALECT_HEBBOPS_H
