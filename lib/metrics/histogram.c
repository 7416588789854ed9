/* histogram.c — log-linear (HDR-style) histograms: observe and percentiles.
 *
 * Each power of two in (2^-30, 2^50] is split into 128 linear sub-buckets
 * (lo, hi]; the bucket index is the double's biased exponent and top 7
 * mantissa bits of (bits - 1), so no frexp/log: (bits - 1) puts a value that
 * sits exactly on an edge into the bucket below, which makes every bucket's
 * upper edge an exact `le` bound. Relative width 1/128, so the bucket
 * midpoint is within 0.4% of any value in it. [0, 2^-30] is the zero bucket,
 * (2^50, +Inf] the overflow bucket (its percentiles report the largest value
 * seen there). Negative values count in _sum/_count and in every `le` bucket
 * but not in percentiles; NaN is ignored.
 *
 * Per-thread cells (cells.c) allocate their 128-count chunks lazily, one per
 * power of two the thread actually observes (1 KiB each), so a thread pays
 * for the range it uses. Families with classic bounds also keep exact
 * per-bound counts in the cell (branchless binary search),
 * so `le` counts are exact, also for values exactly on a bound. */
#include "metrics/metrics_int.h"

#include "perfkit/alloc.h"

static _Atomic uint64_t *chunk_new(struct pkm_hist_cell *c, unsigned e)
{
    _Atomic uint64_t *p = pk_calloc(PKM_SUB, sizeof *p);
    if (p)
        atomic_store_explicit(&c->chunk[e], p, memory_order_release);
    return p;
}

static inline size_t bound_index(const double *b, size_t n, double v)
{
    /* first i with v <= b[i]; n when none (NaN never reaches here).
     * Branchless lower bound: the compare compiles to a conditional move. */
    const double *base = b;
    while (n > 1) {
        size_t half = n / 2;
        base = base[half - 1] < v ? base + half : base;
        n -= half;
    }
    return (size_t)(base - b) + (n == 1 && *base < v);
}

void pk_metrics_histogram_observe(pk_metrics_histogram *h, double v)
{
    uint32_t s = h->ch.slot;
    struct pkm_tls *t = &pk__metrics_tl;
    struct pkm_hist_cell *c;
    if (PKM_UNLIKELY(!(s < t->len && (c = t->tab[s])))) {
        if (v != v)
            return;
        c = pk__metrics_cell_slow(&h->ch, sizeof *c + (h->n_bounds + 1) * sizeof c->bcount[0]);
        if (!c) {
            atomic_fetch_add_explicit(&h->fb_count, 1, memory_order_relaxed);
            pkm_fadd_shared(&h->fb_sum, v);
            return;
        }
    }
    uint64_t b = pkm_d2u(v);
    if (PKM_LIKELY(b > PKM_ZERO_BITS && b <= PKM_MAX_BITS)) {
        uint64_t idx = ((b - 1) >> (52 - PKM_SUB_BITS)) -
                       ((uint64_t)(1023 + PKM_EXP_MIN) << PKM_SUB_BITS);
        unsigned e = (unsigned)(idx >> PKM_SUB_BITS);
        _Atomic uint64_t *ch = atomic_load_explicit(&c->chunk[e], memory_order_relaxed);
        if (PKM_UNLIKELY(!ch) && !(ch = chunk_new(c, e)))
            pkm_bump(&c->lost, 1);
        else
            pkm_bump(&ch[idx & (PKM_SUB - 1)], 1);
    } else if (b <= PKM_ZERO_BITS || v == 0) {   /* [0, 2^-30] and -0.0 */
        pkm_bump(&c->zero, 1);
    } else if (v > 0) {
        pkm_bump(&c->over, 1);
        if (v > pkm_u2d(atomic_load_explicit(&c->over_max, memory_order_relaxed)))
            atomic_store_explicit(&c->over_max, b, memory_order_relaxed);
    } else if (v < 0) {
        pkm_bump(&c->neg, 1);
    } else {
        return;   /* NaN */
    }
    pkm_fadd(&c->sum, v);
    if (h->n_bounds)
        pkm_bump(&c->bcount[bound_index(h->bounds, h->n_bounds, v)], 1);
}

/* ---- reading (registry mutex held) --------------------------------------------- */

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

void pk__metrics_hist_totals(const pk_metrics_histogram *h, struct pkm_hist_sum *t)
{
    memset(t, 0, sizeof *t);
    uint64_t buckets = 0;
    t->count = LOAD(h->fb_count);
    t->sum = pkm_u2d(LOAD(h->fb_sum));
    for (const struct pkm_cell *p = h->ch.cells; p; p = p->next) {
        const struct pkm_hist_cell *c = (const struct pkm_hist_cell *)p;
        t->sum += pkm_u2d(LOAD(c->sum));
        t->neg += LOAD(c->neg);
        t->zero += LOAD(c->zero);
        t->over += LOAD(c->over);
        t->lost += LOAD(c->lost);
        double m = pkm_u2d(LOAD(c->over_max));
        if (m > t->over_max)
            t->over_max = m;
        for (unsigned e = 0; e < PKM_NEXP; e++) {
            _Atomic uint64_t *ch = atomic_load_explicit(&c->chunk[e], memory_order_acquire);
            if (ch)
                for (unsigned s = 0; s < PKM_SUB; s++)
                    buckets += LOAD(ch[s]);
        }
    }
    t->count += t->neg + t->zero + t->over + t->lost + buckets;
}

bool pk__metrics_hist_exp_used(const pk_metrics_histogram *h, unsigned e)
{
    for (const struct pkm_cell *p = h->ch.cells; p; p = p->next)
        if (atomic_load_explicit(&((const struct pkm_hist_cell *)p)->chunk[e],
                                 memory_order_acquire))
            return true;
    return false;
}

uint64_t pk__metrics_hist_bucket(const pk_metrics_histogram *h, unsigned idx)
{
    uint64_t n = 0;
    for (const struct pkm_cell *p = h->ch.cells; p; p = p->next) {
        const struct pkm_hist_cell *c = (const struct pkm_hist_cell *)p;
        _Atomic uint64_t *ch =
            atomic_load_explicit(&c->chunk[idx >> PKM_SUB_BITS], memory_order_acquire);
        if (ch)
            n += LOAD(ch[idx & (PKM_SUB - 1)]);
    }
    return n;
}

uint64_t pk__metrics_hist_bound_count(const pk_metrics_histogram *h, size_t i)
{
    uint64_t n = 0;
    for (const struct pkm_cell *p = h->ch.cells; p; p = p->next)
        n += LOAD(((const struct pkm_hist_cell *)p)->bcount[i]);
    return n;
}

/* lower edge of bucket idx: 2^e (1 + s/128), built from its bits */
static double lower(unsigned idx)
{
    uint64_t b = ((uint64_t)idx + ((uint64_t)(1023 + PKM_EXP_MIN) << PKM_SUB_BITS))
                 << (52 - PKM_SUB_BITS);
    return pkm_u2d(b);
}

double pk__metrics_hist_upper(unsigned idx)
{
    return lower(idx + 1);
}

uint64_t pk_metrics_histogram_count(const pk_metrics_histogram *h)
{
    if (!h)
        return 0;
    struct pkm_hist_sum t;
    pthread_mutex_lock(&h->ch.fam->reg->mu);
    pk__metrics_hist_totals(h, &t);
    pthread_mutex_unlock(&h->ch.fam->reg->mu);
    return t.count;
}

double pk_metrics_histogram_sum(const pk_metrics_histogram *h)
{
    if (!h)
        return 0;
    struct pkm_hist_sum t;
    pthread_mutex_lock(&h->ch.fam->reg->mu);
    pk__metrics_hist_totals(h, &t);
    pthread_mutex_unlock(&h->ch.fam->reg->mu);
    return t.sum;
}

/* Nearest rank: the smallest recorded value v with at least ceil(p/100 * n)
 * non-negative values <= v, reported as its bucket's midpoint. */
pk_err pk_metrics_histogram_percentile(const pk_metrics_histogram *h, double p, double *out)
{
    if (!h || !out || !(p >= 0 && p <= 100))
        return PK_EINVAL;
    pk_err rc = PK_EINVAL;
    struct pkm_hist_sum t;
    pthread_mutex_lock(&h->ch.fam->reg->mu);
    pk__metrics_hist_totals(h, &t);
    /* non-negative values with a bucket: zero + log-linear + overflow */
    uint64_t n = t.count - t.neg - t.lost - LOAD(h->fb_count);
    if (n == 0)
        goto out;
    double want = p / 100.0 * (double)n;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t cum = t.zero;
    if (cum >= rank) {
        *out = 0;
        rc = PK_OK;
        goto out;
    }
    for (unsigned e = 0; e < PKM_NEXP; e++) {
        if (!pk__metrics_hist_exp_used(h, e))
            continue;
        for (unsigned s = 0; s < PKM_SUB; s++) {
            unsigned idx = e * PKM_SUB + s;
            cum += pk__metrics_hist_bucket(h, idx);
            if (cum >= rank) {
                *out = (lower(idx) + lower(idx + 1)) / 2;
                rc = PK_OK;
                goto out;
            }
        }
    }
    *out = t.over_max;   /* the rank lies in the overflow bucket */
    rc = PK_OK;
out:
    pthread_mutex_unlock(&h->ch.fam->reg->mu);
    return rc;
}
