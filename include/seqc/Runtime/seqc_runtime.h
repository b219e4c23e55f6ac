/*===- seqc_runtime.h - The C ABI of models compiled by seqc ------*- C -*-===*
 *
 * A model compiled by `seqc model.onnx -o libmodel.so` exports
 *
 *   const char *model_signature(void);          JSON: inputs, outputs, dims
 *   int model_run(const seqc_tensor *inputs, size_t num_inputs,
 *                 seqc_tensor *outputs, size_t num_outputs,
 *                 char *error, size_t error_size);
 *
 * (and the same under the generic names seqc_model_signature/seqc_model_run).
 * Every input is checked against the signature -- dtype, rank, static dims,
 * and the consistency of symbolic dims across inputs -- before any work; a
 * mismatch returns a nonzero seqc_status and a message in `error`. Outputs
 * are allocated by the model with malloc; release them with
 * seqc_tensor_free. A model is reentrant: threads may run it at once on
 * different tensors. Its loops run in parallel through OpenMP (libomp);
 * seqc_set_num_threads or SEQC_NUM_THREADS set the thread count.
 *
 * This header is plain C99 and is copied beside every compiled model.
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_RUNTIME_H
#define SEQC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEQC_MAX_RANK 8

typedef enum seqc_dtype {
  SEQC_DTYPE_INVALID = 0,
  SEQC_DTYPE_FLOAT32 = 1,
  SEQC_DTYPE_FLOAT64 = 2,
  SEQC_DTYPE_FLOAT16 = 3,
  SEQC_DTYPE_INT8 = 4,
  SEQC_DTYPE_INT16 = 5,
  SEQC_DTYPE_INT32 = 6,
  SEQC_DTYPE_INT64 = 7,
  SEQC_DTYPE_UINT8 = 8,
  SEQC_DTYPE_BOOL = 9,
  SEQC_DTYPE_UINT16 = 10,
  SEQC_DTYPE_UINT32 = 11,
  SEQC_DTYPE_UINT64 = 12,
  SEQC_DTYPE_BFLOAT16 = 13 /* the upper half of a float32's bits */
} seqc_dtype;

typedef enum seqc_status {
  SEQC_OK = 0,
  SEQC_ERROR_ARGUMENT = 1, /* wrong number of tensors, null pointers */
  SEQC_ERROR_DTYPE = 2,
  SEQC_ERROR_RANK = 3,
  SEQC_ERROR_SHAPE = 4, /* a static dim or a symbolic dim disagrees */
  SEQC_ERROR_OUT_OF_MEMORY = 5
} seqc_status;

/* A dense, row-major tensor. For inputs the caller owns `data`; for outputs
 * the model fills every field and the caller frees with seqc_tensor_free. */
typedef struct seqc_tensor {
  void *data;
  seqc_dtype dtype;
  int32_t rank;
  int64_t shape[SEQC_MAX_RANK];
} seqc_tensor;

/* Bytes per element of a dtype (0 if invalid). */
size_t seqc_dtype_size(seqc_dtype dtype);
/* Name of a dtype as in the signature ("float32", ...). */
const char *seqc_dtype_name(seqc_dtype dtype);
/* Number of elements of a tensor. */
int64_t seqc_tensor_numel(const seqc_tensor *t);
/* Frees the data of an output tensor and clears it. */
void seqc_tensor_free(seqc_tensor *t);

/* Threads a model's parallel loops use (OpenMP). 0 restores the default:
 * the SEQC_NUM_THREADS environment variable if set, else OpenMP's default
 * (OMP_NUM_THREADS or all cores). Applies to later runs from any thread. */
void seqc_set_num_threads(int num_threads);
/* Frees the buffers the calling thread keeps for reuse between runs. */
void seqc_release_cached_memory(void);

/*===----------------------------------------------------------------------===*
 * Used by the code seqc generates for each model; not needed by callers.
 *===----------------------------------------------------------------------===*/

/* One input or output of a model: dims < 0 are dynamic; `dim_names[i]` is
 * the symbolic name of dim i ("" if none). */
typedef struct seqc_io_spec {
  const char *name;
  seqc_dtype dtype;
  int32_t rank;
  int64_t dims[SEQC_MAX_RANK];
  const char *dim_names[SEQC_MAX_RANK];
} seqc_io_spec;

typedef struct seqc_model_spec {
  const char *name;
  size_t num_inputs;
  const seqc_io_spec *inputs;
  size_t num_outputs;
  const seqc_io_spec *outputs;
} seqc_model_spec;

/* The header of an MLIR memref descriptor; sizes and strides follow. */
typedef struct seqc_memref_header {
  void *allocated;
  void *aligned;
  int64_t offset;
} seqc_memref_header;

/* Called first by every run entry: applies the thread count. */
void seqc_rt_enter(void);
int seqc_rt_check_inputs(const seqc_model_spec *spec, const seqc_tensor *inputs,
                         size_t num_inputs, seqc_tensor *outputs,
                         size_t num_outputs, char *error, size_t error_size);
/* Fills the memref descriptor at `desc` (rank `rank`) for tensor `t`. */
void seqc_rt_input_memref(void *desc, const seqc_tensor *t);
/* Copies the result memref at `desc` into a fresh dense buffer in `out`. */
int seqc_rt_copy_output(const void *desc, const seqc_io_spec *spec,
                        seqc_tensor *out, char *error, size_t error_size);
/* Frees the allocations of the result memrefs, each once, except those that
 * are inputs' buffers or constants. */
void seqc_rt_release_results(void *const *descs, size_t num_descs,
                             const seqc_tensor *inputs, size_t num_inputs);

#ifdef __cplusplus
}
#endif

#endif /* SEQC_RUNTIME_H */
