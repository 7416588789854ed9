/* test_arena.c — pk_arena (bump, alignment, growth, marks, reset, trim,
 * limits, faults) and the size-class pool on it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "fault.h"
#include "perfkit/arena.h"

static pk_arena *mk(size_t chunk, size_t max_chunk, size_t max_bytes)
{
    pk_arena_opts o;
    pk_arena_opts_init(&o);
    if (chunk)
        o.chunk_size = chunk;
    if (max_chunk)
        o.max_chunk = max_chunk;
    o.max_bytes = max_bytes;
    pk_arena *a = NULL;
    cr_assert_eq(pk_arena_new(&o, &a), PK_OK);
    return a;
}

static pk_arena_stats stats(pk_arena *a)
{
    pk_arena_stats st;
    cr_assert_eq(pk_arena_stats_get(a, &st), PK_OK);
    return st;
}

Test(arena, rejects_bad_options)
{
    pk_arena_opts o;
    pk_arena *a = (pk_arena *)&o;
    pk_arena_opts_init(&o);
    cr_expect_eq(pk_arena_new(&o, NULL), PK_EINVAL);
    o.chunk_size = 63;
    cr_expect_eq(pk_arena_new(&o, &a), PK_EINVAL);
    cr_expect_null(a);
    pk_arena_opts_init(&o);
    o.max_chunk = o.chunk_size - 1;
    cr_expect_eq(pk_arena_new(&o, &a), PK_EINVAL);
    pk_arena_opts_init(&o);
    o.max_bytes = 100;
    cr_expect_eq(pk_arena_new(&o, &a), PK_EINVAL);
    cr_expect_eq(pk_arena_new(NULL, &a), PK_OK, "NULL options: defaults");
    cr_expect_eq(stats(a).reserved_bytes, 64 << 10);
    pk_arena_free(a);
    pk_arena_free(NULL);
    cr_expect_eq(pk_arena_stats_get(NULL, NULL), PK_EINVAL);
}

Test(arena, bumps_in_order_with_alignment)
{
    pk_arena *a = mk(1024, 0, 0);
    char *p = pk_arena_alloc(a, 1), *q = pk_arena_alloc(a, 1);
    cr_expect_eq((uintptr_t)p % PK_ARENA_ALIGN, 0);
    cr_expect_eq(q, p + 16, "16-byte steps");
    char *r = pk_arena_alloc_aligned(a, 3, 1);
    cr_expect_eq(r, q + 1, "alignment 1 packs");
    char *s = pk_arena_alloc_aligned(a, 8, 64);
    cr_expect_eq((uintptr_t)s % 64, 0);
    cr_expect_null(pk_arena_alloc_aligned(a, 8, 3), "align not a power of two");
    cr_expect_null(pk_arena_alloc_aligned(a, 8, 0));
    cr_expect_null(pk_arena_alloc_aligned(a, 8, 8192));
    cr_expect_eq(stats(a).failures, 3);
    char *z = pk_arena_alloc(a, 0);
    cr_expect_not_null(z);
    pk_arena_free(a);
}

Test(arena, grows_by_doubling_chunks_and_keeps_data)
{
    pk_arena *a = mk(256, 1024, 0);
    enum { N = 200 };
    uint64_t *v[N];
    for (int i = 0; i < N; i++) {
        v[i] = pk_arena_alloc(a, 24);
        cr_assert_not_null(v[i]);
        v[i][0] = (uint64_t)i * 7919;
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(v[i][0], (uint64_t)i * 7919);
    pk_arena_stats st = stats(a);
    /* 200 x 32 bytes: 8 + 16 + 6 x 32 in chunks of 256, 512, then 1024 */
    cr_expect_eq(st.chunks, 8);
    cr_expect_eq(st.reserved_bytes, 256 + 512 + 1024 * 6);
    cr_expect_eq(st.chunk_allocs, 8);
    /* a large request gets a chunk of its own size */
    char *big = pk_arena_alloc(a, 10000);
    cr_assert_not_null(big);
    memset(big, 1, 10000);
    cr_expect_eq(stats(a).reserved_bytes, 256 + 512 + 1024 * 6 + 10000 + 15);
    pk_arena_free(a);
}

Test(arena, reset_is_reuse_without_allocation)
{
    fault_arm(-1);
    pk_arena *a = mk(4096, 0, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_not_null(pk_arena_alloc(a, 100));
    pk_arena_stats st = stats(a);
    long req = fault_requests();
    char *first = NULL;
    for (int round = 0; round < 10; round++) {
        pk_arena_reset(a);
        cr_expect_eq(stats(a).used_bytes, 0);
        for (int i = 0; i < 1000; i++) {
            char *p = pk_arena_alloc(a, 100);
            if (i == 0) {
                if (!first)
                    first = p;
                cr_expect_eq(p, first, "a reset starts over at the first chunk");
            }
        }
    }
    cr_expect_eq(fault_requests(), req, "no allocation after the first round");
    pk_arena_stats st2 = stats(a);
    cr_expect_eq(st2.chunks, st.chunks);
    cr_expect_eq(st2.peak_bytes, st.used_bytes);
    cr_expect_eq(st2.used_bytes, st.used_bytes);
    pk_arena_free(a);
    fault_disarm();
    cr_expect_eq(fault_live(), 0);
}

Test(arena, rewind_to_nested_marks)
{
    pk_arena *a = mk(256, 0, 0);
    char *keep = pk_arena_alloc(a, 10);
    memcpy(keep, "kept", 5);
    pk_arena_mark m1 = pk_arena_save(a);
    uint64_t used1 = stats(a).used_bytes;
    for (int i = 0; i < 50; i++)
        pk_arena_alloc(a, 40);   /* crosses into later chunks */
    pk_arena_mark m2 = pk_arena_save(a);
    char *x = pk_arena_alloc(a, 8);
    pk_arena_rewind(a, m2);
    cr_expect_eq(pk_arena_alloc(a, 8), x, "rewind to m2 gives the same memory again");
    uint64_t chunks = stats(a).chunks;
    pk_arena_rewind(a, m1);
    cr_expect_eq(stats(a).used_bytes, used1);
    cr_expect_eq(stats(a).chunks, chunks, "chunks are kept");
    cr_expect_str_eq(keep, "kept");
    char *y = pk_arena_alloc(a, 10);
    cr_expect_eq(y, keep + 16);
    cr_expect_gt(stats(a).peak_bytes, used1 + (uint64_t)50 * 40);
    /* trim gives the unused chunks back */
    size_t freed = pk_arena_trim(a);
    cr_expect_gt(freed, 0);
    cr_expect_eq(stats(a).chunks, 1);
    cr_expect_eq(pk_arena_trim(a), 0);
    cr_expect_not_null(pk_arena_alloc(a, 1000), "grows again after a trim");
    pk_arena_free(a);
}

Test(arena, max_bytes_limits_growth)
{
    pk_arena *a = mk(1024, 1024, 2048);
    cr_expect_not_null(pk_arena_alloc(a, 1000));
    cr_expect_not_null(pk_arena_alloc(a, 1000), "second chunk");
    cr_expect_null(pk_arena_alloc(a, 1000), "a third would exceed max_bytes");
    pk_arena_stats st = stats(a);
    cr_expect_eq(st.failures, 1);
    cr_expect_eq(st.reserved_bytes, 2048);
    pk_arena_reset(a);
    cr_expect_not_null(pk_arena_alloc(a, 1000), "after a reset the chunks serve again");
    cr_expect_not_null(pk_arena_alloc(a, 1000));
    pk_arena_free(a);
}

Test(arena, allocation_failures_are_clean)
{
    for (long k = 0; k < 4; k++) {
        fault_arm(k);
        pk_arena *a = NULL;
        pk_err e = pk_arena_new(NULL, &a);
        if (e == PK_OK) {
            void *p = pk_arena_alloc(a, 1 << 20);   /* needs a chunk */
            cr_expect(p != NULL || k >= 1);
            pk_arena_free(a);
        } else {
            cr_expect_eq(e, PK_ENOMEM);
            cr_expect_null(a);
        }
        fault_disarm();
        cr_expect_eq(fault_live(), 0, "leak after failing request %ld", k);
    }
}

/* ---- size-class pool ---------------------------------------------------------- */

Test(arena_pool, classes_round_by_at_most_a_quarter)
{
    cr_expect_eq(pk_arena_pool_class_size(0), 16);
    cr_expect_eq(pk_arena_pool_class_size(1), 16);
    cr_expect_eq(pk_arena_pool_class_size(17), 32);
    cr_expect_eq(pk_arena_pool_class_size(128), 128);
    cr_expect_eq(pk_arena_pool_class_size(129), 160);
    cr_expect_eq(pk_arena_pool_class_size(1000), 1024);
    cr_expect_eq(pk_arena_pool_class_size(1025), 1280);
    cr_expect_eq(pk_arena_pool_class_size(PK_ARENA_POOL_MAX), PK_ARENA_POOL_MAX);
    cr_expect_eq(pk_arena_pool_class_size(PK_ARENA_POOL_MAX + 1), 0);
    size_t prev = 0;
    for (size_t s = 1; s <= PK_ARENA_POOL_MAX; s++) {
        size_t c = pk_arena_pool_class_size(s);
        cr_assert_geq(c, s);
        cr_assert_eq(c % 16, 0);
        cr_assert(s <= 128 || (double)c <= 1.25 * (double)s, "size %zu -> %zu", s, c);
        cr_assert_geq(c, prev);
        prev = c;
    }
}

Test(arena_pool, reuses_freed_blocks_by_class)
{
    pk_arena_pool *sp;
    cr_assert_eq(pk_arena_pool_new(NULL, &sp), PK_OK);
    char *a = pk_arena_pool_get(sp, 100), *b = pk_arena_pool_get(sp, 40);
    cr_assert(a && b);
    cr_expect_eq((uintptr_t)a % 16, 0);
    memset(a, 1, 100);
    memset(b, 2, 40);
    pk_arena_pool_put(sp, a, 100);
    cr_expect_eq(pk_arena_pool_get(sp, 112), a, "same class (112)");
    cr_expect_neq(pk_arena_pool_get(sp, 100), a);
    cr_expect_null(pk_arena_pool_get(sp, PK_ARENA_POOL_MAX + 1));
    pk_arena_pool_stats st;
    cr_assert_eq(pk_arena_pool_stats_get(sp, &st), PK_OK);
    cr_expect_eq(st.gets, 4);
    cr_expect_eq(st.puts, 1);
    cr_expect_eq(st.reused, 1);
    cr_expect_eq(st.live, 3);
    cr_expect_eq(st.live_bytes, 112 + 48 + 112);
    pk_arena_pool_reset(sp);
    cr_assert_eq(pk_arena_pool_stats_get(sp, &st), PK_OK);
    cr_expect_eq(st.live, 0);
    cr_expect_eq(st.arena.used_bytes, 0);
    pk_arena_pool_put(sp, NULL, 10);
    pk_arena_pool_free(sp);
    pk_arena_pool_free(NULL);
}

Test(arena_pool, mixed_sizes_never_overlap)
{
    pk_arena_pool *sp;
    cr_assert_eq(pk_arena_pool_new(NULL, &sp), PK_OK);
    enum { N = 3000 };
    static unsigned char *p[N];
    static size_t sz[N];
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sz[i] = 1 + x % 3000;
        p[i] = pk_arena_pool_get(sp, sz[i]);
        cr_assert_not_null(p[i]);
        memset(p[i], i & 0xff, sz[i]);
        if (i % 3 == 2) {   /* free every third block of the previous ones */
            int j = i - 1;
            for (size_t k = 0; k < sz[j]; k++)
                cr_assert_eq(p[j][k], j & 0xff);
            pk_arena_pool_put(sp, p[j], sz[j]);
            p[j] = NULL;
        }
    }
    for (int i = 0; i < N; i++)
        if (p[i])
            for (size_t k = 0; k < sz[i]; k++)
                cr_assert_eq(p[i][k], i & 0xff, "block %d byte %zu", i, k);
    pk_arena_pool_free(sp);
}

Test(arena_pool, new_fails_cleanly)
{
    for (long k = 0; k < 3; k++) {
        fault_arm(k);
        pk_arena_pool *sp = NULL;
        pk_err e = pk_arena_pool_new(NULL, &sp);
        if (e == PK_OK) {
            cr_expect_not_null(pk_arena_pool_get(sp, 100));
            pk_arena_pool_free(sp);
        } else {
            cr_expect_eq(e, PK_ENOMEM);
            cr_expect_null(sp);
        }
        fault_disarm();
        cr_expect_eq(fault_live(), 0, "leak after failing request %ld", k);
    }
}
