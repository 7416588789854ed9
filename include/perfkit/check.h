/* perfkit/check.h — the regression gate: collect, judge, report.
 *
 *   pk_check_collect   run every benchmark of a config (commands, Google
 *                      Benchmark binaries, imports) into a result set;
 *   pk_check_sizes     measure every size budget's files;
 *   pk_check_evaluate  judge current results against budgets and against a
 *                      baseline result set from history.
 * Writing a report (text, JSON, Markdown, JUnit) is lib/report's job:
 * perfkit/check_write.h.
 *
 * Verdict per benchmark and figure (pk_check_status):
 *   budget items:     PASS or OVER_BUDGET (statistic > limit × (1+tolerance)),
 *                     NOT_MEASURABLE when the figure is not measured here
 *                     (e.g. hardware counters in a VM);
 *   regression items: the primary figure and every budgeted figure against
 *                     the baseline with pk_stats_compare under the
 *                     benchmark's policy — REGRESSED (slower), IMPROVED
 *                     (faster), PASS (no significant difference and within
 *                     the threshold), INCONCLUSIVE (the change exceeds the
 *                     threshold but is not significant: too noisy to say),
 *                     NO_BASELINE (first run, or the baseline lacks it);
 *   size items:       PASS or OVER_BUDGET per file and compression;
 *   ERROR:            the benchmark failed to run (message in note).
 * A report fails when any item is OVER_BUDGET, REGRESSED or ERROR, and with
 * strict also when any is NOT_MEASURABLE or INCONCLUSIVE.
 *
 * Thread-safety: reports are immutable after creation. */
#ifndef PERFKIT_CHECK_H
#define PERFKIT_CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/config.h"
#include "perfkit/diag.h"
#include "perfkit/resultset.h"
#include "perfkit/size.h"
#include "perfkit/stats.h"
#include "perfkit/store.h"

PK_BEGIN_DECLS

typedef enum pk_check_status {
    PK_CHECK_PASS = 0,
    PK_CHECK_OVER_BUDGET,
    PK_CHECK_REGRESSED,
    PK_CHECK_IMPROVED,
    PK_CHECK_INCONCLUSIVE,
    PK_CHECK_NOT_MEASURABLE,
    PK_CHECK_NO_BASELINE,
    PK_CHECK_ERROR,
} pk_check_status;

/* "pass", "over budget", "regressed", "improved", "inconclusive",
 * "not measurable here", "no baseline", "error"; "unknown" for a value
 * outside the enum. Never NULL. */
const char *pk_check_status_name(pk_check_status s);

/* Whether an item with status s fails the gate: OVER_BUDGET, REGRESSED and
 * ERROR always; NOT_MEASURABLE and INCONCLUSIVE when strict. The one place
 * the rule is written; evaluate and every writer ask here. */
bool pk_check_status_fails(pk_check_status s, bool strict);

typedef enum pk_check_kind {
    PK_ITEM_BUDGET = 0,
    PK_ITEM_REGRESSION,
    PK_ITEM_SIZE,
} pk_check_kind;

typedef struct pk_check_item {
    pk_check_kind kind;
    pk_check_status status;
    char *benchmark;         /* benchmark name, or the file for size items */
    char *figure;            /* "wall", "rss", ...; compression name for size */
    char *stat;              /* budget statistic ("p95"); for regressions the
                                compared statistic ("median" / "mean") */
    pk_unit_kind unit;       /* how to print current / limit / baseline */
    double current;          /* the statistic now */
    double limit;            /* budget items: effective limit (tolerance applied) */
    char *limit_text;        /* budget items: as written in the config */
    double baseline;         /* regression items: the statistic in the baseline */
    bool has_cmp;
    pk_comparison cmp;       /* regression items with a baseline */
    size_t n_current, n_baseline;
    int64_t baseline_run;    /* 0 when none */
    char *note;              /* why NOT_MEASURABLE / ERROR / NO_BASELINE, or NULL */
    pk_src_pos pos;          /* where the budget is declared (0 when none) */
} pk_check_item;

typedef struct pk_check_report {
    pk_check_item *items;
    size_t n_items;
    size_t count[PK_CHECK_ERROR + 1];  /* items per status */
    bool failed;             /* the gate fails: exit 1 */
    bool strict;
    pk_run_meta run;         /* this run (id 0 when not stored) */
    char config_path[512];
} pk_check_report;

/* ---- collect ------------------------------------------------------------- */

typedef struct pk_check_progress {
    size_t bench, n_benches;        /* which config benchmark is running */
    const char *name;
    const pk_cmdbench_progress *run; /* for command benchmarks, else NULL */
} pk_check_progress;

typedef struct pk_check_opts {
    bool strict;                     /* NOT_MEASURABLE / INCONCLUSIVE fail too */
    const char *only;                /* run only benchmarks whose name contains
                                        this (NULL: all) */
    void (*progress)(void *ud, const pk_check_progress *p);
    void *progress_ud;
    const volatile sig_atomic_t *stop;
} pk_check_opts;

void pk_check_opts_init(pk_check_opts *o);

/* Run every benchmark of c (those matching o->only) and add its results to
 * rs: a command benchmark as "<name>" (or "<name>/<value>" per parameter
 * value), a Google Benchmark binary and an import as "<name>/<inner>". A
 * benchmark that fails gets its error recorded in rs (pk_bench_data.error)
 * and the others still run. Errors: PK_EINTR (stopped; rs holds what ran),
 * PK_ENOMEM, PK_EIO. diag receives the first benchmark failure's message. */
pk_err pk_check_collect(const pk_config *c, const pk_check_opts *o, pk_resultset *rs,
                        pk_diag *diag);

/* Sizes of every file matched by c's size budgets, added to rs as
 * benchmarks "size:<path>" with one series per compression (PK_UNIT_SIZE,
 * one sample). Errors: PK_ENOENT (a pattern matches nothing), PK_EIO,
 * PK_ENOMEM. */
pk_err pk_check_sizes(const pk_config *c, pk_resultset *rs, pk_diag *diag);

/* ---- evaluate ------------------------------------------------------------ */

/* Baselines per benchmark: baseline[i] is the result set holding the baseline
 * of current->benches[i] (NULL: none), run_ids[i] its run. The caller fetches
 * them from history (pk_store_find_baseline + pk_store_get_bench) or builds
 * them any other way. */
typedef struct pk_check_baselines {
    const pk_resultset *const *sets;   /* n = current->n */
    const int64_t *run_ids;
} pk_check_baselines;

/* Judge current against c's budgets and against baselines (may be NULL: no
 * regression items). On PK_OK *out owns the report (pk_check_report_free).
 * Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_check_evaluate(const pk_config *c, const pk_resultset *current,
                         const pk_check_baselines *baselines, const pk_check_opts *o,
                         pk_check_report **out);
void   pk_check_report_free(pk_check_report *r);   /* NULL is a no-op */

PK_END_DECLS
#endif
