/* Unit tests for lib/ingest/ingest*.c: hyperfine, Google Benchmark and perfkit
 * JSON into a result set. Samples in tests/data/ingest/ were written by the
 * real tools (hyperfine 1.15, Google Benchmark 1.7.1 running
 * tests/helpers/gbench_demo.cc, perfkit bench); values are checked against
 * the files themselves, read with jansson. Errors must carry line:column and
 * leave the set unchanged; every allocation failure must end in PK_ENOMEM
 * without a leak. $PK_TEST_DATA overrides the data directory, $HELPERS the
 * helper directory (gbench_demo tests skip when it is not built). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/ingest.h"
#include "fault.h"

#include "ingest_util.h"

/* ---- detection ---------------------------------------------------------------- */

Test(ingest, detects_each_format)
{
    const char *files[] = {"hyperfine.json", "gbench.json", "gbench_aggregates.json",
                           "perfkit.json", "perfkit_instructions.json", "hyperfine_empty.json"};
    pk_import_format want[] = {PK_IMPORT_HYPERFINE, PK_IMPORT_GBENCH, PK_IMPORT_GBENCH,
                               PK_IMPORT_PERFKIT, PK_IMPORT_PERFKIT, PK_IMPORT_HYPERFINE};
    for (size_t i = 0; i < 6; i++) {
        size_t n;
        char *s = slurp(data(files[i]), &n);
        cr_assert_eq(pk_ingest_detect(s, n), want[i], "%s", files[i]);
        free(s);
    }
    cr_assert_eq(pk_ingest_detect("{}", 2), PK_IMPORT_AUTO);
    cr_assert_eq(pk_ingest_detect("[1]", 3), PK_IMPORT_AUTO);
    cr_assert_eq(pk_ingest_detect("{\"results\": [{}]}", 17), PK_IMPORT_AUTO);
    cr_assert_eq(pk_ingest_detect("not json", 8), PK_IMPORT_AUTO);
    cr_assert_eq(pk_ingest_detect(NULL, 0), PK_IMPORT_AUTO);
}

/* ---- hyperfine -------------------------------------------------------------------- */

Test(ingest, hyperfine_sample)
{
    const char *path = data("hyperfine.json");
    pk_resultset *rs = ingest_file_ok(path, NULL);
    json_t *j = load(path);
    json_t *res = json_object_get(j, "results");
    cr_assert_eq(rs->n, json_array_size(res));
    for (size_t i = 0; i < rs->n; i++) {
        json_t *r = json_array_get(res, i), *times = json_object_get(r, "times");
        const pk_bench_data *b = &rs->benches[i];
        cr_assert_str_eq(b->name, json_string_value(json_object_get(r, "command")));
        cr_assert_str_eq(b->primary, "wall");
        cr_assert_null(b->error);
        const pk_series *w = pk_bench_data_get(b, "wall");
        cr_assert_eq(w->kind, PK_UNIT_DURATION);
        cr_assert_eq(w->n, json_array_size(times));
        for (size_t k = 0; k < w->n; k++)
            cr_assert_float_eq(w->samples[k], json_real_value(json_array_get(times, k)) * 1e9,
                               1e-6);
        const pk_series *u = pk_bench_data_get(b, "user"), *s = pk_bench_data_get(b, "sys");
        cr_assert_eq(u->n, 1);
        cr_assert_eq(s->n, 1);
        cr_assert_float_eq(u->samples[0], json_number_value(json_object_get(r, "user")) * 1e9,
                           1e-6);
        cr_assert_float_eq(s->samples[0], json_number_value(json_object_get(r, "system")) * 1e9,
                           1e-6);
        cr_assert_null(pk_bench_data_get(b, "rss"));   /* hyperfine 1.15 has no memory */
    }
    json_decref(j);
    pk_resultset_free(rs);
}

Test(ingest, hyperfine_memory_usage_becomes_rss)
{
    const char *t = "{\"results\": [{\"command\": \"a\", \"times\": [0.5, 1],"
                    " \"memory_usage_byte\": [1000, 2000], \"exit_codes\": [0, 0]}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "m", PK_IMPORT_AUTO, "", rs, NULL), PK_OK);
    const pk_series *r = series(rs, "a", "rss");
    cr_assert_eq(r->kind, PK_UNIT_SIZE);
    cr_assert_eq(r->n, 2);
    cr_assert_float_eq(r->samples[1], 2000.0, 1e-9);
    cr_assert_float_eq(series(rs, "a", "wall")->samples[0], 5e8, 1e-3);
    cr_assert_null(series(rs, "a", "user"));   /* absent: not measured, not zero */
    pk_resultset_free(rs);
}

/* ---- Google Benchmark ----------------------------------------------------------- */

static double unit_ns(const char *u)
{
    return strcmp(u, "ns") == 0 ? 1 : strcmp(u, "us") == 0 ? 1e3 : strcmp(u, "ms") == 0 ? 1e6 : 1e9;
}

Test(ingest, gbench_sample_groups_repetitions)
{
    const char *path = data("gbench.json");
    pk_resultset *rs = ingest_file_ok(path, NULL);
    cr_assert_eq(rs->n, 4);
    const char *names[] = {"BM_Sum/64", "BM_Sum/512", "BM_Copy", "BM_Fails"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(rs->benches[i].name, names[i]);

    json_t *j = load(path), *rows = json_object_get(j, "benchmarks"), *row;
    size_t idx, k = 0;
    const pk_series *rt = series(rs, "BM_Copy", "real_time"), *ct = series(rs, "BM_Copy",
                                                                           "cpu_time");
    cr_assert_eq(rt->n, 3);
    json_array_foreach(rows, idx, row) {
        if (strcmp(json_string_value(json_object_get(row, "run_name")), "BM_Copy") != 0 ||
            strcmp(json_string_value(json_object_get(row, "run_type")), "iteration") != 0)
            continue;
        double u = unit_ns(json_string_value(json_object_get(row, "time_unit")));
        cr_assert_eq(u, 1e3, "BM_Copy reports in us");
        cr_assert_float_eq(rt->samples[k], json_real_value(json_object_get(row, "real_time")) * u,
                           1e-9);
        cr_assert_float_eq(ct->samples[k], json_real_value(json_object_get(row, "cpu_time")) * u,
                           1e-9);
        cr_assert_float_eq(series(rs, "BM_Copy", "bytes_per_second")->samples[k],
                           json_real_value(json_object_get(row, "bytes_per_second")), 1e-3);
        k++;
    }
    cr_assert_eq(k, 3);
    json_decref(j);

    const pk_bench_data *copy = pk_resultset_find(rs, "BM_Copy");
    cr_assert_str_eq(copy->primary, "real_time");
    cr_assert_eq(rt->kind, PK_UNIT_DURATION);
    cr_assert_eq(series(rs, "BM_Copy", "items")->kind, PK_UNIT_COUNT);
    cr_assert_float_eq(series(rs, "BM_Copy", "items")->samples[2], 42.0, 1e-9);
    cr_assert_not_null(series(rs, "BM_Copy", "rate"));
    cr_assert_eq(series(rs, "BM_Sum/64", "iterations")->n, 3);
    cr_assert_null(series(rs, "BM_Sum/64", "family_index"));
    cr_assert_null(series(rs, "BM_Sum/64", "bytes_per_second"));

    const pk_bench_data *bad = pk_resultset_find(rs, "BM_Fails");
    cr_assert_str_eq(bad->error, "no input file");
    cr_assert_eq(bad->n_series, 0);
    pk_resultset_free(rs);
}

Test(ingest, gbench_aggregates_only_use_the_mean)
{
    const char *path = data("gbench_aggregates.json");
    pk_resultset *rs = ingest_file_ok(path, "agg");
    cr_assert_eq(rs->n, 2);
    cr_assert_str_eq(rs->benches[0].name, "agg/BM_Sum/64");
    cr_assert_str_eq(rs->benches[1].name, "agg/BM_Copy");
    json_t *j = load(path), *rows = json_object_get(j, "benchmarks"), *row;
    size_t idx;
    json_array_foreach(rows, idx, row)
        if (strcmp(json_string_value(json_object_get(row, "name")), "BM_Copy_mean") == 0) {
            const pk_series *rt = series(rs, "agg/BM_Copy", "real_time");
            cr_assert_eq(rt->n, 1);
            cr_assert_float_eq(rt->samples[0], json_real_value(json_object_get(row, "real_time")) *
                               unit_ns(json_string_value(json_object_get(row, "time_unit"))), 1e-9);
        }
    cr_assert_null(series(rs, "agg/BM_Copy", "iterations"));
    cr_assert_not_null(series(rs, "agg/BM_Copy", "items"));
    json_decref(j);
    pk_resultset_free(rs);
}

Test(ingest, gbench_without_run_name_strips_aggregate_suffix)
{
    const char *t = "{\"context\": {}, \"benchmarks\": ["
                    "{\"name\": \"BM_a_mean\", \"aggregate_name\": \"mean\", \"real_time\": 2,"
                    " \"cpu_time\": 2, \"time_unit\": \"ms\"},"
                    "{\"name\": \"BM_a_stddev\", \"aggregate_name\": \"stddev\", \"real_time\": 1,"
                    " \"cpu_time\": 1, \"time_unit\": \"ms\"},"
                    "{\"name\": \"BM_b\", \"real_time\": 5, \"cpu_time\": 4, \"time_unit\": \"s\"},"
                    "{\"name\": \"BM_b\", \"real_time\": 6, \"cpu_time\": 5, \"\": 1}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "old", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_eq(rs->n, 2);
    cr_assert_float_eq(series(rs, "BM_a", "real_time")->samples[0], 2e6, 1e-6);
    const pk_series *b = series(rs, "BM_b", "real_time");
    cr_assert_eq(b->n, 2);
    cr_assert_float_eq(b->samples[0], 5e9, 1e-3);
    cr_assert_float_eq(b->samples[1], 6.0, 1e-9);   /* no time_unit: ns */
    cr_assert_null(series(rs, "BM_b", ""));         /* a nameless counter is dropped */
    pk_resultset_free(rs);
}

/* Rows of several groups interleaved (--benchmark_enable_random_interleaving
 * writes them so): each group keeps its rows in file order, groups come in
 * the order of their first row, and a group of aggregates only still uses
 * its mean. */
Test(ingest, gbench_interleaved_groups_keep_file_order)
{
    const char *t = "{\"context\": {}, \"benchmarks\": ["
                    "{\"name\": \"B/1\", \"run_name\": \"B\", \"run_type\": \"iteration\","
                    " \"real_time\": 1, \"cpu_time\": 1},"
                    "{\"name\": \"A/1\", \"run_name\": \"A\", \"run_type\": \"iteration\","
                    " \"real_time\": 10, \"cpu_time\": 10},"
                    "{\"name\": \"C_mean\", \"run_name\": \"C\", \"run_type\": \"aggregate\","
                    " \"aggregate_name\": \"mean\", \"real_time\": 7, \"cpu_time\": 7},"
                    "{\"name\": \"B/2\", \"run_name\": \"B\", \"run_type\": \"iteration\","
                    " \"real_time\": 2, \"cpu_time\": 2},"
                    "{\"name\": \"A/2\", \"run_name\": \"A\", \"run_type\": \"iteration\","
                    " \"real_time\": 20, \"cpu_time\": 20},"
                    "{\"name\": \"B_mean\", \"run_name\": \"B\", \"run_type\": \"aggregate\","
                    " \"aggregate_name\": \"mean\", \"real_time\": 1.5, \"cpu_time\": 1.5},"
                    "{\"name\": \"B/3\", \"run_name\": \"B\", \"run_type\": \"iteration\","
                    " \"real_time\": 3, \"cpu_time\": 3}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "mix", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_eq(rs->n, 3);
    cr_assert_str_eq(rs->benches[0].name, "B");
    cr_assert_str_eq(rs->benches[1].name, "A");
    cr_assert_str_eq(rs->benches[2].name, "C");
    const pk_series *b = series(rs, "B", "real_time");
    cr_assert_eq(b->n, 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_float_eq(b->samples[i], (double)(i + 1), 1e-9);
    const pk_series *a = series(rs, "A", "real_time");
    cr_assert_eq(a->n, 2);
    cr_assert_float_eq(a->samples[1], 20.0, 1e-9);
    cr_assert_eq(series(rs, "C", "real_time")->n, 1);
    cr_assert_float_eq(series(rs, "C", "real_time")->samples[0], 7.0, 1e-9);
    pk_resultset_free(rs);
}

/* ---- perfkit ----------------------------------------------------------------------- */

Test(ingest, perfkit_sample_has_every_figure)
{
    const char *path = data("perfkit.json");
    pk_resultset *rs = ingest_file_ok(path, NULL);
    json_t *j = load(path), *res = json_object_get(j, "results");
    cr_assert_eq(rs->n, json_array_size(res));
    for (size_t i = 0; i < rs->n; i++) {
        json_t *r = json_array_get(res, i), *runs = json_object_get(r, "runs");
        const pk_bench_data *b = &rs->benches[i];
        cr_assert_str_eq(b->name, json_string_value(json_object_get(r, "name")));
        cr_assert_str_eq(b->primary, "wall");
        const char *keys[] = {"wall_ns", "user_ns", "sys_ns", "max_rss_bytes", "minflt",
                              "majflt", "nvcsw", "nivcsw"};
        const char *figs[] = {"wall", "user", "sys", "rss", "minflt", "majflt", "nvcsw",
                              "nivcsw"};
        for (size_t f = 0; f < 8; f++) {
            const pk_series *s = pk_bench_data_get(b, figs[f]);
            cr_assert_not_null(s, "%s", figs[f]);
            cr_assert_eq(s->n, json_array_size(runs));
            cr_assert_eq(s->kind, f < 3 ? PK_UNIT_DURATION : f == 3 ? PK_UNIT_SIZE
                                                                    : PK_UNIT_COUNT);
            for (size_t k = 0; k < s->n; k++)
                cr_assert_eq(s->samples[k], (double)json_integer_value(
                                 json_object_get(json_array_get(runs, k), keys[f])));
        }
        /* instructions are null in a time-mode run here: no series */
        json_t *ins = json_object_get(json_array_get(runs, 0), "instructions");
        cr_assert_eq(pk_bench_data_get(b, "instructions") != NULL, !json_is_null(ins));
        json_t *ctr = json_object_get(json_array_get(runs, 0), "counters");
        const char *cname;
        json_t *cv;
        json_object_foreach(ctr, cname, cv) {
            const pk_series *s = pk_bench_data_get(b, cname);
            if (json_is_null(cv)) {
                if (strcmp(cname, "instructions") != 0)
                    cr_assert_null(s, "%s is null in the file", cname);
                continue;
            }
            cr_assert_not_null(s, "%s", cname);
            cr_assert_eq(s->kind, strcmp(cname, "task-clock") == 0 ? PK_UNIT_DURATION
                                                                   : PK_UNIT_COUNT);
        }
    }
    json_decref(j);
    pk_resultset_free(rs);
}

Test(ingest, perfkit_instructions_primary)
{
    pk_resultset *rs = ingest_file_ok(data("perfkit_instructions.json"), "pk");
    cr_assert_eq(rs->n, 1);
    cr_assert_str_eq(rs->benches[0].name, "pk/true");
    cr_assert_str_eq(rs->benches[0].primary, "instructions");
    const pk_series *s = series(rs, "pk/true", "instructions");
    cr_assert_eq(s->n, 2);
    cr_assert_gt(s->samples[0], 1000);
    pk_resultset_free(rs);
}

Test(ingest, perfkit_failed_command_keeps_its_message)
{
    const char *t = "{\"schema\": \"perfkit/bench/v1\", \"primary\": \"wall\", \"results\": ["
                    "{\"name\": \"f\", \"failed\": true, \"failure\": {\"run\": 3, \"warmup\": false,"
                    " \"exit_code\": 7, \"signal\": 0, \"timed_out\": false},"
                    " \"runs\": [{\"wall_ns\": 10, \"user_ns\": 1, \"sys_ns\": 2, \"instructions\": null,"
                    " \"max_rss_bytes\": null}]}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "f", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_str_eq(rs->benches[0].error, "run 3 failed with exit code 7");
    cr_assert_eq(series(rs, "f", "wall")->samples[0], 10.0);
    cr_assert_null(series(rs, "f", "rss"));
    pk_resultset_free(rs);
}

/* ---- names ----------------------------------------------------------------------- */

Test(ingest, prefix_and_duplicates)
{
    pk_resultset *rs = ingest_file_ok(data("hyperfine.json"), "nightly");
    cr_assert_str_eq(rs->benches[0].name, "nightly/true");
    cr_assert_str_eq(rs->benches[1].name, "nightly/sleep 0.001");
    /* the same file again without a prefix is fine, with the same one it is not */
    pk_diag d = {0};
    cr_assert_eq(pk_ingest_file(data("hyperfine.json"), PK_IMPORT_AUTO, NULL, rs, &d), PK_OK);
    cr_assert_eq(rs->n, 4);
    cr_assert_eq(pk_ingest_file(data("hyperfine.json"), PK_IMPORT_HYPERFINE, "nightly", rs, &d),
                 PK_EPARSE);
    cr_assert_eq(rs->n, 4, "unchanged on error");
    cr_assert(strstr(d.message, "`nightly/true` is already defined"), "%s", d.message);
    cr_assert_eq(d.line, 4);    /* the first "command" of the file */
    cr_assert_eq(d.column, 18);
    pk_resultset_free(rs);
}

Test(ingest, error_after_a_good_result_rolls_back)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"results\": [\n"
                          "  {\"command\": \"a\", \"times\": [1]},\n"
                          "  {\"command\": \"b\", \"times\": [1]},\n"
                          "  {\"command\": \"a\", \"times\": [true]}]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.line, 4);
    cr_assert_eq(d.column, 30);
    cr_assert_eq(rs->n, 0);
    pk_resultset_free(rs);
}

/* hyperfine true true, and perfkit's own exports of perfkit bench true true:
 * the same command twice in one file is "true", "true #2". */
Test(ingest, the_same_command_twice_gets_a_suffix)
{
    const char *files[] = {"hyperfine_duplicate.json", "perfkit_duplicate.json",
                           "perfkit_hyperfine_duplicate.json"};
    for (size_t i = 0; i < 3; i++) {
        pk_resultset *rs = ingest_file_ok(data(files[i]), NULL);
        cr_assert_eq(rs->n, 2, "%s", files[i]);
        cr_assert_str_eq(rs->benches[0].name, "true");
        cr_assert_str_eq(rs->benches[1].name, "true #2");
        cr_assert_not_null(series(rs, "true #2", "wall"));
        pk_resultset_free(rs);
    }
    pk_resultset *rs = ingest_file_ok(data("hyperfine_duplicate.json"), "hf");
    cr_assert_str_eq(rs->benches[1].name, "hf/true #2");
    /* a name that was in the set before the call is still an error */
    pk_diag d = {0};
    cr_assert_eq(pk_ingest_file(data("hyperfine_duplicate.json"), PK_IMPORT_AUTO, "hf", rs, &d),
                 PK_EPARSE);
    cr_assert(strstr(d.message, "`hf/true` is already defined"), "%s", d.message);
    cr_assert_eq(rs->n, 2);
    pk_resultset_free(rs);

    /* the k-th copy is "#k"; a literal "a #2" already there pushes it on */
    const char *t = "{\"results\": [{\"command\": \"a\", \"times\": [1]},"
                    " {\"command\": \"a #2\", \"times\": [1]},"
                    " {\"command\": \"a\", \"times\": [2]}, {\"command\": \"a\", \"times\": [3]}]}";
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "t", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    cr_assert_eq(rs->n, 4);
    cr_assert_str_eq(rs->benches[2].name, "a #3");
    cr_assert_str_eq(rs->benches[3].name, "a #4");
    cr_assert_float_eq(series(rs, "a #3", "wall")->samples[0], 2e9, 1e-3);
    pk_resultset_free(rs);
}

/* ---- what real tools write ---------------------------------------------------------- */

Test(ingest, syntax_error_has_line_and_column)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"results\": [\n  {\"command\": \"a\",, }]}", PK_IMPORT_AUTO,
                      PK_EPARSE);
    cr_assert_eq(d.line, 2);
    cr_assert_gt(d.column, 15);
    cr_assert(strstr(d.message, "invalid JSON"), "%s", d.message);
    d = fails(rs, "", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_geq(d.line, 1);
    d = fails(rs, "{\"a\": 1, \"a\": 2}", PK_IMPORT_AUTO, PK_EPARSE);   /* duplicate key */
    cr_assert(strstr(d.message, "duplicate"), "%s", d.message);
    pk_resultset_free(rs);
}

Test(ingest, non_number_in_times)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"results\": [\n"
                          "  {\"command\": \"a\", \"times\": [1]},\n"
                          "  {\"command\": \"b\",\n"
                          "   \"times\": [0.1, \"0.2\", 0.3]}]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.line, 4);
    cr_assert_eq(d.column, 19);
    cr_assert(strstr(d.message, "run 2: expected a number, not a string"), "%s", d.message);
    char buf[1400];
    cr_assert(strstr(pk_diag_format(&d, buf, sizeof buf), "t.json:4:19: "), "%s", buf);
    pk_resultset_free(rs);
}

Test(ingest, missing_results_and_wrong_types)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "\n  {\"resultz\": []}", PK_IMPORT_HYPERFINE, PK_EPARSE);
    cr_assert_eq(d.line, 2);
    cr_assert_eq(d.column, 3);
    cr_assert(strstr(d.message, "missing `results`"), "%s", d.message);
    d = fails(rs, "{\"results\": {}}", PK_IMPORT_HYPERFINE, PK_EPARSE);
    cr_assert_eq(d.column, 13);
    d = fails(rs, "{\"results\": [{\"command\": 5, \"times\": [1]}]}", PK_IMPORT_HYPERFINE,
              PK_EPARSE);
    cr_assert_eq(d.column, 26);
    d = fails(rs, "{\"results\": [{\"command\": \"x\", \"times\": []}]}", PK_IMPORT_HYPERFINE,
              PK_EPARSE);
    cr_assert(strstr(d.message, "empty"), "%s", d.message);
    d = fails(rs, "{\"results\": [{\"command\": \"\", \"times\": [1]}]}", PK_IMPORT_HYPERFINE,
              PK_EPARSE);
    cr_assert(strstr(d.message, "empty benchmark name"), "%s", d.message);
    d = fails(rs, "{\"what\": 1}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d.message, "not a format perfkit imports"), "%s", d.message);
    cr_assert_eq(d.line, 1);
    cr_assert_eq(d.column, 1);
    pk_resultset_free(rs);
}

Test(ingest, gbench_unknown_time_unit_and_bad_counter)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"context\": {}, \"benchmarks\": [\n"
                          " {\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, \"time_unit\": \"ns\"},\n"
                          " {\"name\": \"b\", \"real_time\": 1, \"cpu_time\": 1, \"time_unit\": \"ks\"}]}",
                      PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.line, 3);
    cr_assert_eq(d.column, 60);
    cr_assert(strstr(d.message, "unknown time_unit `ks`"), "%s", d.message);
    d = fails(rs, "{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"cpu_time\": 1}]}",
              PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d.message, "missing number `real_time`"), "%s", d.message);
    cr_assert_eq(d.column, 32);
    d = fails(rs, "{\"context\": {}, \"benchmarks\": [{\"name\": \"a\", \"real_time\": \"1\","
                  " \"cpu_time\": 1}]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert_eq(d.column, 59);
    d = fails(rs, "{\"benchmarks\": 3}", PK_IMPORT_GBENCH, PK_EPARSE);
    cr_assert_eq(d.column, 16);
    pk_resultset_free(rs);
}

Test(ingest, perfkit_schema_and_run_errors)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = fails(rs, "{\"schema\": \"perfkit/bench/v9\", \"results\": []}", PK_IMPORT_PERFKIT,
                      PK_EPARSE);
    cr_assert_eq(d.column, 12);
    cr_assert(strstr(d.message, "unsupported schema"), "%s", d.message);
    d = fails(rs, "{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\":"
                  " [{\"wall_ns\": 1, \"user_ns\": 1, \"sys_ns\": 1},\n"
                  "{\"wall_ns\": 1, \"user_ns\": true, \"sys_ns\": 1}]}]}", PK_IMPORT_AUTO,
              PK_EPARSE);
    cr_assert_eq(d.line, 2);
    cr_assert_eq(d.column, 27);
    d = fails(rs, "{\"schema\": \"perfkit/bench/v1\", \"results\": [{\"name\": \"x\", \"runs\":"
                  " [{\"wall_ns\": 1, \"sys_ns\": 1}]}]}", PK_IMPORT_AUTO, PK_EPARSE);
    cr_assert(strstr(d.message, "missing number `user_ns`"), "%s", d.message);
    pk_resultset_free(rs);
}

Test(ingest, file_errors)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = {0};
    cr_assert_eq(pk_ingest_file("/nonexistent/x.json", PK_IMPORT_AUTO, NULL, rs, &d), PK_ENOENT);
    cr_assert_str_eq(d.file, "/nonexistent/x.json");
    cr_assert_eq(pk_ingest_file("/", PK_IMPORT_AUTO, NULL, rs, &d), PK_EINVAL);   /* a directory */
    cr_assert(strstr(d.message, "is a directory"), "%s", d.message);
    cr_assert_eq(pk_ingest_file(NULL, PK_IMPORT_AUTO, NULL, rs, &d), PK_EINVAL);
    cr_assert_eq(pk_ingest_buffer("{}", 2, "x", PK_IMPORT_AUTO, NULL, NULL, &d), PK_EINVAL);
    pk_resultset_free(rs);
}

/* Regular files only, at most 512 MiB: /dev/zero would never end, a FIFO
 * never answer, and a huge file would be held whole and parsed into a tree
 * many times its size. */
Test(ingest, only_regular_files_under_the_limit, .timeout = 20)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = {0};
    cr_assert_eq(pk_ingest_file("/dev/zero", PK_IMPORT_AUTO, NULL, rs, &d), PK_EINVAL);
    cr_assert_str_eq(d.file, "/dev/zero");
    cr_assert_str_eq(d.message, "is a character device, not a regular file");
    char dir[] = "/tmp/pk-test-ingest-XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fifo", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(pk_ingest_file(path, PK_IMPORT_AUTO, NULL, rs, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "is a FIFO, not a regular file");
    unlink(path);
    snprintf(path, sizeof path, "%s/big.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(ftruncate(fileno(f), (off_t)(PK__INPUT_IMPORT_MAX + 1)), 0);   /* sparse */
    fclose(f);
    cr_assert_eq(pk_ingest_file(path, PK_IMPORT_AUTO, NULL, rs, &d), PK_ERANGE);
    cr_assert_str_eq(d.message, "536870913 bytes is larger than the 512 MiB limit for imports");
    unlink(path);
    rmdir(dir);
    cr_assert_eq(rs->n, 0);
    pk_resultset_free(rs);
}

/* Copies of one name count on from the last "#k" given: a literal "a #5"
 * in between is skipped over, not renamed. */
Test(ingest, copies_count_on_past_literal_names)
{
    const char *t = "{\"results\": [{\"command\": \"a\", \"times\": [1]},"
                    " {\"command\": \"a #2\", \"times\": [1]},"
                    " {\"command\": \"a\", \"times\": [2]}, {\"command\": \"a\", \"times\": [3]},"
                    " {\"command\": \"a #5\", \"times\": [5]}, {\"command\": \"a\", \"times\": [6]},"
                    " {\"command\": \"b\", \"times\": [7]}, {\"command\": \"b\", \"times\": [8]}]}";
    pk_resultset *rs;
    pk_resultset_new(&rs);
    cr_assert_eq(pk_ingest_buffer(t, strlen(t), "t", PK_IMPORT_AUTO, NULL, rs, NULL), PK_OK);
    const char *want[] = {"a", "a #2", "a #3", "a #4", "a #5", "a #6", "b", "b #2"};
    const double wall[] = {1, 1, 2, 3, 5, 6, 7, 8};
    cr_assert_eq(rs->n, 8);
    for (size_t i = 0; i < 8; i++) {
        cr_assert_str_eq(rs->benches[i].name, want[i]);
        cr_assert_float_eq(series(rs, want[i], "wall")->samples[0], wall[i] * 1e9, 1e-3);
    }
    pk_resultset_free(rs);
}

/* ---- allocation failures -------------------------------------------------------------- */

static void every_failure(const char *file)
{
    size_t len;
    char *text = slurp(data(file), &len);
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_resultset *rs = NULL;
        pk_err e = pk_resultset_new(&rs);
        pk_diag d;
        if (e == PK_OK) {
            e = pk_ingest_buffer(text, len, file, PK_IMPORT_AUTO, "p", rs, &d);
            if (e == PK_ENOMEM)
                cr_assert_eq(rs->n, 0, "%s: fail %ld: set changed", file, k);
        }
        pk_resultset_free(rs);
        long reqs = fault_requests();
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "%s: leak when failing allocation %ld", file, k);
        cr_assert(e == PK_OK || e == PK_ENOMEM, "%s: fail %ld gave %s", file, k, pk_strerror(e));
        if (e == PK_OK) {
            cr_assert_leq(reqs, k, "%s: succeeded although allocation %ld failed", file, k);
            break;
        }
    }
    cr_assert_gt(k, 3);
    free(text);
}

Test(ingest, every_allocation_failure_is_clean)
{
    every_failure("hyperfine.json");
    every_failure("gbench.json");
    every_failure("gbench_aggregates.json");
    every_failure("perfkit.json");
    every_failure("gbench_nan.json");
    every_failure("hyperfine_duplicate.json");
    every_failure("hyperfine_bom.json");
}

/* ---- running a Google Benchmark binary ------------------------------------------------ */

static const char *gbench_demo(char *buf, size_t len)
{
    const char *dir = getenv("HELPERS");
    snprintf(buf, len, "%s/gbench_demo", dir && *dir ? dir : "build/helpers");
    return access(buf, X_OK) == 0 ? buf : NULL;
}

Test(ingest, gbench_run_demo)
{
    char path[1024];
    if (!gbench_demo(path, sizeof path))
        cr_skip_test("gbench_demo is not built");
    pk_resultset *rs;
    pk_resultset_new(&rs);
    const char *args[] = {"--benchmark_filter=BM_Sum/64|BM_Fails", "--benchmark_min_time=0.01"};
    pk_diag d = {0};
    pk_err e = pk_ingest_gbench_run(path, args, 2, 3, "gb", rs, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), d.message);
    cr_assert_eq(rs->n, 2);
    const pk_series *rt = series(rs, "gb/BM_Sum/64", "real_time");
    cr_assert_eq(rt->n, 3);
    cr_assert_gt(rt->samples[0], 0.1);
    cr_assert_str_eq(pk_resultset_find(rs, "gb/BM_Fails")->error, "no input file");
    pk_resultset_free(rs);
}

Test(ingest, gbench_run_failures)
{
    pk_resultset *rs;
    pk_resultset_new(&rs);
    pk_diag d = {0};
    cr_assert_eq(pk_ingest_gbench_run("/nonexistent/bench", NULL, 0, 1, NULL, rs, &d), PK_ENOENT);
    cr_assert_eq(pk_ingest_gbench_run("false", NULL, 0, 1, NULL, rs, &d), PK_EFAIL);
    cr_assert(strstr(d.message, "exited with code 1"), "%s", d.message);
    char path[1024];
    if (gbench_demo(path, sizeof path)) {
        const char *args[] = {"--benchmark_no_such_flag"};
        cr_assert_eq(pk_ingest_gbench_run(path, args, 1, 1, NULL, rs, &d), PK_EFAIL);
        cr_assert(strstr(d.message, "benchmark_no_such_flag"), "stderr tail: %s", d.message);
    }
    /* a program that exits 0 but writes no benchmark output */
    cr_assert_eq(pk_ingest_gbench_run("true", NULL, 0, 1, NULL, rs, &d), PK_EPARSE);
    cr_assert(strstr(d.message, "`true` did not write Google Benchmark JSON: is it a Google "
                                "Benchmark binary? (it exited 0 and wrote nothing to "
                                "--benchmark_out)"), "%s", d.message);
    cr_assert_eq(rs->n, 0);
    pk_resultset_free(rs);
}
