/* rt/cache.c — the in-memory cache: creation, lock-free lookups, insertion.
 *
 * Design (details in cache.h and cache_int.h): shards chosen by the top bits
 * of a 64-bit key hash; per shard a fixed open-addressing table of atomic
 * (tag, node) words, fixed entry records, key+value blocks in atomic words,
 * and a seqlock. A lookup reads the sequence (acquire), probes, compares the
 * key and copies the value out with relaxed atomic loads, then (acquire
 * fence) re-reads the sequence; an odd or changed sequence means a writer
 * ran, and the copy is thrown away (Boehm, "Can seqlocks get along with
 * programming language memory models?", MSPC 2012). Writers hold the shard
 * mutex and change anything a reader can see between two increments of the
 * sequence. Records and blocks are reused only inside such a write section
 * and freed only with the cache, so a racing reader reads mapped memory.
 * The default hash follows wyhash's final v4 mixing (Wang Yi, public domain).
 * Policy queues, the ghost and block classes: cache_evict.c; TTL wheel:
 * cache_wheel.c; statistics and metrics: cache_stats.c. */
#include <string.h>

#include "core/clock.h"
#include "perfkit/alloc.h"
#include "core/wyhash.h"
#include "rt/cache_int.h"

/* ---- hashing --------------------------------------------------------------- */

static inline uint64_t key_hash(const pk_cache *c, const void *key, size_t klen)
{
    if (c->o.hash)
        return c->o.hash(c->o.hash_ud, key, klen);
    return pk__wyhash(key, klen, c->seed);
}

static inline pk__cache_shard *shard_of(const pk_cache *c, uint64_t h)
{
    return c->shard_bits ? &c->shards[h >> (64 - c->shard_bits)] : &c->shards[0];
}

/* ---- seqlock writer side --------------------------------------------------- */

void pk__cache_write_begin(pk__cache_shard *s)
{
    uint64_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
}

void pk__cache_write_end(pk__cache_shard *s)
{
    uint64_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, v + 1, memory_order_release);
}

/* ---- creation -------------------------------------------------------------- */

void pk_cache_opts_init(pk_cache_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->max_entries = 1024;
    o->policy = PK_CACHE_S3FIFO;
}

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t p = 4;
    while (p < n)
        p <<= 1;
    return p;
}

static pk_err shard_init(pk__cache_shard *s, const pk_cache_opts *o, uint64_t entries,
                         uint64_t bytes)
{
    s->max_entries = entries;
    s->max_bytes = bytes;
    s->node_cap = (uint32_t)entries;
    s->small_entries = entries / 10 ? entries / 10 : 1;
    s->small_bytes = bytes / 10;
    uint32_t nslots = pow2_at_least(2 * entries);
    s->slot_mask = nslots - 1;
    s->nodes = pk_calloc((size_t)entries + 1, sizeof *s->nodes);
    s->slots = pk_calloc(nslots, sizeof *s->slots);
    if (!s->nodes || !s->slots)
        return PK_ENOMEM;
    for (uint32_t i = s->node_cap; i >= 1; i--) {
        s->nodes[i].next = s->free_node;
        s->free_node = i;
    }
    if (o->policy == PK_CACHE_S3FIFO) {
        uint64_t g = entries - s->small_entries;
        if (pk__cache_ghost_init(&s->ghost, (uint32_t)(g ? g : 1)) != PK_OK)
            return PK_ENOMEM;
    }
    s->cur_tick = pk__clock_ns(PK__CLOCK_MONO) >> PK__CACHE_TICK_SHIFT;
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return PK_ENOMEM;
    return PK_OK;
}

static void shard_release(pk_cache *c, pk__cache_shard *s, bool callbacks)
{
    if (s->nodes) {
        for (uint32_t i = 1; i <= s->node_cap; i++) {
            pk__cache_blob *b = s->nodes[i].blob;
            if (!b)
                continue;
            if (callbacks && c->o.on_evict) {
                uint32_t kl = atomic_load_explicit(&b->klen, memory_order_relaxed);
                uint32_t vl = atomic_load_explicit(&b->vlen, memory_order_relaxed);
                const unsigned char *w = (const unsigned char *)b->w;
                c->o.on_evict(c->o.evict_ud, w, kl, w + ((kl + 7u) & ~7u), vl, PK_CACHE_FREED);
            }
            pk_free(b);
        }
    }
    for (size_t k = 0; k < PK__CACHE_NCLASS; k++)
        for (pk__cache_blob *b = s->free_blob[k], *nx; b; b = nx) {
            nx = b->next;
            pk_free(b);
        }
    pk__cache_ghost_free(&s->ghost);
    pk_free(s->nodes);
    pk_free((void *)s->slots);
}

pk_err pk_cache_new(const pk_cache_opts *o, pk_cache **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_cache_opts def;
    if (!o) {
        pk_cache_opts_init(&def);
        o = &def;
    }
    if (o->max_entries == 0 || o->max_entries > (UINT64_C(1) << 31) || o->ttl_ns < 0 ||
        (unsigned)o->policy > PK_CACHE_FIFO || (!o->hash != !o->eq))
        return PK_EINVAL;
    pk_cache *c = pk_calloc(1, sizeof *c);
    if (!c)
        return PK_ENOMEM;
    c->o = *o;
    unsigned want = o->shards ? o->shards : (unsigned)(o->max_entries / 256);
    if (want > 64 && !o->shards)
        want = 64;
    if ((size_t)want > o->max_entries)
        want = (unsigned)o->max_entries;
    while (want >> (c->shard_bits + 1))
        c->shard_bits++;
    if (c->shard_bits > 16)
        c->shard_bits = 16;
    size_t ns = (size_t)1 << c->shard_bits;
    c->seed = (uint64_t)pk__clock_ns(PK__CLOCK_MONO) ^ (uint64_t)(uintptr_t)c;
    c->shards = pk_calloc(ns, sizeof *c->shards);
    if (!c->shards) {
        pk_free(c);
        return PK_ENOMEM;
    }
    pk_err e = PK_OK;
    size_t inited = 0;
    for (size_t i = 0; i < ns; i++) {
        uint64_t ent = o->max_entries / ns + (i < o->max_entries % ns);
        uint64_t by = o->max_bytes / ns + (i < o->max_bytes % ns);
        e = shard_init(&c->shards[i], o, ent, by);
        if (e) {
            /* a failed mutex init leaves nothing to destroy; the rest is freed */
            shard_release(c, &c->shards[i], false);
            break;
        }
        inited++;
    }
    if (e) {
        for (size_t i = 0; i < inited; i++) {
            shard_release(c, &c->shards[i], false);
            pthread_mutex_destroy(&c->shards[i].mu);
        }
        pk_free(c->shards);
        pk_free(c);
        return e;
    }
    *out = c;
    return PK_OK;
}

void pk_cache_free(pk_cache *c)
{
    if (!c)
        return;
    size_t ns = (size_t)1 << c->shard_bits;
    for (size_t i = 0; i < ns; i++) {
        shard_release(c, &c->shards[i], true);
        pthread_mutex_destroy(&c->shards[i].mu);
    }
    pk_free(c->m);
    pk_free(c->shards);
    pk_free(c);
}

/* ---- lookup ----------------------------------------------------------------- */

/* Compare the stored key (atomic words) with key[0..klen). */
static inline __attribute__((always_inline)) bool key_equal(const pk_cache *c, const pk__cache_blob *b, uint32_t nk, const void *key,
                      size_t klen, bool *too_long)
{
    const unsigned char *k = key;
    if (c->o.eq) {
        if (nk > PK__CACHE_KEYCOPY) {
            *too_long = true;
            return false;
        }
        uint64_t tmp[PK__CACHE_KEYCOPY / 8];
        for (uint32_t i = 0; i < (nk + 7) / 8; i++)
            tmp[i] = atomic_load_explicit(&b->w[i], memory_order_relaxed);
        return c->o.eq(c->o.hash_ud, tmp, nk, key, klen);
    }
    if (nk != klen)
        return false;
    size_t i = 0;
    for (; i + 8 <= klen; i += 8)
        if (atomic_load_explicit(&b->w[i / 8], memory_order_relaxed) != pk__rd64(k + i))
            return false;
    if (i < klen) {
        uint64_t w = atomic_load_explicit(&b->w[i / 8], memory_order_relaxed), q = 0;
        memcpy(&q, k + i, klen - i);
        unsigned char wb[8];
        memcpy(wb, &w, 8);
        if (memcmp(wb, &q, klen - i) != 0)
            return false;
    }
    return true;
}

static inline __attribute__((always_inline)) void copy_out(const pk__cache_blob *b, uint32_t nk, uint32_t nv, unsigned char *buf)
{
    const _Atomic uint64_t *w = b->w + (nk + 7) / 8;
    size_t i = 0;
    for (; i + 8 <= nv; i += 8) {
        uint64_t v = atomic_load_explicit(&w[i / 8], memory_order_relaxed);
        memcpy(buf + i, &v, 8);
    }
    if (i < nv) {
        uint64_t v = atomic_load_explicit(&w[i / 8], memory_order_relaxed);
        memcpy(buf + i, &v, nv - i);
    }
}

enum { LK_MISS, LK_HIT, LK_RETRY, LK_LOCK };

typedef struct lookup {
    pk__cache_blob *blob;
    uint32_t vlen;
    int64_t expire_ns;
} lookup;

/* One probe of s for key: LK_HIT (l filled, value copied when it fits cap),
 * LK_MISS, LK_RETRY (torn state seen), LK_LOCK (needs the locked path). */
static inline __attribute__((always_inline)) int probe(const pk_cache *c, const pk__cache_shard *s, uint64_t h, const void *key,
                 size_t klen, unsigned char *buf, size_t cap, lookup *l)
{
    uint32_t tag = PK__SLOT_TAG(h);
    uint32_t i = (uint32_t)h & s->slot_mask;
    for (uint32_t n = 0; n <= s->slot_mask; n++, i = (i + 1) & s->slot_mask) {
        /* acquire, paired with the release that publishes a block: the
         * block's fields written before it (a new block's malloc and
         * cap_words included) are visible (free on x86-64) */
        pk__cache_blob *b = atomic_load_explicit(&s->slots[i].blob, memory_order_acquire);
        if (!b)
            return LK_MISS;
        if (atomic_load_explicit(&s->slots[i].tag, memory_order_relaxed) != tag)
            continue;
        uint32_t nk = atomic_load_explicit(&b->klen, memory_order_relaxed);
        uint32_t nv = atomic_load_explicit(&b->vlen, memory_order_relaxed);
        if (((uint64_t)nk + 7) / 8 + ((uint64_t)nv + 7) / 8 > b->cap_words)
            return LK_RETRY;
        bool too_long = false;
        if (!key_equal(c, b, nk, key, klen, &too_long)) {
            if (too_long)
                return LK_LOCK;
            continue;
        }
        l->blob = b;
        l->vlen = nv;
        l->expire_ns = atomic_load_explicit(&b->expire_ns, memory_order_relaxed);
        if (nv <= cap)
            copy_out(b, nk, nv, buf);
        return LK_HIT;
    }
    return LK_RETRY;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Finish a hit or a miss: expiry, counting, the policy's bookkeeping. */
static inline __attribute__((always_inline)) pk_err finish(pk_cache *c, pk__cache_shard *s, int r, const lookup *l, size_t cap,
                     size_t *vlen, bool locked)
{
    if (r == LK_HIT && l->expire_ns != 0 && l->expire_ns <= pk__clock_ns(PK__CLOCK_MONO))
        r = LK_MISS;
    if (r != LK_HIT) {
        pk__cache_count_miss(c);
        return PK_ENOENT;
    }
    if (vlen)
        *vlen = l->vlen;
    if (l->vlen > cap)
        return PK_ERANGE;
    pk__cache_blob *b = l->blob;
    if (c->o.policy == PK_CACHE_S3FIFO) {
        /* the block may have been reused since: then another entry's
         * frequency moves, which costs the policy a little, never safety */
        uint8_t f = atomic_load_explicit(&b->freq, memory_order_relaxed);
        if (f < 3)
            atomic_store_explicit(&b->freq, (uint8_t)(f + 1), memory_order_relaxed);
    } else if (c->o.policy == PK_CACHE_LRU && locked && s->small.head != b->node) {
        pk__cache_q_unlink(s, b->node);
        pk__cache_q_push(s, &s->small, b->node);
    }
    pk__cache_count_hit(c);
    return PK_OK;
}

static pk_err get_locked(pk_cache *c, pk__cache_shard *s, uint64_t h, const void *key,
                         size_t klen, unsigned char *buf, size_t cap, size_t *vlen)
{
    lookup l = {0};
    pthread_mutex_lock(&s->mu);
    /* keys longer than the lock-free copy are compared in place: stable here */
    int r;
    if (c->o.eq) {
        r = LK_MISS;
        uint32_t tag = PK__SLOT_TAG(h);
        uint32_t i = (uint32_t)h & s->slot_mask;
        for (uint32_t n = 0; n <= s->slot_mask; n++, i = (i + 1) & s->slot_mask) {
            pk__cache_blob *b = atomic_load_explicit(&s->slots[i].blob, memory_order_relaxed);
            if (!b)
                break;
            if (atomic_load_explicit(&s->slots[i].tag, memory_order_relaxed) != tag)
                continue;
            uint32_t nk = atomic_load_explicit(&b->klen, memory_order_relaxed);
            if (!c->o.eq(c->o.hash_ud, (const void *)b->w, nk, key, klen))
                continue;
            l.blob = b;
            l.vlen = atomic_load_explicit(&b->vlen, memory_order_relaxed);
            l.expire_ns = atomic_load_explicit(&b->expire_ns, memory_order_relaxed);
            if (l.vlen <= cap)
                copy_out(b, nk, l.vlen, buf);
            r = LK_HIT;
            break;
        }
    } else {
        r = probe(c, s, h, key, klen, buf, cap, &l);
    }
    pk_err e = finish(c, s, r, &l, cap, vlen, true);
    pthread_mutex_unlock(&s->mu);
    return e;
}

pk_err pk_cache_get(pk_cache *c, const void *key, size_t klen, void *buf, size_t cap,
                    size_t *vlen)
{
    if (!c || (!key && klen) || (!buf && cap))
        return PK_EINVAL;
    uint64_t h = key_hash(c, key, klen);
    pk__cache_shard *s = shard_of(c, h);
    if (c->o.policy == PK_CACHE_LRU)
        return get_locked(c, s, h, key, klen, buf, cap, vlen);
    for (int attempt = 0; attempt < 4; attempt++) {
        uint64_t s1 = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (s1 & 1) {
            cpu_relax();
            continue;
        }
        lookup l = {0};
        int r = probe(c, s, h, key, klen, buf, cap, &l);
        if (r == LK_LOCK)
            break;
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) != s1 || r == LK_RETRY)
            continue;
        return finish(c, s, r, &l, cap, vlen, false);
    }
    return get_locked(c, s, h, key, klen, buf, cap, vlen);
}

bool pk_cache_contains(pk_cache *c, const void *key, size_t klen)
{
    size_t n;
    pk_err e = pk_cache_get(c, key, klen, NULL, 0, &n);
    if (e == PK_ERANGE) {   /* present: count it, as get would have */
        pk__cache_count_hit(c);
        return true;
    }
    return e == PK_OK;
}

/* ---- insertion and removal ---------------------------------------------------- */

/* Node of key in s, or 0 (lock held). */
static uint32_t find_locked(const pk_cache *c, const pk__cache_shard *s, uint64_t h,
                            const void *key, size_t klen)
{
    uint32_t tag = PK__SLOT_TAG(h);
    uint32_t i = (uint32_t)h & s->slot_mask;
    for (uint32_t n = 0; n <= s->slot_mask; n++, i = (i + 1) & s->slot_mask) {
        const pk__cache_blob *b = atomic_load_explicit(&s->slots[i].blob, memory_order_relaxed);
        if (!b)
            return 0;
        if (atomic_load_explicit(&s->slots[i].tag, memory_order_relaxed) != tag)
            continue;
        uint32_t nk = atomic_load_explicit(&b->klen, memory_order_relaxed);
        bool eq = c->o.eq ? c->o.eq(c->o.hash_ud, (const void *)b->w, nk, key, klen)
                          : nk == klen && (klen == 0 || memcmp((const void *)b->w, key, klen) == 0);
        if (eq)
            return b->node;
    }
    return 0;
}

static void fill_words(_Atomic uint64_t *w, const void *src, size_t n)
{
    const unsigned char *p = src;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        atomic_store_explicit(&w[i / 8], pk__rd64(p + i), memory_order_relaxed);
    if (i < n) {
        uint64_t v = 0;
        memcpy(&v, p + i, n - i);
        atomic_store_explicit(&w[i / 8], v, memory_order_relaxed);
    }
}

static pk_err put_locked(pk_cache *c, pk__cache_shard *s, uint64_t h, const void *key,
                         size_t klen, const void *val, size_t vlen, int64_t expire_ns,
                         int64_t now, pk__cache_retired *r)
{
    uint64_t charge = (uint64_t)klen + vlen + PK_CACHE_ENTRY_OVERHEAD;
    if (s->max_bytes && charge > s->max_bytes)
        return PK_ERANGE;
    size_t words = (klen + 7) / 8 + (vlen + 7) / 8;
    pk__cache_blob *b = pk__cache_blob_get(s, words);
    if (!b)
        return PK_ENOMEM;
    /* a block from a free list may be read by a stale reader: atomic stores */
    fill_words(b->w, key, klen);
    fill_words(b->w + (klen + 7) / 8, val, vlen);
    atomic_store_explicit(&b->klen, (uint32_t)klen, memory_order_relaxed);
    atomic_store_explicit(&b->vlen, (uint32_t)vlen, memory_order_relaxed);
    atomic_store_explicit(&b->expire_ns, expire_ns, memory_order_relaxed);
    b->hash = h;

    pk__cache_write_begin(s);
    uint8_t queue = PK__Q_NONE, freq = 0;
    uint32_t old = find_locked(c, s, h, key, klen);
    if (old) {
        pk__cache_node *on = &s->nodes[old];
        int64_t ex = atomic_load_explicit(&on->blob->expire_ns, memory_order_relaxed);
        bool expired = ex != 0 && ex <= now;
        if (!expired) {
            queue = on->queue;
            freq = atomic_load_explicit(&on->blob->freq, memory_order_relaxed);
            freq = freq < 3 ? (uint8_t)(freq + 1) : 3;
        }
        pk__cache_detach(c, s, old, expired ? PK_CACHE_EXPIRED : PK_CACHE_REPLACED, r);
        if (expired)
            s->expirations++;
    }
    pk__cache_make_room(c, s, charge, r);
    uint32_t i = s->free_node;
    s->free_node = s->nodes[i].next;
    pk__cache_node *nd = &s->nodes[i];
    atomic_store_explicit(&b->freq, freq, memory_order_relaxed);
    b->node = i;
    nd->blob = b;
    nd->charge = charge;
    nd->wslot = 0;
    if (c->o.policy == PK_CACHE_S3FIFO) {
        bool main = queue == PK__Q_MAIN || (queue == PK__Q_NONE && pk__cache_ghost_has(&s->ghost, h));
        pk__cache_q_push(s, main ? &s->main : &s->small, i);
    } else {
        pk__cache_q_push(s, &s->small, i);
    }
    uint32_t j = (uint32_t)h & s->slot_mask;
    while (atomic_load_explicit(&s->slots[j].blob, memory_order_relaxed))
        j = (j + 1) & s->slot_mask;
    atomic_store_explicit(&s->slots[j].tag, PK__SLOT_TAG(h), memory_order_relaxed);
    atomic_store_explicit(&s->slots[j].blob, b, memory_order_release);   /* see probe */
    if (expire_ns)
        pk__cache_wheel_add(s, i);
    s->entries++;
    s->bytes += charge;
    s->insertions++;
    pk__cache_write_end(s);
    pk__cache_gauge_shard_delta(c, 1, (int64_t)charge);
    if (c->m)
        pk_metrics_counter_inc(c->m->insertions);
    return PK_OK;
}

pk_err pk_cache_put_ttl(pk_cache *c, const void *key, size_t klen, const void *val,
                        size_t vlen, int64_t ttl_ns)
{
    if (!c || (!key && klen) || (!val && vlen) || ttl_ns < 0 || klen >= UINT32_MAX ||
        vlen >= UINT32_MAX)
        return PK_EINVAL;
    uint64_t h = key_hash(c, key, klen);
    pk__cache_shard *s = shard_of(c, h);
    pk__cache_retired r = {NULL};
    pthread_mutex_lock(&s->mu);
    int64_t now = 0;
    if (ttl_ns || s->wheel_count) {
        now = pk__clock_ns(PK__CLOCK_MONO);
        if (s->wheel_count)
            pk__cache_wheel_advance(c, s, now, false, &r);
        else
            s->cur_tick = now >> PK__CACHE_TICK_SHIFT;
    }
    int64_t expire = ttl_ns ? (now + ttl_ns > now ? now + ttl_ns : INT64_MAX) : 0;
    pk_err e = put_locked(c, s, h, key, klen, val, vlen, expire, now, &r);
    pk__cache_retire_flush(c, s, &r);
    return e;
}

pk_err pk_cache_put(pk_cache *c, const void *key, size_t klen, const void *val, size_t vlen)
{
    return pk_cache_put_ttl(c, key, klen, val, vlen, c ? c->o.ttl_ns : 0);
}

pk_err pk_cache_remove(pk_cache *c, const void *key, size_t klen)
{
    if (!c || (!key && klen))
        return PK_EINVAL;
    uint64_t h = key_hash(c, key, klen);
    pk__cache_shard *s = shard_of(c, h);
    pk__cache_retired r = {NULL};
    pthread_mutex_lock(&s->mu);
    uint32_t i = find_locked(c, s, h, key, klen);
    if (i) {
        int64_t ex = atomic_load_explicit(&s->nodes[i].blob->expire_ns, memory_order_relaxed);
        bool expired = ex != 0 && ex <= pk__clock_ns(PK__CLOCK_MONO);
        pk__cache_write_begin(s);
        pk__cache_detach(c, s, i, expired ? PK_CACHE_EXPIRED : PK_CACHE_REMOVED, &r);
        if (expired)
            s->expirations++;
        pk__cache_write_end(s);
    }
    pk__cache_retire_flush(c, s, &r);
    return i ? PK_OK : PK_ENOENT;
}

size_t pk_cache_expire(pk_cache *c)
{
    if (!c)
        return 0;
    size_t n = 0, ns = (size_t)1 << c->shard_bits;
    for (size_t k = 0; k < ns; k++) {
        pk__cache_shard *s = &c->shards[k];
        pk__cache_retired r = {NULL};
        pthread_mutex_lock(&s->mu);
        if (s->wheel_count)
            n += pk__cache_wheel_advance(c, s, pk__clock_ns(PK__CLOCK_MONO), true, &r);
        pk__cache_retire_flush(c, s, &r);
    }
    return n;
}

void pk_cache_clear(pk_cache *c)
{
    if (!c)
        return;
    size_t ns = (size_t)1 << c->shard_bits;
    for (size_t k = 0; k < ns; k++) {
        pk__cache_shard *s = &c->shards[k];
        pk__cache_retired r = {NULL};
        pthread_mutex_lock(&s->mu);
        pk__cache_write_begin(s);
        for (uint32_t i = 1; i <= s->node_cap; i++)
            if (s->nodes[i].blob)
                pk__cache_detach(c, s, i, PK_CACHE_CLEARED, &r);
        pk__cache_write_end(s);
        pk__cache_retire_flush(c, s, &r);
    }
}
