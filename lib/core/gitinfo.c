/* gitinfo.c — commit, branch and dirty flag from the git program.
 *
 * Three short `git -C DIR ...` invocations through pk__proc_run (core/
 * proc.h): rev-parse HEAD, symbolic-ref --short HEAD, and status --porcelain
 * --untracked-files=no (dirty = any output).
 * A detached HEAD (the usual CI checkout) takes its branch from the CI's
 * environment variables. */
#include "perfkit/gitinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"

/* Run git with args in dir; its first line of stdout into buf. Returns the
 * exit status, or -1 when git could not be run. */
static int git(const char *dir, const char *const *args, char *buf, size_t len)
{
    char *argv[12];
    size_t n = 0;
    argv[n++] = "git";
    argv[n++] = "-C";
    argv[n++] = (char *)(dir ? dir : ".");
    for (size_t i = 0; args[i] && n < 11; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    pk__proc_out r;
    if (pk__proc_run(argv, NULL, &r) != PK_OK)
        return -1;
    size_t l = len ? strnlen(r.out, len - 1) : 0;   /* a longer line is cut */
    memcpy(buf, r.out, l);
    if (len)
        buf[l] = '\0';
    return r.status;
}

static void branch_from_env(char *buf, size_t len)
{
    static const char *const vars[] = {"PERFKIT_BRANCH", "GITHUB_HEAD_REF", "GITHUB_REF_NAME",
                                       "CI_COMMIT_REF_NAME", "BRANCH_NAME"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && v[0]) {
            snprintf(buf, len, "%s", v);
            return;
        }
    }
}

pk_err pk_git_info_get(const char *dir, pk_git_info *out)
{
    if (!out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    char line[256];
    static const char *const head[] = {"rev-parse", "--verify", "-q", "HEAD", NULL};
    int rc = git(dir, head, line, sizeof line);
    if (rc < 0)
        return PK_ENOENT;   /* no git program */
    if (rc != 0 || strlen(line) != 40)
        return PK_ENOENT;   /* not a work tree, or no commit yet */
    memcpy(out->commit, line, 41);
    const char *env_branch = getenv("PERFKIT_BRANCH");
    if (env_branch && env_branch[0]) {
        snprintf(out->branch, sizeof out->branch, "%s", env_branch);
    } else {
        static const char *const sym[] = {"symbolic-ref", "--short", "-q", "HEAD", NULL};
        if (git(dir, sym, out->branch, sizeof out->branch) != 0 || !out->branch[0]) {
            out->branch[0] = '\0';   /* detached HEAD: ask the CI */
            branch_from_env(out->branch, sizeof out->branch);
        }
    }
    static const char *const st[] = {"status", "--porcelain", "--untracked-files=no", NULL};
    rc = git(dir, st, line, sizeof line);
    if (rc != 0)
        return PK_EIO;
    out->dirty = line[0] != '\0';   /* porcelain: any change is a non-empty line */
    return PK_OK;
}
