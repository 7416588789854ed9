/* test_pool.c — pk_pool: options, get/put, limits, preallocation, thread
 * caches, cross-thread returns, debug mode, statistics, metrics, faults. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "perfkit/pool.h"

static pk_pool *mk(size_t size, void (*tweak)(pk_pool_opts *))
{
    pk_pool_opts o;
    pk_pool_opts_init(&o);
    o.obj_size = size;
    if (tweak)
        tweak(&o);
    pk_pool *p = NULL;
    cr_assert_eq(pk_pool_new(&o, &p), PK_OK);
    return p;
}

static pk_pool_stats stats(pk_pool *p)
{
    pk_pool_stats st;
    cr_assert_eq(pk_pool_stats_get(p, &st), PK_OK);
    return st;
}

Test(pool, rejects_bad_options)
{
    pk_pool_opts o;
    pk_pool *p = (pk_pool *)&o;
    pk_pool_opts_init(&o);
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "obj_size 0");
    cr_expect_null(p);
    cr_expect_eq(pk_pool_new(&o, NULL), PK_EINVAL);
    o.obj_size = 8;
    o.align = 24;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "align not a power of two");
    o.align = 8192;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "align > 4096");
    o.align = 0;
    o.cache_size = 5000;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "cache_size");
    o.cache_size = 64;
    o.max_objects = 10;
    o.prealloc = 11;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "prealloc > max_objects");
    o.prealloc = 0;
    o.per_slab = ((size_t)1 << 20) + 1;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "per_slab");
    o.per_slab = 64;
    o.obj_size = ((size_t)1 << 30) + 1;
    cr_expect_eq(pk_pool_new(&o, &p), PK_EINVAL, "obj_size > 1 GiB");
    cr_expect_null(p);
    cr_expect_eq(pk_pool_stats_get(NULL, NULL), PK_EINVAL);
    pk_pool_free(NULL);
    pk_pool_flush(NULL);
}

Test(pool, natural_alignment)
{
    static const size_t sizes[][2] = {{1, 1}, {3, 4}, {8, 8}, {12, 16}, {24, 16}, {100, 16}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pk_pool *p = mk(sizes[i][0], NULL);
        cr_expect_eq(pk_pool_align(p), sizes[i][1], "size %zu", sizes[i][0]);
        cr_expect_eq(pk_pool_obj_size(p), sizes[i][0]);
        pk_pool_free(p);
    }
}

static void align_256(pk_pool_opts *o) { o->align = 256; }

Test(pool, distinct_aligned_writable_objects)
{
    pk_pool *p = mk(40, align_256);
    enum { N = 1000 };
    static unsigned char *objs[N];
    for (int i = 0; i < N; i++) {
        objs[i] = pk_pool_get(p);
        cr_assert_not_null(objs[i]);
        cr_assert_eq((uintptr_t)objs[i] % 256, 0);
        memset(objs[i], i & 0xff, 40);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 40; j++)
            cr_assert_eq(objs[i][j], i & 0xff, "object %d was overwritten", i);
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.in_use, N);
    cr_expect_eq(st.capacity, 64 + 128 + 256 + 512 + 1024, "slabs double from per_slab");
    cr_expect_eq(st.slabs, 5);
    for (int i = 0; i < N; i++)
        pk_pool_put(p, objs[i]);
    st = stats(p);
    cr_expect_eq(st.in_use, 0);
    cr_expect_eq(st.cached + st.free, st.capacity);
    cr_expect_leq(st.cached, 64);
    cr_expect_geq(st.peak, N);
    cr_expect_leq(st.peak, N + 32);
    cr_expect_gt(st.flushes, 0);
    pk_pool_put(p, NULL);   /* a no-op */
    pk_pool_free(p);
}

static void limit_100(pk_pool_opts *o)
{
    o->max_objects = 100;
    o->per_slab = 16;
}

Test(pool, max_objects_then_null)
{
    pk_pool *p = mk(16, limit_100);
    void *objs[100];
    for (int i = 0; i < 100; i++)
        cr_assert_not_null(objs[i] = pk_pool_get(p), "get %d", i);
    cr_expect_null(pk_pool_get(p));
    cr_expect_null(pk_pool_get(p));
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.exhausted, 2);
    cr_expect_eq(st.capacity, 100, "the last slab is trimmed to the limit");
    cr_expect_eq(st.in_use, 100);
    pk_pool_put(p, objs[7]);
    cr_expect_eq(pk_pool_get(p), objs[7]);
    pk_pool_free(p);
}

static void prealloc_5000(pk_pool_opts *o)
{
    o->prealloc = 5000;
    o->prefault = true;
}

Test(pool, prealloc_then_no_allocation)
{
    fault_arm(-1);
    pk_pool *p = mk(64, prealloc_5000);
    pk_pool_stats st = stats(p);
    cr_expect_geq(st.capacity, 5000);
    cr_expect_eq(st.in_use, 0);
    cr_expect_eq(st.free, st.capacity);
    long before = fault_requests();
    void *objs[5000];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5000; i++)
            cr_assert_not_null(objs[i] = pk_pool_get(p));
        for (int i = 0; i < 5000; i++)
            pk_pool_put(p, objs[i]);
    }
    for (int i = 0; i < 100000; i++)
        pk_pool_put(p, pk_pool_get(p));
    /* the thread's cache record is this thread's one allocation */
    cr_expect_eq(fault_requests() - before, 1, "%ld allocations", fault_requests() - before);
    cr_expect_eq(stats(p).slabs, st.slabs, "no slab after creation");
    pk_pool_free(p);
    fault_disarm();
    cr_expect_eq(fault_live(), 0);
}

Test(pool, new_fails_cleanly_on_every_allocation)
{
    for (long k = 0; k < 20; k++) {
        fault_arm(k);
        pk_pool_opts o;
        pk_pool_opts_init(&o);
        o.obj_size = 32;
        o.prealloc = 1000;
        pk_pool *p = NULL;
        pk_err e = pk_pool_new(&o, &p);
        long req = fault_requests();
        if (e == PK_OK) {
            void *x = pk_pool_get(p);   /* may fail: the cache record */
            pk_pool_put(p, x);
            pk_pool_free(p);
        } else {
            cr_expect_eq(e, PK_ENOMEM);
            cr_expect_null(p);
        }
        fault_disarm();
        cr_expect_eq(fault_live(), 0, "leak after failing request %ld", k);
        if (e == PK_OK && k >= req)
            break;
    }
}

Test(pool, get_survives_failed_allocations)
{
    pk_pool *p = mk(32, NULL);
    fault_arm_from(0);   /* no cache record, no slab */
    cr_expect_null(pk_pool_get(p));
    cr_expect_eq(stats(p).exhausted, 1);
    fault_disarm();
    void *x = pk_pool_get(p);
    cr_expect_not_null(x);
    pk_pool_put(p, x);
    pk_pool_free(p);
}

static void no_cache(pk_pool_opts *o) { o->cache_size = 0; }

Test(pool, without_thread_caches)
{
    pk_pool *p = mk(24, no_cache);
    void *a = pk_pool_get(p), *b = pk_pool_get(p);
    cr_assert(a && b && a != b);
    pk_pool_put(p, a);
    cr_expect_eq(pk_pool_get(p), a, "LIFO through the depot");
    pk_pool_put(p, a);
    pk_pool_put(p, b);
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.in_use, 0);
    cr_expect_eq(st.cached, 0);
    cr_expect_eq(st.threads, 0);
    pk_pool_free(p);
}

Test(pool, many_pools_share_the_slots)
{
    enum { NP = 40 };
    pk_pool *ps[NP];
    void *held[NP][3];
    for (int i = 0; i < NP; i++)
        ps[i] = mk(8 + (size_t)i, NULL);
    for (int r = 0; r < 50; r++)
        for (int i = 0; i < NP; i++) {
            for (int j = 0; j < 3; j++) {
                held[i][j] = pk_pool_get(ps[i]);
                memset(held[i][j], i, 8);
            }
            for (int j = 0; j < 3; j++) {
                cr_assert_eq(((unsigned char *)held[i][j])[7], i);
                pk_pool_put(ps[i], held[i][j]);
            }
        }
    for (int i = 0; i < NP; i++) {
        pk_pool_stats st = stats(ps[i]);
        cr_expect_eq(st.in_use, 0);
        cr_expect_eq(st.threads, 1);
        cr_expect_eq(st.capacity, 64);
        pk_pool_free(ps[i]);
    }
    /* a new pool after frees never reuses a stale slot */
    pk_pool *q = mk(8, NULL);
    void *x = pk_pool_get(q);
    pk_pool_put(q, x);
    cr_expect_eq(stats(q).in_use, 0);
    pk_pool_free(q);
}

/* ---- threads ------------------------------------------------------------------ */

enum { XN = 1000 };

typedef struct handoff {
    pk_pool *p;
    void *objs[XN];
} handoff;

static void *put_all(void *v)
{
    handoff *h = v;
    for (int i = 0; i < XN; i++)
        pk_pool_put(h->p, h->objs[i]);
    return NULL;   /* exits: its cache is flushed to the depot */
}

Test(pool, cross_thread_returns_are_reused)
{
    handoff h;
    h.p = mk(48, NULL);
    for (int i = 0; i < XN; i++)
        h.objs[i] = pk_pool_get(h.p);
    pk_pool_stats st = stats(h.p);
    cr_expect_eq(st.in_use, XN);
    uint64_t cap = st.capacity, mine = st.cached;   /* this thread's refill leftovers */
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, put_all, &h), 0);
    pthread_join(t, NULL);
    st = stats(h.p);
    cr_expect_eq(st.in_use, 0);
    cr_expect_eq(st.cached, mine, "the exited thread's cache went to the depot");
    cr_expect_eq(st.threads, 2);
    for (int i = 0; i < XN; i++)
        cr_assert_not_null(pk_pool_get(h.p));
    st = stats(h.p);
    cr_expect_eq(st.capacity, cap, "the pool did not grow: objects came back");
    cr_expect_eq(st.in_use, XN);
    /* a new thread adopts the exited thread's record */
    for (int i = 0; i < XN; i++)
        h.objs[i] = pk_pool_get(h.p);
    cr_assert_eq(pthread_create(&t, NULL, put_all, &h), 0);
    pthread_join(t, NULL);
    cr_expect_eq(stats(h.p).threads, 2);
    pk_pool_free(h.p);
}

typedef struct hammer_arg {
    pk_pool *p;
    unsigned id;
    int bad;
} hammer_arg;

static void *hammer(void *v)
{
    hammer_arg *a = v;
    uint64_t x = a->id * 0x9e3779b97f4a7c15ull + 1;
    uint32_t *held[64];
    int n = 0;
    for (int op = 0; op < 200000; op++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if ((n < 64 && (x & 1)) || n == 0) {
            uint32_t *o = pk_pool_get(a->p);
            if (!o) {
                a->bad++;
                continue;
            }
            o[0] = a->id;
            o[1] = (uint32_t)op;
            o[2] = a->id ^ (uint32_t)op;
            held[n++] = o;
        } else {
            uint32_t *o = held[--n];
            if (o[0] != a->id || o[2] != (o[0] ^ o[1]))
                a->bad++;   /* another thread got it while we held it */
            pk_pool_put(a->p, o);
        }
    }
    while (n)
        pk_pool_put(a->p, held[--n]);
    return NULL;
}

Test(pool, threads_never_share_an_object, .timeout = 60)
{
    pk_pool *p = mk(12, NULL);
    enum { T = 4 };
    pthread_t t[T];
    hammer_arg a[T];
    for (unsigned i = 0; i < T; i++) {
        a[i] = (hammer_arg){p, i + 1, 0};
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, &a[i]), 0);
    }
    for (unsigned i = 0; i < T; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(a[i].bad, 0, "thread %u", i);
    }
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.in_use, 0);
    cr_expect_eq(st.cached, 0);
    cr_expect_eq(st.free, st.capacity);
    cr_expect_leq(st.peak, st.capacity);
    pk_pool_free(p);
}

/* ---- debug mode ------------------------------------------------------------------ */

static struct {
    int n[4];
    void *last;
    pk_pool *pool;
} seen;

static void on_fault(void *ud, pk_pool *p, pk_pool_fault kind, void *obj)
{
    cr_assert_eq(ud, &seen);
    seen.n[kind]++;
    seen.last = obj;
    seen.pool = p;
}

static void debug_opts(pk_pool_opts *o)
{
    o->debug = true;
    o->on_fault = on_fault;
    o->fault_ud = &seen;
}

Test(pool, debug_double_free_is_reported_and_ignored)
{
    pk_pool *p = mk(32, debug_opts);
    unsigned char *a = pk_pool_get(p), *b = pk_pool_get(p);
    for (int i = 0; i < 32; i++)
        cr_assert_eq(a[i], PK_POOL_POISON_NEW);
    pk_pool_put(p, a);
    for (int i = 0; i < 32; i++)
        cr_assert_eq(a[i], PK_POOL_POISON_FREE);
    pk_pool_put(p, a);
    cr_expect_eq(seen.n[PK_POOL_DOUBLE_FREE], 1);
    cr_expect_eq(seen.last, a);
    cr_expect_eq(seen.pool, p);
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.double_frees, 1);
    cr_expect_eq(st.in_use, 1, "the second put changed nothing");
    /* a is handed out once, not twice */
    void *c = pk_pool_get(p), *d = pk_pool_get(p);
    cr_expect_eq(c, a);
    cr_expect_neq(d, a);
    pk_pool_put(p, b);
    pk_pool_put(p, c);
    pk_pool_put(p, d);
    cr_expect_eq(stats(p).in_use, 0);
    pk_pool_free(p);
}

Test(pool, debug_foreign_and_misaligned_pointers)
{
    pk_pool *p = mk(32, debug_opts);
    char *a = pk_pool_get(p);
    char local[32];
    pk_pool_put(p, local);
    pk_pool_put(p, a + 1);
    cr_expect_eq(seen.n[PK_POOL_FOREIGN], 2);
    cr_expect_eq(seen.last, a + 1);
    pk_pool_put(p, a);
    cr_expect_eq(seen.n[PK_POOL_DOUBLE_FREE], 0);
    cr_expect_eq(stats(p).foreign, 2);
    pk_pool_free(p);
}

Test(pool, debug_write_after_free_found_at_next_get)
{
    pk_pool *p = mk(32, debug_opts);
    char *a = pk_pool_get(p);
    pk_pool_put(p, a);
    a[5] = 'x';   /* use after free: allowed in this test, the slab is still mapped */
    char *b = pk_pool_get(p);
    cr_expect_eq(b, a);
    cr_expect_eq(seen.n[PK_POOL_MODIFIED], 1);
    cr_expect_eq(seen.last, a);
    cr_expect_eq(stats(p).modified, 1);
    cr_expect_eq((unsigned char)b[5], PK_POOL_POISON_NEW);
    pk_pool_put(p, b);
    pk_pool_free(p);
}

Test(pool, foreign_pointer_without_debug_is_dropped_at_flush)
{
    pk_pool *p = mk(16, no_cache);
    long local[4];
    pk_pool_put(p, local);
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.foreign, 1);
    cr_expect_eq(st.free, 0);
    pk_pool_free(p);
}

/* ---- metrics -------------------------------------------------------------------- */

static double series_value(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *s = text; (s = strstr(s, name)) != NULL; s += n)
        if ((s == text || s[-1] == '\n') && s[n] == ' ')
            return strtod(s + n + 1, NULL);
    return -1;
}

Test(pool, metrics_follow_depot_exchanges)
{
    pk_pool *p = mk(16, NULL);
    void *early = pk_pool_get(p);   /* before registration: counted from the stats */
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    cr_assert_eq(pk_pool_register_metrics(p, r, "conn_pool"), PK_OK);
    cr_expect_eq(pk_pool_register_metrics(p, r, "conn_pool"), PK_EINVAL, "once");
    void *objs[200];
    for (int i = 0; i < 200; i++)
        objs[i] = pk_pool_get(p);
    for (int i = 0; i < 200; i++)
        pk_pool_put(p, objs[i]);
    pk_pool_put(p, early);
    pk_pool_flush(p);
    char *text;
    size_t len;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &text, &len), PK_OK);
    pk_pool_stats st = stats(p);
    cr_expect_eq(st.cached, 0, "flushed");
    cr_expect_eq(series_value(text, "conn_pool_out"), 0, "%s", text);
    cr_expect_eq(series_value(text, "conn_pool_peak"), (double)st.peak);
    cr_expect_eq(series_value(text, "conn_pool_capacity"), (double)st.capacity);
    cr_expect_eq(series_value(text, "conn_pool_slabs_total"), (double)st.slabs);
    cr_expect_eq(series_value(text, "conn_pool_refills_total"), (double)st.refills);
    cr_expect_eq(series_value(text, "conn_pool_flushes_total"), (double)st.flushes);
    cr_expect_eq(series_value(text, "conn_pool_exhausted_total"), 0);
    cr_expect_eq(series_value(text, "conn_pool_faults_total"), 0);
    pk_free(text);
    pk_pool_free(p);
    pk_metrics_registry_free(r);
}
