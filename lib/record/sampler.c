/* sampler.c — pk_record_run: the command under perf_event_open.
 *
 * The command is forked into a process group of its own and waits on a pipe
 * while one sampling event per CPU is opened on it (inherit: its threads and
 * children are followed; disabled until its exec: enable_on_exec), then
 * execs; a close-on-exec pipe reports a failed exec. Each event has a ring
 * buffer (perf_event_open(2), "MMAP layout"): the parent polls them every
 * 20 ms or at a quarter full, and handles each record as it comes —
 * MMAP2 (executable mappings), COMM (thread names; an exec starts the
 * process afresh), FORK (new processes inherit their parent's mappings),
 * LOST (counted) and SAMPLE (a stack, counted in folded.c; unwound at once
 * in DWARF mode, while the process's mappings are the sample's). When the
 * command has exited the rings are drained a last time and the stacks
 * named (folded.c). Kernel frames are excluded (exclude_kernel) unless
 * asked for, so the default kernel.perf_event_paranoid (2) lets anyone
 * profile their own commands.
 * References: perf_event_open(2); linux include/uapi/linux/perf_event.h;
 * perf's tools/perf/util/evsel.c (the attribute perf record builds). */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/proc.h"
#include "perfkit/alloc.h"
#include "record_int.h"

#define RING_PAGES_FP 64       /* 256 KiB a CPU */
#define RING_PAGES_DWARF 512   /* 2 MiB a CPU: a sample carries its stack */
#define POLL_MS 20
/* PERF_SAMPLE_REGS_USER on x86-64: AX BX CX DX SI DI BP SP IP, R8-R15. */
#define X86_REGS_MASK 0xff01ffULL
#define X86_NREGS 17

typedef struct ring {
    int fd;
    unsigned char *base;   /* metadata page, then the data pages */
    size_t map_len;
} ring;

typedef struct sampler {
    pk_record *r;
    ring *rings;
    size_t n_rings;
    size_t data_len;       /* bytes of data pages, a power of two */
    size_t page;
    unsigned char *copy;   /* a record that wraps the ring, reassembled */
    uint64_t sample_type;
} sampler;

void pk_record_opts_init(pk_record_opts *o)
{
    memset(o, 0, sizeof *o);
    o->event = PK_RECORD_CPU_CLOCK;
    o->callgraph = PK_RECORD_FP;
    o->freq_hz = 999;
    o->stack_bytes = 8192;
}

pk_err pk__record_fail(pk_record *r, pk_err e, const char *fmt, ...)
{
    pk__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    pk_free(r->msg);
    r->msg = pk__buf_puts(&b, tmp) == PK_OK ? pk__buf_take(&b) : NULL;
    pk__buf_free(&b);
    return e;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t self_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

static int paranoid_level(void)
{
    int level = 99;
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    if (f) {
        if (fscanf(f, "%d", &level) != 1)
            level = 99;
        fclose(f);
    }
    return level;
}

static void attr_fill(const pk_record_opts *o, struct perf_event_attr *a)
{
    memset(a, 0, sizeof *a);
    a->size = sizeof *a;
    a->type = o->event == PK_RECORD_CYCLES ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
    a->config = o->event == PK_RECORD_CYCLES ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK;
    a->sample_freq = o->freq_hz;
    a->freq = 1;
    a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD;
    if (o->callgraph == PK_RECORD_DWARF) {
        a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
        a->sample_regs_user = X86_REGS_MASK;
        a->sample_stack_user = o->stack_bytes;
    } else {
        a->sample_type |= PERF_SAMPLE_CALLCHAIN;
    }
    a->disabled = 1;
    a->enable_on_exec = 1;
    a->inherit = 1;
    a->mmap = 1;
    a->mmap2 = 1;
    a->comm = 1;
    a->comm_exec = 1;
    a->task = 1;
    bool kernel = o->kernel && o->callgraph == PK_RECORD_FP;
    a->exclude_kernel = !kernel;
    a->exclude_hv = 1;
    a->exclude_callchain_kernel = !kernel;
    a->sample_id_all = 1;
    a->watermark = 1;
}

static pk_err open_error(pk_record *r, const pk_record_opts *o, int err)
{
    const char *ev = o->event == PK_RECORD_CYCLES ? "cycles" : "cpu-clock";
    if ((err == EACCES || err == EPERM) && o->kernel)
        return pk__record_fail(r, PK_EPERM,
                               "kernel frames are not permitted here "
                               "(kernel.perf_event_paranoid is %d): run as root, or set it "
                               "to 1 or lower; or record without --kernel",
                               paranoid_level());
    if (err == EACCES || err == EPERM)
        return pk__record_fail(r, PK_EPERM,
                               "perf_event_open(%s) was refused (kernel.perf_event_paranoid "
                               "is %d): run as root, or let users profile their own "
                               "programs with `sysctl kernel.perf_event_paranoid=2`; in a "
                               "container the seccomp profile must allow perf_event_open",
                               ev, paranoid_level());
    if (err == ENOENT || err == EOPNOTSUPP || err == ENODEV || err == EINVAL)
        return pk__record_fail(r, PK_ENOTSUP,
                               "event %s is not supported on this machine%s", ev,
                               o->event == PK_RECORD_CYCLES
                                   ? " (no hardware PMU, a VM?): use --event cpu-clock"
                                   : "");
    if (err == ENOSYS)
        return pk__record_fail(r, PK_ENOTSUP, "perf_event_open is not available in this kernel");
    return pk__record_fail(r, PK_EIO, "perf_event_open(%s): %s", ev, strerror(err));
}

static pk_err rings_open(sampler *s, const pk_record_opts *o, pid_t pid)
{
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    if (ncpu < 1)
        ncpu = 1;
    s->rings = pk_calloc((size_t)ncpu, sizeof *s->rings);
    if (!s->rings)
        return PK_ENOMEM;
    s->page = (size_t)sysconf(_SC_PAGESIZE);
    s->data_len = s->page * (o->callgraph == PK_RECORD_DWARF ? RING_PAGES_DWARF : RING_PAGES_FP);
    struct perf_event_attr a;
    attr_fill(o, &a);
    a.wakeup_watermark = (uint32_t)(s->data_len / 4);
    s->sample_type = a.sample_type;
    int first_err = 0;
    for (long cpu = 0; cpu < ncpu; cpu++) {
        int fd = (int)syscall(SYS_perf_event_open, &a, pid, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            if (!first_err && errno != ENODEV)
                first_err = errno;
            continue;
        }
        size_t len = s->page + s->data_len;
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            return pk__record_fail(s->r, PK_EIO, "mmap of the ring buffer: %s", strerror(e));
        }
        s->rings[s->n_rings++] = (ring){fd, m, len};
    }
    if (!s->n_rings)
        return open_error(s->r, o, first_err ? first_err : ENODEV);
    return PK_OK;
}

static void rings_close(sampler *s)
{
    for (size_t i = 0; i < s->n_rings; i++) {
        munmap(s->rings[i].base, s->rings[i].map_len);
        close(s->rings[i].fd);
    }
    pk_free(s->rings);
    pk_free(s->copy);
}

/* A process exec'd: it starts afresh (its old entry keeps its stacks). */
static pk_err proc_exec(pk_record *r, pid_t pid)
{
    pk__record_proc *p = pk__record_proc_get(r, pid, false);
    if (p && !p->n_maps)
        return PK_OK;
    if (p)
        p->pid = -1;   /* retired: found by the raw stacks' index only */
    return pk__record_proc_get(r, pid, true) ? PK_OK : PK_ENOMEM;
}

static size_t proc_index(const pk_record *r, const pk__record_proc *p)
{
    for (size_t i = 0; i < r->n_procs; i++)
        if (r->procs[i] == p)
            return i;
    return 0;
}

static pk_err on_sample(sampler *s, const unsigned char *p, const unsigned char *end)
{
    pk_record *r = s->r;
    uint64_t ip;
    uint32_t pid, tid;
    memcpy(&ip, p, 8);
    memcpy(&pid, p + 8, 4);
    memcpy(&tid, p + 12, 4);
    p += 8 + 8 + 8 + 8;   /* IP, TID, CPU, PERIOD */
    uint64_t ips[PK__RECORD_MAX_DEPTH];
    size_t n = 0;
    pk__record_proc *proc = pk__record_proc_get(r, (pid_t)pid, true);
    if (!proc)
        return PK_ENOMEM;
    if (!proc->n_maps)
        pk__record_proc_read_maps(r, proc);
    if (s->sample_type & PERF_SAMPLE_CALLCHAIN) {
        uint64_t nr;
        if (p + 8 > end)
            return PK_OK;
        memcpy(&nr, p, 8);
        p += 8;
        for (uint64_t i = 0; i < nr && p + 8 <= end && n < PK__RECORD_MAX_DEPTH; i++, p += 8) {
            uint64_t a;
            memcpy(&a, p, 8);
            if (a >= (uint64_t)PERF_CONTEXT_MAX)
                continue;   /* a context marker (PERF_CONTEXT_USER...) */
            ips[n++] = a;
        }
    } else {
        uint64_t abi, regs[X86_NREGS], size, dyn = 0;
        if (p + 8 > end)
            return PK_OK;
        memcpy(&abi, p, 8);
        p += 8;
        if (abi) {
            if (p + sizeof regs > end)
                return PK_OK;
            memcpy(regs, p, sizeof regs);
            p += sizeof regs;
        }
        if (p + 8 > end)
            return PK_OK;
        memcpy(&size, p, 8);
        p += 8;
        const unsigned char *stack = p;
        if (size && stack + size + 8 <= end)
            memcpy(&dyn, stack + size, 8);
        if (abi && dyn) {
            /* perf order → DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */
            static const int to_dwarf[X86_NREGS] = {0, 3, 2, 1, 4, 5, 6, 7, 9, 10, 11, 12,
                                                    13, 14, 15, 16, 8};
            uint64_t dregs[X86_NREGS];
            for (int i = 0; i < X86_NREGS; i++)
                dregs[i] = regs[to_dwarf[i]];
            proc->regs = dregs;
            proc->stack = stack;
            proc->stack_sp = regs[7];
            proc->stack_len = dyn < size ? dyn : size;
            n = pk__record_unwind(proc, (pid_t)tid, ips, PK__RECORD_MAX_DEPTH);
            proc->regs = NULL;
            proc->stack = NULL;
        }
        if (n <= 1)
            r->st.unwind_failed++;
    }
    if (!n)
        ips[n++] = ip;
    if (n <= 2)
        r->st.shallow++;
    r->st.samples++;
    return pk__record_raw_add(r, proc_index(r, proc), (pid_t)tid, ips, n);
}

static pk_err on_record(sampler *s, const struct perf_event_header *h)
{
    pk_record *r = s->r;
    const unsigned char *p = (const unsigned char *)(h + 1);
    const unsigned char *end = (const unsigned char *)h + h->size;
    uint32_t pid, tid;
    switch (h->type) {
    case PERF_RECORD_SAMPLE:
        return on_sample(s, p, end);
    case PERF_RECORD_MMAP2: {
        uint64_t addr, len, pgoff;
        if (p + 64 > end)
            return PK_OK;
        memcpy(&pid, p, 4);
        memcpy(&addr, p + 8, 8);
        memcpy(&len, p + 16, 8);
        memcpy(&pgoff, p + 24, 8);
        const char *name = (const char *)(p + 64);   /* after 24 id bytes, prot, flags */
        if (!memchr(name, '\0', (size_t)(end - (const unsigned char *)name)))
            return PK_OK;
        return pk__record_map_add(r, (pid_t)pid, addr, len, pgoff, name);
    }
    case PERF_RECORD_COMM: {
        memcpy(&pid, p, 4);
        memcpy(&tid, p + 4, 4);
        const char *comm = (const char *)(p + 8);
        if (!memchr(comm, '\0', (size_t)(end - (const unsigned char *)comm)))
            return PK_OK;
        pk_err e = (h->misc & PERF_RECORD_MISC_COMM_EXEC) && pid == tid
                       ? proc_exec(r, (pid_t)pid) : PK_OK;
        return e ? e : pk__record_thread_set(r, (pid_t)pid, (pid_t)tid, comm);
    }
    case PERF_RECORD_FORK: {
        uint32_t ppid, ptid;
        memcpy(&pid, p, 4);
        memcpy(&ppid, p + 4, 4);
        memcpy(&tid, p + 8, 4);
        memcpy(&ptid, p + 12, 4);
        pk_err e = pk__record_proc_fork(r, (pid_t)pid, (pid_t)ppid);
        /* The rings are read one CPU after another: the child's exec COMM
         * may have been read before its FORK, and names it already. */
        if (e || pk__record_comm(r, (pid_t)tid) != r->fallback_comm)
            return e;
        return pk__record_thread_set(r, (pid_t)pid, (pid_t)tid, pk__record_comm(r, (pid_t)ptid));
    }
    case PERF_RECORD_LOST: {
        uint64_t lost;
        memcpy(&lost, p + 8, 8);
        r->st.lost += lost;
        return PK_OK;
    }
    default:
        return PK_OK;
    }
}

static pk_err ring_drain(sampler *s, ring *g)
{
    struct perf_event_mmap_page *mp = (struct perf_event_mmap_page *)g->base;
    unsigned char *data = g->base + s->page;
    uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = mp->data_tail;
    size_t mask = s->data_len - 1;
    pk_err e = PK_OK;
    while (tail < head && e == PK_OK) {
        struct perf_event_header h;
        size_t at = (size_t)(tail & mask);
        for (size_t i = 0; i < sizeof h; i++)
            ((unsigned char *)&h)[i] = data[(at + i) & mask];
        if (h.size < sizeof h)
            break;
        const struct perf_event_header *rec = (const struct perf_event_header *)(data + at);
        if (at + h.size > s->data_len || at % 8) {   /* wraps: reassemble */
            if (!s->copy && !(s->copy = pk_malloc(65536)))
                return PK_ENOMEM;
            size_t first = s->data_len - at;
            memcpy(s->copy, data + at, first);
            memcpy(s->copy + first, data, h.size - first);
            rec = (const struct perf_event_header *)s->copy;
        }
        e = on_record(s, rec);
        tail += h.size;
    }
    __atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
    return e;
}

static pk_err drain_all(sampler *s)
{
    for (size_t i = 0; i < s->n_rings; i++) {
        pk_err e = ring_drain(s, &s->rings[i]);
        if (e)
            return e;
    }
    return PK_OK;
}

/* The descriptors the child takes over: its directory, stdin, and the
 * /dev/null its output goes to (-1: inherited). Opened in the parent, so a
 * missing directory or input file is an error of the recording, not of
 * the command. */
typedef struct child_fds {
    int dir, in, null;
} child_fds;

static void child_fds_close(child_fds *c)
{
    int *fds[] = {&c->dir, &c->in, &c->null};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

static pk_err child_fds_open(pk_record *r, child_fds *c)
{
    const pk_record_opts *o = &r->o;
    *c = (child_fds){.dir = -1, .in = -1, .null = -1};
    if (o->cwd && (c->dir = open(o->cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return pk__record_fail(r, PK_ENOENT, "%s: %s", o->cwd, strerror(errno));
    if (o->input && (c->in = open(o->input, O_RDONLY | O_CLOEXEC)) < 0) {
        int e = errno;
        child_fds_close(c);
        return pk__record_fail(r, PK_ENOENT, "%s: %s", o->input, strerror(e));
    }
    if (o->discard_output && (c->null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        int e = errno;
        child_fds_close(c);
        return pk__record_fail(r, PK_EIO, "/dev/null: %s", strerror(e));
    }
    return PK_OK;
}

/* In the forked child: take over c's descriptors; errno on failure. */
static int child_fds_apply(const child_fds *c)
{
    if (c->dir >= 0 && fchdir(c->dir) != 0)
        return errno;
    if (c->in >= 0 && dup2(c->in, STDIN_FILENO) < 0)
        return errno;
    int out = STDOUT_FILENO, err = STDERR_FILENO;   /* forked child: its own output */
    if (c->null >= 0 && (dup2(c->null, out) < 0 || dup2(c->null, err) < 0))
        return errno;
    return 0;
}

/* Fork argv, stopped before its exec until *go is written. */
static pk_err spawn(pk_record *r, char *const argv[], pid_t *pid, int *go, int *err)
{
    child_fds cf;
    pk_err fe0 = child_fds_open(r, &cf);
    if (fe0 != PK_OK)
        return fe0;
    int gp[2], ep[2];
    if (pipe2(gp, O_CLOEXEC)) {
        child_fds_close(&cf);
        return pk__record_fail(r, PK_EIO, "pipe: %s", strerror(errno));
    }
    if (pipe2(ep, O_CLOEXEC)) {
        close(gp[0]);
        close(gp[1]);
        child_fds_close(&cf);
        return pk__record_fail(r, PK_EIO, "pipe: %s", strerror(errno));
    }
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        char x;
        if (read(gp[0], &x, 1) == 1) {
            int e = child_fds_apply(&cf);
            if (e == 0) {
                execvp(argv[0], argv);
                e = errno;
            }
            if (write(ep[1], &e, sizeof e) < 0)
                e = 0;
        }
        _exit(127); /* forked child: the exec failed or the parent gave up */
    }
    int fe = errno;
    close(gp[0]);
    close(ep[1]);
    child_fds_close(&cf);
    if (c < 0) {
        close(gp[1]);
        close(ep[0]);
        return pk__record_fail(r, PK_EIO, "fork: %s", strerror(fe));
    }
    setpgid(c, c);
    *pid = c;
    *go = gp[1];
    *err = ep[0];
    return PK_OK;
}

static uint64_t tv_ns(struct timeval t)
{
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_usec * 1000u;
}

/* Poll the rings until the child exits; reap it. */
static pk_err sample_loop(sampler *s, pid_t pid)
{
    pk_record *r = s->r;
    struct pollfd *fds = pk_calloc(s->n_rings + 1, sizeof *fds);
    if (!fds)
        return PK_ENOMEM;
    for (size_t i = 0; i < s->n_rings; i++)
        fds[i] = (struct pollfd){.fd = s->rings[i].fd, .events = POLLIN};
    fds[s->n_rings] = (struct pollfd){.fd = pk__cancel_fd(), .events = POLLIN};
    pk_err e = PK_OK;
    uint64_t term_at = 0;
    int status = 0;
    struct rusage ru;
    for (;;) {
        poll(fds, s->n_rings + 1, POLL_MS);
        if ((e = drain_all(s)) != PK_OK)
            break;
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (pk__stopped(r->o.stop)) {
            if (!term_at) {
                kill(-pid, SIGTERM);
                term_at = now_ns();
                fds[s->n_rings].fd = -1;
            } else if (now_ns() - term_at > 2000000000u) {
                kill(-pid, SIGKILL);
            }
        }
    }
    pk_free(fds);
    if (e != PK_OK) {
        kill(-pid, SIGKILL);
        wait4(pid, &status, 0, &ru);
        return e;
    }
    r->st.child_cpu_ns = tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
    r->st.exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    e = drain_all(s);
    return e ? e : term_at ? PK_EINTR : PK_OK;
}

static pk_err record(pk_record *r, char *const argv[])
{
    const pk_record_opts *o = &r->o;
    if (o->callgraph == PK_RECORD_DWARF && o->kernel)
        return pk__record_fail(r, PK_ENOTSUP,
                               "kernel frames are recorded in frame-pointer mode only; "
                               "use --call-graph fp with --kernel");
    if (o->callgraph == PK_RECORD_DWARF) {
#if !defined(__x86_64__)
        return pk__record_fail(r, PK_ENOTSUP, "--call-graph dwarf is supported on x86-64 only");
#endif
    }
    if (pk__stopped(o->stop))
        return PK_EINTR;
    uint64_t cpu0 = self_cpu_ns(), t0 = now_ns();
    pid_t pid = -1;
    int go = -1, err = -1;
    pk_err e = spawn(r, argv, &pid, &go, &err);
    if (e)
        return e;
    sampler s = {.r = r};
    e = rings_open(&s, o, pid);
    int exec_errno = 0;
    if (e == PK_OK) {
        if (write(go, "x", 1) != 1)
            e = pk__record_fail(r, PK_EIO, "starting %s: %s", argv[0], strerror(errno));
        else if (read(err, &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno)
            e = pk__record_fail(r, exec_errno == ENOENT ? PK_ENOENT : PK_EIO,
                                "cannot run %s: %s", argv[0], strerror(exec_errno));
    }
    close(go);
    close(err);
    if (e == PK_OK) {
        e = sample_loop(&s, pid);
    } else {
        int status;
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    rings_close(&s);
    r->st.wall_ns = now_ns() - t0;
    if (e == PK_OK || e == PK_EINTR) {
        pk_err fe = pk__record_fold(r);
        if (fe)
            e = fe;
    }
    r->st.no_frame_pointers = o->callgraph == PK_RECORD_FP && r->st.samples >= 20 &&
                              r->st.shallow * 2 > r->st.samples;
    r->st.perfkit_cpu_ns = self_cpu_ns() - cpu0;
    return e;
}

pk_err pk_record_run(const pk_record_opts *o, char *const argv[], pk_record **out, char **msg)
{
    *out = NULL;
    if (msg)
        *msg = NULL;
    pk_record_opts def;
    if (!o) {
        pk_record_opts_init(&def);
        o = &def;
    }
    pk_record *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    r->o = *o;
    pk_err e;
    if (!argv || !argv[0] || !argv[0][0])
        e = pk__record_fail(r, PK_EINVAL, "no command to record");
    else if (o->freq_hz < 1 || o->freq_hz > 100000)
        e = pk__record_fail(r, PK_EINVAL, "frequency %u Hz is outside 1..100000", o->freq_hz);
    else if (o->stack_bytes < 512 || o->stack_bytes > 65528 || o->stack_bytes % 8)
        e = pk__record_fail(r, PK_EINVAL,
                            "stack copy of %u bytes: use 512..65528, a multiple of 8",
                            o->stack_bytes);
    else if ((unsigned)o->event > PK_RECORD_CYCLES || (unsigned)o->callgraph > PK_RECORD_DWARF)
        e = pk__record_fail(r, PK_EINVAL, "unknown event or call-graph mode");
    else {
        const char *base = strrchr(argv[0], '/');
        snprintf(r->fallback_comm, sizeof r->fallback_comm, "%s", base ? base + 1 : argv[0]);
        e = record(r, argv);
    }
    if (e == PK_OK || e == PK_EINTR) {
        *out = r;
        return e;
    }
    if (msg) {
        *msg = r->msg;
        r->msg = NULL;
    }
    pk_record_free(r);
    return e;
}

void pk_record_free(pk_record *r)
{
    if (!r)
        return;
    pk__record_procs_free(r);
    pk__record_raw_free(r);
    pk__record_ksyms_free(r);
    pk_free(r->msg);
    pk_free(r);
}

const pk_record_stats *pk_record_get_stats(const pk_record *r)
{
    return &r->st;
}
