/* perfkit/figure.h — the one table of figures: what each measured quantity
 * is and how it is judged. Every module that needs to know whether a figure
 * is a duration, whether higher is better, or whether it is exact asks here;
 * nothing else spells these rules.
 *
 *   name            kind      direction  deterministic  default test   threshold
 *   wall user sys   duration  lower      no             mann-whitney   5%
 *   task-clock      duration  lower      no             mann-whitney   5%
 *   real_time       duration  lower      no             mann-whitney   5%
 *   cpu_time        duration  lower      no             mann-whitney   5%
 *   rss             size      lower      no             mann-whitney   5%
 *   instructions    count     lower      yes            exact          0
 *   *_per_second    count     higher     no             mann-whitney   5%
 *   (any other)     count     lower      no             mann-whitney   5%
 *
 * "*_per_second" covers Google Benchmark's rates (items_per_second,
 * bytes_per_second) and user counters declared as rates; names ending in
 * "/s" are rates too. Deterministic figures are exact counts: any change is
 * real, so they are compared with PK_TEST_EXACT and a 0 threshold unless a
 * policy says otherwise. PK_DEFAULT_THRESHOLD is the single default
 * threshold of every noisy figure, for `perfkit bench` and `perfkit check`.
 *
 * Thread-safety: the table is constant; every function is safe. */
#ifndef PERFKIT_FIGURE_H
#define PERFKIT_FIGURE_H

#include <stdbool.h>
#include "perfkit/api.h"
#include "perfkit/stats.h"
#include "perfkit/units.h"

PK_BEGIN_DECLS

/* The smallest relative change that counts for a noisy figure: 5%. */
#define PK_DEFAULT_THRESHOLD 0.05

typedef enum pk_direction {
    PK_LOWER_IS_BETTER = 0,   /* times, sizes, counts of work */
    PK_HIGHER_IS_BETTER = 1,  /* rates: items_per_second, bytes_per_second */
} pk_direction;

typedef struct pk_figure_info {
    const char *name;          /* the figure's name; for a figure not in the
                                  table, the name asked for */
    pk_unit_kind kind;         /* PK_UNIT_DURATION (ns), PK_UNIT_SIZE (bytes),
                                  PK_UNIT_COUNT */
    pk_direction direction;
    bool deterministic;        /* an exact count: any change is real */
    pk_test_method method;     /* default comparison */
    double threshold;          /* default threshold (fraction) */
} pk_figure_info;

/* What the table says of figure (NULL reads as a plain count). Never fails:
 * a name not in the table gets the row of its pattern (a rate, or a plain
 * count). out->name borrows figure. */
void pk_figure_lookup(const char *figure, pk_figure_info *out);

/* Shorthands of pk_figure_lookup. */
pk_unit_kind pk_figure_kind(const char *figure);
pk_direction pk_figure_direction(const char *figure);
bool         pk_figure_deterministic(const char *figure);

/* The names of the figures perfkit itself measures, for "did you mean"
 * suggestions; *n receives the count. Borrowed, static. */
const char *const *pk_figure_names(size_t *n);

PK_END_DECLS
#endif
