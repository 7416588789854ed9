/* startup_tsan.c — pk_lazy and pk_startup under ThreadSanitizer (a standalone
 * driver). `make tsan` builds it against the library compiled with
 * -fsanitize=thread.
 *
 * 1. Lazy: 8 threads race pk_lazy_get / pk_lazy_get_retry on a fresh value
 *    500 times (a third of the rounds start with a failing init, with the
 *    retry policy); every thread must read the one published object with
 *    its payload intact, and init must run once per successful round.
 * 2. Graph: a 400-step random DAG on 4 runner threads, every step checking
 *    that its dependencies finished and writing into them; then a graph
 *    with a failure and cancel_all, and one whose step overruns its
 *    timeout and is abandoned (the graph freed before the straggler
 *    returns, so the straggler frees it).
 * Exits 0 when every check held (TSan exits non-zero on a race with
 * halt_on_error=1). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "perfkit/lazy.h"
#include "perfkit/startup.h"

static atomic_long bad, inits;

/* ---- 1. lazy ---------------------------------------------------------------------- */

typedef struct obj {
    long payload[8];
} obj;

static pk_lazy lz;
static atomic_int fail_first;
static pthread_barrier_t bar;

static pk_err make_obj(void *arg, void **value)
{
    (void)arg;
    if (atomic_exchange(&fail_first, 0))
        return PK_EIO;
    obj *o = malloc(sizeof *o);
    if (!o)
        return PK_ENOMEM;
    for (int i = 0; i < 8; i++)
        o->payload[i] = 1000 + i;
    atomic_fetch_add(&inits, 1);
    *value = o;
    return PK_OK;
}

static long ids[8];

static void *lazy_racer(void *p)
{
    long id = *(const long *)p;
    for (int round = 0; round < 500; round++) {
        pthread_barrier_wait(&bar);
        void *v = NULL;
        pk_err e = (id & 1) ? pk_lazy_get_retry(&lz, make_obj, NULL, &v)
                            : pk_lazy_get(&lz, make_obj, NULL, &v);
        if (e == PK_EIO && round % 3 == 0)
            e = pk_lazy_get_retry(&lz, make_obj, NULL, &v);   /* a later caller retries */
        if (e != PK_OK) {
            atomic_fetch_add(&bad, 1);
        } else {
            const obj *o = v;
            for (int i = 0; i < 8; i++)
                if (o->payload[i] != 1000 + i)
                    atomic_fetch_add(&bad, 1);
        }
        pthread_barrier_wait(&bar);
        if (id == 0) {   /* between rounds: one thread resets */
            pk_lazy_reset(&lz, free);
            atomic_store(&fail_first, round % 3 == 2);   /* next round starts failing */
        }
    }
    return NULL;
}

static void lazy_race(void)
{
    enum { T = 8 };
    pthread_t t[T];
    pthread_barrier_init(&bar, NULL, T);
    for (long i = 0; i < T; i++) {
        ids[i] = i;
        pthread_create(&t[i], NULL, lazy_racer, &ids[i]);
    }
    for (int i = 0; i < T; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    pk_lazy_reset(&lz, free);
}

/* ---- 2. graph ------------------------------------------------------------------------ */

#define N 400
static atomic_int done[N];
static long cell[N];                  /* written by step i, read by its dependants */
static uint32_t deps[N][3], ndeps[N], idx[N];

static pk_err dag_step(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    uint32_t i = *(const uint32_t *)arg;
    long sum = 1;
    for (uint32_t k = 0; k < ndeps[i]; k++) {
        if (!atomic_load_explicit(&done[deps[i][k]], memory_order_relaxed))
            atomic_fetch_add(&bad, 1);
        sum += cell[deps[i][k]];      /* plain read: ordered by the scheduler */
    }
    cell[i] = sum;
    atomic_store_explicit(&done[i], 1, memory_order_relaxed);
    return PK_OK;
}

static void dag(void)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 4;
    pk_startup *g;
    if (pk_startup_new(&o, &g) != PK_OK)
        exit(2);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%u", (unsigned)i);
        idx[i] = i;
        pk_startup_add(g, name, dag_step, &idx[i], NULL);
        ndeps[i] = 0;
        for (int k = 0; k < 3 && i > 0; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            uint32_t d = (uint32_t)(x % i);
            deps[i][ndeps[i]++] = d;
            pk_startup_depends_id(g, (pk_startup_id)i, d);
        }
    }
    if (pk_startup_run(g) != PK_OK)
        atomic_fetch_add(&bad, 1);
    pk_startup_summary s;
    pk_startup_summary_get(g, &s);
    if (s.ok != N)
        atomic_fetch_add(&bad, 1);
    pk_startup_free(g);
}

static pk_err fail_step(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    pk_startup_fail(ctx, "no");
    return PK_EIO;
}

static pk_err ok_step(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    (void)ctx;
    return PK_OK;
}

static pk_err poll_step(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    struct timespec ts = {0, 100000};
    for (int i = 0; i < 200 && !pk_startup_cancelled(ctx); i++)
        nanosleep(&ts, NULL);
    return PK_OK;
}

static atomic_int straggler_gone;
static pk_err hang_step(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    struct timespec ts = {0, 1000000};
    while (!pk_startup_cancelled(ctx))
        nanosleep(&ts, NULL);
    nanosleep(&ts, NULL);
    atomic_store(&straggler_gone, 1);
    return PK_OK;
}

static void failures(void)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 3;
    o.cancel_all = true;
    pk_startup *g;
    pk_startup_new(&o, &g);
    pk_startup_add(g, "p1", poll_step, NULL, NULL);
    pk_startup_add(g, "p2", poll_step, NULL, NULL);
    pk_startup_add(g, "bad", fail_step, NULL, NULL);
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "after%d", i);
        pk_startup_id id;
        pk_startup_add(g, name, poll_step, NULL, &id);
        pk_startup_depends(g, id, "p1");
    }
    if (pk_startup_run(g) != PK_EFAIL)
        atomic_fetch_add(&bad, 1);
    pk_startup_free(g);

    o.cancel_all = false;
    o.width = 2;
    pk_startup_new(&o, &g);
    pk_startup_id h;
    pk_startup_add(g, "hang", hang_step, NULL, &h);
    pk_startup_set_timeout(g, h, 5000000);   /* 5 ms */
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        pk_startup_add(g, name, ok_step, NULL, NULL);
    }
    if (pk_startup_run(g) != PK_ETIMEDOUT)
        atomic_fetch_add(&bad, 1);
    pk_startup_free(g);   /* the straggler frees it */
    struct timespec ts = {0, 1000000};
    while (!atomic_load(&straggler_gone))
        nanosleep(&ts, NULL);
    ts.tv_nsec = 20000000;
    nanosleep(&ts, NULL);
}

int main(void)
{
    lazy_race();
    dag();
    failures();
    long b = atomic_load(&bad);
    printf("startup_tsan: %ld lazy inits, %ld bad\n", atomic_load(&inits), b);
    return b == 0 ? 0 : 1;
}
