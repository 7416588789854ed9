/* profile.c — folded stacks and the bottleneck summary of a trace.
 *
 * One pass of the walker builds a call tree merged across threads: a node per
 * distinct stack of span names (matched by pointer, then by strcmp), holding
 * count, total, self (total minus the children's totals) and max. Folded
 * stacks are the tree's nodes with their self time; the summary folds nodes
 * by name (a name nested in itself adds its total once, at the outermost
 * level). Folded format: Brendan Gregg's stackcollapse output, "a;b;c N". */
#include "trace_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "perfkit/alloc.h"
#include "perfkit/units.h"

typedef struct node {
    const char *name;
    uint32_t parent, child, sibling;  /* indices; 0 = none (0 is the root) */
    int recursive;                    /* name also appears in an ancestor */
    uint64_t count, open, total, self, max;
} node;

typedef struct frame {
    uint32_t node;
    uint64_t start, child;
} frame;

typedef struct tree {
    node *nodes;
    size_t n, cap;
    frame *st;
    size_t st_cap;
    uint64_t traced;                  /* sum of top-level spans */
    uint64_t spans, open;
} tree;

static int same(const char *a, const char *b)
{
    return a == b || strcmp(pk__trace_name(a), pk__trace_name(b)) == 0;
}

static pk_err child_of(tree *t, uint32_t parent, const char *name, uint32_t *out)
{
    for (uint32_t c = t->nodes[parent].child; c; c = t->nodes[c].sibling)
        if (same(t->nodes[c].name, name)) {
            *out = c;
            return PK_OK;
        }
    if (PK__PUSH_ROOM(t->nodes, t->n, t->cap) != PK_OK)
        return PK_ENOMEM;
    uint32_t k = (uint32_t)t->n++;
    node *nd = &t->nodes[k];
    memset(nd, 0, sizeof *nd);
    nd->name = name;
    nd->parent = parent;
    nd->sibling = t->nodes[parent].child;
    t->nodes[parent].child = k;
    for (uint32_t a = parent; a; a = t->nodes[a].parent)
        if (same(t->nodes[a].name, name))
            nd->recursive = 1;
    *out = k;
    return PK_OK;
}

static pk_err on_begin(void *ud, const char *name, uint64_t ns, unsigned depth)
{
    tree *t = ud;
    if (pk__grow((void **)&t->st, &t->st_cap, (size_t)depth + 1, sizeof *t->st) != PK_OK)
        return PK_ENOMEM;
    uint32_t parent = depth ? t->st[depth - 1].node : 0;
    uint32_t k;
    pk_err e = child_of(t, parent, name, &k);
    if (e != PK_OK)
        return e;
    t->st[depth] = (frame){ k, ns, 0 };
    return PK_OK;
}

static pk_err on_end(void *ud, const char *name, uint64_t ns, unsigned depth, int how)
{
    tree *t = ud;
    (void)name;
    frame *fr = &t->st[depth];
    node *nd = &t->nodes[fr->node];
    uint64_t dur = ns > fr->start ? ns - fr->start : 0;
    nd->count++;
    nd->total += dur;
    nd->self += dur > fr->child ? dur - fr->child : 0;
    if (dur > nd->max)
        nd->max = dur;
    if (how) {
        nd->open++;
        t->open++;
    }
    t->spans++;
    if (depth)
        t->st[depth - 1].child += dur;
    else
        t->traced += dur;
    return PK_OK;
}

static pk_err build(tree *t, pk__trace_totals *tot)
{
    memset(t, 0, sizeof *t);
    t->cap = 64;
    t->nodes = pk_calloc(t->cap, sizeof *t->nodes);
    if (!t->nodes)
        return PK_ENOMEM;
    t->n = 1;  /* the root */
    pk__trace_visitor v = { t, NULL, on_begin, on_end, NULL, NULL };
    return pk__trace_walk(&v, tot);
}

static void tree_free(tree *t)
{
    pk_free(t->nodes);
    pk_free(t->st);
}

/* ---- folded ---------------------------------------------------------------- */

typedef struct ent {
    const char *name;
    uint32_t k;
} ent;

static int by_name(const void *a, const void *b)
{
    const ent *x = a, *y = b;
    return strcmp(pk__trace_name(x->name), pk__trace_name(y->name));
}

static void put_frame(FILE *f, const char *s)
{
    for (const char *p = pk__trace_name(s); *p; p++)
        fputc(*p == ';' || *p == '\n' || *p == '\r' ? '_' : *p, f);
}

static void put_path(FILE *f, const tree *t, uint32_t k)
{
    if (t->nodes[k].parent) {
        put_path(f, t, t->nodes[k].parent);
        fputc(';', f);
    }
    put_frame(f, t->nodes[k].name);
}

/* Depth-first, children in name order, so the output is sorted frame by
 * frame. order is scratch space for t->n entries. */
static void folded_dfs(FILE *f, const tree *t, uint32_t k, ent *order, size_t *used)
{
    size_t base = *used, m = 0;
    for (uint32_t c = t->nodes[k].child; c; c = t->nodes[c].sibling)
        order[base + m++] = (ent){ t->nodes[c].name, c };
    qsort(order + base, m, sizeof *order, by_name);
    *used += m;
    for (size_t i = 0; i < m; i++) {
        uint32_t c = order[base + i].k;
        uint64_t us = (t->nodes[c].self + 500) / 1000;
        if (us > 0) {
            put_path(f, t, c);
            fprintf(f, " %" PRIu64 "\n", us);
        }
        folded_dfs(f, t, c, order, used);
    }
}

pk_err pk_trace_write_folded(FILE *f)
{
    if (!f)
        return PK_EINVAL;
    tree t;
    pk__trace_totals tot;
    pk_err e = build(&t, &tot);
    ent *order = NULL;
    if (e == PK_OK && !(order = pk_calloc(t.n, sizeof *order)))
        e = PK_ENOMEM;
    if (e == PK_OK) {
        size_t used = 0;
        folded_dfs(f, &t, 0, order, &used);
        if (fflush(f) != 0 || ferror(f))
            e = PK_EIO;
    }
    pk_free(order);
    tree_free(&t);
    return e;
}

/* ---- summary --------------------------------------------------------------- */

typedef struct row {
    const char *name;
    uint64_t count, open, total, self, max;
} row;

static int by_self(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->self != y->self)
        return x->self < y->self ? 1 : -1;
    return strcmp(pk__trace_name(x->name), pk__trace_name(y->name));
}

static const char *dur(uint64_t ns, char *buf, size_t len)
{
    return pk_units_format_duration((double)ns, 1, buf, len);
}

pk_err pk_trace_write_summary(FILE *f)
{
    if (!f)
        return PK_EINVAL;
    tree t;
    pk__trace_totals tot;
    row *rows = NULL;
    size_t nr = 0;
    pk_err e = build(&t, &tot);
    if (e == PK_OK && !(rows = pk_calloc(t.n, sizeof *rows)))
        e = PK_ENOMEM;
    if (e != PK_OK)
        goto out;
    for (size_t k = 1; k < t.n; k++) {
        const node *nd = &t.nodes[k];
        if (!nd->count)
            continue;
        size_t r = 0;
        while (r < nr && !same(rows[r].name, nd->name))
            r++;
        if (r == nr)
            rows[nr++].name = nd->name;
        rows[r].count += nd->count;
        rows[r].open += nd->open;
        rows[r].self += nd->self;
        if (!nd->recursive)
            rows[r].total += nd->total;
        if (nd->max > rows[r].max)
            rows[r].max = nd->max;
    }
    qsort(rows, nr, sizeof *rows, by_self);

    char b1[32], b2[32], b3[32], b4[32];
    fprintf(f, "perfkit trace summary: %zu thread%s, %" PRIu64 " spans, traced %s, "
               "%" PRIu64 " dropped events, clock %s\n",
            tot.threads, tot.threads == 1 ? "" : "s", t.spans, dur(t.traced, b1, sizeof b1),
            tot.dropped, pk_trace_clock_name());
    size_t w = 4;
    for (size_t r = 0; r < nr; r++) {
        size_t l = strlen(pk__trace_name(rows[r].name)) + (rows[r].open ? 1 : 0);
        if (l > w)
            w = l;
    }
    if (w > 48)
        w = 48;
    fprintf(f, "%-*s %10s %12s %12s %12s %12s %7s\n", (int)w, "span", "count", "total", "self",
            "mean", "max", "self%");
    for (size_t r = 0; r < nr; r++) {
        const row *x = &rows[r];
        char nm[64];
        snprintf(nm, sizeof nm, "%s%s", pk__trace_name(x->name), x->open ? "*" : "");
        double pct = t.traced ? 100.0 * (double)x->self / (double)t.traced : 0;
        fprintf(f, "%-*s %10" PRIu64 " %12s %12s %12s %12s %6.1f%%\n", (int)w, nm, x->count,
                dur(x->total, b1, sizeof b1), dur(x->self, b2, sizeof b2),
                dur(x->total / x->count, b3, sizeof b3), dur(x->max, b4, sizeof b4), pct);
    }
    if (t.open)
        fprintf(f, "* %" PRIu64 " span%s still open at export: closed at the export (or stop) "
                   "time, or at the first dropped event\n",
                t.open, t.open == 1 ? "" : "s");
    if (tot.dropped)
        fprintf(f, "! %" PRIu64 " events dropped (memory cap or failed allocation): "
                   "times are incomplete\n", tot.dropped);
    if (fflush(f) != 0 || ferror(f))
        e = PK_EIO;
out:
    pk_free(rows);
    tree_free(&t);
    return e;
}
