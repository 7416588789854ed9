/* test_batch.c — pk_batch: flush triggers (items, bytes, delay, flush),
 * priorities, singleflight (duplicates never counted, every waiter answered
 * once, joins while running), per-item and whole-batch errors, the TTL
 * result cache, metrics, teardown, threads, faults. Poll mode on a fake
 * clock makes every trigger exact. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "fault.h"
#include "perfkit/batch.h"

#define MS PK_BATCH_MS

static int64_t fake_now;
static int64_t fake_clock(void *ud)
{
    (void)ud;
    return fake_now;
}
static int64_t fake_core_clock(void *ud, pk__clock_id id)
{
    (void)ud;
    (void)id;
    return fake_now;
}

/* ---- a batch function that answers "v:<key>" and records its batches ------ */

typedef struct world {
    int batches;
    char log[16][128];         /* "k1 k2 " per batch (key:waiters with waiters > 1) */
    int calls_per_key[64];
    pk_batch *self;            /* for joins from inside the batch function */
    int fail_mode;             /* 1: keys ending in an odd digit fail; 2: leave them unanswered */
    pk_err whole;              /* returned by the function */
} world;

static int key_num(const void *k, size_t n)
{
    char buf[16] = {0};
    memcpy(buf, k, n < 15 ? n : 15);
    int x = -1;
    sscanf(buf, "k%d", &x);
    return x;
}

typedef struct answer {
    int calls;
    pk_err err;
    char val[64];
} answer;

static void on_done(void *ud, pk_err err, const void *val, size_t vlen)
{
    answer *a = ud;
    a->calls++;
    a->err = err;
    snprintf(a->val, sizeof a->val, "%.*s", (int)vlen, val ? (const char *)val : "");
}

static pk_err batch_fn(void *ud, pk_batch_item *it, size_t n)
{
    world *w = ud;
    int bi = w->batches++;
    cr_assert_lt(bi, 16);
    w->log[bi][0] = 0;
    for (size_t i = 0; i < n; i++) {
        char one[32];
        int k = key_num(it[i].key, it[i].klen);
        if (it[i].waiters > 1)
            snprintf(one, sizeof one, "%.*s:%u ", (int)it[i].klen, (const char *)it[i].key, it[i].waiters);
        else
            snprintf(one, sizeof one, "%.*s ", (int)it[i].klen, (const char *)it[i].key);
        strncat(w->log[bi], one, sizeof w->log[bi] - strlen(w->log[bi]) - 1);
        if (k >= 0 && k < 64)
            w->calls_per_key[k]++;
        if (w->fail_mode && k % 2 == 1) {
            if (w->fail_mode == 1)
                pk_batch_set(&it[i], PK_EIO, NULL, 0);
            continue;
        }
        char v[64];
        int vl = snprintf(v, sizeof v, "v:%.*s%.*s", (int)it[i].klen, (const char *)it[i].key,
                          (int)it[i].len, (const char *)it[i].data);
        if (vl >= (int)sizeof v)
            vl = (int)sizeof v - 1;
        pk_err se = pk_batch_set(&it[i], PK_OK, v, (size_t)vl);
        cr_assert(se == PK_OK || se == PK_ENOMEM);   /* ENOMEM: the fault test */
    }
    return w->whole;
}

static pk_batch *mk(world *w, size_t max_items, size_t max_bytes, int64_t delay_ms, unsigned prios)
{
    memset(w, 0, sizeof *w);
    fake_now = 0;
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.max_items = max_items;
    o.max_bytes = max_bytes;
    o.max_delay_ns = delay_ms * MS;
    o.priorities = prios;
    o.poll = true;
    o.clock = fake_clock;
    pk_batch *b;
    cr_assert_eq(pk_batch_new(&o, batch_fn, w, &b), PK_OK);
    w->self = b;
    return b;
}

static void add(pk_batch *b, const char *key, unsigned prio, answer *a)
{
    cr_assert_eq(pk_batch_add(b, key, strlen(key), NULL, 0, prio, on_done, a), PK_OK);
}

static size_t poll(pk_batch *b)
{
    size_t ran;
    cr_assert_eq(pk_batch_poll(b, NULL, &ran), PK_OK);
    return ran;
}

/* ---- triggers ---------------------------------------------------------------- */

Test(batch, flushes_on_max_items)
{
    world w;
    pk_batch *b = mk(&w, 4, 0, 10, 1);
    answer a[5] = {0};
    add(b, "k0", 0, &a[0]);
    add(b, "k1", 0, &a[1]);
    add(b, "k2", 0, &a[2]);
    cr_assert_eq(poll(b), 0);
    add(b, "k3", 0, &a[3]);
    add(b, "k4", 0, &a[4]);
    cr_assert_eq(poll(b), 1);                /* k0..k3; k4 waits for its delay */
    cr_assert_str_eq(w.log[0], "k0 k1 k2 k3 ");
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(a[i].calls, 1);
        cr_assert_eq(a[i].err, PK_OK);
    }
    cr_assert_str_eq(a[2].val, "v:k2");
    cr_assert_eq(a[4].calls, 0);
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.by_reason[PK_BATCH_FULL_ITEMS], 1);
    cr_assert_eq(st.queued, 1);
    pk_batch_free(b);                        /* runs k4 */
    cr_assert_eq(a[4].calls, 1);
    cr_assert_str_eq(a[4].val, "v:k4");
}

Test(batch, duplicates_never_count_toward_the_size)
{
    world w;
    pk_batch *b = mk(&w, 3, 0, 10, 1);
    answer a[6] = {0};
    add(b, "k1", 0, &a[0]);
    add(b, "k1", 0, &a[1]);
    add(b, "k1", 0, &a[2]);
    add(b, "k2", 0, &a[3]);
    add(b, "k2", 0, &a[4]);
    cr_assert_eq(poll(b), 0);                /* 5 adds, 2 distinct keys: not full */
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.queued, 2);
    cr_assert_eq(st.duplicates, 3);
    add(b, "k3", 0, &a[5]);
    cr_assert_eq(poll(b), 1);
    cr_assert_str_eq(w.log[0], "k1:3 k2:2 k3 ");
    for (int i = 0; i < 6; i++)
        cr_assert_eq(a[i].calls, 1, "add %d answered %d times", i, a[i].calls);
    cr_assert_str_eq(a[1].val, "v:k1");
    cr_assert_str_eq(a[4].val, "v:k2");
    cr_assert_eq(w.calls_per_key[1], 1);
    pk_batch_free(b);
}

Test(batch, flushes_on_max_bytes)
{
    world w;
    pk_batch *b = mk(&w, 100, 12, 10, 1);
    answer a[4] = {0};
    cr_assert_eq(pk_batch_add(b, "k1", 2, "abcd", 4, 0, on_done, &a[0]), PK_OK);   /* 6 bytes */
    cr_assert_eq(pk_batch_add(b, "k1", 2, "zzzzzzzzzz", 10, 0, on_done, &a[1]), PK_OK); /* dup: 0 */
    cr_assert_eq(poll(b), 0);
    cr_assert_eq(pk_batch_add(b, "k2", 2, "abcd", 4, 0, on_done, &a[2]), PK_OK);   /* 12 */
    cr_assert_eq(pk_batch_add(b, "k3", 2, "ab", 2, 0, on_done, &a[3]), PK_OK);     /* 16 */
    cr_assert_eq(poll(b), 1);                /* k1 k2 (12 bytes); k3 would pass max_bytes */
    cr_assert_str_eq(w.log[0], "k1:2 k2 ");
    cr_assert_str_eq(a[1].val, "v:k1abcd");  /* the first add's data */
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.by_reason[PK_BATCH_FULL_BYTES], 1);
    cr_assert_eq(st.queued, 1);
    pk_batch_free(b);
}

Test(batch, flushes_on_max_delay)
{
    world w;
    pk_batch *b = mk(&w, 100, 0, 5, 1);
    answer a[2] = {0};
    add(b, "k1", 0, &a[0]);
    fake_now = 3 * MS;
    add(b, "k2", 0, &a[1]);
    int64_t next;
    size_t ran;
    fake_now = 5 * MS - 1;
    pk_batch_poll(b, &next, &ran);
    cr_assert_eq(ran, 0);
    cr_assert_eq(next, 5 * MS);              /* the oldest (k1, at 0) + 5 ms */
    fake_now = 5 * MS;
    pk_batch_poll(b, &next, &ran);
    cr_assert_eq(ran, 1);                    /* both: a batch takes what is queued */
    cr_assert_eq(next, -1);
    cr_assert_str_eq(w.log[0], "k1 k2 ");
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.by_reason[PK_BATCH_DELAY], 1);
    pk_batch_free(b);
}

Test(batch, priorities_run_first)
{
    world w;
    pk_batch *b = mk(&w, 2, 0, 10, 3);
    answer a[5] = {0};
    add(b, "k1", 0, &a[0]);
    add(b, "k2", 0, &a[1]);
    add(b, "k3", 2, &a[2]);
    add(b, "k4", 1, &a[3]);
    add(b, "k5", 2, &a[4]);
    size_t ran;
    pk_batch_flush(b, &ran);
    cr_assert_eq(ran, 3);
    cr_assert_str_eq(w.log[0], "k3 k5 ");
    cr_assert_str_eq(w.log[1], "k4 k1 ");
    cr_assert_str_eq(w.log[2], "k2 ");
    cr_assert_eq(pk_batch_add(b, "x", 1, NULL, 0, 3, on_done, &a[0]), PK_EINVAL);
    pk_batch_free(b);
}

/* ---- errors ------------------------------------------------------------------------ */

Test(batch, per_item_errors)
{
    world w;
    pk_batch *b = mk(&w, 10, 0, 10, 1);
    w.fail_mode = 1;
    answer a[4] = {0};
    for (int i = 0; i < 4; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        add(b, k, 0, &a[i]);
    }
    answer dup = {0};
    add(b, "k1", 0, &dup);
    pk_batch_flush(b, NULL);
    cr_assert_eq(a[0].err, PK_OK);
    cr_assert_eq(a[1].err, PK_EIO);
    cr_assert_eq(dup.err, PK_EIO);
    cr_assert_eq(dup.calls, 1);
    cr_assert_eq(a[2].err, PK_OK);
    cr_assert_eq(a[3].err, PK_EIO);
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.errors, 2);              /* per distinct key */
    pk_batch_free(b);
}

Test(batch, unanswered_items_get_the_batch_error)
{
    world w;
    pk_batch *b = mk(&w, 10, 0, 10, 1);
    w.fail_mode = 2;                         /* odd keys left unanswered */
    answer a[2] = {0};
    add(b, "k0", 0, &a[0]);
    add(b, "k1", 0, &a[1]);
    pk_batch_flush(b, NULL);
    cr_assert_eq(a[0].err, PK_OK);
    cr_assert_eq(a[1].err, PK_ENOENT);
    w.whole = PK_ETIMEDOUT;
    add(b, "k2", 0, &a[0]);
    add(b, "k3", 0, &a[1]);
    pk_batch_flush(b, NULL);
    cr_assert_eq(a[0].err, PK_OK);           /* answered before the batch failed */
    cr_assert_eq(a[1].err, PK_ETIMEDOUT);
    pk_batch_free(b);
}

/* ---- singleflight while running ------------------------------------------------------- */

static answer joined[3];
static pk_err batch_fn_joining(void *ud, pk_batch_item *it, size_t n)
{
    world *w = ud;
    if (w->batches == 0) {                   /* first batch: join k1 while it runs, queue k9 */
        for (int i = 0; i < 2; i++)
            cr_assert_eq(pk_batch_add(w->self, "k1", 2, NULL, 0, 0, on_done, &joined[i]), PK_OK);
        cr_assert_eq(pk_batch_add(w->self, "k9", 2, NULL, 0, 0, on_done, &joined[2]), PK_OK);
    }
    return batch_fn(ud, it, n);
}

Test(batch, adds_join_a_running_key)
{
    world w;
    memset(&w, 0, sizeof w);
    memset(joined, 0, sizeof joined);
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.poll = true;
    o.clock = fake_clock;
    pk_batch *b;
    cr_assert_eq(pk_batch_new(&o, batch_fn_joining, &w, &b), PK_OK);
    w.self = b;
    answer a = {0};
    add(b, "k1", 0, &a);
    size_t ran;
    pk_batch_flush(b, &ran);
    cr_assert_eq(ran, 2);                    /* k1, then k9 queued during the first */
    cr_assert_eq(w.calls_per_key[1], 1);     /* one call for k1 and its three waiters */
    cr_assert_eq(a.calls, 1);
    cr_assert_eq(joined[0].calls, 1);
    cr_assert_eq(joined[1].calls, 1);
    cr_assert_str_eq(joined[1].val, "v:k1");
    cr_assert_eq(joined[2].calls, 1);
    cr_assert_str_eq(joined[2].val, "v:k9");
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.duplicates, 2);
    cr_assert_eq(st.in_flight, 0);
    pk_batch_free(b);
}

/* ---- cache ------------------------------------------------------------------------------- */

Test(batch, results_cached_with_ttl)
{
    world w;
    memset(&w, 0, sizeof w);
    fake_now = 0;
    pk__clock_set(fake_core_clock, NULL);    /* pk_cache's TTL clock */
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.poll = true;
    o.clock = fake_clock;
    o.cache_entries = 100;
    o.cache_ttl_ns = 10 * MS;
    pk_batch *b;
    cr_assert_eq(pk_batch_new(&o, batch_fn, &w, &b), PK_OK);
    w.fail_mode = 1;
    answer a = {0}, c = {0}, e = {0};
    add(b, "k2", 0, &a);
    add(b, "k3", 0, &e);                     /* fails: not cached */
    pk_batch_flush(b, NULL);
    cr_assert_eq(w.batches, 1);
    fake_now = 9 * MS;
    add(b, "k2", 0, &c);                     /* answered at once from the cache */
    cr_assert_eq(c.calls, 1);
    cr_assert_str_eq(c.val, "v:k2");
    add(b, "k3", 0, &e);
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    cr_assert_eq(st.cache_hits, 1);
    cr_assert_eq(st.queued, 1);              /* k3 asked again */
    pk_batch_flush(b, NULL);
    fake_now = 10 * MS;                      /* k2 expired */
    add(b, "k2", 0, &c);
    cr_assert_eq(c.calls, 1);
    pk_batch_flush(b, NULL);
    cr_assert_eq(c.calls, 2);
    cr_assert_eq(w.calls_per_key[2], 2);
    pk_batch_free(b);
    pk__clock_set(NULL, NULL);
}

/* ---- metrics, teardown, bad input ------------------------------------------------------- */

Test(batch, metrics_in_one_call)
{
    world w;
    pk_batch *b = mk(&w, 2, 0, 10, 1);
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    answer a[3] = {0};
    add(b, "k1", 0, &a[0]);                  /* before registering: carried over */
    cr_assert_eq(pk_batch_register_metrics(b, r, "lookup"), PK_OK);
    cr_assert_eq(pk_batch_register_metrics(b, r, "lookup"), PK_EINVAL);
    add(b, "k1", 0, &a[1]);
    add(b, "k2", 0, &a[2]);
    poll(b);
    char *text;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_assert(strstr(text, "lookup_adds_total 3\n"), "%s", text);
    cr_assert(strstr(text, "lookup_duplicates_total 1\n"));
    cr_assert(strstr(text, "lookup_batches_total{reason=\"items\"} 1\n"));
    cr_assert(strstr(text, "lookup_items_total 2\n"));
    cr_assert(strstr(text, "lookup_queued 0\n"));
    cr_assert(strstr(text, "lookup_batch_size_count 1\n"));
    pk_free(text);
    pk_batch_free(b);
    pk_metrics_registry_free(r);
}

Test(batch, free_answers_everything_queued)
{
    world w;
    pk_batch *b = mk(&w, 2, 0, 1000, 1);
    answer a[5] = {0};
    for (int i = 0; i < 5; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i % 3);
        add(b, k, 0, &a[i]);
    }
    pk_batch_free(b);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(a[i].calls, 1);
    cr_assert_eq(w.batches, 2);
}

Test(batch, bad_arguments)
{
    pk_batch *b = (pk_batch *)1;
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    cr_assert_eq(pk_batch_new(&o, NULL, NULL, &b), PK_EINVAL);
    cr_assert_null(b);
    o.max_items = 0;
    cr_assert_eq(pk_batch_new(&o, batch_fn, NULL, &b), PK_EINVAL);
    pk_batch_opts_init(&o);
    o.priorities = PK_BATCH_MAX_PRIORITIES + 1;
    cr_assert_eq(pk_batch_new(&o, batch_fn, NULL, &b), PK_EINVAL);
    pk_batch_opts_init(&o);
    o.max_delay_ns = -1;
    cr_assert_eq(pk_batch_new(&o, batch_fn, NULL, &b), PK_EINVAL);
    world w;
    b = mk(&w, 4, 0, 1, 1);
    cr_assert_eq(pk_batch_add(b, "k", 1, NULL, 0, 0, NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_batch_add(b, NULL, 1, NULL, 0, 0, on_done, NULL), PK_EINVAL);
    cr_assert_eq(pk_batch_add(NULL, "k", 1, NULL, 0, 0, on_done, NULL), PK_EINVAL);
    cr_assert_eq(pk_batch_set(NULL, PK_OK, NULL, 0), PK_EINVAL);
    cr_assert_eq(pk_batch_poll(NULL, NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_batch_flush(NULL, NULL), PK_EINVAL);
    pk_batch_free(b);
    pk_batch_free(NULL);
}

/* ---- threads (real clock) --------------------------------------------------------------- */

static pk_batch *shared;
static void *caller(void *p)
{
    long t = *(const long *)p;
    for (int i = 0; i < 500; i++) {
        char k[16], buf[64];
        int kl = snprintf(k, sizeof k, "k%d", (int)(((long)i * 7 + t) % 20));
        size_t n = 0;
        pk_err e = pk_batch_call(shared, k, (size_t)kl, NULL, 0, 0, buf, sizeof buf, &n);
        cr_assert_eq(e, PK_OK);
        cr_assert_eq(n, (size_t)kl + 2);
        cr_assert_eq(memcmp(buf + 2, k, (size_t)kl), 0);
    }
    return NULL;
}

static pk_err plain_fn(void *ud, pk_batch_item *it, size_t n)
{
    (void)ud;
    for (size_t i = 0; i < n; i++) {
        char v[64];
        int vl = snprintf(v, sizeof v, "v:%.*s", (int)it[i].klen, (const char *)it[i].key);
        pk_batch_set(&it[i], PK_OK, v, (size_t)vl);
    }
    return PK_OK;
}

Test(batch, threads_block_on_calls, .timeout = 60)
{
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.max_items = 8;
    o.max_delay_ns = 200000;
    cr_assert_eq(pk_batch_new(&o, plain_fn, NULL, &shared), PK_OK);
    pthread_t th[4];
    static long ids[4] = {0, 1, 2, 3};
    for (int t = 0; t < 4; t++)
        pthread_create(&th[t], NULL, caller, &ids[t]);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    pk_batch_stats st;
    pk_batch_stats_get(shared, &st);
    cr_assert_eq(st.adds, 2000);
    cr_assert_eq(st.items + st.duplicates, 2000);
    cr_assert_leq(st.max_batch, 8);
    char small[2];
    size_t n;
    cr_assert_eq(pk_batch_call(shared, "k1", 2, NULL, 0, 0, small, sizeof small, &n), PK_ERANGE);
    cr_assert_eq(n, 4);
    pk_batch_free(shared);
}

Test(batch, steady_state_adds_do_not_allocate)
{
    world w;
    pk_batch *b = mk(&w, 64, 0, 10, 1);
    static answer a[128];
    char k[16];
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            fault_arm(-1);                   /* count only: nodes and waiters are recycled */
        for (int i = 0; i < 64; i++) {
            snprintf(k, sizeof k, "k%d", i);
            cr_assert_eq(pk_batch_add(b, k, strlen(k), "data", 4, 0, on_done, &a[i]), PK_OK);
            cr_assert_eq(pk_batch_add(b, k, strlen(k), NULL, 0, 0, on_done, &a[64 + i]), PK_OK);
        }
        if (round == 1) {
            long req = fault_requests();
            fault_disarm();
            cr_assert_eq(req, 0, "%ld allocations in 128 adds", req);
        }
        pk_batch_flush(b, NULL);
    }
    pk_batch_free(b);
}

Test(batch, allocation_failures_leak_nothing)
{
    for (long k = 0; k < 40; k++) {
        world w;
        memset(&w, 0, sizeof w);
        fake_now = 0;
        pk_batch_opts o;
        pk_batch_opts_init(&o);
        o.poll = true;
        o.clock = fake_clock;
        o.max_items = 4;
        fault_arm(k);
        pk_batch *b;
        pk_err e = pk_batch_new(&o, batch_fn, &w, &b);
        if (e != PK_OK) {
            cr_assert_eq(e, PK_ENOMEM);
            fault_disarm();
            cr_assert_eq(fault_live(), 0);
            continue;
        }
        answer a[12] = {0};
        bool ok[12];
        for (int i = 0; i < 12; i++) {
            char key[100];
            int kl = snprintf(key, sizeof key, "k%d%s", i % 7, i % 3 ? "" : "-long-key-that-does-not-fit-inline-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            ok[i] = pk_batch_add(b, key, (size_t)kl, NULL, 0, 0, on_done, &a[i]) == PK_OK;
            poll(b);
        }
        pk_batch_free(b);
        fault_disarm();
        for (int i = 0; i < 12; i++)
            cr_assert_eq(a[i].calls, ok[i] ? 1 : 0, "fail %ld: add %d answered %d times", k, i, a[i].calls);
        cr_assert_eq(fault_live(), 0, "leak when request %ld fails", k);
    }
}

/* A huge max_items (its array size would wrap: cap * 8 > SIZE_MAX) is sized
 * by the keys queued: every key runs and is answered, no overflow. */
Test(batch, huge_max_items_runs_what_is_queued)
{
    world w;
    pk_batch *b = mk(&w, ((size_t)1 << 61) + 1, 0, 10, 1);
    answer a[3] = {0};
    add(b, "k0", 0, &a[0]);
    add(b, "k1", 0, &a[1]);
    add(b, "k2", 0, &a[2]);
    size_t ran;
    cr_assert_eq(pk_batch_flush(b, &ran), PK_OK);
    cr_assert_eq(ran, 1);
    cr_assert_str_eq(w.log[0], "k0 k1 k2 ");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(a[i].calls, 1);
    pk_batch_free(b);
}
