/* check_report_util.h — the hand-built pk_check_report every check-writer
 * test renders (one item of every verdict, names that need escaping), and
 * helpers to render and look into the output (test_check_report.c,
 * test_check_junit.c). */
#ifndef PK_TEST_CHECK_REPORT_UTIL_H
#define PK_TEST_CHECK_REPORT_UTIL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfkit/check.h"
#include "perfkit/check_write.h"
#include "capture.h"

#define WEIRD "a|b<c>&\"d'"     /* a benchmark name that needs escaping */
#define TICKS "broken`tick"

typedef struct fixture {
    pk_check_report r;
    pk_check_item items[16];
} fixture;

static inline pk_check_item *add(fixture *fx, pk_check_kind kind, pk_check_status s, const char *bench,
                          const char *fig, const char *stat, pk_unit_kind unit)
{
    pk_check_item *it = &fx->items[fx->r.n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->status = s;
    it->benchmark = (char *)bench;
    it->figure = (char *)fig;
    it->stat = (char *)stat;
    it->unit = unit;
    return it;
}

static inline void cmp(pk_check_item *it, double ratio, double lo, double hi, double p)
{
    it->has_cmp = true;
    it->cmp.ratio = ratio;
    it->cmp.ratio_ci = (pk_ci){ratio, lo, hi};
    it->cmp.p_value = p;
    it->cmp.statistic = PK_STAT_MEDIAN;
    it->cmp.verdict = ratio > 1.05 && p < 0.05 ? PK_VERDICT_SLOWER
                      : ratio < 0.95 && p < 0.05 ? PK_VERDICT_FASTER : PK_VERDICT_SAME;
}

/* counts and failed from the items, as pk_check_evaluate computes them */
static inline void finish(fixture *fx)
{
    pk_check_report *r = &fx->r;
    r->items = fx->items;
    memset(r->count, 0, sizeof r->count);
    r->failed = r->n_items == 0;
    for (size_t i = 0; i < r->n_items; i++) {
        pk_check_status s = r->items[i].status;
        r->count[s]++;
        if (pk_check_status_fails(s, r->strict))
            r->failed = true;
    }
}

static inline void fixture_init(fixture *fx, bool strict)
{
    memset(fx, 0, sizeof *fx);
    pk_check_report *r = &fx->r;
    r->strict = strict;
    snprintf(r->config_path, sizeof r->config_path, "perfkit.yml");
    r->run.id = 42;
    r->run.started_unix_ns = 1700000000123000000;
    snprintf(r->run.commit, sizeof r->run.commit, "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d");
    snprintf(r->run.branch, sizeof r->run.branch, "main");
    r->run.dirty = true;
    snprintf(r->run.perfkit_version, sizeof r->run.perfkit_version, "0.1.0");
    snprintf(r->run.machine.cpu_model, sizeof r->run.machine.cpu_model, "Test CPU");
    r->run.machine.cores = 8;
    snprintf(r->run.machine.kernel, sizeof r->run.machine.kernel, "Linux 6.1");
    snprintf(r->run.machine.arch, sizeof r->run.machine.arch, "x86_64");
    snprintf(r->run.machine.hostname, sizeof r->run.machine.hostname, "ci-3");
    r->run.machine.mem_bytes = 16ull << 30;
    snprintf(r->run.fingerprint, sizeof r->run.fingerprint, "00112233aabbccdd");
    snprintf(r->run.config_hash, sizeof r->run.config_hash, "deadbeefdeadbeef");

    /* 0: budget pass */
    pk_check_item *it = add(fx, PK_ITEM_BUDGET, PK_CHECK_PASS, "sort", "wall", "p95",
                            PK_UNIT_DURATION);
    it->current = 45e6, it->limit = 55e6, it->limit_text = "50ms", it->n_current = 30;
    it->pos = (pk_src_pos){12, 20};
    /* 1: over budget, 10% tolerance */
    it = add(fx, PK_ITEM_BUDGET, PK_CHECK_OVER_BUDGET, "sort", "wall", "p99", PK_UNIT_DURATION);
    it->current = 61.2e6, it->limit = 55e6, it->limit_text = "50ms", it->n_current = 30;
    it->pos = (pk_src_pos){12, 33};
    /* 2: regression */
    it = add(fx, PK_ITEM_REGRESSION, PK_CHECK_REGRESSED, "sort", "wall", "median",
             PK_UNIT_DURATION);
    it->current = 12.4e6, it->baseline = 10.3e6, it->baseline_run = 41;
    it->n_current = 30, it->n_baseline = 30;
    cmp(it, 1.204, 1.181, 1.229, 2e-6);
    /* 3: improvement, a name to escape */
    it = add(fx, PK_ITEM_REGRESSION, PK_CHECK_IMPROVED, WEIRD, "rss", "median", PK_UNIT_SIZE);
    it->current = 48.0 * 1048576, it->baseline = 60.0 * 1048576, it->baseline_run = 41;
    it->n_current = 10, it->n_baseline = 10;
    cmp(it, 0.8, 0.78, 0.82, 1e-4);
    /* 4: inconclusive */
    it = add(fx, PK_ITEM_REGRESSION, PK_CHECK_INCONCLUSIVE, WEIRD, "wall", "median",
             PK_UNIT_DURATION);
    it->current = 1.08e6, it->baseline = 1e6, it->baseline_run = 41;
    it->n_current = 10, it->n_baseline = 10;
    cmp(it, 1.08, 0.97, 1.2, 0.2);
    /* 5: not measurable, with note */
    it = add(fx, PK_ITEM_BUDGET, PK_CHECK_NOT_MEASURABLE, "sort", "instructions", "mean",
             PK_UNIT_COUNT);
    it->limit = 1.2e9, it->limit_text = "1.2G";
    it->note = "`instructions` is not measurable here: this machine has no hardware "
               "counters (a VM?)";
    /* 6: no baseline */
    it = add(fx, PK_ITEM_REGRESSION, PK_CHECK_NO_BASELINE, "fresh", "wall", "median",
             PK_UNIT_DURATION);
    it->current = 2.5e6, it->n_current = 10, it->note = "no earlier run to compare with";
    /* 7: size */
    it = add(fx, PK_ITEM_SIZE, PK_CHECK_PASS, "build/app.wasm", "gzip", "size", PK_UNIT_SIZE);
    it->current = 90000, it->limit = 100000, it->limit_text = "100KB", it->n_current = 1;
    it->pos = (pk_src_pos){30, 5};
    /* 8: error */
    it = add(fx, PK_ITEM_BUDGET, PK_CHECK_ERROR, TICKS, "", "", PK_UNIT_DURATION);
    it->note = "exit code 1\nstderr: <boom> & \x01 done";
    /* 9: a benchmark whose only item passes */
    it = add(fx, PK_ITEM_BUDGET, PK_CHECK_PASS, "quiet", "rss", "max", PK_UNIT_SIZE);
    it->current = 1048576, it->limit = 64.0 * 1048576, it->limit_text = "64MiB";
    it->n_current = 5;
    /* 10: a regression item of sort without change, after another group */
    it = add(fx, PK_ITEM_REGRESSION, PK_CHECK_PASS, "sort", "rss", "median", PK_UNIT_SIZE);
    it->current = 10.0 * 1048576, it->baseline = 10.0 * 1048576, it->baseline_run = 41;
    it->n_current = 30, it->n_baseline = 30;
    cmp(it, 1.001, 0.99, 1.01, 0.8);
    finish(fx);
}

typedef pk_err (*writer)(FILE *, const pk_check_report *);

/* Output of w(r) as a NUL-terminated string the caller frees. */
static inline char *render(writer w, const pk_check_report *r)
{
    capture c;
    cr_assert_eq(w(capture_begin(&c), r), PK_OK);
    return capture_end(&c);
}

static inline char *render_text(const pk_check_report *r, bool color, bool verbose)
{
    capture c;
    pk_write_opts o = {.color = color, .verbose = verbose};
    cr_assert_eq(pk_check_write_text(capture_begin(&c), r, &o), PK_OK);
    return capture_end(&c);
}

/* The line of s containing needle (a copy the caller frees), or NULL. */
static inline char *line_with(const char *s, const char *needle)
{
    const char *p = strstr(s, needle);
    if (!p)
        return NULL;
    const char *b = p, *e = p;
    while (b > s && b[-1] != '\n')
        b--;
    while (*e && *e != '\n')
        e++;
    return strndup(b, (size_t)(e - b));
}

static inline void assert_has(const char *s, const char *needle)
{
    cr_assert_not_null(strstr(s, needle), "missing \"%s\" in:\n%s", needle, s);
}

static inline void assert_lacks(const char *s, const char *needle)
{
    cr_assert_null(strstr(s, needle), "unexpected \"%s\" in:\n%s", needle, s);
}

/* ---- names ----------------------------------------------------------------- */

/* Parse path with Python's xml.etree and print "tests failures errors skipped"
 * from the root and, after a '/', the same counted over the elements. */
static inline char *junit_check(const char *path)
{
    char cmd[2048], out[] = "/tmp/pk_junit_out_XXXXXX";
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import xml.etree.ElementTree as E,sys\n"
             "r=E.parse(sys.argv[1]).getroot()\n"
             "a=[r.get(k) for k in (\"tests\",\"failures\",\"errors\",\"skipped\")]\n"
             "c=[len(r.findall(\".//testcase\"))]+[len(r.findall(\".//testcase/\"+t)) for t in "
             "(\"failure\",\"error\",\"skipped\")]\n"
             "s=[sum(int(x.get(k)) for x in r.findall(\"testsuite\")) for k in "
             "(\"tests\",\"failures\",\"errors\",\"skipped\")]\n"
             "print(\" \".join(a)+\"/\"+\" \".join(map(str,c))+\"/\"+\" \".join(map(str,s)))' "
             "%s > %s 2>&1", path, out);
    int rc = system(cmd);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(out);
    cr_assert_eq(rc, 0, "python rejected the XML: %s", buf);
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return buf;
}

static inline char *junit_file(const pk_check_report *r, char **text)
{
    static char path[] = "/tmp/pk_junit_XXXXXX";
    snprintf(path, sizeof path, "/tmp/pk_junit_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_eq(pk_check_write_junit(f, r), PK_OK);
    fclose(f);
    *text = render(pk_check_write_junit, r);
    return path;
}

static inline void xmllint_ok(const char *path)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    cr_assert_eq(system(cmd), 0, "xmllint rejected %s", path);
}

#endif
