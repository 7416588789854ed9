/* Unit tests for lib/core/hash.c (core/hash.h): put / get / remove against a
 * plain reference array, many keys with the probe count bounded (the table
 * stays O(1) without timing anything), keys that are not NUL-terminated,
 * backward-shift removal across the wrap of the slot array, and every
 * allocation failing in turn (tests/unit/fault.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "fault.h"

#define MANY 100000

static char (*make_keys(size_t n))[32]
{
    char (*k)[32] = calloc(n, sizeof *k);
    cr_assert_not_null(k);
    for (size_t i = 0; i < n; i++)
        snprintf(k[i], sizeof k[i], "bench/%zu", i);
    return k;
}

Test(core_hash, empty_table)
{
    pk__hash h = {0};
    size_t v = 7;
    cr_assert_not(pk__hash_get(&h, "a", 1, &v));
    cr_assert_eq(v, 7);
    cr_assert_not(pk__hash_remove(&h, "a", 1));
    cr_assert_eq(pk__hash_probes(&h, "a", 1), 0);
    cr_assert_not(pk__hash_get(NULL, "a", 1, &v));
    cr_assert_eq(pk__hash_put(NULL, "a", 1, 0), PK_EINVAL);
    cr_assert_eq(pk__hash_put(&h, NULL, 0, 0), PK_EINVAL);
    pk__hash_clear(&h);
    pk__hash_free(&h);
    pk__hash_free(NULL);
}

Test(core_hash, put_get_replace_remove)
{
    pk__hash h = {0};
    cr_assert_eq(pk__hash_put(&h, "wall", 4, 1), PK_OK);
    cr_assert_eq(pk__hash_put(&h, "rss", 3, 2), PK_OK);
    cr_assert_eq(pk__hash_put(&h, "", 0, 3), PK_OK, "the empty key is a key");
    size_t v;
    cr_assert(pk__hash_get(&h, "wall", 4, &v));
    cr_assert_eq(v, 1);
    cr_assert(pk__hash_get(&h, "", 0, &v));
    cr_assert_eq(v, 3);
    cr_assert_eq(pk__hash_put(&h, "wall", 4, 9), PK_OK);
    cr_assert_eq(h.n, 3, "a replaced key is still one key");
    cr_assert(pk__hash_get(&h, "wall", 4, &v));
    cr_assert_eq(v, 9);
    /* length counts, not the NUL: "wallclock" cut to 4 is "wall" */
    cr_assert(pk__hash_get(&h, "wallclock", 4, &v));
    cr_assert_not(pk__hash_get(&h, "wallclock", 9, NULL));
    cr_assert_not(pk__hash_get(&h, "wal", 3, NULL));
    cr_assert(pk__hash_remove(&h, "wall", 4));
    cr_assert_not(pk__hash_remove(&h, "wall", 4));
    cr_assert_not(pk__hash_get(&h, "wall", 4, NULL));
    cr_assert(pk__hash_get(&h, "rss", 3, &v));
    cr_assert_eq(v, 2);
    cr_assert_eq(h.n, 2);
    pk__hash_clear(&h);
    cr_assert_eq(h.n, 0);
    cr_assert_not(pk__hash_get(&h, "rss", 3, NULL));
    pk__hash_free(&h);
    cr_assert_null(h.slots);
}

/* 10^5 keys: every one found with its value, misses found missing, and the
 * average lookup reads a handful of slots (a quadratic table would not). */
Test(core_hash, many_keys_stay_constant_time)
{
    char (*k)[32] = make_keys(MANY);
    pk__hash h = {0};
    for (size_t i = 0; i < MANY; i++)
        cr_assert_eq(pk__hash_put(&h, k[i], strlen(k[i]), i), PK_OK);
    cr_assert_eq(h.n, MANY);
    cr_assert_leq(2 * h.n, h.cap, "at most half full");
    size_t probes = 0, worst = 0;
    for (size_t i = 0; i < MANY; i++) {
        size_t v = SIZE_MAX;
        cr_assert(pk__hash_get(&h, k[i], strlen(k[i]), &v), "%s", k[i]);
        cr_assert_eq(v, i);
        size_t p = pk__hash_probes(&h, k[i], strlen(k[i]));
        probes += p;
        worst = p > worst ? p : worst;
    }
    cr_assert_lt((double)probes / MANY, 3.0, "average probes %zu/%d", probes, MANY);
    cr_assert_lt(worst, 200, "longest probe sequence %zu", worst);
    char miss[32];
    for (size_t i = 0; i < 1000; i++) {
        snprintf(miss, sizeof miss, "other/%zu", i);
        cr_assert_not(pk__hash_get(&h, miss, strlen(miss), NULL));
    }
    /* remove every other key: the rest are all still found */
    for (size_t i = 0; i < MANY; i += 2)
        cr_assert(pk__hash_remove(&h, k[i], strlen(k[i])));
    cr_assert_eq(h.n, MANY / 2);
    for (size_t i = 0; i < MANY; i++) {
        size_t v;
        bool in = pk__hash_get(&h, k[i], strlen(k[i]), &v);
        cr_assert_eq(in, i % 2 == 1, "%s", k[i]);
        if (in)
            cr_assert_eq(v, i);
    }
    pk__hash_free(&h);
    free(k);
}

/* Removal shifts entries back across the end of the slot array: keys whose
 * home is the last slots wrap to the first ones, and every lookup after
 * every removal agrees with a reference. */
Test(core_hash, removal_across_the_wrap)
{
    enum { N = 600 };
    char (*k)[32] = make_keys(N);
    pk__hash h = {0};
    cr_assert_eq(pk__hash_reserve(&h, 8), PK_OK);   /* 16 slots */
    size_t cap = h.cap;
    /* keys whose home is one of the last two slots of a 16-slot table */
    size_t pick[6], np = 0;
    for (size_t i = 0; i < N && np < 6; i++)
        if ((pk__hash_bytes(k[i], strlen(k[i])) & (cap - 1)) >= cap - 2)
            pick[np++] = i;
    cr_assert_eq(np, 6);
    bool in[6] = {0};
    for (size_t j = 0; j < np; j++) {
        cr_assert_eq(pk__hash_put(&h, k[pick[j]], strlen(k[pick[j]]), j), PK_OK);
        in[j] = true;
    }
    cr_assert_eq(h.cap, cap, "no growth at 6 of 16");
    size_t order[6] = {0, 3, 1, 5, 2, 4};
    for (size_t r = 0; r < np; r++) {
        size_t j = order[r];
        cr_assert(pk__hash_remove(&h, k[pick[j]], strlen(k[pick[j]])));
        in[j] = false;
        for (size_t t = 0; t < np; t++) {
            size_t v;
            cr_assert_eq(pk__hash_get(&h, k[pick[t]], strlen(k[pick[t]]), &v), in[t],
                         "after removing %zu: key %zu", j, t);
            if (in[t])
                cr_assert_eq(v, t);
        }
    }
    cr_assert_eq(h.n, 0);
    pk__hash_free(&h);
    free(k);
}

/* Each allocation failing in turn: PK_ENOMEM, the table unchanged and
 * usable, nothing leaked once it is freed. */
Test(core_hash, allocation_failures_leave_the_table_unchanged)
{
    char (*k)[32] = make_keys(200);
    for (long fail = 0;; fail++) {
        pk__hash h = {0};
        fault_arm(fail);
        size_t added = 0;
        pk_err e = PK_OK;
        for (size_t i = 0; i < 200 && e == PK_OK; i++)
            if ((e = pk__hash_put(&h, k[i], strlen(k[i]), i)) == PK_OK)
                added++;
        bool failed = e != PK_OK;
        cr_assert(e == PK_OK || e == PK_ENOMEM);
        cr_assert_eq(h.n, added);
        for (size_t i = 0; i < added; i++) {
            size_t v;
            cr_assert(pk__hash_get(&h, k[i], strlen(k[i]), &v));
            cr_assert_eq(v, i);
        }
        pk__hash_free(&h);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when allocation %ld fails", fail);
        if (!failed)
            break;
    }
    free(k);
}
