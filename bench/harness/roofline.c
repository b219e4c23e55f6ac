/* bench/harness/roofline.c - this machine's fp32 peak and memory bandwidth.
 *
 * Built by the harness with `cc -O3 -march=native -pthread`, run as
 * `roofline THREADS`; prints one JSON line:
 *   {"threads": T, "vector_bits": B, "peak_gflops": P, "triad_gbs": W}
 *
 * Peak: each thread runs ACC independent chains of vector FMAs
 * (acc = acc * a + b on the widest vector -march=native gives: 512, 256 or
 * 128 bits), enough chains to cover the FMA latency times the number of FMA
 * pipes, so the loop is throughput bound. FLOPs = 2 per lane per FMA. The
 * best of several repetitions is kept.
 *
 * Bandwidth: a STREAM triad a[i] = b[i] + s * c[i] over arrays of 64 MiB
 * each (far beyond any cache), split across the threads, each thread
 * touching its own slice first (first-touch placement). Bytes counted as
 * STREAM does: 12 per element (two 4-byte reads, one 4-byte write; the
 * write-allocate read is not counted). Best of several repetitions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16
#endif
#define LANES (VBYTES / 4)
#define ACC 16 /* independent FMA chains per thread */

typedef float vf __attribute__((vector_size(VBYTES)));

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- FMA throughput ---- */

static const long FMA_ITERS = 20000000;
static volatile float sink;

static void *fma_thread(void *arg) {
  (void)arg;
  vf acc[ACC];
  vf a, b;
  for (int l = 0; l < LANES; ++l) {
    a[l] = 0.999999f;
    b[l] = 1e-7f;
  }
  for (int j = 0; j < ACC; ++j)
    for (int l = 0; l < LANES; ++l)
      acc[j][l] = (float)(j + l);
  for (long i = 0; i < FMA_ITERS; ++i) {
    /* The empty asm keeps the compiler from reasoning across iterations. */
    __asm__ volatile("" : "+x"(a));
    for (int j = 0; j < ACC; ++j)
      acc[j] = acc[j] * a + b;
  }
  float s = 0;
  for (int j = 0; j < ACC; ++j)
    for (int l = 0; l < LANES; ++l)
      s += acc[j][l];
  sink = s;
  return NULL;
}

/* ---- STREAM triad ---- */

static const long TRIAD_N = 16L << 20; /* floats per array: 64 MiB */
static float *A, *B, *C;
static int nthreads;

typedef struct {
  int id;
  int init;
} triad_arg;

static void *triad_thread(void *p) {
  triad_arg *t = p;
  long lo = TRIAD_N * t->id / nthreads, hi = TRIAD_N * (t->id + 1) / nthreads;
  if (t->init) {
    for (long i = lo; i < hi; ++i) {
      A[i] = 0.0f;
      B[i] = 1.0f;
      C[i] = 2.0f;
    }
  } else {
    const float s = 3.0f;
    for (long i = lo; i < hi; ++i)
      A[i] = B[i] + s * C[i];
  }
  return NULL;
}

static double run_threads(void *(*fn)(void *), int init) {
  pthread_t tid[256];
  triad_arg args[256];
  double t0 = now();
  for (int i = 0; i < nthreads; ++i) {
    args[i].id = i;
    args[i].init = init;
    pthread_create(&tid[i], NULL, fn, &args[i]);
  }
  for (int i = 0; i < nthreads; ++i)
    pthread_join(tid[i], NULL);
  return now() - t0;
}

int main(int argc, char **argv) {
  nthreads = argc > 1 ? atoi(argv[1]) : 1;
  if (nthreads < 1 || nthreads > 256)
    return 1;

  double best = 1e30;
  for (int rep = 0; rep < 10; ++rep) {
    double t = run_threads(fma_thread, 0);
    if (t < best)
      best = t;
  }
  double peak = 2.0 * LANES * ACC * (double)FMA_ITERS * nthreads / best / 1e9;

  A = aligned_alloc(64, TRIAD_N * sizeof(float));
  B = aligned_alloc(64, TRIAD_N * sizeof(float));
  C = aligned_alloc(64, TRIAD_N * sizeof(float));
  if (!A || !B || !C)
    return 1;
  run_threads(triad_thread, 1);
  best = 1e30;
  for (int rep = 0; rep < 10; ++rep) {
    double t = run_threads(triad_thread, 0);
    if (t < best)
      best = t;
  }
  double bw = 12.0 * TRIAD_N / best / 1e9;
  if (A[TRIAD_N / 2] != 7.0f) /* 1 + 3 * 2: the triad really ran */
    return 1;

  printf("{\"threads\": %d, \"vector_bits\": %d, \"peak_gflops\": %.2f, "
         "\"triad_gbs\": %.2f}\n",
         nthreads, VBYTES * 8, peak, bw);
  return 0;
}
