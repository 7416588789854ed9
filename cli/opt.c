/* opt.c — option values and option errors shared by every subcommand.
 *
 * Values are parsed strictly (the whole string, no sign surprises) and every
 * error names the option, the value and what was expected. An unknown option
 * gets a "did you mean" from the command's own option table (edit distance). */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "perfkit/diag.h"
#include "perfkit/units.h"

bool opt_count(const char *cmd, const char *opt, const char *val, size_t *out)
{
    char *end;
    errno = 0;
    if (val[0] < '0' || val[0] > '9') {
        cli_error(cmd, "invalid value `%s` for %s: expected a whole number", val, opt);
        return false;
    }
    unsigned long long v = strtoull(val, &end, 10);
    if (errno || *end || v > SIZE_MAX / 2) {
        cli_error(cmd, "invalid value `%s` for %s: expected a whole number", val, opt);
        return false;
    }
    *out = (size_t)v;
    return true;
}

bool opt_u64(const char *cmd, const char *opt, const char *val, uint64_t *out)
{
    size_t v;
    if (!opt_count(cmd, opt, val, &v))
        return false;
    *out = v;
    return true;
}

bool opt_number(const char *cmd, const char *opt, const char *val, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (errno || end == val || *end) {
        cli_error(cmd, "invalid value `%s` for %s: expected a number", val, opt);
        return false;
    }
    *out = v;
    return true;
}

bool opt_duration_ns(const char *cmd, const char *opt, const char *val, uint64_t *out)
{
    double ns;
    size_t col = 0;
    if (pk_units_parse(val, PK_UNIT_DURATION, &ns, &col) != PK_OK) {
        /* a bare number means seconds, as in hyperfine */
        char *end;
        double s = strtod(val, &end);
        if (end != val && !*end && s >= 0) {
            *out = (uint64_t)(s * 1e9 + 0.5);
            return true;
        }
        cli_error(cmd, "invalid duration `%s` for %s at column %zu: expected e.g. 500ms, 3s, 2.5",
                  val, opt, col + 1);
        return false;
    }
    *out = (uint64_t)(ns + 0.5);
    return true;
}

bool opt_fraction(const char *cmd, const char *opt, const char *val, double *out)
{
    double v;
    size_t col = 0;
    if (strchr(val, '%')) {
        if (pk_units_parse(val, PK_UNIT_PERCENT, &v, &col) != PK_OK) {
            cli_error(cmd, "invalid percentage `%s` for %s at column %zu", val, opt, col + 1);
            return false;
        }
    } else if (!opt_number(cmd, opt, val, &v)) {
        return false;
    }
    if (v < 0) {
        cli_error(cmd, "invalid value `%s` for %s: must not be negative", val, opt);
        return false;
    }
    *out = v;
    return true;
}

void opt_unknown(const char *cmd, const char *arg, const struct option *longopts)
{
    const char *names[128];
    size_t n = 0;
    for (const struct option *o = longopts; o->name && n < 128; o++)
        names[n++] = o->name;
    if (strncmp(arg, "--", 2) == 0) {
        char word[64];
        size_t len = strcspn(arg + 2, "=");
        if (len >= sizeof word)
            len = sizeof word - 1;
        memcpy(word, arg + 2, len);
        word[len] = '\0';
        const char *s = pk_diag_suggest(word, names, n);
        if (s) {
            cli_error(cmd, "unknown option `--%s` — did you mean `--%s`?", word, s);
            return;
        }
        cli_error(cmd, "unknown option `--%s`; see `perfkit %s --help`", word, cmd);
        return;
    }
    cli_error(cmd, "unknown option `%s`; see `perfkit %s --help`", arg, cmd);
}
