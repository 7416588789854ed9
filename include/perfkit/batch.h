/* perfkit/batch.h — a request batcher: items enqueued by key, flushed to one
 * batch function call on max items / max bytes / max delay, with priorities,
 * singleflight de-duplication by key and a TTL result cache (pk_cache).
 *
 *   pk_batch_opts o;  pk_batch_opts_init(&o);
 *   o.max_items = 100;  o.max_delay_ns = 2 * PK_BATCH_MS;
 *   o.cache_entries = 10000;  o.cache_ttl_ns = 1000 * PK_BATCH_MS;
 *   pk_batch *b;  pk_batch_new(&o, lookup_many, db, &b);   // a flusher thread of its own
 *   pk_batch_add(b, "user:42", 7, NULL, 0, 0, on_user, req);   // on_user(req, err, val, n) once
 *   pk_batch_register_metrics(b, registry, "user_lookup");
 *   pk_batch_free(b);                                          // runs what is queued first
 *
 * Flushing. Each distinct key waits in a FIFO of its priority. A batch is
 * due when max_items keys are queued, when their bytes (klen + len of each)
 * reach max_bytes, or when the oldest has waited max_delay_ns. A batch takes
 * keys from the highest priority down, oldest first, up to max_items and —
 * past its first item — max_bytes; what is left waits for the next batch
 * (at once, if still due). A key's waiting time starts when it is queued;
 * one queued behind others may carry the time of an add up to 15 adds
 * earlier (the clock is read once per 16 adds in a burst), so it may go
 * sooner than max_delay_ns, never later.
 *
 * Singleflight. A key has at most one call in flight: an add of a key that
 * is queued or being run joins it as another waiter and never counts toward
 * the batch's size (items or bytes); the call's result goes to every waiter.
 * Only the first add's data is passed to the batch function. Every add is
 * answered exactly once: its done function is called with the item's result
 * or error (also when the batcher is freed: pk_batch_free runs what is
 * queued). With a cache, successful results are kept for cache_ttl_ns and a
 * later add of the key is answered from it at once, on the adding thread.
 * A result is cached before its key leaves the in-flight table, so an add
 * finds the key in one or the other; only an add whose cache lookup came
 * just before the result was cached and whose table lookup just after the
 * key left starts a new call — after the first one ended, never beside it.
 *
 * Threads. By default a flusher thread runs due batches; with `poll` the
 * caller runs them with pk_batch_poll (or pk_batch_flush). The batch function
 * runs on the thread that runs the batch, outside every lock; it may run
 * concurrently with itself when several threads call pk_batch_poll/flush.
 * Done functions run on that thread too, after the batch function returned
 * (or on the adding thread for a cache hit); they may call pk_batch_add.
 *
 * Thread-safety: every function may be called concurrently from any thread
 * except pk_batch_register_metrics (before sharing b) and pk_batch_free (no
 * other call may run or follow). Errors: pk_err (PK_EINVAL, PK_ENOMEM,
 * PK_EIO, PK_ENOENT, and whatever the batch function reports). */
#ifndef PERFKIT_BATCH_H
#define PERFKIT_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

#define PK_BATCH_MS INT64_C(1000000)   /* nanoseconds */
#define PK_BATCH_MAX_PRIORITIES 8

typedef struct pk_batch pk_batch;

/* One distinct key of a batch. The batch function reads key, data and
 * priority (borrowed for its call) and answers with pk_batch_set. */
typedef struct pk_batch_item {
    const void *key;
    size_t klen;
    const void *data;          /* the first add's data */
    size_t len;
    unsigned priority;
    uint32_t waiters;          /* adds waiting when the batch was taken (>= 1) */
    void *internal_;           /* the batcher's; do not touch */
} pk_batch_item;

/* Answer one item: err (PK_OK or an error for this item alone) and, for
 * PK_OK, the result val[0..vlen) (copied; may be NULL with vlen 0). A second
 * set replaces the first. Errors: PK_EINVAL (NULL item, NULL val with vlen >
 * 0), PK_ENOMEM (the item is answered with PK_ENOMEM). */
pk_err pk_batch_set(pk_batch_item *it, pk_err err, const void *val, size_t vlen);

/* The batch function: answer items[0..n) with pk_batch_set. An item it does
 * not answer gets the function's return value when that is an error, else
 * PK_ENOENT. n >= 1. */
typedef pk_err (*pk_batch_fn)(void *ud, pk_batch_item *items, size_t n);

/* Called exactly once per pk_batch_add: err, and for PK_OK the result
 * val[0..vlen) (borrowed for the call). */
typedef void (*pk_batch_done_fn)(void *ud, pk_err err, const void *val, size_t vlen);

typedef int64_t (*pk_batch_clock_fn)(void *ud);   /* monotonic ns */

/* Options; defaults from pk_batch_opts_init in brackets. */
typedef struct pk_batch_opts {
    size_t max_items;          /* [64] >= 1: distinct keys per batch */
    size_t max_bytes;          /* [0: none] key + data bytes per batch */
    int64_t max_delay_ns;      /* [1 ms] >= 0: longest wait of a queued key */
    unsigned priorities;       /* [1] 1..PK_BATCH_MAX_PRIORITIES; higher runs first */
    size_t cache_entries;      /* [0: no result cache] */
    size_t cache_bytes;        /* [0: no byte limit] pk_cache's max_bytes */
    int64_t cache_ttl_ns;      /* [0: never expire] >= 0 */
    bool poll;                 /* [false: a flusher thread] */
    pk_batch_clock_fn clock;   /* [NULL: CLOCK_MONOTONIC via lib/core's clock] */
    void *clock_ud;
} pk_batch_opts;

void pk_batch_opts_init(pk_batch_opts *o);

/* On PK_OK *out owns a new batcher calling fn(ud, items, n) (free with
 * pk_batch_free). Errors: PK_EINVAL (NULL fn/out, max_items 0, negative
 * delay or TTL, priorities out of range), PK_ENOMEM, PK_EIO (no thread). On
 * error *out is NULL and nothing leaks. */
pk_err pk_batch_new(const pk_batch_opts *o, pk_batch_fn fn, void *ud, pk_batch **out);

/* Run every queued key (in batches), answer every waiter, stop the flusher,
 * free b. No other call on b may run or follow. NULL is a no-op. */
void pk_batch_free(pk_batch *b);

/* Ask for key[0..klen) with data[0..len) (both copied) at priority prio;
 * done(done_ud, ...) is called exactly once with the answer: at once on this
 * thread on a cache hit, else when the key's batch has run. An add of a key
 * already queued or running joins it (its data and prio are ignored: the key
 * keeps the first add's). Errors (then done is never called): PK_EINVAL
 * (NULL b or done, NULL key/data with a length > 0, prio >= priorities),
 * PK_ENOMEM. Hot path: a hash, one lock, a table lookup, a clock read once
 * per 16 adds of a burst; allocates only when a free list is empty, key +
 * data exceed 64 bytes or the in-flight table grows (and for a cache hit
 * whose value exceeds 256 bytes, a buffer to copy it out). */
pk_err pk_batch_add(pk_batch *b, const void *key, size_t klen, const void *data, size_t len,
                    unsigned prio, pk_batch_done_fn done, void *done_ud);

/* pk_batch_add and wait for the answer: its error, and for PK_OK the
 * result's length in *vlen (may be NULL) and, when it fits cap, its bytes in
 * buf (else PK_ERANGE, *vlen says how many are needed). Needs the flusher
 * thread or another thread polling. */
pk_err pk_batch_call(pk_batch *b, const void *key, size_t klen, const void *data, size_t len,
                     unsigned prio, void *buf, size_t cap, size_t *vlen);

/* Run every due batch on this thread; *next_ns (may be NULL) gets the clock
 * time the next batch is due by its delay, or -1 when nothing is queued.
 * *ran (may be NULL) gets the number of batches run. Errors: PK_EINVAL. */
pk_err pk_batch_poll(pk_batch *b, int64_t *next_ns, size_t *ran);

/* Run every queued key now (due or not), in batches, on this thread; *ran as
 * for poll. Errors: PK_EINVAL. */
pk_err pk_batch_flush(pk_batch *b, size_t *ran);

/* Why a batch ran. */
typedef enum pk_batch_reason {
    PK_BATCH_FULL_ITEMS = 0,   /* max_items keys queued */
    PK_BATCH_FULL_BYTES = 1,   /* max_bytes reached */
    PK_BATCH_DELAY = 2,        /* the oldest waited max_delay_ns */
    PK_BATCH_FLUSHED = 3,      /* pk_batch_flush / pk_batch_free */
} pk_batch_reason;

typedef struct pk_batch_stats {
    uint64_t adds;             /* successful pk_batch_add calls */
    uint64_t duplicates;       /* adds that joined a queued or running key */
    uint64_t cache_hits;       /* adds answered from the cache */
    uint64_t batches;          /* batch function calls */
    uint64_t items;            /* distinct keys run */
    uint64_t errors;           /* items answered with an error */
    uint64_t by_reason[4];     /* batches per pk_batch_reason */
    uint64_t queued;           /* distinct keys waiting now */
    uint64_t in_flight;        /* distinct keys queued or running now */
    uint64_t max_batch;        /* the largest batch run */
} pk_batch_stats;

/* A consistent snapshot. Errors: PK_EINVAL. */
pk_err pk_batch_stats_get(pk_batch *b, pk_batch_stats *out);

/* Export b's statistics into r, one call: counters <name>_adds_total,
 * <name>_duplicates_total, <name>_cache_hits_total, <name>_batches_total{reason=
 * "items"|"bytes"|"delay"|"flush"}, <name>_items_total, <name>_errors_total;
 * gauge <name>_queued; histogram <name>_batch_size (keys per batch). They
 * follow every event. Once per batcher, before sharing b; r must outlive b.
 * Errors: PK_EINVAL (NULL argument, bad or taken name, already registered),
 * PK_ENOMEM; on error some families may already be in r. */
pk_err pk_batch_register_metrics(pk_batch *b, pk_metrics_registry *r, const char *name);

PK_END_DECLS
#endif
