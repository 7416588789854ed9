/* perfkit/diag.h — a located diagnostic: what went wrong in which input,
 * where. Every parser in libperfkit (config, JSON imports, ...) reports its
 * errors through one, so the CLI can print "file:line:column: message" and
 * exit 2. Thread-safety: a pk_diag is plain data. */
#ifndef PERFKIT_DIAG_H
#define PERFKIT_DIAG_H

#include <stddef.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_diag {
    char file[512];      /* input name as given; "" when none */
    unsigned line;       /* 1-based; 0 when the error has no position */
    unsigned column;     /* 1-based; 0 when unknown */
    char message[768];   /* one line, may end with "— did you mean `x`?" */
} pk_diag;

/* Every diagnostic of one input, not only the first: what a loader that
 * reports all its errors in one pass fills (pk_config_load_all). Kept
 * sorted by position (file, then line, then column; equal positions in the
 * order added); only the first PK_DIAG_LIST_MAX by position are kept, the
 * others counted in `more`. Initialise with pk_diag_list_init, release with
 * pk_diag_list_clear. Thread-safety: plain data, one thread at a time. */
typedef struct pk_diag_list {
    pk_diag *items;      /* owned: n of them, sorted by position */
    size_t n;
    size_t more;         /* diagnostics beyond the kept ones: "and N more" */
} pk_diag_list;

#define PK_DIAG_LIST_MAX 20

void pk_diag_list_init(pk_diag_list *l);

/* Add a copy of d in its place by position; when the list is full, the
 * last by position (d itself or the kept one it displaces) is counted in
 * l->more instead. Allocates the room for PK_DIAG_LIST_MAX items the first
 * time. Errors: PK_EINVAL (NULL), PK_ENOMEM (d counted in more). */
pk_err pk_diag_list_add(pk_diag_list *l, const pk_diag *d);

/* Release the items; l is empty (as after init) again. NULL is a no-op. */
void pk_diag_list_clear(pk_diag_list *l);

/* Fill d (NULL is a no-op): file copied, message from the printf format.
 * Thread-safety: safe on distinct d. */
void pk_diag_set(pk_diag *d, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "file:line:column: message" (parts without value left out) into buf,
 * always NUL-terminated. Returns buf. */
char *pk_diag_format(const pk_diag *d, char *buf, size_t len);

/* The candidate closest to word by edit distance when it is close enough to
 * be a typo (distance <= 2, or 3 for words longer than 6), else NULL.
 * Returns one of candidates (borrowed). */
const char *pk_diag_suggest(const char *word, const char *const *candidates, size_t n);

PK_END_DECLS
#endif
