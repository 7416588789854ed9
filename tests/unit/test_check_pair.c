/* Unit tests for paired mode's base tree (lib/check/pair.c):
 * pk_check_pair_prepare on a scratch git repository. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfkit/check.h"

static char root[64];
static char repo[PATH_MAX];
static char here[PATH_MAX];

static void sh(const char *fmt, const char *arg)
{
    char cmd[PATH_MAX + 512];
    snprintf(cmd, sizeof cmd, fmt, arg);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A repository with one commit at root/<components>; the current directory
 * moves into it. */
static void make_repo(const char *components)
{
    snprintf(root, sizeof root, "/tmp/pk-pair-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    snprintf(repo, sizeof repo, "%s/%s", root, components);
    sh("mkdir -p '%s'", repo);
    sh("cd '%s' && git init -q . && git -c user.name=t -c user.email=t@t "
       "commit -q --allow-empty -m one", repo);
    cr_assert_not_null(getcwd(here, sizeof here));
    cr_assert_eq(chdir(repo), 0);
}

static void cleanup(void)
{
    if (here[0])
        (void)chdir(here);
    if (root[0])
        sh("rm -rf '%s'", root);
}

TestSuite(check_pair, .fini = cleanup);

/* A repository whose path is longer than 255 bytes: git's answer (the top
 * level) must be read whole, not cut to a fixed line buffer. */
Test(check_pair, a_repository_with_a_long_path)
{
    char comp[3][121];
    for (int k = 0; k < 3; k++) {
        memset(comp[k], 'a' + k, 120);
        comp[k][120] = '\0';
    }
    char rel[400];
    snprintf(rel, sizeof rel, "%s/%s/%s", comp[0], comp[1], comp[2]);
    make_repo(rel);
    cr_assert_gt(strlen(repo), 300);
    pk_config c;
    memset(&c, 0, sizeof c);
    c.dir = repo;
    pk_check_pair p;
    pk_diag d;
    pk_err e = pk_check_pair_prepare(&c, "HEAD", NULL, &p, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), d.message);
    cr_assert_eq(strlen(p.commit), 40);
    cr_assert_not_null(p.worktree);
    cr_assert_eq(strncmp(p.worktree, repo, strlen(repo)), 0, "%s", p.worktree);
    pk_check_pair_clear(&p);
}

Test(check_pair, a_short_path_works_and_builds_once)
{
    make_repo("r");
    pk_config c;
    memset(&c, 0, sizeof c);
    c.dir = repo;
    pk_check_pair p;
    pk_diag d;
    pk_err e = pk_check_pair_prepare(&c, "HEAD", "true", &p, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), d.message);
    cr_assert(p.built);
    pk_check_pair_clear(&p);
    e = pk_check_pair_prepare(&c, "HEAD", "true", &p, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), d.message);
    cr_assert(!p.built);
    pk_check_pair_clear(&p);
}

Test(check_pair, invalid_arguments_say_which)
{
    pk_config c;
    memset(&c, 0, sizeof c);
    c.dir = (char *)".";
    pk_check_pair p;
    pk_diag d;
    cr_assert_eq(pk_check_pair_prepare(NULL, "HEAD", NULL, &p, &d), PK_EINVAL);
    cr_assert_not_null(strstr(d.message, "no config"), "%s", d.message);
    cr_assert_eq(pk_check_pair_prepare(&c, "-x", NULL, &p, &d), PK_EINVAL);
    cr_assert_not_null(strstr(d.message, "cannot start with"), "%s", d.message);
    cr_assert_eq(pk_check_pair_prepare(&c, "", NULL, &p, &d), PK_EINVAL);
    cr_assert_not_null(strstr(d.message, "empty ref"), "%s", d.message);
    cr_assert_null(p.worktree);
}
