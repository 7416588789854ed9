/* perfkit/dashboard.h — the history as one self-contained HTML page
 * (`perfkit report`, `perfkit check --html`).
 *
 *   pk_dashboard_opts o; pk_dashboard_opts_init(&o); o.config = cfg;
 *   pk_dashboard *d; pk_dashboard_new(store, &o, &d, &diag);
 *   pk_dashboard_write_html(f, d); pk_dashboard_free(d);
 *
 * pk_dashboard_new reads everything the page shows from a history through
 * perfkit/store.h only (so any backend serves): per benchmark its primary
 * figure's statistic over the last runs with the 95% confidence interval of
 * each run's median (distribution-free, from order statistics), the change
 * points of that series (pk_stats_changepoints; a shift in the figure's
 * worse direction is a regression), the latest run's samples and the
 * baseline's (pk_store_find_baseline), and the stored CPU profiles of both
 * (pk_store_get_profile). A check report — given, or the config's budgets
 * judged on the latest run — gives the budget lines and the summary with a
 * headroom score per budget.
 *
 * pk_dashboard_write_html writes one HTML5 file: inline CSS, one small
 * inline script, SVG charts drawn here, flame graphs embedded as data: URLs
 * (perfkit/flame.h); it fetches nothing. Without script every chart, the
 * run of each point (SVG <title>) and the summary show; the script adds
 * the tooltip, keyboard navigation of the points (arrow keys on a focused
 * chart) and the branch / machine filters, whose state lives in the URL's
 * fragment: #branch=B&machine=FP&run=ID (run: the point of that run shown
 * as hovered). Every name from the history (benchmarks, branches,
 * commits, profile frames) is escaped: no text of the history becomes
 * markup or script.
 *
 * Thread-safety: a dashboard is immutable after pk_dashboard_new; writers
 * on distinct FILE*s may run concurrently. The store is used as store.h
 * says (one thread at a time). */
#ifndef PERFKIT_DASHBOARD_H
#define PERFKIT_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/check.h"
#include "perfkit/config.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/store.h"

PK_BEGIN_DECLS

typedef struct pk_dashboard pk_dashboard;

typedef struct pk_dashboard_opts {
    const char *title;         /* the page's heading; default "perfkit report" */
    const char *branch;        /* only runs of this branch (NULL: every branch) */
    size_t last;               /* the last `last` runs of each benchmark (after
                                  the branch filter); 0: all. Default 30, as
                                  `perfkit history` */
    const char *stat;          /* statistic per run (pk_series_stat):
                                  "median" (default) */
    const pk_config *config;   /* budgets (judged on the latest run when
                                  check is NULL) and the baseline branch;
                                  NULL: none, any branch. Borrowed for the
                                  duration of pk_dashboard_new only */
    const pk_check_report *check;   /* the latest check (perfkit check
                                  --html): its budget and regression items
                                  make the summary. Copied by
                                  pk_dashboard_new: need not outlive it */
    size_t profiles;           /* flame graphs embedded: for at most this many
                                  benchmarks (the first by name with a stored
                                  profile); default 8, 0: none */
} pk_dashboard_opts;

void pk_dashboard_opts_init(pk_dashboard_opts *o);

/* Read the page's data from st (opened read-only is enough). o may be NULL
 * (defaults). A history without runs gives a page that says so; st may be
 * NULL when o->check is given (no history yet: the page shows the check).
 * On PK_OK *out owns the dashboard (pk_dashboard_free). On error *out is
 * NULL and diag (may be NULL) says why. Cost: one pk_store_get_bench per
 * point shown, plus the change point search (O(n^2) per benchmark, see
 * pk_stats_changepoints). Errors: PK_EINVAL (out NULL, st NULL without
 * o->check, an unknown statistic), PK_ENOENT (branch names no run),
 * PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_dashboard_new(pk_store *st, const pk_dashboard_opts *o, pk_dashboard **out,
                        pk_diag *diag);
void   pk_dashboard_free(pk_dashboard *d);   /* NULL is a no-op */

/* Benchmarks on the page (each has a trend chart). */
size_t pk_dashboard_benchmarks(const pk_dashboard *d);

/* Write the page to f. Errors: PK_EINVAL (NULL arguments), PK_ENOMEM,
 * PK_EIO (a write failed: f holds part of a page). */
pk_err pk_dashboard_write_html(FILE *f, const pk_dashboard *d);

PK_END_DECLS
#endif
