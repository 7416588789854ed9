/* units.c — parse and format durations, sizes, counts and percentages.
 *
 * Parsing is strict: a decimal number (digits, an optional fraction and
 * exponent; no sign, blanks, hex, inf or nan — strtod alone would take
 * "0x10" as 16 and "inf" as a number) is followed immediately by a unit from
 * a fixed table, and nothing may follow the unit. The number is scanned here
 * and only its validated text goes to strtod. The error column points at the
 * first character that does not fit; a number too large for a double
 * ("1e400ms", or "1e302h" once scaled) is PK_ERANGE, not an unknown unit. */
#include "perfkit/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/alloc.h"

typedef struct unit_def {
    const char *name;
    double scale;
} unit_def;

static const unit_def duration_units[] = {
    {"ns", 1.0}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6},
    {"s", 1e9}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}, {NULL, 0}
};
static const unit_def size_units[] = {
    {"B", 1.0}, {"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
    {"TiB", 1099511627776.0}, {NULL, 0}
};
static const unit_def count_units[] = {
    {"", 1.0}, {"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {NULL, 0}
};
static const unit_def percent_units[] = { {"%", 0.01}, {NULL, 0} };

static const unit_def *units_for(pk_unit_kind kind)
{
    switch (kind) {
    case PK_UNIT_DURATION: return duration_units;
    case PK_UNIT_SIZE:     return size_units;
    case PK_UNIT_COUNT:    return count_units;
    case PK_UNIT_PERCENT:  return percent_units;
    }
    return NULL;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

pk_err pk_units_number(const char *s, bool sign, double *out, size_t *len)
{
    if (len)
        *len = 0;
    if (!s)
        return PK_EINVAL;
    size_t i = 0, digits = 0;
    if (sign && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; digit(s[i]); i++)
        digits++;
    if (s[i] == '.')
        for (i++; digit(s[i]); i++)
            digits++;
    if (!digits)
        return PK_EPARSE;
    if (s[i] == 'e' || s[i] == 'E') {   /* an exponent only when digits follow */
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (digit(s[j])) {
            while (digit(s[j]))
                j++;
            i = j;
        }
    }
    /* strtod reads exactly the i characters checked above: a copy ends
     * there (a long number is rare; the heap is not needed for it). */
    char small[128], *copy = small;
    if (i >= sizeof small && !(copy = pk_malloc(i + 1)))
        return PK_ENOMEM;
    memcpy(copy, s, i);
    copy[i] = '\0';
    errno = 0;
    double v = strtod(copy, NULL);
    int range = errno == ERANGE && isinf(v);   /* underflow is a tiny number: 0 is fine */
    if (copy != small)
        pk_free(copy);
    if (len)
        *len = i;
    if (range || !isfinite(v))
        return PK_ERANGE;
    if (out)
        *out = v;
    return PK_OK;
}

pk_err pk_units_parse(const char *s, pk_unit_kind kind, double *out, size_t *err_col)
{
    size_t col = 0;
    const unit_def *units = units_for(kind);
    if (err_col)
        *err_col = 0;
    if (!s || !out || !units)
        return PK_EINVAL;
    double v;
    size_t num = 0;
    pk_err e = pk_units_number(s, false, &v, &num);
    if (e == PK_EPARSE)
        goto fail;
    if (e != PK_OK)
        return e;   /* PK_ERANGE (column 0: the number), PK_ENOMEM */
    const char *end = s + num;
    col = num;
    for (const unit_def *u = units; u->name; u++) {
        if (strcmp(end, u->name) == 0) {
            if (!isfinite(v * u->scale))   /* "1e302s": overflows once scaled */
                return PK_ERANGE;
            *out = v * u->scale;
            return PK_OK;
        }
    }
    /* Point past the longest unit prefix that matches, e.g. "50mss" → col 4. */
    for (const unit_def *u = units; u->name; u++) {
        size_t n = strlen(u->name);
        if (n && strncmp(end, u->name, n) == 0 && num + n > col)
            col = num + n;
    }
fail:
    if (err_col)
        *err_col = col;
    return PK_EPARSE;
}

char *pk_units_format_duration(double ns, int ascii, char *buf, size_t len)
{
    const char *unit = "ns";
    double v = ns, a = fabs(ns);
    if (a >= 60e9 * 100) {
        v = ns / 3600e9; unit = "h";
    } else if (a >= 1e9 * 100) {
        v = ns / 60e9; unit = "min";
    } else if (a >= 1e9) {
        v = ns / 1e9; unit = "s";
    } else if (a >= 1e6) {
        v = ns / 1e6; unit = "ms";
    } else if (a >= 1e3) {
        v = ns / 1e3; unit = ascii ? "us" : "\xc2\xb5s";
    }
    double av = fabs(v);
    int prec = av >= 100 ? 1 : av >= 10 ? 2 : 3;
    if (unit[0] == 'n' && unit[1] == 's')
        prec = av >= 100 ? 0 : 1;
    snprintf(buf, len, "%.*f %s", prec, v, unit);
    return buf;
}

char *pk_units_format_size(double bytes, char *buf, size_t len)
{
    static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    double v = bytes;
    while (fabs(v) >= 1024.0 && i < 4) {
        v /= 1024.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%.0f B", v);
    else
        snprintf(buf, len, "%.*f %s", fabs(v) >= 100 ? 0 : 1, v, names[i]);
    return buf;
}

char *pk_units_format_count(double n, char *buf, size_t len)
{
    static const char *names[] = {"", " K", " M", " G", " T"};
    int i = 0;
    double v = n;
    while (fabs(v) >= 1000.0 && i < 4) {
        v /= 1000.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.*f%s", fabs(v) >= 100 ? 1 : fabs(v) >= 10 ? 2 : 3, v, names[i]);
    return buf;
}
