/* cmdbench.c — benchmark whole commands: validate, warm up, measure, interleave.
 *
 * Every command line is split (or wrapped in sh -c) and its program resolved
 * before anything runs, so a typo fails in milliseconds, not after the setup.
 * Measured runs go in blocks: each block is a fresh random permutation of the
 * commands that still need runs (A B, B A, A B ...), so slow drift of the
 * machine (thermal, other tenants) is spread over every command alike. The
 * run count is fixed (runs) or derived from a pilot run: min_time / pilot
 * wall, clamped to [min_runs, max_runs] — hyperfine's rule, per command.
 * Auxiliary commands (setup, prepare, conclude, cleanup) run on their own
 * runner without counters or valgrind, so they never disturb the measured one.
 * With a shell, every command runs as SHELL-WORDS -c TEXT; hyperfine's
 * correction then measures the bare shell (`SHELL -c ''`, on the measuring
 * runner, before the setup) and subtracts its mean wall/user/sys time from
 * every measured run, clamped at 0, so a figure describes the command, not
 * the shell around it (hyperfine: src/benchmark/executor.rs, calibrate). */
#include "perfkit/cmdbench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/proc.h"
#include "run/run_internal.h"
#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"
#include "perfkit/stats.h"

void pk_cmdbench_opts_init(pk_cmdbench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_runs = 10;
    o->min_time_ns = 3000000000ull;
    o->interleave = true;
    o->seed = 0x9e3779b97f4a7c15ull;
    pk_run_opts_init(&o->run);
}

/* A command ready to run: argv owned, NULL when the text was NULL/empty. */
typedef struct prepared {
    char **argv;
} prepared;

typedef struct plan {
    const pk_cmdbench_opts *o;
    size_t n;
    char **shell;                   /* the shell's words, NULL-terminated */
    size_t shell_n;
    prepared *cmd, *prep, *concl;   /* n each */
    prepared setup, cleanup;
    pk_runner *main, *aux;
    pk_cmdbench_result *res;
    size_t *target;                 /* measured runs wanted per command */
    pk_diag *diag;
} plan;

__attribute__((format(printf, 2, 3)))
static void set_err(plan *p, const char *fmt, ...)
{
    if (!p->diag)
        return;
    memset(p->diag, 0, sizeof *p->diag);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->diag->message, sizeof p->diag->message, fmt, ap);
    va_end(ap);
}

/* SHELL-WORDS -c text, NULL-terminated (pk_shellwords_free); NULL on ENOMEM. */
static char **shell_argv(const plan *p, const char *text)
{
    size_t n = p->shell_n + 2;
    char **argv = pk_calloc(n + 1, sizeof *argv);
    if (!argv)
        return NULL;
    bool ok = true;
    for (size_t i = 0; i < p->shell_n; i++)
        ok = (argv[i] = pk_strdup(p->shell[i])) && ok;
    ok = (argv[n - 2] = pk_strdup("-c")) && ok;
    ok = (argv[n - 1] = pk_strdup(text)) && ok;
    if (!ok) {
        for (size_t i = 0; i < n; i++)   /* a NULL in the middle would stop */
            pk_free(argv[i]);            /* pk_shellwords_free early */
        pk_free(argv);
        return NULL;
    }
    return argv;
}

/* The shell's words from o->shell_cmd (default /bin/sh), its program found. */
static pk_err plan_shell(plan *p)
{
    char q[96], q2[96];
    const char *text = p->o->shell_cmd ? p->o->shell_cmd : "/bin/sh";
    size_t col = 0;
    pk_err e = pk_shellwords_split(text, &p->shell, &p->shell_n, &col);
    if (e == PK_EPARSE || e == PK_EINVAL) {
        set_err(p, "shell %s: %s", pk__run_quote(text, q, sizeof q),
                e == PK_EINVAL ? "empty" : "unterminated quote or trailing backslash");
        return PK_EINVAL;
    }
    if (e != PK_OK)
        return e;
    e = pk_run_resolve(p->shell[0], NULL);
    if (e == PK_ENOENT || e == PK_EPERM)
        set_err(p, "shell %s: program %s %s", pk__run_quote(text, q, sizeof q),
                pk__run_quote(p->shell[0], q2, sizeof q2),
                e == PK_ENOENT ? "not found" : "is not executable");
    return e;
}

/* Split text (or wrap it for SHELL -c) and resolve its program. what names the
 * command in messages ("command 2", "prepare command"). */
static pk_err prepare_cmd(plan *p, const char *text, const char *cwd, const char *what,
                          prepared *out)
{
    char q[96], q2[96];
    out->argv = NULL;
    if (!text || !text[0])
        return PK_OK;
    pk_err e;
    if (p->o->shell) {
        if (!(out->argv = shell_argv(p, text)))
            return PK_ENOMEM;
    } else {
        size_t col = 0;
        e = pk_shellwords_split(text, &out->argv, NULL, &col);
        if (e == PK_EPARSE) {
            set_err(p, "%s %s: unterminated quote or trailing backslash at column %zu",
                    what, pk__run_quote(text, q, sizeof q), col + 1);
            return PK_EINVAL;
        }
        if (e == PK_EINVAL) {
            set_err(p, "%s %s: empty command", what, pk__run_quote(text, q, sizeof q));
            return PK_EINVAL;
        }
        if (e != PK_OK)
            return e;
    }
    char joined[4096];
    const char *prog = pk__run_in_dir(cwd, out->argv[0], joined, sizeof joined);
    e = prog ? pk_run_resolve(prog, NULL) : PK_ENOENT;
    if (e == PK_ENOENT)
        set_err(p, "%s %s: program %s not found%s%s", what, pk__run_quote(text, q, sizeof q),
                pk__run_quote(out->argv[0], q2, sizeof q2), cwd ? " in " : "", cwd ? cwd : "");
    else if (e == PK_EPERM)
        set_err(p, "%s %s: program %s is not executable", what, pk__run_quote(text, q, sizeof q),
                pk__run_quote(out->argv[0], q2, sizeof q2));
    return e;
}

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->cmd)
            pk_shellwords_free(p->cmd[i].argv);
        if (p->prep)
            pk_shellwords_free(p->prep[i].argv);
        if (p->concl)
            pk_shellwords_free(p->concl[i].argv);
    }
    pk_free(p->cmd);
    pk_free(p->prep);
    pk_free(p->concl);
    pk_shellwords_free(p->setup.argv);
    pk_shellwords_free(p->cleanup.argv);
    pk_shellwords_free(p->shell);
    pk_runner_free(p->main);
    pk_runner_free(p->aux);
    pk_free(p->target);
}

static pk_err plan_commands(plan *p, const pk_cmdbench_cmd *cmds)
{
    p->cmd = pk_calloc(p->n, sizeof *p->cmd);
    p->prep = pk_calloc(p->n, sizeof *p->prep);
    p->concl = pk_calloc(p->n, sizeof *p->concl);
    p->target = pk_calloc(p->n, sizeof *p->target);
    if (!p->cmd || !p->prep || !p->concl || !p->target)
        return PK_ENOMEM;
    char what[64];
    pk_err e;
    for (size_t i = 0; i < p->n; i++) {
        if (!cmds[i].command || !cmds[i].command[0]) {
            set_err(p, "command %zu is empty", i + 1);
            return PK_EINVAL;
        }
        snprintf(what, sizeof what, "command %zu", i + 1);
        const char *cwd = cmds[i].cwd;
        if ((e = prepare_cmd(p, cmds[i].command, cwd, what, &p->cmd[i])) != PK_OK)
            return e;
        if ((e = prepare_cmd(p, cmds[i].prepare, cwd, "prepare command", &p->prep[i])) != PK_OK)
            return e;
        if ((e = prepare_cmd(p, cmds[i].conclude, cwd, "conclude command", &p->concl[i])) !=
            PK_OK)
            return e;
    }
    if ((e = prepare_cmd(p, p->o->setup, NULL, "setup command", &p->setup)) != PK_OK)
        return e;
    return prepare_cmd(p, p->o->cleanup, NULL, "cleanup command", &p->cleanup);
}

static pk_err open_runners(plan *p)
{
    pk_run_opts ro = p->o->run;
    if (p->o->measure == PK_MEASURE_INSTRUCTIONS && ro.instructions == PK_INSTR_NONE)
        ro.instructions = PK_INSTR_AUTO;
    if (p->o->measure == PK_MEASURE_HEAP)
        ro.heap = true;
    pk_err e = pk_runner_new(&ro, &p->main);
    if (e != PK_OK) {
        if (ro.heap && e == PK_ENOENT)
            set_err(p, "heap cannot be measured here: libperfkit-mem.so was not found next to "
                       "perfkit nor in ../lib/perfkit (build it with `make`, or set "
                       "PERFKIT_MEM_LIB)");
        else if (ro.instructions != PK_INSTR_NONE && (e == PK_ENOENT || e == PK_ENOTSUP))
            set_err(p, "instructions cannot be counted here: no hardware counter and no "
                       "valgrind (install the valgrind package)");
        else if (ro.input_path && access(ro.input_path, R_OK) != 0)
            set_err(p, "cannot read input file `%s`: %s", ro.input_path, strerror(errno));
        else if (ro.output == PK_OUTPUT_FILE && (e == PK_EPERM || e == PK_ENOENT || e == PK_EIO))
            set_err(p, "cannot write output file `%s`: %s", ro.output_path, pk_strerror(e));
        else
            set_err(p, "cannot prepare runs: %s", pk_strerror(e));
        return e;
    }
    pk_run_opts ao;
    pk_run_opts_init(&ao);
    ao.counters = false;
    ao.stderr_tail_bytes = ro.stderr_tail_bytes;
    ao.stderr_inherit = ro.stderr_inherit;
    return pk_runner_new(&ao, &p->aux);
}

static pk_err result_new(plan *p, const pk_cmdbench_cmd *cmds)
{
    pk_cmdbench_result *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    p->res = r;
    r->cmds = pk_calloc(p->n, sizeof *r->cmds);
    if (!r->cmds)
        return PK_ENOMEM;
    r->n_cmds = p->n;
    r->measure = p->o->measure;
    r->started_unix_ns = (uint64_t)pk__clock_ns(PK__CLOCK_REAL);
    for (size_t i = 0; i < p->n; i++) {
        pk_cmd_result *c = &r->cmds[i];
        c->command = pk_strdup(cmds[i].command);
        c->name = pk_strdup(cmds[i].name ? cmds[i].name : cmds[i].command);
        if (!c->command || !c->name)
            return PK_ENOMEM;
        if (cmds[i].param_name) {
            c->param_name = pk_strdup(cmds[i].param_name);
            c->param_value = pk_strdup(cmds[i].param_value ? cmds[i].param_value : "");
            if (!c->param_name || !c->param_value)
                return PK_ENOMEM;
        }
    }
    if (p->o->shell &&
        !(r->shell = pk_strdup(p->o->shell_cmd ? p->o->shell_cmd : "/bin/sh")))
        return PK_ENOMEM;
    return PK_OK;
}

void pk_cmdbench_result_free(pk_cmdbench_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->cmds && i < r->n_cmds; i++) {
        pk_cmd_result *c = &r->cmds[i];
        pk_free(c->name);
        pk_free(c->command);
        pk_free(c->param_name);
        pk_free(c->param_value);
        pk_free(c->runs);
        pk_free(c->stderr_tail);
    }
    pk_free(r->cmds);
    pk_free(r->shell);
    pk_free(r);
}

/* The stop flag or a cancel request (perfkit/cancel.h). */
static bool stopped(const plan *p)
{
    return pk__stopped(p->o->stop);
}

static pk_err grow_runs(pk_cmd_result *c, size_t cap)
{
    pk_run_result *runs = pk_reallocarray(c->runs, cap ? cap : 1, sizeof *runs);
    if (!runs)
        return PK_ENOMEM;
    c->runs = runs;
    return PK_OK;
}

/* How a failed run ended: "failed with exit code 3", "timed out", ... */
static const char *describe_end(const pk_run_result *rr, char *buf, size_t len)
{
    if (rr->timed_out)
        snprintf(buf, len, "timed out");
    else if (rr->term_signal)
        snprintf(buf, len, "was killed by signal %d (%s)", rr->term_signal,
                 strsignal(rr->term_signal));
    else
        snprintf(buf, len, "failed with exit code %d", rr->exit_code);
    return buf;
}

/* Run an auxiliary command; a failure fails the benchmark with a message. */
static pk_err run_aux(plan *p, const prepared *pc, const char *cwd, const char *what,
                      const char *text)
{
    char q[96];
    if (!pc->argv)
        return PK_OK;
    pk_run_result rr;
    pk_err e = pk_runner_run_in(p->aux, cwd, pc->argv, &rr);
    if (e != PK_OK) {
        set_err(p, "%s %s: %s", what, pk__run_quote(text, q, sizeof q),
                pk_runner_last_error(p->aux));
        return e;
    }
    if (stopped(p))
        return PK_EINTR;
    if (!pk_run_succeeded(&rr)) {
        char code[64];
        set_err(p, "%s %s %s", what, pk__run_quote(text, q, sizeof q),
                describe_end(&rr, code, sizeof code));
        p->res->failed = true;
        return PK_EFAIL;
    }
    return PK_OK;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* hyperfine's shell correction: the mean wall, user and sys time of
 * `SHELL -c ''` on the measuring runner, for run_one to subtract. */
static pk_err calibrate(plan *p)
{
    const pk_cmdbench_opts *o = p->o;
    if (!o->shell || !o->shell_calibration_runs || o->measure != PK_MEASURE_TIME)
        return PK_OK;
    char **argv = shell_argv(p, "");
    if (!argv)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    double wall = 0, user = 0, sys = 0;
    size_t n = o->shell_calibration_runs;
    for (size_t k = 0; k < n && e == PK_OK; k++) {
        pk_run_result rr;
        char q[96], how[64];
        e = pk_runner_run(p->main, argv, &rr);
        if (e != PK_OK) {
            if (e != PK_EINTR)
                set_err(p, "cannot measure the shell's start-up: %s",
                        pk_runner_last_error(p->main));
        } else if (stopped(p)) {
            e = PK_EINTR;
        } else if (!pk_run_succeeded(&rr)) {
            set_err(p, "cannot measure the shell's start-up: `%s -c ''` %s; is %s a shell?",
                    p->res->shell, describe_end(&rr, how, sizeof how),
                    pk__run_quote(p->res->shell, q, sizeof q));
            e = PK_EINVAL;
        } else {
            wall += (double)rr.wall_ns;   /* exact below 2^53 ns: 104 days */
            user += (double)rr.user_ns;
            sys += (double)rr.sys_ns;
        }
    }
    pk_shellwords_free(argv);
    if (e != PK_OK)
        return e;
    pk_shell_correction *c = &p->res->shell_correction;
    c->applied = true;
    c->runs = n;
    c->wall_ns = (uint64_t)llround(wall / (double)n);
    c->user_ns = (uint64_t)llround(user / (double)n);
    c->sys_ns = (uint64_t)llround(sys / (double)n);
    return PK_OK;
}

/* One run of command i (prepare, measured run, conclude); warm_no is the
 * 1-based warm-up number, 0 for a measured run. */
static pk_err run_one(plan *p, size_t i, size_t warm_no, const pk_cmdbench_cmd *cmds,
                      size_t *done, size_t total)
{
    char q[96];
    bool warmup = warm_no > 0;
    pk_cmd_result *c = &p->res->cmds[i];
    pk_err e = run_aux(p, &p->prep[i], cmds[i].cwd, "prepare command", cmds[i].prepare);
    if (e != PK_OK)
        return e;
    pk_run_result rr;
    e = pk_runner_run_in(p->main, cmds[i].cwd, p->cmd[i].argv, &rr);
    if (e != PK_OK) {
        set_err(p, "command %s: %s", pk__run_quote(cmds[i].command, q, sizeof q),
                pk_runner_last_error(p->main));
        return e;
    }
    if (stopped(p))
        return PK_EINTR;   /* the child most likely got the same SIGINT: drop it */
    if (!pk_run_succeeded(&rr)) {
        if (!p->o->ignore_failure) {
            c->failed = true;
            c->failed_in_warmup = warmup;
            c->failed_run = warmup ? warm_no : c->n_runs + 1;
            c->failure = rr;
            char tail[4096];
            size_t n = pk_runner_stderr_tail(p->main, tail, sizeof tail);
            if (n) {
                c->stderr_tail = pk_strdup(tail);
                if (!c->stderr_tail)
                    return PK_ENOMEM;
            }
            p->res->failed = true;
            char how[64];
            set_err(p, "command %zu %s %s (%s %zu)", i + 1,
                    pk__run_quote(cmds[i].command, q, sizeof q),
                    describe_end(&rr, how, sizeof how), warmup ? "warm-up run" : "run",
                    c->failed_run);
            return PK_EFAIL;
        }
        c->n_failures++;
    }
    const pk_shell_correction *sc = &p->res->shell_correction;
    if (sc->applied) {
        rr.wall_ns = minus(rr.wall_ns, sc->wall_ns);
        rr.user_ns = minus(rr.user_ns, sc->user_ns);
        rr.sys_ns = minus(rr.sys_ns, sc->sys_ns);
    }
    if (!warmup)
        c->runs[c->n_runs++] = rr;
    if (p->o->progress) {
        if (!warmup)
            (*done)++;
        pk_cmdbench_progress pr = {i, *done, total, warmup, &rr};
        p->o->progress(p->o->progress_ud, &pr);
    }
    return run_aux(p, &p->concl[i], cmds[i].cwd, "conclude command", cmds[i].conclude);
}

static size_t auto_runs(const plan *p, uint64_t pilot_ns)
{
    const pk_cmdbench_opts *o = p->o;
    double want = pilot_ns ? ceil((double)o->min_time_ns / (double)pilot_ns) : (double)o->min_runs;
    size_t n = want > PK_RUNS_MAX ? PK_RUNS_MAX : (size_t)want;
    if (n < o->min_runs)
        n = o->min_runs;
    if (o->max_runs && n > o->max_runs)
        n = o->max_runs;
    return n ? n : 1;
}

static pk_err measure_all(plan *p, const pk_cmdbench_cmd *cmds)
{
    const pk_cmdbench_opts *o = p->o;
    pk_cmdbench_result *r = p->res;
    pk_err e;
    size_t done = 0, total = 0;

    /* Warm-up: never measured, but a failure here is already a failure. */
    for (size_t i = 0; i < p->n; i++)
        for (size_t w = 0; w < o->warmup; w++)
            if ((e = run_one(p, i, w + 1, cmds, &done, 0)) != PK_OK)
                return e;

    /* Targets: fixed, or from a pilot measured run of each command. */
    for (size_t i = 0; i < p->n; i++) {
        if (o->runs) {
            p->target[i] = o->runs;
        } else {
            if ((e = grow_runs(&r->cmds[i], 1)) != PK_OK)
                return e;
            if ((e = run_one(p, i, 0, cmds, &done, 0)) != PK_OK)
                return e;
            /* a run costs what it took before the shell correction */
            p->target[i] = auto_runs(p, r->cmds[i].runs[0].wall_ns +
                                            r->shell_correction.wall_ns);
        }
    }
    size_t most = 0;
    for (size_t i = 0; i < p->n; i++)
        most = p->target[i] > most ? p->target[i] : most;
    for (size_t i = 0; i < p->n; i++) {
        if (o->equal_runs)
            p->target[i] = most;
        if ((e = grow_runs(&r->cmds[i], p->target[i])) != PK_OK)
            return e;
        total += p->target[i];
    }

    size_t *order = pk_calloc(p->n, sizeof *order);
    if (!order)
        return PK_ENOMEM;
    pk_rng rng;
    pk_rng_seed(&rng, o->seed);
    e = PK_OK;
    for (;;) {
        size_t k = 0;
        for (size_t i = 0; i < p->n; i++)
            if (r->cmds[i].n_runs < p->target[i])
                order[k++] = i;
        if (k == 0)
            break;
        if (o->interleave) {
            for (size_t j = k; j > 1; j--) {   /* Fisher-Yates */
                size_t s = (size_t)pk_rng_below(&rng, j);
                size_t t = order[j - 1];
                order[j - 1] = order[s];
                order[s] = t;
            }
        } else {
            k = 1;   /* sequential: finish the first unfinished command */
        }
        for (size_t j = 0; j < k && e == PK_OK; j++)
            e = run_one(p, order[j], 0, cmds, &done, total);
        if (e != PK_OK)
            break;
    }
    pk_free(order);
    return e;
}

pk_err pk_cmdbench_run(const pk_cmdbench_cmd *cmds, size_t n, const pk_cmdbench_opts *o,
                       pk_cmdbench_result **out, pk_diag *diag)
{
    pk_cmdbench_opts defaults;
    if (out)
        *out = NULL;
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!o) {
        pk_cmdbench_opts_init(&defaults);
        o = &defaults;
    }
    plan p = {.o = o, .n = n, .diag = diag};
    if (!cmds || !n || !out) {
        set_err(&p, "%s", !out ? "no place for the result" : "no command to benchmark");
        return PK_EINVAL;
    }
    const size_t counts[4] = {o->warmup, o->runs, o->min_runs, o->max_runs};
    static const char *const count_names[4] = {"warm-up runs", "runs", "min runs", "max runs"};
    for (int k = 0; k < 4; k++) {
        if (counts[k] > PK_RUNS_MAX) {
            set_err(&p, "%s %zu is more than the limit of %d", count_names[k], counts[k],
                    PK_RUNS_MAX);
            return PK_EINVAL;
        }
    }
    if (!o->runs && o->max_runs && o->max_runs < o->min_runs) {
        set_err(&p, "max runs (%zu) is below min runs (%zu)", o->max_runs, o->min_runs);
        return PK_EINVAL;
    }
    if (o->shell_calibration_runs > PK_RUNS_MAX) {
        set_err(&p, "shell calibration runs %zu is more than the limit of %d",
                o->shell_calibration_runs, PK_RUNS_MAX);
        return PK_EINVAL;
    }
    pk_err e = o->shell ? plan_shell(&p) : PK_OK;
    if (e == PK_OK)
        e = plan_commands(&p, cmds);
    if (e == PK_OK)
        e = open_runners(&p);
    if (e == PK_OK)
        e = result_new(&p, cmds);
    if (e != PK_OK) {
        if (e == PK_ENOMEM)
            set_err(&p, "%s", pk_strerror(e));
        pk_cmdbench_result_free(p.res);
        plan_free(&p);
        return e;
    }
    pk_cmdbench_result *r = p.res;
    r->counters_supported = pk_runner_counters_supported(p.main);
    r->instr_source = pk_runner_instr_source(p.main);

    /* before the setup: a shell that fails here has run nothing of the user's */
    e = calibrate(&p);
    if (e != PK_OK && e != PK_EINTR) {
        if (e == PK_ENOMEM)
            set_err(&p, "%s", pk_strerror(e));
        pk_cmdbench_result_free(r);
        plan_free(&p);
        return e;
    }
    if (e == PK_OK)
        e = run_aux(&p, &p.setup, NULL, "setup command", o->setup);
    if (e == PK_OK)
        e = measure_all(&p, cmds);
    if (e != PK_EINTR || !stopped(&p)) {
        /* cleanup runs even after a failure, like a finally block */
        pk_err ce = run_aux(&p, &p.cleanup, NULL, "cleanup command", o->cleanup);
        if (e == PK_OK)
            e = ce;
    }
    if (e == PK_EINTR)
        r->interrupted = true;
    if (e != PK_OK && e != PK_EINTR && diag && !diag->message[0])
        set_err(&p, "%s", pk_strerror(e));
    plan_free(&p);
    if (e != PK_OK && e != PK_EFAIL && e != PK_EINTR) {
        pk_cmdbench_result_free(r);
        return e;
    }
    *out = r;
    return e;
}
