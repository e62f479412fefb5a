//===- ExamplesTest.cpp - The examples reproduce their published results --===//

#include "RunHebb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace hebb::test;

// Song, Miller & Abbott (2000): after 100 s of STDP the weights are bimodal.
// The lowest and the highest tenth of [0, w_max] each hold at least twice
// the mean share of the eight middle tenths, and the output fires at a
// plausible rate (Brian2 2.5.1 on the same model: 23% lowest, 19% highest,
// 26 Hz).
TEST(Examples, Song2000WeightsBecomeBimodal) {
  CommandResult r = hebbRun(sourcePath("examples/song2000.hebb"), "song2000");
  ASSERT_EQ(r.exitCode, 0) << r.output;

  hebb::rt::NpyArray w = hebb::rt::readNpy(outPath("song2000", "syn_w.npy"));
  ASSERT_EQ(w.shape.size(), 2u);
  ASSERT_EQ(w.shape[0], 11); // t = 0, 10, ..., 100 s
  ASSERT_EQ(w.shape[1], 1000);
  std::vector<double> all = w.toDoubles();
  std::vector<double> last(all.end() - 1000, all.end());
  const double wMax = 0.01;
  std::vector<int> tenths(10, 0);
  for (double x : last) {
    ASSERT_GE(x, 0.0);
    ASSERT_LE(x, wMax);
    tenths[std::min(9, static_cast<int>(x / wMax * 10))]++;
  }
  double middle =
      std::accumulate(tenths.begin() + 1, tenths.begin() + 9, 0.0) / 8;
  EXPECT_GE(tenths[0], 2 * middle) << "lowest tenth " << tenths[0];
  EXPECT_GE(tenths[9], 2 * middle) << "highest tenth " << tenths[9];

  // Initial weights are uniform on [0, w_max]: no such shape at t = 0.
  std::vector<int> initial(10, 0);
  for (int i = 0; i < 1000; ++i)
    initial[std::min(9, static_cast<int>(all[i] / wMax * 10))]++;
  EXPECT_LT(initial[0], 150);
  EXPECT_LT(initial[9], 150);

  std::vector<double> spikes =
      loadDoubles(outPath("song2000", "out_spikes_t.npy"));
  double rate = spikes.size() / 100.0;
  EXPECT_GE(rate, 5.0);
  EXPECT_LE(rate, 60.0);
}

// Oja (1982): the weight vector of a linear neuron converges to the top
// eigenvector of the input covariance, with unit norm.
TEST(Examples, OjaFindsThePrincipalComponent) {
  CommandResult r = hebbRun(sourcePath("examples/oja_pca.hebb"), "oja");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray w = hebb::rt::readNpy(outPath("oja", "syn_w.npy"));
  ASSERT_EQ(w.shape.size(), 2u);
  ASSERT_EQ(w.shape[1], 10);
  std::vector<double> all = w.toDoubles();
  std::vector<double> last(all.end() - 10, all.end());
  std::vector<double> top =
      loadDoubles(sourcePath("examples/data/oja_top_eigenvector.npy"));
  ASSERT_EQ(top.size(), 10u);
  double dot = 0, norm = 0, topNorm = 0;
  for (int i = 0; i < 10; ++i) {
    dot += last[i] * top[i];
    norm += last[i] * last[i];
    topNorm += top[i] * top[i];
  }
  double cosine = std::fabs(dot) / std::sqrt(norm * topNorm);
  EXPECT_GE(cosine, 0.99);
  EXPECT_NEAR(std::sqrt(norm), 1.0, 0.05);
  // It starts far from it.
  std::vector<double> first(all.begin(), all.begin() + 10);
  double dot0 = 0, norm0 = 0;
  for (int i = 0; i < 10; ++i) {
    dot0 += first[i] * top[i];
    norm0 += first[i] * first[i];
  }
  EXPECT_LT(std::fabs(dot0) / std::sqrt(norm0 * topNorm), 0.9);
}

// Contrastive Hebbian learning with a free and a nudged phase per sample:
// the weights converge to the matrix that maps inputs to targets, and the
// free phase's output error shrinks.
TEST(Examples, ContrastiveHebbianLearnsTheMapping) {
  CommandResult r =
      hebbRun(sourcePath("examples/contrastive_hebbian.hebb"), "chl");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray w = hebb::rt::readNpy(outPath("chl", "syn_w.npy"));
  ASSERT_EQ(w.shape, (std::vector<int64_t>{9, 8}));
  std::vector<double> all = w.toDoubles();
  std::vector<double> a =
      loadDoubles(sourcePath("examples/data/chl_a.npy")); // (2, 4)
  auto pre = loadDoubles(outPath("chl", "syn_pre.npy"));
  auto post = loadDoubles(outPath("chl", "syn_post.npy"));
  double first = 0, last = 0;
  for (int s = 0; s < 8; ++s) {
    double target = a[static_cast<int>(post[s]) * 4 + static_cast<int>(pre[s])];
    first = std::max(first, std::fabs(all[s] - target));
    last = std::max(last, std::fabs(all[8 * 8 + s] - target));
  }
  EXPECT_GT(first, 0.3);
  EXPECT_LT(last, 0.01);

  // The free-phase snapshot of sample k is taken at the end of its free
  // phase (sampled every 20 ms, at the end of the sample's two phases).
  auto free = loadDoubles(outPath("chl", "y_r_free.npy"));
  auto targets = loadDoubles(sourcePath("examples/data/chl_y.npy"));
  ASSERT_EQ(free.size(), 401u * 2);
  auto error = [&](int from, int to) {
    double sum = 0;
    for (int k = from; k < to; ++k)
      for (int j = 0; j < 2; ++j)
        sum += std::pow(free[(k + 1) * 2 + j] - targets[k * 2 + j], 2);
    return sum / (to - from);
  };
  EXPECT_LT(error(350, 400), 0.01 * error(0, 20));
}

// Brette et al. (2007) benchmark 1, the network of LANGUAGE.md section 3.7, is
// bistable: after the initial volley it either sustains irregular firing at
// about 17-21 Hz or falls silent within ~40 ms. Brian2 2.5.1 on the same
// network (shared/bench/brian_coba.py with seeds 1-20) sustains for 7 of 20
// seeds with Euler and 5 of 20 with exponential Euler; its seed 42 sustains
// at 17.5 Hz. Hebb's seed 42 falls silent, so the test checks the two
// branches and how often each is taken over seeds 1-20.
TEST(Examples, CobaIsBistableAsInBrian2) {
  int sustained = 0;
  for (int seed = 1; seed <= 20; ++seed) {
    std::string name = "coba_" + std::to_string(seed);
    CommandResult r = hebbRun(sourcePath("examples/coba.hebb"), name,
                              "--set seed=" + std::to_string(seed));
    ASSERT_EQ(r.exitCode, 0) << r.output;
    std::vector<double> t = loadDoubles(outPath(name, "P_spikes_t.npy"));
    std::vector<double> i = loadDoubles(outPath(name, "P_spikes_i.npy"));
    ASSERT_EQ(t.size(), i.size());
    double rate = t.size() / 4000.0;
    size_t late =
        std::count_if(t.begin(), t.end(), [](double s) { return s >= 0.9; });
    if (rate < 1.0) {
      // Silent branch: only the first 100 ms hold spikes.
      EXPECT_EQ(late, 0u) << "seed " << seed;
      EXPECT_EQ(
          std::count_if(t.begin(), t.end(), [](double s) { return s >= 0.1; }),
          0)
          << "seed " << seed;
      continue;
    }
    ++sustained;
    EXPECT_GE(rate, 15.0) << "seed " << seed;
    EXPECT_LE(rate, 25.0) << "seed " << seed;
    // Sustained to the end, and irregular: the mean coefficient of
    // variation of the interspike intervals is near or above 1, as in
    // Vogels & Abbott (2005), where a regular spiker would give about 0.
    EXPECT_GE(late / 4000.0 / 0.1, 10.0) << "seed " << seed;
    std::vector<std::vector<double>> perNeuron(4000);
    for (size_t k = 0; k < t.size(); ++k)
      perNeuron[static_cast<size_t>(i[k])].push_back(t[k]);
    double cvSum = 0;
    int counted = 0;
    for (auto &times : perNeuron) {
      if (times.size() < 5)
        continue;
      std::sort(times.begin(), times.end());
      std::vector<double> isi(times.size() - 1);
      for (size_t k = 1; k < times.size(); ++k)
        isi[k - 1] = times[k] - times[k - 1];
      double mean = std::accumulate(isi.begin(), isi.end(), 0.0) / isi.size();
      double var = 0;
      for (double d : isi)
        var += (d - mean) * (d - mean);
      cvSum += std::sqrt(var / isi.size()) / mean;
      ++counted;
    }
    ASSERT_GT(counted, 1000) << "seed " << seed;
    EXPECT_GE(cvSum / counted, 0.8) << "seed " << seed;
  }
  // Brian2: 12 of 40 runs over the two integrators; Hebb: 6 of 20.
  EXPECT_GE(sustained, 3);
  EXPECT_LE(sustained, 12);
}

// The Potjans & Diesmann (2014) microcircuit at a tenth of its neurons with
// its in-degrees kept (`--set scale=0.1`, 7,717 neurons and 30 million
// synapses), 3 s: after the first 200 ms every population fires within 35%
// of the full model's rates in NEST (network_params.py, full_mean_rates),
// the mean deviation over the eight is under 20%,
// irregularly (mean CV of the inter-spike intervals 0.6-1.0), and the
// layer 2/3 and 6 excitatory cells are the quietest, as in the paper.
TEST(Examples, PotjansDiesmannMicrocircuitRates) {
  CommandResult r = hebbRun(sourcePath("examples/potjans2014.hebb"), "potjans",
                            "--set scale=0.1 --set T=3s");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const char *names[] = {"L23E", "L23I", "L4E", "L4I",
                         "L5E",  "L5I",  "L6E", "L6I"};
  const int full[] = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
  const double nest[] = {0.971, 2.868, 4.746, 5.396,
                         8.142, 9.078, 0.991, 7.523};
  const double t0 = 0.2, t1 = 3.0;
  std::vector<double> rates;
  double deviation = 0;
  for (int k = 0; k < 8; ++k) {
    std::string stem = std::string(names[k]) + "_spikes_";
    std::vector<double> t = loadDoubles(outPath("potjans", stem + "t.npy"));
    std::vector<double> i = loadDoubles(outPath("potjans", stem + "i.npy"));
    int n = int(std::floor(full[k] * 0.1 + 0.5));
    std::vector<std::vector<double>> trains(n);
    for (size_t s = 0; s < t.size(); ++s)
      if (t[s] >= t0)
        trains[size_t(i[s])].push_back(t[s]);
    double count = 0, cvSum = 0;
    int cvCount = 0;
    for (const std::vector<double> &train : trains) {
      count += train.size();
      if (train.size() < 4)
        continue;
      double mean = 0, sq = 0;
      for (size_t s = 1; s < train.size(); ++s) {
        double d = train[s] - train[s - 1];
        mean += d;
        sq += d * d;
      }
      mean /= train.size() - 1;
      double var = sq / (train.size() - 1) - mean * mean;
      cvSum += std::sqrt(std::max(0.0, var)) / mean;
      ++cvCount;
    }
    double rate = count / n / (t1 - t0);
    rates.push_back(rate);
    // Downscaled, layer 2/3's excitatory cells fire 1.20-1.30 Hz over seeds
    // 1-5 (1.24-1.33x the full model's); the others within 15%.
    EXPECT_NEAR(rate, nest[k], 0.35 * nest[k]) << names[k];
    deviation += std::fabs(rate - nest[k]) / nest[k] / 8;
    ASSERT_GT(cvCount, 0) << names[k];
    EXPECT_GT(cvSum / cvCount, 0.6) << names[k];
    EXPECT_LT(cvSum / cvCount, 1.0) << names[k];
  }
  EXPECT_LT(deviation, 0.2);
  for (int k : {1, 2, 3, 4, 5, 7}) {
    EXPECT_LT(rates[0], rates[k]);
    EXPECT_LT(rates[6], rates[k]);
  }
}
