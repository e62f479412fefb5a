//===- CudaDriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// `--target=cuda` runs kernels through NVIDIA's driver API (libcuda.so.1),
// opened with dlopen when a network asks for it: building Hebb needs no
// CUDA toolkit or header, and a machine without a GPU runs everything else.
// The declarations below are the driver API's documented C ABI.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_CUDADRIVER_H
#define HEBB_RUNTIME_CUDADRIVER_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hebb::rt {

/// The driver's library and one device's primary context. Every failure
/// throws RuntimeError saying which call failed and the driver's reason.
class CudaDriver {
public:
  using DevicePtr = uint64_t; // CUdeviceptr
  using Function = void *;    // CUfunction
  using Module = void *;      // CUmodule

  /// Loads the driver ($HEBB_LIBCUDA, else libcuda.so.1), initialises it
  /// and makes device `ordinal`'s primary context current.
  static std::unique_ptr<CudaDriver> open(int ordinal = 0);
  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  /// The library that was loaded, the driver's CUDA version (e.g. 12040)
  /// and the device's name and compute capability (e.g. 90 for sm_90).
  const std::string &library() const { return libraryPath; }
  int driverVersion() const { return version; }
  const std::string &deviceName() const { return name; }
  int computeCapability() const { return capability; }

  /// JIT-compiles PTX for the device; the error says what the JIT logged.
  Module loadPtx(const std::string &ptx);
  Function function(Module module, const std::string &name);

  DevicePtr allocate(size_t bytes);
  void release(DevicePtr ptr);
  void copyToDevice(DevicePtr to, const void *from, size_t bytes);
  void copyToHost(void *to, DevicePtr from, size_t bytes);
  void zero(DevicePtr ptr, size_t bytes);
  /// Launches `f` on `blocks` x `threads` with the kernel parameters
  /// `params` (a pointer to each argument's value), then returns.
  void launch(Function f, unsigned blocks, unsigned threads, void **params);
  void synchronize();

  struct Api; // the driver's entry points

private:
  CudaDriver() = default;
  void check(int result, const char *call) const;

  void *handle = nullptr;
  std::unique_ptr<Api> api;
  std::string libraryPath, name;
  int version = 0, capability = 0, device = 0;
  void *context = nullptr;
  std::vector<Module> modules;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_CUDADRIVER_H
