/* check_common.c — what the perfkit-check writers share.
 *
 * The item order (grouped by benchmark, in one counting sort over group ids
 * assigned in a single pass through a hash of benchmark names), row labels, values formatted by unit kind,
 * percent changes with the CI of their ratio, the budget as written (with
 * the tolerance recovered from the effective limit; "≥" before a minimum)
 * and the counts line, where a failed minimum counts as "below minimum".
 * Everything formats into caller buffers; only the order allocates. */
#include "report/check_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/hash.h"
#include "perfkit/alloc.h"
#include "perfkit/figure.h"
#include "perfkit/termsafe.h"
#include "perfkit/units.h"

bool pk__report_check_has_current(const pk_check_item *it)
{
    return it->status != PK_CHECK_NOT_MEASURABLE && it->status != PK_CHECK_ERROR;
}

bool pk__report_check_is_size(const pk_check_item *it)
{
    return it->kind == PK_ITEM_SIZE || it->kind == PK_ITEM_SIZE_REGRESSION;
}

bool pk__report_check_is_change(const pk_check_item *it)
{
    return it->kind == PK_ITEM_REGRESSION || it->kind == PK_ITEM_SIZE_REGRESSION;
}

bool pk__report_check_was_zero(const pk_check_item *it)
{
    return pk__report_check_is_change(it) && !it->has_cmp && it->n_baseline > 0 &&
           it->baseline == 0 && it->current != 0 && pk__report_check_has_current(it);
}

bool pk__report_check_folded(const pk_check_report *r, const pk_check_item *it)
{
    return r->compared_with != 0 && it->status == PK_CHECK_PASS;
}

bool pk__report_check_same_group(const pk_check_item *a, const pk_check_item *b)
{
    const char *x = a->benchmark ? a->benchmark : "", *y = b->benchmark ? b->benchmark : "";
    return pk__report_check_is_size(a) == pk__report_check_is_size(b) && strcmp(x, y) == 0;
}

pk_err pk__report_check_order(const pk_check_report *r, size_t **order)
{
    size_t n = r->n_items;
    *order = NULL;
    if (n == 0)
        return PK_OK;
    /* one block: order[n] | gid[n] | start[n] (per-group offsets) */
    size_t *ord = pk_reallocarray(NULL, n, 3 * sizeof *ord);
    if (!ord)
        return PK_ENOMEM;
    size_t *gid = ord + n, ng = 0;
    /* group ids by benchmark name, one table for size items and one for the
     * rest (pk__report_check_same_group): linear in the items */
    pk__hash groups[2] = {{0}, {0}};
    pk_err e = PK_OK;
    for (size_t i = 0; i < n && e == PK_OK; i++) {
        const pk_check_item *it = &r->items[i];
        size_t g = ng;
        /* items of one benchmark usually come together: try the last first */
        if (i > 0 && pk__report_check_same_group(&r->items[i - 1], it)) {
            g = gid[i - 1];
        } else {
            pk__hash *h = &groups[pk__report_check_is_size(it)];
            const char *name = it->benchmark ? it->benchmark : "";
            if (!pk__hash_get(h, name, strlen(name), &g) &&
                (e = pk__hash_put(h, name, strlen(name), ng)) == PK_OK)
                g = ng++;
        }
        gid[i] = g;
    }
    pk__hash_free(&groups[0]);
    pk__hash_free(&groups[1]);
    if (e != PK_OK) {
        pk_free(ord);
        return e;
    }
    size_t *start = ord + 2 * n;
    memset(start, 0, ng * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[gid[i]]++;
    for (size_t k = 0, sum = 0; k < ng; k++) {
        size_t c = start[k];
        start[k] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        ord[start[gid[i]]++] = i;
    *order = ord;
    return PK_OK;
}

char *pk__report_check_clean(const char *s, char *buf, size_t len)
{
    return pk_termsafe(s, buf, len);
}

char *pk__report_check_label(const pk_check_item *it, char *buf, size_t len)
{
    char raw[512];
    const char *fig = it->figure ? it->figure : "", *stat = it->stat ? it->stat : "";
    if (!*fig)
        snprintf(raw, sizeof raw, "run");
    else if (pk__report_check_is_size(it) || !*stat)
        snprintf(raw, sizeof raw, "%s", fig);
    else if (it->kind == PK_ITEM_REGRESSION)
        snprintf(raw, sizeof raw, "%s (%s)", fig, stat);
    else
        snprintf(raw, sizeof raw, "%s.%s", fig, stat);
    return pk__report_check_clean(raw, buf, len);
}

char *pk__report_check_value(pk_unit_kind u, double v, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    switch (u) {
    case PK_UNIT_DURATION: return pk_units_format_duration(v, 0, buf, len);
    case PK_UNIT_SIZE:     return pk_units_format_size(v, buf, len);
    case PK_UNIT_COUNT:    return pk_units_format_count(v, buf, len);
    case PK_UNIT_PERCENT:  break;
    }
    snprintf(buf, len, "%.1f%%", v * 100);
    return buf;
}

double pk__report_check_tolerance(const pk_check_item *it)
{
    double written = 0;
    if (it->kind != PK_ITEM_BUDGET || !it->limit_text ||
        pk_units_parse(it->limit_text, it->unit, &written, NULL) != PK_OK || !(written > 0))
        return 0;
    double t = it->bound == PK_BOUND_MIN ? 1 - it->limit / written : it->limit / written - 1;
    return isfinite(t) && fabs(t) > 1e-9 ? t : 0;
}

char *pk__report_check_pct(double ratio, char *buf, size_t len)
{
    if (isnan(ratio)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    if (isinf(ratio)) {
        snprintf(buf, len, "%sinf%%", ratio > 0 ? "+" : "-");
        return buf;
    }
    double p = (ratio - 1) * 100;
    if (fabs(p) < 0.05)
        p = 0;   /* no "-0.0%" */
    snprintf(buf, len, "%+.1f%%", p);
    return buf;
}

/* "+20.4%" then " slower" when word is not empty, then the CI when finite. */
static char *change_words(const pk_comparison *c, const char *word, char *buf, size_t len)
{
    char a[32], lo[32], hi[32];
    pk__report_check_pct(c->ratio, a, sizeof a);
    if (!isfinite(c->ratio_ci.lo) || !isfinite(c->ratio_ci.hi) ||
        c->ratio_ci.lo == c->ratio_ci.hi)   /* none, or exact: nothing to add */
        snprintf(buf, len, "%s%s%s", a, *word ? " " : "", word);
    else
        snprintf(buf, len, "%s%s%s [%s \xe2\x80\xa6 %s]", a, *word ? " " : "", word,
                 pk__report_check_pct(c->ratio_ci.lo, lo, sizeof lo),
                 pk__report_check_pct(c->ratio_ci.hi, hi, sizeof hi));
    return buf;
}

char *pk__report_check_change(const pk_comparison *c, char *buf, size_t len)
{
    return change_words(c, "", buf, len);
}

char *pk__report_check_change_item(const pk_check_item *it, char *buf, size_t len)
{
    bool moved = it->status == PK_CHECK_REGRESSED || it->status == PK_CHECK_IMPROVED;
    const char *word = moved ? pk_figure_change_word(it->figure, it->cmp.verdict) : "";
    if (pk__report_check_was_zero(it))
        snprintf(buf, len, *word ? "%s (was 0)" : "%swas 0", word);
    else if (it->has_cmp && pk__report_check_is_change(it))
        change_words(&it->cmp, word, buf, len);
    else
        snprintf(buf, len, "%s", "");
    return buf;
}

#define LE "\xe2\x89\xa4"     /* ≤ */
#define GE "\xe2\x89\xa5"     /* ≥ */
#define DASH "\xe2\x80\x94"   /* — */

char *pk__report_check_budget(const pk_check_item *it, char *buf, size_t len)
{
    char text[128];
    if (!it->limit_text) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    pk__report_check_clean(it->limit_text, text, sizeof text);
    double t = pk__report_check_tolerance(it);
    const char *op = it->bound == PK_BOUND_MIN ? GE " " : "";
    if (t != 0)   /* the limit moves in the lenient direction: down for a minimum */
        snprintf(buf, len, "(budget %s%s %+.3g%% tolerance)", op, text,
                 it->bound == PK_BOUND_MIN ? -t * 100 : t * 100);
    else
        snprintf(buf, len, "(budget %s%s)", op, text);
    return buf;
}

const char *pk__report_check_verdict(const pk_check_item *it)
{
    if (it->status == PK_CHECK_OVER_BUDGET && it->bound == PK_BOUND_MIN)
        return "below minimum";
    return pk_check_status_name(it->status);
}

char *pk__report_check_outside(const pk_check_item *it, char *buf, size_t len)
{
    char pct[32];
    if (it->status != PK_CHECK_OVER_BUDGET || !(it->limit > 0)) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    snprintf(buf, len, "%s %s", pk__report_check_pct(it->current / it->limit, pct, sizeof pct),
             it->bound == PK_BOUND_MIN ? "under" : "over");
    return buf;
}

static void budget_cells(const pk_check_item *it, pk__report_check_row *w)
{
    char lim[48], bud[200];
    pk__report_check_budget(it, bud, sizeof bud);
    if (it->status == PK_CHECK_ERROR)
        return;
    if (!pk__report_check_has_current(it)) {
        snprintf(w->detail, sizeof w->detail, "%s", bud);
        return;
    }
    /* how the value stands against the limit: "≤ 55 ms" / "> 55 ms" for a
     * maximum, "≥ 1 M" / "< 1 M" for a minimum */
    bool broken = it->status == PK_CHECK_OVER_BUDGET, min = it->bound == PK_BOUND_MIN;
    const char *rel = min ? (broken ? "<" : GE) : (broken ? ">" : LE);
    snprintf(w->detail, sizeof w->detail, "%s %s%s%s", rel,
             pk__report_check_value(it->unit, it->limit, lim, sizeof lim), *bud ? " " : "",
             bud);
    pk__report_check_outside(it, w->change, sizeof w->change);
}

static void regression_cells(const pk_check_item *it, pk__report_check_row *w)
{
    char base[48];
    if (it->status == PK_CHECK_NO_BASELINE) {
        w->detail[0] = '\0';   /* the verdict column already says it */
    } else if (it->n_baseline > 0 || it->has_cmp) {
        int n = snprintf(w->detail, sizeof w->detail, "vs %s %s",
                         pk__report_check_value(it->unit, it->baseline, base, sizeof base),
                         it->mode == PK_CHECK_MODE_PAIRED ? "paired base" : "baseline");
        if (it->baseline_run > 0 && n > 0 && (size_t)n < sizeof w->detail)
            snprintf(w->detail + n, sizeof w->detail - (size_t)n, " (run #%" PRId64 "%s)",
                     it->baseline_run, it->pinned ? ", pinned" : "");
        else if (it->mode == PK_CHECK_MODE_HISTORY && it->n_runs > 0 && n > 0 &&
                 (size_t)n < sizeof w->detail)   /* the centre of a window */
            snprintf(w->detail + n, sizeof w->detail - (size_t)n, " (median of %zu run%s)",
                     it->n_runs, it->n_runs == 1 ? "" : "s");
    }
    pk__report_check_change_item(it, w->change, sizeof w->change);
    if (it->has_cmp)
        snprintf(w->p, sizeof w->p, "p = %.2g", it->cmp.p_value);
}

void pk__report_check_cells(const pk_check_item *it, pk__report_check_row *w)
{
    memset(w, 0, sizeof *w);
    pk__report_check_label(it, w->label, sizeof w->label);
    if (pk__report_check_has_current(it))
        pk__report_check_value(it->unit, it->current, w->value, sizeof w->value);
    else
        snprintf(w->value, sizeof w->value, DASH);
    if (pk__report_check_is_change(it))
        regression_cells(it, w);
    else
        budget_cells(it, w);
}

char *pk__report_check_counts(const pk_check_report *r, char *buf, size_t len)
{
    /* OVER_BUDGET items are said in two parts: maxima "over budget", minima
     * "below minimum" (min: 1 counts the minima, 0 the rest, -1 all) */
    static const struct {
        pk_check_status s;
        int min;
        const char *one, *many;
    } words[] = {
        {PK_CHECK_OVER_BUDGET, 0, "over budget", "over budget"},
        {PK_CHECK_OVER_BUDGET, 1, "below minimum", "below minimum"},
        {PK_CHECK_REGRESSED, -1, "regressed", "regressed"},
        {PK_CHECK_ERROR, -1, "error", "errors"},
        {PK_CHECK_INCONCLUSIVE, -1, "inconclusive", "inconclusive"},
        {PK_CHECK_NOT_MEASURABLE, -1, "not measurable", "not measurable"},
        {PK_CHECK_NO_BASELINE, -1, "no baseline", "no baseline"},
        {PK_CHECK_IMPROVED, -1, "improved", "improved"},
        {PK_CHECK_PASS, -1, "passed", "passed"},
    };
    bool cmp = r->compared_with != 0;   /* two runs: a pass is a figure that did not change */
    size_t o = 0, below = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_items; i++)
        below += r->items[i].status == PK_CHECK_OVER_BUDGET && r->items[i].bound == PK_BOUND_MIN;
    if (below > r->count[PK_CHECK_OVER_BUDGET])
        below = r->count[PK_CHECK_OVER_BUDGET];   /* a report built by hand */
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t n = r->count[words[k].s];
        if (words[k].min >= 0)
            n = words[k].min ? below : n - below;
        if (n == 0 || o >= len)
            continue;
        const char *word = cmp && words[k].s == PK_CHECK_PASS ? "unchanged"
                           : n == 1 ? words[k].one : words[k].many;
        int w = snprintf(buf + o, len - o, "%s%zu %s", o ? ", " : "", n, word);
        if (w > 0)
            o += (size_t)w;
    }
    if (buf[0] == '\0')
        snprintf(buf, len, "no checks: nothing was measured");
    return buf;
}

char *pk__report_check_short_commit(const char *commit, char *buf, size_t len)
{
    snprintf(buf, len, "%.10s", commit ? commit : "");
    return buf;
}
