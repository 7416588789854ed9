/* perfkit/units.h — parsing and formatting of quantities with units.
 *
 * Durations: ns, us (or µs), ms, s, m (minutes), h        e.g. "12ms", "1.5s"
 * Sizes:     B, KB, MB, GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (1024)
 * Counts:    plain numbers with an optional K, M, G, T suffix (powers of 1000)
 * Percent:   "5%" → 0.05
 * A number and its unit are written together; "50 ms" and "50mss" are errors.
 * Numbers are decimal: digits with an optional fraction and exponent ("12",
 * "0.5", ".5", "1e3", "2.5E-3"); hex ("0x10"), "inf", "nan", signs and
 * blanks are not numbers here.
 * Thread-safety: every function is safe (no shared state). */
#ifndef PERFKIT_UNITS_H
#define PERFKIT_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_unit_kind {
    PK_UNIT_DURATION,  /* result in nanoseconds */
    PK_UNIT_SIZE,      /* result in bytes */
    PK_UNIT_COUNT,     /* result as a plain count */
    PK_UNIT_PERCENT,   /* result as a fraction (5% → 0.05) */
} pk_unit_kind;

/* Parse the whole of s as a non-negative quantity of the given kind into *out.
 * A duration or size requires its unit (a bare number is an error). On error
 * *out is unchanged and *err_col (if err_col is not NULL) receives the
 * 0-based offset of the offending character. Errors: PK_EPARSE (not a
 * decimal number followed by a unit of the kind: "0x10ms" at offset 1,
 * "50mss" at 4, "-3ms" at 0), PK_ERANGE (a number too large for a double,
 * "1e400ms", or one that overflows once scaled, "1e302h"; offset 0),
 * PK_EINVAL (NULL s or out), PK_ENOMEM (a number of more than 127
 * characters could not be copied). */
pk_err pk_units_parse(const char *s, pk_unit_kind kind, double *out, size_t *err_col);

/* The decimal number at the start of s: digits with an optional fraction
 * and an optional exponent (an "e" without digits after it is not part of
 * the number); with sign, one leading '+' or '-' as well. *len (may be
 * NULL) receives how many characters it takes, *out (may be NULL) its value
 * (a number too small for a double reads as 0 or a subnormal). The caller
 * decides what may follow: s[*len] == '\0' for "the whole string".
 * Errors: PK_EPARSE (s does not start with a number; *len 0), PK_ERANGE
 * (too large for a double, e.g. "1e400"; *len is still its length, *out
 * unchanged), PK_EINVAL (NULL s), PK_ENOMEM. */
pk_err pk_units_number(const char *s, bool sign, double *out, size_t *len);

/* Format a duration in ns with 3-4 significant digits and the best unit
 * ("812.3 µs", "12.41 ms", "1.203 s") into buf (always NUL-terminated).
 * Returns buf. ascii != 0 writes "us" instead of "µs". */
char *pk_units_format_duration(double ns, int ascii, char *buf, size_t len);

/* Format bytes in binary units ("64.0 MiB", "812 KiB", "512 B"). Returns buf. */
char *pk_units_format_size(double bytes, char *buf, size_t len);

/* Format a count with SI suffix ("1.234 G", "12.3 M", "912"). Returns buf. */
char *pk_units_format_count(double n, char *buf, size_t len);

PK_END_DECLS
#endif
