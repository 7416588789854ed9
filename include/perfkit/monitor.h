/* perfkit/monitor.h — watch a running process: a /proc sampler, an alert
 * state machine with levels, minimum duration and hysteresis, robust trends,
 * and a background watcher that feeds a metrics registry.
 *
 *   pk_monitor_sampler *s;
 *   pk_monitor_sampler_new(pid, NULL, &s, &diag);        // PK_ENOENT, PK_EPERM
 *   pk_monitor_sample x;
 *   pk_monitor_sampler_read(s, &x);                      // one full sample
 *   if (pk_monitor_has(&x, PK_MON_RSS)) ... x.v[PK_MON_RSS] ...
 *
 * A sample is one value per figure (pk_monitor_figure) plus a bit mask of
 * the figures that could be read: a figure that cannot be measured on this
 * machine (no cgroup v2, no smaps_rollup) is absent, never 0. Rates (CPU %,
 * bytes/s) need two samples: the first sample of a sampler has none.
 *
 * Sources: /proc/PID/stat (CPU ticks, faults, threads, vsize, RSS, state),
 * status (swap, context switches), io (bytes and syscalls), fd (count),
 * limits (open files), smaps_rollup (PSS), and the process's cgroup v2
 * memory.current, memory.max, memory.swap.current, {cpu,memory,io}.pressure.
 * Reference: proc(5), Documentation/admin-guide/cgroup-v2.rst.
 *
 * Thread-safety: a sampler, an alert set and a trend are used by one thread
 * at a time; pk_monitor_watch runs its own thread and is safe to query from
 * any thread. Every handle is freed by its _free (NULL is a no-op). */
#ifndef PERFKIT_MONITOR_H
#define PERFKIT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

/* ---- figures ------------------------------------------------------------- */

/* The figures of a sample, in this order in every output. Names (the
 * snake_case after PK_MON_) are pk_monitor_figure_name's. Counters
 * ("cumulative") only grow while the process lives. */
typedef enum pk_monitor_figure {
    PK_MON_CPU = 0,        /* % of one core, user + system, since the last sample */
    PK_MON_CPU_USER,       /* % of one core in user mode */
    PK_MON_CPU_SYS,        /* % of one core in the kernel */
    PK_MON_CPU_SECONDS,    /* cumulative CPU seconds (user + system), tick resolution */
    PK_MON_RSS,            /* resident set, bytes */
    PK_MON_PSS,            /* proportional set (smaps_rollup), bytes */
    PK_MON_VSIZE,          /* virtual size, bytes */
    PK_MON_SWAP,           /* swapped out (VmSwap), bytes */
    PK_MON_THREADS,        /* threads */
    PK_MON_FDS,            /* open file descriptors */
    PK_MON_FD_LIMIT,       /* RLIMIT_NOFILE soft limit (absent when unlimited) */
    PK_MON_FD_USE,         /* fds as % of the limit */
    PK_MON_READ_BYTES,     /* cumulative bytes read by syscalls (io: rchar) */
    PK_MON_WRITE_BYTES,    /* cumulative bytes written by syscalls (io: wchar) */
    PK_MON_READ_RATE,      /* read bytes per second */
    PK_MON_WRITE_RATE,     /* written bytes per second */
    PK_MON_READ_SYSCALLS,  /* cumulative read syscalls (io: syscr) */
    PK_MON_WRITE_SYSCALLS, /* cumulative write syscalls (io: syscw) */
    PK_MON_DISK_READ_BYTES,  /* cumulative bytes fetched from storage (io: read_bytes) */
    PK_MON_DISK_WRITE_BYTES, /* cumulative bytes sent to storage (io: write_bytes) */
    PK_MON_MINOR_FAULTS,   /* cumulative minor page faults */
    PK_MON_MAJOR_FAULTS,   /* cumulative major page faults */
    PK_MON_MAJOR_FAULT_RATE, /* major faults per second */
    PK_MON_CTXSW_VOLUNTARY,  /* cumulative voluntary context switches */
    PK_MON_CTXSW_INVOLUNTARY,/* cumulative involuntary context switches */
    PK_MON_CTXSW_RATE,     /* context switches (both kinds) per second */
    PK_MON_CGROUP_MEMORY,  /* the cgroup's memory.current, bytes */
    PK_MON_CGROUP_MEMORY_MAX, /* its memory.max (absent when "max") */
    PK_MON_CGROUP_MEMORY_USE, /* memory.current as % of memory.max */
    PK_MON_CGROUP_SWAP,    /* memory.swap.current, bytes */
    PK_MON_PSI_CPU,        /* cpu.pressure "some" avg10, % */
    PK_MON_PSI_MEMORY,     /* memory.pressure "some" avg10, % */
    PK_MON_PSI_IO,         /* io.pressure "some" avg10, % */
    PK_MON_PROCESSES,      /* the process and, with children, its descendants */
    PK_MON_NFIGURES
} pk_monitor_figure;

typedef enum pk_monitor_unit {
    PK_MON_UNIT_PERCENT = 0, PK_MON_UNIT_BYTES, PK_MON_UNIT_COUNT, PK_MON_UNIT_SECONDS,
    PK_MON_UNIT_BYTES_PER_S, PK_MON_UNIT_PER_S,
} pk_monitor_unit;

/* "cpu", "rss", "fd_use", ... (static; "?" out of range). */
const char *pk_monitor_figure_name(pk_monitor_figure f);
pk_monitor_unit pk_monitor_figure_unit(pk_monitor_figure f);
/* The figure named name (underscores or dashes), or -1. */
int pk_monitor_figure_find(const char *name);

/* A threshold for figure f written as text: a number with the figure's
 * unit — percent figures "90" or "90%", bytes "512MiB", "1.5GiB", "800kB",
 * "4096" (B, kB/MB/GB = 1000^k, KiB/MiB/GiB or K/M/G = 1024^k), seconds
 * "30s", "500ms", rates "10MiB/s" or "50/s", counts a plain number. On PK_OK
 * *out is in the figure's base unit; a negative value (no figure is below 0)
 * is refused. Errors: PK_EPARSE (*why, may be NULL,
 * a static reason: "expected a size like 512MiB"). */
pk_err pk_monitor_parse_value(pk_monitor_figure f, const char *text, double *out,
                              const char **why);

/* ---- sampler --------------------------------------------------------------- */

typedef struct pk_monitor_sample {
    int64_t t_ns;                  /* CLOCK_MONOTONIC (core clock) when read */
    double v[PK_MON_NFIGURES];     /* meaningful where the bit in has is set */
    uint64_t has;                  /* bit f: v[f] was measured */
    char state;                    /* stat's state letter: R, S, D, Z... */
} pk_monitor_sample;

static inline bool pk_monitor_has(const pk_monitor_sample *s, pk_monitor_figure f)
{
    return (s->has >> f) & 1u;
}

typedef struct pk_monitor_sampler_opts {
    bool pss;                /* [true] read smaps_rollup (its cost grows with
                                the mapped memory: ~1 us per 100 MiB touched) */
    bool cgroup;             /* [true] read the cgroup v2 files that exist */
    unsigned limits_every;   /* [10] re-read /proc/PID/limits every N samples */
    bool children;           /* [false] add every descendant's figures (CPU,
                                memory, threads, fds, I/O, faults, context
                                switches): one pass over /proc per sample to
                                find them (~5 us per process on the machine),
                                and allocation when their number grows. A
                                child's counters leave the sums when it exits:
                                rates count from 0 then, never below. fd_use
                                stays the watched process's own. */
} pk_monitor_sampler_opts;

void pk_monitor_sampler_opts_init(pk_monitor_sampler_opts *o);

typedef struct pk_monitor_sampler pk_monitor_sampler;

/* Open /proc/PID (o NULL: the defaults). On PK_OK *out owns the sampler;
 * on error *out is NULL and diag (may be NULL) says why, naming the PID.
 * Errors: PK_EINVAL (pid <= 0, NULL out), PK_ENOENT ("no process 123"),
 * PK_EPERM (its fd, io or limits files are not readable: another user's
 * process — "run as its owner (uid 0) or with CAP_SYS_PTRACE"), PK_EIO,
 * PK_ENOMEM. Keeps about ten file descriptors open. */
pk_err pk_monitor_sampler_new(pid_t pid, const pk_monitor_sampler_opts *o,
                              pk_monitor_sampler **out, pk_diag *diag);
/* One full sample into *out (PK_OK), costing no allocation (with
 * children: only when their number outgrows the last pass). Errors:
 * PK_ENOENT when the process has exited (a zombie counts as exited; *out
 * untouched), PK_EPERM when reading is no longer allowed (it ran a setuid
 * program, changed user or became not dumpable), PK_EIO (a file read
 * failed otherwise). */
pk_err pk_monitor_sampler_read(pk_monitor_sampler *s, pk_monitor_sample *out);
pid_t pk_monitor_sampler_pid(const pk_monitor_sampler *s);
/* The process's name (stat's comm, at most 63 bytes) at the last sample;
 * a new name means it called execve, and the sampler has followed it.
 * Borrowed: valid until the next read; "" before the first. */
const char *pk_monitor_sampler_comm(const pk_monitor_sampler *s);
/* The cgroup v2 directory sampled (borrowed; "" when none). */
const char *pk_monitor_sampler_cgroup(const pk_monitor_sampler *s);
void pk_monitor_sampler_free(pk_monitor_sampler *s);

/* ---- alerts ---------------------------------------------------------------- */

typedef enum pk_monitor_level {
    PK_MON_NONE = 0, PK_MON_INFO = 1, PK_MON_WARNING = 2, PK_MON_CRITICAL = 3,
} pk_monitor_level;
#define PK_MON_NLEVELS 4

/* "none", "info", "warning", "critical". */
const char *pk_monitor_level_name(pk_monitor_level l);
/* The level named name, or -1. */
int pk_monitor_level_find(const char *name);

/* A threshold rule on one figure. Each level (info, warning, critical) is
 * its own alert: it fires once the value has been at or beyond the level
 * (>= for above, <= for below) in every sample for `for_ns`, and resolves
 * once it has been beyond the clear level (level - hysteresis x |level|
 * for above, + for below) in every sample for `resolve_ns`. Between the
 * two nothing changes: no flapping around a threshold. A level that is
 * NaN is not set. */
typedef struct pk_monitor_rule {
    pk_monitor_figure figure;
    double level[PK_MON_NLEVELS];  /* [1..3] used; NaN: none */
    bool below;                    /* [false] fire when the value is <= level */
    uint64_t for_ns;               /* [0] minimum duration before firing */
    double hysteresis;             /* [0.1] fraction of the level, >= 0;
                                      < 1 unless below */
    bool auto_resolve;             /* [true] false: stays active until the end */
    uint64_t resolve_ns;           /* [0] time beyond the clear level to resolve */
} pk_monitor_rule;

/* Defaults in brackets above; figure PK_MON_CPU, no levels. */
void pk_monitor_rule_init(pk_monitor_rule *r);

typedef enum pk_monitor_event_kind { PK_MON_FIRE = 0, PK_MON_RESOLVE = 1 } pk_monitor_event_kind;

typedef struct pk_monitor_event {
    pk_monitor_event_kind kind;
    size_t rule;                   /* index in the set */
    pk_monitor_figure figure;
    pk_monitor_level level;
    double value;                  /* the sample's value (NaN at pk_monitor_alerts_end) */
    double threshold;              /* the level (fire) or the clear level (resolve) */
    int64_t t_ns;                  /* the sample's time */
    int64_t since_ns;              /* fire: when the condition began; resolve: when fired */
} pk_monitor_event;

typedef struct pk_monitor_alerts pk_monitor_alerts;

/* A set of rules (copied). Errors: PK_EINVAL (a figure out of range, a
 * negative or NaN hysteresis, a hysteresis of 1 (100%) or more on a rising
 * rule — its clear level would be at or below 0, where no figure goes, so
 * it could never resolve —, levels not ordered info <= warning <=
 * critical for above, >= for below), PK_ENOMEM. */
pk_err pk_monitor_alerts_new(const pk_monitor_rule *rules, size_t n, pk_monitor_alerts **out);
void   pk_monitor_alerts_free(pk_monitor_alerts *a);

/* Feed one sample (figures absent from it leave their alerts as they are).
 * The events it causes are written to ev[0..cap-1] in rule then level order;
 * returns their number (more than cap: the rest were lost; pass cap >=
 * 3 x rules to see all). Never allocates. */
size_t pk_monitor_alerts_update(pk_monitor_alerts *a, const pk_monitor_sample *s,
                                pk_monitor_event *ev, size_t cap);
/* Resolve every active alert at t_ns (the process ended): events as above. */
size_t pk_monitor_alerts_end(pk_monitor_alerts *a, int64_t t_ns, pk_monitor_event *ev,
                             size_t cap);
/* Whether rule i's level l is active now. */
bool pk_monitor_alerts_active(const pk_monitor_alerts *a, size_t rule, pk_monitor_level l);
/* The highest level that fired since the set was made (PK_MON_NONE: none). */
pk_monitor_level pk_monitor_alerts_worst(const pk_monitor_alerts *a);
size_t pk_monitor_alerts_count(const pk_monitor_alerts *a);
/* Rule i (borrowed; NULL out of range). */
const pk_monitor_rule *pk_monitor_alerts_rule(const pk_monitor_alerts *a, size_t i);

/* ---- trends ---------------------------------------------------------------- */

/* The Theil-Sen slope (median of the pairwise slopes) of the last `window`
 * points of one series, with Sen's confidence interval from the Kendall
 * statistic's normal approximation, and the Mann-Kendall trend test.
 * Reference: Sen (1968), JASA 63:1379; Hollander & Wolfe, Nonparametric
 * Statistical Methods, 2nd ed., §9.4. */
typedef struct pk_monitor_trend_result {
    size_t n;              /* points used */
    double slope;          /* units per second */
    double lo, hi;         /* the confidence interval of the slope */
    double p_value;        /* Mann-Kendall, two-sided */
    double span_s;         /* seconds the points cover */
} pk_monitor_trend_result;

typedef struct pk_monitor_trend pk_monitor_trend;

/* A ring of the last window (>= 3, <= 4096) points. Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_monitor_trend_new(size_t window, pk_monitor_trend **out);
void   pk_monitor_trend_free(pk_monitor_trend *t);
void   pk_monitor_trend_add(pk_monitor_trend *t, int64_t t_ns, double v);
/* The trend of the points held, at confidence (e.g. 0.95). Allocation-free
 * (O(n^2) work, n <= window). Errors: PK_EINVAL (fewer than 3 points, all
 * at the same time, confidence outside (0, 1)). */
pk_err pk_monitor_trend_get(const pk_monitor_trend *t, double confidence,
                            pk_monitor_trend_result *out);

/* "leak suspected": the memory series grows steadily — the interval's low
 * end above 0, Mann-Kendall p < 0.01, at least 10 points over at least
 * min_span_s seconds, and the growth over the span at least min_growth
 * bytes. */
bool pk_monitor_leak_suspected(const pk_monitor_trend_result *r, double min_span_s,
                               double min_growth);

/* ---- recommendations ------------------------------------------------------- */

/* What the last sample and the RSS trend (may be NULL) suggest: fd limit
 * near (fds >= 80% of the limit), CPU saturated (>= 95% of one core per
 * thread that could run, or of ncpu cores), memory near the cgroup limit
 * (>= 90%), swap in use or major faults, memory pressure, a suspected leak.
 * Writes at most cap sentences (static strings or into buf) into out;
 * returns their number. ncpu: the machine's cores (0: not checked). Text
 * lives in buf (len bytes, shared by all lines). */
size_t pk_monitor_recommend(const pk_monitor_sample *last, const pk_monitor_trend_result *rss,
                            unsigned ncpu, char *buf, size_t len, const char **out,
                            size_t cap);

/* ---- a program watching itself ---------------------------------------------- */

typedef struct pk_monitor_watch_opts {
    pid_t pid;                     /* [0: this process] */
    uint64_t interval_ns;          /* [1 s], >= 1 ms */
    const pk_monitor_rule *rules;  /* copied; may be NULL */
    size_t n_rules;
    pk_metrics_registry *registry; /* may be NULL; must outlive the watch */
    const char *prefix;            /* metric names' prefix ["perfkit_monitor_"] */
    /* Called from the watch thread for each alert event (may be NULL). */
    void (*on_event)(void *ud, const pk_monitor_event *ev);
    void *ud;
} pk_monitor_watch_opts;

void pk_monitor_watch_opts_init(pk_monitor_watch_opts *o);

typedef struct pk_monitor_watch pk_monitor_watch;

/* Start sampling in a background thread; each sample sets one gauge per
 * measured figure (<prefix><figure>, e.g. perfkit_monitor_rss_bytes-style
 * names: pk_monitor_metric_name) and perfkit_alert_active{figure,level}
 * (1 active, 0 not) in the registry. Errors: as pk_monitor_sampler_new,
 * PK_EINVAL (interval), PK_EIO (thread), PK_ENOMEM. */
pk_err pk_monitor_watch_start(const pk_monitor_watch_opts *o, pk_monitor_watch **out,
                              pk_diag *diag);
/* The latest sample (false before the first). Thread-safe. */
bool pk_monitor_watch_last(pk_monitor_watch *w, pk_monitor_sample *out);
/* Stop the thread (returns within one interval's wait) and free w. */
void pk_monitor_watch_stop(pk_monitor_watch *w);

/* Register one gauge family per figure (name: prefix + figure name + unit
 * suffix: _percent, _bytes, _seconds, _bytes_per_second, _per_second, or
 * none for counts) and perfkit_alert_active{figure,level} for the rules.
 * The publisher then copies samples and alert states into them. Errors:
 * PK_EINVAL (a name clash in r), PK_ENOMEM. Thread-safety: publish from one
 * thread; the registry serves them to any. */
typedef struct pk_monitor_publisher pk_monitor_publisher;
pk_err pk_monitor_publisher_new(pk_metrics_registry *r, const char *prefix,
                                const pk_monitor_alerts *a, pk_monitor_publisher **out);
void   pk_monitor_publish(pk_monitor_publisher *p, const pk_monitor_sample *s,
                          const pk_monitor_alerts *a);
void   pk_monitor_publisher_free(pk_monitor_publisher *p);
/* prefix + figure + unit suffix into buf; returns buf. */
char *pk_monitor_metric_name(const char *prefix, pk_monitor_figure f, char *buf, size_t len);

PK_END_DECLS
#endif
