/* Unit tests for lib/core/gitinfo.c against a real throwaway repository. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfkit/gitinfo.h"

static char repo[128];

static void sh(const char *fmt, const char *arg)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void make_repo(void)
{
    snprintf(repo, sizeof repo, "/tmp/pk-git-%ld", (long)getpid());
    sh("rm -rf %s && mkdir -p %s && cd %s && git init -q -b trunk . && echo a > f && git add f && "
       "git -c user.name=t -c user.email=t@t commit -qm one", repo);
}

Test(gitinfo, commit_branch_dirty)
{
    if (system("git --version >/dev/null 2>&1") != 0)
        cr_skip_test("git is not installed");
    unsetenv("PERFKIT_BRANCH");
    make_repo();
    pk_git_info g;
    cr_assert_eq(pk_git_info_get(repo, &g), PK_OK);
    cr_assert_eq(strlen(g.commit), 40);
    cr_assert_str_eq(g.branch, "trunk");
    cr_assert_not(g.dirty);
    sh("echo b >> %s/f", repo);
    cr_assert_eq(pk_git_info_get(repo, &g), PK_OK);
    cr_assert(g.dirty);
    setenv("PERFKIT_BRANCH", "main", 1);
    cr_assert_eq(pk_git_info_get(repo, &g), PK_OK);
    cr_assert_str_eq(g.branch, "main");
    unsetenv("PERFKIT_BRANCH");
    /* detached HEAD in CI: the branch comes from the CI's variables */
    sh("cd %s && git checkout -q --detach", repo);
    setenv("GITHUB_REF_NAME", "feature-x", 1);
    cr_assert_eq(pk_git_info_get(repo, &g), PK_OK);
    cr_assert_str_eq(g.branch, "feature-x");
    unsetenv("GITHUB_REF_NAME");
    sh("rm -rf %s", repo);
}

Test(gitinfo, outside_a_work_tree)
{
    pk_git_info g;
    cr_assert_eq(pk_git_info_get("/", &g), PK_ENOENT);
    cr_assert_str_eq(g.commit, "");
    cr_assert_eq(pk_git_info_get(NULL, NULL), PK_EINVAL);
}
