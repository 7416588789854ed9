/* rt_cache_sim.c — hit-ratio simulator for pk_cache's policies.
 *
 *   rt_cache_sim [REQUESTS [SEED]]      defaults: 4000000 requests, seed 1
 *
 * Generates seeded traces and replays each through pk_cache (get; on a miss
 * put) with S3-FIFO (one shard, and the default sharding), LRU and FIFO, at
 * cache sizes of 1% and 10% of the trace's key space:
 *   zipf0.9, zipf1.0  Zipf(alpha) over 1,000,000 keys (inverse CDF sampling)
 *   scan              zipf0.9 with a burst of 100,000 never-seen keys after
 *                     every 900,000 requests (a backup or a full-table scan)
 *   loop              keys 0..99,999 in a cycle, with 10% zipf0.9 traffic
 *                     over the same keys mixed in
 * Prints one line per trace and size: trace, size %, entries, hit ratio %
 * of each policy, and a machine-readable line per result:
 *   RESULT <trace> <pct> <policy> <hit ratio %>
 * Build: cc -O2 -Iinclude rt_cache_sim.c libperfkit.a $(LIBS) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/cache.h"

static uint64_t rng_state;

static uint64_t rng(void)   /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unif(void) { return (double)(rng() >> 11) * 0x1.0p-53; }

typedef struct zipf {
    double *cdf;
    uint32_t n;
} zipf;

static int zipf_init(zipf *z, uint32_t n, double alpha)
{
    z->n = n;
    z->cdf = malloc((size_t)n * sizeof *z->cdf);
    if (!z->cdf)
        return -1;
    double s = 0;
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] = (s += pow((double)(i + 1), -alpha));
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] /= s;
    return 0;
}

/* A key of rank r, scattered so that popular keys are not neighbours. */
static uint32_t zipf_next(const zipf *z)
{
    double u = unif();
    uint32_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)(((uint64_t)lo * 2654435761u) % z->n);
}

enum { T_ZIPF09, T_ZIPF10, T_SCAN, T_LOOP, NTRACE };
static const char *const trace_name[NTRACE] = {"zipf0.9", "zipf1.0", "scan", "loop"};
static const uint32_t trace_keys[NTRACE] = {1000000, 1000000, 1000000, 100000};

static uint32_t *make_trace(int t, size_t n, const zipf *z09, const zipf *z10, const zipf *zl)
{
    uint32_t *tr = malloc(n * sizeof *tr);
    if (!tr)
        return NULL;
    uint32_t next_new = 1000000, pos = 0;
    for (size_t i = 0; i < n; i++) {
        switch (t) {
        case T_ZIPF09: tr[i] = zipf_next(z09); break;
        case T_ZIPF10: tr[i] = zipf_next(z10); break;
        case T_SCAN:
            tr[i] = (i % 1000000) >= 900000 ? next_new++ : zipf_next(z09);
            break;
        default:
            if (rng() % 10 == 0) {
                tr[i] = zipf_next(zl);
            } else {
                tr[i] = pos;
                pos = pos + 1 == 100000 ? 0 : pos + 1;
            }
        }
    }
    return tr;
}

typedef struct pol {
    const char *name;
    pk_cache_policy policy;
    unsigned shards;   /* 0: default */
} pol;

static const pol pols[] = {
    {"S3-FIFO", PK_CACHE_S3FIFO, 1},
    {"S3-FIFO/shards", PK_CACHE_S3FIFO, 0},
    {"LRU", PK_CACHE_LRU, 1},
    {"FIFO", PK_CACHE_FIFO, 1},
};
#define NPOL (sizeof pols / sizeof pols[0])

static double replay(const uint32_t *tr, size_t n, size_t entries, const pol *p)
{
    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.max_entries = entries;
    o.policy = p->policy;
    o.shards = p->shards;
    pk_cache *c;
    if (pk_cache_new(&o, &c) != PK_OK) {
        fprintf(stderr, "rt_cache_sim: cannot create a cache of %zu entries\n", entries);
        exit(1);
    }
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v, k = tr[i];
        size_t len;
        if (pk_cache_get(c, &k, sizeof k, &v, sizeof v, &len) == PK_OK)
            hits++;
        else
            pk_cache_put(c, &k, sizeof k, &k, sizeof k);
    }
    pk_cache_free(c);
    return 100.0 * (double)hits / (double)n;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    if (n == 0) {
        fprintf(stderr, "usage: rt_cache_sim [REQUESTS [SEED]]\n");
        return 2;
    }
    zipf z09, z10, zl;
    if (zipf_init(&z09, 1000000, 0.9) || zipf_init(&z10, 1000000, 1.0) ||
        zipf_init(&zl, 100000, 0.9)) {
        fprintf(stderr, "rt_cache_sim: out of memory\n");
        return 1;
    }
    printf("%-8s %5s %8s", "trace", "size", "entries");
    for (size_t p = 0; p < NPOL; p++)
        printf(" %15s", pols[p].name);
    printf("   (hit ratio %%, %zu requests per trace)\n", n);
    for (int t = 0; t < NTRACE; t++) {
        uint32_t *tr = make_trace(t, n, &z09, &z10, &zl);
        if (!tr) {
            fprintf(stderr, "rt_cache_sim: out of memory\n");
            return 1;
        }
        static const int pcts[] = {1, 10};
        for (int s = 0; s < 2; s++) {
            size_t entries = (size_t)trace_keys[t] * (size_t)pcts[s] / 100;
            double r[NPOL];
            for (size_t p = 0; p < NPOL; p++)
                r[p] = replay(tr, n, entries, &pols[p]);
            printf("%-8s %4d%% %8zu", trace_name[t], pcts[s], entries);
            for (size_t p = 0; p < NPOL; p++)
                printf(" %15.2f", r[p]);
            printf("\n");
            for (size_t p = 0; p < NPOL; p++)
                fprintf(stderr, "RESULT %s %d %s %.3f\n", trace_name[t], pcts[s], pols[p].name,
                        r[p]);
        }
        free(tr);
    }
    free(z09.cdf);
    free(z10.cdf);
    free(zl.cdf);
    return 0;
}
