/* config_bench.c — one entry of `benchmarks:` into a pk_cfg_bench.
 *
 * A benchmark is a command (with every `perfkit bench` option), a Google
 * Benchmark binary, or an import of numbers produced elsewhere; exactly one
 * of command / google-benchmark / import says which, and keys of another
 * kind are refused. Values are read in a fixed order after the keys are
 * checked, so cross-key rules (min-runs <= max-runs, shell quoting) see
 * every value. Parameter scans expand with the CLI's generator (params.h). */
#include "config/config_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/params.h"
#include "perfkit/resultset.h"
#include "perfkit/shellwords.h"

enum {
    K_COMMAND, K_RUNS, K_WARMUP, K_MIN_RUNS, K_MAX_RUNS, K_MIN_TIME, K_PREPARE, K_CONCLUDE,
    K_SETUP, K_CLEANUP, K_SHELL, K_INTERLEAVE, K_IGNORE_FAILURE, K_INPUT, K_OUTPUT, K_TIMEOUT,
    K_MEASURE, K_PSCAN, K_PLIST, K_GBENCH, K_ARGS, K_REPS, K_IMPORT, K_FORMAT, K_BUDGETS,
    K_TOLERANCE, K_REGRESSION, K_PROFILE, K_COUNT
};

static const char *const bench_keys[K_COUNT] = {
    "command", "runs", "warmup", "min-runs", "max-runs", "min-time", "prepare", "conclude",
    "setup", "cleanup", "shell", "interleave", "ignore-failure", "input", "output", "timeout",
    "measure", "parameter-scan", "parameter-list", "google-benchmark", "args", "repetitions",
    "import", "format", "budgets", "tolerance", "regression", "profile",
};

#define CMD (1u << PK_BENCH_COMMAND)
#define GB (1u << PK_BENCH_GBENCH)
#define IMP (1u << PK_BENCH_IMPORT)
static const unsigned char key_kinds[K_COUNT] = {
    CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD, CMD,
    CMD, GB, GB, GB, IMP, IMP, CMD | GB | IMP, CMD | GB | IMP, CMD | GB | IMP, CMD,
};

static const char *const kind_noun[] = {"a command", "a Google Benchmark binary", "an import"};
static const char *const kind_only[] = {"command benchmarks", "Google Benchmark benchmarks",
                                        "imports"};

void pk__cfg_bench_clear(pk_cfg_bench *b)
{
    pk_free(b->name);
    pk_free(b->command);
    pk_free(b->prepare);
    pk_free(b->conclude);
    pk_free(b->setup);
    pk_free(b->cleanup);
    pk_free(b->input);
    pk_free(b->output_file);
    pk_free(b->param_name);
    for (size_t i = 0; i < b->n_param_values; i++)
        pk_free(b->param_values[i]);
    pk_free(b->param_values);
    pk_free(b->binary);
    for (size_t i = 0; i < b->n_args; i++)
        pk_free(b->args[i]);
    pk_free(b->args);
    pk_free(b->import_path);
    for (size_t i = 0; i < b->n_budgets; i++) {
        pk_free(b->budgets[i].figure);
        pk_free(b->budgets[i].stat);
        pk_free(b->budgets[i].text);
    }
    pk_free(b->budgets);
    memset(b, 0, sizeof *b);
}

/* The position of byte col of scalar v: exact on its first line (the
 * quote skipped), else the scalar's own position. */
static unsigned column_of(const pk__ynode *v, size_t col)
{
    if (memchr(v->str, '\n', col))
        return v->column;
    return v->column + (v->quoted ? 1u : 0u) + (unsigned)col;
}

/* A command line must split (unless a shell runs it); shell syntax in it
 * (`echo hi | cat`, which would measure echo) is a warning. */
static pk_err check_words(pk__cfg_ctx *c, const char *key, const pk__ynode *v)
{
    pk_shellwords_syntax syn;
    pk_err e = pk_shellwords_find_syntax(v->str, &syn);
    if (e == PK_ENOMEM)
        return pk__cfg_nomem(c);
    if (e == PK_EINVAL)
        return pk__cfg_error_at(c, v, "`%s` is empty", key);
    if (e != PK_OK) {
        size_t col = 0;   /* where the quote opens: the splitter again */
        char **argv = NULL;
        if (pk_shellwords_split(v->str, &argv, NULL, &col) == PK_ENOMEM)
            return pk__cfg_nomem(c);
        pk_shellwords_free(argv);
        return pk__cfg_error(c, v->line, column_of(v, col),
                             "`%s`: unterminated quote or trailing backslash in `%s` — close "
                             "it, or set `shell: true`",
                             key, v->str);
    }
    if (!syn.token[0])
        return PK_OK;
    char msg[512];
    return pk__cfg_warn(c, v->line, column_of(v, syn.col),
                        "`%s`: %s. Add `shell: true` to the benchmark to run it through /bin/sh",
                        key, pk_shellwords_syntax_text(v->str, &syn, "`shell: true`", msg,
                                                       sizeof msg));
}

/* The scan's values come from the generator `bench -P` uses (params.h), so
 * both spell every value alike; the numbers are checked here first so that
 * a wrong type gets the file's usual message at its value. */
static pk_err param_scan(pk__cfg_ctx *c, const pk__ynode *v, pk_cfg_bench *b)
{
    static const char *const keys[] = {"name", "from", "to", "step"};
    const pk__ynode *val[4] = {NULL, NULL, NULL, NULL};
    pk_err e = pk__cfg_check_map(c, v, "`parameter-scan`", "key", true);
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        int k = pk__cfg_key_index(v->items[i]->str, keys, 4);
        if (k < 0)
            return pk__cfg_unknown_key(c, v->items[i], "`parameter-scan`", keys, 4);
        val[k] = v->items[i + 1];
    }
    if (!val[0] || !val[1] || !val[2])
        return pk__cfg_error_at(c, v,
                                "`parameter-scan` needs `name`, `from` and `to`, e.g. "
                                "{ name: n, from: 1, to: 8 }");
    double x;
    char *name = NULL;
    if ((e = pk__cfg_string(c, "name", val[0], &name)) != PK_OK ||
        (e = pk__cfg_number(c, "from", val[1], &x)) != PK_OK ||
        (e = pk__cfg_number(c, "to", val[2], &x)) != PK_OK ||
        (val[3] && (e = pk__cfg_number(c, "step", val[3], &x)) != PK_OK)) {
        pk_free(name);
        return e;
    }
    pk_param_scan scan = {.lo = val[1]->str, .hi = val[2]->str,
                          .step = val[3] ? val[3]->str : NULL, .lo_what = "`from`",
                          .hi_what = "`to`", .step_what = "`step`"};
    pk_params p;
    pk_param_arg bad = PK_PARAM_ARG_SCAN;
    pk_diag d;
    e = pk_params_scan(name, &scan, &p, &bad, &d);
    pk_free(name);
    if (e == PK_ENOMEM)
        return pk__cfg_nomem(c);
    if (e != PK_OK) {
        const pk__ynode *at = bad == PK_PARAM_ARG_SCAN ? v : val[bad];
        return pk__cfg_error_at(c, at ? at : v, "`parameter-scan`: %s", d.message);
    }
    b->param_name = p.name;   /* the config owns the generator's strings now */
    b->param_values = p.values;
    b->n_param_values = p.n;
    return PK_OK;
}

static pk_err param_list(pk__cfg_ctx *c, const pk__ynode *v, pk_cfg_bench *b)
{
    static const char *const keys[] = {"name", "values"};
    const pk__ynode *val[2] = {NULL, NULL};
    pk_err e = pk__cfg_check_map(c, v, "`parameter-list`", "key", true);
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        int k = pk__cfg_key_index(v->items[i]->str, keys, 2);
        if (k < 0)
            return pk__cfg_unknown_key(c, v->items[i], "`parameter-list`", keys, 2);
        val[k] = v->items[i + 1];
    }
    if (!val[0] || !val[1])
        return pk__cfg_error_at(c, v,
                                "`parameter-list` needs `name` and `values`, e.g. "
                                "{ name: n, values: [1, 2, 4] }");
    if ((e = pk__cfg_string(c, "name", val[0], &b->param_name)) != PK_OK)
        return e;
    const pk__ynode *l = val[1];
    if (l->kind != PK__YN_SEQ || l->n == 0)
        return pk__cfg_error_at(c, l, "`values` must be a non-empty list, e.g. [1, 2, 4]");
    pk_diag d;
    if (pk_params_check_count(l->n, 1, &d) != PK_OK)   /* the rule of scans and -L too */
        return pk__cfg_error_at(c, l, "`parameter-list`: %s", d.message);
    b->param_values = pk_calloc(l->n, sizeof *b->param_values);
    if (!b->param_values)
        return pk__cfg_nomem(c);
    for (size_t i = 0; i < l->n; i++) {
        char *s = NULL;
        if ((e = pk__cfg_string(c, "values", l->items[i], &s)) != PK_OK)
            return e;
        b->param_values[b->n_param_values++] = s;
    }
    return PK_OK;
}

static pk_err gb_args(pk__cfg_ctx *c, const pk__ynode *v, pk_cfg_bench *b)
{
    if (v->kind != PK__YN_SEQ)
        return pk__cfg_error_at(c, v,
                                "`args` must be a list of strings, e.g. "
                                "[--benchmark_filter=BM_Sort]");
    b->args = pk_calloc(v->n ? v->n : 1, sizeof *b->args);
    if (!b->args)
        return pk__cfg_nomem(c);
    for (size_t i = 0; i < v->n; i++) {
        char *s = NULL;
        pk_err e = pk__cfg_string(c, "args", v->items[i], &s);
        if (e != PK_OK)
            return e;
        b->args[b->n_args++] = s;
    }
    return PK_OK;
}

static const char *const stat_names[] = {"mean", "median", "min", "max", "stddev", "mad",
                                         "p50", "p90", "p95", "p99"};

/* A figure of the table that takes a value of kind k and is spelt like fig,
 * or NULL: `walll.p95: 50ms` was meant for `wall`. */
static const char *suggest_figure(const char *fig, pk_unit_kind k)
{
    size_t n, m = 0;
    const char *const *all = pk_figure_names(&n);
    const char *same[32];
    for (size_t i = 0; i < n && m < sizeof same / sizeof same[0]; i++)
        if (pk_figure_kind(all[i]) == k)
            same[m++] = all[i];
    return m ? pk_diag_suggest(fig, same, m) : NULL;
}

/* The comparison a budget's value starts with: `>=` / `≥` (a minimum) or
 * `<=` / `≤` (a maximum), then blanks. Returns the bytes taken (0: none)
 * and the columns they span in *cols. */
static size_t bound_prefix(const char *s, pk_bound *bound, unsigned *cols)
{
    static const struct {
        const char *op;
        unsigned cols;
        pk_bound bound;
    } ops[] = {
        {">=", 2, PK_BOUND_MIN},
        {"<=", 2, PK_BOUND_MAX},
        {"\xe2\x89\xa5", 1, PK_BOUND_MIN},   /* ≥ */
        {"\xe2\x89\xa4", 1, PK_BOUND_MAX},   /* ≤ */
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].op);
        if (strncmp(s, ops[i].op, n) != 0)
            continue;
        *bound = ops[i].bound;
        *cols = ops[i].cols;
        while (s[n] == ' ' || s[n] == '\t') {
            n++;
            ++*cols;
        }
        return n;
    }
    return 0;
}

static const char *limit_example(pk_unit_kind k)
{
    return k == PK_UNIT_DURATION ? "50ms" : k == PK_UNIT_SIZE ? "64MiB" : "1M";
}

/* The value of a budget: an optional `>=` / `<=`, then the limit in the
 * figure's unit. Without an operator the figure's direction decides: a
 * higher-is-better figure (a rate) gets a minimum, any other a maximum. */
static pk_err budget_limit(pk__cfg_ctx *c, const pk__ynode *k, const pk__ynode *v, pk_budget *bu)
{
    pk__ynode lim = *v;   /* the limit after the operator: same line, later column */
    unsigned cols = 0;
    size_t skip = v->kind == PK__YN_SCALAR ? bound_prefix(v->str, &bu->bound, &cols) : 0;
    if (skip == 0) {
        bu->bound = pk_figure_direction(bu->figure) == PK_HIGHER_IS_BETTER ? PK_BOUND_MIN
                                                                            : PK_BOUND_MAX;
        if (v->kind == PK__YN_SCALAR && (v->str[0] == '<' || v->str[0] == '>')) {
            const char *rest = v->str + 1 + strspn(v->str + 1, " \t");
            return pk__cfg_error(c, v->line, v->column + (v->quoted ? 1u : 0u),
                                 "`%s`: a budget includes its limit — write `%c= %s`, not `%s`",
                                 k->str, v->str[0], *rest ? rest : limit_example(bu->kind),
                                 v->str);
        }
    } else {
        const char *op = bu->bound == PK_BOUND_MIN ? ">=" : "<=";
        lim.str = v->str + skip;
        lim.len = v->len - skip;
        lim.column = v->column + cols;
        if (lim.len == 0)
            return pk__cfg_error(c, v->line, lim.column + (v->quoted ? 1u : 0u),
                                 "`%s`: `%s` needs a limit, e.g. \"%s %s\"", k->str, op, op,
                                 limit_example(bu->kind));
    }
    /* a count figure given a duration or size is likely a misspelt figure */
    double x;
    if (bu->kind == PK_UNIT_COUNT && lim.kind == PK__YN_SCALAR) {
        static const pk_unit_kind kinds[] = {PK_UNIT_DURATION, PK_UNIT_SIZE};
        for (size_t i = 0; i < 2; i++) {
            const char *s = pk_units_parse(lim.str, kinds[i], &x, NULL) == PK_OK
                                ? suggest_figure(bu->figure, kinds[i])
                                : NULL;
            if (s)
                return pk__cfg_error_at(c, k, "unknown figure `%s` in `%s` — did you mean `%s`?",
                                        bu->figure, k->str, s);
        }
    }
    pk_err e = pk__cfg_quantity(c, k->str, bu->figure, &lim, bu->kind, &bu->limit);
    if (e != PK_OK)
        return e;
    bu->text = pk_strdup(lim.str);
    return bu->text ? PK_OK : pk__cfg_nomem(c);
}

/* The length of the figure name that starts key when it is one of the
 * table's dotted names ("heap.peak" of "heap.peak.max" or "heap.peak"),
 * else 0. */
static size_t dotted_figure(const char *key)
{
    size_t n = 0;
    const char *const *names = pk_figure_names(&n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (strchr(names[i], '.') && strncmp(key, names[i], len) == 0 &&
            (key[len] == '\0' || key[len] == '.'))
            return len;
    }
    return 0;
}

static pk_err budget(pk__cfg_ctx *c, const pk__ynode *k, const pk__ynode *v, pk_budget *bu)
{
    size_t dotted = dotted_figure(k->str);
    if (dotted && !k->str[dotted]) {
        /* `heap.peak: 64MiB`: an exact figure has one value per run; its
         * budget is on the largest */
        if (!(bu->figure = pk_strdup(k->str)) || !(bu->stat = pk_strdup("max")))
            return pk__cfg_nomem(c);
        bu->kind = pk_figure_kind(bu->figure);
        pk_err e = budget_limit(c, k, v, bu);
        bu->pos = pk__cfg_pos(v);
        return e;
    }
    const char *dot = dotted ? k->str + dotted : strchr(k->str, '.');
    if (!dot || dot == k->str || !dot[1])
        return pk__cfg_error_at(c, k,
                                "budget `%s`: expected FIGURE.STATISTIC, e.g. wall.p95 or "
                                "rss.max",
                                k->str);
    size_t flen = (size_t)(dot - k->str);
    bu->figure = pk_strndup(k->str, flen);
    bu->stat = pk_strdup(dot + 1);
    if (!bu->figure || !bu->stat)
        return pk__cfg_nomem(c);
    if (!pk_series_stat_valid(bu->stat)) {
        size_t nf = 0;
        const char *const *figs = pk_figure_names(&nf);
        const char *f = pk_diag_suggest(k->str, figs, nf);
        if (f && strchr(f, '.'))   /* `heap.peek`: a misspelt dotted figure */
            return pk__cfg_error_at(c, k, "unknown figure `%s` — did you mean `%s`?", k->str, f);
        unsigned col = k->column + (k->quoted ? 1u : 0u) + (unsigned)flen + 1;
        const char *s = pk_diag_suggest(bu->stat, stat_names, 10);
        if (s)
            return pk__cfg_error(c, k->line, col,
                                 "unknown statistic `%s` in `%s` — did you mean `%s.%s`?",
                                 bu->stat, k->str, bu->figure, s);
        return pk__cfg_error(c, k->line, col,
                             "unknown statistic `%s` in `%s`; expected FIGURE.STATISTIC with "
                             "mean, median, min, max, stddev, mad or pN (N from 0 to 100)",
                             bu->stat, k->str);
    }
    bu->kind = pk_figure_kind(bu->figure);
    pk_err e = budget_limit(c, k, v, bu);
    if (e != PK_OK)
        return e;
    bu->pos = pk__cfg_pos(v);
    return PK_OK;
}

static pk_err budgets(pk__cfg_ctx *c, const pk__ynode *v, const char *where, pk_cfg_bench *b)
{
    char what[192];
    snprintf(what, sizeof what, "the budgets of %s", where);
    pk_err e = pk__cfg_check_map(c, v, what, "budget", false);
    if (e != PK_OK)
        return e;
    b->budgets = pk_calloc(v->n / 2 ? v->n / 2 : 1, sizeof *b->budgets);
    if (!b->budgets)
        return pk__cfg_nomem(c);
    pk_err acc = PK_OK;   /* every budget is read: all their errors in one pass */
    for (size_t i = 0; i < v->n; i += 2) {
        pk_budget *bu = &b->budgets[b->n_budgets++];
        if ((acc = pk__cfg_keep(acc, budget(c, v->items[i], v->items[i + 1], bu))) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

/* The value nodes of body by key index; the kind from the one kind key.
 * An unknown key, or one of another kind, is recorded and left out (PK_OK:
 * the rest can be read); no kind key, or two, is PK_EPARSE. */
static pk_err collect(pk__cfg_ctx *c, const pk__ynode *name, const pk__ynode *body,
                      const char *where, const pk__ynode **key, const pk__ynode **val,
                      pk_cfg_bench *b)
{
    static const int kind_key[] = {K_COMMAND, K_GBENCH, K_IMPORT};
    int kind = -1;
    pk_err e = pk__cfg_check_map(c, body, where, "key", true);
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < body->n; i += 2) {
        int k = pk__cfg_key_index(body->items[i]->str, bench_keys, K_COUNT);
        if (k < 0) {   /* recorded; the other keys are still read */
            if (pk__cfg_unknown_key(c, body->items[i], where, bench_keys, K_COUNT) == PK_ENOMEM)
                return PK_ENOMEM;
            continue;
        }
        key[k] = body->items[i];
        val[k] = body->items[i + 1];
        for (int j = 0; j < 3; j++) {
            if (k != kind_key[j])
                continue;
            if (kind >= 0)
                return pk__cfg_error_at(c, key[k], "%s has both `%s` and `%s` — keep one", where,
                                        bench_keys[kind_key[kind]], bench_keys[k]);
            kind = j;
        }
    }
    if (kind < 0)
        return pk__cfg_error_at(c, name,
                                "%s needs one of `command`, `google-benchmark` or `import`",
                                where);
    b->kind = (pk_bench_kind)kind;
    for (int k = 0; k < K_COUNT; k++)
        if (key[k] && !(key_kinds[k] & (1u << kind))) {
            if (pk__cfg_error_at(c, key[k], "`%s` applies to %s only; %s is %s", key[k]->str,
                                 kind_only[__builtin_ctz(key_kinds[k])], where,
                                 kind_noun[kind]) == PK_ENOMEM)
                return PK_ENOMEM;
            key[k] = val[k] = NULL;   /* recorded; the others are still read */
        }
    return PK_OK;   /* errors above are recorded (c->failed): the values are read on */
}

/* The values of a command benchmark. Each key is read on its own, so every
 * wrong value is recorded in one pass; cross-key rules use only the values
 * that were read. */
static pk_err command_keys(pk__cfg_ctx *c, const pk__ynode **val, pk_cfg_bench *b)
{
    static const char *const outputs[] = {"null", "pipe", "inherit"};
    static const char *const measures[] = {"time", "instructions", "heap"};
    pk_cmdbench_opts *o = &b->bench;
    pk_err acc = PK_OK;
    double ns;
    size_t idx;
    char **strs[K_COUNT] = {0};
    strs[K_COMMAND] = &b->command;
    strs[K_PREPARE] = &b->prepare;
    strs[K_CONCLUDE] = &b->conclude;
    strs[K_SETUP] = &b->setup;
    strs[K_CLEANUP] = &b->cleanup;
    strs[K_INPUT] = &b->input;
    for (int k = 0; k < K_COUNT; k++)
        if (strs[k] && val[k])
            acc = pk__cfg_keep(acc, pk__cfg_string(c, bench_keys[k], val[k], strs[k]));
    static const struct {
        int key;
        size_t min;
    } counts[] = {{K_RUNS, 1}, {K_WARMUP, 0}, {K_MIN_RUNS, 1}, {K_MAX_RUNS, 1}};
    size_t *count_out[] = {&o->runs, &o->warmup, &o->min_runs, &o->max_runs};
    bool count_ok[4] = {false, false, false, false};
    for (size_t i = 0; i < 4; i++) {
        int k = counts[i].key;
        if (!val[k])
            continue;
        pk_err e = pk__cfg_whole(c, bench_keys[k], val[k], counts[i].min, PK_RUNS_MAX,
                                 count_out[i]);
        count_ok[i] = e == PK_OK;
        acc = pk__cfg_keep(acc, e);
    }
    if (val[K_SHELL])
        acc = pk__cfg_keep(acc, pk__cfg_bool(c, "shell", val[K_SHELL], &o->shell));
    if (val[K_INTERLEAVE])
        acc = pk__cfg_keep(acc, pk__cfg_bool(c, "interleave", val[K_INTERLEAVE], &o->interleave));
    if (val[K_IGNORE_FAILURE])
        acc = pk__cfg_keep(acc, pk__cfg_bool(c, "ignore-failure", val[K_IGNORE_FAILURE],
                                             &o->ignore_failure));
    if (o->max_runs && o->max_runs < o->min_runs && (!val[K_MIN_RUNS] || count_ok[2]) &&
        (!val[K_MAX_RUNS] || count_ok[3]))
        acc = pk__cfg_keep(acc, pk__cfg_error_at(
            c, val[K_MAX_RUNS] ? val[K_MAX_RUNS] : val[K_MIN_RUNS],
            "`max-runs` %zu is below `min-runs` %zu — raise `max-runs` or lower `min-runs`",
            o->max_runs, o->min_runs));
    pk_err e;
    if (val[K_MIN_TIME]) {
        if ((e = pk__cfg_duration(c, "min-time", val[K_MIN_TIME], true, &ns)) == PK_OK)
            o->min_time_ns = ns >= 1.8e19 ? UINT64_MAX : (uint64_t)(ns + 0.5);
        acc = pk__cfg_keep(acc, e);
    }
    if (val[K_TIMEOUT]) {
        if ((e = pk__cfg_duration(c, "timeout", val[K_TIMEOUT], true, &ns)) == PK_OK) {
            double ms = ceil(ns / 1e6);
            o->run.timeout_ms = ms >= 1.8e19 ? UINT64_MAX : (uint64_t)ms;
        }
        acc = pk__cfg_keep(acc, e);
    }
    if (val[K_MEASURE]) {
        if ((e = pk__cfg_enum(c, "measure", val[K_MEASURE], measures, 3, &idx)) == PK_OK)
            o->measure = (pk_measure)idx;
        acc = pk__cfg_keep(acc, e);
    }
    if (val[K_OUTPUT]) {
        const pk__ynode *v = val[K_OUTPUT];
        int i = v->kind == PK__YN_SCALAR ? pk__cfg_key_index(v->str, outputs, 3) : -1;
        if (i >= 0) {
            o->run.output = (pk_output_mode)i;
        } else {
            if ((e = pk__cfg_string(c, "output", v, &b->output_file)) == PK_OK)
                o->run.output = PK_OUTPUT_FILE;
            acc = pk__cfg_keep(acc, e);
        }
    }
    if (val[K_PSCAN] && val[K_PLIST])
        acc = pk__cfg_keep(acc, pk__cfg_error_at(c, val[K_PLIST],
                                                 "only one of `parameter-scan` and "
                                                 "`parameter-list` per benchmark"));
    else if (val[K_PSCAN])
        acc = pk__cfg_keep(acc, param_scan(c, val[K_PSCAN], b));
    else if (val[K_PLIST])
        acc = pk__cfg_keep(acc, param_list(c, val[K_PLIST], b));
    if (acc == PK_ENOMEM)
        return acc;
    if (!o->shell)   /* the lines that were read must split into words */
        for (int k = 0; k < K_COUNT; k++)
            if (strs[k] && k != K_INPUT && val[k] && *strs[k] &&
                (acc = pk__cfg_keep(acc, check_words(c, bench_keys[k], val[k]))) == PK_ENOMEM)
                return acc;
    o->setup = b->setup;
    o->cleanup = b->cleanup;
    o->run.input_path = b->input;
    o->run.output_path = b->output_file;
    return acc;
}

pk_err pk__cfg_bench(pk__cfg_ctx *c, const pk__ynode *name, const pk__ynode *body,
                     const pk_policy *global, const pk_profile_policy *gprofile,
                     pk_cfg_bench *b)
{
    const pk__ynode *key[K_COUNT] = {0}, *val[K_COUNT] = {0};
    char where[160];
    pk_err e;
    snprintf(where, sizeof where, "benchmark `%.120s`", name->str);
    memset(b, 0, sizeof *b);
    pk_cmdbench_opts_init(&b->bench);
    b->repetitions = 5;
    b->policy = *global;
    b->profile = *gprofile;
    b->pos = pk__cfg_pos(name);
    if (!(b->name = pk_strdup(name->str)))
        return pk__cfg_nomem(c);
    if (body->kind == PK__YN_SCALAR && body->plain && (body->len == 0 || !strcmp(body->str, "~")))
        return pk__cfg_error_at(c, name,
                                "%s needs one of `command`, `google-benchmark` or `import`",
                                where);
    if ((e = collect(c, name, body, where, key, val, b)) != PK_OK)
        return e;
    pk_err acc = PK_OK;   /* every key is read: all the benchmark's errors at once */
    switch (b->kind) {
    case PK_BENCH_COMMAND:
        acc = command_keys(c, val, b);
        break;
    case PK_BENCH_GBENCH:
        acc = pk__cfg_string(c, "google-benchmark", val[K_GBENCH], &b->binary);
        if (val[K_ARGS] && acc != PK_ENOMEM)
            acc = pk__cfg_keep(acc, gb_args(c, val[K_ARGS], b));
        if (val[K_REPS] && acc != PK_ENOMEM)
            acc = pk__cfg_keep(acc, pk__cfg_whole(c, "repetitions", val[K_REPS], 1, PK_RUNS_MAX,
                                                  &b->repetitions));
        break;
    case PK_BENCH_IMPORT: {
        static const char *const formats[] = {"auto", "perfkit", "hyperfine",
                                              "google-benchmark"};
        size_t f = 0;
        acc = pk__cfg_string(c, "import", val[K_IMPORT], &b->import_path);
        if (val[K_FORMAT] && acc != PK_ENOMEM &&
            (e = pk__cfg_enum(c, "format", val[K_FORMAT], formats, 4, &f)) != PK_OK)
            acc = pk__cfg_keep(acc, e);
        b->import_format = (pk_import_format)f;
        break;
    }
    }
    if (val[K_BUDGETS] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, budgets(c, val[K_BUDGETS], where, b));
    if (val[K_TOLERANCE] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pk__cfg_percent(c, "tolerance", val[K_TOLERANCE], &b->tolerance));
    if (val[K_REGRESSION] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pk__cfg_policy(c, val[K_REGRESSION], &b->policy, where));
    if (val[K_PROFILE] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pk__cfg_profile(c, val[K_PROFILE], &b->profile, where));
    return acc;
}
