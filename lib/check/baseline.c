/* baseline.c — the gate's baseline policy: what each benchmark of this run
 * is compared with.
 *
 * Each benchmark looks on its own, because benchmarks come and go between
 * runs. Its window: the last `window` runs (pk_policy.window, 10) in which
 * it ran without error, on this machine (a laptop is never compared with
 * CI), on the baseline branch, else on this branch (any branch when this
 * run is on none): their run-level statistics give the unpaired gate both
 * its baseline (their robust centre: one bad run is not the baseline) and
 * its noise (their spread), evaluate.c. A reference given by the user
 * (--baseline) or a pin names the one run to be judged against instead
 * (window.fixed); the window still gives the spread. The branch order and
 * the machine match are decided here, once, for `perfkit check` and any
 * program that runs the gate. */
#include "perfkit/check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "check/check_int.h"

void pk_check_baseline_set_free(pk_check_baseline_set *b)
{
    if (!b)
        return;
    for (size_t i = 0; b->sets && i < b->n; i++)
        pk_resultset_free(b->sets[i]);
    for (size_t i = 0; b->windows && i < b->n; i++) {
        pk_check_window *w = &b->windows[i];
        for (size_t k = 0; w->sets && k < w->n; k++)
            pk_resultset_free(w->sets[k]);
        pk_free(w->sets);
        pk_free(w->run_ids);
    }
    pk_free(b->windows);
    pk_free(b->sets);
    pk_free(b->run_ids);
    pk_free(b);
}

pk_check_baselines pk_check_baseline_set_view(const pk_check_baseline_set *b)
{
    pk_check_baselines v = {.sets = NULL};
    if (b) {
        v.sets = (const pk_resultset *const *)b->sets;
        v.run_ids = b->run_ids;
        v.windows = b->windows;
    }
    return v;
}

pk_err pk__check_resolve_ref(pk_store *st, const char *ref, int64_t *id, pk_diag *diag)
{
    *id = 0;
    if (!st) {
        pk_diag_set(diag, NULL, 0, 0, "--baseline `%s`: there is no history yet", ref);
        return PK_ENOENT;
    }
    pk_err e = pk_store_resolve(st, ref, id);
    if (e == PK_ENOENT)   /* the store names ref and says what there is instead */
        pk_diag_set(diag, NULL, 0, 0, "--baseline: %s", pk_store_last_error(st));
    else if (e != PK_OK)
        pk_diag_set(diag, NULL, 0, 0, "--baseline `%s`: %s", ref, pk_store_last_error(st));
    return e;
}

/* The window of benchmark name into w (w->sets, w->run_ids of `size`
 * entries): the baseline branch, else this run's branch (any when none). */
static pk_err window(pk_store *st, const char *name, const char *baseline_branch,
                     const pk_run_meta *meta, size_t size, pk_check_window *w)
{
    const char *fp = meta->fingerprint;
    const char *branch = baseline_branch;
    pk_err e = pk_store_recent(st, name, branch, fp, 0, size, w->run_ids, &w->n);
    if (e == PK_OK && w->n == 0) {
        branch = meta->branch[0] ? meta->branch : NULL;
        e = pk_store_recent(st, name, branch, fp, 0, size, w->run_ids, &w->n);
    }
    snprintf(w->branch, sizeof w->branch, "%s", branch ? branch : "");
    for (size_t k = 0; e == PK_OK && k < w->n; k++)
        e = pk_store_get_bench(st, w->run_ids[k], name, &w->sets[k]);
    return e;
}

/* The window size of benchmark name: its config benchmark's policy (the
 * one evaluate.c judges it under), else the config's. */
static size_t window_size(const pk__check_owners *owners, const char *name)
{
    const pk_cfg_bench *cb = pk__check_owner(owners, name);
    const pk_policy *p = cb ? &cb->policy : owners->c ? &owners->c->policy : NULL;
    return p && p->window ? p->window : PK_DEFAULT_WINDOW;
}

/* Benchmark i: its window and the run it is judged against. */
static pk_err find_one(pk_store *st, const pk__check_owners *owners, const char *name,
                       int64_t fixed, const pk_run_meta *meta, pk_check_baseline_set *b,
                       size_t i)
{
    const pk_config *c = owners->c;
    const char *branch = c && c->baseline_branch ? c->baseline_branch : "main";
    pk_check_window *w = &b->windows[i];
    size_t size = window_size(owners, name);
    w->sets = pk_calloc(size, sizeof(pk_resultset *));
    w->run_ids = pk_calloc(size, sizeof *w->run_ids);
    if (!w->sets || !w->run_ids)
        return PK_ENOMEM;
    pk_err e = window(st, name, branch, meta, size, w);
    int64_t id = fixed;
    if (e == PK_OK && !id) {
        e = pk_store_pinned(st, name, &id);
        w->pinned = id != 0;
    }
    w->fixed = id != 0;
    if (e == PK_OK && !id)
        id = w->n ? w->run_ids[0] : 0;   /* the newest: exact counts use it */
    if (e == PK_OK && id)
        e = pk_store_get_bench(st, id, name, &b->sets[i]);
    b->run_ids[i] = b->sets[i] ? id : 0;
    return e;
}

pk_err pk_check_find_baselines(pk_store *st, const pk_config *c, const pk_resultset *current,
                               const pk_run_meta *meta, const char *ref,
                               pk_check_baseline_set **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!current || !meta || !out) {
        pk_diag_set(diag, NULL, 0, 0, "pk_check_find_baselines: NULL argument");
        return PK_EINVAL;
    }
    size_t n = current->n ? current->n : 1;
    pk_check_baseline_set *b = pk_calloc(1, sizeof *b);
    if (b) {
        b->n = current->n;
        b->sets = pk_calloc(n, sizeof(pk_resultset *));
        b->run_ids = pk_calloc(n, sizeof *b->run_ids);
        b->windows = pk_calloc(n, sizeof *b->windows);
    }
    if (!b || !b->sets || !b->run_ids || !b->windows) {
        pk_check_baseline_set_free(b);
        pk_diag_set(diag, NULL, 0, 0, "out of memory finding baselines");
        return PK_ENOMEM;
    }
    int64_t fixed = 0;
    pk__check_owners owners = {0};
    pk_err e = ref ? pk__check_resolve_ref(st, ref, &fixed, diag) : PK_OK;
    if (e == PK_OK && (e = pk__check_owners_init(&owners, c)) == PK_ENOMEM)
        pk_diag_set(diag, NULL, 0, 0, "out of memory finding baselines");
    for (size_t i = 0; st && e == PK_OK && i < current->n; i++) {
        e = find_one(st, &owners, current->benches[i].name, fixed, meta, b, i);
        if (e == PK_ENOENT) {
            e = PK_OK;   /* the named or pinned run lacks this benchmark: no baseline */
            b->run_ids[i] = 0;
        } else if (e == PK_ENOMEM) {
            pk_diag_set(diag, NULL, 0, 0, "out of memory finding baselines");
        } else if (e != PK_OK) {
            pk_diag_set(diag, NULL, 0, 0, "history: %s", pk_store_last_error(st));
        }
    }
    pk__check_owners_free(&owners);
    if (e != PK_OK) {
        pk_check_baseline_set_free(b);
        return e;
    }
    *out = b;
    return PK_OK;
}
