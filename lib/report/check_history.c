/* check_history.c — `perfkit history` written out: the terminal view and
 * JSON ("perfkit/history/v1"), behind pk_check_history_write's table.
 *
 *   every benchmark:  sort-qsort        wall       45.11 ms ▁█  (2 runs)
 *   one benchmark:    sort-radix — wall (median), 2 runs
 *                       ▁█
 *                       run    date (UTC)       commit    branch    median  change
 *                       #1     2026-11-22 06:08 f64e500*  main    5.519 ms
 *                       #2     2026-11-22 06:08 f64e500*  main    5.592 ms  +1.3%
 *
 * The sparkline scales the shown values between their minimum and maximum
 * onto eight Unicode blocks (a flat series sits in the middle). With change
 * points (--changes) a `|` stands between the last bar before a shift and
 * the first after it, and one benchmark lists them under its table:
 *
 *     ▁▁▂▁|▆▇▆▇
 *   changes (E-Divisive, alpha 0.01):
 *     +7.1% at run #42 (abc1234..def5678), p=0.005  slower
 *
 * Changes and their marks come from lib/check (pk_check_history_row,
 * pk_check_history_change); nothing is decided here. Names, figures,
 * branches and commits come from the history, that is from anyone's
 * config, repository or import: the terminal view shows them through
 * pk_termsafe (termsafe.h), cut to their column at a character boundary. */
#include "report/check_int.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "perfkit/termsafe.h"
#include "perfkit/units.h"

/* Unicode block sparkline of the rows' values into buf. */
static void sparkline(const pk_check_history_series *s, char *buf, size_t len)
{
    static const char *const bars[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                       "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                       "\xe2\x96\x87", "\xe2\x96\x88"};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        lo = fmin(lo, s->rows[i].point.value);
        hi = fmax(hi, s->rows[i].point.value);
    }
    size_t used = 0, c = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n && used + 5 < len; i++) {
        if (c < s->n_changes && s->changes[c].row == i) {
            buf[used++] = '|';
            c++;
        }
        int k = hi > lo ? (int)((s->rows[i].point.value - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        memcpy(buf + used, bars[k], 3);
        used += 3;
        buf[used] = '\0';
    }
}

/* s made terminal-safe, all of it, padded with blanks to width bytes (as
 * "%-*s" pads). */
static void put_safe(FILE *f, const char *s, size_t width)
{
    pk_termsafe_fputs(s, f);
    for (size_t n = pk_termsafe_size(s) - 1; n < width; n++)
        fputc(' ', f);
}

static void text_all(FILE *f, const pk_check_history *h)
{
    if (!h->n)
        fputs("history is empty: run `perfkit check` to record runs\n", f);
    for (size_t i = 0; i < h->n; i++) {
        const pk_check_history_series *s = &h->series[i];
        char val[32], spark[256];
        pk__report_check_value(s->unit, s->rows[s->n - 1].point.value, val, sizeof val);
        sparkline(s, spark, sizeof spark);
        put_safe(f, s->benchmark, 32);
        fputc(' ', f);
        put_safe(f, s->figure, 12);
        fprintf(f, " %10s %s  (%zu run%s", val, spark, s->n, s->n == 1 ? "" : "s");
        if (h->changes)
            fprintf(f, ", %zu change%s", s->n_changes, s->n_changes == 1 ? "" : "s");
        fputs(")\n", f);
    }
}

/* With color, a marked change is red (slower) or green (faster), as in
 * perfkit check's table. */
static void text_row(FILE *f, const pk_check_history_series *s, const pk_check_history_row *r,
                     bool color)
{
    const pk_history_point *p = &r->point;
    char date[32], val[32], change[48] = "";
    time_t t = (time_t)(p->started_unix_ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    pk__report_check_value(s->unit, p->value, val, sizeof val);
    if (!isnan(r->change)) {
        const char *mark = r->mark == PK_VERDICT_SLOWER   ? "  \xe2\x96\xb2 slower"
                           : r->mark == PK_VERDICT_FASTER ? "  \xe2\x96\xbc faster"
                                                          : "";
        const char *on = !color || !mark[0]                ? ""
                         : r->mark == PK_VERDICT_SLOWER ? "\033[31m"
                                                        : "\033[32m";
        snprintf(change, sizeof change, "%s%+.1f%%%s%s", on, r->change * 100.0, mark,
                 on[0] ? "\033[0m" : "");
    }
    char commit[16], hash[8], branch[17];
    snprintf(commit, sizeof commit, "%s%s", p->commit[0] ? pk_termsafe(p->commit, hash, sizeof hash)
                                                         : "-",
             p->dirty ? "*" : "");
    fprintf(f, "  #%-5lld %-16s %-9s %-16s %12s  %s\n", (long long)p->run_id, date, commit,
            p->branch[0] ? pk_termsafe(p->branch, branch, sizeof branch) : "-", val, change);
}

/* "+7.1% at run #42 (abc1234..def5678), p=0.005  slower" per change. */
static void text_changes(FILE *f, const pk_check_history_series *s)
{
    if (!s->n_changes) {
        fputs("\n  no change points (E-Divisive, alpha 0.01)\n", f);
        return;
    }
    fputs("\n  changes (E-Divisive, alpha 0.01):\n", f);
    for (size_t i = 0; i < s->n_changes; i++) {
        const pk_check_history_change *c = &s->changes[i];
        char mag[32], before[32], after[32], at[8], prev[8];
        if (isnan(c->magnitude))
            snprintf(mag, sizeof mag, "n/a");
        else
            snprintf(mag, sizeof mag, "%+.1f%%", c->magnitude * 100.0);
        pk__report_check_value(s->unit, c->before, before, sizeof before);
        pk__report_check_value(s->unit, c->after, after, sizeof after);
        fprintf(f, "    %s at run #%lld (%s..%s), p=%.3g  %s \xe2\x86\x92 %s  %s\n", mag,
                (long long)c->run_at,
                c->commit_before[0] ? pk_termsafe(c->commit_before, prev, sizeof prev) : "-",
                c->commit_at[0] ? pk_termsafe(c->commit_at, at, sizeof at) : "-", c->p_value,
                before, after,
                c->mark == PK_VERDICT_SLOWER ? "slower" : "faster");
    }
}

static void text_one(FILE *f, const pk_check_history *h, bool color)
{
    const pk_check_history_series *s = &h->series[0];
    char spark[512], stat[64];
    sparkline(s, spark, sizeof spark);
    pk_termsafe(h->stat, stat, sizeof stat);
    put_safe(f, s->benchmark, 0);
    fputs(" \xe2\x80\x94 ", f);
    put_safe(f, s->figure, 0);
    fprintf(f, " (%s), %zu run%s\n  %s\n\n", stat, s->n, s->n == 1 ? "" : "s", spark);
    fprintf(f, "  %-6s %-16s %-9s %-16s %12s  %s\n", "run", "date (UTC)", "commit", "branch",
            stat, "change");
    for (size_t i = 0; i < s->n; i++)
        text_row(f, s, &s->rows[i], color);
    if (h->changes)
        text_changes(f, s);
}

static pk_err text(FILE *f, const pk_check_history *h, bool color)
{
    if (h->single)
        text_one(f, h, color);
    else
        text_all(f, h);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}

static json_t *json_point(const pk_history_point *p)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "run", json_integer(p->run_id)) ||
        pk__report_json_set(j, "started_unix_ns", json_integer(p->started_unix_ns)) ||
        pk__report_json_set(j, "commit", pk__report_json_str(p->commit)) ||
        pk__report_json_set(j, "branch", pk__report_json_str(p->branch)) ||
        pk__report_json_set(j, "dirty", json_boolean(p->dirty)) ||
        pk__report_json_set(j, "value", pk__report_json_real(p->value)) ||
        pk__report_json_set(j, "n", json_integer((json_int_t)p->n))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *json_change(const pk_check_history_change *c)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "index", json_integer((json_int_t)c->row)) ||
        pk__report_json_set(j, "run", json_integer(c->run_at)) ||
        pk__report_json_set(j, "run_before", json_integer(c->run_before)) ||
        pk__report_json_set(j, "commit", pk__report_json_str(c->commit_at)) ||
        pk__report_json_set(j, "commit_before", pk__report_json_str(c->commit_before)) ||
        pk__report_json_set(j, "before", pk__report_json_real(c->before)) ||
        pk__report_json_set(j, "after", pk__report_json_real(c->after)) ||
        pk__report_json_set(j, "magnitude", pk__report_json_real(c->magnitude)) ||
        pk__report_json_set(j, "p", pk__report_json_real(c->p_value)) ||
        pk__report_json_set(j, "direction", json_string(c->mark == PK_VERDICT_SLOWER
                                                             ? "worse"
                                                             : "better"))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* With change points sought: j.changes = [{index, run, run_before, commit,
 * commit_before, before, after, magnitude, p, direction}]. Nonzero on
 * failure. */
static int json_changes(json_t *j, const pk_check_history *h, const pk_check_history_series *s)
{
    if (!h->changes)
        return 0;
    json_t *arr = json_array();
    int bad = !arr || pk__report_json_set(j, "changes", arr);
    for (size_t i = 0; !bad && i < s->n_changes; i++)
        bad = pk__report_json_push(arr, json_change(&s->changes[i]));
    return bad;
}

/* {name, figure, stat, runs, latest} of one series. */
static json_t *json_summary(const pk_check_history *h, const pk_check_history_series *s)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "name", pk__report_json_str(s->benchmark)) ||
        pk__report_json_set(j, "figure", pk__report_json_str(s->figure)) ||
        pk__report_json_set(j, "stat", pk__report_json_str(h->stat)) ||
        pk__report_json_set(j, "runs", json_integer((json_int_t)s->n)) ||
        pk__report_json_set(j, "latest", pk__report_json_real(s->rows[s->n - 1].point.value)) ||
        json_changes(j, h, s)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Every benchmark: {schema, benchmarks[{name, figure, stat, runs, latest}]}.
 * Containers go into the root as soon as they exist, so a failure releases
 * only the root. */
static pk_err json_all(FILE *f, const pk_check_history *h)
{
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr || pk__report_json_set(root, "schema", json_string("perfkit/history/v1"))) {
        json_decref(root);
        json_decref(arr);
        return PK_ENOMEM;
    }
    int bad = pk__report_json_set(root, "benchmarks", arr);
    for (size_t i = 0; !bad && i < h->n; i++)
        bad = pk__report_json_push(arr, json_summary(h, &h->series[i]));
    if (bad) {
        json_decref(root);
        return PK_ENOMEM;
    }
    return pk__report_json_dump(f, root);
}

/* One benchmark: {schema, benchmark, figure, stat, points[{run,
 * started_unix_ns, commit, branch, dirty, value, n}]}, and changes[] with
 * change points sought. */
static pk_err json_one(FILE *f, const pk_check_history *h)
{
    const pk_check_history_series *s = &h->series[0];
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr || pk__report_json_set(root, "schema", json_string("perfkit/history/v1")) ||
        pk__report_json_set(root, "benchmark", pk__report_json_str(s->benchmark)) ||
        pk__report_json_set(root, "figure", pk__report_json_str(s->figure)) ||
        pk__report_json_set(root, "stat", pk__report_json_str(h->stat))) {
        json_decref(root);
        json_decref(arr);
        return PK_ENOMEM;
    }
    int bad = pk__report_json_set(root, "points", arr);
    for (size_t i = 0; !bad && i < s->n; i++)
        bad = pk__report_json_push(arr, json_point(&s->rows[i].point));
    if (!bad)
        bad = json_changes(root, h, s);
    if (bad) {
        json_decref(root);
        return PK_ENOMEM;
    }
    return pk__report_json_dump(f, root);
}

static pk_err json(FILE *f, const pk_check_history *h, bool color)
{
    (void)color;
    return h->single ? json_one(f, h) : json_all(f, h);
}

typedef pk_err (*history_writer)(FILE *f, const pk_check_history *h, bool color);

static const history_writer writers[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = text,
    [PK_FORMAT_JSON] = json,
};

pk_err pk_check_history_write(FILE *f, const pk_check_history *h, pk_format fmt,
                              const pk_write_opts *o)
{
    if ((unsigned)fmt >= PK_FORMAT_COUNT || !writers[fmt])
        return PK_ENOTSUP;
    if (!f || !h || (h->n && !h->series) || (h->single && h->n != 1))
        return PK_EINVAL;
    return writers[fmt](f, h, o && o->color);
}
