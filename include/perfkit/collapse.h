/* perfkit/collapse.h — `perf script` text (or folded stacks) → folded stacks.
 *
 * The collapser reads what people already have: the text `perf script`
 * prints, and turns it into folded stacks ("comm;root;...;leaf count"), the
 * input of every flame-graph tool. Its output equals FlameGraph's
 * stackcollapse-perf.pl byte for byte for the options below (same parsing
 * rules, same name tidying, same byte-order sort). Folded input passes
 * through, merged and sorted.
 *
 * Streaming: feed the input in chunks of any size (lines may straddle
 * chunks); memory is bounded by the distinct stacks plus the longest line,
 * never by the input size.
 *
 * Lenient like the Perl script: a line that is neither a sample header, a
 * frame, a comment nor blank is skipped and counted (see pk_collapse_stats);
 * with opts.strict it is an error instead (PK_EPARSE, with its line number).
 * Bytes are bytes: symbol names that are not UTF-8, NULs, very long lines
 * are carried through, never an error.
 *
 * Thread-safety: none; one pk_collapse per thread. */
#ifndef PERFKIT_COLLAPSE_H
#define PERFKIT_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_collapse_format {
    PK_COLLAPSE_AUTO = 0,  /* decided on the first line that is neither blank nor a
                              comment: "STACK COUNT" (ends in a space and digits,
                              no ": ") is folded, anything else perf script */
    PK_COLLAPSE_PERF = 1,  /* `perf script` text */
    PK_COLLAPSE_FOLDED = 2 /* folded stacks: "a;b;c 12" per line */
} pk_collapse_format;

typedef struct pk_collapse_opts {
    pk_collapse_format format;  /* default PK_COLLAPSE_AUTO */
    bool include_pid;      /* "comm-PID" as the root frame (stackcollapse-perf --pid) */
    bool include_tid;      /* "comm-PID/TID" (--tid); wins over include_pid */
    bool annotate_kernel;  /* "_[k]" after kernel frames (--kernel) */
    bool annotate_jit;     /* "_[j]" after frames from /tmp/perf-PID.map (--jit) */
    bool include_addrs;    /* "[dso <addr>]" for frames without a symbol (--addrs) */
    const char *event_filter; /* keep samples of this event only; NULL or "":
                                 the first event seen (the Perl default). Copied. */
    bool strict;           /* an unrecognised line is PK_EPARSE, not skipped */
} pk_collapse_opts;

void pk_collapse_opts_init(pk_collapse_opts *o);

typedef struct pk_collapse pk_collapse;

/* On PK_OK *out owns a new collapser (free with pk_collapse_free). Errors:
 * PK_EINVAL (o or out NULL, format out of range), PK_ENOMEM. */
pk_err pk_collapse_new(const pk_collapse_opts *o, pk_collapse **out);
void   pk_collapse_free(pk_collapse *c);   /* NULL is a no-op */

/* Feed the next len bytes of the input. Errors: PK_ENOMEM; PK_EPARSE (strict
 * only: an unrecognised line) and PK_ERANGE (one sample's frame names over
 * 64 MiB, e.g. a line of many "[unknown]" names each expanded to a long dso
 * path): d, when not NULL, gets the line number and a message; PK_EINVAL (c
 * NULL, or called after pk_collapse_finish). After an error the collapser
 * accepts only pk_collapse_free. */
pk_err pk_collapse_feed(pk_collapse *c, const char *data, size_t len, pk_diag *d);

/* End of input: processes a last line without a newline (a sample whose
 * stack is not followed by a blank line is dropped, as the Perl script drops
 * it), then sorts the stacks in byte order. Errors as pk_collapse_feed. */
pk_err pk_collapse_finish(pk_collapse *c, pk_diag *d);

/* After pk_collapse_finish: the number of distinct stacks, and the i-th in
 * byte order. *stack is borrowed (valid until pk_collapse_free), *len bytes,
 * not NUL-terminated. Errors: PK_EINVAL (not finished, i out of range). */
size_t pk_collapse_count(const pk_collapse *c);
pk_err pk_collapse_get(const pk_collapse *c, size_t i, const char **stack, size_t *len,
                       uint64_t *count);

typedef struct pk_collapse_stats {
    uint64_t lines;            /* input lines read */
    uint64_t samples;          /* samples kept (perf) or folded lines merged */
    uint64_t ignored;          /* unrecognised lines skipped */
    uint64_t first_ignored;    /* line number of the first of them; 0 when none */
    uint64_t filtered;         /* samples of another event, left out */
    pk_collapse_format format; /* what the input was read as (AUTO while undecided) */
    const char *event;         /* the event kept; NULL when none seen. Borrowed. */
} pk_collapse_stats;

/* Counters so far. c must not be NULL. */
void pk_collapse_get_stats(const pk_collapse *c, pk_collapse_stats *out);

PK_END_DECLS

#endif
