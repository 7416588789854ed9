/* batch.c — the batcher's front (perfkit/batch.h): options, the in-flight
 * table, pk_batch_add, the flusher thread, poll/flush and teardown.
 *
 * An add hashes the key (wyhash, seeded per batcher), consults the result
 * cache outside the lock, then under one mutex either joins the key's node
 * (a duplicate: one waiter record, no clock read, no batch accounting) or
 * queues a new node (recycled from a free list, key and data inline up to 64
 * bytes) in its priority's FIFO, stamped with the clock only when it heads
 * its queue or every 16th add (else its predecessor's time). The flusher thread is only woken when the
 * queue leaves empty or a size limit is reached; otherwise it sleeps until
 * the oldest key's delay is up. Running a batch is batch_run.c. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/wyhash.h"
#include "perfkit/alloc.h"
#include "rt/batch_int.h"

void pk_batch_opts_init(pk_batch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_items = 64;
    o->max_delay_ns = PK_BATCH_MS;
    o->priorities = 1;
}

int64_t pk__batch_now(const pk_batch *b)
{
    return b->clock ? b->clock(b->clock_ud) : pk__clock_ns(PK__CLOCK_MONO);
}

static pk__batch_node **bucket(pk_batch *b, uint64_t h) { return &b->tab[h & (b->tcap - 1)]; }

static pk__batch_node *find(pk_batch *b, uint64_t h, const void *key, size_t klen)
{
    for (pk__batch_node *n = *bucket(b, h); n; n = n->hnext)
        if (n->hash == h && n->klen == klen && (klen == 0 || memcmp(n->kd, key, klen) == 0))
            return n;
    return NULL;
}

static bool grow_table(pk_batch *b)
{
    size_t cap = b->tcap * 2;
    pk__batch_node **t = pk_calloc(cap, sizeof(pk__batch_node *));
    if (!t)
        return false;
    for (size_t i = 0; i < b->tcap; i++)
        for (pk__batch_node *n = b->tab[i], *next; n; n = next) {
            next = n->hnext;
            n->hnext = t[n->hash & (cap - 1)];
            t[n->hash & (cap - 1)] = n;
        }
    pk_free(b->tab);
    b->tab = t;
    b->tcap = cap;
    return true;
}

void pk__batch_node_put(pk_batch *b, pk__batch_node *n)
{
    if (n->more) {                       /* O(1): the list goes back whole */
        n->more_last->next = b->free_waiters;
        b->free_waiters = n->more;
    }
    if (n->kd != n->inl)
        pk_free(n->kd);
    pk_free(n->res);
    n->res = NULL;
    n->qnext = b->free_nodes;
    b->free_nodes = n;
}

static pk__batch_node *node_get(pk_batch *b, size_t bytes)
{
    pk__batch_node *n = b->free_nodes;
    if (n)
        b->free_nodes = n->qnext;
    else if (!(n = pk_malloc(sizeof *n)))
        return NULL;
    n->kd = n->inl;
    if (bytes > PK__BATCH_INLINE && !(n->kd = pk_malloc(bytes))) {
        n->kd = n->inl;
        n->qnext = b->free_nodes;
        b->free_nodes = n;
        return NULL;
    }
    return n;
}

/* Join node n as one more waiter (under mu). */
static pk_err join(pk_batch *b, pk__batch_node *n, pk_batch_done_fn done, void *ud)
{
    pk__batch_waiter *w = b->free_waiters;
    if (w)
        b->free_waiters = w->next;
    else if (!(w = pk_malloc(sizeof *w)))
        return PK_ENOMEM;
    w->fn = done;
    w->ud = ud;
    w->next = n->more;
    if (!n->more)
        n->more_last = w;
    n->more = w;
    n->nwait++;
    b->st.duplicates++;
    if (b->m)
        pk_metrics_counter_inc(b->m->dups);
    return PK_OK;
}

/* Answer from the cache; true when it did. */
static bool cached(pk_batch *b, const void *key, size_t klen, pk_batch_done_fn done, void *ud)
{
    unsigned char small[256];
    size_t n;
    pk_err e = pk_cache_get(b->cache, key, klen, small, sizeof small, &n);
    void *big = NULL;
    if (e == PK_ERANGE && (big = pk_malloc(n)))
        e = pk_cache_get(b->cache, key, klen, big, n, &n);
    if (e != PK_OK) {
        pk_free(big);
        return false;
    }
    pthread_mutex_lock(&b->mu);
    b->st.adds++;
    b->st.cache_hits++;
    pthread_mutex_unlock(&b->mu);
    if (b->m) {
        pk_metrics_counter_inc(b->m->adds);
        pk_metrics_counter_inc(b->m->hits);
    }
    done(ud, PK_OK, big ? big : small, n);
    pk_free(big);
    return true;
}

pk_err pk_batch_add(pk_batch *b, const void *key, size_t klen, const void *data, size_t len,
                    unsigned prio, pk_batch_done_fn done, void *done_ud)
{
    if (!b || !done || (!key && klen) || (!data && len) || prio >= b->nprio ||
        klen > SIZE_MAX / 4 || len > SIZE_MAX / 4)
        return PK_EINVAL;
    if (b->cache && cached(b, key, klen, done, done_ud))
        return PK_OK;
    uint64_t h = pk__wyhash(key, klen, b->seed);
    pk_err e = PK_OK;
    pthread_mutex_lock(&b->mu);
    pk__batch_node *n = find(b, h, key, klen);
    if (n) {
        e = join(b, n, done, done_ud);
        goto out;
    }
    if (b->count >= b->tcap && !grow_table(b)) {
        e = PK_ENOMEM;
        goto out;
    }
    if (!(n = node_get(b, klen + len))) {
        e = PK_ENOMEM;
        goto out;
    }
    if (klen)
        memcpy(n->kd, key, klen);
    if (len)
        memcpy(n->kd + klen, data, len);
    n->hash = h;
    n->klen = klen;
    n->len = len;
    n->prio = prio;
    n->running = false;
    n->answered = false;
    n->err = PK_OK;
    n->res = NULL;
    n->rlen = 0;
    n->nwait = 1;
    n->first = (pk__batch_waiter){.fn = done, .ud = done_ud};
    n->more = NULL;
    /* Only the oldest key's time decides when a batch is due, so a key queued
     * behind others takes its predecessor's time (older: never flushed later
     * than max_delay) except every 16th, which bounds the error under a
     * backlog; a burst then reads the clock once per 16 adds. */
    n->t_enq = b->qtail[prio] && (b->stamp_ctr++ & 15) ? b->qtail[prio]->t_enq : pk__batch_now(b);
    n->hnext = *bucket(b, h);
    *bucket(b, h) = n;
    b->count++;
    n->qnext = NULL;
    if (b->qtail[prio])
        b->qtail[prio]->qnext = n;
    else
        b->qhead[prio] = n;
    b->qtail[prio] = n;
    b->queued++;
    b->qbytes += klen + len;
    if (b->m)
        pk_metrics_gauge_set(b->m->queued, (double)b->queued);
    if (b->threaded && (b->flusher_idle || b->queued == b->max_items ||
                        (b->max_bytes && b->qbytes >= b->max_bytes))) {
        b->flusher_idle = false;
        pthread_cond_signal(&b->cv);
    }
out:
    if (e == PK_OK) {
        b->st.adds++;
        if (b->m)
            pk_metrics_counter_inc(b->m->adds);
    }
    pthread_mutex_unlock(&b->mu);
    return e;
}

typedef struct sync_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    pk_err err;
    void *buf;
    size_t cap, vlen;
} sync_wait;

static void sync_done(void *ud, pk_err err, const void *val, size_t vlen)
{
    sync_wait *w = ud;
    pthread_mutex_lock(&w->mu);
    w->err = err;
    w->vlen = vlen;
    if (err == PK_OK) {
        if (vlen <= w->cap) {
            if (vlen)
                memcpy(w->buf, val, vlen);
        } else {
            w->err = PK_ERANGE;
        }
    }
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

pk_err pk_batch_call(pk_batch *b, const void *key, size_t klen, const void *data, size_t len,
                     unsigned prio, void *buf, size_t cap, size_t *vlen)
{
    if (!buf && cap)
        return PK_EINVAL;
    sync_wait w = {.buf = buf, .cap = cap};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    pk_err e = pk_batch_add(b, key, klen, data, len, prio, sync_done, &w);
    if (e == PK_OK) {
        pthread_mutex_lock(&w.mu);
        while (!w.done)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        e = w.err;
        if (vlen && (e == PK_OK || e == PK_ERANGE))
            *vlen = w.vlen;
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return e;
}

/* The clock time the oldest queued key is due by its delay (under mu; queued > 0). */
static int64_t next_due(const pk_batch *b)
{
    int64_t oldest = INT64_MAX;
    for (unsigned p = 0; p < b->nprio; p++)
        if (b->qhead[p] && b->qhead[p]->t_enq < oldest)
            oldest = b->qhead[p]->t_enq;
    return oldest > INT64_MAX - b->max_delay ? INT64_MAX : oldest + b->max_delay;
}

bool pk__batch_due(const pk_batch *b, int64_t now, pk_batch_reason *why)
{
    if (!b->queued)
        return false;
    if (b->queued >= b->max_items)
        *why = PK_BATCH_FULL_ITEMS;
    else if (b->max_bytes && b->qbytes >= b->max_bytes)
        *why = PK_BATCH_FULL_BYTES;
    else if (now >= next_due(b))
        *why = PK_BATCH_DELAY;
    else
        return false;
    return true;
}

pk_err pk_batch_poll(pk_batch *b, int64_t *next_ns, size_t *ran)
{
    if (!b)
        return PK_EINVAL;
    size_t k = 0;
    pk_batch_reason why;
    pthread_mutex_lock(&b->mu);
    while (pk__batch_due(b, pk__batch_now(b), &why)) {
        pk__batch_run_one(b, why);
        k++;
    }
    if (next_ns)
        *next_ns = b->queued ? next_due(b) : -1;
    pthread_mutex_unlock(&b->mu);
    if (ran)
        *ran = k;
    return PK_OK;
}

pk_err pk_batch_flush(pk_batch *b, size_t *ran)
{
    if (!b)
        return PK_EINVAL;
    size_t k = 0;
    pthread_mutex_lock(&b->mu);
    while (b->queued) {
        pk__batch_run_one(b, PK_BATCH_FLUSHED);
        k++;
    }
    pthread_mutex_unlock(&b->mu);
    if (ran)
        *ran = k;
    return PK_OK;
}

pk_err pk_batch_stats_get(pk_batch *b, pk_batch_stats *out)
{
    if (!b || !out)
        return PK_EINVAL;
    pthread_mutex_lock(&b->mu);
    *out = b->st;
    out->queued = b->queued;
    out->in_flight = b->count;
    pthread_mutex_unlock(&b->mu);
    return PK_OK;
}

/* The flusher: run due batches; sleep until the next delay is up, or until
 * an add wakes it (queue no longer empty, a size limit reached). */
static void *flusher_main(void *p)
{
    pk_batch *b = p;
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        int64_t now = pk__batch_now(b);
        pk_batch_reason why;
        if (pk__batch_due(b, now, &why)) {
            pk__batch_run_one(b, why);
            continue;
        }
        if (!b->queued) {
            b->flusher_idle = true;
            pthread_cond_wait(&b->cv, &b->mu);
            b->flusher_idle = false;
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t abs_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (next_due(b) - now);
        ts.tv_sec = (time_t)(abs_ns / 1000000000);
        ts.tv_nsec = (long)(abs_ns % 1000000000);
        pthread_cond_timedwait(&b->cv, &b->mu, &ts);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

pk_err pk_batch_new(const pk_batch_opts *o, pk_batch_fn fn, void *ud, pk_batch **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_batch_opts def;
    if (!o) {
        pk_batch_opts_init(&def);
        o = &def;
    }
    if (!fn || o->max_items == 0 || o->max_delay_ns < 0 || o->cache_ttl_ns < 0 ||
        o->priorities < 1 || o->priorities > PK_BATCH_MAX_PRIORITIES)
        return PK_EINVAL;
    pk_batch *b = pk_calloc(1, sizeof *b);
    if (!b)
        return PK_ENOMEM;
    b->fn = fn;
    b->ud = ud;
    b->clock = o->clock;
    b->clock_ud = o->clock_ud;
    b->max_items = o->max_items;
    b->max_bytes = o->max_bytes;
    b->max_delay = o->max_delay_ns;
    b->nprio = o->priorities;
    b->cache_ttl = o->cache_ttl_ns;
    b->seed = (uint64_t)(uintptr_t)b * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)pk__clock_ns(PK__CLOCK_MONO);
    b->tcap = 64;
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    pk_err e = PK_ENOMEM;
    if (!(b->tab = pk_calloc(b->tcap, sizeof(pk__batch_node *))))
        goto fail;
    if (o->cache_entries) {
        pk_cache_opts co;
        pk_cache_opts_init(&co);
        co.max_entries = o->cache_entries;
        co.max_bytes = o->cache_bytes;
        co.ttl_ns = o->cache_ttl_ns;
        if ((e = pk_cache_new(&co, &b->cache)) != PK_OK)
            goto fail;
    }
    if (!o->poll) {
        if (pthread_create(&b->th, NULL, flusher_main, b) != 0) {
            e = PK_EIO;
            goto fail;
        }
        b->threaded = true;
    }
    *out = b;
    return PK_OK;
fail:
    pk_batch_free(b);
    return e;
}

void pk_batch_free(pk_batch *b)
{
    if (!b)
        return;
    if (b->threaded) {
        pthread_mutex_lock(&b->mu);
        b->stop = true;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->th, NULL);
    }
    pk_batch_flush(b, NULL);
    for (pk__batch_node *n = b->free_nodes, *next; n; n = next) {
        next = n->qnext;
        pk_free(n);
    }
    for (pk__batch_waiter *w = b->free_waiters, *next; w; w = next) {
        next = w->next;
        pk_free(w);
    }
    pk_cache_free(b->cache);
    pk_free(b->tab);
    pk_free(b->m);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    pk_free(b);
}
