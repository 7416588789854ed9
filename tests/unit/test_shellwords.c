/* Unit tests for lib/core/shellwords.c: POSIX sh quoting, error columns,
 * {name} substitution. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static void expect_sh(const char *tmpl, const char *value, const char *want)
{
    char *s = pk_shellwords_subst_sh(tmpl, "n", value);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, want, "[%s] with [%s]", tmpl, value);
    pk_free(s);
}

/* Before, {n} went into the sh -c script as written: `x;touch pwned` ran
 * touch. Now each value is quoted for where it stands. */
Test(shellwords, subst_sh_quotes_for_the_context)
{
    expect_sh("echo {n}", "x;touch pwned", "echo 'x;touch pwned'");
    expect_sh("echo {n}", "it's", "echo 'it'\\''s'");
    expect_sh("echo a{n}b", "1 2", "echo a'1 2'b");
    expect_sh("echo '{n}'", "it's $(x)", "echo 'it'\\''s $(x)'");
    expect_sh("echo \"{n}\"", "a\"$(x)`y`\\", "echo \"a\\\"\\$(x)\\`y\\`\\\\\"");
    expect_sh("echo \"$(echo {n})\"", "a;b", "echo \"$(echo 'a;b')\"");
    expect_sh("echo \"`echo {n}`\"", "a;b", "echo \"`echo 'a;b'`\"");
    expect_sh("echo \"$( (true); echo {n})\"", "a;b", "echo \"$( (true); echo 'a;b')\"");
    /* ` \ $ escaped once more for the backquote scan */
    expect_sh("echo \"`echo {n}`\"", "`x`$\\", "echo \"`echo '\\`x\\`\\$\\\\'`\"");
    expect_sh("echo \\{n}", "x", "echo \\{n}");   /* after a backslash: as written */
    expect_sh("echo {n} {m}", "", "echo '' {m}");
    char *s = pk_shellwords_subst_sh("no params", "n", "1");
    cr_assert_str_eq(s, "no params");
    pk_free(s);
    cr_assert_null(pk_shellwords_subst_sh(NULL, "n", "1"));
}

/* The property that matters, asked of a real /bin/sh: whatever the value,
 * the script prints exactly it (one word), and nothing else runs. */
Test(shellwords, subst_sh_values_reach_the_program_as_one_word)
{
    static const char *const tmpls[] = {
        "printf '[%s]' {n}", "printf '[%s]' \"{n}\"", "printf '[%s]' '{n}'",
        "printf '[%s]' \"$(printf %s {n})\"", "printf '[%s]' \"`printf %s {n}`x\"",
        "printf '[%s]' \"$( (true); printf %s \"{n}\")\"",
    };
    static const char *const values[] = {
        "x;touch pwned", "$(touch pwned)", "`touch pwned`", "'; touch pwned; '",
        "\"; touch pwned; \"", "a b  c", "*", "it's", "\\", "a\nb", "$HOME", "",
        "'\\''", "\\\"$(touch pwned)\\\"", ")", "\"$(touch pwned)\"", "}",
    };
    char dir[] = "/tmp/perfkit-shsubst-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    for (size_t t = 0; t < sizeof tmpls / sizeof *tmpls; t++) {
        for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
            char *script = pk_shellwords_subst_sh(tmpls[t], "n", values[v]);
            cr_assert_not_null(script);
            char *cmd = NULL;
            cr_assert_gt(asprintf(&cmd, "cd %s && { %s\n}", dir, script), 0);
            FILE *p = popen(cmd, "r");
            cr_assert_not_null(p);
            char out[256] = "";
            size_t n = fread(out, 1, sizeof out - 1, p);
            out[n] = '\0';
            pclose(p);
            char want[256];
            /* `...`x: command substitution drops trailing newlines */
            snprintf(want, sizeof want, "[%s%s]", values[v], strchr(tmpls[t], '`') ? "x" : "");
            if (strchr(tmpls[t], '`') && strcmp(values[v], "a\nb") == 0)
                snprintf(want, sizeof want, "[a\nbx]");
            cr_assert_str_eq(out, want, "script [%s]", script);
            cr_assert_neq(access("pwned", F_OK), 0);
            char pwned[64];
            snprintf(pwned, sizeof pwned, "%s/pwned", dir);
            cr_assert_neq(access(pwned, F_OK), 0, "script [%s] ran touch", script);
            free(cmd);
            pk_free(script);
        }
    }
    rmdir(dir);
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

/* ---- shell syntax the splitter passes on as text ------------------------ */

/* The token find_syntax reports for s ("" for none), its column and word. */
static void syntax_is(const char *s, const char *token, size_t col, size_t word)
{
    pk_shellwords_syntax syn;
    memset(&syn, 0x55, sizeof syn);
    pk_err e = pk_shellwords_find_syntax(s, &syn);
    cr_assert_eq(e, PK_OK, "[%s]: %s", s, pk_strerror(e));
    cr_assert_str_eq(syn.token, token, "[%s]", s);
    if (token[0]) {
        cr_assert_eq(syn.col, col, "[%s]: col %zu, expected %zu", s, syn.col, col);
        cr_assert_eq(syn.word, word, "[%s]: word %zu, expected %zu", s, syn.word, word);
    }
}

Test(shellwords, syntax_operators_outside_quotes)
{
    syntax_is("echo hi | cat", "|", 8, 2);
    syntax_is("a || b", "||", 2, 1);
    syntax_is("make && ./run", "&&", 5, 1);
    syntax_is("sleep 1 &", "&", 8, 2);
    syntax_is("cd x; make", ";", 4, 1);          /* inside the word `x;` */
    syntax_is("echo hi > out.txt", ">", 8, 2);
    syntax_is("echo hi >> out.txt", ">>", 8, 2);
    syntax_is("cmd 2>&1", ">&", 5, 1);
    syntax_is("wc -l < f", "<", 6, 2);
    syntax_is("(cd x)", "(", 0, 0);
    syntax_is("echo $(date)", "$(", 5, 1);
    syntax_is("echo ${HOME}", "${", 5, 1);
    syntax_is("echo $HOME/x", "$HOME", 5, 1);
    syntax_is("echo $?", "$?", 5, 1);
    syntax_is("echo `date`", "`", 5, 1);
    syntax_is("ls *.c", "*", 3, 1);
    syntax_is("ls file?.c", "?", 7, 1);
    syntax_is("ls ~/x", "~", 3, 1);
    syntax_is("$HOME/bin/x run", "$HOME", 0, 0);
    syntax_is("echo hi # a comment", "#", 8, 2);
    syntax_is("make\n./run", "\n", 4, 1);
}

Test(shellwords, syntax_quoted_or_escaped_is_text)
{
    syntax_is("grep 'a|b' f", "", 0, 0);
    syntax_is("grep \"a|b\" f", "", 0, 0);
    syntax_is("echo '$(x)' '*' '~' \"*\" \"~\" \"a;b\"", "", 0, 0);
    syntax_is("echo a\\|b \\> \\$HOME \\* \\~ \"\\$x\" \"\\`\"", "", 0, 0);
    syntax_is("echo a~b a#b 50$ $ 'x'", "", 0, 0);   /* not at a word's start; bare $ */
    syntax_is("sleep 0.1", "", 0, 0);
    syntax_is("perfkit --x=[1] -v\n", "", 0, 0);       /* [ and a trailing line break */
    /* inside double quotes the shell still expands $ and ` */
    syntax_is("echo \"$HOME\"", "$HOME", 6, 1);
    syntax_is("echo \"a $(date)\"", "$(", 8, 1);
    syntax_is("echo \"`date`\"", "`", 6, 1);
}

Test(shellwords, syntax_errors_and_text)
{
    pk_shellwords_syntax syn;
    cr_assert_eq(pk_shellwords_find_syntax("echo 'open | x", &syn), PK_EPARSE);
    cr_assert_str_eq(syn.token, "");
    cr_assert_eq(pk_shellwords_find_syntax("   ", &syn), PK_EINVAL);
    cr_assert_eq(pk_shellwords_find_syntax(NULL, &syn), PK_EINVAL);
    cr_assert_eq(pk_shellwords_find_syntax("x", NULL), PK_EINVAL);

    char buf[256];
    cr_assert_eq(pk_shellwords_find_syntax("echo hi | cat", &syn), PK_OK);
    cr_assert_str_eq(syn.program, "echo");
    cr_assert_str_eq(pk_shellwords_syntax_text("echo hi | cat", &syn, "--shell", buf, sizeof buf),
                     "`echo hi | cat` contains `|`, which only a shell understands; without "
                     "--shell it is passed to `echo` as an argument");
    cr_assert_eq(pk_shellwords_find_syntax("$HOME/x", &syn), PK_OK);
    cr_assert_str_eq(pk_shellwords_syntax_text("$HOME/x", &syn, NULL, buf, sizeof buf),
                     "`$HOME/x` contains `$HOME`, which only a shell expands; without a shell "
                     "it is part of the program name");
    cr_assert_eq(pk_shellwords_find_syntax("make\n./run", &syn), PK_OK);
    cr_assert_str_eq(pk_shellwords_syntax_text("make\n./run", &syn, "x", buf, sizeof buf),
                     "`make\n./run` holds a line break, which ends a command in a shell; "
                     "without x it is passed to `make` as arguments");
    /* a long command is cut, whole characters only */
    const char *lng = "echo ééééééééééééééééééééééééééééééééééééééééééééé | cat";
    cr_assert_eq(pk_shellwords_find_syntax(lng, &syn), PK_OK);
    pk_shellwords_syntax_text(lng, &syn, NULL, buf, sizeof buf);
    cr_assert(strstr(buf, "é…` contains `|`"), "%s", buf);
    pk_shellwords_syntax_text(lng, &syn, NULL, buf, 10);
    cr_assert_eq(strlen(buf), 9);
    cr_assert_eq(pk_shellwords_find_syntax("true", &syn), PK_OK);
    cr_assert_str_eq(pk_shellwords_syntax_text("true", &syn, NULL, buf, sizeof buf), "");
}

Test(shellwords, syntax_allocation_failures_are_clean)
{
    bool ok = false;
    for (long fail_at = 0; fail_at < 63 && !ok; fail_at++) {
        pk_shellwords_syntax syn;
        fault_arm(fail_at);
        pk_err e = pk_shellwords_find_syntax("a b c | d e f", &syn);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM);
        if (e == PK_ENOMEM)
            cr_assert_str_eq(syn.token, "");
        ok = e == PK_OK && strcmp(syn.token, "|") == 0;
    }
    cr_assert(ok);
}
