/* intern_tsan.c — the interner under ThreadSanitizer (Criterion's runner
 * does not run under TSan): two readers look up and find every id below the
 * count, and check that each id maps to its string, while one writer and
 * then two racing writers intern 100 000 strings through a dozen table and
 * directory growths; finally a reclaim at the quiescent point. Exits 0 and
 * prints "ok" when every check held and TSan reported nothing (TSan makes
 * the exit status non-zero on a report). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/intern.h"

enum { N = 100000 };
static pk_interner *in;
static atomic_bool done;
static atomic_int failures;

#define CHECK(c)                                                            \
    do {                                                                    \
        if (!(c)) {                                                         \
            fprintf(stderr, "intern_tsan: %s:%d: %s\n", __FILE__, __LINE__, #c); \
            atomic_fetch_add(&failures, 1);                                 \
        }                                                                   \
    } while (0)

static void *writer(void *arg)
{
    (void)arg;
    char b[32];
    for (unsigned i = 0; i < N; i++) {
        int n = snprintf(b, sizeof b, "s%u", i);
        uint32_t id;
        CHECK(pk_intern(in, b, (size_t)n, &id) == PK_OK);
    }
    return NULL;
}

static void *reader(void *arg)
{
    int ordered = *(int *)arg;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char b[32];
    while (!atomic_load(&done)) {
        uint32_t c = pk_intern_count(in);
        if (!c)
            continue;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t id = (uint32_t)(x % c), back = UINT32_MAX;
        size_t m = 0;
        const char *s = pk_intern_lookup(in, id, &m);
        CHECK(s != NULL);
        if (!s)
            continue;
        CHECK(pk_intern_find(in, s, m, &back) && back == id);
        if (ordered) {
            int n = snprintf(b, sizeof b, "s%u", id);
            CHECK(m == (size_t)n && memcmp(s, b, m) == 0);
        }
    }
    return NULL;
}

static void run(int writers)
{
    CHECK(pk_intern_new(NULL, &in) == PK_OK);
    atomic_store(&done, 0);
    int ordered = writers == 1;
    pthread_t w[2], r[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, &ordered);
    for (int i = 0; i < writers; i++)
        pthread_create(&w[i], NULL, writer, NULL);
    for (int i = 0; i < writers; i++)
        pthread_join(w[i], NULL);
    atomic_store(&done, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    CHECK(pk_intern_count(in) == N);
    pk_intern_reclaim(in);
    pk_intern_free(in);
}

int main(void)
{
    run(1);
    run(2);
    if (atomic_load(&failures))
        return 1;
    puts("intern_tsan: ok");
    return 0;
}
