/* perfkit/check.h — the regression gate: collect, judge, report.
 *
 *   pk_check_run       the whole gate in one call, as `perfkit check` runs
 *                      it: open the history, measure, find baselines,
 *                      judge, store the run; returns the report;
 * and its steps, for programs that assemble their own pipeline:
 *   pk_check_collect   run every benchmark of a config (commands, Google
 *                      Benchmark binaries, imports) into a result set;
 *   pk_check_sizes     measure every size budget's files;
 *   pk_check_meta_collect  this run's time, commit, machine, version;
 *   pk_check_find_baselines  the baseline policy over a history;
 *   pk_check_evaluate  judge current results against budgets and against a
 *                      baseline result set from history.
 * Around history: pk_check_compare judges one stored run against another
 * (`perfkit compare`); pk_check_history_new follows benchmarks over runs
 * (`perfkit history`). Writing a report (text, JSON, Markdown, JUnit) is
 * lib/report's job: perfkit/check_write.h. Nothing here prints.
 *
 * Verdict per benchmark and figure (pk_check_status):
 *   budget items:     PASS or OVER_BUDGET — outside the budget: above a
 *                     maximum (statistic > limit × (1+tolerance)) or below
 *                     a minimum (statistic < limit × (1-tolerance)), see
 *                     pk_check_item.bound; NOT_MEASURABLE when the figure
 *                     is not measured here (e.g. hardware counters in a VM);
 *   regression items: the primary figure and every budgeted figure against
 *                     the baseline under the benchmark's policy, thresholds
 *                     and tests from the figure table
 *                     (pk_figure_compare_opts); significance of a noisy
 *                     figure against history is beyond the run-to-run drift
 *                     of its window (pk_stats_drift; fewer than
 *                     PK_CHECK_MIN_HISTORY runs: never significant), of an
 *                     exact count the exact rule, of two bare runs
 *                     (no window) pk_stats_compare — REGRESSED (a
 *                     change for the worse in the figure's direction: a
 *                     larger time, a smaller rate), IMPROVED (for the
 *                     better), PASS (no significant difference and within
 *                     the threshold), INCONCLUSIVE (the change exceeds the
 *                     threshold but is not significant: too noisy to say),
 *                     NO_BASELINE (first run, or the baseline lacks it);
 *   size items:       PASS or OVER_BUDGET per file and compression;
 *   size regression items: every size measured (each file and compression
 *                     of the run's "size:<path>" results) against the same
 *                     file in the baseline run — sizes are exact, so by the
 *                     figure table's exact rule (any change is real,
 *                     threshold 0): REGRESSED (larger), IMPROVED (smaller),
 *                     PASS (the same), NO_BASELINE;
 *   against a baseline of 0 (a regression or size regression item whose
 *                     baseline statistic is 0 and current is not): no ratio
 *                     exists, so has_cmp is false and the writers say "was
 *                     0"; the change is REGRESSED / IMPROVED when it is
 *                     significant (exact figures: the ranges do not
 *                     overlap; noisy ones: the rank test, p < alpha), else
 *                     INCONCLUSIVE;
 *   ERROR:            the benchmark failed to run (message in note).
 * A report fails when any item is OVER_BUDGET, REGRESSED or ERROR, and with
 * strict also when any is NOT_MEASURABLE or INCONCLUSIVE — and a report
 * with no item at all fails: a gate that checked nothing never passes.
 *
 * Thread-safety: reports and histories are immutable after creation; the
 * functions taking a pk_store use it as store.h says (one thread at a
 * time); the others are safe on distinct arguments. */
#ifndef PERFKIT_CHECK_H
#define PERFKIT_CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/config.h"
#include "perfkit/diag.h"
#include "perfkit/resultset.h"
#include "perfkit/size.h"
#include "perfkit/stats.h"
#include "perfkit/store.h"

PK_BEGIN_DECLS

typedef enum pk_check_status {
    PK_CHECK_PASS = 0,
    PK_CHECK_OVER_BUDGET,
    PK_CHECK_REGRESSED,
    PK_CHECK_IMPROVED,
    PK_CHECK_INCONCLUSIVE,
    PK_CHECK_NOT_MEASURABLE,
    PK_CHECK_NO_BASELINE,
    PK_CHECK_ERROR,
} pk_check_status;

/* "pass", "over budget", "regressed", "improved", "inconclusive",
 * "not measurable here", "no baseline", "error"; "unknown" for a value
 * outside the enum. Never NULL. */
const char *pk_check_status_name(pk_check_status s);

/* Whether an item with status s fails the gate: OVER_BUDGET, REGRESSED and
 * ERROR always; NOT_MEASURABLE and INCONCLUSIVE when strict. The one place
 * the rule is written; evaluate and every writer ask here. */
bool pk_check_status_fails(pk_check_status s, bool strict);

typedef enum pk_check_kind {
    PK_ITEM_BUDGET = 0,
    PK_ITEM_REGRESSION,
    PK_ITEM_SIZE,
    PK_ITEM_SIZE_REGRESSION,   /* a file's size against the baseline run:
                                  benchmark is the file, figure the
                                  compression ("raw", "gzip"...) */
} pk_check_kind;

/* Which comparison decided a regression item:
 *   NONE     not a regression item, or nothing to compare with;
 *   HISTORY  the unpaired gate: this run against a window of earlier runs
 *            on this machine, with their run-to-run spread as the noise
 *            (pk_stats_drift; "How the gate decides" in docs/check.md);
 *   PAIRED   baseline and candidate measured in the same job, interleaved;
 *   RUNS     two stored runs' samples by a within-run test (pk_stats_compare):
 *            what pk_check_evaluate does with baselines that carry no window
 *            (perfkit compare). Blind to drift between the two invocations:
 *            honest only for samples from one invocation. */
typedef enum pk_check_mode {
    PK_CHECK_MODE_NONE = 0,
    PK_CHECK_MODE_HISTORY,
    PK_CHECK_MODE_PAIRED,
    PK_CHECK_MODE_RUNS,
} pk_check_mode;

/* "none", "history", "paired", "runs"; "unknown" outside the enum. */
const char *pk_check_mode_name(pk_check_mode m);

typedef struct pk_check_item {
    pk_check_kind kind;
    pk_check_status status;
    char *benchmark;         /* benchmark name, or the file for size items */
    char *figure;            /* "wall", "rss", ...; compression name for size */
    char *stat;              /* budget statistic ("p95"); for regressions the
                                compared statistic ("median" / "mean") */
    pk_unit_kind unit;       /* how to print current / limit / baseline */
    double current;          /* the statistic now */
    double limit;            /* budget items: effective limit (tolerance applied) */
    char *limit_text;        /* budget items: as written in the config */
    double baseline;         /* regression items: the statistic in the baseline */
    bool has_cmp;
    pk_comparison cmp;       /* regression items with a baseline */
    size_t n_current, n_baseline;
    int64_t baseline_run;    /* 0 when none */
    char *note;              /* why NOT_MEASURABLE / ERROR / NO_BASELINE, or NULL */
    pk_src_pos pos;          /* where the budget is declared (0 when none) */
    pk_bound bound;          /* budget and size items: a maximum (sizes
                                always) or a minimum; writers say "below
                                minimum" for an OVER_BUDGET minimum */
    pk_check_mode mode;      /* regression items: what decided the verdict */
    size_t n_runs;           /* HISTORY: earlier runs in the window (their
                                run-level statistics give the noise) */
    double spread;           /* HISTORY with >= PK_CHECK_MIN_HISTORY runs:
                                their run-to-run SD of the log statistic
                                (about the relative SD); else 0 */
    char *stderr_tail;       /* appended; ERROR items of a command that
                                failed: the end of its stderr as it wrote it
                                (pk_bench_data.stderr_tail; untrusted text,
                                writers sanitise it), else NULL */
    double elapsed_s;        /* appended: the wall seconds spent measuring
                                the item's benchmark (pk_bench_data
                                .elapsed_ns), the same on each of its items;
                                0 when unknown (imports, sizes, history) */
    bool pinned;             /* appended: the baseline run is the one pinned
                                for this benchmark (`perfkit baseline pin`),
                                not the window's or --baseline's */
} pk_check_item;

/* Something the gate noticed that does not decide it: a warning never
 * fails the gate, whatever strict says. kind "creep": the benchmark's
 * history on the baseline's branch and this machine, this run included,
 * has a change point (pk_stats_changepoints) whose cumulative shift, in
 * the figure's worse direction, exceeds the regression threshold while the
 * step at the change point itself stayed below it — a slowdown that built
 * up over several runs, each of which passed. */
typedef struct pk_check_warning {
    char *kind;              /* "creep" */
    char *benchmark;
    char *figure;
    char *stat;              /* the compared statistic ("median") */
    char *message;           /* one line for people: "+7.1% since commit
                                abc1234 (run #38) over 6 runs, ..." */
    double magnitude;        /* after / before - 1 of the shift (medians of
                                the runs either side of the change point) */
    double threshold;        /* the regression threshold it exceeds */
    double p_value;          /* of the change point */
    int64_t since_run;       /* first run after the shift */
    char since_commit[41];   /* its commit ("" outside git) */
    size_t runs;             /* runs since the shift, this one included */
} pk_check_warning;

/* One function's share of the samples before and after, in a profile
 * attached to the report (percentages of each side's samples, 0..100). */
typedef struct pk_check_profile_change {
    char *function;          /* the frame's name as recorded */
    double self[2];          /* share of samples in the function itself:
                                [0] before (the base), [1] after (this run) */
    double total[2];         /* share of samples with it on the stack */
} pk_check_profile_change;

/* The most changed functions a profile keeps (pk_check_profile.top). */
#define PK_CHECK_PROFILE_TOP 5

/* Where a profile's "before" came from. */
typedef enum pk_check_profile_base {
    PK_PROFILE_BASE_NONE = 0,   /* none: a plain flame graph of this run */
    PK_PROFILE_BASE_PAIRED,     /* paired mode: the base tree, recorded in
                                   this job, interleaved with this run's */
    PK_PROFILE_BASE_HISTORY,    /* the profile stored with the baseline run
                                   (base_run), recorded by an earlier check */
} pk_check_profile_base;

/* "none", "paired", "history"; "unknown" outside the enum. */
const char *pk_check_profile_base_name(pk_check_profile_base b);

/* A CPU profile of one command benchmark, recorded by pk_check_run after
 * the verdict (perfkit/record.h; `profile:` in perfkit.yml): the files it
 * wrote and what changed. A recording that failed (perf_event_open refused,
 * the command failed under the profiler) has error set and no files; the
 * verdict never depends on a profile. */
typedef struct pk_check_profile {
    char *benchmark;         /* as in the items ("name" or "name/value") */
    bool regressed;          /* recorded because an item of it regressed
                                (else: `profile: always` or forced) */
    pk_check_profile_base base;
    int64_t base_run;        /* BASE_HISTORY: the run whose profile is the
                                before; else 0 */
    char *svg;               /* the flame graph (differential when base is not
                                NONE: frames coloured by the change of their
                                share, widths of this run), or NULL */
    char *folded;            /* this run's folded stacks, or NULL */
    char *base_folded;       /* the before's folded stacks, or NULL */
    uint64_t samples[2];     /* samples before ([0], 0 with no base) and after */
    size_t runs[2];          /* command runs recorded per side (history: 0) */
    pk_check_profile_change *top;   /* the functions whose self share changed
                                       most (with no base: the largest self
                                       shares), at most PK_CHECK_PROFILE_TOP */
    size_t n_top;
    bool stored;             /* kept in the history with the run (a later
                                regression's "before") */
    char *error;             /* why there is no profile, or why it was not
                                stored; NULL when all went well */
} pk_check_profile;

/* The fewest earlier runs whose spread is trusted as the run-to-run noise
 * of a noisy figure; with fewer, a change beyond the threshold reads
 * INCONCLUSIVE (exact counts need only one). */
#define PK_CHECK_MIN_HISTORY 3

typedef struct pk_check_report {
    pk_check_item *items;
    size_t n_items;
    size_t count[PK_CHECK_ERROR + 1];  /* items per status */
    bool failed;             /* the gate fails (exit 1): an item fails
                                (pk_check_status_fails), or there is none */
    bool strict;
    pk_run_meta run;         /* the run judged, as pk_check_evaluate got it
                                (o->run); id 0 when not stored */
    char config_path[512];
    pk_check_warning *warnings;   /* never fail the gate (pk_check_run's
                                     creep check); NULL when none */
    size_t n_warnings;
    char pair_ref[128];      /* paired mode: the REF as given ("" unpaired) */
    char pair_commit[41];    /*   and its commit */
    pk_err store_err;        /* pk_check_run: PK_OK when the run was stored
                                (run.id) or not to be stored (no_store);
                                else why it could not be: PK_EIO (disk
                                full, I/O error), PK_EPERM (read-only file
                                or directory), PK_EBUSY (lock timeout),
                                PK_ENOMEM — the verdict stands, nothing of
                                the run is in the history */
    char store_error[512];   /* its message, naming the history ("" when
                                store_err is PK_OK) */
    int64_t compared_with;   /* pk_check_compare: the baseline run (RUN_A);
                                0 for a report of the gate. Writers show a
                                comparison of two runs as what changed */
    pk_check_profile *profiles;   /* appended: the profiles pk_check_run
                                     recorded (`profile:` in the config,
                                     pk_check_opts.profile), in benchmark
                                     order; NULL when none */
    size_t n_profiles;
    bool history_unavailable;   /* appended: a shared history (a postgres://
                                   URL) could not be reached (store_err
                                   PK_EIO) or refused the credentials
                                   (PK_EPERM): the gate ran without
                                   baselines from history, every report is
                                   whole, nothing was stored */
    int64_t spool_run_id;       /* appended: with history_unavailable, the
                                   run's id in pk_check_opts.spool where it
                                   was kept; 0: not kept (no spool, or
                                   spool_error says why) */
    char spool_error[256];      /* why the run could not be kept there */
} pk_check_report;

/* ---- collect ------------------------------------------------------------- */

typedef struct pk_check_progress {
    size_t bench, n_benches;        /* which config benchmark is running */
    const char *name;
    const pk_cmdbench_progress *run; /* for command benchmarks, else NULL */
    bool profiling;                  /* appended: recording name's profile
                                        after the verdict (run is NULL) */
} pk_check_progress;

/* Options of the gate; pk_check_opts_init gives the defaults (all zero
 * but lock_timeout_ms). Each function reads the fields named for it. */
typedef struct pk_check_opts {
    bool strict;                     /* NOT_MEASURABLE / INCONCLUSIVE fail too */
    const char *only;                /* run only benchmarks whose name contains
                                        this (NULL: all) */
    void (*progress)(void *ud, const pk_check_progress *p);
    void *progress_ud;               /* called on the calling thread */
    const volatile sig_atomic_t *stop;   /* non-zero: stop after the current
                                            run (a signal handler sets it; a
                                            cancel request, perfkit/cancel.h,
                                            stops the current run too) */
    /* pk_check_run */
    const char *history;             /* history location (store.h); NULL:
                                        c->history_path */
    const char *baseline;            /* compare every benchmark with this run
                                        (pk_store_resolve: an id, "latest", a
                                        commit prefix, a branch); NULL: the
                                        baseline policy */
    bool no_store;                   /* do not store the run; an existing
                                        history still gives baselines */
    /* pk_check_evaluate (pk_check_run and pk_check_compare set their own) */
    const pk_run_meta *run;          /* the run judged, copied into the
                                        report; NULL: all zero */
    /* pk_check_run: paired mode */
    const char *pair_ref;            /* run every benchmark against this git
                                        ref in the same job (overrides
                                        c->pair_base); NULL: c->pair_base, and
                                        when that is NULL too, unpaired */
    /* pk_check_run */
    int lock_timeout_ms;             /* wait this long, >= 0, for another
                                        process holding the history's lock
                                        (pk_store_opts.busy_timeout_ms); the
                                        default is the store's (10 s) */
    /* pk_check_run: profiles (perfkit/record.h) */
    bool profile_override;           /* false (default): each command
                                        benchmark's `profile:` decides; true:
                                        profile_when does, for all of them
                                        (`check --profile`) */
    pk_profile_when profile_when;
    const char *profile_dir;         /* where profiles are written, one
                                        directory per run under it; NULL:
                                        ".perfkit/profiles" beside the config */
    /* pk_check_run: a shared history out of reach */
    const char *spool;               /* when the history is a URL whose server
                                        cannot be reached or refuses us, keep
                                        the run in this SQLite history
                                        (created when missing; its directory
                                        too) to be sent later with
                                        pk_store_copy; NULL: the run is kept
                                        nowhere */
} pk_check_opts;

void pk_check_opts_init(pk_check_opts *o);

/* ---- the whole gate ------------------------------------------------------ */

/* Run the gate of config c, which pk_config_load and pk_config_validate
 * accepted, as `perfkit check` does:
 *   1. o->only must match a benchmark of c (else PK_ENOENT, diag with a
 *      did-you-mean from c's benchmark names, ending "— nothing has run");
 *   2. open the history at o->history (default c->history_path), waiting
 *      up to o->lock_timeout_ms for another process's lock: created when
 *      missing; with o->no_store only read (never written), and a missing
 *      one means no baselines. When it cannot be opened for writing (a
 *      read-only file or directory, a full disk, a lock held past the
 *      timeout: PK_EPERM, PK_EIO, PK_EBUSY) the gate still runs: it reads
 *      the history when there is one (a missing or empty one: no
 *      baselines), and step 8 reports why the run is not stored. A history
 *      that exists but cannot be read stops the gate (errors below); then
 *      o->baseline must name a run of it (pk_store_resolve), else the gate
 *      stops before anything runs: PK_ENOENT with a did-you-mean from the
 *      history's branches and "latest" (or its run-id range), the message
 *      ending "— nothing has run";
 *   3. this run's metadata (o->run if given, else pk_check_meta_collect
 *      now: the run starts here);
 *   4. paired mode (o->pair_ref, else c->pair_base): pk_check_pair_prepare
 *      with c->pair_build, before anything is measured;
 *   5. pk_check_sizes, then pk_check_collect (o->only, o->progress,
 *      o->stop) — in paired mode pk_check_collect_pair;
 *   6. baselines by pk_check_find_baselines (o->baseline): for whatever
 *      the pairing does not cover;
 *   7. pk_check_evaluate (o->strict), the report carrying the metadata (and
 *      pair_ref / pair_commit in paired mode); then, with a history, a
 *      "creep" warning per regression item whose history (the last 30 runs
 *      on its baseline's branch on this machine, plus this run) crept past
 *      the threshold in small steps (pk_check_warning); warnings never
 *      change the verdict;
 *   8. unless o->no_store, store the run (pk_store_put_run); report->run.id
 *      is its id (0 when not stored). In paired mode the base side is
 *      stored as its own run (REF's commit, branch "pair:<REF>", never
 *      dirty) just before this one, both in one transaction
 *      (pk_store_put_runs: on error neither is stored), and the paired
 *      items' baseline_run is its id. A store that fails (here or at step
 *      2) does not fail the gate: the verdict was reached, so the report
 *      comes back with PK_OK, run.id 0, and report->store_err and
 *      store_error say why nothing of the run is in the history.
 * o may be NULL (defaults). On PK_OK *out owns the report
 * (pk_check_report_free); (*out)->failed is the gate's verdict and
 * (*out)->store_err whether the run was stored. diag (may be NULL) then
 * holds the first benchmark failure's message, or "". On error *out is
 * NULL, diag says why (file:line:column where it applies) and nothing is
 * stored. Errors:
 *   input (the user's to fix; nothing of the run stored):
 *     PK_ENOENT (o->only matches nothing; a file or program is missing; a
 *     size pattern matches nothing; --baseline names no run, or there is no
 *     history), PK_EPARSE (an imported file), PK_EPERM, PK_EINVAL (c NULL,
 *     an ambiguous commit prefix in o->baseline, an empty history location,
 *     a negative o->lock_timeout_ms),
 *     PK_EINVAL also for a PostgreSQL database that does not exist;
 *     paired mode: PK_ENOENT (REF names no commit; not in git), PK_EINVAL
 *     (the current directory outside the repository), PK_EFAIL (the build
 *     of the base tree failed; diag ends with its output);
 *   history: PK_ECORRUPT (not a perfkit history, damaged, newer); an
 *     existing history that cannot be read: PK_EPERM, PK_EIO, PK_EBUSY
 *     (a PostgreSQL server that cannot be reached or refuses the
 *     credentials is no error: the gate runs without history and the
 *     report says so, history_unavailable);
 *   PK_EINTR: *o->stop was set or a cancel request came (perfkit/cancel.h:
 *     the running child was stopped and reaped, its temporary files
 *     removed); nothing stored;
 *   PK_EIO, PK_ENOMEM. */
pk_err pk_check_run(const pk_config *c, const pk_check_opts *o, pk_check_report **out,
                    pk_diag *diag);

/* This run's metadata as the gate records it: started_unix_ns now (the
 * wall clock), the git commit, branch and dirty flag of the work tree
 * holding c->dir (empty outside git; pk_git_info_get), this machine and its
 * fingerprint, perfkit's version, c's hash (c NULL: the current directory,
 * no hash). id is 0. Missing git or an unreadable machine leaves fields
 * empty, never fails. Errors: PK_EINVAL (out NULL). */
pk_err pk_check_meta_collect(const pk_config *c, pk_run_meta *out);

/* Run every benchmark of c (those matching o->only) and add its results to
 * rs: a command benchmark as "<name>" (or "<name>/<value>" per parameter
 * value), a Google Benchmark binary and an import as "<name>/<inner>". A
 * benchmark that fails gets its error recorded in rs (pk_bench_data.error)
 * and the others still run; so does a Google Benchmark binary that reports
 * no result. Imports are read first: a bad file, or one without results
 * (ingest.h), is an input error before anything runs. Errors: PK_ENOENT (o->only matches no
 * benchmark; an import is missing), PK_EPARSE / PK_EPERM (an import),
 * PK_EINTR (o->stop or a cancel request; rs holds what ran), PK_ENOMEM, PK_EIO. diag receives
 * the error's message, or on PK_OK the first benchmark failure's. */
pk_err pk_check_collect(const pk_config *c, const pk_check_opts *o, pk_resultset *rs,
                        pk_diag *diag);

/* Sizes of every file matched by c's size budgets, added to rs as
 * benchmarks "size:<path>" with one series per compression (PK_UNIT_SIZE,
 * one sample). Errors: PK_ENOENT (a pattern matches nothing), PK_EIO,
 * PK_ENOMEM. */
pk_err pk_check_sizes(const pk_config *c, pk_resultset *rs, pk_diag *diag);

/* ---- paired mode ----------------------------------------------------------- */

/* The base tree of paired mode. */
typedef struct pk_check_pair {
    char commit[41];     /* the commit REF resolved to */
    char *worktree;      /* owned: absolute path of the base tree,
                            <config dir>/.perfkit/worktrees/<REF> */
    char *cwd;           /* owned: the base tree's counterpart of the current
                            directory: where its commands and build run */
    bool built;          /* the build ran now (false: none, or skipped because
                            this commit was built with this command before) */
} pk_check_pair;

/* Materialise ref (a commit, branch, tag, HEAD~1 ...; resolved in the git
 * repository holding c->dir) as a detached git worktree under
 * <config dir>/.perfkit/worktrees/, created the first time and moved to the
 * commit later (`git checkout --detach --force` inside it: the tree is
 * perfkit's; untracked build outputs stay). The user's work tree and index
 * are never touched; git runs without a shell. Then, when build is
 * non-empty, run it through /bin/sh -c in out->cwd, unless the marker
 * `.perfkit-built` in the worktree says this commit was already built with
 * this very command. The current directory must be inside the repository
 * (commands run from it; the base side runs from its counterpart). Blocks
 * for as long as git and the build take. On PK_OK *out is filled (free with
 * pk_check_pair_clear); on error *out holds nothing to free and diag says
 * why. Errors: PK_ENOENT (ref names no commit, c->dir is not in a git work
 * tree, no git program), PK_EINVAL (empty ref or one starting with `-`,
 * the current directory outside the repository), PK_EFAIL (the build
 * failed: diag ends with the end of its output; or git could not check the
 * commit out), PK_EIO, PK_ENOMEM. */
pk_err pk_check_pair_prepare(const pk_config *c, const char *ref, const char *build,
                             pk_check_pair *out, pk_diag *diag);
void   pk_check_pair_clear(pk_check_pair *p);   /* NULL is a no-op */

/* pk_check_collect for paired mode: every command benchmark of c runs in
 * both trees in one interleaved benchmark, the candidate (cur) from the
 * current directory and the base (base) from base_cwd, each command in its
 * tree's directory, in shuffled blocks so that block i of the base pairs
 * with block i of the candidate; with an automatic run count both sides
 * get the larger of the two. A Google Benchmark binary runs in rounds:
 * each of its `repetitions` rounds runs the base tree's binary and the
 * candidate's once (--benchmark_repetitions=1, the order a seeded coin
 * flip), each from its tree's directory, so round i of the base pairs with
 * round i of the candidate; a series missing from some round is dropped. A
 * base side that fails carries its error (the candidate is then judged
 * against history). Imports cannot be paired: they go into cur only
 * (evaluate judges them against history and says so on every item). Size
 * budgets are not measured here.
 * Errors: those of pk_check_collect. */
pk_err pk_check_collect_pair(const pk_config *c, const pk_check_opts *o, const char *base_cwd,
                             pk_resultset *cur, pk_resultset *base, pk_diag *diag);

/* ---- evaluate ------------------------------------------------------------ */

/* Baselines per benchmark, borrowed: sets[i] is the result set holding the
 * baseline of current->benches[i] (NULL: none), run_ids[i] its run. From
 * history by the gate's policy: pk_check_find_baselines and
 * pk_check_baseline_set_view; or built any other way. */
/* The window of one benchmark: its earlier runs on the baseline branch on
 * this machine, newest first (pk_store_recent), each a result set of that
 * benchmark alone. */
typedef struct pk_check_window {
    size_t n;
    pk_resultset **sets;
    int64_t *run_ids;
    bool fixed;               /* the baseline is a pinned or named run (the
                                 report is judged against it; the window
                                 gives only the spread); else the window's
                                 centre is the baseline */
    char branch[128];         /* the window's branch ("" any), for notes */
    bool pinned;              /* appended: fixed because the run is pinned
                                 for this benchmark (`perfkit baseline pin`) */
} pk_check_window;

typedef struct pk_check_baselines {
    const pk_resultset *const *sets;   /* n = current->n */
    const int64_t *run_ids;
    const pk_check_window *windows;    /* n = current->n, or NULL: no
                                          history, two-run comparisons
                                          (PK_CHECK_MODE_RUNS) */
    const pk_resultset *paired;        /* paired mode: the base side measured
                                          in this job (pk_check_collect_pair);
                                          a benchmark found here is judged
                                          by the pairing, sets[] is then
                                          unused for it. NULL: unpaired */
    int64_t paired_run;                /* its stored run, 0 when none */
} pk_check_baselines;

/* Judge current against c's budgets and against baselines (may be NULL: no
 * regression items). o (may be NULL) gives strict and the run's metadata
 * (o->run), both copied into the report. On PK_OK *out owns the report
 * (pk_check_report_free). Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_check_evaluate(const pk_config *c, const pk_resultset *current,
                         const pk_check_baselines *baselines, const pk_check_opts *o,
                         pk_check_report **out);
void   pk_check_report_free(pk_check_report *r);   /* NULL is a no-op */

/* ---- the baseline policy ------------------------------------------------- */

/* Baselines found in history, owning their result sets: sets[i] is the
 * baseline of current->benches[i] (NULL: none), run_ids[i] its run (0:
 * none). pk_check_baseline_set_view gives the pk_check_baselines that
 * pk_check_evaluate reads. */
typedef struct pk_check_baseline_set {
    size_t n;                  /* = current->n */
    pk_resultset **sets;
    int64_t *run_ids;
    pk_check_window *windows;  /* n of them (all empty without history) */
} pk_check_baseline_set;

/* The baseline of every benchmark of current (this run: meta) from history
 * st, the gate's policy. Per benchmark, its window (windows[i]): the last
 * pk_policy.window runs (the benchmark's config policy; c NULL: 10) in which
 * it ran without error, on this machine (meta->fingerprint: a laptop is
 * never compared with CI), on c->baseline_branch ("main"), or when that has
 * none on this run's branch (meta->branch; any branch when it is ""). And
 * the run it is judged against (sets[i], run_ids[i]), the first that
 * exists:
 *   1. ref given: the run ref resolves to (pk_store_resolve: a run id,
 *      "latest", a commit or unique prefix, a branch's latest run), for
 *      every benchmark (window.fixed);
 *   2. the run pinned for it (`perfkit baseline pin`), any branch or
 *      machine (window.fixed);
 *   3. the window's newest run (exact counts are judged against it; noisy
 *      figures against the window's centre, unpaired.c).
 * A pinned or named run that lacks the benchmark gives it none. st NULL
 * (no history yet) gives none, or PK_ENOENT when ref is given. c may be
 * NULL. On PK_OK *out owns the set (pk_check_baseline_set_free).
 * Errors, each with diag: PK_ENOENT (ref matches nothing, or no history),
 * PK_EINVAL (ref empty or an ambiguous commit prefix; NULL arguments),
 * PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_check_find_baselines(pk_store *st, const pk_config *c, const pk_resultset *current,
                               const pk_run_meta *meta, const char *ref,
                               pk_check_baseline_set **out, pk_diag *diag);
void   pk_check_baseline_set_free(pk_check_baseline_set *b);   /* NULL is a no-op */

/* The borrowed view of b for pk_check_evaluate (valid while b lives); a
 * NULL b gives an empty view (no baselines). */
pk_check_baselines pk_check_baseline_set_view(const pk_check_baseline_set *b);

/* ---- two runs from history ----------------------------------------------- */

/* `perfkit compare`: the run ref judged against the run base_ref (each
 * resolved by pk_store_resolve), every benchmark of ref on every figure it
 * shares with base_ref, by the default policy (no config: no budgets;
 * o->strict applies). Sizes stored with the runs ("size:<path>", from size
 * budgets) are compared too, as size regression items. The report's run is
 * ref's metadata, its compared_with base_ref's id; a benchmark that
 * base_ref lacks reads NO_BASELINE. The report fails as the gate's does
 * (report->failed): a regression, or with strict an inconclusive item. o may be NULL. On PK_OK *out owns the
 * report. Errors, each with diag naming the reference: PK_ENOENT (no such
 * run, commit or branch), PK_EINVAL (an ambiguous prefix; NULL arguments),
 * PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_check_compare(pk_store *st, const char *base_ref, const char *ref,
                        const pk_check_opts *o, pk_check_report **out, pk_diag *diag);

/* ---- benchmarks over time ------------------------------------------------ */

typedef struct pk_check_history_opts {
    const char *benchmark;     /* one benchmark run by run; NULL: every
                                  benchmark in history */
    const char *figure;        /* NULL: each benchmark's primary figure in its
                                  latest run (else its first, else "wall") */
    const char *stat;          /* per run (pk_series_stat): "median" */
    size_t limit;              /* the last `limit` runs; 0: all. 30 */
    double threshold;          /* a change beyond this fraction is marked:
                                  PK_DEFAULT_THRESHOLD */
    bool changes;              /* find change points (pk_stats_changepoints,
                                  default options) in each series: false */
} pk_check_history_opts;

void pk_check_history_opts_init(pk_check_history_opts *o);

/* One run of a benchmark and how it moved from the run before. */
typedef struct pk_check_history_row {
    pk_history_point point;    /* run, time, commit, branch, value, n */
    double change;             /* value / previous value - 1; NaN for the
                                  first row or after a 0 */
    pk_verdict mark;           /* SLOWER: changed beyond the threshold in the
                                  worse direction of the figure (figure.h:
                                  up for times, down for rates); FASTER: in
                                  the better; SAME: neither */
} pk_check_history_row;

/* A run where a benchmark's distribution shifted (opts.changes). */
typedef struct pk_check_history_change {
    size_t row;                /* rows[row] is the first run after the shift
                                  (row >= 1) */
    int64_t run_before, run_at;   /* rows[row-1] and rows[row]'s runs */
    char commit_before[41], commit_at[41];   /* their commits ("" outside git) */
    double before, after;      /* median of the values either side, up to the
                                  neighbouring change points */
    double magnitude;          /* after / before - 1 (NaN when before is 0) */
    double p_value;            /* of the change point's permutation test */
    pk_verdict mark;           /* SLOWER: the figure moved in its worse
                                  direction (figure.h), FASTER: better */
} pk_check_history_change;

typedef struct pk_check_history_series {
    char *benchmark;
    char *figure;
    pk_unit_kind unit;         /* how the values print */
    pk_check_history_row *rows;   /* n >= 1, oldest first */
    size_t n;
    pk_check_history_change *changes;   /* with opts.changes: the
                                  change points of the values, oldest
                                  first; NULL when none */
    size_t n_changes;
} pk_check_history_series;

typedef struct pk_check_history {
    pk_check_history_series *series;   /* sorted by benchmark name */
    size_t n;
    bool single;               /* opts.benchmark was given: one series */
    char *stat;
    double threshold;
    bool changes;              /* opts.changes: change points were sought */
} pk_check_history;

/* `perfkit history`: benchmarks over the runs of st. With o->benchmark one
 * series (PK_ENOENT when it has no run with the figure); without, one per
 * benchmark in history that has a point of its figure (none: an empty
 * history, n 0). With o->changes each series also gets its change points
 * (pk_stats_changepoints over the shown values, default options: alpha
 * 0.01, 199 permutations, segments of at least 3 runs). o may be NULL (defaults). On PK_OK *out owns the history
 * (pk_check_history_free). Errors, each with diag: PK_EINVAL (unknown
 * statistic; NULL arguments), PK_ENOENT, PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_check_history_new(pk_store *st, const pk_check_history_opts *o,
                            pk_check_history **out, pk_diag *diag);
void   pk_check_history_free(pk_check_history *h);   /* NULL is a no-op */

/* ---- pinned baselines (`perfkit baseline list` / `show`) ----------------- */

/* One pinned baseline: benchmark is compared with run by perfkit check
 * (store.h pk_store_pin), whatever the baseline branch says. */
typedef struct pk_check_pin {
    char *benchmark;
    pk_run_meta run;           /* the run it is pinned to */
} pk_check_pin;

typedef struct pk_check_pins {
    pk_check_pin *pins;        /* sorted by benchmark name */
    size_t n;                  /* 0: nothing is pinned */
} pk_check_pins;

/* Every pin of st with its run's metadata. On PK_OK *out owns the list
 * (pk_check_pins_free). Errors, each with diag: PK_EINVAL (NULL
 * arguments), PK_ECORRUPT (a pin to a run that is gone), PK_EIO,
 * PK_ENOMEM. */
pk_err pk_check_pins_new(pk_store *st, pk_check_pins **out, pk_diag *diag);
void   pk_check_pins_free(pk_check_pins *p);   /* NULL is a no-op */

/* One benchmark of a shown run: its primary figure's median. */
typedef struct pk_check_run_bench {
    char *benchmark;
    char *figure;              /* the primary figure (else the first); NULL
                                  when the benchmark failed in that run */
    pk_unit_kind unit;
    double median;             /* of the figure's samples */
    size_t n;                  /* samples behind it */
    char *error;               /* why it failed, NULL when it ran */
    bool pinned;               /* this run is the benchmark's pinned baseline */
} pk_check_run_bench;

typedef struct pk_check_run_view {
    pk_run_meta run;
    pk_check_run_bench *benches;   /* in the run's order */
    size_t n;
    char *pinned_for;          /* ref was a pinned benchmark's name: it; else NULL */
} pk_check_run_view;

/* `perfkit baseline show REF`: the run REF names — the run pinned for the
 * benchmark of that name when there is one, else a run reference
 * (pk_store_resolve: id, `latest`, commit, branch) — with its metadata and
 * each benchmark's primary figure. Errors, each with diag: PK_ENOENT
 * (nothing of that name; the message suggests the nearest pinned benchmark
 * or says the benchmark has no pin), PK_EINVAL (NULL arguments, an
 * ambiguous commit prefix), PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_check_run_view_new(pk_store *st, const char *ref, pk_check_run_view **out,
                             pk_diag *diag);
void   pk_check_run_view_free(pk_check_run_view *v);   /* NULL is a no-op */

PK_END_DECLS
#endif
