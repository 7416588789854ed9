/* profile.c — the gate's profiles: after the verdict, record the command
 * benchmarks that regressed (`profile: on-regression`) or all of them
 * (`always`, `check --profile`), and explain the change with a
 * differential flame graph.
 *
 * A benchmark is recorded with perfkit/record.h as it was measured: the
 * same command line (split by shell rules, or through the shell), setup
 * once before, prepare/conclude around each run, cleanup once after, its
 * stdin file, its output discarded. One run is rarely enough samples, so
 * the command runs again until it has min-samples (default 1000) or
 * max-time passed (10 s) — at least once. In paired mode the base tree is
 * recorded the same way, runs alternating with the candidate's so that
 * both see the same machine. Without a paired base, the "before" is the
 * profile stored in the history with the baseline run, when an earlier
 * check recorded one (`profile: always` keeps one with every run).
 *
 * Both sides are folded stacks (perfkit/folded.h): before in slot 0, after
 * in slot 1. The differential graph and the table of changes compare
 * shares: the before is scaled to the after's total, so a function whose
 * share of the time grew is red whatever the run counts were. Files go to
 * PROFILE_DIR/<time>-<commit>/: <bench>.svg, <bench>.folded and
 * <bench>.base.folded (profile_files.c). A profile never changes the
 * verdict: a recording that fails (perf_event_open refused in a
 * container, a command that fails under the profiler) is reported in the
 * profile's error, and the gate goes on. */
#include <stdio.h>
#include <string.h>

#include "check/check_int.h"
#include "check/profile_int.h"
#include "core/clock.h"
#include "core/proc.h"
#include "perfkit/alloc.h"
#include "perfkit/params.h"
#include "perfkit/record.h"
#include "perfkit/shellwords.h"

const char *pk_check_profile_base_name(pk_check_profile_base b)
{
    switch (b) {
    case PK_PROFILE_BASE_NONE: return "none";
    case PK_PROFILE_BASE_PAIRED: return "paired";
    case PK_PROFILE_BASE_HISTORY: return "history";
    }
    return "unknown";
}

/* ---- which benchmarks ------------------------------------------------------ */

/* Whether the report has items of name, and whether one regressed. */
static void verdict_of(const pk_check_report *r, const char *name, bool *ran, bool *regressed,
                       int64_t *baseline_run)
{
    *ran = *regressed = false;
    *baseline_run = 0;
    for (size_t i = 0; i < r->n_items; i++) {
        const pk_check_item *it = &r->items[i];
        if (it->kind != PK_ITEM_REGRESSION && it->kind != PK_ITEM_BUDGET)
            continue;
        if (strcmp(it->benchmark, name) != 0)
            continue;
        if (it->status == PK_CHECK_ERROR)
            return;   /* it failed to run: nothing to record */
        *ran = true;
        *regressed = *regressed || it->status == PK_CHECK_REGRESSED;
        if (it->kind == PK_ITEM_REGRESSION && it->baseline_run > 0 && !*baseline_run)
            *baseline_run = it->baseline_run;
    }
}

/* ---- running the benchmark's commands ------------------------------------- */

/* argv of text as the benchmark runs it: split by shell rules, or
 * SHELL-WORDS -c text with `shell: true`. */
static pk_err argv_of(const pk_cfg_bench *b, const char *text, char ***argv, pk__buf *err)
{
    *argv = NULL;
    size_t col = 0;
    if (!b->bench.shell) {
        pk_err e = pk_shellwords_split(text, argv, NULL, &col);
        if (e == PK_EPARSE)
            pk__buf_printf(err, "cannot split `%s` at column %zu", text, col);
        return e;
    }
    char **sh = NULL;
    size_t n = 0;
    pk_err e = pk_shellwords_split(b->bench.shell_cmd ? b->bench.shell_cmd : "/bin/sh", &sh,
                                   &n, &col);
    if (e != PK_OK)
        return e;
    char **v = pk_calloc(n + 3, sizeof *v);
    bool ok = v != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (v[i] = pk_strdup(sh[i])) != NULL;
    ok = ok && (v[n] = pk_strdup("-c")) && (v[n + 1] = pk_strdup(text));
    pk_shellwords_free(sh);
    if (!ok) {
        pk_shellwords_free(v);
        return PK_ENOMEM;
    }
    *argv = v;
    return PK_OK;
}

/* Run an auxiliary line (setup, prepare, conclude, cleanup) in cwd; a
 * failure says which and how. */
static pk_err run_aux(const pk_cfg_bench *b, const char *what, const char *text,
                      const char *cwd, pk__buf *err)
{
    if (!text || !text[0])
        return PK_OK;
    char **argv = NULL;
    pk_err e = argv_of(b, text, &argv, err);
    if (e != PK_OK)
        return e;
    pk__proc_out out;
    e = pk__proc_run(argv, cwd, &out);
    pk_shellwords_free(argv);
    if (e == PK_OK && out.status != 0) {
        pk__buf_printf(err, "%s `%s` failed (exit %d)", what, text, out.status);
        return PK_EFAIL;
    }
    if (e != PK_OK && !err->len)
        pk__buf_printf(err, "%s `%s`: %s", what, text, pk_strerror(e));
    return e;
}

/* One side of a benchmark: where it runs and what it has recorded. */
typedef struct side {
    const char *cwd;        /* NULL: ours */
    unsigned slot;          /* 0 base, 1 candidate */
    char **argv;
    size_t runs;
    uint64_t samples;
    uint64_t ns;            /* wall time spent recording it */
} side;

/* Record one run of s's command into slot s->slot of p. */
static pk_err record_once(const pk_cfg_bench *b, const pk_profile_policy *pol,
                          const pk_check_opts *o, side *s, pk_folded *p, pk__buf *err)
{
    pk_err e = run_aux(b, "prepare", b->prepare, s->cwd, err);
    if (e != PK_OK)
        return e;
    pk_record_opts ro;
    pk_record_opts_init(&ro);
    ro.callgraph = pol->dwarf ? PK_RECORD_DWARF : PK_RECORD_FP;
    ro.freq_hz = pol->frequency;
    ro.stop = o->stop;
    ro.cwd = s->cwd;
    ro.input = b->input;
    ro.discard_output = true;
    pk_record *rec = NULL;
    char *msg = NULL;
    int64_t t0 = pk__clock_ns(PK__CLOCK_MONO);
    e = pk_record_run(&ro, s->argv, &rec, &msg);
    s->ns += (uint64_t)(pk__clock_ns(PK__CLOCK_MONO) - t0);
    if (e != PK_OK) {
        pk__buf_printf(err, "%s", msg ? msg : pk_strerror(e));
        pk_free(msg);
        pk_record_free(rec);
        return e;
    }
    pk_free(msg);
    const pk_record_stats *st = pk_record_get_stats(rec);
    if (st->exit_status != 0 && !b->bench.ignore_failure) {
        pk__buf_printf(err, "the command failed under the profiler (exit %d)", st->exit_status);
        pk_record_free(rec);
        return PK_EFAIL;
    }
    size_t n = pk_record_stack_count(rec);
    for (size_t i = 0; i < n && e == PK_OK; i++) {
        const char *stack;
        uint64_t count;
        pk_record_stack_get(rec, i, &stack, &count);
        e = pk_folded_add(p, stack, strlen(stack), s->slot, (double)count);
    }
    s->runs++;
    s->samples += st->samples;
    pk_record_free(rec);
    if (e == PK_OK)
        e = run_aux(b, "conclude", b->conclude, s->cwd, err);
    return e;
}

/* Whether side s still wants another run under pol. */
static bool wants_more(const side *s, const pk_profile_policy *pol)
{
    return s->runs == 0 || (s->samples < pol->min_samples && s->ns < pol->max_time_ns);
}

/* Record every side of the benchmark (n = 1, or 2 with the paired base
 * first), runs alternating, setup before and cleanup after each side. */
static pk_err record_sides(const pk_cfg_bench *b, const pk_profile_policy *pol,
                           const pk_check_opts *o, side *sides, size_t n, pk_folded *p,
                           pk__buf *err)
{
    pk_err e = PK_OK;
    for (size_t i = 0; i < n && e == PK_OK; i++)
        e = run_aux(b, "setup", b->setup, sides[i].cwd, err);
    for (bool more = true; e == PK_OK && more;) {
        more = false;
        for (size_t i = 0; i < n && e == PK_OK; i++) {
            if (!wants_more(&sides[i], pol))
                continue;
            e = record_once(b, pol, o, &sides[i], p, err);
            more = more || wants_more(&sides[i], pol);
        }
        if (e == PK_OK && pk__stopped(o->stop))
            e = PK_EINTR;
    }
    for (size_t i = 0; i < n; i++) {
        pk__buf ignore = {0};
        pk_err ce = run_aux(b, "cleanup", b->cleanup, sides[i].cwd, e == PK_OK ? err : &ignore);
        pk__buf_free(&ignore);
        if (e == PK_OK)
            e = ce;
    }
    return e;
}

/* ---- one benchmark ---------------------------------------------------------- */

/* Profile the concrete command cmd of b into pr. Errors that leave a
 * verdict to report (a refused perf_event_open, a failing command) go
 * into pr->error and answer PK_OK; PK_ENOMEM and PK_EINTR stop the gate. */
static pk_err profile_one(pk__check_profile_ctx *x, const pk_cfg_bench *b,
                          const pk_cmdbench_cmd *cmd, int64_t baseline_run, pk_check_profile *pr)
{
    const pk_profile_policy *pol = &b->profile;
    pk_folded *p = NULL;
    pk__buf err = {0};
    side sides[2] = {{.cwd = x->base_cwd, .slot = 0}, {.cwd = NULL, .slot = 1}};
    side *first = x->base_cwd ? &sides[0] : &sides[1];
    size_t n = x->base_cwd ? 2 : 1;
    pk_err e = pk_folded_new(&p);
    for (size_t i = 0; e == PK_OK && i < n; i++)
        e = argv_of(b, cmd->command, &first[i].argv, &err);
    if (e == PK_OK)
        e = record_sides(b, pol, x->opts, first, n, p, &err);
    if (e == PK_OK && x->base_cwd) {
        pr->base = PK_PROFILE_BASE_PAIRED;
    } else if (e == PK_OK && x->store && baseline_run > 0) {
        e = pk__check_profile_load(x->store, baseline_run, pr->benchmark, p);
        if (e == PK_OK) {
            pr->base = PK_PROFILE_BASE_HISTORY;
            pr->base_run = baseline_run;
        } else if (e == PK_ENOENT) {
            e = PK_OK;   /* nothing stored with that run: a plain graph */
        } else if (e != PK_ENOMEM) {
            pk__buf_printf(&err, "the baseline run's profile: %s", pk_strerror(e));
            e = PK_OK;
        }
    }
    for (size_t i = 0; i < 2; i++) {
        pr->runs[i] = sides[i].runs;
        pr->samples[i] = sides[i].samples;
        pk_shellwords_free(sides[i].argv);
    }
    if (e == PK_OK)
        e = pk__check_profile_write(x, p, pr, &err);
    if (e != PK_OK && e != PK_ENOMEM && e != PK_EINTR) {
        if (!err.len)
            pk__buf_printf(&err, "%s", pk_strerror(e));
        e = PK_OK;
    }
    if (err.len && !(pr->error = pk__buf_take(&err)))
        e = PK_ENOMEM;
    pk__buf_free(&err);
    pk_folded_free(p);
    return e;
}

/* ---- the gate's step -------------------------------------------------------- */

static pk_profile_when when_of(const pk_check_opts *o, const pk_cfg_bench *b)
{
    return o->profile_override ? o->profile_when : b->profile.when;
}

static pk_err add_profile(pk_check_report *r, size_t *cap, pk_check_profile **out)
{
    if (r->n_profiles == *cap &&
        pk__grow((void **)&r->profiles, cap, r->n_profiles + 1, sizeof *r->profiles) != PK_OK)
        return PK_ENOMEM;
    *out = &r->profiles[r->n_profiles++];
    memset(*out, 0, sizeof **out);
    return PK_OK;
}

pk_err pk__check_profiles(pk__check_profile_ctx *x, pk_check_report *r)
{
    const pk_config *c = x->config;
    size_t cap = 0;
    pk_err e = PK_OK;
    for (size_t i = 0; i < c->n_benches && e == PK_OK; i++) {
        const pk_cfg_bench *b = &c->benches[i];
        pk_profile_when when = when_of(x->opts, b);
        if (b->kind != PK_BENCH_COMMAND || when == PK_PROFILE_OFF)
            continue;
        pk_cmd_list plan;
        if ((e = pk__check_plan_commands(b, &plan)) != PK_OK)
            break;
        for (size_t k = 0; k < plan.n && e == PK_OK; k++) {
            bool ran, regressed;
            int64_t baseline_run;
            verdict_of(r, plan.cmds[k].name, &ran, &regressed, &baseline_run);
            if (!ran || (when == PK_PROFILE_ON_REGRESSION && !regressed))
                continue;
            pk_check_profile *pr = NULL;
            if ((e = add_profile(r, &cap, &pr)) != PK_OK)
                break;
            pr->regressed = regressed;
            if (!(pr->benchmark = pk_strdup(plan.cmds[k].name))) {
                e = PK_ENOMEM;
                break;
            }
            if (x->opts->progress) {
                pk_check_progress pp = {.bench = i, .n_benches = c->n_benches,
                                        .name = pr->benchmark, .profiling = true};
                x->opts->progress(x->opts->progress_ud, &pp);
            }
            e = profile_one(x, b, &plan.cmds[k], baseline_run, pr);
        }
        pk_cmd_list_free(&plan);
    }
    return e;
}

void pk__check_profiles_free(pk_check_report *r)
{
    for (size_t i = 0; i < r->n_profiles; i++) {
        pk_check_profile *p = &r->profiles[i];
        pk_free(p->benchmark);
        pk_free(p->svg);
        pk_free(p->folded);
        pk_free(p->base_folded);
        for (size_t k = 0; k < p->n_top; k++)
            pk_free(p->top[k].function);
        pk_free(p->top);
        pk_free(p->error);
    }
    pk_free(r->profiles);
    r->profiles = NULL;
    r->n_profiles = 0;
}
