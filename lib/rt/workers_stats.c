/* rt/workers_stats.c — the worker pool's statistics and their export to
 * pk_metrics.
 *
 * Each worker counts in its own slot (single writer: relaxed load + store,
 * no locked instruction on the task path): tasks run, dropped, submitted
 * from inside, steals, parks, wakes, and its idle time, read from the clock
 * only when it goes idle and when it finds work again. Submits from outside
 * count in 16 cells picked per thread (one relaxed fetch_add). A snapshot
 * sums the slots and cells. Registered metrics are fed by deltas: a worker
 * pushes what it counted since its last push when it goes idle and every
 * PK__WK_FLUSH tasks; gauges (threads, idle, queue depth, utilisation) are
 * recomputed when a worker goes idle and on pk_workers_stats_get. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "perfkit/alloc.h"
#include "rt/workers_int.h"
#include "rt/rt_metrics.h"

static uint64_t ld(_Atomic uint64_t *a) { return atomic_load_explicit(a, memory_order_relaxed); }

static void delta(pk_metrics_counter *c, uint64_t now, uint64_t *last)
{
    if (now > *last) {
        pk_metrics_counter_add(c, (double)(now - *last));
        *last = now;
    }
}

static void fill(pk_workers *w, pk_workers_stats *out)
{
    memset(out, 0, sizeof *out);
    int64_t now = pk__clock_ns(PK__CLOCK_MONO);
    int64_t alive = 0, idle_ns = 0;
    for (unsigned i = 0; i < w->o.max_threads; i++) {
        pk__worker *me = &w->ws[i];
        out->run += ld(&me->run);
        out->cancelled += ld(&me->cancelled);
        out->submitted += ld(&me->sub);
        out->steals += ld(&me->steals);
        out->parks += ld(&me->parks);
        out->wakes += ld(&me->wakes);
        alive += atomic_load_explicit(&me->alive_ns, memory_order_relaxed);
        idle_ns += atomic_load_explicit(&me->idle_ns, memory_order_relaxed);
        int64_t st = atomic_load_explicit(&me->started_ns, memory_order_relaxed);
        if (st && now > st)
            alive += now - st;
        int64_t is = atomic_load_explicit(&me->idle_since, memory_order_relaxed);
        if (is > 1 && now > is)
            idle_ns += now - is;
    }
    for (size_t i = 0; i < PK__WK_CELLS; i++)
        out->submitted += ld(&w->cells[i].n);
    out->threads = atomic_load(&w->nthreads);
    int ni = atomic_load(&w->nidle), np = atomic_load(&w->nparked);
    out->idle = ni > 0 ? (unsigned)ni : 0;
    out->parked = np > 0 ? (unsigned)np : 0;
    if (out->parked > out->idle)
        out->parked = out->idle;
    out->min_threads = w->o.min_threads;
    out->max_threads = w->o.max_threads;
    uint64_t running = out->threads > out->idle ? out->threads - out->idle : 0;
    uint64_t gone = out->run + out->cancelled + running;
    out->queue_depth = out->submitted > gone ? out->submitted - gone : 0;
    out->started = atomic_load(&w->started);
    out->retired = atomic_load(&w->retired);
    out->utilisation = alive > 0 ? 1.0 - (double)idle_ns / (double)alive : 0.0;
    if (out->utilisation < 0)
        out->utilisation = 0;
}

static void set_gauges(pk_workers *w, const pk_workers_stats *s)
{
    pk_metrics_gauge_set(pk__wk_m(w)->threads, s->threads);
    pk_metrics_gauge_set(pk__wk_m(w)->idle, s->idle);
    pk_metrics_gauge_set(pk__wk_m(w)->depth, (double)s->queue_depth);
    pk_metrics_gauge_set(pk__wk_m(w)->util, s->utilisation);
}

/* Outside submits are pushed by whoever flushes (under m_mu). */
static void flush_external(pk_workers *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < PK__WK_CELLS; i++)
        n += ld(&w->cells[i].n);
    pthread_mutex_lock(&w->m_mu);
    delta(pk__wk_m(w)->submitted, n, &w->ext_fl.sub);
    pthread_mutex_unlock(&w->m_mu);
}

void pk__workers_metrics_flush(pk_workers *w, pk__worker *me, int gauges)
{
    pk__wk_metrics *m = pk__wk_m(w);
    delta(m->run, ld(&me->run), &me->fl.run);
    delta(m->submitted, ld(&me->sub), &me->fl.sub);
    delta(m->cancelled, ld(&me->cancelled), &me->fl.cancelled);
    delta(m->steals, ld(&me->steals), &me->fl.steals);
    delta(m->parks, ld(&me->parks), &me->fl.parks);
    delta(m->wakes, ld(&me->wakes), &me->fl.wakes);
    if (gauges) {
        flush_external(w);
        pk_workers_stats s;
        fill(w, &s);
        set_gauges(w, &s);
    }
}

pk_err pk_workers_stats_get(pk_workers *w, pk_workers_stats *out)
{
    if (!w || !out)
        return PK_EINVAL;
    fill(w, out);
    if (pk__wk_m(w)) {
        flush_external(w);
        set_gauges(w, out);
    }
    return PK_OK;
}


pk_err pk_workers_register_metrics(pk_workers *w, pk_metrics_registry *r, const char *name)
{
    if (!w || !r || !name || !*name || pk__wk_m(w))
        return PK_EINVAL;
    pk__wk_metrics *m = pk_calloc(1, sizeof *m);
    if (!m)
        return PK_ENOMEM;
    pk_err e;
    if ((e = pk__rt_ctr(r, name, "_tasks_total", "Tasks whose function ran.", &m->run)) ||
        (e = pk__rt_ctr(r, name, "_submitted_total", "Tasks submitted.", &m->submitted)) ||
        (e = pk__rt_ctr(r, name, "_cancelled_total",
                    "Tasks dropped because they were cancelled before they started.",
                    &m->cancelled)) ||
        (e = pk__rt_ctr(r, name, "_steals_total",
                    "Tasks taken from another worker's deque.", &m->steals)) ||
        (e = pk__rt_ctr(r, name, "_parks_total", "Times a worker slept on its futex.",
                    &m->parks)) ||
        (e = pk__rt_ctr(r, name, "_wakes_total", "Sleeps ended by a submit's wake.",
                    &m->wakes)) ||
        (e = pk__rt_gauge(r, name, "_threads", "Worker threads running.", &m->threads)) ||
        (e = pk__rt_gauge(r, name, "_idle_threads", "Workers spinning or parked without a task.",
                    &m->idle)) ||
        (e = pk__rt_gauge(r, name, "_queue_depth", "Tasks submitted and not yet started.",
                    &m->depth)) ||
        (e = pk__rt_gauge(r, name, "_utilisation",
                    "1 - idle time / worker thread time since the pool was created.",
                    &m->util))) {
        pk_free(m);
        return e;
    }
    atomic_store_explicit(&w->m, m, memory_order_release);
    pk_workers_stats s;
    fill(w, &s);
    pthread_mutex_lock(&w->m_mu);
    w->ext_fl.sub = 0;
    pthread_mutex_unlock(&w->m_mu);
    flush_external(w);
    set_gauges(w, &s);
    return PK_OK;
}
