/* ingest_hyperfine.c — hyperfine --export-json into a result set.
 *
 * Each results[] entry becomes one benchmark named by its "command" (which
 * holds the --command-name when one was given): "wall" from times[] (seconds
 * → ns, every run), "user" and "sys" from "user" / "system" (hyperfine keeps
 * only their means: one sample each), "rss" from memory_usage_byte[] when
 * the hyperfine version writes it. Primary figure: wall. exit_codes are not
 * judged: hyperfine stops on a failing command unless told to ignore it.
 * Values are checked as perfkit/ingest.h says: times, mean and memory are
 * never negative, non-finite or all 0; user and system may be 0.
 * Reference: hyperfine src/export/json.rs. */
#include "ingest/ingest_int.h"

#include "perfkit/alloc.h"

/* Every element of arr (path p, member what) as a number × scale into a new
 * array, checked against rules (pk__ingest_check). */
static pk_err numbers(pk__ingest *g, const json_t *arr, const pk__jpath *p, const char *what,
                      double scale, unsigned rules, double **out, size_t *n)
{
    *out = NULL;
    *n = json_array_size(arr);
    if (*n == 0)
        return pk__ingest_fail(g, p, "empty array: no runs to import");
    double *v = pk_reallocarray(NULL, *n, sizeof *v);
    if (!v)
        return pk__ingest_nomem(g);
    pk_err e = PK_OK;
    for (size_t i = 0; i < *n && e == PK_OK; i++) {
        const json_t *x = json_array_get(arr, i);
        pk__jpath at = *p;
        pk__ingest_idx(&at, i);
        double raw;
        if (!pk__ingest_value(x, &raw)) {
            e = pk__ingest_fail(g, &at, "run %zu: expected a number, not %s", i + 1,
                                pk__ingest_type_name(x));
            break;
        }
        v[i] = raw * scale;
        e = pk__ingest_check(g, &at, what, raw, v[i], rules);
    }
    pk__jpath first = *p;
    if (e == PK_OK)
        e = pk__ingest_check_zero(g, pk__ingest_idx(&first, 0), what, v, *n, rules);
    if (e != PK_OK) {
        pk_free(v);
        return e;
    }
    *out = v;
    return PK_OK;
}

/* An optional single number in seconds (mean, user, system), checked against
 * rules; *have false when absent. */
static pk_err seconds(pk__ingest *g, const json_t *r, const pk__jpath *p, const char *key,
                      unsigned rules, double *ns, bool *have)
{
    double v;
    pk_err e = pk__ingest_number(g, r, key, p, false, &v, have);
    if (e != PK_OK || !*have)
        return e;
    pk__jpath at = *p;
    pk__ingest_key(&at, key);
    *ns = v * 1e9;
    e = pk__ingest_check(g, &at, key, v, *ns, rules);
    return e == PK_OK ? pk__ingest_check_zero(g, &at, key, ns, 1, rules) : e;
}

/* An optional single-number figure (user/system mean). */
static pk_err single(pk__ingest *g, pk_bench_data *b, const json_t *r, const pk__jpath *p,
                     const char *key, const char *figure)
{
    double v;
    bool have;
    pk_err e = seconds(g, r, p, key, PK__CPU, &v, &have);
    if (e != PK_OK || !have)
        return e;
    e = pk_bench_data_put(b, figure, PK_UNIT_DURATION, &v, 1);
    return e == PK_ENOMEM ? pk__ingest_nomem(g) : e;
}

static pk_err one_result(pk__ingest *g, const json_t *r, const pk__jpath *p)
{
    pk__jpath at = *p;
    if (!json_is_object(r))
        return pk__ingest_fail(g, p, "a result must be an object, not %s",
                               pk__ingest_type_name(r));
    const json_t *cmd = json_object_get(r, "command");
    if (!cmd)
        return pk__ingest_fail(g, p, "missing `command`");
    if (!json_is_string(cmd))
        return pk__ingest_fail(g, pk__ingest_key(&at, "command"),
                               "`command` must be a string, not %s", pk__ingest_type_name(cmd));
    const json_t *times;
    pk__jpath tp;
    pk_err e = pk__ingest_array(g, r, "times", " (hyperfine 1.9 or later writes them)", p,
                                &times, &tp);
    if (e != PK_OK)
        return e;
    double *wall = NULL, *rss = NULL, mean;
    size_t n_wall = 0, n_rss = 0;
    bool have_mean;
    e = numbers(g, times, &tp, "times", 1e9, PK__ELAPSED, &wall, &n_wall);
    if (e == PK_OK)   /* not imported (times are), but a nonsense mean is a broken file */
        e = seconds(g, r, p, "mean", PK__ELAPSED, &mean, &have_mean);
    const json_t *mem = json_object_get(r, "memory_usage_byte");
    pk__jpath mp = *p;
    pk__ingest_key(&mp, "memory_usage_byte");
    if (e == PK_OK && mem && !json_is_null(mem)) {
        if (!json_is_array(mem))
            e = pk__ingest_fail(g, &mp, "`memory_usage_byte` must be an array, not %s",
                                pk__ingest_type_name(mem));
        else
            e = numbers(g, mem, &mp, "memory_usage_byte", 1.0, PK__ELAPSED, &rss, &n_rss);
    }
    pk_bench_data *b = NULL;
    at = *p;
    if (e == PK_OK)
        e = pk__ingest_add(g, json_string_value(cmd), pk__ingest_key(&at, "command"), &b);
    if (e == PK_OK)
        e = pk_bench_data_put(b, "wall", PK_UNIT_DURATION, wall, n_wall);
    if (e == PK_OK)
        e = single(g, b, r, p, "user", "user");
    if (e == PK_OK)
        e = single(g, b, r, p, "system", "sys");
    if (e == PK_OK && rss)
        e = pk_bench_data_put(b, "rss", PK_UNIT_SIZE, rss, n_rss);
    if (e == PK_OK)
        e = pk_bench_data_set_primary(b, "wall");
    if (e == PK_ENOMEM)
        pk__ingest_nomem(g);
    pk_free(wall);
    pk_free(rss);
    return e;
}

pk_err pk__ingest_hyperfine(pk__ingest *g, const json_t *root)
{
    pk__jpath p = {0};
    if (!json_is_object(root))
        return pk__ingest_fail(g, &p, "hyperfine JSON must be an object, not %s",
                               pk__ingest_type_name(root));
    const json_t *res;
    pk_err e = pk__ingest_array(g, root, "results", " (is this hyperfine --export-json?)", &p,
                                &res, &p);
    if (e != PK_OK)
        return e;
    g->results = p;
    const json_t *r;
    size_t i;
    json_array_foreach(res, i, r) {
        pk__jpath rp = p;
        e = one_result(g, r, pk__ingest_idx(&rp, i));
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}
