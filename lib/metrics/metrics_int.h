/* metrics_int.h — private structures shared by the lib/metrics sources.
 *
 * Layout: registry -> families (registration order) -> children (creation
 * order). Counter and histogram children own a process-wide "slot" id; each
 * thread keeps a table slot -> its own cell for that child (pk__metrics_tl),
 * and every cell is also linked into its child's list so a scrape can sum the
 * cells of all threads, live or exited. A cell is written by its owner thread
 * only, with relaxed atomic load + store (no locked instruction); readers use
 * relaxed loads. Gauges are a single atomic double and have no cells.
 *
 * Locks: the registry mutex (families, children, cell lists) and one global
 * mutex (slot ids, the list of thread tables). Order: registry, then global.
 * The hot path takes neither. */
#ifndef PK_METRICS_INT_H
#define PK_METRICS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "perfkit/metrics.h"

#define PKM_MAX_LABELS 16

/* Log-linear histogram: bucket (lo, hi] with lo = 2^e (1 + s/128),
 * hi = 2^e (1 + (s+1)/128), e in [PKM_EXP_MIN, PKM_EXP_MIN + PKM_NEXP),
 * s in [0, 128). Values in [0, 2^-30] go to the zero bucket, values above
 * 2^50 (~1.1e15) to the overflow bucket (reported with their maximum). */
#define PKM_SUB_BITS 7
#define PKM_SUB (1u << PKM_SUB_BITS)
#define PKM_EXP_MIN (-30)
#define PKM_NEXP 80
/* bit patterns of 2^-30 and 2^50 */
#define PKM_ZERO_BITS ((uint64_t)(1023 + PKM_EXP_MIN) << 52)
#define PKM_MAX_BITS ((uint64_t)(1023 + PKM_EXP_MIN + PKM_NEXP) << 52)

#if defined(__GNUC__) || defined(__clang__)
#define PKM_LIKELY(x) __builtin_expect(!!(x), 1)
#define PKM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PKM_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define PKM_LIKELY(x) (x)
#define PKM_UNLIKELY(x) (x)
#define PKM_TLS_MODEL
#endif

enum pkm_kind { PKM_COUNTER, PKM_GAUGE, PKM_HISTOGRAM, PKM_PROCESS };

/* Common head of every per-thread cell. raw is what pk_malloc returned (the
 * cell itself is aligned to a cache line so threads never share one). */
struct pkm_cell {
    struct pkm_cell *next;
    void *raw;
};

struct pkm_counter_cell {
    struct pkm_cell hdr;
    _Atomic uint64_t n;      /* exact integral part: inc() and integral add()s */
    _Atomic uint64_t d;      /* bits of a double: the fractional add()s */
};

struct pkm_hist_cell {
    struct pkm_cell hdr;
    _Atomic uint64_t sum;    /* bits of a double */
    _Atomic uint64_t zero;   /* [0, 2^-30] */
    _Atomic uint64_t neg;    /* v < 0: in _sum/_count and every `le` bucket */
    _Atomic uint64_t over;   /* v > 2^50, +Inf */
    _Atomic uint64_t over_max; /* bits of the largest overflow value */
    _Atomic uint64_t lost;   /* non-negative values whose chunk could not be allocated */
    _Atomic(_Atomic uint64_t *) chunk[PKM_NEXP]; /* PKM_SUB counts each, lazily */
    _Atomic uint64_t bcount[]; /* n_bounds + 1 exact `le` counts (last: +Inf) */
};

struct pkm_child {
    struct pk_metrics_family *fam;
    uint32_t slot;           /* UINT32_MAX for gauges */
    uint64_t hash;           /* of the label values */
    char **values;           /* fam->n_labels copies */
    struct pkm_cell *cells;  /* every thread's cell; under the registry mutex */
};

struct pk_metrics_counter {
    struct pkm_child ch;
    _Atomic uint64_t fb_n;   /* shared fallback when a cell cannot be allocated */
    _Atomic uint64_t fb_d;
};

struct pk_metrics_gauge {
    struct pkm_child ch;
    _Atomic uint64_t bits;   /* the double value */
};

struct pk_metrics_histogram {
    struct pkm_child ch;
    const double *bounds;    /* the family's */
    size_t n_bounds;
    _Atomic uint64_t fb_count; /* shared fallback (count and sum only) */
    _Atomic uint64_t fb_sum;
};

struct pk_metrics_family {
    pk_metrics_registry *reg;
    struct pk_metrics_family *next;
    enum pkm_kind kind;
    enum pkm_kind type;      /* as exposed: PKM_COUNTER, PKM_GAUGE or PKM_HISTOGRAM */
    int proc;                /* PKM_PROCESS: which process_* metric */
    char *name;              /* as registered (Prometheus 0.0.4 sample name) */
    char *om_name;           /* OpenMetrics family name (counter: no _total) */
    char *help;
    char **labels;
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    struct pkm_child **kids;
    size_t n_kids, cap_kids;
};

struct pk_metrics_registry {
    pthread_mutex_t mu;
    struct pk_metrics_family *head, *tail;
    bool has_process;
};

/* The calling thread's slot table (cells.c). */
struct pkm_tls {
    void **tab;
    size_t len;      /* entries of tab (its pk__grow capacity) */
    bool registered;
    struct pkm_tls *prev, *next;
};
extern _Thread_local struct pkm_tls pk__metrics_tl PKM_TLS_MODEL;

/* relaxed single-writer add */
static inline void pkm_bump(_Atomic uint64_t *p, uint64_t x)
{
    atomic_store_explicit(p, atomic_load_explicit(p, memory_order_relaxed) + x,
                          memory_order_relaxed);
}
static inline uint64_t pkm_d2u(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}
static inline double pkm_u2d(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}
static inline void pkm_fadd(_Atomic uint64_t *p, double x)
{
    double v = pkm_u2d(atomic_load_explicit(p, memory_order_relaxed)) + x;
    atomic_store_explicit(p, pkm_d2u(v), memory_order_relaxed);
}
/* shared (multi-writer) double add: CAS loop */
static inline void pkm_fadd_shared(_Atomic uint64_t *p, double x)
{
    uint64_t old = atomic_load_explicit(p, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(p, &old, pkm_d2u(pkm_u2d(old) + x),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* cells.c */
pk_err pk__metrics_slot_new(uint32_t *out);          /* global mutex inside */
void pk__metrics_registry_count(int delta);          /* global bookkeeping */
void pk__metrics_slot_release(uint32_t slot);        /* global mutex inside */
/* Slow path: the calling thread's cell for ch (size bytes, zeroed), created and
 * linked on first use. NULL when out of memory. */
void *pk__metrics_cell_slow(struct pkm_child *ch, size_t size);
void pk__metrics_cells_free(struct pkm_child *ch);

/* histogram.c: totals over all cells, under the registry mutex */
struct pkm_hist_sum {
    uint64_t count;          /* every observation */
    double sum;
    uint64_t neg, zero, over, lost;
    double over_max;
};
void pk__metrics_hist_totals(const pk_metrics_histogram *h, struct pkm_hist_sum *t);
uint64_t pk__metrics_hist_bucket(const pk_metrics_histogram *h, unsigned idx);
bool pk__metrics_hist_exp_used(const pk_metrics_histogram *h, unsigned e);
double pk__metrics_hist_upper(unsigned idx);  /* hi edge of log-linear bucket idx */
uint64_t pk__metrics_hist_bound_count(const pk_metrics_histogram *h, size_t i);

/* counter total, under the registry mutex: exact integer part + fraction */
void pk__metrics_counter_total(const pk_metrics_counter *c, uint64_t *n, double *d);

/* process.c */
#define PKM_PROC_N 7
extern const struct pkm_proc_def {
    const char *name, *help;
    enum pkm_kind type;  /* PKM_COUNTER or PKM_GAUGE */
} pk__metrics_proc_defs[PKM_PROC_N];
/* Read all process metrics; ok[i] false where not measurable here. */
void pk__metrics_proc_read(double val[PKM_PROC_N], bool ok[PKM_PROC_N]);

/* registry.c */
pk_err pk__metrics_family_new(pk_metrics_registry *r, enum pkm_kind kind, const char *name,
                              const char *help, const char *const *labels, size_t n_labels,
                              const double *bounds, size_t n_bounds, pk_metrics_family **out);

#endif
