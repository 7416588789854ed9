/* mem/mem_int.h — what the files of lib/mem share: the profile, the tables
 * the streaming reader keeps, and the steps between them.
 *
 *   reader.c   the event file (docs/mem.md "File format") → the analysis,
 *              one pass, memory bounded by live blocks + distinct stacks
 *   table.c    a uint64-keyed open-addressing table (live blocks, threads)
 *   names.c    stacks → folded names with the file's module maps (libdwfl
 *              through lib/record's symbolizer)
 *   run.c      pk_mem_run: the command under LD_PRELOAD, read as it runs
 *   tee.c      the interposer's socket as a FILE for the reader, written
 *              zstd-compressed to the output file on the way
 *   write.c    text and JSON reports, sparkline, timeline SVG, diff */
#ifndef PK_MEM_INT_H
#define PK_MEM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "core/buf.h"
#include "perfkit/mem.h"

/* An entry of a pk__mem_table: key 0 is an empty slot. */
typedef struct pk__mem_entry {
    uint64_t key;
    uint64_t a;          /* live blocks: size; threads: last allocation */
    uint32_t b;          /* live blocks: stack id; threads: has a last allocation */
    uint32_t c;          /* live blocks: tid */
} pk__mem_entry;

typedef struct pk__mem_table {
    pk__mem_entry *slots;
    size_t cap, n;       /* cap 0 or a power of two, at most 1/2 full */
} pk__mem_table;

/* The entry of key (!= 0), NULL when absent. */
pk__mem_entry *pk__mem_table_get(const pk__mem_table *t, uint64_t key);
/* The entry of key, added zeroed when absent (*added true). NULL: ENOMEM. */
pk__mem_entry *pk__mem_table_put(pk__mem_table *t, uint64_t key, bool *added);
/* Remove e (an entry of t); no allocation, backward-shift deletion. */
void pk__mem_table_del(pk__mem_table *t, pk__mem_entry *e);
void pk__mem_table_free(pk__mem_table *t);

/* Per stack id, while reading, then per site. */
typedef struct pk__mem_stat {
    uint64_t allocs, bytes, cur_bytes, cur_blocks, peak_bytes, temporary;
    uint64_t gen;        /* the peak generation peak_bytes is of */
} pk__mem_stat;

typedef struct pk__mem_stack {
    uint64_t *frames;    /* owned, leaf first */
    uint32_t n;
} pk__mem_stack;

/* A module-map snapshot ('M'): a symbolizer session, created lazily. */
struct pk__record_proc;
typedef struct pk__mem_snap {
    char *maps;          /* owned: the /proc/self/maps text */
    struct pk__record_proc *proc;  /* NULL until names are needed */
} pk__mem_snap;

typedef struct pk__mem_bucket {
    uint64_t max, last;
    bool set;
} pk__mem_bucket;

typedef struct pk__mem_names {
    char *folded;        /* owned, root first */
    const char *func;    /* the leaf function: inside folded or a literal */
    char *file;          /* owned, may be NULL */
    unsigned line;
} pk__mem_names;

struct pk_mem_profile {
    pk_mem_info info;
    pk_mem_totals tot;
    char *cmdline, *exe;            /* owned */
    pk__mem_stack *stacks;          /* [0] = no stack */
    pk__mem_stat *stats;            /* per stack id */
    size_t n_stacks, cap_stacks, cap_stats;   /* ids 0..n_stacks-1 */
    pk__mem_table live, threads;
    uint64_t heap, gen, now;
    pk__mem_snap *snaps;
    size_t n_snaps, cap_snaps;
    pk__mem_bucket buckets[PK_MEM_TIMELINE_MAX];
    uint64_t bucket_ns;
    size_t n_buckets;               /* buckets used: last index + 1 */
    pk_mem_point points[PK_MEM_TIMELINE_MAX];
    size_t n_points;
    pk_mem_site *sites;             /* owned, n_sites */
    size_t n_sites;
    pk__mem_names *names;           /* per site, NULL until names are made */
    /* reader state */
    unsigned version;               /* the file's format version, 1 or 2 */
    uint64_t cur_tid, prev_ptr;     /* v2: the current thread ('T'/'W'), the last pointer */
    pk__mem_entry *thr;             /* the threads entry of thr_tid; NULL: look it up */
    uint64_t thr_tid;
    uint64_t tl_now;                /* the time tl_i is the timeline bucket of */
    size_t tl_i;
    bool tl_ok;
};

/* names.c: make the names of every site (once). Errors: PK_ENOMEM. */
pk_err pk__mem_names_make(pk_mem_profile *p);
void pk__mem_names_free(pk_mem_profile *p);

/* tee.c: fd (our end of the interposer's socket; made non-blocking) as a
 * stream, each byte also compressed into out (-1: no file). The stream ends
 * at the socket's end of file, when the child has exited and nothing is
 * left, or at a cancel request. Errors: PK_ENOMEM. */
typedef struct pk__mem_tee pk__mem_tee;
pk_err pk__mem_tee_open(int fd, pid_t child, int out, pk__mem_tee **t);
FILE *pk__mem_tee_stream(pk__mem_tee *t);          /* borrowed */
bool pk__mem_tee_cancelled(const pk__mem_tee *t);  /* a cancel request ended it */
/* Read to the end (the reader may have stopped early), end the zstd frame.
 * *received: bytes read from the socket. Returns 0 or the errno of a
 * failed write of the output file. fd and out stay open (the caller's). */
int pk__mem_tee_finish(pk__mem_tee *t, uint64_t *received);
void pk__mem_tee_free(pk__mem_tee *t);             /* NULL is a no-op */

/* reader.c: a profile with nothing in it yet (NULL on ENOMEM). */
pk_mem_profile *pk__mem_profile_new(void);

#endif
