/* A C program that runs a Hebb network compiled by `hebbc -c`: the COBA
 * network of examples/coba.hebb, built with seed 13 (a seed on which its
 * activity sustains). It runs the first half second, saves a checkpoint,
 * runs the second half, writes the records, and then shows that a second
 * network resumed from the checkpoint ends in the same state.
 *
 *   network OUT_DIR CHECKPOINT
 *
 * The records in OUT_DIR are those of `hebb run examples/coba.hebb --set
 * seed=13` (tests/e2e/CHostTest.cpp checks that the spikes are identical). */
#include "coba.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(hebb_status status, const char *what) {
  if (status != HEBB_OK) {
    fprintf(stderr, "network: %s: %s\n", what, hebb_last_error());
    exit(1);
  }
  return 0;
}

static double *readV(hebb_network *net, int64_t *count) {
  check(hebb_state_size(net, "P.v", count), "size of P.v");
  double *v = malloc((size_t)*count * sizeof(double));
  check(hebb_read_state(net, "P.v", v, *count), "read P.v");
  return v;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: network OUT_DIR CHECKPOINT\n");
    return 2;
  }
  hebb_network *net;
  check(coba_create(13, &net), "create");
  check(hebb_run_duration(net, 0.5), "run");
  check(hebb_save_checkpoint(net, argv[2]), "save");
  check(hebb_run_duration(net, 0.5), "run");
  check(hebb_write_records(net, argv[1]), "write records");

  int64_t spikes;
  check(hebb_spike_record_size(net, 0, &spikes), "spike record");
  printf("%lld spikes in %g s: %.2f Hz per neuron\n", (long long)spikes,
         hebb_time(net), (double)spikes / 4000 / hebb_time(net));

  /* Errors come back as codes with a message; nothing aborts. */
  double x;
  if (hebb_get_parameter(net, "P.no_such", &x) != HEBB_ERROR_NOT_FOUND)
    return 1;
  printf("as expected: %s\n", hebb_last_error());

  hebb_network *resumed;
  check(coba_create(13, &resumed), "create");
  check(hebb_load_checkpoint(resumed, argv[2]), "load");
  check(hebb_run_duration(resumed, 0.5), "run");
  int64_t n1, n2;
  double *v1 = readV(net, &n1), *v2 = readV(resumed, &n2);
  int same = n1 == n2 && memcmp(v1, v2, (size_t)n1 * sizeof(double)) == 0 &&
             hebb_steps_done(net) == hebb_steps_done(resumed);
  printf("resumed from the checkpoint: %s\n",
         same ? "the same state at 1 s" : "DIFFERENT");
  free(v1);
  free(v2);
  hebb_network_destroy(resumed);
  hebb_network_destroy(net);
  return same ? 0 : 1;
}
