/*===- hebb.h - The Hebb C API --------------------------------------------===*
 *
 * Networks compiled with `hebbc FILE.hebb -c -o net.o --header net.h` run in
 * any program that links net.o and the Hebb runtime (libhebb_runtime.a or
 * .so); no compiler, LLVM or MLIR is needed at run time. See docs/c-api.md.
 *
 * Every function returns HEBB_OK or an error code; hebb_last_error() then
 * says what went wrong (per thread). Nothing aborts the host program.
 * Names are "object.variable": "P.v", "syn.w", "syn.A_plus". Values are in
 * SI units (volts, seconds, siemens...), as doubles.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HEBB_HEBB_H
#define HEBB_HEBB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The layout of hebb_module; an object compiled for another fails to load. */
#define HEBB_ABI_VERSION 1
/* Pass as the seed to use the network's own (`seed = ...`, default 1). */
#define HEBB_DEFAULT_SEED UINT64_MAX

typedef enum hebb_status {
  HEBB_OK = 0,
  HEBB_ERROR_ARGUMENT = 1,  /* a null pointer, a bad count or duration */
  HEBB_ERROR_NOT_FOUND = 2, /* no object, variable, parameter or record */
  HEBB_ERROR_RUNTIME = 3,   /* a file could not be read or written, ... */
  HEBB_ERROR_VERSION = 4    /* the object was compiled for another ABI */
} hebb_status;

/* A compiled kernel: packed arguments, see KernelABI.h. */
typedef struct hebb_kernel {
  const char *symbol;
  void (*entry)(void **args);
} hebb_kernel;

/* What `hebbc -c` puts in an object: the network's description and its
 * kernels. The generated header declares it as NAME_module. */
typedef struct hebb_module {
  uint32_t abi_version;
  const char *name;
  const char *description; /* JSON */
  uint32_t num_kernels;
  const hebb_kernel *kernels;
} hebb_module;

typedef struct hebb_network hebb_network;

/* The message of the last error in this thread ("" if none). */
const char *hebb_last_error(void);

/* Builds the network (connectivity, initial values) with `seed`. */
hebb_status hebb_network_create(const hebb_module *module, uint64_t seed,
                                hebb_network **out);
void hebb_network_destroy(hebb_network *net);

/* Running. hebb_run_schedule runs the file's schedule (its `run`, `repeat`,
 * phases...); the others run plain steps from where the network is. */
hebb_status hebb_run_steps(hebb_network *net, int64_t steps);
hebb_status hebb_run_duration(hebb_network *net, double seconds);
hebb_status hebb_run_schedule(hebb_network *net);
/* Runs `on end PHASE` handlers, as the end of a phase does. */
hebb_status hebb_end_phase(hebb_network *net, const char *phase);
double hebb_time(const hebb_network *net); /* simulated seconds */
double hebb_dt(const hebb_network *net);
int64_t hebb_steps_done(const hebb_network *net);
/* Neuron updates and learning on `threads` threads; results are the same. */
hebb_status hebb_set_threads(hebb_network *net, unsigned threads);

/* Parameters ("P.tau_m", "syn.A_plus") and signals ("dopamine"); a change
 * applies from the next step, without recompiling. */
hebb_status hebb_get_parameter(const hebb_network *net, const char *name,
                               double *value);
hebb_status hebb_set_parameter(hebb_network *net, const char *name,
                               double value);
hebb_status hebb_get_signal(const hebb_network *net, const char *name,
                            double *value);
hebb_status hebb_set_signal(hebb_network *net, const char *name,
                            double value);

/* State arrays ("P.v", "syn.w", "syn.apre"): one value per neuron, per
 * synapse, or per neuron of a side for @pre/@post state. */
hebb_status hebb_state_size(const hebb_network *net, const char *name,
                            int64_t *count);
hebb_status hebb_read_state(const hebb_network *net, const char *name,
                            double *values, int64_t count);
hebb_status hebb_write_state(hebb_network *net, const char *name,
                             const double *values, int64_t count);
/* The synapses of a projection: presynaptic and postsynaptic neuron of
 * synapse s (indices within the projection's slices). */
hebb_status hebb_synapse_count(const hebb_network *net, const char *proj,
                               int64_t *count);
hebb_status hebb_synapses(const hebb_network *net, const char *proj,
                          int32_t *pre, int32_t *post, int64_t count);

/* Records, in the order of the file's `record` statements, named as their
 * files are ("P_spikes", "syn_w"). Spike records hold (time, neuron)
 * pairs; state records `rows` samples of `columns` values. */
hebb_status hebb_record_count(const hebb_network *net, int64_t *count);
hebb_status hebb_record_name(const hebb_network *net, int64_t record,
                             const char **name, int *is_spikes);
hebb_status hebb_spike_record_size(const hebb_network *net, int64_t record,
                                   int64_t *count);
hebb_status hebb_read_spike_record(const hebb_network *net, int64_t record,
                                   double *times, int32_t *neurons,
                                   int64_t count);
hebb_status hebb_state_record_shape(const hebb_network *net, int64_t record,
                                    int64_t *rows, int64_t *columns);
hebb_status hebb_read_state_record(const hebb_network *net, int64_t record,
                                   double *times, double *values,
                                   int64_t rows, int64_t columns);
/* Writes every record as .npy files (and run.json's record list is not
 * written: that is `hebb run`'s). */
hebb_status hebb_write_records(const hebb_network *net, const char *dir);

/* Checkpoints: the state needed to continue (time, every variable,
 * parameters, signals, spikes in flight); records are not included.
 * Loading needs a network built from the same module and seed. */
hebb_status hebb_save_checkpoint(const hebb_network *net, const char *path);
hebb_status hebb_load_checkpoint(hebb_network *net, const char *path);

/* Rules alone (`hebbc FILE --kernel MODEL -c`): one kernel of a module run
 * over caller-owned arrays, elements [begin, end) of its domain. `params`
 * holds the model's parameters in SI units, in the order of the generated
 * header's params struct, and `signals` the signals the model reads, in
 * the order of its signals struct; `arrays` the kernel's buffers in the
 * order its header lists them, each with its number of elements. The
 * generated header wraps this in one function per stage. */
typedef struct hebb_array {
  void *data;
  int64_t size;
} hebb_array;
hebb_status hebb_kernel_run(const hebb_module *module, const char *symbol,
                            const double *params, int64_t num_params,
                            const double *signals, int64_t num_signals,
                            int64_t begin, int64_t end, int64_t step,
                            double dt, uint64_t seed, const hebb_array *arrays,
                            int64_t num_arrays);

#ifdef __cplusplus
}
#endif

#endif /* HEBB_HEBB_H */
