/* batch_demo.c — batching lookups with pk_batch: many threads each ask a
 * "database" for one user at a time; the batcher turns their requests into
 * few round trips (`SELECT ... WHERE id IN (...)`), asks for a user that is
 * already on its way only once (singleflight), and keeps answers for a
 * second (result cache, pk_cache).
 *
 *   batch_demo [THREADS] [LOOKUPS]     8 threads x 300 lookups by default
 *
 * The database is simulated: a round trip costs 2 ms plus 20 µs per row, and
 * user ids are skewed (a few users are asked for often), as real traffic
 * is. Users whose id ends in 7 are "not found": a per-item error that only
 * their waiters see. Prints the round trips saved and the batcher's
 * statistics as its /metrics lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <perfkit/alloc.h>
#include <perfkit/batch.h>

static int round_trips;

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* The batch function: one round trip for all the users of the batch. */
static pk_err lookup_users(void *ud, pk_batch_item *items, size_t n)
{
    (void)ud;
    round_trips++;                       /* one flusher thread: no race */
    sleep_us(2000 + 20 * (long)n);
    for (size_t i = 0; i < n; i++) {
        unsigned id;
        memcpy(&id, items[i].key, sizeof id);
        if (id % 10 == 7) {
            pk_batch_set(&items[i], PK_ENOENT, NULL, 0);
            continue;
        }
        char row[64];
        int len = snprintf(row, sizeof row, "{\"id\":%u,\"name\":\"user%u\"}", id, id);
        pk_batch_set(&items[i], PK_OK, row, (size_t)len);
    }
    return PK_OK;
}

typedef struct client {
    pk_batch *b;
    unsigned seed;
    int lookups, found, missing;
} client;

static void *run_client(void *p)
{
    client *c = p;
    for (int i = 0; i < c->lookups; i++) {
        /* skewed ids: the square of a uniform number favours small ids */
        double u = (double)rand_r(&c->seed) / RAND_MAX;
        unsigned id = (unsigned)(u * u * 1000);
        char row[64];
        size_t len;
        pk_err e = pk_batch_call(c->b, &id, sizeof id, NULL, 0, 0, row, sizeof row, &len);
        if (e == PK_OK)
            c->found++;
        else if (e == PK_ENOENT)
            c->missing++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    int lookups = argc > 2 ? atoi(argv[2]) : 300;
    if (threads < 1 || threads > 256 || lookups < 1) {
        fprintf(stderr, "usage: batch_demo [THREADS 1..256] [LOOKUPS]\n");
        return 2;
    }
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.max_items = 100;                   /* at most 100 ids per query */
    o.max_delay_ns = 1 * PK_BATCH_MS;    /* a lookup waits at most 1 ms to be sent */
    o.cache_entries = 10000;
    o.cache_ttl_ns = 1000 * PK_BATCH_MS; /* answers stay good for 1 s */
    pk_batch *b;
    pk_metrics_registry *reg;
    if (pk_batch_new(&o, lookup_users, NULL, &b) != PK_OK || pk_metrics_registry_new(&reg) != PK_OK ||
        pk_batch_register_metrics(b, reg, "user_lookup") != PK_OK)
        return 3;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[256];
    client c[256];
    for (int t = 0; t < threads; t++) {
        c[t] = (client){.b = b, .seed = 42u + (unsigned)t, .lookups = lookups};
        pthread_create(&th[t], NULL, run_client, &c[t]);
    }
    int found = 0, missing = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        found += c[t].found;
        missing += c[t].missing;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int total = threads * lookups;
    printf("%d lookups from %d threads in %.2f s: %d found, %d not found\n", total, threads, secs,
           found, missing);
    printf("%d round trips instead of %d (one per lookup: %.1f s of round-trip time at 2 ms each)\n",
           round_trips, total, total * 0.002);
    char *text;
    if (pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, NULL) == PK_OK) {
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            if (!strncmp(line, "user_lookup_", 12) && !strstr(line, "_bucket"))
                printf("%s\n", line);
        pk_free(text);
    }
    pk_batch_free(b);
    pk_metrics_registry_free(reg);
    return 0;
}
