/* hyperfine.c — hyperfine's --export-json schema, so existing tooling reads
 * perfkit results unchanged.
 *
 * Field names and types as hyperfine 1.15 writes them: times in seconds as
 * doubles; "user"/"system" are the mean CPU times; "stddev" is null with a
 * single run; "exit_codes" holds 128 + the signal number for a run ended by a
 * signal, as hyperfine does (and as a shell reports it);
 * "parameters" (string values) only for a parameter scan. Commands without a
 * measured run are left out (hyperfine never exports such a result). A
 * top-level "machine" object is added; hyperfine's readers ignore it. */
#include "report/report_int.h"

#define NS_PER_S 1e9

static json_t *seconds(double ns)
{
    return pk__report_json_real(ns / NS_PER_S);
}

static json_t *result_json(const pk_bench_report *r, size_t i)
{
    const pk_cmd_result *c = r->cmds[i].res;
    const pk_summary *w = pk__report_fig(r, i, PK_METRIC_WALL);
    const pk_summary *u = pk__report_fig(r, i, PK_METRIC_USER);
    const pk_summary *s = pk__report_fig(r, i, PK_METRIC_SYS);
    json_t *j = json_object(), *times = json_array(), *codes = json_array();
    if (!j || !times || !codes) {
        json_decref(j);
        json_decref(times);
        json_decref(codes);
        return NULL;
    }
    for (size_t k = 0; k < c->n_runs; k++) {
        const pk_run_result *x = &c->runs[k];
        if (pk__report_json_push(times, seconds((double)x->wall_ns)) ||
            pk__report_json_push(codes, json_integer(x->term_signal ? 128 + x->term_signal
                                                                    : x->exit_code)))
            goto fail_arrays;
    }
    if (pk__report_json_set(j, "command", pk__report_json_str(pk__report_cmd_name(c))) ||
        pk__report_json_set(j, "mean", seconds(w->mean)) ||
        pk__report_json_set(j, "stddev", w->n > 1 ? seconds(w->stddev) : json_null()) ||
        pk__report_json_set(j, "median", seconds(w->median)) ||
        pk__report_json_set(j, "user", u ? seconds(u->mean) : json_null()) ||
        pk__report_json_set(j, "system", s ? seconds(s->mean) : json_null()) ||
        pk__report_json_set(j, "min", seconds(w->min)) ||
        pk__report_json_set(j, "max", seconds(w->max)))
        goto fail_arrays;
    if (pk__report_json_set(j, "times", times)) {
        json_decref(codes);
        goto fail;
    }
    if (pk__report_json_set(j, "exit_codes", codes))
        goto fail;
    if (c->param_name) {
        json_t *p = json_object();
        if (pk__report_json_set(j, "parameters", p) ||
            pk__report_json_set(p, c->param_name, pk__report_json_str(c->param_value)))
            goto fail;
    }
    return j;
fail_arrays:
    json_decref(times);
    json_decref(codes);
fail:
    json_decref(j);
    return NULL;
}

pk_err pk__report_bench_hyperfine(FILE *f, const pk_bench_report *r,
                                  const pk_write_opts *o)
{
    (void)o;
    if (!f || !r)
        return PK_EINVAL;
    json_t *root = json_object(), *results = json_array();
    if (!root || !results) {
        json_decref(root);
        json_decref(results);
        return PK_ENOMEM;
    }
    if (pk__report_json_set(root, "results", results))
        goto fail;
    for (size_t i = 0; i < r->bench->n_cmds; i++) {
        if (!pk__report_fig(r, i, PK_METRIC_WALL))
            continue;
        if (pk__report_json_push(results, result_json(r, i)))
            goto fail;
    }
    if (pk__report_json_set(root, "machine", pk__report_machine_json(&r->machine)))
        goto fail;
    return pk__report_json_dump(f, root);
fail:
    json_decref(root);
    return PK_ENOMEM;
}
