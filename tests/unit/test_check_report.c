/* Unit tests for the perfkit-check writers (lib/report/check_*.c).
 *
 * A pk_check_report is built by hand with one item of every kind of verdict:
 * a budget pass, an over-budget item with tolerance, a regression with its
 * comparison, an improvement, an inconclusive change, a figure not
 * measurable here, a first run without baseline, a size budget and a
 * benchmark that failed to run, under names holding | < & quotes and
 * backticks. Each writer renders into an open_memstream buffer; JUnit output
 * is also parsed by Python's xml.etree (and xmllint when installed). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/check.h"
#include "perfkit/check_write.h"
#include "capture.h"
#include "fault.h"

#include "check_report_util.h"

Test(check_status, names)
{
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_PASS), "pass");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_OVER_BUDGET), "over budget");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_REGRESSED), "regressed");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_IMPROVED), "improved");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_INCONCLUSIVE), "inconclusive");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_NOT_MEASURABLE), "not measurable here");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_NO_BASELINE), "no baseline");
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_ERROR), "error");
    cr_assert_str_eq(pk_check_status_name((pk_check_status)99), "unknown");
}

/* ---- text ------------------------------------------------------------------ */

Test(check_text, rows_summary_and_failed)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render_text(&fx.r, false, false);
    assert_lacks(s, "\033[");
    /* header */
    char *l = line_with(s, "perfkit check");
    cr_assert_not_null(l);
    assert_has(l, "(perfkit.yml)");
    assert_has(l, "run #42");
    assert_has(l, "commit 1a2b3c4d5e (dirty)");
    assert_lacks(l, "1a2b3c4d5e6");
    assert_has(l, "branch main");
    assert_has(l, "ci-3 (Test CPU, 8 cores, x86_64)");
    free(l);
    /* over budget with tolerance */
    l = line_with(s, "wall.p99");
    cr_assert_not_null(l, "%s", s);
    assert_has(l, "61.20 ms");
    assert_has(l, "> 55.00 ms (budget 50ms +10% tolerance)");
    assert_has(l, "+11.3% over");
    assert_has(l, "over budget");
    free(l);
    /* regression with CI and p */
    l = line_with(s, "wall (median)");
    cr_assert_not_null(l);
    assert_has(l, "12.40 ms");
    assert_has(l, "vs 10.30 ms baseline (run #41)");
    assert_has(l, "+20.4% slower [+18.1% \xe2\x80\xa6 +22.9%]");   /* the table's word */
    assert_has(l, "p = 2e-06");
    assert_has(l, "regressed");
    free(l);
    /* improvement, inconclusive */
    l = line_with(s, "48.0 MiB");
    cr_assert_not_null(l, "%s", s);
    assert_has(l, "-20.0% smaller [-22.0% \xe2\x80\xa6 -18.0%]");
    assert_has(l, "improved");
    free(l);
    assert_has(s, "+8.0% [-3.0% \xe2\x80\xa6 +20.0%]");
    assert_has(s, "inconclusive");
    /* not measurable: no zero, the note indented below */
    l = line_with(s, "instructions.mean");
    cr_assert_not_null(l);
    assert_has(l, "\xe2\x80\x94");
    assert_has(l, "(budget 1.2G)");
    assert_has(l, "not measurable here");
    assert_lacks(l, " 0 ");
    free(l);
    assert_has(s, "\n      `instructions` is not measurable here: this machine");
    /* no baseline */
    l = line_with(s, "fresh");
    cr_assert_not_null(l);
    free(l);
    assert_has(s, "no earlier run to compare with");
    /* size and error */
    assert_has(s, "build/app.wasm (size)  1 passed\n");
    l = line_with(s, TICKS);
    cr_assert_not_null(l);
    free(l);
    l = line_with(s, "  run   ");
    cr_assert_not_null(l, "%s", s);
    assert_has(l, "error");
    free(l);
    assert_has(s, "\n      exit code 1\n      stderr: <boom> & \\x01 done\n");
    /* non-verbose: passing budget items collapse into counts, changes stay */
    assert_lacks(s, "wall.p95");
    assert_has(s, "quiet  1 passed\n");
    assert_has(s, "  1 passed\n");   /* sort's wall.p95 */
    l = line_with(s, "10.0 MiB  vs 10.0 MiB");
    cr_assert_not_null(l, "a regression item with a comparison is a change: %s", s);
    assert_has(l, "+0.1% [-1.0%");
    free(l);
    /* the summary */
    assert_has(s, "1 over budget, 1 regressed, 1 error, 1 inconclusive, 1 not measurable, "
                  "1 no baseline, 1 improved, 4 passed \xe2\x80\x94 FAILED\n");
    assert_lacks(s, "--strict");
    free(s);
}

Test(check_text, columns_align)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render_text(&fx.r, false, true);
    /* the verdict column starts at the same display column on every row */
    const char *rows[] = {"wall.p95", "wall.p99", "wall (median)", "instructions.mean"};
    long col = -1;
    for (size_t k = 0; k < 4; k++) {
        char *l = line_with(s, rows[k]);
        cr_assert_not_null(l);
        char *v = strstr(l, k < 3 && k != 2 ? (k == 0 ? "  pass" : "  over budget")
                                             : k == 2 ? "  regressed" : "  not measurable");
        cr_assert_not_null(v, "%s", l);
        long w = 0;
        for (const char *p = l; p < v; p++)
            w += ((unsigned char)*p & 0xC0) != 0x80;
        if (col < 0)
            col = w;
        cr_assert_eq(w, col, "row %zu: column %ld, expected %ld\n%s", k, w, col, s);
        free(l);
    }
    free(s);
}

Test(check_text, verbose_shows_every_item)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render_text(&fx.r, false, true);
    assert_has(s, "wall.p95");
    char *l = line_with(s, "wall.p95");
    assert_has(l, "45.00 ms");
    assert_has(l, "\xe2\x89\xa4 55.00 ms (budget 50ms +10% tolerance)");
    assert_has(l, "pass");
    free(l);
    l = line_with(s, "gzip");
    cr_assert_not_null(l);
    assert_has(l, "87.9 KiB");
    assert_has(l, "(budget 100KB)");
    assert_lacks(l, "tolerance");
    free(l);
    assert_has(s, "64MiB");
    assert_lacks(s, "passed\n1 over");   /* no "N passed" counts: nothing hidden */
    cr_assert_null(strstr(s, "  1 passed\n"), "%s", s);
    free(s);
}

Test(check_text, colour_only_when_asked)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render_text(&fx.r, true, false);
    assert_has(s, "\033[1m\033[31mover budget\033[0m");
    assert_has(s, "\033[1m\033[31mregressed\033[0m");
    assert_has(s, "\033[32mimproved\033[0m");
    assert_has(s, "\033[33minconclusive\033[0m");
    assert_has(s, "\033[33mnot measurable here\033[0m");
    assert_has(s, "\033[1m\033[31mFAILED\033[0m");
    free(s);
    s = render_text(&fx.r, false, true);
    assert_lacks(s, "\033");
    free(s);
}

Test(check_text, strict_and_ok)
{
    fixture fx;
    fixture_init(&fx, true);
    char *s = render_text(&fx.r, true, false);
    assert_has(s, "(--strict: 1 not measurable, 1 inconclusive count as failures)\n");
    assert_has(s, "\033[1m\033[31minconclusive\033[0m");   /* a failure under strict */
    free(s);

    /* only the passing items: ok */
    fixture ok;
    fixture_init(&ok, true);
    size_t n = 0;
    for (size_t i = 0; i < ok.r.n_items; i++)
        if (ok.items[i].status == PK_CHECK_PASS)
            ok.items[n++] = ok.items[i];
    ok.r.n_items = n;
    finish(&ok);
    s = render_text(&ok.r, false, false);
    assert_has(s, "4 passed \xe2\x80\x94 ok\n");
    assert_lacks(s, "FAILED");
    assert_lacks(s, "--strict");
    free(s);

    /* an empty report fails, and says why */
    ok.r.n_items = 0;
    finish(&ok);
    ok.r.run.id = 0;
    ok.r.run.commit[0] = '\0';
    s = render_text(&ok.r, false, false);
    assert_has(s, "run not stored");
    assert_has(s, "not in git");
    assert_has(s, "no checks: nothing was measured \xe2\x80\x94 FAILED\n");
    free(s);
}

/* ---- JSON ------------------------------------------------------------------ */

#define JSTR(o, k) json_string_value(json_object_get((o), (k)))
#define JINT(o, k) json_integer_value(json_object_get((o), (k)))
#define JREAL(o, k) json_number_value(json_object_get((o), (k)))

Test(check_json, schema_counts_and_items)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render(pk_check_write_json, &fx.r);
    json_t *d = capture_json(s);
    cr_assert_str_eq(JSTR(d, "schema"), "perfkit/check/v1");
    json_t *run = json_object_get(d, "run");
    cr_assert_eq(JINT(run, "id"), 42);
    cr_assert_str_eq(JSTR(run, "started"), "2023-11-14T22:13:20.123Z");
    cr_assert_str_eq(JSTR(run, "commit"), fx.r.run.commit);
    cr_assert_str_eq(JSTR(run, "branch"), "main");
    cr_assert(json_is_true(json_object_get(run, "dirty")));
    cr_assert_str_eq(JSTR(run, "perfkit_version"), "0.1.0");
    cr_assert_str_eq(JSTR(run, "fingerprint"), "00112233aabbccdd");
    cr_assert_str_eq(JSTR(run, "config_hash"), "deadbeefdeadbeef");
    cr_assert_str_eq(JSTR(json_object_get(run, "machine"), "cpu_model"), "Test CPU");
    cr_assert_eq(JINT(json_object_get(run, "machine"), "cores"), 8);
    cr_assert_str_eq(JSTR(d, "config"), "perfkit.yml");
    cr_assert(json_is_true(json_object_get(d, "failed")));
    cr_assert(json_is_false(json_object_get(d, "strict")));

    json_t *c = json_object_get(d, "counts");
    cr_assert_eq(json_object_size(c), 8);
    cr_assert_eq(JINT(c, "pass"), 4);
    cr_assert_eq(JINT(c, "over_budget"), 1);
    cr_assert_eq(JINT(c, "regressed"), 1);
    cr_assert_eq(JINT(c, "improved"), 1);
    cr_assert_eq(JINT(c, "inconclusive"), 1);
    cr_assert_eq(JINT(c, "not_measurable"), 1);
    cr_assert_eq(JINT(c, "no_baseline"), 1);
    cr_assert_eq(JINT(c, "error"), 1);

    json_t *items = json_object_get(d, "items");
    cr_assert_eq(json_array_size(items), fx.r.n_items);
    json_t *ob = json_array_get(items, 1);
    cr_assert_str_eq(JSTR(ob, "kind"), "budget");
    cr_assert_str_eq(JSTR(ob, "status"), "over_budget");
    cr_assert_str_eq(JSTR(ob, "benchmark"), "sort");
    cr_assert_str_eq(JSTR(ob, "figure"), "wall");
    cr_assert_str_eq(JSTR(ob, "stat"), "p99");
    cr_assert_str_eq(JSTR(ob, "unit"), "ns");
    cr_assert_float_eq(JREAL(ob, "current"), 61.2e6, 1e-3);
    cr_assert_float_eq(JREAL(ob, "limit"), 55e6, 1e-3);
    cr_assert_str_eq(JSTR(ob, "limit_text"), "50ms");
    cr_assert(json_is_null(json_object_get(ob, "baseline")));
    cr_assert(json_is_null(json_object_get(ob, "baseline_run")));
    cr_assert(json_is_null(json_object_get(ob, "comparison")));
    cr_assert(json_is_null(json_object_get(ob, "note")));
    cr_assert_eq(JINT(ob, "n_current"), 30);
    cr_assert_eq(JINT(ob, "line"), 12);
    cr_assert_eq(JINT(ob, "column"), 33);

    json_t *rg = json_array_get(items, 2);
    cr_assert_str_eq(JSTR(rg, "kind"), "regression");
    cr_assert_str_eq(JSTR(rg, "status"), "regressed");
    cr_assert(json_is_null(json_object_get(rg, "limit")));
    cr_assert(json_is_null(json_object_get(rg, "limit_text")));
    cr_assert_float_eq(JREAL(rg, "baseline"), 10.3e6, 1e-3);
    cr_assert_eq(JINT(rg, "baseline_run"), 41);
    cr_assert_eq(JINT(rg, "n_baseline"), 30);
    cr_assert(json_is_null(json_object_get(rg, "line")));
    json_t *cm = json_object_get(rg, "comparison");
    cr_assert_float_eq(JREAL(cm, "ratio"), 1.204, 1e-12);
    cr_assert_float_eq(JREAL(cm, "ci_lo"), 1.181, 1e-12);
    cr_assert_float_eq(JREAL(cm, "ci_hi"), 1.229, 1e-12);
    cr_assert_float_eq(JREAL(cm, "p_value"), 2e-6, 1e-18);
    cr_assert_str_eq(JSTR(cm, "statistic"), "median");

    json_t *im = json_array_get(items, 3);
    cr_assert_str_eq(JSTR(im, "benchmark"), WEIRD);
    cr_assert_str_eq(JSTR(im, "unit"), "bytes");
    json_t *nm = json_array_get(items, 5);
    cr_assert_str_eq(JSTR(nm, "status"), "not_measurable");
    cr_assert(json_is_null(json_object_get(nm, "current")), "never 0 for not measured");
    cr_assert_str_eq(JSTR(nm, "unit"), "count");
    cr_assert_not_null(strstr(JSTR(nm, "note"), "hardware counters"));
    json_t *sz = json_array_get(items, 7);
    cr_assert_str_eq(JSTR(sz, "kind"), "size");
    cr_assert_float_eq(JREAL(sz, "limit"), 100000, 1e-9);
    json_t *er = json_array_get(items, 8);
    cr_assert_str_eq(JSTR(er, "status"), "error");
    cr_assert(json_is_null(json_object_get(er, "current")));
    cr_assert_str_eq(JSTR(er, "note"), "exit code 1\nstderr: <boom> & \x01 done");
    json_decref(d);
    free(s);
}

Test(check_json, empty_metadata_is_null_and_bad_utf8_survives)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.r.run.id = 0;
    fx.r.run.started_unix_ns = 0;
    fx.r.run.commit[0] = fx.r.run.branch[0] = fx.r.config_path[0] = '\0';
    fx.items[0].benchmark = "bad\xff name";
    char *s = render(pk_check_write_json, &fx.r);
    json_t *d = capture_json(s);
    json_t *run = json_object_get(d, "run");
    cr_assert(json_is_null(json_object_get(run, "id")));
    cr_assert(json_is_null(json_object_get(run, "started")));
    cr_assert(json_is_null(json_object_get(run, "commit")));
    cr_assert(json_is_null(json_object_get(run, "branch")));
    cr_assert(json_is_null(json_object_get(d, "config")));
    cr_assert_str_eq(JSTR(json_array_get(json_object_get(d, "items"), 0), "benchmark"),
                     "bad? name");
    json_decref(d);
    free(s);
}

/* A run the history could not take: JSON says stored false and why; a
 * stored run says stored true and no error (the keys are new: old readers
 * ignore them). */
Test(check_json, stored_and_store_error)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render(pk_check_write_json, &fx.r);
    json_t *d = capture_json(s);
    cr_assert(json_is_true(json_object_get(d, "stored")));
    cr_assert(json_is_null(json_object_get(d, "store_error")));
    json_decref(d);
    free(s);

    fx.r.run.id = 0;
    fx.r.store_err = PK_EIO;
    snprintf(fx.r.store_error, sizeof fx.r.store_error,
             "history h.db: database or disk is full while storing a result");
    s = render(pk_check_write_json, &fx.r);
    d = capture_json(s);
    cr_assert(json_is_false(json_object_get(d, "stored")));
    cr_assert_str_eq(JSTR(d, "store_error"), fx.r.store_error);
    cr_assert(json_is_true(json_object_get(d, "failed")), "the verdict is kept");
    cr_assert_eq(json_array_size(json_object_get(d, "items")), fx.r.n_items);
    json_decref(d);
    free(s);
}

/* ---- Markdown -------------------------------------------------------------- */

/* The pull-request comment says the run is not in the history, and why
 * (escaped like any free text): stderr never reaches the comment. */
Test(check_markdown, says_when_the_run_was_not_stored)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.r.run.id = 0;
    fx.r.store_err = PK_EPERM;
    snprintf(fx.r.store_error, sizeof fx.r.store_error,
             "history a|b.db: attempt to write a readonly database");
    char *s = render(pk_check_write_markdown, &fx.r);
    assert_has(s, " \xc2\xb7 **run not stored in the history**: history a\\|b.db: attempt to "
                  "write a readonly database");
    cr_assert_null(strstr(s, " \xc2\xb7 run #"), "%s", s);
    free(s);
    fx.r.run.id = 42;
    fx.r.store_err = PK_OK;
    fx.r.store_error[0] = '\0';
    s = render(pk_check_write_markdown, &fx.r);
    assert_has(s, " \xc2\xb7 run #42");
    cr_assert_null(strstr(s, "not stored"), "%s", s);
    free(s);
}

Test(check_markdown, headline_tables_escaping_and_details)
{
    fixture fx;
    fixture_init(&fx, false);
    char *s = render(pk_check_write_markdown, &fx.r);
    cr_assert_eq(strncmp(s, "### \xe2\x9d\x8c perfkit check failed: 1 over budget, 1 regressed",
                         strlen("### \xe2\x9d\x8c perfkit check failed: 1 over budget, 1 regressed")),
                 0, "%s", s);
    assert_has(s, "| Benchmark | Figure | Current | Budget / Baseline | Change | Verdict |\n"
                  "|:---|:---|---:|:---|:---|:---|\n");
    /* failures first: over budget, regressed, error before improved etc. */
    const char *ob = strstr(s, "| `sort` | `wall.p99` | 61.20 ms | 55.00 ms (budget 50ms +10% "
                               "tolerance) | +11.3% over | \xe2\x9d\x8c over budget |");
    cr_assert_not_null(ob, "%s", s);
    const char *rg = strstr(s, "| `sort` | `wall (median)` | 12.40 ms | 10.30 ms (run #41) | "
                               "+20.4% slower [+18.1% \xe2\x80\xa6 +22.9%], p = 2e-06 | "
                               "\xe2\x9d\x8c regressed |");
    cr_assert_not_null(rg, "%s", s);
    const char *er = strstr(s, "| `` broken`tick `` | `run` | \xe2\x80\x94 | \xe2\x80\x94 |  | "
                               "\xe2\x9d\x8c error<br>exit code 1 stderr: &lt;boom&gt;");
    cr_assert_null(er);   /* '>' needs no escape in Markdown */
    er = strstr(s, "| `` broken`tick `` | `run` | \xe2\x80\x94 | \xe2\x80\x94 |  | "
                   "\xe2\x9d\x8c error<br>exit code 1 stderr: &lt;boom> &amp;   done |");
    cr_assert_not_null(er, "%s", s);
    const char *im = strstr(s, "| `a\\|b<c>&\"d'` | `rss (median)` | 48.0 MiB |");
    cr_assert_not_null(im, "%s", s);
    cr_assert(ob < rg && rg < er && er < im, "failures first");
    assert_has(s, "\xe2\x9a\xa0\xef\xb8\x8f not measurable here<br>`instructions` is not "
                  "measurable here");
    assert_has(s, "\xe2\x9a\xa0\xef\xb8\x8f inconclusive |");
    assert_has(s, "\xe2\x9c\x85 improved |");
    /* passing items collapsed */
    const char *det = strstr(s, "<details><summary>4 passed</summary>\n\n| Benchmark |");
    cr_assert_not_null(det, "%s", s);
    cr_assert(det > im);
    const char *p95 = strstr(s, "| `sort` | `wall.p95` |");
    cr_assert(p95 && p95 > det && p95 < strstr(s, "</details>"));
    assert_has(s, "| `build/app.wasm` | `gzip` | 87.9 KiB | 97.7 KiB (budget 100KB) |");
    /* footer */
    assert_has(s, "Machine: Test CPU (8 cores), Linux 6.1, x86_64");
    assert_has(s, " \xc2\xb7 commit `1a2b3c4d5e` (dirty) on `main` \xc2\xb7 run #42 \xc2\xb7 "
                  "perfkit 0.1.0\n");
    /* every table row has the header's 6 cells: 7 unescaped pipes */
    for (const char *p = s; (p = strstr(p, "\n| ")) != NULL; p++) {
        const char *e = strchr(p + 1, '\n');
        int pipes = 0;
        for (const char *q = p + 1; q < e; q++)
            pipes += *q == '|' && q[-1] != '\\';
        cr_assert_eq(pipes, 7, "row: %.*s", (int)(e - p - 1), p + 1);
    }
    free(s);
}

Test(check_markdown, all_passed)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.r.n_items = 1;
    finish(&fx);
    char *s = render(pk_check_write_markdown, &fx.r);
    assert_has(s, "### \xe2\x9c\x85 perfkit check passed: 1 passed\n\n<details>");
    free(s);
}

/* ---- JUnit ----------------------------------------------------------------- */

/* Two minima on rates added to the fixture: one passing inside its 10%
 * tolerance, one below: "≥" and "below minimum" in every writer. */
Test(check_minimum, every_writer_says_so)
{
    fixture fx;
    fixture_init(&fx, false);
    pk_check_item *it = add(&fx, PK_ITEM_BUDGET, PK_CHECK_PASS, "micro", "items_per_second",
                            "median", PK_UNIT_COUNT);
    it->current = 12.7e6, it->limit = 0.9e6, it->limit_text = "1M", it->bound = PK_BOUND_MIN;
    it = add(&fx, PK_ITEM_BUDGET, PK_CHECK_OVER_BUDGET, "micro", "bytes_per_second", "mean",
             PK_UNIT_COUNT);
    it->current = 1.6e9, it->limit = 2e9, it->limit_text = "2G", it->bound = PK_BOUND_MIN;
    it->pos = (pk_src_pos){40, 31};
    finish(&fx);
    char *s = render_text(&fx.r, false, true), *l = line_with(s, "bytes_per_second.mean");
    assert_has(l, "1.600 G  < 2.000 G (budget \xe2\x89\xa5 2G)");
    assert_has(l, "-20.0% under");
    assert_has(l, "below minimum");
    free(l);
    l = line_with(s, "items_per_second.median");
    assert_has(l, "\xe2\x89\xa5 900.0 K (budget \xe2\x89\xa5 1M -10% tolerance)");
    free(l);
    assert_has(s, "> 55.00 ms (budget 50ms +10% tolerance)");   /* a maximum */
    assert_has(s, "1 over budget, 1 below minimum, 1 regressed");
    free(s);

    json_t *d = capture_json(s = render(pk_check_write_json, &fx.r));
    json_t *items = json_object_get(d, "items");
    cr_assert_str_eq(JSTR(json_array_get(items, 12), "bound"), "min");
    cr_assert_str_eq(JSTR(json_array_get(items, 12), "status"), "over_budget");
    cr_assert_str_eq(JSTR(json_array_get(items, 11), "bound"), "min");
    cr_assert_str_eq(JSTR(json_array_get(items, 1), "bound"), "max");
    cr_assert_str_eq(JSTR(json_array_get(items, 7), "bound"), "max", "sizes are maxima");
    cr_assert(json_is_null(json_object_get(json_array_get(items, 2), "bound")));
    json_decref(d);
    free(s);

    s = render(pk_check_write_markdown, &fx.r);
    assert_has(s, "| 1.600 G | \xe2\x89\xa5 2.000 G (budget \xe2\x89\xa5 2G) | -20.0% under | "
                  "\xe2\x9d\x8c below minimum |");
    assert_has(s, "perfkit check failed: 1 over budget, 1 below minimum,");
    free(s);
    char *path = junit_file(&fx.r, &s);
    assert_has(s, "<failure message=\"bytes_per_second.mean 1.600 G &lt; 2.000 G (budget "
                  "\xe2\x89\xa5 2G) -20.0% under\" type=\"below minimum\">");
    assert_has(s, "perfkit.yml:40:31\n");
    unlink(path);
    free(s);
}

/* ---- errors ---------------------------------------------------------------- */

Test(check_write, write_error_is_eio)
{
    fixture fx;
    fixture_init(&fx, false);
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    pk_write_opts o = {0};
    cr_assert_eq(pk_check_write_text(f, &fx.r, &o), PK_EIO);
    clearerr(f);
    cr_assert_eq(pk_check_write_json(f, &fx.r), PK_EIO);
    clearerr(f);
    cr_assert_eq(pk_check_write_markdown(f, &fx.r), PK_EIO);
    clearerr(f);
    cr_assert_eq(pk_check_write_junit(f, &fx.r), PK_EIO);
    fclose(f);
    cr_assert_eq(pk_check_write_text(NULL, &fx.r, &o), PK_EINVAL);
    cr_assert_eq(pk_check_write_json(stdout, NULL), PK_EINVAL);
    cr_assert_eq(pk_check_write_markdown(NULL, &fx.r), PK_EINVAL);
    cr_assert_eq(pk_check_write_junit(stdout, NULL), PK_EINVAL);
}

static pk_err text_default(FILE *f, const pk_check_report *r)
{
    return pk_check_write_text(f, r, NULL);
}

Test(check_write, failed_allocation_is_enomem_without_leaks)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.items[0].benchmark = "bad\xff name";   /* JSON copies it to replace the byte */
    writer ws[] = {text_default, pk_check_write_json, pk_check_write_markdown,
                   pk_check_write_junit};
    for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
        bool succeeded = false;
        long fail_at;
        for (fail_at = 0; fail_at < 1000 && !succeeded; fail_at++) {
            capture c;
            FILE *f = capture_begin(&c);
            fault_arm(fail_at);
            pk_err e = ws[k](f, &fx.r);
            fault_disarm();
            free(capture_end(&c));
            cr_assert_eq(fault_live(), 0, "writer %zu fail_at %ld leaked %ld", k, fail_at,
                         fault_live());
            if (e == PK_OK)
                succeeded = true;
            else
                cr_assert_eq(e, PK_ENOMEM, "writer %zu fail_at %ld: %d", k, fail_at, e);
        }
        cr_assert(succeeded);
        cr_assert_gt(fail_at, 1, "writer %zu must have allocated", k);
    }
}

/* ---- the one entry point ----------------------------------------------------- */

Test(check_write, table_dispatches_every_format_and_refuses_the_others)
{
    fixture fx;
    fixture_init(&fx, false);
    static const struct {
        pk_format fmt;
        writer w;
    } rows[] = {
        {PK_FORMAT_JSON, pk_check_write_json},
        {PK_FORMAT_MARKDOWN, pk_check_write_markdown},
        {PK_FORMAT_JUNIT, pk_check_write_junit},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        char *want = render(rows[k].w, &fx.r);
        capture c;
        cr_assert_eq(pk_check_write(capture_begin(&c), &fx.r, rows[k].fmt, NULL), PK_OK);
        char *got = capture_end(&c);
        cr_assert_str_eq(got, want, "%s", pk_format_name(rows[k].fmt));
        free(got);
        free(want);
    }
    /* text honours the options */
    pk_write_opts o = {.color = true, .verbose = true};
    char *want = render_text(&fx.r, true, true);
    capture c;
    cr_assert_eq(pk_check_write(capture_begin(&c), &fx.r, PK_FORMAT_TEXT, &o), PK_OK);
    char *got = capture_end(&c);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);

    cr_assert_eq(pk_check_write(stdout, &fx.r, PK_FORMAT_CSV, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_write(stdout, &fx.r, PK_FORMAT_HYPERFINE_JSON, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_write(stdout, &fx.r, PK_FORMAT_COUNT, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_write(stdout, &fx.r, (pk_format)-1, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_check_write(NULL, &fx.r, PK_FORMAT_JSON, NULL), PK_EINVAL);
}

Test(check_status, names_and_the_failing_rule)
{
    cr_assert_str_eq(pk_check_status_name(PK_CHECK_NOT_MEASURABLE), "not measurable here");
    cr_assert_str_eq(pk_check_status_name((pk_check_status)99), "unknown");
    for (int s = PK_CHECK_PASS; s <= PK_CHECK_ERROR; s++) {
        bool always = s == PK_CHECK_OVER_BUDGET || s == PK_CHECK_REGRESSED || s == PK_CHECK_ERROR;
        bool strict = always || s == PK_CHECK_NOT_MEASURABLE || s == PK_CHECK_INCONCLUSIVE;
        cr_assert_eq(pk_check_status_fails((pk_check_status)s, false), always, "%d", s);
        cr_assert_eq(pk_check_status_fails((pk_check_status)s, true), strict, "%d", s);
    }
}
