/* perfkit/mem.h — the allocation profiler: run a command under the
 * libperfkit-mem.so interposer (LD_PRELOAD), load the event file it writes
 * (docs/mem.md "File format") and analyse it: peak heap and the call sites
 * alive at the peak, leaks at exit, allocations and temporaries per call
 * site, heap over time; folded stacks per cost for `perfkit flame`.
 *
 *   pk_mem_profile *p; pk_diag d;
 *   if (pk_mem_load("perfkit.mem", &p, &d) == PK_OK) {
 *       const pk_mem_totals *t = pk_mem_get_totals(p);
 *       ... t->peak_bytes, t->leaked_bytes ...
 *       pk_mem_free(p);
 *   }
 *
 * Figures are of the sizes the program asked for (malloc(n): n bytes;
 * calloc(n, s): n*s), not of what the allocator reserved: they match
 * heaptrack's and massif's mem_heap_B, and they are exact for a
 * deterministic program.
 *
 * Thread-safety: a pk_mem_profile is used by one thread at a time (names are
 * resolved lazily, on first use); distinct profiles are independent. */
#ifndef PERFKIT_MEM_H
#define PERFKIT_MEM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/folded.h"

PK_BEGIN_DECLS

/* A loaded, analysed event file. */
typedef struct pk_mem_profile pk_mem_profile;

typedef struct pk_mem_opts {
    const char *output;         /* the event file; NULL: a temporary file,
                                   removed once loaded */
    const char *preload_path;   /* libperfkit-mem.so; NULL: $PERFKIT_MEM_LIB,
                                   else next to the running program
                                   (<dir>/libperfkit-mem.so, then
                                   <dir>/../lib/perfkit/libperfkit-mem.so) */
    unsigned depth;             /* frames per stack; default 64, 1..256 */
    bool follow_fork;           /* children write <output>.<pid>, left there
                                   (default: they are not recorded) */
} pk_mem_opts;

void pk_mem_opts_init(pk_mem_opts *o);

/* The interposer's path into buf[len] as pk_mem_run looks for it
 * (o->preload_path, $PERFKIT_MEM_LIB, next to the running program, then
 * ../lib/perfkit): PK_OK when that file is readable; else PK_ENOENT and
 * *msg (when msg is not NULL; caller frees with pk_free) names where it
 * looked. Thread-safe. */
pk_err pk_mem_find_preload(const pk_mem_opts *o, char *buf, size_t len, char **msg);

/* The environment pk_mem_run gives the command, for callers that spawn it
 * themselves (lib/run's `measure: heap`): ours (environ) without any
 * LD_PRELOAD / PERFKIT_MEM_* entry, then LD_PRELOAD with so first (the
 * caller's preloads after it), PERFKIT_MEM_OUT=out and o's depth and fork
 * mode. On PK_OK *envp is NULL-terminated; free it with
 * pk_mem_environ_free. Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_mem_environ(const pk_mem_opts *o, const char *so, const char *out, char ***envp);
void   pk_mem_environ_free(char **envp);   /* NULL is a no-op */

/* Run argv (argv[0] searched in PATH, NULL-terminated) with the interposer
 * preloaded (before any LD_PRELOAD already set), in a process group of its
 * own, wait for it and load what it wrote. On PK_OK *out owns the profile
 * (pk_mem_free); the command's exit status is pk_mem_exit_status(), a
 * failing command is not an error. On error *out is NULL and *msg (when msg
 * is not NULL) receives a message the caller frees with pk_free.
 * Errors: PK_EINVAL (empty argv, depth out of range); PK_ENOENT (the
 * interposer was not found: the message names where it looked; or the
 * program was not found); PK_EIO (fork, wait, no event file written: a
 * statically linked program cannot be preloaded); PK_EPARSE (the event
 * file is bad: "file: offset N: message"); PK_ENOMEM; PK_EINTR (a cancel
 * request, perfkit/cancel.h, stopped the command: *out holds what it wrote
 * until then). */
pk_err pk_mem_run(const pk_mem_opts *o, char *const argv[], pk_mem_profile **out, char **msg);

/* Load and analyse an event file. Memory is bounded by the blocks alive at
 * a time and the distinct stacks, not by the file's size. A file without
 * its end record (the program was killed) loads up to its last complete
 * record, with info->truncated set. On PK_OK *out owns the profile. Errors:
 * PK_ENOENT / PK_EIO (the file cannot be opened or read: d says why);
 * PK_EPARSE (not an event file, an unknown version or a bad record: d holds
 * the file and "offset N: message", line = 0); PK_ENOMEM; PK_EINVAL. d may be
 * NULL. */
pk_err pk_mem_load(const char *path, pk_mem_profile **out, pk_diag *d);
/* pk_mem_load from a stream (a pipe works); name labels it in d. */
pk_err pk_mem_read(FILE *f, const char *name, pk_mem_profile **out, pk_diag *d);

void pk_mem_free(pk_mem_profile *p);   /* NULL is a no-op */

/* What the file says about the run. Strings borrowed until pk_mem_free. */
typedef struct pk_mem_info {
    uint64_t pid, ppid;
    const char *cmdline;        /* argv joined by spaces */
    const char *exe;            /* the executable's path */
    uint32_t flags;             /* the header's flags */
    bool truncated;             /* no end record: the program was killed */
    int end_reason;             /* the 'E' record's reason (-1 when truncated):
                                   0 exit, 1 _exit, 2 fatal signal, 3 exec */
    int end_signal;             /* the fatal signal, 0 when none */
    int exit_status;            /* pk_mem_run: the command's exit status
                                   (128 + signal when killed); -1 after load */
    uint64_t forks;             /* 'K' records: children the program forked */
} pk_mem_info;

const pk_mem_info *pk_mem_get_info(const pk_mem_profile *p);

typedef struct pk_mem_totals {
    uint64_t allocs;            /* allocations recorded (realloc counts one) */
    uint64_t alloc_bytes;       /* bytes they asked for */
    uint64_t frees;             /* frees of known blocks */
    uint64_t unknown_frees;     /* frees of pointers never allocated in the
                                   file (before init, another allocator): ignored */
    uint64_t temporary;         /* allocations freed by the thread that made
                                   them with no other allocation of that thread
                                   in between (heaptrack's definition, per thread) */
    uint64_t peak_bytes;        /* the most bytes alive at once */
    uint64_t peak_ns;           /* when (ns since the interposer's start) */
    uint64_t leaked_bytes;      /* bytes alive at the end */
    uint64_t leaked_blocks;
    uint64_t duration_ns;       /* time of the last event */
    size_t stacks;              /* distinct stacks */
    size_t threads;             /* distinct threads */
} pk_mem_totals;

const pk_mem_totals *pk_mem_get_totals(const pk_mem_profile *p);

/* The costs a call site (one distinct stack) has, and a flame graph shows. */
typedef enum pk_mem_cost {
    PK_MEM_ALLOCATED = 0,   /* bytes allocated */
    PK_MEM_COUNT,           /* number of allocations */
    PK_MEM_PEAK,            /* bytes alive at the moment of the peak */
    PK_MEM_LEAKED,          /* bytes alive at the end */
    PK_MEM_TEMPORARY,       /* temporary allocations */
} pk_mem_cost;

typedef struct pk_mem_site {
    uint32_t stack;             /* the file's stack id (0: no stack) */
    uint64_t allocs, alloc_bytes;
    uint64_t peak_bytes;        /* alive at the peak */
    uint64_t leaked_bytes, leaked_blocks;
    uint64_t temporary;
} pk_mem_site;

/* Call sites with at least one allocation, and the i-th (i < n; borrowed
 * until pk_mem_free). */
size_t pk_mem_site_count(const pk_mem_profile *p);
const pk_mem_site *pk_mem_site_get(const pk_mem_profile *p, size_t i);
/* The indices of the sites sorted by cost (largest first, ties by stack
 * id), those with a zero cost left out: fills idx (room for
 * pk_mem_site_count entries) and returns how many. */
size_t pk_mem_sites_by(const pk_mem_profile *p, pk_mem_cost cost, size_t *idx);
uint64_t pk_mem_site_cost(const pk_mem_site *s, pk_mem_cost cost);

/* Names. The first call symbolises every stack (libdwfl: symbol tables,
 * separate debug files, inlined functions as frames of their own) with the
 * module maps the file recorded. The folded stack of a site: root first,
 * "exe;main;parse;xmalloc" (the executable's base name as the root frame);
 * leaf: the innermost function of the allocation's caller and, when the
 * debug info says, its file and line (file NULL when unknown). Strings
 * borrowed until pk_mem_free. Errors: PK_ENOMEM. */
pk_err pk_mem_site_folded(pk_mem_profile *p, size_t i, const char **stack);
pk_err pk_mem_site_leaf(pk_mem_profile *p, size_t i, const char **func, const char **file,
                        unsigned *line);

/* Add every site's cost to f (slot 0 or 1), one folded stack each (a stack
 * with cost 0 left out). Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_mem_add_folded(pk_mem_profile *p, pk_mem_cost cost, pk_folded *f, unsigned slot);

/* Heap size over time: at most PK_MEM_TIMELINE_MAX points, each the largest
 * heap size of its time bucket (so the peak is one of them). */
#define PK_MEM_TIMELINE_MAX 1000
typedef struct pk_mem_point {
    uint64_t t_ns;              /* the bucket's start */
    uint64_t bytes;
} pk_mem_point;
/* Borrowed until pk_mem_free; *n points in time order. */
const pk_mem_point *pk_mem_timeline(const pk_mem_profile *p, size_t *n);

/* Writers. Each writes to f only. Errors: PK_ENOMEM, PK_EIO (a write failed). */
typedef struct pk_mem_report_opts {
    size_t top;                 /* rows per table; default 10 */
    unsigned spark_width;       /* sparkline cells; default 60, 0: none */
} pk_mem_report_opts;
void pk_mem_report_opts_init(pk_mem_report_opts *o);
/* The text report: totals, the top sites by peak, leaked, allocations and
 * temporaries, a sparkline of the heap over time (Unicode blocks). */
pk_err pk_mem_write_text(pk_mem_profile *p, const pk_mem_report_opts *o, FILE *f);
/* The same as JSON, "schema": "perfkit/mem/v1". */
pk_err pk_mem_write_json(pk_mem_profile *p, const pk_mem_report_opts *o, FILE *f);
/* The timeline as a self-contained SVG line chart (bytes over seconds). */
pk_err pk_mem_write_timeline_svg(const pk_mem_profile *p, const char *title, FILE *f);
/* Per call site (matched by folded stack), b against a: allocated bytes,
 * allocations, peak and leaked bytes; the top rows by |change in allocated
 * bytes|, then totals. json: as JSON, "schema": "perfkit/mem-diff/v1". */
pk_err pk_mem_write_diff(pk_mem_profile *a, pk_mem_profile *b, size_t top, bool json, FILE *f);

/* valgrind massif's output file (massif.out.*, read by ms_print and
 * massif-visualizer): time_unit ms, snapshots of the heap over time
 * (mem_heap_B; mem_heap_extra_B and mem_stacks_B are 0), a detailed tree of
 * the call sites at the peak (heap_tree=peak) and at the end (detailed:
 * what leaked). Sizes are the requested ones, as massif's mem_heap_B. */
typedef struct pk_mem_massif_opts {
    double threshold;           /* percent of a snapshot's heap under which
                                   sites merge into one "below massif's
                                   threshold" node (massif's --threshold);
                                   default 1.0, 0..100 (0: every site) */
    unsigned max_snapshots;     /* default 100 (massif's), 3..1000 */
} pk_mem_massif_opts;
void pk_mem_massif_opts_init(pk_mem_massif_opts *o);
/* o NULL: the defaults. Errors: PK_EINVAL (an option out of range),
 * PK_ENOMEM, PK_EIO (a write failed). */
pk_err pk_mem_write_massif(pk_mem_profile *p, const pk_mem_massif_opts *o, FILE *f);

PK_END_DECLS

#endif
