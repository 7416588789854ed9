/* test_metrics.c — registry, counters, gauges, exposition, negotiation.
 *
 * Golden snippets for both formats, escaping, name rules, process_*
 * metrics, `promtool check metrics` on the text format and the Python
 * OpenMetrics parser on both (each skipped when the tool is absent), and
 * fault injection of creation and rendering. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "perfkit/alloc.h"
#include "perfkit/metrics.h"

static char *render(pk_metrics_registry *r, pk_metrics_format fmt)
{
    char *s = NULL;
    size_t n = 0;
    cr_assert_eq(pk_metrics_render(r, fmt, &s, &n), PK_OK);
    cr_assert_eq(strlen(s), n);
    return s;
}

static void expect_has(const char *text, const char *want)
{
    cr_expect(strstr(text, want) != NULL, "missing:\n%s\n--- in:\n%s", want, text);
}

Test(metrics, names_and_labels_rules)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f = (void *)1;
    cr_expect_eq(pk_metrics_counter_family(r, "1bad", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_null(f);
    cr_expect_eq(pk_metrics_counter_family(r, "", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_family(r, "a-b", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_family(r, NULL, "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "ns:sub_x9", "h", NULL, 0, &f), PK_OK);
    const char *bad1[] = {"a:b"}, *bad2[] = {"__x"}, *bad3[] = {"x", "x"}, *bad4[] = {"9x"};
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", bad1, 1, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", bad2, 1, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", bad3, 2, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", bad4, 1, &f), PK_EINVAL);
    const char *le[] = {"le"};
    cr_expect_eq(pk_metrics_histogram_family(r, "h1", "h", le, 1, NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", le, 1, &f), PK_OK);
    const char *many[17] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                            "j", "k", "l", "m", "n", "o", "p", "q"};
    cr_expect_eq(pk_metrics_gauge_family(r, "g17", "h", many, 17, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "g16", "h", many, 16, &f), PK_OK);
    /* duplicates and names that clash once suffixes are added */
    cr_expect_eq(pk_metrics_gauge_family(r, "g1", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_family(r, "g1", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_family(r, "req_total", "h", NULL, 0, &f), PK_OK);
    cr_expect_eq(pk_metrics_gauge_family(r, "req", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_family(r, "req", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_family(r, "lat", "h", NULL, 0, NULL, 0, &f), PK_OK);
    cr_expect_eq(pk_metrics_gauge_family(r, "lat_count", "h", NULL, 0, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_family(r, "lat_bucket", "h", NULL, 0, &f), PK_EINVAL);
    /* bounds */
    double up[] = {1, 2, 2}, nan[] = {1, NAN}, inf[] = {1, INFINITY};
    cr_expect_eq(pk_metrics_histogram_family(r, "h2", "h", NULL, 0, up, 3, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_family(r, "h2", "h", NULL, 0, nan, 2, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_family(r, "h2", "h", NULL, 0, inf, 2, &f), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_family(r, "h2", "h", NULL, 0, up, 2, &f), PK_OK);
    pk_metrics_registry_free(r);
}

Test(metrics, children_same_values_same_child)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f, *g;
    const char *ln[] = {"method", "code"};
    cr_assert_eq(pk_metrics_counter_family(r, "http_requests_total", "Requests.", ln, 2, &f),
                 PK_OK);
    cr_assert_eq(pk_metrics_gauge_family(r, "depth", "Depth.", NULL, 0, &g), PK_OK);
    pk_metrics_counter *a, *b, *c;
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"GET", "200"}, &a), PK_OK);
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"GET", "404"}, &b), PK_OK);
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"GET", "200"}, &c), PK_OK);
    cr_expect_eq(a, c);
    cr_expect_neq(a, b);
    /* wrong family type, NULL values */
    pk_metrics_gauge *gg = (void *)1;
    cr_expect_eq(pk_metrics_gauge_get(f, (const char *[]){"GET", "200"}, &gg), PK_EINVAL);
    cr_expect_null(gg);
    cr_expect_eq(pk_metrics_counter_get(f, NULL, &c), PK_EINVAL);
    cr_expect_eq(pk_metrics_counter_get(f, (const char *[]){"GET", NULL}, &c), PK_EINVAL);
    pk_metrics_histogram *hh;
    cr_expect_eq(pk_metrics_histogram_get(g, NULL, &hh), PK_EINVAL);
    cr_expect_eq(pk_metrics_gauge_get(g, NULL, &gg), PK_OK);
    pk_metrics_registry_free(r);
}

Test(metrics, counter_and_gauge_values)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f, *g;
    cr_assert_eq(pk_metrics_counter_family(r, "c_total", "", NULL, 0, &f), PK_OK);
    cr_assert_eq(pk_metrics_gauge_family(r, "g", "", NULL, 0, &g), PK_OK);
    pk_metrics_counter *c;
    pk_metrics_gauge *gg;
    cr_assert_eq(pk_metrics_counter_get(f, NULL, &c), PK_OK);
    cr_assert_eq(pk_metrics_gauge_get(g, NULL, &gg), PK_OK);
    cr_expect_eq(pk_metrics_counter_value(c), 0);
    for (int i = 0; i < 1000; i++)
        pk_metrics_counter_inc(c);
    pk_metrics_counter_add(c, 5);
    pk_metrics_counter_add(c, -3);     /* ignored */
    pk_metrics_counter_add(c, NAN);    /* ignored */
    cr_expect_eq(pk_metrics_counter_value(c), 1005);
    pk_metrics_counter_add(c, 0.25);
    pk_metrics_counter_add(c, 0.5);
    cr_expect_eq(pk_metrics_counter_value(c), 1005.75);
    pk_metrics_gauge_set(gg, 3.5);
    pk_metrics_gauge_add(gg, -5);
    cr_expect_eq(pk_metrics_gauge_value(gg), -1.5);
    pk_metrics_gauge_set(gg, INFINITY);
    cr_expect(isinf(pk_metrics_gauge_value(gg)));
    pk_metrics_registry_free(r);
}

Test(metrics, exposition_golden_prometheus)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f, *g, *h;
    const char *ln[] = {"method", "path"};
    cr_assert_eq(pk_metrics_counter_family(r, "http_requests_total",
                                           "Requests \\ served.\nSecond \"line\".", ln, 2, &f),
                 PK_OK);
    cr_assert_eq(pk_metrics_gauge_family(r, "temp_celsius", "Temperature.", NULL, 0, &g), PK_OK);
    double bounds[] = {0.005, 0.1, 1, 2.5};
    cr_assert_eq(pk_metrics_histogram_family(r, "latency_seconds", "Latency.", NULL, 0, bounds,
                                             4, &h),
                 PK_OK);
    pk_metrics_counter *c1, *c2;
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"GET", "/a\"b\\c\nd"}, &c1), PK_OK);
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"POST", "/"}, &c2), PK_OK);
    pk_metrics_counter_add(c1, 3);
    pk_metrics_counter_add(c2, 1.5);
    pk_metrics_gauge *t;
    cr_assert_eq(pk_metrics_gauge_get(g, NULL, &t), PK_OK);
    pk_metrics_gauge_set(t, -0.1);
    pk_metrics_histogram *l;
    cr_assert_eq(pk_metrics_histogram_get(h, NULL, &l), PK_OK);
    pk_metrics_histogram_observe(l, 0.1);   /* on a bound: le="0.1" */
    pk_metrics_histogram_observe(l, 0.5);
    pk_metrics_histogram_observe(l, 7);

    char *s = render(r, PK_METRICS_PROMETHEUS);
    const char *want =
        "# HELP http_requests_total Requests \\\\ served.\\nSecond \"line\".\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{method=\"GET\",path=\"/a\\\"b\\\\c\\nd\"} 3\n"
        "http_requests_total{method=\"POST\",path=\"/\"} 1.5\n"
        "# HELP temp_celsius Temperature.\n"
        "# TYPE temp_celsius gauge\n"
        "temp_celsius -0.1\n"
        "# HELP latency_seconds Latency.\n"
        "# TYPE latency_seconds histogram\n"
        "latency_seconds_bucket{le=\"0.005\"} 0\n"
        "latency_seconds_bucket{le=\"0.1\"} 1\n"
        "latency_seconds_bucket{le=\"1\"} 2\n"
        "latency_seconds_bucket{le=\"2.5\"} 2\n"
        "latency_seconds_bucket{le=\"+Inf\"} 3\n"
        "latency_seconds_sum 7.6\n"
        "latency_seconds_count 3\n";
    cr_expect_str_eq(s, want);
    pk_free(s);

    s = render(r, PK_METRICS_OPENMETRICS);
    const char *want_om =
        "# HELP http_requests Requests \\\\ served.\\nSecond \\\"line\\\".\n"
        "# TYPE http_requests counter\n"
        "http_requests_total{method=\"GET\",path=\"/a\\\"b\\\\c\\nd\"} 3\n"
        "http_requests_total{method=\"POST\",path=\"/\"} 1.5\n"
        "# HELP temp_celsius Temperature.\n"
        "# TYPE temp_celsius gauge\n"
        "temp_celsius -0.1\n"
        "# HELP latency_seconds Latency.\n"
        "# TYPE latency_seconds histogram\n"
        "latency_seconds_bucket{le=\"0.005\"} 0\n"
        "latency_seconds_bucket{le=\"0.1\"} 1\n"
        "latency_seconds_bucket{le=\"1\"} 2\n"
        "latency_seconds_bucket{le=\"2.5\"} 2\n"
        "latency_seconds_bucket{le=\"+Inf\"} 3\n"
        "latency_seconds_sum 7.6\n"
        "latency_seconds_count 3\n"
        "# EOF\n";
    cr_expect_str_eq(s, want_om);
    pk_free(s);
    pk_metrics_registry_free(r);
}

Test(metrics, float_formatting)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f;
    cr_assert_eq(pk_metrics_gauge_family(r, "v", "", (const char *[]){"k"}, 1, &f), PK_OK);
    struct { const char *k; double v; const char *want; } cases[] = {
        {"a", 1e15, "v{k=\"a\"} 1000000000000000\n"},
        {"b", 0.1 + 0.2, "v{k=\"b\"} 0.30000000000000004\n"},
        {"c", INFINITY, "v{k=\"c\"} +Inf\n"},
        {"d", -INFINITY, "v{k=\"d\"} -Inf\n"},
        {"e", NAN, "v{k=\"e\"} NaN\n"},
        {"f", -0.0, "v{k=\"f\"} 0\n"},
        {"g", 1e300, "v{k=\"g\"} 1e+300\n"},
        {"h", 1.5e-7, "v{k=\"h\"} 1.5e-07\n"},
        {"i", -42, "v{k=\"i\"} -42\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pk_metrics_gauge *g;
        cr_assert_eq(pk_metrics_gauge_get(f, (const char *[]){cases[i].k}, &g), PK_OK);
        pk_metrics_gauge_set(g, cases[i].v);
    }
    char *s = render(r, PK_METRICS_PROMETHEUS);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_has(s, cases[i].want);
    pk_free(s);
    pk_metrics_registry_free(r);
}

Test(metrics, counter_exact_beyond_2_53)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *f;
    cr_assert_eq(pk_metrics_counter_family(r, "big_total", "", NULL, 0, &f), PK_OK);
    pk_metrics_counter *c;
    cr_assert_eq(pk_metrics_counter_get(f, NULL, &c), PK_OK);
    pk_metrics_counter_add(c, 9007199254740990.0);
    for (int i = 0; i < 5; i++)
        pk_metrics_counter_inc(c);
    char *s = render(r, PK_METRICS_PROMETHEUS);
    expect_has(s, "\nbig_total 9007199254740995\n");   /* exact integer, no exponent */
    pk_free(s);
    pk_metrics_registry_free(r);
}

Test(metrics, negotiate)
{
    cr_expect_eq(pk_metrics_negotiate(NULL), PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate(""), PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("*/*"), PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("text/plain"), PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text"), PK_METRICS_OPENMETRICS);
    cr_expect_eq(pk_metrics_negotiate("Application/OpenMetrics-Text ; Version=1.0.0"),
                 PK_METRICS_OPENMETRICS);
    /* what Prometheus 2.x sends */
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;version=1.0.0,"
                                      "application/openmetrics-text;version=0.0.1;q=0.75,"
                                      "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                 PK_METRICS_OPENMETRICS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text; version=1.0.0,"
                                      "text/plain;version=0.0.4;q=0.5"),
                 PK_METRICS_OPENMETRICS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;q=0.5, text/plain"),
                 PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("text/plain;q=0.5, application/openmetrics-text;q=0.5"),
                 PK_METRICS_OPENMETRICS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;q=0"),
                 PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;q=0.000, */*"),
                 PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;version=2.0.0"),
                 PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("application/openmetrics-text;q=bogus"),
                 PK_METRICS_PROMETHEUS);
    cr_expect_eq(pk_metrics_negotiate("application/json, application/openmetrics-text;q=0.2"),
                 PK_METRICS_OPENMETRICS);
    cr_expect_eq(pk_metrics_negotiate(",,;;=,"), PK_METRICS_PROMETHEUS);
    cr_expect_str_eq(pk_metrics_content_type(PK_METRICS_PROMETHEUS),
                     "text/plain; version=0.0.4; charset=utf-8");
    cr_expect_str_eq(pk_metrics_content_type(PK_METRICS_OPENMETRICS),
                     "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

static double sample_value(const char *text, const char *name)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\n%s ", name);
    const char *p = strstr(text, pat);
    cr_assert(p, "no sample %s in\n%s", name, text);
    return strtod(p + strlen(pat), NULL);
}

static volatile double cpu_sink;

Test(metrics, process_metrics)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    cr_assert_eq(pk_metrics_add_process(r), PK_OK);
    cr_expect_eq(pk_metrics_add_process(r), PK_EINVAL);
    pk_metrics_family *f;
    cr_expect_eq(pk_metrics_gauge_family(r, "process_threads", "", NULL, 0, &f), PK_EINVAL);
    for (long i = 0; i < 20000000; i++)   /* burn a little CPU */
        cpu_sink += 1.0;
    char *s = render(r, PK_METRICS_PROMETHEUS);
    expect_has(s, "# TYPE process_cpu_seconds_total counter\n");
    expect_has(s, "# TYPE process_resident_memory_bytes gauge\n");
    cr_expect_gt(sample_value(s, "process_cpu_seconds_total"), 0);
    double rss = sample_value(s, "process_resident_memory_bytes");
    double vsz = sample_value(s, "process_virtual_memory_bytes");
    cr_expect_gt(rss, 100e3);
    cr_expect_gt(vsz, rss);
    cr_expect_geq(sample_value(s, "process_open_fds"), 3);
    cr_expect_geq(sample_value(s, "process_max_fds"), 64);
    double start = sample_value(s, "process_start_time_seconds");
    double now = (double)time(NULL);
    cr_expect(start > now - 3600 && start <= now + 2, "start %f now %f", start, now);
    cr_expect_geq(sample_value(s, "process_threads"), 1);
    pk_free(s);
    s = render(r, PK_METRICS_OPENMETRICS);
    expect_has(s, "# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total ");
    pk_free(s);
    pk_metrics_registry_free(r);
}

/* A registry with every kind of metric, tricky labels and values. */
static pk_metrics_registry *sample_registry(bool lint_clean)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    cr_assert_eq(pk_metrics_add_process(r), PK_OK);
    pk_metrics_family *f, *g, *h, *h2, *h3, *c2;
    const char *ln[] = {"method", "code"};
    cr_assert_eq(pk_metrics_counter_family(r, "http_requests_total", "Requests \"served\"\\.",
                                           ln, 2, &f),
                 PK_OK);
    /* promtool's linter wants counters to end in _total */
    cr_assert_eq(pk_metrics_counter_family(r, lint_clean ? "bytes_total" : "bytes",
                                           "No _total suffix.", NULL, 0, &c2),
                 PK_OK);
    cr_assert_eq(pk_metrics_gauge_family(r, "queue_depth", "Queue\ndepth.", NULL, 0, &g), PK_OK);
    double b[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    cr_assert_eq(pk_metrics_histogram_family(r, "request_duration_seconds", "Latency.",
                                             (const char *[]){"path"}, 1, b, 11, &h),
                 PK_OK);
    cr_assert_eq(pk_metrics_histogram_family(r, "payload_bytes", "Sizes.", NULL, 0, NULL, 0, &h2),
                 PK_OK);
    cr_assert_eq(pk_metrics_histogram_family(r, "empty_hist", "Nothing yet.", NULL, 0, NULL, 0,
                                             &h3),
                 PK_OK);
    pk_metrics_counter *c;
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"GET", "200"}, &c), PK_OK);
    pk_metrics_counter_add(c, 41);
    cr_assert_eq(pk_metrics_counter_get(f, (const char *[]){"we\"ird\\", "x\ny"}, &c), PK_OK);
    pk_metrics_counter_inc(c);
    cr_assert_eq(pk_metrics_counter_get(c2, NULL, &c), PK_OK);
    pk_metrics_counter_add(c, 12.5);
    pk_metrics_gauge *gg;
    cr_assert_eq(pk_metrics_gauge_get(g, NULL, &gg), PK_OK);
    pk_metrics_gauge_set(gg, NAN);
    pk_metrics_histogram *hh;
    cr_assert_eq(pk_metrics_histogram_get(h, (const char *[]){"/api"}, &hh), PK_OK);
    for (int i = 0; i < 1000; i++)
        pk_metrics_histogram_observe(hh, i * 0.013);
    cr_assert_eq(pk_metrics_histogram_get(h, (const char *[]){"/"}, &hh), PK_OK);
    cr_assert_eq(pk_metrics_histogram_get(h2, NULL, &hh), PK_OK);
    for (int i = 0; i < 1000; i++)
        pk_metrics_histogram_observe(hh, i * 37.0 + 0.5);
    pk_metrics_histogram_observe(hh, 0);
    pk_metrics_histogram_observe(hh, 1e20);
    pk_metrics_histogram_observe(hh, INFINITY);
    return r;
}

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/pk_metrics_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(metrics, promtool_accepts_text_format)
{
    if (access("/usr/bin/promtool", X_OK) != 0 && system("command -v promtool >/dev/null") != 0)
        cr_skip_test("promtool not installed");
    pk_metrics_registry *r = sample_registry(true);
    char *path = strdup("/tmp/pk_metrics_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_eq(pk_metrics_write(r, PK_METRICS_PROMETHEUS, f), PK_OK);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s > %s.out 2>&1", path, path);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat %s.out %s >&2", path, path);
        (void)!system(cmd);
    }
    cr_expect_eq(rc, 0, "promtool rejected the exposition");
    snprintf(cmd, sizeof cmd, "%s.out", path);
    unlink(cmd);
    unlink(path);
    free(path);
    pk_metrics_registry_free(r);
}

static const char *py_check =
    "import sys\n"
    "from prometheus_client.parser import text_string_to_metric_families as prom\n"
    "from prometheus_client.openmetrics.parser import text_string_to_metric_families as om\n"
    "kind, path = sys.argv[1], sys.argv[2]\n"
    "text = open(path).read()\n"
    "fams = {f.name: f for f in (om if kind == 'om' else prom)(text)}\n"
    "assert fams['http_requests'].type == 'counter', fams['http_requests']\n"
    "s = {(x.name, tuple(sorted(x.labels.items()))): x.value for f in fams.values() for x in f.samples}\n"
    "assert s[('http_requests_total', (('code', '200'), ('method', 'GET')))] == 41\n"
    "assert s[('http_requests_total', (('code', 'x\\ny'), ('method', 'we\"ird\\\\')))] == 1\n"
    "assert fams['queue_depth'].documentation == 'Queue\\ndepth.'\n"
    "assert fams['request_duration_seconds'].type == 'histogram'\n"
    "assert s[('request_duration_seconds_count', (('path', '/api'),))] == 1000\n"
    "assert s[('payload_bytes_bucket', (('le', '+Inf'),))] == 1003\n"
    "assert 'process_cpu_seconds' in fams or 'process_cpu_seconds_total' in fams\n";

static void python_parse(pk_metrics_format fmt, const char *kind)
{
    if (system("/usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' "
               ">/dev/null 2>&1") != 0)
        cr_skip_test("python3-prometheus-client not installed");
    pk_metrics_registry *r = sample_registry(false);
    char *text = render(r, fmt);
    char *data = write_tmp(text);
    char *script = write_tmp(py_check);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s", script, kind, data);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "%s", text);
    cr_expect_eq(rc, 0, "the Python %s parser rejected the exposition", kind);
    unlink(data);
    unlink(script);
    free(data);
    free(script);
    pk_free(text);
    pk_metrics_registry_free(r);
}

Test(metrics, python_parses_openmetrics)
{
    python_parse(PK_METRICS_OPENMETRICS, "om");
}

Test(metrics, python_parses_text_format)
{
    python_parse(PK_METRICS_PROMETHEUS, "prom");
}

Test(metrics, empty_registry_renders)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    char *s = render(r, PK_METRICS_PROMETHEUS);
    cr_expect_str_eq(s, "");
    pk_free(s);
    s = render(r, PK_METRICS_OPENMETRICS);
    cr_expect_str_eq(s, "# EOF\n");
    pk_free(s);
    cr_expect_eq(pk_metrics_render(NULL, PK_METRICS_PROMETHEUS, &s, NULL), PK_EINVAL);
    cr_expect_eq(pk_metrics_render(r, (pk_metrics_format)7, &s, NULL), PK_EINVAL);
    pk_metrics_registry_free(r);
    pk_metrics_registry_free(NULL);
}

/* Fail each allocation in turn while building a registry and rendering it:
 * every run ends in PK_ENOMEM or success, and nothing leaks. */
Test(metrics, fault_injection_creation_and_render)
{
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_metrics_registry *r = NULL;
        pk_err rc = pk_metrics_registry_new(&r);
        pk_metrics_family *f = NULL, *h = NULL;
        pk_metrics_counter *c = NULL;
        pk_metrics_histogram *hh = NULL;
        char *s = NULL;
        size_t n;
        if (rc == PK_OK)
            rc = pk_metrics_add_process(r);
        if (rc == PK_OK)
            rc = pk_metrics_counter_family(r, "a_total", "help", (const char *[]){"x", "y"}, 2,
                                           &f);
        if (rc == PK_OK)
            rc = pk_metrics_counter_get(f, (const char *[]){"1", "2"}, &c);
        if (rc == PK_OK)
            rc = pk_metrics_histogram_family(r, "h", "help", NULL, 0, (double[]){1, 2}, 2, &h);
        if (rc == PK_OK)
            rc = pk_metrics_histogram_get(h, NULL, &hh);
        if (rc == PK_OK) {
            pk_metrics_counter_inc(c);   /* may use the shared fallback */
            pk_metrics_histogram_observe(hh, 1.5);
            rc = pk_metrics_render(r, PK_METRICS_OPENMETRICS, &s, &n);
        }
        bool failed = fault_requests() > k;
        cr_assert(rc == PK_OK || rc == PK_ENOMEM, "k=%ld rc=%d", k, rc);
        if (rc == PK_ENOMEM)
            cr_assert(failed, "k=%ld: ENOMEM without a failed allocation", k);
        if (rc == PK_OK) {
            cr_expect(strstr(s, "a_total{x=\"1\",y=\"2\"} 1\n"), "k=%ld: count lost", k);
            cr_expect(strstr(s, "h_count 1\n"), "k=%ld", k);
        }
        pk_free(s);
        pk_metrics_registry_free(r);
        cr_assert_eq(fault_live(), 0, "k=%ld: %ld blocks leaked", k, fault_live());
        fault_disarm();
        if (!failed)
            break;
    }
}

/* ---- HTTP endpoint ------------------------------------------------------------ */

/* Errors come back in a pk_diag (NULL allowed), *out NULL on every error. */
Test(metrics, serve_reports_errors_in_a_diag)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_server *s = (pk_metrics_server *)1, *s2 = (pk_metrics_server *)1;
    pk_diag d = {0};
    cr_assert_eq(pk_metrics_serve(r, "localhost", 0, &s, &d), PK_EINVAL);
    cr_assert_null(s);
    cr_assert(strstr(d.message, "invalid listen address 'localhost'"), "%s", d.message);
    cr_assert_str_eq(d.file, "");
    cr_assert_eq(pk_metrics_serve(r, "", 0, &s, NULL), PK_EINVAL);
    cr_assert_eq(pk_metrics_serve(NULL, "127.0.0.1", 0, &s, &d), PK_EINVAL);
    cr_assert(strstr(d.message, "required"), "%s", d.message);

    memset(&d, 0, sizeof d);
    cr_assert_eq(pk_metrics_serve(r, "127.0.0.1", 0, &s, &d), PK_OK, "%s", d.message);
    uint16_t port = pk_metrics_server_port(s);
    cr_assert_neq(port, 0);
    /* the same port again cannot be bound */
    cr_assert_eq(pk_metrics_serve(r, "127.0.0.1", port, &s2, &d), PK_EIO);
    cr_assert_null(s2);
    char want[64];
    snprintf(want, sizeof want, "cannot listen on 127.0.0.1:%u: ", (unsigned)port);
    cr_assert(strstr(d.message, want), "%s", d.message);
    cr_assert_eq(pk_metrics_serve(r, "127.0.0.1", port, &s2, NULL), PK_EIO);
    pk_metrics_server_stop(s);
    pk_metrics_registry_free(r);
}
