/* owner.c — which benchmark of the config a result belongs to.
 *
 * A result is named after its config benchmark: "name" itself, or
 * "name/inner" for the results one entry produces (a parameter value, a
 * Google Benchmark case, an imported command). Scanning the config for every
 * result is O(results × benchmarks); instead the config's names go into a
 * hash table once, and a result looks up itself and each prefix that ends
 * before a '/', keeping the benchmark that comes first in the config (as
 * the scan did). Only prefixes no longer than the config's longest name are
 * looked up, so a result name of any length costs at most that many bytes
 * per '/'. */
#include <string.h>

#include "check/check_int.h"

bool pk__check_belongs(const pk_cfg_bench *cb, const char *name)
{
    size_t n = strlen(cb->name);
    return strncmp(name, cb->name, n) == 0 && (name[n] == '\0' || name[n] == '/');
}

pk_err pk__check_owners_init(pk__check_owners *o, const pk_config *c)
{
    memset(o, 0, sizeof *o);
    o->c = c;
    if (!c || !c->n_benches)
        return PK_OK;
    if (pk__hash_reserve(&o->names, c->n_benches) != PK_OK)
        return PK_ENOMEM;
    for (size_t i = 0; i < c->n_benches; i++) {
        const char *name = c->benches[i].name;
        size_t len = strlen(name);
        o->longest = len > o->longest ? len : o->longest;
        /* names are unique (config.h); keep the first should one repeat */
        if (!pk__hash_get(&o->names, name, len, NULL) &&
            pk__hash_put(&o->names, name, len, i) != PK_OK) {
            pk__check_owners_free(o);
            return PK_ENOMEM;
        }
    }
    return PK_OK;
}

const pk_cfg_bench *pk__check_owner(const pk__check_owners *o, const char *name)
{
    if (!o->c || !name)
        return NULL;
    size_t best = SIZE_MAX, len = strlen(name), i;
    for (size_t k = 1; k <= len && k <= o->longest; k++)
        if ((k == len || name[k] == '/') && pk__hash_get(&o->names, name, k, &i) && i < best)
            best = i;
    return best == SIZE_MAX ? NULL : &o->c->benches[best];
}

void pk__check_owners_free(pk__check_owners *o)
{
    if (!o)
        return;
    pk__hash_free(&o->names);
    memset(o, 0, sizeof *o);
}
