/* rt/cache_evict.c — the cache's policies, blocks and ghost (under the shard lock).
 *
 * S3-FIFO (Yang, Zhang, Qiu, Yue, Vinayak, "FIFO queues are all you need for
 * cache eviction", SOSP 2023): new keys enter the small queue S; when S
 * holds 10% of the shard's entries (or bytes) or more, its tail is examined:
 * hit at least once (freq >= 1) it moves to the main queue M with freq 0,
 * else it is evicted and its hash goes to the ghost G. Otherwise M's tail is
 * examined: freq > 0 reinserts it at M's head with freq - 1, freq 0 evicts
 * it. A key found in G on insertion goes straight to M. G is a FIFO of
 * hashes as long as M's share of entries, with a counting set for O(1)
 * membership. LRU and FIFO use one queue; LRU hits move to the head
 * (cache.c). Blocks: size classes of 4 steps per power of two (32, 40, 48,
 * 56, 64, 80, ...), per-class free lists; a block is never returned to the
 * allocator before the cache is freed (lock-free readers, cache.h). */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/cache_int.h"

/* freq an S entry needs to be promoted to M */
#define PROMOTE_FREQ 1

/* ---- queues ------------------------------------------------------------------ */

void pk__cache_q_push(pk__cache_shard *s, pk__cache_queue *q, uint32_t i)
{
    pk__cache_node *n = &s->nodes[i];
    n->queue = q == &s->main ? PK__Q_MAIN : PK__Q_SMALL;
    n->prev = 0;
    n->next = q->head;
    if (q->head)
        s->nodes[q->head].prev = i;
    else
        q->tail = i;
    q->head = i;
    q->count++;
    q->bytes += n->charge;
}

void pk__cache_q_unlink(pk__cache_shard *s, uint32_t i)
{
    pk__cache_node *n = &s->nodes[i];
    pk__cache_queue *q = n->queue == PK__Q_MAIN ? &s->main : &s->small;
    if (n->prev)
        s->nodes[n->prev].next = n->next;
    else
        q->head = n->next;
    if (n->next)
        s->nodes[n->next].prev = n->prev;
    else
        q->tail = n->prev;
    q->count--;
    q->bytes -= n->charge;
    n->queue = PK__Q_NONE;
    n->prev = n->next = 0;
}

/* ---- table --------------------------------------------------------------------- */

void pk__cache_slot_remove(pk__cache_shard *s, uint32_t i)
{
    uint32_t mask = s->slot_mask;
    const pk__cache_blob *b = s->nodes[i].blob;
    if (!b)
        return;
    uint32_t j = (uint32_t)b->hash & mask;
    while (atomic_load_explicit(&s->slots[j].blob, memory_order_relaxed) != b)
        j = (j + 1) & mask;
    /* backward shift: pull later members of the cluster into the hole when
     * their home is not between the hole and them */
    uint32_t k = j;
    for (;;) {
        k = (k + 1) & mask;
        pk__cache_blob *v = atomic_load_explicit(&s->slots[k].blob, memory_order_relaxed);
        if (!v)
            break;
        uint32_t home = (uint32_t)v->hash & mask;
        if (((k - home) & mask) >= ((k - j) & mask)) {
            atomic_store_explicit(&s->slots[j].tag,
                                  atomic_load_explicit(&s->slots[k].tag, memory_order_relaxed),
                                  memory_order_relaxed);
            atomic_store_explicit(&s->slots[j].blob, v, memory_order_release);
            j = k;
        }
    }
    atomic_store_explicit(&s->slots[j].blob, NULL, memory_order_relaxed);
}

/* ---- blocks -------------------------------------------------------------------- */

static unsigned class_of(size_t bytes)
{
    if (bytes <= 32)
        return 0;
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)(bytes - 1));
    size_t base = (size_t)1 << e, step = base >> 2;
    unsigned sub = (unsigned)((bytes - base + step - 1) / step);
    return (e - 5) * 4 + sub;
}

static size_t class_size(unsigned cls)
{
    unsigned e = 5 + cls / 4;
    return ((size_t)1 << e) + (cls % 4) * ((size_t)1 << (e - 2));
}

pk__cache_blob *pk__cache_blob_get(pk__cache_shard *s, size_t words)
{
    size_t bytes = sizeof(pk__cache_blob) + words * 8;
    unsigned cls = class_of(bytes);
    if (cls >= PK__CACHE_NCLASS)
        return NULL;
    pk__cache_blob *b = s->free_blob[cls];
    if (b) {
        s->free_blob[cls] = b->next;
        return b;
    }
    size_t sz = class_size(cls);
    b = pk_malloc(sz);
    if (!b)
        return NULL;
    b->cap_words = (sz - sizeof(pk__cache_blob)) / 8;
    b->cls = (uint8_t)cls;
    b->next = NULL;
    return b;
}

void pk__cache_blob_release(pk__cache_shard *s, pk__cache_blob *b)
{
    b->next = s->free_blob[b->cls];
    s->free_blob[b->cls] = b;
}

/* ---- detaching and retiring ---------------------------------------------------------- */

void pk__cache_detach(pk_cache *c, pk__cache_shard *s, uint32_t i, pk_cache_reason why,
                      pk__cache_retired *r)
{
    pk__cache_node *n = &s->nodes[i];
    pk__cache_blob *b = n->blob;
    if (!b)
        return;   /* a free record: nothing to detach */
    pk__cache_slot_remove(s, i);
    if (n->queue != PK__Q_NONE)
        pk__cache_q_unlink(s, i);
    if (n->wslot)
        pk__cache_wheel_del(s, i);
    b->reason = (uint8_t)why;
    b->next = r->head;
    r->head = b;
    n->blob = NULL;
    s->entries--;
    s->bytes -= n->charge;
    pk__cache_gauge_shard_delta(c, -1, -(int64_t)n->charge);
    n->charge = 0;
    n->next = s->free_node;
    s->free_node = i;
}

void pk__cache_retire_flush(pk_cache *c, pk__cache_shard *s, pk__cache_retired *r)
{
    if (!r->head || !c->o.on_evict) {
        for (pk__cache_blob *b = r->head, *nx; b; b = nx) {
            nx = b->next;
            pk__cache_blob_release(s, b);
        }
        pthread_mutex_unlock(&s->mu);
        r->head = NULL;
        return;
    }
    pthread_mutex_unlock(&s->mu);
    /* nobody writes a retired block until it is on a free list again */
    for (pk__cache_blob *b = r->head; b; b = b->next) {
        const unsigned char *w = (const unsigned char *)b->w;
        uint32_t kl = atomic_load_explicit(&b->klen, memory_order_relaxed);
        uint32_t vl = atomic_load_explicit(&b->vlen, memory_order_relaxed);
        c->o.on_evict(c->o.evict_ud, w, kl, w + ((kl + 7u) & ~7u), vl, (pk_cache_reason)b->reason);
    }
    pthread_mutex_lock(&s->mu);
    for (pk__cache_blob *b = r->head, *nx; b; b = nx) {
        nx = b->next;
        pk__cache_blob_release(s, b);
    }
    pthread_mutex_unlock(&s->mu);
    r->head = NULL;
}

/* ---- eviction --------------------------------------------------------------------- */

static void evicted(pk_cache *c, pk__cache_shard *s, uint32_t i, pk__cache_retired *r)
{
    pk__cache_detach(c, s, i, PK_CACHE_EVICTED, r);
    s->evictions++;
    if (c->m)
        pk_metrics_counter_inc(c->m->evictions);
}

/* Evict one entry of s; false when s is empty. */
static bool evict_one(pk_cache *c, pk__cache_shard *s, pk__cache_retired *r)
{
    if (c->o.policy != PK_CACHE_S3FIFO) {
        if (!s->small.tail)
            return false;
        evicted(c, s, s->small.tail, r);
        return true;
    }
    for (;;) {
        bool small_full = s->small.count >= s->small_entries ||
                          (s->max_bytes && s->small.bytes >= s->small_bytes);
        if (s->small.count && (small_full || !s->main.count)) {
            uint32_t t = s->small.tail;
            pk__cache_node *n = &s->nodes[t];
            if (!n->blob)
                return false;   /* cannot happen: queued records hold a block */
            if (atomic_load_explicit(&n->blob->freq, memory_order_relaxed) >= PROMOTE_FREQ) {
                pk__cache_q_unlink(s, t);
                atomic_store_explicit(&n->blob->freq, 0, memory_order_relaxed);
                pk__cache_q_push(s, &s->main, t);
                continue;
            }
            pk__cache_ghost_add(&s->ghost, n->blob->hash);
            evicted(c, s, t, r);
            return true;
        }
        if (!s->main.count)
            return false;
        uint32_t t = s->main.tail;
        pk__cache_node *n = &s->nodes[t];
        if (!n->blob)
            return false;   /* cannot happen: queued records hold a block */
        uint8_t f = atomic_load_explicit(&n->blob->freq, memory_order_relaxed);
        if (f > 0) {
            atomic_store_explicit(&n->blob->freq, (uint8_t)(f - 1), memory_order_relaxed);
            pk__cache_q_unlink(s, t);
            pk__cache_q_push(s, &s->main, t);
            continue;
        }
        evicted(c, s, t, r);
        return true;
    }
}

void pk__cache_make_room(pk_cache *c, pk__cache_shard *s, uint64_t charge,
                         pk__cache_retired *r)
{
    while (s->entries + 1 > s->max_entries || (s->max_bytes && s->bytes + charge > s->max_bytes))
        if (!evict_one(c, s, r))
            break;
}

/* ---- ghost ------------------------------------------------------------------------- */

pk_err pk__cache_ghost_init(pk__cache_ghost *g, uint32_t cap)
{
    memset(g, 0, sizeof *g);
    uint32_t sc = 4;
    while (sc < 2ull * cap)
        sc <<= 1;
    g->ring = pk_calloc(cap, sizeof *g->ring);
    g->keys = pk_calloc(sc, sizeof *g->keys);
    g->counts = pk_calloc(sc, sizeof *g->counts);
    if (!g->ring || !g->keys || !g->counts) {
        pk__cache_ghost_free(g);
        return PK_ENOMEM;
    }
    g->cap = cap;
    g->mask = sc - 1;
    return PK_OK;
}

void pk__cache_ghost_free(pk__cache_ghost *g)
{
    pk_free(g->ring);
    pk_free(g->keys);
    pk_free(g->counts);
    memset(g, 0, sizeof *g);
}

static inline uint32_t ghost_home(const pk__cache_ghost *g, uint64_t h)
{
    return (uint32_t)(h ^ (h >> 29)) & g->mask;
}

static uint32_t ghost_find(const pk__cache_ghost *g, uint64_t h, bool *found)
{
    uint32_t j = ghost_home(g, h);
    while (g->keys[j] && g->keys[j] != h)
        j = (j + 1) & g->mask;
    *found = g->keys[j] == h;
    return j;
}

static void ghost_dec(pk__cache_ghost *g, uint64_t h)
{
    bool found;
    uint32_t j = ghost_find(g, h, &found);
    if (!found || --g->counts[j] > 0)
        return;
    uint32_t k = j;
    for (;;) {
        k = (k + 1) & g->mask;
        if (!g->keys[k])
            break;
        uint32_t home = ghost_home(g, g->keys[k]);
        if (((k - home) & g->mask) >= ((k - j) & g->mask)) {
            g->keys[j] = g->keys[k];
            g->counts[j] = g->counts[k];
            j = k;
        }
    }
    g->keys[j] = 0;
    g->counts[j] = 0;
}

void pk__cache_ghost_add(pk__cache_ghost *g, uint64_t h)
{
    if (!g->cap)
        return;
    h = h ? h : 1;
    if (g->count == g->cap) {
        ghost_dec(g, g->ring[g->head]);
        g->head = g->head + 1 == g->cap ? 0 : g->head + 1;
        g->count--;
    }
    uint64_t at = (uint64_t)g->head + g->count;
    g->ring[at >= g->cap ? at - g->cap : at] = h;
    g->count++;
    bool found;
    uint32_t j = ghost_find(g, h, &found);
    g->keys[j] = h;
    g->counts[j]++;
}

bool pk__cache_ghost_has(const pk__cache_ghost *g, uint64_t h)
{
    if (!g->cap)
        return false;
    bool found;
    ghost_find(g, h ? h : 1, &found);
    return found;
}
