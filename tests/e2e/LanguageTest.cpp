//===- LanguageTest.cpp - Semantics of the language, run end to end -------===//

#include "RunHebb.h"

#include "hebb/runtime/Philox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

using namespace hebb::test;

// rand() and randn() in compiled kernels are the runtime's counter-based
// Philox numbers for (seed, stream of the stage, element, step, draw); in
// a neuron step, four neurons share the block of a rand().
TEST(Language, KernelRandomNumbersAreTheRuntimePhilox) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/random.hebb"), "random");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray u = hebb::rt::readNpy(outPath("random", "p_u.npy"));
  hebb::rt::NpyArray z = hebb::rt::readNpy(outPath("random", "p_z.npy"));
  ASSERT_EQ(u.shape, (std::vector<int64_t>{6, 256}));
  std::vector<double> uv = u.toDoubles(), zv = z.toDoubles();
  uint32_t stream = hebb::rt::streamId("p.step");
  // Sample k (k >= 1) holds the values drawn in step k - 1.
  for (int k = 1; k < 6; ++k)
    for (uint32_t i = 0; i < 256; ++i) {
      float expectU = hebb::rt::sharedUniformAt(7, stream, i, k - 1, 0);
      float expectZ = hebb::rt::normalAt(7, stream, i, k - 1, 1);
      ASSERT_EQ(static_cast<float>(uv[k * 256 + i]), expectU)
          << "step " << k - 1 << " element " << i;
      // The kernel's log and cos are polynomial approximations.
      ASSERT_NEAR(zv[k * 256 + i], expectZ, 2e-5 * (1 + std::fabs(expectZ)));
    }
}

TEST(Language, SameSeedSameSpikesOtherSeedOthers) {
  std::string file = sourcePath("tests/e2e/inputs/poisson.hebb");
  ASSERT_EQ(hebbRun(file, "seed_a", "--set seed=3").exitCode, 0);
  ASSERT_EQ(hebbRun(file, "seed_b", "--set seed=3").exitCode, 0);
  ASSERT_EQ(hebbRun(file, "seed_c", "--set seed=4").exitCode, 0);
  auto a = loadDoubles(outPath("seed_a", "p_spikes_i.npy"));
  auto b = loadDoubles(outPath("seed_b", "p_spikes_i.npy"));
  auto c = loadDoubles(outPath("seed_c", "p_spikes_i.npy"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// 1000 Poisson neurons at 15 Hz for 10 s: 150000 expected spikes, so the
// measured rate is within 1% (four standard deviations) of 15 Hz, and no
// neuron is silent or wildly off.
TEST(Language, PoissonNeuronsFireAtTheirRate) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/poisson.hebb"), "poisson");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto t = loadDoubles(outPath("poisson", "p_spikes_t.npy"));
  auto idx = loadDoubles(outPath("poisson", "p_spikes_i.npy"));
  ASSERT_EQ(t.size(), idx.size());
  double rate = t.size() / (1000 * 10.0);
  EXPECT_NEAR(rate, 15.0, 0.15);
  std::vector<int> perNeuron(1000, 0);
  for (double i : idx)
    perNeuron[static_cast<int>(i)]++;
  for (int n : perNeuron) {
    EXPECT_GT(n, 150 - 5 * 12.3); // mean 150, sd about 12.2
    EXPECT_LT(n, 150 + 5 * 12.3);
  }
}

// Linear ODEs are integrated exactly: each recorded value equals the closed
// form at its time, within the rounding of the precision used.
static void checkExact(const std::string &name, double tolV, double tolX) {
  auto v = loadDoubles(outPath(name, "leak_v.npy"));
  auto x = loadDoubles(outPath(name, "cascade_x.npy"));
  auto y = loadDoubles(outPath(name, "cascade_y.npy"));
  ASSERT_EQ(v.size(), 1001u);
  const double tau = 0.02, vInf = -0.05, v0 = -0.07;
  const double t1 = 0.01, t2 = 0.03;
  for (size_t k = 0; k < v.size(); ++k) {
    double t = k * 1e-4;
    EXPECT_NEAR(v[k], vInf + (v0 - vInf) * std::exp(-t / tau), tolV)
        << "t = " << t;
    double yExact = std::exp(-t / t2);
    double xExact =
        (std::exp(-t / t2) - std::exp(-t / t1)) / (t1 * (1 / t1 - 1 / t2));
    EXPECT_NEAR(y[k], yExact, tolX) << "t = " << t;
    EXPECT_NEAR(x[k], xExact, tolX) << "t = " << t;
  }
}

TEST(Language, LinearOdesAreIntegratedExactlyInF32) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/exact.hebb"), "exact32");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  checkExact("exact32", 2e-7, 2e-6);
}

TEST(Language, LinearOdesAreIntegratedExactlyInF64) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/exact.hebb"),
                            "exact64", "--precision=f64");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  checkExact("exact64", 1e-13, 1e-12);
}

TEST(Language, ErrorsExitNonZeroWithALocation) {
  CommandResult r = runCommand(std::string(HEBB_BIN_DIR) + "/hebb run " +
                               sourcePath("tests/e2e/inputs/missing.hebb"));
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.output.find("cannot read"), std::string::npos) << r.output;
}

// Neuron updates split across threads give the same spikes and states,
// because random numbers are keyed by element and step, not by thread.
TEST(Language, ThreadsDoNotChangeResults) {
  std::string file = sourcePath("tests/e2e/inputs/many_neurons.hebb");
  CommandResult one = hebbRun(file, "threads1", "--threads 1");
  ASSERT_EQ(one.exitCode, 0) << one.output;
  CommandResult two = hebbRun(file, "threads2", "--threads 2");
  ASSERT_EQ(two.exitCode, 0) << two.output;
  for (const char *f :
       {"p_spikes_i.npy", "p_spikes_t.npy", "q_spikes_i.npy", "q_spikes_t.npy",
        "q_0_10_v.npy", "plastic_w.npy", "r_spikes_i.npy", "r_spikes_t.npy",
        "r_9990_10010_v.npy", "s_spikes_i.npy", "s_spikes_t.npy",
        "s_3990_4010_v.npy", "u_spikes_i.npy", "u_spikes_t.npy"}) {
    auto a = loadDoubles(outPath("threads1", f));
    auto b = loadDoubles(outPath("threads2", f));
    EXPECT_EQ(a, b) << f;
    EXPECT_FALSE(a.empty()) << f;
  }
  // Both projections delivered in the neuron update's parallel region.
  file = sourcePath("tests/e2e/inputs/conductance_split.hebb");
  one = hebbRun(file, "split1", "--threads 1");
  ASSERT_EQ(one.exitCode, 0) << one.output;
  two = hebbRun(file, "split2", "--threads 2");
  ASSERT_EQ(two.exitCode, 0) << two.output;
  for (const char *f :
       {"P_spikes_i.npy", "P_spikes_t.npy", "P_9990_10010_ge.npy"}) {
    auto a = loadDoubles(outPath("split1", f));
    auto b = loadDoubles(outPath("split2", f));
    EXPECT_EQ(a, b) << f;
    EXPECT_FALSE(a.empty()) << f;
  }
  // Sustained activity (COBA is bistable; seed 16 sustains): the spikes
  // compared are many.
  EXPECT_GT(loadDoubles(outPath("split1", "P_spikes_t.npy")).size(), 20000u);
}

// A re-run of an unchanged network loads its kernels from the cache of
// compiled networks, and gives the same spikes; a parameter set from the
// command line is not in the code, so it hits too. A note beside the
// object, under the key of the network's hebb module, lets a re-run skip
// lowering; a damaged note is passed over. An object that does not load is
// compiled again and replaced. --cache=false neither reads nor writes the
// cache.
TEST(Language, CompiledNetworksAreCached) {
  std::string cache = std::string(HEBB_TEST_OUT_DIR) + "/cache_of_networks";
  std::filesystem::remove_all(cache);
  std::string file = sourcePath("tests/e2e/inputs/many_neurons.hebb");
  auto run = [&](const std::string &name, const std::string &extra) {
    std::string dir = std::string(HEBB_TEST_OUT_DIR) + "/" + name;
    std::filesystem::remove_all(dir);
    return runCommand("HEBB_CACHE_DIR=" + cache + " " + HEBB_BIN_DIR +
                      "/hebb run " + file + " --out " + dir + " " + extra);
  };
  auto objects = [&](const char *extension = ".o") {
    std::vector<std::filesystem::path> found;
    for (const auto &e : std::filesystem::directory_iterator(cache))
      if (e.path().extension() == extension)
        found.push_back(e.path());
    return found;
  };
  const std::string fromCache = "(kernels from the cache)";
  CommandResult first = run("cached1", "");
  ASSERT_EQ(first.exitCode, 0) << first.output;
  EXPECT_EQ(first.output.find(fromCache), std::string::npos) << first.output;
  ASSERT_EQ(objects().size(), 1u);
  const std::filesystem::path object = objects()[0];
  ASSERT_EQ(objects(".note").size(), 1u);
  const std::filesystem::path note = objects(".note")[0];

  CommandResult second = run("cached2", "");
  ASSERT_EQ(second.exitCode, 0) << second.output;
  EXPECT_NE(second.output.find(fromCache), std::string::npos) << second.output;
  for (const char *f : {"q_spikes_i.npy", "q_spikes_t.npy", "plastic_w.npy"})
    EXPECT_EQ(loadDoubles(outPath("cached1", f)),
              loadDoubles(outPath("cached2", f)))
        << f;

  CommandResult set = run("cached3", "--set seed=6");
  ASSERT_EQ(set.exitCode, 0) << set.output;
  EXPECT_NE(set.output.find(fromCache), std::string::npos) << set.output;
  EXPECT_NE(loadDoubles(outPath("cached1", "q_spikes_i.npy")),
            loadDoubles(outPath("cached3", "q_spikes_i.npy")));

  // Overwrites `file` with `text`, then runs as `name`: the same spikes as
  // the first run, the kernels from the cache or not.
  auto damaged = [&](const std::filesystem::path &file, const char *text,
                     const std::string &name, bool hit) {
    { std::ofstream(file, std::ios::trunc) << text; }
    CommandResult r = run(name, "");
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(r.output.find(fromCache) != std::string::npos, hit) << r.output;
    EXPECT_EQ(loadDoubles(outPath("cached1", "q_spikes_i.npy")),
              loadDoubles(outPath(name, "q_spikes_i.npy")));
  };
  // A damaged note: lowered again, the object found, the note rewritten.
  damaged(note, "hebb kernel note 1\nnonsense", "cached3b", true);
  std::ifstream rewritten(note);
  std::string header;
  std::getline(rewritten, header);
  std::string objectKey;
  std::getline(rewritten, objectKey);
  EXPECT_EQ(objectKey + ".o", object.filename().string());

  // f64 code is other code.
  CommandResult f64 = run("cached4", "--precision=f64");
  ASSERT_EQ(f64.exitCode, 0) << f64.output;
  EXPECT_EQ(f64.output.find(fromCache), std::string::npos) << f64.output;
  EXPECT_EQ(objects().size(), 2u);

  // A damaged object: compiled again, the same spikes, then a hit again.
  damaged(object, "not an object file", "cached5", false);
  CommandResult again = run("cached6", "");
  EXPECT_NE(again.output.find(fromCache), std::string::npos) << again.output;

  std::filesystem::remove_all(cache);
  CommandResult off = run("cached7", "--cache=false");
  ASSERT_EQ(off.exitCode, 0) << off.output;
  EXPECT_EQ(off.output.find(fromCache), std::string::npos) << off.output;
  EXPECT_TRUE(!std::filesystem::exists(cache) || objects().empty());
}

// The exact value of a clock-driven trace incremented by spikes, sampled
// after each step (sample n: after n steps). A spike of step m is added in
// step m' = m + delay; a presynaptic trace is incremented at delivery, before
// that step's decay (it has decayed once after step m'), a postsynaptic one
// in `on post`, after it (it is 1 after step m').
static std::vector<double> expectedTrace(const std::vector<double> &times,
                                         const std::vector<double> &index,
                                         int neuron, int delaySteps,
                                         bool decaysInIncrementStep,
                                         int64_t steps, double dt, double tau) {
  std::vector<double> x(steps + 1, 0.0);
  for (size_t k = 0; k < times.size(); ++k) {
    if (static_cast<int>(index[k]) != neuron)
      continue;
    int64_t increment = std::llround(times[k] / dt) + delaySteps;
    int64_t undecayed = decaysInIncrementStep ? increment : increment + 1;
    for (int64_t n = increment + 1; n <= steps; ++n)
      x[n] += std::exp(-(n - undecayed) * dt / tau);
  }
  return x;
}

TEST(Language, PreAndPostTracesAreUpdatedOncePerNeuron) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/scoped_traces.hebb"), "scoped");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray x = hebb::rt::readNpy(outPath("scoped", "syn_x.npy"));
  hebb::rt::NpyArray y = hebb::rt::readNpy(outPath("scoped", "syn_y.npy"));
  ASSERT_EQ(x.shape, (std::vector<int64_t>{3001, 20}));
  ASSERT_EQ(y.shape, (std::vector<int64_t>{3001, 5}));
  auto preT = loadDoubles(outPath("scoped", "src_spikes_t.npy"));
  auto preI = loadDoubles(outPath("scoped", "src_spikes_i.npy"));
  auto postT = loadDoubles(outPath("scoped", "dst_spikes_t.npy"));
  auto postI = loadDoubles(outPath("scoped", "dst_spikes_i.npy"));
  ASSERT_GT(preT.size(), 200u);
  ASSERT_GT(postT.size(), 30u);
  std::vector<double> xv = x.toDoubles(), yv = y.toDoubles();
  double worst = 0;
  for (int i = 0; i < 20; ++i) {
    // Presynaptic spikes arrive one step later; `on post` runs in the step
    // of the spike.
    auto expect = expectedTrace(preT, preI, i, 1, true, 3000, 1e-4, 0.02);
    for (int64_t n = 0; n <= 3000; ++n)
      worst = std::max(worst, std::fabs(xv[n * 20 + i] - expect[n]));
  }
  for (int j = 0; j < 5; ++j) {
    auto expect = expectedTrace(postT, postI, j, 0, false, 3000, 1e-4, 0.02);
    for (int64_t n = 0; n <= 3000; ++n)
      worst = std::max(worst, std::fabs(yv[n * 5 + j] - expect[n]));
  }
  EXPECT_LT(worst, 1e-5);
}

// `: event` on @pre and @post traces: kept once per neuron and brought up to
// date exactly when read, they give what the same traces kept per synapse
// give, in every handler: a decaying @pre trace read in `on post`, and a
// @post trace relaxing towards 1 read in `on pre`.
TEST(Language, EventTracesPerNeuronEqualPerSynapse) {
  CommandResult r = hebbRun(
      sourcePath("tests/e2e/inputs/neuron_event_traces.hebb"), "ntraces");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (auto [perSynapse, perNeuron] :
       {std::pair{"p_w1.npy", "p_w2.npy"}, std::pair{"p_u1.npy", "p_u2.npy"}}) {
    auto a = loadDoubles(outPath("ntraces", perSynapse));
    auto b = loadDoubles(outPath("ntraces", perNeuron));
    ASSERT_EQ(a.size(), 3u * 200);
    ASSERT_EQ(b.size(), a.size());
    double largest = 0, worst = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      largest = std::max(largest, std::fabs(a[k]));
      worst = std::max(worst, std::fabs(a[k] - b[k]));
    }
    EXPECT_GT(largest, 10.0) << perSynapse; // many events summed
    EXPECT_LT(worst, 1e-5 * largest) << perNeuron;
  }
}

// OnPre(w = 0.5 nA) into LIF's input I: each presynaptic spike adds 0.5 nA
// for one step, so 10 inputs at 100 Hz give a mean current of
// 10 * 100 Hz * 0.5 nA * 0.1 ms = 50 pA and, through R = 100 Mohm, a mean
// depolarisation of 5 mV from v_rest = -65 mV.
TEST(Language, PlainParametersTakeTheUnitTheyAreGiven) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/current_weights.hebb"), "current");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto v = loadDoubles(outPath("current", "dst_v.npy"));
  ASSERT_EQ(v.size(), 2001u * 4);
  double sum = 0;
  for (size_t k = 200 * 4; k < v.size(); ++k) // after 200 ms
    sum += v[k];
  double mean = sum / (v.size() - 200 * 4);
  EXPECT_NEAR(mean, -0.060, 0.0004);
}

// Sums over synapses outside learning: in transmission, each output gets
// the weighted mean sum_i w_ij r_i / sum_i w_ij of its inputs with the
// weights at the end of the previous step; in `on pre`, each delivered
// spike adds w / mean_out(w) for the spiking neuron's outgoing weights.
TEST(Language, SumsInTransmissionAndHandlers) {
  CommandResult r = hebbRun(
      sourcePath("tests/e2e/inputs/sums_outside_learning.hebb"), "sums2");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto out = loadDoubles(outPath("sums2", "b_r.npy")); // (101, 3)
  auto w = loadDoubles(outPath("sums2", "p_w.npy"));   // (101, 12)
  auto pre = loadDoubles(outPath("sums2", "p_pre.npy"));
  auto post = loadDoubles(outPath("sums2", "p_post.npy"));
  ASSERT_EQ(out.size(), 101u * 3);
  ASSERT_EQ(w.size(), 101u * 12);
  double worst = 0;
  for (int k = 2; k <= 100; ++k) {
    double num[3] = {0, 0, 0}, den[3] = {0, 0, 0};
    for (int s = 0; s < 12; ++s) {
      int j = static_cast<int>(post[s]);
      num[j] += w[(k - 1) * 12 + s] * (pre[s] + 1); // r_i = i + 1
      den[j] += w[(k - 1) * 12 + s];
    }
    for (int j = 0; j < 3; ++j)
      worst = std::max(worst, std::fabs(out[k * 3 + j] - num[j] / den[j]));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(w[100 * 12 + 11], 1.5 * w[11]); // the weights did change

  auto c = loadDoubles(outPath("sums2", "h_c.npy")); // (2, 10)
  auto hPre = loadDoubles(outPath("sums2", "h_pre.npy"));
  auto hPost = loadDoubles(outPath("sums2", "h_post.npy"));
  auto spikeT = loadDoubles(outPath("sums2", "s_spikes_t.npy"));
  auto spikeI = loadDoubles(outPath("sums2", "s_spikes_i.npy"));
  ASSERT_EQ(c.size(), 20u);
  // Spikes of steps 0-98 arrive, one step later, within the 100 steps.
  std::vector<int> delivered(5, 0);
  for (size_t k = 0; k < spikeT.size(); ++k)
    if (spikeT[k] < 0.0985)
      delivered[static_cast<int>(spikeI[k])]++;
  std::vector<double> meanOut(5, 0);
  for (int s = 0; s < 10; ++s)
    meanOut[static_cast<int>(hPre[s])] += (1 + hPre[s] * hPost[s]) / 2;
  for (int s = 0; s < 10; ++s) {
    int i = static_cast<int>(hPre[s]);
    double expect = (1 + hPre[s] * hPost[s]) / meanOut[i] * delivered[i];
    EXPECT_NEAR(c[10 + s], expect, 1e-4 * expect) << "synapse " << s;
  }
}

// sum_in and mean_out: after every step of learning, each output's incoming
// weights sum to w_tot exactly (multiplicative normalisation, dense), and
// each input's outgoing weights have mean zero (centring, CSR).
TEST(Language, SumsOverSynapsesNormalise) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/normalise.hebb"), "normalise");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  hebb::rt::NpyArray hn = hebb::rt::readNpy(outPath("normalise", "hn_w.npy"));
  ASSERT_EQ(hn.shape, (std::vector<int64_t>{21, 80}));
  std::vector<double> w = hn.toDoubles();
  auto hnPost = loadDoubles(outPath("normalise", "hn_post.npy"));
  for (int k = 1; k < 21; ++k) {
    std::vector<double> sums(4, 0.0);
    for (int s = 0; s < 80; ++s)
      sums[static_cast<int>(hnPost[s])] += w[k * 80 + s];
    for (double sum : sums)
      EXPECT_NEAR(sum, 1.0, 1e-5) << "sample " << k;
  }
  // Learning made the weights of an output unequal.
  double lo = 1e9, hi = -1e9;
  for (int s = 0; s < 80; ++s) {
    lo = std::min(lo, w[20 * 80 + s]);
    hi = std::max(hi, w[20 * 80 + s]);
  }
  EXPECT_GT(hi - lo, 1e-3);

  hebb::rt::NpyArray c = hebb::rt::readNpy(outPath("normalise", "c_w.npy"));
  auto cPre = loadDoubles(outPath("normalise", "c_pre.npy"));
  ASSERT_EQ(c.shape[1], static_cast<int64_t>(cPre.size()));
  std::vector<double> cw = c.toDoubles();
  int64_t n = c.shape[1], last = c.shape[0] - 1;
  std::vector<double> sum(20, 0.0), count(20, 0.0);
  double biggest = 0;
  for (int64_t s = 0; s < n; ++s) {
    sum[static_cast<int>(cPre[s])] += cw[last * n + s];
    count[static_cast<int>(cPre[s])] += 1;
    biggest = std::max(biggest, std::fabs(cw[last * n + s]));
  }
  for (int i = 0; i < 20; ++i)
    if (count[i] > 0)
      EXPECT_NEAR(sum[i] / count[i], 0.0, 1e-6) << "input " << i;
  EXPECT_GT(biggest, 1e-3);
}

// Phases set signals for their duration, `on end free` snapshots the state
// when the free phase ends, `every` refreshes a signal from a population
// statistic, and `at` changes a signal at a given time.
TEST(Language, PhasesOnEndAtAndEvery) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/phases.hebb"), "phases");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  std::vector<double> s = loadDoubles(outPath("phases", "p_s.npy"));
  std::vector<double> snap = loadDoubles(outPath("phases", "p_s_free.npy"));
  std::vector<double> seen = loadDoubles(outPath("phases", "p_seen.npy"));
  ASSERT_EQ(s.size(), 1001u * 3);
  for (int i = 0; i < 3; ++i) {
    // Free phase, 30 ms: the exact relaxation to 1 + index (tau 10 ms).
    EXPECT_NEAR(s[300 * 3 + i], (1 + i) * (1 - std::exp(-3.0)), 1e-6);
    // The snapshot is taken when the free phase ends, and kept.
    EXPECT_EQ(snap[300 * 3 + i], 0.0);
    EXPECT_EQ(snap[1000 * 3 + i], s[300 * 3 + i]);
    // Nudged toward target 0, until `at 45 ms` sets it to 5.
    EXPECT_LT(s[450 * 3 + i], s[449 * 3 + i]);
    EXPECT_GT(s[451 * 3 + i], s[450 * 3 + i]);
  }
  // `every 10 ms`: the mean of s after 100 steps, seen in step 101; no
  // spikes, so the count adds nothing.
  for (int k : {100, 200, 900}) {
    double mean = (s[k * 3] + s[k * 3 + 1] + s[k * 3 + 2]) / 3;
    EXPECT_NEAR(seen[(k + 1) * 3], mean, 1e-6) << "sample " << k;
    EXPECT_NEAR(seen[k * 3], k == 100 ? 0.0 : seen[(k - 1) * 3], 1e-12);
  }
}

// `phase name until settled(tol, max)` ends after the first step in which
// no state variable changed by tol or more, or after max; a Stream with
// `advance = down` presents its next row after each `down` phase, and
// `record ... at end up` samples as each `up` ends. A run
// resumed from a checkpoint inside a settling phase ends identically.
TEST(Language, PhasesUntilSettled) {
  std::string input = sourcePath("tests/e2e/inputs/settle.hebb");
  CommandResult r = hebbRun(input, "settle", "--checkpoint-every 30ms");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  std::vector<double> v = loadDoubles(outPath("settle", "p_r.npy"));
  std::vector<double> row = loadDoubles(outPath("settle", "row_r.npy"));
  // Exact steps, h = dt / tau = 0.1: relaxing from r0 toward 1, step m
  // (from 0) changes r by (1 - r0) e^{-m h} (1 - e^{-h}); the phase ends
  // with the first change below 1e-3. Decay for 20 ms never settles.
  double h = 0.1, decay = std::exp(-h);
  auto settleSteps = [&](double r0) {
    int m = 0;
    while ((1 - r0) * std::pow(decay, m) * (1 - decay) >= 1e-3)
      ++m;
    return m + 1;
  };
  int up1 = settleSteps(0);
  EXPECT_EQ(up1, 47);
  double afterUp = 1 - std::pow(decay, up1);
  double afterDown = afterUp * std::pow(decay, 20);
  int up2 = settleSteps(afterDown);
  size_t total = size_t(up1 + 20 + up2 + 20);
  ASSERT_EQ(v.size(), total + 1);
  EXPECT_NEAR(v[size_t(up1)], afterUp, 1e-6);
  EXPECT_NEAR(v[size_t(up1 + 20)], afterDown, 1e-6);
  // The step before settling still changed by 1e-3 or more.
  EXPECT_GE(v[size_t(up1 - 1)] - v[size_t(up1 - 2)], 1e-3);
  EXPECT_LT(v[size_t(up1)] - v[size_t(up1 - 1)], 1e-3);
  // Sample k holds the row of step k - 1: row 1 from the step after the
  // first `down` ends.
  for (size_t k = 1; k <= total; ++k)
    EXPECT_EQ(row[k], k <= size_t(up1 + 20) ? 0.0 : 1.0) << "sample " << k;

  // `record p.r at end up`: one sample as each `up` phase ends.
  std::vector<double> atEnd =
      loadDoubles(outPath("settle", "p_r_at_end_up.npy"));
  std::vector<double> atEndT =
      loadDoubles(outPath("settle", "p_r_at_end_up_t.npy"));
  ASSERT_EQ(atEnd.size(), 2u);
  EXPECT_EQ(atEnd[0], v[size_t(up1)]);
  EXPECT_EQ(atEnd[1], v[size_t(up1 + 20 + up2)]);
  EXPECT_NEAR(atEndT[1], (up1 + 20 + up2) * 1e-3, 1e-12);

  // The last periodic checkpoint (120 ms) is inside the last phase.
  CommandResult resumed = runCommand(
      std::string(HEBB_BIN_DIR) + "/hebb run " + input + " --quiet --out " +
      outPath("settle", "resumed") + " --resume " + outPath("settle", ""));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_EQ(loadDoubles(outPath("settle", "resumed/p_r.npy")), v);
  EXPECT_EQ(loadDoubles(outPath("settle", "resumed/row_r.npy")), row);
}

// `weights = fwd.T`: the feedback projection reads W^T, and sees each
// change `fwd` makes (learning at phase ends), bit for bit.
TEST(Language, TiedWeightsAreTheTranspose) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/tied.hebb"), "tied");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  std::vector<double> seen = loadDoubles(outPath("tied", "x_seen.npy"));
  std::vector<double> y = loadDoubles(outPath("tied", "y_r.npy"));
  std::vector<double> w = loadDoubles(outPath("tied", "fwd_w.npy"));
  ASSERT_EQ(seen.size(), 7u * 3);
  ASSERT_EQ(w.size(), 7u * 6);
  // Sample n of x.seen is what step n received: W as it was during the
  // step (learning happens after the sample, at phase ends) times y.r of
  // the step before. W is stored W[post][pre], post-major.
  bool learned = false;
  for (int n = 1; n <= 6; ++n) {
    for (int i = 0; i < 3; ++i) {
      float expected = 0;
      for (int j = 0; j < 2; ++j)
        expected += float(w[n * 6 + j * 3 + i]) * float(y[(n - 1) * 2 + j]);
      EXPECT_FLOAT_EQ(seen[n * 3 + i], expected) << "step " << n;
    }
    learned |= w[n * 6] != w[0];
  }
  EXPECT_TRUE(learned);
}

// Stream(shuffle = true) presents every row once per epoch, in an order
// that changes from epoch to epoch; without shuffle, rows come in order.
TEST(Language, StreamShufflesRowsEachEpoch) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/shuffle.hebb"), "shuffle");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto ordered = loadDoubles(outPath("shuffle", "ordered_r.npy"));
  auto shuffled = loadDoubles(outPath("shuffle", "shuffled_r.npy"));
  ASSERT_EQ(shuffled.size(), 101u);
  // Sample k (k >= 1) holds the row presented in step k - 1.
  std::vector<std::vector<double>> epochs(2);
  for (int k = 1; k <= 100; ++k) {
    EXPECT_EQ(ordered[k], (k - 1) % 50);
    epochs[(k - 1) / 50].push_back(shuffled[k]);
  }
  for (std::vector<double> epoch : epochs) {
    std::vector<double> sorted = epoch;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 50; ++i)
      EXPECT_EQ(sorted[i], i);
    int inPlace = 0;
    for (int i = 0; i < 50; ++i)
      inPlace += epoch[i] == i;
    EXPECT_LT(inPlace, 10);
  }
  EXPECT_NE(epochs[0], epochs[1]);
}

// in_degree, out_degree, from a file, no_self; a 25-step delay; and
// `constrain w sign`: weights stop at zero instead of changing sign.
TEST(Language, ConnectionRulesDelaysAndSignConstraints) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/network_features.hebb"), "features");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto count = [](const std::vector<double> &index, int n) {
    std::vector<int> c(n, 0);
    for (double i : index)
      c[static_cast<int>(i)]++;
    return c;
  };
  EXPECT_EQ(count(loadDoubles(outPath("features", "indeg_post.npy")), 5),
            std::vector<int>(5, 3));
  EXPECT_EQ(count(loadDoubles(outPath("features", "outdeg_pre.npy")), 10),
            std::vector<int>(10, 2));
  EXPECT_EQ(loadDoubles(outPath("features", "listed_pre.npy")),
            (std::vector<double>{0, 2, 3, 3}));
  EXPECT_EQ(loadDoubles(outPath("features", "listed_post.npy")),
            (std::vector<double>{1, 0, 3, 4}));
  auto loopPre = loadDoubles(outPath("features", "loops_pre.npy"));
  auto loopPost = loadDoubles(outPath("features", "loops_post.npy"));
  ASSERT_EQ(loopPre.size(), 90u);
  for (size_t s = 0; s < loopPre.size(); ++s)
    EXPECT_NE(loopPre[s], loopPost[s]);

  // The pulse at 5 ms (step 50) arrives 2.5 ms later, in step 75.
  auto got = loadDoubles(outPath("features", "dst_0_1_got.npy"));
  ASSERT_EQ(got.size(), 101u);
  for (int k = 0; k <= 100; ++k)
    EXPECT_EQ(got[k], k >= 76 ? 1.0 : 0.0) << "sample " << k;

  hebb::rt::NpyArray w = hebb::rt::readNpy(outPath("features", "dale_w.npy"));
  std::vector<double> dale = w.toDoubles();
  int64_t n = w.shape[1], last = w.shape[0] - 1;
  int positive = 0;
  for (int64_t s = 0; s < n; ++s) {
    if (dale[s] > 0) {
      ++positive;
      EXPECT_EQ(dale[last * n + s], 0.0); // stopped at zero
    } else {
      EXPECT_LT(dale[last * n + s], dale[s]); // free to grow more negative
    }
  }
  EXPECT_GT(positive, 10);
}

// After a spike in step n, step n + m is refractory while m dt < t_ref: a
// neuron driven to spike at every chance spikes every ceil(t_ref / dt)
// steps (2 ms: 20 steps; 0.25 ms: 3 steps; 0: every step).
TEST(Language, RefractoryPeriodInSteps) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/refractory.hebb"), "refractory");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (auto [pop, interval] : std::vector<std::pair<std::string, int>>{
           {"a", 20}, {"b", 3}, {"c", 1}}) {
    auto t = loadDoubles(outPath("refractory", pop + "_spikes_t.npy"));
    ASSERT_EQ(t.size(), static_cast<size_t>((100 + interval - 1) / interval))
        << pop;
    for (size_t k = 0; k < t.size(); ++k)
      EXPECT_EQ(std::llround(t[k] / 1e-4), static_cast<long long>(k * interval))
          << pop << " spike " << k;
  }
}

// Monitors (record pop.dormant_ratio, pop.active_fraction, proj.drift,
// proj.effective_rank) on known activity and weights.
TEST(Language, MonitorsOfLearningDynamics) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/monitors.hebb"), "monitors");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto series = [&](const std::string &label) {
    return loadDoubles(outPath("monitors", label + ".npy"));
  };
  auto dormant = series("cells_dormant_ratio"),
       active = series("cells_active_fraction"),
       noiseDormant = series("noise_dormant_ratio"),
       noiseActive = series("noise_active_fraction"),
       drift = series("syn_drift"), rank = series("syn_effective_rank");
  for (auto *s :
       {&dormant, &active, &noiseDormant, &noiseActive, &drift, &rank})
    ASSERT_EQ(s->size(), 21u); // t = 0, 1, ..., 20 s
  // At t = 0 nothing has fired yet; then each second half the cells fire
  // (about 20 spikes each, twice the mean) and half are silent.
  EXPECT_EQ(active[0], 0);
  EXPECT_EQ(dormant[0], 1);
  for (size_t k = 1; k < 21; ++k) {
    EXPECT_EQ(dormant[k], 0.5) << k;
    EXPECT_EQ(active[k], 0.5) << k;
    // |N(0, 1)| averaged over 1000 steps: every unit active, none dormant.
    EXPECT_EQ(noiseActive[k], 1) << k;
    EXPECT_EQ(noiseDormant[k], 0) << k;
  }
  // Drift from the initial weights: 0 at first, then the distance to the
  // learned rows, compared with the recorded weights themselves.
  auto w = series("syn_w"); // (3, 30): t = 0, 10, 20 s
  ASSERT_EQ(w.size(), 90u);
  double moved = 0, base = 0;
  for (int i = 0; i < 30; ++i) {
    moved += (w[60 + i] - w[i]) * (w[60 + i] - w[i]);
    base += w[i] * w[i];
  }
  EXPECT_EQ(drift[0], 0);
  EXPECT_NEAR(drift[20], std::sqrt(moved / base), 1e-6);
  // Orthonormal rows: three equal singular values, effective rank 3.
  EXPECT_LT(rank[0], 2.95);
  EXPECT_NEAR(rank[20], 3, 0.01);
}

// A delay drawn per synapse: each spike reaches each synapse exactly its
// delay later (got sums w over the arrivals up to the last step), with
// `connect total` giving exactly that many synapses; both when `on pre`
// only adds (k: delivered ahead into a ring of inputs) and when it runs at
// each arrival (c: counts them in `hits`).
TEST(Language, DelaysPerSynapseAndFixedTotalConnectivity) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/synapse_delays.hebb"),
                            "synapse_delays");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  auto load = [](const std::string &file) {
    return loadDoubles(outPath("synapse_delays", file));
  };
  std::vector<double> t = load("src_spikes_t.npy"),
                      i = load("src_spikes_i.npy");
  const size_t nSyn = 3000, nPost = 40;
  const double dt = 1e-4;
  for (const char *proj : {"k", "c"}) {
    SCOPED_TRACE(proj);
    std::string p = proj;
    std::vector<double> pre = load(p + "_pre.npy"),
                        post = load(p + "_post.npy");
    std::vector<double> w = load(p + "_w.npy"), delay = load(p + "_delay.npy");
    std::vector<double> got = load(p == "k" ? "dst_got.npy" : "dst_got2.npy");
    std::vector<double> hits;
    if (p == "c")
      hits = load("c_hits.npy");
    ASSERT_EQ(pre.size(), nSyn);
    ASSERT_EQ(w.size(), 2 * nSyn); // at 0 and 20 ms
    ASSERT_EQ(got.size(), 2 * nPost);
    std::vector<int> perPre(50, 0);
    std::vector<int> seen(31, 0);
    std::vector<double> expect(nPost, 0.0);
    for (size_t s = 0; s < nSyn; ++s) {
      double d = delay[nSyn + s] / dt;
      int steps = int(std::lround(d));
      ASSERT_NEAR(d, steps, 1e-3) << "delays are whole steps";
      ASSERT_GE(steps, 1);
      ASSERT_LE(steps, 30);
      ++seen[steps];
      ++perPre[int(pre[s])];
      // A spike in step n arrives in step n + delay; the run ends after
      // step 199.
      int arrivals = 0;
      for (size_t k = 0; k < t.size(); ++k)
        if (i[k] == pre[s] && std::lround(t[k] / dt) + steps <= 199)
          ++arrivals;
      expect[size_t(post[s])] += arrivals * w[nSyn + s];
      if (!hits.empty())
        EXPECT_EQ(hits[nSyn + s], arrivals) << "synapse " << s;
      // Each pre's synapses are stored by delay where they deliver at
      // arrival (c); into rings (k), by post, so that rows split by
      // postsynaptic ranges.
      if (s > 0 && pre[s] == pre[s - 1]) {
        if (p == "c")
          EXPECT_LE(delay[nSyn + s - 1], delay[nSyn + s]) << "synapse " << s;
        else
          EXPECT_LE(post[s - 1], post[s]) << "synapse " << s;
      }
    }
    for (size_t j = 0; j < nPost; ++j)
      EXPECT_NEAR(got[nPost + j], expect[j], 1e-5 * expect[j]) << "post " << j;
    // uniform(0.1 ms, 3 ms) rounds to every step from 1 to 30: about 103
    // synapses each (sd 10), half as many at the two ends.
    for (int d = 1; d <= 30; ++d)
      EXPECT_GT(seen[d], d == 1 || d == 30 ? 15 : 55) << "delay of " << d;
    // 3000 pairs over 50 pres: about 60 each (multinomial, sd 7.7).
    for (int n : perPre) {
      EXPECT_GT(n, 25);
      EXPECT_LT(n, 95);
    }
  }
  // Two threads deliver into the rings population by population: the same
  // sums, bit for bit.
  r = hebbRun(sourcePath("tests/e2e/inputs/synapse_delays.hebb"),
              "synapse_delays_2", "--threads 2");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char *file : {"dst_got.npy", "dst_got2.npy", "c_hits.npy"})
    EXPECT_EQ(loadDoubles(outPath("synapse_delays_2", file)), load(file))
        << file;
}

// --procedural keeps no synapse of `connect total` projections that only
// add into rings: each spike draws its row again. Rows reach the same
// posts as when stored (the same draws, unsorted), so unit weights with one
// delay deliver exactly the same inputs (r, with no pair of a neuron with
// itself, and u); weights and delays drawn per synapse are paired with
// other posts, so their sums agree in distribution (k). A recorded
// projection stays stored; threads change nothing.
TEST(Language, ProceduralSynapsesReachTheStoredPosts) {
  std::string file = sourcePath("tests/e2e/inputs/procedural.hebb");
  CommandResult stored = hebbRun(file, "procedural_stored");
  ASSERT_EQ(stored.exitCode, 0) << stored.output;
  CommandResult drawn = hebbRun(file, "procedural", "--procedural");
  ASSERT_EQ(drawn.exitCode, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("3000 synapses (KickJ, procedural)"),
            std::string::npos)
      << drawn.output;
  EXPECT_NE(drawn.output.find("100 synapses (Kick)"), std::string::npos)
      << drawn.output;
  EXPECT_EQ(stored.output.find("procedural)"), std::string::npos);
  auto load = [](const std::string &run, const char *file) {
    return loadDoubles(outPath(run, file));
  };
  for (const char *f : {"src_spikes_i.npy", "src_got.npy", "dst_got.npy"})
    EXPECT_EQ(load("procedural", f), load("procedural_stored", f)) << f;
  // Some input arrived: 50 neurons at 200 Hz for 20 ms, 40 rows each.
  std::vector<double> got = load("procedural", "dst_got.npy");
  ASSERT_EQ(got.size(), 80u);
  EXPECT_GT(std::accumulate(got.begin() + 40, got.end(), 0.0), 1000);
  // k: 3000 synapses of weight normal(1, 0.2) and delays of 1 to 30
  // steps; what arrived in total agrees within a few percent.
  std::vector<double> a = load("procedural", "dst_got2.npy"),
                      b = load("procedural_stored", "dst_got2.npy");
  double sumA = std::accumulate(a.begin() + 40, a.end(), 0.0);
  double sumB = std::accumulate(b.begin() + 40, b.end(), 0.0);
  EXPECT_GT(sumB, 1000);
  EXPECT_NEAR(sumA / sumB, 1.0, 0.05);
  EXPECT_NE(a, b); // other pairings of weights and posts

  CommandResult two = hebbRun(file, "procedural_2", "--procedural --threads 2");
  ASSERT_EQ(two.exitCode, 0) << two.output;
  for (const char *f : {"src_got.npy", "dst_got.npy", "dst_got2.npy"})
    EXPECT_EQ(load("procedural_2", f), load("procedural", f)) << f;
}

// poisson(lam) inverts the Poisson distribution at the runtime's Philox
// uniform (exact below lam = 6); above, it follows the normal
// approximation's mean and variance.
TEST(Language, PoissonCountsFollowTheirDistribution) {
  CommandResult r = hebbRun(sourcePath("tests/e2e/inputs/poisson_counts.hebb"),
                            "poisson_counts");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const int n = 20000, steps = 5;
  uint32_t stream = hebb::rt::streamId("mid.step");
  std::vector<double> mid = loadDoubles(outPath("poisson_counts", "mid_k.npy"));
  ASSERT_EQ(mid.size(), size_t(n) * (steps + 1));
  // The same count as inverting the host's uniform in double precision,
  // but where the uniform lies within f32 rounding of a step of the
  // distribution function.
  int differ = 0;
  for (int k = 1; k <= steps; ++k)
    for (int e = 0; e < n; ++e) {
      double u = hebb::rt::sharedUniformAt(5, stream, uint32_t(e), k - 1, 0);
      double term = std::exp(-3.0), cdf = term;
      int count = 0;
      while (u >= cdf) {
        ++count;
        term *= 3.0 / count;
        cdf += term;
      }
      differ += mid[size_t(k) * n + e] != count;
    }
  EXPECT_LE(differ, 2);
  auto moments = [&](const std::string &name, double lam, double tol) {
    std::vector<double> v = loadDoubles(outPath("poisson_counts", name));
    double sum = 0, sq = 0;
    size_t count = 0;
    for (size_t s = n; s < v.size(); ++s) {
      EXPECT_EQ(v[s], std::floor(v[s]));
      EXPECT_GE(v[s], 0);
      sum += v[s];
      sq += v[s] * v[s];
      ++count;
    }
    double mean = sum / count, var = sq / count - mean * mean;
    // 100000 draws: the mean's sd is sqrt(lam / 1e5).
    EXPECT_NEAR(mean, lam, 5 * std::sqrt(lam / count)) << name;
    EXPECT_NEAR(var, lam, tol * lam) << name;
  };
  moments("small_k.npy", 0.3, 0.03);
  moments("mid_k.npy", 3, 0.03);
  moments("edge_k.npy", 5.9, 0.03);
  moments("large_k.npy", 40, 0.03);
}

// Far in the tail: in f32 the sum of the Poisson terms can stop just below
// 1 (0.9999999 at lam = 1.5999999), and the uniforms above it used to count
// every term: 24 about once in 8 million draws. Of 1e8 draws at each rate,
// the largest counts must be what the distribution gives (at lam = 2, 13
// has chance 1.8e-7 and 15 about 3.4e-9 per draw).
TEST(Language, PoissonCountsHaveNoSpuriousTail) {
  CommandResult r =
      hebbRun(sourcePath("tests/e2e/inputs/poisson_tail.hebb"), "poisson_tail");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char *pop : {"a", "b", "c"}) {
    std::vector<double> kmax =
        loadDoubles(outPath("poisson_tail", std::string(pop) + "_kmax.npy"));
    ASSERT_EQ(kmax.size(), 2u * 40000) << pop;
    double largest = *std::max_element(kmax.begin() + 40000, kmax.end());
    EXPECT_GE(largest, 9) << pop;
    EXPECT_LE(largest, 14) << pop;
  }
}
