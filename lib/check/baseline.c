/* baseline.c — the gate's baseline policy: which stored run each benchmark
 * of this run is compared with.
 *
 * A reference given by the user (--baseline) wins for every benchmark.
 * Otherwise each benchmark looks on its own, because benchmarks come and go
 * between runs: its pin, then the latest run on the baseline branch on this
 * machine, then the latest run on this branch on this machine (any branch
 * when this run is on none). The store applies "pins first" and "a failed
 * benchmark is no baseline" (store.h); the order of the branches and the
 * machine match are decided here, once, for `perfkit check` and any
 * program that runs the gate. */
#include "perfkit/check.h"

#include <string.h>

#include "perfkit/alloc.h"

void pk_check_baseline_set_free(pk_check_baseline_set *b)
{
    if (!b)
        return;
    for (size_t i = 0; b->sets && i < b->n; i++)
        pk_resultset_free(b->sets[i]);
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
    }
    return v;
}

/* The run --baseline ref names, into *id. */
static pk_err resolve(pk_store *st, const char *ref, int64_t *id, pk_diag *diag)
{
    if (!st) {
        pk_diag_set(diag, NULL, 0, 0, "--baseline %s: there is no history yet", ref);
        return PK_ENOENT;
    }
    pk_err e = pk_store_resolve(st, ref, id);
    if (e == PK_ENOENT)
        pk_diag_set(diag, NULL, 0, 0, "--baseline %s: no such run, commit or branch in history",
                    ref);
    else if (e != PK_OK)
        pk_diag_set(diag, NULL, 0, 0, "--baseline %s: %s", ref, pk_store_last_error(st));
    return e;
}

/* The policy's run for benchmark name when no reference is given; 0: none. */
static pk_err policy(pk_store *st, const char *name, const char *baseline_branch,
                     const pk_run_meta *meta, int64_t *id)
{
    const char *fp = meta->fingerprint;
    pk_err e = pk_store_find_baseline(st, name, baseline_branch, fp, 0, id);
    if (e == PK_OK && !*id && meta->branch[0])
        e = pk_store_find_baseline(st, name, meta->branch, fp, 0, id);
    if (e == PK_OK && !*id && !meta->branch[0])
        e = pk_store_find_baseline(st, name, NULL, fp, 0, id);
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
    pk_check_baseline_set *b = pk_calloc(1, sizeof *b);
    if (b) {
        b->n = current->n;
        b->sets = pk_calloc(current->n ? current->n : 1, sizeof(pk_resultset *));
        b->run_ids = pk_calloc(current->n ? current->n : 1, sizeof *b->run_ids);
    }
    if (!b || !b->sets || !b->run_ids) {
        pk_check_baseline_set_free(b);
        pk_diag_set(diag, NULL, 0, 0, "out of memory finding baselines");
        return PK_ENOMEM;
    }
    int64_t fixed = 0;
    pk_err e = ref ? resolve(st, ref, &fixed, diag) : PK_OK;
    const char *branch = c && c->baseline_branch ? c->baseline_branch : "main";
    for (size_t i = 0; st && e == PK_OK && i < current->n; i++) {
        const char *name = current->benches[i].name;
        int64_t id = fixed;
        if (!ref)
            e = policy(st, name, branch, meta, &id);
        if (e == PK_OK && id)
            e = pk_store_get_bench(st, id, name, &b->sets[i]);
        if (e == PK_ENOENT)
            e = PK_OK;   /* that run lacks this benchmark: no baseline */
        else if (e != PK_OK)
            pk_diag_set(diag, NULL, 0, 0, "history: %s", pk_store_last_error(st));
        b->run_ids[i] = b->sets[i] ? id : 0;
    }
    if (e != PK_OK) {
        pk_check_baseline_set_free(b);
        return e;
    }
    *out = b;
    return PK_OK;
}
