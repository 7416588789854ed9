/* Unit tests for lib/bench: registration and naming, filters, the iteration
 * count search, pause/resume, throughput and counters, repetitions and
 * aggregates, Google Benchmark's JSON schema (checked against a file written
 * by GB 1.7.1 itself) read back by pk_ingest_buffer, allocation counting,
 * pk_bench_main's flags, and fault injection. Time bounds hold on a loaded
 * machine: a spin or a sleep never takes less than asked, and what the library
 * times fits within what the test measures around it; no bound assumes the
 * machine is idle. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/bench.h"
#include "perfkit/ingest.h"
#include "fault.h"

/* ---- helpers ------------------------------------------------------------- */
static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void spin_ns(double ns)
{
    double end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

static pk_bench_opts quick(void)
{
    pk_bench_opts o;
    pk_bench_opts_init(&o);
    o.min_time_s = 0.005;
    o.warmup_s = 0;
    return o;
}

static pk_bench_results *run_ok(const pk_bench_opts *o)
{
    pk_bench_results *r = NULL;
    pk_diag d = {0};
    pk_err e = pk_bench_run_all(o, &r, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), d.message);
    return r;
}

static char *list(const char *filter, pk_err want)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pk_diag d = {0};
    cr_assert_eq(pk_bench_list(f, filter, &d), want, "%s", d.message);
    fclose(f);
    return buf;
}

static void reg(const pk_bench_def *d)
{
    cr_assert_eq(pk_bench_register(d), PK_OK, "%s", d->name);
}

/* ---- benchmarks registered by the macros ------------------------------------ */
static void t_plain(pk_bench_state *st)
{
    while (pk_bench_loop(st)) {
    }
}
PK_BENCHMARK(t_plain);

static void t_args(pk_bench_state *st)
{
    int64_t n = pk_bench_arg(st, 0), s = 0;
    while (pk_bench_loop(st)) {
        s += n;
        PK_DO_NOT_OPTIMIZE(s);
    }
}
PK_BENCHMARK_ARGS(t_args, 8, 64, 512);

static void t_range(pk_bench_state *st)
{
    for (uint64_t i = pk_bench_iterations(st); i--;)
        pk_clobber_memory();
}
PK_BENCHMARK_RANGE(t_range, 8, 8 << 10);

static void t_mult(pk_bench_state *st)
{
    uint64_t n = 0;
    PK_BENCH_LOOP(st) {
        n++;
        PK_DO_NOT_OPTIMIZE(n);
    }
    if (n != pk_bench_max_iterations(st))
        pk_bench_skip_with_error(st, "PK_BENCH_LOOP ran the wrong count");
}
PK_BENCHMARK_RANGE_MULT(t_mult, 1, 100, 10);

Test(microbench, macros_register_in_order_with_gb_names)
{
    char *s = list(NULL, PK_OK);
    cr_assert_str_eq(s, "t_plain\nt_args/8\nt_args/64\nt_args/512\n"
                        "t_range/8\nt_range/64\nt_range/512\nt_range/4096\nt_range/8192\n"
                        "t_mult/1\nt_mult/10\nt_mult/100\n");
    free(s);
}

Test(microbench, range_edges_follow_gb_add_range)
{
    int64_t a[PK_BENCH_MAX_ARGS];
    size_t n;
    pk_bench_def d = {.name = "x", .fn = t_plain, .range_lo = 0, .range_hi = 8, .range_mult = 2};
    pk_bench_registry_clear();
    reg(&d);
    char *s = list(NULL, PK_OK);
    cr_assert_str_eq(s, "x/0\nx/1\nx/2\nx/4\nx/8\n");
    free(s);
    (void)a;
    (void)n;
    pk_bench_def one = {.name = "y", .fn = t_plain, .range_lo = 5, .range_hi = 5};
    reg(&one);
    pk_bench_def adj = {.name = "z", .fn = t_plain, .range_lo = 9, .range_hi = 10};
    reg(&adj);
    s = list("^[yz]", PK_OK);
    cr_assert_str_eq(s, "y/5\nz/9\nz/10\n");
    free(s);
}

Test(microbench, register_rejects_bad_definitions)
{
    static const int64_t args[] = {1, 2};
    pk_bench_def ok = {.name = "t_table", .fn = t_plain, .args = args, .n_args = 2};
    reg(&ok);
    cr_assert_eq(pk_bench_register(&ok), PK_EINVAL, "duplicate name");
    pk_bench_def dup = {.name = "t_plain", .fn = t_plain};
    cr_assert_eq(pk_bench_register(&dup), PK_EINVAL, "duplicate of a macro's name");
    pk_bench_def bad[] = {
        {.name = NULL, .fn = t_plain},
        {.name = "", .fn = t_plain},
        {.name = "nofn"},
        {.name = "r1", .fn = t_plain, .range_lo = 10, .range_hi = 5},
        {.name = "r2", .fn = t_plain, .range_lo = -1, .range_hi = 5},
        {.name = "r3", .fn = t_plain, .range_lo = 1, .range_hi = 5, .range_mult = 1},
        {.name = "r4", .fn = t_plain, .range_lo = 3},
        {.name = "a1", .fn = t_plain, .n_args = 2},
        {.name = "a2", .fn = t_plain, .args = args, .n_args = PK_BENCH_MAX_ARGS + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(pk_bench_register(&bad[i]), PK_EINVAL, "bad[%zu]", i);
    cr_assert_eq(pk_bench_register(NULL), PK_EINVAL);
    char *s = list("t_table", PK_OK);
    cr_assert_str_eq(s, "t_table/1\nt_table/2\n");
    free(s);
}

Test(microbench, filter_is_a_posix_regex)
{
    char *s = list("range/(8|64)$", PK_OK);
    cr_assert_str_eq(s, "t_range/8\nt_range/64\n");
    free(s);
    s = list("nothing-matches", PK_OK);
    cr_assert_str_eq(s, "");
    free(s);
    s = list("all", PK_OK);
    cr_assert(strlen(s) > 50);
    free(s);
    pk_diag d = {0};
    pk_bench_results *r = (pk_bench_results *)1;
    pk_bench_opts o = quick();
    o.filter = "t_(";
    cr_assert_eq(pk_bench_run_all(&o, &r, &d), PK_EINVAL);
    cr_assert_null(r);
    cr_assert(strstr(d.message, "t_(") != NULL, "%s", d.message);
    free(list("(", PK_EINVAL));

    o.filter = "^t_mult/10$";
    r = run_ok(&o);
    cr_assert_eq(r->n, 1);
    cr_assert_null(r->rows[0].error, "%s", r->rows[0].error);
    pk_bench_results_free(r);

    o.filter = "^t_args/64$";
    r = run_ok(&o);
    cr_assert_eq(r->n, 1);
    cr_assert_str_eq(r->rows[0].name, "t_args/64");
    cr_assert_eq(r->rows[0].family_index, 0, "families are numbered after filtering");
    cr_assert_eq(r->rows[0].instance_index, 0, "as GB: only matching instances count");
    pk_bench_results_free(r);
}

/* ---- the iteration count search ----------------------------------------------- */
static uint64_t seen[64];
static size_t n_seen;

static void t_grow(pk_bench_state *st)
{
    if (n_seen < 64)
        seen[n_seen++] = pk_bench_max_iterations(st);
    while (pk_bench_loop(st))
        spin_ns(2000);
}

Test(microbench, iteration_count_grows_until_min_time)
{
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "grow", .fn = t_grow};
    reg(&d);
    pk_bench_opts o = quick();
    o.min_time_s = 0.05;
    double t0 = now_ns();
    pk_bench_results *r = run_ok(&o);
    double elapsed = now_ns() - t0;
    cr_assert_eq(r->n, 1);
    cr_assert_eq(seen[0], 1, "the search starts at one iteration");
    cr_assert(n_seen >= 3, "%zu attempts", n_seen);
    for (size_t i = 1; i < n_seen; i++)
        cr_assert(seen[i] > seen[i - 1] && seen[i] <= 10 * seen[i - 1],
                  "attempt %zu: %lu after %lu", i, (unsigned long)seen[i],
                  (unsigned long)seen[i - 1]);
    const pk_bench_row *w = &r->rows[0];
    cr_assert_eq(w->iterations, seen[n_seen - 1]);
    cr_assert_geq((double)w->iterations * w->real_ns, 0.05e9 * 0.999, "timed time reaches min_time");
    /* a 2 µs spin never takes less; the timed iterations fit in the whole run
     * (no upper bound that assumes an idle machine) */
    cr_assert_geq(w->real_ns, 1900, "%g ns per 2 µs spin", w->real_ns);
    cr_assert_leq((double)w->iterations * w->real_ns, elapsed, "timed %g ns of %g ns elapsed",
                  (double)w->iterations * w->real_ns, elapsed);
    cr_assert(w->cpu_ns > 0 && w->cpu_ns <= w->real_ns * 1.5, "%g", w->cpu_ns);
    pk_bench_results_free(r);
}

Test(microbench, warmup_seeds_the_search_and_repetitions_reuse_the_count)
{
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "grow", .fn = t_grow};
    reg(&d);
    pk_bench_opts o = quick();
    o.warmup_s = 0.01;
    o.min_time_s = 0.02;
    o.repetitions = 3;
    pk_bench_results *r = run_ok(&o);
    cr_assert_eq(r->n, 3 + 5);
    cr_assert_eq(r->rows[0].iterations, r->rows[1].iterations);
    cr_assert_eq(r->rows[1].iterations, r->rows[2].iterations);
    cr_assert_eq(seen[n_seen - 1], r->rows[2].iterations);
    cr_assert_eq(seen[n_seen - 2], r->rows[1].iterations);
    pk_bench_results_free(r);
}

/* ---- pause / resume ------------------------------------------------------------ */
/* What the last call of t_paused_sleep saw, by its own clock: the time from
 * its first pk_bench_loop() call to the return of its last (the library's
 * timed stretch lies inside), the time spent asleep between returning from
 * pause and calling resume (inside the library's paused stretch), and the
 * iterations. */
static struct {
    double elapsed_ns, asleep_ns;
    uint64_t iterations;
} paused_seen;

static void t_paused_sleep(pk_bench_state *st)
{
    double asleep = 0, t0 = now_ns();
    uint64_t n = 0;
    while (pk_bench_loop(st)) {
        pk_bench_pause_timing(st);
        double s0 = now_ns();
        usleep(2000);
        asleep += now_ns() - s0;
        pk_bench_resume_timing(st);
        spin_ns(50000);
        n++;
    }
    paused_seen.elapsed_ns = now_ns() - t0;
    paused_seen.asleep_ns = asleep;
    paused_seen.iterations = n;
}

Test(microbench, pause_resume_excludes_the_paused_time)
{
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "sleepy", .fn = t_paused_sleep};
    reg(&d);
    pk_bench_opts o = quick();
    pk_bench_results *r = run_ok(&o);
    const pk_bench_row *w = &r->rows[0];
    cr_assert_null(w->error);
    cr_assert_geq(w->real_ns, 45e3, "%g ns per iteration: at least the 50 µs of work", w->real_ns);
    /* Exact whatever the load: the timed stretch lies within the call's
     * elapsed time minus the time it slept while paused (>= 2 ms per
     * iteration), so counting the pauses would break this bound. */
    cr_assert_eq(w->iterations, paused_seen.iterations);
    double timed = (double)w->iterations * w->real_ns;
    cr_assert_geq(paused_seen.asleep_ns, (double)w->iterations * 2e6);
    cr_assert_leq(timed, paused_seen.elapsed_ns - paused_seen.asleep_ns + 1e3,
                  "timed %g ns; elapsed %g ns, of which %g ns asleep while paused", timed,
                  paused_seen.elapsed_ns, paused_seen.asleep_ns);
    cr_assert(w->cpu_ns < 1e6, "%g", w->cpu_ns);
    pk_bench_results_free(r);
}

/* ---- throughput and counters -------------------------------------------------- */
static void t_counted(pk_bench_state *st)
{
    while (pk_bench_loop(st))
        spin_ns(1000);
    pk_bench_set_bytes(st, 1000);
    pk_bench_set_items(st, 10);
    pk_bench_counter(st, "answer", 41);
    pk_bench_counter(st, "answer", 42);
    pk_bench_counter(st, "n", (double)pk_bench_arg(st, 0));
}

Test(microbench, counters_and_throughput_math)
{
    static const int64_t args[] = {7};
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "counted", .fn = t_counted, .args = args, .n_args = 1};
    pk_bench_def p = {.name = "plain", .fn = t_plain};
    reg(&d);
    reg(&p);
    pk_bench_opts o = quick();
    pk_bench_results *r = run_ok(&o);
    cr_assert_eq(r->n, 2);
    const pk_bench_row *w = &r->rows[0];
    cr_assert_str_eq(w->name, "counted/7");
    cr_assert_float_eq(w->bytes_per_second, 1000 / (w->cpu_ns * 1e-9), 1e-6 * w->bytes_per_second);
    cr_assert_float_eq(w->items_per_second, 10 / (w->cpu_ns * 1e-9), 1e-6 * w->items_per_second);
    cr_assert_eq(w->n_counters, 2);
    cr_assert_str_eq(w->counters[0].name, "answer");
    cr_assert_eq(w->counters[0].value, 42);
    cr_assert_str_eq(w->counters[1].name, "n");
    cr_assert_eq(w->counters[1].value, 7);
    cr_assert(isnan(r->rows[1].bytes_per_second) && isnan(r->rows[1].items_per_second));
    cr_assert_eq(r->rows[1].n_counters, 0);
    pk_bench_results_free(r);
}

static void t_many_counters(pk_bench_state *st)
{
    while (pk_bench_loop(st)) {
    }
    for (int i = 0; i < PK_BENCH_MAX_COUNTERS + 1; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        pk_bench_counter(st, name, i);
    }
}

static void t_skips(pk_bench_state *st)
{
    while (pk_bench_loop(st))
        pk_bench_skip_with_error(st, "no input file");
}

static void t_no_loop(pk_bench_state *st)
{
    (void)st;
}

static void t_breaks(pk_bench_state *st)
{
    while (pk_bench_loop(st))
        if (pk_bench_max_iterations(st) > 1)
            break;
}

Test(microbench, failures_are_rows_with_errors)
{
    pk_bench_registry_clear();
    pk_bench_def d[] = {
        {.name = "many", .fn = t_many_counters},
        {.name = "skips", .fn = t_skips},
        {.name = "noloop", .fn = t_no_loop},
        {.name = "breaks", .fn = t_breaks},
    };
    for (size_t i = 0; i < 4; i++)
        reg(&d[i]);
    pk_bench_opts o = quick();
    o.warmup_s = 0.001;
    o.repetitions = 2;
    pk_bench_results *r = run_ok(&o);
    cr_assert_eq(r->n, 4, "a failing warm-up gives one row, no aggregates");
    cr_assert_str_eq(r->rows[0].error, "too many counters");
    cr_assert_str_eq(r->rows[1].error, "no input file");
    cr_assert(strstr(r->rows[2].error, "did not run its loop") != NULL);
    cr_assert(strstr(r->rows[3].error, "left its loop") != NULL);
    pk_bench_results_free(r);
}

/* ---- repetitions, JSON, ingestion ----------------------------------------------- */
static json_t *json_of(const pk_bench_results *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(pk_bench_write_json(f, r), PK_OK);
    fclose(f);
    json_error_t err;
    json_t *j = json_loads(buf, 0, &err);
    cr_assert_not_null(j, "%s at %d:%d\n%s", err.text, err.line, err.column, buf);
    free(buf);
    return j;
}

/* The member names of o, sorted, joined by spaces. */
static void keys_of(const json_t *o, char *buf, size_t len)
{
    const char *k[64];
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) if (n < 64) k[n++] = key;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strncat(buf, k[i], len - strlen(buf) - 1);
        strncat(buf, " ", len - strlen(buf) - 1);
    }
}

/* The key set of the first row of GB's own output with run_type and
 * bytes_per_second as asked, from tests/data/ingest/gbench.json (GB 1.7.1). */
static void gb_keys(const char *section, const char *run_type, bool bytes, char *buf, size_t len)
{
    json_error_t err;
    char path[1024];
    const char *dir = getenv("PK_TEST_DATA");
    snprintf(path, sizeof path, "%s/ingest/gbench.json", dir && *dir ? dir : "tests/data");
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s (run from the repository root)", path, err.text);
    json_t *x = json_object_get(j, section);
    if (json_is_array(x)) {
        size_t i;
        json_t *row;
        json_array_foreach(x, i, row) {
            if (strcmp(json_string_value(json_object_get(row, "run_type")), run_type) == 0 &&
                (json_object_get(row, "bytes_per_second") != NULL) == bytes &&
                !json_object_get(row, "error_occurred")) {
                json_t *c = json_deep_copy(row);
                json_object_del(c, "items");   /* BM_Copy's user counters */
                json_object_del(c, "rate");
                keys_of(c, buf, len);
                json_decref(c);
                break;
            }
        }
    } else {
        keys_of(x, buf, len);
    }
    json_decref(j);
}

static void t_copy(pk_bench_state *st)
{
    char a[256] = {1}, b[256];
    while (pk_bench_loop(st)) {
        memcpy(b, a, sizeof a);
        pk_clobber_memory();
    }
    pk_bench_set_bytes(st, sizeof a);
}

Test(microbench, json_has_gb_schema_and_is_ingested)
{
    pk_bench_registry_clear();
    pk_bench_def d[] = {{.name = "BM_Plain", .fn = t_plain}, {.name = "BM_Copy", .fn = t_copy}};
    reg(&d[0]);
    reg(&d[1]);
    pk_bench_opts o = quick();
    o.repetitions = 3;
    o.executable = "./t";
    pk_bench_results *r = run_ok(&o);
    cr_assert_eq(r->n, 16);
    json_t *j = json_of(r);
    char ours[1024], theirs[1024];
    keys_of(json_object_get(j, "context"), ours, sizeof ours);
    gb_keys("context", NULL, false, theirs, sizeof theirs);
    cr_assert_str_eq(ours, theirs);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "context"),
                                                       "executable")), "./t");
    json_t *rows = json_object_get(j, "benchmarks");
    cr_assert_eq(json_array_size(rows), 16);
    keys_of(json_array_get(rows, 0), ours, sizeof ours);
    gb_keys("benchmarks", "iteration", false, theirs, sizeof theirs);
    cr_assert_str_eq(ours, theirs);
    keys_of(json_array_get(rows, 3), ours, sizeof ours);
    gb_keys("benchmarks", "aggregate", false, theirs, sizeof theirs);
    cr_assert_str_eq(ours, theirs);
    keys_of(json_array_get(rows, 8), ours, sizeof ours);
    gb_keys("benchmarks", "iteration", true, theirs, sizeof theirs);
    cr_assert_str_eq(ours, theirs);
    const char *aggs[] = {"mean", "median", "stddev", "cv", "p95"};
    for (size_t i = 0; i < 5; i++) {
        json_t *a = json_array_get(rows, 3 + i);
        char name[64];
        snprintf(name, sizeof name, "BM_Plain_%s", aggs[i]);
        cr_assert_str_eq(json_string_value(json_object_get(a, "name")), name);
        cr_assert_str_eq(json_string_value(json_object_get(a, "aggregate_name")), aggs[i]);
        cr_assert_str_eq(json_string_value(json_object_get(a, "run_name")), "BM_Plain");
    }
    double mean = (r->rows[0].real_ns + r->rows[1].real_ns + r->rows[2].real_ns) / 3;
    cr_assert_float_eq(r->rows[3].real_ns, mean, 1e-9 * mean);
    cr_assert(r->rows[7].real_ns >= r->rows[4].real_ns, "p95 >= median");

    char *buf = json_dumps(j, 0);
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    pk_diag dg = {0};
    pk_err e = pk_ingest_buffer(buf, strlen(buf), "pk.json", PK_IMPORT_AUTO, "mb", rs, &dg);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), dg.message);
    cr_assert_eq(rs->n, 2);
    const pk_bench_data *b = pk_resultset_find(rs, "mb/BM_Copy");
    cr_assert_not_null(b);
    cr_assert_str_eq(b->primary, "real_time");
    const pk_series *rt = pk_bench_data_get(b, "real_time"), *ct = pk_bench_data_get(b, "cpu_time");
    cr_assert(rt && ct && rt->n == 3 && ct->n == 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_float_eq(rt->samples[i], r->rows[8 + i].real_ns, 1e-6 * rt->samples[i]);
        cr_assert_float_eq(ct->samples[i], r->rows[8 + i].cpu_ns, 1e-6 * ct->samples[i]);
    }
    cr_assert_not_null(pk_bench_data_get(b, "bytes_per_second"));
    free(buf);
    pk_resultset_free(rs);
    json_decref(j);

    /* The console table names every row. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(pk_bench_write_console(f, r), PK_OK);
    fclose(f);
    cr_assert(strstr(text, "Benchmark") && strstr(text, "Iterations"));
    cr_assert(strstr(text, "BM_Copy_cv") && strstr(text, "bytes_per_second="), "%s", text);
    free(text);
    pk_bench_results_free(r);
}

/* ---- allocation counting ----------------------------------------------------------
 * The test defines the symbol libperfkit-alloccount.a would, so it can
 * switch counting on and off. */
static pk_bench_alloc_stats fake;
static bool fake_on;

const pk_bench_alloc_stats *pk_bench_alloc_counters(void)
{
    return fake_on ? &fake : NULL;
}

static void t_allocs(pk_bench_state *st)
{
    fake.allocs += 100;   /* outside the timed region: not counted */
    while (pk_bench_loop(st)) {
        fake.allocs += 2;
        fake.bytes += 96;
    }
}

Test(microbench, allocations_per_iteration_or_not_available)
{
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "allocs", .fn = t_allocs};
    reg(&d);
    pk_bench_opts o = quick();
    fake_on = false;
    pk_bench_results *r = run_ok(&o);
    cr_assert(!r->allocs_available);
    cr_assert(isnan(r->rows[0].allocs_per_iter));
    json_t *j = json_of(r);
    cr_assert_null(json_object_get(json_array_get(json_object_get(j, "benchmarks"), 0),
                                   "allocs_per_iter"));
    json_decref(j);
    pk_bench_results_free(r);

    fake_on = true;
    r = run_ok(&o);
    cr_assert(r->allocs_available);
    cr_assert_eq(r->rows[0].allocs_per_iter, 2);
    cr_assert_eq(r->rows[0].alloc_bytes_per_iter, 96);
    j = json_of(r);
    cr_assert_eq(json_real_value(json_object_get(
                     json_array_get(json_object_get(j, "benchmarks"), 0), "allocs_per_iter")), 2);
    json_decref(j);
    pk_bench_results_free(r);

    o.count_allocs = false;
    r = run_ok(&o);
    cr_assert(!r->allocs_available && isnan(r->rows[0].allocs_per_iter));
    pk_bench_results_free(r);
}

/* ---- options and pk_bench_main --------------------------------------------------------- */
Test(microbench, invalid_options)
{
    pk_bench_results *r;
    pk_bench_opts o = quick();
    o.repetitions = 0;
    cr_assert_eq(pk_bench_run_all(&o, &r, NULL), PK_EINVAL);
    o = quick();
    o.min_time_s = -1;
    cr_assert_eq(pk_bench_run_all(&o, &r, NULL), PK_EINVAL);
    o = quick();
    o.warmup_s = NAN;
    cr_assert_eq(pk_bench_run_all(&o, &r, NULL), PK_EINVAL);
    cr_assert_eq(pk_bench_run_all(&o, NULL, NULL), PK_EINVAL);
}

static int run_main(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"bench";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return pk_bench_main(argc, argv, stdout, stderr);
}

Test(microbench, main_rejects_bad_flags_with_status_2, .init = cr_redirect_stderr)
{
    const char *const a[] = {"--bogus", NULL}, *const b[] = {"--repetitions=0", NULL},
                      *const c[] = {"--min-time=fast", NULL},
                      *const d[] = {"--format=xml", NULL}, *const e[] = {"--filter=(", NULL},
                      *const g[] = {"--benchmark_repetitions=x", NULL};
    cr_assert_eq(run_main(a), 2);
    cr_assert_eq(run_main(b), 2);
    cr_assert_eq(run_main(c), 2);
    cr_assert_eq(run_main(d), 2);
    cr_assert_eq(run_main(e), 2);
    cr_assert_eq(run_main(g), 2);
}

Test(microbench, main_lists_and_takes_gbench_flags, .init = cr_redirect_stdout)
{
    const char *const l[] = {"--benchmark_list_tests", "--filter=^t_args", NULL};
    cr_assert_eq(run_main(l), 0);
    fflush(stdout);
    cr_assert_stdout_eq_str("t_args/8\nt_args/64\nt_args/512\n");
}

Test(microbench, main_writes_gbench_out_files_perfkit_check_reads, .init = cr_redirect_stdout)
{
    char path[] = "/tmp/pk-mb-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    char out[64];
    snprintf(out, sizeof out, "--benchmark_out=%s", path);
    const char *const a[] = {"--benchmark_filter=^t_args/8$", "--benchmark_repetitions=2",
                             "--benchmark_format=json", out, "--benchmark_out_format=json",
                             "--benchmark_min_time=0.002", "--warmup=0", NULL};
    cr_assert_eq(run_main(a), 0);
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    pk_diag d = {0};
    pk_err e = pk_ingest_file(path, PK_IMPORT_AUTO, NULL, rs, &d);
    cr_assert_eq(e, PK_OK, "%s", d.message);
    cr_assert_eq(rs->n, 1);
    cr_assert_eq(pk_bench_data_get(pk_resultset_find(rs, "t_args/8"), "real_time")->n, 2);
    pk_resultset_free(rs);
    unlink(path);
}

/* ---- fault injection ------------------------------------------------------------------ */
static void t_fault_body(pk_bench_state *st)
{
    while (pk_bench_loop(st))
        pk_clobber_memory();
    pk_bench_counter(st, "a", 1);
    pk_bench_counter(st, "b", 2);
    if (pk_bench_arg(st, 0) == 2)
        pk_bench_skip_with_error(st, "two");
}

Test(microbench, every_allocation_failure_is_clean)
{
    static const int64_t args[] = {1, 2, 3};
    pk_bench_registry_clear();
    pk_bench_def d = {.name = "f", .fn = t_fault_body, .args = args, .n_args = 3};
    pk_bench_opts o = quick();
    o.min_time_s = 0.0001;
    o.repetitions = 2;
    o.filter = "f/";
    size_t failures = 0;
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_err e = pk_bench_register(&d);
        pk_bench_results *r = NULL;
        if (e == PK_OK)
            e = pk_bench_run_all(&o, &r, NULL);
        long req = fault_requests();
        if (e == PK_OK) {
            cr_assert_eq(r->n, 2 + 5 + 2 + 2 + 5);
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            cr_assert_eq(pk_bench_write_json(f, r), PK_OK);
            cr_assert_eq(pk_bench_write_console(f, r), PK_OK);
            fclose(f);
            free(buf);
        } else {
            cr_assert_eq(e, PK_ENOMEM, "request %ld: %s", k, pk_strerror(e));
            cr_assert_null(r);
            failures++;
        }
        pk_bench_results_free(r);
        pk_bench_registry_clear();
        cr_assert_eq(fault_live(), 0, "request %ld leaked", k);
        fault_disarm();
        if (k >= req)
            break;
    }
    cr_assert(failures > 10, "%zu failure points", failures);
}

Test(microbench, main_aggregates_only_keeps_the_aggregate_rows, .init = cr_redirect_stdout)
{
    char path[] = "/tmp/pk-mb-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    char out[64];
    snprintf(out, sizeof out, "--benchmark_out=%s", path);
    const char *const a[] = {"--benchmark_filter=^t_plain$", "--benchmark_repetitions=3", out,
                             "--benchmark_report_aggregates_only=true", "--min-time=1ms",
                             "--benchmark_color=false", "--warmup=0", NULL};
    cr_assert_eq(run_main(a), 0);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    json_t *rows = json_object_get(j, "benchmarks");
    cr_assert_eq(json_array_size(rows), 5);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "run_type")),
                     "aggregate");
    json_decref(j);
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_ingest_file(path, PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_eq(pk_bench_data_get(pk_resultset_find(rs, "t_plain"), "real_time")->n, 1,
                 "aggregates only: the mean is the one sample");
    pk_resultset_free(rs);
    unlink(path);
}
