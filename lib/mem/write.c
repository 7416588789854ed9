/* write.c — what a profile says, written: the text report (totals, the top
 * call sites by peak, leaked bytes, allocations and temporaries, a
 * sparkline of the heap), JSON ("perfkit/mem/v1"), the timeline as an SVG
 * line chart, and the per-site diff of two profiles (sites matched by their
 * folded stack: addresses differ between runs, names do not). Writers only
 * write to the stream they are given. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "mem_int.h"
#include "perfkit/alloc.h"
#include "perfkit/units.h"

void pk_mem_report_opts_init(pk_mem_report_opts *o)
{
    o->top = 10;
    o->spark_width = 60;
}

static const char *sz(uint64_t b, char *buf, size_t len)
{
    return pk_units_format_size((double)b, buf, len);
}

static const char *dur(uint64_t ns, char *buf, size_t len)
{
    return pk_units_format_duration((double)ns, 0, buf, len);
}

/* "func (file.c:12) ← caller ← caller's caller" into buf. */
static void site_label(pk_mem_profile *p, size_t i, char *buf, size_t len)
{
    const char *func, *file, *stack;
    unsigned line;
    if (pk_mem_site_leaf(p, i, &func, &file, &line) || pk_mem_site_folded(p, i, &stack)) {
        snprintf(buf, len, "stack %u", p->sites[i].stack);
        return;
    }
    size_t at = 0;
    const char *base = file ? strrchr(file, '/') : NULL;
    if (file)
        at += (size_t)snprintf(buf, len, "%s (%s:%u)", func, base ? base + 1 : file, line);
    else
        at += (size_t)snprintf(buf, len, "%s", func);
    /* callers: the folded stack's frames before the leaf's, innermost first */
    const char *end = func;
    int shown = 0;
    while (end > stack && shown < 2 && at < len) {
        const char *q = end - 1;   /* the ';' before */
        const char *s = q;
        while (s > stack && s[-1] != ';')
            s--;
        if (s == stack)
            break;   /* the root: the program's name */
        at += (size_t)snprintf(buf + at, len - at, " ← %.*s", (int)(q - s), s);
        end = s;
        shown++;
    }
}

static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static void sparkline(const pk_mem_profile *p, unsigned width, FILE *f)
{
    if (!width || !p->n_points || !p->tot.peak_bytes)
        return;
    fputs("  heap      ", f);
    size_t n = p->n_points;
    unsigned cells = n < width ? (unsigned)n : width;
    for (unsigned c = 0; c < cells; c++) {
        size_t a = c * n / cells, b = (c + 1) * n / cells;
        uint64_t m = 0;
        for (size_t i = a; i < b; i++)
            m = p->points[i].bytes > m ? p->points[i].bytes : m;
        unsigned k = (unsigned)((m * 8) / (p->tot.peak_bytes + 1));
        fputs(blocks[k > 7 ? 7 : k], f);
    }
    char b1[32], b2[32];
    fprintf(f, "  (0 .. %s over %s)\n", sz(p->tot.peak_bytes, b1, sizeof b1),
            dur(p->tot.duration_ns, b2, sizeof b2));
}

static const char *const end_names[] = {"exit", "_exit", "fatal signal", "exec"};

static void table(pk_mem_profile *p, pk_mem_cost cost, size_t top, size_t *idx, FILE *f)
{
    static const char *const titles[] = {
        "Allocated bytes by call site", "Allocations by call site",
        "Alive at the peak, by call site", "Leaked at exit, by call site",
        "Temporary allocations by call site"};
    size_t n = pk_mem_sites_by(p, cost, idx);
    if (!n)
        return;
    fprintf(f, "\n%s\n", titles[cost]);
    uint64_t total = cost == PK_MEM_PEAK ? p->tot.peak_bytes
                   : cost == PK_MEM_LEAKED ? p->tot.leaked_bytes
                   : cost == PK_MEM_COUNT ? p->tot.allocs
                   : cost == PK_MEM_TEMPORARY ? p->tot.temporary : p->tot.alloc_bytes;
    for (size_t r = 0; r < n && r < top; r++) {
        const pk_mem_site *s = &p->sites[idx[r]];
        uint64_t c = pk_mem_site_cost(s, cost);
        char v[32], label[1024], extra[64] = "";
        if (cost == PK_MEM_COUNT || cost == PK_MEM_TEMPORARY)
            snprintf(v, sizeof v, "%" PRIu64, c);
        else
            sz(c, v, sizeof v);
        if (cost == PK_MEM_LEAKED)
            snprintf(extra, sizeof extra, "  %" PRIu64 " blocks", s->leaked_blocks);
        else if (cost == PK_MEM_TEMPORARY)
            snprintf(extra, sizeof extra, "  of %" PRIu64, s->allocs);
        site_label(p, idx[r], label, sizeof label);
        fprintf(f, "  %12s %5.1f%%%s  %s\n", v, total ? 100.0 * (double)c / (double)total : 0.0,
                extra, label);
    }
    if (n > top)
        fprintf(f, "  ... %zu more\n", n - top);
}

pk_err pk_mem_write_text(pk_mem_profile *p, const pk_mem_report_opts *o, FILE *f)
{
    pk_mem_report_opts def;
    if (!o) {
        pk_mem_report_opts_init(&def);
        o = &def;
    }
    const pk_mem_totals *t = &p->tot;
    const pk_mem_info *in = &p->info;
    char b1[32], b2[32];
    fprintf(f, "perfkit mem: %s (pid %" PRIu64 "), %s", *in->cmdline ? in->cmdline : "?",
            in->pid, dur(t->duration_ns, b1, sizeof b1));
    if (in->exit_status >= 0)
        fprintf(f, ", exit status %d", in->exit_status);
    if (in->end_reason >= 0 && in->end_reason != 0)
        fprintf(f, ", ended by %s", end_names[in->end_reason]);
    if (in->end_signal)
        fprintf(f, " (signal %d)", in->end_signal);
    fputc('\n', f);
    if (in->truncated)
        fputs("  (the file has no end record: the program was killed; figures up to its last "
              "event)\n", f);
    fprintf(f, "  allocations %" PRIu64 " (%s), temporary %" PRIu64 " (%.1f%%)\n", t->allocs,
            sz(t->alloc_bytes, b1, sizeof b1), t->temporary,
            t->allocs ? 100.0 * (double)t->temporary / (double)t->allocs : 0.0);
    fprintf(f, "  peak heap   %s at %s\n", sz(t->peak_bytes, b1, sizeof b1),
            dur(t->peak_ns, b2, sizeof b2));
    fprintf(f, "  leaked      %s in %" PRIu64 " blocks\n", sz(t->leaked_bytes, b1, sizeof b1),
            t->leaked_blocks);
    if (t->unknown_frees)
        fprintf(f, "  frees of blocks allocated before recording or elsewhere: %" PRIu64
                   " (ignored)\n", t->unknown_frees);
    if (in->forks)
        fprintf(f, "  forked %" PRIu64 " children (not in this file)\n", in->forks);
    sparkline(p, o->spark_width, f);
    size_t *idx = pk_malloc((p->n_sites ? p->n_sites : 1) * sizeof *idx);
    if (!idx)
        return PK_ENOMEM;
    pk_err e = pk__mem_names_make(p);
    if (!e) {
        table(p, PK_MEM_PEAK, o->top, idx, f);
        table(p, PK_MEM_LEAKED, o->top, idx, f);
        table(p, PK_MEM_COUNT, o->top, idx, f);
        table(p, PK_MEM_TEMPORARY, o->top, idx, f);
    }
    pk_free(idx);
    if (!e && ferror(f))
        e = PK_EIO;
    return e;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

pk_err pk_mem_write_json(pk_mem_profile *p, const pk_mem_report_opts *o, FILE *f)
{
    (void)o;
    pk_err e = pk__mem_names_make(p);
    if (e)
        return e;
    const pk_mem_totals *t = &p->tot;
    const pk_mem_info *in = &p->info;
    fputs("{\"schema\":\"perfkit/mem/v1\",\"command\":", f);
    json_str(f, in->cmdline);
    fputs(",\"exe\":", f);
    json_str(f, in->exe);
    fprintf(f, ",\"pid\":%" PRIu64 ",\"truncated\":%s,\"end_reason\":%d,\"end_signal\":%d,"
               "\"exit_status\":%d,\"forks\":%" PRIu64 ",\n\"totals\":{\"allocs\":%" PRIu64
               ",\"alloc_bytes\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"unknown_frees\":%" PRIu64
               ",\"temporary\":%" PRIu64 ",\"peak_bytes\":%" PRIu64 ",\"peak_ns\":%" PRIu64
               ",\"leaked_bytes\":%" PRIu64 ",\"leaked_blocks\":%" PRIu64
               ",\"duration_ns\":%" PRIu64 ",\"stacks\":%zu,\"threads\":%zu},\n\"sites\":[",
            in->pid, in->truncated ? "true" : "false", in->end_reason, in->end_signal,
            in->exit_status, in->forks, t->allocs, t->alloc_bytes, t->frees, t->unknown_frees,
            t->temporary, t->peak_bytes, t->peak_ns, t->leaked_bytes, t->leaked_blocks,
            t->duration_ns, t->stacks, t->threads);
    size_t *idx = pk_malloc((p->n_sites ? p->n_sites : 1) * sizeof *idx);
    if (!idx)
        return PK_ENOMEM;
    size_t n = pk_mem_sites_by(p, PK_MEM_ALLOCATED, idx);
    /* zero-byte allocations only: still sites */
    for (size_t i = 0; i < p->n_sites; i++)
        if (!p->sites[i].alloc_bytes)
            idx[n++] = i;
    for (size_t r = 0; r < n; r++) {
        const pk_mem_site *s = &p->sites[idx[r]];
        const pk__mem_names *nm = &p->names[idx[r]];
        fprintf(f, "%s\n{\"stack\":%u,\"function\":", r ? "," : "", s->stack);
        json_str(f, nm->func);
        fputs(",\"file\":", f);
        if (nm->file)
            json_str(f, nm->file);
        else
            fputs("null", f);
        fprintf(f, ",\"line\":%u,\"folded\":", nm->line);
        json_str(f, nm->folded);
        fprintf(f, ",\"allocs\":%" PRIu64 ",\"alloc_bytes\":%" PRIu64 ",\"peak_bytes\":%" PRIu64
                   ",\"leaked_bytes\":%" PRIu64 ",\"leaked_blocks\":%" PRIu64
                   ",\"temporary\":%" PRIu64 "}",
                s->allocs, s->alloc_bytes, s->peak_bytes, s->leaked_bytes, s->leaked_blocks,
                s->temporary);
    }
    pk_free(idx);
    fputs("],\n\"timeline\":[", f);
    for (size_t i = 0; i < p->n_points; i++)
        fprintf(f, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "", p->points[i].t_ns,
                p->points[i].bytes);
    fputs("]}\n", f);
    return ferror(f) ? PK_EIO : PK_OK;
}

pk_err pk_mem_write_timeline_svg(const pk_mem_profile *p, const char *title, FILE *f)
{
    const double W = 900, H = 300, L = 80, R = 20, T = 40, B = 40;
    double tmax = p->n_points ? (double)p->points[p->n_points - 1].t_ns : 1;
    if (p->tot.duration_ns > tmax)
        tmax = (double)p->tot.duration_ns;
    if (tmax <= 0)
        tmax = 1;
    double ymax = p->tot.peak_bytes ? (double)p->tot.peak_bytes : 1;
    char b1[32], b2[32];
    fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
               "<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Verdana\" font-size=\"12\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
               "<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">",
            W, H, W, H, W / 2);
    for (const char *s = title ? title : "Heap over time"; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
    fprintf(f, "</text>\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#000\"/>\n"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#000\"/>\n",
            L, T, L, H - B, L, H - B, W - R, H - B);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n"
               "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n"
               "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n",
            L - 6, T + 4, sz(p->tot.peak_bytes, b1, sizeof b1), L - 6, H - B + 4, W - R,
            H - B + 18, dur((uint64_t)tmax, b2, sizeof b2));
    fprintf(f, "<polyline fill=\"#b5e3a1\" fill-opacity=\"0.6\" stroke=\"#2e7d32\" "
               "stroke-width=\"1.5\" points=\"%.1f,%.1f", L, H - B);
    for (size_t i = 0; i < p->n_points; i++) {
        double x = L + (W - L - R) * (double)p->points[i].t_ns / tmax;
        double y = H - B - (H - T - B) * (double)p->points[i].bytes / ymax;
        fprintf(f, " %.1f,%.1f", x, y);
    }
    fprintf(f, " %.1f,%.1f\"/>\n", W - R, H - B);
    if (p->tot.peak_bytes) {
        double x = L + (W - L - R) * (double)p->tot.peak_ns / tmax;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#c62828\"><title>peak %s at "
                   "%s</title></circle>\n",
                x, T, sz(p->tot.peak_bytes, b1, sizeof b1), dur(p->tot.peak_ns, b2, sizeof b2));
    }
    fputs("</svg>\n", f);
    return ferror(f) ? PK_EIO : PK_OK;
}

/* ---- diff ---------------------------------------------------------------- */

typedef struct drow {
    const char *stack;
    const pk_mem_site *s[2];
    size_t i[2];
} drow;

static int64_t delta(const drow *r, pk_mem_cost c)
{
    uint64_t a = r->s[0] ? pk_mem_site_cost(r->s[0], c) : 0;
    uint64_t b = r->s[1] ? pk_mem_site_cost(r->s[1], c) : 0;
    return (int64_t)(b - a);
}

static int by_change(const void *x, const void *y)
{
    const drow *a = x, *b = y;
    int64_t da = delta(a, PK_MEM_ALLOCATED), db = delta(b, PK_MEM_ALLOCATED);
    uint64_t ua = (uint64_t)(da < 0 ? -da : da), ub = (uint64_t)(db < 0 ? -db : db);
    if (ua != ub)
        return ua > ub ? -1 : 1;
    return strcmp(a->stack, b->stack);
}

static void sdelta(int64_t d, bool bytes, char *buf, size_t len)
{
    char v[32];
    uint64_t u = (uint64_t)(d < 0 ? -d : d);
    if (bytes)
        pk_units_format_size((double)u, v, sizeof v);
    else
        snprintf(v, sizeof v, "%" PRIu64, u);
    snprintf(buf, len, "%s%s", d < 0 ? "-" : d > 0 ? "+" : "", v);
}

pk_err pk_mem_write_diff(pk_mem_profile *a, pk_mem_profile *b, size_t top, bool json, FILE *f)
{
    pk_err e = pk__mem_names_make(a);
    if (!e)
        e = pk__mem_names_make(b);
    if (e)
        return e;
    pk_mem_profile *pp[2] = {a, b};
    drow *rows = pk_calloc(a->n_sites + b->n_sites + 1, sizeof *rows);
    pk__hash h = {0};
    size_t n = 0;
    if (!rows)
        return PK_ENOMEM;
    for (int k = 0; k < 2 && !e; k++) {
        for (size_t i = 0; i < pp[k]->n_sites && !e; i++) {
            const char *st = pp[k]->names[i].folded;
            size_t at;
            if (!pk__hash_get(&h, st, strlen(st), &at)) {
                at = n++;
                rows[at].stack = st;
                e = pk__hash_put(&h, st, strlen(st), at);
            }
            rows[at].s[k] = &pp[k]->sites[i];
            rows[at].i[k] = i;
        }
    }
    pk__hash_free(&h);
    if (e) {
        pk_free(rows);
        return e;
    }
    qsort(rows, n, sizeof *rows, by_change);
    static const char *const names[] = {"alloc_bytes", "allocs", "peak_bytes", "leaked_bytes"};
    uint64_t ta[4] = {a->tot.alloc_bytes, a->tot.allocs, a->tot.peak_bytes, a->tot.leaked_bytes};
    uint64_t tb[4] = {b->tot.alloc_bytes, b->tot.allocs, b->tot.peak_bytes, b->tot.leaked_bytes};
    if (json) {
        fputs("{\"schema\":\"perfkit/mem-diff/v1\",\"totals\":{", f);
        for (int c = 0; c < 4; c++)
            fprintf(f, "%s\"%s\":[%" PRIu64 ",%" PRIu64 "]", c ? "," : "", names[c], ta[c], tb[c]);
        fputs("},\n\"sites\":[", f);
        for (size_t r = 0; r < n; r++) {
            fprintf(f, "%s\n{\"folded\":", r ? "," : "");
            json_str(f, rows[r].stack);
            for (int c = 0; c < 4; c++) {
                uint64_t x = rows[r].s[0] ? pk_mem_site_cost(rows[r].s[0], (pk_mem_cost)c) : 0;
                uint64_t y = rows[r].s[1] ? pk_mem_site_cost(rows[r].s[1], (pk_mem_cost)c) : 0;
                fprintf(f, ",\"%s\":[%" PRIu64 ",%" PRIu64 "]", names[c], x, y);
            }
            fputc('}', f);
        }
        fputs("]}\n", f);
    } else {
        static const char *const labels[] = {"allocated", "allocations", "peak heap", "leaked"};
        fputs("perfkit mem diff: before → after\n", f);
        for (int c = 0; c < 4; c++) {
            char x[32], y[32], d[40];
            bool bytes = c != 1;
            if (bytes) {
                sz(ta[c], x, sizeof x);
                sz(tb[c], y, sizeof y);
            } else {
                snprintf(x, sizeof x, "%" PRIu64, ta[c]);
                snprintf(y, sizeof y, "%" PRIu64, tb[c]);
            }
            sdelta((int64_t)(tb[c] - ta[c]), bytes, d, sizeof d);
            fprintf(f, "  %-12s %12s → %-12s %s", labels[c], x, y, d);
            if (ta[c])
                fprintf(f, " (%+.1f%%)", 100.0 * ((double)tb[c] - (double)ta[c]) / (double)ta[c]);
            fputc('\n', f);
        }
        fprintf(f, "\nCall sites by change in allocated bytes\n  %12s %10s %12s %12s  site\n",
                "Δ bytes", "Δ count", "Δ peak", "Δ leaked");
        size_t shown = 0;
        for (size_t r = 0; r < n && shown < top; r++) {
            int64_t d0 = delta(&rows[r], PK_MEM_ALLOCATED), d1 = delta(&rows[r], PK_MEM_COUNT);
            int64_t d2 = delta(&rows[r], PK_MEM_PEAK), d3 = delta(&rows[r], PK_MEM_LEAKED);
            if (!d0 && !d1 && !d2 && !d3)
                continue;
            char c0[40], c1[40], c2[40], c3[40], label[1024];
            sdelta(d0, true, c0, sizeof c0);
            sdelta(d1, false, c1, sizeof c1);
            sdelta(d2, true, c2, sizeof c2);
            sdelta(d3, true, c3, sizeof c3);
            int k = rows[r].s[1] ? 1 : 0;
            site_label(pp[k], rows[r].i[k], label, sizeof label);
            fprintf(f, "  %12s %10s %12s %12s  %s%s\n", c0, c1, c2, c3, label,
                    !rows[r].s[0] ? " (new)" : !rows[r].s[1] ? " (gone)" : "");
            shown++;
        }
        if (!shown)
            fputs("  (no call site changed)\n", f);
    }
    pk_free(rows);
    return ferror(f) ? PK_EIO : PK_OK;
}
