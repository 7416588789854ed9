/* startup.c — the startup graph's builder and checker: steps, dependencies by
 * name or id, the name table, and the check before a run (names resolved,
 * dependants built, a topological order by Kahn's algorithm, and when that
 * leaves steps behind, the cycle among them as a path).
 *
 * Names live in an open-addressing table of ids (wyhash of the name, linear
 * probing, grown at 1/2 load), so adding n steps and resolving their
 * dependencies is O(n + edges). A cycle is found by walking "depends on"
 * edges from a step Kahn's algorithm could not order: every such step has an
 * unordered dependency, so the walk must come back to a step it visited.
 * The scheduler is startup_run.c, the report startup_report.c. */
#include "startup_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/wyhash.h"
#include "perfkit/alloc.h"

void pk_startup_opts_init(pk_startup_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->width = 2;
}

int64_t pk__startup_now(const pk_startup *g)
{
    if (g->o.clock_ns)
        return g->o.clock_ns(g->o.clock_ud);
    return pk__clock_ns(PK__CLOCK_MONO);
}

void pk__startup_seterr(pk_startup *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(g->err, sizeof g->err, fmt, ap);
    va_end(ap);
}

const char *pk_startup_last_error(const pk_startup *g)
{
    return g ? g->err : "";
}

/* PK_EINVAL for a bad call on g (NULL g: no message), with why in last_error. */
static pk_err bad_call(pk_startup *g, const char *why, uint32_t step)
{
    if (!g)
        return PK_EINVAL;
    if (g->ran)
        pk__startup_seterr(g, "the graph already ran: it cannot change");
    else if (step != UINT32_MAX && step >= g->n)
        pk__startup_seterr(g, "unknown step id %" PRIu32 " (%" PRIu32 " steps)", step, g->n);
    else
        pk__startup_seterr(g, "%s", why);
    return PK_EINVAL;
}

pk_err pk_startup_new(const pk_startup_opts *o, pk_startup **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_startup_opts d;
    pk_startup_opts_init(&d);
    if (!o)
        o = &d;
    if (o->width == 0 || o->width > 256 || o->timeout_ns < 0)
        return PK_EINVAL;
    pk_startup *g = pk_calloc(1, sizeof *g);
    if (!g)
        return PK_ENOMEM;
    g->o = *o;
    g->refs = 1;
    g->first_bad = UINT32_MAX;
    *out = g;
    return PK_OK;
}

void pk__startup_destroy(pk_startup *g)
{
    for (uint32_t i = 0; i < g->n; i++) {
        pk__startup_step *s = &g->steps[i];
        pk_free(s->name);
        for (uint32_t j = 0; j < s->n_dep_names; j++)
            pk_free(s->dep_names[j]);
        pk_free(s->dep_names);
        pk_free(s->deps);
        pk_free(s->outs);
        pk_free(s->note);
        pk_free(s->msg);
    }
    if (g->sync_ok) {
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->ready_cv);
        pthread_cond_destroy(&g->sup_cv);
    }
    pk_free(g->steps);
    pk_free(g->topo);
    pk_free(g->names);
    pk_free(g->heap);
    pk_free(g->threads);
    pk_free(g->stuck);
    pk_free(g->cur);
    pk_free(g->crit);
    pk_free(g);
}

void pk_startup_free(pk_startup *g)
{
    if (!g)
        return;
    if (g->sync_ok) {
        pthread_mutex_lock(&g->mu);
        g->freed = 1;
        unsigned left = --g->refs;
        pthread_mutex_unlock(&g->mu);
        if (left > 0)
            return;   /* the last straggler frees g */
    }
    pk__startup_destroy(g);
}

/* ---- the name table ----------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
    return pk__wyhash(s, strlen(s), 0x5eed5747u);
}

/* The id of name, or UINT32_MAX. */
static uint32_t name_find(const pk_startup *g, const char *name)
{
    if (!g->names_mask)
        return UINT32_MAX;
    for (uint64_t i = name_hash(name) & g->names_mask;; i = (i + 1) & g->names_mask) {
        uint32_t v = g->names[i];
        if (v == 0)
            return UINT32_MAX;
        if (strcmp(g->steps[v - 1].name, name) == 0)
            return v - 1;
    }
}

static void name_put(uint32_t *tab, uint32_t mask, const char *name, uint32_t id)
{
    uint64_t i = name_hash(name) & mask;
    while (tab[i])
        i = (i + 1) & mask;
    tab[i] = id + 1;
}

/* Room for one more name (load <= 1/2). */
static pk_err name_grow(pk_startup *g)
{
    uint64_t slots = (uint64_t)g->names_mask + 1;
    if (g->names_mask && (uint64_t)(g->n + 1) * 2 <= slots)
        return PK_OK;
    uint64_t ns = g->names_mask ? slots * 2 : 16;
    uint32_t *t = pk_calloc(ns, sizeof *t);
    if (!t)
        return PK_ENOMEM;
    for (uint32_t i = 0; i < g->n; i++)
        name_put(t, (uint32_t)(ns - 1), g->steps[i].name, i);
    pk_free(g->names);
    g->names = t;
    g->names_mask = (uint32_t)(ns - 1);
    return PK_OK;
}

/* ---- building --------------------------------------------------------------------- */

pk_err pk_startup_add(pk_startup *g, const char *name, pk_startup_fn fn, void *arg,
                      pk_startup_id *id)
{
    if (!g || !name || !*name || !fn || g->ran)
        return bad_call(g, !name || !*name ? "a step needs a name" : "a step needs a function",
                        UINT32_MAX);
    if (name_find(g, name) != UINT32_MAX) {
        pk__startup_seterr(g, "duplicate step name `%s`", name);
        return PK_EINVAL;
    }
    if (g->n >= (UINT32_C(1) << 31))
        return PK_ERANGE;
    if (g->n == g->cap) {
        uint32_t nc = g->cap ? g->cap * 2 : 16;
        pk__startup_step *ns = pk_reallocarray(g->steps, nc, sizeof *ns);
        if (!ns)
            return PK_ENOMEM;
        g->steps = ns;
        g->cap = nc;
    }
    if (name_grow(g) != PK_OK)
        return PK_ENOMEM;
    char *copy = pk_strdup(name);
    if (!copy)
        return PK_ENOMEM;
    pk__startup_step *s = &g->steps[g->n];
    memset(s, 0, sizeof *s);
    s->name = copy;
    s->fn = fn;
    s->arg = arg;
    s->timeout_ns = -1;
    s->cost = 1;
    s->start_ns = s->end_ns = -1;
    name_put(g->names, g->names_mask, copy, g->n);
    if (id)
        *id = g->n;
    g->n++;
    return PK_OK;
}

static pk_err push_dep(pk__startup_step *s, uint32_t dep)
{
    if (s->n_deps == s->cap_deps) {
        uint32_t nc = s->cap_deps ? s->cap_deps * 2 : 4;
        uint32_t *nd = pk_reallocarray(s->deps, nc, sizeof *nd);
        if (!nd)
            return PK_ENOMEM;
        s->deps = nd;
        s->cap_deps = nc;
    }
    s->deps[s->n_deps++] = dep;
    return PK_OK;
}

pk_err pk_startup_depends_id(pk_startup *g, pk_startup_id step, pk_startup_id dep)
{
    if (!g || g->ran || step >= g->n || dep >= g->n)
        return bad_call(g, "", step < (g ? g->n : 0) ? dep : step);
    return push_dep(&g->steps[step], dep);
}

pk_err pk_startup_depends(pk_startup *g, pk_startup_id step, const char *dep)
{
    if (!g || !dep || g->ran || step >= g->n)
        return bad_call(g, "a dependency needs a name", step);
    pk__startup_step *s = &g->steps[step];
    if (s->n_dep_names == s->cap_dep_names) {
        uint32_t nc = s->cap_dep_names ? s->cap_dep_names * 2 : 4;
        char **nd = pk_reallocarray(s->dep_names, nc, sizeof *nd);
        if (!nd)
            return PK_ENOMEM;
        s->dep_names = nd;
        s->cap_dep_names = nc;
    }
    char *copy = pk_strdup(dep);
    if (!copy)
        return PK_ENOMEM;
    s->dep_names[s->n_dep_names++] = copy;
    return PK_OK;
}

pk_err pk_startup_set_timeout(pk_startup *g, pk_startup_id step, int64_t timeout_ns)
{
    if (!g || g->ran || step >= g->n || timeout_ns < 0)
        return bad_call(g, "a timeout is >= 0 ns", step);
    g->steps[step].timeout_ns = timeout_ns;
    return PK_OK;
}

pk_err pk_startup_set_cost(pk_startup *g, pk_startup_id step, double cost)
{
    if (!g || g->ran || step >= g->n || !(cost >= 0) || cost - cost != 0)
        return bad_call(g, "a cost is finite and >= 0", step);
    g->steps[step].cost = cost;
    return PK_OK;
}

/* ---- inside a step -------------------------------------------------------------- */

bool pk_startup_cancelled(const pk_startup_ctx *ctx)
{
    return ctx && atomic_load_explicit(&ctx->cancelled, memory_order_relaxed);
}

void pk_startup_fail(pk_startup_ctx *ctx, const char *msg)
{
    if (!ctx || !msg)
        return;
    pk__startup_step *s = &ctx->g->steps[ctx->step];
    pthread_mutex_lock(&ctx->g->mu);
    char *copy = pk_strndup(msg, 255);   /* on ENOMEM the old message stays */
    if (copy) {
        pk_free(s->msg);
        s->msg = copy;
    }
    pthread_mutex_unlock(&ctx->g->mu);
}

const char *pk_startup_step_name(const pk_startup_ctx *ctx)
{
    return ctx ? ctx->g->steps[ctx->step].name : "";
}

/* ---- the check ------------------------------------------------------------------- */

static pk_err resolve(pk_startup *g)
{
    for (uint32_t i = 0; i < g->n; i++) {
        pk__startup_step *s = &g->steps[i];
        for (uint32_t j = 0; j < s->n_dep_names; j++) {
            uint32_t d = name_find(g, s->dep_names[j]);
            if (d == UINT32_MAX) {
                pk__startup_seterr(g, "step `%s` depends on unknown step `%s`", s->name,
                                   s->dep_names[j]);
                return PK_EINVAL;
            }
            if (push_dep(s, d) != PK_OK)
                return PK_ENOMEM;
        }
    }
    return PK_OK;
}

static pk_err build_outs(pk_startup *g)
{
    for (uint32_t i = 0; i < g->n; i++)
        for (uint32_t j = 0; j < g->steps[i].n_deps; j++)
            g->steps[g->steps[i].deps[j]].n_outs++;
    for (uint32_t i = 0; i < g->n; i++) {
        pk__startup_step *s = &g->steps[i];
        s->outs = pk_calloc(s->n_outs ? s->n_outs : 1, sizeof *s->outs);
        if (!s->outs)
            return PK_ENOMEM;
        s->n_outs = 0;
    }
    for (uint32_t i = 0; i < g->n; i++)
        for (uint32_t j = 0; j < g->steps[i].n_deps; j++) {
            pk__startup_step *d = &g->steps[g->steps[i].deps[j]];
            d->outs[d->n_outs++] = i;
        }
    return PK_OK;
}

/* Report the cycle through unordered step `from` (done[] marks ordered ones). */
static void report_cycle(pk_startup *g, const unsigned char *done, uint32_t from, int64_t *pos,
                         uint32_t *path)
{
    uint32_t len = 0, cur = from;
    for (uint32_t i = 0; i < g->n; i++)
        pos[i] = -1;
    while (pos[cur] < 0) {
        pos[cur] = len;
        path[len++] = cur;
        const pk__startup_step *s = &g->steps[cur];
        uint32_t next = cur;
        for (uint32_t j = 0; j < s->n_deps; j++)
            if (!done[s->deps[j]]) {
                next = s->deps[j];
                break;
            }
        cur = next;
    }
    uint32_t first = (uint32_t)pos[cur], clen = len - first, at = 0;
    for (uint32_t k = 1; k < clen; k++)   /* start at the earliest-registered step */
        if (path[first + k] < path[first + at])
            at = k;
    size_t o = (size_t)snprintf(g->err, sizeof g->err, "dependency cycle: ");
    for (uint32_t k = 0; k <= clen && o < sizeof g->err; k++) {
        const char *nm = g->steps[path[first + (at + k) % clen]].name;
        o += (size_t)snprintf(g->err + o, sizeof g->err - o, "%s%s", k ? " -> " : "", nm);
    }
}

pk_err pk__startup_check(pk_startup *g)
{
    pk_err e = resolve(g);
    if (e == PK_OK)
        e = build_outs(g);
    if (e != PK_OK)
        return e;
    uint32_t n = g->n, head = 0, tail = 0;
    uint32_t *indeg = pk_calloc(n ? n : 1, sizeof *indeg);
    unsigned char *done = pk_calloc(n ? n : 1, 1);
    g->topo = pk_calloc(n ? n : 1, sizeof *g->topo);
    if (!indeg || !done || !g->topo) {
        e = PK_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++)
        if ((indeg[i] = g->steps[i].n_deps) == 0)
            g->topo[tail++] = i;
    while (head < tail) {
        uint32_t v = g->topo[head++];
        done[v] = 1;
        for (uint32_t j = 0; j < g->steps[v].n_outs; j++) {
            uint32_t w = g->steps[v].outs[j];
            if (--indeg[w] == 0)
                g->topo[tail++] = w;
        }
    }
    if (tail < n) {
        uint32_t from = 0;
        while (done[from])
            from++;
        int64_t *pos = pk_calloc(n, sizeof *pos);
        uint32_t *path = pk_calloc(n + 1, sizeof *path);
        if (pos && path)
            report_cycle(g, done, from, pos, path);
        e = pos && path ? PK_EINVAL : PK_ENOMEM;
        pk_free(pos);
        pk_free(path);
        goto out;
    }
    for (uint32_t k = n; k-- > 0;) {   /* priorities: longest cost chain to a sink */
        pk__startup_step *s = &g->steps[g->topo[k]];
        double best = 0;
        for (uint32_t j = 0; j < s->n_outs; j++)
            if (g->steps[s->outs[j]].prio > best)
                best = g->steps[s->outs[j]].prio;
        s->prio = s->cost + best;
    }
out:
    pk_free(indeg);
    pk_free(done);
    return e;
}
