/* ingest_gbench.c — Google Benchmark JSON (--benchmark_format=json or
 * --benchmark_out) into a result set.
 *
 * Rows are grouped by "run_name" (so the repetitions of one benchmark are
 * its samples), else by "name" (old versions; an aggregate's "_mean" suffix
 * is stripped). Each iteration row is one sample of real_time and cpu_time
 * (time_unit → ns), of iterations, and of every user counter present in all
 * of them (bytes_per_second, items_per_second, custom counters: counts as
 * reported). Aggregate rows (mean, median, stddev, cv) are skipped unless a
 * benchmark has no iteration rows (--benchmark_report_aggregates_only): then
 * its "mean" row (else "median") is its one sample. Groups with only
 * complexity rows (BigO, RMS) are not imported. Rows with "error_occurred"
 * give the benchmark its error message and no samples. Primary: real_time.
 * real_time, cpu_time and iterations are never negative, non-finite or all
 * 0; a user counter that is NaN or infinite in any sample row (1.7.1 writes
 * NaN for the cv of an always-zero counter) is not imported.
 * Grouping is linear: a hash table from group name to group, then each
 * group's rows gathered in file order.
 * Reference: benchmark/src/json_reporter.cc. */
#include "ingest/ingest_int.h"

#include <math.h>
#include <string.h>

#include "perfkit/alloc.h"

/* Row members that are not user counters. */
static const char *const fixed_keys[] = {
    "name", "run_name", "run_type", "family_index", "per_family_instance_index",
    "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
    "time_unit", "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
    "label", "big_o", "rms", "cpu_coefficient", "real_coefficient", "complexity_n",
};

static bool is_fixed(const char *k)
{
    for (size_t i = 0; i < sizeof fixed_keys / sizeof fixed_keys[0]; i++)
        if (strcmp(k, fixed_keys[i]) == 0)
            return true;
    return false;
}

typedef struct row {
    const json_t *j;
    size_t index;          /* in benchmarks[] */
    const char *group;     /* run_name or name */
    size_t group_len;
    bool aggregate;
    const char *agg;       /* aggregate_name or NULL */
    size_t group_id;
} row;

static pk__jpath row_path(size_t i, const char *key)
{
    pk__jpath p = {0};
    pk__ingest_idx(pk__ingest_key(&p, "benchmarks"), i);
    if (key)
        pk__ingest_key(&p, key);
    return p;
}

/* Classify row i; errors on a non-object or a missing / mistyped name. */
static pk_err read_row(pk__ingest *g, const json_t *j, size_t i, row *r)
{
    pk__jpath p = row_path(i, NULL);
    if (!json_is_object(j))
        return pk__ingest_fail(g, &p, "a benchmark must be an object, not %s",
                               pk__ingest_type_name(j));
    const json_t *name = json_object_get(j, "name"), *run_name = json_object_get(j, "run_name");
    if (!name)
        return pk__ingest_fail(g, &p, "missing `name`");
    if (!json_is_string(name)) {
        p = row_path(i, "name");
        return pk__ingest_fail(g, &p, "`name` must be a string, not %s",
                               pk__ingest_type_name(name));
    }
    if (run_name && !json_is_string(run_name)) {
        p = row_path(i, "run_name");
        return pk__ingest_fail(g, &p, "`run_name` must be a string, not %s",
                               pk__ingest_type_name(run_name));
    }
    const char *type = json_string_value(json_object_get(j, "run_type"));
    r->j = j;
    r->index = i;
    r->agg = json_string_value(json_object_get(j, "aggregate_name"));
    r->aggregate = type ? strcmp(type, "aggregate") == 0 : r->agg != NULL;
    r->group = json_string_value(run_name ? run_name : name);
    r->group_len = strlen(r->group);
    if (!run_name && r->aggregate && r->agg) {   /* "BM_x_mean" → "BM_x" */
        size_t la = strlen(r->agg);
        if (r->group_len > la + 1 && r->group[r->group_len - la - 1] == '_' &&
            strcmp(r->group + r->group_len - la, r->agg) == 0)
            r->group_len -= la + 1;
    }
    return PK_OK;
}

static pk_err time_scale(pk__ingest *g, const row *r, double *scale)
{
    const json_t *u = json_object_get(r->j, "time_unit");
    static const struct { const char *unit; double ns; } units[] = {
        {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9},
    };
    if (!u) {
        *scale = 1.0;   /* every version writes it; ns is the library's default */
        return PK_OK;
    }
    const char *s = json_string_value(u);
    for (size_t k = 0; s && k < sizeof units / sizeof units[0]; k++)
        if (strcmp(s, units[k].unit) == 0) {
            *scale = units[k].ns;
            return PK_OK;
        }
    pk__jpath p = row_path(r->index, "time_unit");
    if (!s)
        return pk__ingest_fail(g, &p, "`time_unit` must be a string, not %s",
                               pk__ingest_type_name(u));
    return pk__ingest_fail(g, &p, "unknown time_unit `%s` (expected ns, us, ms or s)", s);
}

/* One series from member key of every sample row; skipped (not an error)
 * when optional and absent from some row. rules (pk__ingest_check) judge
 * each value; with rules 0 (a user counter: any finite value) a non-finite
 * value skips the series instead. */
static pk_err put(pk__ingest *g, pk_bench_data *b, const row *all, const size_t *sel, size_t n,
                  const char *key, const char *figure, pk_unit_kind kind, const double *scale,
                  bool required, unsigned rules, double *buf)
{
    pk__jpath first = {0};
    for (size_t i = 0; i < n; i++) {
        const row *r = &all[sel[i]];
        pk__jpath p = row_path(r->index, NULL);
        bool have;
        double raw = 0;
        pk_err e = pk__ingest_number(g, r->j, key, &p, required, &raw, &have);
        if (e != PK_OK)
            return e;
        if (!have)
            return PK_OK;
        buf[i] = scale ? raw * scale[i] : raw;
        if (!rules && !isfinite(buf[i]))
            return PK_OK;   /* a counter nobody could measure: no samples */
        pk__ingest_key(&p, key);
        if (i == 0)
            first = p;
        if (rules && (e = pk__ingest_check(g, &p, key, raw, buf[i], rules)) != PK_OK)
            return e;
    }
    pk_err e = pk__ingest_check_zero(g, &first, key, buf, n, rules);
    if (e == PK_OK)
        e = pk_bench_data_put(b, figure, kind, buf, n);
    return e == PK_ENOMEM ? pk__ingest_nomem(g) : e;
}

/* The benchmark of one group: its rows are all[member[0..n_member-1]], in
 * file order; sel (row indices), buf and scale are scratch arrays of at
 * least n_member. */
static pk_err one_group(pk__ingest *g, const row *all, const size_t *member, size_t n_member,
                        size_t *sel, double *buf, double *scale)
{
    size_t n = 0, first = member[0];
    const char *error = NULL;
    bool any_iteration = false;
    for (size_t m = 0; m < n_member; m++) {
        size_t i = member[m];
        if (all[i].aggregate)
            continue;
        any_iteration = true;
        if (json_is_true(json_object_get(all[i].j, "error_occurred"))) {
            const char *msg = json_string_value(json_object_get(all[i].j, "error_message"));
            if (!error)
                error = msg && msg[0] ? msg : "the benchmark reported an error";
            continue;
        }
        sel[n++] = i;
    }
    if (!any_iteration) {   /* aggregates only: the mean (else median) is one sample */
        for (int pass = 0; pass < 2 && n == 0; pass++)
            for (size_t m = 0; m < n_member && n == 0; m++)
                if (all[member[m]].agg &&
                    strcmp(all[member[m]].agg, pass == 0 ? "mean" : "median") == 0)
                    sel[n++] = member[m];
        if (n == 0)
            return PK_OK;   /* complexity fits (BigO, RMS) only */
    }
    for (size_t i = 0; i < n; i++) {
        pk_err e = time_scale(g, &all[sel[i]], &scale[i]);
        if (e != PK_OK)
            return e;
    }

    char *name = pk_strndup(all[first].group, all[first].group_len);
    if (!name)
        return pk__ingest_nomem(g);
    pk__jpath np = row_path(all[first].index,
                            json_object_get(all[first].j, "run_name") ? "run_name" : "name");
    pk_bench_data *b;
    pk_err e = pk__ingest_add(g, name, &np, &b);
    pk_free(name);
    if (e == PK_OK && n > 0) {
        const row *r0 = &all[sel[0]];
        e = put(g, b, all, sel, n, "real_time", "real_time", PK_UNIT_DURATION, scale, true,
                PK__ELAPSED, buf);
        if (e == PK_OK)
            e = put(g, b, all, sel, n, "cpu_time", "cpu_time", PK_UNIT_DURATION, scale, true,
                    PK__ELAPSED, buf);
        if (e == PK_OK && !r0->aggregate)   /* an aggregate's "iterations" counts reps */
            e = put(g, b, all, sel, n, "iterations", "iterations", PK_UNIT_COUNT, NULL, false,
                    PK__ELAPSED, buf);
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)r0->j, k, v) {
            if (e != PK_OK)
                break;
            double x;
            if (k[0] && !is_fixed(k) && pk__ingest_value(v, &x))
                e = put(g, b, all, sel, n, k, k, PK_UNIT_COUNT, NULL, false, 0, buf);
        }
        if (e == PK_OK && pk_bench_data_set_primary(b, "real_time") != PK_OK)
            e = pk__ingest_nomem(g);
    }
    if (e == PK_OK && error && pk_bench_data_set_error(b, error) != PK_OK)
        e = pk__ingest_nomem(g);
    return e;
}

pk_err pk__ingest_gbench(pk__ingest *g, const json_t *root)
{
    pk__jpath p = {0};
    if (!json_is_object(root))
        return pk__ingest_fail(g, &p, "Google Benchmark JSON must be an object, not %s",
                               pk__ingest_type_name(root));
    const json_t *arr;
    pk_err e = pk__ingest_array(g, root, "benchmarks", " (is this --benchmark_format=json?)", &p,
                                &arr, &p);
    if (e != PK_OK)
        return e;
    g->results = p;
    size_t n = json_array_size(arr);
    if (n == 0)
        return PK_OK;   /* "no benchmark results" (pk_ingest_buffer) */
    /* rows → groups through a hash of the group names (borrowed from the
     * JSON tree), then the rows of each group gathered in file order
     * (counting sort): linear in the rows however many groups there are */
    row *rows = pk_calloc(n, sizeof *rows);
    size_t *sel = pk_calloc(n, sizeof *sel), *member = pk_calloc(n, sizeof *member);
    size_t *start = pk_calloc(n + 1, sizeof *start);
    double *buf = pk_reallocarray(NULL, 2 * n, sizeof *buf);
    pk__hash ids = {0};
    size_t groups = 0;
    if (!rows || !sel || !member || !start || !buf) {
        e = pk__ingest_nomem(g);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((e = read_row(g, json_array_get(arr, i), i, &rows[i])) != PK_OK)
            break;
        size_t k = groups;
        if (!pk__hash_get(&ids, rows[i].group, rows[i].group_len, &k) &&
            pk__hash_put(&ids, rows[i].group, rows[i].group_len, groups++) != PK_OK) {
            e = pk__ingest_nomem(g);
            break;
        }
        rows[i].group_id = k;
        start[k + 1]++;
    }
    pk__hash_free(&ids);
    if (e == PK_OK) {
        for (size_t k = 0; k < groups; k++)
            start[k + 1] += start[k];
        for (size_t k = 0; k < groups; k++)   /* sel: the next free place of each group */
            sel[k] = start[k];
        for (size_t i = 0; i < n; i++)
            member[sel[rows[i].group_id]++] = i;
    }
    for (size_t k = 0; e == PK_OK && k < groups; k++)
        e = one_group(g, rows, member + start[k], start[k + 1] - start[k], sel, buf, buf + n);
    pk_free(rows);
    pk_free(sel);
    pk_free(member);
    pk_free(start);
    pk_free(buf);
    return e;
}
