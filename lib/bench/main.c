/* main.c — pk_bench_main(): the main() of a microbenchmark program.
 *
 * It parses flags, runs, writes results and turns errors into exit statuses,
 * writing only to the two streams it is given: PK_BENCH_MAIN() (in the
 * program, not the library) passes stdout and stderr. Flags are perfkit's (--filter, --min-time, ...) and
 * Google Benchmark's spellings of the same (--benchmark_filter, ...), so
 * tools that drive GB binaries (perfkit check's google-benchmark runner)
 * drive these unchanged. Exit: 0 ok, 1 a benchmark failed, 2 usage, 3 other. */
#include "bench/bench_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/units.h"

static const char usage[] =
    "usage: %s [options]\n"
    "  --filter=REGEX        run benchmarks whose name matches (POSIX ERE)\n"
    "  --min-time=0.5s       timed time per run (s, ms, us suffixes; GB's 'x' iteration\n"
    "                        counts are not supported)\n"
    "  --warmup=0.1s         untimed warm-up per benchmark (0: none)\n"
    "  --repetitions=N       runs per benchmark; N > 1 adds mean/median/stddev/cv/p95\n"
    "  --format=console|json output on stdout\n"
    "  --out=FILE            also write results to FILE\n"
    "  --out-format=json|console  format of FILE (default json)\n"
    "  --no-alloc-count      do not report allocations per iteration\n"
    "  --aggregates-only     with --repetitions > 1 write only the aggregate rows\n"
    "  --list                list benchmark names and exit\n"
    "  --help                this text\n"
    "Google Benchmark spellings: --benchmark_filter, --benchmark_min_time,\n"
    "--benchmark_repetitions, --benchmark_format, --benchmark_out,\n"
    "--benchmark_out_format, --benchmark_list_tests, --benchmark_min_warmup_time,\n"
    "--benchmark_report_aggregates_only, --benchmark_display_aggregates_only;\n"
    "--benchmark_color and --benchmark_counters_tabular are accepted and ignored.\n";

/* "0.5", "0.5s", "500ms", "20us" → seconds; false when malformed (decimal
 * numbers only: no hex, inf or nan, nothing too large for a double). */
static bool parse_seconds(const char *s, double *out)
{
    double v;
    size_t len = 0;
    if (pk_units_number(s, false, &v, &len) != PK_OK)
        return false;
    const char *end = s + len;
    double scale = strcmp(end, "") == 0 || strcmp(end, "s") == 0 ? 1
                 : strcmp(end, "ms") == 0 ? 1e-3
                 : strcmp(end, "us") == 0 ? 1e-6
                 : strcmp(end, "ns") == 0 ? 1e-9 : -1;
    if (scale < 0)
        return false;
    *out = v * scale;
    return true;
}

static bool parse_format(const char *s, int *out)
{
    if (strcmp(s, "console") == 0)
        *out = 0;
    else if (strcmp(s, "json") == 0)
        *out = 1;
    else
        return false;
    return true;
}

/* value of --name=value for either spelling, else NULL. */
static const char *flag(const char *arg, const char *pk, const char *gb)
{
    size_t n = strlen(pk);
    if (strncmp(arg, pk, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    n = strlen(gb);
    if (strncmp(arg, gb, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

/* Write r in format (1 json, 0 console); aggregates_only drops the rows of
 * benchmarks that have aggregates (GB's *_aggregates_only). */
static pk_err write_as(FILE *f, int format, const pk_bench_results *r, bool aggregates_only)
{
    pk_bench_results view = *r;
    if (aggregates_only) {
        if (!(view.rows = pk_calloc(r->n ? r->n : 1, sizeof *view.rows)))
            return PK_ENOMEM;
        view.n = 0;
        for (size_t i = 0; i < r->n; i++) {
            bool has_agg = false;
            for (size_t j = i; j < r->n && !has_agg; j++)
                has_agg = r->rows[j].type == PK_BENCH_AGGREGATE &&
                          strcmp(r->rows[j].run_name, r->rows[i].run_name) == 0;
            if (r->rows[i].type == PK_BENCH_AGGREGATE || !has_agg)
                view.rows[view.n++] = r->rows[i];
        }
    }
    pk_err e = format ? pk_bench_write_json(f, &view) : pk_bench_write_console(f, &view);
    if (aggregates_only)
        pk_free(view.rows);
    return e;
}

/* --name, --name=true / --name=false; -1 when arg is not this flag. */
static int bool_flag(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return -1;
    if (arg[n] == '\0' || strcmp(arg + n, "=true") == 0)
        return 1;
    if (strcmp(arg + n, "=false") == 0)
        return 0;
    return -1;
}

int pk_bench_main(int argc, char **argv, FILE *out_f, FILE *err_f)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "bench";
    if (!out_f || !err_f)
        return 3;
    pk_bench_opts o;
    pk_bench_opts_init(&o);
    o.executable = prog;
    int format = 0, out_format = 1;
    const char *out = NULL;
    bool list = false, aggs_only = false, display_aggs_only = false;
    int b;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool ok = true;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fprintf(out_f, usage, prog);
            return 0;
        } else if ((b = bool_flag(a, "--list")) >= 0 ||
                   (b = bool_flag(a, "--benchmark_list_tests")) >= 0) {
            list = b;
        } else if ((b = bool_flag(a, "--aggregates-only")) >= 0 ||
                   (b = bool_flag(a, "--benchmark_report_aggregates_only")) >= 0) {
            aggs_only = b;
        } else if ((b = bool_flag(a, "--benchmark_display_aggregates_only")) >= 0) {
            display_aggs_only = b;
        } else if (strncmp(a, "--benchmark_color", 17) == 0 ||
                   strncmp(a, "--benchmark_counters_tabular", 28) == 0) {
            /* presentation only: accepted for GB compatibility, ignored */
        } else if (strcmp(a, "--no-alloc-count") == 0) {
            o.count_allocs = false;
        } else if ((v = flag(a, "--filter", "--benchmark_filter"))) {
            o.filter = v;
        } else if ((v = flag(a, "--min-time", "--benchmark_min_time"))) {
            ok = parse_seconds(v, &o.min_time_s);
        } else if ((v = flag(a, "--warmup", "--benchmark_min_warmup_time"))) {
            ok = parse_seconds(v, &o.warmup_s);
        } else if ((v = flag(a, "--repetitions", "--benchmark_repetitions"))) {
            char *end;
            errno = 0;
            unsigned long n = strtoul(v, &end, 10);
            ok = *v >= '0' && *v <= '9' && !*end && !errno && n >= 1 && n <= 100000;
            o.repetitions = (unsigned)n;
        } else if ((v = flag(a, "--format", "--benchmark_format"))) {
            ok = parse_format(v, &format);
        } else if ((v = flag(a, "--out-format", "--benchmark_out_format"))) {
            ok = parse_format(v, &out_format);
        } else if ((v = flag(a, "--out", "--benchmark_out"))) {
            ok = *v != '\0';
            out = v;
        } else {
            fprintf(err_f, "%s: unknown option `%s`\n", prog, a);
            fprintf(err_f, usage, prog);
            return 2;
        }
        if (!ok) {
            fprintf(err_f, "%s: invalid value in `%s`\n", prog, a);
            return 2;
        }
    }
    pk_diag d = {0};
    if (list) {
        pk_err e = pk_bench_list(out_f, o.filter, &d);
        if (e != PK_OK)
            fprintf(err_f, "%s: %s\n", prog, e == PK_EINVAL ? d.message : pk_strerror(e));
        return e == PK_OK ? 0 : e == PK_EINVAL ? 2 : 3;
    }
    FILE *of = NULL;
    if (out && !(of = fopen(out, "w"))) {
        fprintf(err_f, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
        return 2;
    }
    pk_bench_results *r;
    pk_err e = pk_bench_run_all(&o, &r, &d);
    if (e != PK_OK) {
        fprintf(err_f, "%s: %s\n", prog, e == PK_EINVAL ? d.message : pk_strerror(e));
        if (of)
            fclose(of);
        return e == PK_EINVAL ? 2 : 3;
    }
    if (r->n == 0 && o.filter)
        fprintf(err_f, "%s: no benchmark matches `%s`\n", prog, o.filter);
    int rc = 0;
    if (write_as(out_f, format, r, aggs_only || display_aggs_only) != PK_OK)
        rc = 3;
    if (of) {
        if (write_as(of, out_format, r, aggs_only) != PK_OK)
            rc = 3;
        if (fclose(of) != 0)
            rc = 3;
    }
    for (size_t i = 0; i < r->n && rc == 0; i++)
        if (r->rows[i].error)
            rc = 1;
    pk_bench_results_free(r);
    return rc;
}
