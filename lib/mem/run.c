/* run.c — pk_mem_run: the command under the allocation interposer.
 *
 * The environment is built before the fork (the child only execs): the
 * interposer first in LD_PRELOAD (before what the user preloads, so it sees
 * their allocator's calls too), PERFKIT_MEM_FD / _OUT / _DEPTH / _FORK as
 * docs/mem.md "File format" says. The events come back over a socket pair
 * while the program runs and are analysed as they come (reader.c over
 * tee.c's stream), the output file written zstd-compressed on the way: the
 * report is ready when the program ends, and there is no second pass. The
 * command leads its own process group and is waited for with core/proc.h
 * (cancel requests stop the group). The interposer is looked for where a
 * build tree and an install put it: next to the perfkit binary, and in
 * ../lib/perfkit. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* The command's environment: events to descriptor fd (>= 0), or to the
 * file out (fd < 0); out, or else o->output, also names the children's
 * files under follow. */
static pk_err make_env(const pk_mem_opts *o, const char *so, int fd, const char *out, envb *e)
{
    static const char *const ours[] = {"LD_PRELOAD=", "PERFKIT_MEM_OUT=", "PERFKIT_MEM_DEPTH=",
                                       "PERFKIT_MEM_FORK=", "PERFKIT_MEM_UNWIND=",
                                       "PERFKIT_MEM_FD=", "PERFKIT_MEM_ROOT="};
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
    char depth[16], fds[16];
    snprintf(depth, sizeof depth, "%u", o->depth);
    snprintf(fds, sizeof fds, "%d", fd);
    if (!err)
        err = env_put(e, "LD_PRELOAD", b.data);
    pk_free(b.data);
    if (!err && fd >= 0)
        err = env_put(e, "PERFKIT_MEM_FD", fds);
    if (!out)
        out = o->output;     /* with a descriptor: for the children's files under follow */
    if (!err && out)
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

/* Fork and exec argv with envp, keep_fd inherited (not close-on-exec in
 * the child). *pid: the child, running; -1 when it could not start. */
static pk_err start_child(char *const argv[], char **envp, int keep_fd, pid_t *pid, char **msg)
{
    *pid = -1;
    int ep[2];
    if (pipe2(ep, O_CLOEXEC))
        return fail(msg, PK_EIO, "pipe: %s", strerror(errno));
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        fcntl(keep_fd, F_SETFD, 0);
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
    if (got == (ssize_t)sizeof exec_errno) {
        int st;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR)
            ;
        return fail(msg, exec_errno == ENOENT ? PK_ENOENT : PK_EIO, "cannot run %s: %s",
                    argv[0], strerror(exec_errno));
    }
    *pid = c;
    return PK_OK;
}

/* Wait for the child. *status: exit status, 128 + signal. */
static pk_err wait_child(pid_t c, int *status, char **msg)
{
    pk__proc_wait w = {.drain_fd = -1};
    int st = 0;
    int we = pk__proc_reap(c, &w, &st, NULL);
    if (we)
        return fail(msg, PK_EIO, "wait: %s", strerror(we));
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
    return w.cancelled ? PK_EINTR : PK_OK;
}

/* The socket's capacity: as much as we may (the program writes 256 KiB at
 * a time; a deeper queue lets it run on while the reader catches up). */
static void widen(int fd, int opt, int force)
{
    int n = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, force, &n, sizeof n) != 0)
        setsockopt(fd, SOL_SOCKET, opt, &n, sizeof n);
}

/* Read the events as the program runs: analysed into *out, written to
 * out_fd (-1: nowhere) compressed. */
static pk_err run_streamed(const pk_mem_opts *o, char *const argv[], const char *so, int out_fd,
                           pk_mem_profile **out, int *status, char **msg)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return fail(msg, PK_EIO, "socketpair: %s", strerror(errno));
    widen(sv[1], SO_SNDBUF, SO_SNDBUFFORCE);
    widen(sv[0], SO_RCVBUF, SO_RCVBUFFORCE);
    envb env = {0};
    pid_t c = -1;
    pk_err e = make_env(o, so, sv[1], NULL, &env);
    if (!e)
        e = start_child(argv, env.v, sv[1], &c, msg);
    env_free(&env);
    close(sv[1]);
    if (e) {
        close(sv[0]);
        return e;
    }
    pk__mem_tee *t = NULL;
    pk_diag d = {0};
    pk_err le = pk__mem_tee_open(sv[0], c, out_fd, &t);
    if (!le)
        le = pk_mem_read(pk__mem_tee_stream(t), o->output ? o->output : argv[0], out, &d);
    if (le && le != PK_ENOMEM) {
        char buf[1400];
        fail(msg, le, "%s", pk_diag_format(&d, buf, sizeof buf));
    }
    bool cancelled = t && pk__mem_tee_cancelled(t);
    if (cancelled)
        e = wait_child(c, status, msg);    /* stops the group; then the rest */
    uint64_t got = 0;
    int werr = t ? pk__mem_tee_finish(t, &got) : 0;
    if (!cancelled)
        e = wait_child(c, status, msg);
    pk__mem_tee_free(t);
    close(sv[0]);
    if (!le && got == 0)
        le = fail(msg, PK_EIO,
                  "%s wrote no allocation events (exit status %d): a statically linked "
                  "or set-user-ID program cannot be preloaded", argv[0], *status);
    if (!le && werr)
        le = fail(msg, PK_EIO, "cannot write %s: %s", o->output, strerror(werr));
    if (le == PK_ENOMEM)
        fail(msg, le, "out of memory");
    if (le && (!e || e == PK_EINTR))
        e = le;
    if (e && e != PK_EINTR) {
        pk_mem_free(*out);
        *out = NULL;
    }
    return e;
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
    int out_fd = -1;
    if (o->output) {
        if (unlink(o->output) && errno != ENOENT)
            return fail(msg, PK_EIO, "cannot replace %s: %s", o->output, strerror(errno));
        out_fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0)
            return fail(msg, PK_EIO, "cannot create %s: %s", o->output, strerror(errno));
    }
    int status = -1;
    e = run_streamed(o, argv, so, out_fd, out, &status, msg);
    if (out_fd >= 0 && close(out_fd) != 0 && (!e || e == PK_EINTR)) {
        e = fail(msg, PK_EIO, "cannot write %s: %s", o->output, strerror(errno));
        pk_mem_free(*out);
        *out = NULL;
    }
    if (*out)
        (*out)->info.exit_status = status;
    return e;
}

pk_err pk_mem_environ(const pk_mem_opts *o, const char *so, const char *out, char ***envp)
{
    if (!o || !so || !out || !envp)
        return PK_EINVAL;
    *envp = NULL;
    envb e = {0};
    pk_err err = make_env(o, so, -1, out, &e);
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
