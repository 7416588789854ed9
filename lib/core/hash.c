/* hash.c — a string-keyed hash table: open addressing, linear probing
 * (core/hash.h).
 *
 * Linear probing keeps a lookup to one or two cache lines at load <= 1/2
 * (expected probes ~1.5 for a hit, ~2.5 for a miss). Each slot keeps the
 * 32-bit hash so growth never rereads keys and a compare of bytes happens
 * only on a full hash match. Removal is Knuth's backward shift (TAOCP vol.
 * 3, 6.4, Algorithm R): the entries after the hole that could live in it
 * move back, so no tombstone ever lengthens a probe sequence.
 * The hash is 64-bit FNV-1a whose offset basis is mixed with a per-process
 * seed (getrandom(2), once), finalised with MurmurHash3's fmix64:
 * FNV alone has weak low bits, which a power-of-two table indexes by.
 * References: FNV (draft-eastlake-fnv), MurmurHash3 (Appleby, fmix64). */
#include "core/hash.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>

#include "perfkit/alloc.h"

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static _Atomic uint64_t process_seed;

static uint64_t seed(void)
{
    uint64_t s = atomic_load_explicit(&process_seed, memory_order_relaxed);
    if (s)
        return s;
    /* the kernel's randomness; failing that, where this library was loaded */
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
        s = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&process_seed;
    s |= 1;   /* never 0: 0 means "not read yet" */
    atomic_store_explicit(&process_seed, s, memory_order_relaxed);
    return s;
}

uint32_t pk__hash_bytes(const char *key, size_t len)
{
    uint64_t h = FNV_BASIS ^ seed();
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= FNV_PRIME;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

static bool same(const pk__hash_slot *s, const char *key, size_t len, uint32_t hash)
{
    return s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0;
}

/* The slot holding key, or the empty slot where it would go. cap > 0. */
static size_t find_slot(const pk__hash *h, const char *key, size_t len, uint32_t hash,
                        size_t *probes)
{
    size_t mask = h->cap - 1, i = hash & mask, k = 1;
    while (h->slots[i].key && !same(&h->slots[i], key, len, hash)) {
        i = (i + 1) & mask;
        k++;
    }
    if (probes)
        *probes = k;
    return i;
}

bool pk__hash_get(const pk__hash *h, const char *key, size_t len, size_t *value)
{
    if (!h || !key || !h->cap || len > UINT32_MAX)
        return false;
    const pk__hash_slot *s = &h->slots[find_slot(h, key, len, pk__hash_bytes(key, len), NULL)];
    if (!s->key)
        return false;
    if (value)
        *value = s->value;
    return true;
}

size_t pk__hash_probes(const pk__hash *h, const char *key, size_t len)
{
    size_t k = 0;
    if (h && key && h->cap && len <= UINT32_MAX)
        find_slot(h, key, len, pk__hash_bytes(key, len), &k);
    return k;
}

/* Rehash into cap slots (a power of two, > 2 n). */
static pk_err rehash(pk__hash *h, size_t cap)
{
    pk__hash_slot *slots = pk_calloc(cap, sizeof *slots);
    if (!slots)
        return PK_ENOMEM;
    for (size_t i = 0; i < h->cap; i++) {
        const pk__hash_slot *s = &h->slots[i];
        if (!s->key)
            continue;
        size_t j = s->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    pk_free(h->slots);
    h->slots = slots;
    h->cap = cap;
    return PK_OK;
}

pk_err pk__hash_reserve(pk__hash *h, size_t n)
{
    if (!h || n > SIZE_MAX / 4 / sizeof(pk__hash_slot))
        return PK_EINVAL;
    size_t cap = h->cap ? h->cap : 16;
    while (cap < 2 * n)
        cap *= 2;
    return cap == h->cap ? PK_OK : rehash(h, cap);
}

pk_err pk__hash_put(pk__hash *h, const char *key, size_t len, size_t value)
{
    if (!h || !key || len > UINT32_MAX)
        return PK_EINVAL;
    uint32_t hash = pk__hash_bytes(key, len);
    if (h->cap) {
        pk__hash_slot *s = &h->slots[find_slot(h, key, len, hash, NULL)];
        if (s->key) {   /* replace */
            s->key = key;
            s->value = value;
            return PK_OK;
        }
    }
    pk_err e = pk__hash_reserve(h, h->n + 1);
    if (e != PK_OK)
        return e;
    pk__hash_slot *s = &h->slots[find_slot(h, key, len, hash, NULL)];
    *s = (pk__hash_slot){key, value, hash, (uint32_t)len};
    h->n++;
    return PK_OK;
}

bool pk__hash_remove(pk__hash *h, const char *key, size_t len)
{
    if (!h || !key || !h->cap || len > UINT32_MAX)
        return false;
    size_t mask = h->cap - 1;
    size_t i = find_slot(h, key, len, pk__hash_bytes(key, len), NULL);
    if (!h->slots[i].key)
        return false;
    /* backward shift: j scans the run after the hole at i; an entry whose
     * home slot is cyclically outside (i, j] can move back into the hole */
    for (size_t j = (i + 1) & mask; h->slots[j].key; j = (j + 1) & mask) {
        size_t home = h->slots[j].hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        h->slots[i] = h->slots[j];
        i = j;
    }
    h->slots[i] = (pk__hash_slot){0};
    h->n--;
    return true;
}

void pk__hash_clear(pk__hash *h)
{
    if (!h)
        return;
    if (h->slots)
        memset(h->slots, 0, h->cap * sizeof *h->slots);
    h->n = 0;
}

void pk__hash_free(pk__hash *h)
{
    if (!h)
        return;
    pk_free(h->slots);
    *h = (pk__hash){0};
}
