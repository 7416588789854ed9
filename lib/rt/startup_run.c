/* startup_run.c — pk_startup_run: Kahn's algorithm on `width` runner threads,
 * with a supervisor (the calling thread) for timeouts.
 *
 * Each step holds an atomic count of unfinished dependencies. A runner that
 * finishes a step successfully decrements its dependants' counts without a
 * lock; those that reach zero are pushed, under the graph's one mutex, into
 * a ready queue (a binary max-heap by the longest cost chain to a sink, ties
 * by registration order; entries carry their priority, so sifting never
 * touches the step records), and a waiting runner is woken. Every status change
 * happens under the mutex, so cancelling a step's dependants (a depth-first
 * walk over the dependants lists) never races with their start: a step is
 * started only if it is still pending when popped.
 *
 * The supervisor sleeps until the earliest deadline of a running step (or
 * the end of the run). At a deadline it marks the step timed out, cancels
 * its dependants, flags it (pk_startup_cancelled), records the runner as
 * stuck and starts a replacement runner. A stuck runner, when the function
 * finally returns, drops its reference to the graph and exits; the last
 * reference frees the graph (see startup.h). With a replaced clock the
 * supervisor polls every millisecond. */
#include "startup_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "perfkit/alloc.h"
#include "perfkit/trace.h"

typedef struct runner_arg {
    pk_startup *g;
    unsigned idx;
} runner_arg;

/* ---- the ready queue (under mu) -------------------------------------------------- */

static int before(pk__startup_ready a, pk__startup_ready b)
{
    return a.prio > b.prio || (a.prio == b.prio && a.id < b.id);
}

static void heap_push(pk_startup *g, uint32_t v)
{
    pk__startup_ready x = {g->steps[v].prio, v};
    uint32_t i = g->n_heap++;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!before(x, g->heap[p]))
            break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = x;
}

static uint32_t heap_pop(pk_startup *g)
{
    pk__startup_ready top = g->heap[0], v = g->heap[--g->n_heap];
    uint32_t i = 0, n = g->n_heap;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(g->heap[c + 1], g->heap[c]))
            c++;
        if (!before(g->heap[c], v))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (n)
        g->heap[i] = v;
    return top.id;
}

/* ---- state changes (under mu) ----------------------------------------------------- */

static int64_t timeout_of(const pk_startup *g, const pk__startup_step *s)
{
    return s->timeout_ns >= 0 ? s->timeout_ns : g->o.timeout_ns;
}

static void resolve_one(pk_startup *g)
{
    if (++g->resolved == g->n)
        pthread_cond_signal(&g->sup_cv);
}

static void cancel_step(pk_startup *g, pk__startup_step *s)
{
    s->status = PK_STARTUP_CANCELLED;
    s->err = PK_EINTR;
    resolve_one(g);
}

/* Cancel every pending step that depends on v, transitively. `stack` has
 * room for g->n ids. */
static void cancel_dependants(pk_startup *g, uint32_t v, uint32_t *stack)
{
    uint32_t sp = 0;
    stack[sp++] = v;
    while (sp) {
        const pk__startup_step *s = &g->steps[stack[--sp]];
        for (uint32_t j = 0; j < s->n_outs; j++) {
            pk__startup_step *w = &g->steps[s->outs[j]];
            if (w->status == PK_STARTUP_PENDING && !w->running) {
                cancel_step(g, w);
                stack[sp++] = s->outs[j];
            }
        }
    }
}

/* Step v failed or timed out (status, err and end_ns set). */
static void went_bad(pk_startup *g, uint32_t v, uint32_t *stack)
{
    pk__startup_step *s = &g->steps[v];
    resolve_one(g);
    if (g->first_bad == UINT32_MAX || s->end_ns < g->first_bad_ns) {
        g->first_bad = v;
        g->first_bad_ns = s->end_ns;
    }
    char note[300];
    (void)snprintf(note, sizeof note, "%s: %s", s->name, pk_startup_status_name(s->status));
    if (!s->note)
        s->note = pk_strdup(note);
    if (s->note)
        pk_trace_checkpoint(s->note);
    cancel_dependants(g, v, stack);
    if (g->o.cancel_all && !g->cancel_all_now) {
        g->cancel_all_now = 1;
        for (uint32_t i = 0; i < g->n; i++) {
            pk__startup_step *w = &g->steps[i];
            if (w->running)
                atomic_store_explicit(&w->ctx.cancelled, 1, memory_order_relaxed);
            else if (w->status == PK_STARTUP_PENDING)
                cancel_step(g, w);
        }
    }
}

/* ---- runners ------------------------------------------------------------------------ */

static pk_err start_runner(pk_startup *g);

static void *runner_main(void *p)
{
    runner_arg a = *(runner_arg *)p;
    pk_free(p);
    pk_startup *g = a.g;
    char tname[32];
    (void)snprintf(tname, sizeof tname, "startup-%u", a.idx);
    pk_trace_set_thread_name(tname);
    uint32_t *stack = pk_calloc(g->n ? g->n : 1, sizeof *stack);
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->stop && g->n_heap == 0)
            pthread_cond_wait(&g->ready_cv, &g->mu);
        if (g->stop)
            break;
        uint32_t v = heap_pop(g);
        pk__startup_step *s = &g->steps[v];
        if (s->status != PK_STARTUP_PENDING)
            continue;   /* cancelled while queued */
        if (!stack) {   /* no scratch memory: fail the step, not the process */
            stack = pk_calloc(g->n, sizeof *stack);
            if (!stack) {
                s->status = PK_STARTUP_FAILED;
                s->err = PK_ENOMEM;
                s->start_ns = s->end_ns = pk__startup_now(g);
                resolve_one(g);
                continue;
            }
        }
        s->running = 1;
        s->runner = a.idx;
        g->cur[a.idx] = v;
        int64_t to = timeout_of(g, s);
        s->start_ns = pk__startup_now(g);
        if (to > 0)
            pthread_cond_signal(&g->sup_cv);   /* a new deadline */
        pthread_mutex_unlock(&g->mu);

        pk_span_begin(s->name);
        pk_err err = s->fn(s->arg, &s->ctx);
        pk_span_end();
        int64_t end = pk__startup_now(g);
        int late = to > 0 && end - s->start_ns > to;
        uint32_t nready = 0;
        if (err == PK_OK && !late)   /* Kahn: release the dependants, lock-free */
            for (uint32_t j = 0; j < s->n_outs; j++)
                if (atomic_fetch_sub_explicit(&g->steps[s->outs[j]].indeg, 1,
                                              memory_order_acq_rel) == 1)
                    stack[nready++] = s->outs[j];

        pthread_mutex_lock(&g->mu);
        s->running = 0;
        g->cur[a.idx] = UINT32_MAX;
        if (g->stuck[a.idx]) {   /* timed out by the supervisor: leave */
            pk_free(stack);
            atomic_fetch_sub(&g->stragglers, 1);
            unsigned left = --g->refs;
            pthread_mutex_unlock(&g->mu);
            if (left == 0)
                pk__startup_destroy(g);
            return NULL;
        }
        s->end_ns = end;
        if (err == PK_OK && !late) {
            s->status = PK_STARTUP_OK;
            s->err = PK_OK;
            resolve_one(g);
            uint32_t pushed = 0;
            for (uint32_t k = 0; k < nready; k++)
                if (g->steps[stack[k]].status == PK_STARTUP_PENDING) {
                    heap_push(g, stack[k]);
                    pushed++;
                }
            if (pushed > 1)
                pthread_cond_broadcast(&g->ready_cv);
            else if (pushed == 1 && g->n_heap > 1)
                pthread_cond_signal(&g->ready_cv);   /* this runner takes one itself */
        } else {
            s->status = late ? PK_STARTUP_TIMEDOUT : PK_STARTUP_FAILED;
            s->err = late ? PK_ETIMEDOUT : err;
            if (late)
                s->end_ns = s->start_ns + to;
            went_bad(g, v, stack);
        }
    }
    pthread_mutex_unlock(&g->mu);
    pk_free(stack);
    return NULL;
}

/* Start one more runner (under mu). */
static pk_err start_runner(pk_startup *g)
{
    if (g->n_runners >= g->cap_threads)
        return PK_ERANGE;
    runner_arg *a = pk_malloc(sizeof *a);
    if (!a)
        return PK_ENOMEM;
    a->g = g;
    a->idx = g->n_runners;
    if (pthread_create(&g->threads[g->n_runners], NULL, runner_main, a) != 0) {
        pk_free(a);
        return PK_EIO;
    }
    g->n_runners++;
    return PK_OK;
}

/* ---- the supervisor ------------------------------------------------------------------ */

static void time_out(pk_startup *g, uint32_t v, int64_t deadline, uint32_t *stack)
{
    pk__startup_step *s = &g->steps[v];
    s->status = PK_STARTUP_TIMEDOUT;
    s->err = PK_ETIMEDOUT;
    s->end_ns = deadline;
    atomic_store_explicit(&s->ctx.cancelled, 1, memory_order_relaxed);
    g->stuck[s->runner] = 1;
    g->refs++;
    atomic_fetch_add(&g->stragglers, 1);
    went_bad(g, v, stack);
    if (g->resolved < g->n && start_runner(g) != PK_OK) {
        unsigned live = 0;   /* keep the width; fewer runners if this fails */
        for (unsigned r = 0; r < g->n_runners; r++)
            live += !g->stuck[r];
        if (live == 0)   /* nobody left to run the rest: cancel it */
            for (uint32_t i = 0; i < g->n; i++)
                if (g->steps[i].status == PK_STARTUP_PENDING && !g->steps[i].running)
                    cancel_step(g, &g->steps[i]);
    }
}

static void supervise(pk_startup *g, uint32_t *stack)
{
    while (g->resolved < g->n) {
        int64_t dl = INT64_MAX;
        uint32_t who = UINT32_MAX;
        for (uint32_t r = 0; r < g->n_runners; r++) {   /* running steps' deadlines */
            uint32_t i = g->cur[r];
            if (i == UINT32_MAX || g->stuck[r])
                continue;
            const pk__startup_step *s = &g->steps[i];
            int64_t to = timeout_of(g, s);
            /* saturating: a timeout near INT64_MAX means "never" */
            int64_t at = s->start_ns > INT64_MAX - to ? INT64_MAX : s->start_ns + to;
            if (s->status == PK_STARTUP_PENDING && to > 0 && at < dl) {
                dl = at;
                who = i;
            }
        }
        if (who == UINT32_MAX) {
            pthread_cond_wait(&g->sup_cv, &g->mu);
            continue;
        }
        int64_t now = pk__startup_now(g);
        if (now >= dl) {
            time_out(g, who, dl, stack);
            continue;
        }
        int64_t wait = dl - now;
        if (g->o.clock_ns && wait > 1000000)
            wait = 1000000;   /* a replaced clock: poll */
        if (wait > 3600 * PK_STARTUP_SECOND)
            wait = 3600 * PK_STARTUP_SECOND;   /* keeps the timespec sum in range */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + wait;
        ts.tv_sec = t / 1000000000;
        ts.tv_nsec = t % 1000000000;
        (void)pthread_cond_timedwait(&g->sup_cv, &g->mu, &ts);
    }
}

static pk_err init_sync(pk_startup *g)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return PK_ENOMEM;
    (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int ok = pthread_mutex_init(&g->mu, NULL) == 0;
    int c1 = ok && pthread_cond_init(&g->ready_cv, NULL) == 0;
    int c2 = c1 && pthread_cond_init(&g->sup_cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!c2) {
        if (c1)
            pthread_cond_destroy(&g->ready_cv);
        if (ok)
            pthread_mutex_destroy(&g->mu);
        return PK_ENOMEM;
    }
    g->sync_ok = 1;
    return PK_OK;
}

pk_err pk_startup_run(pk_startup *g)
{
    if (!g)
        return PK_EINVAL;
    if (g->ran) {
        pk__startup_seterr(g, "the graph already ran: a graph runs once");
        return PK_EINVAL;
    }
    g->ran = 1;
    g->err[0] = '\0';
    pk_err e = pk__startup_check(g);
    if (e != PK_OK)
        return e;
    if (init_sync(g) != PK_OK)
        return PK_ENOMEM;
    uint32_t n = g->n;
    g->cap_threads = g->o.width + n;
    g->heap = pk_calloc(n ? n : 1, sizeof *g->heap);
    g->threads = pk_calloc(g->cap_threads, sizeof *g->threads);
    g->stuck = pk_calloc(g->cap_threads, sizeof *g->stuck);
    g->cur = pk_calloc(g->cap_threads, sizeof *g->cur);
    uint32_t *stack = pk_calloc(n ? n : 1, sizeof *stack);
    if (!g->heap || !g->threads || !g->stuck || !g->cur || !stack) {
        pk_free(stack);
        return PK_ENOMEM;
    }
    if (n == 0) {
        pk_free(stack);
        return PK_OK;
    }
    for (unsigned r = 0; r < g->cap_threads; r++)
        g->cur[r] = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        pk__startup_step *s = &g->steps[i];
        atomic_init(&s->indeg, s->n_deps);
        s->ctx.g = g;
        s->ctx.step = i;
        atomic_init(&s->ctx.cancelled, 0);
    }
    pthread_mutex_lock(&g->mu);
    g->t0 = pk__startup_now(g);
    for (uint32_t i = 0; i < n; i++)
        if (g->steps[i].n_deps == 0)
            heap_push(g, i);
    for (unsigned i = 0; i < g->o.width; i++) {
        e = start_runner(g);
        if (e != PK_OK)
            break;
    }
    if (g->n_runners == 0) {
        pthread_mutex_unlock(&g->mu);
        pk_free(stack);
        pk__startup_seterr(g, "cannot start a runner thread");
        return e;
    }
    supervise(g, stack);
    g->stop = 1;
    pthread_cond_broadcast(&g->ready_cv);
    unsigned nr = g->n_runners;
    pthread_mutex_unlock(&g->mu);
    for (unsigned i = 0; i < nr; i++) {
        pthread_mutex_lock(&g->mu);
        int stuck = g->stuck[i];
        pthread_mutex_unlock(&g->mu);
        if (stuck)
            pthread_detach(g->threads[i]);
        else
            pthread_join(g->threads[i], NULL);
    }
    pk_free(stack);
    pk__startup_critical(g);
    if (g->first_bad == UINT32_MAX)
        return PK_OK;
    const pk__startup_step *b = &g->steps[g->first_bad];
    if (b->status == PK_STARTUP_TIMEDOUT) {
        pk__startup_seterr(g, "step `%s` timed out after %.3f s", b->name,
                           (double)timeout_of(g, b) / 1e9);
        return PK_ETIMEDOUT;
    }
    pk__startup_seterr(g, "step `%s` failed: %s", b->name, b->msg ? b->msg : pk_strerror(b->err));
    return PK_EFAIL;
}
