/* test_dashboard.c — perfkit report's page (perfkit/dashboard.h): what a
 * known history puts on it (charts, change points, budgets, headroom,
 * filters, profiles), that no name from the history becomes markup or
 * script, and that every failed allocation ends in a clean error. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "fault.h"
#include "store_util.h"
#include "perfkit/check.h"
#include "perfkit/config.h"
#include "perfkit/dashboard.h"

TestSuite(dashboard, .init = store_setup, .fini = store_teardown);

/* n runs of benchmark name (figure wall: 12 samples around 1 ms, 1.2 ms
 * from run `step` on when step > 0) on branch, machine fp. */
static void add_runs(pk_store *s, const char *name, const char *branch, const char *fp,
                     const char *commit, int n, int step)
{
    for (int i = 0; i < n; i++) {
        pk_run_meta m = make_meta(commit, branch, fp);
        pk_resultset *rs = NULL;
        cr_assert_eq(pk_resultset_new(&rs), PK_OK);
        pk_bench_data *b = NULL;
        cr_assert_eq(pk_resultset_add(rs, name, &b), PK_OK);
        double x[12];
        for (int k = 0; k < 12; k++)
            x[k] = (step > 0 && i >= step ? 1.2e6 : 1e6) + (k - 6) * 1e3;
        cr_assert_eq(pk_bench_data_put(b, "wall", PK_UNIT_DURATION, x, 12), PK_OK);
        cr_assert_eq(pk_bench_data_set_primary(b, "wall"), PK_OK);
        cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
        pk_resultset_free(rs);
    }
}

static char *page(pk_store *s, const pk_dashboard_opts *o)
{
    pk_dashboard *d = NULL;
    pk_diag diag;
    pk_err e = pk_dashboard_new(s, o, &d, &diag);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), diag.message);
    capture c;
    cr_assert_eq(pk_dashboard_write_html(capture_begin(&c), d), PK_OK);
    pk_dashboard_free(d);
    return capture_end(&c);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

Test(dashboard, hostile_names_stay_text)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "aaaa",
             "<b>x</b>", 8, 0);
    add_runs(s, "bad\x01utf8\xff\xc3(</title>", "main", "\"onmouseover=\"alert(3)", "c0ffee", 3, 0);
    add_runs(s, "rlo\xe2\x80\xae" "c1\xc2\x9b" "lri\xe2\x81\xa6" "ov\xc0\xaf.sur\xed\xa0\x80"
             ".big\xf4\x90\x80\x80.\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "main", "bbbb", "c0ffee",
             2, 0);
    pk_store_close(s);
    s = open_store(dbpath);
    char *html = page(s, NULL);
    pk_store_close(s);
    cr_assert_eq(count(html, "<script"), 1, "only the page's own script");
    cr_assert_null(strstr(html, "<img"));
    cr_assert_null(strstr(html, "<b>"));
    cr_assert_null(strstr(html, "\"onmouseover"));
    cr_assert_null(strstr(html, "alert(1)</script>"));
    cr_assert_not_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    cr_assert_not_null(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    cr_assert_not_null(strstr(html, "&lt;b&gt;x"));   /* the commit, 7 chars */
    /* a control character and bytes that are not UTF-8 become U+FFFD */
    cr_assert_not_null(strstr(html, "bad\xef\xbf\xbdutf8\xef\xbf\xbd\xef\xbf\xbd(&lt;/title&gt;"));
    /* so do C1 controls, bidirectional overrides (one U+FFFD each), and
     * overlong forms, surrogates and code points past U+10FFFF (per byte):
     * the page is valid UTF-8 and no name reorders the text around it */
    cr_assert_not_null(strstr(html, "<h2 id=\"h2\">rlo\xef\xbf\xbd" "c1\xef\xbf\xbdlri\xef\xbf\xbd"
                                    "ov\xef\xbf\xbd\xef\xbf\xbd.sur\xef\xbf\xbd\xef\xbf\xbd"
                                    "\xef\xbf\xbd.big\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                    "\xef\xbf\xbd.\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</h2>"),
                      "%s", strstr(html, "<h2 id=\"h2\">"));
    /* the history's text never reaches the script: the only one is ours */
    const char *js = strstr(html, "<script>");
    cr_assert_null(strstr(js, "alert"));
    free(html);
}

Test(dashboard, charts_change_points_and_distribution)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "app/parse", "main", "aaaa", "0123456789abcdef0123456789abcdef01234567", 12, 6);
    add_runs(s, "app/start", "main", "aaaa", "1111111111111111111111111111111111111111", 3, 0);
    pk_dashboard *d = NULL;
    cr_assert_eq(pk_dashboard_new(s, NULL, &d, NULL), PK_OK);
    cr_assert_eq(pk_dashboard_benchmarks(d), 2);
    pk_dashboard_free(d);
    char *html = page(s, NULL);
    pk_store_close(s);
    cr_assert_eq(count(html, "<svg class=\"trend\""), 2);
    cr_assert_eq(count(html, "<svg class=\"dist\""), 2);
    cr_assert_eq(count(html, "<section class=\"bench\""), 2);
    /* parse: +20% at run 7 of 12 is a change point in the worse direction */
    cr_assert_not_null(strstr(html, "<g class=\"cp reg\">"), "%s", html);
    cr_assert_not_null(strstr(html, "regression: change point +20.0% at #7 "));
    /* one marker per run, its title the run, commit and value */
    cr_assert_not_null(strstr(html, "<title>#7 0123456 1.200 ms</title>"));
    cr_assert_eq(count(html, "h0\"><title>#"), 15);
    /* 12 samples: a CI band; the baseline of run 12 is run 11 */
    cr_assert_not_null(strstr(html, "<path class=\"band\" d=\"M"));
    cr_assert_not_null(strstr(html, "latest #12 1.200 ms, baseline #11"));
    cr_assert_not_null(strstr(html, "against its baseline (#11, 12 samples)"));
    cr_assert_not_null(strstr(html, "No budgets"));
    free(html);
}

Test(dashboard, budgets_headroom_and_filters)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "app", "main", "aaaa", "aa", 4, 0);
    add_runs(s, "app", "feature", "bbbb", "bb", 2, 0);
    char yml[160];
    snprintf(yml, sizeof yml, "%s/perfkit.yml", tmpdir);
    FILE *f = fopen(yml, "w");
    cr_assert_not_null(f);
    fputs("version: 1\nbenchmarks:\n  app:\n    command: \"true\"\n"
          "    budgets: { wall.median: 1.25ms, wall.max: 0.9ms, wall.p95: 1.003ms }\n", f);
    fclose(f);
    pk_config *c = NULL;
    pk_diag diag;
    cr_assert_eq(pk_config_load(yml, &c, &diag), PK_OK, "%s", diag.message);
    pk_dashboard_opts o;
    pk_dashboard_opts_init(&o);
    o.config = c;
    char *html = page(s, &o);
    /* median 1 ms under 1.25 ms: 20% headroom; max 1.005 ms over 0.9 ms */
    cr_assert_not_null(strstr(html, "value=\"0.200\" aria-label=\"headroom 20.0%\""), "%s", html);
    cr_assert_not_null(strstr(html, "aria-label=\"headroom -11.7%\""));
    cr_assert_not_null(strstr(html, "<td class=\"st-fail\">over budget</td>"));
    cr_assert_not_null(strstr(html, "<strong class=\"st-fail\">failed</strong>"));
    /* three on the trend; p95's 1.003 ms also inside the distribution's
     * 0.994..1.005 ms */
    cr_assert_eq(count(html, "<g class=\"budget\">"), 4);
    cr_assert_not_null(strstr(html, "V146\"/><title>budget p95 \xe2\x89\xa4 1.003 ms</title>"));
    cr_assert_not_null(strstr(html, "budget median \xe2\x89\xa4 1.250 ms"));
    /* the filters list both branches and machines; groups carry indices */
    cr_assert_not_null(strstr(html, "<option value=\"0\">main</option><option value=\"1\">"
                                    "feature</option>"));
    cr_assert_not_null(strstr(html, "<option value=\"0\">aaaa</option><option value=\"1\">"
                                    "bbbb</option>"));
    cr_assert_not_null(strstr(html, "<g class=\"s\" data-b=\"1\" data-m=\"1\">"));
    free(html);
    /* --branch feature: its two runs only */
    o.branch = "feature";
    html = page(s, &o);
    cr_assert_eq(count(html, "h0\"><title>#"), 2);
    cr_assert_null(strstr(html, "<option value=\"1\">"));
    free(html);
    o.branch = "nope";
    pk_dashboard *d = NULL;
    cr_assert_eq(pk_dashboard_new(s, &o, &d, &diag), PK_ENOENT);
    cr_assert_null(d);
    cr_assert_str_eq(diag.message, "no run on branch `nope` in history");
    o.branch = NULL;
    o.stat = "p101";
    cr_assert_eq(pk_dashboard_new(s, &o, &d, &diag), PK_EINVAL);
    o.stat = NULL;
    o.last = 3;
    html = page(s, &o);
    cr_assert_eq(count(html, "h0\"><title>#"), 3);
    free(html);
    pk_config_free(c);
    pk_store_close(s);
}

Test(dashboard, profiles_are_embedded)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "app", "main", "aaaa", "aa", 3, 0);
    const char *a = "main;parse 30\nmain;eval 10\n", *b = "main;parse 10\nmain;eval 30\n";
    cr_assert_eq(pk_store_put_profile(s, 2, "app", "cpu", a, strlen(a)), PK_OK);
    cr_assert_eq(pk_store_put_profile(s, 3, "app", "cpu", b, strlen(b)), PK_OK);
    char *html = page(s, NULL);
    cr_assert_eq(count(html, "<iframe class=\"flame\""), 2);
    cr_assert_not_null(strstr(html, "src=\"data:image/svg+xml;base64,PD94bWwg"));  /* <?xml */
    free(html);
    pk_dashboard_opts o;
    pk_dashboard_opts_init(&o);
    o.profiles = 0;
    html = page(s, &o);
    cr_assert_null(strstr(html, "<iframe"));
    free(html);
    pk_store_close(s);
}

Test(dashboard, a_check_without_history)
{
    pk_check_item it;
    memset(&it, 0, sizeof it);
    it.kind = PK_ITEM_BUDGET;
    it.status = PK_CHECK_PASS;
    it.benchmark = "app<x>";
    it.figure = "wall";
    it.stat = "p95";
    it.unit = PK_UNIT_DURATION;
    it.current = 40e6;
    it.limit = 50e6;
    pk_check_report r;
    memset(&r, 0, sizeof r);
    r.items = &it;
    r.n_items = 1;
    pk_dashboard_opts o;
    pk_dashboard_opts_init(&o);
    o.check = &r;
    char *html = page(NULL, &o);
    cr_assert_not_null(strstr(html, "This run (not stored)"));
    cr_assert_not_null(strstr(html, "<td>app&lt;x&gt;</td><td>wall.p95</td>"));
    cr_assert_not_null(strstr(html, "headroom 20.0%"));
    cr_assert_not_null(strstr(html, "No runs in history yet"));
    free(html);
    pk_dashboard *d = NULL;
    cr_assert_eq(pk_dashboard_new(NULL, NULL, &d, NULL), PK_EINVAL);
    cr_assert_eq(pk_dashboard_write_html(NULL, NULL), PK_EINVAL);
}

Test(dashboard, a_failed_write_is_an_error)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "app", "main", "aaaa", "aa", 3, 0);
    pk_dashboard *d = NULL;
    cr_assert_eq(pk_dashboard_new(s, NULL, &d, NULL), PK_OK);
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cr_assert_eq(pk_dashboard_write_html(f, d), PK_EIO);
    fclose(f);
    pk_dashboard_free(d);
    pk_store_close(s);
}

Test(dashboard, every_failed_allocation_is_clean)
{
    pk_store *s = open_store(dbpath);
    add_runs(s, "app", "main", "aaaa", "aa", 8, 4);
    const char *a = "main;parse 30\n";
    cr_assert_eq(pk_store_put_profile(s, 8, "app", "cpu", a, strlen(a)), PK_OK);
    fault_arm(-1);
    pk_dashboard *d = NULL;
    cr_assert_eq(pk_dashboard_new(s, NULL, &d, NULL), PK_OK);
    long total = fault_requests();
    fault_disarm();
    pk_dashboard_free(d);
    cr_assert_gt(total, 10);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_diag diag;
        pk_err e = pk_dashboard_new(s, NULL, &d, &diag);
        if (e == PK_OK) {
            FILE *f = fopen("/dev/null", "w");
            pk_dashboard_write_html(f, d);
            fclose(f);
            pk_dashboard_free(d);
        } else {
            cr_assert_null(d);
            cr_assert_neq(diag.message[0], '\0', "request %ld: no message", k);
        }
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "request %ld leaks %ld blocks", k, fault_live());
    }
    pk_store_close(s);
}
