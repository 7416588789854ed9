/* history.c — `perfkit history`: how a benchmark moved over time.
 *
 * Without a name: every benchmark in history with its latest value and a
 * sparkline of its recent runs. With a name: one line per run with the
 * commit, branch, value and the change from the run before, marked when it
 * exceeds --threshold. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit history [options] [BENCHMARK]\n"
"\n"
"Show the runs in history: every benchmark with a sparkline, or one\n"
"benchmark run by run with the change from the run before.\n"
"\n"
"Options:\n"
"      --figure NAME     figure to show (default: the benchmark's primary figure:\n"
"                        wall, instructions, real_time, ...)\n"
"      --stat NAME       statistic per run: median (default), mean, min, max, p95 ...\n"
"  -n, --limit N         the last N runs (default 30; 0 = all)\n"
"      --threshold PCT   mark changes larger than this (default 5%%)\n"
"      --db PATH         history database (default: from ./perfkit.yml, else\n"
"                        .perfkit/history.db)\n"
"      --config FILE     take the history path from this perfkit.yml\n"
"      --json            perfkit/history/v1 JSON\n"
"  -h, --help            this help\n";

enum { OPT_FIGURE = 256, OPT_STAT, OPT_THRESHOLD, OPT_DB, OPT_CONFIG, OPT_JSON };

static const struct option longopts[] = {
    {"figure", required_argument, NULL, OPT_FIGURE},
    {"stat", required_argument, NULL, OPT_STAT},
    {"limit", required_argument, NULL, 'n'},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "history";

typedef struct hist_args {
    const char *name, *figure, *stat, *db, *config;
    size_t limit;
    double threshold;
    bool json;
} hist_args;

/* Print j (consumed) as indented JSON on stdout. */
static void print_json(json_t *j)
{
    if (j)
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(j);
}

/* Unicode block sparkline of v[0..n-1] into buf. */
static void sparkline(const pk_history_point *p, size_t n, char *buf, size_t len)
{
    static const char *const bars[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                       "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                       "\xe2\x96\x87", "\xe2\x96\x88"};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, p[i].value);
        hi = fmax(hi, p[i].value);
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < len; i++) {
        int k = hi > lo ? (int)((p[i].value - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        memcpy(buf + used, bars[k], 3);
        used += 3;
        buf[used] = '\0';
    }
}

static void format_value(double v, pk_unit_kind kind, char *buf, size_t len)
{
    if (kind == PK_UNIT_DURATION)
        pk_units_format_duration(v, 0, buf, len);
    else if (kind == PK_UNIT_SIZE)
        pk_units_format_size(v, buf, len);
    else
        pk_units_format_count(v, buf, len);
}

/* The figure to show for name (--figure, else the benchmark's primary figure
 * in its latest run) and how to print it, into fig[len]. */
static void pick_figure(pk_store *st, const hist_args *a, const char *name, char *fig, size_t len,
                        pk_unit_kind *kind)
{
    snprintf(fig, len, "%s", a->figure ? a->figure : "wall");
    *kind = pk_figure_kind(fig);
    int64_t id = 0;
    pk_resultset *rs = NULL;
    if (pk_store_find_baseline(st, name, NULL, NULL, 0, &id) != PK_OK || !id ||
        pk_store_get_bench(st, id, name, &rs) != PK_OK)
        return;
    const pk_bench_data *b = rs->n ? &rs->benches[0] : NULL;
    if (b && !a->figure) {
        if (b->primary)
            snprintf(fig, len, "%s", b->primary);
        else if (b->n_series)
            snprintf(fig, len, "%s", b->series[0].figure);
    }
    const pk_series *s = b ? pk_bench_data_get(b, fig) : NULL;
    if (s)
        *kind = s->kind;
    pk_resultset_free(rs);
}

/* The points of name's figure (see pick_figure). */
static pk_err load(pk_store *st, const hist_args *a, const char *name, char *fig, size_t len,
                   pk_unit_kind *kind, pk_history_point **pts, size_t *n)
{
    pick_figure(st, a, name, fig, len, kind);
    return pk_store_history(st, name, fig, a->stat, a->limit, pts, n);
}

static int list_all(pk_store *st, const hist_args *a)
{
    char **names = NULL;
    size_t nn = 0;
    if (pk_store_list_benchmarks(st, &names, &nn) != PK_OK) {
        cli_error(CMD, "%s", pk_store_last_error(st));
        return CLI_INTERNAL;
    }
    if (!nn && !a->json)
        printf("history is empty: run `perfkit check` to record runs\n");
    json_t *arr = a->json ? json_array() : NULL;
    for (size_t i = 0; i < nn; i++) {
        char fig[128];
        pk_unit_kind kind;
        pk_history_point *p = NULL;
        size_t n = 0;
        if (load(st, a, names[i], fig, sizeof fig, &kind, &p, &n) != PK_OK || !n) {
            pk_free(p);
            continue;
        }
        char val[32], spark[256];
        format_value(p[n - 1].value, kind, val, sizeof val);
        sparkline(p, n, spark, sizeof spark);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:f}", "name", names[i],
                                                 "figure", fig, "stat", a->stat, "runs",
                                                 (json_int_t)n, "latest", p[n - 1].value));
        else
            printf("%-32s %-12s %10s %s  (%zu runs)\n", names[i], fig, val, spark, n);
        pk_free(p);
    }
    if (arr)
        print_json(json_pack("{s:s, s:o}", "schema", "perfkit/history/v1", "benchmarks", arr));
    pk_store_free_names(names, nn);
    return CLI_OK;
}

static int show_one(pk_store *st, const hist_args *a)
{
    char fig[128];
    pk_unit_kind kind;
    pk_history_point *p = NULL;
    size_t n = 0;
    pk_err e = load(st, a, a->name, fig, sizeof fig, &kind, &p, &n);
    if (e != PK_OK) {
        cli_error(CMD, "%s", e == PK_EINVAL ? "unknown statistic; use mean, median, min, max, "
                                              "stddev, mad or pN"
                                            : pk_store_last_error(st));
        return CLI_USAGE;
    }
    if (!n) {
        cli_error(CMD, "no runs of `%s`%s%s in history", a->name, a->figure ? " with " : "",
                  a->figure ? a->figure : "");
        pk_free(p);
        return CLI_USAGE;
    }
    if (a->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                arr, json_pack("{s:I, s:I, s:s, s:s, s:b, s:f, s:I}", "run",
                               (json_int_t)p[i].run_id, "started_unix_ns",
                               (json_int_t)p[i].started_unix_ns, "commit", p[i].commit, "branch",
                               p[i].branch, "dirty", p[i].dirty, "value", p[i].value, "n",
                               (json_int_t)p[i].n));
        print_json(json_pack("{s:s, s:s, s:s, s:s, s:o}", "schema", "perfkit/history/v1",
                             "benchmark", a->name, "figure", fig, "stat", a->stat, "points", arr));
        pk_free(p);
        return CLI_OK;
    }
    char spark[512];
    sparkline(p, n, spark, sizeof spark);
    printf("%s — %s (%s), %zu runs\n  %s\n\n", a->name, fig, a->stat, n, spark);
    printf("  %-6s %-16s %-9s %-16s %12s  %s\n", "run", "date (UTC)", "commit", "branch",
           a->stat, "change");
    for (size_t i = 0; i < n; i++) {
        char date[32], val[32], change[48] = "";
        time_t t = (time_t)(p[i].started_unix_ns / 1000000000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
        format_value(p[i].value, kind, val, sizeof val);
        if (i && p[i - 1].value != 0) {
            double ch = p[i].value / p[i - 1].value - 1.0;
            const char *mark = ch > a->threshold ? "  \xe2\x96\xb2 slower"
                               : ch < -a->threshold ? "  \xe2\x96\xbc faster" : "";
            snprintf(change, sizeof change, "%+.1f%%%s", ch * 100.0, mark);
        }
        char commit[16];
        snprintf(commit, sizeof commit, "%.7s%s", p[i].commit[0] ? p[i].commit : "-",
                 p[i].dirty ? "*" : "");
        printf("  #%-5lld %-16s %-9s %-16.16s %12s  %s\n", (long long)p[i].run_id, date, commit,
               p[i].branch[0] ? p[i].branch : "-", val, change);
    }
    pk_free(p);
    return CLI_OK;
}

int cmd_history(int argc, char **argv)
{
    hist_args a = {.stat = "median", .limit = 30, .threshold = 0.05};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:h", longopts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_FIGURE: a.figure = optarg; break;
        case OPT_STAT: a.stat = optarg; break;
        case 'n': ok = opt_count(CMD, "--limit", optarg, &a.limit); break;
        case OPT_THRESHOLD: ok = opt_fraction(CMD, "--threshold", optarg, &a.threshold); break;
        case OPT_DB: a.db = optarg; break;
        case OPT_CONFIG: a.config = optarg; break;
        case OPT_JSON: a.json = true; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
        if (!ok)
            return CLI_USAGE;
    }
    if (optind < argc)
        a.name = argv[optind++];
    if (optind < argc) {
        cli_error(CMD, "unexpected argument `%s`: one benchmark at a time", argv[optind]);
        return CLI_USAGE;
    }
    if (!pk_series_stat_valid(a.stat)) {
        cli_error(CMD, "unknown statistic `%s`: use mean, median, min, max, stddev, mad or pN",
                  a.stat);
        return CLI_USAGE;
    }
    char loc[1024];
    int rc = cli_history_location(CMD, a.db, a.config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_READ, &st);
    if (rc != CLI_OK)
        return rc;
    rc = a.name ? show_one(st, &a) : list_all(st, &a);
    pk_store_close(st);
    return rc;
}
