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
 * locks on the fast path, reentrant models stay independent) and bounded in
 * count and bytes; a thread's cache is released when the thread exits.
 *
 * This code is linked into every model library, and a library can be
 * unloaded (the Python package dlclose()s it) while threads that cached
 * blocks -- OpenMP workers -- live on: their exit would then call a key
 * destructor in unmapped code (a crash at process exit, once forall tasks
 * ran on the workers). So every cache that holds blocks is on a list, and
 * unloading drains them all and deletes the key.
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

typedef struct block_cache {
  void *blocks[kSlots]; /* user pointers */
  size_t bytes;
  int count;
  int listed; /* on the list of live caches */
  struct block_cache *prev, *next;
} block_cache;

static _Thread_local block_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;
static int cache_key_made;

/* The caches of live threads that registered (see the file comment). */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static block_cache *list_head;

static block_header *header_of(void *p) { return (block_header *)p - 1; }

static void release_block(void *p) { free(header_of(p)->base); }

static void empty(block_cache *c) {
  for (int i = 0; i < c->count; ++i)
    release_block(c->blocks[i]);
  c->count = 0;
  c->bytes = 0;
}

static void unlist(block_cache *c) {
  if (!c->listed)
    return;
  if (c->prev)
    c->prev->next = c->next;
  else
    list_head = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->prev = c->next = NULL;
  c->listed = 0;
}

/* Key destructor: the exiting thread's cache (`arg` is its address). */
static void drain_cache(void *arg) {
  block_cache *c = arg ? (block_cache *)arg : &cache;
  pthread_mutex_lock(&list_lock);
  unlist(c);
  pthread_mutex_unlock(&list_lock);
  empty(c);
}

static void make_key(void) {
  cache_key_made = pthread_key_create(&cache_key, drain_cache) == 0;
}

/* Unloading: no code of this library runs any more, so every listed cache
 * can be emptied from here; no thread will call drain_cache again. */
__attribute__((destructor)) static void unload_caches(void) {
  pthread_mutex_lock(&list_lock);
  while (list_head) {
    block_cache *c = list_head;
    unlist(c);
    empty(c);
  }
  if (cache_key_made)
    pthread_key_delete(cache_key);
  cache_key_made = 0;
  pthread_mutex_unlock(&list_lock);
  empty(&cache);
}

static void *new_block(size_t alignment, size_t size) {
  if (alignment < kDefaultAlignment)
    alignment = kDefaultAlignment;
  /* The header sits in the `alignment` bytes before the user pointer. */
  size_t pad =
      alignment >= sizeof(block_header) ? alignment : sizeof(block_header);
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
  if (!cache.listed) {
    pthread_once(&cache_key_once, make_key);
    if (!cache_key_made) {
      release_block(p);
      return;
    }
    pthread_setspecific(cache_key, &cache); /* drains at thread exit */
    pthread_mutex_lock(&list_lock);
    cache.next = list_head;
    if (list_head)
      list_head->prev = &cache;
    list_head = &cache;
    cache.listed = 1;
    pthread_mutex_unlock(&list_lock);
  }
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

void seqc_release_cached_memory(void) { empty(&cache); }
