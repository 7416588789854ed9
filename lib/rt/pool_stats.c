/* rt/pool_stats.c — the object pool's statistics, faults and metrics.
 *
 * The inline paths count nothing. What leaves or enters the depot and slabs
 * is counted at each exchange (`out`, with its high-water mark kept by a
 * compare-and-swap maximum); a snapshot adds up the thread caches' lengths
 * (relaxed reads) under the pool mutex to split `out` into in_use and
 * cached. Registered metrics are bumped at the same exchanges. */
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/pool_int.h"
#include "rt/rt_metrics.h"

void pk__pool_fault(pk_pool *p, pk_pool_fault kind, void *obj)
{
    atomic_fetch_add_explicit(&p->faults[kind], 1, memory_order_relaxed);
    if (p->m)
        pk_metrics_counter_inc(p->m->faults);
    if (p->o.on_fault)
        p->o.on_fault(p->o.fault_ud, p, kind, obj);
}

void pk__pool_note_out(pk_pool *p, uint64_t n)
{
    uint64_t now = atomic_fetch_add_explicit(&p->out, n, memory_order_relaxed) + n;
    uint64_t pk = atomic_load_explicit(&p->peak, memory_order_relaxed);
    while (now > pk && !atomic_compare_exchange_weak_explicit(&p->peak, &pk, now,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed))
        ;
    if (p->m) {
        pk_metrics_gauge_add(p->m->out, (double)n);
        if (now > pk)
            pk_metrics_gauge_set(p->m->peak, (double)now);
    }
}

void pk__pool_note_back(pk_pool *p, uint64_t n)
{
    atomic_fetch_sub_explicit(&p->out, n, memory_order_relaxed);
    if (p->m)
        pk_metrics_gauge_add(p->m->out, -(double)n);
}

pk_err pk_pool_stats_get(pk_pool *p, pk_pool_stats *out)
{
    if (!p || !out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&p->mu);
    uint64_t cached = 0;
    for (const pk__pool_tcrec *r = p->recs; r; r = r->next)
        cached += __atomic_load_n(&r->tc->n, __ATOMIC_RELAXED);
    out->threads = p->nrecs;
    out->capacity = p->capacity;
    out->slabs = atomic_load_explicit(&p->nslabs, memory_order_relaxed);
    out->slab_bytes = p->slab_bytes;
    uint64_t o = atomic_load_explicit(&p->out, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
    out->cached = cached;
    out->in_use = o > cached ? o - cached : 0;
    out->free = out->capacity > o ? out->capacity - o : 0;
    out->peak = atomic_load_explicit(&p->peak, memory_order_relaxed);
    out->refills = atomic_load_explicit(&p->refills, memory_order_relaxed);
    out->flushes = atomic_load_explicit(&p->flushes, memory_order_relaxed);
    out->exhausted = atomic_load_explicit(&p->exhausted, memory_order_relaxed);
    out->double_frees = atomic_load_explicit(&p->faults[PK_POOL_DOUBLE_FREE], memory_order_relaxed);
    out->foreign = atomic_load_explicit(&p->faults[PK_POOL_FOREIGN], memory_order_relaxed);
    out->modified = atomic_load_explicit(&p->faults[PK_POOL_MODIFIED], memory_order_relaxed);
    return PK_OK;
}


pk_err pk_pool_register_metrics(pk_pool *p, pk_metrics_registry *r, const char *name)
{
    if (!p || !r || !name || !*name || p->m)
        return PK_EINVAL;
    pk__pool_metrics *m = pk_calloc(1, sizeof *m);
    if (!m)
        return PK_ENOMEM;
    pk_err e;
    if ((e = pk__rt_gauge(r, name, "_out", "Objects out of the pool: in use or in thread caches.",
                    &m->out)) ||
        (e = pk__rt_gauge(r, name, "_peak", "High-water mark of the objects out of the pool.",
                    &m->peak)) ||
        (e = pk__rt_gauge(r, name, "_capacity", "Objects the pool's slabs hold.", &m->capacity)) ||
        (e = pk__rt_ctr(r, name, "_slabs_total",
                    "Slabs allocated: the pool's misses to the system allocator.", &m->slabs)) ||
        (e = pk__rt_ctr(r, name, "_refills_total",
                    "Batches moved from the shared depot or new slabs to a thread cache.",
                    &m->refills)) ||
        (e = pk__rt_ctr(r, name, "_flushes_total",
                    "Batches moved from a thread cache to the shared depot.", &m->flushes)) ||
        (e = pk__rt_ctr(r, name, "_exhausted_total", "Gets that found no object.",
                    &m->exhausted)) ||
        (e = pk__rt_ctr(r, name, "_faults_total",
                    "Double frees, foreign pointers and writes after free detected.",
                    &m->faults))) {
        pk_free(m);
        return e;
    }
    pk_pool_stats st;
    pk_pool_stats_get(p, &st);
    pk_metrics_gauge_set(m->out, (double)(st.in_use + st.cached));
    pk_metrics_gauge_set(m->peak, (double)st.peak);
    pk_metrics_gauge_set(m->capacity, (double)st.capacity);
    pk_metrics_counter_add(m->slabs, (double)st.slabs);
    pk_metrics_counter_add(m->refills, (double)st.refills);
    pk_metrics_counter_add(m->flushes, (double)st.flushes);
    pk_metrics_counter_add(m->exhausted, (double)st.exhausted);
    pk_metrics_counter_add(m->faults, (double)(st.double_frees + st.foreign + st.modified));
    p->m = m;
    return PK_OK;
}
