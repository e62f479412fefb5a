//===- StdlibTest.cpp - The standard library's rules do what papers say ---===//

#include "RunHebb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

using namespace hebb::test;

namespace {
constexpr double kStep = 1e-4; // dt of the pairing protocols

/// The pairing protocol of tests/e2e/inputs/stdp_window*.hebb: one pairing
/// per synapse at s = t_post - t_pre from -100 to +100 ms in steps of 1 ms.
/// Returns (s, weight change) per synapse; empty if the run failed.
std::vector<std::pair<double, double>> pairingWindow(const std::string &input,
                                                     const std::string &name) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/" + input), name);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  auto w = loadDoubles(outPath(name, "syn_w.npy"));
  EXPECT_EQ(w.size(), 2u * 201); // t = 0 and 400 ms
  std::vector<std::pair<double, double>> window;
  if (w.size() != 2u * 201)
    return window;
  for (int k = 0; k <= 200; ++k)
    window.push_back({-0.100 + 1e-3 * k, w[201 + k] - w[k]});
  return window;
}

/// The largest relative difference between a window and `expected(s)`.
double worstRelative(const std::vector<std::pair<double, double>> &window,
                     const std::function<double(double)> &expected) {
  double worst = 0;
  for (auto [s, change] : window)
    worst = std::max(worst,
                     std::fabs(change - expected(s)) / std::fabs(expected(s)));
  return worst;
}
} // namespace

// Additive STDP (stdlib/synapses/stdp.hebb) under a pairing protocol: one
// pairing per synapse with t_post - t_pre = s from -100 to +100 ms. The
// weight change is the closed-form window, shifted by the one step that
// transmission takes: A_plus w_max e^-(s - dt)/tau_pre for s >= dt,
// A_minus w_max e^-(dt - s)/tau_post for s <= 0.
TEST(Stdlib, StdpPairingProtocolGivesTheLearningWindow) {
  auto window = pairingWindow("stdp_window.hebb", "stdp_window");
  ASSERT_EQ(window.size(), 201u);
  auto spikeT = loadDoubles(outPath("stdp_window", "post_cells_spikes_t.npy"));
  auto spikeI = loadDoubles(outPath("stdp_window", "post_cells_spikes_i.npy"));
  ASSERT_EQ(spikeT.size(), 201u); // each postsynaptic neuron fires once
  for (size_t k = 0; k < spikeT.size(); ++k)
    EXPECT_NEAR(spikeT[k], 0.050 + 1e-3 * spikeI[k], 1e-9);
  for (auto [s, change] : window)
    EXPECT_EQ(change > 0, s > 0) << "s = " << s;
  const double wMax = 0.01, tau = 0.020;
  double worst = worstRelative(window, [&](double s) {
    return s >= kStep ? 0.01 * wMax * std::exp(-(s - kStep) / tau)
                      : -0.0105 * wMax * std::exp(-(kStep - s) / tau);
  });
  EXPECT_LT(worst, 0.01); // within 1% everywhere (f32 weights: ~3e-4)
}

namespace {
/// The triplet rule (stdlib Triplet, all-to-all) replayed on recorded spike
/// times in double precision, in Hebb's order: a presynaptic spike arrives
/// one step after it is emitted; traces decay exactly between events.
double tripletReference(const std::vector<double> &pre,
                        const std::vector<double> &post, double dt) {
  const double tauPlus = 16.8e-3, tauMinus = 33.7e-3, tauX = 101e-3,
               tauY = 125e-3, a2Plus = 5e-10, a3Plus = 6.2e-3, a2Minus = 7e-3,
               a3Minus = 2.3e-4;
  std::vector<std::pair<double, bool>> events; // (time, is presynaptic)
  for (double t : pre)
    events.push_back({t + dt, true});
  for (double t : post)
    events.push_back({t, false});
  std::sort(events.begin(), events.end());
  double w = 0.5, r1 = 0, r2 = 0, o1 = 0, o2 = 0, last = 0;
  for (auto [t, isPre] : events) {
    double d = t - last;
    last = t;
    r1 *= std::exp(-d / tauPlus);
    r2 *= std::exp(-d / tauX);
    o1 *= std::exp(-d / tauMinus);
    o2 *= std::exp(-d / tauY);
    if (isPre) {
      w = std::clamp(w - o1 * (a2Minus + a3Minus * r2), 0.0, 1.0);
      r1 += 1;
      r2 += 1;
    } else {
      w = std::clamp(w + r1 * (a2Plus + a3Plus * o2), 0.0, 1.0);
      o1 += 1;
      o2 += 1;
    }
  }
  return w;
}
} // namespace

// The triplet rule (Pfister & Gerstner 2006) under Sjostrom et al.
// (2001)'s protocol: 60 pairings 10 ms apart. At 1 Hz, post-before-pre
// depresses and pre-before-post hardly changes the weight; at 50 Hz both
// orders potentiate. Hebb's weights match an exact replay of the rule on
// the recorded spikes.
TEST(Stdlib, TripletRuleDependsOnPairingFrequency) {
  auto run = [](int hz, int ms) {
    std::string name =
        "triplet_" + std::to_string(hz) + "_" + std::to_string(ms);
    CommandResult r =
        hebbRun(sourcePath("tests/e2e/inputs/triplet_frequency.hebb"), name,
                "--set f=" + std::to_string(hz) +
                    "Hz --set s=" + std::to_string(ms) + "ms");
    EXPECT_EQ(r.exitCode, 0) << r.output;
    auto w = loadDoubles(outPath(name, "syn_w.npy"));
    auto pre = loadDoubles(outPath(name, "pre_cell_spikes_t.npy"));
    auto post = loadDoubles(outPath(name, "post_cell_spikes_t.npy"));
    EXPECT_EQ(pre.size(), 60u);
    EXPECT_EQ(post.size(), 60u);
    double change = w.back() - w.front();
    EXPECT_NEAR(w.back(), tripletReference(pre, post, 1e-4), 1e-4)
        << hz << " Hz, s = " << ms << " ms";
    return change;
  };
  EXPECT_LT(run(1, -10), -0.1);       // depression
  EXPECT_NEAR(run(1, 10), 0.0, 1e-3); // no pair potentiation alone
  EXPECT_GT(run(50, -10), 0.1);       // potentiation at high rates
  EXPECT_GT(run(50, 10), 0.1);
}

// Weight-dependent STDP under the same protocol: potentiation scales with
// w_max - w0 and depression with w0 (w0 = w_max / 2 here), each within 1%
// of the closed form.
TEST(Stdlib, MultiplicativeStdpScalesWithTheWeight) {
  auto window = pairingWindow("stdp_window_multiplicative.hebb", "stdp_mult");
  ASSERT_EQ(window.size(), 201u);
  const double wMax = 0.01, tau = 0.020, w0 = 0.005;
  EXPECT_LT(worstRelative(
                window,
                [&](double s) {
                  return s >= kStep
                             ? 0.01 * std::exp(-(s - kStep) / tau) * (wMax - w0)
                             : -0.0105 * std::exp(-(kStep - s) / tau) * w0;
                }),
            0.01);
}

// BCM (stdlib/synapses/bcm.hebb): a linear neuron shown 4 patterns becomes
// selective to one. Its response to that pattern is at least 5x the others'
// (it starts at about the same for all), the threshold tracks the mean
// squared rate, and the selective response sits at the fixed point of
// the rule, y = theta.
TEST(Stdlib, BcmNeuronBecomesSelective) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/bcm_selectivity.hebb"), "bcm");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto w = loadDoubles(outPath("bcm", "syn_w.npy")); // (7, 20)
  auto y = loadDoubles(outPath("bcm", "y_r.npy"));
  auto theta = loadDoubles(outPath("bcm", "syn_theta.npy"));
  ASSERT_EQ(w.size(), 7u * 20);
  ASSERT_EQ(y.size(), 60001u);
  ASSERT_EQ(theta.size(), 60001u);
  auto responses = [&](size_t row) {
    std::vector<double> out(4, 0);
    for (int i = 0; i < 20; ++i)
      out[i / 5] += w[row * 20 + i];
    std::sort(out.begin(), out.end());
    return out; // ascending
  };
  std::vector<double> first = responses(0), last = responses(6);
  EXPECT_LT(first[3], 1.5 * first[0]); // not selective at first
  EXPECT_GE(last[3], 5 * last[2]);     // selective at the end
  double meanTheta = 0, meanY2 = 0;
  for (size_t k = 40001; k < 60001; ++k) {
    meanTheta += theta[k] / 20000;
    meanY2 += y[k] * y[k] / 20000;
  }
  EXPECT_NEAR(meanTheta, meanY2, 0.02 * meanY2);
  EXPECT_NEAR(last[3], meanTheta, 0.1 * meanTheta);
}

// Hebbian learning with normalisation (stdlib/synapses/hebb.hebb) finds
// the principal component, as Oja's rule does: cosine with the input's top
// eigenvector >= 0.99, unit norm, from a random start.
TEST(Stdlib, NormalisedHebbFindsThePrincipalComponent) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/hebb_normalised.hebb"), "hebbpca");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto w = loadDoubles(outPath("hebbpca", "syn_w.npy")); // (41, 10)
  auto top = loadDoubles(sourcePath("examples/data/oja_top_eigenvector.npy"));
  ASSERT_EQ(w.size(), 41u * 10);
  ASSERT_EQ(top.size(), 10u);
  auto cosine = [&](size_t row, double &norm) {
    double dot = 0, n2 = 0, t2 = 0;
    for (int i = 0; i < 10; ++i) {
      dot += w[row * 10 + i] * top[i];
      n2 += w[row * 10 + i] * w[row * 10 + i];
      t2 += top[i] * top[i];
    }
    norm = std::sqrt(n2);
    return std::fabs(dot) / std::sqrt(n2 * t2);
  };
  double norm0 = 0, norm = 0;
  EXPECT_LT(cosine(0, norm0), 0.8);
  EXPECT_GE(cosine(40, norm), 0.99);
  EXPECT_NEAR(norm, 1.0, 1e-4);
}

// The LIF neuron's f-I curve against the analytic one,
// f = 1 / (t_ref + tau_m ln(R I / (R I - (v_th - v_rest)))), within 1% from
// just above threshold (17 Hz) to 183 Hz. dt = 0.01 ms keeps the rounding
// of spike times to steps below 0.2%.
TEST(Stdlib, LifFiCurveMatchesTheAnalyticOne) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/lif_fi.hebb"), "fi");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto t = loadDoubles(outPath("fi", "cells_spikes_t.npy"));
  auto i = loadDoubles(outPath("fi", "cells_spikes_i.npy"));
  const double R = 100e6, tau = 0.020, tRef = 0.002, gap = 0.015;
  std::vector<std::vector<double>> times(40);
  for (size_t k = 0; k < t.size(); ++k)
    times[static_cast<size_t>(i[k])].push_back(t[k]);
  double worst = 0;
  for (int k = 0; k < 40; ++k) {
    ASSERT_GE(times[k].size(), 10u) << "neuron " << k;
    std::sort(times[k].begin(), times[k].end());
    double isi = (times[k].back() - times[k].front()) / (times[k].size() - 1);
    double current = (0.16 + 0.02 * k) * 1e-9;
    double analytic =
        1 / (tRef + tau * std::log(R * current / (R * current - gap)));
    worst = std::max(worst, std::fabs(1 / isi - analytic) / analytic);
  }
  EXPECT_LT(worst, 0.01);
}

// Reward-modulated STDP (Izhikevich 2007 style): the synapses of the input
// group whose activity precedes each reward grow to w_max while the
// randomly firing group's do not; without reward the weights never move.
TEST(Stdlib, RewardModulatedStdpLearnsTheRewardedGroup) {
  auto meanLast = [](const std::vector<double> &w) {
    double sum = 0;
    for (size_t k = w.size() - 50; k < w.size(); ++k)
      sum += w[k];
    return sum / 50;
  };
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/reward_stdp.hebb"), "rstdp");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto cue = loadDoubles(outPath("rstdp", "fromCue_w.npy"));
  auto noise = loadDoubles(outPath("rstdp", "fromNoise_w.npy"));
  ASSERT_EQ(cue.size(), 31u * 50);  // every second of 30 s
  EXPECT_GT(meanLast(cue), 0.045);  // near w_max = 0.05, from 0.03
  EXPECT_LT(meanLast(noise), 0.03); // no gain for the unrewarded group
  EXPECT_GT(meanLast(cue), 1.5 * meanLast(noise));

  CommandResult control =
      hebbRun(sourcePath("tests/e2e/inputs/reward_stdp.hebb"), "rstdp0",
              "--set level=0");
  ASSERT_EQ(control.exitCode, 0) << control.output;
  for (const char *file : {"fromCue_w.npy", "fromNoise_w.npy"})
    for (double w : loadDoubles(outPath("rstdp0", file)))
      ASSERT_EQ(w, 0.03f) << file;
}

// Homeostasis by intrinsic plasticity (LIFAdaptiveThreshold): the neuron
// settles at its 10 Hz target; when its input doubles at 30 s it first
// fires much faster, then its threshold rises and it returns to within 10%
// of the target.
TEST(Stdlib, AdaptiveThresholdRestoresTheTargetRate) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/homeostasis.hebb"), "homeo");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto t = loadDoubles(outPath("homeo", "out_spikes_t.npy"));
  auto th = loadDoubles(outPath("homeo", "out_v_th.npy")); // every 100 ms
  auto rate = [&](double from, double to) {
    return std::count_if(t.begin(), t.end(),
                         [&](double s) { return s >= from && s < to; }) /
           (to - from);
  };
  EXPECT_NEAR(rate(20, 30), 10.0, 1.0); // at target before the step
  EXPECT_GT(rate(30, 31), 15.0);        // the step drives it harder
  EXPECT_NEAR(rate(50, 60), 10.0, 1.0); // and it returns
  ASSERT_EQ(th.size(), 601u);
  EXPECT_GT(th[550] - th[290], 0.010); // by raising its threshold
}

// Symmetric STDP under the same protocol: potentiation for both orders,
// A w_max e^-(s - dt)/tau for s >= dt and A w_max e^-(dt - s)/tau for
// s <= 0, within 1%.
TEST(Stdlib, SymmetricStdpPotentiatesBothOrders) {
  auto window = pairingWindow("stdp_window_symmetric.hebb", "stdp_sym");
  ASSERT_EQ(window.size(), 201u);
  for (auto [s, change] : window)
    EXPECT_GT(change, 0) << "s = " << s;
  const double wMax = 0.01, tau = 0.020;
  EXPECT_LT(worstRelative(
                window,
                [&](double s) {
                  return 0.01 * wMax *
                         std::exp(-(s >= kStep ? s - kStep : kStep - s) / tau);
                }),
            0.01);
}

// Leaky rate neurons (Rate) driven through fixed weights (Weighted) by a
// unit at 1: the excited one follows 2 (1 - e^-(n - 1) dt/tau) exactly
// (the input arrives one step after the unit first reads 1), the one with
// weight -2 stays at relu(-2) = 0.
TEST(Stdlib, RateNeuronRelaxesToItsRectifiedInput) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/rate_step.hebb"), "rate_step");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto rates = loadDoubles(outPath("rate_step", "cells_r.npy")); // (101, 2)
  ASSERT_EQ(rates.size(), 101u * 2);
  for (int n = 1; n <= 100; ++n) {
    double expected = 2 * (1 - std::exp(-(n - 1) * 1e-3 / 0.010));
    EXPECT_NEAR(rates[n * 2], expected, 1e-6) << "step " << n;
    EXPECT_EQ(rates[n * 2 + 1], 0.0) << "step " << n;
  }
}

// Pairing schemes: with two presynaptic spikes 20 and 10 ms before a
// postsynaptic one, all-to-all STDP adds both pairings,
// A_plus w_max (e^-(20 ms - dt)/tau + e^-(10 ms - dt)/tau), and
// nearest-spike STDP only the later one.
TEST(Stdlib, NearestSpikeStdpPairsOnlyTheLatestSpike) {
  CommandResult r = hebbRun(
      sourcePath("tests/e2e/inputs/stdp_pairing_schemes.hebb"), "schemes");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto all = loadDoubles(outPath("schemes", "all_pairs_w.npy"));
  auto nearest = loadDoubles(outPath("schemes", "nearest_w.npy"));
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(nearest.size(), 2u);
  const double a = 0.01 * 0.01, tau = 0.020, dt = 1e-4;
  double late = a * std::exp(-(0.010 - dt) / tau);
  double early = a * std::exp(-(0.020 - dt) / tau);
  EXPECT_NEAR(all[1] - all[0], late + early, 0.01 * (late + early));
  EXPECT_NEAR(nearest[1] - nearest[0], late, 0.01 * late);
}

// The Izhikevich neuron (regular spiking, 10 mV input) against the paper's
// Euler scheme replayed in double precision: the same 23 spikes in 1 s,
// each at the same step (within one step of 0.1 ms).
TEST(Stdlib, IzhikevichNeuronFollowsTheReferenceTrace) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/izhikevich.hebb"), "izhikevich");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto t = loadDoubles(outPath("izhikevich", "cell_spikes_t.npy"));
  std::vector<double> reference;
  double v = -65, u = -13, dt = 0.1; // mV, ms
  for (int n = 0; n < 10000; ++n) {
    double input = n >= 1 ? 10 : 0; // the drive arrives one step late
    double dv = 0.04 * v * v + 5 * v + 140 - u + input;
    double du = 0.02 * (0.2 * v - u);
    v += dt * dv;
    u += dt * du;
    if (v >= 30) {
      reference.push_back(n * 1e-4);
      v = -65;
      u += 8;
    }
  }
  ASSERT_EQ(reference.size(), 23u);
  ASSERT_EQ(t.size(), reference.size());
  for (size_t k = 0; k < t.size(); ++k)
    EXPECT_NEAR(t[k], reference[k], 1.01e-4) << "spike " << k;
}

// The AdEx neuron (Brette & Gerstner 2005 defaults) under a 1 nA step
// against its Euler scheme replayed in double precision: the same 30
// spikes in 1 s at the same steps, with the intervals lengthening as the
// adaptation current builds up.
TEST(Stdlib, AdExNeuronAdaptsAsTheReferenceDoes) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/adex.hebb"), "adex");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto t = loadDoubles(outPath("adex", "cell_spikes_t.npy"));
  const double c = 281e-12, gL = 30e-9, eL = -70.6e-3, vT = -50.4e-3,
               deltaT = 2e-3, tauW = 0.144, a = 4e-9, b = 0.0805e-9,
               vR = -70.6e-3, vPeak = 20e-3, dt = 1e-4;
  std::vector<double> reference;
  double v = eL, w = 0;
  for (int n = 0; n < 10000; ++n) {
    double input = n >= 1 ? 1e-9 : 0;
    double dv = (-gL * (v - eL) + gL * deltaT * std::exp((v - vT) / deltaT) -
                 w + input) /
                c;
    double dw = (a * (v - eL) - w) / tauW;
    v += dt * dv;
    w += dt * dw;
    if (v > vPeak) {
      reference.push_back(n * dt);
      v = vR;
      w += b;
    }
  }
  ASSERT_EQ(reference.size(), 30u);
  ASSERT_EQ(t.size(), reference.size());
  for (size_t k = 0; k < t.size(); ++k)
    EXPECT_NEAR(t[k], reference[k], 1.01e-4) << "spike " << k;
  EXPECT_GT(t[29] - t[28], 2 * (t[1] - t[0])); // adaptation
}
