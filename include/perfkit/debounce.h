/* perfkit/debounce.h — a debouncer with lodash's semantics, event
 * accumulation over the window, and an adaptive wait.
 *
 *   pk_debounce_opts o;  pk_debounce_opts_init(&o);
 *   o.wait_ns = 50 * PK_DEBOUNCE_MS;  o.max_wait_ns = 500 * PK_DEBOUNCE_MS;  o.dedup = true;
 *   pk_debounce *d;  pk_debounce_new(&o, rebuild, ctx, &d);   // a timer thread of its own
 *   pk_debounce_add(d, path, strlen(path), NULL);   // per file-change event
 *   ...  rebuild(ctx, &fire) gets every distinct path of the burst, once
 *   pk_debounce_free(d);
 *
 * Semantics: exactly those of lodash's `_.debounce(func, wait, {leading,
 * trailing, maxWait})` (lodash 4.17, debounce.js), with time from the
 * debouncer's clock instead of Date.now():
 *   - a call at time t "should invoke" when it is the first call (or the
 *     first after cancel), when t - last_call >= wait, when the clock went
 *     backwards, or (maxWait set) when t - last_invoke >= maxWait;
 *   - a call that should invoke while no timer is pending opens a window (the
 *     "leading edge"): last_invoke = t, a timer is armed for t + wait, and
 *     func runs at once only if `leading`;
 *   - a call that should invoke while the timer is pending, with maxWait set,
 *     re-arms the timer for t + wait and runs func at once (a tight loop of
 *     calls then runs func every maxWait: with maxWait == wait and leading
 *     this is lodash's `_.throttle`);
 *   - when the timer expires at time t: if a call at t would invoke, the
 *     "trailing edge" ends the window (the timer is no longer pending) and
 *     runs func if `trailing` and a call came since the last invocation;
 *     otherwise the timer is re-armed for the remaining wait
 *     (min(wait - (t - last_call), maxWait - (t - last_invoke)));
 *   - maxWait is max(max_wait_ns, wait) as in lodash; leading + trailing with
 *     a single call in the window runs func once (on the leading edge).
 * Each invocation gets the argument of the last call since the previous
 * invocation (`last arguments`), how many calls it covers, and the events
 * added since then; arguments and events of calls that a window drops (no
 * trailing edge) are dropped with them.
 *
 * Events (watchexec-style): pk_debounce_add copies a byte string (a path, a
 * key) into the window; the invocation gets them all, in arrival order, or
 * — with `dedup` — each distinct string once with its count.
 *
 * Adaptive mode: the wait follows the traffic: wait = adapt_factor x an
 * exponential moving average (weight 1/8) of the intervals between calls
 * (each interval capped at adapt_max_ns), clamped to [adapt_min_ns,
 * adapt_max_ns]; the first window uses wait_ns clamped. maxWait is always
 * set in this mode: max(max_wait_ns, adapt_min_ns), or adapt_max_ns when
 * max_wait_ns < 0 — a hard bound however long the wait grows.
 *
 * Timers. By default the debouncer owns a timer thread that runs trailing
 * edges at their time (condition variable on CLOCK_MONOTONIC; the thread
 * asks the kernel for 1 µs of timer slack, PR_SET_TIMERSLACK). With `poll`
 * there is no thread: an event loop calls pk_debounce_poll, which runs any
 * expired timer and says when the next one is due. The clock is replaceable
 * (`clock`), which makes every timeline exact to test.
 *
 * Callbacks run outside the debouncer's lock: on the calling thread for a
 * leading or maxWait invocation from pk_debounce_call/add and for flush, on
 * the timer thread (or the thread in pk_debounce_poll) for trailing edges.
 * Invocations never overlap and run in the order they were decided. A
 * callback may call any function but pk_debounce_free on its own debouncer;
 * an invocation that such a call decides runs at once, nested inside it.
 *
 * Thread-safety: every function may be called from any thread concurrently,
 * except pk_debounce_free (no other call on d may run or follow). Errors:
 * pk_err (PK_EINVAL, PK_ENOMEM, PK_EIO). */
#ifndef PERFKIT_DEBOUNCE_H
#define PERFKIT_DEBOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

#define PK_DEBOUNCE_MS INT64_C(1000000)   /* nanoseconds */

typedef struct pk_debounce pk_debounce;

/* Why func runs. */
typedef enum pk_debounce_cause {
    PK_DEBOUNCE_LEADING = 0,   /* a call opened a window and `leading` is set */
    PK_DEBOUNCE_TRAILING = 1,  /* the window's timer expired */
    PK_DEBOUNCE_MAXWAIT = 2,   /* a call came maxWait after the last invocation */
    PK_DEBOUNCE_FLUSH = 3,     /* pk_debounce_flush */
} pk_debounce_cause;

/* One event of the window: data[0..len) is borrowed for the callback only. */
typedef struct pk_debounce_event {
    const void *data;
    size_t len;
    uint32_t count;            /* times added in the window (1 without dedup) */
} pk_debounce_event;

/* What an invocation gets; borrowed for the callback only. */
typedef struct pk_debounce_fire {
    void *arg;                 /* the last call's argument since the previous invocation */
    uint64_t calls;            /* calls (and adds) since the previous invocation */
    const pk_debounce_event *events;   /* events since the previous invocation */
    size_t n_events;
    int64_t now_ns;            /* the clock's time of the decision */
    int64_t wait_ns;           /* the wait in force (varies in adaptive mode) */
    pk_debounce_cause cause;
} pk_debounce_fire;

typedef void (*pk_debounce_fn)(void *ud, const pk_debounce_fire *f);
/* A monotonic clock in nanoseconds (may be called from any thread). */
typedef int64_t (*pk_debounce_clock_fn)(void *ud);

/* Options; defaults from pk_debounce_opts_init in brackets. */
typedef struct pk_debounce_opts {
    int64_t wait_ns;           /* [0] >= 0, <= 2^62 (146 years) */
    int64_t max_wait_ns;       /* [-1: none] lodash's maxWait; >= 0 sets it; <= 2^62 */
    bool leading;              /* [false] run on the leading edge */
    bool trailing;             /* [true] run on the trailing edge */
    bool dedup;                /* [false] equal events of a window are merged */
    bool poll;                 /* [false: a timer thread] true: pk_debounce_poll drives timers */
    bool adaptive;             /* [false] wait from the inter-arrival average (see top) */
    int64_t adapt_min_ns;      /* [1 ms] > 0 */
    int64_t adapt_max_ns;      /* [1 s] >= adapt_min_ns, <= 2^62 */
    double adapt_factor;       /* [2.0] > 0 */
    pk_debounce_clock_fn clock;/* [NULL: CLOCK_MONOTONIC via lib/core's clock] */
    void *clock_ud;
} pk_debounce_opts;

void pk_debounce_opts_init(pk_debounce_opts *o);

/* On PK_OK *out owns a new debouncer calling fn(ud, fire) (free with
 * pk_debounce_free); without `poll` its timer thread is started. Errors:
 * PK_EINVAL (NULL fn/out, negative wait, a wait over 2^62 ns, adaptive
 * bounds or factor bad),
 * PK_ENOMEM, PK_EIO (the thread could not be started). On error *out is NULL
 * and nothing leaks. */
pk_err pk_debounce_new(const pk_debounce_opts *o, pk_debounce_fn fn, void *ud,
                       pk_debounce **out);

/* Stop the timer thread and free d; a pending invocation is dropped (call
 * pk_debounce_flush first to run it). No other call on d may run or follow;
 * not from inside a callback. NULL is a no-op. */
void pk_debounce_free(pk_debounce *d);

/* The debounced call with argument arg (borrowed: the debouncer only hands
 * it back to func; keep it alive until then or until it is superseded).
 * May run func on this thread (leading edge, maxWait). Hot path: a lock, a
 * clock read, no allocation. Returns whether func ran in this call. NULL d
 * is a no-op returning false. */
bool pk_debounce_call(pk_debounce *d, void *arg);

/* pk_debounce_call that also adds data[0..len) (copied) to the window's
 * events. Errors: PK_EINVAL (NULL d, NULL data with len > 0), PK_ENOMEM (the
 * event is lost; the call still counts). *ran (may be NULL) says whether
 * func ran in this call. */
pk_err pk_debounce_add(pk_debounce *d, const void *data, size_t len, bool *ran);

/* lodash's cancel: drop the pending window (timer, argument, events) and
 * forget the last call and invocation times. */
void pk_debounce_cancel(pk_debounce *d);

/* lodash's flush: if a timer is pending, end the window now (the trailing
 * edge: func runs, with cause PK_DEBOUNCE_FLUSH, if `trailing` and a call
 * came since the last invocation). *ran (may be NULL) says whether func
 * ran. Errors: PK_EINVAL (NULL d). */
pk_err pk_debounce_flush(pk_debounce *d, bool *ran);

/* lodash's pending: whether a timer is armed (a window is open). */
bool pk_debounce_pending(pk_debounce *d);

/* Poll mode: run every timer due at the clock's now (callbacks on this
 * thread) and store in *next_ns (may be NULL) the clock time the next one is
 * due, or -1 when none is pending. Also usable with a timer thread (then it
 * only reports). Errors: PK_EINVAL (NULL d). */
pk_err pk_debounce_poll(pk_debounce *d, int64_t *next_ns);

typedef struct pk_debounce_stats {
    uint64_t calls;            /* pk_debounce_call and _add since creation */
    uint64_t invocations;      /* func runs, all causes */
    uint64_t by_cause[4];      /* indexed by pk_debounce_cause */
    uint64_t events;           /* events handed to func (after dedup) */
    uint64_t merged;           /* events merged into an equal one (dedup) */
    int64_t wait_ns;           /* the wait now in force */
} pk_debounce_stats;

/* A consistent snapshot. Errors: PK_EINVAL (NULL argument). */
pk_err pk_debounce_stats_get(pk_debounce *d, pk_debounce_stats *out);

/* Export d's statistics into r, one call: counters <name>_calls_total,
 * <name>_invocations_total{cause="leading"|"trailing"|"maxwait"|"flush"},
 * <name>_events_total (handed to func, after dedup), <name>_merged_total
 * (events merged by dedup), and the gauge <name>_wait_seconds (the wait in
 * force; it moves in adaptive mode). They start at d's figures and follow
 * every event; a call then also costs one counter increment (~1 ns; the
 * first from a thread allocates its cell). Not concurrent with other calls
 * on d (call it before sharing d); once per debouncer; r must outlive d.
 * Errors: PK_EINVAL (NULL argument, a bad or taken name, already
 * registered), PK_ENOMEM — on error some families may already be in r. */
pk_err pk_debounce_register_metrics(pk_debounce *d, pk_metrics_registry *r, const char *name);

PK_END_DECLS
#endif
