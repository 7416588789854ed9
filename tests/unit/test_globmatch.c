/* Unit tests for lib/core/globmatch.c: matching a path back to the glob
 * pattern that produced it, with the semantics of pk__glob (braces, ~,
 * '*' not crossing '/', no leading dot), checked against real expansion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/file.h"

Test(globmatch, braces_and_nesting)
{
    cr_assert(pk__glob_match("dist/{a,b}.js", "dist/a.js"));
    cr_assert(pk__glob_match("dist/{a,b}.js", "dist/b.js"));
    cr_assert_not(pk__glob_match("dist/{a,b}.js", "dist/c.js"));
    cr_assert(pk__glob_match("{x,{y,z}}/*.c", "z/main.c"));
    cr_assert(pk__glob_match("a{,b}", "a"));
    cr_assert(pk__glob_match("{x}", "{x}"));   /* no comma: literal */
}

Test(globmatch, glob_flags)
{
    cr_assert(pk__glob_match("dist/*.js", "dist/app.js"));
    cr_assert_not(pk__glob_match("dist/*.js", "dist/sub/app.js"));   /* '*' stops at '/' */
    cr_assert_not(pk__glob_match("dist/*.js", "dist/.hidden.js"));  /* leading dot */
    cr_assert(pk__glob_match("a[1].js", "a[1].js"));                 /* the literal name */
    cr_assert(pk__glob_match("a[12].js", "a1.js"));
}

Test(globmatch, tilde)
{
    setenv("HOME", "/home/u", 1);
    cr_assert(pk__glob_match("~/out/*.wasm", "/home/u/out/app.wasm"));
    cr_assert_not(pk__glob_match("~/out/*.wasm", "/home/v/out/app.wasm"));
}

Test(globmatch, bounded_on_hostile_patterns)
{
    char pat[2048] = "";
    for (int i = 0; i < 60; i++)
        strcat(pat, "{a,b}");
    cr_assert_not(pk__glob_match(pat, "c"));   /* gives up, no explosion */
    char deep[4096] = "";
    for (int i = 0; i < 1300; i++)   /* 1300 groups: bounded depth, no stack overflow */
        strcat(deep, "{,}");
    strcat(deep, "x");
    cr_assert_not(pk__glob_match(deep, "x"));
    cr_assert(pk__glob_match("{,}{,}x", "x"));   /* shallow: still matches */
    cr_assert_not(pk__glob_match("{a,b", "a"));
    cr_assert_not(pk__glob_match(NULL, "a"));
}

Test(globmatch, agrees_with_expansion)
{
    char dir[] = "/tmp/pk-globmatch-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(chdir(dir), 0);
    mkdir("d", 0755);
    mkdir("d/sub.js", 0755);   /* a directory: left out by both */
    const char *files[] = {"d/a.js", "d/b.js", "d/c.css"};
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "w");
        cr_assert_not_null(f);
        fclose(f);
    }
    const char *pattern = "d/{a,b,sub}*.js";
    char **paths;
    size_t n;
    cr_assert_eq(pk__glob(pattern, &paths, &n), PK_OK);
    cr_assert_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        cr_assert(pk__glob_match(pattern, paths[i]), "%s", paths[i]);
    cr_assert_not(pk__glob_match(pattern, "d/c.css"));
    pk__glob_free(paths, n);
    for (size_t i = 0; i < 3; i++)
        unlink(files[i]);
    rmdir("d/sub.js");
    rmdir("d");
    cr_assert_eq(rmdir(dir), 0);
}
