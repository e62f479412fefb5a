//===- StdlibTest.cpp - The standard library's rules do what papers say ---===//

#include "RunHebb.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace hebb::test;

// Additive STDP (stdlib/synapses/stdp.hebb) under a pairing protocol: one
// pairing per synapse with t_post - t_pre = s from -100 to +100 ms. The
// weight change is the closed-form window, shifted by the one step that
// transmission takes: A_plus w_max e^-(s - dt)/tau_pre for s >= dt,
// A_minus w_max e^-(dt - s)/tau_post for s <= 0.
TEST(Stdlib, StdpPairingProtocolGivesTheLearningWindow) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/stdp_window.hebb"), "stdp_window");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto w = loadDoubles(outPath("stdp_window", "syn_w.npy"));
  auto spikeT = loadDoubles(outPath("stdp_window", "post_cells_spikes_t.npy"));
  auto spikeI = loadDoubles(outPath("stdp_window", "post_cells_spikes_i.npy"));
  ASSERT_EQ(w.size(), 2u * 201);  // t = 0 and 400 ms
  ASSERT_EQ(spikeT.size(), 201u); // each postsynaptic neuron fires once
  for (size_t k = 0; k < spikeT.size(); ++k)
    EXPECT_NEAR(spikeT[k], 0.050 + 1e-3 * spikeI[k], 1e-9);
  const double dt = 1e-4, wMax = 0.01, tau = 0.020;
  double worst = 0;
  for (int k = 0; k <= 200; ++k) {
    double s = -0.100 + 1e-3 * k;
    double expected = s >= dt ? 0.01 * wMax * std::exp(-(s - dt) / tau)
                              : -0.0105 * wMax * std::exp(-(dt - s) / tau);
    double change = w[201 + k] - w[k];
    EXPECT_EQ(change > 0, s > 0) << "s = " << s;
    worst = std::max(worst, std::fabs(change - expected) / std::fabs(expected));
  }
  EXPECT_LT(worst, 0.01); // within 1% everywhere (f32 weights: ~3e-4)
}
