/* check_profiles.c — the profiles of a check (perfkit/check.h,
 * pk_check_profile) in each writer: text and Markdown print, per profile,
 * where the flame graph is and the functions whose share of the samples
 * changed most; JSON gives the same as data:
 *
 *   profiles[{benchmark, regressed, base ("paired" | "history" | null),
 *             base_run, svg, folded, base_folded, samples, base_samples,
 *             runs, base_runs, stored, error,
 *             top[{function, self_before, self_after, total_before,
 *                  total_after}]}]
 *
 * Shares are percentages of each side's samples; without a base the
 * "before" shares are null and the table lists the largest self shares.
 * Names and paths are untrusted text (symbol names of any binary): the
 * text writer passes them through pk__report_check_clean, Markdown puts
 * them in code spans, JSON escapes them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/check_int.h"
#include "report/report_int.h"

static bool based(const pk_check_profile *p)
{
    return p->base != PK_PROFILE_BASE_NONE;
}

/* "against the paired base (4 runs, 1043 samples)" and the like. */
static void against(const pk_check_profile *p, char *buf, size_t len)
{
    switch (p->base) {
    case PK_PROFILE_BASE_PAIRED:
        snprintf(buf, len, "against the paired base (%zu runs, %llu samples)", p->runs[0],
                 (unsigned long long)p->samples[0]);
        break;
    case PK_PROFILE_BASE_HISTORY:
        snprintf(buf, len, "against the profile of run %lld (%llu samples)",
                 (long long)p->base_run, (unsigned long long)p->samples[0]);
        break;
    default:
        snprintf(buf, len, "no profile of the baseline to compare with "
                 "(`profile: always` keeps one with every run)");
        break;
    }
}

/* The larger move of c into buf, as "+26.2 pts total". */
static const char *grew(const pk_check_profile_change *c, char *buf, size_t len)
{
    double s = c->self[1] - c->self[0], t = c->total[1] - c->total[0];
    bool self = fabs(s) >= fabs(t);
    snprintf(buf, len, "%+.1f pts %s", self ? s : t, self ? "self" : "total");
    return buf;
}

void pk__report_profiles_text(FILE *f, const pk_check_report *r)
{
    for (size_t i = 0; i < r->n_profiles; i++) {
        const pk_check_profile *p = &r->profiles[i];
        char b[256], path[1024], why[1024], base[192];
        pk__report_check_clean(p->benchmark, b, sizeof b);
        if (!p->svg) {
            fprintf(f, "profile %s: not recorded: %s\n\n", b,
                    pk__report_check_clean(p->error ? p->error : "unknown error", why,
                                           sizeof why));
            continue;
        }
        against(p, base, sizeof base);
        fprintf(f, "profile %s: %s %s\n  %s; this run: %zu runs, %llu samples\n", b,
                based(p) ? "differential flame graph" : "flame graph",
                pk__report_check_clean(p->svg, path, sizeof path), base, p->runs[1],
                (unsigned long long)p->samples[1]);
        if (p->error)
            fprintf(f, "  note: %s\n", pk__report_check_clean(p->error, why, sizeof why));
        if (p->n_top && based(p))
            fprintf(f, "  %-36s %15s   %15s\n  %-36s %7s %7s   %7s %7s  %s\n", "",
                    "self share", "total share", "function", "before", "after", "before",
                    "after", "change");
        else if (p->n_top)
            fprintf(f, "  %-36s %7s %7s\n", "function", "self", "total");
        for (size_t k = 0; k < p->n_top; k++) {
            const pk_check_profile_change *c = &p->top[k];
            char fn[256], mv[48];
            pk__report_check_clean(c->function, fn, sizeof fn);
            if (based(p))
                fprintf(f, "  %-36s %6.1f%% %6.1f%%   %6.1f%% %6.1f%%  %s\n", fn, c->self[0],
                        c->self[1], c->total[0], c->total[1], grew(c, mv, sizeof mv));
            else
                fprintf(f, "  %-36s %6.1f%% %6.1f%%\n", fn, c->self[1], c->total[1]);
        }
        fputc('\n', f);
    }
}

/* s in a Markdown code span: backticks would end it, so they become '. */
static void code(FILE *f, const char *s)
{
    fputc('`', f);
    for (; *s; s++)
        fputc(*s == '`' ? '\'' : (unsigned char)*s < 0x20 ? ' ' : *s, f);
    fputc('`', f);
}

void pk__report_profiles_markdown(FILE *f, const pk_check_report *r)
{
    for (size_t i = 0; i < r->n_profiles; i++) {
        const pk_check_profile *p = &r->profiles[i];
        fputs("\xf0\x9f\x94\xa5 **profile** ", f);
        code(f, p->benchmark);
        if (!p->svg) {
            fputs(": not recorded: ", f);
            code(f, p->error ? p->error : "unknown error");
            fputs("\n\n", f);
            continue;
        }
        char base[192];
        against(p, base, sizeof base);
        fprintf(f, ": %s ", based(p) ? "differential flame graph" : "flame graph");
        code(f, p->svg);
        fprintf(f, " — %s", base);
        if (p->n_top) {
            const pk_check_profile_change *c = &p->top[0];
            fputs("; top change: ", f);
            code(f, c->function);
            bool self = fabs(c->self[1] - c->self[0]) >= fabs(c->total[1] - c->total[0]);
            int s = self ? 0 : 1;
            const double *v = self ? c->self : c->total;
            if (based(p))
                fprintf(f, " %s %.1f%% \xe2\x86\x92 %.1f%%", s ? "total" : "self", v[0], v[1]);
            else
                fprintf(f, " self %.1f%%", c->self[1]);
        }
        fputs("\n\n", f);
    }
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? pk__report_json_str(s) : json_null();
}

static json_t *change_json(const pk_check_profile *p, const pk_check_profile_change *c)
{
    json_t *j = json_object();
    if (j && (pk__report_json_set(j, "function", pk__report_json_str(c->function)) ||
              pk__report_json_set(j, "self_before",
                                  based(p) ? pk__report_json_real(c->self[0]) : json_null()) ||
              pk__report_json_set(j, "self_after", pk__report_json_real(c->self[1])) ||
              pk__report_json_set(j, "total_before",
                                  based(p) ? pk__report_json_real(c->total[0]) : json_null()) ||
              pk__report_json_set(j, "total_after", pk__report_json_real(c->total[1])))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *profile_json(const pk_check_profile *p)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "benchmark", pk__report_json_str(p->benchmark)) ||
        pk__report_json_set(j, "regressed", json_boolean(p->regressed)) ||
        pk__report_json_set(j, "base", based(p) ? json_string(pk_check_profile_base_name(p->base))
                                                : json_null()) ||
        pk__report_json_set(j, "base_run", p->base_run > 0 ? json_integer(p->base_run)
                                                           : json_null()) ||
        pk__report_json_set(j, "svg", str_or_null(p->svg)) ||
        pk__report_json_set(j, "folded", str_or_null(p->folded)) ||
        pk__report_json_set(j, "base_folded", str_or_null(p->base_folded)) ||
        pk__report_json_set(j, "samples", pk__report_json_u64(p->samples[1])) ||
        pk__report_json_set(j, "base_samples", based(p) ? pk__report_json_u64(p->samples[0])
                                                        : json_null()) ||
        pk__report_json_set(j, "runs", pk__report_json_u64(p->runs[1])) ||
        pk__report_json_set(j, "base_runs", p->base == PK_PROFILE_BASE_PAIRED
                                                ? pk__report_json_u64(p->runs[0])
                                                : json_null()) ||
        pk__report_json_set(j, "stored", json_boolean(p->stored)) ||
        pk__report_json_set(j, "error", str_or_null(p->error))) {
        json_decref(j);
        return NULL;
    }
    json_t *top = json_array();
    if (!top || pk__report_json_set(j, "top", top)) {
        json_decref(j);
        return NULL;
    }
    for (size_t k = 0; k < p->n_top; k++)
        if (pk__report_json_push(top, change_json(p, &p->top[k]))) {
            json_decref(j);
            return NULL;
        }
    return j;
}

int pk__report_profiles_json(json_t *root, const pk_check_report *r)
{
    json_t *arr = json_array();
    if (!arr || pk__report_json_set(root, "profiles", arr))
        return -1;
    for (size_t i = 0; i < r->n_profiles; i++)
        if (pk__report_json_push(arr, profile_json(&r->profiles[i])))
            return -1;
    return 0;
}
