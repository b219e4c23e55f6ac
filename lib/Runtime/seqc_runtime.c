/*===- seqc_runtime.c - Runtime linked into every compiled model --*- C -*-===*
 *
 * Input validation against the model's signature and the conversion between
 * seqc_tensor and MLIR memref descriptors, the thread count, and the
 * support functions MLIR's lowering calls. C, libc and libomp only: it knows
 * nothing of MLIR or LLVM.
 *===----------------------------------------------------------------------===*/

#include "seqc/Runtime/seqc_runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t seqc_dtype_size(seqc_dtype dtype) {
  switch (dtype) {
  case SEQC_DTYPE_FLOAT32:
  case SEQC_DTYPE_INT32:
  case SEQC_DTYPE_UINT32:
    return 4;
  case SEQC_DTYPE_FLOAT64:
  case SEQC_DTYPE_INT64:
  case SEQC_DTYPE_UINT64:
    return 8;
  case SEQC_DTYPE_FLOAT16:
  case SEQC_DTYPE_BFLOAT16:
  case SEQC_DTYPE_INT16:
  case SEQC_DTYPE_UINT16:
    return 2;
  case SEQC_DTYPE_INT8:
  case SEQC_DTYPE_UINT8:
  case SEQC_DTYPE_BOOL:
    return 1;
  default:
    return 0;
  }
}

const char *seqc_dtype_name(seqc_dtype dtype) {
  switch (dtype) {
  case SEQC_DTYPE_FLOAT32:
    return "float32";
  case SEQC_DTYPE_FLOAT64:
    return "float64";
  case SEQC_DTYPE_FLOAT16:
    return "float16";
  case SEQC_DTYPE_INT8:
    return "int8";
  case SEQC_DTYPE_INT16:
    return "int16";
  case SEQC_DTYPE_INT32:
    return "int32";
  case SEQC_DTYPE_INT64:
    return "int64";
  case SEQC_DTYPE_UINT8:
    return "uint8";
  case SEQC_DTYPE_BOOL:
    return "bool";
  case SEQC_DTYPE_UINT16:
    return "uint16";
  case SEQC_DTYPE_UINT32:
    return "uint32";
  case SEQC_DTYPE_UINT64:
    return "uint64";
  case SEQC_DTYPE_BFLOAT16:
    return "bfloat16";
  default:
    return "invalid";
  }
}

int64_t seqc_tensor_numel(const seqc_tensor *t) {
  int64_t n = 1;
  for (int32_t i = 0; i < t->rank; ++i)
    n *= t->shape[i];
  return n;
}

void seqc_tensor_free(seqc_tensor *t) {
  if (!t)
    return;
  free(t->data);
  memset(t, 0, sizeof(*t));
}

void _mlir_memref_to_llvm_free(void *p); /* seqc_alloc.c */

/* libomp's API, weak so that the runtime links without it too. */
extern void omp_set_num_threads(int) __attribute__((weak));

static _Atomic int requested_threads; /* 0: environment / default */
static _Atomic int env_threads = -1;  /* SEQC_NUM_THREADS, read once */

void seqc_set_num_threads(int num_threads) {
  requested_threads = num_threads > 0 ? num_threads : 0;
}

void seqc_rt_enter(void) {
  if (env_threads < 0) {
    const char *env = getenv("SEQC_NUM_THREADS");
    int n = env ? atoi(env) : 0;
    env_threads = n > 0 ? n : 0;
  }
  int n = requested_threads ? requested_threads : env_threads;
  /* The OpenMP thread count is a per-thread setting: apply it in the thread
   * that runs the model. */
  if (n > 0 && omp_set_num_threads)
    omp_set_num_threads(n);
}

static int fail(char *error, size_t size, int code, const char *fmt, ...) {
  if (error && size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, size, fmt, ap);
    va_end(ap);
  }
  return code;
}

int seqc_rt_check_inputs(const seqc_model_spec *spec, const seqc_tensor *inputs,
                         size_t num_inputs, seqc_tensor *outputs,
                         size_t num_outputs, char *error, size_t error_size) {
  if (num_inputs != spec->num_inputs)
    return fail(error, error_size, SEQC_ERROR_ARGUMENT,
                "model '%s' takes %zu inputs, got %zu", spec->name,
                spec->num_inputs, num_inputs);
  if (num_outputs != spec->num_outputs)
    return fail(error, error_size, SEQC_ERROR_ARGUMENT,
                "model '%s' has %zu outputs, got room for %zu", spec->name,
                spec->num_outputs, num_outputs);
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return fail(error, error_size, SEQC_ERROR_ARGUMENT, "null tensor array");
  /* Symbolic dims: the first input that binds a name fixes its value. */
  const char *bound_names[64];
  int64_t bound_values[64];
  const char *bound_by[64];
  size_t num_bound = 0;
  for (size_t i = 0; i < num_inputs; ++i) {
    const seqc_io_spec *s = &spec->inputs[i];
    const seqc_tensor *t = &inputs[i];
    if (t->dtype != s->dtype)
      return fail(error, error_size, SEQC_ERROR_DTYPE,
                  "input '%s': expected dtype %s, got %s", s->name,
                  seqc_dtype_name(s->dtype), seqc_dtype_name(t->dtype));
    if (t->rank != s->rank)
      return fail(error, error_size, SEQC_ERROR_RANK,
                  "input '%s': expected rank %d, got %d", s->name, s->rank,
                  t->rank);
    int64_t numel = 1;
    for (int32_t d = 0; d < s->rank; ++d) {
      int64_t got = t->shape[d];
      if (got < 0)
        return fail(error, error_size, SEQC_ERROR_SHAPE,
                    "input '%s': dim %d is negative (%lld)", s->name, d,
                    (long long)got);
      if (s->dims[d] >= 0 && got != s->dims[d])
        return fail(error, error_size, SEQC_ERROR_SHAPE,
                    "input '%s': dim %d must be %lld, got %lld", s->name, d,
                    (long long)s->dims[d], (long long)got);
      const char *name = s->dim_names[d];
      if (s->dims[d] < 0 && name && name[0]) {
        size_t k = 0;
        while (k < num_bound && strcmp(bound_names[k], name) != 0)
          ++k;
        if (k < num_bound && bound_values[k] != got)
          return fail(error, error_size, SEQC_ERROR_SHAPE,
                      "input '%s': dim %d ('%s') is %lld but input '%s' set "
                      "'%s' to %lld",
                      s->name, d, name, (long long)got, bound_by[k], name,
                      (long long)bound_values[k]);
        if (k == num_bound && num_bound < 64) {
          bound_names[num_bound] = name;
          bound_values[num_bound] = got;
          bound_by[num_bound] = s->name;
          ++num_bound;
        }
      }
      if (got && numel > INT64_MAX / got)
        return fail(error, error_size, SEQC_ERROR_SHAPE,
                    "input '%s': too many elements", s->name);
      numel *= got;
    }
    if (!t->data && numel)
      return fail(error, error_size, SEQC_ERROR_ARGUMENT,
                  "input '%s': null data", s->name);
  }
  return SEQC_OK;
}

/* Descriptor layout: header, then sizes[rank], then strides[rank]. */
void seqc_rt_input_memref(void *desc, const seqc_tensor *t) {
  seqc_memref_header *h = (seqc_memref_header *)desc;
  int64_t *sizes = (int64_t *)(h + 1);
  int64_t *strides = sizes + t->rank;
  h->allocated = t->data;
  h->aligned = t->data;
  h->offset = 0;
  int64_t stride = 1;
  for (int32_t d = t->rank - 1; d >= 0; --d) {
    sizes[d] = t->shape[d];
    strides[d] = stride;
    stride *= t->shape[d];
  }
}

int seqc_rt_copy_output(const void *desc, const seqc_io_spec *spec,
                        seqc_tensor *out, char *error, size_t error_size) {
  const seqc_memref_header *h = (const seqc_memref_header *)desc;
  const int64_t *sizes = (const int64_t *)(h + 1);
  const int64_t *strides = sizes + spec->rank;
  size_t elem = seqc_dtype_size(spec->dtype);
  memset(out, 0, sizeof(*out));
  out->dtype = spec->dtype;
  out->rank = spec->rank;
  int64_t numel = 1;
  for (int32_t d = 0; d < spec->rank; ++d) {
    out->shape[d] = sizes[d];
    numel *= sizes[d];
  }
  out->data = malloc(numel ? (size_t)numel * elem : 1);
  if (!out->data)
    return fail(error, error_size, SEQC_ERROR_OUT_OF_MEMORY,
                "output '%s': cannot allocate %lld elements", spec->name,
                (long long)numel);
  const char *base = (const char *)h->aligned + h->offset * (int64_t)elem;
  /* Row-major already: one copy. */
  int contiguous = 1;
  for (int64_t d = spec->rank - 1, stride = 1; d >= 0; --d) {
    if (sizes[d] != 1 && strides[d] != stride)
      contiguous = 0;
    stride *= sizes[d];
  }
  if (contiguous) {
    memcpy(out->data, base, (size_t)numel * elem);
    return SEQC_OK;
  }
  /* Otherwise in row-major order, following the strides. */
  int64_t index[SEQC_MAX_RANK] = {0};
  for (int64_t n = 0; n < numel; ++n) {
    int64_t off = 0;
    for (int32_t d = 0; d < spec->rank; ++d)
      off += index[d] * strides[d];
    memcpy((char *)out->data + n * (int64_t)elem, base + off * (int64_t)elem,
           elem);
    for (int32_t d = spec->rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return SEQC_OK;
}

void seqc_rt_release_results(void *const *descs, size_t num_descs,
                             const seqc_tensor *inputs, size_t num_inputs) {
  for (size_t r = 0; r < num_descs; ++r) {
    void *p = ((const seqc_memref_header *)descs[r])->allocated;
    /* MLIR marks constants (globals) with 0xdeadbeef. */
    int owned = p && p != (void *)0xdeadbeef;
    for (size_t i = 0; owned && i < num_inputs; ++i)
      if (p == inputs[i].data)
        owned = 0;
    for (size_t q = 0; owned && q < r; ++q)
      if (p == ((const seqc_memref_header *)descs[q])->allocated)
        owned = 0; /* already freed */
    if (owned)
      _mlir_memref_to_llvm_free(p);
  }
}

/*===----------------------------------------------------------------------===*
 * Support functions that MLIR's lowering to LLVM calls.
 *===----------------------------------------------------------------------===*/

typedef struct {
  int64_t rank;
  void *descriptor;
} seqc_unranked_memref;

/* memref.copy between memrefs with non-identity layouts (the contract of
 * MLIR's CRunnerUtils memrefCopy). */
void memrefCopy(int64_t elem_size, seqc_unranked_memref *src,
                seqc_unranked_memref *dst) {
  int64_t rank = src->rank;
  seqc_memref_header *sh = (seqc_memref_header *)src->descriptor;
  seqc_memref_header *dh = (seqc_memref_header *)dst->descriptor;
  const int64_t *sizes = (const int64_t *)(sh + 1);
  const int64_t *sstrides = sizes + rank;
  const int64_t *dsizes = (const int64_t *)(dh + 1);
  const int64_t *dstrides = dsizes + rank;
  const char *sbase = (const char *)sh->aligned + sh->offset * elem_size;
  char *dbase = (char *)dh->aligned + dh->offset * elem_size;
  int64_t numel = 1;
  for (int64_t d = 0; d < rank; ++d)
    numel *= sizes[d];
  if (numel == 0)
    return;
  if (rank > 64)
    abort();
  /* Rows: the innermost dims that are contiguous in both go in one memcpy. */
  int64_t row = 1, outer = rank;
  while (outer > 0 && sstrides[outer - 1] == row &&
         dstrides[outer - 1] == row) {
    row *= sizes[outer - 1];
    --outer;
  }
  if (outer == rank)
    row = 1; /* the innermost dim is strided: element by element */
  int64_t index[64] = {0};
  int64_t last = outer; /* the dims iterated one by one */
  for (int64_t n = 0; n < numel; n += row) {
    int64_t so = 0, doff = 0;
    for (int64_t d = 0; d < last; ++d) {
      so += index[d] * sstrides[d];
      doff += index[d] * dstrides[d];
    }
    memcpy(dbase + doff * elem_size, sbase + so * elem_size,
           (size_t)(row * elem_size));
    int64_t d = last - 1;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/* float -> bfloat16, round to nearest even (a NaN stays a quiet NaN). LLVM
   lowers `fptrunc float to bfloat` to this libcall on x86-64 CPUs without
   AVX512-BF16, and GCC 12's libgcc does not provide it, so a model casting to
   bfloat16 failed to load there (undefined symbol __truncsfbf2). The x86-64
   ABI returns a bfloat16 in the low 16 bits of xmm0: the result is returned
   as a float whose low 16 bits hold it. */
float __truncsfbf2(float x);
float __truncsfbf2(float x) {
  uint32_t u, r;
  float out;
  memcpy(&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    r = (u >> 16) | 0x40u;
  else
    r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  memcpy(&out, &r, sizeof out);
  return out;
}
