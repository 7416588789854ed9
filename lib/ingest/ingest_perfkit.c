/* ingest_perfkit.c — perfkit's own JSON (schema perfkit/bench/v1) into a
 * result set.
 *
 * Each results[] entry becomes one benchmark named by its "name": from its
 * runs[], wall/user/sys (ns), rss (bytes), minflt, majflt, nvcsw, nivcsw,
 * instructions and every counters{} entry — the same series
 * pk_resultset_add_cmdbench() makes from a live run. A figure that is null
 * or absent in any run is not measured (no series, never zeros). Values are
 * never negative or non-finite; wall and rss are never 0 in every run.
 * Primary: the file's "primary" figure. A failed command keeps its runs and gets an
 * error message. Writer: lib/report/json.c. */
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"

static const struct {
    const char *key, *figure;
    pk_unit_kind kind;
    bool required;
    unsigned rules;   /* pk__ingest_check */
} run_fields[] = {
    {"wall_ns", "wall", PK_UNIT_DURATION, true, PK__ELAPSED},
    {"user_ns", "user", PK_UNIT_DURATION, true, PK__CPU},
    {"sys_ns", "sys", PK_UNIT_DURATION, true, PK__CPU},
    {"max_rss_bytes", "rss", PK_UNIT_SIZE, false, PK__ELAPSED},
    {"minflt", "minflt", PK_UNIT_COUNT, false, PK__CPU},
    {"majflt", "majflt", PK_UNIT_COUNT, false, PK__CPU},
    {"nvcsw", "nvcsw", PK_UNIT_COUNT, false, PK__CPU},
    {"nivcsw", "nivcsw", PK_UNIT_COUNT, false, PK__CPU},
    {"instructions", "instructions", PK_UNIT_COUNT, false, PK__CPU},
};

/* Series figure from member key of runs[i] (or of runs[i].counters when
 * counter): added when every run has a number there; each value checked
 * against rules (pk__ingest_check). */
static pk_err series(pk__ingest *g, pk_bench_data *b, const json_t *runs, const pk__jpath *p,
                     const char *key, bool counter, const char *figure, pk_unit_kind kind,
                     bool required, unsigned rules, double *buf)
{
    size_t n = json_array_size(runs);
    bool all = true;
    pk__jpath first = {0};
    for (size_t i = 0; i < n; i++) {
        const json_t *run = json_array_get(runs, i);
        pk__jpath rp = *p;
        pk__ingest_idx(&rp, i);
        if (counter) {
            run = json_object_get(run, "counters");
            pk__ingest_key(&rp, "counters");
            if (!run || json_is_null(run)) {
                all = false;
                continue;
            }
            if (!json_is_object(run))
                return pk__ingest_fail(g, &rp, "`counters` must be an object, not %s",
                                       pk__ingest_type_name(run));
        }
        bool have;
        pk_err e = pk__ingest_number(g, run, key, &rp, required, &buf[i], &have);
        if (e != PK_OK)
            return e;
        all = all && have;
        if (!have)
            continue;
        pk__ingest_key(&rp, key);
        if (i == 0)
            first = rp;
        if ((e = pk__ingest_check(g, &rp, key, buf[i], buf[i], rules)) != PK_OK)
            return e;
    }
    if (!all || n == 0 || pk_bench_data_get(b, figure))
        return PK_OK;   /* not measured in every run, or "instructions" twice */
    pk_err e = pk__ingest_check_zero(g, &first, key, buf, n, rules);
    if (e == PK_OK)
        e = pk_bench_data_put(b, figure, kind, buf, n);
    return e == PK_ENOMEM ? pk__ingest_nomem(g) : e;
}

static pk_err failure(pk__ingest *g, pk_bench_data *b, const json_t *f)
{
    char msg[256];
    json_int_t run = json_integer_value(json_object_get(f, "run"));
    int code = (int)json_integer_value(json_object_get(f, "exit_code"));
    int sig = (int)json_integer_value(json_object_get(f, "signal"));
    if (!json_is_object(f))
        snprintf(msg, sizeof msg, "the command failed");
    else if (json_is_true(json_object_get(f, "timed_out")))
        snprintf(msg, sizeof msg, "run %lld timed out", (long long)run);
    else if (sig)
        snprintf(msg, sizeof msg, "run %lld was killed by signal %d", (long long)run, sig);
    else
        snprintf(msg, sizeof msg, "%s %lld failed with exit code %d",
                 json_is_true(json_object_get(f, "warmup")) ? "warm-up run" : "run",
                 (long long)run, code);
    return pk_bench_data_set_error(b, msg) == PK_OK ? PK_OK : pk__ingest_nomem(g);
}

static pk_err one_result(pk__ingest *g, const json_t *r, const pk__jpath *p, const char *primary)
{
    if (!json_is_object(r))
        return pk__ingest_fail(g, p, "a result must be an object, not %s",
                               pk__ingest_type_name(r));
    pk__jpath np = *p, rp = *p;
    const char *key = json_object_get(r, "name") ? "name" : "command";
    const json_t *name = json_object_get(r, key);
    if (!name)
        return pk__ingest_fail(g, p, "missing `name`");
    pk__ingest_key(&np, key);
    if (!json_is_string(name))
        return pk__ingest_fail(g, &np, "`%s` must be a string, not %s", key,
                               pk__ingest_type_name(name));
    const json_t *runs;
    pk_err e = pk__ingest_array(g, r, "runs", NULL, p, &runs, &rp);
    if (e != PK_OK)
        return e;
    size_t n = json_array_size(runs);
    for (size_t i = 0; i < n; i++)
        if (!json_is_object(json_array_get(runs, i))) {
            pk__jpath ip = rp;
            return pk__ingest_fail(g, pk__ingest_idx(&ip, i), "a run must be an object, not %s",
                                   pk__ingest_type_name(json_array_get(runs, i)));
        }

    double *buf = pk_reallocarray(NULL, n ? n : 1, sizeof *buf);
    if (!buf)
        return pk__ingest_nomem(g);
    pk_bench_data *b;
    e = pk__ingest_add(g, json_string_value(name), &np, &b);
    for (size_t f = 0; e == PK_OK && f < sizeof run_fields / sizeof run_fields[0]; f++)
        e = series(g, b, runs, &rp, run_fields[f].key, false, run_fields[f].figure,
                   run_fields[f].kind, run_fields[f].required, run_fields[f].rules, buf);
    const json_t *ctrs = json_object_get(json_array_get(runs, 0), "counters");
    const char *ctr;
    const json_t *v;
    if (json_is_object(ctrs))
        json_object_foreach((json_t *)ctrs, ctr, v) {
            if (e != PK_OK)
                break;
            if (!ctr[0])
                continue;   /* no figure without a name */
            e = series(g, b, runs, &rp, ctr, true, ctr,
                       strcmp(ctr, "task-clock") == 0 ? PK_UNIT_DURATION : PK_UNIT_COUNT, false,
                       PK__CPU, buf);
        }
    pk_free(buf);
    if (e != PK_OK)
        return e;

    if (primary && pk_bench_data_get(b, primary))
        e = pk_bench_data_set_primary(b, primary);
    else if (pk_bench_data_get(b, "wall"))
        e = pk_bench_data_set_primary(b, "wall");
    if (e != PK_OK)
        return pk__ingest_nomem(g);
    const json_t *failed = json_object_get(r, "failed");
    if (json_is_true(failed))
        return failure(g, b, json_object_get(r, "failure"));
    if (n == 0 && pk_bench_data_set_error(b, "no measured runs") != PK_OK)
        return pk__ingest_nomem(g);
    return PK_OK;
}

pk_err pk__ingest_perfkit(pk__ingest *g, const json_t *root)
{
    pk__jpath p = {0};
    if (!json_is_object(root))
        return pk__ingest_fail(g, &p, "perfkit JSON must be an object, not %s",
                               pk__ingest_type_name(root));
    const json_t *schema = json_object_get(root, "schema");
    const char *s = json_string_value(schema);
    pk__jpath sp = p;
    if (!s || strcmp(s, "perfkit/bench/v1") != 0)
        return pk__ingest_fail(g, schema ? pk__ingest_key(&sp, "schema") : &p,
                               "unsupported schema `%s`: this perfkit reads perfkit/bench/v1",
                               s ? s : "(none)");
    const char *primary = json_string_value(json_object_get(root, "primary"));
    const json_t *res;
    pk_err e = pk__ingest_array(g, root, "results", NULL, &p, &res, &p);
    if (e != PK_OK)
        return e;
    g->results = p;
    const json_t *r;
    size_t i;
    json_array_foreach(res, i, r) {
        pk__jpath rp = p;
        e = one_result(g, r, pk__ingest_idx(&rp, i), primary);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}
