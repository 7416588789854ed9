/* chart.c — the dashboard's SVG charts, drawn here so that the page needs
 * no script to show them.
 *
 * Trend: a benchmark's statistic per run, oldest left, one <g> per
 * (branch, machine) — the unit the page's filters hide — holding the 95%
 * CI band of the run medians, an empty line the page's script draws, and
 * one marker per run: a zero-length path with a round cap (the smallest
 * element that can carry a <title>) whose <title> names the run, its
 * commit and value — the tooltip without script. Change points are dashed
 * vertical lines, red with a marker when the figure moved in its worse
 * direction (a regression); budgets on the chart's figure are horizontal
 * lines. Coordinates are integers in a 1000-wide viewBox and paths use
 * relative steps: 20 benchmarks x 500 runs stay under 200 KB gzipped.
 * Distribution: the latest run's samples as a histogram (filled) with the
 * baseline's over the same bins (an outline), each as a share of its
 * samples; budgets inside its range as vertical lines.
 * Flame graphs (perfkit/flame.h) go in as data: URLs, base64-encoded on the
 * fly through a fopencookie stream: the SVG keeps its own script, isolated
 * in its frame. */
#include "dashboard/dash_int.h"

#include <math.h>
#include <string.h>
#include "perfkit/flame.h"
#include "perfkit/folded.h"

enum { TW = 1000, TH = 240, L = 70, R = 990, T = 12, B = 214 };

typedef struct scale {
    double lo, hi;
} scale;

static int ypos(const scale *s, double v)
{
    double f = s->hi > s->lo ? (v - s->lo) / (s->hi - s->lo) : 0.5;
    return (int)lround(B - f * (B - T));
}

static int xpos(size_t i, size_t n)
{
    return n < 2 ? (L + R) / 2 : (int)lround(L + (double)i * (R - L) / (double)(n - 1));
}

static bool on_chart(const pk__dash_item *it, const pk__dash_bench *b)
{
    return it->kind == PK_ITEM_BUDGET && strcmp(it->benchmark, b->name) == 0 &&
           strcmp(it->figure, b->figure) == 0 && isfinite(it->limit) && it->limit > 0;
}

static void widen(scale *s, double v)
{
    if (!isfinite(v))
        return;
    if (v < s->lo)
        s->lo = v;
    if (v > s->hi)
        s->hi = v;
}

static scale trend_scale(const pk_dashboard *d, const pk__dash_bench *b)
{
    scale s = {INFINITY, -INFINITY};
    for (size_t i = 0; i < b->n; i++) {
        widen(&s, b->pts[i].value);
        widen(&s, b->pts[i].lo);
        widen(&s, b->pts[i].hi);
    }
    double span = s.hi - s.lo;
    /* a budget joins the scale when it does not squash the data */
    for (size_t i = 0; i < d->n_items; i++)
        if (on_chart(&d->items[i], b) && d->items[i].limit <= s.hi + 2 * span + s.hi * 0.05 &&
            d->items[i].limit >= s.lo - 2 * span - s.lo * 0.05)
            widen(&s, d->items[i].limit);
    double pad = (s.hi - s.lo) * 0.06;
    if (pad <= 0)
        pad = fabs(s.hi) * 0.05 + 1e-9;
    s.lo -= pad;
    s.hi += pad;
    if (s.lo < 0 && b->pts[0].value >= 0)
        s.lo = 0;
    return s;
}

/* The CI band of group (br, m): the upper bounds forward, the lower back.
 * More than BAND_MAX runs share vertices: each vertex is the envelope
 * (highest upper, lowest lower bound) of consecutive runs, so the band
 * never claims a narrower interval than some run has; coordinates are
 * relative steps ("l"), which compress well. */
enum { BAND_MAX = 100 };

static void band(FILE *f, const pk__dash_bench *b, size_t br, size_t m, const scale *s)
{
    size_t ng = 0;
    for (size_t i = 0; i < b->n; i++) {
        const pk__dash_point *p = &b->pts[i];
        ng += p->branch == br && p->machine == m && isfinite(p->lo) && isfinite(p->hi);
    }
    if (ng < 2)
        return;
    size_t per = (ng + BAND_MAX - 1) / BAND_MAX, nv = 0, in = 0;
    int vx[BAND_MAX + 1], vhi[BAND_MAX + 1], vlo[BAND_MAX + 1];
    double hi = -INFINITY, lo = INFINITY;
    size_t first = 0;
    for (size_t i = 0; i < b->n; i++) {
        const pk__dash_point *p = &b->pts[i];
        if (p->branch != br || p->machine != m || !isfinite(p->lo) || !isfinite(p->hi))
            continue;
        if (in == 0)
            first = i;
        hi = fmax(hi, p->hi);
        lo = fmin(lo, p->lo);
        if (++in == per || --ng == 0) {
            vx[nv] = (xpos(first, b->n) + xpos(i, b->n)) / 2;
            vhi[nv] = ypos(s, hi);
            vlo[nv++] = ypos(s, lo);
            in = 0;
            hi = -INFINITY;
            lo = INFINITY;
        }
    }
    if (nv == 0)
        return;
    fprintf(f, "<path class=\"band\" d=\"M%d %dl", vx[0], vhi[0]);
    for (size_t i = 1; i < nv; i++)
        fprintf(f, "%s%d %d", i > 1 ? " " : "", vx[i] - vx[i - 1], vhi[i] - vhi[i - 1]);
    fprintf(f, "%s0 %d", nv > 1 ? " " : "", vlo[nv - 1] - vhi[nv - 1]);
    for (size_t i = nv - 1; i > 0; i--)
        fprintf(f, " %d %d", vx[i - 1] - vx[i], vlo[i - 1] - vlo[i]);
    fputs("Z\"/>", f);
}

/* One (branch, machine) group: the band, one marker per run (its <title>
 * the run, commit and value) and an empty line the script draws through
 * the markers (without script the markers alone show the trend). */
static void group(FILE *f, const pk__dash_bench *b, size_t br, size_t m, const scale *s)
{
    fprintf(f, "<g class=\"s\" data-b=\"%zu\" data-m=\"%zu\">", br, m);
    band(f, b, br, m, s);
    fputs("<path class=\"ln\"/><g class=\"p\">", f);
    char v[48];
    for (size_t i = 0; i < b->n; i++) {
        const pk__dash_point *p = &b->pts[i];
        if (p->branch != br || p->machine != m)
            continue;
        char c[11];
        snprintf(c, sizeof c, "%.7s", p->commit[0] ? p->commit : "-");
        fprintf(f, "<path d=\"M%d %dh0\"><title>#%lld ", xpos(i, b->n), ypos(s, p->value),
                (long long)p->run);
        pk__dash_esc(f, c);
        fprintf(f, " %s</title></path>", pk__dash_value(b->unit, p->value, v, sizeof v));
    }
    fputs("</g></g>", f);
}

static bool worse(const pk__dash_bench *b, const pk_changepoint *cp)
{
    return b->dir == PK_HIGHER_IS_BETTER ? cp->after < cp->before : cp->after > cp->before;
}

void pk__dash_trend(FILE *f, const pk_dashboard *d, const pk__dash_bench *b, size_t index)
{
    scale s = trend_scale(d, b);
    char lo[48], hi[48], mid[48], last[48];
    fprintf(f, "<svg class=\"trend\" viewBox=\"0 0 %d %d\" role=\"img\" tabindex=\"0\" "
            "aria-labelledby=\"tt%zu td%zu\"><title id=\"tt%zu\">", TW, TH, index, index, index);
    pk__dash_esc(f, b->name);
    fputs(" \xe2\x80\x94 ", f);
    pk__dash_esc(f, b->figure);
    fprintf(f, " (%s) over %zu runs</title><desc id=\"td%zu\">latest %s; %zu change "
            "point%s. Arrow keys step through the runs.</desc>",
            d->stat, b->n, index,
            pk__dash_value(b->unit, b->pts[b->n - 1].value, last, sizeof last), b->n_cps,
            b->n_cps == 1 ? "" : "s");
    fprintf(f, "<g class=\"ax\"><path d=\"M%d %dV%dH%d\"/><path class=\"grid\" d=\"M%d %dH%d"
            "M%d %dH%d\"/><text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\">%s</text>"
            "<text x=\"%d\" y=\"%d\">%s</text><text class=\"xl\" x=\"%d\" y=\"%d\">older</text>"
            "<text class=\"xl\" x=\"%d\" y=\"%d\">newer</text></g>",
            L, T, B, R, L, T, R, L, (T + B) / 2, R, L - 4, B, pk__dash_value(b->unit, s.lo, lo, sizeof lo),
            L - 4, (T + B) / 2 + 4, pk__dash_value(b->unit, (s.lo + s.hi) / 2, mid, sizeof mid),
            L - 4, T + 8, pk__dash_value(b->unit, s.hi, hi, sizeof hi), L, B + 18, R, B + 18);
    for (size_t i = 0; i < d->n_items; i++) {
        const pk__dash_item *it = &d->items[i];
        if (!on_chart(it, b))
            continue;
        char v[48];
        int y = ypos(&s, it->limit);
        bool out = y < T || y > B;
        int yy = out ? (y < T ? T : B) : y;
        fprintf(f, "<g class=\"budget\"><path d=\"M%d %dH%d\"/><text x=\"%d\" y=\"%d\">"
                "budget ", L, yy, R, R - 4, yy - 3);
        pk__dash_esc(f, it->stat);
        fprintf(f, " %s %s%s</text></g>", it->bound == PK_BOUND_MIN ? "\xe2\x89\xa5" : "\xe2\x89\xa4",
                pk__dash_value(it->unit, it->limit, v, sizeof v), out ? " (off the chart)" : "");
    }
    for (size_t i = 0; i < b->n_cps; i++) {
        const pk_changepoint *cp = &b->cps[i];
        int x = (xpos(cp->index - 1, b->n) + xpos(cp->index, b->n)) / 2;
        bool reg = worse(b, cp);
        char c[11];
        snprintf(c, sizeof c, "%.7s", b->pts[cp->index].commit);
        fprintf(f, "<g class=\"cp%s\"><path d=\"M%d %dV%d\"/><title>%s %+.1f%% at #%lld ",
                reg ? " reg" : "", x, T, B, reg ? "regression: change point" : "change point",
                isfinite(cp->magnitude) ? cp->magnitude * 100 : 0.0,
                (long long)b->pts[cp->index].run);
        pk__dash_esc(f, c);
        fprintf(f, " (p %.3g)</title>", cp->p_value);
        if (reg)
            fprintf(f, "<path class=\"mark\" d=\"M%d %dl-6 -10h12z\"/>", x, T + 10);
        fputs("</g>", f);
    }
    for (size_t br = 0; br < d->n_branches; br++)
        for (size_t m = 0; m < d->n_machines; m++)
            for (size_t i = 0; i < b->n; i++)
                if (b->pts[i].branch == br && b->pts[i].machine == m) {
                    group(f, b, br, m, &s);
                    break;
                }
    fputs("</svg>", f);
}

enum { DW = 400, DH = 170, DL = 10, DR = 390, DT = 10, DB = 146, MAXBINS = 30 };

static void bins(const double *x, size_t n, double lo, double w, double *share, long nb)
{
    for (long i = 0; i < nb; i++)
        share[i] = 0;
    for (size_t i = 0; i < n; i++) {
        long k = w > 0 ? lround(floor((x[i] - lo) / w)) : 0;
        share[k < 0 ? 0 : k >= nb ? nb - 1 : k] += 1.0 / (double)n;
    }
}

void pk__dash_dist(FILE *f, const pk_dashboard *d, const pk__dash_bench *b, size_t index)
{
    if (!b->n_latest) {
        fputs("<p class=\"note\">The latest run has no samples of this figure.</p>", f);
        return;
    }
    double lo = b->latest[0], hi = b->latest[b->n_latest - 1];
    if (b->n_base) {
        lo = fmin(lo, b->base[0]);
        hi = fmax(hi, b->base[b->n_base - 1]);
    }
    /* about 2·√n bins: a dozen samples are not spread over thirty */
    long nb = lround(2 * sqrt((double)(b->n_latest > b->n_base ? b->n_latest : b->n_base)));
    nb = nb < 6 ? 6 : nb > MAXBINS ? MAXBINS : nb;
    double w = (hi - lo) / (double)nb;
    double cur[MAXBINS], base[MAXBINS], top = 0;
    bins(b->latest, b->n_latest, lo, w, cur, nb);
    bins(b->base, b->n_base, lo, w, base, nb);
    for (long i = 0; i < nb; i++)
        top = fmax(top, fmax(cur[i], b->n_base ? base[i] : 0));
    char a[48], z[48];
    fprintf(f, "<svg class=\"dist\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-labelledby=\"dt%zu\"><title id=\"dt%zu\">Distribution of the latest run "
            "(#%lld, %zu samples)", DW, DH, index, index, (long long)b->pts[b->n - 1].run,
            b->n_latest);
    if (b->n_base)
        fprintf(f, " against its baseline (#%lld, %zu samples)", (long long)b->base_run,
                b->n_base);
    fputs("</title>", f);
    double bw = (double)(DR - DL) / (double)nb;
    for (long i = 0; i < nb; i++)
        if (cur[i] > 0) {
            int h = (int)lround(cur[i] / top * (DB - DT));
            fprintf(f, "<rect class=\"cur\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                    (int)lround(DL + (double)i * bw), DB - h, (int)lround(bw) - 1, h);
        }
    if (b->n_base) {
        fprintf(f, "<path class=\"base\" d=\"M%d %d", DL, DB);
        for (long i = 0; i < nb; i++) {
            int y = DB - (int)lround(base[i] / top * (DB - DT));
            fprintf(f, "V%dH%d", y, (int)lround(DL + (double)(i + 1) * bw));
        }
        fprintf(f, "V%d\"/>", DB);
    }
    for (size_t i = 0; i < d->n_items && hi > lo; i++) {   /* budgets inside the range */
        const pk__dash_item *it = &d->items[i];
        if (!on_chart(it, b) || it->limit < lo || it->limit > hi)
            continue;
        char v[48];
        fprintf(f, "<g class=\"budget\"><path d=\"M%d %dV%d\"/><title>budget ",
                (int)lround(DL + (it->limit - lo) / (hi - lo) * (DR - DL)), DT, DB);
        pk__dash_esc(f, it->stat);
        fprintf(f, " %s %s</title></g>", it->bound == PK_BOUND_MIN ? "\xe2\x89\xa5" : "\xe2\x89\xa4",
                pk__dash_value(it->unit, it->limit, v, sizeof v));
    }
    fprintf(f, "<path class=\"axis\" d=\"M%d %dH%d\"/><text x=\"%d\" y=\"%d\">%s</text>"
            "<text class=\"end\" x=\"%d\" y=\"%d\">%s</text></svg>", DL, DB, DR, DL, DB + 16,
            pk__dash_value(b->unit, lo, a, sizeof a), DR, DB + 16,
            pk__dash_value(b->unit, hi, z, sizeof z));
}

/* ---- flame graphs as data: URLs ----------------------------------------- */

typedef struct b64 {
    FILE *out;
    unsigned char carry[3];
    size_t n;
} b64;

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_quad(b64 *s, size_t n)
{
    unsigned v = (unsigned)s->carry[0] << 16 | (unsigned)s->carry[1] << 8 | s->carry[2];
    char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], n > 1 ? B64[v >> 6 & 63] : '=',
                 n > 2 ? B64[v & 63] : '='};
    fwrite(q, 1, 4, s->out);
}

static ssize_t b64_write(void *cookie, const char *buf, size_t len)
{
    b64 *s = cookie;
    for (size_t i = 0; i < len; i++) {
        s->carry[s->n++] = (unsigned char)buf[i];
        if (s->n == 3) {
            b64_quad(s, 3);
            s->n = 0;
        }
    }
    return ferror(s->out) ? -1 : (ssize_t)len;
}

static int b64_close(void *cookie)
{
    b64 *s = cookie;
    if (s->n) {
        for (size_t i = s->n; i < 3; i++)
            s->carry[i] = 0;
        b64_quad(s, s->n);
    }
    return ferror(s->out) ? -1 : 0;
}

pk_err pk__dash_flame(FILE *f, const char *folded, size_t len, const char *base,
                      size_t base_len, const char *title)
{
    pk_folded *p = NULL;
    pk_err e = pk_folded_new(&p);
    if (e != PK_OK)
        return e;
    pk_folded_opts fo;
    pk_folded_opts_init(&fo);
    fo.columns = 1;
    e = pk_folded_parse(p, &fo, folded, len, "profile", NULL);
    if (e == PK_OK && base) {
        fo.slot = 0;
        e = pk_folded_parse(p, &fo, base, base_len, "base profile", NULL);
        double t0 = pk_folded_total(p, 0), t1 = pk_folded_total(p, 1);
        if (e == PK_OK && t0 > 0 && t1 > 0)
            e = pk_folded_scale(p, 0, t1 / t0);
    }
    if (e != PK_OK) {
        pk_folded_free(p);
        return e == PK_ENOMEM ? e : PK_OK;   /* a damaged profile is left out */
    }
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    o.title = title;
    o.diff = base != NULL;
    o.width = 1000;
    b64 state = {.out = f};
    cookie_io_functions_t io = {.write = b64_write, .close = b64_close};
    fputs("<iframe class=\"flame\" loading=\"lazy\" title=\"", f);
    pk__dash_esc(f, title);
    fputs("\" src=\"data:image/svg+xml;base64,", f);
    FILE *enc = fopencookie(&state, "w", io);
    if (!enc) {
        pk_folded_free(p);
        return PK_ENOMEM;
    }
    e = pk_flame_write_svg(p, &o, enc, NULL);
    if (fclose(enc) != 0 && e == PK_OK)
        e = PK_EIO;
    fputs("\"></iframe>", f);
    pk_folded_free(p);
    return e;
}
