/* test_monitor.c — perfkit monitor's library: the /proc parsers on captured
 * files (tests/data/monitor/), the alert state machine under a fake clock
 * (the samples' times), Theil-Sen trends against hand-computed values, the
 * value parser, the publisher, the sampler on this very process, and fault
 * injection of every constructor. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "monitor/monitor_int.h"
#include "perfkit/alloc.h"
#include "perfkit/metrics.h"
#include "perfkit/monitor.h"
#include "perfkit/stats.h"

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/monitor/%s", name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* ---- parsers ------------------------------------------------------------- */

Test(monitor_parse, stat_captured)
{
    size_t n;
    char *t = slurp("stat", &n);
    pk__mon_stat s;
    cr_assert_eq(pk__mon_parse_stat(t, n, &s), PK_OK);
    cr_expect_eq(s.state, 'S');
    cr_expect_eq(s.minflt, 116);
    cr_expect_eq(s.majflt, 0);
    cr_expect_eq(s.utime, 0);
    cr_expect_eq(s.stime, 0);
    cr_expect_eq(s.threads, 1);
    cr_expect_eq(s.vsize, 4894720);
    cr_expect_eq(s.rss_pages, 559);
}

Test(monitor_parse, stat_comm_with_spaces_and_parens)
{
    size_t n;
    char *t = slurp("stat_odd_comm", &n);
    pk__mon_stat s;
    cr_assert_eq(pk__mon_parse_stat(t, n, &s), PK_OK);
    cr_expect_eq(s.state, 'R');
    cr_expect_str_eq(s.comm, "a) b (c d");
    cr_expect_eq(s.minflt, 10);
    cr_expect_eq(s.majflt, 3);
    cr_expect_eq(s.utime, 250);
    cr_expect_eq(s.stime, 125);
    cr_expect_eq(s.threads, 7);
    cr_expect_eq(s.vsize, 123456789);
    cr_expect_eq(s.rss_pages, 2048);
}

Test(monitor_parse, stat_garbage)
{
    pk__mon_stat s;
    const char *bad[] = {"", "12 (x", "12 (x) S", "12 (x) S 1 2 3", "12 (x) S a b c d e f g",
                         "12 (x) S 1 1 1 0 -1 0 x 0 3 0 250 125 0 0 20 0 7 0 100 1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(pk__mon_parse_stat(bad[i], strlen(bad[i]), &s), PK_EPARSE, "%s", bad[i]);
}

Test(monitor_parse, status)
{
    size_t n;
    char *t = slurp("status", &n);
    pk__mon_status s;
    cr_assert_eq(pk__mon_parse_status(t, n, &s), PK_OK);
    cr_expect(s.has_swap);
    cr_expect_eq(s.swap_bytes, 0);
    cr_expect(s.has_ctxsw);
    cr_expect_eq(s.vol_ctxsw, 2);
    cr_expect_eq(s.invol_ctxsw, 4);
    cr_expect_eq(s.uid, 0);
    t = slurp("status_swap", &n);
    cr_assert_eq(pk__mon_parse_status(t, n, &s), PK_OK);
    cr_expect_eq(s.swap_bytes, 1048576u);
    cr_expect_eq(s.vol_ctxsw, 123456789012ull);   /* beyond 32 bits */
    cr_expect_eq(s.invol_ctxsw, 7);
    cr_expect_eq(s.uid, 1000);
    cr_expect_eq(pk__mon_parse_status("Name: x\n", 8, &s), PK_EPARSE);   /* no Uid */
}

Test(monitor_parse, io_limits_pss_statm)
{
    size_t n;
    char *t = slurp("io", &n);
    pk__mon_io io;
    cr_assert_eq(pk__mon_parse_io(t, n, &io), PK_OK);
    cr_expect_eq(io.rchar, 9004);
    cr_expect_eq(io.wchar, 0);
    cr_expect_eq(io.syscr, 14);
    cr_expect_eq(io.syscw, 0);
    cr_expect_eq(io.read_bytes, 0);
    cr_expect_eq(io.write_bytes, 12288);
    cr_expect_eq(pk__mon_parse_io("rchar: 1\n", 9, &io), PK_EPARSE);
    uint64_t soft;
    bool unl;
    t = slurp("limits", &n);
    cr_assert_eq(pk__mon_parse_nofile(t, n, &soft, &unl), PK_OK);
    cr_expect_not(unl);
    cr_expect_eq(soft, 20000);
    t = slurp("limits_unlimited", &n);
    cr_assert_eq(pk__mon_parse_nofile(t, n, &soft, &unl), PK_OK);
    cr_expect(unl);
    uint64_t pss;
    t = slurp("smaps_rollup", &n);
    cr_assert_eq(pk__mon_parse_pss(t, n, &pss), PK_OK);
    cr_expect_eq(pss, 444416u);
    uint64_t size, res;
    t = slurp("statm", &n);
    cr_assert_eq(pk__mon_parse_statm(t, n, &size, &res), PK_OK);
    cr_expect_eq(size, 1195);
    cr_expect_eq(res, 559);
}

Test(monitor_parse, cgroup_files)
{
    size_t n;
    char path[64];
    char *t = slurp("cgroup", &n);
    cr_assert_eq(pk__mon_parse_cgroup(t, n, path, sizeof path), PK_OK);
    cr_expect_str_eq(path, "/");
    t = slurp("cgroup_v2", &n);
    cr_assert_eq(pk__mon_parse_cgroup(t, n, path, sizeof path), PK_OK);
    cr_expect_str_eq(path, "/user.slice/app.service");
    cr_expect_eq(pk__mon_parse_cgroup(t, n, path, 5), PK_ERANGE);
    cr_expect_eq(pk__mon_parse_cgroup("4:memory:/x\n", 12, path, sizeof path), PK_ENOENT);
    double avg;
    t = slurp("cpu.pressure", &n);
    cr_assert_eq(pk__mon_parse_pressure(t, n, &avg), PK_OK);
    cr_expect_float_eq(avg, 84.34, 1e-12);
    cr_expect_eq(pk__mon_parse_pressure("full avg10=1.0\n", 15, &avg), PK_EPARSE);
    uint64_t v;
    bool unl;
    cr_expect_eq(pk__mon_parse_cg_value("max\n", 4, &v, &unl), PK_OK);
    cr_expect(unl);
    cr_expect_eq(pk__mon_parse_cg_value("536870912\n", 10, &v, &unl), PK_OK);
    cr_expect_not(unl);
    cr_expect_eq(v, 536870912);
    cr_expect_eq(pk__mon_parse_cg_value("12x\n", 4, &v, &unl), PK_EPARSE);
    cr_expect_eq(pk__mon_parse_cg_value("maxi\n", 5, &v, &unl), PK_EPARSE);
}

Test(monitor_parse, values)
{
    double v;
    const char *why;
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "512MiB", &v, &why), PK_OK);
    cr_expect_eq(v, 512.0 * 1048576);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "1.5GiB", &v, NULL), PK_OK);
    cr_expect_eq(v, 1.5 * 1073741824);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "800kB", &v, NULL), PK_OK);
    cr_expect_eq(v, 800000);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_CPU, "90%", &v, NULL), PK_OK);
    cr_expect_eq(v, 90);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_FDS, "800", &v, NULL), PK_OK);
    cr_expect_eq(v, 800);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_WRITE_RATE, "10MiB/s", &v, NULL), PK_OK);
    cr_expect_eq(v, 10.0 * 1048576);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_CTXSW_RATE, "50/s", &v, NULL), PK_OK);
    cr_expect_eq(v, 50);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "lots", &v, &why), PK_EPARSE);
    cr_expect_str_eq(why, "expected a size like 512MiB");
    cr_expect_eq(pk_monitor_parse_value(PK_MON_FDS, "80%", &v, &why), PK_EPARSE);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_CPU, "90 %", &v, NULL), PK_EPARSE);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "1e999", &v, NULL), PK_EPARSE);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_RSS, "-1MiB", &v, NULL), PK_EPARSE);
    cr_expect_eq(pk_monitor_parse_value(PK_MON_CPU, "-5%", &v, NULL), PK_EPARSE);
    cr_expect_eq(pk_monitor_figure_find("fd-use"), PK_MON_FD_USE);
    cr_expect_eq(pk_monitor_figure_find("rsss"), -1);
    cr_expect_str_eq(pk_monitor_figure_name(PK_MON_PSI_IO), "psi_io");
    char name[96];
    cr_expect_str_eq(pk_monitor_metric_name("p_", PK_MON_RSS, name, sizeof name), "p_rss_bytes");
    cr_expect_str_eq(pk_monitor_metric_name("p_", PK_MON_CPU_SECONDS, name, sizeof name),
                     "p_cpu_seconds");
}

/* ---- alerts under a fake clock ---------------------------------------------- */

#define S(sec) ((int64_t)((sec) * 1e9))

static pk_monitor_sample at(double t_s, pk_monitor_figure f, double v)
{
    pk_monitor_sample x = {.t_ns = S(t_s), .has = (uint64_t)1 << f};
    x.v[f] = v;
    return x;
}

static size_t feed(pk_monitor_alerts *a, double t, double v, pk_monitor_event *ev)
{
    pk_monitor_sample x = at(t, PK_MON_RSS, v);
    return pk_monitor_alerts_update(a, &x, ev, 8);
}

Test(monitor_alerts, fires_after_min_duration_and_resolves_with_hysteresis)
{
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_RSS;
    r.level[PK_MON_WARNING] = 100;
    r.for_ns = (uint64_t)S(3);
    r.hysteresis = 0.1;   /* clears below 90 */
    pk_monitor_alerts *a;
    cr_assert_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_event ev[8];
    cr_expect_eq(feed(a, 0, 50, ev), 0);
    cr_expect_eq(feed(a, 1, 120, ev), 0);   /* pending since 1 s */
    cr_expect_eq(feed(a, 2, 120, ev), 0);
    cr_expect_eq(feed(a, 3, 99, ev), 0);    /* under the level: pending resets */
    cr_expect_eq(feed(a, 4, 120, ev), 0);
    cr_expect_eq(feed(a, 6, 100, ev), 0);   /* at the level counts */
    cr_assert_eq(feed(a, 7, 130, ev), 1);   /* held 3 s since 4 s */
    cr_expect_eq(ev[0].kind, PK_MON_FIRE);
    cr_expect_eq(ev[0].level, PK_MON_WARNING);
    cr_expect_eq(ev[0].t_ns, S(7));
    cr_expect_eq(ev[0].since_ns, S(4));
    cr_expect_eq(ev[0].value, 130);
    cr_expect_eq(ev[0].threshold, 100);
    cr_expect(pk_monitor_alerts_active(a, 0, PK_MON_WARNING));
    cr_expect_eq(feed(a, 8, 95, ev), 0);    /* between clear and level: still active */
    cr_expect_eq(feed(a, 9, 90, ev), 0);    /* at the clear level: not below it */
    cr_assert_eq(feed(a, 10, 89, ev), 1);
    cr_expect_eq(ev[0].kind, PK_MON_RESOLVE);
    cr_expect_eq(ev[0].threshold, 90);
    cr_expect_eq(ev[0].since_ns, S(7));
    cr_expect_not(pk_monitor_alerts_active(a, 0, PK_MON_WARNING));
    cr_expect_eq(pk_monitor_alerts_worst(a), PK_MON_WARNING);
    pk_monitor_alerts_free(a);
}

Test(monitor_alerts, no_flapping_around_the_threshold)
{
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_RSS;
    r.level[PK_MON_CRITICAL] = 1000;
    r.hysteresis = 0.05;   /* clear below 950 */
    pk_monitor_alerts *a;
    cr_assert_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_rng g;
    pk_rng_seed(&g, 42);
    size_t fires = 0, resolves = 0;
    pk_monitor_event ev[8];
    for (int i = 0; i < 10000; i++) {   /* 960..1040: around the level, above clear */
        size_t n = feed(a, i * 0.1, 960 + 80 * pk_rng_double(&g), ev);
        for (size_t k = 0; k < n; k++)
            *(ev[k].kind == PK_MON_FIRE ? &fires : &resolves) += 1;
    }
    cr_expect_eq(fires, 1);
    cr_expect_eq(resolves, 0);
    /* without hysteresis the same signal would flap: the reason it exists */
    r.hysteresis = 0;
    pk_monitor_alerts *b;
    cr_assert_eq(pk_monitor_alerts_new(&r, 1, &b), PK_OK);
    fires = 0;
    for (int i = 0; i < 1000; i++) {
        size_t n = feed(b, i * 0.1, i % 2 ? 1010 : 990, ev);
        for (size_t k = 0; k < n; k++)
            fires += ev[k].kind == PK_MON_FIRE;
    }
    cr_expect_eq(fires, 500);
    pk_monitor_alerts_free(a);
    pk_monitor_alerts_free(b);
}

Test(monitor_alerts, resolve_needs_the_clear_level_held)
{
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_RSS;
    r.level[PK_MON_INFO] = 10;
    r.resolve_ns = (uint64_t)S(2);
    pk_monitor_alerts *a;
    cr_assert_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_event ev[8];
    cr_expect_eq(feed(a, 0, 20, ev), 1);
    cr_expect_eq(feed(a, 1, 1, ev), 0);   /* clearing since 1 s */
    cr_expect_eq(feed(a, 2, 12, ev), 0);  /* back up: clearing resets */
    cr_expect_eq(feed(a, 3, 1, ev), 0);
    cr_expect_eq(feed(a, 4, 1, ev), 0);
    cr_assert_eq(feed(a, 5, 1, ev), 1);
    cr_expect_eq(ev[0].kind, PK_MON_RESOLVE);
    pk_monitor_alerts_free(a);
}

Test(monitor_alerts, levels_below_latched_and_end)
{
    pk_monitor_rule r[2];
    pk_monitor_rule_init(&r[0]);
    r[0].figure = PK_MON_RSS;
    r[0].level[PK_MON_WARNING] = 100;
    r[0].level[PK_MON_CRITICAL] = 200;
    r[0].auto_resolve = false;
    pk_monitor_rule_init(&r[1]);
    r[1].figure = PK_MON_THREADS;
    r[1].below = true;
    r[1].level[PK_MON_INFO] = 4;
    r[1].level[PK_MON_CRITICAL] = 1;
    pk_monitor_alerts *a;
    cr_assert_eq(pk_monitor_alerts_new(r, 2, &a), PK_OK);
    pk_monitor_event ev[8];
    pk_monitor_sample x = at(0, PK_MON_RSS, 250);
    x.has |= (uint64_t)1 << PK_MON_THREADS;
    x.v[PK_MON_THREADS] = 3;
    cr_assert_eq(pk_monitor_alerts_update(a, &x, ev, 8), 3);
    cr_expect_eq(ev[0].level, PK_MON_WARNING);
    cr_expect_eq(ev[1].level, PK_MON_CRITICAL);
    cr_expect_eq(ev[2].rule, 1);
    cr_expect_eq(ev[2].level, PK_MON_INFO);
    cr_expect_eq(pk_monitor_alerts_worst(a), PK_MON_CRITICAL);
    cr_expect_eq(feed(a, 1, 0, ev), 0);   /* latched: no auto-resolve */
    pk_monitor_sample none = {.t_ns = S(2)};  /* absent figures change nothing */
    cr_expect_eq(pk_monitor_alerts_update(a, &none, ev, 8), 0);
    cr_assert_eq(pk_monitor_alerts_end(a, S(3), ev, 8), 3);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(ev[i].kind, PK_MON_RESOLVE);
        cr_expect(isnan(ev[i].value));
    }
    cr_expect_eq(pk_monitor_alerts_end(a, S(4), ev, 8), 0);
    pk_monitor_alerts_free(a);
}

Test(monitor_alerts, bad_rules)
{
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.level[PK_MON_WARNING] = 100;
    r.level[PK_MON_CRITICAL] = 50;   /* critical under warning */
    pk_monitor_alerts *a = (void *)1;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_EINVAL);
    cr_expect_null(a);
    r.below = true;                  /* for below it is the right order */
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_alerts_free(a);
    r.hysteresis = -0.1;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_EINVAL);
    /* 100% or more: a rising alert's clear level would be <= 0, never reached */
    pk_monitor_rule_init(&r);
    r.level[PK_MON_WARNING] = 100;
    r.hysteresis = 1.0;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_EINVAL);
    r.hysteresis = 2.5;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_EINVAL);
    r.hysteresis = 0.99;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_alerts_free(a);
    r.below = true;                  /* falling: clears at 250, reachable */
    r.hysteresis = 1.5;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_alerts_free(a);
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_NFIGURES;
    cr_expect_eq(pk_monitor_alerts_new(&r, 1, &a), PK_EINVAL);
}

/* ---- trends ------------------------------------------------------------------ */

Test(monitor_trend, hand_computed)
{
    pk_monitor_trend *t;
    cr_assert_eq(pk_monitor_trend_new(10, &t), PK_OK);
    const double v[] = {0, 1, 2, 3, 10};
    for (int i = 0; i < 5; i++)
        pk_monitor_trend_add(t, S(i), v[i]);
    pk_monitor_trend_result r;
    cr_assert_eq(pk_monitor_trend_get(t, 0.95, &r), PK_OK);
    /* slopes 1,1,1,1,1,1,2.5,3,4,7: median 1; S = 10, Var S = 50/3,
     * C = 1.96 sqrt(50/3) = 8.0: ranks 1 and 10; Z = 9 / sqrt(50/3) */
    cr_expect_eq(r.n, 5);
    cr_expect_float_eq(r.slope, 1.0, 1e-12);
    cr_expect_float_eq(r.lo, 1.0, 1e-12);
    cr_expect_float_eq(r.hi, 7.0, 1e-12);
    cr_expect_float_eq(r.p_value, erfc(9 / sqrt(50.0 / 3) / sqrt(2.0)), 1e-12);
    cr_expect_float_eq(r.span_s, 4.0, 1e-12);
    pk_monitor_trend_free(t);
}

Test(monitor_trend, robust_to_outliers_and_windowed)
{
    pk_monitor_trend *t;
    cr_assert_eq(pk_monitor_trend_new(20, &t), PK_OK);
    for (int i = 0; i < 100; i++) {   /* 2 units/s, every 7th point a spike */
        double v = 5 + 2.0 * i + (i % 7 == 0 ? 1000 : 0);
        pk_monitor_trend_add(t, S(i), v);
    }
    pk_monitor_trend_result r;
    cr_assert_eq(pk_monitor_trend_get(t, 0.95, &r), PK_OK);
    cr_expect_eq(r.n, 20);
    cr_expect_float_eq(r.slope, 2.0, 1e-9);
    cr_expect_float_eq(r.span_s, 19.0, 1e-9);
    cr_expect(r.lo <= 2.0 && r.hi >= 2.0);
    cr_expect_lt(r.p_value, 0.01);
    pk_monitor_trend_free(t);
    cr_assert_eq(pk_monitor_trend_new(10, &t), PK_OK);
    for (int i = 0; i < 10; i++)
        pk_monitor_trend_add(t, S(i), 42);
    cr_assert_eq(pk_monitor_trend_get(t, 0.95, &r), PK_OK);
    cr_expect_eq(r.slope, 0);
    cr_expect_float_eq(r.p_value, 1.0, 1e-12);
    pk_monitor_trend_free(t);
    cr_assert_eq(pk_monitor_trend_new(10, &t), PK_OK);
    pk_monitor_trend_add(t, S(1), 1);
    pk_monitor_trend_add(t, S(2), 2);
    cr_expect_eq(pk_monitor_trend_get(t, 0.95, &r), PK_EINVAL);   /* 2 points */
    pk_monitor_trend_add(t, S(3), NAN);                            /* ignored */
    cr_expect_eq(pk_monitor_trend_get(t, 0.95, &r), PK_EINVAL);
    cr_expect_eq(pk_monitor_trend_get(t, 1.0, &r), PK_EINVAL);
    pk_monitor_trend_free(t);
    cr_expect_eq(pk_monitor_trend_new(2, &t), PK_EINVAL);
    cr_expect_eq(pk_monitor_trend_new(601, &t), PK_EINVAL);
}

Test(monitor_trend, leak_suspected)
{
    pk_monitor_trend *t;
    cr_assert_eq(pk_monitor_trend_new(60, &t), PK_OK);
    pk_rng g;
    pk_rng_seed(&g, 7);
    /* 3 MiB/min with +-256 KiB noise, 1 Hz for 60 s: a leak */
    for (int i = 0; i < 60; i++)
        pk_monitor_trend_add(t, S(i), 100e6 + 3.0 * 1048576 / 60 * i +
                                          (pk_rng_double(&g) - 0.5) * 524288);
    pk_monitor_trend_result r;
    cr_assert_eq(pk_monitor_trend_get(t, 0.95, &r), PK_OK);
    cr_expect(pk_monitor_leak_suspected(&r, 30, 1 << 20));
    cr_expect_float_eq(r.slope * 60 / 1048576, 3.0, 0.3);
    /* the same noise with no growth: no leak */
    pk_monitor_trend_free(t);
    cr_assert_eq(pk_monitor_trend_new(60, &t), PK_OK);
    for (int i = 0; i < 60; i++)
        pk_monitor_trend_add(t, S(i), 100e6 + (pk_rng_double(&g) - 0.5) * 524288);
    cr_assert_eq(pk_monitor_trend_get(t, 0.95, &r), PK_OK);
    cr_expect_not(pk_monitor_leak_suspected(&r, 30, 1 << 20));
    pk_monitor_trend_free(t);
    /* advice says so */
    pk_monitor_sample x = {0};
    char buf[1024];
    const char *lines[4];
    r = (pk_monitor_trend_result){.n = 60, .slope = 52428.8, .lo = 50000, .hi = 55000,
                                  .p_value = 1e-9, .span_s = 59};
    cr_assert_eq(pk_monitor_recommend(&x, &r, 2, buf, sizeof buf, lines, 4), 1);
    cr_expect(strstr(lines[0], "leak suspected: RSS grows 3.00 MiB/min") != NULL, "%s", lines[0]);
}

Test(monitor_recommend, the_common_cases)
{
    pk_monitor_sample x = {0};
    const pk_monitor_figure f[] = {PK_MON_FDS, PK_MON_FD_LIMIT, PK_MON_FD_USE, PK_MON_CPU,
                                   PK_MON_THREADS, PK_MON_CGROUP_MEMORY_USE, PK_MON_SWAP};
    const double v[] = {900, 1024, 87.890625, 199, 2, 95, 4096};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        x.v[f[i]] = v[i];
        x.has |= (uint64_t)1 << f[i];
    }
    char buf[2048];
    const char *lines[8];
    size_t n = pk_monitor_recommend(&x, NULL, 4, buf, sizeof buf, lines, 8);
    cr_assert_eq(n, 4);
    cr_expect(strstr(lines[0], "file descriptors near the limit: 900 of 1024") != NULL);
    cr_expect(strstr(lines[1], "CPU saturated") != NULL);
    cr_expect(strstr(lines[2], "memory near the cgroup limit") != NULL);
    cr_expect(strstr(lines[3], "swap activity") != NULL);
    cr_expect_eq(pk_monitor_recommend(&x, NULL, 4, buf, 16, lines, 8), 0);   /* no room */
}

/* ---- the sampler on this process ----------------------------------------------- */

Test(monitor_sampler, this_process)
{
    pk_monitor_sampler *s;
    pk_diag d;
    cr_assert_eq(pk_monitor_sampler_new(getpid(), NULL, &s, &d), PK_OK, "%s", d.message);
    pk_monitor_sample a, b;
    cr_assert_eq(pk_monitor_sampler_read(s, &a), PK_OK);
    cr_expect_not(pk_monitor_has(&a, PK_MON_CPU));   /* a rate needs two samples */
    int fds[50];
    for (int i = 0; i < 50; i++)
        cr_assert_geq(fds[i] = open("/dev/null", O_RDONLY), 0);
    char *mem = malloc(64 << 20);
    cr_assert_not_null(mem);
    memset(mem, 1, 64 << 20);
    __asm__ volatile("" : : "r"(mem) : "memory");   /* the compiler must keep it */
    char buf[4096] = {0};
    int fd = open("/dev/null", O_WRONLY);
    for (int i = 0; i < 256; i++)
        cr_assert_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
    close(fd);
    cr_assert_eq(pk_monitor_sampler_read(s, &b), PK_OK);
    cr_expect(pk_monitor_has(&b, PK_MON_CPU));
    cr_expect_eq(b.v[PK_MON_FDS] - a.v[PK_MON_FDS], 50);
    cr_expect_geq(b.v[PK_MON_WRITE_BYTES] - a.v[PK_MON_WRITE_BYTES], 256 * 4096);
    cr_expect_geq(b.v[PK_MON_WRITE_SYSCALLS] - a.v[PK_MON_WRITE_SYSCALLS], 256);
    cr_expect_geq(b.v[PK_MON_RSS] - a.v[PK_MON_RSS], 63.0 * 1048576);
    cr_expect_leq(b.v[PK_MON_RSS] - a.v[PK_MON_RSS], 66.0 * 1048576);
    cr_expect_geq(b.v[PK_MON_THREADS], 1);
    cr_expect_eq(pk_monitor_sampler_pid(s), getpid());
    for (int i = 0; i < 50; i++)
        close(fds[i]);
    free(mem);
    pk_monitor_sampler_free(s);
}

Test(monitor_sampler, gone_and_missing)
{
    pk_monitor_sampler *s = (void *)1;
    pk_diag d;
    cr_expect_eq(pk_monitor_sampler_new(0, NULL, &s, &d), PK_EINVAL);
    cr_expect_null(s);
    cr_expect_eq(pk_monitor_sampler_new(4194304 + 1, NULL, &s, &d), PK_ENOENT);
    cr_expect_str_eq(d.message, "no process 4194305");
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    cr_assert_eq(pk_monitor_sampler_new(pid, NULL, &s, &d), PK_OK, "%s", d.message);
    pk_monitor_sample x;
    cr_expect_eq(pk_monitor_sampler_read(s, &x), PK_OK);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, WNOHANG);
    /* a zombie or a reaped child: both are gone */
    usleep(10000);
    for (int i = 0; i < 500 && pk_monitor_sampler_read(s, &x) == PK_OK; i++)
        usleep(10000);
    cr_expect_eq(pk_monitor_sampler_read(s, &x), PK_ENOENT);
    waitpid(pid, &st, 0);
    cr_expect_eq(pk_monitor_sampler_read(s, &x), PK_ENOENT);
    pk_monitor_sampler_free(s);
}

/* ---- publisher and watch --------------------------------------------------------- */

Test(monitor_publish, gauges_and_alert_active)
{
    pk_metrics_registry *reg;
    cr_assert_eq(pk_metrics_registry_new(&reg), PK_OK);
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_RSS;
    r.level[PK_MON_WARNING] = 100;
    pk_monitor_alerts *a;
    cr_assert_eq(pk_monitor_alerts_new(&r, 1, &a), PK_OK);
    pk_monitor_publisher *p;
    cr_assert_eq(pk_monitor_publisher_new(reg, "t_", a, &p), PK_OK);
    pk_monitor_sample x = at(0, PK_MON_RSS, 150);
    pk_monitor_event ev[4];
    cr_assert_eq(pk_monitor_alerts_update(a, &x, ev, 4), 1);
    pk_monitor_publish(p, &x, a);
    char *text;
    cr_assert_eq(pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_expect(strstr(text, "\nt_rss_bytes 150\n") != NULL, "%s", text);
    cr_expect(strstr(text, "\nt_fds NaN\n") != NULL, "%s", text);
    cr_expect(strstr(text, "perfkit_alert_active{figure=\"rss\",level=\"warning\"} 1\n") != NULL,
              "%s", text);
    pk_free(text);
    pk_monitor_publisher_free(p);
    pk_monitor_alerts_free(a);
    pk_metrics_registry_free(reg);
}

static int events_seen;
static void on_event(void *ud, const pk_monitor_event *ev)
{
    (void)ud;
    if (ev->kind == PK_MON_FIRE)
        __atomic_add_fetch(&events_seen, 1, __ATOMIC_SEQ_CST);
}

Test(monitor_watch, a_program_watching_itself)
{
    pk_metrics_registry *reg;
    cr_assert_eq(pk_metrics_registry_new(&reg), PK_OK);
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_THREADS;
    r.level[PK_MON_INFO] = 1;   /* fires at once: this process has >= 1 thread */
    pk_monitor_watch_opts o;
    pk_monitor_watch_opts_init(&o);
    o.interval_ns = 5000000;
    o.rules = &r;
    o.n_rules = 1;
    o.registry = reg;
    o.on_event = on_event;
    pk_monitor_watch *w;
    cr_assert_eq(pk_monitor_watch_start(&o, &w, NULL), PK_OK);
    pk_monitor_sample x;
    for (int i = 0; i < 2000 && !pk_monitor_watch_last(w, &x); i++)
        usleep(5000);
    cr_assert(pk_monitor_watch_last(w, &x));
    cr_expect_geq(x.v[PK_MON_THREADS], 2);   /* us and the watch thread */
    for (int i = 0; i < 2000 && !__atomic_load_n(&events_seen, __ATOMIC_SEQ_CST); i++)
        usleep(5000);
    pk_monitor_watch_stop(w);
    cr_expect_eq(events_seen, 1);
    char *text;
    cr_assert_eq(pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_expect(strstr(text, "perfkit_alert_active{figure=\"threads\",level=\"info\"} 1") != NULL,
              "%s", text);
    const char *th = strstr(text, "\nperfkit_monitor_threads ");
    cr_expect(th && th[25] >= '2' && th[25] <= '9', "%s", text);
    pk_free(text);
    pk_metrics_registry_free(reg);
}

/* ---- fault injection ---------------------------------------------------------------- */

Test(monitor_fault, every_allocation_fails_cleanly)
{
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.level[PK_MON_WARNING] = 1;
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_monitor_alerts *a = NULL;
        pk_monitor_trend *t = NULL;
        pk_monitor_sampler *s = NULL;
        pk_err e1 = pk_monitor_alerts_new(&r, 1, &a);
        pk_err e2 = pk_monitor_trend_new(30, &t);
        pk_err e3 = pk_monitor_sampler_new(getpid(), NULL, &s, NULL);
        pk_monitor_alerts_free(a);
        pk_monitor_trend_free(t);
        pk_monitor_sampler_free(s);
        long requests = fault_requests(), live = fault_live();
        fault_disarm();
        cr_expect_eq(live, 0, "leak when request %ld fails", k);
        cr_expect(e1 == PK_OK || e1 == PK_ENOMEM);
        cr_expect(e2 == PK_OK || e2 == PK_ENOMEM);
        cr_expect(e3 == PK_OK || e3 == PK_ENOMEM);
        if (k >= requests)
            break;
    }
}

Test(monitor_sampler, follows_execve)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        if (read(p[0], &c, 1) == 1)
            execlp("sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    pk_monitor_sampler *s;
    pk_diag d;
    cr_assert_eq(pk_monitor_sampler_new(pid, NULL, &s, &d), PK_OK, "%s", d.message);
    pk_monitor_sample x;
    cr_assert_eq(pk_monitor_sampler_read(s, &x), PK_OK);
    cr_expect_str_neq(pk_monitor_sampler_comm(s), "sleep");
    cr_assert_eq(write(p[1], "x", 1), 1);
    bool execd = false;
    for (int i = 0; i < 1000 && !execd; i++) {
        usleep(10000);
        cr_assert_eq(pk_monitor_sampler_read(s, &x), PK_OK);
        execd = !strcmp(pk_monitor_sampler_comm(s), "sleep");
    }
    cr_assert(execd, "never saw the execve");
    /* smaps_rollup was opened on the old memory map: PSS is the new one's */
    cr_assert_eq(pk_monitor_sampler_read(s, &x), PK_OK);
    cr_expect(pk_monitor_has(&x, PK_MON_PSS));
    cr_expect_gt(x.v[PK_MON_PSS], 0);
    cr_expect_leq(x.v[PK_MON_PSS], x.v[PK_MON_RSS]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(p[1]);
    pk_monitor_sampler_free(s);
}

Test(monitor_sampler, children_and_their_allocation)
{
    pid_t pid = fork();
    if (pid == 0) {   /* a child with a grandchild, in a process group of their own */
        setpgid(0, 0);
        if (fork() == 0) {
            pause();
            _exit(0);
        }
        pause();
        _exit(0);
    }
    setpgid(pid, pid);
    pk_monitor_sampler_opts o;
    pk_monitor_sampler_opts_init(&o);
    o.children = true;
    pk_monitor_sampler *s;
    pk_diag d;
    cr_assert_eq(pk_monitor_sampler_new(getpid(), &o, &s, &d), PK_OK, "%s", d.message);
    pk_monitor_sample x;
    for (int i = 0; i < 500; i++) {   /* until the grandchild exists */
        cr_assert_eq(pk_monitor_sampler_read(s, &x), PK_OK);
        if (x.v[PK_MON_PROCESSES] >= 3)
            break;
        usleep(10000);
    }
    cr_expect_geq(x.v[PK_MON_PROCESSES], 3);
    pk_monitor_sampler_free(s);
    /* a failed allocation of the /proc pass is PK_ENOMEM, and nothing leaks */
    fault_arm(-1);
    cr_assert_eq(pk_monitor_sampler_new(getpid(), &o, &s, &d), PK_OK);
    fault_disarm();
    fault_arm_from(0);
    cr_expect_eq(pk_monitor_sampler_read(s, &x), PK_ENOMEM);
    fault_disarm();
    cr_expect_eq(pk_monitor_sampler_read(s, &x), PK_OK);
    pk_monitor_sampler_free(s);
    kill(-pid, SIGKILL);   /* both */
    waitpid(pid, NULL, 0);
}
