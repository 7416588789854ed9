/* Unit tests for the JUnit writer of perfkit check (lib/report/check_junit.c)
 * on the hand-built report of check_report_util.h: well-formed XML (parsed by
 * Python's xml.etree, and xmllint when installed), counts that match the
 * gate's verdict, strict mode, an empty report. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "check_report_util.h"

Test(check_junit, well_formed_with_counts)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.items[6].benchmark = "ctl\x01\x1f \xff\xc0\x80 \xed\xa0\x80 \xef\xbf\xbe ok";  /* fresh */
    char *s = NULL;
    char *path = junit_file(&fx.r, &s);
    /* 11 items: over budget + regressed = 2 failures, 1 error, inconclusive +
     * not measurable + no baseline = 3 skipped */
    cr_assert_str_eq(junit_check(path), "11 2 1 3/11 2 1 3/11 2 1 3");
    xmllint_ok(path);
    assert_has(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"perfkit check\" "
                  "tests=\"11\" failures=\"2\" errors=\"1\" skipped=\"3\" time=\"0.000\">");
    assert_has(s, "<testsuite name=\"sort\" tests=\"5\" failures=\"2\" errors=\"0\" "
                  "skipped=\"1\" time=\"0.000\" timestamp=\"2023-11-14T22:13:20\" hostname=\"ci-3\">");
    assert_has(s, "<testcase classname=\"perfkit.sort\" name=\"wall.p95 budget\" time=\"0.000\"/>");
    assert_has(s, "<failure message=\"wall.p99 61.20 ms &gt; 55.00 ms (budget 50ms +10% "
                  "tolerance) +11.3% over\" type=\"over budget\">");
    assert_has(s, "perfkit.yml:12:33\n");
    assert_has(s, "name=\"wall regression\"");
    assert_has(s, "type=\"regressed\"");
    assert_has(s, "classname=\"perfkit.a|b&lt;c&gt;&amp;&quot;d&apos;\"");
    assert_has(s, "<error message=\"exit code 1&#10;stderr: &lt;boom&gt; &amp; ? done\" "
                  "type=\"error\">");
    assert_has(s, "<skipped message=\"not measurable here: `instructions` is not measurable");
    assert_has(s, "<skipped message=\"no baseline: no earlier run to compare with\"/>");
    assert_has(s, "<testsuite name=\"size:build/app.wasm\"");
    assert_has(s, "name=\"gzip size budget\"");
    assert_has(s, "classname=\"perfkit.ctl?? ??? ??? ??? ok\"");
    unlink(path);
    free(s);
}

/* time= is the seconds the benchmark took, shared by its cases and summed
 * over the suites; a failed command's stderr tail is the case's system-err;
 * the names read as CI lists them */
Test(check_junit, times_stderr_and_names)
{
    fixture fx;
    fixture_init(&fx, false);
    const size_t sort_items[] = {0, 1, 2, 5, 10};   /* 5 items: 3 s → 0.6 s each */
    for (size_t k = 0; k < 5; k++)
        fx.items[sort_items[k]].elapsed_s = 3.0;
    fx.items[6].elapsed_s = 0.25;                   /* fresh: one item */
    fx.items[8].stderr_tail = "line one\n<two> & \x1b[31mred\n";
    char *s = NULL;
    char *path = junit_file(&fx.r, &s);
    xmllint_ok(path);
    assert_has(s, "tests=\"11\" failures=\"2\" errors=\"1\" skipped=\"3\" time=\"3.250\">");
    assert_has(s, "<testsuite name=\"sort\" tests=\"5\" failures=\"2\" errors=\"0\" "
                  "skipped=\"1\" time=\"3.000\"");
    assert_has(s, "<testcase classname=\"perfkit.sort\" name=\"wall.p95 budget\" "
                  "time=\"0.600\"/>");
    assert_has(s, "<testcase classname=\"perfkit.sort\" name=\"wall regression\" "
                  "time=\"0.600\">");
    assert_has(s, "<testcase classname=\"perfkit.fresh\" name=\"wall regression\" "
                  "time=\"0.250\">");
    assert_has(s, "name=\"benchmark runs\" time=\"0.000\">");
    assert_has(s, "<system-err>line one\n&lt;two&gt; &amp; ?[31mred\n</system-err>");
    unlink(path);
    free(s);
}

Test(check_junit, strict_fails_not_measurable_and_inconclusive)
{
    fixture fx;
    fixture_init(&fx, true);
    fx.r.config_path[0] = '\0';
    char *s = NULL;
    char *path = junit_file(&fx.r, &s);
    cr_assert_str_eq(junit_check(path), "11 4 1 1/11 4 1 1/11 4 1 1");
    xmllint_ok(path);
    assert_has(s, "<failure message=\"instructions.mean \xe2\x80\x94 (budget 1.2G) \xe2\x80\x94 "
                  "`instructions` is not measurable here: this machine has no hardware "
                  "counters (a VM?)\" type=\"not measurable here\">");
    assert_has(s, "type=\"inconclusive\">");
    assert_has(s, "\nline 12, column 33\n</failure>");
    unlink(path);
    free(s);
}

Test(check_junit, empty_report)
{
    fixture fx;
    fixture_init(&fx, false);
    fx.r.n_items = 0;
    finish(&fx);
    char *s = NULL;
    char *path = junit_file(&fx.r, &s);
    /* it fails (check.h): one failing case, not an empty green run */
    cr_assert_str_eq(junit_check(path), "1 1 0 0/1 1 0 0/1 1 0 0");
    xmllint_ok(path);
    assert_has(s, "<failure message=\"no checks: nothing was measured\" type=\"no checks\"/>");
    unlink(path);
    free(s);
}

/* ---- minimum budgets -------------------------------------------------------- */

