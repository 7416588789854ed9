/* pool_tsan.c — pk_pool under ThreadSanitizer (a standalone driver, as
 * cache_tsan.c). `make tsan` builds it against the library compiled with
 * -fsanitize=thread.
 *
 * For each of three pools (caches of 64, caches of 2 so that nearly every
 * call goes through the depot, debug mode): two producer threads get
 * objects, stamp them and hand them through a mutex-protected ring to two
 * consumer threads on other cores, which check the stamp and put them back
 * (cross-thread frees), while a fifth thread reads the statistics. Every
 * object carries its producer's stamp and a checksum; an object handed out
 * twice at once shows as a broken stamp. Exits 0 when nothing was broken and
 * every object came back (TSan itself exits non-zero on a race with
 * halt_on_error=1). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "perfkit/pool.h"

enum { RING = 256, PER_PRODUCER = 40000 };

typedef struct obj {
    uint64_t who, seq, sum;
} obj;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    obj *slot[RING];
    unsigned head, tail;   /* head - tail objects queued */
    int producers_left;
} ring = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

static atomic_long broken, nulls;
static atomic_bool done;
static pk_pool *pool;

static void ring_push(obj *o)
{
    pthread_mutex_lock(&ring.mu);
    while (ring.head - ring.tail == RING)
        pthread_cond_wait(&ring.cv, &ring.mu);
    ring.slot[ring.head++ % RING] = o;
    pthread_cond_broadcast(&ring.cv);
    pthread_mutex_unlock(&ring.mu);
}

static obj *ring_pop(void)   /* NULL when every producer is done and the ring is empty */
{
    pthread_mutex_lock(&ring.mu);
    while (ring.head == ring.tail && ring.producers_left > 0)
        pthread_cond_wait(&ring.cv, &ring.mu);
    obj *o = ring.head == ring.tail ? NULL : ring.slot[ring.tail++ % RING];
    pthread_cond_broadcast(&ring.cv);
    pthread_mutex_unlock(&ring.mu);
    return o;
}

static void *producer(void *v)
{
    uint64_t who = (uint64_t)(uintptr_t)v;
    obj *mine[8];
    for (uint64_t i = 0; i < PER_PRODUCER; i++) {
        /* some objects stay local for a while: get 8, check, put 4, pass 4 */
        unsigned k = (unsigned)(i % 8);
        obj *o = pk_pool_get(pool);
        if (!o) {
            atomic_fetch_add(&nulls, 1);
            continue;
        }
        o->who = who;
        o->seq = i;
        o->sum = who * 31 + i;
        mine[k] = o;
        if (k == 7)
            for (unsigned j = 0; j < 8; j++) {
                if (mine[j]->who != who || mine[j]->sum != mine[j]->who * 31 + mine[j]->seq)
                    atomic_fetch_add(&broken, 1);
                if (j % 2)
                    pk_pool_put(pool, mine[j]);
                else
                    ring_push(mine[j]);
            }
    }
    pthread_mutex_lock(&ring.mu);
    ring.producers_left--;
    pthread_cond_broadcast(&ring.cv);
    pthread_mutex_unlock(&ring.mu);
    return NULL;
}

static void *consumer(void *v)
{
    (void)v;
    obj *o;
    while ((o = ring_pop()) != NULL) {
        if (o->sum != o->who * 31 + o->seq)
            atomic_fetch_add(&broken, 1);
        o->who = 0;   /* write before the put: a racing holder would see it */
        pk_pool_put(pool, o);
    }
    return NULL;
}

static void *reader(void *v)
{
    (void)v;
    while (!atomic_load(&done)) {
        pk_pool_stats st;
        pk_pool_stats_get(pool, &st);
        if (st.in_use + st.cached + st.free > st.capacity + 1000000)
            atomic_fetch_add(&broken, 1);
    }
    return NULL;
}

static int run(const char *what, unsigned cache_size, int debug)
{
    pk_pool_opts o;
    pk_pool_opts_init(&o);
    o.obj_size = sizeof(obj);
    o.cache_size = cache_size;
    o.debug = debug != 0;
    o.per_slab = 16;
    if (pk_pool_new(&o, &pool) != PK_OK)
        return 1;
    pk_metrics_registry *r;
    if (pk_metrics_registry_new(&r) != PK_OK || pk_pool_register_metrics(pool, r, "tsan_pool"))
        return 1;
    ring.head = ring.tail = 0;
    ring.producers_left = 2;
    atomic_store(&done, false);
    pthread_t t[5];
    pthread_create(&t[0], NULL, producer, (void *)1);
    pthread_create(&t[1], NULL, producer, (void *)2);
    pthread_create(&t[2], NULL, consumer, NULL);
    pthread_create(&t[3], NULL, consumer, NULL);
    pthread_create(&t[4], NULL, reader, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    atomic_store(&done, true);
    pthread_join(t[4], NULL);
    pk_pool_stats st;
    pk_pool_stats_get(pool, &st);
    int bad = atomic_load(&broken) != 0 || atomic_load(&nulls) != 0 || st.in_use != 0 ||
              st.double_frees + st.foreign + st.modified != 0;
    printf("pool_tsan %-10s capacity %llu, peak %llu, refills %llu, flushes %llu, broken %ld%s\n",
           what, (unsigned long long)st.capacity, (unsigned long long)st.peak,
           (unsigned long long)st.refills, (unsigned long long)st.flushes, atomic_load(&broken),
           bad ? "  FAILED" : "");
    pk_pool_free(pool);
    pk_metrics_registry_free(r);
    return bad;
}

int main(void)
{
    int bad = run("cache 64", 64, 0);
    bad |= run("cache 2", 2, 0);
    bad |= run("debug", 0, 1);
    return bad;
}
