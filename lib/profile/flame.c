/* flame.c — the flame graph SVG (perfkit/flame.h), plain and differential.
 *
 * Design: one preorder pass over the prefix tree (folded_int.h). Children
 * are laid out left to right in name order, packed; a frame narrower than
 * min_width px is not drawn and neither is anything below it — the pruned
 * frames of one parent are merged into one grey "[N pruned frames]" block
 * when together they are wide enough, and the SVG's subtitle line counts
 * every pruned frame: pruned, never dropped silently. Frame text is
 * truncated here to what fits; the script (flame_js.c) redoes it on zoom.
 * Each frame is <g class="f" data-v=...><title>name (…)</title><rect/><text/></g>
 * — the title's name part, before the last " (", is what search matches.
 *
 * Differential mode (opts.diff): width is before + after (slot 0 + slot 1),
 * so the layout nests (both are additive) and a frame that shrank or
 * vanished keeps its before-width on screen — the answer to FlameGraph
 * issue #74, where only the after-profile's shape is drawn. Colour: red for
 * a frame whose total grew, blue for one that shrank, the intensity its
 * change over the largest change of any frame. */
#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "flame_int.h"
#include "folded_int.h"
#include "perfkit/alloc.h"

#define PAD 10.0
#define FONT 12.0
#define CHAR_W (FONT * 0.59)

void pk_flame_opts_init(pk_flame_opts *o)
{
    if (o)
        *o = (pk_flame_opts){.count_name = "samples", .width = 1200, .frame_height = 16,
                             .min_width = 0.1, .slot = 1};
}

pk_err pk__flame_check(const pk_flame_opts *o)
{
    if (!o || o->width < 200 || o->width > 100000 || o->frame_height < 8 ||
        o->frame_height > 64 || !(o->min_width >= 0) || !isfinite(o->min_width) || o->slot > 1 ||
        (unsigned)o->palette > PK_FLAME_KIND)
        return PK_EINVAL;
    return PK_OK;
}

/* FNV-1a of the name, spread to three fractions: the same name gets the
 * same colour in every graph. */
static void name_hash(const char *s, size_t n, double v[3])
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    for (int k = 0; k < 3; k++) {
        v[k] = (double)(h & 0x3ff) / 1024.0;
        h = h * 2654435761u ^ (h >> 13);
    }
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool contains(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* FlameGraph's "java" palette, by perf's annotations and the name's shape. */
static void kind_colour(const char *s, size_t n, double v, int *r, int *g, int *b)
{
    int x = (int)(55 * v);
    if (ends_with(s, n, "_[k]")) {
        *r = 190 + x; *g = 90 + x; *b = 0;
    } else if (ends_with(s, n, "_[i]")) {
        *r = 50 + x; *g = 165 + x; *b = 165 + x;
    } else if (ends_with(s, n, "_[j]") || (contains(s, n, "/") && !contains(s, n, "::"))) {
        *r = 50 + x; *g = 200 + x; *b = 50 + x;
    } else if (contains(s, n, "::")) {
        *r = 175 + x; *g = 175 + x; *b = 50 + x / 3;
    } else {
        *r = 200 + x; *g = 50 + x; *b = 50 + x;
    }
}

typedef struct svg {
    pk__buf b;
    FILE *f;
    pk_err e;
    const pk_flame_opts *o;
    const pk__ftree *t;
    double xscale, root_v, max_delta;
    double img_h;
    const char *unit;
} svg;

static void flush(svg *s, bool force)
{
    if (s->e == PK_OK && (force || s->b.len > (1u << 16))) {
        if (s->b.len && fwrite(s->b.data, 1, s->b.len, s->f) != s->b.len)
            s->e = PK_EIO;
        s->b.len = 0;
        if (s->b.data)
            s->b.data[0] = '\0';
    }
}

#define OUT(s, ...)                                                       \
    do {                                                                  \
        if ((s)->e == PK_OK && pk__buf_printf(&(s)->b, __VA_ARGS__) != PK_OK) \
            (s)->e = PK_ENOMEM;                                           \
    } while (0)

static void put_text(svg *s, const char *p, size_t n)
{
    if (s->e == PK_OK && pk__folded_escape(&s->b, p, n, PK__ESC_XML) != PK_OK)
        s->e = PK_ENOMEM;
}

static double value(const svg *s, const pk__fnode *nd)
{
    return s->o->diff ? nd->total[0] + nd->total[1] : nd->total[s->o->slot];
}

static void fill(const svg *s, const pk__fnode *nd, char *buf, size_t len)
{
    if (s->o->diff) {
        double d = nd->total[1] - nd->total[0];
        double i = s->max_delta > 0 ? fabs(d) / s->max_delta : 0;
        int c = (int)lround(250 - 190 * (i > 1 ? 1 : i));
        if (d > 0)
            snprintf(buf, len, "rgb(255,%d,%d)", c, c);
        else if (d < 0)
            snprintf(buf, len, "rgb(%d,%d,255)", c, c);
        else
            snprintf(buf, len, "rgb(250,250,250)");
        return;
    }
    double v[3];
    name_hash(nd->name, nd->len, v);
    int r, g, b;
    switch (s->o->palette) {
    case PK_FLAME_MEM: r = 0; g = 190 + (int)(50 * v[1]); b = (int)(210 * v[0]); break;
    case PK_FLAME_IO: r = g = 80 + (int)(60 * v[0]); b = 190 + (int)(55 * v[1]); break;
    case PK_FLAME_KIND: kind_colour(nd->name, nd->len, v[0], &r, &g, &b); break;
    default: r = 205 + (int)(50 * v[2]); g = (int)(230 * v[0]); b = (int)(55 * v[1]); break;
    }
    snprintf(buf, len, "rgb(%d,%d,%d)", r, g, b);
}

static double frame_y(const svg *s, uint32_t depth)
{
    double fh = s->o->frame_height;
    double top = FONT * 3 + (s->o->subtitle ? FONT * 1.5 : 0);
    if (s->o->inverted)
        return top + depth * fh;
    return s->img_h - FONT * 2 - 10 - (depth + 1) * fh;
}

static void put_str(svg *s, const char *str)
{
    if (s->e == PK_OK && pk__buf_puts(&s->b, str) != PK_OK)
        s->e = PK_ENOMEM;
}

/* v with `dec` decimals (1 or 2), without printf: the writer's hot path
 * prints five numbers per frame. */
static void put_fixed(svg *s, double v, int dec)
{
    double scale = dec == 1 ? 10 : 100;
    if (!(fabs(v) < 1e15)) {
        OUT(s, "%.*f", dec, v);
        return;
    }
    long long t = llround(v * scale);
    char tmp[32], *q = tmp + sizeof tmp;
    bool neg = t < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)t : (unsigned long long)t;
    for (int k = 0; k < dec; k++, u /= 10)
        *--q = (char)('0' + u % 10);
    *--q = '.';
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        *--q = '-';
    if (s->e == PK_OK && pk__buf_add(&s->b, q, (size_t)(tmp + sizeof tmp - q)) != PK_OK)
        s->e = PK_ENOMEM;
}

static void put_num(svg *s, double v)
{
    if (v == floor(v) && v >= 0 && v < 1e15) {
        char tmp[24], *q = tmp + sizeof tmp;
        unsigned long long u = (unsigned long long)v;
        do {
            *--q = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (s->e == PK_OK && pk__buf_add(&s->b, q, (size_t)(tmp + sizeof tmp - q)) != PK_OK)
            s->e = PK_ENOMEM;
        return;
    }
    char n[32];
    put_str(s, pk__folded_num(v, n, sizeof n));
}

/* One frame: name (or label), title with counts, rect, fitted text. */
static void frame(svg *s, const pk__fnode *nd, const char *label, size_t label_len, double x,
                  double w, double v, const char *colour)
{
    double y = frame_y(s, nd->depth);
    put_str(s, "<g class=\"f\" data-v=\"");
    put_num(s, v);
    if (s->o->diff) {
        put_str(s, "\" data-b=\"");
        put_num(s, nd->total[0]);
        put_str(s, "\" data-a=\"");
        put_num(s, nd->total[1]);
    }
    put_str(s, "\"><title>");
    put_text(s, label, label_len);
    put_str(s, " (");
    if (s->o->diff) {
        put_num(s, nd->total[0]);
        put_str(s, " → ");
        put_num(s, nd->total[1]);
        double d = nd->total[1] - nd->total[0];
        double pc = nd->total[0] > 0 ? d * 100 / nd->total[0] : 100.0;
        put_str(s, " ");
        put_str(s, s->unit);
        put_str(s, pc >= 0 ? ", +" : ", ");
        put_fixed(s, pc, 2);
    } else {
        put_num(s, v);
        put_str(s, " ");
        put_str(s, s->unit);
        put_str(s, ", ");
        put_fixed(s, s->root_v > 0 ? v * 100 / s->root_v : 0, 2);
    }
    put_str(s, "%)</title><rect x=\"");
    put_fixed(s, x, 1);
    put_str(s, "\" y=\"");
    put_fixed(s, y, 1);
    put_str(s, "\" width=\"");
    put_fixed(s, w, 1);
    put_str(s, "\" height=\"");
    put_fixed(s, s->o->frame_height - 1.0, 1);
    put_str(s, "\" fill=\"");
    put_str(s, colour);
    put_str(s, "\" rx=\"2\"/><text x=\"");
    put_fixed(s, x + 3, 1);
    put_str(s, "\" y=\"");
    put_fixed(s, y + s->o->frame_height - 4.5, 1);
    put_str(s, "\">");
    size_t fit = w > 3 * CHAR_W ? (size_t)((w - 6) / CHAR_W) : 0;
    if (fit >= label_len) {
        put_text(s, label, label_len);
    } else if (fit > 2) {
        size_t k = fit - 2;   /* whole UTF-8 characters only */
        while (k > 0 && ((unsigned char)label[k] & 0xC0) == 0x80)
            k--;
        put_text(s, label, k);
        put_str(s, "..");
    }
    put_str(s, "</text></g>\n");
}

static void header(svg *s, const pk_flame_stats *st)
{
    const pk_flame_opts *o = s->o;
    double w = o->width;
    const char *title = o->title ? o->title : o->diff ? "Differential Flame Graph" : "Flame Graph";
    OUT(s, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
           "<svg version=\"1.1\" width=\"%u\" height=\"%.0f\" viewBox=\"0 0 %u %.0f\" "
           "xmlns=\"http://www.w3.org/2000/svg\" data-pad=\"%.0f\" data-inverted=\"%d\" "
           "data-diff=\"%d\" data-unit=\"",
        o->width, s->img_h, o->width, s->img_h, PAD, o->inverted, o->diff);
    put_text(s, s->unit, strlen(s->unit));
    OUT(s, "\" data-total=\"");
    put_num(s, s->root_v);
    OUT(s, "\">\n<style>%s</style>\n<script type=\"text/ecmascript\"><![CDATA[\n",
        pk__flame_style);
    for (size_t i = 0; pk__flame_script[i]; i++)
        OUT(s, "%s", pk__flame_script[i]);
    OUT(s, "]]></script>\n");
    OUT(s, "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
           "<text id=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
        w / 2, FONT * 2);
    put_text(s, title, strlen(title));
    OUT(s, "</text>\n");
    if (o->subtitle) {
        OUT(s, "<text id=\"subtitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", w / 2,
            FONT * 3.5);
        put_text(s, o->subtitle, strlen(o->subtitle));
        OUT(s, "</text>\n");
    }
    OUT(s, "<text id=\"unzoom\" class=\"btn hide\" x=\"%.1f\" y=\"%.1f\">Reset Zoom</text>\n"
           "<text id=\"search\" class=\"btn\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">Search</text>\n"
           "<text id=\"matched\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"></text>\n"
           "<text id=\"details\" x=\"%.1f\" y=\"%.1f\"> </text>\n",
        PAD, FONT * 2, w - PAD, FONT * 2, w - PAD, s->img_h - 17, PAD, s->img_h - 17);
    OUT(s, "<text id=\"pruned\" x=\"%.1f\" y=\"%.1f\" data-n=\"%zu\">", PAD, s->img_h - 4,
        st->pruned);
    if (st->pruned)
        OUT(s, "%zu frames narrower than %.2g px pruned (%.2f%% of %s, shown in their "
               "parents' width)",
            st->pruned, o->min_width,
            s->root_v > 0 ? st->pruned_count * 100 / s->root_v : 0.0, s->unit);
    else if (!(s->root_v > 0))
        OUT(s, "no %s: the input holds no stacks", s->unit);
    OUT(s, "</text>\n<g id=\"frames\">\n");
}

/* Count what will be pruned, so the header can say it before the frames. */
static void count_pruned(const svg *s, pk_flame_stats *st)
{
    const pk__ftree *t = s->t;
    for (uint32_t i = 0; i < t->n;) {
        double v = value(s, &t->nodes[i]);
        if (i > 0 && v * s->xscale < s->o->min_width) {
            st->pruned += t->nodes[i].end - i;
            st->pruned_count += v;
            i = t->nodes[i].end;
            continue;
        }
        st->frames++;
        i++;
    }
}

pk_err pk_flame_write_svg(const pk_folded *p, const pk_flame_opts *o, FILE *f,
                          pk_flame_stats *stats)
{
    if (!p || !f || pk__flame_check(o) != PK_OK)
        return PK_EINVAL;
    pk__ftree t;
    pk_err e = pk__folded_tree(p, o->reverse, &t);
    if (e != PK_OK)
        return e;
    svg s = {.f = f, .o = o, .t = &t, .unit = o->count_name ? o->count_name : "samples"};
    s.root_v = value(&s, &t.nodes[0]);
    s.xscale = s.root_v > 0 ? (o->width - 2 * PAD) / s.root_v : 0;
    for (size_t i = 1; i < t.n; i++) {
        double d = fabs(t.nodes[i].total[1] - t.nodes[i].total[0]);
        if (d > s.max_delta)
            s.max_delta = d;
    }
    pk_flame_stats st = {0};
    count_pruned(&s, &st);
    uint32_t shown_depth = 0;
    for (uint32_t i = 0; i < t.n;) {   /* the depth of the deepest drawn frame */
        if (i > 0 && value(&s, &t.nodes[i]) * s.xscale < o->min_width) {
            i = t.nodes[i].end;
            continue;
        }
        if (t.nodes[i].depth > shown_depth)
            shown_depth = t.nodes[i].depth;
        i++;
    }
    s.img_h = FONT * 3 + (o->subtitle ? FONT * 1.5 : 0) + (shown_depth + 1.0) * o->frame_height +
              FONT * 2 + 14;
    double *xs = pk_calloc(t.n ? t.n : 1, sizeof *xs);
    if (!xs)
        e = PK_ENOMEM;
    if (e == PK_OK) {
        header(&s, &st);
        xs[0] = PAD;
        char colour[32];
        for (uint32_t i = 0; i < t.n && s.e == PK_OK;) {
            const pk__fnode *nd = &t.nodes[i];
            double v = value(&s, nd);
            if (i > 0 && v * s.xscale < o->min_width) {
                i = nd->end;
                continue;
            }
            double x = xs[i], w = v * s.xscale;
            if (i == 0)
                snprintf(colour, sizeof colour, "%s", o->diff ? "rgb(250,250,250)" : "rgb(220,90,20)");
            else
                fill(&s, nd, colour, sizeof colour);
            if (i == 0)
                frame(&s, nd, "all", 3, x, w, v, colour);
            else
                frame(&s, nd, nd->name, nd->len, x, w, v, colour);
            /* place the drawn children, then the merged block of pruned ones */
            double cx = x, pv = 0;
            size_t pn = 0;
            for (uint32_t c = i + 1; c < nd->end; c = t.nodes[c].end) {
                double cv = value(&s, &t.nodes[c]);
                if (cv * s.xscale < o->min_width) {
                    pv += cv;
                    pn += t.nodes[c].end - c;
                    continue;
                }
                xs[c] = cx;
                cx += cv * s.xscale;
            }
            if (pn && pv * s.xscale >= o->min_width && pv * s.xscale >= 1) {
                char label[64];
                int ln = snprintf(label, sizeof label, "[%zu pruned frames]", pn);
                pk__fnode merged = {.depth = nd->depth + 1};
                frame(&s, &merged, label, (size_t)ln, cx, pv * s.xscale, pv, "rgb(200,200,200)");
            }
            flush(&s, false);
            i++;
        }
        OUT(&s, "</g>\n</svg>\n");
        flush(&s, true);
        e = s.e;
        if (e == PK_OK && (fflush(f) != 0 || ferror(f)))
            e = PK_EIO;
    }
    if (stats)
        *stats = st;
    pk_free(xs);
    pk__buf_free(&s.b);
    pk__folded_tree_free(&t);
    return e;
}
