/* Unit tests for the gate as one library call (lib/check/gate.c, meta.c,
 * baseline.c, compare.c): pk_check_run end to end on imported results (no
 * timing: the samples come from a JSON file), its errors, the baseline
 * policy over a history built by hand, comparing two stored runs, the
 * run's metadata, a report that checked nothing, and verdicts that survive
 * a history that cannot take the run (a lock, a file-size limit). */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/clock.h"
#include "fault.h"
#include "perfkit/check.h"
#include "perfkit/machine.h"
#include "store_util.h"

static char cfgpath[160];

static void setup(void)
{
    store_setup();
    snprintf(cfgpath, sizeof cfgpath, "%s/perfkit.yml", tmpdir);
}

static void teardown(void)
{
    store_teardown();
}

TestSuite(check_run, .init = setup, .fini = teardown);

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* hyperfine JSON of one command with these five times (seconds) */
static void write_import(const char *name, double scale)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"results\": [{\"command\": \"a\", \"times\": [%g, %g, %g, %g, %g]}]}\n",
             0.010 * scale, 0.011 * scale, 0.0105 * scale, 0.0102 * scale, 0.0108 * scale);
    write_file(name, text);
}

/* A config in tmpdir (history .perfkit/history.db beside it) importing
 * a.json (absolute: imports are relative to the working directory). */
static pk_config *config(const char *extra)
{
    char yml[1024];
    snprintf(yml, sizeof yml,
             "version: 1\n"
             "benchmarks:\n"
             "  imp:\n"
             "    import: %s/a.json\n"
             "    budgets: { wall.median: 1s }\n"
             "%s",
             tmpdir, extra ? extra : "");
    pk_config *c = NULL;
    pk_diag d;
    pk_err e = pk_config_parse(yml, strlen(yml), cfgpath, &c, &d);
    cr_assert_eq(e, PK_OK, "%s", d.message);
    return c;
}

static const pk_check_item *find(const pk_check_report *r, pk_check_kind kind, const char *bench)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].kind == kind && strcmp(r->items[i].benchmark, bench) == 0)
            return &r->items[i];
    cr_assert_fail("no item for %s", bench);
    return NULL;
}

static size_t stored_runs(void)
{
    pk_store *s = open_store(dbpath);
    pk_run_meta *runs = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    pk_free(runs);
    pk_store_close(s);
    return n;
}

Test(check_run, stores_the_run_and_compares_the_next_with_it)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_run_meta m = make_meta("", "main", "fp-test");
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_str_eq(d.message, "");
    cr_assert_not(r->failed);
    cr_assert_eq(r->run.id, 1);   /* the library set it: nobody patches the report */
    cr_assert_str_eq(r->run.branch, "main");
    cr_assert_str_eq(r->run.fingerprint, "fp-test");
    cr_assert_str_eq(r->config_path, cfgpath);
    cr_assert_eq(find(r, PK_ITEM_BUDGET, "imp/a")->status, PK_CHECK_PASS);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->status, PK_CHECK_NO_BASELINE);
    pk_check_report_free(r);

    /* the second run finds the first on main on this machine */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->run.id, 2);
    const pk_check_item *reg = find(r, PK_ITEM_REGRESSION, "imp/a");
    cr_assert_eq(reg->baseline_run, 1);
    cr_assert_eq(reg->status, PK_CHECK_PASS);
    pk_check_report_free(r);

    /* three times slower after two runs: the run-to-run noise is unknown,
     * so inconclusive (said in the note), not regressed on a within-run test */
    write_import("a.json", 3.0);
    o.no_store = true;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    reg = find(r, PK_ITEM_REGRESSION, "imp/a");
    cr_assert_eq(reg->status, PK_CHECK_INCONCLUSIVE);
    cr_assert_eq(reg->mode, PK_CHECK_MODE_HISTORY);
    cr_assert_eq(reg->n_runs, 2);
    cr_assert_not_null(strstr(reg->note, "only 2 earlier runs on main"), "%s", reg->note);
    cr_assert_not_null(strstr(reg->note, "--pair"), "%s", reg->note);
    cr_assert_not(r->failed);
    pk_check_report_free(r);

    /* a third run like the first two: now three times slower is beyond the
     * window's drift and the threshold — regressed against the window's
     * median, and the gate fails */
    write_import("a.json", 1.0);
    o.no_store = false;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    pk_check_report_free(r);
    write_import("a.json", 3.0);
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    reg = find(r, PK_ITEM_REGRESSION, "imp/a");
    cr_assert_eq(reg->status, PK_CHECK_REGRESSED, "%s", reg->note);
    cr_assert_eq(reg->baseline_run, 0);   /* the centre of the window, no one run */
    cr_assert_eq(reg->n_runs, 3);
    cr_assert_float_eq(reg->baseline, 0.0105e9, 1.0);
    cr_assert(r->failed);
    pk_check_report_free(r);
    cr_assert_eq(stored_runs(), 4);
    pk_config_free(c);
}

Test(check_run, no_store_reads_history_and_writes_nothing)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.no_store = true;
    pk_check_report *r = NULL;
    pk_diag d;
    /* no history yet: no baselines, and no file appears */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->run.id, 0);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->status, PK_CHECK_NO_BASELINE);
    pk_check_report_free(r);
    struct stat st;
    cr_assert_neq(stat(dbpath, &st), 0, "--no-store created the history");

    /* with a history: compared, still not stored */
    o.no_store = false;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    pk_check_report_free(r);
    o.no_store = true;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->run.id, 0);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->baseline_run, 1);
    pk_check_report_free(r);
    cr_assert_eq(stored_runs(), 1);

    /* o->history points elsewhere */
    char other[256];
    snprintf(other, sizeof other, "%s/other.db", tmpdir);
    o.no_store = false;
    o.history = other;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->run.id, 1);
    pk_check_report_free(r);
    cr_assert_eq(stat(other, &st), 0);
    cr_assert_eq(stored_runs(), 1);
    pk_config_free(c);
}

Test(check_run, only_matching_nothing_is_an_input_error)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.only = "zzz";
    pk_check_report *r = (pk_check_report *)1;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_ENOENT);
    cr_assert_null(r);
    cr_assert_str_eq(d.message, "no benchmark matches --only `zzz` (the config has `imp`) — "
                                "nothing has run");
    struct stat st;
    cr_assert_neq(stat(dbpath, &st), 0, "the history was touched before the input error");
    /* pk_check_collect says the same to a program calling it directly */
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_check_collect(c, &o, rs, &d), PK_ENOENT);
    cr_assert_eq(rs->n, 0);
    pk_resultset_free(rs);

    o.only = "im";   /* a substring that matches runs as before */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_not(r->failed);
    pk_check_report_free(r);
    pk_config_free(c);
}

Test(check_run, an_import_without_results_is_an_input_error)
{
    write_file("a.json", "{\"context\": {}, \"benchmarks\": []}\n");
    pk_config *c = config(NULL);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.no_store = true;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_EPARSE);
    cr_assert_null(r);
    cr_assert(strstr(d.file, "/a.json"), "%s", d.file);
    cr_assert_eq(d.line, 1);
    cr_assert(strstr(d.message, "no benchmark results"), "%s", d.message);
    pk_config_free(c);
}

Test(check_run, a_report_with_nothing_checked_fails)
{
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    pk_check_report *r = NULL;
    cr_assert_eq(pk_check_evaluate(NULL, rs, NULL, NULL, &r), PK_OK);
    cr_assert_eq(r->n_items, 0);
    cr_assert(r->failed);
    cr_assert_eq(r->run.id, 0);
    pk_check_report_free(r);
    /* the run's metadata comes in with the options */
    pk_run_meta m = make_meta("abc", "topic", "fp");
    m.id = 7;
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    cr_assert_eq(pk_check_evaluate(NULL, rs, NULL, &o, &r), PK_OK);
    cr_assert_eq(r->run.id, 7);
    cr_assert_str_eq(r->run.branch, "topic");
    cr_assert_str_eq(r->run.machine.hostname, "ci-runner-1");
    pk_check_report_free(r);
    pk_resultset_free(rs);
}

static void count_progress(void *ud, const pk_check_progress *p)
{
    (void)p;
    ++*(size_t *)ud;
}

Test(check_run, baseline_reference_errors)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.no_store = true;
    o.baseline = "1";
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_ENOENT);
    cr_assert_str_eq(d.message, "--baseline `1`: there is no history yet — nothing has run");
    o.baseline = NULL;
    o.no_store = false;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    pk_check_report_free(r);
    o.baseline = "99";
    size_t calls = 0;   /* resolved before anything runs: no progress at all */
    o.progress = count_progress;
    o.progress_ud = &calls;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_ENOENT);
    cr_assert_null(r);
    cr_assert_eq(calls, 0, "a benchmark started before --baseline was resolved");
    cr_assert_str_eq(d.message, "--baseline: no run 99: the history has run 1 only — nothing has run", "%s", d.message);
    o.baseline = "mian";   /* no branch here to suggest: said so, before anything ran */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_ENOENT);
    cr_assert_str_eq(d.message, "--baseline: 'mian' is not a run id, commit or branch in history"
                                " — nothing has run");
    o.progress = NULL;
    cr_assert_eq(stored_runs(), 1, "a failed gate stored its run");
    o.baseline = "latest";
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->baseline_run, 1);
    pk_check_report_free(r);
    pk_config_free(c);
}

Test(check_run, a_foreign_history_is_reported_and_left_alone)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/foreign.db", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("garbage garbage garbage garbage", f);
    fclose(f);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.history = path;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_ECORRUPT);
    cr_assert_null(r);
    cr_assert(strstr(d.message, "foreign.db"), "%s", d.message);
    size_t n;
    unsigned char *text = slurp(path, &n);
    cr_assert_eq(n, strlen("garbage garbage garbage garbage"));
    free(text);
    pk_config_free(c);
}

Test(check_run, a_stop_request_stores_nothing)
{
    write_import("a.json", 1.0);
    pk_config *c = config("  cmd:\n    command: true\n    runs: 2\n");
    volatile sig_atomic_t stop = 1;
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.stop = &stop;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_EINTR);
    cr_assert_null(r);
    cr_assert_eq(stored_runs(), 0);
    pk_config_free(c);
}

Test(check_run, null_arguments)
{
    pk_check_report *r = (pk_check_report *)1;
    pk_diag d;
    cr_assert_eq(pk_check_run(NULL, NULL, &r, &d), PK_EINVAL);
    cr_assert_null(r);
    cr_assert_eq(pk_check_meta_collect(NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_check_compare(NULL, "1", "2", NULL, &r, NULL), PK_EINVAL);
}

static int64_t fake_clock(void *ud, pk__clock_id id)
{
    (void)ud;
    return id == PK__CLOCK_REAL ? 1700000000123456789LL : 42;
}

Test(check_run, meta_collect_reads_the_clock_machine_and_config)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk__clock_set(fake_clock, NULL);
    pk_run_meta m;
    memset(&m, 0x55, sizeof m);
    cr_assert_eq(pk_check_meta_collect(c, &m), PK_OK);
    pk__clock_set(NULL, NULL);
    cr_assert_eq(m.id, 0);
    cr_assert_eq(m.started_unix_ns, 1700000000123456789LL);
    cr_assert_str_eq(m.perfkit_version, pk_version());
    cr_assert_str_eq(m.config_hash, c->hash);
    cr_assert_eq(strlen(m.fingerprint), 16);
    char fp[17];
    pk_machine_fingerprint(&m.machine, fp);
    cr_assert_str_eq(m.fingerprint, fp);
    cr_assert_eq(strlen(m.commit), 0, "%s is not in git", tmpdir);

    /* the gate records it when no metadata is given */
    pk__clock_set(fake_clock, NULL);
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, NULL, &r, &d), PK_OK, "%s", d.message);
    pk__clock_set(NULL, NULL);
    cr_assert_eq(r->run.started_unix_ns, 1700000000123456789LL);
    cr_assert_str_eq(r->run.config_hash, c->hash);
    cr_assert_str_eq(r->run.fingerprint, fp);
    pk_store *s = open_store(dbpath);
    pk_run_meta back;
    cr_assert_eq(pk_store_get_run(s, r->run.id, &back, NULL), PK_OK);
    cr_assert_eq(back.started_unix_ns, 1700000000123456789LL);
    pk_store_close(s);
    pk_check_report_free(r);

    /* no config: no hash */
    cr_assert_eq(pk_check_meta_collect(NULL, &m), PK_OK);
    cr_assert_str_eq(m.config_hash, "");
    pk_config_free(c);
}

/* ---- the baseline policy over a history built by hand ---------------------- */

static int64_t put(pk_store *s, const char *branch, const char *fp, uint64_t seed)
{
    pk_run_meta m = make_meta("", branch, fp);
    pk_resultset *rs = make_rs(seed, 2, 5);
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
    pk_resultset_free(rs);
    return m.id;
}

/* The baselines of a current run on branch/fp (ref as --baseline). */
static pk_check_baseline_set *find_for(pk_store *s, const char *branch, const char *fp,
                                       const char *ref)
{
    pk_resultset *cur = make_rs(99, 2, 5);
    pk_run_meta m = make_meta("", branch, fp);
    pk_check_baseline_set *b = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_find_baselines(s, NULL, cur, &m, ref, &b, &d), PK_OK, "%s",
                 d.message);
    cr_assert_eq(b->n, 2);
    pk_resultset_free(cur);
    return b;
}

static void expect(pk_store *s, const char *branch, const char *fp, const char *ref,
                   int64_t want0, int64_t want1)
{
    pk_check_baseline_set *b = find_for(s, branch, fp, ref);
    cr_assert_eq(b->run_ids[0], want0, "%s/%s: bench0 got run %lld", branch, fp,
                 (long long)b->run_ids[0]);
    cr_assert_eq(b->run_ids[1], want1, "%s/%s: bench1 got run %lld", branch, fp,
                 (long long)b->run_ids[1]);
    cr_assert_eq(b->sets[0] != NULL, want0 != 0);
    pk_check_baselines v = pk_check_baseline_set_view(b);
    cr_assert_eq(v.run_ids, b->run_ids);
    cr_assert_eq((const void *)v.sets, (const void *)b->sets);
    pk_check_baseline_set_free(b);
}

Test(check_run, baseline_policy)
{
    pk_store *s = open_store(dbpath);
    int64_t main_a = put(s, "main", "A", 1);
    int64_t feat_a = put(s, "feature", "A", 2);
    int64_t main_b = put(s, "main", "B", 3);
    int64_t other_d = put(s, "other", "D", 4);
    cr_assert_eq(main_a, 1);
    /* the baseline branch on this machine first, even from another branch */
    expect(s, "feature", "A", NULL, main_a, main_a);
    expect(s, "main", "B", NULL, main_b, main_b);
    /* never another machine's run */
    expect(s, "feature", "C", NULL, 0, 0);
    /* no main run on this machine: this branch's; on no branch, any branch */
    expect(s, "other", "D", NULL, other_d, other_d);
    expect(s, "", "D", NULL, other_d, other_d);
    expect(s, "feature", "D", NULL, 0, 0);
    /* a pin wins, whatever its branch and machine, for its benchmark only */
    cr_assert_eq(pk_store_pin(s, feat_a, "bench0"), PK_OK);
    expect(s, "main", "B", NULL, feat_a, main_b);
    /* a reference wins over everything */
    expect(s, "main", "A", "3", main_b, main_b);
    expect(s, "main", "A", "other", other_d, other_d);
    /* no history: no baselines */
    pk_resultset *cur = make_rs(99, 2, 5);
    pk_run_meta m = make_meta("", "main", "A");
    pk_check_baseline_set *b = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_find_baselines(NULL, NULL, cur, &m, NULL, &b, &d), PK_OK);
    cr_assert_eq(b->run_ids[0], 0);
    cr_assert_null(b->sets[1]);
    pk_check_baseline_set_free(b);
    cr_assert_eq(pk_check_find_baselines(s, NULL, cur, &m, "nope", &b, &d), PK_ENOENT);
    cr_assert_null(b);
    cr_assert_str_eq(d.message, "--baseline: 'nope' is not a run id, commit or branch in history (branches: feature, main, other)", "%s", d.message);
    pk_resultset_free(cur);
    pk_store_close(s);
}

Test(check_run, baseline_policy_uses_the_configured_branch)
{
    pk_store *s = open_store(dbpath);
    put(s, "main", "A", 1);
    int64_t trunk = put(s, "trunk", "A", 2);
    const char *yml = "version: 1\nhistory: { baseline-branch: trunk }\n";
    pk_config *c = NULL;
    pk_diag d;
    cr_assert_eq(pk_config_parse(yml, strlen(yml), cfgpath, &c, &d), PK_OK, "%s", d.message);
    pk_resultset *cur = make_rs(99, 1, 5);
    pk_run_meta m = make_meta("", "feature", "A");
    pk_check_baseline_set *b = NULL;
    cr_assert_eq(pk_check_find_baselines(s, c, cur, &m, NULL, &b, &d), PK_OK);
    cr_assert_eq(b->run_ids[0], trunk);
    pk_check_baseline_set_free(b);
    pk_resultset_free(cur);
    pk_config_free(c);
    pk_store_close(s);
}

/* ---- two stored runs ---------------------------------------------------------- */

Test(check_run, compare_two_stored_runs)
{
    pk_store *s = open_store(dbpath);
    put(s, "main", "A", 1);
    int64_t later = put(s, "feature", "A", 500);
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_compare(s, "1", "feature", NULL, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->run.id, later);   /* the report speaks of the newer run */
    cr_assert_str_eq(r->run.branch, "feature");
    cr_assert_str_eq(r->config_path, "");
    const pk_check_item *w = NULL;
    for (size_t i = 0; i < r->n_items && !w; i++)
        if (strcmp(r->items[i].benchmark, "bench0") == 0 &&
            strcmp(r->items[i].figure, "wall") == 0)
            w = &r->items[i];
    cr_assert_not_null(w);
    cr_assert_eq(w->baseline_run, 1);
    cr_assert_eq(w->status, PK_CHECK_REGRESSED);   /* seed 500's samples are larger */
    pk_check_report_free(r);

    cr_assert_eq(pk_check_compare(s, "1", "99", NULL, &r, &d), PK_ENOENT);
    cr_assert_null(r);
    cr_assert_str_eq(d.message, "no run 99: the history has runs 1\xe2\x80\x93" "2", "%s", d.message);
    cr_assert_eq(pk_check_compare(s, "x", "1", NULL, &r, &d), PK_ENOENT);
    cr_assert_str_eq(d.message, "'x' is not a run id, commit or branch in history (branches: feature, main)", "%s", d.message);
    pk_store_close(s);
}

/* ---- a store that fails: the verdict stands ------------------------------------ */

/* hyperfine JSON of one command "a" with n times of `ms` milliseconds */
static void write_import_n(const char *name, size_t n, double ms)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"results\": [{\"command\": \"a\", \"times\": [", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%g", i ? ", " : "", ms * 1e-3 * (1 + (double)(i % 7) * 1e-3));
    fputs("]}]}\n", f);
    fclose(f);
}

/* What every failed store must leave: the verdict, its items, no run id,
 * the reason naming the history. */
static void assert_not_stored(const pk_check_report *r, pk_err want, const char *why)
{
    cr_assert_eq(r->store_err, want, "store_err %s (%s)", pk_strerror(r->store_err),
                 r->store_error);
    cr_assert_not_null(strstr(r->store_error, why), "%s", r->store_error);
    cr_assert_eq(r->run.id, 0);
    cr_assert_gt(r->n_items, 0);
}

Test(check_run, a_locked_history_keeps_the_verdict)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_run_meta m = make_meta("", "main", "fp");
    pk_check_opts o;
    pk_check_opts_init(&o);
    cr_assert_eq(o.lock_timeout_ms, 10000, "the store's default");
    o.run = &m;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    pk_check_report_free(r);

    sqlite3 *db = NULL;   /* another process's writer, as far as SQLite knows */
    cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    o.lock_timeout_ms = 50;
    write_import("a.json", 200.0);   /* 2 s: over the 1 s budget */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_str_eq(d.message, "");
    assert_not_stored(r, PK_EBUSY, "locked by another process");
    cr_assert(strstr(r->store_error, dbpath), "%s", r->store_error);
    cr_assert(r->failed);
    cr_assert_eq(find(r, PK_ITEM_BUDGET, "imp/a")->status, PK_CHECK_OVER_BUDGET);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->baseline_run, 1, "history was read");
    pk_check_report_free(r);

    write_import("a.json", 1.0);   /* a pass that could not be recorded */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    assert_not_stored(r, PK_EBUSY, "locked");
    cr_assert_not(r->failed);
    pk_check_report_free(r);

    o.no_store = true;   /* not asked to store: nothing to report */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->store_err, PK_OK);
    cr_assert_str_eq(r->store_error, "");
    pk_check_report_free(r);

    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    cr_assert_eq(stored_runs(), 1);
    o.no_store = false;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->store_err, PK_OK);
    cr_assert_eq(r->run.id, 2);
    pk_check_report_free(r);
    o.lock_timeout_ms = -1;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_EINVAL);
    cr_assert_null(r);
    pk_config_free(c);
}

/* A file-size limit (as a full disk: the write fails, EFBIG with SIGXFSZ
 * ignored). Each Test runs in its own process: the limit ends with it. */
static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {bytes, bytes};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

Test(check_run, a_full_disk_while_storing_keeps_the_verdict)
{
    write_import_n("a.json", 500, 10.0);   /* 4 KB of samples a run */
    pk_config *c = config(NULL);
    pk_run_meta m = make_meta("", "main", "fp");
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    pk_check_report *r = NULL;
    pk_diag d;
    for (int i = 0; i < 3; i++) {   /* a window of three runs at 10 ms */
        cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
        pk_check_report_free(r);
    }
    write_import_n("a.json", 500, 30.0);   /* three times slower */
    limit_file_size(34 * 1024);   /* room to open the history (32 KB), not for a run */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    assert_not_stored(r, PK_EIO, dbpath);
    cr_assert(r->failed);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->status, PK_CHECK_REGRESSED);
    pk_check_report_free(r);
    cr_assert_eq(stored_runs(), 3);
    pk_config_free(c);
}

Test(check_run, a_history_that_cannot_be_created_keeps_the_verdict)
{
    write_import("a.json", 200.0);
    pk_config *c = config(NULL);
    pk_check_opts o;
    pk_check_opts_init(&o);
    pk_check_report *r = NULL;
    pk_diag d;
    limit_file_size(0);   /* no byte can be written: the history is not created */
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    assert_not_stored(r, PK_EIO, dbpath);
    cr_assert(r->failed);   /* the budget judged without history */
    cr_assert_eq(find(r, PK_ITEM_BUDGET, "imp/a")->status, PK_CHECK_OVER_BUDGET);
    cr_assert_eq(find(r, PK_ITEM_REGRESSION, "imp/a")->status, PK_CHECK_NO_BASELINE);
    pk_check_report_free(r);
    pk_config_free(c);
}

/* ---- allocation failures ------------------------------------------------------ */

Test(check_run, every_failed_allocation_is_a_clean_error)
{
    write_import("a.json", 1.0);
    pk_config *c = config(NULL);
    pk_run_meta m = make_meta("", "main", "A");
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);   /* a baseline */
    pk_check_report_free(r);
    bool ok = false;
    long k;
    for (k = 0; k < 5000 && !ok; k++) {
        fault_arm(k);
        pk_err e = pk_check_run(c, &o, &r, &d);
        if (e == PK_OK)
            pk_check_report_free(r);   /* while counted */
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "allocation %ld: %s (%s)", k, pk_strerror(e),
                  d.message);
        if (e == PK_OK) {
            ok = true;
        } else {
            cr_assert_null(r);
            cr_assert_neq(d.message[0], '\0', "allocation %ld: no message", k);
        }
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
    }
    cr_assert(ok);
    cr_assert_gt(k, 5);
    pk_config_free(c);
}
