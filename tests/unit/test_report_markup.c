/* Unit tests for lib/report's tables as hyperfine writes them (markup.c):
 * AsciiDoc and org-mode cell for cell, the time unit (-u) and row order
 * (--sort) of every table and the text, the shell line and its JSON record,
 * and allocation failures in the table writers. The fixture is
 * test_report.c's: hand-built runs, no process is run. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/report.h"
#include "capture.h"
#include "fault.h"

#include "report_fixture.h"


/* ---- hyperfine's markup tables ------------------------------------------ */

static char *render_with(pk_format fmt, const pk_bench_report *r, const pk_write_opts *o)
{
    capture c;
    cr_assert_eq(pk_bench_report_write(capture_begin(&c), r, fmt, o), PK_OK);
    return capture_end(&c);
}

/* hyperfine's AsciiDoc (src/export/asciidoc.rs): the cols line, |===, every
 * cell on a line of its own ending in a blank, a blank line before each row. */
Test(report_asciidoc, hyperfine_structure)
{
    fixture fx;
    fixture_init(&fx, 2);
    pk_bench_report *r = report_of(&fx);
    char *m = render(PK_FORMAT_ASCIIDOC, r);
    char want[1024];
    snprintf(want, sizeof want,
             "[cols=\"<,>,>,>,>\"]\n"
             "|===\n"
             "| Command \n| Mean [ms] \n| Min [ms] \n| Max [ms] \n| Relative \n"
             "\n"
             "| `sleep 0.01` \n| 10.0 ± 0.0 \n| 10.0 \n| 10.0 \n| 1.00 \n"
             "\n"
             "| `say \"hi\", world \\| x` \n| 12.0 ± 0.0 \n| 12.0 \n| 12.0 \n| %.2f ± %.2f \n"
             "|===\n",
             r->cmds[1].cmp.ratio, (r->cmds[1].cmp.ratio_ci.hi - r->cmds[1].cmp.ratio_ci.lo) / 2);
    cr_assert_str_eq(m, want);
    free(m);
    pk_bench_report_free(r);
}

/* hyperfine's org-mode (src/export/orgmode.rs): "| first  |  b |  c |", the
 * divider |--+--+--+--+--|, commands as =verbatim=. */
Test(report_orgmode, hyperfine_structure)
{
    fixture fx;
    fixture_init(&fx, 2);
    fx.cmds[1].n_runs = 1;   /* one run: no ± and no comparison */
    pk_bench_report *r = report_of(&fx);
    char *m = render(PK_FORMAT_ORGMODE, r);
    cr_assert_str_eq(m,
                     "| Command  |  Mean [ms] |  Min [ms] |  Max [ms] |  Relative |\n"
                     "|--+--+--+--+--|\n"
                     "| =sleep 0.01=  |  10.0 ± 0.0 |  10.0 |  10.0 |  1.00 |\n"
                     "| =say \"hi\", world \\| x=  |  12.0 |  12.0 |  12.0 |  1.20 |\n");
    free(m);
    pk_bench_report_free(r);
}

/* -u: one unit for every table and the text; --sort mean-time orders the
 * tables' rows and the summary's comparisons by the mean. */
Test(report_tables, time_unit_and_sort)
{
    fixture fx;
    fixture_init(&fx, 3);
    fx.runs[2][0].wall_ns = 9000000;   /* C: the fastest mean */
    pk_bench_report *r = report_of(&fx);
    pk_write_opts o = {.time_unit = PK_TIME_UNIT_S, .sort = PK_SORT_MEAN};
    char *m = render_with(PK_FORMAT_MARKDOWN, r, &o);
    cr_assert(strstr(m, "| Command | Mean [s] | Min [s] | Max [s] |"), "%s", m);
    char *a = strstr(m, "`sleep 0.01`"), *b = strstr(m, "`say"), *c = strstr(m, "`third`");
    cr_assert(a && b && c && c < a && a < b, "%s", m);
    free(m);
    m = render_with(PK_FORMAT_ORGMODE, r, &o);
    a = strstr(m, "=sleep 0.01="), b = strstr(m, "=say"), c = strstr(m, "=third=");
    cr_assert(a && b && c && c < a && a < b, "%s", m);
    cr_assert(strstr(m, "|  0.010 ± 0.000 |"), "%s", m);
    free(m);
    o.time_unit = PK_TIME_UNIT_US;
    m = render_with(PK_FORMAT_ASCIIDOC, r, &o);
    cr_assert(strstr(m, "| Mean [µs] \n"), "%s", m);
    cr_assert(strstr(m, "| 12021.4 ± 15.3 \n| 12000.0 \n"), "%s", m);
    free(m);
    m = render_with(PK_FORMAT_TEXT, r, &o);   /* text: µs, summary C then B */
    cr_assert(strstr(m, "Time (mean ± σ):     10021.4 µs ±"), "%s", m);
    b = strstr(m, "    say"), c = strstr(m, "    third");
    cr_assert(b && c && c < b, "%s", m);
    free(m);
    o = (pk_write_opts){.time_unit = PK_TIME_UNIT_MS};
    m = render_with(PK_FORMAT_TEXT, r, &o);
    cr_assert(strstr(m, "Time (mean ± σ):     10.02 ms ±"), "%s", m);
    b = strstr(m, "    say"), c = strstr(m, "    third");
    cr_assert(b && c && b < c, "input order: %s", m);
    free(m);
    pk_bench_report_free(r);
}

Test(report_tables, unit_and_sort_names)
{
    pk_time_unit u;
    cr_assert_eq(pk_time_unit_parse("millisecond", &u), PK_OK);
    cr_assert_eq(u, PK_TIME_UNIT_MS);
    cr_assert_eq(pk_time_unit_parse("ms", &u), PK_OK);
    cr_assert_eq(u, PK_TIME_UNIT_MS);
    cr_assert_eq(pk_time_unit_parse("microsecond", &u), PK_OK);
    cr_assert_eq(u, PK_TIME_UNIT_US);
    cr_assert_eq(pk_time_unit_parse("µs", &u), PK_OK);
    cr_assert_eq(u, PK_TIME_UNIT_US);
    cr_assert_eq(pk_time_unit_parse("second", &u), PK_OK);
    cr_assert_eq(u, PK_TIME_UNIT_S);
    cr_assert_eq(pk_time_unit_parse("minute", &u), PK_EINVAL);
    cr_assert_eq(pk_time_unit_parse(NULL, &u), PK_EINVAL);
    pk_sort_order so;
    cr_assert_eq(pk_sort_order_parse("mean-time", &so), PK_OK);
    cr_assert_eq(so, PK_SORT_MEAN);
    cr_assert_eq(pk_sort_order_parse("auto", &so), PK_OK);
    cr_assert_eq(so, PK_SORT_INPUT);
    cr_assert_eq(pk_sort_order_parse("command", &so), PK_OK);
    cr_assert_eq(so, PK_SORT_INPUT);
    cr_assert_eq(pk_sort_order_parse("median", &so), PK_EINVAL);
    pk_format f;
    cr_assert_eq(pk_format_parse("asciidoc", &f), PK_OK);
    cr_assert_eq(f, PK_FORMAT_ASCIIDOC);
    cr_assert_str_eq(pk_format_name(PK_FORMAT_ORGMODE), "orgmode");
}

/* With a shell the text names it and the correction, and the JSON records
 * both; without one, "shell" is null. */
Test(report_shell, correction_in_text_and_json)
{
    fixture fx;
    fixture_init(&fx, 2);
    char shell[] = "bash --norc";
    fx.b.shell = shell;
    fx.b.shell_correction = (pk_shell_correction){true, 50, 1234000, 500000, 250000};
    pk_bench_report *r = report_of(&fx);
    char *t = render(PK_FORMAT_TEXT, r);
    cr_assert(strstr(t, "Shell: bash --norc — times corrected for the shell's start-up, 1.234 ms "
                        "(user 500.0 µs, system 250.0 µs: the mean of 50 runs of `bash --norc "
                        "-c ''`)\n\nBenchmark 1:") == t, "%s", t);
    free(t);
    char *j = render(PK_FORMAT_JSON, r);
    json_error_t je;
    json_t *root = json_loads(j, 0, &je);
    cr_assert_not_null(root, "%s", je.text);
    json_t *sh = json_object_get(root, "shell");
    cr_assert_str_eq(json_string_value(json_object_get(sh, "command")), "bash --norc");
    json_t *c = json_object_get(sh, "correction");
    cr_assert_eq(json_integer_value(json_object_get(c, "runs")), 50);
    cr_assert_eq(json_integer_value(json_object_get(c, "wall_ns")), 1234000);
    cr_assert_eq(json_integer_value(json_object_get(c, "user_ns")), 500000);
    cr_assert_eq(json_integer_value(json_object_get(c, "sys_ns")), 250000);
    json_decref(root);
    free(j);
    fx.b.shell_correction.applied = false;   /* a shell, not corrected */
    t = render(PK_FORMAT_TEXT, r);
    cr_assert(strstr(t, "Shell: bash --norc — times include the shell's start-up\n") == t, "%s",
              t);
    free(t);
    j = render(PK_FORMAT_JSON, r);
    root = json_loads(j, 0, &je);
    cr_assert(json_is_null(json_object_get(json_object_get(root, "shell"), "correction")));
    json_decref(root);
    free(j);
    fx.b.shell = NULL;
    t = render(PK_FORMAT_TEXT, r);
    cr_assert(strncmp(t, "Benchmark 1:", 12) == 0, "%s", t);
    free(t);
    j = render(PK_FORMAT_JSON, r);
    root = json_loads(j, 0, &je);
    cr_assert(json_is_null(json_object_get(root, "shell")));
    json_decref(root);
    free(j);
    pk_bench_report_free(r);
}

/* The tables allocate their row order and command cells: a failed
 * allocation is PK_ENOMEM and leaks nothing. */
Test(report_tables, allocation_failures)
{
    fixture fx;
    fixture_init(&fx, 3);
    pk_bench_report *r = report_of(&fx);
    pk_write_opts o = {.sort = PK_SORT_MEAN};
    const pk_format fmts[] = {PK_FORMAT_ASCIIDOC, PK_FORMAT_ORGMODE, PK_FORMAT_MARKDOWN,
                              PK_FORMAT_TEXT};
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        bool ok = false;
        for (long n = 0; n < 50 && !ok; n++) {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            fault_arm(n);
            pk_err e = pk_bench_report_write(f, r, fmts[k], &o);
            fault_disarm();
            fclose(f);
            free(buf);
            cr_assert(e == PK_OK || e == PK_ENOMEM, "%s n=%ld: %d", pk_format_name(fmts[k]), n, e);
            cr_assert_eq(fault_live(), 0, "n=%ld leaked", n);
            ok = e == PK_OK;
        }
        cr_assert(ok);
    }
    pk_bench_report_free(r);
}

