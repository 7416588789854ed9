/* runner.c — spawn one process and measure it (perfkit/run.h).
 *
 * Everything a run needs is prepared once in pk_runner_new: /dev/null, the
 * input file, the output file or pipe, a memfd for the stderr tail, the
 * posix_spawn file actions and attributes, the perf_event counters. A run is
 * then: (lseek input) (reset stderr memfd if non-empty) counters on,
 * clock, posix_spawn(resolved path), wait (pidfd_open, ppoll, wait4), clock,
 * close(pidfd), counters off, read — a minimal posix_spawn + wait4 loop plus
 * the pidfd that makes the wait cancellable (pidfd_open and ppoll inside the
 * timed window: about 1% of a `true` run on our VM) and the counter ioctls,
 * which sit outside it. Program paths are resolved once per
 * distinct argv[0] (cached by string), never by posix_spawnp per run.
 *
 * The wait is core's (pk__proc_reap): ppoll on the child's pidfd, the output
 * pipe and the cancel eventfd, so a timeout, a cancel request
 * (perfkit/cancel.h) and the child's exit each end it at once. Every child
 * leads its own process group, so SIGKILL at the timeout and a forwarded
 * signal reach its descendants too. Signals: the child starts with an empty
 * signal mask and SIGPIPE and SIGXFSZ at their default, whatever the
 * embedding program set for itself. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/buf.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/proc.h"
#include "perfkit/alloc.h"
#include "perfkit/cancel.h"
#include "run_internal.h"

#define DRAIN_BYTES 65536

typedef struct path_entry {
    char *name;   /* argv[0] as given */
    char *path;   /* what it resolved to */
} path_entry;

struct pk_runner {
    pk_run_opts o;
    int null_fd, in_fd, out_fd, err_fd, pipe_r;
    int hwm_fd;           /* /proc/self/clear_refs, to reset our peak RSS */
    int statm_fd;         /* /proc/self/statm, our RSS = the children's RSS floor */
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    bool fa_init, attr_init;
    posix_spawn_file_actions_t cwd_fa;   /* fa plus a chdir to cwd_dir */
    char *cwd_dir;                       /* NULL: cwd_fa not built */
    pk__perfctr pc;
    pk_instr_source instr;
    pk__cg cg;
    bool cg_init;
    pk__heap heap;        /* pk_run_opts.heap (heap.c) */
    bool heap_init;
    path_entry *paths;
    size_t n_paths, cap_paths;
    char *drain;          /* PK_OUTPUT_PIPE scratch */
    char msg[512];
};

void pk_run_opts_init(pk_run_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->output = PK_OUTPUT_NULL;
    o->counters = true;
    o->instructions = PK_INSTR_NONE;
    o->stderr_tail_bytes = 2048;
    o->stderr_inherit = false;
}

bool pk_run_succeeded(const pk_run_result *r)
{
    return r && r->exit_code == 0 && r->term_signal == 0 && !r->timed_out;
}

/* The monotonic clock (core/clock.h: tests may replace it). */
static uint64_t now_ns(void)
{
    return (uint64_t)pk__clock_ns(PK__CLOCK_MONO);
}

static uint64_t tv_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* Keep our descriptors off 0..2 so a dup2 onto them is never a no-op that
 * leaves FD_CLOEXEC set (happens when the embedding program closed stdin). */
static int high_fd(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fd);
    errno = saved;
    return nfd;
}

/* errno (of opening, piping, waiting) as pk_err: the one table of lib/. */
static pk_err fail_errno(pk_runner *r, const char *what, const char *name)
{
    int e = errno;
    snprintf(r->msg, sizeof r->msg, "%s%s%s: %s", what, name ? " " : "", name ? name : "",
             strerror(e));
    return pk__err_from_errno(e);
}

char *pk__run_quote(const char *s, char *buf, size_t len)
{
    enum { SHOWN = 60 };
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (n <= SHOWN) {
        snprintf(buf, len, "`%s`", s);
        return buf;
    }
    size_t k = SHOWN;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;   /* not inside a UTF-8 character */
    snprintf(buf, len, "`%.*s\xe2\x80\xa6` (%zu bytes)", (int)k, s, n);
    return buf;
}

/* Why exec said E2BIG, with the numbers: Linux refuses one argument
 * (or environment string) longer than 32 pages (MAX_ARG_STRLEN), and all of
 * them together beyond ARG_MAX. */
static void too_long(pk_runner *r, const char *prog, char *const argv[])
{
    size_t args = 0, env = 0, longest = 0, n = 0;
    for (char *const *a = argv; *a; a++, n++) {
        size_t k = strlen(*a) + 1;
        args += k;
        longest = k > longest ? k : longest;
    }
    for (char **v = environ; v && *v; v++) {
        size_t k = strlen(*v) + 1;
        env += k;
        longest = k > longest ? k : longest;
    }
    long page = sysconf(_SC_PAGESIZE), arg_max = sysconf(_SC_ARG_MAX);
    size_t one = (size_t)(page > 0 ? page : 4096) * 32;
    char q[96];
    int at = snprintf(r->msg, sizeof r->msg,
                      "cannot run %s: argument list too long (%zu bytes in %zu arguments, %zu "
                      "in the environment; ",
                      pk__run_quote(prog, q, sizeof q), args, n, env);
    if (at < 0 || (size_t)at >= sizeof r->msg)
        return;
    if (longest > one)
        snprintf(r->msg + at, sizeof r->msg - (size_t)at,
                 "one string is %zu bytes and Linux allows at most %zu in one)", longest - 1,
                 one - 1);
    else
        snprintf(r->msg + at, sizeof r->msg - (size_t)at, "at most %ld in all)", arg_max);
}

/* The same for exec. A program that is a directory or in no executable
 * format (EISDIR, ENOEXEC at exec) is "not executable": PK_EPERM like a file
 * without the x bit (execvp's EACCES), not the PK_EINVAL / PK_EIO the general
 * table gives those errnos — the program is there but cannot be run. */
static pk_err fail_exec(pk_runner *r, int rc, const char *prog, char *const argv[])
{
    if (rc == E2BIG) {   /* the command is too long: the user's input, not perfkit's fault */
        too_long(r, prog, argv);
        return PK_EINVAL;
    }
    char q[96];
    errno = rc;
    pk_err e = fail_errno(r, "cannot run", pk__run_quote(prog, q, sizeof q));
    return rc == EISDIR || rc == ENOEXEC ? PK_EPERM : e;
}

static pk_err setup_fds(pk_runner *r)
{
    const pk_run_opts *o = &r->o;
    int fds[2];
    if ((r->null_fd = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC))) < 0)
        return fail_errno(r, "cannot open", "/dev/null");
    if (o->input_path &&
        (r->in_fd = high_fd(open(o->input_path, O_RDONLY | O_CLOEXEC))) < 0)
        return fail_errno(r, "cannot open input file", o->input_path);
    if (o->output == PK_OUTPUT_FILE &&
        (r->out_fd = high_fd(open(o->output_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                                  0666))) < 0)
        return fail_errno(r, "cannot open output file", o->output_path);
    if (o->output == PK_OUTPUT_PIPE) {
        if (pipe2(fds, O_CLOEXEC) != 0)
            return fail_errno(r, "cannot create output pipe", NULL);
        r->pipe_r = high_fd(fds[0]);
        r->out_fd = high_fd(fds[1]);
        if (r->pipe_r < 0 || r->out_fd < 0)
            return fail_errno(r, "cannot create output pipe", NULL);
        /* Only our end is non-blocking; the child's end is its own file. */
        fcntl(r->pipe_r, F_SETFL, O_NONBLOCK);
        fcntl(r->pipe_r, F_SETPIPE_SZ, 1 << 20);   /* fewer wake-ups; best effort */
        if (!(r->drain = pk_malloc(DRAIN_BYTES))) {
            snprintf(r->msg, sizeof r->msg, "out of memory");
            return PK_ENOMEM;
        }
    }
    if (!o->stderr_inherit && o->stderr_tail_bytes > 0 &&
        (r->err_fd = high_fd(memfd_create("perfkit-stderr", MFD_CLOEXEC))) < 0)
        return fail_errno(r, "cannot create stderr capture", NULL);
    /* Best effort: without it peak RSS may include our own past peak. */
    r->hwm_fd = high_fd(open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC));
    r->statm_fd = high_fd(open("/proc/self/statm", O_RDONLY | O_CLOEXEC));
    return PK_OK;
}

/* The dup2 actions every run's child performs (stdin, stdout, stderr) into
 * fa, which the caller has initialised. Returns 0 or an errno value. */
static int add_dups(const pk_runner *r, posix_spawn_file_actions_t *fa)
{
    const pk_run_opts *o = &r->o;
    int rc;
    int in = r->in_fd >= 0 ? r->in_fd : r->null_fd;
    int out = o->output == PK_OUTPUT_NULL ? r->null_fd : r->out_fd;   /* -1: inherit */
    int err = o->stderr_inherit ? -1 : r->err_fd >= 0 ? r->err_fd : r->null_fd;
    if ((rc = posix_spawn_file_actions_adddup2(fa, in, 0)) != 0)
        return rc;
    if (out >= 0 && (rc = posix_spawn_file_actions_adddup2(fa, out, 1)) != 0)
        return rc;
    if (err >= 0 && (rc = posix_spawn_file_actions_adddup2(fa, err, 2)) != 0)
        return rc;
    return 0;
}

static pk_err setup_spawn(pk_runner *r)
{
    int rc;
    if ((rc = posix_spawn_file_actions_init(&r->fa)) != 0)
        goto fail;
    r->fa_init = true;
    if ((rc = add_dups(r, &r->fa)) != 0)
        goto fail;

    if ((rc = posix_spawnattr_init(&r->attr)) != 0)
        goto fail;
    r->attr_init = true;
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGXFSZ);
    /* pgid 0: the child leads a new group (perfkit/cancel.h says why) */
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP;
    if ((rc = posix_spawnattr_setsigmask(&r->attr, &none)) != 0 ||
        (rc = posix_spawnattr_setsigdefault(&r->attr, &def)) != 0 ||
        (rc = posix_spawnattr_setflags(&r->attr, flags)) != 0)
        goto fail;
    return PK_OK;
fail:
    errno = rc;
    return fail_errno(r, "cannot prepare posix_spawn", NULL);
}

static pk_err setup_instr(pk_runner *r)
{
    pk_instr_source want = r->o.instructions;
    bool hw = r->pc.ok & (1u << PK_CTR_INSTRUCTIONS);
    r->instr = PK_INSTR_NONE;
    if (want == PK_INSTR_NONE)
        return PK_OK;
    if (hw && (want == PK_INSTR_AUTO || want == PK_INSTR_HARDWARE)) {
        r->instr = PK_INSTR_HARDWARE;
        return PK_OK;
    }
    if (want == PK_INSTR_HARDWARE) {
        snprintf(r->msg, sizeof r->msg,
                 "the hardware instructions counter is not supported on this machine");
        return PK_ENOTSUP;
    }
    pk_err e = pk__cg_init(&r->cg, r->msg, sizeof r->msg);
    if (e != PK_OK)
        return e;
    r->cg_init = true;
    r->instr = PK_INSTR_CACHEGRIND;
    return PK_OK;
}

pk_err pk_runner_new(const pk_run_opts *o, pk_runner **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_run_opts def;
    if (!o) {
        pk_run_opts_init(&def);
        o = &def;
    }
    if ((unsigned)o->output > PK_OUTPUT_FILE || (unsigned)o->instructions > PK_INSTR_CACHEGRIND ||
        (o->output == PK_OUTPUT_FILE && (!o->output_path || !*o->output_path)) ||
        (o->heap && (o->instructions == PK_INSTR_AUTO || o->instructions == PK_INSTR_CACHEGRIND)))
        return PK_EINVAL;   /* valgrind and the interposer do not stack */

    pk_runner *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    r->o = *o;
    r->null_fd = r->in_fd = r->out_fd = r->err_fd = r->pipe_r = r->hwm_fd = r->statm_fd = -1;
    for (int c = 0; c < PK_CTR_COUNT; c++)
        r->pc.fd[c] = -1;

    pk_err e = setup_fds(r);
    r->o.output_path = NULL;   /* borrowed: only used by setup_fds */
    r->o.input_path = NULL;
    if (e == PK_OK)
        e = setup_spawn(r);
    if (e == PK_OK) {
        uint32_t want = o->counters ? (1u << PK_CTR_COUNT) - 1 : 0;
        if (o->instructions == PK_INSTR_AUTO || o->instructions == PK_INSTR_HARDWARE)
            want |= 1u << PK_CTR_INSTRUCTIONS;
        pk__perfctr_open(&r->pc, want);
        e = setup_instr(r);
    }
    if (e == PK_OK && o->heap && (e = pk__heap_init(&r->heap, r->msg, sizeof r->msg)) == PK_OK)
        r->heap_init = true;
    if (e != PK_OK) {
        pk_runner_free(r);
        return e;
    }
    *out = r;
    return PK_OK;
}

void pk_runner_free(pk_runner *r)
{
    if (!r)
        return;
    int fds[] = {r->null_fd, r->in_fd, r->out_fd, r->err_fd, r->pipe_r, r->hwm_fd, r->statm_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (r->fa_init)
        posix_spawn_file_actions_destroy(&r->fa);
    if (r->attr_init)
        posix_spawnattr_destroy(&r->attr);
    if (r->cwd_dir) {
        posix_spawn_file_actions_destroy(&r->cwd_fa);
        pk_free(r->cwd_dir);
    }
    pk__perfctr_close(&r->pc);
    if (r->cg_init)
        pk__cg_free(&r->cg);
    if (r->heap_init)
        pk__heap_free(&r->heap);
    for (size_t i = 0; i < r->n_paths; i++) {
        pk_free(r->paths[i].name);
        pk_free(r->paths[i].path);
    }
    pk_free(r->paths);
    pk_free(r->drain);
    pk_free(r);
}

uint32_t pk_runner_counters_supported(const pk_runner *r)
{
    return r ? r->pc.ok : 0;
}

pk_instr_source pk_runner_instr_source(const pk_runner *r)
{
    return r ? r->instr : PK_INSTR_NONE;
}

const char *pk_runner_last_error(const pk_runner *r)
{
    if (!r)
        return "no runner";
    return r->msg[0] ? r->msg : "no error";
}

/* Resolved path of prog, cached by string; NULL with r->msg set on error. */
static const char *lookup(pk_runner *r, const char *prog, pk_err *err)
{
    for (size_t i = 0; i < r->n_paths; i++)
        if (strcmp(r->paths[i].name, prog) == 0)
            return r->paths[i].path;
    char *path;
    pk_err e = pk_run_resolve(prog, &path);
    if (e != PK_OK) {
        *err = e;
        snprintf(r->msg, sizeof r->msg, "cannot run %s: %s", prog,
                 e == PK_ENOENT ? "no such program (not found in PATH)"
                 : e == PK_EPERM ? "not an executable file" : pk_strerror(e));
        return NULL;
    }
    if (PK__PUSH_ROOM(r->paths, r->n_paths, r->cap_paths) != PK_OK)
        goto oom;
    char *name = pk_strdup(prog);
    if (!name)
        goto oom;
    r->paths[r->n_paths].name = name;
    r->paths[r->n_paths].path = path;
    return r->paths[r->n_paths++].path;
oom:
    pk_free(path);
    *err = PK_ENOMEM;
    snprintf(r->msg, sizeof r->msg, "out of memory");
    return NULL;
}

static void forget(pk_runner *r, const char *prog)
{
    for (size_t i = 0; i < r->n_paths; i++) {
        if (strcmp(r->paths[i].name, prog) != 0)
            continue;
        pk_free(r->paths[i].name);
        pk_free(r->paths[i].path);
        r->paths[i] = r->paths[--r->n_paths];
        return;
    }
}

/* Our resident size in bytes (0 when /proc is unavailable): after the peak
 * reset above, exec() starts the child's ru_maxrss here. */
static uint64_t self_rss(pk_runner *r)
{
    char buf[128];
    if (r->statm_fd < 0)
        return 0;
    ssize_t n = pread(r->statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long long size_pages = 0, rss_pages = 0;
    if (sscanf(buf, "%llu %llu", &size_pages, &rss_pages) != 2)
        return 0;
    return (uint64_t)rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* The file actions of a child that starts in directory cwd: built on the
 * first run there and kept for the next (a paired benchmark alternates one
 * directory with the current one). NULL with r->msg set on failure. */
static const posix_spawn_file_actions_t *cwd_actions(pk_runner *r, const char *cwd, pk_err *err)
{
    if (r->cwd_dir && strcmp(r->cwd_dir, cwd) == 0)
        return &r->cwd_fa;
    if (r->cwd_dir) {
        posix_spawn_file_actions_destroy(&r->cwd_fa);
        pk_free(r->cwd_dir);
        r->cwd_dir = NULL;
    }
    char *dir = pk_strdup(cwd);
    if (!dir) {
        *err = PK_ENOMEM;
        snprintf(r->msg, sizeof r->msg, "out of memory");
        return NULL;
    }
    int rc = posix_spawn_file_actions_init(&r->cwd_fa);
    if (rc == 0 && (rc = add_dups(r, &r->cwd_fa)) == 0)
        rc = posix_spawn_file_actions_addchdir_np(&r->cwd_fa, dir);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&r->cwd_fa);
        pk_free(dir);
        errno = rc;
        *err = fail_errno(r, "cannot prepare posix_spawn", NULL);
        return NULL;
    }
    r->cwd_dir = dir;
    return &r->cwd_fa;
}

pk_err pk_runner_run(pk_runner *r, char *const argv[], pk_run_result *res)
{
    return pk_runner_run_in(r, NULL, argv, res);
}

pk_err pk_runner_run_in(pk_runner *r, const char *cwd, char *const argv[], pk_run_result *res)
{
    if (!r || !argv || !argv[0] || !res || (cwd && !cwd[0]))
        return PK_EINVAL;
    memset(res, 0, sizeof *res);
    if (pk_cancel_signal()) {
        snprintf(r->msg, sizeof r->msg, "%s was not started: cancelled by signal %d (%s)",
                 argv[0], pk_cancel_signal(), strsignal(pk_cancel_signal()));
        return PK_EINTR;
    }
    pk_err e = PK_OK;
    char joined[4096];
    const char *prog = pk__run_in_dir(cwd, argv[0], joined, sizeof joined);
    if (!prog) {
        snprintf(r->msg, sizeof r->msg, "cannot run %s in %s: path too long", argv[0], cwd);
        return PK_EINVAL;
    }
    const posix_spawn_file_actions_t *fa = cwd ? cwd_actions(r, cwd, &e) : &r->fa;
    if (!fa)
        return e;
    const char *path = lookup(r, prog, &e);
    if (!path)
        return e;
    /* In another directory a relative program is exec'd by the name given,
     * which the child resolves after its chdir: both sides of a paired
     * benchmark then start the same way (argv, path length), and an exact
     * instruction count sees no difference that is perfkit's own. */
    const char *exe = prog != argv[0] ? argv[0] : path;
    char *const *av = argv;
    if (r->instr == PK_INSTR_CACHEGRIND) {
        if (!(av = pk__cg_wrap(&r->cg, exe, argv))) {
            snprintf(r->msg, sizeof r->msg, "out of memory");
            return PK_ENOMEM;
        }
        exe = r->cg.valgrind;
    }
    if (r->in_fd >= 0)
        lseek(r->in_fd, 0, SEEK_SET);
    if (r->err_fd >= 0 && lseek(r->err_fd, 0, SEEK_END) > 0) {
        if (ftruncate(r->err_fd, 0) != 0 || lseek(r->err_fd, 0, SEEK_SET) != 0)
            return fail_errno(r, "cannot reset stderr capture", NULL);
    }

    pid_t pid;
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    /* exec() records the outgoing address space's peak RSS as the child's
     * starting ru_maxrss, and with posix_spawn (CLONE_VM) that space is ours:
     * reset our peak to our current RSS so a small child is not charged with
     * perfkit's past peak (e.g. a compressor it ran earlier). */
    if (r->hwm_fd >= 0 && pwrite(r->hwm_fd, "5", 1, 0) < 0) {
        close(r->hwm_fd);
        r->hwm_fd = -1;
    }
    uint64_t floor_bytes = self_rss(r);
    if (r->heap_init)
        pk__heap_reset(&r->heap);
    pk__perfctr_start(&r->pc);
    uint64_t t0 = now_ns();
    int rc = posix_spawn(&pid, exe, fa, &r->attr, av, r->heap_init ? r->heap.envp : environ);
    if (rc != 0) {
        pk__perfctr_stop(&r->pc);
        forget(r, prog);
        return fail_exec(r, rc, argv[0], av);
    }
    pk__proc_wait w = {.drain_fd = r->pipe_r, .drain_buf = r->drain, .drain_len = DRAIN_BYTES};
    if (r->o.timeout_ms)
        w.deadline_ns = t0 + r->o.timeout_ms * 1000000u;
    rc = pk__proc_reap(pid, &w, &status, &ru);
    uint64_t t1 = w.reaped_ns;   /* closing the pidfd is outside the window */
    pk__perfctr_stop(&r->pc);
    if (rc != 0) {
        errno = rc;
        fail_errno(r, "cannot wait for", argv[0]);
        return PK_EIO;
    }
    res->timed_out = w.timed_out;

    res->wall_ns = t1 - t0;
    if (WIFEXITED(status)) {
        res->exit_code = WEXITSTATUS(status);
    } else {
        res->exit_code = -1;
        res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    res->user_ns = tv_ns(ru.ru_utime);
    res->sys_ns = tv_ns(ru.ru_stime);
    res->max_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u;
    res->rss_floor_bytes = floor_bytes;
    res->minflt = (uint64_t)ru.ru_minflt;
    res->majflt = (uint64_t)ru.ru_majflt;
    res->nvcsw = (uint64_t)ru.ru_nvcsw;
    res->nivcsw = (uint64_t)ru.ru_nivcsw;
    if (r->pc.ok)
        res->counters_ok = pk__perfctr_read(&r->pc, res->counters);
    if (r->instr == PK_INSTR_HARDWARE) {
        res->instructions_ok = res->counters_ok & (1u << PK_CTR_INSTRUCTIONS);
        res->instructions = res->counters[PK_CTR_INSTRUCTIONS];
    } else if (r->instr == PK_INSTR_CACHEGRIND && !res->timed_out && !w.cancelled) {
        res->instructions_ok = pk__cg_read_ir(&r->cg, &res->instructions);
    }
    if (r->heap_init && !res->timed_out && !w.cancelled)
        pk__heap_read(&r->heap, res);
    if (w.cancelled) {
        snprintf(r->msg, sizeof r->msg, "%s was stopped: cancelled by signal %d (%s)", argv[0],
                 w.cancelled, strsignal(w.cancelled));
        return PK_EINTR;
    }
    return PK_OK;
}

size_t pk_runner_stderr_tail(pk_runner *r, char *buf, size_t len)
{
    if (!buf || len == 0)
        return 0;
    buf[0] = '\0';
    if (!r || r->err_fd < 0)
        return 0;
    off_t size = lseek(r->err_fd, 0, SEEK_END);
    if (size <= 0)
        return 0;
    size_t want = len - 1;
    if (want > r->o.stderr_tail_bytes)
        want = r->o.stderr_tail_bytes;
    if ((uint64_t)want > (uint64_t)size)
        want = (size_t)size;
    ssize_t n = pread(r->err_fd, buf, want, size - (off_t)want);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return (size_t)n;
}
