/* check_json.c — the `perfkit check` verdict as JSON, schema "perfkit/check/v1".
 *
 *   {schema, run{id, started, started_unix_ns, commit, branch, dirty,
 *                perfkit_version, machine{...}, fingerprint, config_hash},
 *    config, failed, strict, counts{pass: n, over_budget: n, ...},
 *    items[{kind, status, benchmark, figure, stat, unit, current, limit,
 *           limit_text, bound, baseline, baseline_run, n_current, n_baseline,
 *           comparison{ratio, ci_lo, ci_hi, p_value, statistic} | null,
 *           note, mode ("paired" | "history" | "runs" | null), history_runs, spread,
 *           line, column}],
 *    warnings[{kind, benchmark, figure, stat, message, magnitude, threshold,
 *              p_value, since_run, since_commit, runs}],
 *    pair{ref, commit} | null,
 *    profiles[...] (check_profiles.c),
 *    stored, store_error}
 *
 * Values are in base units (unit "ns", "bytes", "count"; "fraction" for
 * percent figures). bound says which side of limit a budget or size item
 * keeps the statistic on: "max" (over_budget: above it) or "min"
 * (over_budget: below it, "below minimum" in the other writers). What does
 * not apply or was not measured is null, never 0: current of a
 * NOT_MEASURABLE / ERROR item, limit and bound of a regression item,
 * baseline without a baseline, line/column without a position, empty
 * strings of run metadata. stored says whether the run is in the history
 * (run.id); store_error, when it could not be stored, why (the verdict
 * stands), else null. Built as a jansson tree; containers go into their
 * parent as soon as they exist, so a failure releases only the root. */
#include "report/check_int.h"
#include "perfkit/figure.h"

#include <time.h>

static json_t *iso8601(int64_t unix_ns)
{
    time_t t = (time_t)(unix_ns / 1000000000);
    struct tm tm;
    char buf[96];   /* room for any int year, as gcc's truncation check wants */
    if (unix_ns <= 0 || !gmtime_r(&t, &tm))
        return json_null();
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(unix_ns % 1000000000 / 1000000));
    return json_string(buf);
}

/* A string, or null when empty. */
static json_t *str_or_null(const char *s)
{
    return s && *s ? pk__report_json_str(s) : json_null();
}

static const char *unit_name(pk_unit_kind u)
{
    switch (u) {
    case PK_UNIT_DURATION: return "ns";
    case PK_UNIT_SIZE:     return "bytes";
    case PK_UNIT_COUNT:    return "count";
    case PK_UNIT_PERCENT:  return "fraction";
    }
    return "count";
}

static json_t *run_json(const pk_run_meta *m)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "id", m->id > 0 ? json_integer(m->id) : json_null()) ||
        pk__report_json_set(j, "started", iso8601(m->started_unix_ns)) ||
        pk__report_json_set(j, "started_unix_ns", m->started_unix_ns > 0
                                ? json_integer(m->started_unix_ns) : json_null()) ||
        pk__report_json_set(j, "commit", str_or_null(m->commit)) ||
        pk__report_json_set(j, "branch", str_or_null(m->branch)) ||
        pk__report_json_set(j, "dirty", json_boolean(m->dirty)) ||
        pk__report_json_set(j, "perfkit_version",
                            pk__report_json_str(m->perfkit_version[0] ? m->perfkit_version
                                                                      : pk_version())) ||
        pk__report_json_set(j, "machine", pk__report_machine_json(&m->machine)) ||
        pk__report_json_set(j, "fingerprint", str_or_null(m->fingerprint)) ||
        pk__report_json_set(j, "config_hash", str_or_null(m->config_hash))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *comparison_json(const pk_check_item *it)
{
    if (!it->has_cmp)
        return json_null();
    const pk_comparison *c = &it->cmp;
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "ratio", pk__report_json_real(c->ratio)) ||
        pk__report_json_set(j, "ci_lo", pk__report_json_real(c->ratio_ci.lo)) ||
        pk__report_json_set(j, "ci_hi", pk__report_json_real(c->ratio_ci.hi)) ||
        pk__report_json_set(j, "p_value", pk__report_json_real(c->p_value)) ||
        pk__report_json_set(j, "statistic",
                            json_string(c->statistic == PK_STAT_MEDIAN ? "median" : "mean"))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *item_json(const pk_check_item *it)
{
    bool change = pk__report_check_is_change(it);
    bool has_limit = !change && it->status != PK_CHECK_ERROR;
    bool has_base = change && (it->n_baseline > 0 || it->has_cmp);
    bool moved = it->status == PK_CHECK_REGRESSED || it->status == PK_CHECK_IMPROVED;
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "kind", json_string(pk__report_check_kind_name(it->kind))) ||
        pk__report_json_set(j, "status", json_string(pk__report_check_status_id(it->status))) ||
        pk__report_json_set(j, "benchmark", pk__report_json_str(it->benchmark)) ||
        pk__report_json_set(j, "figure", pk__report_json_str(it->figure)) ||
        pk__report_json_set(j, "stat", pk__report_json_str(it->stat)) ||
        pk__report_json_set(j, "unit", json_string(unit_name(it->unit))) ||
        pk__report_json_set(j, "current", pk__report_check_has_current(it)
                                ? pk__report_json_real(it->current) : json_null()) ||
        pk__report_json_set(j, "limit", has_limit ? pk__report_json_real(it->limit)
                                                  : json_null()) ||
        pk__report_json_set(j, "limit_text", pk__report_json_str(it->limit_text)) ||
        pk__report_json_set(j, "bound", change ? json_null()
                                : json_string(it->bound == PK_BOUND_MIN ? "min" : "max")) ||
        pk__report_json_set(j, "baseline", has_base ? pk__report_json_real(it->baseline)
                                                    : json_null()) ||
        pk__report_json_set(j, "baseline_run", it->baseline_run > 0
                                ? json_integer(it->baseline_run) : json_null()) ||
        pk__report_json_set(j, "baseline_pinned", json_boolean(it->pinned)) ||
        pk__report_json_set(j, "stderr_tail", pk__report_json_str(it->stderr_tail)) ||
        pk__report_json_set(j, "elapsed_s", pk__report_json_real(it->elapsed_s)) ||
        pk__report_json_set(j, "n_current", pk__report_json_u64(it->n_current)) ||
        pk__report_json_set(j, "n_baseline", pk__report_json_u64(it->n_baseline)) ||
        pk__report_json_set(j, "comparison", comparison_json(it)) ||
        pk__report_json_set(j, "note", pk__report_json_str(it->note)) ||
        pk__report_json_set(j, "change", moved && change
                                ? json_string(pk_figure_change_word(it->figure, it->cmp.verdict))
                                : json_null()) ||
        pk__report_json_set(j, "mode", change &&
                                it->mode != PK_CHECK_MODE_NONE
                                ? json_string(pk_check_mode_name(it->mode)) : json_null()) ||
        pk__report_json_set(j, "history_runs", it->mode == PK_CHECK_MODE_HISTORY
                                ? pk__report_json_u64(it->n_runs) : json_null()) ||
        pk__report_json_set(j, "spread", it->mode == PK_CHECK_MODE_HISTORY && it->spread > 0
                                ? pk__report_json_real(it->spread) : json_null()) ||
        pk__report_json_set(j, "line", it->pos.line ? json_integer(it->pos.line)
                                                    : json_null()) ||
        pk__report_json_set(j, "column", it->pos.line ? json_integer(it->pos.column)
                                                      : json_null())) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *warning_json(const pk_check_warning *w)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "kind", str_or_null(w->kind)) ||
        pk__report_json_set(j, "benchmark", str_or_null(w->benchmark)) ||
        pk__report_json_set(j, "figure", str_or_null(w->figure)) ||
        pk__report_json_set(j, "stat", str_or_null(w->stat)) ||
        pk__report_json_set(j, "message", str_or_null(w->message)) ||
        pk__report_json_set(j, "magnitude", pk__report_json_real(w->magnitude)) ||
        pk__report_json_set(j, "threshold", pk__report_json_real(w->threshold)) ||
        pk__report_json_set(j, "p_value", pk__report_json_real(w->p_value)) ||
        pk__report_json_set(j, "since_run", json_integer(w->since_run)) ||
        pk__report_json_set(j, "since_commit", str_or_null(w->since_commit)) ||
        pk__report_json_set(j, "runs", pk__report_json_u64(w->runs))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* root.warnings = [...] (always present, [] when none); nonzero on failure. */
static int warnings_json(json_t *root, const pk_check_report *r)
{
    json_t *arr = json_array();
    if (!arr || pk__report_json_set(root, "warnings", arr))
        return -1;
    for (size_t i = 0; i < r->n_warnings; i++)
        if (pk__report_json_push(arr, warning_json(&r->warnings[i])))
            return -1;
    return 0;
}

/* {ref, commit} of paired mode, null unpaired. */
static json_t *pair_json(const pk_check_report *r)
{
    if (!r->pair_ref[0])
        return json_null();
    json_t *p = json_object();
    if (p && (pk__report_json_set(p, "ref", str_or_null(r->pair_ref)) ||
              pk__report_json_set(p, "commit", str_or_null(r->pair_commit)))) {
        json_decref(p);
        return NULL;
    }
    return p;
}

pk_err pk_check_write_json(FILE *f, const pk_check_report *r)
{
    if (!f || !r || (r->n_items && !r->items))
        return PK_EINVAL;
    json_t *root = json_object(), *counts = json_object(), *items = json_array();
    if (!root || !counts || !items) {
        json_decref(root);
        json_decref(counts);
        json_decref(items);
        return PK_ENOMEM;
    }
    if (pk__report_json_set(root, "schema", json_string("perfkit/check/v1")) ||
        pk__report_json_set(root, "run", run_json(&r->run)) ||
        pk__report_json_set(root, "config", str_or_null(r->config_path)) ||
        pk__report_json_set(root, "failed", json_boolean(r->failed)) ||
        pk__report_json_set(root, "strict", json_boolean(r->strict)) ||
        pk__report_json_set(root, "pair", pair_json(r)) ||
        pk__report_json_set(root, "stored", json_boolean(r->run.id > 0)) ||
        pk__report_json_set(root, "store_error", str_or_null(r->store_error))) {
        json_decref(counts);
        json_decref(items);
        goto fail;
    }
    if (pk__report_json_set(root, "counts", counts)) {   /* counts is root's from here */
        json_decref(items);
        goto fail;
    }
    if (pk__report_json_set(root, "items", items))
        goto fail;
    for (int s = PK_CHECK_PASS; s <= PK_CHECK_ERROR; s++)
        if (pk__report_json_set(counts, pk__report_check_status_id((pk_check_status)s),
                                pk__report_json_u64(r->count[s])))
            goto fail;
    for (size_t i = 0; i < r->n_items; i++)
        if (pk__report_json_push(items, item_json(&r->items[i])))
            goto fail;
    if (warnings_json(root, r) || pk__report_profiles_json(root, r))
        goto fail;
    return pk__report_json_dump(f, root);
fail:
    json_decref(root);
    return PK_ENOMEM;
}
