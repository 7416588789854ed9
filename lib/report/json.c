/* json.c — perfkit's own JSON export, schema "perfkit/bench/v1".
 *
 * Everything a later reader needs to redo the analysis: the machine, the
 * options, every raw sample of every run as exact integers, the summaries
 * (null where a figure was not measured — never 0) and the comparisons.
 * Built as a jansson tree, then dumped once; shape:
 *   {schema, perfkit_version, started, started_unix_ns, machine, measure,
 *    primary, instructions_source, shell{command, correction{runs, wall_ns,
 *    user_ns, sys_ns} or null} or null, interrupted, failed, counters_supported[],
 *    results[{name, command, parameters, n_runs, failed, n_failures, failure,
 *             summary{wall.., instructions, counters{name: ..}}, runs[]}],
 *    comparisons[{name, reference, ratio, ci_lo, ci_hi, confidence, p_value,
 *                 verdict, alpha, threshold, method}]} */
#include "report/report_int.h"

#include <time.h>

static json_t *iso8601(uint64_t unix_ns)
{
    time_t t = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    char buf[96];   /* room for any int year, as gcc's truncation check wants */
    if (unix_ns == 0 || !gmtime_r(&t, &tm))
        return json_null();
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(unix_ns % 1000000000u / 1000000u));
    return json_string(buf);
}

static json_t *outliers_json(const pk_outliers *o)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "low_mild", pk__report_json_u64(o->low_mild)) ||
        pk__report_json_set(j, "high_mild", pk__report_json_u64(o->high_mild)) ||
        pk__report_json_set(j, "low_severe", pk__report_json_u64(o->low_severe)) ||
        pk__report_json_set(j, "high_severe", pk__report_json_u64(o->high_severe)) ||
        pk__report_json_set(j, "fence_low_mild", pk__report_json_real(o->fence_low_mild)) ||
        pk__report_json_set(j, "fence_high_mild", pk__report_json_real(o->fence_high_mild)) ||
        pk__report_json_set(j, "fence_low_severe", pk__report_json_real(o->fence_low_severe)) ||
        pk__report_json_set(j, "fence_high_severe", pk__report_json_real(o->fence_high_severe))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Summary object of a figure, or null when it was not measured. */
static json_t *figure_json(const pk_figure *f)
{
    if (!f->measured)
        return json_null();
    const pk_summary *s = &f->s;
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "n", pk__report_json_u64(s->n)) ||
        pk__report_json_set(j, "mean", pk__report_json_real(s->mean)) ||
        pk__report_json_set(j, "stddev", pk__report_json_real(s->stddev)) ||
        pk__report_json_set(j, "median", pk__report_json_real(s->median)) ||
        pk__report_json_set(j, "min", pk__report_json_real(s->min)) ||
        pk__report_json_set(j, "max", pk__report_json_real(s->max)) ||
        pk__report_json_set(j, "mad", pk__report_json_real(s->mad)) ||
        pk__report_json_set(j, "q1", pk__report_json_real(s->q1)) ||
        pk__report_json_set(j, "q3", pk__report_json_real(s->q3)) ||
        pk__report_json_set(j, "outliers", outliers_json(&s->outliers))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Containers are put into their parent as soon as they exist and filled
 * through a borrowed pointer: on any failure only the root is released. */
static json_t *summary_json(const pk_cmd_report *cr)
{
    json_t *j = json_object(), *ctr = json_object();
    if (!j || !ctr) {
        json_decref(j);
        json_decref(ctr);
        return NULL;
    }
    for (int m = 0; m < PK_METRIC_COUNTER0; m++)
        if (pk__report_json_set(j, pk_metric_name((pk_metric)m), figure_json(&cr->fig[m])))
            goto fail_ctr;
    if (pk__report_json_set(j, "counters", ctr))
        goto fail;
    for (int c = 0; c < PK_CTR_COUNT; c++)
        if (pk__report_json_set(ctr, pk_counter_name((pk_counter)c),
                                figure_json(&cr->fig[PK_METRIC_COUNTER0 + c])))
            goto fail;
    return j;
fail_ctr:
    json_decref(ctr);
fail:
    json_decref(j);
    return NULL;
}

static json_t *run_json(const pk_run_result *x)
{
    json_t *j = json_object(), *ctr = json_object();
    if (!j || !ctr) {
        json_decref(j);
        json_decref(ctr);
        return NULL;
    }
    if (pk__report_json_set(j, "wall_ns", pk__report_json_u64(x->wall_ns)) ||
        pk__report_json_set(j, "user_ns", pk__report_json_u64(x->user_ns)) ||
        pk__report_json_set(j, "sys_ns", pk__report_json_u64(x->sys_ns)) ||
        pk__report_json_set(j, "max_rss_bytes", pk__report_json_u64(x->max_rss_bytes)) ||
        pk__report_json_set(j, "rss_floor_bytes", pk__report_json_u64(x->rss_floor_bytes)) ||
        pk__report_json_set(j, "minflt", pk__report_json_u64(x->minflt)) ||
        pk__report_json_set(j, "majflt", pk__report_json_u64(x->majflt)) ||
        pk__report_json_set(j, "nvcsw", pk__report_json_u64(x->nvcsw)) ||
        pk__report_json_set(j, "nivcsw", pk__report_json_u64(x->nivcsw)) ||
        pk__report_json_set(j, "exit_code", json_integer(x->exit_code)) ||
        pk__report_json_set(j, "signal", json_integer(x->term_signal)) ||
        pk__report_json_set(j, "timed_out", json_boolean(x->timed_out)) ||
        pk__report_json_set(j, "instructions", x->instructions_ok
                                ? pk__report_json_u64(x->instructions) : json_null()))
        goto fail_ctr;
    if (pk__report_json_set(j, "counters", ctr))
        goto fail;
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        json_t *v = (x->counters_ok >> c) & 1u ? pk__report_json_u64(x->counters[c]) : json_null();
        if (pk__report_json_set(ctr, pk_counter_name((pk_counter)c), v))
            goto fail;
    }
    return j;
fail_ctr:
    json_decref(ctr);
fail:
    json_decref(j);
    return NULL;
}

static json_t *failure_json(const pk_cmd_result *c)
{
    if (!c->failed)
        return json_null();
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "run", pk__report_json_u64(c->failed_run)) ||
        pk__report_json_set(j, "warmup", json_boolean(c->failed_in_warmup)) ||
        pk__report_json_set(j, "exit_code", json_integer(c->failure.exit_code)) ||
        pk__report_json_set(j, "signal", json_integer(c->failure.term_signal)) ||
        pk__report_json_set(j, "timed_out", json_boolean(c->failure.timed_out)) ||
        pk__report_json_set(j, "stderr_tail", pk__report_json_str(c->stderr_tail))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* A new container stored under key in parent; borrowed, NULL on failure. */
static json_t *child(json_t *parent, const char *key, json_t *container)
{
    return pk__report_json_set(parent, key, container) ? NULL : container;
}

static json_t *result_json(const pk_cmd_report *cr)
{
    const pk_cmd_result *c = cr->res;
    json_t *j = json_object(), *params, *runs;
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "name", pk__report_json_str(pk__report_cmd_name(c))) ||
        pk__report_json_set(j, "command", pk__report_json_str(c->command)) ||
        !(params = child(j, "parameters", json_object())))
        goto fail;
    if (c->param_name && pk__report_json_set(params, c->param_name,
                                             pk__report_json_str(c->param_value)))
        goto fail;
    if (pk__report_json_set(j, "n_runs", pk__report_json_u64(c->n_runs)) ||
        pk__report_json_set(j, "failed", json_boolean(c->failed)) ||
        pk__report_json_set(j, "n_failures", pk__report_json_u64(c->n_failures)) ||
        pk__report_json_set(j, "failure", failure_json(c)) ||
        pk__report_json_set(j, "summary", summary_json(cr)) ||
        !(runs = child(j, "runs", json_array())))
        goto fail;
    for (size_t i = 0; i < c->n_runs; i++)
        if (pk__report_json_push(runs, run_json(&c->runs[i])))
            goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

static json_t *comparison_json(const pk_bench_report *r, size_t i)
{
    const pk_comparison *cmp = &r->cmds[i].cmp;
    const pk_cmd_result *ref = r->cmds[r->reference].res;
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "name", pk__report_json_str(pk__report_cmd_name(r->cmds[i].res))) ||
        pk__report_json_set(j, "reference", pk__report_json_str(pk__report_cmd_name(ref))) ||
        pk__report_json_set(j, "figure", json_string(pk_metric_name(r->primary))) ||
        pk__report_json_set(j, "ratio", pk__report_json_real(cmp->ratio)) ||
        pk__report_json_set(j, "statistic",
                            json_string(cmp->statistic == PK_STAT_MEDIAN ? "median" : "mean")) ||
        pk__report_json_set(j, "ci_lo", pk__report_json_real(cmp->ratio_ci.lo)) ||
        pk__report_json_set(j, "ci_hi", pk__report_json_real(cmp->ratio_ci.hi)) ||
        pk__report_json_set(j, "confidence", pk__report_json_real(r->compare.boot.confidence)) ||
        pk__report_json_set(j, "p_value", pk__report_json_real(cmp->p_value)) ||
        pk__report_json_set(j, "verdict", json_string(pk_verdict_name(cmp->verdict))) ||
        pk__report_json_set(j, "alpha", pk__report_json_real(r->compare.alpha)) ||
        pk__report_json_set(j, "threshold", pk__report_json_real(r->compare.threshold)) ||
        pk__report_json_set(j, "method", json_string(pk__report_method_name(r->compare.method)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* {"command": "bash", "correction": {runs, wall_ns, user_ns, sys_ns} or
 * null}, or null without a shell. */
static json_t *shell_json(const pk_cmdbench_result *b)
{
    const pk_shell_correction *c = &b->shell_correction;
    if (!b->shell)
        return json_null();
    json_t *j = json_object(), *cj;
    if (!j)
        return NULL;
    /* set steals cj, even when it fails: only j is released below */
    if (pk__report_json_set(j, "command", pk__report_json_str(b->shell)) ||
        pk__report_json_set(j, "correction", cj = c->applied ? json_object() : json_null())) {
        json_decref(j);
        return NULL;
    }
    if (c->applied &&
        (pk__report_json_set(cj, "runs", pk__report_json_u64(c->runs)) ||
         pk__report_json_set(cj, "wall_ns", pk__report_json_u64(c->wall_ns)) ||
         pk__report_json_set(cj, "user_ns", pk__report_json_u64(c->user_ns)) ||
         pk__report_json_set(cj, "sys_ns", pk__report_json_u64(c->sys_ns)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *report_json(const pk_bench_report *r)
{
    const pk_cmdbench_result *b = r->bench;
    const char *src = pk__report_instr_source_name(b->instr_source);
    json_t *j = json_object(), *supported, *results, *cmps;
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "schema", json_string("perfkit/bench/v1")) ||
        pk__report_json_set(j, "perfkit_version", json_string(pk_version())) ||
        pk__report_json_set(j, "started", iso8601(b->started_unix_ns)) ||
        pk__report_json_set(j, "started_unix_ns", pk__report_json_u64(b->started_unix_ns)) ||
        pk__report_json_set(j, "machine", pk__report_machine_json(&r->machine)) ||
        pk__report_json_set(j, "measure", json_string(pk__report_measure_name(b->measure))) ||
        pk__report_json_set(j, "primary", json_string(pk_metric_name(r->primary))) ||
        pk__report_json_set(j, "instructions_source", src ? json_string(src) : json_null()) ||
        pk__report_json_set(j, "shell", shell_json(b)) ||
        pk__report_json_set(j, "interrupted", json_boolean(b->interrupted)) ||
        pk__report_json_set(j, "failed", json_boolean(b->failed)) ||
        !(supported = child(j, "counters_supported", json_array())) ||
        !(results = child(j, "results", json_array())) ||
        !(cmps = child(j, "comparisons", json_array())))
        goto fail;
    for (int c = 0; c < PK_CTR_COUNT; c++)
        if (((b->counters_supported >> c) & 1u) &&
            pk__report_json_push(supported, json_string(pk_counter_name((pk_counter)c))))
            goto fail;
    for (size_t i = 0; i < b->n_cmds; i++) {
        if (pk__report_json_push(results, result_json(&r->cmds[i])))
            goto fail;
        if (r->cmds[i].has_comparison && pk__report_json_push(cmps, comparison_json(r, i)))
            goto fail;
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

pk_err pk__report_bench_json(FILE *f, const pk_bench_report *r, const pk_write_opts *o)
{
    (void)o;
    if (!f || !r)
        return PK_EINVAL;
    return pk__report_json_dump(f, report_json(r));
}
