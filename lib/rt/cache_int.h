/* rt/cache_int.h — the in-memory cache's internals, shared by lib/rt/cache*.c.
 *
 * A cache is 2^k shards chosen by the key hash's top bits. A shard owns:
 *   - nodes[1..cap]: one record per entry slot (index 0 means "none"),
 *     allocated at creation, recycled through a free list, never freed;
 *   - slots[]: open addressing with linear probing, 2x the nodes rounded to a
 *     power of two, each an atomic (block address, hash tag) pair, so a hit
 *     reads one slot and one block; deletion shifts back (no tombstones);
 *   - one block per entry holding the key's and the value's bytes in atomic
 *     words (readers may race with a block's reuse, see cache.h), from size
 *     classes with per-class free lists;
 *   - the policy's queues (doubly linked through node indices), the S3-FIFO
 *     ghost, the timer wheel, and the shard's counters — all under `mu`.
 * Every change a lock-free reader can observe happens between the two
 * increments of `seq` (odd while writing). */
#ifndef PK_RT_CACHE_INT_H
#define PK_RT_CACHE_INT_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/cache.h"

#define PK__CACHE_NCLASS 176       /* size classes: 32 B .. 2^48 B */
#define PK__CACHE_NCELL 32         /* per-thread statistics cells */
#define PK__CACHE_WHEEL_LEVELS 4
#define PK__CACHE_WHEEL_SLOTS 64
#define PK__CACHE_TICK_SHIFT 20    /* 1 tick = 2^20 ns = 1.048576 ms */
#define PK__CACHE_KEYCOPY 256      /* longest key a lock-free user-eq hit copies */

enum { PK__Q_NONE = 0, PK__Q_SMALL = 1, PK__Q_MAIN = 2 };   /* LRU/FIFO use SMALL */

/* A key+value block. Readers (lock-free) read cap_words (set once when the
 * block is first allocated), the atomic fields and w[]; the plain fields are
 * only touched under the shard lock or by the thread that retired the block.
 * The hot fields come first so that a short entry is one or two cache lines. */
typedef struct pk__cache_blob {
    uint64_t cap_words;                /* words in w[] */
    _Atomic uint32_t klen, vlen;
    _Atomic int64_t expire_ns;         /* 0: never */
    _Atomic uint8_t freq;              /* S3-FIFO: 0..3, raised by hits */
    uint8_t cls;                       /* size class */
    uint8_t reason;                    /* pk_cache_reason when retired */
    uint32_t node;                     /* the entry record holding it */
    uint64_t hash;                     /* of the key */
    struct pk__cache_blob *next;       /* free list / retired list */
    _Atomic uint64_t w[];              /* key bytes, padded to 8, then value bytes */
} pk__cache_blob;

/* A table slot: the block (NULL: empty) and a 32-bit tag of the key's hash,
 * in one 16-byte pair so that a probe reads one cache line. A reader may see
 * the two halves of different writes: the seqlock throws such a read away. */
typedef struct pk__cache_slot {
    _Atomic(pk__cache_blob *) blob;
    _Atomic uint32_t tag;
} pk__cache_slot;
#define PK__SLOT_TAG(h) ((uint32_t)((h) >> 32))

/* An entry record: the policy's and the wheel's bookkeeping (lock only). */
typedef struct pk__cache_node {
    pk__cache_blob *blob;              /* NULL: free node */
    uint8_t queue;                     /* PK__Q_* */
    uint16_t wslot;                    /* wheel bucket + 1; 0: not on the wheel */
    uint32_t prev, next;               /* queue links; next: free list too */
    uint32_t wprev, wnext;             /* wheel links */
    uint64_t charge;                   /* klen + vlen + overhead */
} pk__cache_node;

typedef struct pk__cache_queue {
    uint32_t head, tail;               /* head: newest */
    uint32_t count;
    uint64_t bytes;
} pk__cache_queue;

/* S3-FIFO's ghost: a FIFO ring of key hashes and a counting set over it. */
typedef struct pk__cache_ghost {
    uint64_t *ring;                    /* cap hashes */
    uint32_t cap, head, count;
    uint64_t *keys;                    /* set: hash (0 = empty) */
    uint32_t *counts;                  /* how often each is in the ring */
    uint32_t mask;                     /* set capacity - 1 */
} pk__cache_ghost;

typedef struct pk__cache_shard {
    alignas(64) _Atomic uint64_t seq;  /* seqlock: odd while a writer changes things */
    pk__cache_slot *slots;
    uint32_t slot_mask;
    uint32_t node_cap;
    pk__cache_node *nodes;             /* node_cap + 1; [0] unused */
    pthread_mutex_t mu;
    /* under mu from here */
    uint32_t free_node;                /* free list through node.next */
    pk__cache_blob *free_blob[PK__CACHE_NCLASS];
    pk__cache_queue small, main;       /* LRU/FIFO: small only */
    pk__cache_ghost ghost;
    uint64_t max_entries, max_bytes;   /* this shard's share (max_bytes 0: none) */
    uint64_t small_entries, small_bytes;   /* S3-FIFO small queue target */
    uint32_t wheel[PK__CACHE_WHEEL_LEVELS][PK__CACHE_WHEEL_SLOTS];   /* list heads */
    uint64_t wheel_count;
    int64_t cur_tick;                  /* next tick to process */
    uint64_t entries, bytes, insertions, evictions, expirations;
} pk__cache_shard;

typedef struct pk__cache_cell {
    alignas(64) _Atomic uintptr_t owner;   /* thread that counts with plain stores */
    _Atomic uint64_t hits, misses;         /* owner's (load + store) */
    _Atomic uint64_t shits, smisses;       /* other threads' (fetch_add) */
} pk__cache_cell;

typedef struct pk__cache_metrics {
    pk_metrics_counter *hits, *misses, *evictions, *expirations, *insertions;
    pk_metrics_gauge *entries, *bytes, *max_bytes, *ratio;
} pk__cache_metrics;

struct pk_cache {
    pk_cache_opts o;
    uint64_t seed;
    unsigned shard_bits;               /* shards = 1 << shard_bits */
    pk__cache_shard *shards;
    pk__cache_metrics *m;              /* NULL until registered */
    pk__cache_cell cells[PK__CACHE_NCELL];
};

/* Retired blocks of one operation: callbacks run after the lock is dropped. */
typedef struct pk__cache_retired {
    pk__cache_blob *head;
} pk__cache_retired;

/* cache.c */
void pk__cache_write_begin(pk__cache_shard *s);
void pk__cache_write_end(pk__cache_shard *s);

/* cache_evict.c: under the shard lock (and inside a write section where it
 * changes what readers see). */
void pk__cache_q_push(pk__cache_shard *s, pk__cache_queue *q, uint32_t i);
void pk__cache_q_unlink(pk__cache_shard *s, uint32_t i);
/* Detach node i entirely (table slot, queue, wheel, charge), retire its block
 * with reason, free the node. Inside a write section. */
void pk__cache_detach(pk_cache *c, pk__cache_shard *s, uint32_t i, pk_cache_reason why,
                      pk__cache_retired *r);
/* Evict (policy order) until one more entry of charge bytes fits. */
void pk__cache_make_room(pk_cache *c, pk__cache_shard *s, uint64_t charge,
                         pk__cache_retired *r);
/* Hand the retired blocks to the callback (lock not held) and then back to
 * the free lists (takes the lock); or straight back (lock held) without one. */
void pk__cache_retire_flush(pk_cache *c, pk__cache_shard *s, pk__cache_retired *r);
void pk__cache_blob_release(pk__cache_shard *s, pk__cache_blob *b);
pk__cache_blob *pk__cache_blob_get(pk__cache_shard *s, size_t words);
pk_err pk__cache_ghost_init(pk__cache_ghost *g, uint32_t cap);
void pk__cache_ghost_free(pk__cache_ghost *g);
void pk__cache_ghost_add(pk__cache_ghost *g, uint64_t h);
bool pk__cache_ghost_has(const pk__cache_ghost *g, uint64_t h);
/* Table slot of node i (its hash), and removal with backward shift. */
void pk__cache_slot_remove(pk__cache_shard *s, uint32_t i);

/* cache_wheel.c: under the shard lock. */
void pk__cache_wheel_add(pk__cache_shard *s, uint32_t i);
void pk__cache_wheel_del(pk__cache_shard *s, uint32_t i);
/* Expire what is due at now_ns: every tick before now's fully; with exact,
 * also the entries of now's tick whose expiry is <= now_ns. Returns how many. */
size_t pk__cache_wheel_advance(pk_cache *c, pk__cache_shard *s, int64_t now_ns, bool exact,
                               pk__cache_retired *r);

/* cache_stats.c */
void pk__cache_refresh_ratio(pk_cache *c);   /* the registered hit-ratio gauge */
void pk__cache_sum_cells(const pk_cache *c, uint64_t *hits, uint64_t *misses);
void pk__cache_gauge_shard_delta(pk_cache *c, int64_t entries, int64_t bytes);


/* ---- hit and miss counting (inline: the hit path) -------------------------------
 * The cell is picked by the address of a thread-local byte (initial-exec:
 * one instruction, no call). Its first user owns it and counts with a relaxed
 * load + store; others count in the shared fields with fetch_add. */
#if defined(__GNUC__)
#define PK__CACHE_TLS __attribute__((tls_model("initial-exec")))
#else
#define PK__CACHE_TLS
#endif
extern _Thread_local char pk__cache_anchor PK__CACHE_TLS;

static inline uint64_t pk__cache_bump(pk_cache *c, bool hit)
{
    uintptr_t self = (uintptr_t)&pk__cache_anchor;
    pk__cache_cell *cell = &c->cells[((uint64_t)self * 0x9e3779b97f4a7c15ull) >> 59];
    uintptr_t o = atomic_load_explicit(&cell->owner, memory_order_relaxed);
    if (o != self) {
        uintptr_t zero = 0;
        if (o != 0 || !atomic_compare_exchange_strong_explicit(&cell->owner, &zero, self,
                                                               memory_order_relaxed,
                                                               memory_order_relaxed))
            return atomic_fetch_add_explicit(hit ? &cell->shits : &cell->smisses, 1,
                                             memory_order_relaxed) + 1;
    }
    _Atomic uint64_t *own = hit ? &cell->hits : &cell->misses;
    uint64_t n = atomic_load_explicit(own, memory_order_relaxed) + 1;
    atomic_store_explicit(own, n, memory_order_relaxed);
    return n;
}

static inline void pk__cache_count_hit(pk_cache *c)
{
    uint64_t n = pk__cache_bump(c, true);
    if (c->m) {
        pk_metrics_counter_inc(c->m->hits);
        if ((n & 4095) == 0)
            pk__cache_refresh_ratio(c);
    }
}

static inline void pk__cache_count_miss(pk_cache *c)
{
    uint64_t n = pk__cache_bump(c, false);
    if (c->m) {
        pk_metrics_counter_inc(c->m->misses);
        if ((n & 63) == 0)
            pk__cache_refresh_ratio(c);
    }
}

#endif
