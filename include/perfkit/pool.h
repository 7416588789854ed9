/* perfkit/pool.h — a fixed-size object pool: per-thread caches (magazines)
 * in front of a lock-free shared depot; statistics; a debug mode.
 *
 *   pk_pool_opts o;  pk_pool_opts_init(&o);
 *   o.obj_size = sizeof(struct conn);  o.prealloc = 1024;  o.prefault = true;
 *   pk_pool *p;  pk_pool_new(&o, &p);
 *   struct conn *c = pk_pool_get(p);        // NULL only when exhausted / out of memory
 *   ...
 *   pk_pool_put(p, c);                      // from this or any other thread
 *   pk_pool_register_metrics(p, registry, "conn_pool");
 *   pk_pool_free(p);
 *
 * Layout. Objects live in slabs; slab k holds per_slab << k objects (the
 * pool doubles as it grows, so a pool of n objects made at most log2(n /
 * per_slab) + 1 calls to the system allocator: its "misses"). Each slab also
 * holds 8 bytes of side records per object (links of the free lists, never
 * stored in the objects themselves; 9 bytes in debug mode). An object's
 * address is aligned to opts.align and objects are opts.obj_size rounded up
 * to it apart. Slabs go back to the allocator only in pk_pool_free.
 *
 * Per-thread caches. Every thread that gets or puts owns a cache of up to
 * cache_size object pointers for this pool (a magazine): pk_pool_get pops
 * from it and pk_pool_put pushes onto it, inline, without a lock, an atomic
 * read-modify-write or a call (~2 ns per get+put). An empty cache refills
 * with one batch of cache_size / 2 objects from the depot (or carves new
 * ones from the slabs); a full one flushes its upper half to the depot as
 * one batch. Objects are interchangeable, so an object got on one thread may
 * be put on any other: it joins that thread's cache, and the batches flow
 * back through the depot (the cross-thread return path). A thread's cache is
 * flushed to the depot when the thread exits (a pthread key destructor) and
 * by pk_pool_flush; the exited thread's cache record is kept for the next
 * new thread. A thread may hold caches for many pools; 16 pools are reached
 * inline per thread (pools hash to 16 slots, two pools of one slot used in
 * alternation take a slower lookup, a pthread_getspecific, on each switch).
 *
 * Depot. A Treiber stack of batches (each a chain of free objects), lock-
 * free: a push is one compare-and-swap, so is a pop. The stack's top word
 * holds a 32-bit object index and a 32-bit tag bumped by every push and pop,
 * so a thread preempted inside a pop cannot be fooled by the same batch
 * being popped and pushed back meanwhile (ABA) — unless exactly 2^32 other
 * operations ran in between. New slabs and carving new objects take the
 * pool's mutex (once per batch, and only while the pool grows).
 *
 * Debug mode (opts.debug). No per-thread caches: every get and put goes
 * through the depot and checks a state byte per object. A put of an object
 * already free (double free), or of a pointer not from this pool (foreign:
 * outside its slabs, or not at an object's start), is reported and ignored:
 * the object stays where it was. A put fills the object with
 * PK_POOL_POISON_FREE; a get checks that every byte still holds it (a write
 * after free is reported as PK_POOL_MODIFIED) and fills the object with
 * PK_POOL_POISON_NEW. Faults go to opts.on_fault and are counted in the
 * statistics; the library never prints or aborts. ~50-100 ns per get+put.
 * Without debug mode a double free or a foreign pointer is undefined
 * behaviour (it is detected only when its batch is flushed, then counted as
 * PK_POOL_FOREIGN and dropped).
 *
 * Thread-safety: pk_pool_get, pk_pool_put, pk_pool_flush and
 * pk_pool_stats_get may be called concurrently from any threads.
 * pk_pool_register_metrics must not run concurrently with other calls on the
 * pool (call it before sharing the pool); pk_pool_free with none, after every
 * thread that used the pool has stopped using it (joined threads are fine).
 * Errors: pk_err (PK_EINVAL, PK_ENOMEM, PK_ERANGE). */
#ifndef PERFKIT_POOL_H
#define PERFKIT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

typedef struct pk_pool pk_pool;

/* Debug-mode fill bytes: a free object is all PK_POOL_POISON_FREE, a freshly
 * got one all PK_POOL_POISON_NEW (to make reads of uninitialised fields show). */
#define PK_POOL_POISON_FREE 0xDD
#define PK_POOL_POISON_NEW 0xCD

/* What opts.on_fault reports. */
typedef enum pk_pool_fault {
    PK_POOL_DOUBLE_FREE = 1, /* debug: put of an object that is already free; ignored */
    PK_POOL_FOREIGN = 2,     /* put of a pointer that is not one of the pool's objects; ignored */
    PK_POOL_MODIFIED = 3,    /* debug: a free object was written to (found at its next get) */
} pk_pool_fault;

/* Called on the thread that found the fault, outside the pool's locks; obj
 * is the pointer concerned. It may call pk_pool_stats_get but should not get
 * or put on p. */
typedef void (*pk_pool_fault_fn)(void *ud, pk_pool *p, pk_pool_fault kind, void *obj);

/* Options; defaults from pk_pool_opts_init in brackets. */
typedef struct pk_pool_opts {
    size_t obj_size;          /* bytes per object, >= 1 (required; [0] is invalid) */
    size_t align;             /* [0: natural: the power of two >= obj_size, at most 16]
                               * else a power of two <= 4096 */
    size_t per_slab;          /* [64] objects in the first slab (0: 64; rounded up to
                               * a power of two, <= 2^20; raised to prealloc when
                               * that is larger); slab k holds per_slab << k */
    size_t max_objects;       /* [0: none, i.e. 2^32 - 2] gets beyond it return NULL */
    size_t prealloc;          /* [0] objects whose slabs are allocated at creation */
    bool prefault;            /* [false] touch every page of the preallocated slabs at
                               * creation, so that no get faults a page in */
    unsigned cache_size;      /* [64] objects per per-thread cache, <= 4096; 0: no
                               * per-thread caches (every call uses the depot) */
    bool debug;               /* [false] poisoning and double-free detection (see top) */
    pk_pool_fault_fn on_fault;/* [NULL] */
    void *fault_ud;           /* passed to on_fault */
} pk_pool_opts;

void pk_pool_opts_init(pk_pool_opts *o);

/* On PK_OK *out owns a new pool (free with pk_pool_free). Allocates the pool,
 * the slabs for opts.prealloc objects (touching them when prefault) and a
 * pthread key for the per-thread caches. Errors: PK_EINVAL (NULL out,
 * obj_size 0 or > 2^30, bad align, per_slab > 2^20, cache_size > 4096,
 * max_objects or prealloc > 2^32 - 2, prealloc > max_objects), PK_ENOMEM
 * (also when the process ran out of pthread keys: ~1000 live pools). On
 * error *out is NULL and nothing leaks. */
pk_err pk_pool_new(const pk_pool_opts *o, pk_pool **out);

/* Free the pool, its slabs (every object, handed out or not) and its
 * per-thread caches. See the top for when. NULL is a no-op. */
void pk_pool_free(pk_pool *p);

/* Hand out a free object (its contents are unspecified; PK_POOL_POISON_NEW
 * bytes in debug mode), aligned to opts.align. Returns NULL when max_objects
 * are out, or when a new slab or the thread's cache record could not be
 * allocated. O(1): inline pop from the thread's cache; amortised one depot
 * pop per cache_size / 2 gets. Thread-safe. */
static inline void *pk_pool_get(pk_pool *p);

/* Give obj (from pk_pool_get on p, on any thread) back. NULL is a no-op.
 * Inline push onto the thread's cache; amortised one depot push per
 * cache_size / 2 puts. Thread-safe. */
static inline void pk_pool_put(pk_pool *p, void *obj);

/* Move the objects of the calling thread's cache for p to the depot, where
 * other threads can get them (e.g. before the thread goes idle for long).
 * Thread-safe. NULL is a no-op. */
void pk_pool_flush(pk_pool *p);

/* The object size and alignment in use (after defaults). */
size_t pk_pool_obj_size(const pk_pool *p);
size_t pk_pool_align(const pk_pool *p);

typedef struct pk_pool_stats {
    uint64_t in_use;          /* objects in callers' hands now */
    uint64_t cached;          /* free objects in per-thread caches now */
    uint64_t free;            /* free objects in the depot and not yet carved from slabs */
    uint64_t capacity;        /* objects the slabs hold: in_use + cached + free */
    uint64_t peak;            /* high-water mark of in_use + cached (exact: it is
                               * tracked at each depot exchange; with caches the
                               * in_use part of it is within the cached ones) */
    uint64_t slabs;           /* calls to the system allocator for slabs: the misses */
    uint64_t slab_bytes;      /* bytes those calls asked for */
    uint64_t refills;         /* batches that went from the depot or slabs to a cache */
    uint64_t flushes;         /* batches that went from a cache to the depot */
    uint64_t exhausted;       /* gets that returned NULL */
    uint64_t double_frees;    /* PK_POOL_DOUBLE_FREE faults */
    uint64_t foreign;         /* PK_POOL_FOREIGN faults */
    uint64_t modified;        /* PK_POOL_MODIFIED faults */
    unsigned threads;         /* per-thread cache records (live threads and kept ones) */
} pk_pool_stats;

/* A snapshot: exact when no thread is getting or putting; while they are,
 * each figure is a recent value. Takes the pool's mutex; O(threads).
 * Errors: PK_EINVAL (NULL p or out). */
pk_err pk_pool_stats_get(pk_pool *p, pk_pool_stats *out);

/* Export p's statistics into r, one call: gauges <name>_out (in_use +
 * cached), <name>_peak, <name>_capacity, counters <name>_slabs_total (the
 * misses to the system allocator), <name>_refills_total,
 * <name>_flushes_total, <name>_exhausted_total and <name>_faults_total. They
 * start at the pool's current figures and are updated at every depot
 * exchange (never on the inline path: between exchanges, <name>_out is off by
 * at most the objects held in thread caches). Not concurrent with other calls
 * on p; once per pool; r must outlive p. Errors: PK_EINVAL (NULL argument, a
 * bad or taken name, already registered), PK_ENOMEM — on error some of the
 * families may already be in r. */
pk_err pk_pool_register_metrics(pk_pool *p, pk_metrics_registry *r, const char *name);

/* ---- the inline paths (internal: layout shared with lib/rt/pool*.c) ---------- */

#define PK__POOL_SLOTS 16u

/* A thread's cache for one pool: only its thread writes it; n is read by
 * pk_pool_stats_get from other threads (relaxed). */
typedef struct pk__pool_tc {
    uint32_t n, cap;
    void *items[];
} pk__pool_tc;

/* The calling thread's caches, by pool slot; gen identifies the pool (unique
 * per pool created in the process, never 0), so a stale slot never matches. */
typedef struct pk__pool_slot {
    uint64_t gen;
    pk__pool_tc *tc;
} pk__pool_slot;

/* The first member of struct pk_pool. */
typedef struct pk__pool_head {
    uint64_t gen;
    size_t slot_off;   /* byte offset of the pool's slot in pk__pool_tls */
} pk__pool_head;

#if defined(__GNUC__)
extern __thread pk__pool_slot pk__pool_tls[PK__POOL_SLOTS]
    __attribute__((tls_model("initial-exec")));
#else
extern _Thread_local pk__pool_slot pk__pool_tls[PK__POOL_SLOTS];
#endif

void *pk__pool_get_slow(pk_pool *p);
void pk__pool_put_slow(pk_pool *p, void *obj);

static inline void *pk_pool_get(pk_pool *p)
{
    const pk__pool_head *h = (const pk__pool_head *)(const void *)p;
    const pk__pool_slot *s =
        (const pk__pool_slot *)(const void *)((const char *)pk__pool_tls + h->slot_off);
    if (__builtin_expect(s->gen == h->gen, 1)) {
        pk__pool_tc *tc = s->tc;
        uint32_t n = __atomic_load_n(&tc->n, __ATOMIC_RELAXED);
        if (__builtin_expect(n != 0, 1)) {
            __atomic_store_n(&tc->n, n - 1, __ATOMIC_RELAXED);
            return tc->items[n - 1];
        }
    }
    return pk__pool_get_slow(p);
}

static inline void pk_pool_put(pk_pool *p, void *obj)
{
    const pk__pool_head *h = (const pk__pool_head *)(const void *)p;
    const pk__pool_slot *s =
        (const pk__pool_slot *)(const void *)((const char *)pk__pool_tls + h->slot_off);
    if (__builtin_expect(s->gen == h->gen && obj != NULL, 1)) {
        pk__pool_tc *tc = s->tc;
        uint32_t n = __atomic_load_n(&tc->n, __ATOMIC_RELAXED);
        if (__builtin_expect(n < tc->cap, 1)) {
            tc->items[n] = obj;
            __atomic_store_n(&tc->n, n + 1, __ATOMIC_RELAXED);
            return;
        }
    }
    pk__pool_put_slow(p, obj);
}

PK_END_DECLS
#endif
