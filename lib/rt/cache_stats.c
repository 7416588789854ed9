/* rt/cache_stats.c — the cache's statistics and their export to pk_metrics.
 *
 * Hits and misses are counted in 32 cache-line cells picked by a hash of
 * the address of a thread-local byte (inline in cache_int.h). The first thread to use a cell owns it and counts with a
 * relaxed load + store (no locked instruction: a hit stays a few ns and two
 * threads never bounce a line they both write); a thread whose cell is owned
 * by another counts in the cell's shared fields with fetch_add. Totals are
 * sums over the cells, exact once the counting threads are quiet. Evictions,
 * expirations, insertions, entries and bytes are per-shard fields under the
 * shard lock. Registered metrics (pk_cache_register_metrics) are counters
 * bumped on each event and gauges updated with deltas; the hit-ratio gauge is
 * recomputed from the cells every 4096 hits / 64 misses of a cell. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/cache_int.h"
#include "rt/rt_metrics.h"

/* Never written: its address tells the threads apart (cache_int.h). */
_Thread_local char pk__cache_anchor PK__CACHE_TLS;

static void refresh_ratio(pk_cache *c)
{
    uint64_t h, m;
    pk__cache_sum_cells(c, &h, &m);
    pk_metrics_gauge_set(c->m->ratio, h + m ? (double)h / (double)(h + m) : 0.0);
}

void pk__cache_refresh_ratio(pk_cache *c)
{
    if (c->m)
        refresh_ratio(c);
}

void pk__cache_sum_cells(const pk_cache *c, uint64_t *hits, uint64_t *misses)
{
    uint64_t h = 0, m = 0;
    for (size_t i = 0; i < PK__CACHE_NCELL; i++) {
        const pk__cache_cell *cell = &c->cells[i];
        h += atomic_load_explicit(&cell->hits, memory_order_relaxed) +
             atomic_load_explicit(&cell->shits, memory_order_relaxed);
        m += atomic_load_explicit(&cell->misses, memory_order_relaxed) +
             atomic_load_explicit(&cell->smisses, memory_order_relaxed);
    }
    *hits = h;
    *misses = m;
}

void pk__cache_gauge_shard_delta(pk_cache *c, int64_t entries, int64_t bytes)
{
    if (!c->m)
        return;
    pk_metrics_gauge_add(c->m->entries, (double)entries);
    pk_metrics_gauge_add(c->m->bytes, (double)bytes);
}

pk_err pk_cache_stats_get(pk_cache *c, pk_cache_stats *out)
{
    if (!c || !out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    size_t ns = (size_t)1 << c->shard_bits;
    for (size_t i = 0; i < ns; i++) {
        pk__cache_shard *s = &c->shards[i];
        pthread_mutex_lock(&s->mu);
        out->insertions += s->insertions;
        out->evictions += s->evictions;
        out->expirations += s->expirations;
        out->entries += s->entries;
        out->bytes += s->bytes;
        pthread_mutex_unlock(&s->mu);
    }
    pk__cache_sum_cells(c, &out->hits, &out->misses);
    out->hit_ratio =
        out->hits + out->misses ? (double)out->hits / (double)(out->hits + out->misses) : 0.0;
    out->shards = (unsigned)ns;
    if (c->m)
        pk_metrics_gauge_set(c->m->ratio, out->hit_ratio);
    return PK_OK;
}


pk_err pk_cache_register_metrics(pk_cache *c, pk_metrics_registry *r, const char *name)
{
    if (!c || !r || !name || !*name || c->m)
        return PK_EINVAL;
    pk__cache_metrics *m = pk_calloc(1, sizeof *m);
    if (!m)
        return PK_ENOMEM;
    pk_err e;
    if ((e = pk__rt_ctr(r, name, "_hits_total", "Cache lookups that found their key.",
                    &m->hits)) ||
        (e = pk__rt_ctr(r, name, "_misses_total", "Cache lookups that did not find their key.",
                    &m->misses)) ||
        (e = pk__rt_ctr(r, name, "_evictions_total", "Entries evicted to make room.",
                    &m->evictions)) ||
        (e = pk__rt_ctr(r, name, "_expirations_total",
                    "Entries removed because their TTL passed.",
                    &m->expirations)) ||
        (e = pk__rt_ctr(r, name, "_insertions_total", "Entries inserted or replaced.",
                    &m->insertions)) ||
        (e = pk__rt_gauge(r, name, "_entries", "Entries in the cache.", &m->entries)) ||
        (e = pk__rt_gauge(r, name, "_bytes", "Bytes charged (key + value + overhead).",
                    &m->bytes)) ||
        (e = pk__rt_gauge(r, name, "_max_bytes", "The byte limit (0: none).", &m->max_bytes)) ||
        (e = pk__rt_gauge(r, name, "_hit_ratio",
                    "hits / (hits + misses) since the cache was created.",
                    &m->ratio))) {
        pk_free(m);
        return e;
    }
    pk_cache_stats st;
    pk_cache_stats_get(c, &st);
    pk_metrics_counter_add(m->hits, (double)st.hits);
    pk_metrics_counter_add(m->misses, (double)st.misses);
    pk_metrics_counter_add(m->evictions, (double)st.evictions);
    pk_metrics_counter_add(m->expirations, (double)st.expirations);
    pk_metrics_counter_add(m->insertions, (double)st.insertions);
    pk_metrics_gauge_set(m->entries, (double)st.entries);
    pk_metrics_gauge_set(m->bytes, (double)st.bytes);
    pk_metrics_gauge_set(m->max_bytes, (double)c->o.max_bytes);
    pk_metrics_gauge_set(m->ratio, st.hit_ratio);
    c->m = m;
    return PK_OK;
}
