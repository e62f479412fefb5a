//===- KernelCache.cpp - Compiled kernels kept between runs ---------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/Driver/KernelCache.h"
#include "hebb/runtime/Version.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <dlfcn.h>
#include <unistd.h>
#include <utime.h>
#include <vector>

using namespace hebb;

std::optional<KernelCache> KernelCache::open() {
  llvm::SmallString<256> dir;
  if (std::optional<std::string> set =
          llvm::sys::Process::GetEnv("HEBB_CACHE_DIR")) {
    if (set->empty() || *set == "off")
      return std::nullopt;
    dir = *set;
  } else if (std::optional<std::string> xdg =
                 llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
             xdg && !xdg->empty()) {
    llvm::sys::path::append(dir, *xdg, "hebb");
  } else if (std::optional<std::string> home =
                 llvm::sys::Process::GetEnv("HOME");
             home && !home->empty()) {
    llvm::sys::path::append(dir, *home, ".cache", "hebb");
  } else {
    return std::nullopt;
  }
  if (llvm::sys::fs::create_directories(dir))
    return std::nullopt;
  // Only a place this run can write to: the engine would complain on
  // stderr when it cannot write an object there.
  if (::access(dir.c_str(), W_OK) != 0)
    return std::nullopt;
  return KernelCache(std::string(dir));
}

/// The file holding this code, with its size and time: a rebuilt compiler
/// may lower the same module differently.
static std::string compilerIdentity() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&compilerIdentity), &info) ||
      !info.dli_fname)
    return "unknown";
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(info.dli_fname, status))
    return info.dli_fname;
  return std::string(info.dli_fname) + ":" + std::to_string(status.getSize()) +
         ":" +
         std::to_string(
             status.getLastModificationTime().time_since_epoch().count());
}

std::string KernelCache::key(llvm::StringRef moduleText,
                             const llvm::TargetMachine &tm, int optLevel) {
  llvm::SHA256 hash;
  auto add = [&](llvm::StringRef part) {
    hash.update(part);
    hash.update(llvm::StringRef("\0", 1));
  };
  add("hebb kernel cache 1");
  add(HEBB_VERSION_STRING);
  add(LLVM_VERSION_STRING);
  add(compilerIdentity());
  add(tm.getTargetTriple().str());
  add(tm.getTargetCPU());
  add(tm.getTargetFeatureString());
  add(std::to_string(optLevel));
  add(moduleText);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

std::string KernelCache::pathOf(llvm::StringRef key,
                                llvm::StringRef extension) const {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, key + extension);
  return std::string(path);
}

std::string KernelCache::temporaryPath() const {
  llvm::SmallString<256> model(dir), path;
  llvm::sys::path::append(model, "tmp-%%%%%%%%%%%%.o");
  llvm::sys::fs::createUniquePath(model, path, /*MakeAbsolute=*/false);
  return std::string(path);
}

std::unique_ptr<llvm::orc::LLJIT> KernelCache::load(llvm::StringRef key) const {
  std::string path = pathOf(key);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return nullptr;
  auto forget = [&](llvm::Error e) {
    llvm::consumeError(std::move(e));
    llvm::sys::fs::remove(path);
    return nullptr;
  };
  auto host = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!host)
    return forget(host.takeError());
  auto jit =
      llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*host).create();
  if (!jit)
    return forget(jit.takeError());
  // Kernels call the C library (libm, memset) like any JIT-compiled code.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return forget(process.takeError());
  (*jit)->getMainJITDylib().addGenerator(std::move(*process));
  if (llvm::Error e = (*jit)->addObjectFile(std::move(*buffer)))
    return forget(std::move(e));
  // Used now: the newest entries are the ones kept.
  ::utime(path.c_str(), nullptr);
  return std::move(*jit);
}

void KernelCache::store(llvm::StringRef key, llvm::StringRef objectPath) const {
  if (llvm::sys::fs::rename(objectPath, pathOf(key))) {
    llvm::sys::fs::remove(objectPath);
    return;
  }
  prune(".o");
}

std::optional<std::string> KernelCache::loadNote(llvm::StringRef key) const {
  std::string path = pathOf(key, ".note");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return std::nullopt;
  ::utime(path.c_str(), nullptr);
  return (*buffer)->getBuffer().str();
}

void KernelCache::storeNote(llvm::StringRef key, llvm::StringRef text) const {
  std::string temporary = temporaryPath() + ".note";
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(temporary, ec);
    if (ec)
      return;
    out << text;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temporary);
      return;
    }
  }
  if (llvm::sys::fs::rename(temporary, pathOf(key, ".note"))) {
    llvm::sys::fs::remove(temporary);
    return;
  }
  prune(".note");
}

void KernelCache::prune(llvm::StringRef extension) const {
  std::vector<std::pair<llvm::sys::TimePoint<>, std::string>> entries;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::sys::fs::file_status status;
    if (llvm::sys::path::extension(it->path()) != extension ||
        llvm::sys::path::filename(it->path()).starts_with("tmp-") ||
        llvm::sys::fs::status(it->path(), status))
      continue;
    entries.push_back({status.getLastModificationTime(), it->path()});
  }
  if (entries.size() <= kMaxEntries)
    return;
  std::sort(entries.begin(), entries.end());
  for (size_t i = 0; i + kMaxEntries < entries.size(); ++i)
    llvm::sys::fs::remove(entries[i].second);
}

llvm::Expected<void (*)(void **)> hebb::lookupPacked(llvm::orc::LLJIT &jit,
                                                     llvm::StringRef name) {
  auto address = jit.lookup(("_mlir_" + name).str());
  if (!address)
    return address.takeError();
  return address->toPtr<void (*)(void **)>();
}
