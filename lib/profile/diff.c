/* diff.c — what changed between the two slots of a profile (perfkit/flame.h):
 * per function, self and total counts before and after, and the text table
 * of the top changes `perfkit diff --text` prints.
 *
 * Design: one pass over the prefix tree (folded_int.h) with a hash table
 * (core/hash.h) from function name to its row. Self sums every frame of the
 * function; total sums only the frames with no ancestor of the same name, so
 * a recursive function is not counted once per level. The ancestor walk is
 * O(depth) per frame: fine for real stacks (depth ~100). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "flame_int.h"
#include "folded_int.h"
#include "perfkit/alloc.h"

static int by_change(const void *x, const void *y, int total)
{
    const pk_flame_change *a = x, *b = y;
    double da = total ? fabs(a->total[1] - a->total[0]) : fabs(a->self[1] - a->self[0]);
    double db = total ? fabs(b->total[1] - b->total[0]) : fabs(b->self[1] - b->self[0]);
    if (da != db)
        return da > db ? -1 : 1;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    return c ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

static int by_self_change(const void *x, const void *y) { return by_change(x, y, 0); }
static int by_total_change(const void *x, const void *y) { return by_change(x, y, 1); }

static bool outermost(const pk__ftree *t, uint32_t i)
{
    const pk__fnode *nd = &t->nodes[i];
    for (uint32_t a = nd->parent; a != 0; a = t->nodes[a].parent)
        if (t->nodes[a].len == nd->len && memcmp(t->nodes[a].name, nd->name, nd->len) == 0)
            return false;
    return true;
}

/* The rows (names borrowed from the profile's arena, which outlives the tree). */
static pk_err collect(const pk_folded *p, pk_flame_change **out, size_t *n)
{
    pk__ftree t;
    pk_err e = pk__folded_tree(p, false, &t);
    if (e != PK_OK)
        return e;
    pk__hash idx = {0};
    pk_flame_change *rows = NULL;
    size_t nr = 0, cap = 0;
    for (uint32_t i = 1; e == PK_OK && i < t.n; i++) {
        const pk__fnode *nd = &t.nodes[i];
        size_t k = nr;
        if (!pk__hash_get(&idx, nd->name, nd->len, &k) || k >= nr) {
            if ((e = PK__PUSH_ROOM(rows, nr, cap)) != PK_OK ||
                (e = pk__hash_put(&idx, nd->name, nd->len, nr)) != PK_OK)
                break;
            k = nr++;
            rows[k] = (pk_flame_change){.name = nd->name, .name_len = nd->len};
        }
        bool top = outermost(&t, i);
        for (int s = 0; s < 2; s++) {
            rows[k].self[s] += nd->self[s];
            if (top)
                rows[k].total[s] += nd->total[s];
        }
    }
    pk__hash_free(&idx);
    pk__folded_tree_free(&t);
    if (e != PK_OK) {
        pk_free(rows);
        return e;
    }
    *out = rows;
    *n = nr;
    return PK_OK;
}

pk_err pk_flame_changes(const pk_folded *p, pk_flame_change **out, size_t *n)
{
    if (!p || !out || !n)
        return PK_EINVAL;
    *out = NULL;
    *n = 0;
    pk_err e = collect(p, out, n);
    if (e == PK_OK && *n)
        qsort(*out, *n, sizeof **out, by_self_change);
    return e;
}

/* A table cell: whole counts as integers, others (normalised) to 0.1. */
static const char *cell(double v, char *buf, size_t len)
{
    if (v == floor(v) && fabs(v) < 9e15)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.1f", v);
    return buf;
}

static pk_err table(pk__buf *b, const char *what, const pk_flame_change *rows, size_t n,
                    int total)
{
    pk_err e = pk__buf_printf(b, "%-44s %12s %12s %12s %9s\n", what, "before", "after", "delta",
                              "delta %");
    char nb[32], na[32], nd[40];
    for (size_t i = 0; e == PK_OK && i < n; i++) {
        const double *v = total ? rows[i].total : rows[i].self;
        double d = v[1] - v[0];
        if (d == 0)
            break;
        size_t len = rows[i].name_len, shown = len > 44 ? 42 : len;
        while (shown < len && shown > 0 && ((unsigned char)rows[i].name[shown] & 0xC0) == 0x80)
            shown--;
        size_t start = b->len;
        e = pk__folded_escape(b, rows[i].name, shown, PK__ESC_UTF8);
        if (e == PK_OK && shown < len)
            e = pk__buf_puts(b, "..");
        size_t cols = 0;   /* characters written, for the padding */
        for (size_t k = start; k < b->len; k++)
            cols += ((unsigned char)b->data[k] & 0xC0) != 0x80;
        if (e == PK_OK)
            e = pk__buf_printf(b, "%*s", (int)(cols < 44 ? 44 - cols : 0), "");
        char pct[32];
        if (v[0] > 0)
            snprintf(pct, sizeof pct, "%+.1f%%", d * 100 / v[0]);
        else
            snprintf(pct, sizeof pct, "new");
        snprintf(nd, sizeof nd, "%s%s", d > 0 ? "+" : "-", cell(fabs(d), na, sizeof na));
        if (e == PK_OK)
            e = pk__buf_printf(b, " %12s %12s %12s %9s\n", cell(v[0], nb, sizeof nb),
                               cell(v[1], na, sizeof na), nd, pct);
    }
    return e;
}

pk_err pk_flame_write_changes(const pk_folded *p, size_t top, FILE *f)
{
    if (!p || !f)
        return PK_EINVAL;
    pk_flame_change *rows;
    size_t n;
    pk_err e = collect(p, &rows, &n);
    if (e != PK_OK)
        return e;
    pk__buf b = {0};
    char t0[32], t1[32];
    e = pk__buf_printf(&b, "total: %s before, %s after\n\n",
                       cell(pk_folded_total(p, 0), t0, sizeof t0),
                       cell(pk_folded_total(p, 1), t1, sizeof t1));
    if (n)
        qsort(rows, n, sizeof *rows, by_self_change);
    if (e == PK_OK)
        e = table(&b, "top changes by self", rows, n < top ? n : top, 0);
    if (n)
        qsort(rows, n, sizeof *rows, by_total_change);
    if (e == PK_OK)
        e = pk__buf_puts(&b, "\n");
    if (e == PK_OK)
        e = table(&b, "top changes by total", rows, n < top ? n : top, 1);
    if (e == PK_OK && (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0))
        e = PK_EIO;
    pk__buf_free(&b);
    pk_free(rows);
    return e;
}
