/* compare.c — pk_check_compare: one stored run judged against another
 * (`perfkit compare A B`).
 *
 * Both references resolve the way --baseline does (store.h); every
 * benchmark of B takes A as its baseline and pk_check_evaluate judges it
 * without a config: every figure the two runs share, the default policy,
 * no budgets; sizes stored with the runs included. The verdicts, the
 * failing rule and the report are the gate's; compared_with marks the
 * report so the writers show what changed and fold the rest. */
#include "perfkit/check.h"

#include "perfkit/alloc.h"

static pk_err load(pk_store *st, const char *ref, pk_run_meta *meta, pk_resultset **rs,
                   pk_diag *diag)
{
    int64_t id = 0;
    pk_err e = pk_store_resolve(st, ref, &id);
    if (e == PK_OK)
        e = pk_store_get_run(st, id, meta, rs);
    if (e == PK_ENOENT)   /* the store names ref and says what there is instead */
        pk_diag_set(diag, NULL, 0, 0, "%s", pk_store_last_error(st));
    else if (e != PK_OK)
        pk_diag_set(diag, NULL, 0, 0, "`%s`: %s", ref, pk_store_last_error(st));
    return e;
}

pk_err pk_check_compare(pk_store *st, const char *base_ref, const char *ref,
                        const pk_check_opts *o, pk_check_report **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!st || !base_ref || !ref || !out) {
        pk_diag_set(diag, NULL, 0, 0, "pk_check_compare: NULL argument");
        return PK_EINVAL;
    }
    pk_run_meta ma, mb;
    pk_resultset *a = NULL, *b = NULL;
    const pk_resultset **sets = NULL;
    int64_t *ids = NULL;
    pk_err e = load(st, base_ref, &ma, &a, diag);
    if (e == PK_OK)
        e = load(st, ref, &mb, &b, diag);
    if (e == PK_OK) {
        sets = pk_calloc(b->n ? b->n : 1, sizeof(const pk_resultset *));
        ids = pk_calloc(b->n ? b->n : 1, sizeof *ids);
        if (!sets || !ids)
            e = PK_ENOMEM;
    }
    if (e == PK_OK) {
        for (size_t i = 0; i < b->n; i++) {
            sets[i] = a;
            ids[i] = ma.id;
        }
        pk_check_baselines bl = {.sets = sets, .run_ids = ids, .windows = NULL};
        pk_check_opts eo;
        pk_check_opts_init(&eo);
        eo.strict = o && o->strict;
        eo.run = &mb;
        e = pk_check_evaluate(NULL, b, &bl, &eo, out);
        if (e == PK_OK)
            (*out)->compared_with = ma.id;
    }
    if (e == PK_ENOMEM)
        pk_diag_set(diag, NULL, 0, 0, "out of memory comparing `%s` with `%s`", ref, base_ref);
    pk_free(sets);
    pk_free(ids);
    pk_resultset_free(a);
    pk_resultset_free(b);
    return e;
}
