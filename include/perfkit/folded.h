/* perfkit/folded.h — the folded-stack profile: what `perfkit flame`, `perfkit
 * diff` and the exports read. A folded line is one call stack, root first,
 * frames separated by ';', then a count:
 *
 *     main;parse;lex 42
 *     main;parse;lex 40 42          (two columns: before after, for diffs)
 *
 * A pk_folded holds each distinct stack once with two counts ("slots"):
 * slot 0 is "before", slot 1 "after" — a one-column input (a plain profile)
 * fills the slot its options name, slot 1 by default. Memory is bounded by
 * the distinct stacks, not by the input size: reading 1 GB of repeated
 * stacks takes as much memory as reading each stack once.
 *
 * Thread-safety: none per pk_folded; distinct profiles are independent. */
#ifndef PERFKIT_FOLDED_H
#define PERFKIT_FOLDED_H

#include <stddef.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_folded pk_folded;

typedef struct pk_folded_opts {
    unsigned columns;   /* count columns per line: 0 = decided by the first
                           line (two when its last two tokens are numbers),
                           1 or 2 = required; default 0 */
    unsigned slot;      /* the slot a one-column line adds to: 0 (before) or
                           1 (after, default) */
} pk_folded_opts;

void pk_folded_opts_init(pk_folded_opts *o);

/* On PK_OK *out owns a new, empty profile (pk_folded_free). Errors: PK_EINVAL
 * (out NULL), PK_ENOMEM. */
pk_err pk_folded_new(pk_folded **out);
void   pk_folded_free(pk_folded *p);   /* NULL is a no-op */

/* Add count to the stack stack[0..len-1] ("a;b;c", root first) in slot 0 or
 * 1. The stack bytes are copied. Errors: PK_EINVAL (empty stack, count
 * negative or not finite, slot > 1), PK_ENOMEM (p unchanged). */
pk_err pk_folded_add(pk_folded *p, const char *stack, size_t len, unsigned slot, double count);

/* Parse folded text and add every line to p. Blank lines are skipped; a
 * count is digits with an optional fraction. Errors: PK_EPARSE with d (may
 * be NULL) set to "name:line:column: message" — a line without a count, a
 * bad or negative count, an empty stack, a NUL byte (binary input), a line
 * whose column count differs from the first line's; PK_ENOMEM; PK_EINVAL.
 * On error the lines before the bad one stay added. name labels the input
 * in diagnostics (NULL: "<input>"). */
pk_err pk_folded_parse(pk_folded *p, const pk_folded_opts *o, const char *text, size_t len,
                       const char *name, pk_diag *d);

/* pk_folded_parse over a stream, read in blocks: memory is the profile plus
 * the longest line. Errors: those of pk_folded_parse, PK_EIO (read error). */
pk_err pk_folded_read(pk_folded *p, const pk_folded_opts *o, FILE *f, const char *name,
                      pk_diag *d);

/* Distinct stacks held; the sum of one slot's counts (0 for a bad slot). */
size_t pk_folded_stacks(const pk_folded *p);
double pk_folded_total(const pk_folded *p, unsigned slot);
/* Whether any count was added to slot (0 or 1). */
int    pk_folded_has_slot(const pk_folded *p, unsigned slot);

/* Multiply every count of slot by factor (>= 0, finite): normalisation of
 * one profile to another's total. Errors: PK_EINVAL. */
pk_err pk_folded_scale(pk_folded *p, unsigned slot, double factor);

/* Write the profile as folded text, stacks sorted bytewise, one line each:
 * slot 0 or 1 writes that slot's count (stacks with 0 left out), slot 2
 * writes both ("stack before after"). Counts print as integers when whole,
 * else with up to 6 significant decimals. Errors: PK_EINVAL, PK_ENOMEM,
 * PK_EIO (a write failed). */
pk_err pk_folded_write(const pk_folded *p, unsigned slot, FILE *f);

PK_END_DECLS
#endif
