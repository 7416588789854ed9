/* params.c — parameter values (scans and lists) and the commands they make
 * (params.h): the one generator behind `bench -P/-L` and perfkit.yml.
 *
 * A scan reads its bounds as decimal text, so the number of decimals is
 * known: d = max(decimals of LO, decimals of STEP). With d = 0 the values
 * are computed in doubles and every one is checked to be exact (a TwoSum
 * and an FMA residue of 0), then printed with "%.0f", which prints an
 * integral double digit for digit — 10000000000, never 1e+10. With d > 0
 * LO, STEP and HI are scaled to integers in units of 10^-d and stepped in
 * int64, so 0.1 steps never drift (hyperfine does the same with a decimal
 * type). References: Knuth, TAOCP vol. 2, 4.2.2 (TwoSum). */
#include "perfkit/params.h"

#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"

/* ---- decimal text ------------------------------------------------------- */

#define MAX_DIGITS 18      /* significant digits an int64 holds with room */

/* A decimal number as written: value = ±digits × 10^-scale. */
typedef struct dec {
    bool neg;
    char digits[400];      /* significant digits, no leading zeros; "" for 0 */
    size_t n_digits;
    int scale;             /* decimals as written, minus the exponent */
    double value;          /* strtod of the text */
} dec;

static int decimals(const dec *x)
{
    return x->scale > 0 ? x->scale : 0;
}

/* [+-]digits[.digits][(e|E)[+-]digits], at least one digit; false else. */
static bool dec_parse(const char *s, dec *out)
{
    memset(out, 0, sizeof *out);
    const char *p = s;
    if (*p == '+' || *p == '-')
        out->neg = *p++ == '-';
    size_t seen = 0;
    bool dot = false;
    for (;; p++) {
        if (*p == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            break;
        seen++;
        if (dot)
            out->scale++;
        if (*p == '0' && out->n_digits == 0)
            continue;   /* a leading zero */
        if (out->n_digits + 1 >= sizeof out->digits)
            return false;
        out->digits[out->n_digits++] = *p;
    }
    if (!seen)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        bool eneg = *p == '-';
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        long e = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((e = e * 10 + (*p - '0')) > 9999)
                return false;
        out->scale += (int)(eneg ? e : -e);
    }
    if (*p)
        return false;
    out->value = strtod(s, NULL);
    return isfinite(out->value);
}

/* Whether the double of an integral x equals its text digit for digit. */
static bool dec_exact_integer(const dec *x)
{
    if (x->n_digits == 0)
        return true;
    if (x->scale > 0 || x->n_digits + (size_t)(-x->scale) > 330)
        return false;
    char want[400], got[400];
    size_t zeros = (size_t)(-x->scale);
    memcpy(want, x->digits, x->n_digits);
    memset(want + x->n_digits, '0', zeros);
    want[x->n_digits + zeros] = '\0';
    int n = snprintf(got, sizeof got, "%.0f", fabs(x->value));
    return n > 0 && (size_t)n < sizeof got && strcmp(want, got) == 0;
}

static const int64_t pow10_tab[MAX_DIGITS + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
    1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000,
};

/* x in units of 10^-d, rounded toward -inf (exact when decimals(x) <= d).
 * false when it does not fit in MAX_DIGITS digits. */
static bool dec_scaled(const dec *x, int d, int64_t *out)
{
    if (x->n_digits > MAX_DIGITS || d > MAX_DIGITS)
        return false;
    int64_t m = 0;
    for (size_t i = 0; i < x->n_digits; i++)
        m = m * 10 + (x->digits[i] - '0');
    int shift = d - x->scale;   /* multiply by 10^shift */
    if (shift >= 0) {
        if (shift > MAX_DIGITS || __builtin_mul_overflow(m, pow10_tab[shift], &m) ||
            m >= pow10_tab[MAX_DIGITS])
            return false;
        *out = x->neg ? -m : m;
        return true;
    }
    if (-shift > MAX_DIGITS) {
        *out = x->neg && m ? -1 : 0;
        return true;
    }
    int64_t q = m / pow10_tab[-shift], r = m % pow10_tab[-shift];
    *out = x->neg ? -(q + (r != 0)) : q;
    return true;
}

/* ---- scans -------------------------------------------------------------- */

static char *format_scaled(int64_t v, int d)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    pk__buf b = {0};
    if (pk__buf_printf(&b, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "",
                       a / (uint64_t)pow10_tab[d], d, a % (uint64_t)pow10_tab[d]) != PK_OK)
        return NULL;
    return pk__buf_take(&b);
}

static char *format_integer(double v)
{
    char buf[400];
    snprintf(buf, sizeof buf, "%.0f", v == 0 ? 0.0 : v);   /* no "-0" */
    return pk_strdup(buf);
}

/* *out = lo + i*step as doubles compute it; returns the rounding error
 * (exact value minus *out, as a double: its sign is exact), 0 when exact. */
static double step_value(double lo, double step, size_t i, double *out)
{
    double p = (double)i * step, r1 = fma((double)i, step, -p);
    double s = lo + p, bb = s - lo, r2 = (lo - (s - bb)) + (p - bb);
    *out = s;
    return r1 + r2;
}

typedef struct scan_ctx {
    const pk_param_scan *s;
    const char *what[4];   /* indexed by pk_param_arg */
    pk_param_arg *bad;
    pk_diag *diag;
} scan_ctx;

__attribute__((format(printf, 3, 4)))
static pk_err scan_fail(scan_ctx *c, pk_param_arg arg, const char *fmt, ...)
{
    if (c->bad)
        *c->bad = arg;
    if (c->diag) {
        char msg[sizeof c->diag->message];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        pk_diag_set(c->diag, "", 0, 0, "%s", msg);
    }
    return PK_EINVAL;
}

static pk_err push_value(pk_params *p, size_t *cap, char *v)
{
    if (!v || PK__PUSH_ROOM(p->values, p->n, *cap) != PK_OK) {
        pk_free(v);
        return PK_ENOMEM;
    }
    p->values[p->n++] = v;
    return PK_OK;
}

static pk_err scan_integers(scan_ctx *c, const dec *lo, const dec *hi, const dec *st,
                            pk_params *p, size_t *cap)
{
    const char *which[2] = {c->s->lo, c->s->step};
    const dec *xs[2] = {lo, st};
    for (int k = 0; k < 2; k++)
        if (xs[k] && !dec_exact_integer(xs[k]))
            return scan_fail(c, k ? PK_PARAM_ARG_STEP : PK_PARAM_ARG_LO,
                             "%s `%s` is not exactly representable: integers are exact up "
                             "to 2^53 (9007199254740992)",
                             c->what[k ? PK_PARAM_ARG_STEP : PK_PARAM_ARG_LO], which[k]);
    double step = st ? st->value : 1;
    for (size_t i = 0;; i++) {
        double v, err = step_value(lo->value, step, i, &v);
        if (v > hi->value || (v == hi->value && err > 0))
            break;   /* rounding is monotonic: the exact value is past HI too */
        if (err != 0 || !isfinite(v))
            return scan_fail(c, PK_PARAM_ARG_SCAN,
                             "value %zu of the scan, %s + %zu × %s, is not exactly "
                             "representable: integers are exact up to 2^53 "
                             "(9007199254740992)",
                             i + 1, c->s->lo, i, st ? c->s->step : "1");
        pk_err e = push_value(p, cap, format_integer(v));
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}

static pk_err scan_decimals(scan_ctx *c, const dec *lo, const dec *hi, const dec *st, int d,
                            pk_params *p, size_t *cap)
{
    if (d > MAX_DIGITS)
        return scan_fail(c, decimals(lo) == d ? PK_PARAM_ARG_LO : PK_PARAM_ARG_STEP,
                         "%s `%s` has too many decimals: at most %d",
                         c->what[decimals(lo) == d ? PK_PARAM_ARG_LO : PK_PARAM_ARG_STEP],
                         decimals(lo) == d ? c->s->lo : c->s->step, MAX_DIGITS);
    int64_t L, H, S = pow10_tab[d];   /* no step: 1 */
    const dec *xs[3] = {lo, hi, st};
    const char *txt[3] = {c->s->lo, c->s->hi, c->s->step};
    int64_t *outs[3] = {&L, &H, &S};
    for (int k = 0; k < 3; k++)
        if (xs[k] && !dec_scaled(xs[k], d, outs[k]))
            return scan_fail(c, (pk_param_arg)(k + 1),
                             "%s `%s` has too many digits for a scan with %d decimals: at "
                             "most %d significant digits",
                             c->what[k + 1], txt[k], d, MAX_DIGITS);
    for (int64_t v = L; v <= H; v += S) {
        pk_err e = push_value(p, cap, format_scaled(v, d));
        if (e != PK_OK)
            return e;
        if (H - v < S)
            break;   /* v + S would pass H (and might overflow) */
    }
    return PK_OK;
}

pk_err pk_params_scan(const char *name, const pk_param_scan *s, pk_params *out,
                      pk_param_arg *bad, pk_diag *diag)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (bad)
        *bad = PK_PARAM_ARG_SCAN;
    if (!name || !s || !s->lo || !s->hi || !out) {
        pk_diag_set(diag, "", 0, 0, "a scan needs a name, LO and HI");
        return PK_EINVAL;
    }
    scan_ctx c = {.s = s, .bad = bad, .diag = diag,
                  .what = {"the scan", s->lo_what ? s->lo_what : "LO",
                           s->hi_what ? s->hi_what : "HI",
                           s->step_what ? s->step_what : "STEP"}};
    dec lo, hi, st;
    const char *txt[3] = {s->lo, s->hi, s->step};
    dec *xs[3] = {&lo, &hi, &st};
    for (int k = 0; k < 3; k++)
        if (txt[k] && !dec_parse(txt[k], xs[k]))
            return scan_fail(&c, (pk_param_arg)(k + 1),
                             "invalid value `%s` for %s: expected a number", txt[k],
                             c.what[k + 1]);
    if (!s->step && (lo.value != floor(lo.value) || hi.value != floor(hi.value)))
        return scan_fail(&c, PK_PARAM_ARG_SCAN, "a scan with non-integer bounds needs %s",
                         c.what[PK_PARAM_ARG_STEP]);
    if (lo.value > hi.value)
        return scan_fail(&c, PK_PARAM_ARG_LO, "%s %s is greater than %s %s", c.what[1], s->lo,
                         c.what[2], s->hi);
    if (s->step && !(st.value > 0))
        return scan_fail(&c, PK_PARAM_ARG_STEP, "%s must be greater than 0, got `%s`",
                         c.what[3], s->step);
    double step = s->step ? st.value : 1;
    double count = floor((hi.value - lo.value) / step) + 1;
    if (!(count <= PK_PARAMS_MAX))
        return scan_fail(&c, PK_PARAM_ARG_SCAN,
                         "the scan from %s to %s in steps of %s makes %.0f values; at most %d",
                         s->lo, s->hi, s->step ? s->step : "1", count, PK_PARAMS_MAX);
    int d = decimals(&lo);
    if (s->step && decimals(&st) > d)
        d = decimals(&st);
    size_t cap = 0;
    pk_err e;
    if (!(out->name = pk_strdup(name)))
        e = PK_ENOMEM;
    else if (d == 0)
        e = scan_integers(&c, &lo, &hi, s->step ? &st : NULL, out, &cap);
    else
        e = scan_decimals(&c, &lo, &hi, s->step ? &st : NULL, d, out, &cap);
    if (e == PK_OK && out->n > PK_PARAMS_MAX)   /* rounding of the estimate */
        e = scan_fail(&c, PK_PARAM_ARG_SCAN, "the scan makes more than %d values",
                      PK_PARAMS_MAX);
    if (e == PK_ENOMEM)
        pk_diag_set(diag, "", 0, 0, "out of memory");
    if (e != PK_OK)
        pk_params_free(out);
    return e;
}

/* ---- lists -------------------------------------------------------------- */

pk_err pk_params_check_count(size_t n_values, size_t n_tmpl, pk_diag *diag)
{
    if (n_values > PK_PARAMS_MAX) {
        pk_diag_set(diag, "", 0, 0, "%zu values; at most %d", n_values, PK_PARAMS_MAX);
        return PK_EINVAL;
    }
    size_t nv = n_values ? n_values : 1;
    if (n_tmpl > PK_PARAMS_MAX || nv * n_tmpl > PK_PARAMS_MAX) {   /* no overflow: both <= 1e5 */
        pk_diag_set(diag, "", 0, 0, "%zu command%s × %zu value%s make %zu commands; at most %d",
                    n_tmpl, n_tmpl == 1 ? "" : "s", nv, nv == 1 ? "" : "s",
                    n_tmpl > PK_PARAMS_MAX ? n_tmpl : nv * n_tmpl, PK_PARAMS_MAX);
        return PK_EINVAL;
    }
    return PK_OK;
}

pk_err pk_params_list(const char *name, const char *list, pk_params *out, pk_diag *diag)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!name || !list || !out) {
        pk_diag_set(diag, "", 0, 0, "a parameter list needs a name and values");
        return PK_EINVAL;
    }
    size_t n = 1;
    for (const char *s = list; (s = strchr(s, ',')); s++)
        n++;
    pk_err e = pk_params_check_count(n, 1, diag);
    if (e != PK_OK)
        return e;
    char **values = pk_calloc(n, sizeof *values), *copy = pk_strdup(name);
    size_t k = 0;
    for (const char *s = list; values && copy && k < n; s += strcspn(s, ",") + 1) {
        if (!(values[k] = pk_strndup(s, strcspn(s, ","))))
            break;
        k++;
    }
    if (values && copy && k == n) {
        *out = (pk_params){.name = copy, .values = values, .n = n};
        return PK_OK;
    }
    while (values && k > 0)
        pk_free(values[--k]);
    pk_free(values);
    pk_free(copy);
    pk_diag_set(diag, "", 0, 0, "out of memory");
    return PK_ENOMEM;
}

void pk_params_free(pk_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        pk_free(p->values[i]);
    pk_free(p->values);
    pk_free(p->name);
    memset(p, 0, sizeof *p);
}

/* ---- commands ----------------------------------------------------------- */

static void cmd_free(pk_cmdbench_cmd *c)
{
    /* the list owns every string it hands out as const */
    pk_free((void *)c->name);
    pk_free((void *)c->command);
    pk_free((void *)c->prepare);
    pk_free((void *)c->conclude);
    pk_free((void *)c->param_name);
    pk_free((void *)c->param_value);
    memset(c, 0, sizeof *c);
}

void pk_cmd_list_free(pk_cmd_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        cmd_free(&l->cmds[i]);
    pk_free(l->cmds);
    memset(l, 0, sizeof *l);
}

/* s with {name} replaced by value (a copy of s without a parameter); NULL s
 * stays NULL. false on allocation failure. */
static bool subst(const char *s, const char *name, const char *value, const char **out)
{
    *out = NULL;
    if (!s)
        return true;
    *out = name ? pk_shellwords_subst(s, name, value) : pk_strdup(s);
    return *out != NULL;
}

/* The same into a script for sh -c when sh: the value quoted for the shell
 * (pk_shellwords_subst_sh). */
static bool subst_cmd(const char *s, const char *name, const char *value, bool sh,
                      const char **out)
{
    if (!sh || !s || !name)
        return subst(s, name, value, out);
    *out = pk_shellwords_subst_sh(s, name, value);
    return *out != NULL;
}

/* The display name of template name t for one value (see params.h). */
static bool display_name(const char *t, const char *name, const char *value, const char **out)
{
    *out = NULL;
    if (!t || !name)
        return subst(t, NULL, NULL, out);
    pk__buf b = {0};
    pk_err e = pk__buf_printf(&b, "{%s}", name);
    bool placeholder = e == PK_OK && strstr(t, b.data);
    pk__buf_free(&b);
    if (e != PK_OK)
        return false;
    if (placeholder)
        return subst(t, name, value, out);
    if (pk__buf_printf(&b, "%s/%s", t, value) != PK_OK)
        return false;
    return (*out = pk__buf_take(&b)) != NULL;
}

static bool expand_one(const pk_cmdbench_cmd *t, const char *name, const char *value, bool sh,
                       pk_cmdbench_cmd *c)
{
    return subst_cmd(t->command, name, value, sh, &c->command) &&
           subst_cmd(t->prepare, name, value, sh, &c->prepare) &&
           subst_cmd(t->conclude, name, value, sh, &c->conclude) &&
           display_name(t->name, name, value, &c->name) &&
           subst(name, NULL, NULL, &c->param_name) &&
           subst(value, NULL, NULL, &c->param_value);
}

static pk_err expand(const pk_cmdbench_cmd *tmpl, size_t n_tmpl, const pk_params *p, bool sh,
                     pk_cmd_list *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!tmpl || !n_tmpl || !out)
        return PK_EINVAL;
    for (size_t t = 0; t < n_tmpl; t++)
        if (!tmpl[t].command)
            return PK_EINVAL;
    bool scan = p && p->n && p->name;
    size_t nv = scan ? p->n : 1;
    if (pk_params_check_count(scan ? p->n : 0, n_tmpl, NULL) != PK_OK)
        return PK_EINVAL;
    out->cmds = pk_calloc(nv * n_tmpl, sizeof *out->cmds);
    if (!out->cmds)
        return PK_ENOMEM;
    for (size_t v = 0; v < nv; v++) {
        for (size_t t = 0; t < n_tmpl; t++) {
            pk_cmdbench_cmd *c = &out->cmds[out->n++];
            if (!expand_one(&tmpl[t], scan ? p->name : NULL, scan ? p->values[v] : NULL, sh,
                            c)) {
                pk_cmd_list_free(out);
                return PK_ENOMEM;
            }
        }
    }
    return PK_OK;
}

pk_err pk_cmd_list_expand(const pk_cmdbench_cmd *tmpl, size_t n_tmpl, const pk_params *p,
                          pk_cmd_list *out)
{
    return expand(tmpl, n_tmpl, p, false, out);
}

pk_err pk_cmd_list_expand_sh(const pk_cmdbench_cmd *tmpl, size_t n_tmpl, const pk_params *p,
                             pk_cmd_list *out)
{
    return expand(tmpl, n_tmpl, p, true, out);
}

pk_err pk_cmd_list_reference(pk_cmd_list *l, const char *ref, size_t *index, pk_diag *diag)
{
    if (!l || !index)
        return PK_EINVAL;
    *index = 0;
    if (!ref)
        return PK_OK;
    char *end;
    unsigned long long k = strtoull(ref, &end, 10);
    if (!*end && end != ref && ref[0] >= '0' && ref[0] <= '9') {
        if (k < 1 || k > l->n) {
            if (l->n == 1)
                pk_diag_set(diag, "", 0, 0, "reference %s: there is 1 command", ref);
            else
                pk_diag_set(diag, "", 0, 0, "reference %s: there are %zu commands (1-%zu)", ref,
                            l->n, l->n);
            return PK_EINVAL;
        }
        *index = (size_t)k - 1;
        return PK_OK;
    }
    for (size_t i = 0; i < l->n; i++) {
        const pk_cmdbench_cmd *c = &l->cmds[i];
        if (strcmp(c->command, ref) == 0 || (c->name && strcmp(c->name, ref) == 0)) {
            *index = i;
            return PK_OK;
        }
    }
    pk_cmdbench_cmd *nc = pk_reallocarray(l->cmds, l->n + 1, sizeof *nc);
    if (!nc) {
        pk_diag_set(diag, "", 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    l->cmds = nc;
    char *copy = pk_strdup(ref);
    if (!copy) {
        pk_diag_set(diag, "", 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    memmove(nc + 1, nc, l->n * sizeof *nc);
    memset(nc, 0, sizeof *nc);
    nc[0].command = copy;
    l->n++;
    return PK_OK;
}
