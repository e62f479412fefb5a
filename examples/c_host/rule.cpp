// A C++ program with its own network loop that calls a Hebb rule as a
// kernel: Oja's rule from stdlib/synapses/oja.hebb, compiled by
// `hebbc --kernel Oja --pre 10 --post 1 -c`, on the layer of
// examples/oja_pca.hebb. It presents the same input rows, runs the same
// linear neuron, and so ends with the weights `hebb run` gives.
//
//   rule INPUT.npy INITIAL_W.npy OUT_W.npy
//
// INPUT is examples/data/oja_input.npy; INITIAL_W the first row of
// syn_w.npy from `hebb run examples/oja_pca.hebb` (its random initial
// weights). tests/e2e/CHostTest.cpp compares OUT_W with that run's last row.
#include "oja.h"

#include "hebb/runtime/Npy.h"

#include <cmath>
#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: rule INPUT.npy INITIAL_W.npy OUT_W.npy\n");
    return 2;
  }
  try {
    hebb::rt::NpyArray input = hebb::rt::readNpy(argv[1]);
    std::vector<double> rows = input.toDoubles();
    std::vector<double> initial = hebb::rt::readNpy(argv[2]).toDoubles();
    if (input.shape.size() != 2 || input.shape[1] != OJA_N_PRE ||
        initial.size() < OJA_N_SYNAPSES) {
      std::fprintf(stderr, "rule: unexpected shapes\n");
      return 1;
    }
    std::vector<float> w(initial.begin(), initial.begin() + OJA_N_SYNAPSES);
    std::vector<float> preR(OJA_N_PRE, 0.0f), postI(OJA_N_POST, 0.0f),
        postR(OJA_N_POST, 0.0f);
    oja_params params = OJA_PARAMS_DEFAULT;
    params.eta = 0.002; // as in examples/oja_pca.hebb
    oja_arrays arrays = {w.data(), preR.data(), postI.data(), postR.data()};

    // 40 s at dt = 1 ms, one row per step; the presynaptic values a step
    // transmits and learns from are the row presented in the step before.
    const int64_t steps = 40000, numRows = input.shape[0];
    for (int64_t n = 0; n < steps; ++n) {
      if (oja_transmit(&params, &arrays, n, 1) != HEBB_OK ||
          (postR[0] = postI[0], oja_learn(&params, &arrays, n, 1)) != HEBB_OK) {
        std::fprintf(stderr, "rule: %s\n", hebb_last_error());
        return 1;
      }
      postI[0] = 0.0f;
      for (int i = 0; i < OJA_N_PRE; ++i)
        preR[i] = static_cast<float>(rows[(n % numRows) * OJA_N_PRE + i]);
    }
    double norm = 0;
    for (float x : w)
      norm += double(x) * x;
    std::printf("after %lld steps: |w| = %.4f\n", (long long)steps,
                std::sqrt(norm));
    hebb::rt::writeNpy(argv[3], std::vector<float>(w.begin(), w.end()));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "rule: %s\n", e.what());
    return 1;
  }
  return 0;
}
