//===- HebbDialect.cpp - The hebb dialect ---------------------------------===//

#include "hebb/Dialect/HebbDialect.h"
#include "hebb/Dialect/HebbOps.h"

using namespace mlir;
using namespace mlir::hebb;

#include "hebb/Dialect/HebbOpsDialect.cpp.inc"

void HebbDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "hebb/Dialect/HebbOps.cpp.inc"
      >();
}
