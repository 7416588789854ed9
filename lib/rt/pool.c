/* rt/pool.c — the object pool: creation, per-thread caches, the slow paths.
 *
 * The inline paths (pool.h) pop and push a thread's cache (a magazine, after
 * Bonwick and Adams, "Magazines and Vmem", USENIX 2001) found through a
 * 16-slot thread-local table keyed by the pool's generation number. Here:
 * finding or making the thread's cache record (a pthread key per pool, whose
 * destructor flushes the cache when the thread exits), refilling an empty
 * cache with one depot batch or freshly carved objects, flushing the upper
 * half of a full one as one batch, and debug mode, which bypasses the caches
 * and checks every object's state byte and poison. Slabs and the depot:
 * pool_depot.c; statistics and metrics: pool_stats.c. */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/pool_int.h"

__thread pk__pool_slot pk__pool_tls[PK__POOL_SLOTS] __attribute__((tls_model("initial-exec")));

static _Atomic uint64_t next_gen = 1;

/* The calling thread's slot for p. */
static pk__pool_slot *my_slot(const pk_pool *p)
{
    return (pk__pool_slot *)(void *)((char *)pk__pool_tls + p->h.slot_off);
}

void pk_pool_opts_init(pk_pool_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->per_slab = 64;
    o->cache_size = 64;
}

size_t pk_pool_obj_size(const pk_pool *p) { return p ? p->o.obj_size : 0; }
size_t pk_pool_align(const pk_pool *p) { return p ? p->o.align : 0; }

static bool pow2(size_t x) { return x && !(x & (x - 1)); }

static pk_err check_opts(pk_pool_opts *o)
{
    if (o->obj_size == 0 || o->obj_size > ((size_t)1 << 30))
        return PK_EINVAL;
    if (o->align == 0) {
        o->align = 1;
        while (o->align < o->obj_size && o->align < 16)
            o->align <<= 1;
    }
    if (!pow2(o->align) || o->align > 4096)
        return PK_EINVAL;
    if (o->per_slab == 0)
        o->per_slab = 64;
    if (o->per_slab > ((size_t)1 << 20) || o->cache_size > 4096)
        return PK_EINVAL;
    if (o->prealloc > o->per_slab)   /* one first slab for the preallocation */
        o->per_slab = o->prealloc < ((size_t)1 << 20) ? o->prealloc : (size_t)1 << 20;
    size_t lim = (size_t)PK__POOL_MAX_INDEX + 1;
    if (o->max_objects == 0)
        o->max_objects = lim;
    if (o->max_objects > lim || o->prealloc > o->max_objects)
        return PK_EINVAL;
    if (o->debug)
        o->cache_size = 0;
    return PK_OK;
}

static void tc_destroy(void *v);

pk_err pk_pool_new(const pk_pool_opts *opts, pk_pool **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_pool_opts o;
    if (opts)
        o = *opts;
    else
        pk_pool_opts_init(&o);
    pk_err e = check_opts(&o);
    if (e != PK_OK)
        return e;
    pk_pool *p = pk_calloc(1, sizeof *p);
    if (!p)
        return PK_ENOMEM;
    p->o = o;
    p->stride = (o.obj_size + o.align - 1) & ~(o.align - 1);
    while (((size_t)1 << p->base_shift) < o.per_slab)
        p->base_shift++;
    p->batch = o.cache_size / 2 ? o.cache_size / 2 : 1;
    p->max_objects = (uint32_t)o.max_objects;
    p->h.gen = atomic_fetch_add(&next_gen, 1);
    p->h.slot_off = (size_t)((p->h.gen * 0x9e3779b97f4a7c15ull) >> 60) * sizeof(pk__pool_slot);
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        pk_free(p);
        return PK_ENOMEM;
    }
    if (o.cache_size > 0) {
        if (pthread_key_create(&p->key, tc_destroy) != 0) {
            pthread_mutex_destroy(&p->mu);
            pk_free(p);
            return PK_ENOMEM;
        }
        p->has_key = true;
    }
    if (o.prealloc > 0 && (e = pk__pool_grow(p, (uint32_t)o.prealloc)) != PK_OK) {
        pk_pool_free(p);
        return e == PK_ERANGE ? PK_ENOMEM : e;
    }
    *out = p;
    return PK_OK;
}

void pk_pool_free(pk_pool *p)
{
    if (!p)
        return;
    if (p->has_key) {
        /* Forget this thread's slot now; other threads' slots hold p's
         * generation, which no other pool will ever have. */
        pk__pool_slot *s = my_slot(p);
        if (s->gen == p->h.gen)
            s->gen = 0;
        pthread_key_delete(p->key);
    }
    for (pk__pool_tcrec *r = p->recs, *nx; r; r = nx) {
        nx = r->next;
        pk_free(r);
    }
    pk__pool_slabs_free(p);
    pk_free(p->m);
    pthread_mutex_destroy(&p->mu);
    pk_free(p);
}

/* ---- cache records ----------------------------------------------------------- */

/* Link the objects cached in items[from .. from + n) into one batch and push it. */
static void flush_items(pk_pool *p, void **items, uint32_t n)
{
    uint32_t head = PK__POOL_NONE, count = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        if (!pk__pool_index(p, items[i], &idx)) {
            pk__pool_fault(p, PK_POOL_FOREIGN, items[i]);
            continue;
        }
        pk__pool_meta_of(p, idx)->link = head;
        head = idx + 1;
        count++;
    }
    if (count) {
        pk__pool_push(p, head - 1, count);
        pk__pool_note_back(p, count);
        atomic_fetch_add_explicit(&p->flushes, 1, memory_order_relaxed);
        if (p->m)
            pk_metrics_counter_inc(p->m->flushes);
    }
}

/* pthread key destructor: the thread exits; its cache goes to the depot and
 * its record is kept for the next thread. */
static void tc_destroy(void *v)
{
    pk__pool_tcrec *r = v;
    pk_pool *p = r->pool;
    pk__pool_slot *s = my_slot(p);
    if (s->gen == p->h.gen)
        s->gen = 0;
    uint32_t n = __atomic_load_n(&r->tc->n, __ATOMIC_RELAXED);
    flush_items(p, r->tc->items, n);
    __atomic_store_n(&r->tc->n, 0, __ATOMIC_RELAXED);
    pthread_mutex_lock(&p->mu);
    r->live = false;
    pthread_mutex_unlock(&p->mu);
}

/* This thread's cache for p, installed in its slot; NULL without caches or
 * when a record cannot be allocated. */
static pk__pool_tc *tc_find(pk_pool *p)
{
    if (!p->has_key)
        return NULL;
    pk__pool_tcrec *r = pthread_getspecific(p->key);
    if (!r) {
        pthread_mutex_lock(&p->mu);
        for (r = p->recs; r && r->live; r = r->next)
            ;
        if (!r) {
            r = pk_malloc(sizeof *r + sizeof(pk__pool_tc) + (size_t)p->o.cache_size * sizeof(void *));
            if (r) {
                r->tc = (pk__pool_tc *)(void *)(r + 1);
                r->pool = p;
                r->tc->n = 0;
                r->tc->cap = p->o.cache_size;
                r->next = p->recs;
                p->recs = r;
                p->nrecs++;
            }
        }
        if (r)
            r->live = true;
        pthread_mutex_unlock(&p->mu);
        if (!r)
            return NULL;
        if (pthread_setspecific(p->key, r) != 0) {
            pthread_mutex_lock(&p->mu);
            r->live = false;
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
    }
    pk__pool_slot *s = my_slot(p);
    s->tc = r->tc;
    s->gen = p->h.gen;
    return r->tc;
}

/* ---- debug mode ------------------------------------------------------------------ */

static bool poisoned(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != PK_POOL_POISON_FREE)
            return false;
    return true;
}

static void *debug_get(pk_pool *p, uint32_t idx)
{
    pk__pool_slab *s = pk__pool_slab_of(p, idx);
    void *obj = pk__pool_obj(p, idx);
    uint8_t was = atomic_exchange_explicit(&s->state[idx - s->first], PK__POOL_USED,
                                           memory_order_acq_rel);
    if (was == PK__POOL_FREE && !poisoned(obj, p->o.obj_size))
        pk__pool_fault(p, PK_POOL_MODIFIED, obj);
    memset(obj, PK_POOL_POISON_NEW, p->o.obj_size);
    return obj;
}

static void debug_put(pk_pool *p, void *obj)
{
    uint32_t idx;
    if (!pk__pool_index(p, obj, &idx)) {
        pk__pool_fault(p, PK_POOL_FOREIGN, obj);
        return;
    }
    pk__pool_slab *s = pk__pool_slab_of(p, idx);
    uint8_t used = PK__POOL_USED;
    if (!atomic_compare_exchange_strong_explicit(&s->state[idx - s->first], &used, PK__POOL_FREE,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        pk__pool_fault(p, used == PK__POOL_FREE ? PK_POOL_DOUBLE_FREE : PK_POOL_FOREIGN, obj);
        return;
    }
    memset(obj, PK_POOL_POISON_FREE, p->o.obj_size);
    pk__pool_meta_of(p, idx)->link = PK__POOL_NONE;
    pk__pool_push(p, idx, 1);
    pk__pool_note_back(p, 1);
}

/* ---- slow paths ---------------------------------------------------------------- */

/* Take up to want objects out of the depot (one batch) or the slabs into
 * dst[]; returns how many (0: exhausted). */
static uint32_t refill(pk_pool *p, void **dst, uint32_t want)
{
    uint32_t n, head = pk__pool_pop(p, &n);
    if (head != PK__POOL_NONE) {
        uint32_t i = 0;
        for (; head != PK__POOL_NONE && i < want; i++) {
            dst[i] = pk__pool_obj(p, head - 1);
            head = pk__pool_meta_of(p, head - 1)->link;
        }
        if (head != PK__POOL_NONE)   /* a longer batch (another cache size): the rest back */
            pk__pool_push(p, head - 1, n - i);
        n = i;
    } else {
        uint32_t first = pk__pool_carve(p, want, &n);
        for (uint32_t i = 0; i < n; i++)
            dst[i] = pk__pool_obj(p, first - 1 + i);
    }
    if (n) {
        pk__pool_note_out(p, n);
        atomic_fetch_add_explicit(&p->refills, 1, memory_order_relaxed);
        if (p->m)
            pk_metrics_counter_inc(p->m->refills);
    }
    return n;
}

static void *exhausted(pk_pool *p)
{
    atomic_fetch_add_explicit(&p->exhausted, 1, memory_order_relaxed);
    if (p->m)
        pk_metrics_counter_inc(p->m->exhausted);
    return NULL;
}

void *pk__pool_get_slow(pk_pool *p)
{
    pk__pool_tc *tc = p->o.debug ? NULL : tc_find(p);
    if (!tc) {   /* debug mode, no caches, or no record: one object at a time */
        void *obj;
        if (refill(p, &obj, 1) == 0)
            return exhausted(p);
        if (p->o.debug) {
            uint32_t idx;
            (void)pk__pool_index(p, obj, &idx);
            return debug_get(p, idx);
        }
        return obj;
    }
    uint32_t n = __atomic_load_n(&tc->n, __ATOMIC_RELAXED);
    if (n == 0) {
        n = refill(p, tc->items, p->batch);
        if (n == 0)
            return exhausted(p);
    }
    __atomic_store_n(&tc->n, n - 1, __ATOMIC_RELAXED);
    return tc->items[n - 1];
}

void pk__pool_put_slow(pk_pool *p, void *obj)
{
    if (!obj)
        return;
    if (p->o.debug) {
        debug_put(p, obj);
        return;
    }
    pk__pool_tc *tc = tc_find(p);
    if (!tc) {
        flush_items(p, &obj, 1);
        return;
    }
    uint32_t n = __atomic_load_n(&tc->n, __ATOMIC_RELAXED);
    if (n >= tc->cap) {
        uint32_t keep = tc->cap - p->batch;
        flush_items(p, tc->items + keep, n - keep);
        n = keep;
    }
    tc->items[n] = obj;
    __atomic_store_n(&tc->n, n + 1, __ATOMIC_RELAXED);
}

void pk_pool_flush(pk_pool *p)
{
    if (!p || !p->has_key)
        return;
    pk__pool_tcrec *r = pthread_getspecific(p->key);
    if (!r)
        return;
    uint32_t n = __atomic_load_n(&r->tc->n, __ATOMIC_RELAXED);
    __atomic_store_n(&r->tc->n, 0, __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < n; i += p->batch)
        flush_items(p, r->tc->items + i, n - i < p->batch ? n - i : p->batch);
}
