/* batch_tsan.c — pk_batch under ThreadSanitizer (a standalone driver, as
 * cache_tsan.c). `make tsan` builds it with the library compiled with
 * -fsanitize=thread.
 *
 * Eight threads add 8,000 requests each over 48 keys (so most adds are
 * duplicates joining a queued or running key), with a 1 ms result cache, a
 * flusher thread and a ninth thread calling pk_batch_flush (so the batch
 * function runs on two threads at once), metrics registered. Keys k % 5 == 0
 * fail with a per-item error. Every request has its own answer slot: the
 * driver checks each was answered exactly once, with the right value or
 * error, that no batch held a key twice or more than max_items keys, and
 * that the statistics add up. Exits 0 when all holds (TSan exits non-zero
 * on a race with halt_on_error=1). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/batch.h"

#define THREADS 8
#define PER 8000
#define KEYS 48
#define MAX_ITEMS 16

static atomic_int answered[THREADS * PER];
static atomic_long wrong, bad_batches, running_per_key[KEYS], concurrent_key;
static atomic_int stop_flushing;
static pk_batch *b;

static pk_err batch_fn(void *ud, pk_batch_item *it, size_t n)
{
    (void)ud;
    if (n > MAX_ITEMS)
        atomic_fetch_add(&bad_batches, 1);
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        memcpy(&k, it[i].key, sizeof k);
        if (atomic_fetch_add(&running_per_key[k], 1) != 0)
            atomic_fetch_add(&concurrent_key, 1);   /* two calls of one key at once */
        for (size_t j = 0; j < i; j++)
            if (it[j].klen == it[i].klen && memcmp(it[j].key, it[i].key, it[i].klen) == 0)
                atomic_fetch_add(&bad_batches, 1);
    }
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        memcpy(&k, it[i].key, sizeof k);
        if (k % 5 == 0) {
            pk_batch_set(&it[i], PK_EIO, NULL, 0);
        } else {
            uint64_t v[4] = {(uint64_t)k * 3, (uint64_t)k * 5, (uint64_t)k * 7, (uint64_t)k * 11};
            pk_batch_set(&it[i], PK_OK, v, sizeof v);
        }
        atomic_fetch_sub(&running_per_key[k], 1);
    }
    return PK_OK;
}

typedef struct req {
    int slot, key;
} req;
static req reqs[THREADS * PER];

static void on_done(void *ud, pk_err err, const void *val, size_t vlen)
{
    req *r = ud;
    atomic_fetch_add(&answered[r->slot], 1);
    int k = r->key;
    if (k % 5 == 0) {
        if (err != PK_EIO)
            atomic_fetch_add(&wrong, 1);
        return;
    }
    uint64_t v[4];
    if (err != PK_OK || vlen != sizeof v) {
        atomic_fetch_add(&wrong, 1);
        return;
    }
    memcpy(v, val, sizeof v);
    if (v[0] != (uint64_t)k * 3 || v[3] != (uint64_t)k * 11)
        atomic_fetch_add(&wrong, 1);
}

static void *adder(void *p)
{
    int t = *(const int *)p;
    uint64_t x = (uint64_t)t * 0x9e3779b97f4a7c15ull + 1;
    for (int i = 0; i < PER; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        req *r = &reqs[t * PER + i];
        r->slot = t * PER + i;
        r->key = (int)((x >> 33) % KEYS);
        if (pk_batch_add(b, &r->key, sizeof r->key, NULL, 0, (unsigned)(x >> 60) % 3, on_done, r) != PK_OK)
            atomic_fetch_add(&answered[r->slot], 100);   /* counted as wrong below */
    }
    return NULL;
}

static void *flusher(void *p)
{
    (void)p;
    while (!atomic_load(&stop_flushing))
        pk_batch_flush(b, NULL);
    return NULL;
}

int main(void)
{
    pk_batch_opts o;
    pk_batch_opts_init(&o);
    o.max_items = MAX_ITEMS;
    o.max_delay_ns = 100000;
    o.priorities = 3;
    o.cache_entries = 32;
    o.cache_ttl_ns = 1000000;
    if (pk_batch_new(&o, batch_fn, NULL, &b) != PK_OK)
        return 2;
    pk_metrics_registry *reg;
    if (pk_metrics_registry_new(&reg) != PK_OK || pk_batch_register_metrics(b, reg, "tsan") != PK_OK)
        return 2;
    pthread_t th[THREADS], fl;
    pthread_create(&fl, NULL, flusher, NULL);
    static int ids[THREADS];
    for (int t = 0; t < THREADS; t++) {
        ids[t] = t;
        pthread_create(&th[t], NULL, adder, &ids[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    atomic_store(&stop_flushing, 1);
    pthread_join(fl, NULL);
    pk_batch_stats st;
    pk_batch_stats_get(b, &st);
    pk_batch_free(b);   /* answers whatever is still queued */
    long not_once = 0;
    for (int i = 0; i < THREADS * PER; i++)
        if (atomic_load(&answered[i]) != 1)
            not_once++;
    char *text;
    size_t len;
    pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, &len);
    pk_free(text);
    pk_metrics_registry_free(reg);
    printf("batch_tsan: %d requests, %llu batches, %llu distinct keys run, %llu duplicates, "
           "%llu cache hits, largest batch %llu; not answered exactly once %ld, wrong %ld, "
           "bad batches %ld, concurrent calls of a key %ld\n",
           THREADS * PER, (unsigned long long)st.batches, (unsigned long long)st.items,
           (unsigned long long)st.duplicates, (unsigned long long)st.cache_hits,
           (unsigned long long)st.max_batch, not_once, atomic_load(&wrong),
           atomic_load(&bad_batches), atomic_load(&concurrent_key));
    return not_once || atomic_load(&wrong) || atomic_load(&bad_batches) || atomic_load(&concurrent_key) ||
                   st.adds != (uint64_t)THREADS * PER
               ? 1
               : 0;
}
