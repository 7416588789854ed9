/* dash_int.h — the dashboard's model, shared by its collector
 * (dashboard.c), its chart writers (chart.c) and its page writer (page.c).
 * Module-private: names carry the pk__dash_ prefix. */
#ifndef PERFKIT_DASH_INT_H
#define PERFKIT_DASH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/dashboard.h"
#include "perfkit/figure.h"
#include "perfkit/stats.h"

/* One run of a benchmark: a point of its trend chart. */
typedef struct pk__dash_point {
    int64_t run;
    int64_t started_unix_ns;
    char commit[41];
    size_t branch, machine;    /* indices into pk_dashboard.branches / machines */
    double value;              /* the statistic of the run's samples */
    double lo, hi;             /* 95% CI of the median; NaN when too few samples */
    size_t n;                  /* samples */
} pk__dash_point;

/* A budget drawn on a chart and listed in the summary. */
typedef struct pk__dash_item {
    pk_check_kind kind;
    pk_check_status status;
    char *benchmark, *figure, *stat, *limit_text;
    pk_unit_kind unit;
    pk_bound bound;
    double current, limit, baseline;
    double headroom;           /* budget items: (limit - current) / limit for
                                  a maximum, (current - limit) / limit for a
                                  minimum; NaN when not measured */
    bool measured;
} pk__dash_item;

typedef struct pk__dash_bench {
    char *name, *figure;
    pk_unit_kind unit;
    pk_direction dir;
    pk__dash_point *pts;       /* oldest first */
    size_t n;
    pk_changepoint *cps;       /* change points of the values */
    size_t n_cps;
    double *latest, *base;     /* samples of the latest run and its baseline */
    size_t n_latest, n_base;
    int64_t base_run;          /* 0: none */
    char *folded, *base_folded;   /* stored CPU profiles (NULL: none) */
    size_t folded_len, base_folded_len;
} pk__dash_bench;

struct pk_dashboard {
    char *title, *stat, *branch_filter;
    pk__dash_bench *b;
    size_t n;
    char **branches, **machines;   /* distinct values of the points shown */
    size_t n_branches, n_machines;
    pk__dash_item *items;      /* the latest check's budget and regression items */
    size_t n_items;
    bool has_check;
    int64_t check_run;         /* the run the check judged (0: not stored) */
    char check_commit[41];
    bool check_failed;
    size_t n_runs;             /* runs in history */
};

/* Text as HTML (element content or a double-quoted attribute): & < > " '
 * escaped, bytes that are not printable UTF-8 (control characters, C1
 * controls, bidirectional overrides and isolates, invalid sequences:
 * overlong, surrogate, past U+10FFFF) written as U+FFFD. NULL writes
 * nothing. */
void pk__dash_esc(FILE *f, const char *s);

/* v in the unit: "12.41 ms", "64.0 MiB", "1.234 G". Returns buf. */
char *pk__dash_value(pk_unit_kind u, double v, char *buf, size_t len);

/* The trend chart of b (an <svg> element) and the distribution chart of its
 * latest run against its baseline (an <svg>, or a sentence without
 * samples); d's budget items on b's figure are drawn as lines on both. */
void pk__dash_trend(FILE *f, const pk_dashboard *d, const pk__dash_bench *b, size_t index);
void pk__dash_dist(FILE *f, const pk_dashboard *d, const pk__dash_bench *b, size_t index);

/* The flame graph of folded (base NULL) or the differential one (base →
 * folded) as <iframe src="data:image/svg+xml;base64,…">. Errors:
 * PK_ENOMEM, PK_EIO. Nothing is written when the profile does not parse. */
pk_err pk__dash_flame(FILE *f, const char *folded, size_t len, const char *base,
                      size_t base_len, const char *title);

#endif
