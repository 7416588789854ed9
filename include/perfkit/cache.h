/* perfkit/cache.h — an in-memory key/value cache: S3-FIFO by default (LRU and
 * FIFO selectable), entry and byte limits, TTLs, lock-free hits.
 *
 *   pk_cache_opts o;  pk_cache_opts_init(&o);
 *   o.max_entries = 100000;  o.max_bytes = 64 << 20;  o.ttl_ns = 60 * PK_CACHE_SECOND;
 *   pk_cache *c;  pk_cache_new(&o, &c);
 *   pk_cache_put(c, "user:42", 7, row, row_len);
 *   char buf[512]; size_t n;
 *   if (pk_cache_get(c, "user:42", 7, buf, sizeof buf, &n) == PK_OK) ... // buf[0..n)
 *   pk_cache_register_metrics(c, registry, "user_cache");   // hit ratio on /metrics
 *   pk_cache_free(c);
 *
 * Keys and values are byte strings; the cache stores copies of both, and a
 * get copies the value out into the caller's buffer (no reference into the
 * cache ever escapes, which is what makes lock-free hits safe).
 *
 * Policies. S3-FIFO (Yang et al., "FIFO queues are all you need for cache
 * eviction", SOSP 2023): a small FIFO (10% of the capacity) takes new keys, a
 * main FIFO the keys that were hit while in the small one, a ghost FIFO (key
 * hashes only, as many as the main queue holds entries) remembers keys evicted
 * from the small queue so that they go straight to main when they come back;
 * a hit only raises a 2-bit frequency. It keeps one-hit wonders and scans out
 * of the main queue and beats LRU on skewed (Zipf) workloads. LRU evicts the
 * least recently used entry (a hit moves the entry to the front, so LRU hits
 * take the shard lock). FIFO evicts the oldest insertion and ignores hits.
 *
 * Limits. At most max_entries entries, and — when max_bytes > 0 — the sum of
 * the entries' charges (klen + vlen + PK_CACHE_ENTRY_OVERHEAD) never exceeds
 * max_bytes: not even for a moment, an insertion first evicts until the new
 * entry fits. The cache is split into shards (by key hash) and each shard
 * gets an equal share of both limits, so the per-shard shares add up to
 * exactly the limits; an entry whose charge exceeds one shard's byte share
 * (max_bytes / shards) is refused with PK_ERANGE. The key table, the entry
 * records and the S3-FIFO ghost for max_entries entries are allocated at
 * creation (100-150 bytes per entry) and never resized; the key and value
 * bytes live in one block per entry (a 48-byte header, then key and value
 * each padded to 8 bytes), taken from size classes (4 per power of two: at
 * most 25% rounding) and recycled through per-shard free lists. Blocks go back to the allocator
 * only in pk_cache_free (a lock-free reader may still be reading a recycled
 * block; see below), so a workload whose value sizes shift over time keeps the
 * peak of each size class.
 *
 * TTL. Each entry may expire (the default TTL of the options, or one per
 * put); an entry whose expiry time has come (expiry <= now, on the
 * CLOCK_MONOTONIC of lib/core's replaceable clock) is never returned. Expired
 * entries are removed by a hierarchical timer wheel per shard (4 levels of 64
 * slots, 1.05 ms ticks, O(1) amortised per entry), advanced on insertions
 * and by pk_cache_expire(), which removes exactly the entries due at its
 * call. A hit on an entry that has a TTL reads the clock (clock_gettime,
 * ~20 ns); entries without one never do. A shard left untouched for more than ~4 s rebuilds its wheel (O(n))
 * on its next insertion.
 *
 * Callbacks. on_evict is called exactly once for every entry that leaves the
 * cache, with the reason: evicted by the policy, expired, replaced by a put of
 * the same key, removed, cleared, or freed with the cache. It is called
 * outside every lock, on the thread whose call removed the entry (several
 * threads may run it at once for different entries); it may call into the
 * cache. The key and value pointers are valid only during the call.
 *
 * Thread-safety: pk_cache_get, pk_cache_put*, pk_cache_remove,
 * pk_cache_expire, pk_cache_clear and pk_cache_stats may be called
 * concurrently from any threads. pk_cache_register_metrics must not run
 * concurrently with other calls on the same cache (call it after
 * pk_cache_new, before sharing the cache), and pk_cache_free with none.
 * Hits (S3-FIFO, FIFO) take no lock and write no shared list: a reader reads
 * the shard's sequence counter, probes the table, copies the value out and
 * re-reads the counter (a seqlock), retrying when a writer of that shard ran
 * meanwhile; after 4 failed tries it reads under the shard lock. A hit's only
 * stores are a relaxed store of the entry's frequency bits and a per-thread
 * statistics cell. Writers (put, remove, evictions, expiry) lock one shard.
 * Entry records and value blocks are reused only under the shard lock inside
 * a write section of the seqlock, and never freed before pk_cache_free, so a
 * reader that races with a writer reads stale but mapped memory and throws its
 * copy away. Errors: pk_err (PK_EINVAL, PK_ENOMEM, PK_ERANGE, PK_ENOENT). */
#ifndef PERFKIT_CACHE_H
#define PERFKIT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

typedef struct pk_cache pk_cache;

/* Bytes charged per entry on top of its key and value against max_bytes: a
 * stated constant, so that the limit is exact and predictable. (The memory an
 * entry really holds is its block — see the top — plus the records allocated
 * at creation.) */
#define PK_CACHE_ENTRY_OVERHEAD 32

#define PK_CACHE_SECOND INT64_C(1000000000)   /* nanoseconds */

typedef enum pk_cache_policy {
    PK_CACHE_S3FIFO = 0,   /* default: small + main FIFO + ghost; lock-free hits */
    PK_CACHE_LRU = 1,      /* least recently used; a hit locks its shard */
    PK_CACHE_FIFO = 2,     /* first in, first out; lock-free hits */
} pk_cache_policy;

/* Why an entry left the cache (the on_evict callback's last argument). */
typedef enum pk_cache_reason {
    PK_CACHE_EVICTED = 0,  /* the policy made room for another entry */
    PK_CACHE_EXPIRED = 1,  /* its TTL passed */
    PK_CACHE_REPLACED = 2, /* a put of an equal key replaced it */
    PK_CACHE_REMOVED = 3,  /* pk_cache_remove */
    PK_CACHE_CLEARED = 4,  /* pk_cache_clear */
    PK_CACHE_FREED = 5,    /* pk_cache_free */
} pk_cache_reason;

/* key[0..klen) and val[0..vlen) are borrowed for the call only. */
typedef void (*pk_cache_evict_fn)(void *ud, const void *key, size_t klen, const void *val,
                                  size_t vlen, pk_cache_reason why);
/* A hash of key[0..klen): equal keys (by the eq function) must hash equally.
 * Called concurrently from any thread; must not call into the cache. */
typedef uint64_t (*pk_cache_hash_fn)(void *ud, const void *key, size_t klen);
/* Whether a[0..alen) and b[0..blen) are the same key. Called concurrently;
 * on a lock-free hit, a is a private copy of the stored key. */
typedef bool (*pk_cache_eq_fn)(void *ud, const void *a, size_t alen, const void *b, size_t blen);

/* Options; defaults from pk_cache_opts_init in brackets. */
typedef struct pk_cache_opts {
    size_t max_entries;        /* [1024], >= 1, <= 2^31: tables are sized for it at creation */
    size_t max_bytes;          /* [0: none] limit on the sum of charges (see above) */
    int64_t ttl_ns;            /* [0: none] default TTL of pk_cache_put, >= 0 */
    pk_cache_policy policy;    /* [PK_CACHE_S3FIFO] */
    unsigned shards;           /* [0: auto, one per 256 entries up to 64] rounded down
                                * to a power of two and to at most max_entries */
    pk_cache_hash_fn hash;     /* [NULL: a seeded 64-bit hash of the bytes] */
    pk_cache_eq_fn eq;         /* [NULL: same length and bytes]; set both or neither */
    void *hash_ud;             /* passed to hash and eq */
    pk_cache_evict_fn on_evict;/* [NULL] */
    void *evict_ud;            /* passed to on_evict */
} pk_cache_opts;

void pk_cache_opts_init(pk_cache_opts *o);

/* On PK_OK *out owns a new empty cache (free with pk_cache_free). Allocates
 * the shards' tables and entry records for max_entries. Errors: PK_EINVAL (NULL
 * out, max_entries 0 or > 2^31, negative ttl_ns, unknown policy, only one of
 * hash/eq), PK_ENOMEM. On error *out is NULL and nothing leaks. */
pk_err pk_cache_new(const pk_cache_opts *o, pk_cache **out);

/* Call on_evict (PK_CACHE_FREED) for every entry, then free everything. No
 * other call on c may run or follow. NULL is a no-op. */
void pk_cache_free(pk_cache *c);

/* Look key[0..klen) up. On a hit the value's length goes to *vlen (may be
 * NULL) and, when it fits (vlen <= cap), the value to buf[0..vlen): PK_OK.
 * PK_ERANGE: a hit whose value does not fit in cap bytes; *vlen says how many
 * are needed, buf is untouched, and nothing is counted (neither hit nor miss).
 * PK_ENOENT: a miss (absent, or expired: an expired entry is never returned).
 * PK_EINVAL: NULL c, or NULL key with klen > 0, or NULL buf with cap > 0.
 * Never allocates (but see pk_cache_register_metrics). Lock-free for
 * S3-FIFO and FIFO (see the top); O(1) expected. */
pk_err pk_cache_get(pk_cache *c, const void *key, size_t klen, void *buf, size_t cap,
                    size_t *vlen);

/* Whether key is present and unexpired; counts a hit or a miss like get. */
bool pk_cache_contains(pk_cache *c, const void *key, size_t klen);

/* Insert or replace key -> val (both copied) with the default TTL. Evicts
 * (policy order) until the entry fits both limits; a replaced entry is
 * reported to on_evict as PK_CACHE_REPLACED (or EXPIRED if its time had
 * come). Errors: PK_EINVAL (NULL c, NULL key/val with a length > 0, klen or
 * vlen >= 4 GiB), PK_ERANGE (the charge exceeds one shard's byte share: the
 * cache is unchanged, an old entry of the key stays), PK_ENOMEM (the cache is
 * unchanged except for entries already evicted, which were reported). */
pk_err pk_cache_put(pk_cache *c, const void *key, size_t klen, const void *val, size_t vlen);

/* pk_cache_put with this entry's TTL: ttl_ns > 0 expires it ttl_ns from now,
 * 0 never. Errors: as pk_cache_put, and PK_EINVAL for ttl_ns < 0. */
pk_err pk_cache_put_ttl(pk_cache *c, const void *key, size_t klen, const void *val,
                        size_t vlen, int64_t ttl_ns);

/* Remove key (reported as PK_CACHE_REMOVED, or EXPIRED if its time had
 * come). PK_OK when it was there, PK_ENOENT when not, PK_EINVAL for NULL c. */
pk_err pk_cache_remove(pk_cache *c, const void *key, size_t klen);

/* Remove every entry whose expiry time is <= now (reported as
 * PK_CACHE_EXPIRED); returns how many. Safe to call from a timer thread. */
size_t pk_cache_expire(pk_cache *c);

/* Remove every entry (reported as PK_CACHE_CLEARED); statistics are kept. */
void pk_cache_clear(pk_cache *c);

typedef struct pk_cache_stats {
    uint64_t hits, misses;     /* gets (and contains) since creation; a miss
                                * includes finding an expired entry */
    uint64_t insertions;       /* successful puts (replacements included) */
    uint64_t evictions;        /* entries evicted by the policy */
    uint64_t expirations;      /* entries removed because their TTL passed */
    uint64_t entries;          /* now */
    uint64_t bytes;            /* sum of the charges now (<= max_bytes) */
    double hit_ratio;          /* hits / (hits + misses); 0 before any get */
    unsigned shards;           /* the shard count in use */
} pk_cache_stats;

/* A snapshot (each shard's figures are consistent; hits and misses are
 * summed from per-thread cells without stopping the other threads).
 * Errors: PK_EINVAL (NULL c or out). */
pk_err pk_cache_stats_get(pk_cache *c, pk_cache_stats *out);

/* Export c's statistics into r, one call: counters <name>_hits_total,
 * <name>_misses_total, <name>_evictions_total, <name>_expirations_total,
 * <name>_insertions_total, gauges <name>_entries, <name>_bytes, <name>_max_bytes
 * and <name>_hit_ratio (hits / (hits + misses) since creation). Counters
 * start at the cache's current figures and follow every event; the gauges
 * follow every insertion and removal, and the ratio is refreshed at least
 * every 4096 hits or 64 misses of a thread and on pk_cache_stats_get.
 * Each hit then also costs one pk_metrics counter increment (~1 ns, and the
 * first update from a thread allocates its cell). Not concurrent with other
 * calls on c; once per cache; r must outlive c. Errors: PK_EINVAL (NULL
 * argument, a bad or taken name, already registered), PK_ENOMEM — on error
 * some of the families may already be in r. */
pk_err pk_cache_register_metrics(pk_cache *c, pk_metrics_registry *r, const char *name);

PK_END_DECLS
#endif
