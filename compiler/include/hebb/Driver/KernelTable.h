//===- KernelTable.h - The hebb_module of an object file --------*- C++ -*-===//
//
// What turns a module of kernels into something a C program links: a
// packed-argument entry point per kernel (as the JIT makes them) and the
// hebb_module table of hebb.h that names them and carries the network's
// description.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_KERNELTABLE_H
#define HEBB_DRIVER_KERNELTABLE_H

#include "hebb/runtime/Network.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace hebb {

/// Adds `<prefix>_module` to `module`: for each kernel of `spec` a
/// `void(void**)` wrapper, and the table. Only `<prefix>_module` stays
/// external, so that objects of several networks link into one program.
void addKernelTable(llvm::Module &module, const rt::NetworkSpec &spec,
                    const std::string &prefix);

} // namespace hebb

#endif // HEBB_DRIVER_KERNELTABLE_H
