/* names.c — a profile's stacks → names, after loading, never while
 * recording. Each module-map snapshot ('M' record) becomes a process of
 * lib/record's symbolizer (record_int.h: libdwfl, separate debug files by
 * build-id, inlined functions as frames of their own); an address is named
 * with the last snapshot that maps it, so a library dlclose'd before the
 * end still has its names. Frames are return addresses: they are looked up
 * at address - 1, inside the call instruction, as perf and heaptrack do.
 * A distinct (snapshot, address) is named once (a table of names). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem_int.h"
#include "perfkit/alloc.h"
#include "record/symbolize.h"

typedef struct namer {
    pk_mem_profile *p;
    pk__mem_table cache;    /* (snapshot + 1) << 48 | address → names index */
    char **names;
    size_t n_names, cap_names;
} namer;

static pk_err snaps_parse(pk_mem_profile *p)
{
    for (size_t k = 0; k < p->n_snaps; k++) {
        pk__mem_snap *s = &p->snaps[k];
        if (s->proc)
            continue;
        s->proc = pk__record_proc_new((pid_t)p->info.pid, false);
        if (!s->proc)
            return PK_ENOMEM;
        for (const char *l = s->maps; *l;) {
            const char *nl = strchr(l, '\n');
            size_t len = nl ? (size_t)(nl - l) : strlen(l);
            char line[4096];
            if (len < sizeof line) {
                memcpy(line, l, len);
                line[len] = '\0';
                uint64_t a, b, off;
                char perms[8];
                int at = 0;
                if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n", &a, &b,
                           perms, &off, &at) >= 4 && at && perms[2] == 'x' &&
                    pk__record_proc_map(s->proc, a, b, off, line + at) != PK_OK)
                    return PK_ENOMEM;
            }
            l += len + (nl ? 1 : 0);
        }
    }
    return PK_OK;
}

/* The index of the last snapshot mapping addr; -1 when none does. */
static long snap_of(const pk_mem_profile *p, uint64_t addr)
{
    for (size_t k = p->n_snaps; k-- > 0;) {
        if (pk__record_proc_maps(p->snaps[k].proc, addr))
            return (long)k;
    }
    return -1;
}

/* The name of the frame at return address addr (borrowed from n). */
static const char *frame_name(namer *n, uint64_t addr, pk_err *e)
{
    long k = snap_of(n->p, addr);
    if (k < 0)
        return "[unknown]";
    uint64_t key = ((uint64_t)(k + 1) << 48) ^ addr;
    bool added;
    pk__mem_entry *c = pk__mem_table_put(&n->cache, key, &added);
    if (!c) {
        *e = PK_ENOMEM;
        return "[unknown]";
    }
    if (!added)
        return n->names[c->a];
    char buf[2048];
    pk__record_symbol(n->p->snaps[k].proc, addr - 1, buf, sizeof buf);
    char *copy = pk_strdup(buf);
    if (!copy || PK__PUSH_ROOM(n->names, n->n_names, n->cap_names) != PK_OK) {
        pk_free(copy);
        pk__mem_table_del(&n->cache, c);
        *e = PK_ENOMEM;
        return "[unknown]";
    }
    c->a = n->n_names;
    n->names[n->n_names++] = copy;
    return copy;
}

static pk_err site_names(namer *n, const pk__mem_stack *st, const char *root, pk__mem_names *out)
{
    pk_mem_profile *p = n->p;
    pk__buf b = {0};
    pk_err e = pk__buf_puts(&b, root);
    size_t leaf_at = 0;
    if (!st->n && !e) {
        leaf_at = b.len + 1;
        e = pk__buf_puts(&b, ";[no stack]");
    }
    for (uint32_t i = st->n; i-- > 0 && !e;) {
        if (!st->frames[i])
            continue;
        const char *name = frame_name(n, st->frames[i], &e);
        if (e || (e = pk__buf_add(&b, ";", 1)) != PK_OK)
            break;
        leaf_at = b.len;
        e = pk__buf_puts(&b, name);
    }
    if (e) {
        pk_free(b.data);
        return e;
    }
    out->folded = b.data;
    /* the leaf function: the innermost name of the leaf frame */
    const char *leaf = out->folded + leaf_at;
    const char *semi = strrchr(leaf, ';');
    out->func = semi ? semi + 1 : leaf;
    if (st->n && st->frames[0]) {
        long k = snap_of(p, st->frames[0]);
        const char *file;
        unsigned line;
        if (k >= 0 && pk__record_srcline(p->snaps[k].proc, st->frames[0] - 1, &file, &line)) {
            out->file = pk_strdup(file);
            out->line = line;
        }
    }
    return PK_OK;
}

pk_err pk__mem_names_make(pk_mem_profile *p)
{
    if (p->names)
        return PK_OK;
    pk__mem_names *names = pk_calloc(p->n_sites ? p->n_sites : 1, sizeof *names);
    if (!names)
        return PK_ENOMEM;
    p->names = names;
    namer n = {.p = p};
    pk_err e = snaps_parse(p);
    const char *exe = p->exe && *p->exe ? p->exe : "[program]";
    const char *base = strrchr(exe, '/');
    char root[256];
    snprintf(root, sizeof root, "%s", base ? base + 1 : exe);
    for (char *c = root; *c; c++)
        if (*c == ';' || *c == '\n')
            *c = '_';
    for (size_t i = 0; i < p->n_sites && !e; i++)
        e = site_names(&n, &p->stacks[p->sites[i].stack], root, &names[i]);
    for (size_t i = 0; i < n.n_names; i++)
        pk_free(n.names[i]);
    pk_free(n.names);
    pk__mem_table_free(&n.cache);
    if (e)
        pk__mem_names_free(p);
    return e;
}

void pk__mem_names_free(pk_mem_profile *p)
{
    if (p->names) {
        for (size_t i = 0; i < p->n_sites; i++) {
            pk_free(p->names[i].folded);
            pk_free(p->names[i].file);
        }
        pk_free(p->names);
        p->names = NULL;
    }
    for (size_t k = 0; k < p->n_snaps; k++) {
        pk__record_proc_free(p->snaps[k].proc);
        p->snaps[k].proc = NULL;
    }
}

pk_err pk_mem_site_folded(pk_mem_profile *p, size_t i, const char **stack)
{
    if (i >= p->n_sites)
        return PK_EINVAL;
    pk_err e = pk__mem_names_make(p);
    if (e)
        return e;
    *stack = p->names[i].folded;
    return PK_OK;
}

pk_err pk_mem_site_leaf(pk_mem_profile *p, size_t i, const char **func, const char **file,
                        unsigned *line)
{
    if (i >= p->n_sites)
        return PK_EINVAL;
    pk_err e = pk__mem_names_make(p);
    if (e)
        return e;
    *func = p->names[i].func;
    *file = p->names[i].file;
    *line = p->names[i].line;
    return PK_OK;
}

uint64_t pk_mem_site_cost(const pk_mem_site *s, pk_mem_cost cost)
{
    switch (cost) {
    case PK_MEM_ALLOCATED: return s->alloc_bytes;
    case PK_MEM_COUNT: return s->allocs;
    case PK_MEM_PEAK: return s->peak_bytes;
    case PK_MEM_LEAKED: return s->leaked_bytes;
    case PK_MEM_TEMPORARY: return s->temporary;
    }
    return 0;
}

typedef struct sort_ctx {
    const pk_mem_profile *p;
    pk_mem_cost cost;
} sort_ctx;

static int by_cost(const void *a, const void *b, void *arg)
{
    const sort_ctx *c = arg;
    const pk_mem_site *x = &c->p->sites[*(const size_t *)a];
    const pk_mem_site *y = &c->p->sites[*(const size_t *)b];
    uint64_t cx = pk_mem_site_cost(x, c->cost), cy = pk_mem_site_cost(y, c->cost);
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

size_t pk_mem_sites_by(const pk_mem_profile *p, pk_mem_cost cost, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_sites; i++)
        if (pk_mem_site_cost(&p->sites[i], cost))
            idx[n++] = i;
    sort_ctx c = {p, cost};
    qsort_r(idx, n, sizeof *idx, by_cost, &c);
    return n;
}

pk_err pk_mem_add_folded(pk_mem_profile *p, pk_mem_cost cost, pk_folded *f, unsigned slot)
{
    if (!p || !f || slot > 1 || (unsigned)cost > PK_MEM_TEMPORARY)
        return PK_EINVAL;
    pk_err e = pk__mem_names_make(p);
    for (size_t i = 0; i < p->n_sites && !e; i++) {
        uint64_t c = pk_mem_site_cost(&p->sites[i], cost);
        if (c)
            e = pk_folded_add(f, p->names[i].folded, strlen(p->names[i].folded), slot,
                              (double)c);
    }
    return e;
}
