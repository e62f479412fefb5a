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

#include "llvm/ADT/StringMap.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace hebb {

/// Adds `<prefix>_module` to `module`: for each kernel of `spec` a
/// `void(void**)` wrapper, and the table. A kernel named in `merged` is the
/// code of the kernel it maps to. Only `<prefix>_module` stays external, so
/// that objects of several networks link into one program.
void addKernelTable(llvm::Module &module, const rt::NetworkSpec &spec,
                    const std::string &prefix,
                    const llvm::StringMap<std::string> &merged);

} // namespace hebb

#endif // HEBB_DRIVER_KERNELTABLE_H
