/* rt/batch_int.h — the batcher's internals, shared by lib/rt/batch*.c.
 *
 * Every distinct key in flight (queued or running) is a node in a chained
 * hash table; a queued node is also in the FIFO of its priority. A node
 * holds its key and data (inline up to PK__BATCH_INLINE bytes), its waiters
 * (the first inline, more in a list) and, once run, its answer. Nodes and
 * waiter records are recycled through free lists; all of it is under `mu`.
 * A batch is taken under the lock (nodes marked running, still in the table),
 * run outside it, answered, then removed. */
#ifndef PK_RT_BATCH_INT_H
#define PK_RT_BATCH_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/batch.h"
#include "perfkit/cache.h"

#define PK__BATCH_INLINE 64

typedef struct pk__batch_waiter {
    pk_batch_done_fn fn;
    void *ud;
    struct pk__batch_waiter *next;
} pk__batch_waiter;

typedef struct pk__batch_node {
    struct pk__batch_node *hnext;    /* hash chain */
    struct pk__batch_node *qnext;    /* priority FIFO, or free list */
    uint64_t hash;
    int64_t t_enq;
    size_t klen, len;
    unsigned char *kd;               /* key then data: inl or a heap block */
    unsigned prio;
    bool running;
    uint32_t nwait;
    pk__batch_waiter first;
    pk__batch_waiter *more, *more_last;   /* more: newest first; more_last its end */
    pk_err err;                      /* the answer, once run */
    bool answered;
    void *res;
    size_t rlen;
    unsigned char inl[PK__BATCH_INLINE];
} pk__batch_node;

typedef struct pk__batch_metrics {
    pk_metrics_counter *adds, *dups, *hits, *items, *errors, *reason[4];
    pk_metrics_gauge *queued;
    pk_metrics_histogram *size;
} pk__batch_metrics;

struct pk_batch {
    pthread_mutex_t mu;
    pthread_cond_t cv;               /* wakes the flusher */
    pk_batch_fn fn;
    void *ud;
    pk_batch_clock_fn clock;
    void *clock_ud;
    size_t max_items, max_bytes;
    int64_t max_delay;
    unsigned nprio;
    uint64_t seed;
    pk__batch_node **tab;            /* hash table, tcap buckets (power of two) */
    size_t tcap, count;              /* count: nodes in the table */
    pk__batch_node *qhead[PK_BATCH_MAX_PRIORITIES], *qtail[PK_BATCH_MAX_PRIORITIES];
    size_t queued, qbytes;
    unsigned stamp_ctr;              /* adds since the clock was last read */
    pk__batch_node *free_nodes;
    pk__batch_waiter *free_waiters;
    pk_cache *cache;
    int64_t cache_ttl;
    bool threaded, stop, flusher_idle;
    pthread_t th;
    pk_batch_stats st;
    pk__batch_metrics *m;
};

/* Time on b's clock. */
int64_t pk__batch_now(const pk_batch *b);
/* Whether a batch is due at now (under mu); *why gets the reason. */
bool pk__batch_due(const pk_batch *b, int64_t now, pk_batch_reason *why);
/* Take, run and answer one batch (mu held on entry and on return; released
 * around the batch function and the done calls). */
void pk__batch_run_one(pk_batch *b, pk_batch_reason why);
/* Return a node and its waiters to the free lists (under mu). */
void pk__batch_node_put(pk_batch *b, pk__batch_node *n);

#endif
