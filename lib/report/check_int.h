/* check_int.h — helpers shared by the perfkit-check writers (check_*.c).
 *
 * Module-private, like report_int.h: names carry the pk__report_check_
 * prefix. The writers only read a pk_check_report; these helpers give them
 * one vocabulary (labels, values, percent changes, counts) and one item
 * order (grouped by benchmark) so that text, Markdown and JUnit agree. */
#ifndef PERFKIT_CHECK_INT_H
#define PERFKIT_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "perfkit/check_write.h"
#include "report/report_int.h"

/* Machine name of a status, for JSON keys and ids: "pass", "over_budget",
 * "regressed", "improved", "inconclusive", "not_measurable", "no_baseline",
 * "error". Never NULL. */
const char *pk__report_check_status_id(pk_check_status s);

/* "budget", "regression", "size", "size_regression". Never NULL. */
const char *pk__report_check_kind_name(pk_check_kind k);

/* Whether an item with status s makes r fail: OVER_BUDGET, REGRESSED and
 * ERROR always, NOT_MEASURABLE and INCONCLUSIVE when r->strict. */
bool pk__report_check_fails(const pk_check_report *r, pk_check_status s);

/* Whether the item is about a file's size (a size budget or a size against
 * the baseline): grouped by file, "FILE (size)". */
bool pk__report_check_is_size(const pk_check_item *it);

/* Whether the item compares with a baseline (a regression or a size
 * regression item): baseline, change and p cells instead of a budget's. */
bool pk__report_check_is_change(const pk_check_item *it);

/* Whether the item compares a non-zero value with a baseline of 0: no
 * ratio exists, the writers say "was 0" (check.h). */
bool pk__report_check_was_zero(const pk_check_item *it);

/* Whether a report of two stored runs (r->compared_with) folds the item
 * away unless verbose: the figure did not change by the gate's rule (a
 * PASS). Always false for a gate report. */
bool pk__report_check_folded(const pk_check_report *r, const pk_check_item *it);

/* Whether the item has a current value to show: false for NOT_MEASURABLE
 * and ERROR items (shown as "—", never as 0). */
bool pk__report_check_has_current(const pk_check_item *it);

/* Whether a and b belong to the same group: the same benchmark name, and
 * both size items or both not (a file and a benchmark may share a name). */
bool pk__report_check_same_group(const pk_check_item *a, const pk_check_item *b);

/* Indices of r's items grouped by benchmark: groups in the order of their
 * first item, items in report order inside a group. On PK_OK *order (caller
 * frees with pk_free) holds r->n_items indices, NULL when there are none.
 * Errors: PK_ENOMEM (*order NULL). */
pk_err pk__report_check_order(const pk_check_report *r, size_t **order);

/* s safe for a terminal: control characters and the like as visible
 * escapes ("\x1b", termsafe.h), truncated to fit len before a character or
 * escape that does not fit. Returns buf. */
char *pk__report_check_clean(const char *s, char *buf, size_t len);

/* The item's row label: "wall.p95" (budget), "wall (median)" (regression),
 * "gzip" (size), "run" for an item without a figure (a benchmark error).
 * Cleaned as pk__report_check_clean. Returns buf. */
char *pk__report_check_label(const pk_check_item *it, char *buf, size_t len);

/* v formatted by unit kind: durations "12.41 ms", sizes "64.0 MiB", counts
 * "1.234 G", percent "5.0%"; "n/a" when v is not finite. Returns buf. */
char *pk__report_check_value(pk_unit_kind u, double v, char *buf, size_t len);

/* The tolerance a budget item's limit carries, recovered from limit_text:
 * limit / parse(limit_text) - 1 for a maximum, 1 - limit / parse(limit_text)
 * for a minimum. 0 when there is none or it is unknown. */
double pk__report_check_tolerance(const pk_check_item *it);

/* A ratio as a signed percent change: 1.204 → "+20.4%", 0.9 → "-10.0%",
 * ±inf → "+inf%"; "n/a" for NaN. Returns buf. */
char *pk__report_check_pct(double ratio, char *buf, size_t len);

/* "+20.4% [+18.1% … +22.9%]": the change and the CI of its ratio; the CI
 * is left out when a bound is not finite (a baseline with samples of 0) or
 * it is one point (exact counts and sizes). */
char *pk__report_check_change(const pk_comparison *c, char *buf, size_t len);

/* The change of a comparing item (pk__report_check_is_change) in words:
 * "+20.4% slower [+18.1% … +22.9%]", "+100.0% larger" — the word from the
 * figure table (pk_figure_change_word), only when the verdict is REGRESSED
 * or IMPROVED; "larger (was 0)" / "was 0" against a baseline of 0; "" when
 * there is nothing to compare. Returns buf. */
char *pk__report_check_change_item(const pk_check_item *it, char *buf, size_t len);

/* "(budget 50ms +10% tolerance)" / "(budget 64MiB)" for a maximum,
 * "(budget ≥ 1M -10% tolerance)" for a minimum; "" without limit_text. */
char *pk__report_check_budget(const pk_check_item *it, char *buf, size_t len);

/* The verdict's words for it: pk_check_status_name, except "below minimum"
 * for an OVER_BUDGET minimum. Never NULL. */
const char *pk__report_check_verdict(const pk_check_item *it);

/* How far an OVER_BUDGET item is outside its budget: "+11.3% over" (a
 * maximum), "-20.0% under" (a minimum); "" otherwise. Returns buf. */
char *pk__report_check_outside(const pk_check_item *it, char *buf, size_t len);

/* An item as the cells of one row of a table or one line of text:
 *   label   "wall.p95"                 value  "61.20 ms" ("—" when not measured)
 *   detail  "> 55.00 ms (budget 50ms +10% tolerance)" / "< 1.000 M (budget
 *           ≥ 1M)" / "vs 10.30 ms baseline (run #41)" / "no baseline"
 *   change  "+11.3% over" / "-20.0% under" / "+20.4% [+18.1% … +22.9%]"
 *   p       "p = 2e-06"
 * Cells that do not apply are "". Names are cleaned (pk__report_check_clean). */
typedef struct pk__report_check_row {
    char label[160], value[48], detail[320], change[96], p[40];
} pk__report_check_row;

void pk__report_check_cells(const pk_check_item *it, pk__report_check_row *w);

/* The counts of r, worst first, zero counts left out: "2 over budget,
 * 1 below minimum, 1 regressed, 14 passed" (OVER_BUDGET minima are "below
 * minimum"; a comparison of two runs says "unchanged" for passed); "no
 * checks: nothing was measured" for an empty report (which fails,
 * check.h). Returns buf. */
char *pk__report_check_counts(const pk_check_report *r, char *buf, size_t len);

/* The report's profiles (check_profiles.c): text and Markdown paragraphs
 * (nothing when there is none), and root.profiles = [...] (always present,
 * [] when none; nonzero on ENOMEM). */
void pk__report_profiles_text(FILE *f, const pk_check_report *r);
void pk__report_profiles_markdown(FILE *f, const pk_check_report *r);
int pk__report_profiles_json(json_t *root, const pk_check_report *r);

/* The first 10 hex digits of a commit ("" stays ""). Returns buf. */
char *pk__report_check_short_commit(const char *commit, char *buf, size_t len);

#endif
