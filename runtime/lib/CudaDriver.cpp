//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//

#include "hebb/runtime/CudaDriver.h"
#include "hebb/runtime/Error.h"

#include <cstdlib>
#include <dlfcn.h>

using namespace hebb::rt;

namespace {
// The driver API's C types and constants (cuda.h), by value.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUjit_option = int;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
} // namespace

/// The entry points, by their exported (versioned) names.
struct CudaDriver::Api {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned,
                                 CUjit_option *, void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
};

std::unique_ptr<CudaDriver> CudaDriver::open(int ordinal) {
  std::unique_ptr<CudaDriver> d(new CudaDriver());
  const char *override = std::getenv("HEBB_LIBCUDA");
  d->libraryPath = override && *override ? override : "libcuda.so.1";
  d->handle = dlopen(d->libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!d->handle) {
    const char *why = dlerror();
    throw RuntimeError("--target=cuda needs NVIDIA's driver, which did not "
                       "load: " +
                       std::string(why ? why : d->libraryPath) +
                       " (is this a machine with an NVIDIA GPU and its "
                       "driver? HEBB_LIBCUDA names another library)");
  }
  d->api = std::make_unique<Api>();
  Api &a = *d->api;
  auto resolve = [&](auto &fn, const char *symbol) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(d->handle, symbol));
    if (!fn)
      throw RuntimeError("the CUDA driver " + d->libraryPath + " lacks " +
                         symbol + ": it is not NVIDIA's libcuda, or too old");
  };
  resolve(a.cuInit, "cuInit");
  resolve(a.cuDriverGetVersion, "cuDriverGetVersion");
  resolve(a.cuGetErrorName, "cuGetErrorName");
  resolve(a.cuGetErrorString, "cuGetErrorString");
  resolve(a.cuDeviceGetCount, "cuDeviceGetCount");
  resolve(a.cuDeviceGet, "cuDeviceGet");
  resolve(a.cuDeviceGetName, "cuDeviceGetName");
  resolve(a.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  resolve(a.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(a.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  resolve(a.cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(a.cuCtxSynchronize, "cuCtxSynchronize");
  resolve(a.cuModuleLoadDataEx, "cuModuleLoadDataEx");
  resolve(a.cuModuleUnload, "cuModuleUnload");
  resolve(a.cuModuleGetFunction, "cuModuleGetFunction");
  resolve(a.cuMemAlloc, "cuMemAlloc_v2");
  resolve(a.cuMemFree, "cuMemFree_v2");
  resolve(a.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  resolve(a.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  resolve(a.cuMemsetD8, "cuMemsetD8_v2");
  resolve(a.cuLaunchKernel, "cuLaunchKernel");

  d->check(a.cuInit(0), "cuInit");
  d->check(a.cuDriverGetVersion(&d->version), "cuDriverGetVersion");
  int count = 0;
  d->check(a.cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (ordinal < 0 || ordinal >= count)
    throw RuntimeError(count == 0
                           ? std::string("the CUDA driver sees no GPU")
                           : "there is no GPU " + std::to_string(ordinal) +
                                 " (the "
                                 "driver sees " +
                                 std::to_string(count) + ")");
  d->check(a.cuDeviceGet(&d->device, ordinal), "cuDeviceGet");
  char buffer[256] = {};
  d->check(a.cuDeviceGetName(buffer, sizeof buffer - 1, d->device),
           "cuDeviceGetName");
  d->name = buffer;
  int major = 0, minor = 0;
  d->check(a.cuDeviceGetAttribute(
               &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->device),
           "cuDeviceGetAttribute");
  d->check(a.cuDeviceGetAttribute(
               &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->device),
           "cuDeviceGetAttribute");
  d->capability = major * 10 + minor;
  d->check(a.cuDevicePrimaryCtxRetain(&d->context, d->device),
           "cuDevicePrimaryCtxRetain");
  d->check(a.cuCtxSetCurrent(d->context), "cuCtxSetCurrent");
  return d;
}

CudaDriver::~CudaDriver() {
  if (api) {
    for (Module m : modules)
      api->cuModuleUnload(m);
    if (context)
      api->cuDevicePrimaryCtxRelease(device);
  }
  // The driver stays loaded: it keeps threads of its own.
}

/// The errors a user meets first, for drivers that cannot name them (the
/// stub library of a CUDA toolkit does not).
static const char *knownError(int result, const char **text) {
  switch (result) {
  case 2:
    *text = "out of memory";
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case 34:
    *text = "this libcuda is a CUDA toolkit's stub for linking, not a driver";
    return "CUDA_ERROR_STUB_LIBRARY";
  case 35:
    *text = "the driver is older than the CUDA runtime";
    return "CUDA_ERROR_INSUFFICIENT_DRIVER";
  case 100:
    *text = "no CUDA-capable device is detected";
    return "CUDA_ERROR_NO_DEVICE";
  case 218:
    *text = "a PTX JIT compilation failed";
    return "CUDA_ERROR_INVALID_PTX";
  case 222:
    *text = "the PTX was compiled with an unsupported toolchain";
    return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
  default:
    return nullptr;
  }
}

void CudaDriver::check(int result, const char *call) const {
  if (result == CUDA_SUCCESS)
    return;
  const char *errorName = nullptr, *errorText = nullptr;
  if (api->cuGetErrorName(result, &errorName) != CUDA_SUCCESS)
    errorName = nullptr;
  if (api->cuGetErrorString(result, &errorText) != CUDA_SUCCESS)
    errorText = nullptr;
  if (!errorName) {
    const char *text = nullptr;
    errorName = knownError(result, &text);
    if (!errorText)
      errorText = text;
  }
  throw RuntimeError(
      std::string("the CUDA driver's ") + call + " failed: " +
      (errorName ? errorName : "error " + std::to_string(result)) +
      (errorText ? std::string(" (") + errorText + ")" : ""));
}

CudaDriver::Module CudaDriver::loadPtx(const std::string &ptx) {
  std::vector<char> log(16384, '\0');
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log.data(),
                    reinterpret_cast<void *>(uintptr_t(log.size() - 1))};
  CUmodule module = nullptr;
  CUresult result =
      api->cuModuleLoadDataEx(&module, ptx.c_str(), 2, options, values);
  if (result != CUDA_SUCCESS) {
    try {
      check(result, "cuModuleLoadDataEx");
    } catch (const RuntimeError &e) {
      std::string jit(log.data());
      throw RuntimeError(std::string(e.what()) +
                         (jit.empty() ? "" : "; the PTX JIT says: " + jit));
    }
  }
  modules.push_back(module);
  return module;
}

CudaDriver::Function CudaDriver::function(Module module,
                                          const std::string &kernel) {
  CUfunction f = nullptr;
  check(api->cuModuleGetFunction(&f, module, kernel.c_str()),
        "cuModuleGetFunction");
  return f;
}

CudaDriver::DevicePtr CudaDriver::allocate(size_t bytes) {
  CUdeviceptr ptr = 0;
  check(api->cuMemAlloc(&ptr, bytes ? bytes : 1), "cuMemAlloc");
  return ptr;
}

void CudaDriver::release(DevicePtr ptr) {
  if (ptr)
    check(api->cuMemFree(ptr), "cuMemFree");
}

void CudaDriver::copyToDevice(DevicePtr to, const void *from, size_t bytes) {
  if (bytes)
    check(api->cuMemcpyHtoD(to, from, bytes), "cuMemcpyHtoD");
}

void CudaDriver::copyToHost(void *to, DevicePtr from, size_t bytes) {
  if (bytes)
    check(api->cuMemcpyDtoH(to, from, bytes), "cuMemcpyDtoH");
}

void CudaDriver::zero(DevicePtr ptr, size_t bytes) {
  if (bytes)
    check(api->cuMemsetD8(ptr, 0, bytes), "cuMemsetD8");
}

void CudaDriver::launch(Function f, unsigned blocks, unsigned threads,
                        void **params) {
  if (blocks == 0)
    return;
  check(api->cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, nullptr, params,
                            nullptr),
        "cuLaunchKernel");
}

void CudaDriver::synchronize() {
  check(api->cuCtxSynchronize(), "cuCtxSynchronize");
}
