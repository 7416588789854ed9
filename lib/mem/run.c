/* run.c — pk_mem_run: the command under the allocation interposer.
 *
 * The environment is built before the fork (the child only execs): the
 * interposer first in LD_PRELOAD (before what the user preloads, so it sees
 * their allocator's calls too), PERFKIT_MEM_OUT / _DEPTH / _FORK as
 * docs/mem.md "File format" says. The command leads its own process group
 * and is waited for with core/proc.h (cancel requests stop the group). The
 * event file is then loaded like any other (reader.c); a temporary one is
 * removed. The interposer is looked for where a build tree and an install
 * put it: next to the perfkit binary, and in ../lib/perfkit. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/proc.h"
#include "mem_int.h"
#include "perfkit/alloc.h"

extern char **environ;

void pk_mem_opts_init(pk_mem_opts *o)
{
    memset(o, 0, sizeof *o);
    o->depth = 64;
}

static pk_err fail(char **msg, pk_err e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static pk_err fail(char **msg, pk_err e, const char *fmt, ...)
{
    if (msg && !*msg) {
        pk__buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        char tmp[1200];
        vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (pk__buf_puts(&b, tmp) == PK_OK)
            *msg = b.data;
    }
    return e;
}

static bool readable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

pk_err pk_mem_find_preload(const pk_mem_opts *o, char *buf, size_t len, char **msg)
{
    if (o->preload_path) {
        snprintf(buf, len, "%s", o->preload_path);
        return readable(buf) ? PK_OK
                             : fail(msg, PK_ENOENT, "the interposer %s is missing", buf);
    }
    const char *env = getenv("PERFKIT_MEM_LIB");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return readable(buf)
                   ? PK_OK
                   : fail(msg, PK_ENOENT, "PERFKIT_MEM_LIB names %s, which is missing", env);
    }
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return fail(msg, PK_ENOENT, "libperfkit-mem.so not found (/proc/self/exe unreadable); "
                                    "set PERFKIT_MEM_LIB");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, len, "%s/libperfkit-mem.so", exe);
    if (readable(buf))
        return PK_OK;
    snprintf(buf, len, "%s/../lib/perfkit/libperfkit-mem.so", exe);
    if (readable(buf))
        return PK_OK;
    return fail(msg, PK_ENOENT,
                "libperfkit-mem.so not found in %s/ nor %s/../lib/perfkit/ (build it with "
                "`make`, or set PERFKIT_MEM_LIB)", exe, exe);
}

typedef struct envb {
    char **v;
    size_t n, cap;
} envb;

static pk_err env_put(envb *e, const char *name, const char *value)
{
    pk__buf b = {0};
    if (pk__buf_printf(&b, "%s=%s", name, value) != PK_OK)
        return PK_ENOMEM;
    if (PK__PUSH_ROOM(e->v, e->n, e->cap) != PK_OK) {
        pk_free(b.data);
        return PK_ENOMEM;
    }
    e->v[e->n++] = b.data;
    return PK_OK;
}

static void env_free(envb *e)
{
    for (size_t i = 0; i < e->n; i++)
        pk_free(e->v[i]);
    pk_free(e->v);
}

static pk_err make_env(const pk_mem_opts *o, const char *so, const char *out, envb *e)
{
    static const char *const ours[] = {"LD_PRELOAD=", "PERFKIT_MEM_OUT=", "PERFKIT_MEM_DEPTH=",
                                       "PERFKIT_MEM_FORK=", "PERFKIT_MEM_UNWIND="};
    for (char **v = environ; v && *v; v++) {
        bool skip = false;
        for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
            skip |= !strncmp(*v, ours[i], strlen(ours[i]));
        if (skip)
            continue;
        char *copy = pk_strdup(*v);
        if (!copy || PK__PUSH_ROOM(e->v, e->n, e->cap) != PK_OK) {
            pk_free(copy);
            return PK_ENOMEM;
        }
        e->v[e->n++] = copy;
    }
    const char *pre = getenv("LD_PRELOAD");
    pk__buf b = {0};
    pk_err err = pre && *pre ? pk__buf_printf(&b, "%s:%s", so, pre) : pk__buf_puts(&b, so);
    char depth[16];
    snprintf(depth, sizeof depth, "%u", o->depth);
    if (!err)
        err = env_put(e, "LD_PRELOAD", b.data);
    pk_free(b.data);
    if (!err)
        err = env_put(e, "PERFKIT_MEM_OUT", out);
    if (!err)
        err = env_put(e, "PERFKIT_MEM_DEPTH", depth);
    if (!err)
        err = env_put(e, "PERFKIT_MEM_FORK", o->follow_fork ? "follow" : "ignore");
    if (!err && PK__PUSH_ROOM(e->v, e->n, e->cap) != PK_OK)
        err = PK_ENOMEM;
    if (!err)
        e->v[e->n] = NULL;
    return err;
}

/* Fork and exec argv with envp; wait. *status: exit status, 128 + signal. */
static pk_err run_child(char *const argv[], char **envp, int *status, char **msg)
{
    int ep[2];
    if (pipe2(ep, O_CLOEXEC))
        return fail(msg, PK_EIO, "pipe: %s", strerror(errno));
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        execvpe(argv[0], argv, envp);
        int e = errno;
        if (write(ep[1], &e, sizeof e) < 0)
            e = 0;
        _exit(127); /* forked child: the exec failed */
    }
    int fe = errno;
    close(ep[1]);
    if (c < 0) {
        close(ep[0]);
        return fail(msg, PK_EIO, "fork: %s", strerror(fe));
    }
    setpgid(c, c);
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(ep[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(ep[0]);
    pk__proc_wait w = {.drain_fd = -1};
    int st = 0;
    int we = pk__proc_reap(c, &w, &st, NULL);
    if (we)
        return fail(msg, PK_EIO, "wait: %s", strerror(we));
    if (got == (ssize_t)sizeof exec_errno)
        return fail(msg, exec_errno == ENOENT ? PK_ENOENT : PK_EIO, "cannot run %s: %s",
                    argv[0], strerror(exec_errno));
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
    return w.cancelled ? PK_EINTR : PK_OK;
}

pk_err pk_mem_run(const pk_mem_opts *o, char *const argv[], pk_mem_profile **out, char **msg)
{
    if (msg)
        *msg = NULL;
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_mem_opts def;
    if (!o) {
        pk_mem_opts_init(&def);
        o = &def;
    }
    if (!argv || !argv[0] || !argv[0][0])
        return fail(msg, PK_EINVAL, "no command to run");
    if (o->depth < 1 || o->depth > 256)
        return fail(msg, PK_EINVAL, "stack depth %u is outside 1..256", o->depth);
    char so[4096];
    pk_err e = pk_mem_find_preload(o, so, sizeof so, msg);
    if (e)
        return e;
    char path[4096];
    bool temp = !o->output;
    if (temp) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/perfkit-mem-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0)
            return fail(msg, PK_EIO, "cannot create a temporary file in %s: %s",
                        dir && *dir ? dir : "/tmp", strerror(errno));
        close(fd);
    } else {
        snprintf(path, sizeof path, "%s", o->output);
        if (unlink(path) && errno != ENOENT)
            return fail(msg, PK_EIO, "cannot replace %s: %s", path, strerror(errno));
    }
    envb env = {0};
    int status = -1;
    e = make_env(o, so, path, &env);
    if (!e)
        e = run_child(argv, env.v, &status, msg);
    env_free(&env);
    if (!e || e == PK_EINTR) {
        pk_diag d = {0};
        struct stat st;
        pk_err le;
        if (stat(path, &st) != 0 || st.st_size == 0)
            le = fail(msg, PK_EIO,
                      "%s wrote no allocation events (exit status %d): a statically linked "
                      "or set-user-ID program cannot be preloaded", argv[0], status);
        else if ((le = pk_mem_load(path, out, &d)) != PK_OK) {
            char buf[1400];
            fail(msg, le, "%s", pk_diag_format(&d, buf, sizeof buf));
        }
        if (le)
            e = le;
        else
            (*out)->info.exit_status = status;
    }
    if (temp)
        unlink(path);
    return e;
}

pk_err pk_mem_environ(const pk_mem_opts *o, const char *so, const char *out, char ***envp)
{
    if (!o || !so || !out || !envp)
        return PK_EINVAL;
    *envp = NULL;
    envb e = {0};
    pk_err err = make_env(o, so, out, &e);
    if (err != PK_OK) {
        env_free(&e);
        return err;
    }
    *envp = e.v;
    return PK_OK;
}

void pk_mem_environ_free(char **envp)
{
    for (char **v = envp; v && *v; v++)
        pk_free(*v);
    pk_free(envp);
}
