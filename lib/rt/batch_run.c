/* batch_run.c — running one batch (rt/batch_int.h): take up to max_items
 * keys (and max_bytes past the first) from the highest priority down, run
 * the batch function outside the lock, cache the successful answers, take
 * the keys out of the in-flight table, then call every waiter's done
 * function outside the lock. Also pk_batch_set and the metrics. */
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/batch_int.h"
#include "rt/rt_metrics.h"

static const char *const reason_name[4] = {"items", "bytes", "delay", "flush"};

pk_err pk_batch_set(pk_batch_item *it, pk_err err, const void *val, size_t vlen)
{
    if (!it || !it->internal_ || (!val && vlen && err == PK_OK))
        return PK_EINVAL;
    pk__batch_node *n = it->internal_;
    pk_free(n->res);
    n->res = NULL;
    n->rlen = 0;
    n->answered = true;
    n->err = err;
    if (err != PK_OK)
        return PK_OK;
    if (vlen) {
        if (!(n->res = pk_malloc(vlen))) {
            n->err = PK_ENOMEM;
            return PK_ENOMEM;
        }
        memcpy(n->res, val, vlen);
        n->rlen = vlen;
    }
    return PK_OK;
}

static void unlink_node(pk_batch *b, pk__batch_node *n)
{
    pk__batch_node **pp = &b->tab[n->hash & (b->tcap - 1)];
    while (*pp != n)
        pp = &(*pp)->hnext;
    *pp = n->hnext;
    b->count--;
}

/* Take the batch's nodes off the queues into v[0..cap) (under mu). */
static size_t take(pk_batch *b, pk__batch_node **v, size_t cap)
{
    size_t n = 0, bytes = 0;
    for (unsigned p = b->nprio; p-- > 0 && n < cap;) {
        while (b->qhead[p] && n < cap) {
            pk__batch_node *x = b->qhead[p];
            size_t sz = x->klen + x->len;
            if (n && b->max_bytes && bytes + sz > b->max_bytes)
                return n;
            b->qhead[p] = x->qnext;
            if (!b->qhead[p])
                b->qtail[p] = NULL;
            x->running = true;
            b->queued--;
            b->qbytes -= sz;
            bytes += sz;
            v[n++] = x;
        }
    }
    return n;
}

static void deliver(pk__batch_node *n)
{
    const void *val = n->err == PK_OK ? n->res : NULL;
    size_t vlen = n->err == PK_OK ? n->rlen : 0;
    n->first.fn(n->first.ud, n->err, val, vlen);
    for (pk__batch_waiter *w = n->more; w; w = w->next)
        w->fn(w->ud, n->err, val, vlen);
}

void pk__batch_run_one(pk_batch *b, pk_batch_reason why)
{
    pk__batch_node *one_node;
    pk_batch_item one_item;
    /* no more than are queued: max_items may be huge (cap * 8 must not wrap) */
    size_t cap = b->max_items < b->queued ? b->max_items : b->queued;
    if (cap == 0)
        cap = 1;
    pk__batch_node **v = pk_malloc(cap * sizeof(pk__batch_node *));
    pk_batch_item *items = pk_malloc(cap * sizeof *items);
    if (!v || !items) {                    /* out of memory: one key at a time */
        pk_free(v);
        pk_free(items);
        v = &one_node;
        items = &one_item;
        cap = 1;
    }
    size_t n = take(b, v, cap);
    b->st.batches++;
    b->st.by_reason[why]++;
    b->st.items += n;
    if (n > b->st.max_batch)
        b->st.max_batch = n;
    if (b->m) {
        pk_metrics_counter_inc(b->m->reason[why]);
        pk_metrics_counter_add(b->m->items, (double)n);
        pk_metrics_histogram_observe(b->m->size, (double)n);
        pk_metrics_gauge_set(b->m->queued, (double)b->queued);
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (pk_batch_item){.key = v[i]->kd, .klen = v[i]->klen,
                                   .data = v[i]->kd + v[i]->klen, .len = v[i]->len,
                                   .priority = v[i]->prio, .waiters = v[i]->nwait,
                                   .internal_ = v[i]};
    pthread_mutex_unlock(&b->mu);

    pk_err rc = n ? b->fn(b->ud, items, n) : PK_OK;
    size_t errors = 0;
    for (size_t i = 0; i < n; i++) {
        pk__batch_node *x = v[i];
        if (!x->answered)
            x->err = rc != PK_OK ? rc : PK_ENOENT;
        if (x->err != PK_OK)
            errors++;
        else if (b->cache)
            (void)pk_cache_put(b->cache, x->kd, x->klen, x->res ? x->res : "", x->rlen);
    }

    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < n; i++)
        unlink_node(b, v[i]);                /* no new waiter joins past here */
    b->st.errors += errors;
    if (b->m && errors)
        pk_metrics_counter_add(b->m->errors, (double)errors);
    pthread_mutex_unlock(&b->mu);

    for (size_t i = 0; i < n; i++)
        deliver(v[i]);

    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < n; i++)
        pk__batch_node_put(b, v[i]);
    if (v != &one_node) {
        pk_free(v);
        pk_free(items);
    }
}


static pk_err reasons(pk_metrics_registry *r, const char *name, pk__batch_metrics *m)
{
    char full[256];
    if ((size_t)snprintf(full, sizeof full, "%s_batches_total", name) >= sizeof full)
        return PK_EINVAL;
    pk_metrics_family *f;
    pk_err e = pk_metrics_counter_family(r, full, "Batch function calls, by what made the batch due.",
                                         (const char *[]){"reason"}, 1, &f);
    for (int i = 0; i < 4 && e == PK_OK; i++)
        e = pk_metrics_counter_get(f, (const char *[]){reason_name[i]}, &m->reason[i]);
    return e;
}

pk_err pk_batch_register_metrics(pk_batch *b, pk_metrics_registry *r, const char *name)
{
    if (!b || !r || !name || !*name || b->m)
        return PK_EINVAL;
    pk__batch_metrics *m = pk_calloc(1, sizeof *m);
    if (!m)
        return PK_ENOMEM;
    pk_err e;
    if ((e = pk__rt_ctr(r, name, "_adds_total", "Keys asked for (pk_batch_add).", &m->adds)) ||
        (e = pk__rt_ctr(r, name, "_duplicates_total",
                    "Adds that joined a key already queued or running.", &m->dups)) ||
        (e = pk__rt_ctr(r, name, "_cache_hits_total", "Adds answered from the result cache.",
                    &m->hits)) ||
        (e = reasons(r, name, m)) ||
        (e = pk__rt_ctr(r, name, "_items_total", "Distinct keys run by the batch function.",
                    &m->items)) ||
        (e = pk__rt_ctr(r, name, "_errors_total", "Keys answered with an error.", &m->errors)) ||
        (e = pk__rt_gauge(r, name, "_queued", "Distinct keys waiting for a batch.", &m->queued)) ||
        (e = pk__rt_hist(r, name, "_batch_size", "Distinct keys per batch.", &m->size))) {
        pk_free(m);
        return e;
    }
    pthread_mutex_lock(&b->mu);
    pk_metrics_counter_add(m->adds, (double)b->st.adds);
    pk_metrics_counter_add(m->dups, (double)b->st.duplicates);
    pk_metrics_counter_add(m->hits, (double)b->st.cache_hits);
    pk_metrics_counter_add(m->items, (double)b->st.items);
    pk_metrics_counter_add(m->errors, (double)b->st.errors);
    for (int i = 0; i < 4; i++)
        pk_metrics_counter_add(m->reason[i], (double)b->st.by_reason[i]);
    pk_metrics_gauge_set(m->queued, (double)b->queued);
    b->m = m;
    pthread_mutex_unlock(&b->mu);
    return PK_OK;
}
