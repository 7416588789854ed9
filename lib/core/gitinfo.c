/* gitinfo.c — commit, branch and dirty flag from the git program.
 *
 * Three short `git -C DIR ...` invocations through posix_spawnp with stdout
 * on a pipe and stderr on /dev/null: rev-parse HEAD, symbolic-ref --short
 * HEAD, and status --porcelain --untracked-files=no (dirty = any output).
 * A detached HEAD (the usual CI checkout) takes its branch from the CI's
 * environment variables. */
#include "perfkit/gitinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Run git with args, first line of stdout into buf (trailing newline cut).
 * *any_output tells whether it printed anything. Returns the exit status,
 * or -1 when git could not be run. */
static int git(const char *dir, const char *const *args, char *buf, size_t len,
               bool *any_output)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    char *argv[12];
    size_t n = 0;
    argv[n++] = "git";
    argv[n++] = "-C";
    argv[n++] = (char *)(dir ? dir : ".");
    for (size_t i = 0; args[i] && n < 11; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    size_t got = 0;
    char chunk[512];
    ssize_t r;
    *any_output = false;
    while ((r = read(fds[0], chunk, sizeof chunk)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        *any_output = true;
        for (ssize_t i = 0; i < r && got + 1 < len; i++)
            buf[got++] = chunk[i];
    }
    close(fds[0]);
    if (len)
        buf[got < len ? got : len - 1] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
    bool any;
    char line[256];
    static const char *const head[] = {"rev-parse", "--verify", "-q", "HEAD", NULL};
    int rc = git(dir, head, line, sizeof line, &any);
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
        if (git(dir, sym, out->branch, sizeof out->branch, &any) != 0 || !out->branch[0]) {
            out->branch[0] = '\0';   /* detached HEAD: ask the CI */
            branch_from_env(out->branch, sizeof out->branch);
        }
    }
    static const char *const st[] = {"status", "--porcelain", "--untracked-files=no", NULL};
    rc = git(dir, st, line, sizeof line, &any);
    if (rc != 0)
        return PK_EIO;
    out->dirty = any;
    return PK_OK;
}
