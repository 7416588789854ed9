/* lifecycle.c — how libperfkit-mem.so starts, follows the process through
 * fork, exec, dlopen and signals, and ends its file.
 *
 * Design: nothing happens without PERFKIT_MEM_OUT or PERFKIT_MEM_FD (the
 * hooks then only forward). The first recorded process writes to the
 * inherited socket PERFKIT_MEM_FD (perfkit mem reads it as the program
 * runs; made close-on-exec and taken out of the environment at once), else
 * to <out>; with
 * PERFKIT_MEM_FORK=follow every other process (a fork child, an exec'd
 * image) writes <out>.<pid> (or <out>.<pid>.N when that exists: a child
 * that forked, recorded, then exec'd), recognised by PERFKIT_MEM_ROOT,
 * which the first process puts in the environment. Without follow a fork
 * child stops recording at once and every exec loses the interposer
 * (LD_PRELOAD is edited in place at start, and in the envp of exec* calls).
 * The file ends with 'E' from the destructor (exit), the _exit/_Exit hooks,
 * a fatal-signal handler installed only where the program has none, or an
 * exec hook (cut off again when the exec fails). After dlopen/dlclose a
 * snapshot of /proc/self/maps is written. Format: docs/mem.md. */
#include "interpose.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int configured;     /* PERFKIT_MEM_OUT was set */
static pid_t root_pid;     /* the first recorded process (PERFKIT_MEM_ROOT) */

static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

/* ---- small helpers without malloc ------------------------------------- */

static char *put_dec(char *p, unsigned long v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = d[--n];
    *p = '\0';
    return p;
}

/* This process is the one the file belongs to (not a vfork child sharing
 * our memory, nor a fork child that stopped recording). */
static int mine(void)
{
    return __atomic_load_n(&pk__mi.on, __ATOMIC_RELAXED) && getpid() == pk__mi.pid;
}

/* <out>.<pid>, or <out>.<pid>.N when taken: created exclusively. */
static int open_child_file(void)
{
    char path[sizeof pk__mi.out + 48];
    size_t n = strlen(pk__mi.out);
    memcpy(path, pk__mi.out, n);
    path[n] = '.';
    char *end = put_dec(path + n + 1, (unsigned long)getpid());
    for (unsigned i = 1; i < 100; i++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
        *end = '.';
        put_dec(end + 1, i);
    }
    return -1;
}

/* ---- fatal signals ------------------------------------------------------- */

static void on_fatal(int sig)
{
    int e = errno;
    if (mine()) {
        pk__mi_guard++;
        pk__mi_stream_end(PK__MI_END_SIGNAL, (unsigned)sig);
        pk__mi_guard--;
    }
    signal(sig, SIG_DFL);      /* SA_RESETHAND did it already; be sure */
    raise(sig);                /* blocked here: delivered on return, default action */
    errno = e;
}

static void install_signals(void)
{
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(fatal[i], NULL, &old) != 0)
            continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue;    /* the program's own handler stays */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
        sigaction(fatal[i], &sa, NULL);
    }
}

/* ---- fork ------------------------------------------------------------------ */

static int prepared;

static void at_prepare(void)
{
    prepared = pk__mi.fd >= 0;
    if (prepared)
        pthread_mutex_lock(&pk__mi.lock);    /* the child gets a whole buffer */
}

static void at_parent(void)
{
    if (prepared)
        pthread_mutex_unlock(&pk__mi.lock);
}

static void at_child(void)
{
    int was_on = __atomic_load_n(&pk__mi.on, __ATOMIC_RELAXED);
    if (pk__mi.fd < 0)
        return;
    pk__mi_guard++;
    pk__mi_stream_reset_child();    /* the parent writes what it buffered */
    if (was_on && pk__mi.follow) {
        pk__mi.pid = getpid();
        int fd = open_child_file();
        if (fd >= 0) {
            pk__mi_stream_open(fd, PK__MI_OUT_FILE);
            pk__mi_record_maps();
        }
    }
    pk__mi_guard--;
}

PK__MI_EXPORT pid_t fork(void)
{
    static pid_t (*real)(void);
    if (!real)
        PK__MI_NEXT(real, "fork");
    int parent_on = mine();
    pid_t child = real();
    if (child > 0 && parent_on && pk__mi_recording()) {
        pk__mi_guard++;
        pk__mi_record_fork(child);
        pk__mi_guard--;
    }
    return child;
}

/* ---- exec -------------------------------------------------------------------- */

/* LD_PRELOAD=... without libperfkit-mem.so, into out (of size cap). */
static void strip_preload(const char *val, char *out, size_t cap)
{
    size_t o = 0;
    const char *s = val;
    while (*s) {
        size_t n = strcspn(s, ": ");
        const char *slash = memrchr(s, '/', n);
        const char *base = slash ? slash + 1 : s;
        int ours = (size_t)(s + n - base) >= 14 && memcmp(base, "libperfkit-mem", 14) == 0;
        if (!ours && n > 0 && o + n + 2 < cap) {
            if (o > 0)
                out[o++] = ':';
            memcpy(out + o, s, n);
            o += n;
        }
        s += n;
        if (*s)
            s++;
    }
    out[o] = '\0';
}

/* The environment an exec'd image gets: without the interposer in
 * LD_PRELOAD (not following), or with PERFKIT_MEM_ROOT (following).
 * mmap'd (the caller unmaps *size bytes); NULL: use envp as it is. */
static char **exec_env(char *const envp[], size_t *size)
{
    if (!configured || !envp)
        return NULL;
    size_t n = 0, text = 64;
    for (; envp[n]; n++)
        if (strncmp(envp[n], "LD_PRELOAD=", 11) == 0)
            text += strlen(envp[n]) + 1;
    *size = (n + 2) * sizeof(char *) + text;
    char **env = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (env == MAP_FAILED)
        return NULL;
    char *buf = (char *)(env + n + 2);
    size_t k = 0;
    int has_root = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pk__mi.follow && strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
            memcpy(buf, "LD_PRELOAD=", 11);
            strip_preload(envp[i] + 11, buf + 11, text - 64);
            env[k++] = buf;
            buf += strlen(buf) + 1;
            continue;
        }
        if (strncmp(envp[i], "PERFKIT_MEM_ROOT=", 17) == 0)
            has_root = 1;
        if (strncmp(envp[i], "PERFKIT_MEM_FD=", 15) == 0)
            continue;   /* the stream is ours alone (and closed on exec) */
        env[k++] = envp[i];
    }
    if (pk__mi.follow && !has_root) {
        memcpy(buf, "PERFKIT_MEM_ROOT=", 17);
        put_dec(buf + 17, (unsigned long)root_pid);
        env[k++] = buf;
    }
    env[k] = NULL;
    return env;
}

/* Before an exec: the file ends ('E' reason 3). Returns where the 'E'
 * starts (0: nothing was ended). */
static uint64_t exec_begin(void)
{
    if (!mine())
        return 0;
    pk__mi_guard++;
    uint64_t at = pk__mi_stream_end(PK__MI_END_EXEC, 0);
    pk__mi_guard--;
    return at;
}

static void exec_failed(uint64_t at, char **env, size_t size)
{
    int e = errno;
    if (at)
        pk__mi_stream_unend(at);
    if (env)
        munmap(env, size);
    errno = e;
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);

static int do_exec(const char *name, char *const argv[], char *const envp[], int search)
{
    static execve_fn real_execve, real_execvpe;
    if (!real_execve) {
        PK__MI_NEXT(real_execve, "execve");
        PK__MI_NEXT(real_execvpe, "execvpe");
    }
    size_t size = 0;
    char **env = exec_env(envp, &size);
    uint64_t at = exec_begin();
    int r = (search ? real_execvpe : real_execve)(name, argv, env ? env : envp);
    exec_failed(at, env, size);
    return r;
}

PK__MI_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return do_exec(path, argv, envp, 0);
}

PK__MI_EXPORT int execv(const char *path, char *const argv[])
{
    return do_exec(path, argv, environ, 0);
}

PK__MI_EXPORT int execvp(const char *file, char *const argv[])
{
    return do_exec(file, argv, environ, 1);
}

PK__MI_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return do_exec(file, argv, envp, 1);
}

/* execl, execlp, execle: the arguments into an array on the stack. */
#define EXECL_BODY(name, search, with_env)                                     \
    do {                                                                       \
        va_list ap;                                                            \
        size_t n = 1;                                                          \
        va_start(ap, arg);                                                     \
        while (va_arg(ap, char *))                                             \
            n++;                                                               \
        va_end(ap);                                                            \
        char *argv[n + 1];                                                     \
        argv[0] = (char *)arg;                                                 \
        va_start(ap, arg);                                                     \
        for (size_t i = 1; i <= n; i++)                                        \
            argv[i] = va_arg(ap, char *);                                      \
        char *const *envp = with_env ? va_arg(ap, char *const *) : environ;    \
        va_end(ap);                                                            \
        return do_exec(name, argv, envp, search);                              \
    } while (0)

PK__MI_EXPORT int execl(const char *path, const char *arg, ...)
{
    EXECL_BODY(path, 0, 0);
}

PK__MI_EXPORT int execlp(const char *file, const char *arg, ...)
{
    EXECL_BODY(file, 1, 0);
}

PK__MI_EXPORT int execle(const char *path, const char *arg, ...)
{
    EXECL_BODY(path, 0, 1);
}

/* ---- _exit, dlopen ------------------------------------------------------------ */

static _Noreturn void exit_now(int status)
{
    if (mine()) {
        pk__mi_guard++;
        pk__mi_stream_end(PK__MI_END_EXITCALL, 0);
    }
    for (;;)
        syscall(SYS_exit_group, status);
}

PK__MI_EXPORT void _exit(int status)
{
    exit_now(status);
}

PK__MI_EXPORT void _Exit(int status)
{
    exit_now(status);
}

PK__MI_EXPORT void *dlopen(const char *file, int mode)
{
    static void *(*real)(const char *, int);
    if (!real)
        PK__MI_NEXT(real, "dlopen");
    void *h = real(file, mode);
    if (h && pk__mi_recording()) {
        pk__mi_guard++;
        pk__mi_record_maps();
        pk__mi_guard--;
    }
    return h;
}

PK__MI_EXPORT int dlclose(void *h)
{
    static int (*real)(void *);
    if (!real)
        PK__MI_NEXT(real, "dlclose");
    int r = real(h);
    if (pk__mi_recording()) {
        pk__mi_guard++;
        pk__mi_record_maps();
        pk__mi_guard--;
    }
    return r;
}

/* ---- start and end ------------------------------------------------------------ */

/* PERFKIT_MEM_FD: an inherited stream socket (or pipe) open for writing;
 * -1 when unset or not one. Made close-on-exec: it is this process's alone. */
static int inherited_fd(int *kind)
{
    const char *v = getenv("PERFKIT_MEM_FD");
    if (!v || *v < '0' || *v > '9')
        return -1;
    char *end;
    long fd = strtol(v, &end, 10);
    struct stat st;
    if (*end || fd < 0 || fd > 1 << 20 || fstat((int)fd, &st) != 0 ||
        !(S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode)) || (fcntl((int)fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
        return -1;
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    *kind = S_ISSOCK(st.st_mode) ? PK__MI_OUT_SOCKET : PK__MI_OUT_PIPE;
    return (int)fd;
}

void pk__mi_init(void)
{
    const char *out = getenv("PERFKIT_MEM_OUT");
    int kind = PK__MI_OUT_FILE, in_fd = getenv("PERFKIT_MEM_ROOT") ? -1 : inherited_fd(&kind);
    if (in_fd < 0 && (!out || !*out))
        return;
    if (out && strlen(out) >= sizeof pk__mi.out)
        return;
    configured = 1;
    if (out)
        memcpy(pk__mi.out, out, strlen(out) + 1);
    const char *v = getenv("PERFKIT_MEM_DEPTH");
    if (v && *v) {
        unsigned long d = strtoul(v, NULL, 10);
        pk__mi.depth = d < 1 ? 1 : d > PK__MI_MAX_DEPTH ? PK__MI_MAX_DEPTH : (unsigned)d;
    }
    v = getenv("PERFKIT_MEM_FORK");
    pk__mi.follow = v && strcmp(v, "follow") == 0;
    pk__mi.pid = getpid();
    v = getenv("PERFKIT_MEM_ROOT");
    root_pid = v && *v ? (pid_t)strtol(v, NULL, 10) : 0;
    int fd;
    if (root_pid == 0) {
        root_pid = pk__mi.pid;
        fd = in_fd >= 0 ? in_fd : open(pk__mi.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    } else if (pk__mi.follow && pk__mi.out[0]) {
        fd = open_child_file();
    } else {
        return;   /* a descendant that kept the interposer: stay out of the way */
    }
    if (fd < 0)
        return;
    pk__mi_stream_open(fd, fd == in_fd ? kind : PK__MI_OUT_FILE);
    if (!pk__mi.on) {
        close(fd);
        return;
    }
    pk__mi_record_maps();
    pthread_mutex_lock(&pk__mi.lock);
    pk__mi_stream_flush();      /* a file killed at once still has its header */
    pthread_mutex_unlock(&pk__mi.lock);
    install_signals();
    pthread_atfork(at_prepare, at_parent, at_child);
}

static void at_exit_flush(void)
{
    if (mine()) {
        pk__mi_guard++;
        pthread_mutex_lock(&pk__mi.lock);
        pk__mi_stream_flush();
        pthread_mutex_unlock(&pk__mi.lock);
        pk__mi_guard--;
    }
}

__attribute__((constructor)) static void mem_ctor(void)
{
    pk__mi_start();
    if (!configured)
        return;
    pk__mi_guard++;
    /* PERFKIT_MEM_FD is this process's alone: out of the environment (in
     * place, no allocation), so no descendant takes a stale number */
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "PERFKIT_MEM_FD=", 15) != 0)
            continue;
        char **k = e;
        do
            k[0] = k[1];
        while (*k++);
        break;
    }
    if (pk__mi.follow) {
        if (!getenv("PERFKIT_MEM_ROOT")) {
            char pid[24];
            put_dec(pid, (unsigned long)root_pid);
            setenv("PERFKIT_MEM_ROOT", pid, 0);
        }
    } else {
        /* exec'd children (system, popen, posix_spawn too) go without us:
         * LD_PRELOAD is edited in place, it only gets shorter */
        for (char **e = environ; e && *e; e++) {
            if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
                continue;
            char tmp[4096];
            if (strlen(*e + 11) < sizeof tmp) {
                strip_preload(*e + 11, tmp, sizeof tmp);
                memcpy(*e + 11, tmp, strlen(tmp) + 1);
            }
        }
    }
    if (pk__mi.on)
        atexit(at_exit_flush);
    pk__mi_guard--;
}

__attribute__((destructor)) static void mem_dtor(void)
{
    if (mine()) {
        pk__mi_guard++;
        pk__mi_stream_end(PK__MI_END_EXIT, 0);
        pk__mi_guard--;
    }
}
