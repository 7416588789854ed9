/* Unit tests for lib/run/params.c: scans (integers exact at any size a
 * double holds, decimals without drift, the step's decimals), lists, the
 * value limit, errors naming their input, command expansion and the
 * reference, fault injection. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/params.h"
#include "fault.h"

static pk_params scan_ok(const char *lo, const char *hi, const char *step)
{
    pk_param_scan s = {.lo = lo, .hi = hi, .step = step};
    pk_params p;
    pk_diag d = {{0}, 0, 0, {0}};
    cr_assert_eq(pk_params_scan("n", &s, &p, NULL, &d), PK_OK, "%s..%s: %s", lo, hi,
                 d.message);
    cr_assert_str_eq(p.name, "n");
    return p;
}

/* The scan's values joined with spaces. */
static void expect_scan(const char *lo, const char *hi, const char *step, const char *want)
{
    pk_params p = scan_ok(lo, hi, step);
    char got[4096] = "";
    for (size_t i = 0; i < p.n; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, p.values[i]);
    }
    cr_assert_str_eq(got, want, "scan %s %s %s", lo, hi, step ? step : "-");
    pk_params_free(&p);
}

static void expect_scan_error(const char *lo, const char *hi, const char *step,
                              pk_param_arg arg, const char *msg)
{
    pk_param_scan s = {.lo = lo, .hi = hi, .step = step, .lo_what = "`from`",
                       .hi_what = "`to`", .step_what = "`step`"};
    pk_params p;
    pk_param_arg bad = (pk_param_arg)-1;
    pk_diag d = {{0}, 0, 0, {0}};
    cr_assert_eq(pk_params_scan("n", &s, &p, &bad, &d), PK_EINVAL, "%s %s", lo, hi);
    cr_assert_eq(bad, arg, "scan %s %s: blamed %d", lo, hi, (int)bad);
    cr_assert(strstr(d.message, msg), "`%s` lacks `%s`", d.message, msg);
    cr_assert_null(p.values);
    cr_assert_eq(p.n, 0);
}

Test(params, integer_scans_print_integers)
{
    expect_scan("1", "3", NULL, "1 2 3");
    expect_scan("-2", "2", "2", "-2 0 2");
    expect_scan("0", "10", "3", "0 3 6 9");
    expect_scan("8", "10", NULL, "8 9 10");
    /* the bug: the CLI printed 1e+10 while perfkit.yml printed 10000000000 */
    expect_scan("10000000000", "10000000000", NULL, "10000000000");
    expect_scan("1e10", "1e10", NULL, "10000000000");
    /* exact at any size a double holds exactly */
    expect_scan("9007199254740992", "9007199254740994", "2",
                "9007199254740992 9007199254740994");
    expect_scan("100000000000000000000", "100000000000000000000", NULL,
                "100000000000000000000");
    expect_scan("5", "5", NULL, "5");
    expect_scan("1", "2.5", "1", "1 2");
}

Test(params, decimal_steps_have_the_steps_decimals_and_no_drift)
{
    expect_scan("0", "1", "0.1", "0.0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0");
    expect_scan("1", "2", "0.5", "1.0 1.5 2.0");
    expect_scan("0.001", "0.002", "0.0005", "0.0010 0.0015 0.0020");
    expect_scan("0.25", "1", "0.5", "0.25 0.75");   /* LO has more decimals */
    expect_scan("-0.3", "0.3", "0.3", "-0.3 0.0 0.3");
    expect_scan("1.0", "3", NULL, "1.0 2.0 3.0");
    expect_scan("0", "0.35", "0.1", "0.0 0.1 0.2 0.3");
    expect_scan("1e-3", "3e-3", "1e-3", "0.001 0.002 0.003");
    /* 1000 steps of 0.001 reach 1 exactly (floats would miss it) */
    pk_params p = scan_ok("0", "1", "0.001");
    cr_assert_eq(p.n, 1001);
    cr_assert_str_eq(p.values[1000], "1.000");
    cr_assert_str_eq(p.values[300], "0.300");
    pk_params_free(&p);
}

Test(params, limit_on_the_number_of_values)
{
    pk_params p = scan_ok("1", "100000", NULL);
    cr_assert_eq(p.n, PK_PARAMS_MAX);
    cr_assert_str_eq(p.values[PK_PARAMS_MAX - 1], "100000");
    pk_params_free(&p);
    expect_scan_error("1", "100001", NULL, PK_PARAM_ARG_SCAN, "makes 100001 values; at most 100000");
    expect_scan_error("0", "1", "0.000001", PK_PARAM_ARG_SCAN, "at most 100000");
    expect_scan_error("0", "1e300", NULL, PK_PARAM_ARG_SCAN, "at most 100000");
}

Test(params, errors_name_their_input)
{
    expect_scan_error("5", "1", NULL, PK_PARAM_ARG_LO, "`from` 5 is greater than `to` 1");
    expect_scan_error("0.5", "1", NULL, PK_PARAM_ARG_SCAN, "non-integer bounds needs `step`");
    expect_scan_error("1", "2", "0", PK_PARAM_ARG_STEP, "`step` must be greater than 0, got `0`");
    expect_scan_error("1", "2", "-1", PK_PARAM_ARG_STEP, "must be greater than 0");
    expect_scan_error("x", "2", NULL, PK_PARAM_ARG_LO, "invalid value `x` for `from`");
    expect_scan_error("1", "2x", NULL, PK_PARAM_ARG_HI, "invalid value `2x` for `to`");
    expect_scan_error("1", "2", "inf", PK_PARAM_ARG_STEP, "expected a number");
    expect_scan_error("1", "nan", NULL, PK_PARAM_ARG_HI, "expected a number");
    expect_scan_error("0x10", "20", NULL, PK_PARAM_ARG_LO, "expected a number");
    expect_scan_error("", "2", NULL, PK_PARAM_ARG_LO, "expected a number");
    /* integers a double cannot hold, as written or as a step */
    expect_scan_error("9007199254740993", "9007199254740993", NULL, PK_PARAM_ARG_LO,
                      "not exactly representable");
    expect_scan_error("9007199254740992", "9007199254740994", NULL, PK_PARAM_ARG_SCAN,
                      "value 2 of the scan");
    expect_scan_error("0.1234567890123456789", "1", "0.1", PK_PARAM_ARG_LO,
                      "`from` `0.1234567890123456789` has too many decimals: at most 18");
    expect_scan_error("0", "0", "1e-19", PK_PARAM_ARG_STEP, "too many decimals");
    expect_scan_error("1234567890123456789.5", "1234567890123456790", "0.5", PK_PARAM_ARG_LO,
                      "too many digits");
    /* default names */
    pk_param_scan s = {.lo = "3", .hi = "1"};
    pk_params p;
    pk_diag d;
    cr_assert_eq(pk_params_scan("n", &s, &p, NULL, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "LO 3 is greater than HI 1");
    cr_assert_eq(pk_params_scan(NULL, &s, &p, NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_params_scan("n", NULL, &p, NULL, NULL), PK_EINVAL);
}

Test(params, lists_split_at_commas)
{
    pk_params p;
    cr_assert_eq(pk_params_list("w", "a,b c,,4", &p, NULL), PK_OK);
    cr_assert_str_eq(p.name, "w");
    cr_assert_eq(p.n, 4);
    cr_assert_str_eq(p.values[0], "a");
    cr_assert_str_eq(p.values[1], "b c");
    cr_assert_str_eq(p.values[2], "");
    cr_assert_str_eq(p.values[3], "4");
    pk_params_free(&p);
    pk_params_free(&p);   /* twice is harmless: freed params are empty */
    cr_assert_eq(pk_params_list("w", "solo", &p, NULL), PK_OK);
    cr_assert_eq(p.n, 1);
    pk_params_free(&p);
    cr_assert_eq(pk_params_list(NULL, "a", &p, NULL), PK_EINVAL);
    pk_params_free(NULL);
}

Test(params, expansion_substitutes_and_names)
{
    pk_cmdbench_cmd t[] = {
        {.command = "sleep {n}", .prepare = "prep {n}", .conclude = "done"},
        {.command = "echo {n}", .name = "echo"},
        {.command = "true", .name = "t{n}"},
    };
    pk_params p;
    cr_assert_eq(pk_params_list("n", "1,2", &p, NULL), PK_OK);
    pk_cmd_list l;
    cr_assert_eq(pk_cmd_list_expand(t, 3, &p, &l), PK_OK);
    cr_assert_eq(l.n, 6);
    cr_assert_str_eq(l.cmds[0].command, "sleep 1");
    cr_assert_str_eq(l.cmds[0].prepare, "prep 1");
    cr_assert_str_eq(l.cmds[0].conclude, "done");
    cr_assert_null(l.cmds[0].name);   /* shown as its command */
    cr_assert_str_eq(l.cmds[0].param_name, "n");
    cr_assert_str_eq(l.cmds[0].param_value, "1");
    cr_assert_str_eq(l.cmds[1].name, "echo/1");
    cr_assert_null(l.cmds[1].prepare);
    cr_assert_str_eq(l.cmds[2].name, "t1");
    cr_assert_str_eq(l.cmds[3].command, "sleep 2");   /* value-major */
    cr_assert_str_eq(l.cmds[4].name, "echo/2");
    cr_assert_str_eq(l.cmds[5].param_value, "2");
    pk_cmd_list_free(&l);
    /* no parameter: plain copies */
    cr_assert_eq(pk_cmd_list_expand(t, 2, NULL, &l), PK_OK);
    cr_assert_eq(l.n, 2);
    cr_assert_str_eq(l.cmds[0].command, "sleep {n}");
    cr_assert_neq(l.cmds[0].command, t[0].command);
    cr_assert_str_eq(l.cmds[1].name, "echo");
    cr_assert_null(l.cmds[1].param_name);
    pk_cmd_list_free(&l);
    pk_cmdbench_cmd empty = {0};
    cr_assert_eq(pk_cmd_list_expand(&empty, 1, &p, &l), PK_EINVAL);
    cr_assert_eq(pk_cmd_list_expand(t, 0, &p, &l), PK_EINVAL);
    pk_params_free(&p);
}

/* One rule for how many, whatever makes them: a list was capped only on
 * the command line (perfkit.yml's `parameter-list` had no cap), and
 * templates × values had none at all. */
Test(params, one_limit_for_lists_scans_and_commands)
{
    pk_diag d = {{0}, 0, 0, {0}};
    cr_assert_eq(pk_params_check_count(0, 64, &d), PK_OK);
    cr_assert_eq(pk_params_check_count(PK_PARAMS_MAX, 1, &d), PK_OK);
    cr_assert_eq(pk_params_check_count(50000, 2, &d), PK_OK);
    cr_assert_eq(pk_params_check_count(PK_PARAMS_MAX + 1, 1, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "100001 values; at most 100000");
    cr_assert_eq(pk_params_check_count(50000, 3, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "3 commands × 50000 values make 150000 commands; at most 100000");
    cr_assert_eq(pk_params_check_count(0, 100001, NULL), PK_EINVAL);

    static char list[2 * PK_PARAMS_MAX + 4];
    memset(list, ',', PK_PARAMS_MAX);   /* 100001 empty values */
    list[PK_PARAMS_MAX] = '\0';
    pk_params p;
    cr_assert_eq(pk_params_list("n", list, &p, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "100001 values; at most 100000");
    cr_assert_null(p.values);
    list[PK_PARAMS_MAX - 1] = '\0';    /* 100000 */
    cr_assert_eq(pk_params_list("n", list, &p, &d), PK_OK);
    cr_assert_eq(p.n, PK_PARAMS_MAX);

    pk_cmdbench_cmd t[] = {{.command = "a {n}"}, {.command = "b {n}"}};
    pk_cmd_list l;
    cr_assert_eq(pk_cmd_list_expand(t, 2, &p, &l), PK_EINVAL);
    cr_assert_null(l.cmds);
    cr_assert_eq(pk_cmd_list_expand_sh(t, 2, &p, &l), PK_EINVAL);
    cr_assert_eq(pk_cmd_list_expand(t, 1, &p, &l), PK_OK);
    cr_assert_eq(l.n, PK_PARAMS_MAX);
    pk_cmd_list_free(&l);
    pk_params_free(&p);
}

/* With a shell, a value is text for the shell, never syntax: before,
 * `-L n 'x;touch pwned'` with --shell spliced it into `sh -c` as written. */
Test(params, shell_commands_get_quoted_values)
{
    pk_cmdbench_cmd t[] = {
        {.command = "echo {n}", .prepare = "p \"{n}\"", .conclude = "c '{n}'", .name = "t {n}"},
    };
    pk_params p;
    cr_assert_eq(pk_params_list("n", "x;touch pwned,it's", &p, NULL), PK_OK);
    pk_cmd_list l;
    cr_assert_eq(pk_cmd_list_expand_sh(t, 1, &p, &l), PK_OK);
    cr_assert_eq(l.n, 2);
    cr_assert_str_eq(l.cmds[0].command, "echo 'x;touch pwned'");
    cr_assert_str_eq(l.cmds[0].prepare, "p \"x;touch pwned\"");
    cr_assert_str_eq(l.cmds[0].conclude, "c 'x;touch pwned'");
    cr_assert_str_eq(l.cmds[0].name, "t x;touch pwned");   /* a name is shown, not run */
    cr_assert_str_eq(l.cmds[0].param_value, "x;touch pwned");
    cr_assert_str_eq(l.cmds[1].command, "echo 'it'\\''s'");
    cr_assert_str_eq(l.cmds[1].conclude, "c 'it'\\''s'");
    pk_cmd_list_free(&l);
    /* without a shell the words are split as written: never a shell */
    cr_assert_eq(pk_cmd_list_expand(t, 1, &p, &l), PK_OK);
    cr_assert_str_eq(l.cmds[0].command, "echo x;touch pwned");
    pk_cmd_list_free(&l);
    pk_params_free(&p);
}

Test(params, reference_by_index_text_name_or_extra)
{
    pk_cmdbench_cmd t[] = {{.command = "a"}, {.command = "b", .name = "bee"}};
    pk_cmd_list l;
    size_t ref = 99;
    pk_diag d;
    cr_assert_eq(pk_cmd_list_expand(t, 2, NULL, &l), PK_OK);
    cr_assert_eq(pk_cmd_list_reference(&l, NULL, &ref, &d), PK_OK);
    cr_assert_eq(ref, 0);
    cr_assert_eq(pk_cmd_list_reference(&l, "2", &ref, &d), PK_OK);
    cr_assert_eq(ref, 1);
    cr_assert_eq(pk_cmd_list_reference(&l, "bee", &ref, &d), PK_OK);
    cr_assert_eq(ref, 1);
    cr_assert_eq(pk_cmd_list_reference(&l, "a", &ref, &d), PK_OK);
    cr_assert_eq(ref, 0);
    cr_assert_eq(pk_cmd_list_reference(&l, "7", &ref, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "reference 7: there are 2 commands (1-2)");
    cr_assert_eq(pk_cmd_list_reference(&l, "0", &ref, &d), PK_EINVAL);
    cr_assert_eq(pk_cmd_list_reference(&l, "sleep 1", &ref, &d), PK_OK);
    cr_assert_eq(ref, 0);
    cr_assert_eq(l.n, 3);
    cr_assert_str_eq(l.cmds[0].command, "sleep 1");
    cr_assert_str_eq(l.cmds[1].command, "a");
    cr_assert_str_eq(l.cmds[2].name, "bee");
    pk_cmd_list_free(&l);
    cr_assert_eq(l.n, 0);
}

/* Every allocation of a scan, a list, an expansion and a reference fails in
 * turn: each ends in PK_ENOMEM with nothing leaked. */
static pk_err all_steps(void)
{
    pk_params p;
    pk_param_scan s = {.lo = "0", .hi = "0.3", .step = "0.1"};
    pk_err e = pk_params_scan("n", &s, &p, NULL, NULL);
    if (e != PK_OK)
        return e;
    pk_params_free(&p);
    if ((e = pk_params_scan("n", &(pk_param_scan){.lo = "1", .hi = "3"}, &p, NULL, NULL)) !=
        PK_OK)
        return e;
    pk_params_free(&p);
    if ((e = pk_params_list("n", "1,2,3", &p, NULL)) != PK_OK)
        return e;
    pk_cmdbench_cmd t[] = {{.command = "a {n}", .prepare = "p '{n}'", .name = "x"}};
    pk_cmd_list l;
    e = pk_cmd_list_expand_sh(t, 1, &p, &l);
    pk_cmd_list_free(&l);
    if (e == PK_OK)
        e = pk_cmd_list_expand(t, 1, &p, &l);
    pk_params_free(&p);
    if (e != PK_OK)
        return e;
    size_t ref;
    e = pk_cmd_list_reference(&l, "other", &ref, NULL);
    pk_cmd_list_free(&l);
    return e;
}

Test(params, every_allocation_failure_is_clean)
{
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_err e = all_steps();
        long reqs = fault_requests();
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        if (e == PK_OK) {
            cr_assert_leq(reqs, k);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
    }
    cr_assert_gt(k, 20);
}
