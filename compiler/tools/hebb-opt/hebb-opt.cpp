//===- hebb-opt.cpp - mlir-opt for Hebb's dialects ------------------------===//

#include "hebb/Driver/Compiler.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  hebb::registerHebbPassesAndDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Hebb optimizer driver\n", registry));
}
