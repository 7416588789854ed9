/* massif.c — a profile as valgrind massif's output file (`massif.out.PID`),
 * for ms_print, massif-visualizer and the scripts people already have.
 *
 * The grammar is ms_print's (valgrind 3.x): `desc:` lines, `cmd:`,
 * `time_unit: ms`, then `snapshot=N` blocks of time=, mem_heap_B=,
 * mem_heap_extra_B=0 (the allocator's overhead is not recorded),
 * mem_stacks_B=0, heap_tree=empty|detailed|peak. The snapshots are the
 * heap timeline (pk_mem_timeline: each point the largest heap of its time
 * slice) merged down to max_snapshots, the largest kept; two carry a tree:
 * the peak (what each call site held at the moment of the peak) and the
 * last one, at the end (what leaked). A tree is massif's: the root is the
 * whole heap, its children the allocation calls' return addresses, theirs
 * the callers, `nK: BYTES 0xADDR: func (file:line)` indented one space a
 * level, children largest first, those under the threshold (% of the
 * snapshot's heap) merged into one "in N places, all below massif's
 * threshold (T%)" node. Reference: valgrind's docs/ms-manual and ms_print. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem_int.h"
#include "perfkit/alloc.h"
#include "record/symbolize.h"

void pk_mem_massif_opts_init(pk_mem_massif_opts *o)
{
    o->threshold = 1.0;
    o->max_snapshots = 100;
}

/* A node of a heap tree: one return address under its parent. */
typedef struct mnode {
    uint64_t addr, bytes;
    size_t parent, child, next;     /* indices; 0: none (node 0 is the root) */
} mnode;

typedef struct mtree {
    mnode *n;
    size_t len, cap;
    pk__mem_table index;            /* mix(parent, addr) → node index */
} mtree;

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ULL;
    return (z ^ (z >> 29)) | 1;     /* never 0: 0 is an empty slot */
}

/* The child of parent at addr, made when absent. 0: ENOMEM. */
static size_t child_of(mtree *t, size_t parent, uint64_t addr)
{
    for (uint64_t key = mix(parent, addr);; key = mix(key, 1)) {
        bool added;
        pk__mem_entry *e = pk__mem_table_put(&t->index, key, &added);
        if (!e)
            return 0;
        if (!added) {
            const mnode *m = &t->n[e->a];
            if (m->parent == parent && m->addr == addr)
                return (size_t)e->a;
            continue;   /* another node's key: probe the next */
        }
        if (PK__PUSH_ROOM(t->n, t->len, t->cap) != PK_OK) {
            pk__mem_table_del(&t->index, e);
            return 0;
        }
        size_t i = t->len++;
        t->n[i] = (mnode){.addr = addr, .parent = parent, .next = t->n[parent].child};
        t->n[parent].child = i;
        e->a = i;
        return i;
    }
}

/* The tree of every site's cost (peak or leaked bytes). */
static pk_err tree_build(pk_mem_profile *p, pk_mem_cost cost, mtree *t)
{
    if (PK__PUSH_ROOM(t->n, t->len, t->cap) != PK_OK)
        return PK_ENOMEM;
    t->n[t->len++] = (mnode){0};
    for (size_t i = 0; i < p->n_sites; i++) {
        uint64_t c = pk_mem_site_cost(&p->sites[i], cost);
        if (!c)
            continue;
        const pk__mem_stack *st = &p->stacks[p->sites[i].stack];
        t->n[0].bytes += c;
        size_t at = 0;
        bool any = false;
        for (uint32_t k = 0; k < st->n; k++) {
            if (!st->frames[k])
                continue;
            if (!(at = child_of(t, at, st->frames[k])))
                return PK_ENOMEM;
            t->n[at].bytes += c;
            any = true;
        }
        if (!any) {   /* no stack: one node at address 0 */
            if (!(at = child_of(t, 0, 0)))
                return PK_ENOMEM;
            t->n[at].bytes += c;
        }
    }
    return PK_OK;
}

static void tree_free(mtree *t)
{
    pk_free(t->n);
    pk__mem_table_free(&t->index);
}

typedef struct mwriter {
    pk_mem_profile *p;
    const mtree *t;
    FILE *f;
    double threshold;
    uint64_t total;
    size_t *kids;                   /* scratch, one run per level */
    size_t n_kids, cap_kids;
    pk_err e;
} mwriter;

/* The last snapshot of the file mapping addr, NULL when none does. */
static struct pk__record_proc *proc_of(const pk_mem_profile *p, uint64_t addr)
{
    for (size_t k = p->n_snaps; k-- > 0;)
        if (p->snaps[k].proc && pk__record_proc_maps(p->snaps[k].proc, addr))
            return p->snaps[k].proc;
    return NULL;
}

/* " 0xADDR: func (file:line)", massif's label of a frame. */
static void label(pk_mem_profile *p, uint64_t addr, FILE *f)
{
    if (!addr) {
        fputs(" 0x0: ??? (no stack)", f);
        return;
    }
    char name[2048] = "???";
    struct pk__record_proc *proc = proc_of(p, addr);
    const char *file = NULL;
    unsigned line = 0;
    if (proc) {
        pk__record_symbol(proc, addr - 1, name, sizeof name);
        if (!pk__record_srcline(proc, addr - 1, &file, &line))
            file = NULL;
    }
    const char *inner = strrchr(name, ';');   /* inlined: the innermost */
    const char *base = file ? strrchr(file, '/') : NULL;
    fprintf(f, " 0x%" PRIX64 ": %s", addr, inner ? inner + 1 : name);
    if (file)
        fprintf(f, " (%s:%u)", base ? base + 1 : file, line);
}

static bool significant(const mwriter *w, uint64_t bytes)
{
    return w->threshold <= 0 || (w->total && (double)bytes * 100.0 / (double)w->total >=
                                                 w->threshold);
}

static int by_bytes(const void *a, const void *b, void *arg)
{
    const mnode *n = arg;
    const mnode *x = &n[*(const size_t *)a], *y = &n[*(const size_t *)b];
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void node_write(mwriter *w, size_t i, unsigned depth)
{
    const mnode *m = &w->t->n[i];
    /* this node's children, largest first, in the scratch array's tail */
    size_t from = w->n_kids;
    for (size_t c = m->child; c; c = w->t->n[c].next) {
        if (PK__PUSH_ROOM(w->kids, w->n_kids, w->cap_kids) != PK_OK) {
            w->e = PK_ENOMEM;
            return;
        }
        w->kids[w->n_kids++] = c;
    }
    size_t nk = w->n_kids - from;
    if (nk > 1)
        qsort_r(w->kids + from, nk, sizeof *w->kids, by_bytes, w->t->n);
    size_t sig = 0, insig = 0;
    uint64_t insig_bytes = 0;
    for (size_t k = 0; k < nk; k++) {
        uint64_t b = w->t->n[w->kids[from + k]].bytes;
        if (significant(w, b))
            sig++;
        else
            insig++, insig_bytes += b;
    }
    fprintf(w->f, "%*sn%zu: %" PRIu64, (int)depth, "", sig + (insig > 0), m->bytes);
    if (i == 0)
        fputs(" (heap allocation functions) malloc/new/new[], --alloc-fns, etc.", w->f);
    else
        label(w->p, m->addr, w->f);
    fputc('\n', w->f);
    for (size_t k = 0; k < sig && !w->e; k++)
        node_write(w, w->kids[from + k], depth + 1);
    if (insig)
        fprintf(w->f, "%*sn0: %" PRIu64 " in %zu place%s, %sbelow massif's threshold (%.2f%%)\n",
                (int)depth + 1, "", insig_bytes, insig, insig == 1 ? "" : "s",
                insig == 1 ? "" : "all ", w->threshold);
    w->n_kids = from;
}

static pk_err tree_write(pk_mem_profile *p, pk_mem_cost cost, uint64_t total, double threshold,
                         FILE *f)
{
    mtree t = {0};
    pk_err e = tree_build(p, cost, &t);
    if (!e) {
        /* sites hold the figures; the snapshot's total bounds the root */
        if (t.n[0].bytes > total)
            t.n[0].bytes = total;
        mwriter w = {.p = p, .t = &t, .f = f, .threshold = threshold, .total = total};
        node_write(&w, 0, 0);
        pk_free(w.kids);
        e = w.e;
    }
    tree_free(&t);
    return e;
}

typedef struct msnap {
    uint64_t t_ns, bytes;
    int tree;                       /* 0 empty, 1 detailed (end), 2 peak */
} msnap;

static void snap_head(FILE *f, size_t n, const msnap *s)
{
    static const char *const kinds[] = {"empty", "detailed", "peak"};
    fprintf(f,
            "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64 "\nmem_heap_B=%" PRIu64
            "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=%s\n",
            n, s->t_ns / 1000000, s->bytes, kinds[s->tree]);
}

/* The snapshots: 0 at time 0, the timeline merged to at most max - 2
 * (each the largest of its run of points, the peak among them), the end. */
static size_t snaps_make(const pk_mem_profile *p, unsigned max, msnap *s)
{
    size_t np;
    const pk_mem_point *pt = pk_mem_timeline(p, &np);
    const pk_mem_totals *tot = pk_mem_get_totals(p);
    size_t n = 0, room = max - 2, per = np ? (np + room - 1) / room : 1;
    s[n++] = (msnap){0, 0, 0};
    bool peak = false;
    for (size_t i = 0; i < np; i += per) {
        msnap m = {pt[i].t_ns, 0, 0};
        for (size_t j = i; j < np && j < i + per; j++)
            if (pt[j].bytes > m.bytes)
                m = (msnap){pt[j].t_ns, pt[j].bytes, 0};
        if (!peak && tot->peak_bytes && m.bytes == tot->peak_bytes) {
            m = (msnap){tot->peak_ns, tot->peak_bytes, 2};
            peak = true;
        }
        s[n++] = m;
    }
    uint64_t end = tot->duration_ns;
    if (n > 1 && s[n - 1].t_ns > end)
        end = s[n - 1].t_ns;
    s[n++] = (msnap){end, tot->leaked_bytes, 1};
    if (!peak && tot->peak_bytes) {
        /* no point at the peak (an empty timeline): the peak snapshot goes in
         * at its time, keeping the times in order */
        size_t at = 1;
        while (at < n - 1 && s[at].t_ns <= tot->peak_ns)
            at++;
        memmove(s + at + 1, s + at, (n - at) * sizeof *s);
        s[at] = (msnap){tot->peak_ns, tot->peak_bytes, 2};
        n++;
    }
    return n;
}

pk_err pk_mem_write_massif(pk_mem_profile *p, const pk_mem_massif_opts *o, FILE *f)
{
    pk_mem_massif_opts d;
    if (!o) {
        pk_mem_massif_opts_init(&d);
        o = &d;
    }
    if (!p || !f || !(o->threshold >= 0 && o->threshold <= 100) || o->max_snapshots < 3 ||
        o->max_snapshots > PK_MEM_TIMELINE_MAX)
        return PK_EINVAL;
    pk_err e = pk__mem_names_make(p);   /* the symbolizer sessions too */
    if (e)
        return e;
    msnap *s = pk_calloc((size_t)o->max_snapshots + 2, sizeof *s);
    if (!s)
        return PK_ENOMEM;
    size_t n = snaps_make(p, o->max_snapshots, s);
    const pk_mem_info *info = pk_mem_get_info(p);
    fprintf(f, "desc: perfkit mem (requested sizes; heap_extra not recorded)\n");
    fprintf(f, "cmd: ");
    for (const char *c = info->cmdline ? info->cmdline : ""; *c; c++)
        fputc(*c == '\n' ? ' ' : *c, f);
    fputs("\ntime_unit: ms\n", f);
    for (size_t i = 0; i < n && !e; i++) {
        snap_head(f, i, &s[i]);
        if (s[i].tree)
            e = tree_write(p, s[i].tree == 2 ? PK_MEM_PEAK : PK_MEM_LEAKED, s[i].bytes,
                           o->threshold, f);
    }
    pk_free(s);
    if (!e && ferror(f))
        e = PK_EIO;
    return e;
}
