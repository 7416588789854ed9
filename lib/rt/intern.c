/* intern.c — a string interner (perfkit/intern.h): the hash table and the API.
 *
 * An open-addressing, linear-probing table of 8-byte slots, each one atomic
 * word: the string's 32-bit hash in the high half, its id + 1 in the low
 * half (0 = empty). A probe compares hashes only; the bytes (arena, through
 * the id index: intern_store.c) are read on a full 32-bit match, which a
 * different string makes with probability ~2^-32. The home slot is
 * hash32 & mask, so growing rehashes from the slots alone. Max load 3/4.
 *
 * Concurrency: readers never lock or write. The writer (one at a time:
 * pk_intern's mutex in shared mode) fills the record, the index entry, then
 * publishes with release stores: the slot, then the count. A slot once set
 * never changes, so a reader that acquired it sees the record; a match
 * counts only when its id is below the count, so an id from a find is
 * always valid for a lookup, and every id below the count is found. Growth builds
 * a new table privately, publishes it with one release store and retires
 * the old one, still complete for every string inserted before: a reader
 * that loaded it keeps a consistent (if older) view. Retired blocks are
 * freed only at a quiescent point the caller names (pk_intern_reclaim) or
 * by pk_intern_free — the application's grace period, as in RCU (McKenney,
 * "Is Parallel Programming Hard", ch. 9); no reader-side counter or epoch
 * costs a hit anything.
 * The hash is wyhash's construction (Wang Yi, public domain; 128-bit
 * multiply-fold), fast on short keys. */
#include <string.h>

#include "core/wyhash.h"
#include "perfkit/alloc.h"
#include "rt/intern_int.h"

static inline uint32_t hash32(const void *key, size_t len, uint64_t seed)
{
    uint64_t h = pk__wyhash(key, len, seed);
    return (uint32_t)(h ^ (h >> 32));
}

static inline bool same(const pk_interner *in, uint32_t id, const void *str, size_t len)
{
    size_t n;
    const unsigned char *s = (const unsigned char *)pk__intern_record(in, id, &n), *q = str;
    if (n != len)
        return false;
    if (len >= 8 && len <= 16)  /* two overlapping words: no call for short keys */
        return pk__rd64(s) == pk__rd64(q) && pk__rd64(s + len - 8) == pk__rd64(q + len - 8);
    if (len >= 4 && len < 8)
        return pk__rd32(s) == pk__rd32(q) && pk__rd32(s + len - 4) == pk__rd32(q + len - 4);
    return len == 0 || memcmp(s, q, len) == 0;
}

/* Probes t for str: true and *id on a match. */
static inline bool probe(const pk_interner *in, const pk__in_table *t, uint32_t h,
                         const void *str, size_t len, uint32_t *id)
{
    uint32_t i = h & t->mask;
    for (;;) {
        uint64_t s = atomic_load_explicit(&t->slot[i], memory_order_acquire);
        if (!s)
            return false;
        if ((uint32_t)(s >> 32) == h && same(in, (uint32_t)s - 1, str, len)) {
            /* published to lookups (the count) only after its slot: until
             * then the insert is still running and a miss is the answer */
            if ((uint32_t)s - 1 >= atomic_load_explicit(&in->count, memory_order_acquire)) {
                return false;
            }
            *id = (uint32_t)s - 1;
            return true;
        }
        i = (i + 1) & t->mask;
    }
}

static pk__in_table *table_new(uint64_t slots)
{
    uint64_t bytes = sizeof(pk__in_table) + slots * sizeof(uint64_t);
    pk__in_table *t = pk_malloc((size_t)bytes);
    if (!t)
        return NULL;
    t->r.next = NULL;
    t->r.bytes = bytes;
    t->mask = (uint32_t)(slots - 1);
    t->pad = 0;
    for (uint64_t i = 0; i < slots; i++)
        atomic_init(&t->slot[i], 0);
    return t;
}

/* Slots for n strings at load <= 3/4: a power of two, at least 16. */
static uint64_t slots_for(uint64_t n)
{
    uint64_t s = 16;
    while (s * 3 / 4 < n)
        s *= 2;
    return s;
}

/* Makes the table hold one more string: a new table twice as large,
 * published whole. */
static pk_err table_reserve(pk_interner *in, uint32_t n)
{
    pk__in_table *t = atomic_load_explicit(&in->table, memory_order_relaxed);
    uint64_t slots = (uint64_t)t->mask + 1;
    if ((uint64_t)n + 1 <= slots * 3 / 4)
        return PK_OK;
    if (slots * 2 > (uint64_t)1 << 32)  /* the mask is 32 bits */
        return PK_ERANGE;
    pk__in_table *g = table_new(slots * 2);
    if (!g)
        return PK_ENOMEM;
    for (uint64_t i = 0; i < slots; i++) {
        uint64_t s = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
        if (!s)
            continue;
        uint32_t j = (uint32_t)(s >> 32) & g->mask;
        while (atomic_load_explicit(&g->slot[j], memory_order_relaxed))
            j = (j + 1) & g->mask;
        atomic_store_explicit(&g->slot[j], s, memory_order_relaxed);
    }
    atomic_store_explicit(&in->table, g, memory_order_release);
    in->grows++;
    pk__intern_retire(in, &t->r);
    return PK_OK;
}

void pk_intern_opts_init(pk_intern_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->seed = 0x9e3779b97f4a7c15ull;
    o->shared = true;
}

pk_err pk_intern_new(const pk_intern_opts *o, pk_interner **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_intern_opts d;
    if (!o) {
        pk_intern_opts_init(&d);
        o = &d;
    }
    if (o->capacity > UINT32_MAX - 1 || slots_for(o->capacity) > (uint64_t)1 << 32)
        return PK_EINVAL;
    pk_interner *in = pk_calloc(1, sizeof *in);
    if (!in)
        return PK_ENOMEM;
    in->seed = o->seed;
    in->shared = o->shared;
    pk__in_table *t = table_new(slots_for(o->capacity));
    if (!t) {
        pk_free(in);
        return PK_ENOMEM;
    }
    atomic_init(&in->table, t);
    atomic_init(&in->count, 0);
    if (pthread_mutex_init(&in->mu, NULL) != 0) {
        pk_free(t);
        pk_free(in);
        return PK_ENOMEM;
    }
    *out = in;
    return PK_OK;
}

void pk_intern_free(pk_interner *in)
{
    if (!in)
        return;
    pk__intern_store_free(in);
    pk_free(atomic_load_explicit(&in->table, memory_order_relaxed));
    pthread_mutex_destroy(&in->mu);
    pk_free(in);
}

bool pk_intern_find(const pk_interner *in, const void *str, size_t len, uint32_t *id)
{
    if (!in || !id || (!str && len))
        return false;
    uint32_t h = hash32(str, len, in->seed);
    const pk__in_table *t = atomic_load_explicit(&in->table, memory_order_acquire);
    return probe(in, t, h, str, len, id);
}

/* The insert, by the one writer: the string is not in the table. */
static pk_err insert(pk_interner *in, uint32_t h, const void *str, size_t len, uint32_t *id)
{
    uint32_t n = atomic_load_explicit(&in->count, memory_order_relaxed);
    if (n == UINT32_MAX)
        return PK_ERANGE;
    pk_err e = table_reserve(in, n);
    if (!e)
        e = pk__intern_index_reserve(in, n);
    uint32_t off = 0;
    if (!e)
        e = pk__intern_arena_add(in, str, len, &off);
    if (e)
        return e;
    pk__intern_index_set(in, n, off);
    pk__in_table *t = atomic_load_explicit(&in->table, memory_order_relaxed);
    uint32_t i = h & t->mask;
    while (atomic_load_explicit(&t->slot[i], memory_order_relaxed))
        i = (i + 1) & t->mask;
    atomic_store_explicit(&t->slot[i], (uint64_t)h << 32 | (n + 1), memory_order_release);
    atomic_store_explicit(&in->count, n + 1, memory_order_release);
    *id = n;
    return PK_OK;
}

pk_err pk_intern(pk_interner *in, const void *str, size_t len, uint32_t *id)
{
    if (!in || !id || (!str && len))
        return PK_EINVAL;
    uint32_t h = hash32(str, len, in->seed);
    const pk__in_table *t = atomic_load_explicit(&in->table, memory_order_acquire);
    if (probe(in, t, h, str, len, id))
        return PK_OK;
    if (!in->shared)
        return insert(in, h, str, len, id);
    pthread_mutex_lock(&in->mu);
    pk_err e = PK_OK;
    t = atomic_load_explicit(&in->table, memory_order_relaxed);
    if (!probe(in, t, h, str, len, id))  /* another writer may have won */
        e = insert(in, h, str, len, id);
    pthread_mutex_unlock(&in->mu);
    return e;
}

const char *pk_intern_lookup(const pk_interner *in, uint32_t id, size_t *len)
{
    if (!in || id >= atomic_load_explicit(&in->count, memory_order_acquire))
        return NULL;
    size_t n;
    const char *s = pk__intern_record(in, id, &n);
    if (len)
        *len = n;
    return s;
}

uint32_t pk_intern_count(const pk_interner *in)
{
    return in ? atomic_load_explicit(&in->count, memory_order_acquire) : 0;
}

void pk_intern_reclaim(pk_interner *in)
{
    if (in)
        pk__intern_reclaim_all(in);
}

pk_err pk_intern_stats_get(const pk_interner *in, pk_intern_stats *st)
{
    if (!in || !st)
        return PK_EINVAL;
    memset(st, 0, sizeof *st);
    const pk__in_table *t = atomic_load_explicit(&in->table, memory_order_relaxed);
    st->strings = atomic_load_explicit(&in->count, memory_order_relaxed);
    st->string_bytes = in->string_bytes;
    st->arena_bytes = in->arena_bytes;
    st->index_bytes = in->index_bytes + (uint64_t)in->capblocks * sizeof(void *);
    st->table_bytes = t->r.bytes;
    st->retired_bytes = in->retired_bytes;
    st->total_bytes = st->arena_bytes + st->index_bytes + st->table_bytes +
                      st->retired_bytes + sizeof *in;
    st->overhead_bytes = st->total_bytes - st->string_bytes;
    st->table_slots = (uint64_t)t->mask + 1;
    st->grows = in->grows;
    st->load = (double)st->strings / (double)st->table_slots;
    return PK_OK;
}
