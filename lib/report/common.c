/* common.c — small helpers every lib/report writer shares.
 *
 * Number formatting (shortest round-trip decimals as hyperfine prints them,
 * thousands separators), enum names, the machine line, column widths and
 * padding for the terminal writers, and the jansson glue
 * (null for non-finite reals, exact 64-bit integers, dump with error check). */
#include "report/report_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/termsafe.h"
#include "perfkit/units.h"

bool pk__report_relative_of(const pk_bench_report *r, size_t i, pk__report_relative *out)
{
    const pk_cmd_report *cr = &r->cmds[i];
    memset(out, 0, sizeof *out);
    out->lo = out->hi = NAN;
    if (cr->has_comparison) {
        out->compared = true;
        out->ratio = cr->cmp.ratio;
    } else {
        /* the statistic the comparison would have used, point values only */
        const pk_summary *s = pk__report_fig(r, i, r->primary);
        const pk_summary *ref = pk__report_fig(r, r->reference, r->primary);
        bool median = r->compare.method == PK_TEST_MANN_WHITNEY;
        if (!s || !ref || (median ? ref->median : ref->mean) == 0)
            return false;
        out->ratio = (median ? s->median : s->mean) / (median ? ref->median : ref->mean);
    }
    out->slower = out->ratio >= 1;
    out->factor = out->slower ? out->ratio : 1 / out->ratio;
    if (out->compared) {
        const pk_ci *ci = &cr->cmp.ratio_ci;
        out->lo = out->slower ? ci->lo : 1 / ci->hi;
        out->hi = out->slower ? ci->hi : 1 / ci->lo;
    }
    out->prec = out->factor < 1.05 ? 3 : 2;
    return true;
}

const char *pk__report_cmd_name(const pk_cmd_result *c)
{
    if (c->name)
        return c->name;
    return c->command ? c->command : "";
}

const pk_summary *pk__report_fig(const pk_bench_report *r, size_t i, pk_metric f)
{
    const pk_figure *fig = &r->cmds[i].fig[f];
    return fig->measured ? &fig->s : NULL;
}

char *pk__report_fmt_double(double v, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (!isfinite(v))
        return buf;
    /* Fewest decimals that read back exactly; 17 significant digits always
     * do, so the loop ends by d = 17 - exponent (bounded at 340 below). */
    for (int d = 0; d <= 340; d++) {
        int n = snprintf(buf, len, "%.*f", d, v);
        if (n < 0 || (size_t)n >= len)
            break;
        if (strtod(buf, NULL) == v)
            return buf;
    }
    snprintf(buf, len, "%.17g", v);
    return buf;
}

char *pk__report_fmt_thousands(uint64_t v, char *buf, size_t len)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    char out[48];
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

size_t pk__report_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

size_t pk__report_safe_width(const char *s)
{
    char small[256];
    size_t need = pk_termsafe_size(s);
    char *buf = need <= sizeof small ? small : pk_malloc(need);
    if (!buf)
        return pk__report_width(s) + need;   /* an upper bound: escapes are longer */
    size_t w = pk__report_width(pk_termsafe(s, buf, need));
    if (buf != small)
        pk_free(buf);
    return w;
}

void pk__report_pad(FILE *f, size_t n)
{
    while (n-- > 0)
        fputc(' ', f);
}

const char *pk__report_measure_name(pk_measure m)
{
    return m == PK_MEASURE_INSTRUCTIONS ? "instructions" : "time";
}

const char *pk__report_method_name(pk_test_method m)
{
    switch (m) {
    case PK_TEST_MANN_WHITNEY: return "mann-whitney";
    case PK_TEST_WELCH:        return "welch";
    case PK_TEST_EXACT:        return "exact";
    }
    return "unknown";
}

const char *pk__report_instr_source_name(pk_instr_source s)
{
    switch (s) {
    case PK_INSTR_HARDWARE:   return "hardware counter";
    case PK_INSTR_CACHEGRIND: return "cachegrind";
    case PK_INSTR_NONE:
    case PK_INSTR_AUTO:       break;
    }
    return NULL;
}

char *pk__report_machine_line(const pk_machine *m, char *buf, size_t len)
{
    char mem[32] = "unknown";
    if (m->mem_bytes)
        pk_units_format_size((double)m->mem_bytes, mem, sizeof mem);
    snprintf(buf, len, "%s (%d cores), %s, %s, %s RAM, load %.2f %.2f %.2f",
             m->cpu_model[0] ? m->cpu_model : "unknown", m->cores,
             m->kernel[0] ? m->kernel : "unknown", m->arch[0] ? m->arch : "unknown",
             mem, m->load[0], m->load[1], m->load[2]);
    return buf;
}

json_t *pk__report_json_real(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *pk__report_json_u64(uint64_t v)
{
    if (v > (uint64_t)INT64_MAX)
        return json_real((double)v);
    return json_integer((json_int_t)v);
}

json_t *pk__report_json_str(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Not UTF-8 (or out of memory): keep ASCII, mark the rest. */
    char *copy = pk_strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    pk_free(copy);
    return j;
}

int pk__report_json_set(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return -1;
    return json_object_set_new(obj, key, v);
}

int pk__report_json_push(json_t *arr, json_t *v)
{
    if (!v)
        return -1;
    return json_array_append_new(arr, v);
}

json_t *pk__report_machine_json(const pk_machine *m)
{
    json_t *o = json_object(), *load = json_array();
    char fp[17];
    if (!o || !load) {
        json_decref(o);
        json_decref(load);
        return NULL;
    }
    pk_machine_fingerprint(m, fp);
    if (pk__report_json_set(o, "cpu_model", pk__report_json_str(m->cpu_model)) ||
        pk__report_json_set(o, "cores", json_integer(m->cores)) ||
        pk__report_json_set(o, "kernel", pk__report_json_str(m->kernel)) ||
        pk__report_json_set(o, "arch", pk__report_json_str(m->arch)) ||
        pk__report_json_set(o, "hostname", pk__report_json_str(m->hostname)) ||
        pk__report_json_set(o, "mem_bytes", pk__report_json_u64(m->mem_bytes))) {
        json_decref(load);
        goto fail;
    }
    if (pk__report_json_set(o, "load", load))   /* load is o's from here on */
        goto fail;
    for (int i = 0; i < 3; i++)
        if (pk__report_json_push(load, pk__report_json_real(m->load[i])))
            goto fail;
    if (pk__report_json_set(o, "fingerprint", json_string(fp)))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

pk_err pk__report_json_dump(FILE *f, json_t *root)
{
    if (!root)
        return PK_ENOMEM;
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF || fflush(f) == EOF || ferror(f))
        return PK_EIO;
    return PK_OK;
}
