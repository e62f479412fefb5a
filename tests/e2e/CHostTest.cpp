//===- CHostTest.cpp - Programs that link objects made by hebbc -c --------===//
//
// examples/c_host: a C program running a whole network and a C++ program
// calling a rule alone give what `hebb run` gives for the same file and
// seed.
//
//===----------------------------------------------------------------------===//

#include "RunHebb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

using namespace hebb::test;

// The COBA network, seed 13, from C: identical spikes, and a run resumed
// from a checkpoint at 0.5 s ends in the same state.
TEST(CHost, NetworkFromCMatchesHebbRun) {
  std::string dir = std::string(HEBB_TEST_OUT_DIR) + "/c_host_network";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CommandResult c =
      runCommand(std::string(HEBB_C_HOST_DIR) + "/c_host_network " + dir + " " +
                 dir + "/half.ckpt");
  ASSERT_EQ(c.exitCode, 0) << c.output;
  EXPECT_NE(c.output.find("the same state at 1 s"), std::string::npos)
      << c.output;

  CommandResult r =
      hebbRun(sourcePath("examples/coba.hebb"), "c_host_ref", "--set seed=13");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto refT = loadDoubles(outPath("c_host_ref", "P_spikes_t.npy"));
  auto refI = loadDoubles(outPath("c_host_ref", "P_spikes_i.npy"));
  auto hostT = loadDoubles(dir + "/P_spikes_t.npy");
  auto hostI = loadDoubles(dir + "/P_spikes_i.npy");
  ASSERT_GT(refT.size(), 40000u); // sustained, about 19 Hz
  EXPECT_EQ(hostT, refT);
  EXPECT_EQ(hostI, refI);
}

// Oja's rule as a kernel from C++ on the layer of examples/oja_pca.hebb:
// the same weights after 40 s as the whole network under `hebb run`.
TEST(CHost, RuleAloneFromCppMatchesHebbRun) {
  CommandResult r = hebbRun(sourcePath("examples/oja_pca.hebb"), "c_host_oja");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray w = hebb::rt::readNpy(outPath("c_host_oja", "syn_w.npy"));
  ASSERT_EQ(w.shape, (std::vector<int64_t>{41, 10}));
  std::vector<double> all = w.toDoubles();
  std::string initial = outPath("c_host_oja", "initial_w.npy");
  hebb::rt::writeNpy(initial,
                     std::vector<double>(all.begin(), all.begin() + 10));
  std::string out = outPath("c_host_oja", "kernel_w.npy");
  CommandResult c = runCommand(std::string(HEBB_C_HOST_DIR) + "/c_host_rule " +
                               sourcePath("examples/data/oja_input.npy") + " " +
                               initial + " " + out);
  ASSERT_EQ(c.exitCode, 0) << c.output;
  std::vector<double> kernel = loadDoubles(out);
  ASSERT_EQ(kernel.size(), 10u);
  std::vector<double> last(all.end() - 10, all.end());
  EXPECT_EQ(kernel, last);
  EXPECT_GT(std::fabs(last[0] - all[0]), 0.01); // the weights did learn
}
