/* rt/pool_depot.c — the object pool's slabs and its lock-free depot.
 *
 * Slabs double (slab k holds per_slab << k objects, the last one trimmed to
 * max_objects), so an object index decodes to its slab with a count of
 * leading zeros and a pointer to its index with a scan of at most 33 slabs.
 * The depot is a Treiber stack (R. K. Treiber, "Systems programming: coping
 * with parallelism", IBM RJ 5118, 1986) of batches: its top word is a 32-bit
 * tag and a 32-bit head index, and every push and pop bumps the tag, so a
 * compare-and-swap never succeeds on a top that was popped and pushed back
 * in between (the ABA problem). Links live in side records, never in the
 * objects, and slabs are freed only with the pool, so a pop that loses its
 * race reads a stale but mapped `below`. Carving takes the pool mutex. */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/pool_int.h"

static uint32_t slab_number(const pk_pool *p, uint32_t idx)
{
    uint64_t q = ((uint64_t)idx >> p->base_shift) + 1;   /* 1 .. */
    return (uint32_t)(63 - __builtin_clzll(q));
}

pk__pool_slab *pk__pool_slab_of(pk_pool *p, uint32_t idx)
{
    return &p->slabs[slab_number(p, idx)];
}

void *pk__pool_obj(pk_pool *p, uint32_t idx)
{
    pk__pool_slab *s = pk__pool_slab_of(p, idx);
    return s->objs + (size_t)(idx - s->first) * p->stride;
}

pk__pool_meta *pk__pool_meta_of(pk_pool *p, uint32_t idx)
{
    pk__pool_slab *s = pk__pool_slab_of(p, idx);
    return &s->meta[idx - s->first];
}

bool pk__pool_index(pk_pool *p, const void *obj, uint32_t *idx)
{
    uint32_t ns = atomic_load_explicit(&p->nslabs, memory_order_acquire);
    uintptr_t a = (uintptr_t)obj;
    for (uint32_t k = 0; k < ns; k++) {
        const pk__pool_slab *s = &p->slabs[k];
        uintptr_t lo = (uintptr_t)s->objs;
        if (a < lo || a - lo >= (uintptr_t)s->count * p->stride)
            continue;
        if ((a - lo) % p->stride)
            return false;
        *idx = s->first + (uint32_t)((a - lo) / p->stride);
        return true;
    }
    return false;
}

/* Allocate slabs until `need` objects fit (under mu). */
pk_err pk__pool_grow(pk_pool *p, uint32_t need)
{
    while (p->capacity < need) {
        uint32_t k = atomic_load_explicit(&p->nslabs, memory_order_relaxed);
        if (k >= PK__POOL_MAX_SLABS || p->capacity >= p->max_objects)
            return PK_ERANGE;
        uint64_t n = (uint64_t)1 << (p->base_shift + k);
        if (n > (uint64_t)p->max_objects - p->capacity)
            n = (uint64_t)p->max_objects - p->capacity;
        size_t meta = (size_t)n * sizeof(pk__pool_meta);
        size_t state = p->o.debug ? (size_t)n : 0;
        if (n > SIZE_MAX / p->stride - 1)
            return PK_ENOMEM;
        size_t bytes = meta + state + p->o.align + (size_t)n * p->stride;
        char *raw = pk_malloc(bytes);
        if (!raw)
            return PK_ENOMEM;
        pk__pool_slab *s = &p->slabs[k];
        s->raw = raw;
        s->meta = (pk__pool_meta *)(void *)raw;
        s->state = state ? (_Atomic uint8_t *)(void *)(raw + meta) : NULL;
        char *objs = raw + meta + state;
        s->objs = objs + (size_t)(-(uintptr_t)objs & (uintptr_t)(p->o.align - 1));
        s->first = p->capacity;
        s->count = (uint32_t)n;
        for (uint64_t i = 0; i < n; i++) {
            s->meta[i].link = PK__POOL_NONE;
            atomic_init(&s->meta[i].below, PK__POOL_NONE);
            if (state)
                atomic_init(&s->state[i], PK__POOL_NEW);
        }
        if (p->o.prefault)
            memset(s->objs, p->o.debug ? PK_POOL_POISON_FREE : 0, (size_t)n * p->stride);
        p->capacity += (uint32_t)n;
        p->slab_bytes += bytes;
        atomic_store_explicit(&p->nslabs, k + 1, memory_order_release);
        if (p->m) {
            pk_metrics_counter_inc(p->m->slabs);
            pk_metrics_gauge_set(p->m->capacity, (double)p->capacity);
        }
    }
    return PK_OK;
}

void pk__pool_slabs_free(pk_pool *p)
{
    uint32_t ns = atomic_load_explicit(&p->nslabs, memory_order_relaxed);
    for (uint32_t k = 0; k < ns; k++)
        pk_free(p->slabs[k].raw);
    atomic_store_explicit(&p->nslabs, 0, memory_order_relaxed);
}

/* Push the batch whose objects are linked from head (count of them). */
void pk__pool_push(pk_pool *p, uint32_t head, uint32_t count)
{
    pk__pool_meta *m = pk__pool_meta_of(p, head);
    uint64_t old = atomic_load_explicit(&p->top, memory_order_relaxed), nw;
    do {
        atomic_store_explicit(&m->below, (uint32_t)old, memory_order_relaxed);
        nw = ((old >> 32) + 1) << 32 | (uint64_t)(head + 1);
    } while (!atomic_compare_exchange_weak_explicit(&p->top, &old, nw, memory_order_release,
                                                    memory_order_relaxed));
    atomic_fetch_add_explicit(&p->depot_n, count, memory_order_relaxed);
}

/* Pop one batch: returns its head index + 1 (PK__POOL_NONE when the depot is
 * empty) and its length in *count. */
uint32_t pk__pool_pop(pk_pool *p, uint32_t *count)
{
    uint64_t old = atomic_load_explicit(&p->top, memory_order_acquire), nw;
    uint32_t head;
    do {
        head = (uint32_t)old;
        if (head == PK__POOL_NONE) {
            *count = 0;
            return PK__POOL_NONE;
        }
        uint32_t below =
            atomic_load_explicit(&pk__pool_meta_of(p, head - 1)->below, memory_order_relaxed);
        nw = ((old >> 32) + 1) << 32 | below;
    } while (!atomic_compare_exchange_weak_explicit(&p->top, &old, nw, memory_order_acquire,
                                                    memory_order_acquire));
    uint32_t n = 0;
    for (uint32_t i = head; i != PK__POOL_NONE; i = pk__pool_meta_of(p, i - 1)->link)
        n++;
    atomic_fetch_sub_explicit(&p->depot_n, n, memory_order_relaxed);
    *count = n;
    return head;
}

/* Carve up to want (>= 1) never-used objects, contiguous in one slab, growing
 * the pool when the slabs are used up. Returns the first index + 1 and the
 * number in *count (PK__POOL_NONE, 0 at max_objects or out of memory). */
uint32_t pk__pool_carve(pk_pool *p, uint32_t want, uint32_t *count)
{
    pthread_mutex_lock(&p->mu);
    *count = 0;
    uint32_t first = PK__POOL_NONE;
    if (p->carved == p->capacity && p->carved < p->max_objects)
        (void)pk__pool_grow(p, p->carved + 1);
    if (p->carved < p->capacity) {
        const pk__pool_slab *s = pk__pool_slab_of(p, p->carved);
        uint32_t left = s->first + s->count - p->carved;
        uint32_t n = want < left ? want : left;
        first = p->carved + 1;
        p->carved += n;
        *count = n;
    }
    pthread_mutex_unlock(&p->mu);
    return first;
}
