/* cells.c — per-thread cells and the counter / gauge hot path.
 *
 * Every counter or histogram child has a process-wide slot id. Each thread
 * has a table (pk__metrics_tl) mapping slot -> its own cell for that child;
 * the hot path is `slot < len && tab[slot]`, then a relaxed load + store on
 * the cell (single writer, no locked instruction, no shared cache line).
 * On a thread's first update of a child the slow path allocates the cell,
 * links it into the child's list (registry mutex) and grows the table
 * (global mutex). Tables are freed at thread exit (a pthread key
 * destructor); cells stay in their child's list until the registry is freed,
 * so counts of exited threads remain. Slot ids are recycled when a registry
 * is freed (its slots are cleared in every live thread's table first); when
 * the last registry goes, all tables are freed too, so nothing outlives the
 * registries. If a cell cannot be allocated the update goes to a shared
 * fallback in the child (atomic read-modify-write): no count is lost.
 *
 * Counters keep an exact uint64 for inc() and integral add()s (< 2^53) and
 * a double for the other add()s; the value is their sum. */
#include "metrics/metrics_int.h"

#include <stdlib.h>

#include "core/buf.h"
#include "perfkit/alloc.h"

_Thread_local struct pkm_tls pk__metrics_tl PKM_TLS_MODEL;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pkm_tls *g_threads;   /* registered thread tables */
static uint32_t g_next_slot;        /* slots handed out so far */
static uint32_t *g_free;            /* released slots; capacity >= g_next_slot */
static uint32_t g_nfree;
static size_t g_capfree;
static long g_registries;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static bool g_key_ok;

static void tls_unlink(struct pkm_tls *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        g_threads = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    t->registered = false;
}

static void thread_exit(void *arg)
{
    struct pkm_tls *t = arg;
    pthread_mutex_lock(&g_mu);
    if (t->registered)
        tls_unlink(t);
    pk_free(t->tab);
    t->tab = NULL;
    t->len = 0;
    pthread_mutex_unlock(&g_mu);
}

static void key_init(void)
{
    g_key_ok = pthread_key_create(&g_key, thread_exit) == 0;
}

pk_err pk__metrics_slot_new(uint32_t *out)
{
    pthread_mutex_lock(&g_mu);
    if (g_nfree) {
        *out = g_free[--g_nfree];
        pthread_mutex_unlock(&g_mu);
        return PK_OK;
    }
    if (g_next_slot == UINT32_MAX - 1) {
        pthread_mutex_unlock(&g_mu);
        return PK_ENOMEM;
    }
    /* room for every slot ever handed out: release must never allocate */
    if (pk__grow((void **)&g_free, &g_capfree, (size_t)g_next_slot + 1, sizeof *g_free) !=
        PK_OK) {
        pthread_mutex_unlock(&g_mu);
        return PK_ENOMEM;
    }
    *out = g_next_slot++;
    pthread_mutex_unlock(&g_mu);
    return PK_OK;
}

void pk__metrics_slot_release(uint32_t slot)
{
    pthread_mutex_lock(&g_mu);
    for (struct pkm_tls *t = g_threads; t; t = t->next)
        if (slot < t->len)
            t->tab[slot] = NULL;
    g_free[g_nfree++] = slot;
    pthread_mutex_unlock(&g_mu);
}

void pk__metrics_registry_count(int delta)
{
    pthread_mutex_lock(&g_mu);
    g_registries += delta;
    if (g_registries == 0) {
        /* No registry, so no metric handle, so no update can run: every
         * table (also other live threads') can go. */
        for (struct pkm_tls *t = g_threads; t; t = t->next) {
            pk_free(t->tab);
            t->tab = NULL;
            t->len = 0;
        }
        pk_free(g_free);
        g_free = NULL;
        g_nfree = g_capfree = g_next_slot = 0;
    }
    pthread_mutex_unlock(&g_mu);
}

static void *cell_alloc(size_t size)
{
    void *raw = pk_malloc(size + 64);
    if (!raw)
        return NULL;
    struct pkm_cell *c = (void *)((char *)raw + ((64 - ((uintptr_t)raw & 63)) & 63));
    memset(c, 0, size);
    c->raw = raw;
    return c;
}

void *pk__metrics_cell_slow(struct pkm_child *ch, size_t size)
{
    struct pkm_tls *t = &pk__metrics_tl;
    pk_metrics_registry *r = ch->fam->reg;
    pthread_once(&g_once, key_init);
    pthread_mutex_lock(&r->mu);
    pthread_mutex_lock(&g_mu);
    struct pkm_cell *c = NULL;
    uint32_t slot = ch->slot;
    if (slot < t->len && t->tab[slot]) {   /* cannot happen, but be safe */
        c = t->tab[slot];
        goto out;
    }
    if (slot >= t->len) {
        size_t old = t->len;
        if (pk__grow((void **)&t->tab, &t->len, (size_t)slot + 1, sizeof *t->tab) != PK_OK)
            goto out;
        memset(t->tab + old, 0, (t->len - old) * sizeof *t->tab);
    }
    if (!t->registered) {
        t->next = g_threads;
        t->prev = NULL;
        if (g_threads)
            g_threads->prev = t;
        g_threads = t;
        t->registered = true;
        if (g_key_ok)
            pthread_setspecific(g_key, t);
    }
    c = cell_alloc(size);
    if (!c)
        goto out;
    c->next = ch->cells;
    ch->cells = c;
    t->tab[slot] = c;
out:
    pthread_mutex_unlock(&g_mu);
    pthread_mutex_unlock(&r->mu);
    return c;
}

void pk__metrics_cells_free(struct pkm_child *ch)
{
    struct pkm_cell *c = ch->cells;
    while (c) {
        struct pkm_cell *n = c->next;
        if (ch->fam->kind == PKM_HISTOGRAM) {
            struct pkm_hist_cell *hc = (struct pkm_hist_cell *)c;
            for (unsigned e = 0; e < PKM_NEXP; e++)
                pk_free((void *)atomic_load_explicit(&hc->chunk[e], memory_order_relaxed));
        }
        pk_free(c->raw);
        c = n;
    }
    ch->cells = NULL;
}

/* ---- counters --------------------------------------------------------------- */

static inline struct pkm_counter_cell *counter_cell(pk_metrics_counter *c)
{
    uint32_t s = c->ch.slot;
    struct pkm_tls *t = &pk__metrics_tl;
    struct pkm_counter_cell *cell;
    if (PKM_LIKELY(s < t->len && (cell = t->tab[s])))
        return cell;
    return pk__metrics_cell_slow(&c->ch, sizeof *cell);
}

void pk_metrics_counter_inc(pk_metrics_counter *c)
{
    struct pkm_counter_cell *cell = counter_cell(c);
    if (PKM_LIKELY(cell != NULL))
        pkm_bump(&cell->n, 1);
    else
        atomic_fetch_add_explicit(&c->fb_n, 1, memory_order_relaxed);
}

void pk_metrics_counter_add(pk_metrics_counter *c, double v)
{
    if (!(v >= 0))   /* negative and NaN: counters only go up */
        return;
    struct pkm_counter_cell *cell = counter_cell(c);
    bool integral = v < 9007199254740992.0 && (double)(uint64_t)v == v;
    if (PKM_LIKELY(cell != NULL)) {
        if (integral)
            pkm_bump(&cell->n, (uint64_t)v);
        else
            pkm_fadd(&cell->d, v);
    } else if (integral) {
        atomic_fetch_add_explicit(&c->fb_n, (uint64_t)v, memory_order_relaxed);
    } else {
        pkm_fadd_shared(&c->fb_d, v);
    }
}

void pk__metrics_counter_total(const pk_metrics_counter *c, uint64_t *n, double *d)
{
    uint64_t sn = atomic_load_explicit(&c->fb_n, memory_order_relaxed);
    double sd = pkm_u2d(atomic_load_explicit(&c->fb_d, memory_order_relaxed));
    for (const struct pkm_cell *p = c->ch.cells; p; p = p->next) {
        const struct pkm_counter_cell *cc = (const struct pkm_counter_cell *)p;
        sn += atomic_load_explicit(&cc->n, memory_order_relaxed);
        sd += pkm_u2d(atomic_load_explicit(&cc->d, memory_order_relaxed));
    }
    *n = sn;
    *d = sd;
}

double pk_metrics_counter_value(const pk_metrics_counter *c)
{
    if (!c)
        return 0;
    pk_metrics_registry *r = c->ch.fam->reg;
    uint64_t n;
    double d;
    pthread_mutex_lock(&r->mu);
    pk__metrics_counter_total(c, &n, &d);
    pthread_mutex_unlock(&r->mu);
    return (double)n + d;
}

/* ---- gauges: one shared atomic double ------------------------------------------ */

void pk_metrics_gauge_set(pk_metrics_gauge *g, double v)
{
    atomic_store_explicit(&g->bits, pkm_d2u(v), memory_order_relaxed);
}

void pk_metrics_gauge_add(pk_metrics_gauge *g, double v)
{
    pkm_fadd_shared(&g->bits, v);
}

double pk_metrics_gauge_value(const pk_metrics_gauge *g)
{
    return g ? pkm_u2d(atomic_load_explicit(&g->bits, memory_order_relaxed)) : 0;
}
