/* sampler.c — one full sample of a process from /proc/PID and its cgroup v2.
 *
 * The files are opened once and re-read with pread at offset 0 (a seq_file
 * regenerates its text on each read from 0), so a sample costs a handful of
 * syscalls and no allocation. The fd count is the st_size of /proc/PID/fd
 * where the kernel fills it in (Linux >= 6.2), checked once against a
 * getdents count; else one getdents pass per sample. Rates come from the
 * previous sample's counters. The limits file is re-read every
 * limits_every samples (prlimit can change it). A process that has exited
 * (reads fail with ESRCH, or it is a zombie) is PK_ENOENT.
 * Reference: proc(5); Documentation/admin-guide/cgroup-v2.rst. */
#include "monitor/monitor_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/clock.h"
#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

enum { F_STAT, F_STATUS, F_IO, F_LIMITS, F_SMAPS, F_CG_MEM, F_CG_MAX, F_CG_SWAP, F_PSI_CPU,
       F_PSI_MEM, F_PSI_IO, F_COUNT };

struct pk_monitor_sampler {
    pid_t pid;
    pk_monitor_sampler_opts o;
    int dir;                 /* /proc/PID */
    int fddir;               /* /proc/PID/fd */
    bool fd_by_stat;         /* st_size of /proc/PID/fd is the count */
    int fd[F_COUNT];
    long tick;               /* sysconf(_SC_CLK_TCK) */
    long page;
    unsigned n;              /* samples taken */
    double nofile;           /* 0: unlimited / unknown */
    bool has_prev;
    int64_t prev_t;
    pk__mon_stat prev_stat;
    pk__mon_io prev_io;
    pk__mon_status prev_status;
    char comm[64];           /* the name in the last stat read */
    pk__mon_scan scan;       /* children: the last /proc pass */
    char cgroup[512];
    char buf[8192];
};

void pk_monitor_sampler_opts_init(pk_monitor_sampler_opts *o)
{
    o->pss = true;
    o->cgroup = true;
    o->limits_every = 10;
    o->children = false;
}

pid_t pk_monitor_sampler_pid(const pk_monitor_sampler *s) { return s ? s->pid : 0; }

const char *pk_monitor_sampler_cgroup(const pk_monitor_sampler *s) { return s ? s->cgroup : ""; }

const char *pk_monitor_sampler_comm(const pk_monitor_sampler *s) { return s ? s->comm : ""; }

void pk_monitor_sampler_free(pk_monitor_sampler *s)
{
    if (!s)
        return;
    for (int i = 0; i < F_COUNT; i++)
        if (s->fd[i] >= 0)
            close(s->fd[i]);
    if (s->fddir >= 0)
        close(s->fddir);
    if (s->dir >= 0)
        close(s->dir);
    pk__mon_scan_free(&s->scan);
    pk_free(s);
}

/* Read fd from offset 0 into s->buf, NUL-terminated; -1 with errno set. */
static ssize_t reread(pk_monitor_sampler *s, int fd)
{
    ssize_t n = pread(fd, s->buf, sizeof s->buf - 1, 0);
    if (n < 0)
        return -1;
    s->buf[n] = '\0';
    return n;
}

/* Count the entries of /proc/PID/fd other than . and .. (getdents64). */
static long count_fds(int dirfd)
{
    char buf[16384];
    long count = 0;
    if (lseek(dirfd, 0, SEEK_SET) < 0)
        return -1;
    for (;;) {
        long n = syscall(SYS_getdents64, dirfd, buf, sizeof buf);
        if (n < 0)
            return -1;
        if (n == 0)
            return count;
        for (long off = 0; off < n;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof reclen);   /* d_reclen after d_ino, d_off */
            const char *name = buf + off + 19;
            if (name[0] != '.')
                count++;
            off += reclen;
        }
    }
}

static long fd_count(pk_monitor_sampler *s)
{
    if (s->fd_by_stat) {
        struct stat st;
        return fstat(s->fddir, &st) == 0 ? (long)st.st_size : -1;
    }
    return count_fds(s->fddir);
}

static int open_in(int dir, const char *name)
{
    return openat(dir, name, O_RDONLY | O_CLOEXEC);
}

/* The cgroup v2 files of the process's group, where they exist. */
static void open_cgroup(pk_monitor_sampler *s)
{
    int fd = open_in(s->dir, "cgroup");
    if (fd < 0)
        return;
    ssize_t n = reread(s, fd);
    close(fd);
    char path[400];
    if (n <= 0 || pk__mon_parse_cgroup(s->buf, (size_t)n, path, sizeof path) != PK_OK)
        return;
    static const char *const roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    for (size_t r = 0; r < 2; r++) {
        char probe[512];
        snprintf(probe, sizeof probe, "%s/cgroup.controllers", roots[r]);
        if (access(probe, F_OK) != 0)
            continue;   /* not the cgroup2 mount */
        snprintf(s->cgroup, sizeof s->cgroup, "%s%s", roots[r], strcmp(path, "/") ? path : "");
        int cg = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg < 0) {
            s->cgroup[0] = '\0';
            return;
        }
        static const char *const names[] = {"memory.current", "memory.max",
                                            "memory.swap.current", "cpu.pressure",
                                            "memory.pressure", "io.pressure"};
        for (int i = 0; i < 6; i++)
            s->fd[F_CG_MEM + i] = open_in(cg, names[i]);
        close(cg);
        return;
    }
}

static pk_err denied(pk_monitor_sampler *s, const char *file, pk_diag *diag)
{
    struct stat st;
    char who[64] = "";
    bool have = fstat(s->dir, &st) == 0;
    if (have && st.st_uid == geteuid()) {
        /* same user: the process has privileges (or capabilities) this one
         * lacks, is not dumpable, or ptrace is restricted (Yama) */
        pk_diag_set(diag, "", 0, 0,
                    "process %d: cannot read /proc/%d/%s: permission denied — it runs as "
                    "your user (uid %u) but with privileges this process lacks, or is not "
                    "dumpable; run with CAP_SYS_PTRACE",
                    (int)s->pid, (int)s->pid, file, (unsigned)st.st_uid);
        return PK_EPERM;
    }
    if (have)
        snprintf(who, sizeof who, " (uid %u)", (unsigned)st.st_uid);
    pk_diag_set(diag, "", 0, 0,
                "process %d: cannot read /proc/%d/%s: permission denied — it belongs to "
                "another user%s; run as that user, as root, or with CAP_SYS_PTRACE",
                (int)s->pid, (int)s->pid, file, who);
    return PK_EPERM;
}

static pk_err read_limits(pk_monitor_sampler *s)
{
    ssize_t n = reread(s, s->fd[F_LIMITS]);
    uint64_t soft;
    bool unl;
    if (n < 0)
        return errno == ESRCH ? PK_ENOENT : PK_EIO;
    if (pk__mon_parse_nofile(s->buf, (size_t)n, &soft, &unl) != PK_OK)
        return PK_EIO;
    s->nofile = unl ? 0 : (double)soft;
    return PK_OK;
}

pk_err pk_monitor_sampler_new(pid_t pid, const pk_monitor_sampler_opts *o,
                              pk_monitor_sampler **out, pk_diag *diag)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (pid <= 0) {
        pk_diag_set(diag, "", 0, 0, "invalid process id %d", (int)pid);
        return PK_EINVAL;
    }
    pk_monitor_sampler *s = pk_calloc(1, sizeof *s);
    if (!s)
        return PK_ENOMEM;
    s->pid = pid;
    s->fddir = -1;
    for (int i = 0; i < F_COUNT; i++)
        s->fd[i] = -1;
    if (o)
        s->o = *o;
    else
        pk_monitor_sampler_opts_init(&s->o);
    s->tick = sysconf(_SC_CLK_TCK);
    s->page = sysconf(_SC_PAGESIZE);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    pk_err e = PK_OK;
    if ((s->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        pk_diag_set(diag, "", 0, 0, "no process %d", (int)pid);
        e = errno == ENOENT ? PK_ENOENT : PK_EIO;
        goto fail;
    }
    static const char *const names[] = {"stat", "status", "io", "limits"};
    for (int i = 0; i < 4; i++)
        if ((s->fd[i] = open_in(s->dir, names[i])) < 0) {
            if (errno == EACCES || errno == EPERM) {
                e = denied(s, names[i], diag);
            } else {
                pk_diag_set(diag, "", 0, 0, "no process %d", (int)pid);
                e = PK_ENOENT;
            }
            goto fail;
        }
    if ((s->fddir = open_in(s->dir, "fd")) < 0 || count_fds(s->fddir) < 0) {
        e = errno == EACCES || errno == EPERM ? denied(s, "fd", diag) : PK_ENOENT;
        if (e == PK_ENOENT)
            pk_diag_set(diag, "", 0, 0, "no process %d", (int)pid);
        goto fail;
    }
    if (reread(s, s->fd[F_IO]) < 0) {   /* opening io is allowed; reading asks ptrace */
        e = errno == EACCES || errno == EPERM ? denied(s, "io", diag) : PK_ENOENT;
        if (e == PK_ENOENT)
            pk_diag_set(diag, "", 0, 0, "no process %d", (int)pid);
        goto fail;
    }
    struct stat st;
    long counted = count_fds(s->fddir);
    s->fd_by_stat = fstat(s->fddir, &st) == 0 && st.st_size > 0 && st.st_size == counted;
    if (s->o.pss)
        s->fd[F_SMAPS] = open_in(s->dir, "smaps_rollup");
    if (s->o.cgroup)
        open_cgroup(s);
    if ((e = read_limits(s)) != PK_OK) {
        pk_diag_set(diag, "", 0, 0, "process %d: cannot read its limits", (int)pid);
        goto fail;
    }
    *out = s;
    return PK_OK;
fail:
    pk_monitor_sampler_free(s);
    return e;
}

static void put(pk_monitor_sample *x, pk_monitor_figure f, double v)
{
    x->v[f] = v;
    x->has |= (uint64_t)1 << f;
}

/* The cgroup and PSI figures: each where its file reads and parses. */
static void sample_cgroup(pk_monitor_sampler *s, pk_monitor_sample *x)
{
    uint64_t v, cur = 0;
    bool unl, has_cur = false;
    ssize_t n;
    if (s->fd[F_CG_MEM] >= 0 && (n = reread(s, s->fd[F_CG_MEM])) > 0 &&
        pk__mon_parse_cg_value(s->buf, (size_t)n, &cur, &unl) == PK_OK && !unl) {
        put(x, PK_MON_CGROUP_MEMORY, (double)cur);
        has_cur = true;
    }
    if (s->fd[F_CG_MAX] >= 0 && (n = reread(s, s->fd[F_CG_MAX])) > 0 &&
        pk__mon_parse_cg_value(s->buf, (size_t)n, &v, &unl) == PK_OK && !unl && v > 0) {
        put(x, PK_MON_CGROUP_MEMORY_MAX, (double)v);
        if (has_cur)
            put(x, PK_MON_CGROUP_MEMORY_USE, 100.0 * (double)cur / (double)v);
    }
    if (s->fd[F_CG_SWAP] >= 0 && (n = reread(s, s->fd[F_CG_SWAP])) > 0 &&
        pk__mon_parse_cg_value(s->buf, (size_t)n, &v, &unl) == PK_OK && !unl)
        put(x, PK_MON_CGROUP_SWAP, (double)v);
    for (int i = 0; i < 3; i++) {
        double avg;
        if (s->fd[F_PSI_CPU + i] >= 0 && (n = reread(s, s->fd[F_PSI_CPU + i])) > 0 &&
            pk__mon_parse_pressure(s->buf, (size_t)n, &avg) == PK_OK)
            put(x, (pk_monitor_figure)(PK_MON_PSI_CPU + i), avg);
    }
}

/* now - prev, or 0 when a counter went down (a child left the sums) */
static double up(uint64_t now, uint64_t prev)
{
    return now > prev ? (double)(now - prev) : 0.0;
}

static pk_err gone_or_eio(void)
{
    if (errno == EACCES || errno == EPERM)
        return PK_EPERM;   /* it changed credentials or became not dumpable */
    return errno == ESRCH || errno == ENOENT ? PK_ENOENT : PK_EIO;
}

pk_err pk_monitor_sampler_read(pk_monitor_sampler *s, pk_monitor_sample *out)
{
    if (!s || !out)
        return PK_EINVAL;
    pk_monitor_sample x;
    x.has = 0;
    x.t_ns = pk__clock_ns(PK__CLOCK_MONO);
    pk__mon_stat st;
    pk__mon_status ss;
    pk__mon_io io;
    ssize_t n = reread(s, s->fd[F_STAT]);
    if (n <= 0)
        return n == 0 ? PK_ENOENT : gone_or_eio();
    if (pk__mon_parse_stat(s->buf, (size_t)n, &st) != PK_OK)
        return PK_EIO;
    if (st.state == 'Z' || st.state == 'X' || st.state == 'x')
        return PK_ENOENT;
    if (s->n && strcmp(st.comm, s->comm) != 0 && s->o.pss) {
        /* a new name: it called execve, and smaps_rollup is bound to the
         * memory map it had when opened — open it again for the new one */
        if (s->fd[F_SMAPS] >= 0)
            close(s->fd[F_SMAPS]);
        s->fd[F_SMAPS] = open_in(s->dir, "smaps_rollup");
    }
    memcpy(s->comm, st.comm, sizeof s->comm);
    x.state = st.state;
    if ((n = reread(s, s->fd[F_STATUS])) <= 0)
        return n == 0 ? PK_ENOENT : gone_or_eio();
    if (pk__mon_parse_status(s->buf, (size_t)n, &ss) != PK_OK)
        return PK_EIO;
    if ((n = reread(s, s->fd[F_IO])) <= 0)
        return n == 0 ? PK_ENOENT : gone_or_eio();
    if (pk__mon_parse_io(s->buf, (size_t)n, &io) != PK_OK)
        return PK_EIO;
    long fds = fd_count(s);
    if (fds < 0)
        return gone_or_eio();
    if (s->o.limits_every && s->n % s->o.limits_every == 0 && s->n > 0) {
        pk_err e = read_limits(s);
        if (e != PK_OK)
            return e;
    }
    uint64_t pss;
    if (s->o.pss && (s->fd[F_SMAPS] < 0 || (n = reread(s, s->fd[F_SMAPS])) <= 0)) {
        /* the memory map it was opened on is gone (an execve the name did
         * not show): open it again, once per sample */
        if (s->fd[F_SMAPS] >= 0)
            close(s->fd[F_SMAPS]);
        s->fd[F_SMAPS] = open_in(s->dir, "smaps_rollup");
        n = s->fd[F_SMAPS] >= 0 ? reread(s, s->fd[F_SMAPS]) : -1;
    }
    bool has_pss = s->o.pss && n > 0 && pk__mon_parse_pss(s->buf, (size_t)n, &pss) == PK_OK;
    uint64_t own_fds = (uint64_t)fds, procs = 1;
    if (s->o.children) {
        pk__mon_totals t = {.st = st, .ss = ss, .io = io, .fds = (uint64_t)fds,
                            .pss = has_pss ? pss : 0, .has_pss = has_pss, .procs = 1};
        pk_err e = pk__mon_children((int)s->pid, s->o.pss, &s->scan, &t, s->buf, sizeof s->buf);
        if (e != PK_OK)
            return e;
        st.utime = t.st.utime;
        st.stime = t.st.stime;
        st.minflt = t.st.minflt;
        st.majflt = t.st.majflt;
        st.threads = t.st.threads;
        st.vsize = t.st.vsize;
        st.rss_pages = t.st.rss_pages;
        ss.swap_bytes = t.ss.swap_bytes;
        ss.vol_ctxsw = t.ss.vol_ctxsw;
        ss.invol_ctxsw = t.ss.invol_ctxsw;
        io = t.io;
        fds = (long)t.fds;
        pss = t.pss;
        procs = t.procs;
    }
    put(&x, PK_MON_PROCESSES, (double)procs);
    if (has_pss)
        put(&x, PK_MON_PSS, (double)pss);
    double tick = (double)s->tick;
    put(&x, PK_MON_CPU_SECONDS, (double)(st.utime + st.stime) / tick);
    put(&x, PK_MON_RSS, (double)st.rss_pages * (double)s->page);
    put(&x, PK_MON_VSIZE, (double)st.vsize);
    put(&x, PK_MON_THREADS, (double)st.threads);
    put(&x, PK_MON_FDS, (double)fds);
    if (s->nofile > 0) {
        put(&x, PK_MON_FD_LIMIT, s->nofile);
        put(&x, PK_MON_FD_USE, 100.0 * (double)own_fds / s->nofile);
    }
    put(&x, PK_MON_MINOR_FAULTS, (double)st.minflt);
    put(&x, PK_MON_MAJOR_FAULTS, (double)st.majflt);
    if (ss.has_swap)
        put(&x, PK_MON_SWAP, (double)ss.swap_bytes);
    if (ss.has_ctxsw) {
        put(&x, PK_MON_CTXSW_VOLUNTARY, (double)ss.vol_ctxsw);
        put(&x, PK_MON_CTXSW_INVOLUNTARY, (double)ss.invol_ctxsw);
    }
    put(&x, PK_MON_READ_BYTES, (double)io.rchar);
    put(&x, PK_MON_WRITE_BYTES, (double)io.wchar);
    put(&x, PK_MON_READ_SYSCALLS, (double)io.syscr);
    put(&x, PK_MON_WRITE_SYSCALLS, (double)io.syscw);
    put(&x, PK_MON_DISK_READ_BYTES, (double)io.read_bytes);
    put(&x, PK_MON_DISK_WRITE_BYTES, (double)io.write_bytes);
    sample_cgroup(s, &x);
    double dt = (double)(x.t_ns - s->prev_t) / 1e9;
    if (s->has_prev && dt > 0) {
        double du = up(st.utime, s->prev_stat.utime) / tick;
        double ds = up(st.stime, s->prev_stat.stime) / tick;
        put(&x, PK_MON_CPU_USER, 100.0 * du / dt);
        put(&x, PK_MON_CPU_SYS, 100.0 * ds / dt);
        put(&x, PK_MON_CPU, 100.0 * (du + ds) / dt);
        put(&x, PK_MON_READ_RATE, up(io.rchar, s->prev_io.rchar) / dt);
        put(&x, PK_MON_WRITE_RATE, up(io.wchar, s->prev_io.wchar) / dt);
        put(&x, PK_MON_MAJOR_FAULT_RATE, up(st.majflt, s->prev_stat.majflt) / dt);
        if (ss.has_ctxsw)
            put(&x, PK_MON_CTXSW_RATE,
                up(ss.vol_ctxsw + ss.invol_ctxsw,
                   s->prev_status.vol_ctxsw + s->prev_status.invol_ctxsw) / dt);
    }
    s->prev_stat = st;
    s->prev_io = io;
    s->prev_status = ss;
    s->prev_t = x.t_ns;
    s->has_prev = true;
    s->n++;
    *out = x;
    return PK_OK;
}
