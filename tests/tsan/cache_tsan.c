/* cache_tsan.c — pk_cache under ThreadSanitizer (a standalone driver: Criterion
 * forks and TSan prefers a plain program). `make tsan` builds it with the
 * library's core, metrics and rt modules compiled with -fsanitize=thread.
 *
 * Four threads put, get, remove and expire on one small cache (S3-FIFO, then
 * LRU) with TTLs, a byte limit, an eviction callback and registered metrics,
 * so that evictions, block reuse and lock-free reads race all the time. Every
 * value's words carry a checksum of its key: a torn read is counted. Exits
 * 0 when no thread saw a torn value (TSan itself exits non-zero on a race
 * with halt_on_error=1). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "perfkit/cache.h"

static atomic_long torn, evicted;

static uint64_t checksum(uint64_t k, uint64_t i) { return (k + 1) * 0x9e3779b97f4a7c15ull ^ i; }

static void on_evict(void *ud, const void *key, size_t klen, const void *val, size_t vlen,
                     pk_cache_reason why)
{
    (void)ud;
    (void)why;
    const uint64_t *v = val;
    uint64_t k;
    if (klen != sizeof k || vlen % 8) {
        atomic_fetch_add(&torn, 1);
        return;
    }
    __builtin_memcpy(&k, key, sizeof k);
    for (size_t i = 0; i < vlen / 8; i++)
        if (v[i] != checksum(k, i))
            atomic_fetch_add(&torn, 1);
    atomic_fetch_add(&evicted, 1);
}

typedef struct arg {
    pk_cache *c;
    uint64_t seed;
} arg;

static void *hammer(void *p)
{
    arg *a = p;
    uint64_t x = a->seed;
    for (int op = 0; op < 60000; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t k = (x >> 33) % 500, val[16];
        unsigned what = (unsigned)(x >> 59);   /* 0..31 */
        if (what < 8) {
            size_t n = 1 + (x >> 20) % 16;
            for (size_t i = 0; i < n; i++)
                val[i] = checksum(k, i);
            pk_cache_put_ttl(a->c, &k, sizeof k, val, n * 8, what < 2 ? 1000 + (int64_t)(x & 0xffff) : 0);
        } else if (what == 8) {
            pk_cache_remove(a->c, &k, sizeof k);
        } else if (what == 9 && (x & 0xff) == 0) {
            pk_cache_expire(a->c);
        } else {
            size_t n;
            if (pk_cache_get(a->c, &k, sizeof k, val, sizeof val, &n) == PK_OK) {
                if (n % 8 || n == 0)
                    atomic_fetch_add(&torn, 1);
                for (size_t i = 0; i < n / 8; i++)
                    if (val[i] != checksum(k, i))
                        atomic_fetch_add(&torn, 1);
            }
        }
    }
    return NULL;
}

int main(void)
{
    static const pk_cache_policy pols[] = {PK_CACHE_S3FIFO, PK_CACHE_LRU};
    for (int p = 0; p < 2; p++) {
        pk_cache_opts o;
        pk_cache_opts_init(&o);
        o.policy = pols[p];
        o.max_entries = 256;
        o.max_bytes = 16 * 1024;
        o.shards = 2;
        o.on_evict = on_evict;
        pk_cache *c;
        pk_metrics_registry *r;
        if (pk_metrics_registry_new(&r) || pk_cache_new(&o, &c) ||
            pk_cache_register_metrics(c, r, "tsan_cache")) {
            fprintf(stderr, "cache_tsan: setup failed\n");
            return 1;
        }
        pthread_t t[4];
        arg a[4];
        for (int i = 0; i < 4; i++) {
            a[i] = (arg){c, (uint64_t)(i * 7919 + 1)};
            pthread_create(&t[i], NULL, hammer, &a[i]);
        }
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        pk_cache_stats st;
        pk_cache_stats_get(c, &st);
        printf("cache_tsan: %s: %llu hits, %llu misses, %llu evictions, %llu expirations\n",
               p ? "LRU" : "S3-FIFO", (unsigned long long)st.hits,
               (unsigned long long)st.misses, (unsigned long long)st.evictions,
               (unsigned long long)st.expirations);
        pk_cache_free(c);
        pk_metrics_registry_free(r);
    }
    long n = atomic_load(&torn);
    printf("cache_tsan: %ld torn values, %ld entries reported to the callback\n", n,
           atomic_load(&evicted));
    return n ? 1 : 0;
}
