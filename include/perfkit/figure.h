/* perfkit/figure.h — the one table of figures: what each measured quantity
 * is and how it is judged. Every module that needs to know whether a figure
 * is a duration, whether higher is better, or whether it is exact asks here;
 * nothing else spells these rules.
 *
 *   name              kind      direction  deterministic  default test   threshold (paired)
 *   wall user sys     duration  lower      no             mann-whitney   5% (2%)
 *   task-clock        duration  lower      no             mann-whitney   5% (2%)
 *   real_time         duration  lower      no             mann-whitney   5% (2%)
 *   cpu_time          duration  lower      no             mann-whitney   5% (2%)
 *   rss               size      lower      no             mann-whitney   5% (2%)
 *   instructions      count     lower      yes            exact          0  (0.01%)
 *   items_per_second  count     higher     no             mann-whitney   5% (2%)
 *   bytes_per_second  count     higher     no             mann-whitney   5% (2%)
 *   iterations        count     higher     no             mann-whitney   5% (2%)
 *   raw gzip          size      lower      yes            exact          0  (0.01%)
 *   brotli zstd       (a file's size, `perfkit size` and size budgets)
 *   heap.peak         size      lower      yes            exact          0  (0.01%)
 *   heap.leaked       (`measure: heap`: the heap's peak and what was still
 *   allocs.bytes       allocated at exit, bytes and count of allocations —
 *   allocs.count       exact for a deterministic program; allocs.count is
 *                      a count, the others sizes)
 *   (a rate: a name count     higher     no             mann-whitney   5% (2%)
 *    ending in "_per_second" or "/s")
 *   (any other)       count     lower      no             mann-whitney   5% (2%)
 *
 * Direction: lower-is-better figures (times, sizes, counts of work) get
 * worse when they grow; higher-is-better figures (rates: Google Benchmark's
 * items_per_second and bytes_per_second, user counters declared as rates,
 * any name ending in "_per_second" or "/s"; and Google Benchmark's
 * iterations, which grow when each iteration gets faster because the
 * library fills a fixed time) get worse when they shrink. A regression is a
 * change for the worse (pk_figure_change); a budget on a higher-is-better
 * figure is a minimum unless written as "<= LIMIT" (config.h).
 *
 * Defaults: deterministic figures are exact counts, so any change is real:
 * they are compared with PK_TEST_EXACT and a 0 threshold. Every noisy figure
 * has the one default threshold PK_DEFAULT_THRESHOLD (5%, stats.h), in
 * `perfkit bench` and `perfkit check` alike — except the paired mode of
 * `perfkit check --pair`, where drift between invocations cancels and the
 * default is PK_DEFAULT_PAIRED_THRESHOLD (2%; 0.01% for an exact count,
 * PK_DEFAULT_PAIRED_EXACT_THRESHOLD: start-up in two directories may differ
 * by a few instructions). A threshold a caller or a
 * policy sets overrides the table; PK_THRESHOLD_AUTO asks for it.
 *
 * Thread-safety: the table is constant; every function is safe. */
#ifndef PERFKIT_FIGURE_H
#define PERFKIT_FIGURE_H

#include <stdbool.h>
#include "perfkit/api.h"
#include "perfkit/stats.h"
#include "perfkit/units.h"

PK_BEGIN_DECLS

/* A threshold left to the table: pk_figure_compare_opts() replaces it with
 * the figure's default (PK_DEFAULT_THRESHOLD, or 0 for a deterministic
 * figure). The default of pk_policy.threshold and of the bench report's
 * compare.threshold. */
#define PK_THRESHOLD_AUTO (-1.0)

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
    double paired_threshold;   /* default threshold in paired mode */
} pk_figure_info;

/* What the table says of figure (NULL reads as a plain count). Never fails:
 * a name not in the table gets the row of its pattern (a rate, or a plain
 * count). out->name borrows figure. */
void pk_figure_lookup(const char *figure, pk_figure_info *out);

/* Shorthands of pk_figure_lookup. */
pk_unit_kind pk_figure_kind(const char *figure);
pk_direction pk_figure_direction(const char *figure);
bool         pk_figure_deterministic(const char *figure);

/* The comparison figure is judged with, from the options a caller asked
 * for (o is read and rewritten in place):
 *   - threshold PK_THRESHOLD_AUTO becomes the figure's default threshold;
 *     any other value is kept (a policy or --threshold overrides the table);
 *   - a deterministic figure asked for PK_TEST_MANN_WHITNEY (the default)
 *     is compared with PK_TEST_EXACT: 3 runs of an exact count can never
 *     reach p < 0.05 under a rank test, and their ranges answer exactly.
 *     PK_TEST_WELCH and PK_TEST_EXACT are kept.
 * alpha and the bootstrap options are left alone. o NULL is a no-op. */
void pk_figure_compare_opts(const char *figure, pk_compare_opts *o);

/* The same for paired mode: threshold PK_THRESHOLD_AUTO becomes the
 * figure's paired_threshold. */
void pk_figure_paired_compare_opts(const char *figure, pk_compare_opts *o);

/* What a comparison verdict means for figure. pk_stats_compare says only
 * whether the candidate is smaller (PK_VERDICT_FASTER) or larger
 * (PK_VERDICT_SLOWER) than the baseline; the figure's direction says which
 * of the two is better. */
typedef enum pk_change {
    PK_CHANGE_NONE = 0,    /* PK_VERDICT_SAME */
    PK_CHANGE_BETTER = 1,  /* smaller time, larger rate */
    PK_CHANGE_WORSE = 2,   /* larger time, smaller rate: a regression */
} pk_change;

pk_change pk_figure_change(const char *figure, pk_verdict v);

/* The word for how figure moved, for people: v is pk_stats_compare's
 * verdict (PK_VERDICT_SLOWER: the value grew, FASTER: it shrank), the word
 * follows the figure's kind and direction —
 *   durations                 "slower" / "faster"
 *   sizes (rss, raw, gzip...) "larger" / "smaller"
 *   rates (higher is better)  "faster" / "slower"   (more per second is faster)
 *   other counts              "more"   / "fewer"    (instructions, page faults)
 * "" for PK_VERDICT_SAME. Whether the move is a regression is
 * pk_figure_change's answer; this is only its name, the one every writer
 * prints. Static, never NULL. */
const char *pk_figure_change_word(const char *figure, pk_verdict v);

/* The names of the figures in the table, for "did you mean" suggestions; *n
 * receives the count. Borrowed, static. */
const char *const *pk_figure_names(size_t *n);

PK_END_DECLS
#endif
