/* rt_intern.c — perfkit's string interner against a plain hash-set interner,
 * driven by bench/rt_intern.sh.
 *
 *   rt_intern IMPL N QUERIES REPS
 *
 * IMPL: perfkit (pk_intern, shared mode: the default), perfkit1 (shared =
 * false: one thread, no mutex on insert), plain (below). Builds an interner
 * of N distinct keys of 8..16 random bytes (letters and digits; the key's
 * index in base 62 in front keeps them distinct), timing the inserts; then
 * REPS times QUERIES hits of keys drawn uniformly at random (a query list
 * read sequentially, 24 bytes per query, the same for every IMPL), keeping
 * the fastest pass. Memory: the malloc arena's growth (mallinfo2: in-use
 * bytes + mmapped blocks, headers included) over the build, minus the keys'
 * own bytes, per key. Prints one line:
 *   IMPL N hit_ns insert_ns overhead_B_per_string [perfkit's own count]
 *
 * "plain" is the interner people write: an open-addressing (linear probing)
 * set of strdup'd char*, FNV-1a, strcmp, doubling at load 1/2, each slot
 * holding the key pointer and its id, and a vector of char* for id -> string.
 * It is a peer, not part of perfkit. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/intern.h"

typedef struct query {
    char s[20];
    uint32_t len;
} query;

/* ---- the plain interner ---- */
typedef struct pslot {
    char *key;
    uint32_t id;
} pslot;

typedef struct plain {
    pslot *slots;
    size_t cap, n;
    char **strs;
    size_t strs_cap;
} plain;

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void plain_grow(plain *p)
{
    size_t cap = p->cap ? p->cap * 2 : 16;
    pslot *s = calloc(cap, sizeof *s);
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->slots[i].key)
            continue;
        size_t j = fnv1a(p->slots[i].key, strlen(p->slots[i].key)) & (cap - 1);
        while (s[j].key)
            j = (j + 1) & (cap - 1);
        s[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = s;
    p->cap = cap;
}

static uint32_t plain_intern(plain *p, const char *str, size_t len)
{
    if (p->cap == 0 || (p->n + 1) * 2 > p->cap)
        plain_grow(p);
    size_t i = fnv1a(str, len) & (p->cap - 1);
    while (p->slots[i].key) {
        if (strcmp(p->slots[i].key, str) == 0)
            return p->slots[i].id;
        i = (i + 1) & (p->cap - 1);
    }
    char *k = strdup(str);
    if (p->n == p->strs_cap) {
        p->strs_cap = p->strs_cap ? p->strs_cap * 2 : 16;
        p->strs = realloc(p->strs, p->strs_cap * sizeof *p->strs);
    }
    p->strs[p->n] = k;
    p->slots[i].key = k;
    p->slots[i].id = (uint32_t)p->n;
    return (uint32_t)p->n++;
}

static void plain_free(plain *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->strs[i]);
    free(p->strs);
    free(p->slots);
}

/* ---- driver ---- */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t heap_bytes(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: rt_intern perfkit|perfkit1|plain N QUERIES REPS\n");
        return 2;
    }
    const char *impl = argv[1];
    size_t n = strtoul(argv[2], NULL, 10), nq = strtoul(argv[3], NULL, 10);
    int reps = atoi(argv[4]);
    static const char al[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    query *keys = calloc(n, sizeof *keys), *qs = malloc(nq * sizeof *qs);
    size_t key_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t len = 8 + (uint32_t)(next() % 9), k = 0;
        for (size_t v = i;; v /= 62) {  /* distinct: the index, base 62, then '.' */
            keys[i].s[k++] = al[v % 62];
            if (v < 62)
                break;
        }
        keys[i].s[k++] = '.';
        while (k < len)
            keys[i].s[k++] = al[next() % 62];
        keys[i].len = len;
        key_bytes += len;
    }
    for (size_t q = 0; q < nq; q++)
        qs[q] = keys[next() % n];

    int which = strcmp(impl, "plain") == 0 ? 0 : strcmp(impl, "perfkit") == 0 ? 1 : 2;
    pk_interner *in = NULL;
    plain p = {0};
    size_t h0 = heap_bytes();
    double t0 = now_ns();
    if (which) {
        pk_intern_opts o;
        pk_intern_opts_init(&o);
        o.shared = which == 1;
        if (pk_intern_new(&o, &in) != PK_OK)
            return 1;
        for (size_t i = 0; i < n; i++) {
            uint32_t id;
            if (pk_intern(in, keys[i].s, keys[i].len, &id) != PK_OK || id != i)
                return 1;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (plain_intern(&p, keys[i].s, keys[i].len) != i)
                return 1;
    }
    double insert_ns = (now_ns() - t0) / (double)n;
    double over = ((double)(heap_bytes() - h0) - (double)key_bytes) / (double)n;
    char own[96] = "";
    if (in) {
        pk_intern_stats st;
        pk_intern_stats_get(in, &st);
        double before = (double)st.overhead_bytes / (double)n;
        pk_intern_reclaim(in);
        pk_intern_stats_get(in, &st);
        snprintf(own, sizeof own, " %.2f %.2f", before, (double)st.overhead_bytes / (double)n);
        over = ((double)(heap_bytes() - h0) - (double)key_bytes) / (double)n;
    }

    double best = 1e30;
    uint64_t sum = 0;
    for (int r = 0; r < reps; r++) {
        t0 = now_ns();
        if (which) {
            for (size_t q = 0; q < nq; q++) {
                uint32_t id = 0;
                pk_intern(in, qs[q].s, qs[q].len, &id);
                sum += id;
            }
        } else {
            for (size_t q = 0; q < nq; q++)
                sum += plain_intern(&p, qs[q].s, qs[q].len);
        }
        double t = (now_ns() - t0) / (double)nq;
        if (t < best)
            best = t;
    }
    if (sum == 42)
        fputs("", stderr);
    printf("%s %zu %.2f %.2f %.2f%s\n", impl, n, best, insert_ns, over, own);
    if (in)
        pk_intern_free(in);
    else
        plain_free(&p);
    free(keys);
    free(qs);
    return 0;
}
