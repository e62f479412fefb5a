//===- KernelTable.cpp - The hebb_module of an object file ----------------===//

#include "hebb/Driver/KernelTable.h"
#include "hebb/hebb.h"
#include "hebb/runtime/SpecJson.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace hebb;

namespace {
/// `void name(void **args)`: loads each argument of `kernel` through the
/// pointer in args[i] and calls it, as MLIR's ExecutionEngine packs them.
llvm::Function *packedWrapper(llvm::Module &module, llvm::Function &kernel,
                              const std::string &name) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  auto *type = llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy()}, false);
  auto *wrapper = llvm::Function::Create(
      type, llvm::GlobalValue::InternalLinkage, name, module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::Value *list = wrapper->getArg(0);
  std::vector<llvm::Value *> args;
  for (llvm::Argument &arg : kernel.args()) {
    llvm::Value *slot =
        b.CreateConstGEP1_64(b.getPtrTy(), list, arg.getArgNo());
    llvm::Value *ptr = b.CreateLoad(b.getPtrTy(), slot);
    args.push_back(b.CreateLoad(arg.getType(), ptr));
  }
  b.CreateCall(&kernel, args);
  b.CreateRetVoid();
  return wrapper;
}

llvm::Constant *cString(llvm::Module &module, const std::string &text,
                        const std::string &name) {
  llvm::Constant *data =
      llvm::ConstantDataArray::getString(module.getContext(), text, true);
  auto *global =
      new llvm::GlobalVariable(module, data->getType(), true,
                               llvm::GlobalValue::PrivateLinkage, data, name);
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return global;
}
} // namespace

void hebb::addKernelTable(llvm::Module &module, const rt::NetworkSpec &spec,
                          const std::string &prefix,
                          const llvm::StringMap<std::string> &merged) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  auto *kernelType = llvm::StructType::get(ctx, {ptr, ptr});

  std::vector<std::string> symbols;
  auto collect = [&](const rt::KernelSpec &k) { symbols.push_back(k.symbol); };
  rt::NetworkSpec copy = spec; // forEachKernel visits mutable specs
  for (rt::PopulationSpec &p : copy.populations)
    p.forEachKernel(collect);
  for (rt::ProjectionSpec &p : copy.projections)
    p.forEachKernel(collect);

  // Nothing but the module table is visible outside the object.
  for (llvm::Function &f : module)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::vector<llvm::Constant *> entries;
  for (const std::string &symbol : symbols) {
    auto same = merged.find(symbol);
    llvm::Function *kernel =
        module.getFunction(same == merged.end() ? symbol : same->second);
    if (!kernel || kernel->isDeclaration())
      continue; // reported by the runtime when it binds the table
    llvm::Function *wrapper =
        packedWrapper(module, *kernel, prefix + "__" + symbol);
    entries.push_back(llvm::ConstantStruct::get(
        kernelType, {cString(module, symbol, ".hebb.symbol"), wrapper}));
  }
  auto *tableType = llvm::ArrayType::get(kernelType, entries.size());
  auto *table = new llvm::GlobalVariable(
      module, tableType, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(tableType, entries), prefix + "_kernels");

  // hebb_module { abi_version, name, description, num_kernels, kernels }.
  auto *moduleType = llvm::StructType::get(ctx, {i32, ptr, ptr, i32, ptr});
  llvm::Constant *init = llvm::ConstantStruct::get(
      moduleType, {llvm::ConstantInt::get(i32, HEBB_ABI_VERSION),
                   cString(module, spec.name, ".hebb.name"),
                   cString(module, rt::specToJson(spec), ".hebb.description"),
                   llvm::ConstantInt::get(i32, entries.size()), table});
  new llvm::GlobalVariable(module, moduleType, true,
                           llvm::GlobalValue::ExternalLinkage, init,
                           prefix + "_module");
}
