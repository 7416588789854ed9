/* Unit tests for lib/ingest: what real tools write and what no measurement
 * can be — Google Benchmark 1.7.1's bare NaN, impossible (negative, all-zero,
 * infinite) values rejected at their line:column, files without results, a
 * byte-order mark, the same command twice. The files in tests/data/ingest/
 * are real output or edited copies of it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/ingest.h"
#include "ingest_util.h"

/* Google Benchmark 1.7.1 writes a bare NaN (not JSON) for the cv of a user
 * counter that is always 0 (tests/data/ingest/gbench_nan.json is its output). */
Test(ingest, gbench_nan_of_a_zero_counter_is_accepted)
{
    size_t n;
    char *s = slurp(data("gbench_nan.json"), &n);
    cr_assert(strstr(s, "\"errors\": NaN"), "the fixture has the bare NaN");
    cr_assert_eq(pk_ingest_detect(s, n), PK_IMPORT_GBENCH);
    free(s);
    pk_resultset *rs = ingest_file_ok(data("gbench_nan.json"), "micro");
    cr_assert_eq(rs->n, 1);
    const pk_series *rt = series(rs, "micro/BM_Parse", "real_time");
    cr_assert_eq(rt->n, 3);
    const pk_series *err = series(rs, "micro/BM_Parse", "errors");
    cr_assert_not_null(err, "an always-0 count is a measurement");
    for (size_t i = 0; i < err->n; i++)
        cr_assert_eq(err->samples[i], 0.0);
    pk_resultset_free(rs);

    /* a counter NaN in a sample row (here the mean of aggregates only) is not
     * imported; an infinity neither */
    const char *t = "{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_a_mean\","
                    " \"run_name\": \"BM_a\", \"run_type\": \"aggregate\", \"aggregate_name\":"
                    " \"mean\", \"real_time\": 2, \"cpu_time\": 2, \"time_unit\": \"ns\","
                    " \"ratio\": NaN, \"rate\": -Infinity, \"ok\": 1}]}";
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "t", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_null(series(rs, "BM_a", "ratio"));
    cr_assert_null(series(rs, "BM_a", "rate"));
    cr_assert_not_null(series(rs, "BM_a", "ok"));
    pk_resultset_free(rs);
}

Test(ingest, nan_in_a_time_is_an_error_where_it_is)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"context\": {}, \"benchmarks\": [\n"
                          " {\"name\": \"a\", \"real_time\": NaN, \"cpu_time\": 1}]}",
                      PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.line, 2);
    cr_assert_eq(d.column, 29);
    cr_assert(strstr(d.message, "`real_time` is NaN"), "%s", d.message);
    d = fails(rs, "{\"results\": [{\"command\": \"a\", \"times\": [1, Infinity]}]}",
              PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.column, 44);
    cr_assert(strstr(d.message, "infinite"), "%s", d.message);
    d = fails(rs, "{\"results\": [{\"command\": \"a\", \"times\": [1, -NaN]}]}",
              PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.column, 44);
    cr_assert(strstr(d.message, "NaN"), "%s", d.message);
    pk_resultset_free(rs);
}

/* NaN is quoted for jansson (two more bytes): a syntax error after it on the
 * same line keeps the column of the text as written */
Test(ingest, syntax_error_after_nan_keeps_its_column)
{
    const char *with = "{\"a\": NaN, \"b\": [Infinity, -Infinity], \"c\": oops}";
    const char *plain = "{\"a\": 1.0, \"b\": [1.0000e0, -1.0000e0], \"c\": oops}";
    cr_assert_eq(strlen(with), strlen(plain));
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d1 = fails(rs, with, PK_IMPORT_AUTO, PK_EPARSE);
    pk_diag d2 = fails(rs, plain, PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d1.message, "invalid JSON"), "%s", d1.message);
    cr_assert_eq(d1.line, d2.line);
    cr_assert_eq(d1.column, d2.column, "%u vs %u", d1.column, d2.column);
    /* NaN inside a string or a name is left alone */
    const char *t = "{\"results\": [{\"command\": \"NaN\", \"times\": [1], \"x\": \"a NaN\"}]}";
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "t", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_not_null(pk_resultset_find(rs, "NaN"));
    /* as a member name it is no number: still a syntax error */
    d1 = fails(rs, "{\"results\": [{NaN: 1, \"command\": \"b\", \"times\": [1]}]}",
               PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d1.message, "invalid JSON"), "%s", d1.message);
    d2 = fails(rs, "{\"results\": [{nAn: 1, \"command\": \"b\", \"times\": [1]}]}",
               PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d1.column, d2.column, "as any bad token: %u vs %u", d1.column, d2.column);
    /* a token that merely starts like one is still a syntax error */
    d1 = fails(rs, "{\"results\": [{\"command\": \"b\", \"times\": [NaNa]}]}", PK_IMPORT_AUTO,
               PK_EPARSE);
    cr_assert(strstr(d1.message, "invalid JSON"), "%s", d1.message);
    pk_resultset_free(rs);
}

/* Negative, all-zero and overflowing times: hyperfine files edited to hold
 * them (a negative printed as "-18.76 ms", 1e308 s as "inf h" before). */
Test(ingest, hyperfine_impossible_times_are_rejected_where_they_are)
{
    static const struct { const char *file, *msg; unsigned line, col; } c[] = {
        {"hyperfine_negative.json", "`times` is negative (-0.01876)", 14, 9},
        {"hyperfine_overflow.json", "`times` is out of range: 1e+308 overflows", 14, 9},
        {"hyperfine_zero.json", "`times` is 0 in every run", 13, 9},
    };
    for (size_t i = 0; i < 3; i++) {
        pk_resultset *rs;
        pk_resultset_new(&rs);
        pk_diag d = {0};
        cr_assert_eq(pk_ingest_file(data(c[i].file), PK_IMPORT_AUTO, NULL, rs, &d), PK_EPARSE,
                     "%s", c[i].file);
        cr_assert(strstr(d.message, c[i].msg), "%s: %s", c[i].file, d.message);
        cr_assert_eq(d.line, c[i].line, "%s: line %u", c[i].file, d.line);
        cr_assert_eq(d.column, c[i].col, "%s: column %u", c[i].file, d.column);
        cr_assert_eq(rs->n, 0);
        pk_resultset_free(rs);
    }
}

Test(ingest, impossible_values_in_every_format)
{
    static const struct { const char *text, *msg; unsigned col; } c[] = {
        /* hyperfine: mean, user, system, memory */
        {"{\"results\": [{\"command\": \"a\", \"times\": [1], \"mean\": -1}]}",
         "`mean` is negative", 53},
        {"{\"results\": [{\"command\": \"a\", \"times\": [1], \"user\": -0.5}]}",
         "`user` is negative", 53},
        {"{\"results\": [{\"command\": \"a\", \"times\": [1], \"system\": 1e308}]}",
         "`system` is out of range", 55},
        {"{\"results\": [{\"command\": \"a\", \"times\": [1], \"memory_usage_byte\": [0]}]}",
         "`memory_usage_byte` is 0 in every value", 67},
        {"{\"results\": [{\"command\": \"a\", \"times\": [1, 2], \"memory_usage_byte\": [5, -5]}]}",
         "`memory_usage_byte` is negative", 73},
        /* Google Benchmark: real_time, cpu_time, iterations */
        {"{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"real_time\": -3, \"cpu_time\": 1}]}",
         "`real_time` is negative (-3)", 59},
        {"{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"real_time\": 1e308, \"cpu_time\": 1,"
         " \"time_unit\": \"s\"}]}", "`real_time` is out of range: 1e+308 overflows", 59},
        {"{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 0},"
         " {\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 0}]}", "`cpu_time` is 0 in every run", 74},
        {"{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1,"
         " \"iterations\": -7}]}", "`iterations` is negative", 91},
        /* perfkit: wall, user, rss, counters */
        {"{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\": [{\"wall_ns\": -1,"
         " \"user_ns\": 0, \"sys_ns\": 0}]}]}", "`wall_ns` is negative", 79},
        {"{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\": [{\"wall_ns\": 0,"
         " \"user_ns\": 0, \"sys_ns\": 0}]}]}", "`wall_ns` is 0 in every value", 79},
        {"{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\": [{\"wall_ns\": 9,"
         " \"user_ns\": -2, \"sys_ns\": 0}]}]}", "`user_ns` is negative", 93},
        {"{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\": [{\"wall_ns\": 9,"
         " \"user_ns\": 0, \"sys_ns\": 0, \"max_rss_bytes\": 0}]}]}", "`max_rss_bytes` is 0", 126},
        {"{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\": [{\"wall_ns\": 9,"
         " \"user_ns\": 0, \"sys_ns\": 0, \"counters\": {\"page-faults\": -4}}]}]}",
         "`page-faults` is negative", 137},
    };
    pk_resultset *rs;
    pk_resultset_new(&rs);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        pk_diag d = fails(rs, c[i].text, PK_IMPORT_AUTO, PK_EPARSE);
        cr_assert(strstr(d.message, c[i].msg), "case %zu: %s", i, d.message);
        cr_assert_eq(d.column, c[i].col, "case %zu: column %u", i, d.column);
        cr_assert_eq(c[i].text[d.column - 1] != '"' && c[i].text[d.column - 1] != '{', true,
                     "case %zu: the column points at a value", i);
    }
    pk_resultset_free(rs);
}

/* CPU times and counts may be 0 (a short command can use less CPU than the
 * accounting resolves: hyperfine's "system": 0.0 in perfkit_hyperfine_duplicate.json) */
Test(ingest, zero_cpu_times_and_counts_are_measurements)
{
    const char *t = "{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\":"
                    " [{\"wall_ns\": 0, \"user_ns\": 0, \"sys_ns\": 0, \"majflt\": 0},"
                    " {\"wall_ns\": 5, \"user_ns\": 0, \"sys_ns\": 0, \"majflt\": 0}]}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "t", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_eq(series(rs, "x", "wall")->samples[0], 0.0, "one 0 among others is kept");
    cr_assert_eq(series(rs, "x", "user")->samples[1], 0.0);
    cr_assert_eq(series(rs, "x", "majflt")->n, 2);
    pk_resultset_free(rs);
    rs = ingest_file_ok(data("perfkit_hyperfine_duplicate.json"), NULL);
    cr_assert_eq(series(rs, "true", "sys")->samples[0], 0.0);
    pk_resultset_free(rs);
}

Test(ingest, no_results_is_an_error)
{
    static const struct { const char *file; unsigned line, col; } c[] = {
        {"hyperfine_empty.json", 2, 14},
        {"gbench_empty.json", 38, 17},
        {"perfkit_empty.json", 31, 14},
    };
    for (size_t i = 0; i < 3; i++) {
        pk_resultset *rs;
        pk_resultset_new(&rs);
        pk_diag d = {0};
        const char *path = data(c[i].file);
        cr_assert_eq(pk_ingest_file(path, PK_IMPORT_AUTO, NULL, rs, &d), PK_EPARSE, "%s",
                     c[i].file);
        char want[1100];
        snprintf(want, sizeof want, "no benchmark results in %s", path);
        cr_assert_str_eq(d.message, want);
        cr_assert_eq(d.line, c[i].line, "%s: line %u", c[i].file, d.line);
        cr_assert_eq(d.column, c[i].col, "%s: column %u", c[i].file, d.column);
        pk_resultset_free(rs);
    }
    /* only complexity rows: nothing to import either */
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_a_BigO\","
                          " \"run_name\": \"BM_a\", \"run_type\": \"aggregate\", \"aggregate_name\":"
                          " \"BigO\", \"cpu_coefficient\": 1}]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d.message, "no benchmark results in t.json"), "%s", d.message);
    pk_resultset_free(rs);
}

/* A UTF-8 byte order mark (Windows tools write one) is skipped; positions
 * are those an editor shows, the mark not counted. */
Test(ingest, byte_order_mark_is_accepted)
{
    size_t n;
    char *s = slurp(data("hyperfine_bom.json"), &n);
    cr_assert_eq(memcmp(s, "\xEF\xBB\xBF{", 4), 0);
    cr_assert_eq(pk_ingest_detect(s, n), PK_IMPORT_HYPERFINE);
    free(s);
    pk_resultset *rs = ingest_file_ok(data("hyperfine_bom.json"), NULL);
    cr_assert_eq(rs->n, 2);
    cr_assert_str_eq(rs->benches[0].name, "true");
    const char *bad = "\xEF\xBB\xBF{\"results\": [{\"command\": 5, \"times\": [1]}]}";
    pk_diag d = fails(rs, bad, PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.line, 1);
    cr_assert_eq(d.column, 26, "as without the mark");
    d = fails(rs, "\xEF\xBB\xBF{\"results\": [1,, 2]}", PK_IMPORT_AUTO, PK_EPARSE);
    pk_diag d2 = fails(rs, "{\"results\": [1,, 2]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.column, d2.column, "syntax error: %u vs %u", d.column, d2.column);
    pk_resultset_free(rs);
}

/* ---- errors with positions ----------------------------------------------------------- */
