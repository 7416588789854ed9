/* perfkit/config.h — perfkit.yml, the project's performance contract.
 *
 *   version: 1
 *   history: { path: .perfkit/history.db, baseline-branch: main }
 *            # or { url: postgres://ci@db.example/perf } — a shared history
 *   regression: { threshold: 5%, alpha: 0.05, method: mann-whitney, window: 10 }
 *   benchmarks:
 *     sort:                                  # a command (every bench option)
 *       command: build/sortdemo radix 300000
 *       runs: 30
 *       warmup: 3
 *       budgets: { wall.p95: 50ms, rss.max: 64MiB }
 *       tolerance: 10%
 *     sort-insns:
 *       command: build/sortdemo radix 300000
 *       measure: instructions
 *       runs: 3
 *       budgets: { instructions.mean: 1.2G }
 *       regression: { method: exact, threshold: 0% }
 *     micro:                                 # a Google Benchmark binary
 *       google-benchmark: build/bench_micro
 *       args: [--benchmark_filter=BM_Sort]
 *       repetitions: 10
 *       budgets: { real_time.median: 2us, items_per_second.median: 1M }
 *     nightly:                               # numbers produced elsewhere
 *       import: results/hyperfine.json       # perfkit, hyperfine or GB JSON
 *   pair: { base: origin/main, build: make -j2 }   # paired mode (check.h)
 *   profile: on-regression       # record regressed commands (check.h);
 *                                # also per command benchmark
 *   sizes:
 *     build/app.wasm: { raw: 1MB, gzip: 100KB, brotli: 90KB, zstd: 95KB }
 *     "dist/[a-z]*.js": { gzip: 50KB }   # a glob
 *
 * Keys are spelled with dashes; underscores are accepted as aliases
 * (min_runs = min-runs). Budgets are FIGURE.STATISTIC: LIMIT where the
 * statistic is one of pk_series_stat_valid() and the limit carries a unit of
 * the figure's kind (durations for wall/user/sys/real_time/cpu_time/
 * task-clock, sizes for rss, plain counts otherwise). A budget follows the
 * figure's direction (figure.h): a bare limit is a maximum on a
 * lower-is-better figure (`wall.p95: 50ms`) and a minimum on a
 * higher-is-better one (`items_per_second.median: 1M` fails below 1M). An
 * explicit `<= LIMIT` (a maximum) or `">= LIMIT"` (a minimum; quoted, as
 * YAML reads a leading `>` as a folded block) overrides the direction; a
 * blank may follow the operator, and ≤ / ≥ are accepted too. tolerance
 * widens every budget of its benchmark in the lenient direction: a maximum
 * to limit × (1 + tolerance), a minimum to limit × (1 - tolerance). The
 * regression threshold defaults to the figure table's (5%; 0 with the
 * exact test for instruction counts). Percentages (tolerance,
 * threshold) are written "10%" or as a fraction in [0, 1]; min-time and
 * timeout take a duration or, as on the command line, bare seconds.
 * `version` may be left out (read as 1). One YAML document per file; aliases
 * (`*name`) are refused.
 *
 * Every error of a file is found in one pass: the loader reads on past a
 * wrong value, key, benchmark or section, so pk_config_load_all reports
 * them all (sorted by position; a YAML syntax error ends the pass, as the
 * rest cannot be read). pk_config_load gives the first of them.
 *
 * A command with shell syntax outside quotes (`command: "echo hi | cat"`)
 * and no `shell: true` is a warning, not an error (pk_config.warnings):
 * perfkit.yml has no strict mode, and a hyperfine user's command is valid
 * without a shell, only measured differently than meant.
 *
 * Errors carry file:line:column (pk_diag): YAML syntax, unknown keys with a
 * "did you mean", wrong types, unit mistakes ("50 ms", "50mss", "64MiB" on a
 * duration), an operator without a limit (">="), duplicate benchmark names, a benchmark without exactly one of
 * command / google-benchmark / import. Commands, imports and size patterns
 * are relative to the current directory; the history path to the file's
 * directory. Thread-safety: a config is immutable
 * after loading. */
#ifndef PERFKIT_CONFIG_H
#define PERFKIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/cmdbench.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/figure.h"
#include "perfkit/ingest.h"
#include "perfkit/monitor.h"
#include "perfkit/size.h"
#include "perfkit/stats.h"
#include "perfkit/units.h"

PK_BEGIN_DECLS

typedef struct pk_src_pos {
    unsigned line, column;   /* 1-based position of the value in the file */
} pk_src_pos;

/* Regression policy; fields a file leaves out keep the enclosing value. */
typedef struct pk_policy {
    double threshold;        /* default PK_THRESHOLD_AUTO: each figure's own
                                default from the figure table (5% for noisy
                                figures, 0 for instruction counts); a
                                threshold written in the file (globally or
                                per benchmark) applies to every figure */
    double alpha;            /* default 0.05 */
    pk_test_method method;   /* default PK_TEST_MANN_WHITNEY */
    size_t window;           /* the unpaired gate's baseline: this many
                                earlier runs (`window: 10`, 1..1000);
                                default PK_DEFAULT_WINDOW */
} pk_policy;

/* The default baseline window of the unpaired gate: the last 10 runs. */
#define PK_DEFAULT_WINDOW 10

/* Which side of its limit a budget keeps the statistic on. */
typedef enum pk_bound {
    PK_BOUND_MAX = 0,   /* statistic <= limit × (1 + tolerance) */
    PK_BOUND_MIN = 1,   /* statistic >= limit × (1 - tolerance) */
} pk_bound;

typedef struct pk_budget {
    char *figure;            /* "wall" */
    char *stat;              /* "p95" */
    double limit;            /* in the figure's base unit (ns, bytes, count),
                                tolerance NOT applied */
    pk_unit_kind kind;       /* kind of the limit's unit */
    char *text;              /* the limit as written without its `>=` / `<=`:
                                "50ms", "1M" */
    pk_src_pos pos;
    pk_bound bound;          /* `>=` / `<=` as written, else from the
                                figure's direction (a rate: a minimum) */
} pk_budget;

typedef enum pk_bench_kind {
    PK_BENCH_COMMAND = 0,
    PK_BENCH_GBENCH = 1,
    PK_BENCH_IMPORT = 2,
} pk_bench_kind;

/* When `perfkit check` profiles a command benchmark (`profile:` in
 * perfkit.yml, globally or per benchmark; perfkit/check.h "profiles"). */
typedef enum pk_profile_when {
    PK_PROFILE_OFF = 0,            /* never (default) */
    PK_PROFILE_ON_REGRESSION = 1,  /* when one of its figures regressed */
    PK_PROFILE_ALWAYS = 2,         /* on every run: each stored run then carries
                                      a profile, the "before" of a later
                                      regression's differential flame graph */
} pk_profile_when;

/* `profile: on-regression`, or the mapping
 * `profile: { when: on-regression, call-graph: dwarf, frequency: 1999,
 *             min-samples: 2000, max-time: 20s }`;
 * a benchmark's `profile:` starts from the global one. */
typedef struct pk_profile_policy {
    pk_profile_when when;
    bool dwarf;                    /* `call-graph: dwarf` (default fp: frame
                                      pointers; perfkit/record.h) */
    uint32_t frequency;            /* samples per CPU second, 1..100000;
                                      default 999 */
    size_t min_samples;            /* record the command again until this many
                                      samples (default 1000), ... */
    uint64_t max_time_ns;          /* ... or until this much wall time went into
                                      recording one side (default 10 s); always
                                      at least one run */
    pk_src_pos pos;                /* where `profile:` is written (0: default) */
} pk_profile_policy;

/* The defaults above: off, frame pointers, 999 Hz, 1000 samples, 10 s. */
void pk_profile_policy_init(pk_profile_policy *p);

typedef struct pk_cfg_bench {
    char *name;
    pk_bench_kind kind;
    pk_src_pos pos;

    /* PK_BENCH_COMMAND: command plus every `perfkit bench` option. Paths in
     * commands are used as written (run from the current directory). */
    char *command;
    pk_cmdbench_opts bench;      /* runs, warmup, min/max runs, min time, shell,
                                    interleave, ignore_failure, measure, run.{input,
                                    output, timeout}; string fields point into
                                    this struct's owned strings */
    char *prepare, *conclude, *setup, *cleanup, *input, *output_file;
    char *param_name;            /* parameter-scan / parameter-list */
    char **param_values;
    size_t n_param_values;

    /* PK_BENCH_GBENCH */
    char *binary;
    char **args;
    size_t n_args;
    size_t repetitions;          /* default 5 */

    /* PK_BENCH_IMPORT */
    char *import_path;
    pk_import_format import_format;

    /* all kinds */
    pk_budget *budgets;
    size_t n_budgets;
    double tolerance;            /* default 0 */
    pk_policy policy;            /* global policy with this benchmark's overrides */
    pk_profile_policy profile;   /* command benchmarks: the global `profile:`
                                    with this benchmark's overrides */
} pk_cfg_bench;

typedef struct pk_size_budget {
    char *pattern;                   /* a path or a glob(7) pattern */
    bool has[PK_SIZE_COUNT];         /* which limits were given */
    double limit[PK_SIZE_COUNT];     /* bytes */
    char *text[PK_SIZE_COUNT];       /* as written */
    pk_src_pos pos;
} pk_size_budget;

typedef struct pk_config {
    char *path;                  /* as given to pk_config_load */
    char *dir;                   /* its directory ("." for a bare name) */
    char *history_path;          /* default "<dir>/.perfkit/history.db"; the
                                    `url:` (a postgres:// URL) verbatim */
    char *baseline_branch;       /* default "main" */
    pk_policy policy;            /* the global regression policy */
    pk_cfg_bench *benches;
    size_t n_benches;
    pk_size_budget *sizes;
    size_t n_sizes;
    char hash[17];               /* 64-bit FNV-1a of the file bytes, hex */
    char *pair_base;             /* `pair: { base: REF }`: perfkit check runs
                                    in paired mode against REF; NULL: none */
    char *pair_build;            /* `pair: { build: CMD }`: a shell line that
                                    builds the base tree; NULL: none */
    pk_src_pos pair_pos;         /* where `pair:` is written */
    pk_diag *warnings;           /* what loads but is most likely a mistake,
                                    in file order: a command that holds
                                    shell syntax (`echo hi | cat`: a `|`, `>`,
                                    `$(`, `*`... outside quotes,
                                    pk_shellwords_find_syntax) while no
                                    shell runs it (no `shell: true`), each
                                    with its file:line:column; at most
                                    PK_CONFIG_WARNINGS_MAX, the last then
                                    says how many more there are */
    size_t n_warnings;
    pk_profile_policy profile;   /* the global `profile:` (each command
                                    benchmark's starts from it) */
    /* `monitor:` — perfkit monitor's defaults (docs/monitor.md) */
    bool has_monitor;            /* the section is there */
    pk_src_pos monitor_pos;
    uint64_t monitor_interval_ns;/* `interval:`; 0 when not given */
    pk_monitor_rule *monitor_rules;   /* `thresholds:`, one rule per figure */
    pk_src_pos *monitor_rule_pos;     /* where each figure is written */
    size_t n_monitor_rules;
    char **monitor_on_alert;     /* `on-alert:` as argv (a string split like a
                                    shell would, no shell runs it; or a list);
                                    NULL-terminated, NULL when not given */
    char *monitor_alert_file;    /* `alert-file:`; NULL when not given */
    bool monitor_on_alert_shell; /* `on-alert-shell: true`: the command runs
                                    as /bin/sh -c monitor_on_alert_text, and
                                    monitor_on_alert is NULL */
    char *monitor_on_alert_text; /* `on-alert:` unsplit, with on-alert-shell;
                                    NULL otherwise */
} pk_config;

/* The most warnings a config keeps (pk_config.warnings). */
#define PK_CONFIG_WARNINGS_MAX 20

/* Defaults of a policy: threshold PK_THRESHOLD_AUTO (the figure table's:
 * 5% for noisy figures, 0 for exact counts), alpha 0.05, Mann-Whitney (an
 * exact count is compared exactly: pk_figure_compare_opts). */
void pk_policy_init(pk_policy *p);

/* Read and parse the file at path, a regular file of at most 64 MiB (a
 * directory, device, FIFO or socket is refused before anything is read:
 * /dev/zero never ends, a FIFO may never answer). Duplicate keys are found
 * in linear time, so a config of a million benchmarks loads in seconds. On
 * PK_OK *out owns the config (pk_config_free). On error *out is NULL and
 * diag (may be NULL) says where. Errors: PK_ENOENT / PK_EPERM / PK_EIO
 * (reading), PK_EINVAL (not a regular file), PK_ERANGE (over 64 MiB:
 * "65.0 MiB is larger than the 64 MiB limit for configuration files"),
 * PK_EPARSE (anything about the content), PK_ENOMEM. */
pk_err pk_config_load(const char *path, pk_config **out, pk_diag *diag);

/* The same from memory; name is used in diagnostics and to derive dir. */
pk_err pk_config_parse(const char *text, size_t len, const char *name, pk_config **out,
                       pk_diag *diag);

/* pk_config_load and pk_config_parse reporting every error, not only the
 * first: each is added to errors (may be NULL; initialised by the caller
 * with pk_diag_list_init, freed with pk_diag_list_clear), which keeps them
 * sorted by position, the first PK_DIAG_LIST_MAX of them, and counts the
 * rest (errors->more). The return value is the one of pk_config_load; on
 * PK_OK nothing is added. */
pk_err pk_config_load_all(const char *path, pk_config **out, pk_diag_list *errors);
pk_err pk_config_parse_all(const char *text, size_t len, const char *name, pk_config **out,
                           pk_diag_list *errors);

void pk_config_free(pk_config *c);   /* NULL is a no-op */

/* Check what must hold before anything runs: every command's program
 * exists and is executable (after parameter substitution), every Google
 * Benchmark binary too, every import file is readable, every size pattern
 * matches at least one file. Paths are relative to the current directory.
 * Errors: PK_ENOENT, PK_EPERM (diag names the benchmark and its position),
 * PK_EPARSE (a parameter value leaves a command with an open quote),
 * PK_EINVAL (c NULL), PK_ENOMEM. */
pk_err pk_config_validate(const pk_config *c, pk_diag *diag);

/* pk_config_validate checking every benchmark and size budget, each
 * failure added to errors (may be NULL; as pk_config_load_all). Returns
 * the error of the first failure in the file's order (PK_ENOMEM at once),
 * PK_OK when none. */
pk_err pk_config_validate_all(const pk_config *c, pk_diag_list *errors);

/* The perfkit.yml of the project that directory start (NULL or "": the
 * current directory) is in, found the way git finds a repository: start,
 * then each parent, up to and including the top of a git repository (a
 * directory holding `.git`), never onto another filesystem, never into a
 * directory of ceilings (colon-separated absolute paths, e.g. the
 * environment's PERFKIT_CEILING_DIRECTORIES; NULL: none), never above `/`.
 * On PK_OK *out (caller frees with pk_free) is the path relative to start:
 * "perfkit.yml", "../perfkit.yml", ... (prefixed with start when given).
 * Errors: PK_ENOENT (none found; *out NULL), PK_EINVAL (out NULL, start
 * too long), PK_ENOMEM. Thread-safety: reentrant. */
pk_err pk_config_find(const char *start, const char *ceilings, char **out);

/* `perfkit init`: the text of a first perfkit.yml for the project in dir
 * (NULL or "": the current directory), every key commented. Its benchmarks
 * are the programs found, never run, in dir's build/, bin/, out/,
 * target/release/ and dir itself: executable ELF files, not lib*.so*, with
 * a plain name (letters, digits, ._+-); one holding the string
 * "benchmark_list_tests" or "_ZN9benchmark" (Google Benchmark's flag,
 * its C++ namespace) is a Google Benchmark binary (`google-benchmark:`),
 * the others commands; sorted, the first of a file name only, at most 8 of
 * each kind. None found: one template benchmark, `echo hello`. The text
 * passes pk_config_parse and, from dir, pk_config_validate. On PK_OK *out
 * (caller frees with pk_free) holds it and *n_programs (may be NULL) how
 * many programs it names. Writes nothing. Errors: PK_EINVAL (out NULL, dir
 * too long),
 * PK_ENOMEM. */
pk_err pk_config_scaffold(const char *dir, char **out, size_t *n_programs);

PK_END_DECLS
#endif
