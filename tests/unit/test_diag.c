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

/* ---- pk_diag_list: every error of an input, sorted, capped ---------------- */

static pk_diag at(unsigned line, unsigned column, const char *msg)
{
    pk_diag d;
    pk_diag_set(&d, "f.yml", line, column, "%s", msg);
    return d;
}

Test(diag, list_sorted_by_position_stable)
{
    pk_diag_list l;
    pk_diag_list_init(&l);
    pk_diag d = at(5, 3, "five");
    cr_assert_eq(pk_diag_list_add(&l, &d), PK_OK);
    d = at(2, 9, "two");
    pk_diag_list_add(&l, &d);
    d = at(5, 3, "five again");   /* the same place: after the first */
    pk_diag_list_add(&l, &d);
    d = at(5, 1, "five, earlier");
    pk_diag_list_add(&l, &d);
    cr_assert_eq(l.n, 4);
    cr_assert_eq(l.more, 0);
    cr_assert_str_eq(l.items[0].message, "two");
    cr_assert_str_eq(l.items[1].message, "five, earlier");
    cr_assert_str_eq(l.items[2].message, "five");
    cr_assert_str_eq(l.items[3].message, "five again");
    pk_diag_list_clear(&l);
    cr_assert_eq(l.n, 0);
    cr_assert_null(l.items);
    pk_diag_list_clear(NULL);
    cr_assert_eq(pk_diag_list_add(NULL, &d), PK_EINVAL);
}

Test(diag, list_keeps_the_first_by_position)
{
    pk_diag_list l;
    pk_diag_list_init(&l);
    for (unsigned i = 30; i >= 1; i--) {   /* added last to first */
        pk_diag d = at(i, 1, "x");
        cr_assert_eq(pk_diag_list_add(&l, &d), PK_OK);
    }
    cr_assert_eq(l.n, PK_DIAG_LIST_MAX);
    cr_assert_eq(l.more, 30 - PK_DIAG_LIST_MAX);
    for (size_t i = 0; i < l.n; i++)
        cr_assert_eq(l.items[i].line, i + 1);
    pk_diag d = at(100, 1, "late");   /* after every kept one: counted only */
    pk_diag_list_add(&l, &d);
    cr_assert_eq(l.more, 31 - PK_DIAG_LIST_MAX);
    cr_assert_eq(l.items[l.n - 1].line, PK_DIAG_LIST_MAX);
    pk_diag_list_clear(&l);
}
