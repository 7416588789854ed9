/* rt/workers.c — the worker pool: creation, submission, the worker loop,
 * futures, groups and cancellation.
 *
 * Design (contract in workers.h, structures in workers_int.h): per-worker
 * Chase-Lev deques, a Treiber-style injection stack that workers empty in
 * one exchange (no ABA: nobody pops single nodes), and an event count for
 * parking: a worker about to park increments nparked, reads the epoch,
 * looks for work once more and sleeps on the epoch only if it still equals
 * what it read; a submit pushes (seq_cst) and then, only when nparked > 0,
 * bumps the epoch and wakes one sleeper. Either the submitter sees the
 * parker, or the parker's last look sees the task. Task nodes carry their
 * state in one word (queued, running, done, cancelled, dropped, plus a
 * waiter bit): the one compare-and-swap from queued decides between a
 * worker starting the task and pk_workers_cancel, and the worker's final
 * exchange is its last touch of the node (a futex wake on the address is
 * harmless after the waiter freed it). Group counts are added by submitters
 * and subtracted by workers in batches (when a worker changes group, goes
 * idle, waits, or every 64 tasks). Statistics and metrics: workers_stats.c;
 * the file reader: workers_readfiles.c. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/clock.h"
#include "perfkit/alloc.h"
#include "rt/workers_int.h"

static _Thread_local pk__worker *self;

pk__worker *pk__workers_self(void) { return self; }

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- futex ----------------------------------------------------------------------- */

int pk__workers_futex_wait(_Atomic uint32_t *addr, uint32_t val, int timeout_ms)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tp = &ts;
    }
    if (syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0) == 0)
        return 0;
    return errno;
}

void pk__workers_futex_wake(_Atomic uint32_t *addr, int n)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* ---- options and lifecycle -------------------------------------------------------- */

/* The CPUs this process may run on, at most 256 (the pool's limit: on a
 * larger machine the defaults must still make a pool). */
static unsigned cpu_count(void)
{
    cpu_set_t set;
    long n;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = CPU_COUNT(&set);
    else
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

void pk_workers_opts_init(pk_workers_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->spin_us = 50;
    o->idle_ms = 2000;
    o->deque_capacity = 4096;
}

static void *worker_main(void *arg);
static int wake_one(pk_workers *w);

static void add_u64(_Atomic uint64_t *a, uint64_t v)
{
    atomic_store_explicit(a, atomic_load_explicit(a, memory_order_relaxed) + v,
                          memory_order_relaxed);
}

/* Start a worker in slot i (caller holds grow_mu or is pk_workers_new). */
static pk_err start_worker(pk_workers *w, unsigned i)
{
    pk__worker *me = &w->ws[i];
    if (atomic_load_explicit(&me->slot, memory_order_acquire) == PK__SLOT_EXITED) {
        pthread_join(me->th, NULL);
        atomic_store_explicit(&me->slot, PK__SLOT_FREE, memory_order_relaxed);
    }
    atomic_store_explicit(&me->started_ns, pk__clock_ns(PK__CLOCK_MONO), memory_order_relaxed);
    atomic_store_explicit(&me->slot, PK__SLOT_RUNNING, memory_order_release);
    if (pthread_create(&me->th, NULL, worker_main, me) != 0) {
        atomic_store_explicit(&me->started_ns, 0, memory_order_relaxed);
        atomic_store_explicit(&me->slot, PK__SLOT_FREE, memory_order_relaxed);
        return PK_EIO;
    }
    unsigned hi = atomic_load_explicit(&w->hi, memory_order_relaxed);
    if (i + 1 > hi)
        atomic_store_explicit(&w->hi, i + 1, memory_order_release);
    atomic_fetch_add_explicit(&w->started, 1, memory_order_relaxed);
    return PK_OK;
}

static void stop_all(pk_workers *w)
{
    pthread_mutex_lock(&w->grow_mu);
    atomic_store(&w->stop, 1);
    pthread_mutex_unlock(&w->grow_mu);
    atomic_fetch_add(&w->epoch, 1);
    pk__workers_futex_wake(&w->epoch, INT_MAX);
    for (unsigned i = 0; i < w->o.max_threads; i++)
        if (atomic_load(&w->ws[i].slot) != PK__SLOT_FREE)
            pthread_join(w->ws[i].th, NULL);
}

static void destroy(pk_workers *w)
{
    for (unsigned i = 0; w->ws && i < w->o.max_threads; i++)
        pk_free(w->ws[i].dq.buf);
    pk_free(w->ws);
    pk_free(pk__wk_m(w));
    pthread_mutex_destroy(&w->grow_mu);
    pthread_mutex_destroy(&w->m_mu);
    pk_free(w);
}

pk_err pk_workers_new(const pk_workers_opts *opts, pk_workers **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    if (opts)
        o = *opts;
    if (!o.min_threads)
        o.min_threads = cpu_count();
    if (!o.max_threads)
        o.max_threads = o.min_threads;
    if (o.max_threads < o.min_threads || o.max_threads > 256 || !o.idle_ms ||
        o.deque_capacity < 16 || (o.deque_capacity & (o.deque_capacity - 1)))
        return PK_EINVAL;
    pk_workers *w = pk_calloc(1, sizeof *w);
    if (!w)
        return PK_ENOMEM;
    w->o = o;
    w->spin_ns = (int64_t)o.spin_us * 1000;
    pthread_mutex_init(&w->grow_mu, NULL);
    pthread_mutex_init(&w->m_mu, NULL);
    w->ws = pk_calloc(o.max_threads, sizeof *w->ws);
    if (!w->ws) {
        destroy(w);
        return PK_ENOMEM;
    }
    for (unsigned i = 0; i < o.max_threads; i++) {
        pk__worker *me = &w->ws[i];
        me->pool = w;
        me->idx = i;
        me->rng = 0x9e3779b97f4a7c15ull * (i + 1);
        me->dq.mask = (int64_t)o.deque_capacity - 1;
        me->dq.buf = pk_calloc(o.deque_capacity, sizeof *me->dq.buf);
        if (!me->dq.buf) {
            destroy(w);
            return PK_ENOMEM;
        }
    }
    for (unsigned i = 0; i < o.min_threads; i++) {
        if (start_worker(w, i) != PK_OK) {
            stop_all(w);
            destroy(w);
            return PK_EIO;
        }
    }
    atomic_store(&w->nthreads, o.min_threads);
    *out = w;
    return PK_OK;
}

void pk_workers_free(pk_workers *w)
{
    if (!w)
        return;
    stop_all(w);
    destroy(w);
}

/* A dynamic pool starts one more worker (when none is idle). */
static void grow(pk_workers *w)
{
    pthread_mutex_lock(&w->grow_mu);   /* not trylock: a skipped grow may never be retried */
    unsigned n = atomic_load(&w->nthreads);
    if (!atomic_load(&w->stop) && n < w->o.max_threads && atomic_load(&w->nidle) == 0) {
        for (unsigned i = 0; i < w->o.max_threads; i++) {
            if (atomic_load_explicit(&w->ws[i].slot, memory_order_acquire) != PK__SLOT_RUNNING) {
                atomic_fetch_add(&w->nthreads, 1);
                if (start_worker(w, i) != PK_OK)
                    atomic_fetch_sub(&w->nthreads, 1);
                break;
            }
        }
    }
    pthread_mutex_unlock(&w->grow_mu);
}

/* ---- tasks and groups ---------------------------------------------------------------- */

void pk_task_init(pk_task *t, pk_task_fn fn)
{
    if (!t)
        return;
    t->fn = fn;
    t->next = NULL;
    t->group = NULL;
    t->pad_ = 0;
    atomic_store_explicit(PK__A32(&t->state), PK__TS_IDLE, memory_order_relaxed);
}

void pk_workers_group_init(pk_workers_group *g)
{
    if (!g)
        return;
    atomic_store(PK__A32(&g->word), 0);
    atomic_store(PK__A32(&g->cancelled), 0);
    atomic_store(PK__A32(&g->dropped), 0);
}

static void group_sub(pk_workers_group *g, uint32_t n)
{
    uint32_t old = atomic_fetch_sub_explicit(PK__A32(&g->word), 2 * n, memory_order_acq_rel);
    if ((old >> 1) == n && (old & 1))
        pk__workers_futex_wake(PK__A32(&g->word), INT_MAX);
}

/* Hand a finished task's group count back (batched per worker). */
static void group_done(pk__worker *me, pk_workers_group *g)
{
    if (!g)
        return;
    if (!me) {
        group_sub(g, 1);
        return;
    }
    if (me->dg != g) {
        if (me->dg)
            group_sub(me->dg, me->dn);
        me->dg = g;
        me->dn = 0;
    }
    if (++me->dn == 64) {
        group_sub(g, me->dn);
        me->dg = NULL;
        me->dn = 0;
    }
}

void pk__workers_flush(pk__worker *me)
{
    if (me->dg) {
        group_sub(me->dg, me->dn);
        me->dg = NULL;
        me->dn = 0;
    }
}

static void run_task(pk__worker *me, pk_task *t)
{
    pk_workers_group *g = t->group;
    uint32_t v = atomic_load_explicit(PK__A32(&t->state), memory_order_relaxed);
    int run = 0;
    while ((v & PK__TS_MASK) == PK__TS_QUEUED) {
        if (atomic_compare_exchange_weak_explicit(PK__A32(&t->state), &v,
                                                  (v & ~(uint32_t)PK__TS_MASK) | PK__TS_RUNNING,
                                                  memory_order_acquire, memory_order_relaxed)) {
            run = 1;
            break;
        }
    }
    if (run && g && atomic_load_explicit(PK__A32(&g->cancelled), memory_order_relaxed))
        run = 0;
    if (me->dg && me->dg != g)
        pk__workers_flush(me);   /* no other group waits on this task's run */
    if (run)
        t->fn(t);
    else if (g)
        atomic_fetch_add_explicit(PK__A32(&g->dropped), 1, memory_order_relaxed);
    add_u64(run ? &me->run : &me->cancelled, 1);
    uint32_t old = atomic_exchange_explicit(PK__A32(&t->state), run ? PK__TS_DONE : PK__TS_DROPPED,
                                            memory_order_acq_rel);
    /* t may be freed from here on */
    if (old & PK__TS_WAITER)
        pk__workers_futex_wake(PK__A32(&t->state), INT_MAX);
    group_done(me, g);
    if (++me->since_flush >= PK__WK_FLUSH && pk__wk_m(me->pool)) {
        me->since_flush = 0;
        pk__workers_metrics_flush(me->pool, me, 0);
    }
}

/* Take the whole injection stack: move all but the oldest into my deque
 * (slots written relaxed, bottom published once), return the oldest; what
 * does not fit goes back on the stack in one push. */
static pk_task *grab_injected(pk_workers *w, pk__worker *me)
{
    if (!atomic_load_explicit(&w->inject, memory_order_relaxed))
        return NULL;
    pk_task *h = atomic_exchange_explicit(&w->inject, NULL, memory_order_acquire);
    if (!h)
        return NULL;
    pk__wk_deque *q = &me->dq;
    int64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed);
    int64_t tp = atomic_load_explicit(&q->top, memory_order_acquire);
    int64_t room = q->mask + 1 - (b - tp), k = 0;
    while (h->next && k < room) {
        atomic_store_explicit(&q->buf[(b + k) & q->mask], h, memory_order_relaxed);
        k++;
        h = h->next;
    }
    if (k)
        atomic_store_explicit(&q->bottom, b + k, memory_order_seq_cst);
    if (!h->next)
        return h;
    /* deque full: give back h..(oldest's predecessor), keep the oldest */
    pk_task *last = h;
    while (last->next->next)
        last = last->next;
    pk_task *oldest = last->next;
    last->next = NULL;
    pk_task *head = atomic_load_explicit(&w->inject, memory_order_relaxed);
    do
        last->next = head;
    while (!atomic_compare_exchange_weak_explicit(&w->inject, &head, h, memory_order_release,
                                                  memory_order_relaxed));
    return oldest;
}

static pk_task *steal_any(pk_workers *w, pk__worker *me)
{
    unsigned hi = atomic_load_explicit(&w->hi, memory_order_acquire);
    if (hi < 2 && me)
        return NULL;
    uint64_t x = me ? (me->rng = me->rng * 6364136223846793005ull + 1442695040888963407ull) : 0;
    unsigned start = (unsigned)(x >> 33) % (hi ? hi : 1);
    for (unsigned k = 0; k < hi; k++) {
        pk__worker *v = &w->ws[(start + k) % hi];
        if (v == me)
            continue;
        for (int tries = 0; tries < 4; tries++) {
            int lost = 0;
            pk_task *t = pk__dq_steal(&v->dq, &lost);
            if (t) {
                if (me) {
                    add_u64(&me->steals, 1);
                    me->more = pk__dq_size(&v->dq) > 0;
                }
                return t;
            }
            if (!lost)
                break;
        }
    }
    return NULL;
}

static pk_task *find_work(pk_workers *w, pk__worker *me)
{
    me->more = 0;
    pk_task *t = pk__dq_take(&me->dq);
    if (!t)
        t = grab_injected(w, me);
    if (!t)
        t = steal_any(w, me);
    return t;
}

/* Run one task if there is one (a waiting worker helps). */
static int help_one(pk_workers *w, pk__worker *me)
{
    pk_task *t = find_work(w, me);
    if (!t)
        return 0;
    run_task(me, t);
    return 1;
}

static void idle_end(pk_workers *w, pk__worker *me, int64_t since)
{
    atomic_fetch_sub(&w->nidle, 1);
    int64_t now = pk__clock_ns(PK__CLOCK_MONO);
    atomic_store_explicit(&me->idle_ns,
                          atomic_load_explicit(&me->idle_ns, memory_order_relaxed) + (now - since),
                          memory_order_relaxed);
    atomic_store_explicit(&me->idle_since, 0, memory_order_relaxed);
}

/* Retire this worker when the pool has more than min_threads. */
static int try_retire(pk_workers *w)
{
    unsigned n = atomic_load(&w->nthreads);
    while (n > w->o.min_threads)
        if (atomic_compare_exchange_weak(&w->nthreads, &n, n - 1))
            return 1;
    return 0;
}

/* Idle: spin for spin_ns, then park. Returns a task, or NULL to exit. */
static pk_task *idle(pk_workers *w, pk__worker *me)
{
    pk__workers_flush(me);
    if (pk__wk_m(w))
        pk__workers_metrics_flush(w, me, 1);
    int64_t since = pk__clock_ns(PK__CLOCK_MONO);
    atomic_store_explicit(&me->idle_since, since ? since : 1, memory_order_relaxed);
    atomic_fetch_add(&w->nidle, 1);
    pk_task *t;
    for (;;) {
        for (int i = 0; i < 32; i++) {
            if ((t = find_work(w, me))) {
                idle_end(w, me, since);
                return t;
            }
            if (atomic_load_explicit(&w->stop, memory_order_relaxed)) {
                idle_end(w, me, since);
                return NULL;
            }
            for (int k = 0; k < 16; k++)
                cpu_relax();
        }
        sched_yield();   /* a submitter on this CPU (more threads than CPUs) gets to run */
        if (pk__clock_ns(PK__CLOCK_MONO) - since >= w->spin_ns)
            break;
    }
    int dynamic = w->o.max_threads > w->o.min_threads;
    for (;;) {
        atomic_fetch_add(&w->nparked, 1);
        uint32_t e = atomic_load(&w->epoch);
        /* a submit that saw waking set relies on this look (see after_push) */
        atomic_store(&w->waking, 0);
        if ((t = find_work(w, me)) || atomic_load(&w->stop)) {
            atomic_fetch_sub(&w->nparked, 1);
            idle_end(w, me, since);
            return t;
        }
        int timed = dynamic && atomic_load(&w->nthreads) > w->o.min_threads;
        int r = pk__workers_futex_wait(&w->epoch, e, timed ? (int)w->o.idle_ms : -1);
        atomic_fetch_sub(&w->nparked, 1);
        if (r != EAGAIN)
            add_u64(&me->parks, 1);
        if (r == 0)
            add_u64(&me->wakes, 1);
        if (r == ETIMEDOUT && dynamic && try_retire(w)) {
            idle_end(w, me, since);
            atomic_fetch_add(&w->retired, 1);
            return NULL;
        }
    }
}

static void *worker_main(void *arg)
{
    pk__worker *me = arg;
    pk_workers *w = me->pool;
    int dynamic = w->o.max_threads > w->o.min_threads;
    self = me;
    for (;;) {
        pk_task *t = find_work(w, me);
        if (!t && !(t = idle(w, me)))
            break;
        if (me->more || pk__dq_size(&me->dq) > 0 ||
            atomic_load_explicit(&w->inject, memory_order_relaxed)) {
            /* tasks wait behind this one: a parked worker, or a new one */
            if (!wake_one(w) && dynamic &&
                atomic_load_explicit(&w->nidle, memory_order_relaxed) == 0 &&
                atomic_load_explicit(&w->nthreads, memory_order_relaxed) < w->o.max_threads)
                grow(w);
        }
        run_task(me, t);
    }
    pk__workers_flush(me);
    if (pk__wk_m(w))
        pk__workers_metrics_flush(w, me, 1);
    int64_t now = pk__clock_ns(PK__CLOCK_MONO);
    int64_t st = atomic_load_explicit(&me->started_ns, memory_order_relaxed);
    atomic_store_explicit(&me->alive_ns,
                          atomic_load_explicit(&me->alive_ns, memory_order_relaxed) + (now - st),
                          memory_order_relaxed);
    atomic_store_explicit(&me->started_ns, 0, memory_order_relaxed);
    self = NULL;
    atomic_store_explicit(&me->slot, PK__SLOT_EXITED, memory_order_release);
    return NULL;
}

/* ---- submission ----------------------------------------------------------------------- */

static unsigned my_cell(void)
{
    static _Atomic unsigned next_cell;
    static _Thread_local unsigned cell = UINT_MAX;
    if (cell == UINT_MAX)
        cell = atomic_fetch_add_explicit(&next_cell, 1, memory_order_relaxed) % PK__WK_CELLS;
    return cell;
}

/* Wake one parked worker, when one is parked and no wake is in flight.
 * One wake in flight at a time: a submit that finds waking set skips the
 * system call. Safe because every parking worker clears waking after
 * reading the epoch and before its last look for work: the submit's push
 * precedes that clear, so the look sees it (or a later waker's epoch bump
 * stops the worker's sleep). The woken worker wakes the next one when it
 * finds more work than the task it takes (worker_main), so a burst that
 * arrived under one wake still reaches every parked worker. */
static int wake_one(pk_workers *w)
{
    if (atomic_load_explicit(&w->nparked, memory_order_seq_cst) <= 0)
        return 0;
    if (!atomic_load_explicit(&w->waking, memory_order_relaxed) &&
        !atomic_exchange(&w->waking, 1)) {
        atomic_fetch_add(&w->epoch, 1);
        pk__workers_futex_wake(&w->epoch, 1);
    }
    return 1;
}

static void after_push(pk_workers *w)
{
    if (!wake_one(w) && w->o.max_threads > w->o.min_threads &&
        atomic_load_explicit(&w->nidle, memory_order_relaxed) == 0 &&
        atomic_load_explicit(&w->nthreads, memory_order_relaxed) < w->o.max_threads)
        grow(w);
}

static pk_err prepare(pk_task *t)
{
    if (!t || !t->fn)
        return PK_EINVAL;
    uint32_t s = atomic_load_explicit(PK__A32(&t->state), memory_order_acquire) & PK__TS_MASK;
    if (s == PK__TS_QUEUED || s == PK__TS_RUNNING || s == PK__TS_CANCELLED)
        return PK_EBUSY;
    return PK_OK;
}

static void arm(pk_task *t, pk_workers_group *g)
{
    t->group = g;
    atomic_store_explicit(PK__A32(&t->state), PK__TS_QUEUED, memory_order_relaxed);
}

pk_err pk_workers_submit(pk_workers *w, pk_workers_group *g, pk_task *t)
{
    if (!w)
        return PK_EINVAL;
    pk_err e = prepare(t);
    if (e)
        return e;
    arm(t, g);
    if (g)
        atomic_fetch_add_explicit(PK__A32(&g->word), 2, memory_order_relaxed);
    pk__worker *me = self;
    if (me && me->pool == w) {
        add_u64(&me->sub, 1);
        if (pk__dq_push(&me->dq, t)) {
            after_push(w);
            return PK_OK;
        }
    } else {
        atomic_fetch_add_explicit(&w->cells[my_cell()].n, 1, memory_order_relaxed);
    }
    pk_task *head = atomic_load_explicit(&w->inject, memory_order_relaxed);
    do
        t->next = head;
    while (!atomic_compare_exchange_weak_explicit(&w->inject, &head, t, memory_order_seq_cst,
                                                  memory_order_relaxed));
    after_push(w);
    return PK_OK;
}

pk_err pk_workers_submit_batch(pk_workers *w, pk_workers_group *g, pk_task *const *ts, size_t n)
{
    if (!w || (!ts && n))
        return PK_EINVAL;
    if (!n)
        return PK_OK;
    /* A node twice in ts would be chained to itself (a hang): its second
     * occurrence is PK_EBUSY. pad_ marks the nodes seen, only during this
     * check (a node is the submitter's until it is queued). */
    pk_err e = PK_OK;
    size_t seen = 0;
    for (; seen < n; seen++) {
        if ((e = prepare(ts[seen])) == PK_OK && ts[seen]->pad_ == 1)
            e = PK_EBUSY;
        if (e)
            break;
        ts[seen]->pad_ = 1;
    }
    for (size_t k = 0; k < seen; k++)
        ts[k]->pad_ = 0;
    if (e)
        return e;
    if (g)
        atomic_fetch_add_explicit(PK__A32(&g->word), (uint32_t)(2 * n), memory_order_relaxed);
    pk__worker *me = self;
    size_t i = 0;
    if (me && me->pool == w) {
        add_u64(&me->sub, n);
        for (; i < n; i++) {
            arm(ts[i], g);
            if (!pk__dq_push(&me->dq, ts[i]))
                break;
        }
        if (i == n) {
            after_push(w);
            return PK_OK;
        }
    } else {
        atomic_fetch_add_explicit(&w->cells[my_cell()].n, n, memory_order_relaxed);
    }
    /* chain ts[i..n) newest first: ts[n-1] -> ... -> ts[i] */
    for (size_t k = i; k < n; k++) {
        arm(ts[k], g);
        ts[k]->next = k > i ? ts[k - 1] : NULL;
    }
    pk_task *head = atomic_load_explicit(&w->inject, memory_order_relaxed);
    do
        ts[i]->next = head;
    while (!atomic_compare_exchange_weak_explicit(&w->inject, &head, ts[n - 1],
                                                  memory_order_seq_cst, memory_order_relaxed));
    after_push(w);
    return PK_OK;
}

/* ---- waiting and cancellation ------------------------------------------------------------ */

static int finished(uint32_t v)
{
    v &= PK__TS_MASK;
    return v == PK__TS_DONE || v == PK__TS_DROPPED;
}

pk_err pk_workers_wait(pk_workers *w, pk_task *t)
{
    if (!w || !t)
        return PK_EINVAL;
    pk__worker *me = self && self->pool == w ? self : NULL;
    if (me)
        pk__workers_flush(me);
    int spins = 0;
    for (;;) {
        uint32_t v = atomic_load_explicit(PK__A32(&t->state), memory_order_acquire);
        if ((v & PK__TS_MASK) == PK__TS_IDLE)
            return PK_EINVAL;
        if (finished(v))
            return (v & PK__TS_MASK) == PK__TS_DONE ? PK_OK : PK_EINTR;
        if (me) {
            if (!help_one(w, me))
                cpu_relax();
            else
                pk__workers_flush(me);
            continue;
        }
        if (spins++ < 200) {
            cpu_relax();
            continue;
        }
        if (!(v & PK__TS_WAITER) &&
            !atomic_compare_exchange_weak_explicit(PK__A32(&t->state), &v, v | PK__TS_WAITER,
                                                   memory_order_acq_rel, memory_order_relaxed))
            continue;
        pk__workers_futex_wait(PK__A32(&t->state), v | PK__TS_WAITER, -1);
    }
}

pk_err pk_workers_wait_all(pk_workers *w, pk_workers_group *g)
{
    if (!w || !g)
        return PK_EINVAL;
    pk__worker *me = self && self->pool == w ? self : NULL;
    if (me)
        pk__workers_flush(me);
    int spins = 0;
    for (;;) {
        uint32_t v = atomic_load_explicit(PK__A32(&g->word), memory_order_acquire);
        if ((v >> 1) == 0)
            break;
        if (me) {
            if (help_one(w, me))
                pk__workers_flush(me);
            else
                cpu_relax();
            continue;
        }
        if (spins++ < 200) {
            cpu_relax();
            continue;
        }
        if (!(v & 1) && !atomic_compare_exchange_weak_explicit(PK__A32(&g->word), &v, v | 1,
                                                               memory_order_acq_rel,
                                                               memory_order_relaxed))
            continue;
        pk__workers_futex_wait(PK__A32(&g->word), v | 1, -1);
    }
    return atomic_load_explicit(PK__A32(&g->dropped), memory_order_relaxed) ? PK_EINTR : PK_OK;
}

bool pk_workers_cancel(pk_task *t)
{
    if (!t)
        return false;
    uint32_t v = atomic_load_explicit(PK__A32(&t->state), memory_order_relaxed);
    for (;;) {
        uint32_t s = v & PK__TS_MASK;
        if (s == PK__TS_QUEUED) {
            if (atomic_compare_exchange_weak_explicit(
                    PK__A32(&t->state), &v, (v & ~(uint32_t)PK__TS_MASK) | PK__TS_CANCELLED,
                    memory_order_acq_rel, memory_order_relaxed))
                return true;
        } else if (s == PK__TS_RUNNING && !(v & PK__TS_CANCEL_REQ)) {
            if (atomic_compare_exchange_weak_explicit(PK__A32(&t->state), &v, v | PK__TS_CANCEL_REQ,
                                                      memory_order_acq_rel,
                                                      memory_order_relaxed))
                return false;
        } else {
            return false;
        }
    }
}

void pk_workers_group_cancel(pk_workers_group *g)
{
    if (g)
        atomic_store_explicit(PK__A32(&g->cancelled), 1, memory_order_relaxed);
}

bool pk_task_cancelled(const pk_task *t)
{
    if (!t)
        return false;
    uint32_t v = atomic_load_explicit(PK__A32(&t->state), memory_order_relaxed);
    if (v & PK__TS_CANCEL_REQ || (v & PK__TS_MASK) == PK__TS_CANCELLED)
        return true;
    return t->group && atomic_load_explicit(PK__A32(&t->group->cancelled), memory_order_relaxed);
}

bool pk_workers_on_worker(const pk_workers *w)
{
    return self && (!w || self->pool == w);
}
