/* config_profile.c — `profile:` in perfkit.yml: when `perfkit check`
 * records a command benchmark, and how.
 *
 *   profile: on-regression                 # the short form: `when` only
 *   profile:
 *     when: on-regression                  # off | on-regression | always
 *     call-graph: dwarf                    # fp (default) | dwarf
 *     frequency: 1999                      # Hz, 1..100000 (999)
 *     min-samples: 2000                    # record again until this many (1000)
 *     max-time: 20s                        # ... or this long per side (10 s)
 *
 * Globally and per command benchmark; a benchmark's starts from the global
 * value, so `profile: always` under one benchmark keeps the global
 * call-graph and frequency. */
#include "config/config_int.h"

#include <stdio.h>

static const char *const whens[] = {"off", "on-regression", "always"};

void pk_profile_policy_init(pk_profile_policy *p)
{
    *p = (pk_profile_policy){
        .when = PK_PROFILE_OFF,
        .frequency = 999,
        .min_samples = 1000,
        .max_time_ns = 10ull * 1000000000ull,
    };
}

/* Key k of the mapping (0 `when`: named `name`, as the short form is
 * written `profile: WHEN`). */
static pk_err key(pk__cfg_ctx *c, int k, const char *name, const pk__ynode *val,
                  pk_profile_policy *p)
{
    static const char *const graphs[] = {"fp", "dwarf"};
    size_t idx = 0, n = 0;
    double ns = 0;
    pk_err e = PK_OK;
    switch (k) {
    case 0:
        if ((e = pk__cfg_enum(c, name, val, whens, 3, &idx)) == PK_OK)
            p->when = (pk_profile_when)idx;
        break;
    case 1:
        if ((e = pk__cfg_enum(c, "call-graph", val, graphs, 2, &idx)) == PK_OK)
            p->dwarf = idx == 1;
        break;
    case 2:
        if ((e = pk__cfg_whole(c, "frequency", val, 1, 100000, &n)) == PK_OK)
            p->frequency = (uint32_t)n;
        break;
    case 3:
        if ((e = pk__cfg_whole(c, "min-samples", val, 1, 100000000, &n)) == PK_OK)
            p->min_samples = n;
        break;
    case 4:
        if ((e = pk__cfg_duration(c, "max-time", val, true, &ns)) == PK_OK && !(ns >= 1e6))
            e = pk__cfg_error_at(c, val, "`max-time` must be at least 1ms, e.g. 10s, got `%s`",
                                 val->str);
        if (e == PK_OK)
            p->max_time_ns = ns < 1e12 ? (uint64_t)ns : 1000000000000ull;
        break;
    default:
        break;
    }
    return e;
}

pk_err pk__cfg_profile(pk__cfg_ctx *c, const pk__ynode *v, pk_profile_policy *p,
                       const char *where)
{
    static const char *const keys[] = {"when", "call-graph", "frequency", "min-samples",
                                       "max-time"};
    p->pos = pk__cfg_pos(v);
    if (v->kind == PK__YN_SCALAR)
        return key(c, 0, "profile", v, p);
    char what[192];
    snprintf(what, sizeof what, "`profile` of %s", where);
    pk_err e = pk__cfg_check_map(c, v, what, "key", true), acc = PK_OK;
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        int k = pk__cfg_key_index(v->items[i]->str, keys, 5);
        e = k < 0 ? pk__cfg_unknown_key(c, v->items[i], what, keys, 5)
                  : key(c, k, "when", v->items[i + 1], p);
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}
