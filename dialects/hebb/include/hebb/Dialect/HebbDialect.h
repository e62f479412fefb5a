//===- HebbDialect.h - The hebb dialect -------------------------*- C++ -*-===//

#ifndef HEBB_DIALECT_HEBBDIALECT_H
#define HEBB_DIALECT_HEBBDIALECT_H

#include "mlir/IR/Dialect.h"

#include "hebb/Dialect/HebbOpsDialect.h.inc"

#endif // HEBB_DIALECT_HEBBDIALECT_H
