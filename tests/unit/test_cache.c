/* test_cache.c — pk_cache: policies, TTL, limits, callbacks, stats, faults, threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "fault.h"
#include "perfkit/cache.h"

/* ---- helpers ------------------------------------------------------------------ */

static int64_t fake_now;
static int64_t fake_clock(void *ud, pk__clock_id id)
{
    (void)ud;
    (void)id;
    return fake_now;
}

#define MAXK 4096
static struct {
    int live[MAXK];       /* entries of key k alive per the callbacks */
    int calls[6];         /* per reason */
} cb;

static int key_id(const void *key, size_t klen)
{
    char buf[32];
    cr_assert(klen < sizeof buf);
    memcpy(buf, key, klen);
    buf[klen] = 0;
    int k = -1;
    sscanf(buf, "k%d", &k);
    return k;
}

static void on_evict(void *ud, const void *key, size_t klen, const void *val, size_t vlen,
                     pk_cache_reason why)
{
    (void)ud;
    (void)val;
    (void)vlen;
    int k = key_id(key, klen);
    if (k < 0)
        return;   /* not a kN key */
    cr_assert(k < MAXK);
    cb.live[k]--;
    cr_assert_geq(cb.live[k], 0, "key k%d reported twice", k);
    cb.calls[why]++;
}

static pk_cache *mk(pk_cache_policy pol, size_t entries, size_t bytes, unsigned shards)
{
    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.policy = pol;
    o.max_entries = entries;
    o.max_bytes = bytes;
    o.shards = shards;
    o.on_evict = on_evict;
    pk_cache *c;
    cr_assert_eq(pk_cache_new(&o, &c), PK_OK);
    return c;
}

static pk_err put(pk_cache *c, int k, const char *v)
{
    char key[16];
    int n = snprintf(key, sizeof key, "k%d", k);
    pk_err e = pk_cache_put(c, key, (size_t)n, v, strlen(v));
    if (e == PK_OK)
        cb.live[k]++;
    return e;
}

static bool has(pk_cache *c, int k)
{
    char key[16];
    int n = snprintf(key, sizeof key, "k%d", k);
    return pk_cache_contains(c, key, (size_t)n);
}

static bool hit(pk_cache *c, int k)
{
    char key[16], buf[64];
    int n = snprintf(key, sizeof key, "k%d", k);
    size_t len;
    return pk_cache_get(c, key, (size_t)n, buf, sizeof buf, &len) == PK_OK;
}

/* ---- basics ------------------------------------------------------------------- */

Test(cache, put_get_remove)
{
    pk_cache *c = mk(PK_CACHE_S3FIFO, 16, 0, 1);
    char buf[8];
    size_t n = 99;
    cr_assert_eq(pk_cache_get(c, "a", 1, buf, sizeof buf, &n), PK_ENOENT);
    cr_assert_eq(pk_cache_put(c, "a", 1, "hello", 5), PK_OK);
    cr_assert_eq(pk_cache_get(c, "a", 1, buf, sizeof buf, &n), PK_OK);
    cr_assert_eq(n, 5);
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    cr_assert_eq(pk_cache_get(c, "a", 1, buf, 4, &n), PK_ERANGE);
    cr_assert_eq(n, 5);
    cr_assert_eq(pk_cache_put(c, "a", 1, "a much longer value", 19), PK_OK);
    char big[32];
    cr_assert_eq(pk_cache_get(c, "a", 1, big, sizeof big, &n), PK_OK);
    cr_assert_eq(n, 19);
    cr_assert_eq(memcmp(big, "a much longer value", 19), 0);
    cr_assert_eq(pk_cache_put(c, "", 0, "", 0), PK_OK);   /* empty key and value */
    cr_assert_eq(pk_cache_get(c, "", 0, NULL, 0, &n), PK_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(pk_cache_remove(c, "a", 1), PK_OK);
    cr_assert_eq(pk_cache_remove(c, "a", 1), PK_ENOENT);
    cr_assert_eq(pk_cache_get(c, "a", 1, buf, sizeof buf, &n), PK_ENOENT);
    cr_assert_eq(pk_cache_put(NULL, "a", 1, "x", 1), PK_EINVAL);
    cr_assert_eq(pk_cache_put_ttl(c, "a", 1, "x", 1, -1), PK_EINVAL);
    pk_cache_free(c);

    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.max_entries = 0;
    cr_assert_eq(pk_cache_new(&o, &c), PK_EINVAL);
    cr_assert_null(c);
}

Test(cache, stats)
{
    pk_cache *c = mk(PK_CACHE_S3FIFO, 4, 0, 1);
    for (int k = 0; k < 6; k++)
        cr_assert_eq(put(c, k, "v"), PK_OK);
    cr_assert(hit(c, 5));
    cr_assert(!hit(c, 0));
    cr_assert(hit(c, 4));
    pk_cache_stats st;
    cr_assert_eq(pk_cache_stats_get(c, &st), PK_OK);
    cr_assert_eq(st.hits, 2);
    cr_assert_eq(st.misses, 1);
    cr_assert_eq(st.insertions, 6);
    cr_assert_eq(st.evictions, 2);
    cr_assert_eq(st.entries, 4);
    cr_assert_eq(st.bytes, 4 * (2 + 1 + PK_CACHE_ENTRY_OVERHEAD));
    cr_assert_float_eq(st.hit_ratio, 2.0 / 3.0, 1e-12);
    cr_assert_eq(st.shards, 1);
    pk_cache_free(c);
}

/* ---- policies ------------------------------------------------------------------- */

Test(cache, s3fifo_small_main_ghost)
{
    /* 10 entries: the small queue's share is 1, main 9, ghost 9 */
    pk_cache *c = mk(PK_CACHE_S3FIFO, 10, 0, 1);
    for (int k = 1; k <= 10; k++)
        put(c, k, "v");
    put(c, 11, "v");               /* small is over its share: 1 (never hit) -> ghost */
    cr_assert(!has(c, 1));
    cr_assert(hit(c, 2));          /* 2 is hit while in small */
    put(c, 12, "v");               /* 2 moves to main, 3 is evicted to the ghost */
    cr_assert(has(c, 2));
    cr_assert(!has(c, 3));
    put(c, 1, "v");                /* 1 is in the ghost: straight to main; evicts 4 */
    cr_assert(!has(c, 4));
    cr_assert_eq(cb.calls[PK_CACHE_EVICTED], 3);
    /* a scan of 100 new keys never displaces main (1 and 2) */
    for (int k = 100; k < 200; k++)
        put(c, k, "v");
    cr_assert(has(c, 1));
    cr_assert(has(c, 2));
    cr_assert(has(c, 199));
    cr_assert(!has(c, 150));
    pk_cache_free(c);
    for (int k = 0; k < MAXK; k++)
        cr_assert_eq(cb.live[k], 0);
}

Test(cache, s3fifo_main_second_chance)
{
    pk_cache *c = mk(PK_CACHE_S3FIFO, 10, 0, 1);
    for (int k = 1; k <= 10; k++) {
        put(c, k, "v");
        hit(c, k);                 /* everything is hit once in small */
    }
    put(c, 11, "v");               /* all ten move to main (freq 0); main's tail 1 goes */
    cr_assert(!has(c, 1));
    hit(c, 2);                     /* main's oldest now is 2: give it a second chance */
    put(c, 12, "v");               /* small's 11 -> ghost */
    cr_assert(!has(c, 11));
    put(c, 11, "v");               /* ghost hit: 11 goes to main; 12 -> ghost; small empty */
    cr_assert(!has(c, 12));
    put(c, 13, "v");               /* small empty: evict from main: 2 is reinserted, 3 goes */
    cr_assert(has(c, 2));
    cr_assert(!has(c, 3));
    cr_assert(has(c, 11));
    pk_cache_free(c);
}

Test(cache, lru_order)
{
    pk_cache *c = mk(PK_CACHE_LRU, 3, 0, 1);
    put(c, 1, "v");
    put(c, 2, "v");
    put(c, 3, "v");
    cr_assert(hit(c, 1));
    put(c, 4, "v");                /* 2 is least recently used */
    cr_assert(!has(c, 2));
    cr_assert(has(c, 1) && has(c, 3) && has(c, 4));
    put(c, 3, "w");                /* a put refreshes too */
    put(c, 5, "v");                /* order now 5 3 4 1 (has() touched 1, 3, 4 in order) */
    cr_assert(!has(c, 1));
    pk_cache_free(c);
}

Test(cache, fifo_order)
{
    pk_cache *c = mk(PK_CACHE_FIFO, 3, 0, 1);
    put(c, 1, "v");
    put(c, 2, "v");
    put(c, 3, "v");
    cr_assert(hit(c, 1));
    put(c, 4, "v");                /* hits do not matter: 1 is the oldest */
    cr_assert(!has(c, 1));
    cr_assert(has(c, 2));
    pk_cache_free(c);
}

/* ---- TTL --------------------------------------------------------------------------- */

Test(cache, ttl_exact)
{
    fake_now = 5000000000;
    pk__clock_set(fake_clock, NULL);
    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.ttl_ns = 1000;
    o.on_evict = on_evict;
    pk_cache *c;
    cr_assert_eq(pk_cache_new(&o, &c), PK_OK);
    put(c, 1, "v");                                  /* default TTL: 1000 ns */
    cr_assert_eq(pk_cache_put_ttl(c, "k2", 2, "v", 1, 0), PK_OK);   /* never */
    cb.live[2]++;
    fake_now += 999;
    cr_assert(hit(c, 1));
    cr_assert_eq(pk_cache_expire(c), 0);
    fake_now += 1;
    cr_assert(!hit(c, 1));                           /* expiry <= now: gone */
    cr_assert_eq(pk_cache_expire(c), 1);
    cr_assert_eq(cb.calls[PK_CACHE_EXPIRED], 1);
    fake_now += 100 * PK_CACHE_SECOND;
    cr_assert(hit(c, 2));
    pk_cache_stats st;
    pk_cache_stats_get(c, &st);
    cr_assert_eq(st.expirations, 1);
    cr_assert_eq(st.entries, 1);
    pk_cache_free(c);
    pk__clock_set(NULL, NULL);
}

Test(cache, ttl_random_exact)
{
    /* random TTLs from 1 ns to hours; the clock moves in random steps; after
     * each pk_cache_expire exactly the entries with expiry <= now are gone */
    fake_now = 1000;
    pk__clock_set(fake_clock, NULL);
    pk_cache *c = mk(PK_CACHE_S3FIFO, 4096, 0, 4);
    static int64_t expiry[1000];
    uint64_t x = 42;
    for (int k = 0; k < 1000; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int shift = (int)((x >> 33) % 44);
        int64_t ttl = 1 + (int64_t)((x >> 11) & ((UINT64_C(1) << shift) - 1));
        char key[16];
        int n = snprintf(key, sizeof key, "k%d", k);
        cr_assert_eq(pk_cache_put_ttl(c, key, (size_t)n, "v", 1, ttl), PK_OK);
        cb.live[k]++;
        expiry[k] = fake_now + ttl;
        if (k % 10 == 0)
            fake_now += (int64_t)(x >> 50);
    }
    for (int step = 0; step < 300; step++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int shift = (int)((x >> 33) % 40);
        fake_now += (int64_t)((x >> 11) & ((UINT64_C(1) << shift) - 1));
        pk_cache_expire(c);
        for (int k = 0; k < 1000; k++) {
            bool due = expiry[k] <= fake_now;
            cr_assert_eq(cb.live[k], due ? 0 : 1, "k%d: expiry %lld now %lld", k,
                         (long long)expiry[k], (long long)fake_now);
        }
    }
    pk_cache_free(c);
    pk__clock_set(NULL, NULL);
}

/* ---- byte limit, callbacks: a random model check -------------------------------- */

Test(cache, byte_limit_property)
{
    static const pk_cache_policy pols[] = {PK_CACHE_S3FIFO, PK_CACHE_LRU, PK_CACHE_FIFO};
    for (int p = 0; p < 3; p++) {
        memset(&cb, 0, sizeof cb);
        const size_t max_bytes = 6000;
        pk_cache *c = mk(pols[p], 200, max_bytes, 4);
        static char val[MAXK][400];
        static size_t vlen[MAXK];
        uint64_t x = 7 + (uint64_t)p;
        for (int op = 0; op < 20000; op++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            int k = (int)((x >> 33) % 300);
            unsigned what = (unsigned)(x >> 60);
            char key[16];
            int kn = snprintf(key, sizeof key, "k%d", k);
            if (what < 8) {
                size_t n = (x >> 20) % 400;
                char v[400];
                for (size_t i = 0; i < n; i++)
                    v[i] = (char)(k + i + (size_t)op);
                pk_err e = pk_cache_put(c, key, (size_t)kn, v, n);
                if (e == PK_OK) {
                    cb.live[k]++;
                    memcpy(val[k], v, n);
                    vlen[k] = n;
                } else {
                    cr_assert_eq(e, PK_ERANGE);   /* > one shard's share (1500) */
                    cr_assert_gt(n + (size_t)kn + PK_CACHE_ENTRY_OVERHEAD, max_bytes / 4);
                }
            } else if (what < 10) {
                int was = cb.live[k];
                pk_err e = pk_cache_remove(c, key, (size_t)kn);
                cr_assert_eq(e, was ? PK_OK : PK_ENOENT, "pol %d op %d k%d", p, op, k);
                cr_assert_eq(cb.live[k], 0);
            } else {
                char buf[400];
                size_t n;
                pk_err e = pk_cache_get(c, key, (size_t)kn, buf, sizeof buf, &n);
                cr_assert_eq(e, cb.live[k] ? PK_OK : PK_ENOENT, "op %d k%d", op, k);
                if (e == PK_OK) {
                    cr_assert_eq(n, vlen[k]);
                    cr_assert_eq(memcmp(buf, val[k], n), 0);
                }
            }
            pk_cache_stats st;
            pk_cache_stats_get(c, &st);
            cr_assert_leq(st.bytes, max_bytes);
            cr_assert_leq(st.entries, 200);
            uint64_t live = 0;
            for (int i = 0; i < 300; i++)
                live += (uint64_t)cb.live[i];
            cr_assert_eq(live, st.entries);
        }
        pk_cache_clear(c);
        pk_cache_stats st;
        pk_cache_stats_get(c, &st);
        cr_assert_eq(st.entries, 0);
        cr_assert_eq(st.bytes, 0);
        for (int i = 0; i < 300; i++)
            cr_assert_eq(cb.live[i], 0);
        put(c, 1, "again");
        pk_cache_free(c);   /* FREED for the rest: every entry reported once */
        cr_assert_eq(cb.live[1], 0);
        cr_assert_eq(cb.calls[PK_CACHE_FREED], 1);
    }
}

/* ---- user hash and equality -------------------------------------------------------- */

static uint64_t ci_hash(void *ud, const void *key, size_t klen)
{
    (void)ud;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ (uint64_t)(((const unsigned char *)key)[i] | 0x20)) * 1099511628211ull;
    return h ^ (h >> 31);
}

static bool ci_eq(void *ud, const void *a, size_t alen, const void *b, size_t blen)
{
    (void)ud;
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

Test(cache, user_hash_eq)
{
    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.hash = ci_hash;
    o.eq = ci_eq;
    pk_cache *c;
    cr_assert_eq(pk_cache_new(&o, &c), PK_OK);
    cr_assert_eq(pk_cache_put(c, "Hello", 5, "1", 1), PK_OK);
    char buf[4];
    size_t n;
    cr_assert_eq(pk_cache_get(c, "HELLO", 5, buf, sizeof buf, &n), PK_OK);
    cr_assert_eq(pk_cache_put(c, "hello", 5, "2", 1), PK_OK);
    pk_cache_stats st;
    pk_cache_stats_get(c, &st);
    cr_assert_eq(st.entries, 1);
    char longkey[300];
    memset(longkey, 'x', sizeof longkey);   /* longer than the lock-free key copy */
    cr_assert_eq(pk_cache_put(c, longkey, sizeof longkey, "3", 1), PK_OK);
    memset(longkey, 'X', sizeof longkey);
    cr_assert_eq(pk_cache_get(c, longkey, sizeof longkey, buf, sizeof buf, &n), PK_OK);
    cr_assert_eq(buf[0], '3');
    pk_cache_free(c);
    o.eq = NULL;
    cr_assert_eq(pk_cache_new(&o, &c), PK_EINVAL);
}

/* ---- metrics ------------------------------------------------------------------------ */

Test(cache, register_metrics)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_cache *c = mk(PK_CACHE_S3FIFO, 4, 1000, 1);
    put(c, 1, "v");
    cr_assert(hit(c, 1));
    cr_assert_eq(pk_cache_register_metrics(c, r, "demo"), PK_OK);
    cr_assert_eq(pk_cache_register_metrics(c, r, "demo"), PK_EINVAL);
    cr_assert(!hit(c, 2));
    cr_assert(hit(c, 1));
    cr_assert(hit(c, 1));
    for (int k = 2; k < 8; k++)
        put(c, k, "v");
    pk_cache_stats st;
    pk_cache_stats_get(c, &st);     /* refreshes the ratio gauge */
    char *text;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_assert(strstr(text, "\ndemo_hits_total 3\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_misses_total 1\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_insertions_total 7\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_evictions_total 3\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_entries 4\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_bytes 140\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_max_bytes 1000\n"), "%s", text);
    cr_assert(strstr(text, "\ndemo_hit_ratio 0.75\n"), "%s", text);
    pk_free(text);
    pk_cache_free(c);
    pk_metrics_registry_free(r);
}

/* ---- allocation failures ------------------------------------------------------------- */

Test(cache, alloc_failures)
{
    for (long k = 0;; k++) {
        memset(&cb, 0, sizeof cb);
        fault_arm(k);
        pk_cache_opts o;
        pk_cache_opts_init(&o);
        o.max_entries = 600;   /* 2 shards */
        o.shards = 2;
        o.max_bytes = 20000;
        o.on_evict = on_evict;
        pk_cache *c = NULL;
        pk_err e = pk_cache_new(&o, &c);
        if (e) {
            cr_assert_eq(e, PK_ENOMEM);
            cr_assert_null(c);
            fault_disarm();
            cr_assert_eq(fault_live(), 0, "leak after failing request %ld of new", k);
            continue;
        }
        bool failed = false;
        for (int i = 0; i < 300; i++) {
            char v[100];
            memset(v, 'a' + i % 26, sizeof v - 1);
            v[sizeof v - 1] = 0;
            pk_err pe = put(c, i, i % 2 ? "short" : v);
            if (pe == PK_ENOMEM)
                failed = true;
            else
                cr_assert_eq(pe, PK_OK);
        }
        /* consistent: every key the callbacks say is live is there */
        for (int i = 0; i < 300; i++)
            cr_assert_eq(has(c, i), cb.live[i] == 1, "k%d after failing request %ld", i, k);
        long req = fault_requests();
        pk_cache_free(c);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak after failing request %ld", k);
        for (int i = 0; i < 300; i++)
            cr_assert_eq(cb.live[i], 0);
        if (!failed && k >= req)
            break;
    }
}

/* ---- threads ----------------------------------------------------------------------- */

typedef struct {
    pk_cache *c;
    unsigned seed;
    long bad, hits;
} hammer_arg;

static uint64_t checksum(uint64_t k, uint64_t i) { return (k + 1) * 0x9e3779b97f4a7c15ull ^ i; }

static void *hammer(void *p)
{
    hammer_arg *a = p;
    uint64_t x = a->seed;
    for (int op = 0; op < 200000; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t k = (x >> 33) % 2000;
        uint64_t val[32];
        if ((x >> 60) < 3) {
            size_t n = 1 + (x >> 20) % 32;   /* each word carries its key's checksum */
            for (size_t i = 0; i < n; i++)
                val[i] = checksum(k, i);
            pk_cache_put(a->c, &k, sizeof k, val, n * 8);
        } else {
            size_t n;
            if (pk_cache_get(a->c, &k, sizeof k, val, sizeof val, &n) == PK_OK) {
                a->hits++;
                if (n % 8 || n == 0)
                    a->bad++;
                for (size_t i = 0; i < n / 8; i++)
                    if (val[i] != checksum(k, i))
                        a->bad++;
            }
        }
    }
    return NULL;
}

Test(cache, threads_no_torn_values, .timeout = 120)
{
    static const pk_cache_policy pols[] = {PK_CACHE_S3FIFO, PK_CACHE_LRU};
    for (int p = 0; p < 2; p++) {
        pk_cache_opts o;
        pk_cache_opts_init(&o);
        o.policy = pols[p];
        o.max_entries = 1024;
        o.max_bytes = 64 * 1024;
        pk_cache *c;
        cr_assert_eq(pk_cache_new(&o, &c), PK_OK);
        pthread_t t[4];
        hammer_arg a[4];
        for (int i = 0; i < 4; i++) {
            a[i] = (hammer_arg){c, (unsigned)(i * 7919 + 1), 0, 0};
            pthread_create(&t[i], NULL, hammer, &a[i]);
        }
        long hits = 0;
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            cr_assert_eq(a[i].bad, 0, "torn values seen by thread %d", i);
            hits += a[i].hits;
        }
        cr_assert_gt(hits, 0);
        pk_cache_stats st;
        pk_cache_stats_get(c, &st);
        cr_assert_eq(st.hits, (uint64_t)hits);
        cr_assert_leq(st.bytes, 64 * 1024);
        pk_cache_free(c);
    }
}
