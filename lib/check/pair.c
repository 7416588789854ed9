/* pair.c — paired mode's base tree: REF checked out beside the work tree
 * and built, so that every benchmark can run in both in one job.
 *
 * REF is resolved in the repository holding the config (`git rev-parse
 * --verify REF^{commit}`) and checked out, detached, in a git worktree at
 * <config dir>/.perfkit/worktrees/<REF with every character outside
 * [A-Za-z0-9._-] as '-'>: created with `git worktree add --detach` the first
 * time, moved with `git checkout --detach --force` later (the tree is
 * perfkit's own; untracked build outputs stay, so builds are incremental).
 * The user's work tree and index are never touched. git runs with
 * an argument vector and no shell (core/proc.h); the build command is a
 * shell line by nature (`make -j2 && ...`) and runs through /bin/sh -c in the
 * base tree's counterpart of the current directory. A marker file
 * `.perfkit-built` in the worktree holds the commit and a hash of the build
 * command: the same pair means "already built", and the build is skipped.
 * The marker is removed before a build and written after it succeeds, so a
 * failed or interrupted build is never taken for a finished one. Output of
 * git and of the build goes to memory files; a failure's diag carries the
 * end of its stderr. Nothing here prints. */
#include "perfkit/check.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/proc.h"
#include "perfkit/alloc.h"

#define MARKER ".perfkit-built"

/* git -C dir ARGS...; the child's result in *r. */
static pk_err git(const char *dir, const char *const *args, pk__proc_out *r, pk_diag *d)
{
    char *argv[16] = {"git", "-C", (char *)dir};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    pk_err e = pk__proc_run(argv, NULL, r);
    if (e == PK_ENOENT)
        pk_diag_set(d, NULL, 0, 0, "--pair needs the git program, and it is not in PATH");
    else if (e != PK_OK)
        pk_diag_set(d, NULL, 0, 0, "--pair: cannot run git: %s", pk_strerror(e));
    return e;
}

/* printf into a path buffer; false when it does not fit. */
__attribute__((format(printf, 3, 4)))
static bool path_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < len;
}

static char *dup_or_null(const char *s)
{
    return s ? pk_strdup(s) : NULL;
}

void pk_check_pair_clear(pk_check_pair *p)
{
    if (!p)
        return;
    pk_free(p->worktree);
    pk_free(p->cwd);
    memset(p, 0, sizeof *p);
}

/* The marker's content for commit sha and build command build. */
static void marker_text(const char *sha, const char *build, char *buf, size_t len)
{
    uint64_t h = 14695981039346656037ull;   /* FNV-1a */
    for (const char *s = build; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    snprintf(buf, len, "%s %016llx\n", sha, (unsigned long long)h);
}

/* Build in p->cwd unless the marker says this commit was built with build. */
static pk_err build_base(pk_check_pair *p, const char *ref, const char *build, pk_diag *d)
{
    char marker[PATH_MAX], want[80], have[80] = "";
    if (!path_fmt(marker, sizeof marker, "%s/%s", p->worktree, MARKER))
        return PK_EINVAL;
    marker_text(p->commit, build, want, sizeof want);
    FILE *f = fopen(marker, "r");
    if (f) {
        if (!fgets(have, sizeof have, f))
            have[0] = '\0';
        fclose(f);
    }
    if (strcmp(have, want) == 0)
        return PK_OK;   /* this commit, this build command: done before */
    unlink(marker);
    char *argv[] = {"/bin/sh", "-c", (char *)build, NULL};
    pk__proc_out r;
    pk_err e = pk__proc_run(argv, p->cwd, &r);
    if (e != PK_OK) {
        pk_diag_set(d, NULL, 0, 0, "--pair %s: cannot run the build `%s` in %s: %s", ref, build,
                    p->cwd, pk_strerror(e));
        return e;
    }
    if (r.status != 0) {
        char how[32];
        snprintf(how, sizeof how, r.status < 0 ? "was killed" : "failed with exit code %d",
                 r.status);
        pk_diag_set(d, NULL, 0, 0, "--pair %s: the build `%s` %s in %s%s%s", ref, build, how,
                    p->cwd, r.tail[0] ? "; its output ends with:\n" : "", r.tail);
        return PK_EFAIL;
    }
    p->built = true;
    f = fopen(marker, "w");
    bool wrote = f && fputs(want, f) >= 0;
    if (f && fclose(f) != 0)   /* closed whether or not fputs failed */
        wrote = false;
    if (!wrote) {
        pk_diag_set(d, NULL, 0, 0, "--pair %s: cannot write %s", ref, marker);
        return PK_EIO;
    }
    return PK_OK;
}

/* The worktree at p->worktree, detached at p->commit. */
static pk_err checkout(pk_check_pair *p, const char *top, const char *ref, pk_diag *d)
{
    pk__proc_out r;
    char gitfile[PATH_MAX];
    if (!path_fmt(gitfile, sizeof gitfile, "%s/.git", p->worktree))
        return PK_EINVAL;
    pk_err e;
    if (access(gitfile, F_OK) == 0) {
        const char *co[] = {"-c", "advice.detachedHead=false", "checkout", "-q", "--detach",
                            "--force", p->commit, NULL};
        if ((e = git(p->worktree, co, &r, d)) != PK_OK)
            return e;
    } else {
        const char *prune[] = {"worktree", "prune", NULL};
        if ((e = git(top, prune, &r, d)) != PK_OK)
            return e;
        const char *add[] = {"worktree", "add", "-q", "--detach", p->worktree, p->commit, NULL};
        if ((e = git(top, add, &r, d)) != PK_OK)
            return e;
    }
    if (r.status != 0) {
        pk_diag_set(d, NULL, 0, 0, "--pair %s: cannot check out %.12s in %s: %s (remove that "
                    "directory to start afresh)", ref, p->commit, p->worktree, r.tail);
        return PK_EFAIL;
    }
    return PK_OK;
}

/* The worktree's name for ref: safe as one path component. */
static void tree_name(const char *ref, char *buf, size_t len)
{
    size_t i = 0;
    for (; ref[i] && i + 1 < len; i++) {
        char c = ref[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        buf[i] = ok ? c : '-';
    }
    buf[i] = '\0';
    if (buf[0] == '.')
        buf[0] = '-';   /* never "." or ".." */
}

/* Where the current directory sits in top: "" at the top, "sub/dir" below;
 * PK_EINVAL outside. */
static pk_err rel_cwd(const char *top, char *rel, size_t len, pk_diag *d)
{
    char here[PATH_MAX];
    if (!getcwd(here, sizeof here))
        return pk__err_from_errno(errno);
    size_t n = strlen(top);
    if (strncmp(here, top, n) != 0 || (here[n] && here[n] != '/')) {
        pk_diag_set(d, NULL, 0, 0, "--pair: run perfkit from inside the repository %s (commands "
                    "run from the current directory, and the base tree needs its counterpart)",
                    top);
        return PK_EINVAL;
    }
    snprintf(rel, len, "%s", here[n] ? here + n + 1 : "");
    return PK_OK;
}

pk_err pk_check_pair_prepare(const pk_config *c, const char *ref, const char *build,
                             pk_check_pair *out, pk_diag *diag)
{
    pk_diag dummy;
    pk_diag *d = diag ? diag : &dummy;
    pk_diag_set(d, NULL, 0, 0, "%s", "");
    if (!out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!c || !ref || !ref[0] || ref[0] == '-') {
        pk_diag_set(d, NULL, 0, 0, "--pair: %s", !c ? "no config"
                                                 : ref && ref[0] ? "a ref cannot start with `-`"
                                                                 : "empty ref");
        return PK_EINVAL;
    }
    char dir[PATH_MAX], top[PATH_MAX], rel[PATH_MAX] = "", name[128], wt[PATH_MAX], spec[600];
    if (!realpath(c->dir, dir)) {
        pk_diag_set(d, NULL, 0, 0, "--pair: cannot resolve %s: %s", c->dir, strerror(errno));
        return pk__err_from_errno(errno);
    }
    pk__proc_out r;
    const char *toplevel[] = {"rev-parse", "--show-toplevel", NULL};
    pk_err e = git(dir, toplevel, &r, d);
    if (e != PK_OK)
        return e;
    if (r.status != 0 || !r.out[0]) {
        pk_diag_set(d, NULL, 0, 0, "--pair %s: %s is not in a git work tree", ref, dir);
        return PK_ENOENT;
    }
    snprintf(top, sizeof top, "%s", r.out);
    if (!path_fmt(spec, sizeof spec, "%s^{commit}", ref)) {
        pk_diag_set(d, NULL, 0, 0, "--pair: the ref is too long");
        return PK_EINVAL;
    }
    const char *verify[] = {"rev-parse", "--verify", "--quiet", spec, NULL};
    if ((e = git(top, verify, &r, d)) != PK_OK)
        return e;
    if (r.status != 0 || strlen(r.out) != 40) {
        pk_diag_set(d, NULL, 0, 0, "--pair %s: no such commit, branch or tag in %s", ref, top);
        return PK_ENOENT;
    }
    memcpy(out->commit, r.out, 41);
    if ((e = rel_cwd(top, rel, sizeof rel, d)) != PK_OK)
        return e;
    tree_name(ref, name, sizeof name);
    if (!path_fmt(wt, sizeof wt, "%s/.perfkit/worktrees", dir)) {
        pk_diag_set(d, NULL, 0, 0, "--pair: the path %s is too long", dir);
        return PK_EINVAL;
    }
    if ((e = pk__mkdirs(wt, NULL)) != PK_OK) {
        pk_diag_set(d, NULL, 0, 0, "--pair: cannot create %s: %s", wt, pk_strerror(e));
        return e;
    }
    size_t l = strlen(wt);
    if (!path_fmt(wt + l, sizeof wt - l, "/%s", name))
        return PK_EINVAL;
    out->worktree = dup_or_null(wt);
    out->cwd = NULL;
    if (out->worktree) {
        size_t n = strlen(wt) + strlen(rel) + 2;
        out->cwd = pk_malloc(n);
        if (out->cwd)
            snprintf(out->cwd, n, "%s%s%s", wt, rel[0] ? "/" : "", rel);
    }
    if (!out->worktree || !out->cwd) {
        pk_check_pair_clear(out);
        return PK_ENOMEM;
    }
    e = checkout(out, top, ref, d);
    if (e == PK_OK && build && build[0])
        e = build_base(out, ref, build, d);
    if (e != PK_OK) {
        char commit[41];
        memcpy(commit, out->commit, sizeof commit);
        pk_check_pair_clear(out);
        memcpy(out->commit, commit, sizeof commit);
    }
    return e;
}
