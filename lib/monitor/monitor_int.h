/* monitor_int.h — private to lib/monitor: the parsers of the /proc and
 * cgroup files the sampler reads, pure functions of the text so that tests
 * feed them captured files (tests/data/monitor/). Every parser wants
 * text[len] == NUL (the sampler reads into a buffer one byte larger). */
#ifndef PK_MONITOR_INT_H
#define PK_MONITOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/error.h"

typedef struct pk__mon_stat {
    char comm[64];             /* the name between the parentheses (cut at 63 bytes) */
    char state;
    uint64_t ppid;
    uint64_t minflt, majflt;
    uint64_t utime, stime;     /* clock ticks */
    uint64_t threads;
    uint64_t vsize;            /* bytes */
    uint64_t rss_pages;
} pk__mon_stat;

typedef struct pk__mon_status {
    bool has_swap, has_ctxsw;
    uint64_t swap_bytes;
    uint64_t vol_ctxsw, invol_ctxsw;
    uint64_t uid;              /* real uid */
} pk__mon_status;

typedef struct pk__mon_io {
    uint64_t rchar, wchar, syscr, syscw, read_bytes, write_bytes;
} pk__mon_io;

/* /proc/PID/stat: the comm field may hold spaces and parentheses, so the
 * fields are counted after its last ')'. Errors: PK_EPARSE. */
pk_err pk__mon_parse_stat(const char *text, size_t len, pk__mon_stat *out);
/* /proc/PID/status: VmSwap, voluntary/nonvoluntary_ctxt_switches, Uid. */
pk_err pk__mon_parse_status(const char *text, size_t len, pk__mon_status *out);
/* /proc/PID/io: all six fields must be there. */
pk_err pk__mon_parse_io(const char *text, size_t len, pk__mon_io *out);
/* /proc/PID/statm: size and resident, in pages. */
pk_err pk__mon_parse_statm(const char *text, size_t len, uint64_t *size, uint64_t *resident);
/* /proc/PID/limits: the soft "Max open files" (*unlimited when so). */
pk_err pk__mon_parse_nofile(const char *text, size_t len, uint64_t *soft, bool *unlimited);
/* /proc/PID/smaps_rollup: the Pss line, bytes. */
pk_err pk__mon_parse_pss(const char *text, size_t len, uint64_t *pss_bytes);
/* A *.pressure file: the "some" line's avg10 (a percentage). */
pk_err pk__mon_parse_pressure(const char *text, size_t len, double *avg10);
/* memory.max / memory.current: a number, or "max" (*unlimited). */
pk_err pk__mon_parse_cg_value(const char *text, size_t len, uint64_t *v, bool *unlimited);
/* /proc/PID/cgroup: the cgroup v2 path (the "0::" line) into out (len
 * bytes). Errors: PK_ENOENT (no v2 line), PK_ERANGE (too long). */
pk_err pk__mon_parse_cgroup(const char *text, size_t len, char *out, size_t out_len);

/* ---- descendants (children.c) ------------------------------------------- */

/* What a sample adds up: the process's figures, plus its descendants'. */
typedef struct pk__mon_totals {
    pk__mon_stat st;
    pk__mon_status ss;
    pk__mon_io io;
    uint64_t fds, pss;
    bool has_pss;
    uint64_t procs;
} pk__mon_totals;

/* The scratch of one /proc pass, kept between samples (grows, never shrinks). */
typedef struct pk__mon_scan {
    int *pid, *ppid;
    pk__mon_stat *st;
    unsigned char *in;         /* 1: a descendant of the root */
    size_t n, cap;
} pk__mon_scan;

/* Find root's descendants (one pass over /proc/[0-9]*\/stat) and add each
 * one's stat, status, io (when readable), fd count and, with pss, PSS to t.
 * buf (len bytes) is the read buffer. A process that vanishes meanwhile is
 * left out. Errors: PK_ENOMEM, PK_EIO (/proc not readable). */
pk_err pk__mon_children(int root, bool pss, pk__mon_scan *scan, pk__mon_totals *t, char *buf,
                        size_t len);
void pk__mon_scan_free(pk__mon_scan *scan);

#endif
