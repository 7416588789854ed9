/* collect.c — run every benchmark of a perfkit.yml into one result set.
 *
 * Imports go first: they only read files, and a garbage file is an input
 * error the user must see before minutes of benchmarks run. Then command
 * benchmarks (a parameter scan is one interleaved `bench` run, one result
 * per value, "<name>/<value>") and Google Benchmark binaries (paired:
 * collect_gbench.c). A benchmark
 * that fails to run is recorded with its error and the rest still run, so
 * one broken benchmark does not hide a regression in another. Size budgets
 * measure their files into "size:<path>" benchmarks. */
#include "perfkit/check.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check/check_int.h"
#include "core/clock.h"
#include "core/proc.h"
#include "perfkit/alloc.h"
#include "perfkit/ingest.h"
#include "perfkit/params.h"

void pk_check_opts_init(pk_check_opts *o)
{
    memset(o, 0, sizeof *o);
    pk_store_opts so;   /* one default for the lock wait: the store's */
    pk_store_opts_init(&so);
    o->lock_timeout_ms = so.busy_timeout_ms;
}

static bool selected(const pk_check_opts *o, const pk_cfg_bench *b)
{
    return !o->only || strstr(b->name, o->only);
}

/* "`a`, `b` and `c`" of the first few names, "..." after them, into buf. */
static const char *name_list(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t used = 0, shown = n < 4 ? n : 4;
    buf[0] = '\0';
    for (size_t i = 0; i < shown && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s`%.40s`",
                                 i == 0 ? "" : i + 1 == shown && n == shown ? " and " : ", ",
                                 names[i]);
    if (n > shown && used < len)
        snprintf(buf + used, len - used, " and %zu more", n - shown);
    return buf;
}

pk_err pk__check_only_matches(const pk_config *c, const pk_check_opts *o, pk_diag *diag)
{
    for (size_t i = 0; i < c->n_benches; i++)
        if (selected(o, &c->benches[i]))
            return PK_OK;
    if (!o->only)
        return PK_OK;   /* no benchmarks at all: sizes may still be checked */
    char list[256];
    const char **names = pk_calloc(c->n_benches ? c->n_benches : 1, sizeof *names);
    if (!names) {
        pk_diag_set(diag, NULL, 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    for (size_t i = 0; i < c->n_benches; i++)
        names[i] = c->benches[i].name;
    const char *s = pk_diag_suggest(o->only, names, c->n_benches);
    if (s)
        pk_diag_set(diag, NULL, 0, 0, "no benchmark matches --only `%s` (did you mean `%s`?)",
                    o->only, s);
    else if (c->n_benches)
        pk_diag_set(diag, NULL, 0, 0, "no benchmark matches --only `%s` (the config has %s)",
                    o->only, name_list(names, c->n_benches, list, sizeof list));
    else
        pk_diag_set(diag, NULL, 0, 0, "no benchmark matches --only `%s`: the config has none",
                    o->only);
    pk_free(names);
    return PK_ENOENT;
}

typedef struct progress_relay {
    const pk_check_opts *o;
    pk_check_progress p;
} progress_relay;

static void relay(void *ud, const pk_cmdbench_progress *run)
{
    progress_relay *r = ud;
    r->p.run = run;
    r->o->progress(r->o->progress_ud, &r->p);
}

pk_err pk__check_record_error(pk_resultset *rs, const char *name, const char *msg,
                              pk_diag *diag, bool *have_diag)
{
    pk_bench_data *b = pk_resultset_find(rs, name);
    pk_err e = PK_OK;
    if (!b)
        e = pk_resultset_add(rs, name, &b);
    if (e == PK_OK)
        e = pk_bench_data_set_error(b, msg);
    if (!*have_diag) {
        pk_diag_set(diag, name, 0, 0, "%s", msg);
        *have_diag = true;
    }
    return e;
}

/* The concrete commands of a command benchmark: one, or one per parameter
 * value, named "<name>/<value>" (params.h, the generator `bench` uses);
 * with `shell: true` each value is quoted for the shell. */
pk_err pk__check_plan_commands(const pk_cfg_bench *b, pk_cmd_list *plan)
{
    pk_cmdbench_cmd tmpl = {.name = b->name, .command = b->command, .prepare = b->prepare,
                            .conclude = b->conclude};
    pk_params p = {.name = b->param_name, .values = b->param_values, .n = b->n_param_values};
    return b->bench.shell ? pk_cmd_list_expand_sh(&tmpl, 1, &p, plan)
                          : pk_cmd_list_expand(&tmpl, 1, &p, plan);
}

/* The names of plan's commands, borrowed (pk_free the array). */
static const char **plan_names(const pk_cmd_list *plan)
{
    const char **names = pk_calloc(plan->n ? plan->n : 1, sizeof *names);
    for (size_t i = 0; names && i < plan->n; i++)
        names[i] = plan->cmds[i].name;
    return names;
}

/* Add the k commands of res starting at first to rs, named names[]; on
 * PK_EFAIL every one without its own error gets err. */
static pk_err add_side(pk_resultset *rs, const pk_cmdbench_result *res, size_t first, size_t k,
                       const char **names, pk_err run_e, const char *err)
{
    pk_cmdbench_result view = *res;
    view.cmds = res->cmds + first;
    view.n_cmds = k;
    pk_err ae = pk_resultset_add_cmdbench(rs, &view, names);
    /* The failing command carries its own error; the others of a scan (and
     * of the other tree) stopped with it, and a setup/cleanup failure marks
     * none: give every unmarked one the benchmark's message. */
    for (size_t i = 0; ae == PK_OK && run_e == PK_EFAIL && i < k; i++) {
        pk_bench_data *bd = pk_resultset_find(rs, names[i]);
        if (bd && !bd->error)
            ae = pk_bench_data_set_error(bd, err);
    }
    return ae;
}

/* A command benchmark into rs; with base (paired mode) the same commands
 * also run from base_cwd, interleaved with the candidate's, into base. */
static pk_err run_command(const pk_cfg_bench *b, const pk_check_opts *o, progress_relay *relay_ud,
                          const char *base_cwd, pk_resultset *rs, pk_resultset *base,
                          pk_diag *diag, bool *have_diag)
{
    pk_cmd_list plan;
    pk_err e = pk__check_plan_commands(b, &plan);
    if (e != PK_OK)
        return e;
    size_t k = plan.n, n = base ? 2 * k : k;
    char cand_cwd[4096];
    if (base && !getcwd(cand_cwd, sizeof cand_cwd)) {
        pk_cmd_list_free(&plan);
        return PK_EIO;
    }
    pk_cmdbench_cmd *cmds = pk_calloc(n, sizeof *cmds);
    const char **names = plan_names(&plan);
    if (!cmds || !names) {
        pk_free(cmds);
        pk_free(names);
        pk_cmd_list_free(&plan);
        return PK_ENOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        cmds[i] = plan.cmds[i];
        if (base) {
            /* the same line in the base tree; the candidate changes to its
             * own directory too, so both sides pay the same spawn path */
            cmds[i].cwd = cand_cwd;
            cmds[k + i] = plan.cmds[i];
            cmds[k + i].cwd = base_cwd;
        }
    }
    pk_cmdbench_opts bo = b->bench;
    bo.stop = o->stop;
    bo.equal_runs = base != NULL;   /* block i pairs run i of both sides */
    if (o->progress) {
        bo.progress = relay;
        bo.progress_ud = relay_ud;
    }
    pk_cmdbench_result *res = NULL;
    pk_diag run_diag;
    e = pk_cmdbench_run(cmds, n, &bo, &res, &run_diag);
    char err[sizeof run_diag.message + 32];
    snprintf(err, sizeof err, "%s%s", base && e != PK_OK ? "paired run: " : "",
             run_diag.message);
    if (res) {
        pk_err ae = add_side(rs, res, 0, k, names, e, err);
        if (ae == PK_OK && base)
            ae = add_side(base, res, k, k, names, e, err);
        if (ae == PK_OK && e == PK_EFAIL && !*have_diag) {
            pk_diag_set(diag, b->name, 0, 0, "%s", err);
            *have_diag = true;
        }
        pk_cmdbench_result_free(res);
        if (ae != PK_OK)
            e = ae;
        else if (e == PK_EFAIL)
            e = PK_OK;   /* recorded; the other benchmarks still run */
    } else if (e != PK_ENOMEM) {
        const char *msg = run_diag.message[0] ? err : pk_strerror(e);
        e = pk__check_record_error(rs, b->name, msg, diag, have_diag);
        if (e == PK_OK && base)
            e = pk__check_record_error(base, b->name, msg, diag, have_diag);
    }
    pk_free(names);
    pk_free(cmds);
    pk_cmd_list_free(&plan);
    return e;
}

/* The time one config benchmark took, shared evenly by the results it
 * added to rs (those from index n0 on): what JUnit's time= shows. */
static void share_elapsed(pk_resultset *rs, size_t n0, uint64_t ns)
{
    size_t k = rs->n > n0 ? rs->n - n0 : 0;
    for (size_t i = n0; i < rs->n; i++)
        rs->benches[i].elapsed_ns = ns / k;
}

/* pk_check_collect and pk_check_collect_pair (base NULL: unpaired). */
static pk_err collect(const pk_config *c, const pk_check_opts *o, const char *base_cwd,
                      pk_resultset *rs, pk_resultset *base, pk_diag *diag)
{
    pk_check_opts defaults;
    if (!o) {
        pk_check_opts_init(&defaults);
        o = &defaults;
    }
    if (!c || !rs)
        return PK_EINVAL;
    bool have_diag = false;
    pk_err e = pk__check_only_matches(c, o, diag);
    if (e != PK_OK)
        return e;
    /* imports first: a bad file is an input error, found before anything runs */
    for (size_t i = 0; i < c->n_benches; i++) {
        const pk_cfg_bench *b = &c->benches[i];
        if (b->kind != PK_BENCH_IMPORT || !selected(o, b))
            continue;
        /* a file without results is an input error too (ingest.h) */
        e = pk_ingest_file(b->import_path, b->import_format, b->name, rs, diag);
        if (e != PK_OK)
            return e;
    }
    progress_relay rel = {.o = o, .p = {.n_benches = c->n_benches}};
    for (size_t i = 0; i < c->n_benches; i++) {
        const pk_cfg_bench *b = &c->benches[i];
        if (b->kind == PK_BENCH_IMPORT || !selected(o, b))
            continue;
        if (pk__stopped(o->stop))
            return PK_EINTR;
        rel.p.bench = i;
        rel.p.name = b->name;
        rel.p.run = NULL;
        if (o->progress)
            o->progress(o->progress_ud, &rel.p);
        size_t n0 = rs->n;
        uint64_t t0 = pk__clock_ns(PK__CLOCK_MONO);
        if (b->kind == PK_BENCH_COMMAND) {
            e = run_command(b, o, &rel, base_cwd, rs, base, diag, &have_diag);
        } else if (base) {   /* paired: the two binaries alternate (collect_gbench.c) */
            e = pk__check_gbench_pair(b, o, base_cwd, rs, base, diag, &have_diag);
        } else {
            /* a binary that reports no results fails like one that crashes */
            pk_diag d;
            e = pk_ingest_gbench_run(b->binary, (const char *const *)b->args, b->n_args,
                                     b->repetitions, b->name, rs, &d);
            if (e != PK_OK && e != PK_ENOMEM && e != PK_EINTR)
                e = pk__check_record_error(rs, b->name, d.message, diag, &have_diag);
        }
        if (e != PK_OK)
            return e;
        share_elapsed(rs, n0, pk__clock_ns(PK__CLOCK_MONO) - t0);
        if (pk__stopped(o->stop))
            return PK_EINTR;
    }
    return PK_OK;
}

pk_err pk_check_collect(const pk_config *c, const pk_check_opts *o, pk_resultset *rs,
                        pk_diag *diag)
{
    return collect(c, o, NULL, rs, NULL, diag);
}

pk_err pk_check_collect_pair(const pk_config *c, const pk_check_opts *o, const char *base_cwd,
                             pk_resultset *cur, pk_resultset *base, pk_diag *diag)
{
    if (!base_cwd || !base_cwd[0] || !base)
        return PK_EINVAL;
    return collect(c, o, base_cwd, cur, base, diag);
}

/* ---- sizes ------------------------------------------------------------------ */

static pk_err measure_file(const pk_size_budget *sb, const char *path, pk_resultset *rs,
                           pk_diag *diag)
{
    char name[1100];
    snprintf(name, sizeof name, "size:%s", path);
    pk_bench_data *b = pk_resultset_find(rs, name);
    uint32_t mask = 0;
    for (int k = 0; k < PK_SIZE_COUNT; k++)
        if (sb->has[k] && !(b && pk_bench_data_get(b, pk_compression_name((pk_compression)k))))
            mask |= 1u << k;
    if (b && !mask)
        return PK_OK;   /* already measured through another pattern */
    pk_size sz;
    pk_diag d;
    memset(&d, 0, sizeof d);
    pk_err e = pk_size_file_diag(path, mask | 1u, &sz, &d);
    if (e != PK_OK) {   /* "is a FIFO, not a regular file" */
        pk_diag_set(diag, path, 0, 0, "cannot measure the size: %s",
                    d.message[0] ? d.message : pk_strerror(e));
        return e;
    }
    if (!b && (e = pk_resultset_add(rs, name, &b)) != PK_OK)
        return e;
    for (int k = 0; k < PK_SIZE_COUNT && e == PK_OK; k++) {
        if (!((sz.measured >> k) & 1u))
            continue;
        double v = (double)sz.bytes[k];
        e = pk_bench_data_put(b, pk_compression_name((pk_compression)k), PK_UNIT_SIZE, &v, 1);
    }
    return e;
}

pk_err pk_check_sizes(const pk_config *c, pk_resultset *rs, pk_diag *diag)
{
    if (!c || !rs)
        return PK_EINVAL;
    for (size_t i = 0; i < c->n_sizes; i++) {
        const pk_size_budget *sb = &c->sizes[i];
        char **paths = NULL;
        size_t n = 0;
        pk_err e = pk_size_glob(sb->pattern, &paths, &n);   /* as validation expands it */
        if (e == PK_ENOENT)
            pk_diag_set(diag, c->path, sb->pos.line, sb->pos.column, "no file matches `%s`",
                        sb->pattern);
        for (size_t k = 0; k < n && e == PK_OK; k++)
            e = measure_file(sb, paths[k], rs, diag);
        pk_size_glob_free(paths, n);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}
