/* check_text.c — the `perfkit check` verdict on a terminal (CI logs).
 *
 *   perfkit check (perfkit.yml)  run #42 · commit 1a2b3c4d5e (dirty) · branch main
 *                                · ci-3 (Intel Xeon, 8 cores, x86_64)
 *   sort
 *     wall.p95       61.20 ms  > 55.00 ms (budget 50ms +10% tolerance)  +11.3% over  over budget
 *     items_per_second.median  800.0 K  < 1.000 M (budget ≥ 1M)  -20.0% under  below minimum
 *     wall (median)  12.40 ms  vs 10.30 ms baseline (run #41)  +20.4% [+18.1% … +22.9%]  p = 2e-06  regressed
 *     3 passed
 *   2 over budget, 1 regressed, 14 passed — FAILED
 *
 * One table for the whole report, grouped by benchmark (size budgets group
 * by file), columns aligned over the rows shown. Without verbose, rows are
 * the items that are not PASS plus every regression item with a comparison
 * (the changes); the rest of a group is one "N passed" count. A comparison
 * of two stored runs (perfkit compare) shows only what changed: its PASS
 * items (unchanged by the gate's rule) are folded into one "N unchanged
 * figures hidden; -v shows all" line, and a benchmark with no change is
 * left out. Values are
 * formatted by unit kind; a figure that was not measured reads "—", never 0.
 * Notes follow their row, indented. Warnings (they never fail the gate)
 * follow the table, one "warning: BENCH: message" line each. Verdict words
 * are coloured (ANSI) only when asked. Names are printed with control characters neutralised. */
#include "report/check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "perfkit/alloc.h"

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define DIM "\033[2m"
#define RESET "\033[0m"
#define DASH "\xe2\x80\x94"   /* — */

/* Column caps: longer cells push the row out rather than widen the table. */
enum { W_LABEL = 32, W_VALUE = 12, W_DETAIL = 60, W_CHANGE = 40, W_P = 12 };

typedef struct out {
    FILE *f;
    bool color;
} out;

static const char *sgr(const out *o, const char *code)
{
    return o->color ? code : "";
}

typedef struct widths {
    size_t label, value, detail, change, p;
} widths;

static bool shown(const pk_check_report *r, const pk_check_item *it, bool verbose)
{
    if (verbose)
        return true;
    if (pk__report_check_folded(r, it))
        return false;   /* a comparison of two runs shows what changed */
    /* a size that passed is the same size: counted, like a budget kept */
    return it->status != PK_CHECK_PASS || (it->kind == PK_ITEM_REGRESSION && it->has_cmp);
}

static void widen(size_t *w, const char *cell, size_t cap)
{
    size_t n = pk__report_width(cell);
    if (n > cap)
        n = cap;
    if (n > *w)
        *w = n;
}

static const char *verdict_color(const pk_check_report *r, pk_check_status s)
{
    if (pk__report_check_fails(r, s))
        return BOLD RED;
    return s == PK_CHECK_PASS || s == PK_CHECK_IMPROVED ? GREEN : YELLOW;
}

/* cell left-aligned in w columns, then the column gap; nothing for an
 * empty column. */
static void cell(FILE *f, const char *s, size_t w)
{
    if (w == 0)
        return;
    size_t n = pk__report_width(s);
    fputs(s, f);
    pk__report_pad(f, (n < w ? w - n : 0) + 2);
}

/* The note under its row, every line indented. */
static void note_lines(const out *o, const char *note)
{
    char clean[1024];
    const char *p = note;
    while (p && *p) {
        size_t n = strcspn(p, "\n");
        if (n > 0 || p[n]) {
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1),
                     p);
            fprintf(o->f, "      %s\n", pk__report_check_clean(line, clean, sizeof clean));
        }
        p += n + (p[n] == '\n');
    }
}

/* A failed command's stderr tail under its row, as `perfkit bench` shows it:
 * line by line, each made terminal-safe. */
static void stderr_lines(const out *o, const char *tail)
{
    if (!tail || !*tail)
        return;
    char clean[1024], line[1024];
    size_t n = strlen(tail);
    while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
        n--;
    fputs("      stderr (tail):\n", o->f);
    for (size_t k = 0; k < n;) {
        size_t len = strcspn(tail + k, "\n");
        if (k + len > n)
            len = n - k;
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1),
                 tail + k);
        fprintf(o->f, "        %s\n", pk__report_check_clean(line, clean, sizeof clean));
        k += len + 1;
    }
}

static void item_row(const out *o, const pk_check_report *r, const pk_check_item *it,
                     const widths *w)
{
    pk__report_check_row x;
    pk__report_check_cells(it, &x);
    fputs("  ", o->f);
    cell(o->f, x.label, w->label);
    size_t vn = pk__report_width(x.value);
    pk__report_pad(o->f, vn < w->value ? w->value - vn : 0);   /* numbers right-aligned */
    fputs(x.value, o->f);
    pk__report_pad(o->f, 2);
    cell(o->f, x.detail, w->detail);
    cell(o->f, x.change, w->change);
    cell(o->f, x.p, w->p);
    fprintf(o->f, "%s%s%s\n", sgr(o, verdict_color(r, it->status)),
            pk__report_check_verdict(it), sgr(o, RESET));
    note_lines(o, it->note);
    stderr_lines(o, it->stderr_tail);
}

static void header(const out *o, const pk_check_report *r)
{
    const pk_run_meta *m = &r->run;
    char buf[256], sc[16];
    fprintf(o->f, "%sperfkit %s%s", sgr(o, BOLD), r->compared_with ? "compare" : "check",
            sgr(o, RESET));
    if (r->config_path[0])
        fprintf(o->f, " (%s)", pk__report_check_clean(r->config_path, buf, sizeof buf));
    if (m->id > 0 && r->compared_with)
        fprintf(o->f, "  run #%" PRId64 " against run #%" PRId64, m->id, r->compared_with);
    else if (m->id > 0)
        fprintf(o->f, "  run #%" PRId64, m->id);
    else
        fputs("  run not stored", o->f);
    if (m->commit[0]) {
        fprintf(o->f, " \xc2\xb7 commit %s%s",
                pk__report_check_short_commit(pk__report_check_clean(m->commit, buf, sizeof buf),
                                              sc, sizeof sc),
                m->dirty ? " (dirty)" : "");
        fprintf(o->f, " \xc2\xb7 branch %s",
                m->branch[0] ? pk__report_check_clean(m->branch, buf, sizeof buf)
                             : "(detached)");
    } else {
        fputs(" \xc2\xb7 not in git", o->f);
    }
    const pk_machine *mc = &m->machine;
    fputs(" \xc2\xb7 ", o->f);
    if (mc->hostname[0])
        fprintf(o->f, "%s ", pk__report_check_clean(mc->hostname, buf, sizeof buf));
    fprintf(o->f, "(%s, %d cores, %s)\n",
            mc->cpu_model[0] ? pk__report_check_clean(mc->cpu_model, buf, sizeof buf)
                             : "unknown CPU",
            mc->cores, mc->arch[0] ? mc->arch : "unknown arch");
    if (r->pair_ref[0])
        fprintf(o->f, "paired mode: against %s (commit %s), both measured in this job, "
                      "interleaved\n",
                pk__report_check_clean(r->pair_ref, buf, sizeof buf),
                pk__report_check_short_commit(r->pair_commit, sc, sizeof sc));
}

static void summary(const out *o, const pk_check_report *r)
{
    char counts[512];
    fprintf(o->f, "%s %s %s%s%s", pk__report_check_counts(r, counts, sizeof counts), DASH,
            sgr(o, r->failed ? BOLD RED : BOLD GREEN), r->failed ? "FAILED" : "ok",
            sgr(o, RESET));
    size_t nm = r->count[PK_CHECK_NOT_MEASURABLE], inc = r->count[PK_CHECK_INCONCLUSIVE];
    if (r->strict && (nm || inc)) {
        fputs(" (--strict: ", o->f);
        if (nm)
            fprintf(o->f, "%zu not measurable", nm);
        if (inc)
            fprintf(o->f, "%s%zu inconclusive", nm ? ", " : "", inc);
        fputs(" count as failures)", o->f);
    }
    fputc('\n', o->f);
}

/* The group's heading: the benchmark, or the file of size budgets. */
static void group_name(const out *o, const pk_check_item *it)
{
    char buf[256];
    fprintf(o->f, "%s%s%s%s", sgr(o, BOLD),
            pk__report_check_clean(it->benchmark ? it->benchmark : "", buf, sizeof buf),
            pk__report_check_is_size(it) ? " (size)" : "", sgr(o, RESET));
}

pk_err pk_check_write_text(FILE *f, const pk_check_report *r, const pk_write_opts *opts)
{
    if (!f || !r || (r->n_items && !r->items))
        return PK_EINVAL;
    out o = {f, opts && opts->color};
    bool verbose = opts && opts->verbose;
    size_t *ord = NULL;
    pk_err e = pk__report_check_order(r, &ord);
    if (e != PK_OK)
        return e;
    widths w = {0};
    for (size_t k = 0; k < r->n_items; k++) {
        const pk_check_item *it = &r->items[ord[k]];
        pk__report_check_row x;
        if (!shown(r, it, verbose))
            continue;
        pk__report_check_cells(it, &x);
        widen(&w.label, x.label, W_LABEL);
        widen(&w.value, x.value, W_VALUE);
        widen(&w.detail, x.detail, W_DETAIL);
        widen(&w.change, x.change, W_CHANGE);
        widen(&w.p, x.p, W_P);
    }
    header(&o, r);
    fputc('\n', f);
    size_t hidden = 0;   /* a comparison's unchanged figures */
    for (size_t k = 0; k < r->n_items;) {
        size_t end = k + 1, n_shown = 0, n_folded = 0;
        const pk_check_item *first = &r->items[ord[k]];
        while (end < r->n_items && pk__report_check_same_group(first, &r->items[ord[end]]))
            end++;
        for (size_t j = k; j < end; j++) {
            n_shown += shown(r, &r->items[ord[j]], verbose);
            n_folded += !verbose && pk__report_check_folded(r, &r->items[ord[j]]);
        }
        hidden += n_folded;
        if (n_shown == 0 && n_folded == end - k) {
            k = end;   /* nothing of it changed: only counted below */
            continue;
        }
        group_name(&o, first);
        if (n_shown == 0) {
            fprintf(f, "  %zu passed\n", end - k);
        } else {
            fputc('\n', f);
            for (size_t j = k; j < end; j++)
                if (shown(r, &r->items[ord[j]], verbose))
                    item_row(&o, r, &r->items[ord[j]], &w);
            if (end - k > n_shown + n_folded)
                fprintf(f, "  %s%zu passed%s\n", sgr(&o, DIM), end - k - n_shown - n_folded,
                        sgr(&o, RESET));
        }
        k = end;
    }
    if (hidden)
        fprintf(f, "%s%zu unchanged figure%s hidden; -v shows all%s\n", sgr(&o, DIM), hidden,
                hidden == 1 ? "" : "s", sgr(&o, RESET));
    if (r->n_items)
        fputc('\n', f);
    for (size_t i = 0; i < r->n_warnings; i++) {
        char b[256], m[1024];
        const pk_check_warning *wn = &r->warnings[i];
        fprintf(f, "%swarning%s: %s: %s\n", sgr(&o, YELLOW), sgr(&o, RESET),
                pk__report_check_clean(wn->benchmark ? wn->benchmark : "", b, sizeof b),
                pk__report_check_clean(wn->message ? wn->message : "", m, sizeof m));
    }
    if (r->n_warnings)
        fputc('\n', f);
    pk__report_profiles_text(f, r);
    summary(&o, r);
    pk_free(ord);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
