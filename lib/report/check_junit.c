/* check_junit.c — the `perfkit check` verdict as JUnit XML for CI systems.
 *
 *   <testsuites name="perfkit check" tests failures errors skipped time>
 *     <testsuite name="sort" tests failures errors skipped time timestamp hostname>
 *       <testcase classname="perfkit.sort" name="wall.p95 budget" time="1.204">
 *         <failure message="wall.p95 61.20 ms &gt; 55.00 ms (budget …)"
 *                  type="over budget">…details…</failure>
 *
 * One suite per benchmark (per file for size budgets), one case per item,
 * named "<figure>.<stat> budget", "<figure> regression", "<compression>
 * size budget", or "benchmark runs" for a benchmark that failed to run (its
 * stderr tail, when it has one, goes into the case's <system-err>). time=
 * is real: a suite's is the wall seconds its benchmark took to measure
 * (pk_check_item.elapsed_s), shared evenly by its cases, and the
 * <testsuites> total is their sum; 0 where nothing was measured (imports,
 * sizes, `perfkit compare`).
 * OVER_BUDGET and REGRESSED are failures, OC_ERROR an error; NOT_MEASURABLE,
 * INCONCLUSIVE and NO_BASELINE are skipped, except that under strict the
 * first two are failures (the gate's rule, check.h). A report with no item
 * fails, so it gets one suite with one failing case saying so. The format
 * follows the
 * de-facto schema of Ant/Jenkins/GitLab (windyroad JUnit.xsd). Text is
 * escaped for XML 1.0: & < > " ' as entities, tab/newline/CR as character
 * references in attributes, other control characters and bytes that are not
 * valid UTF-8 (or U+FFFE/U+FFFF) replaced by '?', so any benchmark name gives
 * a well-formed document. */
#include "report/check_int.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "perfkit/alloc.h"

typedef enum outcome { OC_PASSED, OC_FAILURE, OC_ERROR, OC_SKIPPED } outcome;

static outcome outcome_of(const pk_check_report *r, pk_check_status s)
{
    if (s == PK_CHECK_ERROR)
        return OC_ERROR;
    if (pk__report_check_fails(r, s))
        return OC_FAILURE;
    if (s == PK_CHECK_NOT_MEASURABLE || s == PK_CHECK_INCONCLUSIVE || s == PK_CHECK_NO_BASELINE)
        return OC_SKIPPED;
    return OC_PASSED;
}

/* Length of the valid UTF-8 sequence at s that XML 1.0 allows, 0 if none. */
static size_t utf8_char(const unsigned char *s)
{
    unsigned c = s[0], cp;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

/* s escaped for XML: attribute values (attr) or character data. */
static void xml(FILE *f, const char *s, bool attr)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t n = utf8_char(p);
            if (n == 0) {
                fputc('?', f);
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\t': fputs(attr ? "&#9;" : "\t", f); break;
        case '\n': fputs(attr ? "&#10;" : "\n", f); break;
        case '\r': fputs("&#13;", f); break;
        default: fputc(c < 0x20 ? '?' : (char)c, f); break;
        }
        p++;
    }
}

/* One line saying what was measured against what (the text report's row). */
static void describe(const pk_check_item *it, char *buf, size_t len)
{
    pk__report_check_row w;
    pk__report_check_cells(it, &w);
    const char *cells[] = {w.value, w.detail, w.change, w.p};
    int o = snprintf(buf, len, "%s", w.label);
    for (size_t k = 0; k < 4 && o >= 0 && (size_t)o < len; k++)
        if (*cells[k])
            o += snprintf(buf + o, len - (size_t)o, " %s", cells[k]);
}

/* The element body: the description (a failure's), sample counts, where the
 * budget is declared, and the note. */
static void details(FILE *f, const pk_check_report *r, const pk_check_item *it,
                    const char *desc)
{
    if (desc) {
        xml(f, desc, false);
        fputc('\n', f);
    }
    if (it->n_current)
        fprintf(f, "samples: %zu", it->n_current);
    if (it->n_current && it->n_baseline)
        fprintf(f, " (baseline %zu)", it->n_baseline);
    if (it->n_current)
        fputc('\n', f);
    if (it->pos.line && r->config_path[0]) {
        xml(f, r->config_path, false);
        fprintf(f, ":%u:%u\n", it->pos.line, it->pos.column);
    } else if (it->pos.line) {
        fprintf(f, "line %u, column %u\n", it->pos.line, it->pos.column);
    }
    if (it->note && *it->note) {
        xml(f, it->note, false);
        fputc('\n', f);
    }
}

/* The case's name as CI lists it under its class "perfkit.<benchmark>":
 * "wall.p95 budget", "wall regression" (one per figure: the statistic is
 * the policy's), "gzip size budget", "benchmark runs" (it failed to run). */
static void case_name(FILE *f, const pk_check_item *it)
{
    if (!it->figure || !*it->figure) {
        fputs("benchmark runs", f);
        return;
    }
    xml(f, it->figure, true);
    if (it->kind == PK_ITEM_BUDGET) {
        fputc('.', f);
        xml(f, it->stat, true);
        fputs(" budget", f);
    } else {
        fputs(it->kind == PK_ITEM_SIZE ? " size budget" : " regression", f);
    }
}

/* A failed command's stderr tail, as CI shows a test's own output. */
static void system_err(FILE *f, const pk_check_item *it)
{
    if (!it->stderr_tail || !*it->stderr_tail)
        return;
    fputs("      <system-err>", f);
    xml(f, it->stderr_tail, false);
    fputs("</system-err>\n", f);
}

static void testcase(FILE *f, const pk_check_report *r, const pk_check_item *it, double secs)
{
    char desc[768];
    fputs("    <testcase classname=\"perfkit.", f);
    xml(f, it->benchmark, true);
    fputs("\" name=\"", f);
    case_name(f, it);
    fprintf(f, "\" time=\"%.3f\"", secs);
    outcome oc = outcome_of(r, it->status);
    if (oc == OC_PASSED) {
        fputs("/>\n", f);
        return;
    }
    describe(it, desc, sizeof desc);
    fputs(">\n      ", f);
    if (oc == OC_ERROR) {
        /* a benchmark that did not run: its message is all there is */
        fputs("<error message=\"", f);
        xml(f, it->note && *it->note ? it->note : "failed to run", true);
        fputs("\" type=\"error\">", f);
        details(f, r, it, NULL);
        fputs("</error>\n", f);
        system_err(f, it);
    } else {
        const char *note = it->note && *it->note ? it->note : NULL;
        fprintf(f, "<%s message=\"", oc == OC_SKIPPED ? "skipped" : "failure");
        if (oc == OC_SKIPPED)
            fprintf(f, "%s: ", pk__report_check_verdict(it));
        xml(f, oc == OC_SKIPPED && note ? note : desc, true);
        if (oc == OC_FAILURE && note) {
            fputs(" \xe2\x80\x94 ", f);
            xml(f, note, true);
        }
        if (oc == OC_SKIPPED) {
            fputs("\"/>\n", f);
        } else {
            fprintf(f, "\" type=\"%s\">", pk__report_check_verdict(it));
            details(f, r, it, desc);
            fputs("</failure>\n", f);
        }
    }
    fputs("    </testcase>\n", f);
}

typedef struct tally {
    size_t tests, failures, errors, skipped;
    double seconds;
} tally;

static void count(tally *t, const pk_check_report *r, const pk_check_item *it)
{
    outcome oc = outcome_of(r, it->status);
    t->tests++;
    if (it->elapsed_s > t->seconds)
        t->seconds = it->elapsed_s;   /* a group's items share their benchmark's */
    t->failures += oc == OC_FAILURE;
    t->errors += oc == OC_ERROR;
    t->skipped += oc == OC_SKIPPED;
}

static void tally_attrs(FILE *f, const tally *t)
{
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
            t->tests, t->failures, t->errors, t->skipped, t->seconds);
}

/* timestamp and hostname of a suite, when known. */
static void run_attrs(FILE *f, const pk_run_meta *m)
{
    time_t t = (time_t)(m->started_unix_ns / 1000000000);
    struct tm tm;
    if (m->started_unix_ns > 0 && gmtime_r(&t, &tm))
        fprintf(f, " timestamp=\"%04d-%02d-%02dT%02d:%02d:%02d\"", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (m->machine.hostname[0]) {
        fputs(" hostname=\"", f);
        xml(f, m->machine.hostname, true);
        fputc('"', f);
    }
}

/* A report with no item fails (check.h): one failing case says so, or CI
 * would show an empty, green test run. */
static void empty_suite(FILE *f, const pk_check_report *r, const tally *t)
{
    char counts[64];
    pk__report_check_counts(r, counts, sizeof counts);
    fputs("  <testsuite name=\"perfkit check\"", f);
    tally_attrs(f, t);
    run_attrs(f, &r->run);
    fprintf(f, ">\n    <testcase classname=\"perfkit\" name=\"checks\" time=\"0\">\n"
               "      <failure message=\"%s\" type=\"no checks\"/>\n    </testcase>\n"
               "  </testsuite>\n", counts);
}

pk_err pk_check_write_junit(FILE *f, const pk_check_report *r)
{
    if (!f || !r || (r->n_items && !r->items))
        return PK_EINVAL;
    size_t *ord = NULL;
    pk_err e = pk__report_check_order(r, &ord);
    if (e != PK_OK)
        return e;
    tally all = {0};
    for (size_t k = 0; k < r->n_items;) {   /* the time: each group's, summed */
        tally t = {0};
        const pk_check_item *first = &r->items[ord[k]];
        for (; k < r->n_items && pk__report_check_same_group(first, &r->items[ord[k]]); k++)
            count(&t, r, &r->items[ord[k]]);
        all.tests += t.tests;
        all.failures += t.failures;
        all.errors += t.errors;
        all.skipped += t.skipped;
        all.seconds += t.seconds;
    }
    bool nothing = r->n_items == 0 && r->failed;
    if (nothing)
        all = (tally){.tests = 1, .failures = 1};
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"perfkit check\"", f);
    tally_attrs(f, &all);
    fputs(">\n", f);
    if (nothing)
        empty_suite(f, r, &all);
    for (size_t k = 0; k < r->n_items;) {
        const pk_check_item *first = &r->items[ord[k]];
        size_t end = k;
        tally t = {0};
        for (; end < r->n_items && pk__report_check_same_group(first, &r->items[ord[end]]); end++)
            count(&t, r, &r->items[ord[end]]);
        fputs("  <testsuite name=\"", f);
        if (pk__report_check_is_size(first))
            fputs("size:", f);
        xml(f, first->benchmark, true);
        fputc('"', f);
        tally_attrs(f, &t);
        run_attrs(f, &r->run);
        fputs(">\n", f);
        for (; k < end; k++)   /* the benchmark's time shared by its cases */
            testcase(f, r, &r->items[ord[k]], t.seconds / (double)t.tests);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    pk_free(ord);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
