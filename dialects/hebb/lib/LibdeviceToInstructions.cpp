//===- LibdeviceToInstructions.cpp - Exact functions as PTX instructions --===//

#include "hebb/Dialect/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::hebb {
#define GEN_PASS_DEF_HEBBLIBDEVICETOINSTRUCTIONS
#include "hebb/Dialect/Passes.h.inc"
} // namespace mlir::hebb

using namespace mlir;

namespace {
template <typename IntrinsicOp>
Operation *create(OpBuilder &b, LLVM::CallOp call) {
  return IntrinsicOp::create(b, call.getLoc(), call->getResultTypes(),
                             call.getOperands());
}

/// The intrinsic for libdevice function `name` (f32: a trailing f), or null.
Operation *intrinsicFor(StringRef name, OpBuilder &b, LLVM::CallOp call) {
  if (!name.consume_front("__nv_"))
    return nullptr;
  if (name.ends_with("f") && name != "fabs" && name != "fma")
    name = name.drop_back();
  using Create = Operation *(*)(OpBuilder &, LLVM::CallOp);
  Create make = llvm::StringSwitch<Create>(name)
                    .Case("sqrt", create<LLVM::SqrtOp>)
                    .Case("fma", create<LLVM::FMAOp>)
                    .Case("fabs", create<LLVM::FAbsOp>)
                    .Case("ceil", create<LLVM::FCeilOp>)
                    .Case("floor", create<LLVM::FFloorOp>)
                    .Case("trunc", create<LLVM::FTruncOp>)
                    .Case("rint", create<LLVM::RoundEvenOp>)
                    .Case("copysign", create<LLVM::CopySignOp>)
                    .Default(nullptr);
  return make ? make(b, call) : nullptr;
}

struct LibdeviceToInstructionsPass
    : public hebb::impl::HebbLibdeviceToInstructionsBase<
          LibdeviceToInstructionsPass> {
  void runOnOperation() override {
    SmallVector<LLVM::CallOp> calls;
    getOperation()->walk([&](LLVM::CallOp call) { calls.push_back(call); });
    for (LLVM::CallOp call : calls) {
      std::optional<StringRef> callee = call.getCallee();
      if (!callee)
        continue;
      OpBuilder b(call);
      if (Operation *op = intrinsicFor(*callee, b, call)) {
        call->replaceAllUsesWith(op);
        call.erase();
      }
    }
    // Declarations nothing calls any more.
    SmallVector<LLVM::LLVMFuncOp> unused;
    getOperation()->walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal() && func.getName().starts_with("__nv_") &&
          SymbolTable::symbolKnownUseEmpty(func, getOperation()))
        unused.push_back(func);
    });
    for (LLVM::LLVMFuncOp func : unused)
      func.erase();
  }
};
} // namespace
