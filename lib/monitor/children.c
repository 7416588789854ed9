/* children.c — a process's descendants, for `perfkit monitor --children`.
 *
 * /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN, which kernels
 * often lack, so one pass over /proc/[0-9]* reads every process's stat
 * (ppid and the figures in one read) into a scratch kept between samples;
 * the descendants are then found by passes over that list (each pass adds
 * the processes whose parent is already in: as many passes as the tree is
 * deep). Each descendant's status, io, fd count and PSS are read once and
 * closed again: children come and go, nothing is kept open for them. */
#include "monitor/monitor_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "perfkit/alloc.h"

void pk__mon_scan_free(pk__mon_scan *scan)
{
    pk_free(scan->pid);
    pk_free(scan->ppid);
    pk_free(scan->st);
    pk_free(scan->in);
    memset(scan, 0, sizeof *scan);
}

static pk_err grow(pk__mon_scan *s)
{
    size_t cap = s->cap ? s->cap * 2 : 256;
    int *pid = pk_reallocarray(s->pid, cap, sizeof *pid);
    if (!pid)
        return PK_ENOMEM;
    s->pid = pid;
    int *ppid = pk_reallocarray(s->ppid, cap, sizeof *ppid);
    if (!ppid)
        return PK_ENOMEM;
    s->ppid = ppid;
    pk__mon_stat *st = pk_reallocarray(s->st, cap, sizeof *st);
    if (!st)
        return PK_ENOMEM;
    s->st = st;
    unsigned char *in = pk_reallocarray(s->in, cap, 1);
    if (!in)
        return PK_ENOMEM;
    s->in = in;
    s->cap = cap;
    return PK_OK;
}

/* The whole of /proc/<pid>/<name> into buf; its length, or -1. */
static ssize_t slurp(int pid, const char *name, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static long fd_count(int pid)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long count = 0, n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < n;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof reclen);
            if (buf[off + 19] != '.')
                count++;
            off += reclen;
        }
    close(fd);
    return n < 0 ? -1 : count;
}

static void add(int pid, const pk__mon_stat *st, bool pss, pk__mon_totals *t, char *buf,
                size_t len)
{
    t->procs++;
    t->st.utime += st->utime;
    t->st.stime += st->stime;
    t->st.minflt += st->minflt;
    t->st.majflt += st->majflt;
    t->st.threads += st->threads;
    t->st.vsize += st->vsize;
    t->st.rss_pages += st->rss_pages;
    ssize_t n;
    pk__mon_status ss;
    if ((n = slurp(pid, "status", buf, len)) > 0 &&
        pk__mon_parse_status(buf, (size_t)n, &ss) == PK_OK) {
        t->ss.swap_bytes += ss.swap_bytes;
        t->ss.vol_ctxsw += ss.vol_ctxsw;
        t->ss.invol_ctxsw += ss.invol_ctxsw;
    }
    pk__mon_io io;
    if ((n = slurp(pid, "io", buf, len)) > 0 && pk__mon_parse_io(buf, (size_t)n, &io) == PK_OK) {
        t->io.rchar += io.rchar;
        t->io.wchar += io.wchar;
        t->io.syscr += io.syscr;
        t->io.syscw += io.syscw;
        t->io.read_bytes += io.read_bytes;
        t->io.write_bytes += io.write_bytes;
    }
    long fds = fd_count(pid);
    if (fds > 0)
        t->fds += (uint64_t)fds;
    uint64_t p;
    if (pss && t->has_pss && (n = slurp(pid, "smaps_rollup", buf, len)) > 0 &&
        pk__mon_parse_pss(buf, (size_t)n, &p) == PK_OK)
        t->pss += p;
}

pk_err pk__mon_children(int root, bool pss, pk__mon_scan *scan, pk__mon_totals *t, char *buf,
                        size_t len)
{
    DIR *d = opendir("/proc");
    if (!d)
        return PK_EIO;
    scan->n = 0;
    struct dirent *e;
    pk_err err = PK_OK;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == root)
            continue;
        ssize_t n = slurp((int)pid, "stat", buf, len);
        if (n <= 0)
            continue;   /* gone meanwhile */
        if (scan->n == scan->cap && (err = grow(scan)) != PK_OK)
            break;
        pk__mon_stat *st = &scan->st[scan->n];
        if (pk__mon_parse_stat(buf, (size_t)n, st) != PK_OK || st->state == 'Z' ||
            st->state == 'X')
            continue;
        scan->pid[scan->n] = (int)pid;
        scan->ppid[scan->n] = (int)st->ppid;
        scan->in[scan->n] = scan->ppid[scan->n] == root;
        scan->n++;
    }
    closedir(d);
    if (err != PK_OK)
        return err;
    for (bool more = true; more;) {   /* one pass per level of the tree */
        more = false;
        for (size_t i = 0; i < scan->n; i++) {
            if (scan->in[i])
                continue;
            for (size_t j = 0; j < scan->n; j++)
                if (scan->in[j] && scan->pid[j] == scan->ppid[i]) {
                    scan->in[i] = 1;
                    more = true;
                    break;
                }
        }
    }
    for (size_t i = 0; i < scan->n; i++)
        if (scan->in[i])
            add(scan->pid[i], &scan->st[i], pss, t, buf, len);
    return PK_OK;
}
