/* Unit tests for lib/rt/intern*.c (perfkit/intern.h): dense and stable ids,
 * the lookup round trip, embedded NULs, empty and long strings, growth over
 * a million strings (the overhead arithmetic included: no timing), argument
 * errors, every allocation failing in turn (tests/unit/fault.h), and readers
 * checking every id they read while one or two writers intern. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "perfkit/intern.h"

static pk_interner *mk(bool shared)
{
    pk_intern_opts o;
    pk_intern_opts_init(&o);
    o.shared = shared;
    pk_interner *in = NULL;
    cr_assert_eq(pk_intern_new(&o, &in), PK_OK);
    return in;
}

static size_t key(char *buf, uint32_t i)
{
    return (size_t)snprintf(buf, 32, "key-%u", i);
}

static uint32_t put(pk_interner *in, const void *s, size_t n)
{
    uint32_t id = UINT32_MAX;
    cr_assert_eq(pk_intern(in, s, n, &id), PK_OK);
    return id;
}

Test(intern, ids_dense_and_stable)
{
    pk_interner *in = mk(true);
    char b[32];
    for (uint32_t i = 0; i < 1000; i++)
        cr_assert_eq(put(in, b, key(b, i)), i);
    cr_assert_eq(pk_intern_count(in), 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        size_t n = key(b, i);
        cr_assert_eq(put(in, b, n), i);
        uint32_t id = 0;
        cr_assert(pk_intern_find(in, b, n, &id));
        cr_assert_eq(id, i);
    }
    cr_assert_eq(pk_intern_count(in), 1000);
    pk_intern_free(in);
}

Test(intern, lookup_round_trip)
{
    pk_interner *in = mk(false);
    const char *words[] = {"alpha", "beta", "gamma", "a", "a longer string of some forty bytes....."};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(put(in, words[i], strlen(words[i])), (uint32_t)i);
    for (int i = 0; i < 5; i++) {
        size_t n = 99;
        const char *s = pk_intern_lookup(in, (uint32_t)i, &n);
        cr_assert_not_null(s);
        cr_assert_eq(n, strlen(words[i]));
        cr_assert_str_eq(s, words[i]);   /* NUL-terminated */
        cr_assert_neq(s, words[i]);      /* a copy */
    }
    cr_assert_null(pk_intern_lookup(in, 5, NULL));
    cr_assert_null(pk_intern_lookup(in, UINT32_MAX, NULL));
    uint32_t id = 7;
    cr_assert_not(pk_intern_find(in, "delta", 5, &id));
    cr_assert_eq(id, 7);
    cr_assert_not(pk_intern_find(in, "alph", 4, &id));
    cr_assert_eq(pk_intern_count(in), 5);
    pk_intern_free(in);
}

Test(intern, embedded_nuls_and_empty)
{
    pk_interner *in = mk(true);
    cr_assert_eq(put(in, "a\0b", 3), 0);
    cr_assert_eq(put(in, "a\0c", 3), 1);
    cr_assert_eq(put(in, "a", 1), 2);
    cr_assert_eq(put(in, "a\0", 2), 3);
    cr_assert_eq(put(in, "", 0), 4);
    cr_assert_eq(put(in, NULL, 0), 4);
    cr_assert_eq(put(in, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 17), 5);
    cr_assert_eq(put(in, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16), 6);
    cr_assert_eq(put(in, "a\0b", 3), 0);
    size_t n = 9;
    const char *s = pk_intern_lookup(in, 0, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(memcmp(s, "a\0b", 4), 0);
    s = pk_intern_lookup(in, 4, &n);
    cr_assert_eq(n, 0);
    cr_assert_eq(s[0], '\0');
    s = pk_intern_lookup(in, 5, &n);
    cr_assert_eq(n, 17);
    pk_intern_free(in);
}

Test(intern, long_strings)
{
    pk_interner *in = mk(true);
    size_t sizes[] = {127, 128, 8191, 8192, 65535, 65536, 200000, 5};
    char *bufs[8];
    for (int i = 0; i < 8; i++) {
        bufs[i] = malloc(sizes[i]);
        for (size_t k = 0; k < sizes[i]; k++)
            bufs[i][k] = (char)('a' + (k * 7 + (size_t)i) % 26);
        cr_assert_eq(put(in, bufs[i], sizes[i]), (uint32_t)i);
    }
    for (int i = 0; i < 8; i++) {
        size_t n = 0;
        const char *s = pk_intern_lookup(in, (uint32_t)i, &n);
        cr_assert_eq(n, sizes[i]);
        cr_assert_eq(memcmp(s, bufs[i], n), 0);
        cr_assert_eq(s[n], '\0');
        cr_assert_eq(put(in, bufs[i], sizes[i]), (uint32_t)i);
        free(bufs[i]);
    }
    pk_intern_free(in);
}

/* A million strings through a score of table growths; then the memory
 * arithmetic of the header: overhead = total - string bytes <= 24 B per
 * string once nothing is retired. */
static void million(bool shared)
{
    enum { N = 1000000 };
    pk_interner *in = mk(shared);
    char b[32];
    const char *first = NULL;
    for (uint32_t i = 0; i < N; i++) {
        cr_assert_eq(put(in, b, key(b, i)), i);
        if (i == 0)
            first = pk_intern_lookup(in, 0, NULL);
    }
    cr_assert_eq(pk_intern_lookup(in, 0, NULL), first, "arena chunks never move");
    for (uint32_t i = 0; i < N; i++) {
        size_t n = key(b, i), m = 0;
        uint32_t id = 0;
        cr_assert(pk_intern_find(in, b, n, &id));
        cr_assert_eq(id, i);
        const char *s = pk_intern_lookup(in, i, &m);
        cr_assert(m == n && memcmp(s, b, n) == 0);
    }
    pk_intern_stats st;
    cr_assert_eq(pk_intern_stats_get(in, &st), PK_OK);
    cr_assert_eq(st.strings, N);
    cr_assert_geq(st.grows, 16);
    cr_assert_eq(st.table_slots, 1u << 21);
    if (shared) {
        cr_assert_gt(st.retired_bytes, 0);
        pk_intern_reclaim(in);
        cr_assert_eq(pk_intern_stats_get(in, &st), PK_OK);
    }
    cr_assert_eq(st.retired_bytes, 0);
    cr_assert_gt(st.total_bytes, st.arena_bytes + st.index_bytes + st.table_bytes);
    cr_assert_eq(st.overhead_bytes, st.total_bytes - st.string_bytes);
    double per = (double)st.overhead_bytes / N;
    cr_assert_leq(per, 24.0, "overhead %.2f B per string", per);
    cr_assert_eq(pk_intern_lookup(in, 0, NULL), first);
    pk_intern_free(in);
}

Test(intern, million_single_thread, .timeout = 60) { million(false); }
Test(intern, million_shared, .timeout = 60) { million(true); }

Test(intern, capacity_presizes)
{
    pk_intern_opts o;
    pk_intern_opts_init(&o);
    o.capacity = 100000;
    pk_interner *in = NULL;
    cr_assert_eq(pk_intern_new(&o, &in), PK_OK);
    char b[32];
    for (uint32_t i = 0; i < 100000; i++)
        put(in, b, key(b, i));
    pk_intern_stats st;
    pk_intern_stats_get(in, &st);
    cr_assert_eq(st.grows, 0);
    cr_assert_lt(st.retired_bytes, 4096);  /* outgrown directories only */
    pk_intern_free(in);
}

Test(intern, argument_errors)
{
    pk_interner *in = NULL;
    cr_assert_eq(pk_intern_new(NULL, NULL), PK_EINVAL);
    pk_intern_opts o;
    pk_intern_opts_init(&o);
    o.capacity = (size_t)UINT32_MAX + 1;
    cr_assert_eq(pk_intern_new(&o, &in), PK_EINVAL);
    cr_assert_null(in);
    cr_assert_eq(pk_intern_new(NULL, &in), PK_OK);
    uint32_t id = 3;
    cr_assert_eq(pk_intern(NULL, "a", 1, &id), PK_EINVAL);
    cr_assert_eq(pk_intern(in, "a", 1, NULL), PK_EINVAL);
    cr_assert_eq(pk_intern(in, NULL, 1, &id), PK_EINVAL);
    cr_assert_eq(id, 3);
    cr_assert_not(pk_intern_find(in, NULL, 1, &id));
    cr_assert_not(pk_intern_find(NULL, "a", 1, &id));
    cr_assert_null(pk_intern_lookup(NULL, 0, NULL));
    cr_assert_eq(pk_intern_count(NULL), 0);
    cr_assert_eq(pk_intern_stats_get(in, NULL), PK_EINVAL);
    pk_intern_reclaim(NULL);
    pk_intern_free(NULL);
    pk_intern_free(in);
}

/* Every allocation fails in turn while interning enough to grow the table,
 * add index pages and chunks and a block of its own: each failure is a
 * clean PK_ENOMEM that changes nothing (the retry gets the next dense id,
 * every earlier id still reads back), and nothing leaks. */
static void fault_run(bool shared)
{
    enum { N = 9000 };
    static char big[70000];
    memset(big, 'x', sizeof big);
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_intern_opts o;
        pk_intern_opts_init(&o);
        o.shared = shared;
        pk_interner *in = NULL;
        pk_err e = pk_intern_new(&o, &in);
        if (e) {
            cr_assert_eq(e, PK_ENOMEM);
            cr_assert_null(in);
            cr_assert_eq(fault_live(), 0);
            continue;
        }
        bool failed = false;
        char b[32];
        for (uint32_t i = 0; i < N; i++) {
            size_t n = i == N / 2 ? sizeof big : key(b, i);
            const char *s = i == N / 2 ? big : b;
            uint32_t id = UINT32_MAX;
            e = pk_intern(in, s, n, &id);
            if (e) {
                cr_assert_eq(e, PK_ENOMEM, "request %ld: %d", k, e);
                cr_assert_eq(id, UINT32_MAX);
                cr_assert_eq(pk_intern_count(in), i);
                cr_assert_not(pk_intern_find(in, s, n, &id));
                failed = true;
                e = pk_intern(in, s, n, &id);  /* only request k failed */
                cr_assert_eq(e, PK_OK);
            }
            cr_assert_eq(id, i);
        }
        for (uint32_t i = 0; i < N; i += 97) {
            size_t m = 0;
            const char *s = pk_intern_lookup(in, i, &m);
            if (i != N / 2)
                cr_assert(m == key(b, i) && memcmp(s, b, m) == 0);
        }
        pk_intern_free(in);
        cr_assert_eq(fault_live(), 0, "leak when request %ld failed", k);
        fault_disarm();
        if (!failed)
            break;
    }
}

Test(intern, alloc_failures_shared) { fault_run(true); }
Test(intern, alloc_failures_single) { fault_run(false); }

Test(intern, hits_allocate_nothing)
{
    pk_interner *in = mk(true);
    char b[32];
    for (uint32_t i = 0; i < 5000; i++)
        put(in, b, key(b, i));
    fault_arm(-1);
    for (uint32_t i = 0; i < 5000; i++)
        cr_assert_eq(put(in, b, key(b, i)), i);
    cr_assert_eq(fault_requests(), 0);
    fault_disarm();
    pk_intern_free(in);
}

/* Concurrency: writers intern "w<i>" for i = 0..N-1 in order; readers read
 * the count, then look up ids below it and find strings below it: every id
 * read must map to its own string. One writer gives id i to string i; with
 * two writers racing on the same sequence, ids stay dense and each string
 * gets one id, whichever writer won. */
enum { CN = 200000 };
static pk_interner *cin;
static atomic_bool cdone;
static atomic_long cchecks;

static void *writer(void *arg)
{
    (void)arg;
    char b[32];
    for (uint32_t i = 0; i < CN; i++) {
        size_t n = (size_t)snprintf(b, sizeof b, "w%u", i);
        uint32_t id;
        cr_assert_eq(pk_intern(cin, b, n, &id), PK_OK);
    }
    return NULL;
}

static void *reader(void *arg)
{
    bool ordered = *(bool *)arg;
    uint64_t x = 88172645463325252ull;
    char b[32];
    long checks = 0;
    while (!atomic_load(&cdone)) {
        uint32_t c = pk_intern_count(cin);
        if (!c)
            continue;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t id = (uint32_t)(x % c);
        size_t m = 0;
        const char *s = pk_intern_lookup(cin, id, &m);
        cr_assert_not_null(s);
        cr_assert_eq(s[m], '\0');
        uint32_t back = UINT32_MAX;
        cr_assert(pk_intern_find(cin, s, m, &back), "id %u: %.*s not found", id, (int)m, s);
        cr_assert_eq(back, id);
        if (ordered) {
            size_t n = (size_t)snprintf(b, sizeof b, "w%u", id);
            cr_assert(m == n && memcmp(s, b, n) == 0, "id %u reads %.*s", id, (int)m, s);
        }
        checks++;
    }
    atomic_fetch_add(&cchecks, checks);
    return NULL;
}

static void stress(int writers)
{
    cin = mk(true);
    atomic_store(&cdone, false);
    atomic_store(&cchecks, 0);
    bool ordered = writers == 1;
    pthread_t w[2], r[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, &ordered);
    for (int i = 0; i < writers; i++)
        pthread_create(&w[i], NULL, writer, NULL);
    for (int i = 0; i < writers; i++)
        pthread_join(w[i], NULL);
    atomic_store(&cdone, true);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    cr_assert_eq(pk_intern_count(cin), CN);
    cr_assert_gt(atomic_load(&cchecks), 0);
    char b[32];
    for (uint32_t i = 0; i < CN; i++) {
        size_t n = (size_t)snprintf(b, sizeof b, "w%u", i);
        uint32_t id;
        cr_assert(pk_intern_find(cin, b, n, &id));
        size_t m;
        const char *s = pk_intern_lookup(cin, id, &m);
        cr_assert(m == n && memcmp(s, b, n) == 0);
    }
    pk_intern_reclaim(cin);
    pk_intern_free(cin);
}

Test(intern, readers_while_one_writer, .timeout = 60) { stress(1); }
Test(intern, readers_while_two_writers, .timeout = 60) { stress(2); }
