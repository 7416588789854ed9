/* test_debounce.c — pk_debounce against lodash's documented timelines (the
 * cases of lodash's debounce and throttle tests, replayed on a fake clock in
 * poll mode, so every time is exact), events, adaptive wait, the timer
 * thread, faults. Times are in ms of the fake clock. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "perfkit/debounce.h"

#define MS PK_DEBOUNCE_MS

static int64_t fake_now;
static int64_t fake_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

typedef struct rec {
    int count;
    const char *last;          /* the last invocation's argument */
    int64_t at[64];            /* invocation times, ms */
    pk_debounce_cause cause[64];
    uint64_t calls[64];
    char events[256];          /* "a:2 b:1 " of the last invocation */
    pk_debounce *self;         /* nested call from the callback when set */
} rec;

static void on_fire(void *ud, const pk_debounce_fire *f)
{
    rec *r = ud;
    if (r->count < 64) {
        r->at[r->count] = f->now_ns / MS;
        r->cause[r->count] = f->cause;
        r->calls[r->count] = f->calls;
    }
    r->count++;
    r->last = f->arg;
    r->events[0] = 0;
    for (size_t i = 0; i < f->n_events; i++) {
        char one[64];
        snprintf(one, sizeof one, "%.*s:%u ", (int)f->events[i].len, (const char *)f->events[i].data,
                 f->events[i].count);
        strncat(r->events, one, sizeof r->events - strlen(r->events) - 1);
    }
}

static pk_debounce *mk(rec *r, int64_t wait_ms, int64_t max_wait_ms, bool leading, bool trailing)
{
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = wait_ms * MS;
    o.max_wait_ns = max_wait_ms < 0 ? -1 : max_wait_ms * MS;
    o.leading = leading;
    o.trailing = trailing;
    o.poll = true;
    o.clock = fake_clock;
    memset(r, 0, sizeof *r);
    fake_now = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire, r, &d), PK_OK);
    return d;
}

/* Move the fake clock to `ms`, firing every timer at its exact due time
 * (timers due at a time run before calls made at that time, as JS timers
 * registered earlier do). */
static void advance(pk_debounce *d, int64_t ms)
{
    int64_t next;
    for (;;) {
        cr_assert_eq(pk_debounce_poll(d, &next), PK_OK);
        if (next < 0 || next > ms * MS)
            break;
        fake_now = next;
    }
    fake_now = ms * MS;
    cr_assert_eq(pk_debounce_poll(d, NULL), PK_OK);
}

static void call_at(pk_debounce *d, int64_t ms, const char *arg)
{
    advance(d, ms);
    pk_debounce_call(d, (void *)arg);
}

/* ---- lodash debounce.spec ------------------------------------------------------ */

Test(debounce, debounces_a_function)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, true);
    cr_assert_not(pk_debounce_call(d, "a"));
    pk_debounce_call(d, "b");
    pk_debounce_call(d, "c");
    cr_assert_eq(r.count, 0);
    advance(d, 128);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "c");
    cr_assert_eq(r.at[0], 32);
    cr_assert_eq(r.calls[0], 3);
    cr_assert_eq(r.cause[0], PK_DEBOUNCE_TRAILING);
    pk_debounce_call(d, "d");
    pk_debounce_call(d, "e");
    pk_debounce_call(d, "f");
    advance(d, 256);
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.last, "f");
    cr_assert_eq(r.at[1], 160);
    pk_debounce_free(d);
}

Test(debounce, each_call_postpones)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, true);
    for (int t = 0; t <= 100; t += 20)
        call_at(d, t, "x");                /* every 20 ms < 32: keeps waiting */
    cr_assert_eq(r.count, 0);
    cr_assert(pk_debounce_pending(d));
    advance(d, 131);
    cr_assert_eq(r.count, 0);
    advance(d, 132);                       /* 32 after the last call (100) */
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.at[0], 132);
    cr_assert_not(pk_debounce_pending(d));
    pk_debounce_free(d);
}

Test(debounce, wait_zero_is_not_immediate)
{
    rec r;
    pk_debounce *d = mk(&r, 0, -1, false, true);
    pk_debounce_call(d, "a");
    pk_debounce_call(d, "b");
    cr_assert_eq(r.count, 0);
    advance(d, 5);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "b");
    pk_debounce_free(d);
}

Test(debounce, leading_option)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, true, false);
    cr_assert(pk_debounce_call(d, "a"));
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.cause[0], PK_DEBOUNCE_LEADING);
    pk_debounce_call(d, "b");              /* inside the window: dropped */
    advance(d, 64);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "a");
    call_at(d, 64, "c");                   /* a new window: leading again */
    cr_assert_eq(r.count, 2);
    pk_debounce_free(d);
}

Test(debounce, leading_and_trailing_two_calls_fire_twice)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, true, true);
    pk_debounce_call(d, "a");
    pk_debounce_call(d, "b");
    cr_assert_eq(r.count, 1);
    advance(d, 64);
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.last, "b");
    cr_assert_eq(r.cause[1], PK_DEBOUNCE_TRAILING);
    pk_debounce_free(d);
}

Test(debounce, leading_and_trailing_one_call_fires_once)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, true, true);
    pk_debounce_call(d, "a");
    cr_assert_eq(r.count, 1);
    advance(d, 64);
    cr_assert_eq(r.count, 1);
    cr_assert_not(pk_debounce_pending(d));
    pk_debounce_free(d);
}

Test(debounce, trailing_option)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, true);
    pk_debounce_call(d, "a");
    cr_assert_eq(r.count, 0);
    advance(d, 64);
    cr_assert_eq(r.count, 1);
    pk_debounce_free(d);
    d = mk(&r, 32, -1, false, false);
    pk_debounce_call(d, "a");
    advance(d, 64);
    cr_assert_eq(r.count, 0);
    cr_assert_not(pk_debounce_pending(d));
    pk_debounce_free(d);
}

Test(debounce, max_wait_option)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 64, false, true);
    pk_debounce_call(d, "a");
    pk_debounce_call(d, "b");
    cr_assert_eq(r.count, 0);
    advance(d, 128);
    cr_assert_eq(r.count, 1);
    pk_debounce_call(d, "c");
    pk_debounce_call(d, "d");
    advance(d, 256);
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.last, "d");
    pk_debounce_free(d);
}

/* lodash: "should support `maxWait` in a tight loop" — calls for 320 ms with
 * no timer running in between (a busy loop): without maxWait nothing runs,
 * with it func runs every maxWait. */
Test(debounce, max_wait_in_a_tight_loop)
{
    rec with, without;
    pk_debounce *dw = mk(&with, 64, 128, false, true);
    pk_debounce *dn = mk(&without, 96, -1, false, true);
    for (fake_now = 0; fake_now < 320 * MS; fake_now += MS / 4) {
        pk_debounce_call(dw, "w");
        pk_debounce_call(dn, "n");
    }
    cr_assert_eq(without.count, 0);
    cr_assert_eq(with.count, 2);
    cr_assert_eq(with.at[0], 128);
    cr_assert_eq(with.at[1], 256);
    cr_assert_eq(with.cause[0], PK_DEBOUNCE_MAXWAIT);
    pk_debounce_free(dw);
    pk_debounce_free(dn);
}

/* lodash: "should queue a trailing call for subsequent debounced calls after
 * `maxWait`" — calls at 0, 190, 200, 210 with wait = maxWait = 200: func
 * runs at 200 (the timer, maxWait reached) and at 400 (the queued call). */
Test(debounce, queues_trailing_call_after_max_wait)
{
    rec r;
    pk_debounce *d = mk(&r, 200, 200, false, true);
    call_at(d, 0, "a");
    call_at(d, 190, "b");
    call_at(d, 200, "c");
    call_at(d, 210, "d");
    advance(d, 500);
    cr_assert_eq(r.count, 2);
    cr_assert_eq(r.at[0], 200);
    cr_assert_eq(r.at[1], 400);
    cr_assert_str_eq(r.last, "d");
    pk_debounce_free(d);
}

/* maxWait with leading: the leading call, then one per maxWait, then the
 * trailing one with the last argument. */
Test(debounce, leading_with_max_wait_every_8ms)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 64, true, true);
    static const char *args[] = {"0", "8", "16", "24", "32", "40", "48", "56", "64",
                                 "72", "80", "88", "96"};
    for (int i = 0; i <= 12; i++)
        call_at(d, (int64_t)i * 8, args[i]);
    advance(d, 400);
    /* leading at 0; at 64 the timer (due 32, re-armed) finds maxWait reached
     * before the call at 64; the trailing edge 32 after the last call (96). */
    cr_assert_eq(r.count, 3);
    cr_assert_eq(r.at[0], 0);
    cr_assert_eq(r.at[1], 64);
    cr_assert_eq(r.at[2], 128);
    cr_assert_eq(r.cause[2], PK_DEBOUNCE_TRAILING);
    cr_assert_str_eq(r.last, "96");
    cr_assert_eq(r.calls[0] + r.calls[1] + r.calls[2], 13);
    pk_debounce_free(d);
}

/* ---- lodash throttle.spec: throttle(f, wait) = debounce(f, wait,
 * {leading: true, maxWait: wait, trailing: true}) ----------------------------- */

Test(debounce, throttle_throttles)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 32, true, true);
    pk_debounce_call(d, "a");
    pk_debounce_call(d, "b");
    pk_debounce_call(d, "c");
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "a");
    advance(d, 64);
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.last, "c");
    pk_debounce_free(d);
}

Test(debounce, throttle_in_a_busy_loop)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 32, true, true);
    for (fake_now = 0; fake_now < 320 * MS; fake_now += MS)
        pk_debounce_call(d, "x");
    cr_assert_eq(r.count, 10);              /* 0, 32, ..., 288 */
    for (int i = 0; i < 10; i++)
        cr_assert_eq(r.at[i], 32 * (int64_t)i);
    pk_debounce_free(d);
}

/* ---- cancel, flush, pending ----------------------------------------------------- */

Test(debounce, cancel_drops_the_pending_call)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, true);
    pk_debounce_call(d, "a");
    cr_assert(pk_debounce_pending(d));
    pk_debounce_cancel(d);
    cr_assert_not(pk_debounce_pending(d));
    advance(d, 64);
    cr_assert_eq(r.count, 0);
    call_at(d, 64, "b");                    /* a fresh window after cancel */
    advance(d, 95);
    cr_assert_eq(r.count, 0);
    advance(d, 96);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "b");
    pk_debounce_free(d);
}

Test(debounce, cancel_resets_max_wait)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 64, true, true);
    pk_debounce_call(d, "a");               /* leading */
    pk_debounce_cancel(d);
    call_at(d, 10, "b");                     /* the first call again: leading */
    cr_assert_eq(r.count, 2);
    pk_debounce_free(d);
}

Test(debounce, flush_runs_the_pending_call)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, true);
    bool ran = true;
    cr_assert_eq(pk_debounce_flush(d, &ran), PK_OK);    /* nothing pending */
    cr_assert_not(ran);
    pk_debounce_call(d, "a");
    pk_debounce_call(d, "b");
    cr_assert_eq(pk_debounce_flush(d, &ran), PK_OK);
    cr_assert(ran);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "b");
    cr_assert_eq(r.cause[0], PK_DEBOUNCE_FLUSH);
    cr_assert_not(pk_debounce_pending(d));
    advance(d, 64);
    cr_assert_eq(r.count, 1);
    pk_debounce_free(d);
}

Test(debounce, flush_after_leading_does_not_repeat)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, true, true);
    pk_debounce_call(d, "a");
    bool ran = true;
    pk_debounce_flush(d, &ran);             /* the window had only the leading call */
    cr_assert_not(ran);
    cr_assert_eq(r.count, 1);
    pk_debounce_free(d);
}

Test(debounce, flush_without_trailing_runs_nothing)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, false, false);
    pk_debounce_call(d, "a");
    bool ran = true;
    pk_debounce_flush(d, &ran);
    cr_assert_not(ran);
    cr_assert_eq(r.count, 0);
    cr_assert_not(pk_debounce_pending(d));
    pk_debounce_free(d);
}

/* ---- events ------------------------------------------------------------------------- */

Test(debounce, events_accumulate_over_the_window)
{
    rec r;
    pk_debounce *d = mk(&r, 50, -1, false, true);
    for (int t = 0; t < 40; t += 10) {
        advance(d, t);
        cr_assert_eq(pk_debounce_add(d, t % 20 ? "b.c" : "a.c", 3, NULL), PK_OK);
    }
    advance(d, 200);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.events, "a.c:1 b.c:1 a.c:1 b.c:1 ");
    cr_assert_eq(r.calls[0], 4);
    pk_debounce_free(d);
}

Test(debounce, events_deduplicated)
{
    rec r;
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 50 * MS;
    o.poll = true;
    o.dedup = true;
    o.clock = fake_clock;
    memset(&r, 0, sizeof r);
    fake_now = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire, &r, &d), PK_OK);
    const char *ev[] = {"src/a.c", "src/b.c", "src/a.c", "src/a.c", "", "src/b.c"};
    for (int i = 0; i < 6; i++)
        pk_debounce_add(d, ev[i], strlen(ev[i]), NULL);
    advance(d, 100);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.events, "src/a.c:3 src/b.c:2 :1 ");
    /* the next window starts empty */
    for (int i = 0; i < 300; i++) {
        char p[16];
        snprintf(p, sizeof p, "f%d", i % 100);
        pk_debounce_add(d, p, strlen(p), NULL);
    }
    advance(d, 200);
    cr_assert_eq(r.count, 2);
    pk_debounce_stats st;
    pk_debounce_stats_get(d, &st);
    cr_assert_eq(st.events, 3 + 100);
    cr_assert_eq(st.merged, 3 + 200);
    cr_assert_eq(st.calls, 306);
    pk_debounce_free(d);
}

Test(debounce, events_of_a_dropped_window_are_dropped)
{
    rec r;
    pk_debounce *d = mk(&r, 32, -1, true, false);
    pk_debounce_add(d, "x", 1, NULL);       /* leading: runs with [x] */
    cr_assert_str_eq(r.events, "x:1 ");
    pk_debounce_add(d, "y", 1, NULL);       /* no trailing edge: dropped */
    advance(d, 64);
    pk_debounce_add(d, "z", 1, NULL);
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.events, "z:1 ");
    pk_debounce_free(d);
}

/* ---- adaptive --------------------------------------------------------------------------- */

static pk_debounce *mk_adaptive(rec *r, int64_t max_wait_ms)
{
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.adaptive = true;
    o.adapt_min_ns = 10 * MS;
    o.adapt_max_ns = 100 * MS;
    o.adapt_factor = 2.0;
    o.max_wait_ns = max_wait_ms < 0 ? -1 : max_wait_ms * MS;
    o.poll = true;
    o.clock = fake_clock;
    memset(r, 0, sizeof *r);
    fake_now = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire, r, &d), PK_OK);
    return d;
}

Test(debounce, adaptive_wait_follows_the_intervals)
{
    rec r;
    pk_debounce *d = mk_adaptive(&r, 1000);
    pk_debounce_stats st;
    pk_debounce_stats_get(d, &st);
    cr_assert_eq(st.wait_ns, 10 * MS);      /* wait_ns 0 clamped to the minimum */
    for (int t = 0; t <= 400; t += 4)       /* every 4 ms: 2 x 4 < 10: the minimum */
        call_at(d, t, "a");
    pk_debounce_stats_get(d, &st);
    cr_assert_eq(st.wait_ns, 10 * MS);
    for (int i = 1; i <= 60; i++)           /* every 30 ms: the average goes to 30, wait to 60 */
        call_at(d, 400 + 30 * i, "b");
    pk_debounce_stats_get(d, &st);
    cr_assert(st.wait_ns > 59 * MS && st.wait_ns <= 60 * MS, "wait %lld", (long long)st.wait_ns);
    int n30 = r.count;                       /* while the wait grew past 30 ms, gaps ended windows */
    for (int i = 1; i <= 60; i++)           /* every 200 ms: clamped to the maximum */
        call_at(d, 2200 + 200 * i, "c");
    pk_debounce_stats_get(d, &st);
    cr_assert_eq(st.wait_ns, 100 * MS);
    cr_assert_gt(r.count, n30);
    pk_debounce_free(d);
}

Test(debounce, adaptive_hard_max_wait)
{
    rec r;
    pk_debounce *d = mk_adaptive(&r, 50);
    for (fake_now = 0; fake_now <= 200 * MS; fake_now += MS)
        pk_debounce_call(d, "x");
    cr_assert_eq(r.count, 4);                /* 50, 100, 150, 200 */
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(r.at[i], 50 * (int64_t)(i + 1));
        cr_assert_eq(r.cause[i], PK_DEBOUNCE_MAXWAIT);
    }
    pk_debounce_free(d);
    d = mk_adaptive(&r, -1);                 /* no max_wait_ns: adapt_max_ns bounds it */
    for (fake_now = 0; fake_now <= 200 * MS; fake_now += MS)
        pk_debounce_call(d, "x");
    cr_assert_eq(r.count, 2);                /* 100, 200 */
    pk_debounce_free(d);
}

/* ---- metrics ---------------------------------------------------------------------------- */

Test(debounce, metrics_in_one_call)
{
    rec r;
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 32 * MS;
    o.leading = true;
    o.dedup = true;
    o.poll = true;
    o.clock = fake_clock;
    memset(&r, 0, sizeof r);
    fake_now = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire, &r, &d), PK_OK);
    pk_debounce_call(d, "a");                /* before registering: carried over (leading) */
    pk_metrics_registry *reg;
    cr_assert_eq(pk_metrics_registry_new(&reg), PK_OK);
    cr_assert_eq(pk_debounce_register_metrics(d, reg, "watch"), PK_OK);
    cr_assert_eq(pk_debounce_register_metrics(d, reg, "watch2"), PK_EINVAL);
    pk_debounce_add(d, "x", 1, NULL);
    pk_debounce_add(d, "x", 1, NULL);
    pk_debounce_add(d, "y", 1, NULL);
    advance(d, 100);                         /* trailing: x (2), y */
    pk_debounce_call(d, "b");                /* leading again */
    pk_debounce_flush(d, NULL);              /* nothing since the leading call */
    char *text;
    cr_assert_eq(pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_assert(strstr(text, "watch_calls_total 5\n"), "%s", text);
    cr_assert(strstr(text, "watch_invocations_total{cause=\"leading\"} 2\n"));
    cr_assert(strstr(text, "watch_invocations_total{cause=\"trailing\"} 1\n"));
    cr_assert(strstr(text, "watch_invocations_total{cause=\"flush\"} 0\n"));
    cr_assert(strstr(text, "watch_events_total 2\n"));
    cr_assert(strstr(text, "watch_merged_total 1\n"));
    cr_assert(strstr(text, "watch_wait_seconds 0.032\n"));
    pk_free(text);
    pk_debounce_free(d);
    pk_metrics_registry_free(reg);
}

/* ---- nesting, errors, threads, faults --------------------------------------------------- */

static void on_fire_nested(void *ud, const pk_debounce_fire *f)
{
    rec *r = ud;
    on_fire(ud, f);
    if (r->count == 1)
        pk_debounce_call(r->self, "again");  /* leading edge of... a busy window */
    if (r->count == 2)
        pk_debounce_flush(r->self, NULL);
}

Test(debounce, callback_may_call_back)
{
    rec r;
    memset(&r, 0, sizeof r);
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 32 * MS;
    o.poll = true;
    o.clock = fake_clock;
    fake_now = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire_nested, &r, &d), PK_OK);
    r.self = d;
    pk_debounce_call(d, "a");
    advance(d, 32);                          /* fires; the callback calls again */
    cr_assert_eq(r.count, 1);
    cr_assert(pk_debounce_pending(d));
    advance(d, 64);                          /* fires "again"; its callback flushes: nothing pending */
    cr_assert_eq(r.count, 2);
    cr_assert_str_eq(r.last, "again");
    pk_debounce_free(d);
}

Test(debounce, bad_arguments)
{
    pk_debounce *d = (pk_debounce *)1;
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    cr_assert_eq(pk_debounce_new(&o, NULL, NULL, &d), PK_EINVAL);
    cr_assert_null(d);
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, NULL), PK_EINVAL);
    o.wait_ns = -1;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    pk_debounce_opts_init(&o);
    o.adaptive = true;
    o.adapt_max_ns = 0;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    o.adapt_max_ns = 10;
    o.adapt_factor = 0;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    /* waits past 2^62 ns: now + wait would wrap and the timer spin forever */
    pk_debounce_opts_init(&o);
    o.wait_ns = INT64_MAX;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    o.wait_ns = 10;
    o.max_wait_ns = INT64_MAX;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    pk_debounce_opts_init(&o);
    o.adaptive = true;
    o.adapt_max_ns = INT64_MAX;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_EINVAL);
    o.adapt_max_ns = INT64_C(1) << 62;             /* the largest accepted */
    o.poll = true;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_OK);
    pk_debounce_free(d);
    cr_assert_eq(pk_debounce_add(NULL, "a", 1, NULL), PK_EINVAL);
    cr_assert_eq(pk_debounce_flush(NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_debounce_poll(NULL, NULL), PK_EINVAL);
    cr_assert_not(pk_debounce_call(NULL, NULL));
    cr_assert_not(pk_debounce_pending(NULL));
    pk_debounce_cancel(NULL);
    pk_debounce_free(NULL);
}

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fired;
    const char *arg;
} waiter;

static void on_fire_signal(void *ud, const pk_debounce_fire *f)
{
    waiter *w = ud;
    pthread_mutex_lock(&w->mu);
    w->fired++;
    w->arg = f->arg;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

Test(debounce, timer_thread_fires_trailing_edge, .timeout = 20)
{
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL};
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 20 * MS;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire_signal, &w, &d), PK_OK);
    pk_debounce_call(d, "one");
    pk_debounce_call(d, "two");
    pthread_mutex_lock(&w.mu);
    while (!w.fired)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    cr_assert_str_eq(w.arg, "two");
    int64_t next;
    pk_debounce_poll(d, &next);
    cr_assert_eq(next, -1);
    pk_debounce_free(d);
    cr_assert_eq(w.fired, 1);
    o.wait_ns = INT64_C(3600000) * MS;             /* pending when freed: dropped */
    cr_assert_eq(pk_debounce_new(&o, on_fire_signal, &w, &d), PK_OK);
    pk_debounce_call(d, "three");
    cr_assert(pk_debounce_pending(d));
    pk_debounce_free(d);
    cr_assert_eq(w.fired, 1);
}

Test(debounce, hot_path_does_not_allocate)
{
    rec r;
    pk_debounce *d = mk(&r, 32, 64, true, true);
    pk_debounce_add(d, "warm", 4, NULL);     /* the event buffers exist after one window */
    advance(d, 200);
    pk_debounce_add(d, "warm", 4, NULL);
    advance(d, 400);
    fault_arm(-1);                           /* count only */
    for (int i = 0; i < 1000; i++) {
        fake_now = (400 + i) * MS;
        pk_debounce_call(d, "x");            /* leading, maxWait and trailing edges */
        pk_debounce_poll(d, NULL);
    }
    for (int i = 0; i < 12; i++)             /* fits the recycled buffer: no growth */
        pk_debounce_add(d, "same", 4, NULL);
    long req = fault_requests();
    fault_disarm();
    cr_assert_eq(req, 0, "%ld allocations on the hot path", req);
    cr_assert_gt(r.count, 10);
    pk_debounce_free(d);
}

Test(debounce, allocation_failures_leak_nothing)
{
    for (long k = 0; k < 16; k++) {
        rec r;
        memset(&r, 0, sizeof r);
        fake_now = 0;
        pk_debounce_opts o;
        pk_debounce_opts_init(&o);
        o.wait_ns = 10 * MS;
        o.poll = true;
        o.dedup = true;
        o.clock = fake_clock;
        fault_arm(k);
        pk_debounce *d;
        pk_err e = pk_debounce_new(&o, on_fire, &r, &d);
        if (e != PK_OK) {
            cr_assert_eq(e, PK_ENOMEM);
            fault_disarm();
            cr_assert_eq(fault_live(), 0);
            continue;
        }
        int lost = 0;
        for (int i = 0; i < 40; i++) {
            char p[16];
            snprintf(p, sizeof p, "e%d", i);
            if (pk_debounce_add(d, p, strlen(p), NULL) == PK_ENOMEM)
                lost++;
        }
        advance(d, 20);
        cr_assert_eq(r.count, 1);            /* the calls still count */
        pk_debounce_free(d);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when request %ld fails", k);
    }
}

/* With a timer thread, pk_debounce_poll only reports (as the header says):
 * a due window is the timer thread's to run, never the poller's. */
static _Atomic int64_t tclock_now;
static int64_t tclock(void *ud)
{
    (void)ud;
    return atomic_load(&tclock_now);
}
static pthread_t poller;
static _Atomic int fired_on_poller, fired;
static void on_fire_tid(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    (void)f;
    if (pthread_equal(pthread_self(), poller))
        atomic_store(&fired_on_poller, 1);
    atomic_fetch_add(&fired, 1);
}

Test(debounce, poll_with_a_timer_thread_only_reports)
{
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 3600 * INT64_C(1000000000);   /* the timer thread sleeps an hour */
    o.clock = tclock;
    atomic_store(&tclock_now, 0);
    poller = pthread_self();
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire_tid, NULL, &d), PK_OK);
    pk_debounce_call(d, NULL);
    atomic_store(&tclock_now, o.wait_ns + 1);   /* due, on the fake clock */
    int64_t next = 0;
    cr_assert_eq(pk_debounce_poll(d, &next), PK_OK);
    cr_assert_not(atomic_load(&fired_on_poller), "poll ran the callback itself");
    cr_assert(next == -1 || next == o.wait_ns, "next %lld", (long long)next);
    pk_debounce_free(d);
}
