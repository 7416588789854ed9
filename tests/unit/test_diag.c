/* Unit tests for lib/core/diag.c: formatting and suggestions. */
#include <criterion/criterion.h>
#include "perfkit/diag.h"

Test(diag, format_with_and_without_position)
{
    pk_diag d;
    char buf[256];
    pk_diag_set(&d, "perfkit.yml", 3, 7, "unknown key `%s`", "runz");
    cr_assert_str_eq(pk_diag_format(&d, buf, sizeof buf), "perfkit.yml:3:7: unknown key `runz`");
    pk_diag_set(&d, "perfkit.yml", 3, 0, "x");
    cr_assert_str_eq(pk_diag_format(&d, buf, sizeof buf), "perfkit.yml:3: x");
    pk_diag_set(&d, NULL, 0, 0, "plain");
    cr_assert_str_eq(pk_diag_format(&d, buf, sizeof buf), "plain");
    pk_diag_set(NULL, "f", 1, 1, "ignored");
    char tiny[8];
    pk_diag_set(&d, "perfkit.yml", 1, 1, "long message");
    cr_assert_eq(strlen(pk_diag_format(&d, tiny, sizeof tiny)), 7);
}

Test(diag, suggestions_only_for_typos)
{
    const char *keys[] = {"runs", "warmup", "min-runs", "budgets", "tolerance"};
    cr_assert_str_eq(pk_diag_suggest("runz", keys, 5), "runs");
    cr_assert_str_eq(pk_diag_suggest("budget", keys, 5), "budgets");
    cr_assert_str_eq(pk_diag_suggest("tolerence", keys, 5), "tolerance");
    cr_assert_null(pk_diag_suggest("banana", keys, 5));
    cr_assert_null(pk_diag_suggest(NULL, keys, 5));
    cr_assert_null(pk_diag_suggest("runs", keys, 0));
}
