/* profile/collapse_int.h — what collapse.c (the object: streaming, the stack
 * table, folded input, sorting) and collapse_perf.c (the rules of
 * stackcollapse-perf.pl for `perf script` lines) share. Module-private. */
#ifndef PK_PROFILE_COLLAPSE_INT_H
#define PK_PROFILE_COLLAPSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/hash.h"
#include "perfkit/collapse.h"

/* The most bytes of frame names one sample may hold (PK_ERANGE beyond). */
#define PK__COLLAPSE_MAX_STACK ((size_t)64 << 20)

typedef struct pk__collapse_entry {
    const char *key;     /* in an arena chunk; not NUL-terminated */
    uint32_t len;
    uint64_t count;
} pk__collapse_entry;

typedef struct pk__collapse_frame {
    size_t off, len;     /* in frame_bytes */
} pk__collapse_frame;

struct pk_collapse {
    pk_collapse_opts o;
    char *filter;                 /* owned copy of the event filter; NULL: first seen */
    size_t filter_len;
    pk_collapse_format format;    /* AUTO until the first meaningful line */
    bool finished, failed;

    pk__buf carry;                /* a line that straddles two chunks */
    uint64_t lineno;

    /* the sample being read (perf script) */
    bool have_pname;
    pk__buf pname;
    uint64_t period;
    char *fbytes;                 /* processed frame names, back to back */
    size_t fb_n, fb_cap;
    pk__collapse_frame *frames;   /* in input order: leaf first */
    size_t n_frames, frames_cap;
    size_t *groups;               /* first frame of each input line ("a->b" is one) */
    size_t n_groups, groups_cap;
    pk__buf key;                  /* scratch: the folded stack being built */

    /* distinct stacks */
    pk__hash table;               /* key -> index in entries */
    pk__collapse_entry *entries;
    size_t n_entries, entries_cap;
    size_t last;                  /* entry of the previous sample; SIZE_MAX: none */
    size_t *recent;               /* RECENT_SLOTS: entry + 1 by quick hash; 0: empty */
    char **chunks;                /* arena: keys' bytes */
    size_t n_chunks, chunks_cap;
    size_t chunk_used, chunk_size;

    pk_collapse_stats st;
};

/* Count a folded stack: add count to key[0..len-1]'s total (the key is
 * copied). Errors: PK_ENOMEM. */
pk_err pk__collapse_add(pk_collapse *c, const char *key, size_t len, uint64_t count);

/* One `perf script` line (no newline). false: the line is none of a
 * comment, a blank, a sample header or a frame (the caller counts it).
 * Errors go to *err (PK_ENOMEM). */
bool pk__collapse_perf_line(pk_collapse *c, const char *s, size_t n, pk_err *err);

/* Whether the line looks like folded input ("STACK 123", see the header). */
bool pk__collapse_is_folded(const char *s, size_t n);

#endif
