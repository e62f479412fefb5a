//===- CudaDriverTest.cpp - Loading the CUDA driver at run time -----------===//
//
// Without a GPU: the driver missing, a driver that sees no GPU, NVIDIA's
// stub library, and the fake driver of FakeCuda.c standing in for one.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/CudaDriver.h"
#include "hebb/runtime/Error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace hebb::rt;

namespace {
/// Sets environment variables for the life of a test.
class Env {
public:
  Env(std::initializer_list<std::pair<const char *, const char *>> vars) {
    for (auto [name, value] : vars) {
      names.push_back(name);
      setenv(name, value, 1);
    }
  }
  ~Env() {
    for (const char *name : names)
      unsetenv(name);
  }

private:
  std::vector<const char *> names;
};

std::string openError() {
  try {
    CudaDriver::open();
  } catch (const RuntimeError &e) {
    return e.what();
  }
  return "";
}
} // namespace

TEST(CudaDriver, MissingDriverSaysSo) {
  Env env{{"HEBB_LIBCUDA", "/nonexistent/libcuda.so.1"}};
  EXPECT_EQ(openError(),
            "--target=cuda needs NVIDIA's driver, which did not load: "
            "/nonexistent/libcuda.so.1: cannot open shared object file: No "
            "such file or directory (is this a machine with an NVIDIA GPU "
            "and its driver? HEBB_LIBCUDA names another library)");
}

TEST(CudaDriver, NotADriver) {
  // A library that loads but has none of the driver's entry points.
  Env env{{"HEBB_LIBCUDA", "libz.so.1"}};
  EXPECT_EQ(openError(), "the CUDA driver libz.so.1 lacks cuInit: it is not "
                         "NVIDIA's libcuda, or too old");
}

TEST(CudaDriver, DriverWithoutDevice) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA}, {"FAKE_CUDA_INIT", "100"}};
  EXPECT_EQ(openError(), "the CUDA driver's cuInit failed: "
                         "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is "
                         "detected)");
}

TEST(CudaDriver, NoGpuSeen) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA}, {"FAKE_CUDA_DEVICES", "0"}};
  EXPECT_EQ(openError(), "the CUDA driver sees no GPU");
}

TEST(CudaDriver, ErrorsTheDriverCannotName) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA}, {"FAKE_CUDA_INIT", "35"}};
  EXPECT_EQ(openError(), "the CUDA driver's cuInit failed: "
                         "CUDA_ERROR_INSUFFICIENT_DRIVER (the driver is older "
                         "than the CUDA runtime)");
}

TEST(CudaDriver, UnknownErrorsByNumber) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA}, {"FAKE_CUDA_INIT", "999"}};
  EXPECT_EQ(openError(), "the CUDA driver's cuInit failed: error 999");
}

// NVIDIA's stub library (a CUDA toolkit's, for linking) refuses to run.
TEST(CudaDriver, StubLibraryRefuses) {
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (!std::filesystem::exists(stub))
    GTEST_SKIP() << "no CUDA toolkit stub at " << stub;
  Env env{{"HEBB_LIBCUDA", stub}};
  EXPECT_EQ(openError(), "the CUDA driver's cuInit failed: "
                         "CUDA_ERROR_STUB_LIBRARY (this libcuda is a CUDA "
                         "toolkit's stub for linking, not a driver)");
}

TEST(CudaDriver, DeviceModulesAndMemory) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA}, {"FAKE_CUDA_DEVICES", "1"}};
  auto driver = CudaDriver::open();
  EXPECT_EQ(driver->deviceName(), "Fake GPU");
  EXPECT_EQ(driver->computeCapability(), 90);
  EXPECT_EQ(driver->driverVersion(), 12040);
  EXPECT_EQ(driver->library(), HEBB_FAKE_CUDA);
  CudaDriver::Module m = driver->loadPtx(".version 8.0\n");
  EXPECT_NE(driver->function(m, "P__step"), nullptr);
  std::vector<float> in{1.5f, -2.0f, 3.25f}, out(3, 0.0f);
  CudaDriver::DevicePtr p = driver->allocate(sizeof(float) * 3);
  driver->copyToDevice(p, in.data(), sizeof(float) * 3);
  driver->copyToHost(out.data(), p, sizeof(float) * 3);
  EXPECT_EQ(in, out);
  driver->zero(p, sizeof(float) * 3);
  driver->copyToHost(out.data(), p, sizeof(float) * 3);
  EXPECT_EQ(out, std::vector<float>(3, 0.0f));
  driver->release(p);
  EXPECT_THROW(CudaDriver::open(1), RuntimeError);
}

TEST(CudaDriver, JitErrorsCarryTheLog) {
  Env env{{"HEBB_LIBCUDA", HEBB_FAKE_CUDA},
          {"FAKE_CUDA_DEVICES", "1"},
          {"FAKE_CUDA_JIT_ERROR", "ptxas fatal: Unresolved extern function "
                                  "'__nv_expf'"}};
  auto driver = CudaDriver::open();
  try {
    driver->loadPtx(".version 8.0\n");
    FAIL() << "the fake JIT should fail";
  } catch (const RuntimeError &e) {
    EXPECT_STREQ(e.what(), "the CUDA driver's cuModuleLoadDataEx failed: "
                           "CUDA_ERROR_INVALID_PTX (a PTX JIT compilation "
                           "failed); the PTX JIT says: ptxas fatal: "
                           "Unresolved extern function '__nv_expf'");
  }
}
