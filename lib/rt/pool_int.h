/* rt/pool_int.h — the object pool's private layout, shared by lib/rt/pool*.c.
 *
 * An object is named by a 32-bit index: slab k holds indices
 * [base * (2^k - 1), base * (2^(k+1) - 1)), base = per_slab (a power of two),
 * so an index decodes to its slab with one count-leading-zeros. Each object
 * has a side record (pk__pool_meta) in its slab: `link` chains the objects of
 * one batch, `below` chains batch heads in the depot's stack. Index + 1 is
 * stored so that 0 means "none". */
#ifndef PK_RT_POOL_INT_H
#define PK_RT_POOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "perfkit/pool.h"

#define PK__POOL_MAX_SLABS 33
#define PK__POOL_NONE 0u              /* "no object" in link / below / top */
#define PK__POOL_MAX_INDEX 0xfffffffdu /* objects are 0 .. 2^32 - 3 */

enum { PK__POOL_NEW = 0, PK__POOL_USED = 1, PK__POOL_FREE = 2 };   /* debug state */

typedef struct pk__pool_meta {
    uint32_t link;               /* next object of the batch + 1 (written by its owner) */
    _Atomic uint32_t below;      /* next batch head in the depot + 1 (racy reads) */
} pk__pool_meta;

typedef struct pk__pool_slab {
    char *objs;                  /* first object, aligned */
    pk__pool_meta *meta;
    _Atomic uint8_t *state;      /* debug mode only, else NULL */
    void *raw;                   /* the allocation */
    uint32_t first;              /* index of objs[0] */
    uint32_t count;              /* objects in this slab (the last may be trimmed) */
} pk__pool_slab;

/* A cache record: bookkeeping, then (same allocation) the public pk__pool_tc. */
typedef struct pk__pool_tcrec {
    struct pk__pool_tcrec *next; /* the pool's list of records (under mu) */
    pk_pool *pool;               /* for the thread-exit destructor */
    bool live;                   /* owned by a running thread (under mu) */
    pk__pool_tc *tc;             /* == (pk__pool_tc *)(record + 1) */
} pk__pool_tcrec;

typedef struct pk__pool_metrics {
    pk_metrics_gauge *out, *peak, *capacity;
    pk_metrics_counter *slabs, *refills, *flushes, *exhausted, *faults;
} pk__pool_metrics;

struct pk_pool {
    pk__pool_head h;             /* must be first: read by the inline paths */
    pk_pool_opts o;              /* after defaults */
    size_t stride;               /* bytes from one object to the next */
    uint32_t base_shift;         /* log2(per_slab) */
    uint32_t batch;              /* objects per depot batch: cache_size / 2, >= 1 */
    uint32_t max_objects;        /* after defaults */

    _Alignas(64) _Atomic uint64_t top;   /* depot: tag << 32 | (head index + 1) */
    _Atomic uint64_t depot_n;    /* objects in the depot */

    _Alignas(64) _Atomic uint64_t out;   /* objects out of the depot and slabs */
    _Atomic uint64_t peak;
    _Atomic uint64_t refills, flushes, exhausted;
    _Atomic uint64_t faults[4];  /* by pk_pool_fault */

    _Alignas(64) pthread_mutex_t mu;     /* slabs, carving, cache records */
    pk__pool_slab slabs[PK__POOL_MAX_SLABS];
    _Atomic uint32_t nslabs;     /* published with release after slabs[k] is set */
    uint32_t carved;             /* objects handed out of the slabs so far (under mu) */
    uint32_t capacity;           /* objects the slabs hold (under mu) */
    uint64_t slab_bytes;         /* under mu */
    pk__pool_tcrec *recs;        /* under mu */
    unsigned nrecs;
    pthread_key_t key;           /* this thread's pk__pool_tcrec */
    bool has_key;
    pk__pool_metrics *m;
};

/* pool_depot.c: slabs, indices, the lock-free stack */
pk_err pk__pool_grow(pk_pool *p, uint32_t need);   /* under mu: slabs for `need` objects */
void pk__pool_slabs_free(pk_pool *p);
pk__pool_slab *pk__pool_slab_of(pk_pool *p, uint32_t idx);
void *pk__pool_obj(pk_pool *p, uint32_t idx);
pk__pool_meta *pk__pool_meta_of(pk_pool *p, uint32_t idx);
bool pk__pool_index(pk_pool *p, const void *obj, uint32_t *idx);   /* false: foreign */
void pk__pool_push(pk_pool *p, uint32_t head, uint32_t count);      /* a linked batch */
uint32_t pk__pool_pop(pk_pool *p, uint32_t *count);   /* head index + 1, or NONE */
uint32_t pk__pool_carve(pk_pool *p, uint32_t want, uint32_t *count);   /* takes mu */

/* pool_stats.c */
void pk__pool_fault(pk_pool *p, pk_pool_fault kind, void *obj);
void pk__pool_note_out(pk_pool *p, uint64_t n);    /* n objects left the depot */
void pk__pool_note_back(pk_pool *p, uint64_t n);   /* n objects came back */

#endif
