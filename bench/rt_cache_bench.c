/* rt_cache_bench.c — hit-path throughput of pk_cache against a mutex-protected LRU.
 *
 *   rt_cache_bench IMPL THREADS TARGET_MS [KEYS]
 *     IMPL     perfkit (pk_cache, S3-FIFO, default shards) | mutex (the
 *              hand-written baseline below: one mutex, a chained hash table
 *              and an intrusive LRU list, as users write it)
 *     THREADS  threads doing gets at once
 *
 * Both caches hold KEYS (10,000) entries of 8-byte keys and 16-byte values; every
 * thread looks up keys drawn uniformly from them (xorshift64, so every get is
 * a hit) and copies the value out, for about TARGET_MS ms. Prints one line:
 *   IMPL KEYS THREADS GETS NS_PER_GET_PER_THREAD MGETS_PER_S_TOTAL */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/cache.h"

static uint64_t NKEYS = 10000;
#define VLEN 16

/* ---- the baseline: a mutex around a hash table and an LRU list ------------ */

typedef struct lnode {
    uint64_t key;
    char val[VLEN];
    struct lnode *hnext, *prev, *next;
} lnode;

typedef struct mlru {
    pthread_mutex_t mu;
    lnode **buckets;
    size_t nbuckets;
    lnode *head, *tail;
} mlru;

static size_t mlru_bucket(const mlru *m, uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) % m->nbuckets;
}

static void mlru_put(mlru *m, uint64_t k, const char *v)
{
    lnode *n = calloc(1, sizeof *n);
    if (!n)
        exit(1);
    n->key = k;
    memcpy(n->val, v, VLEN);
    size_t b = mlru_bucket(m, k);
    n->hnext = m->buckets[b];
    m->buckets[b] = n;
    n->next = m->head;
    if (m->head)
        m->head->prev = n;
    else
        m->tail = n;
    m->head = n;
}

static int mlru_get(mlru *m, uint64_t k, char *out)
{
    pthread_mutex_lock(&m->mu);
    lnode *n = m->buckets[mlru_bucket(m, k)];
    while (n && n->key != k)
        n = n->hnext;
    if (n) {
        if (n != m->head) {   /* move to front */
            n->prev->next = n->next;
            if (n->next)
                n->next->prev = n->prev;
            else
                m->tail = n->prev;
            n->prev = NULL;
            n->next = m->head;
            m->head->prev = n;
            m->head = n;
        }
        memcpy(out, n->val, VLEN);
    }
    pthread_mutex_unlock(&m->mu);
    return n != NULL;
}

/* ---- the driver ------------------------------------------------------------- */

static int use_pk;
static pk_cache *pkc;
static mlru base;
static atomic_int go;
static long target_ms;

typedef struct targ {
    uint64_t seed, ops, hits;
    double ns;
} targ;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *worker(void *p)
{
    targ *a = p;
    uint64_t x = a->seed, hits = 0, ops = 0;
    char out[VLEN];
    while (!atomic_load(&go))
        ;
    double t0 = now_ns(), end = t0 + (double)target_ms * 1e6, t1;
    do {
        for (int i = 0; i < 4096; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t k = x % NKEYS;
            if (use_pk) {
                size_t n;
                hits += pk_cache_get(pkc, &k, sizeof k, out, sizeof out, &n) == PK_OK;
            } else {
                hits += (uint64_t)mlru_get(&base, k, out);
            }
        }
        ops += 4096;
        t1 = now_ns();
    } while (t1 < end);
    a->ops = ops;
    a->hits = hits;
    a->ns = t1 - t0;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: rt_cache_bench perfkit|mutex THREADS TARGET_MS [KEYS]\n");
        return 2;
    }
    use_pk = strcmp(argv[1], "perfkit") == 0;
    int threads = atoi(argv[2]);
    target_ms = atol(argv[3]);
    if (argc == 5)
        NKEYS = strtoull(argv[4], NULL, 10);
    if ((!use_pk && strcmp(argv[1], "mutex") != 0) || threads < 1 || threads > 64 ||
        target_ms < 1 || NKEYS < 1 || NKEYS > 100000000) {
        fprintf(stderr, "usage: rt_cache_bench perfkit|mutex THREADS TARGET_MS [KEYS]\n");
        return 2;
    }
    char val[VLEN];
    if (use_pk) {
        pk_cache_opts o;
        pk_cache_opts_init(&o);
        o.max_entries = 2 * NKEYS;
        if (pk_cache_new(&o, &pkc) != PK_OK)
            return 1;
    } else {
        pthread_mutex_init(&base.mu, NULL);
        base.nbuckets = 2 * NKEYS;
        base.buckets = calloc(base.nbuckets, sizeof *base.buckets);
        if (!base.buckets)
            return 1;
    }
    for (uint64_t k = 0; k < NKEYS; k++) {
        memset(val, (int)(k & 0x7f), sizeof val);
        if (use_pk)
            pk_cache_put(pkc, &k, sizeof k, val, sizeof val);
        else
            mlru_put(&base, k, val);
    }
    pthread_t tid[64];
    targ a[64];
    for (int i = 0; i < threads; i++) {
        a[i] = (targ){.seed = 88172645463325252ull + (uint64_t)i * 7919};
        pthread_create(&tid[i], NULL, worker, &a[i]);
    }
    atomic_store(&go, 1);
    uint64_t ops = 0, hits = 0;
    double ns_per = 0, wall = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        ops += a[i].ops;
        hits += a[i].hits;
        ns_per += a[i].ns / (double)a[i].ops / threads;
        if (a[i].ns > wall)
            wall = a[i].ns;
    }
    if (hits != ops) {
        fprintf(stderr, "rt_cache_bench: %llu of %llu gets missed\n",
                (unsigned long long)(ops - hits), (unsigned long long)ops);
        return 1;
    }
    double mops = 0;
    for (int i = 0; i < threads; i++)
        mops += (double)a[i].ops / a[i].ns * 1e3;
    printf("%s %llu %d %llu %.3f %.2f\n", argv[1], (unsigned long long)NKEYS, threads, (unsigned long long)ops, ns_per, mops);
    if (use_pk)
        pk_cache_free(pkc);
    return 0;
}
