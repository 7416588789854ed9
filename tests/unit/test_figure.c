/* Unit tests for lib/result/figure.c: the figure table — kinds, directions,
 * deterministic figures, the defaults it fills into comparison options, and
 * how a verdict reads under each direction. */
#include <criterion/criterion.h>
#include <string.h>
#include "perfkit/figure.h"

Test(figure, rows_and_patterns)
{
    pk_figure_info fi;
    pk_figure_lookup("wall", &fi);
    cr_assert_str_eq(fi.name, "wall");
    cr_assert_eq(fi.kind, PK_UNIT_DURATION);
    cr_assert_eq(fi.direction, PK_LOWER_IS_BETTER);
    cr_assert_not(fi.deterministic);
    cr_assert_eq(fi.method, PK_TEST_MANN_WHITNEY);
    cr_assert_eq(fi.threshold, PK_DEFAULT_THRESHOLD);

    pk_figure_lookup("instructions", &fi);
    cr_assert(fi.deterministic);
    cr_assert_eq(fi.method, PK_TEST_EXACT);
    cr_assert_eq(fi.threshold, 0.0);
    cr_assert_eq(fi.direction, PK_LOWER_IS_BETTER);

    /* rates are higher-is-better, in the table or by their name */
    const char *rates[] = {"items_per_second", "bytes_per_second", "frames_per_second",
                           "req/s", "iterations"};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        pk_figure_lookup(rates[i], &fi);
        cr_assert_eq(fi.direction, PK_HIGHER_IS_BETTER, "%s", rates[i]);
        cr_assert_eq(fi.kind, PK_UNIT_COUNT, "%s", rates[i]);
        cr_assert_eq(fi.threshold, PK_DEFAULT_THRESHOLD, "%s", rates[i]);
    }
    /* anything else is a plain noisy count, lower is better */
    pk_figure_lookup("minflt", &fi);
    cr_assert_str_eq(fi.name, "minflt");
    cr_assert_eq(fi.direction, PK_LOWER_IS_BETTER);
    cr_assert_eq(fi.kind, PK_UNIT_COUNT);
    cr_assert_not(pk_figure_deterministic("minflt"));
    cr_assert_eq(pk_figure_direction("_per_second"), PK_LOWER_IS_BETTER, "a suffix alone");
    pk_figure_lookup(NULL, &fi);
    cr_assert_null(fi.name);
    cr_assert_eq(fi.direction, PK_LOWER_IS_BETTER);
    pk_figure_lookup("wall", NULL);   /* no-op */
}

Test(figure, names_are_the_table)
{
    size_t n = 0;
    const char *const *names = pk_figure_names(&n);
    cr_assert_geq(n, 11);
    bool seen_instr = false, seen_rate = false;
    for (size_t i = 0; i < n; i++) {
        pk_figure_info fi;
        pk_figure_lookup(names[i], &fi);
        cr_assert_str_eq(fi.name, names[i]);
        seen_instr |= strcmp(names[i], "instructions") == 0;
        seen_rate |= strcmp(names[i], "items_per_second") == 0;
    }
    cr_assert(seen_instr && seen_rate);
    cr_assert_eq(pk_figure_names(NULL), names);
}

Test(figure, compare_opts_take_the_tables_defaults)
{
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.threshold = PK_THRESHOLD_AUTO;
    pk_figure_compare_opts("wall", &o);
    cr_assert_eq(o.threshold, PK_DEFAULT_THRESHOLD);
    cr_assert_eq(o.method, PK_TEST_MANN_WHITNEY);

    /* an exact count: threshold 0 and the exact test */
    pk_compare_opts_init(&o);
    o.threshold = PK_THRESHOLD_AUTO;
    pk_figure_compare_opts("instructions", &o);
    cr_assert_eq(o.threshold, 0.0);
    cr_assert_eq(o.method, PK_TEST_EXACT);

    /* what the caller set is kept: a threshold, Welch */
    pk_compare_opts_init(&o);
    o.threshold = 0.03;
    o.method = PK_TEST_WELCH;
    pk_figure_compare_opts("instructions", &o);
    cr_assert_eq(o.threshold, 0.03);
    cr_assert_eq(o.method, PK_TEST_WELCH);
    pk_figure_compare_opts("wall", NULL);   /* no-op */
}

Test(figure, verdicts_read_with_the_direction)
{
    cr_assert_eq(pk_figure_change("wall", PK_VERDICT_SLOWER), PK_CHANGE_WORSE);
    cr_assert_eq(pk_figure_change("wall", PK_VERDICT_FASTER), PK_CHANGE_BETTER);
    cr_assert_eq(pk_figure_change("wall", PK_VERDICT_SAME), PK_CHANGE_NONE);
    /* a larger rate is better, a smaller one worse */
    cr_assert_eq(pk_figure_change("items_per_second", PK_VERDICT_SLOWER), PK_CHANGE_BETTER);
    cr_assert_eq(pk_figure_change("items_per_second", PK_VERDICT_FASTER), PK_CHANGE_WORSE);
    cr_assert_eq(pk_figure_change("items_per_second", PK_VERDICT_SAME), PK_CHANGE_NONE);
    cr_assert_eq(pk_figure_change(NULL, (pk_verdict)42), PK_CHANGE_NONE);
}

Test(figure, paired_mode_has_its_own_default_threshold)
{
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.threshold = PK_THRESHOLD_AUTO;
    pk_figure_paired_compare_opts("wall", &o);
    cr_assert_float_eq(o.threshold, PK_DEFAULT_PAIRED_THRESHOLD, 0);
    cr_assert_float_eq(o.threshold, 0.02, 1e-15);
    cr_assert_eq(o.method, PK_TEST_MANN_WHITNEY);
    o.threshold = PK_THRESHOLD_AUTO;
    pk_figure_paired_compare_opts("instructions", &o);   /* exact either way */
    cr_assert_float_eq(o.threshold, PK_DEFAULT_PAIRED_EXACT_THRESHOLD, 0);
    cr_assert_eq(o.method, PK_TEST_EXACT);
    o.threshold = 0.07;   /* a policy's threshold wins in paired mode too */
    pk_figure_paired_compare_opts("items_per_second", &o);
    cr_assert_float_eq(o.threshold, 0.07, 0);
    pk_figure_paired_compare_opts("wall", NULL);   /* no-op */
}
