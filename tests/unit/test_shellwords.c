/* Unit tests for lib/core/shellwords.c: POSIX sh quoting, error columns,
 * {name} substitution. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"
#include "fault.h"

/* Split s and compare with the NULL-terminated expected words. */
static void expect(const char *s, ...)
{
    char **argv = NULL;
    size_t argc = 99, col = 0;
    pk_err e = pk_shellwords_split(s, &argv, &argc, &col);
    cr_assert_eq(e, PK_OK, "split [%s]: %s (col %zu)", s, pk_strerror(e), col);
    va_list ap;
    va_start(ap, s);
    size_t i = 0;
    for (const char *w; (w = va_arg(ap, const char *)); i++) {
        cr_assert_lt(i, argc, "[%s]: too few words", s);
        cr_assert_str_eq(argv[i], w, "[%s] word %zu", s, i);
    }
    va_end(ap);
    cr_assert_eq(argc, i, "[%s]: %zu words, expected %zu", s, argc, i);
    cr_assert_null(argv[argc]);
    pk_shellwords_free(argv);
}

static void expect_err(const char *s, pk_err want, size_t want_col)
{
    char **argv = (char **)1;
    size_t col = 999;
    cr_assert_eq(pk_shellwords_split(s, &argv, NULL, &col), want, "[%s]", s);
    cr_assert_null(argv);
    if (want == PK_EPARSE)
        cr_assert_eq(col, want_col, "[%s]: col %zu, expected %zu", s, col, want_col);
}

Test(shellwords, plain_words)
{
    expect("ls -l /tmp", "ls", "-l", "/tmp", NULL);
    expect("  spaced \t out\n", "spaced", "out", NULL);
    expect("one", "one", NULL);
}

Test(shellwords, single_quotes_keep_everything)
{
    expect("echo 'a b'  'c\\d' '$x \"y\"'", "echo", "a b", "c\\d", "$x \"y\"", NULL);
    expect("a'b'c", "abc", NULL);
}

Test(shellwords, double_quotes_and_escapes)
{
    expect("echo \"a b\" \"q\\\"q\" \"back\\\\slash\" \"\\$HOME\" \"\\n\"",
           "echo", "a b", "q\"q", "back\\slash", "$HOME", "\\n", NULL);
    expect("x\"y z\"w", "xy zw", NULL);
}

Test(shellwords, backslash_outside_quotes)
{
    expect("a\\ b c", "a b", "c", NULL);
    expect("\\'x\\'", "'x'", NULL);
    expect("a\\\nb", "ab", NULL);
}

Test(shellwords, empty_quoted_words_count)
{
    expect("a \"\" b ''", "a", "", "b", "", NULL);
}

Test(shellwords, no_expansion)
{
    expect("echo $HOME * `x` $(y)", "echo", "$HOME", "*", "`x`", "$(y)", NULL);
}

Test(shellwords, errors_with_columns)
{
    expect_err("echo 'abc", PK_EPARSE, 5);
    expect_err("echo \"abc", PK_EPARSE, 5);
    expect_err("ab \"x\" 'y", PK_EPARSE, 7);
    expect_err("ab \"x\\\"", PK_EPARSE, 3);
    expect_err("trailing\\", PK_EPARSE, 8);
    expect_err("", PK_EINVAL, 0);
    expect_err("   \t", PK_EINVAL, 0);
    cr_assert_eq(pk_shellwords_split(NULL, NULL, NULL, NULL), PK_EINVAL);
    pk_shellwords_free(NULL);
}

Test(shellwords, subst)
{
    char *s = pk_shellwords_subst("sleep {t}; echo {t} {tt} {", "t", "0.25");
    cr_assert_str_eq(s, "sleep 0.25; echo 0.25 {tt} {");
    pk_free(s);
    s = pk_shellwords_subst("{size}{size}", "size", "");
    cr_assert_str_eq(s, "");
    pk_free(s);
    s = pk_shellwords_subst("no params", "x", "1");
    cr_assert_str_eq(s, "no params");
    pk_free(s);
    s = pk_shellwords_subst("{{x}}", "x", "long value");
    cr_assert_str_eq(s, "{long value}");
    pk_free(s);
}

Test(shellwords, allocation_failures_are_clean)
{
    bool ok = false;
    for (long fail_at = 0; fail_at < 63 && !ok; fail_at++) {
        fault_arm(fail_at);
        char **argv;
        pk_err e = pk_shellwords_split("a b c d e f g h i j k", &argv, NULL, NULL);
        if (e == PK_OK)
            pk_shellwords_free(argv);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM);
        ok = e == PK_OK;
    }
    cr_assert(ok);
}
