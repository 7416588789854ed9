/* rt_pool.c — pk_pool get+put and pk_arena bump against glibc malloc/free,
 * one measurement per run (bench/rt_pool.sh runs it in rotating order).
 *
 *   rt_pool IMPL SIZE TARGET_MS
 *     IMPL: pool      pk_pool_get + pk_pool_put of one object (warm cache)
 *           malloc    malloc(SIZE) + free of the same object
 *           pooldebug as pool, the pool in debug mode (state checks, poisoning)
 *           pool32    32 pk_pool_get, then 32 pk_pool_put (per pair)
 *           malloc32  32 malloc(SIZE), then 32 free (per pair)
 *           arena     pk_arena_alloc(SIZE), a reset every 4096 (per alloc)
 *           xthread   2 threads: one gets, the other puts (a ring of 1024
 *                     slots between them), per object
 *           xmalloc   the same with malloc on one thread, free on the other
 *   prints "IMPL SIZE WALL_NS CPU_NS": per op, wall-clock time and CPU time
 *   of the process (on a loaded machine the CPU time is the cost of the op:
 *   the wall time also counts the time the thread waited for a core)
 *
 * Every pointer escapes through an empty asm with a memory clobber, so the
 * compiler can neither drop the malloc/free pair nor keep the pool's thread
 * slot in registers across iterations: each iteration pays what a real call
 * site pays. Iterations are calibrated to TARGET_MS of wall time. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/arena.h"
#include "perfkit/pool.h"

#define ESCAPE(p) __asm__ volatile("" : : "r"(p) : "memory")

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
static double cpu_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

static size_t size;
static pk_pool *pool;
static pk_arena *arena;

static void run_pool(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        void *p = pk_pool_get(pool);
        ESCAPE(p);
        pk_pool_put(pool, p);
    }
}

static void run_malloc(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        void *p = malloc(size);
        ESCAPE(p);
        free(p);
    }
}

static void run_pool32(uint64_t n)
{
    void *v[32];
    for (uint64_t i = 0; i < n; i += 32) {
        for (int j = 0; j < 32; j++) {
            v[j] = pk_pool_get(pool);
            ESCAPE(v[j]);
        }
        for (int j = 0; j < 32; j++)
            pk_pool_put(pool, v[j]);
    }
}

static void run_malloc32(uint64_t n)
{
    void *v[32];
    for (uint64_t i = 0; i < n; i += 32) {
        for (int j = 0; j < 32; j++) {
            v[j] = malloc(size);
            ESCAPE(v[j]);
        }
        for (int j = 0; j < 32; j++)
            free(v[j]);
    }
}

static void run_arena(uint64_t n)
{
    for (uint64_t i = 0; i < n; i += 4096) {
        for (int j = 0; j < 4096; j++) {
            void *p = pk_arena_alloc(arena, size);
            ESCAPE(p);
        }
        pk_arena_reset(arena);
    }
}

/* ---- cross-thread: a single-producer single-consumer ring ----------------------- */

enum { XRING = 1024 };
static void *_Atomic xring[XRING];
static uint64_t xn;

static int xmalloc;   /* the same ring with malloc / free */

static void *xconsumer(void *v)
{
    (void)v;
    for (uint64_t i = 0; i < xn; i++) {
        void *_Atomic *s = &xring[i % XRING];
        void *p;
        for (int spin = 0; (p = atomic_load_explicit(s, memory_order_acquire)) == NULL; spin++)
            if (spin > 64)
                sched_yield();   /* the machine may have fewer free cores than threads */
        atomic_store_explicit(s, NULL, memory_order_relaxed);
        if (xmalloc)
            free(p);
        else
            pk_pool_put(pool, p);
    }
    return NULL;
}

static void run_xthread(uint64_t n)
{
    xn = n;
    pthread_t t;
    pthread_create(&t, NULL, xconsumer, NULL);
    for (uint64_t i = 0; i < n; i++) {
        void *p = xmalloc ? malloc(size) : pk_pool_get(pool);
        void *_Atomic *s = &xring[i % XRING];
        for (int spin = 0; atomic_load_explicit(s, memory_order_relaxed) != NULL; spin++)
            if (spin > 64)
                sched_yield();
        atomic_store_explicit(s, p, memory_order_release);
    }
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: rt_pool pool|pooldebug|malloc|pool32|malloc32|arena|xthread|xmalloc SIZE TARGET_MS\n");
        return 2;
    }
    const char *impl = argv[1];
    size = (size_t)strtoul(argv[2], NULL, 10);
    double target = strtod(argv[3], NULL) * 1e6;
    void (*run)(uint64_t) = NULL;
    if (!strcmp(impl, "pool") || !strcmp(impl, "pooldebug"))
        run = run_pool;
    else if (!strcmp(impl, "malloc"))
        run = run_malloc;
    else if (!strcmp(impl, "pool32"))
        run = run_pool32;
    else if (!strcmp(impl, "malloc32"))
        run = run_malloc32;
    else if (!strcmp(impl, "arena"))
        run = run_arena;
    else if (!strcmp(impl, "xthread"))
        run = run_xthread;
    else if (!strcmp(impl, "xmalloc")) {
        run = run_xthread;
        xmalloc = 1;
    }
    if (!run || size == 0) {
        fprintf(stderr, "rt_pool: unknown implementation %s or size 0\n", impl);
        return 2;
    }
    pk_pool_opts o;
    pk_pool_opts_init(&o);
    o.obj_size = size;
    o.prealloc = 4096;
    o.prefault = true;
    o.debug = !strcmp(impl, "pooldebug");
    pk_arena_opts ao;
    pk_arena_opts_init(&ao);
    ao.chunk_size = 4096 * ((size + 15) & ~(size_t)15) + 4096;
    ao.max_chunk = ao.chunk_size;
    ao.prefault = true;
    if (pk_pool_new(&o, &pool) != PK_OK || pk_arena_new(&ao, &arena) != PK_OK)
        return 1;
    uint64_t n = 1 << 16;
    run(n);   /* warm: caches, pages, malloc's bins */
    for (;;) {   /* calibrate to ~TARGET_MS / 4, then measure ~TARGET_MS */
        double t0 = now_ns();
        run(n);
        double dt = now_ns() - t0;
        if (dt > target / 4) {
            n = (uint64_t)((double)n * target / dt) / 4096 * 4096 + 4096;
            break;
        }
        n *= 4;
    }
    double t0 = now_ns(), c0 = cpu_ns();
    run(n);
    double dt = now_ns() - t0, dc = cpu_ns() - c0;
    /* xthread: two threads burn CPU; per object, the wall time is the figure */
    printf("%s %zu %.4f %.4f\n", impl, size, dt / (double)n, dc / (double)n);
    pk_pool_free(pool);
    pk_arena_free(arena);
    return 0;
}
