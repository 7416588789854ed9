/* Unit tests for benchmarks over time: pk_check_history_new
 * (lib/check/history.c: which figure, the statistic per run, changes and
 * their marks in the figure's direction, limits, errors) and its writers
 * (lib/report/check_history.c: text and perfkit/history/v1 JSON, the format
 * table). The history is built by hand, so every value is exact. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include "capture.h"
#include "fault.h"
#include "perfkit/check.h"
#include "perfkit/check_write.h"
#include "store_util.h"

TestSuite(check_history, .init = store_setup, .fini = store_teardown);

/* One run: benchmark "t" with wall = v (ms, 3 equal samples) and "r" with
 * items_per_second = rate and primary figure items_per_second. */
static void put_run(pk_store *s, double wall_ms, double rate)
{
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    pk_bench_data *b;
    double w[3] = {wall_ms * 1e6, wall_ms * 1e6, wall_ms * 1e6}, r[3] = {rate, rate, rate};
    cr_assert_eq(pk_resultset_add(rs, "t", &b), PK_OK);
    cr_assert_eq(pk_bench_data_put(b, "wall", PK_UNIT_DURATION, w, 3), PK_OK);
    cr_assert_eq(pk_bench_data_set_primary(b, "wall"), PK_OK);
    cr_assert_eq(pk_resultset_add(rs, "r", &b), PK_OK);
    cr_assert_eq(pk_bench_data_put(b, "real_time", PK_UNIT_DURATION, w, 3), PK_OK);
    cr_assert_eq(pk_bench_data_put(b, "items_per_second", PK_UNIT_COUNT, r, 3), PK_OK);
    cr_assert_eq(pk_bench_data_set_primary(b, "items_per_second"), PK_OK);
    pk_run_meta m = make_meta("0123456789abcdef0123456789abcdef01234567", "main", "A");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
    pk_resultset_free(rs);
}

static pk_store *three_runs(void)
{
    pk_store *s = open_store(dbpath);
    put_run(s, 10, 100);
    put_run(s, 15, 150);   /* wall +50%: slower; rate +50%: faster */
    put_run(s, 15.3, 90);  /* wall +2%: within 5%; rate -40%: slower */
    return s;
}

static pk_check_history *history(pk_store *s, const char *bench, const char *fig)
{
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    o.benchmark = bench;
    o.figure = fig;
    pk_check_history *h = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_OK, "%s", d.message);
    return h;
}

Test(check_history, defaults)
{
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    cr_assert_str_eq(o.stat, "median");
    cr_assert_eq(o.limit, 30);
    cr_assert_float_eq(o.threshold, 0.05, 1e-12);
    cr_assert_null(o.benchmark);
    cr_assert_null(o.figure);
}

Test(check_history, changes_are_marked_in_the_figure_direction)
{
    pk_store *s = three_runs();
    pk_check_history *h = history(s, "t", NULL);
    cr_assert(h->single);
    cr_assert_eq(h->n, 1);
    const pk_check_history_series *t = &h->series[0];
    cr_assert_str_eq(t->figure, "wall");
    cr_assert_eq(t->unit, PK_UNIT_DURATION);
    cr_assert_eq(t->n, 3);
    cr_assert(isnan(t->rows[0].change));
    cr_assert_float_eq(t->rows[1].change, 0.5, 1e-9);
    cr_assert_eq(t->rows[1].mark, PK_VERDICT_SLOWER);
    cr_assert_float_eq(t->rows[2].change, 0.02, 1e-9);
    cr_assert_eq(t->rows[2].mark, PK_VERDICT_SAME);
    cr_assert_eq(t->rows[2].point.run_id, 3);
    cr_assert_float_eq(t->rows[2].point.value, 15.3e6, 1e-3);
    pk_check_history_free(h);

    /* a rate: higher is better, so going up is faster (it read "slower") */
    h = history(s, "r", NULL);
    const pk_check_history_series *r = &h->series[0];
    cr_assert_str_eq(r->figure, "items_per_second");   /* the primary figure */
    cr_assert_eq(r->rows[1].mark, PK_VERDICT_FASTER);
    cr_assert_eq(r->rows[2].mark, PK_VERDICT_SLOWER);
    pk_check_history_free(h);

    /* --figure picks another one */
    h = history(s, "r", "real_time");
    cr_assert_str_eq(h->series[0].figure, "real_time");
    cr_assert_eq(h->series[0].rows[1].mark, PK_VERDICT_SLOWER);
    pk_check_history_free(h);
    pk_store_close(s);
}

Test(check_history, threshold_limit_and_statistic)
{
    pk_store *s = three_runs();
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    o.benchmark = "t";
    o.threshold = 0.6;
    o.limit = 2;
    o.stat = "max";
    pk_check_history *h = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_OK, "%s", d.message);
    cr_assert_str_eq(h->stat, "max");
    cr_assert_eq(h->series[0].n, 2);   /* the last two runs */
    cr_assert_eq(h->series[0].rows[0].point.run_id, 2);
    cr_assert_eq(h->series[0].rows[1].mark, PK_VERDICT_SAME);
    pk_check_history_free(h);
    pk_store_close(s);
}

Test(check_history, errors_say_what)
{
    pk_store *s = three_runs();
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    pk_check_history *h = (pk_check_history *)1;
    pk_diag d;
    o.stat = "bogus";
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_EINVAL);
    cr_assert_null(h);
    cr_assert_str_eq(d.message,
                     "unknown statistic `bogus`: use mean, median, min, max, stddev, mad or pN");
    o.stat = "median";
    o.benchmark = "nope";
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_ENOENT);
    cr_assert_str_eq(d.message, "no runs of `nope` in history");
    o.benchmark = "t";
    o.figure = "rss";
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_ENOENT);
    cr_assert_str_eq(d.message, "no runs of `t` with rss in history");
    cr_assert_eq(pk_check_history_new(NULL, &o, &h, &d), PK_EINVAL);
    pk_store_close(s);
}

Test(check_history, every_benchmark_and_an_empty_history)
{
    pk_store *s = open_store(dbpath);
    pk_check_history *h = history(s, NULL, NULL);
    cr_assert_not(h->single);
    cr_assert_eq(h->n, 0);
    capture c;
    cr_assert_eq(pk_check_history_write(capture_begin(&c), h, PK_FORMAT_TEXT, NULL), PK_OK);
    char *text = capture_end(&c);
    cr_assert_str_eq(text, "history is empty: run `perfkit check` to record runs\n");
    free(text);
    pk_check_history_free(h);

    put_run(s, 10, 100);
    put_run(s, 20, 100);
    h = history(s, NULL, NULL);
    cr_assert_eq(h->n, 2);
    cr_assert_str_eq(h->series[0].benchmark, "r");   /* sorted */
    cr_assert_str_eq(h->series[1].benchmark, "t");
    cr_assert_eq(h->series[1].n, 2);
    cr_assert_eq(pk_check_history_write(capture_begin(&c), h, PK_FORMAT_TEXT, NULL), PK_OK);
    text = capture_end(&c);
    cr_assert_str_eq(text,
                     "r                                items_per_second        100 "
                     "\xe2\x96\x84\xe2\x96\x84  (2 runs)\n"
                     "t                                wall           20.00 ms "
                     "\xe2\x96\x81\xe2\x96\x88  (2 runs)\n");
    free(text);

    cr_assert_eq(pk_check_history_write(capture_begin(&c), h, PK_FORMAT_JSON, NULL), PK_OK);
    text = capture_end(&c);
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert_not_null(j, "%s: %s", err.text, text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "schema")), "perfkit/history/v1");
    json_t *t = json_array_get(json_object_get(j, "benchmarks"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(t, "name")), "t");
    cr_assert_str_eq(json_string_value(json_object_get(t, "figure")), "wall");
    cr_assert_str_eq(json_string_value(json_object_get(t, "stat")), "median");
    cr_assert_eq(json_integer_value(json_object_get(t, "runs")), 2);
    cr_assert_float_eq(json_real_value(json_object_get(t, "latest")), 20e6, 1e-6);
    json_decref(j);
    free(text);
    pk_check_history_free(h);
    pk_store_close(s);
}

Test(check_history, one_benchmark_written)
{
    pk_store *s = three_runs();
    pk_check_history *h = history(s, "t", NULL);
    capture c;
    cr_assert_eq(pk_check_history_write(capture_begin(&c), h, PK_FORMAT_TEXT, NULL), PK_OK);
    char *text = capture_end(&c);
    /* make_meta's time: 2023-11-14 22:13 UTC */
    cr_assert_str_eq(
        text,
        "t \xe2\x80\x94 wall (median), 3 runs\n"
        "  \xe2\x96\x81\xe2\x96\x88\xe2\x96\x88\n\n"
        "  run    date (UTC)       commit    branch                 median  change\n"
        "  #1     2023-11-14 22:13 0123456   main                 10.00 ms  \n"
        "  #2     2023-11-14 22:13 0123456   main                 15.00 ms  +50.0%  "
        "\xe2\x96\xb2 slower\n"
        "  #3     2023-11-14 22:13 0123456   main                 15.30 ms  +2.0%\n");
    free(text);

    cr_assert_eq(pk_check_history_write(capture_begin(&c), h, PK_FORMAT_JSON, NULL), PK_OK);
    text = capture_end(&c);
    json_t *j = json_loads(text, 0, NULL);
    cr_assert_not_null(j, "%s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "benchmark")), "t");
    json_t *pts = json_object_get(j, "points");
    cr_assert_eq(json_array_size(pts), 3);
    json_t *p = json_array_get(pts, 1);
    cr_assert_eq(json_integer_value(json_object_get(p, "run")), 2);
    cr_assert_eq(json_integer_value(json_object_get(p, "started_unix_ns")),
                 1700000000000000000LL);
    cr_assert_str_eq(json_string_value(json_object_get(p, "branch")), "main");
    cr_assert(json_is_false(json_object_get(p, "dirty")));
    cr_assert_float_eq(json_real_value(json_object_get(p, "value")), 15e6, 1e-6);
    cr_assert_eq(json_integer_value(json_object_get(p, "n")), 3);
    json_decref(j);
    free(text);

    /* the format table */
    cr_assert_eq(pk_check_history_write(stdout, h, PK_FORMAT_MARKDOWN, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_history_write(stdout, h, PK_FORMAT_COUNT, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_history_write(NULL, h, PK_FORMAT_TEXT, NULL), PK_EINVAL);
    FILE *full = fopen("/dev/full", "w");
    cr_assert_eq(pk_check_history_write(full, h, PK_FORMAT_TEXT, NULL), PK_EIO);
    fclose(full);
    pk_check_history_free(h);
    pk_store_close(s);
}

Test(check_history, failed_allocations_are_clean)
{
    pk_store *s = three_runs();
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    /* once unarmed: the store's own decode buffer lives as long as the store */
    pk_check_history *warm = NULL;
    cr_assert_eq(pk_check_history_new(s, &o, &warm, NULL), PK_OK);
    pk_check_history_free(warm);
    bool ok = false;
    for (long k = 0; k < 2000 && !ok; k++) {
        pk_check_history *h = NULL;
        pk_diag d;
        fault_arm(k);
        pk_err e = pk_check_history_new(s, &o, &h, &d);
        pk_check_history_free(h);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
        ok = e == PK_OK;
    }
    cr_assert(ok);
    pk_store_close(s);
}

/* t at 10 ms for 6 runs, then 12 ms for 6; r's rate 100 then 80. */
static pk_store *stepped_runs(void)
{
    pk_store *s = open_store(dbpath);
    for (int i = 0; i < 12; i++)
        put_run(s, i < 6 ? 10 : 12, i < 6 ? 100 : 80);
    return s;
}

Test(check_history, change_points_with_runs_and_direction)
{
    pk_store *s = stepped_runs();
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    o.changes = true;
    pk_check_history *h = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_OK, "%s", d.message);
    cr_assert(h->changes);
    cr_assert_eq(h->n, 2);
    for (size_t i = 0; i < h->n; i++) {
        const pk_check_history_series *x = &h->series[i];
        cr_assert_eq(x->n_changes, 1, "%s", x->benchmark);
        const pk_check_history_change *c = &x->changes[0];
        cr_assert_eq(c->row, 6);
        cr_assert_eq(c->run_before, 6);
        cr_assert_eq(c->run_at, 7);
        cr_assert_str_eq(c->commit_at, "0123456789abcdef0123456789abcdef01234567");
        cr_assert_leq(c->p_value, 0.01);
        /* a time up 20% and a rate down 20%: both slower */
        cr_assert_eq(c->mark, PK_VERDICT_SLOWER, "%s", x->benchmark);
        cr_assert_float_eq(fabs(c->magnitude), 0.2, 1e-9);
    }
    pk_check_history_free(h);
    o.changes = false;
    cr_assert_eq(pk_check_history_new(s, &o, &h, &d), PK_OK, "%s", d.message);
    cr_assert_eq(h->series[0].n_changes, 0);
    cr_assert_null(h->series[0].changes);
    pk_check_history_free(h);
    pk_store_close(s);
}

Test(check_history, change_points_survive_failed_allocations)
{
    pk_store *s = stepped_runs();
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    o.changes = true;
    o.benchmark = "t";
    pk_check_history *warm = NULL;
    cr_assert_eq(pk_check_history_new(s, &o, &warm, NULL), PK_OK);
    pk_check_history_free(warm);
    bool ok = false;
    for (long k = 0; k < 2000 && !ok; k++) {
        pk_check_history *h = NULL;
        fault_arm(k);
        pk_err e = pk_check_history_new(s, &o, &h, NULL);
        if (e == PK_OK)
            cr_assert_eq(h->series[0].n_changes, 1);
        pk_check_history_free(h);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
        ok = e == PK_OK;
    }
    cr_assert(ok);
    pk_store_close(s);
}
