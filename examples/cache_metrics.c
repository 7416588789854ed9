/* cache_metrics.c — a pk_cache in front of a slow lookup, its hit ratio on /metrics.
 *
 *   cache_metrics [PORT [SECONDS]]    defaults: 9464, 30; PORT 0 picks a free
 *                                     port, SECONDS 0 runs until a signal
 *
 * A worker thread serves "requests" for 100,000 user ids drawn from a Zipf
 * (0.9) distribution; each looks the user's record up in a 1,000-entry
 * pk_cache (S3-FIFO, 60 s TTL) and on a miss "loads" it (builds the record)
 * and puts it. pk_cache_register_metrics exports the cache's statistics
 * (demo_cache_hits_total, demo_cache_misses_total, demo_cache_hit_ratio, ...)
 * into a registry served on http://127.0.0.1:PORT/metrics. Prints
 * "listening on http://127.0.0.1:PORT/metrics" once serving, and the final
 * statistics when it stops (after SECONDS or on SIGINT/SIGTERM).
 *
 * Build: cc -o cache_metrics cache_metrics.c $(pkg-config --cflags --libs perfkit) -lpthread -lm */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/cache.h"
#include "perfkit/metrics.h"

#define USERS 100000

static atomic_bool stop;
static double cdf[USERS];

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop, true);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)   /* xorshift64*: only the worker thread calls it */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static unsigned zipf_user(void)
{
    double u = (double)(rng() >> 11) * 0x1.0p-53;
    unsigned lo = 0, hi = USERS - 1;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void *worker(void *arg)
{
    pk_cache *c = arg;
    while (!atomic_load(&stop)) {
        for (int i = 0; i < 1000; i++) {
            char key[32], rec[128];
            int kn = snprintf(key, sizeof key, "user:%u", zipf_user());
            size_t n;
            if (pk_cache_get(c, key, (size_t)kn, rec, sizeof rec, &n) != PK_OK) {
                int rn = snprintf(rec, sizeof rec, "{\"id\":\"%s\",\"plan\":\"free\"}", key);
                pk_cache_put(c, key, (size_t)kn, rec, (size_t)rn);   /* the slow path */
            }
        }
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    return NULL;
}

static long parse_arg(const char *s, long max, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 0 || v > max) {
        fprintf(stderr, "cache_metrics: bad %s '%s'\nusage: cache_metrics [PORT [SECONDS]]\n",
                what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long port = argc > 1 ? parse_arg(argv[1], 65535, "port") : 9464;
    long seconds = argc > 2 ? parse_arg(argv[2], 86400, "seconds") : 30;
    if (argc > 3) {
        fprintf(stderr, "usage: cache_metrics [PORT [SECONDS]]\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    double s = 0;
    for (unsigned i = 0; i < USERS; i++)
        cdf[i] = (s += pow(i + 1.0, -0.9));
    for (unsigned i = 0; i < USERS; i++)
        cdf[i] /= s;

    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.max_entries = 1000;                  /* 1% of the users */
    o.max_bytes = 256 * 1024;
    o.ttl_ns = 60 * PK_CACHE_SECOND;
    pk_cache *c = NULL;
    pk_metrics_registry *reg = NULL;
    pk_metrics_server *srv = NULL;
    pk_diag diag = {0};
    pk_err e;
    if ((e = pk_cache_new(&o, &c)) || (e = pk_metrics_registry_new(&reg)) ||
        (e = pk_cache_register_metrics(c, reg, "demo_cache")) ||   /* the one call */
        (e = pk_metrics_serve(reg, "127.0.0.1", (uint16_t)port, &srv, &diag))) {
        fprintf(stderr, "cache_metrics: %s\n", diag.message[0] ? diag.message : pk_strerror(e));
        pk_cache_free(c);
        pk_metrics_registry_free(reg);
        return 1;
    }
    printf("listening on http://127.0.0.1:%u/metrics\n", (unsigned)pk_metrics_server_port(srv));
    fflush(stdout);

    pthread_t tid;
    if (pthread_create(&tid, NULL, worker, c) != 0) {
        fprintf(stderr, "cache_metrics: cannot start the worker\n");
        pk_metrics_server_stop(srv);
        pk_cache_free(c);
        pk_metrics_registry_free(reg);
        return 1;
    }
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!atomic_load(&stop)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (seconds > 0 && now.tv_sec - t0.tv_sec >= seconds)
            break;
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    atomic_store(&stop, true);
    pthread_join(tid, NULL);
    pk_metrics_server_stop(srv);
    pk_cache_stats st;
    pk_cache_stats_get(c, &st);
    printf("stopped: %llu hits, %llu misses, hit ratio %.1f%%, %llu entries\n",
           (unsigned long long)st.hits, (unsigned long long)st.misses, 100 * st.hit_ratio,
           (unsigned long long)st.entries);
    pk_cache_free(c);
    pk_metrics_registry_free(reg);
    return 0;
}
