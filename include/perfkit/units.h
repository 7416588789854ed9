/* perfkit/units.h — parsing and formatting of quantities with units.
 *
 * Durations: ns, us (or µs), ms, s, m (minutes), h        e.g. "12ms", "1.5s"
 * Sizes:     B, KB, MB, GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (1024)
 * Counts:    plain numbers with an optional K, M, G, T suffix (powers of 1000)
 * Percent:   "5%" → 0.05
 * A number and its unit are written together; "50 ms" and "50mss" are errors.
 * Thread-safety: every function is safe (no shared state). */
#ifndef PERFKIT_UNITS_H
#define PERFKIT_UNITS_H

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
 * returns PK_EPARSE, sets *err_col to the 0-based offset of the offending
 * character (if err_col is not NULL) and leaves *out unchanged. */
pk_err pk_units_parse(const char *s, pk_unit_kind kind, double *out, size_t *err_col);

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
