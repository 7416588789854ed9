/* rt_startup.c — pk_startup measured (bench/rt_startup.sh runs it).
 *
 *   rt_startup overhead N        empty steps: ns per step of pk_startup_run,
 *                                and of building the graph (add + depends),
 *                                for three shapes x width 1 and 2. Lines:
 *                                OVERHEAD shape width run_ns_per_step build_ns_per_step
 *   rt_startup lazy N            ns per call of pk_lazy_get on a ready value
 *                                and of pthread_once + a load. Line:
 *                                LAZY pk_ns pthread_once_ns
 *   rt_startup dag N MODE SEED [SHAPE [ROT]]
 *                                a random DAG of N steps with known durations
 *                                (seeded; MODE sleep or spin), run once by
 *                                each approach on 2 threads. SHAPE wide
 *                                (default: 0-3 dependencies on random steps
 *                                among the last 64; the critical path is a
 *                                few % of the total) or spine (the even steps
 *                                also form one chain: critical path ~ total/2,
 *                                so a schedule must keep the chain busy while
 *                                fitting the rest around it). ROT rotates
 *                                the order of the approaches. Lines:
 *                                BOUND critical_ms total_ms lower_bound_ms
 *                                RUN approach wall_ms
 *
 * Approaches: pk (pk_startup, width 2, default cost hints), pk-hints
 * (pk_startup, width 2, the known durations as cost hints), levels (the
 * naive parallel version: steps grouped by depth, each level split
 * round-robin over 2 threads, a barrier after each level), sequential (one
 * thread, topological order). The lower bound of any schedule on 2 threads
 * is max(critical path, total / 2). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/lazy.h"
#include "perfkit/startup.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- the graph -------------------------------------------------------------------- */

static uint32_t n;
static uint32_t (*deps)[4];
static uint32_t *ndeps, *idx;
static int64_t *dur_ns;
static int spin;
static uint32_t window = 64;   /* RT_STARTUP_WINDOW */
static int spine;              /* shape "spine": a chain through the even steps */

/* Take exactly d ns: sleep to 150 µs before the end, then spin (spin mode:
 * spin throughout). */
static void take(int64_t d)
{
    int64_t end = now_ns() + d;
    if (!spin && d > 200000) {
        struct timespec ts = {(end - 150000) / 1000000000, (end - 150000) % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    while (now_ns() < end)
        ;
}

static pk_err step(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    take(dur_ns[*(const uint32_t *)arg]);
    return PK_OK;
}

static pk_err empty(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    (void)ctx;
    return PK_OK;
}

static void gen(uint32_t count, int64_t min_ns, int64_t max_ns)
{
    n = count;
    deps = calloc(n, sizeof *deps);
    ndeps = calloc(n, sizeof *ndeps);
    idx = calloc(n, sizeof *idx);
    dur_ns = calloc(n, sizeof *dur_ns);
    for (uint32_t i = 0; i < n; i++) {
        idx[i] = i;
        dur_ns[i] = min_ns + (int64_t)(next() % (uint64_t)(max_ns - min_ns + 1));
        uint32_t k = (uint32_t)(next() % 4);   /* 0..3 dependencies among the last `window` steps */
        if (spine && i % 2 == 0) {   /* the spine: every even step after the previous one */
            if (i >= 2)
                deps[i][ndeps[i]++] = i - 2;
            k = (uint32_t)(next() % 2);
        }
        for (uint32_t j = 0; j < k && i > 0; j++) {
            uint32_t w = i < window ? i : window;
            deps[i][ndeps[i]++] = i - 1 - (uint32_t)(next() % w);
        }
    }
}

static pk_startup *build(unsigned width, int hints, pk_startup_fn fn)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = width;
    pk_startup *g;
    if (pk_startup_new(&o, &g) != PK_OK)
        exit(2);
    for (uint32_t i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%u", i);
        if (pk_startup_add(g, name, fn, &idx[i], NULL) != PK_OK)
            exit(2);
        for (uint32_t j = 0; j < ndeps[i]; j++)
            pk_startup_depends_id(g, i, deps[i][j]);
        if (hints)
            pk_startup_set_cost(g, i, (double)dur_ns[i]);
    }
    return g;
}

/* ---- per-step overhead ------------------------------------------------------------------ */

static void overhead(uint32_t count)
{
    const char *shapes[] = {"independent", "chain", "dag"};
    for (int s = 0; s < 3; s++) {
        n = count;
        deps = calloc(n, sizeof *deps);
        ndeps = calloc(n, sizeof *ndeps);
        idx = calloc(n, sizeof *idx);
        dur_ns = calloc(n, sizeof *dur_ns);
        if (s == 2) {
            free(deps); free(ndeps); free(idx); free(dur_ns);
            gen(count, 0, 0);
        } else {
            for (uint32_t i = 0; i < n; i++) {
                idx[i] = i;
                if (s == 1 && i > 0)
                    deps[i][ndeps[i]++] = i - 1;
            }
        }
        for (unsigned width = 1; width <= 2; width++) {
            int64_t t0 = now_ns();
            pk_startup *g = build(width, 0, empty);
            int64_t t1 = now_ns();
            if (pk_startup_run(g) != PK_OK)
                exit(2);
            int64_t t2 = now_ns();
            pk_startup_free(g);
            printf("OVERHEAD %s %u %.1f %.1f\n", shapes[s], width, (double)(t2 - t1) / n,
                   (double)(t1 - t0) / n);
        }
        free(deps); free(ndeps); free(idx); free(dur_ns);
    }
}

/* ---- the naive approaches ----------------------------------------------------------------- */

static uint32_t *level, nlevels;
static pthread_barrier_t bar;

static void *level_worker(void *p)
{
    uint32_t me = *(const uint32_t *)p;
    for (uint32_t l = 0; l < nlevels; l++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++)
            if (level[i] == l && (k++ % 2) == me)
                take(dur_ns[i]);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

static double run_levels(void)
{
    level = calloc(n, sizeof *level);
    nlevels = 0;
    for (uint32_t i = 0; i < n; i++) {   /* ids are a topological order here */
        for (uint32_t j = 0; j < ndeps[i]; j++)
            if (level[deps[i][j]] + 1 > level[i])
                level[i] = level[deps[i][j]] + 1;
        if (level[i] + 1 > nlevels)
            nlevels = level[i] + 1;
    }
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t t[2];
    uint32_t ids[2] = {0, 1};
    int64_t t0 = now_ns();
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, level_worker, &ids[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    int64_t t1 = now_ns();
    pthread_barrier_destroy(&bar);
    free(level);
    return (double)(t1 - t0) / 1e6;
}

static double run_sequential(void)
{
    int64_t t0 = now_ns();
    for (uint32_t i = 0; i < n; i++)
        take(dur_ns[i]);
    return (double)(now_ns() - t0) / 1e6;
}

/* Also prints the bound of the steps' measured durations in this run
 * (MEASURED approach critical_ms busy_ms): how close the scheduler came
 * given what the steps really took on the loaded machine. */
static double run_pk(int hints)
{
    pk_startup *g = build(2, hints, step);
    int64_t t0 = now_ns();
    if (pk_startup_run(g) != PK_OK)
        exit(2);
    double ms = (double)(now_ns() - t0) / 1e6;
    pk_startup_summary s;
    pk_startup_summary_get(g, &s);
    printf("MEASURED %s %.3f %.3f\n", hints ? "pk-hints" : "pk", (double)s.critical_ns / 1e6,
           (double)s.busy_ns / 1e6);
    pk_startup_free(g);
    return ms;
}

static void dag(uint32_t count, uint64_t seed, int rot)
{
    rng ^= seed * 0x2545F4914F6CDD1Dull;
    gen(count, 100000, 1900000);   /* 0.1 .. 1.9 ms, mean 1 ms */
    int64_t *cp = calloc(n, sizeof *cp), crit = 0, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t m = 0;
        for (uint32_t j = 0; j < ndeps[i]; j++)
            if (cp[deps[i][j]] > m)
                m = cp[deps[i][j]];
        cp[i] = m + dur_ns[i];
        if (cp[i] > crit)
            crit = cp[i];
        total += dur_ns[i];
    }
    free(cp);
    double lb = (double)(crit > total / 2 ? crit : total / 2) / 1e6;
    printf("BOUND %.3f %.3f %.3f\n", (double)crit / 1e6, (double)total / 1e6, lb);
    /* the order rotates (rot) so that no approach always runs first */
    for (int k = 0; k < 4; k++) {
        switch ((k + rot) % 4) {
        case 0: printf("RUN pk %.3f\n", run_pk(0)); break;
        case 1: printf("RUN pk-hints %.3f\n", run_pk(1)); break;
        case 2: printf("RUN levels %.3f\n", run_levels()); break;
        default: printf("RUN sequential %.3f\n", run_sequential()); break;
        }
        fflush(stdout);
    }
}

/* ---- pk_lazy's ready path against pthread_once -------------------------------------- */

static int lazy_obj = 7;
static pk_err lazy_init(void *arg, void **value)
{
    (void)arg;
    *value = &lazy_obj;
    return PK_OK;
}
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int *once_value;
static void once_init(void) { once_value = &lazy_obj; }

static void lazy(long iters)
{
    static pk_lazy l = PK_LAZY_INIT;
    volatile long sink = 0;
    for (int round = 0; round < 2; round++) {
        int64_t t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            void *v;
            __asm__ volatile("" ::: "memory");   /* a fresh load each time */
            if (pk_lazy_get(&l, lazy_init, NULL, &v) == PK_OK)
                sink += *(int *)v;
        }
        int64_t t1 = now_ns();
        for (long i = 0; i < iters; i++) {
            __asm__ volatile("" ::: "memory");
            pthread_once(&once, once_init);
            sink += *once_value;
        }
        int64_t t2 = now_ns();
        if (round == 1)   /* the first round warms up */
            printf("LAZY %.3f %.3f\n", (double)(t1 - t0) / (double)iters,
                   (double)(t2 - t1) / (double)iters);
    }
    (void)sink;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "lazy") == 0) {
        lazy(atol(argv[2]));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "overhead") == 0) {
        overhead((uint32_t)atoi(argv[2]));
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "dag") == 0) {
        const char *w = getenv("RT_STARTUP_WINDOW");
        if (w)
            window = (uint32_t)atoi(w);
        spin = strcmp(argv[3], "spin") == 0;
        spine = argc >= 6 && strcmp(argv[5], "spine") == 0;
        dag((uint32_t)atoi(argv[2]), (uint64_t)atoll(argv[4]), argc >= 7 ? atoi(argv[6]) : 0);
        return 0;
    }
    fprintf(stderr, "usage: rt_startup overhead N | lazy N | dag N sleep|spin SEED [wide|spine [ROT]]\n");
    return 2;
}
