/* walk.c — turn the recorded per-thread event streams into one normalized
 * stream for the writers.
 *
 * Under the registry lock, each thread's chunks are read up to their published
 * counts (threads may keep recording meanwhile), ticks become ns since the
 * trace's origin, and spans are matched with a per-thread stack: an end
 * without a begin is skipped, spans still open are closed at the export time
 * (or the stop time, or for a thread that dropped events, the time of its
 * first drop). Threads are visited in registration order. */
#include "trace_int.h"

#include <unistd.h>
#include "core/buf.h"
#include "perfkit/alloc.h"

typedef struct walk {
    double npt;
    uint64_t origin;
    const char **stack;
    size_t depth, cap;
} walk;

static uint64_t to_ns(const walk *w, uint64_t t)
{
    if (t <= w->origin)
        return 0;
    return (uint64_t)((double)(t - w->origin) * w->npt + 0.5);
}

static pk_err push(walk *w, const char *name)
{
    if (PK__PUSH_ROOM(w->stack, w->depth, w->cap) != PK_OK)
        return PK_ENOMEM;
    w->stack[w->depth++] = name;
    return PK_OK;
}

static pk_err walk_thread(walk *w, const pk__trace_visitor *v, pk__trace_buf *b,
                          uint64_t end_ticks, pk__trace_totals *tot)
{
    pk_err e = PK_OK;
    uint64_t last = 0;
    w->depth = 0;
    if (v->thread && (e = v->thread(v->ud, b->tid, b->name)) != PK_OK)
        return e;
    for (pk__trace_chunk *c = b->head; c;
         c = atomic_load_explicit(&c->next, memory_order_acquire)) {
        uint32_t n = atomic_load_explicit(&c->n, memory_order_acquire);
        for (uint32_t i = 0; i < n; i++) {
            const pk__trace_ev *ev = &c->ev[i];
            uint64_t ns = to_ns(w, ev->ts);
            if (ev->ts > last)
                last = ev->ts;
            tot->events++;
            switch (ev->kind) {
            case PK__TRACE_BEGIN:
                if ((e = push(w, ev->name)) != PK_OK)
                    return e;
                if (v->begin)
                    e = v->begin(v->ud, ev->name, ns, (unsigned)(w->depth - 1));
                break;
            case PK__TRACE_END:
                if (w->depth == 0)
                    break;
                w->depth--;
                if (v->end)
                    e = v->end(v->ud, w->stack[w->depth], ns, (unsigned)w->depth, 0);
                break;
            case PK__TRACE_INSTANT:
                if (v->instant)
                    e = v->instant(v->ud, ev->name, ns);
                break;
            case PK__TRACE_COUNTER:
                if (v->counter)
                    e = v->counter(v->ud, ev->name, ns, ev->value);
                break;
            default:
                break;
            }
            if (e != PK_OK)
                return e;
        }
    }
    int full = atomic_load_explicit(&b->full, memory_order_acquire);
    uint64_t close = full ? atomic_load_explicit(&b->drop_ts, memory_order_relaxed) : end_ticks;
    if (close < last)
        close = last;
    while (w->depth > 0) {
        w->depth--;
        if (v->end && (e = v->end(v->ud, w->stack[w->depth], to_ns(w, close),
                                  (unsigned)w->depth, full ? 2 : 1)) != PK_OK)
            return e;
    }
    tot->dropped += atomic_load_explicit(&b->dropped, memory_order_relaxed);
    return PK_OK;
}

pk_err pk__trace_walk(const pk__trace_visitor *v, pk__trace_totals *tot)
{
    walk w = {0};
    uint64_t end_ticks;
    pk_err e = PK_OK;
    *tot = (pk__trace_totals){ .pid = (int)getpid() };
    pk__trace_settle();
    pk__trace_lock();
    pk__trace_calibrate(&w.npt, &w.origin, &end_ticks);
    tot->end_ns = to_ns(&w, end_ticks);
    tot->dropped = pk__trace_dropped_global();
    /* the list is newest first: visit it backwards, oldest thread first */
    size_t n = 0;
    for (pk__trace_buf *b = pk__trace_list(); b; b = b->next)
        n++;
    tot->threads = n;
    for (size_t k = n; k > 0 && e == PK_OK; k--) {
        pk__trace_buf *b = pk__trace_list();
        for (size_t i = 1; i < k; i++)
            b = b->next;
        e = walk_thread(&w, v, b, end_ticks, tot);
    }
    pk__trace_unlock();
    pk_free((void *)w.stack);
    return e;
}
