/* perfkit/arena.h — a bump arena (O(1) reset and rewind to a mark, any
 * power-of-two alignment, chunked growth) and a size-class pool on top.
 *
 *   pk_arena *a;  pk_arena_new(NULL, &a);
 *   for (each request) {
 *       struct hdr *h = pk_arena_alloc(a, sizeof *h);        // 16-byte aligned
 *       char *buf = pk_arena_alloc_aligned(a, 4096, 64);
 *       pk_arena_mark m = pk_arena_save(a);
 *       ... temporaries ...
 *       pk_arena_rewind(a, m);                               // drop the temporaries
 *       ...
 *       pk_arena_reset(a);                                   // drop everything, keep the chunks
 *   }
 *   pk_arena_free(a);
 *
 * Memory. An arena hands out memory from chunks: the first is allocated by
 * pk_arena_new (opts.chunk_size bytes), each later one doubles its
 * predecessor's size up to opts.max_chunk (a larger request gets a chunk of
 * its own size). An allocation is a pointer bump inside the current chunk
 * (inline, ~0.6 ns); when the chunk is used up the arena moves to the next
 * chunk of its list or allocates one (the slow path). Nothing is freed one
 * by one: pk_arena_reset makes the whole arena empty again and
 * pk_arena_rewind returns to a mark taken earlier, both O(1) and keeping
 * every chunk for reuse (pk_arena_trim gives the unused ones back). Chunks
 * go to the allocator only in pk_arena_trim and pk_arena_free.
 *
 * Thread-safety: none — an arena (and a size-class pool) belongs to one
 * thread at a time. Errors: pk_err (PK_EINVAL, PK_ENOMEM); an allocation
 * that cannot be served returns NULL and is counted in the statistics. */
#ifndef PERFKIT_ARENA_H
#define PERFKIT_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_arena pk_arena;

/* The alignment of pk_arena_alloc (that of max_align_t on x86-64 and arm64). */
#define PK_ARENA_ALIGN 16u

/* Options; defaults from pk_arena_opts_init in brackets. */
typedef struct pk_arena_opts {
    size_t chunk_size;   /* [64 KiB] bytes of the first chunk, >= 64 */
    size_t max_chunk;    /* [4 MiB] chunks double up to this size, >= chunk_size */
    size_t max_bytes;    /* [0: none] limit on the sum of the chunks' sizes:
                          * an allocation that would need more returns NULL */
    bool prefault;       /* [false] touch every page of a chunk when it is allocated */
} pk_arena_opts;

void pk_arena_opts_init(pk_arena_opts *o);

/* On PK_OK *out owns a new arena with its first chunk (free with
 * pk_arena_free); o NULL takes the defaults. Errors: PK_EINVAL (NULL out,
 * chunk_size < 64, max_chunk < chunk_size, max_bytes != 0 and < chunk_size),
 * PK_ENOMEM. On error *out is NULL and nothing leaks. */
pk_err pk_arena_new(const pk_arena_opts *o, pk_arena **out);

/* Free every chunk and the arena; every pointer it handed out dies. NULL is
 * a no-op. */
void pk_arena_free(pk_arena *a);

/* size bytes aligned to PK_ARENA_ALIGN, valid until a reset, a rewind to a
 * mark taken before it, or pk_arena_free. NULL when a new chunk is needed
 * and cannot be allocated (out of memory or max_bytes). size 0 gives a valid
 * pointer that may equal the next allocation's. Contents unspecified. */
static inline void *pk_arena_alloc(pk_arena *a, size_t size);

/* As pk_arena_alloc, aligned to align: a power of two <= 4096 (else NULL). */
static inline void *pk_arena_alloc_aligned(pk_arena *a, size_t size, size_t align);

/* A position in the arena, to return to with pk_arena_rewind. */
typedef struct pk_arena_mark {
    void *chunk;
    char *cur;
    size_t base;
} pk_arena_mark;

/* The current position. O(1). */
pk_arena_mark pk_arena_save(const pk_arena *a);

/* Return to m (taken on a, since its last reset, and not before a mark
 * already rewound to — marks nest like a stack): the allocations made after
 * m are all freed at once. O(1): chunks are kept for reuse. Anything else
 * for m is undefined behaviour (not checked). */
void pk_arena_rewind(pk_arena *a, pk_arena_mark m);

/* Free every allocation at once; keeps the chunks. O(1). */
void pk_arena_reset(pk_arena *a);

/* Give the chunks beyond the current one back to the allocator (they are
 * unused). O(chunks). Returns the bytes released. */
size_t pk_arena_trim(pk_arena *a);

typedef struct pk_arena_stats {
    uint64_t used_bytes;     /* from the first chunk's start to the current position,
                              * alignment padding and skipped chunk tails included */
    uint64_t peak_bytes;     /* high-water mark of used_bytes */
    uint64_t reserved_bytes; /* sum of the chunks' sizes */
    uint64_t chunks;         /* chunks held now */
    uint64_t chunk_allocs;   /* calls to the system allocator for chunks, ever */
    uint64_t failures;       /* allocations that returned NULL */
} pk_arena_stats;

/* Errors: PK_EINVAL (NULL a or out). O(1). */
pk_err pk_arena_stats_get(pk_arena *a, pk_arena_stats *out);

/* ---- size-class pool on an arena ---------------------------------------------
 * Objects of mixed sizes with individual frees, for a phase that ends with one
 * reset (a request, a parse, a frame). Sizes round up to a class: multiples
 * of 16 up to 128 bytes, then 4 classes per power of two up to
 * PK_ARENA_POOL_MAX (at most 25% rounding); a class keeps a free list of its
 * returned blocks (linked through their first 8 bytes), and a get takes from
 * it before bumping the pool's own arena. Thread-safety: none. */
typedef struct pk_arena_pool pk_arena_pool;

#define PK_ARENA_POOL_MAX 32768u   /* the largest size a pool serves */
#define PK_ARENA_POOL_CLASSES 40u

/* On PK_OK *out owns a new pool over a new arena made with o (NULL:
 * defaults). Errors: as pk_arena_new. */
pk_err pk_arena_pool_new(const pk_arena_opts *o, pk_arena_pool **out);

/* Free the pool and its arena. NULL is a no-op. */
void pk_arena_pool_free(pk_arena_pool *sp);

/* size bytes (1 .. PK_ARENA_POOL_MAX; 0 is served as 1), 16-byte aligned,
 * valid until put, pk_arena_pool_reset or pk_arena_pool_free. NULL when
 * size > PK_ARENA_POOL_MAX or the arena cannot grow. O(1). */
void *pk_arena_pool_get(pk_arena_pool *sp, size_t size);

/* Give p back; size must be the size it was got with (any size of the same
 * class works). NULL is a no-op. O(1). */
void pk_arena_pool_put(pk_arena_pool *sp, void *p, size_t size);

/* The size actually reserved for a request of size bytes (its class), or 0
 * when size > PK_ARENA_POOL_MAX. */
size_t pk_arena_pool_class_size(size_t size);

/* Free everything at once (the arena's reset and the free lists emptied).
 * O(classes). */
void pk_arena_pool_reset(pk_arena_pool *sp);

typedef struct pk_arena_pool_stats {
    uint64_t gets, puts;     /* since creation */
    uint64_t reused;         /* gets served from a free list */
    uint64_t live;           /* gets - puts since the last reset */
    uint64_t live_bytes;     /* class bytes of the live blocks */
    pk_arena_stats arena;    /* the underlying arena */
} pk_arena_pool_stats;

/* Errors: PK_EINVAL (NULL sp or out). */
pk_err pk_arena_pool_stats_get(pk_arena_pool *sp, pk_arena_pool_stats *out);

/* ---- the inline path (internal: layout shared with lib/rt/arena.c) ------------ */

/* The first member of struct pk_arena. */
typedef struct pk__arena_head {
    char *cur, *end;
} pk__arena_head;

void *pk__arena_alloc_slow(pk_arena *a, size_t size, size_t align);

/* Integer arithmetic on purpose: the same bump written with pointer
 * arithmetic (pad = -cur & (align - 1)) measured 1.25 ns against 0.61 ns
 * (bench/rt_pool.sh), hence the integer-to-pointer casts. */
static inline void *pk_arena_alloc_aligned(pk_arena *a, size_t size, size_t align)
{
    pk__arena_head *h = (pk__arena_head *)(void *)a;
    uintptr_t p = ((uintptr_t)h->cur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (__builtin_expect(align - 1 < 4096 && (align & (align - 1)) == 0 &&
                             p <= (uintptr_t)h->end && size <= (uintptr_t)h->end - p,
                         1)) {
        h->cur = (char *)(p + size);   /* NOLINT(performance-no-int-to-ptr): see above */
        return (void *)p;              /* NOLINT(performance-no-int-to-ptr) */
    }
    return pk__arena_alloc_slow(a, size, align);
}

static inline void *pk_arena_alloc(pk_arena *a, size_t size)
{
    return pk_arena_alloc_aligned(a, size, PK_ARENA_ALIGN);
}

PK_END_DECLS
#endif
