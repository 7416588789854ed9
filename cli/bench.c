/* bench.c — `perfkit bench`: benchmark commands, compare them, export.
 *
 * Pipeline: parse options → the library makes the commands (pk_params_scan /
 * pk_params_list, pk_cmd_list_expand, pk_cmd_list_reference) → open the
 * exports (fail before any run) → pk_cmdbench_run with a progress line →
 * pk_bench_report_new → pk_bench_report_write: text on stdout (or --json)
 * and every requested export. Ctrl-C stops after the current run and still
 * reports and exports what was gathered. Only options and the terminal live
 * here. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "progress.h"
#include "signals.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit bench [options] CMD [CMD...]\n"
"\n"
"Benchmark each CMD (one argument each, split with shell quoting rules and run\n"
"without a shell) and compare them against the first (or --reference).\n"
"hyperfine's options are accepted with hyperfine's meaning (docs/bench.md).\n"
"\n"
"Runs:\n"
"  -w, --warmup N           warm-up runs per command, not measured (0)\n"
"  -r, --runs N             exactly N measured runs per command\n"
"  -m, --min-runs N         automatic run count: at least N (10)\n"
"  -M, --max-runs N         automatic run count: at most N (1000000)\n"
"      --min-time DURATION  automatic run count: aim for this much time (3s)\n"
"  -p, --prepare CMD        run before every run (once, or once per command)\n"
"  -C, --conclude CMD       run after every run (once, or once per command)\n"
"  -s, --setup CMD          run once before all runs\n"
"  -c, --cleanup CMD        run once after all runs\n"
"  -S, --shell SHELL        run commands as SHELL -c CMD (bash, \"bash --norc\",\n"
"                           default: /bin/sh; none: no shell); times are corrected\n"
"                           for the shell's start-up, as hyperfine does\n"
"  -N                       no shell (the default; hyperfine's --shell=none)\n"
"      --no-interleave      run commands one after another, not in shuffled blocks\n"
"      --seed N             seed of the block shuffle (fixed by default)\n"
"  -i, --ignore-failure     keep going when a command exits non-zero\n"
"      --timeout DURATION   kill a run after this long (e.g. 10s)\n"
"      --output WHERE       command stdout: null (default), pipe, inherit, or a FILE\n"
"      --show-output        command stdout and stderr to the terminal\n"
"      --input FILE         feed FILE to every run's stdin (default /dev/null)\n"
"      --measure WHAT       time (default) or instructions (hardware counter, else\n"
"                           valgrind --tool=cachegrind; exact, noise-free)\n"
"\n"
"Parameters ({NAME} in commands is substituted; at most 100000 values):\n"
"  -P, --parameter-scan NAME LO HI   numbers from LO to HI, integers exactly\n"
"  -D, --parameter-step-size DELTA   step of the scan (1; also --step); values get its\n"
"                                    decimals: -P t 1 2 -D 0.5 is 1.0 1.5 2.0\n"
"  -L, --parameter-list NAME A,B,C   the listed values\n"
"\n"
"Verdicts:\n"
"      --reference N|CMD    compare against command N (1-based) or this command\n"
"      --reference-name NAME  display name of the --reference command\n"
"      --alpha P            significance level of Mann-Whitney U (0.05)\n"
"      --threshold PCT      smallest change that counts (5%; 0 in instructions\n"
"                           mode: exact counts)\n"
"\n"
"Output:\n"
"  -n, --command-name NAME  display name of the next command (repeatable)\n"
"  -u, --time-unit UNIT     microsecond (us), millisecond (ms) or second (s): the\n"
"                           report and the Markdown/AsciiDoc/org-mode tables\n"
"      --sort METHOD        table rows and summary: auto, command (as given) or\n"
"                           mean-time\n"
"      --style TYPE         auto, basic (no colour, no progress bar), full (both,\n"
"                           even off a terminal), nocolor, color, none (no report\n"
"                           or progress; exports are still written)\n"
"      --json               perfkit JSON on stdout instead of the text report\n"
"      --export-json FILE   perfkit JSON with every raw sample (schema perfkit/bench/v1)\n"
"      --export-hyperfine-json FILE   hyperfine's JSON export format\n"
"      --export-csv FILE    CSV, one row per command\n"
"      --export-markdown FILE         Markdown table for a pull request\n"
"      --export-asciidoc FILE         AsciiDoc table, as hyperfine writes it\n"
"      --export-orgmode FILE          Emacs org-mode table, as hyperfine writes it\n"
"      --color WHEN         auto (default), always, never; NO_COLOR is honoured\n"
"  -h, --help               this help\n"
"  -V, --version            perfkit's version\n"
"\n"
"Exit: 0 ok, 1 a command failed, 2 usage error; 130, 143, 129 interrupted by\n"
"SIGINT, SIGTERM, SIGHUP (the running command gets the signal too).\n";

enum {
    OPT_MIN_TIME = 256, OPT_CONCLUDE, OPT_NO_INTERLEAVE, OPT_SEED, OPT_TIMEOUT, OPT_OUTPUT,
    OPT_INPUT, OPT_MEASURE, OPT_REFERENCE, OPT_ALPHA, OPT_THRESHOLD, OPT_JSON,
    OPT_EXPORT_JSON, OPT_EXPORT_HF, OPT_EXPORT_CSV, OPT_EXPORT_MD, OPT_COLOR,
    OPT_EXPORT_ADOC, OPT_EXPORT_ORG, OPT_STYLE, OPT_SORT, OPT_SHOW_OUTPUT, OPT_REFERENCE_NAME,
};

static const struct option longopts[] = {
    {"warmup", required_argument, NULL, 'w'},
    {"runs", required_argument, NULL, 'r'},
    {"min-runs", required_argument, NULL, 'm'},
    {"max-runs", required_argument, NULL, 'M'},
    {"min-time", required_argument, NULL, OPT_MIN_TIME},
    {"min-benchmarking-time", required_argument, NULL, OPT_MIN_TIME},
    {"prepare", required_argument, NULL, 'p'},
    {"conclude", required_argument, NULL, 'C'},
    {"setup", required_argument, NULL, 's'},
    {"cleanup", required_argument, NULL, 'c'},
    {"shell", required_argument, NULL, 'S'},
    {"no-interleave", no_argument, NULL, OPT_NO_INTERLEAVE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"ignore-failure", no_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"show-output", no_argument, NULL, OPT_SHOW_OUTPUT},
    {"input", required_argument, NULL, OPT_INPUT},
    {"measure", required_argument, NULL, OPT_MEASURE},
    {"parameter-scan", required_argument, NULL, 'P'},
    {"step", required_argument, NULL, 'D'},
    {"parameter-step-size", required_argument, NULL, 'D'},
    {"parameter-list", required_argument, NULL, 'L'},
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"reference-name", required_argument, NULL, OPT_REFERENCE_NAME},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"command-name", required_argument, NULL, 'n'},
    {"json", no_argument, NULL, OPT_JSON},
    {"export-json", required_argument, NULL, OPT_EXPORT_JSON},
    {"export-hyperfine-json", required_argument, NULL, OPT_EXPORT_HF},
    {"export-csv", required_argument, NULL, OPT_EXPORT_CSV},
    {"export-markdown", required_argument, NULL, OPT_EXPORT_MD},
    {"export-asciidoc", required_argument, NULL, OPT_EXPORT_ADOC},
    {"export-orgmode", required_argument, NULL, OPT_EXPORT_ORG},
    {"color", required_argument, NULL, OPT_COLOR},
    {"time-unit", required_argument, NULL, 'u'},
    {"sort", required_argument, NULL, OPT_SORT},
    {"style", required_argument, NULL, OPT_STYLE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

#define MAX_LIST 64

/* The --export-* formats; export_path holds the file of each. */
#define N_EXPORTS 6
static const pk_format export_format[N_EXPORTS] = {
    PK_FORMAT_JSON, PK_FORMAT_HYPERFINE_JSON, PK_FORMAT_CSV, PK_FORMAT_MARKDOWN,
    PK_FORMAT_ASCIIDOC, PK_FORMAT_ORGMODE,
};

typedef struct str_list {
    const char *v[MAX_LIST];
    size_t n;
} str_list;

typedef struct bench_args {
    pk_cmdbench_opts o;
    pk_report_opts ro;
    str_list cmds, names, prepare, conclude;
    const char *param_name;      /* -P or -L */
    const char *scan_lo, *scan_hi, *scan_step;
    const char *list;            /* -L values */
    const char *reference, *reference_name;
    const char *export_path[N_EXPORTS];  /* in export_format order */
    bool json;
    bool quiet;                  /* --style none: no report on stdout */
    int color;                   /* -1 auto, 0 never, 1 always */
    int progress;                /* -1 auto (a bar on a TTY, else plain lines), 0 none,
                                    1 a bar, 2 plain lines, whatever stderr is */
    pk_write_opts wo;            /* time unit and sort of every writer */
} bench_args;

static const char *const CMD = "bench";

static bool push(str_list *l, const char *s, const char *what)
{
    if (l->n == MAX_LIST) {
        cli_error(CMD, "too many %s (at most %d)", what, MAX_LIST);
        return false;
    }
    l->v[l->n++] = s;
    return true;
}

/* ---- option parsing ----------------------------------------------------- */

static bool parse_output(bench_args *a, const char *v)
{
    pk_run_opts *r = &a->o.run;
    if (strcmp(v, "null") == 0) {
        r->output = PK_OUTPUT_NULL;
    } else if (strcmp(v, "pipe") == 0) {
        r->output = PK_OUTPUT_PIPE;
    } else if (strcmp(v, "inherit") == 0) {
        r->output = PK_OUTPUT_INHERIT;
    } else if (v[0]) {
        r->output = PK_OUTPUT_FILE;
        r->output_path = v;
    } else {
        cli_error(CMD, "--output needs null, pipe, inherit or a file name");
        return false;
    }
    return true;
}

/* -S/--shell SHELL as hyperfine: "bash", "bash --norc", "default" (/bin/sh),
 * "none" (no shell). perfkit's older flag form still works: `--shell`
 * followed by an option, by nothing, or by a command with shell syntax in it
 * (`--shell 'a | b'`) means /bin/sh and leaves that argument alone. */
static bool parse_shell(bench_args *a, char **argv)
{
    const char *v = optarg;
    bool separate = v == argv[optind - 1];
    if (separate && ((v[0] == '-' && v[1]) || strpbrk(v, "|&;<>()$`\n"))) {
        optind--;   /* not a shell: the next argument is read again */
        v = "default";
    }
    if (strcmp(v, "none") == 0) {
        a->o.shell = false;
        a->o.shell_cmd = NULL;
        return true;
    }
    if (!v[0] || strpbrk(v, "|&;<>()$`\n")) {
        cli_error(CMD, "invalid value `%s` for --shell: expected a shell such as bash, "
                  "\"bash --norc\", default or none", v);
        return false;
    }
    a->o.shell = true;
    a->o.shell_cmd = strcmp(v, "default") == 0 ? NULL : v;
    return true;
}

/* --style TYPE (hyperfine's): colour, the progress bar, the report. */
static bool parse_style(bench_args *a, const char *v)
{
    static const struct {
        const char *name;
        int color, progress;
        bool quiet;
    } styles[] = {
        {"auto", -1, -1, false},   {"basic", 0, 2, false}, {"full", 1, 1, false},
        {"nocolor", 0, -1, false}, {"color", 1, 2, false}, {"none", 0, 0, true},
    };
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++)
        if (strcmp(v, styles[i].name) == 0) {
            a->color = styles[i].color;
            a->progress = styles[i].progress;
            a->quiet = styles[i].quiet;
            return true;
        }
    cli_error(CMD, "invalid value `%s` for --style: expected auto, basic, full, nocolor, "
              "color or none", v);
    return false;
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":w:r:m:M:p:C:s:c:S:NiP:D:L:n:u:hV", longopts, NULL)) !=
           -1) {
        bool ok = true;
        switch (c) {
        case 'w': ok = opt_count_max(CMD, "--warmup", optarg, PK_RUNS_MAX, &a->o.warmup); break;
        case 'r':
            ok = opt_count_max(CMD, "--runs", optarg, PK_RUNS_MAX, &a->o.runs);
            if (ok && a->o.runs == 0) {
                cli_error(CMD, "--runs must be at least 1");
                ok = false;
            }
            break;
        case 'm':
            ok = opt_count_max(CMD, "--min-runs", optarg, PK_RUNS_MAX, &a->o.min_runs);
            break;
        case 'M':
            ok = opt_count_max(CMD, "--max-runs", optarg, PK_RUNS_MAX, &a->o.max_runs);
            break;
        case OPT_MIN_TIME: ok = opt_duration_ns(CMD, "--min-time", optarg, &a->o.min_time_ns); break;
        case 'p': ok = push(&a->prepare, optarg, "--prepare commands"); break;
        case 'C': ok = push(&a->conclude, optarg, "--conclude commands"); break;
        case 's': a->o.setup = optarg; break;
        case 'c': a->o.cleanup = optarg; break;
        case 'S': ok = parse_shell(a, argv); break;
        case 'N':
            a->o.shell = false;
            a->o.shell_cmd = NULL;
            break;
        case OPT_NO_INTERLEAVE: a->o.interleave = false; break;
        case OPT_SEED: ok = opt_u64(CMD, "--seed", optarg, &a->o.seed); break;
        case 'i': a->o.ignore_failure = true; break;
        case OPT_TIMEOUT: {
            uint64_t ns = 0;
            ok = opt_duration_ns(CMD, "--timeout", optarg, &ns);
            a->o.run.timeout_ms = ns ? (ns + 999999) / 1000000 : 0;
            break;
        }
        case OPT_OUTPUT: ok = parse_output(a, optarg); break;
        case OPT_SHOW_OUTPUT:
            a->o.run.output = PK_OUTPUT_INHERIT;
            a->o.run.stderr_inherit = true;
            break;
        case OPT_INPUT: a->o.run.input_path = optarg; break;
        case OPT_MEASURE:
            if (strcmp(optarg, "time") == 0) {
                a->o.measure = PK_MEASURE_TIME;
            } else if (strcmp(optarg, "instructions") == 0) {
                a->o.measure = PK_MEASURE_INSTRUCTIONS;
            } else {
                cli_error(CMD, "invalid value `%s` for --measure: expected time or instructions",
                          optarg);
                ok = false;
            }
            break;
        case 'P':
        case 'L':
            if (a->param_name) {
                cli_error(CMD, "only one --parameter-scan or --parameter-list at a time");
                return CLI_USAGE;
            }
            a->param_name = optarg;
            if (c == 'L') {
                if (optind >= argc) {
                    cli_error(CMD, "--parameter-list needs NAME and VALUES (e.g. -L n 1,2,4)");
                    return CLI_USAGE;
                }
                a->list = argv[optind++];
            } else {
                if (optind + 1 >= argc) {
                    cli_error(CMD, "--parameter-scan needs NAME LO HI (e.g. -P n 1 10)");
                    return CLI_USAGE;
                }
                a->scan_lo = argv[optind++];
                a->scan_hi = argv[optind++];
            }
            break;
        case 'D': a->scan_step = optarg; break;
        case OPT_REFERENCE: a->reference = optarg; break;
        case OPT_REFERENCE_NAME: a->reference_name = optarg; break;
        case OPT_ALPHA:
            ok = opt_number(CMD, "--alpha", optarg, &a->ro.compare.alpha);
            if (ok && !(a->ro.compare.alpha > 0 && a->ro.compare.alpha < 1)) {
                cli_error(CMD, "--alpha must be between 0 and 1, e.g. 0.05");
                ok = false;
            }
            break;
        case OPT_THRESHOLD:
            ok = opt_percent(CMD, "--threshold", optarg, &a->ro.compare.threshold);
            break;
        case 'n': ok = push(&a->names, optarg, "--command-name values"); break;
        case OPT_JSON: a->json = true; break;
        case OPT_EXPORT_JSON: a->export_path[0] = optarg; break;
        case OPT_EXPORT_HF: a->export_path[1] = optarg; break;
        case OPT_EXPORT_CSV: a->export_path[2] = optarg; break;
        case OPT_EXPORT_MD: a->export_path[3] = optarg; break;
        case OPT_EXPORT_ADOC: a->export_path[4] = optarg; break;
        case OPT_EXPORT_ORG: a->export_path[5] = optarg; break;
        case OPT_COLOR: ok = cli_parse_color(CMD, optarg, &a->color); break;
        case 'u':
            if (pk_time_unit_parse(optarg, &a->wo.time_unit) != PK_OK) {
                cli_error(CMD, "invalid value `%s` for --time-unit: expected microsecond, "
                          "millisecond or second (or us, ms, s)", optarg);
                ok = false;
            }
            break;
        case OPT_SORT:
            if (pk_sort_order_parse(optarg, &a->wo.sort) != PK_OK) {
                cli_error(CMD, "invalid value `%s` for --sort: expected auto, command or "
                          "mean-time", optarg);
                ok = false;
            }
            break;
        case OPT_STYLE: ok = parse_style(a, optarg); break;
        case 'h': fputs(usage_text, stdout); return -1;
        case 'V': printf("perfkit %s\n", pk_version()); return -1;
        case ':':
            if (optopt == 'S') {   /* a last `--shell`: the older flag form, /bin/sh */
                a->o.shell = true;
                a->o.shell_cmd = NULL;
                break;
            }
            cli_error(CMD, "option `%s` needs a value", argv[optind - 1]);
            return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
        if (!ok)
            return CLI_USAGE;
    }
    for (int i = optind; i < argc; i++)
        if (!push(&a->cmds, argv[i], "commands"))
            return CLI_USAGE;
    return CLI_OK;
}

/* ---- validation of the arguments ----------------------------------------- */

static bool check_lists(const bench_args *a)
{
    if (a->cmds.n == 0) {
        cli_error(CMD, "no command to benchmark; e.g. perfkit bench 'sleep 0.1'");
        return false;
    }
    const str_list *per_cmd[] = {&a->prepare, &a->conclude};
    const char *opt[] = {"--prepare", "--conclude"};
    for (int k = 0; k < 2; k++) {
        size_t n = per_cmd[k]->n;
        if (n > 1 && n != a->cmds.n) {
            cli_error(CMD, "%zu %s commands for %zu command%s: give one, or one per command",
                      n, opt[k], a->cmds.n, a->cmds.n == 1 ? "" : "s");
            return false;
        }
    }
    if (a->names.n > a->cmds.n) {
        cli_error(CMD, "%zu --command-name values for %zu command%s", a->names.n, a->cmds.n,
                  a->cmds.n == 1 ? "" : "s");
        return false;
    }
    if (a->scan_step && !a->scan_lo) {
        cli_error(CMD, "--parameter-step-size (--step) goes with --parameter-scan");
        return false;
    }
    if (a->reference_name && !a->reference) {
        cli_error(CMD, "--reference-name goes with --reference");
        return false;
    }
    return true;
}

/* ---- shell syntax without a shell ---------------------------------------- */

/* Warn once per command line (a template, before its parameter values)
 * that holds shell syntax while no shell runs it: `echo hi | cat` would
 * measure echo printing "hi | cat". */
static void warn_syntax(const char *text)
{
    pk_shellwords_syntax syn;
    char msg[512];
    if (!text || pk_shellwords_find_syntax(text, &syn) != PK_OK || !syn.token[0])
        return;   /* a command that does not split gets its error later */
    cli_warn(CMD, "%s. Add --shell (-S) to run it through /bin/sh.",
             pk_shellwords_syntax_text(text, &syn, "--shell", msg, sizeof msg));
}

static void warn_shell_syntax(const bench_args *a)
{
    if (a->o.shell)
        return;
    const str_list *lists[] = {&a->cmds, &a->prepare, &a->conclude};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        for (size_t i = 0; i < lists[k]->n; i++)
            warn_syntax(lists[k]->v[i]);
    warn_syntax(a->o.setup);
    warn_syntax(a->o.cleanup);
}

/* ---- the commands (made by the library) -------------------------------- */

/* The parameter of -P or -L, if any. Returns an exit code. */
static int make_params(const bench_args *a, pk_params *p)
{
    memset(p, 0, sizeof *p);
    if (!a->param_name)
        return CLI_OK;
    pk_diag d;
    pk_err e;
    if (a->list) {
        e = pk_params_list(a->param_name, a->list, p, &d);
    } else {
        pk_param_scan s = {.lo = a->scan_lo, .hi = a->scan_hi, .step = a->scan_step,
                           .lo_what = "LO", .hi_what = "HI", .step_what = "--step"};
        e = pk_params_scan(a->param_name, &s, p, NULL, &d);
    }
    if (e == PK_OK)
        return CLI_OK;
    cli_error(CMD, "--parameter-%s %s: %s", a->list ? "list" : "scan", a->param_name,
              d.message);
    return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
}

/* Templates (one per CMD, with its prepare/conclude and name) × parameter
 * values, then the reference. Returns an exit code. */
static int make_commands(const bench_args *a, pk_cmd_list *l, size_t *ref)
{
    pk_params p;
    int rc = make_params(a, &p);
    if (rc != CLI_OK)
        return rc;
    pk_cmdbench_cmd tmpl[MAX_LIST];
    for (size_t t = 0; t < a->cmds.n; t++) {
        tmpl[t] = (pk_cmdbench_cmd){
            .command = a->cmds.v[t],
            .prepare = a->prepare.n ? a->prepare.v[a->prepare.n == 1 ? 0 : t] : NULL,
            .conclude = a->conclude.n ? a->conclude.v[a->conclude.n == 1 ? 0 : t] : NULL,
            .name = t < a->names.n ? a->names.v[t] : NULL,
        };
    }
    pk_diag d;
    pk_err e = pk_params_check_count(p.n, a->cmds.n, &d);
    if (e != PK_OK) {
        cli_error(CMD, "--parameter-%s %s: %s", a->list ? "list" : "scan", a->param_name,
                  d.message);
        pk_params_free(&p);
        return CLI_USAGE;
    }
    e = a->o.shell ? pk_cmd_list_expand_sh(tmpl, a->cmds.n, &p, l)
                   : pk_cmd_list_expand(tmpl, a->cmds.n, &p, l);
    pk_params_free(&p);
    if (e != PK_OK) {
        cli_error(CMD, "cannot make the commands: %s", pk_strerror(e));
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    e = pk_cmd_list_reference(l, a->reference, ref, &d);
    if (e != PK_OK) {
        cli_error(CMD, "--%s", d.message);
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    if (a->reference_name) {   /* the list owns its names (params.h) */
        char *name = pk_strdup(a->reference_name);
        if (!name)
            return CLI_INTERNAL;
        pk_free((void *)l->cmds[*ref].name);
        l->cmds[*ref].name = name;
    }
    return CLI_OK;
}

/* ---- progress ------------------------------------------------------------ */

typedef struct progress_state {
    cli_progress bar;
    const pk_cmdbench_cmd *cmds;
} progress_state;

static void on_progress(void *ud, const pk_cmdbench_progress *p)
{
    progress_state *s = ud;
    const pk_cmdbench_cmd *c = &s->cmds[p->cmd];
    cli_progress_show(&s->bar, p, NULL, c->name ? c->name : c->command);
}

/* ---- output -------------------------------------------------------------- */

static int open_exports(const bench_args *a, FILE *files[N_EXPORTS])
{
    for (int i = 0; i < N_EXPORTS; i++) {
        files[i] = NULL;
        if (!a->export_path[i])
            continue;
        files[i] = fopen(a->export_path[i], "w");
        if (!files[i]) {
            cli_error(CMD, "cannot write export file `%s`: %s", a->export_path[i],
                      strerror(errno));
            for (int j = 0; j < i; j++)
                if (files[j])
                    fclose(files[j]);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

static int write_outputs(const bench_args *a, const pk_bench_report *rep,
                         FILE *files[N_EXPORTS])
{
    int rc = CLI_OK;
    pk_write_opts wo = a->wo;
    wo.color = !a->json && cli_color_enabled(a->color, stdout);
    if ((a->json || !a->quiet) &&
        pk_bench_report_write(stdout, rep, a->json ? PK_FORMAT_JSON : PK_FORMAT_TEXT, &wo) !=
            PK_OK)
        rc = CLI_INTERNAL;
    pk_write_opts xo = a->wo;   /* files: no colour */
    for (int i = 0; i < N_EXPORTS; i++) {
        if (!files[i])
            continue;
        pk_err e = pk_bench_report_write(files[i], rep, export_format[i], &xo);
        if (fclose(files[i]) != 0 || e != PK_OK) {
            cli_error(CMD, "writing `%s` failed: %s", a->export_path[i],
                      e != PK_OK ? pk_strerror(e) : strerror(errno));
            rc = CLI_INTERNAL;
        }
    }
    return rc;
}

static int run_bench(bench_args *a, const pk_cmd_list *x, size_t ref)
{
    FILE *files[N_EXPORTS];
    int rc = open_exports(a, files);
    if (rc != CLI_OK)
        return rc;
    progress_state ps = {.cmds = x->cmds};
    cli_progress_init(&ps.bar, CMD);
    if (a->progress > 0)   /* --style: a bar or plain lines, whatever stderr is */
        ps.bar.tty = a->progress == 1;
    if (a->progress != 0) {
        a->o.progress = on_progress;
        a->o.progress_ud = &ps;
    }

    pk_cmdbench_result *res = NULL;
    pk_diag d;
    pk_err e = pk_cmdbench_run(x->cmds, x->n, &a->o, &res, &d);
    const char *err = d.message;
    cli_progress_done(&ps.bar);
    if (!res) {
        for (int i = 0; i < N_EXPORTS; i++)
            if (files[i]) {
                fclose(files[i]);
                remove(a->export_path[i]);
            }
        cli_error(CMD, "%s", err[0] ? err : pk_strerror(e));
        return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
    }
    if (e == PK_EFAIL && err[0])
        cli_error(CMD, "%s", err);
    if (e == PK_EINTR)
        cli_warn(CMD, "interrupted by %s: reporting the runs gathered so far",
                 cli_signal_name(cli_signal_caught()));
    a->ro.reference = ref;
    pk_bench_report *rep = NULL;
    pk_err re = pk_bench_report_new(res, &a->ro, &rep);
    if (re != PK_OK) {
        cli_error(CMD, "cannot analyse the results: %s", pk_strerror(re));
        rc = CLI_INTERNAL;
    } else {
        rc = write_outputs(a, rep, files);
    }
    pk_bench_report_free(rep);
    pk_cmdbench_result_free(res);
    if (rc != CLI_OK)
        return rc;
    if (e == PK_EINTR)
        return cli_signal_status(130);
    return e == PK_EFAIL ? CLI_FAIL : CLI_OK;
}

int cmd_bench(int argc, char **argv)
{
    bench_args a;
    memset(&a, 0, sizeof a);
    pk_cmdbench_opts_init(&a.o);
    pk_report_opts_init(&a.ro);
    a.color = -1;
    a.progress = -1;
    a.o.shell_calibration_runs = PK_SHELL_CALIBRATION_RUNS;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        return CLI_OK;   /* --help */
    if (rc != CLI_OK || !check_lists(&a))
        return CLI_USAGE;
    warn_shell_syntax(&a);
    pk_cmd_list x = {0};
    size_t ref = 0;
    rc = make_commands(&a, &x, &ref);
    if (rc == CLI_OK)
        rc = run_bench(&a, &x, ref);
    pk_cmd_list_free(&x);
    return rc;
}
