//===- KernelCache.h - Compiled kernels kept between runs -------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// Object files of JIT-compiled networks, kept on disk under a hash of all
// that determines them: the lowered module's text, the optimisation level,
// the target machine and the compiler binary itself. A re-run of an
// unchanged network loads its kernels instead of compiling them again.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_KERNELCACHE_H
#define HEBB_DRIVER_KERNELCACHE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace hebb {

class KernelCache {
public:
  /// The cache in $HEBB_CACHE_DIR, else $XDG_CACHE_HOME/hebb, else
  /// $HOME/.cache/hebb; none if HEBB_CACHE_DIR is "off" or no such place
  /// can be made.
  static std::optional<KernelCache> open();

  /// The name of the object compiled from `moduleText` by `tm` at
  /// `optLevel`, by this build of Hebb.
  static std::string key(llvm::StringRef moduleText,
                         const llvm::TargetMachine &tm, int optLevel);

  /// The object kept under `key`, loaded into a JIT of its own; null if
  /// there is none (or it cannot be loaded, in which case it is removed).
  std::unique_ptr<llvm::orc::LLJIT> load(llvm::StringRef key) const;

  /// Moves the object file at `objectPath` into the cache under `key`, in
  /// one rename so that a concurrent run never reads half of it, and keeps
  /// the newest kMaxEntries objects.
  void store(llvm::StringRef key, llvm::StringRef objectPath) const;

  /// A path in the cache's directory for a new object.
  std::string temporaryPath() const;

  /// The note kept under `key` (a small text beside the objects), if any.
  std::optional<std::string> loadNote(llvm::StringRef key) const;
  /// Keeps `text` under `key`, written whole (a temporary file renamed);
  /// like objects, the newest kMaxEntries notes are kept.
  void storeNote(llvm::StringRef key, llvm::StringRef text) const;

  const std::string &directory() const { return dir; }

  static constexpr size_t kMaxEntries = 64;

private:
  explicit KernelCache(std::string dir) : dir(std::move(dir)) {}
  std::string pathOf(llvm::StringRef key,
                     llvm::StringRef extension = ".o") const;
  /// Removes the oldest files of `extension` beyond kMaxEntries.
  void prune(llvm::StringRef extension) const;
  std::string dir;
};

/// The packed entry point `_mlir_<name>` (as MLIR's ExecutionEngine makes
/// it) of a kernel in `jit`.
llvm::Expected<void (*)(void **)> lookupPacked(llvm::orc::LLJIT &jit,
                                               llvm::StringRef name);

} // namespace hebb

#endif // HEBB_DRIVER_KERNELCACHE_H
