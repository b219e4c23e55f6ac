/*===- seqc_alloc.c - Buffer allocation for compiled models -------*- C -*-===*
 *
 * The generated code allocates its intermediate buffers through MLIR's
 * generic allocation functions (finalize-memref-to-llvm with
 * use-generic-functions), defined here. Large buffers are kept in a small
 * per-thread cache when freed, so that running a model again reuses them:
 * without it every run of a transformer block maps, page-faults, zeroes and
 * unmaps tens of megabytes (measured: a third of the run time at L = 1024).
 *
 * Every block carries a header right before the returned pointer with the
 * pointer malloc gave, the usable capacity and the alignment. Blocks below
 * kMinCached bytes go straight back to malloc. The cache is per thread (no
 * locks, reentrant models stay independent) and bounded in count and bytes;
 * a thread's cache is released when the thread exits.
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "seqc/Runtime/seqc_runtime.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
  void *base;       /* what posix_memalign returned */
  size_t capacity;  /* usable bytes after the header */
  size_t alignment; /* alignment of the user pointer */
} block_header;

enum { kSlots = 32 };
static const size_t kMinCached = (size_t)64 << 10;
static const size_t kMaxCachedBytes = (size_t)1 << 30;
static const size_t kDefaultAlignment = 64;

typedef struct {
  void *blocks[kSlots]; /* user pointers */
  size_t bytes;
  int count;
} block_cache;

static _Thread_local block_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static block_header *header_of(void *p) { return (block_header *)p - 1; }

static void release_block(void *p) { free(header_of(p)->base); }

static void drain_cache(void *unused) {
  (void)unused;
  for (int i = 0; i < cache.count; ++i)
    release_block(cache.blocks[i]);
  cache.count = 0;
  cache.bytes = 0;
}

static void make_key(void) { pthread_key_create(&cache_key, drain_cache); }

static void *new_block(size_t alignment, size_t size) {
  if (alignment < kDefaultAlignment)
    alignment = kDefaultAlignment;
  /* The header sits in the `alignment` bytes before the user pointer. */
  size_t pad = alignment >= sizeof(block_header) ? alignment
                                                 : sizeof(block_header);
  if (size > SIZE_MAX - pad)
    return NULL;
  void *base = NULL;
  if (posix_memalign(&base, alignment, pad + size))
    return NULL;
  void *p = (char *)base + pad;
  block_header *h = header_of(p);
  h->base = base;
  h->capacity = size;
  h->alignment = alignment;
  return p;
}

/* The cached block that fits best: large enough, aligned enough, and not
 * more than a quarter larger than needed. */
static void *take_cached(size_t alignment, size_t size) {
  int best = -1;
  for (int i = 0; i < cache.count; ++i) {
    block_header *h = header_of(cache.blocks[i]);
    if (h->capacity < size || h->capacity - size > size / 4 ||
        h->alignment < alignment)
      continue;
    if (best < 0 || h->capacity < header_of(cache.blocks[best])->capacity)
      best = i;
  }
  if (best < 0)
    return NULL;
  void *p = cache.blocks[best];
  cache.bytes -= header_of(p)->capacity;
  cache.blocks[best] = cache.blocks[--cache.count];
  return p;
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  if (size >= kMinCached) {
    void *p = take_cached(alignment, size);
    if (p)
      return p;
  }
  return new_block(alignment, size ? size : 1);
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(kDefaultAlignment, size);
}

void _mlir_memref_to_llvm_free(void *p) {
  if (!p)
    return;
  size_t capacity = header_of(p)->capacity;
  if (capacity < kMinCached || capacity > kMaxCachedBytes) {
    release_block(p);
    return;
  }
  pthread_once(&cache_key_once, make_key);
  if (!pthread_getspecific(cache_key))
    pthread_setspecific(cache_key, &cache); /* drains at thread exit */
  /* Make room: evict the largest blocks until this one fits the bounds. */
  while (cache.count == kSlots || cache.bytes + capacity > kMaxCachedBytes) {
    int largest = 0;
    for (int i = 1; i < cache.count; ++i)
      if (header_of(cache.blocks[i])->capacity >
          header_of(cache.blocks[largest])->capacity)
        largest = i;
    cache.bytes -= header_of(cache.blocks[largest])->capacity;
    release_block(cache.blocks[largest]);
    cache.blocks[largest] = cache.blocks[--cache.count];
  }
  cache.blocks[cache.count++] = p;
  cache.bytes += capacity;
}

void seqc_release_cached_memory(void) { drain_cache(NULL); }
