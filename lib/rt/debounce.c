/* debounce.c — lodash's debounce as a state machine under one mutex, with a
 * timer thread or caller-driven polling (perfkit/debounce.h).
 *
 * The state is lodash's (debounce.js, 4.17): last call and last invocation
 * times, the last argument, the pending timer; a call, a timer expiry, flush
 * and cancel are the same transitions as there, evaluated at the clock's
 * "now". As in lodash a call never moves the timer: it only records its time,
 * and an expiring timer that finds a later call re-arms itself for the
 * remaining wait, so a burst of calls costs a lock and a clock read each and
 * never wakes the timer thread. An invocation is decided under the lock
 * (argument, call count and event buffer taken, a ticket drawn) and run
 * outside it in ticket order; an invocation decided inside a callback on the
 * same thread runs at once, nested. */
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "core/clock.h"
#include "perfkit/alloc.h"
#include "rt/debounce_int.h"

struct pk_debounce {
    pthread_mutex_t mu;
    pthread_cond_t cv;           /* wakes the timer thread */
    pk_debounce_fn fn;
    void *ud;
    pk_debounce_clock_fn clock;
    void *clock_ud;
    int64_t wait, max_wait;      /* max_wait in force when maxing */
    int64_t max_wait_opt;        /* the option (-1 none) */
    bool maxing, leading, trailing, dedup, adaptive;
    int64_t amin, amax;
    double afactor;
    int64_t ema;                 /* adaptive: average interval, -1 before one */
    /* lodash's state */
    bool has_call;               /* lastCallTime !== undefined */
    int64_t last_call, last_invoke;
    bool has_args;               /* lastArgs !== undefined */
    void *arg;
    uint64_t calls;              /* calls since the last invocation */
    bool timer_on;               /* timerId !== undefined */
    int64_t timer_at;
    pk__deb_buf *buf, *spare;
    /* invocation order */
    pthread_mutex_t run_mu;
    pthread_cond_t run_cv;
    uint64_t ticket, served;
    /* timer thread */
    bool threaded, stop;
    pthread_t th;
    int64_t sleeping_until;      /* clock time the thread sleeps to; INT64_MAX idle */
    pk_debounce_stats st;
    pk__deb_metrics *m;          /* NULL until pk_debounce_register_metrics */
};

typedef struct job {
    bool run;
    bool nested;
    uint64_t ticket;
    pk_debounce_fire fire;
    pk__deb_buf *buf;
} job;

static _Thread_local pk_debounce *inside;   /* the debouncer whose callback runs here */

void pk_debounce_opts_init(pk_debounce_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_wait_ns = -1;
    o->trailing = true;
    o->adapt_min_ns = PK_DEBOUNCE_MS;
    o->adapt_max_ns = 1000 * PK_DEBOUNCE_MS;
    o->adapt_factor = 2.0;
}

static int64_t now_of(const pk_debounce *d)
{
    return d->clock ? d->clock(d->clock_ud) : pk__clock_ns(PK__CLOCK_MONO);
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The wait and maxWait in force after the wait changed (adaptive). */
static void set_wait(pk_debounce *d, int64_t w)
{
    if (d->m && w != d->wait)
        pk_metrics_gauge_set(d->m->wait, (double)w / 1e9);
    d->wait = w;
    if (d->adaptive)
        d->max_wait = d->max_wait_opt >= 0 ? max64(d->max_wait_opt, d->amin) : d->amax;
    else
        d->max_wait = max64(d->max_wait_opt, w);
}

static void adapt(pk_debounce *d, int64_t now)
{
    if (!d->adaptive || !d->has_call)
        return;
    int64_t dt = min64(max64(now - d->last_call, 0), d->amax);
    d->ema = d->ema < 0 ? dt : d->ema + (dt - d->ema) / 8;
    double w = d->afactor * (double)d->ema;
    int64_t wi = w >= (double)d->amax ? d->amax : (int64_t)w;
    set_wait(d, max64(d->amin, min64(wi, d->amax)));
}

static bool should_invoke(const pk_debounce *d, int64_t now)
{
    if (!d->has_call)
        return true;
    int64_t since_call = now - d->last_call;
    return since_call >= d->wait || since_call < 0 ||
           (d->maxing && now - d->last_invoke >= d->max_wait);
}

static int64_t remaining_wait(const pk_debounce *d, int64_t now)
{
    int64_t waiting = d->wait - (now - d->last_call);
    return d->maxing ? min64(waiting, d->max_wait - (now - d->last_invoke)) : waiting;
}

static void arm(pk_debounce *d, int64_t at)
{
    d->timer_on = true;
    d->timer_at = at;
    if (d->threaded && at < d->sleeping_until)
        pthread_cond_signal(&d->cv);
}

static void drop_args(pk_debounce *d)
{
    d->has_args = false;
    d->arg = NULL;
    d->calls = 0;
    if (d->buf)
        pk__deb_buf_reset(d->buf);
}

/* lodash's invokeFunc: take what the invocation gets (under mu). */
static void invoke(pk_debounce *d, int64_t now, pk_debounce_cause cause, job *j)
{
    j->run = true;
    j->nested = inside == d;
    j->ticket = j->nested ? 0 : d->ticket++;
    j->fire = (pk_debounce_fire){.arg = d->arg, .calls = d->calls, .now_ns = now,
                                 .wait_ns = d->wait, .cause = cause};
    j->buf = d->buf && d->buf->n ? d->buf : NULL;
    if (j->buf) {
        d->buf = d->spare;
        d->spare = NULL;
        d->st.events += j->buf->n;
        if (d->m)
            pk_metrics_counter_add(d->m->events, (double)j->buf->n);
    }
    d->has_args = false;
    d->arg = NULL;
    d->calls = 0;
    d->last_invoke = now;
    d->st.invocations++;
    d->st.by_cause[cause]++;
    if (d->m)
        pk_metrics_counter_inc(d->m->cause[cause]);
}

/* lodash's trailingEdge. */
static void trailing_edge(pk_debounce *d, int64_t now, pk_debounce_cause cause, job *j)
{
    d->timer_on = false;
    if (d->trailing && d->has_args)
        invoke(d, now, cause, j);
    else
        drop_args(d);
}

/* lodash's timerExpired, for a timer due at or before now. */
static void expire(pk_debounce *d, int64_t now, job *j)
{
    if (should_invoke(d, now))
        trailing_edge(d, now, PK_DEBOUNCE_TRAILING, j);
    else
        d->timer_at = now + remaining_wait(d, now);
}

/* Run a decided invocation (mu not held). */
static void run(pk_debounce *d, job *j)
{
    if (!j->nested) {
        pthread_mutex_lock(&d->run_mu);
        while (d->served != j->ticket)
            pthread_cond_wait(&d->run_cv, &d->run_mu);
        pthread_mutex_unlock(&d->run_mu);
    }
    if (j->buf && pk__deb_buf_view(j->buf) == PK_OK) {
        j->fire.events = j->buf->out;
        j->fire.n_events = j->buf->n;
    }
    pk_debounce *prev = inside;
    inside = d;
    d->fn(d->ud, &j->fire);
    inside = prev;
    if (j->buf) {
        pk__deb_buf_reset(j->buf);
        pthread_mutex_lock(&d->mu);
        if (!d->spare) {
            d->spare = j->buf;
            j->buf = NULL;
        }
        pthread_mutex_unlock(&d->mu);
        if (j->buf) {
            pk__deb_buf_release(j->buf);
            pk_free(j->buf);
        }
    }
    if (!j->nested) {
        pthread_mutex_lock(&d->run_mu);
        d->served++;
        pthread_cond_broadcast(&d->run_cv);
        pthread_mutex_unlock(&d->run_mu);
    }
}

/* The debounced function (under mu). */
static void call_locked(pk_debounce *d, int64_t now, void *arg, job *j)
{
    adapt(d, now);
    bool invoking = should_invoke(d, now);
    d->has_args = true;
    d->arg = arg;
    d->calls++;
    d->st.calls++;
    if (d->m)
        pk_metrics_counter_inc(d->m->calls);
    d->has_call = true;
    d->last_call = now;
    if (invoking) {
        if (!d->timer_on) {                      /* leadingEdge */
            d->last_invoke = now;
            arm(d, now + d->wait);
            if (d->leading)
                invoke(d, now, PK_DEBOUNCE_LEADING, j);
            return;
        }
        if (d->maxing) {                         /* a tight loop of calls */
            arm(d, now + d->wait);
            invoke(d, now, PK_DEBOUNCE_MAXWAIT, j);
            return;
        }
    }
    if (!d->timer_on)
        arm(d, now + d->wait);
}

bool pk_debounce_call(pk_debounce *d, void *arg)
{
    if (!d)
        return false;
    job j = {0};
    pthread_mutex_lock(&d->mu);
    call_locked(d, now_of(d), arg, &j);
    pthread_mutex_unlock(&d->mu);
    if (j.run)
        run(d, &j);
    return j.run;
}

pk_err pk_debounce_add(pk_debounce *d, const void *data, size_t len, bool *ran)
{
    if (ran)
        *ran = false;
    if (!d || (!data && len))
        return PK_EINVAL;
    job j = {0};
    pk_err e = PK_OK;
    pthread_mutex_lock(&d->mu);
    if (!d->buf) {
        d->buf = d->spare ? d->spare : pk_calloc(1, sizeof *d->buf);
        d->spare = NULL;
    }
    bool merged = false;
    e = d->buf ? pk__deb_buf_add(d->buf, data, len, d->dedup, &merged) : PK_ENOMEM;
    if (merged) {
        d->st.merged++;
        if (d->m)
            pk_metrics_counter_inc(d->m->merged);
    }
    call_locked(d, now_of(d), NULL, &j);
    pthread_mutex_unlock(&d->mu);
    if (j.run)
        run(d, &j);
    if (ran)
        *ran = j.run;
    return e;
}

void pk_debounce_cancel(pk_debounce *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->timer_on = false;
    d->last_invoke = 0;
    d->has_call = false;
    drop_args(d);
    pthread_mutex_unlock(&d->mu);
}

pk_err pk_debounce_flush(pk_debounce *d, bool *ran)
{
    if (ran)
        *ran = false;
    if (!d)
        return PK_EINVAL;
    job j = {0};
    pthread_mutex_lock(&d->mu);
    if (d->timer_on)
        trailing_edge(d, now_of(d), PK_DEBOUNCE_FLUSH, &j);
    pthread_mutex_unlock(&d->mu);
    if (j.run)
        run(d, &j);
    if (ran)
        *ran = j.run;
    return PK_OK;
}

bool pk_debounce_pending(pk_debounce *d)
{
    if (!d)
        return false;
    pthread_mutex_lock(&d->mu);
    bool on = d->timer_on;
    pthread_mutex_unlock(&d->mu);
    return on;
}

pk_err pk_debounce_poll(pk_debounce *d, int64_t *next_ns)
{
    if (!d)
        return PK_EINVAL;
    pthread_mutex_lock(&d->mu);
    while (!d->threaded) {   /* with a timer thread, poll only reports */
        int64_t now = now_of(d);
        if (!d->timer_on || now < d->timer_at)
            break;
        job j = {0};
        expire(d, now, &j);
        if (j.run) {
            pthread_mutex_unlock(&d->mu);
            run(d, &j);
            pthread_mutex_lock(&d->mu);
        }
    }
    if (next_ns)
        *next_ns = d->timer_on ? d->timer_at : -1;
    pthread_mutex_unlock(&d->mu);
    return PK_OK;
}

pk_err pk_debounce_stats_get(pk_debounce *d, pk_debounce_stats *out)
{
    if (!d || !out)
        return PK_EINVAL;
    pthread_mutex_lock(&d->mu);
    *out = d->st;
    out->wait_ns = d->wait;
    pthread_mutex_unlock(&d->mu);
    return PK_OK;
}

pk_err pk_debounce_register_metrics(pk_debounce *d, pk_metrics_registry *r, const char *name)
{
    if (!d || !r || !name || !*name || d->m)
        return PK_EINVAL;
    pk__deb_metrics *m = pk_calloc(1, sizeof *m);
    if (!m)
        return PK_ENOMEM;
    pk_err e = pk__deb_metrics_new(r, name, m);
    if (e != PK_OK) {
        pk_free(m);
        return e;
    }
    pthread_mutex_lock(&d->mu);
    pk_metrics_counter_add(m->calls, (double)d->st.calls);
    for (int i = 0; i < 4; i++)
        pk_metrics_counter_add(m->cause[i], (double)d->st.by_cause[i]);
    pk_metrics_counter_add(m->events, (double)d->st.events);
    pk_metrics_counter_add(m->merged, (double)d->st.merged);
    pk_metrics_gauge_set(m->wait, (double)d->wait / 1e9);
    d->m = m;
    pthread_mutex_unlock(&d->mu);
    return PK_OK;
}

/* The timer thread: sleep until the pending timer is due (converted from the
 * debouncer's clock to CLOCK_MONOTONIC), run it, repeat. */
static void *timer_main(void *p)
{
    pk_debounce *d = p;
    /* The kernel may defer a sleeping thread's wake-up by its timer slack
     * (50 µs by default) to batch wake-ups; a trailing edge wants its time. */
    (void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        if (!d->timer_on) {
            d->sleeping_until = INT64_MAX;
            pthread_cond_wait(&d->cv, &d->mu);
            continue;
        }
        int64_t now = now_of(d);
        if (now >= d->timer_at) {
            job j = {0};
            expire(d, now, &j);
            if (j.run) {
                d->sleeping_until = INT64_MIN;   /* busy: callers need not signal */
                pthread_mutex_unlock(&d->mu);
                run(d, &j);
                pthread_mutex_lock(&d->mu);
            }
            continue;
        }
        d->sleeping_until = d->timer_at;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t abs_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (d->timer_at - now);
        ts.tv_sec = (time_t)(abs_ns / 1000000000);
        ts.tv_nsec = (long)(abs_ns % 1000000000);
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Longest wait accepted (2^62 ns, 146 years): a time plus a wait stays an int64_t. */
#define MAX_WAIT_NS (INT64_C(1) << 62)

static bool opts_ok(const pk_debounce_opts *o)
{
    if (o->wait_ns < 0 || o->wait_ns > MAX_WAIT_NS || o->max_wait_ns > MAX_WAIT_NS)
        return false;
    if (o->adaptive && (o->adapt_min_ns <= 0 || o->adapt_max_ns < o->adapt_min_ns ||
                        o->adapt_max_ns > MAX_WAIT_NS ||
                        !(o->adapt_factor > 0) || o->adapt_factor > 1e9))
        return false;
    return true;
}

pk_err pk_debounce_new(const pk_debounce_opts *o, pk_debounce_fn fn, void *ud, pk_debounce **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_debounce_opts def;
    if (!o) {
        pk_debounce_opts_init(&def);
        o = &def;
    }
    if (!fn || !opts_ok(o))
        return PK_EINVAL;
    pk_debounce *d = pk_calloc(1, sizeof *d);
    if (!d)
        return PK_ENOMEM;
    d->fn = fn;
    d->ud = ud;
    d->clock = o->clock;
    d->clock_ud = o->clock_ud;
    d->leading = o->leading;
    d->trailing = o->trailing;
    d->dedup = o->dedup;
    d->adaptive = o->adaptive;
    d->amin = o->adapt_min_ns;
    d->amax = o->adapt_max_ns;
    d->afactor = o->adapt_factor;
    d->ema = -1;
    d->max_wait_opt = o->max_wait_ns < 0 ? -1 : o->max_wait_ns;
    d->maxing = o->max_wait_ns >= 0 || o->adaptive;
    set_wait(d, o->adaptive ? max64(d->amin, min64(o->wait_ns, d->amax)) : o->wait_ns);
    d->threaded = !o->poll;
    d->sleeping_until = INT64_MAX;
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_init(&d->run_mu, NULL);
    pthread_cond_init(&d->run_cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (d->threaded && pthread_create(&d->th, NULL, timer_main, d) != 0) {
        d->threaded = false;
        pk_debounce_free(d);
        return PK_EIO;
    }
    *out = d;
    return PK_OK;
}

void pk_debounce_free(pk_debounce *d)
{
    if (!d)
        return;
    if (d->threaded) {
        pthread_mutex_lock(&d->mu);
        d->stop = true;
        pthread_cond_signal(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->th, NULL);
    }
    pthread_cond_destroy(&d->cv);
    pthread_cond_destroy(&d->run_cv);
    pthread_mutex_destroy(&d->run_mu);
    pthread_mutex_destroy(&d->mu);
    if (d->buf)
        pk__deb_buf_release(d->buf);
    if (d->spare)
        pk__deb_buf_release(d->spare);
    pk_free(d->buf);
    pk_free(d->spare);
    pk_free(d->m);
    pk_free(d);
}
