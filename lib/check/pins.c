/* pins.c — the pinned baselines made visible: pk_check_pins_new (`perfkit
 * baseline list`) and pk_check_run_view_new (`perfkit baseline show`).
 *
 * A pin is a row benchmark → run in the store; the list adds each run's
 * metadata so a reader sees what the gate compares with (which commit,
 * branch, when) without a second lookup. `show` takes what a user types:
 * a pinned benchmark's name first (the question is usually "what is X
 * compared with?"), else a run reference as pk_store_resolve reads it; a
 * name that is neither gets the nearest pinned benchmark name
 * (pk_diag_suggest) or, for a benchmark without a pin, says so. Each
 * benchmark of the run shows its primary figure's median, the figure the
 * gate judges first. */
#include "perfkit/check.h"

#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/store.h"

void pk_check_pins_free(pk_check_pins *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        pk_free(p->pins[i].benchmark);
    pk_free(p->pins);
    pk_free(p);
}

static pk_err store_fail(pk_store *st, pk_err e, pk_diag *diag)
{
    if (e == PK_ENOMEM)
        pk_diag_set(diag, NULL, 0, 0, "out of memory reading the history");
    else
        pk_diag_set(diag, NULL, 0, 0, "%s", pk_store_last_error(st));
    return e;
}

pk_err pk_check_pins_new(pk_store *st, pk_check_pins **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!st || !out) {
        pk_diag_set(diag, NULL, 0, 0, "pk_check_pins_new: NULL argument");
        return PK_EINVAL;
    }
    char **names = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    pk_err e = pk_store_list_pins(st, &names, &ids, &n);
    if (e != PK_OK)
        return store_fail(st, e, diag);
    pk_check_pins *p = pk_calloc(1, sizeof *p);
    if (p && n && !(p->pins = pk_calloc(n, sizeof *p->pins))) {
        pk_free(p);
        p = NULL;
    }
    if (!p)
        e = PK_ENOMEM;
    for (size_t i = 0; e == PK_OK && i < n; i++) {
        e = pk_store_get_run(st, ids[i], &p->pins[i].run, NULL);
        if (e == PK_ENOENT)
            e = PK_ECORRUPT;   /* the schema cascades deletes: cannot happen */
        if (e == PK_OK) {
            p->pins[i].benchmark = names[i];   /* moved */
            names[i] = NULL;
            p->n++;
        }
    }
    pk_store_free_names(names, n);
    pk_free(ids);
    if (e != PK_OK) {
        pk_check_pins_free(p);
        return store_fail(st, e, diag);
    }
    *out = p;
    return PK_OK;
}

void pk_check_run_view_free(pk_check_run_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        pk_free(v->benches[i].benchmark);
        pk_free(v->benches[i].figure);
        pk_free(v->benches[i].error);
    }
    pk_free(v->benches);
    pk_free(v->pinned_for);
    pk_free(v);
}

/* ref names nothing: the nearest pinned benchmark, or the benchmark's lack
 * of a pin, or the store's word on ref as a run reference. */
static pk_err not_found(pk_store *st, const char *ref, const pk_check_pins *pins,
                        pk_diag *diag)
{
    char store_msg[512];
    snprintf(store_msg, sizeof store_msg, "%s", pk_store_last_error(st));
    char **names = NULL;
    size_t n = 0;
    pk_err e = pk_store_list_benchmarks(st, &names, &n);
    if (e != PK_OK)
        return store_fail(st, e, diag);
    bool known = false;
    for (size_t i = 0; i < n && !known; i++)
        known = strcmp(names[i], ref) == 0;
    pk_store_free_names(names, n);
    if (known) {
        pk_diag_set(diag, NULL, 0, 0, "no baseline is pinned for `%s`: perfkit check compares "
                    "it with the latest run on the baseline branch (pin one: perfkit baseline "
                    "pin RUN --benchmark %s)", ref, ref);
        return PK_ENOENT;
    }
    const char **cand = pk_calloc(pins->n ? pins->n : 1, sizeof *cand);
    if (!cand)
        return store_fail(st, PK_ENOMEM, diag);
    for (size_t i = 0; i < pins->n; i++)
        cand[i] = pins->pins[i].benchmark;
    const char *hint = pk_diag_suggest(ref, cand, pins->n);
    if (hint)
        pk_diag_set(diag, NULL, 0, 0, "`%s` is not a pinned benchmark nor a run in history "
                    "\xe2\x80\x94 did you mean `%s`?", ref, hint);
    else
        pk_diag_set(diag, NULL, 0, 0, "`%s` is not a pinned benchmark; as a run: %s", ref,
                    store_msg);
    pk_free(cand);
    return PK_ENOENT;
}

/* The median of b's primary figure (else its first) into rb. */
static pk_err fill_bench(const pk_bench_data *b, pk_check_run_bench *rb)
{
    if (!(rb->benchmark = pk_strdup(b->name)))
        return PK_ENOMEM;
    if (b->error && !(rb->error = pk_strdup(b->error)))
        return PK_ENOMEM;
    const pk_series *se = b->primary ? pk_bench_data_get(b, b->primary) : NULL;
    if (!se && b->n_series)
        se = &b->series[0];
    if (!se)
        return PK_OK;
    if (!(rb->figure = pk_strdup(se->figure)))
        return PK_ENOMEM;
    rb->unit = se->kind;
    rb->n = se->n;
    pk_err e = pk_series_stat(se, "median", &rb->median);
    return e == PK_ENOMEM ? PK_ENOMEM : PK_OK;
}

static pk_err view_run(pk_store *st, int64_t id, const pk_check_pins *pins,
                       pk_check_run_view *v, pk_diag *diag)
{
    pk_resultset *rs = NULL;
    pk_err e = pk_store_get_run(st, id, &v->run, &rs);
    if (e != PK_OK)
        return store_fail(st, e, diag);
    if (rs->n && !(v->benches = pk_calloc(rs->n, sizeof *v->benches)))
        e = PK_ENOMEM;
    for (size_t i = 0; e == PK_OK && i < rs->n; i++) {
        pk_check_run_bench *rb = &v->benches[v->n++];
        e = fill_bench(&rs->benches[i], rb);
        for (size_t k = 0; e == PK_OK && k < pins->n; k++)
            if (pins->pins[k].run.id == id && strcmp(pins->pins[k].benchmark, rb->benchmark) == 0)
                rb->pinned = true;
    }
    pk_resultset_free(rs);
    if (e != PK_OK)
        pk_diag_set(diag, NULL, 0, 0, "out of memory showing run %lld", (long long)id);
    return e;
}

pk_err pk_check_run_view_new(pk_store *st, const char *ref, pk_check_run_view **out,
                             pk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!st || !ref || !out) {
        pk_diag_set(diag, NULL, 0, 0, "pk_check_run_view_new: NULL argument");
        return PK_EINVAL;
    }
    pk_check_pins *pins = NULL;
    pk_err e = pk_check_pins_new(st, &pins, diag);
    if (e != PK_OK)
        return e;
    pk_check_run_view *v = pk_calloc(1, sizeof *v);
    int64_t id = 0;
    if (!v)
        e = store_fail(st, PK_ENOMEM, diag);
    for (size_t i = 0; e == PK_OK && i < pins->n && !id; i++) {
        if (strcmp(pins->pins[i].benchmark, ref) == 0) {
            id = pins->pins[i].run.id;
            if (!(v->pinned_for = pk_strdup(ref)))
                e = store_fail(st, PK_ENOMEM, diag);
        }
    }
    if (e == PK_OK && !id) {
        e = pk_store_resolve(st, ref, &id);
        if (e == PK_ENOENT)
            e = not_found(st, ref, pins, diag);
        else if (e != PK_OK)
            e = store_fail(st, e, diag);
    }
    if (e == PK_OK)
        e = view_run(st, id, pins, v, diag);
    pk_check_pins_free(pins);
    if (e != PK_OK) {
        pk_check_run_view_free(v);
        return e;
    }
    *out = v;
    return PK_OK;
}
