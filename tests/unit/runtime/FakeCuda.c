/* A stand-in for NVIDIA's libcuda.so.1 in the tests of the driver loader
 * (CudaDriverTest.cpp), for machines without a GPU: each entry point the
 * loader resolves, answering as a driver would on a machine whose state
 * the environment sets. FAKE_CUDA_INIT: what cuInit returns (e.g. 100,
 * CUDA_ERROR_NO_DEVICE); FAKE_CUDA_DEVICES: how many GPUs it sees; with
 * one, FAKE_CUDA_JIT_ERROR makes cuModuleLoadDataEx fail with that log.
 * Memory is host memory. */
#include <stdlib.h>
#include <string.h>

typedef int CUresult;

static int env(const char *name, int fallback) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : fallback;
}

CUresult cuInit(unsigned flags) {
  (void)flags;
  return env("FAKE_CUDA_INIT", 0);
}
CUresult cuDriverGetVersion(int *v) {
  *v = 12040;
  return 0;
}
CUresult cuGetErrorName(CUresult r, const char **s) {
  switch (r) {
  case 100: *s = "CUDA_ERROR_NO_DEVICE"; return 0;
  case 218: *s = "CUDA_ERROR_INVALID_PTX"; return 0;
  default: return 1;
  }
}
CUresult cuGetErrorString(CUresult r, const char **s) {
  switch (r) {
  case 100: *s = "no CUDA-capable device is detected"; return 0;
  case 218: *s = "a PTX JIT compilation failed"; return 0;
  default: return 1;
  }
}
CUresult cuDeviceGetCount(int *n) {
  *n = env("FAKE_CUDA_DEVICES", 0);
  return 0;
}
CUresult cuDeviceGet(int *d, int ordinal) {
  *d = ordinal;
  return 0;
}
CUresult cuDeviceGetName(char *name, int len, int d) {
  (void)d;
  strncpy(name, "Fake GPU", (size_t)len);
  return 0;
}
CUresult cuDeviceGetAttribute(int *v, int attr, int d) {
  (void)d;
  *v = attr == 75 ? 9 : 0; /* sm_90 */
  return 0;
}
static int context;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int d) {
  (void)d;
  *ctx = &context;
  return 0;
}
CUresult cuDevicePrimaryCtxRelease_v2(int d) {
  (void)d;
  return 0;
}
CUresult cuCtxSetCurrent(void *ctx) { return ctx == &context ? 0 : 201; }
CUresult cuCtxSynchronize(void) { return 0; }
static int module;
CUresult cuModuleLoadDataEx(void **m, const void *image, unsigned n,
                            int *options, void **values) {
  const char *error = getenv("FAKE_CUDA_JIT_ERROR");
  (void)image;
  if (error && *error) {
    for (unsigned i = 0; i < n; ++i)
      if (options[i] == 5) /* CU_JIT_ERROR_LOG_BUFFER */
        strcpy((char *)values[i], error);
    return 218;
  }
  *m = &module;
  return 0;
}
CUresult cuModuleUnload(void *m) { return m == &module ? 0 : 400; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
  (void)m;
  *f = (void *)name;
  return 0;
}
CUresult cuMemAlloc_v2(unsigned long long *p, size_t bytes) {
  *p = (unsigned long long)(size_t)malloc(bytes);
  return *p ? 0 : 2;
}
CUresult cuMemFree_v2(unsigned long long p) {
  free((void *)(size_t)p);
  return 0;
}
CUresult cuMemcpyHtoD_v2(unsigned long long to, const void *from, size_t n) {
  memcpy((void *)(size_t)to, from, n);
  return 0;
}
CUresult cuMemcpyDtoH_v2(void *to, unsigned long long from, size_t n) {
  memcpy(to, (const void *)(size_t)from, n);
  return 0;
}
CUresult cuMemsetD8_v2(unsigned long long p, unsigned char v, size_t n) {
  memset((void *)(size_t)p, v, n);
  return 0;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  (void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz;
  (void)shared, (void)stream, (void)params, (void)extra;
  return 0;
}
