/* rt_batch_bench.c — the cost of enqueuing into pk_batch against a naive
 * mutex + condition variable queue, the same work in the same process
 * (bench/rt_batch.sh runs it).
 *
 *   rt_batch_bench perfkit N KEYS   one producer adds N requests with 8-byte
 *                                   keys i % KEYS (KEYS = N: every key distinct;
 *                                   small KEYS: mostly duplicates joining a
 *                                   queued or running key); max 64 per batch,
 *                                   1 ms delay, the flusher thread answers
 *   rt_batch_bench naive N          the hand-written baseline: each request is
 *                                   malloc'ed (key copied), pushed under a mutex
 *                                   and signalled; a consumer thread takes up to
 *                                   64 at a time and answers them; no de-duplication
 * Both answer every request through a done callback (checked: exactly N).
 * Prints "RESULT <impl> <ns per add, wall> <ns per add, producer CPU>". */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/batch.h"

static int64_t clk(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static atomic_long answered;

static void done(void *ud, pk_err err, const void *val, size_t vlen)
{
    (void)ud;
    (void)val;
    (void)vlen;
    if (err == PK_OK)
        atomic_fetch_add_explicit(&answered, 1, memory_order_relaxed);
}

static pk_err batch_fn(void *ud, pk_batch_item *it, size_t n)
{
    (void)ud;
    for (size_t i = 0; i < n; i++)
        pk_batch_set(&it[i], PK_OK, NULL, 0);
    return PK_OK;
}

/* ---- the naive queue ------------------------------------------------------------ */

typedef struct qnode {
    struct qnode *next;
    void (*fn)(void *, pk_err, const void *, size_t);
    void *ud;
    size_t klen;
    unsigned char key[8];
} qnode;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    qnode *head, *tail;
    int stop;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0};

static void naive_add(const void *key, size_t klen, void (*fn)(void *, pk_err, const void *, size_t),
                      void *ud)
{
    qnode *n = malloc(sizeof *n);
    if (!n)
        exit(2);
    n->next = NULL;
    n->fn = fn;
    n->ud = ud;
    n->klen = klen;
    memcpy(n->key, key, klen);
    pthread_mutex_lock(&q.mu);
    if (q.tail)
        q.tail->next = n;
    else
        q.head = n;
    q.tail = n;
    pthread_cond_signal(&q.cv);
    pthread_mutex_unlock(&q.mu);
}

static void *naive_consumer(void *p)
{
    (void)p;
    for (;;) {
        pthread_mutex_lock(&q.mu);
        while (!q.head && !q.stop)
            pthread_cond_wait(&q.cv, &q.mu);
        if (!q.head && q.stop) {
            pthread_mutex_unlock(&q.mu);
            return NULL;
        }
        qnode *batch[64];
        int n = 0;
        while (q.head && n < 64) {
            batch[n++] = q.head;
            q.head = q.head->next;
        }
        if (!q.head)
            q.tail = NULL;
        pthread_mutex_unlock(&q.mu);
        for (int i = 0; i < n; i++) {
            batch[i]->fn(batch[i]->ud, PK_OK, NULL, 0);
            free(batch[i]);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    long n = atol(argv[2]);
    int64_t w0, w1, c0, c1;
    if (!strcmp(argv[1], "naive")) {
        pthread_t th;
        pthread_create(&th, NULL, naive_consumer, NULL);
        w0 = clk(CLOCK_MONOTONIC);
        c0 = clk(CLOCK_THREAD_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            uint64_t k = (uint64_t)i;
            naive_add(&k, sizeof k, done, NULL);
        }
        c1 = clk(CLOCK_THREAD_CPUTIME_ID);
        w1 = clk(CLOCK_MONOTONIC);
        pthread_mutex_lock(&q.mu);
        q.stop = 1;
        pthread_cond_signal(&q.cv);
        pthread_mutex_unlock(&q.mu);
        pthread_join(th, NULL);
    } else {
        long keys = argc > 3 ? atol(argv[3]) : n;
        pk_batch_opts o;
        pk_batch_opts_init(&o);
        o.max_items = 64;
        o.max_delay_ns = PK_BATCH_MS;
        pk_batch *b;
        if (pk_batch_new(&o, batch_fn, NULL, &b) != PK_OK)
            return 2;
        w0 = clk(CLOCK_MONOTONIC);
        c0 = clk(CLOCK_THREAD_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            uint64_t k = (uint64_t)(i % keys);
            if (pk_batch_add(b, &k, sizeof k, NULL, 0, 0, done, NULL) != PK_OK)
                return 2;
        }
        c1 = clk(CLOCK_THREAD_CPUTIME_ID);
        w1 = clk(CLOCK_MONOTONIC);
        pk_batch_free(b);   /* answers what is still queued */
    }
    if (atomic_load(&answered) != n) {
        fprintf(stderr, "answered %ld of %ld\n", atomic_load(&answered), n);
        return 1;
    }
    printf("RESULT %s %.2f %.2f\n", argc > 3 && atol(argv[3]) < n ? "perfkit-dup" : argv[1],
           (double)(w1 - w0) / (double)n, (double)(c1 - c0) / (double)n);
    return 0;
}
