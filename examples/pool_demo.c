/* pool_demo.c — a connection-object pool and per-request arenas in a small
 * threaded "server".
 *
 *   pool_demo [CONNECTIONS [WORKERS]]     defaults: 200000, 2
 *
 * The acceptor (the main thread) takes a connection object from a pk_pool
 * for every new "connection", fills it in and queues it to a worker thread;
 * the worker serves the connection's requests — each parsed into a
 * per-worker pk_arena that is rewound after every request and reset after
 * every connection — and closes it by putting the object back on ITS
 * thread: a cross-thread free, the pattern a per-thread free list handles
 * badly and pk_pool's depot is made for. The pool is preallocated and
 * prefaulted for the usual load (512 connections in flight) and grows by
 * slabs beyond it; its statistics go to a metrics registry, printed at the
 * end in Prometheus text.
 *
 * Build: cc -o pool_demo pool_demo.c $(pkg-config --cflags --libs perfkit) -lpthread */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/arena.h"
#include "perfkit/metrics.h"
#include "perfkit/pool.h"

typedef struct conn {
    uint64_t id;
    int fd;
    unsigned requests;        /* requests this connection will send */
    char peer[48];
    char inbuf[512];          /* the "socket" input */
    size_t inlen;
} conn;

typedef struct header {       /* parsed into the worker's arena */
    const char *name, *value;
    struct header *next;
} header;

/* A bounded queue of connections from the acceptor to the workers. */
enum { QCAP = 256 };
static struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    conn *q[QCAP];
    unsigned head, tail;
    int closed;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
           {0}, 0, 0, 0};

static pk_pool *conns;

static void enqueue(conn *c)
{
    pthread_mutex_lock(&queue.mu);
    while (queue.head - queue.tail == QCAP)
        pthread_cond_wait(&queue.nonfull, &queue.mu);
    queue.q[queue.head++ % QCAP] = c;
    pthread_cond_signal(&queue.nonempty);
    pthread_mutex_unlock(&queue.mu);
}

static conn *dequeue(void)
{
    pthread_mutex_lock(&queue.mu);
    while (queue.head == queue.tail && !queue.closed)
        pthread_cond_wait(&queue.nonempty, &queue.mu);
    conn *c = queue.head == queue.tail ? NULL : queue.q[queue.tail++ % QCAP];
    pthread_cond_signal(&queue.nonfull);
    pthread_mutex_unlock(&queue.mu);
    return c;
}

/* Parse "Name: value\n" lines of c's input into a list in the arena. */
static header *parse(pk_arena *a, const conn *c)
{
    header *first = NULL, **tail = &first;
    const char *s = c->inbuf, *end = c->inbuf + c->inlen;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *colon = memchr(s, ':', (size_t)(end - s));
        if (!nl || !colon || colon > nl)
            break;
        header *h = pk_arena_alloc(a, sizeof *h);
        char *name = pk_arena_alloc_aligned(a, (size_t)(colon - s) + 1, 1);
        char *value = pk_arena_alloc_aligned(a, (size_t)(nl - colon - 2) + 1, 1);
        if (!h || !name || !value)
            return NULL;
        memcpy(name, s, (size_t)(colon - s));
        name[colon - s] = 0;
        memcpy(value, colon + 2, (size_t)(nl - colon - 2));
        value[nl - colon - 2] = 0;
        h->name = name;
        h->value = value;
        h->next = NULL;
        *tail = h;
        tail = &h->next;
        s = nl + 1;
    }
    return first;
}

typedef struct worker {
    pthread_t t;
    uint64_t served, requests, header_bytes;
} worker;

static void *work(void *v)
{
    worker *w = v;
    pk_arena *a;
    if (pk_arena_new(NULL, &a) != PK_OK)
        return NULL;
    conn *c;
    while ((c = dequeue()) != NULL) {
        for (unsigned r = 0; r < c->requests; r++) {
            pk_arena_mark m = pk_arena_save(a);
            for (header *h = parse(a, c); h; h = h->next)
                w->header_bytes += strlen(h->name) + strlen(h->value);
            w->requests++;
            pk_arena_rewind(a, m);   /* the request's temporaries are gone */
        }
        pk_arena_reset(a);
        pk_pool_put(conns, c);       /* closed: back to the pool, from this thread */
        w->served++;
    }
    pk_arena_free(a);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    int nw = argc > 2 ? atoi(argv[2]) : 2;
    if (n < 1 || nw < 1 || nw > 64) {
        fprintf(stderr, "usage: pool_demo [CONNECTIONS [WORKERS]]\n");
        return 2;
    }
    pk_pool_opts o;
    pk_pool_opts_init(&o);
    o.obj_size = sizeof(conn);
    o.prealloc = 512;     /* the usual load, allocated and faulted in up front */
    o.prefault = true;
    pk_metrics_registry *reg;
    if (pk_pool_new(&o, &conns) != PK_OK || pk_metrics_registry_new(&reg) != PK_OK ||
        pk_pool_register_metrics(conns, reg, "demo_conn_pool") != PK_OK) {
        fprintf(stderr, "pool_demo: cannot set up the pool\n");
        return 1;
    }
    worker *ws = calloc((size_t)nw, sizeof *ws);
    if (!ws)
        return 1;
    for (int i = 0; i < nw; i++)
        pthread_create(&ws[i].t, NULL, work, &ws[i]);

    for (long i = 0; i < n; i++) {          /* the acceptor */
        conn *c = pk_pool_get(conns);
        if (!c) {
            fprintf(stderr, "pool_demo: out of connection objects\n");
            return 1;
        }
        c->id = (uint64_t)i;
        c->fd = 1000 + (int)(i % 4096);
        c->requests = 1 + (unsigned)(i % 4);
        snprintf(c->peer, sizeof c->peer, "10.0.%ld.%ld:%ld", (i >> 8) & 255, i & 255, 40000 + i % 20000);
        c->inlen = (size_t)snprintf(c->inbuf, sizeof c->inbuf,
                                    "Host: example.org\nUser-Agent: demo/%ld\nAccept: */*\n", i % 7);
        enqueue(c);
    }
    pthread_mutex_lock(&queue.mu);
    queue.closed = 1;
    pthread_cond_broadcast(&queue.nonempty);
    pthread_mutex_unlock(&queue.mu);

    uint64_t served = 0, requests = 0;
    for (int i = 0; i < nw; i++) {
        pthread_join(ws[i].t, NULL);
        served += ws[i].served;
        requests += ws[i].requests;
    }
    pk_pool_stats st;
    pk_pool_stats_get(conns, &st);
    printf("served %llu connections, %llu requests, on %d workers\n",
           (unsigned long long)served, (unsigned long long)requests, nw);
    printf("pool: %zu-byte objects, in use %llu, capacity %llu, peak %llu, "
           "slabs %llu (the misses to malloc), thread caches %u\n",
           pk_pool_obj_size(conns), (unsigned long long)st.in_use,
           (unsigned long long)st.capacity, (unsigned long long)st.peak,
           (unsigned long long)st.slabs, st.threads);
    pk_metrics_write(reg, PK_METRICS_PROMETHEUS, stdout);
    free(ws);
    pk_pool_free(conns);
    pk_metrics_registry_free(reg);
    return st.in_use == 0 && served == (uint64_t)n ? 0 : 1;
}
