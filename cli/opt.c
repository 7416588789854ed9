/* opt.c — option values and option errors shared by every subcommand.
 *
 * Values are parsed strictly (the whole string, decimal only: no sign
 * surprises, no hex, inf or nan — pk_units_number decides what a number is)
 * and every error names the option, the value and what was expected; a
 * value too large says so ("more than the limit of", "out of range"). An unknown option
 * gets a "did you mean" from the command's own option table (edit distance);
 * a known option without a value given one (`--json=yes`) says just that. */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "perfkit/diag.h"
#include "perfkit/units.h"

bool opt_count_max(const char *cmd, const char *opt, const char *val, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    if (val[0] == '-' && val[1] >= '0' && val[1] <= '9') {
        cli_error(cmd, "invalid value `%s` for %s: must not be negative", val, opt);
        return false;
    }
    if (val[0] < '0' || val[0] > '9') {
        cli_error(cmd, "invalid value `%s` for %s: expected a whole number", val, opt);
        return false;
    }
    unsigned long long v = strtoull(val, &end, 10);
    if (*end) {
        cli_error(cmd, "invalid value `%s` for %s: expected a whole number", val, opt);
        return false;
    }
    if (errno || v > max) {   /* ERANGE: more than any limit */
        cli_error(cmd, "%s: %s is more than the limit of %zu", opt, val, max);
        return false;
    }
    *out = (size_t)v;
    return true;
}

bool opt_count(const char *cmd, const char *opt, const char *val, size_t *out)
{
    return opt_count_max(cmd, opt, val, SIZE_MAX / 2, out);
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
    size_t len = 0;
    double v;
    pk_err e = pk_units_number(val, true, &v, &len);
    if (e == PK_ERANGE && !val[len]) {
        cli_error(cmd, "invalid value `%s` for %s: out of range (too large for a number)", val,
                  opt);
        return false;
    }
    if (e != PK_OK || val[len]) {
        cli_error(cmd, "invalid value `%s` for %s: expected a decimal number such as 0.05",
                  val, opt);
        return false;
    }
    *out = v;
    return true;
}

/* The longest duration in ns a uint64_t holds: about 584 years. */
#define MAX_DURATION_NS 1.8e19

bool opt_duration_ns(const char *cmd, const char *opt, const char *val, uint64_t *out)
{
    double ns;
    size_t col = 0, len = 0;
    pk_err e = pk_units_parse(val, PK_UNIT_DURATION, &ns, &col);
    if (e == PK_EPARSE) {
        /* a bare number means seconds, as in hyperfine */
        double s;
        pk_err be = pk_units_number(val, false, &s, &len);
        if ((be == PK_OK || be == PK_ERANGE) && !val[len]) {
            e = be;
            ns = s * 1e9;
        }
    }
    if (e == PK_ERANGE || (e == PK_OK && !(ns < MAX_DURATION_NS))) {
        cli_error(cmd, "invalid duration `%s` for %s: out of range", val, opt);
        return false;
    }
    if (e != PK_OK) {
        cli_error(cmd,
                  "invalid duration `%s` for %s at column %zu: expected a decimal number and a "
                  "unit (ns, us, ms, s, m, h), e.g. 500ms, 3s, or seconds: 2.5",
                  val, opt, col + 1);
        return false;
    }
    *out = (uint64_t)(ns + 0.5);
    return true;
}

bool opt_percent(const char *cmd, const char *opt, const char *val, double *out)
{
    double v;
    size_t col = 0, len = 0;
    if (!strchr(val, '%')) {
        /* A bare number is refused: `--threshold 5` read as a fraction
         * would mean 500%. Only 0 means the same in every unit. */
        pk_err e = pk_units_number(val, true, &v, &len);
        if (e == PK_OK && !val[len] && v == 0) {
            *out = 0;
            return true;
        }
        if (e == PK_OK && !val[len] && v > 0) {
            /* 0.05 was meant as a fraction (5%), 5 as a percentage */
            cli_error(cmd, "`%s %s`: write a percentage, e.g. %s %g%%", opt, val, opt,
                      v < 1 ? v * 100 : v);
            return false;
        }
        if (e == PK_OK && !val[len]) {
            cli_error(cmd, "invalid value `%s` for %s: must not be negative", val, opt);
            return false;
        }
    }
    pk_err e = pk_units_parse(val, PK_UNIT_PERCENT, &v, &col);
    if (e == PK_ERANGE) {
        cli_error(cmd, "invalid percentage `%s` for %s: out of range", val, opt);
        return false;
    }
    if (e != PK_OK) {
        cli_error(cmd,
                  "invalid percentage `%s` for %s at column %zu: expected a decimal number "
                  "and %%, e.g. 5%%",
                  val, opt, col + 1);
        return false;
    }
    if (v < 0) {
        cli_error(cmd, "invalid value `%s` for %s: must not be negative", val, opt);
        return false;
    }
    *out = v;
    return true;
}

/* The option without an argument that name[0..len) spells, whole or as the
 * unique prefix getopt_long accepts; NULL when there is none. */
static const struct option *takes_no_value(const struct option *longopts, const char *name,
                                           size_t len)
{
    const struct option *found = NULL;
    size_t n = 0;
    for (const struct option *o = longopts; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (o->name[len] == '\0')
            return o->has_arg == no_argument ? o : NULL;   /* exact: the only candidate */
        found = o;
        n++;
    }
    return n == 1 && found->has_arg == no_argument ? found : NULL;
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
        const struct option *flag = arg[2 + len] == '=' ? takes_no_value(longopts, arg + 2, len)
                                                          : NULL;
        if (flag) {
            cli_error(cmd, "option `--%s` takes no value (given `%s`); see `perfkit %s --help`",
                      flag->name, arg, cmd);
            return;
        }
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

bool opt_choice(const char *cmd, const char *opt, const char *what, const char *val,
                const char *const *names, size_t n, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(val, names[i]) == 0) {
            *idx = i;
            return true;
        }
    char list[256] = "";   /* "a, b or c" */
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 !i ? "" : i + 1 == n ? " or " : ", ", names[i]);
    const char *s = pk_diag_suggest(val, names, n);
    if (s)
        cli_error(cmd, "%s: unknown %s `%s` — did you mean `%s`? (use %s)", opt, what, val, s,
                  list);
    else
        cli_error(cmd, "%s: unknown %s `%s`; use %s", opt, what, val, list);
    return false;
}
