/* check.c — `perfkit check`: the regression gate for CI.
 *
 * Parse the options → load and validate perfkit.yml (programs, files,
 * globs) → pk_check_run, the whole gate in the library (open the history,
 * measure, find baselines, judge, store) → write the report (text, --json,
 * --markdown, --junit) → exit code. This file owns only the terminal: the
 * progress bar, Ctrl-C, messages and exit codes. Every input problem is
 * found before the first benchmark runs and exits 2 with file:line:column.
 * A run the history could not take (the library says so in the report)
 * still gets every report written first, then a warning on stderr, and
 * the gate's exit code: 1 when it failed, else 4 (passed, not stored). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "progress.h"
#include "signals.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit check [options] [CONFIG]\n"
"\n"
"Run the benchmarks of CONFIG (default perfkit.yml), check every budget,\n"
"compare with the baseline from history, store the run, and fail (exit 1)\n"
"when something is over budget or got slower.\n"
"\n"
"Options:\n"
"      --baseline REF       compare with this run: a run id, `latest`, a commit\n"
"                           (prefix) or a branch; default: the pinned run, else the\n"
"                           latest run on the baseline branch (main) on this machine\n"
"      --db PATH|URL        history: a SQLite file or a postgres:// URL (default:\n"
"                           $PERFKIT_DB, else CONFIG's history, else\n"
"                           .perfkit/history.db beside CONFIG)\n"
"      --pair REF           paired mode: check REF (a commit, branch or tag) out in\n"
"                           a worktree under .perfkit/, build it (pair.build in\n"
"                           CONFIG) and run every benchmark in both trees,\n"
"                           interleaved; the verdict uses the per-block ratios.\n"
"                           Overrides pair.base in CONFIG\n"
"      --no-store           do not store this run in history (never writes it)\n"
"      --lock-timeout DURATION\n"
"                           wait this long for another process holding the\n"
"                           history's lock before giving up storing (10s)\n"
"      --profile[=WHEN]     record command benchmarks with the sampling profiler\n"
"                           after the verdict: on-regression (the default WHEN:\n"
"                           those that regressed), always, or off; overrides\n"
"                           `profile:` in CONFIG. A differential flame graph\n"
"                           against the paired base or the baseline run's stored\n"
"                           profile, and the top changed functions, join the report\n"
"      --profile-dir DIR    write profiles under DIR/<time>-<commit>/ (default\n"
"                           .perfkit/profiles beside CONFIG)\n"
"      --strict             \"not measurable here\" and \"inconclusive\" fail too\n"
"      --only TEXT          run only benchmarks whose name contains TEXT\n"
"      --json               perfkit/check/v1 JSON on stdout instead of the table\n"
"      --markdown           Markdown on stdout (a pull-request comment)\n"
"      --junit FILE         also write JUnit XML to FILE (one test per check)\n"
"      --html FILE          also write the HTML report of this run to FILE: the\n"
"                           checks with each budget's headroom, and the history\n"
"                           as `perfkit report` draws it\n"
"  -v, --verbose            show every check, not only failures and changes\n"
"      --color WHEN         auto (default), always, never; NO_COLOR is honoured\n"
"  -h, --help               this help\n"
"\n"
"Exit: 0 all pass, 1 a budget or regression failed, 2 config or usage error,\n"
"3 internal error, 4 all pass but the run could not be stored in the history\n"
"(disk full, read-only, locked; the reports are written); a shared history\n"
"(postgres://) that cannot be reached: 3, that refuses the credentials: 2 (the\n"
"gate ran without baselines, the reports are written, nothing stored); 130, 143, 129\n"
"interrupted by SIGINT, SIGTERM, SIGHUP (nothing stored; the running command\n"
"gets the signal too).\n";

enum { OPT_BASELINE = 256, OPT_DB, OPT_NO_STORE, OPT_STRICT, OPT_ONLY, OPT_JSON, OPT_MARKDOWN,
       OPT_JUNIT, OPT_COLOR, OPT_PAIR, OPT_LOCK_TIMEOUT, OPT_PROFILE, OPT_PROFILE_DIR,
       OPT_HTML };

static const struct option longopts[] = {
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"db", required_argument, NULL, OPT_DB},
    {"pair", required_argument, NULL, OPT_PAIR},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
    {"profile", optional_argument, NULL, OPT_PROFILE},
    {"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"only", required_argument, NULL, OPT_ONLY},
    {"json", no_argument, NULL, OPT_JSON},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"html", required_argument, NULL, OPT_HTML},
    {"verbose", no_argument, NULL, 'v'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "check";

typedef struct check_args {
    const char *config, *junit, *html;
    bool json, markdown, verbose;
    int color;
    pk_check_opts o;   /* --baseline, --db, --pair, --no-store, --strict, --only */
} check_args;

/* --lock-timeout: a duration up to a day, rounded up to whole ms. */
static bool parse_lock_timeout(const char *val, int *ms)
{
    uint64_t ns = 0;
    if (!opt_duration_ns(CMD, "--lock-timeout", val, &ns))
        return false;
    if (ns > 86400ull * 1000000000ull) {
        cli_error(CMD, "--lock-timeout `%s` is too long: at most 24h", val);
        return false;
    }
    *ms = (int)((ns + 999999) / 1000000);
    return true;
}

static int parse_args(int argc, char **argv, check_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_BASELINE: a->o.baseline = optarg; break;
        case OPT_DB: a->o.history = optarg; break;
        case OPT_PAIR: a->o.pair_ref = optarg; break;
        case OPT_NO_STORE: a->o.no_store = true; break;
        case OPT_LOCK_TIMEOUT:
            if (!parse_lock_timeout(optarg, &a->o.lock_timeout_ms))
                return CLI_USAGE;
            break;
        case OPT_PROFILE: {
            static const char *const whens[] = {"off", "on-regression", "always"};
            size_t w = PK_PROFILE_ON_REGRESSION;
            if (optarg && !opt_choice(CMD, "--profile", "WHEN", optarg, whens, 3, &w))
                return CLI_USAGE;
            a->o.profile_override = true;
            a->o.profile_when = (pk_profile_when)w;
            break;
        }
        case OPT_PROFILE_DIR: a->o.profile_dir = optarg; break;
        case OPT_STRICT: a->o.strict = true; break;
        case OPT_ONLY: a->o.only = optarg; break;
        case OPT_JSON: a->json = true; break;
        case OPT_MARKDOWN: a->markdown = true; break;
        case OPT_JUNIT: a->junit = optarg; break;
        case OPT_HTML: a->html = optarg; break;
        case 'v': a->verbose = true; break;
        case OPT_COLOR:
            if (!cli_parse_color(CMD, optarg, &a->color))
                return CLI_USAGE;
            break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (optind < argc)
        a->config = argv[optind++];
    if (optind < argc) {
        cli_error(CMD, "unexpected argument `%s`: one config file at most", argv[optind]);
        return CLI_USAGE;
    }
    if (a->json && a->markdown) {
        cli_error(CMD, "--json and --markdown both write to stdout: choose one");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static void on_progress(void *ud, const pk_check_progress *p)
{
    cli_progress *bar = ud;
    char prefix[128], name[64];
    snprintf(prefix, sizeof prefix, "[%zu/%zu] %s", p->bench + 1, p->n_benches,
             pk_termsafe(p->name, name, sizeof name));
    if (p->profiling) {
        cli_progress_done(bar);
        fprintf(stderr, "perfkit: check: profiling %s\n", name);
        bar->last_total = (size_t)-1;
        return;
    }
    if (!p->run) {
        if (!bar->tty)
            fprintf(stderr, "perfkit: check: %s\n", prefix);
        bar->last_total = (size_t)-1;   /* a new benchmark: new bar */
        return;
    }
    cli_progress_show(bar, p->run, prefix, p->name);
}

/* --html: the page of `perfkit report` with this run's checks; the
 * history as it is now (none yet: the checks alone). */
static int write_html(const check_args *a, const pk_config *cfg, const pk_check_report *r)
{
    pk_store_opts so;
    pk_store_opts_init(&so);
    so.read_only = true;
    so.create = false;
    pk_store *st = NULL;
    pk_store_open(a->o.history ? a->o.history : cfg->history_path, &so, &st, NULL);
    pk_dashboard_opts o;
    pk_dashboard_opts_init(&o);
    o.config = cfg;
    o.check = r;
    pk_dashboard *dash = NULL;
    pk_diag d;
    pk_err e = pk_dashboard_new(st, &o, &dash, &d);
    pk_store_close(st);
    FILE *f = e == PK_OK ? fopen(a->html, "w") : NULL;
    if (e == PK_OK && !f) {
        cli_error(CMD, "cannot write `%s`: %s", a->html, strerror(errno));
        pk_dashboard_free(dash);
        return CLI_USAGE;
    }
    if (e == PK_OK) {
        e = pk_dashboard_write_html(f, dash);
        if (fclose(f) != 0 && e == PK_OK)
            e = PK_EIO;
    }
    pk_dashboard_free(dash);
    if (e != PK_OK) {
        cli_error(CMD, "writing `%s` failed: %s", a->html, e == PK_EIO || e == PK_ENOMEM
                  ? pk_strerror(e) : d.message);
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

static int write_reports(const check_args *a, const pk_config *cfg, const pk_check_report *r)
{
    pk_write_opts wo = cli_write_opts(a->color, a->verbose);
    pk_format fmt = a->json ? PK_FORMAT_JSON : a->markdown ? PK_FORMAT_MARKDOWN : PK_FORMAT_TEXT;
    pk_err e = pk_check_write(stdout, r, fmt, &wo);
    if (e != PK_OK) {
        cli_error(CMD, "writing the report failed: %s", pk_strerror(e));
        return CLI_INTERNAL;
    }
    if (a->junit) {
        FILE *f = fopen(a->junit, "w");
        if (!f) {
            cli_error(CMD, "cannot write `%s`: %s", a->junit, strerror(errno));
            return CLI_USAGE;
        }
        e = pk_check_write(f, r, PK_FORMAT_JUNIT, NULL);
        if (fclose(f) != 0 || e != PK_OK) {
            cli_error(CMD, "writing `%s` failed", a->junit);
            return CLI_INTERNAL;
        }
    }
    return a->html ? write_html(a, cfg, r) : CLI_OK;
}

/* The exit code of a pk_check_run error (check.h): the user's input or
 * history → 2 (a failing build of --pair's base tree too: the user's to
 * fix), interrupted → 130, the rest → 3. */
static int exit_code(pk_err e)
{
    switch (e) {
    case PK_EFAIL:
    case PK_EPARSE:
    case PK_ENOENT:
    case PK_EPERM:
    case PK_EINVAL:
    case PK_ENOTSUP:
    case PK_ECORRUPT:
    case PK_EBUSY:
    case PK_ERANGE:   /* an input over its size limit */
        return CLI_USAGE;
    case PK_EINTR:
        return 130;
    default:
        return CLI_INTERNAL;
    }
}

/* Everything after the config is loaded and validated. */
static int run_check(check_args *a, const pk_config *cfg)
{
    cli_progress bar;
    cli_progress_init(&bar, CMD);
    a->o.progress = on_progress;
    a->o.progress_ud = &bar;
    char spool[4096];   /* a shared history out of reach keeps the run here */
    if ((size_t)snprintf(spool, sizeof spool, "%s/.perfkit/unsent.db", cfg->dir) < sizeof spool)
        a->o.spool = spool;
    pk_check_report *rep = NULL;
    pk_diag d;
    pk_err e = pk_check_run(cfg, &a->o, &rep, &d);
    cli_progress_done(&bar);
    if (e == PK_EINTR) {
        cli_warn(CMD, "interrupted by %s: nothing stored", cli_signal_name(cli_signal_caught()));
        return cli_signal_status(130);
    }
    if (e != PK_OK) {
        char msg[1400];
        cli_error(CMD, "%s", pk_diag_format(&d, msg, sizeof msg));
        return exit_code(e);
    }
    int rc = write_reports(a, cfg, rep);
    if (rep->store_err != PK_OK) {   /* after every report, never instead of one */
        fflush(stdout);
        cli_warn(CMD, "this run was not stored: %s", rep->store_error);
    }
    if (rep->history_unavailable) {   /* the gate ran without history: never a pass */
        cli_warn(CMD, "the shared history was %s: no baselines were compared and nothing "
                 "was stored in it (exit %d)", rep->store_err == PK_EPERM ? "refused (credentials)"
                 : "unreachable", rep->store_err == PK_EPERM ? CLI_USAGE : CLI_INTERNAL);
        if (rep->spool_run_id)
            cli_warn(CMD, "the run is kept in %s as run #%lld; once the server is back, send "
                     "it with: perfkit history export URL --db %s", a->o.spool,
                     (long long)rep->spool_run_id, a->o.spool);
        else if (rep->spool_error[0])
            cli_warn(CMD, "the run could not be kept locally either: %s", rep->spool_error);
        if (rc == CLI_OK)
            rc = rep->store_err == PK_EPERM ? CLI_USAGE : CLI_INTERNAL;
    }
    if (rc == CLI_OK)
        rc = rep->failed ? CLI_FAIL : rep->store_err != PK_OK ? CLI_NOT_STORED : CLI_OK;
    pk_check_report_free(rep);
    return rc;
}

/* Every error of the config, one line each in the file's order, then how
 * many more there are beyond the ones kept (pk_diag_list). */
static void print_errors(const pk_diag_list *errors, pk_err e)
{
    char msg[1400];
    for (size_t i = 0; i < errors->n; i++)
        cli_error(CMD, "%s", pk_diag_format(&errors->items[i], msg, sizeof msg));
    if (!errors->n)
        cli_error(CMD, "%s", pk_strerror(e));
    if (errors->more)
        cli_error(CMD, "and %zu more error%s", errors->more, errors->more == 1 ? "" : "s");
    else if (errors->n > 1)
        cli_error(CMD, "%zu errors in the config: nothing has run", errors->n);
}

/* Without CONFIG, the project's perfkit.yml is the nearest one at or above
 * the current directory (history_db.h); found above it, check runs from
 * its directory, where its relative paths point, and says so. */
static int enter_project(void)
{
    char *found = cli_find_config();
    int rc = CLI_OK;
    if (found && strcmp(found, "perfkit.yml") != 0) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(strlen(found) - strlen("/perfkit.yml")), found);
        if (chdir(dir) != 0) {
            cli_error(CMD, "cannot enter `%s`, the directory of %s: %s", dir, found,
                      strerror(errno));
            rc = CLI_USAGE;
        } else {
            cli_warn(CMD, "using %s: running in `%s`", found, dir);
        }
    }
    pk_free(found);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    check_args a;
    memset(&a, 0, sizeof a);
    a.color = -1;
    pk_check_opts_init(&a.o);
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        return CLI_OK;
    if (rc != CLI_OK)
        return rc;
    static char env_db[4096];
    if (!a.o.history && cli_env_history(env_db, sizeof env_db))
        a.o.history = env_db;   /* --db, then $PERFKIT_DB, then the config's */
    const char *path = a.config ? a.config : "perfkit.yml";
    if (!a.config && (rc = enter_project()) != CLI_OK)
        return rc;
    pk_config *cfg = NULL;
    pk_diag_list errors;   /* every config error in one pass, not only the first */
    pk_diag_list_init(&errors);
    pk_err e = pk_config_load_all(path, &cfg, &errors);
    char msg[1400];
    for (size_t i = 0; e == PK_OK && i < cfg->n_warnings; i++)
        cli_warn(CMD, "%s", pk_diag_format(&cfg->warnings[i], msg, sizeof msg));
    if (e == PK_OK)
        e = pk_config_validate_all(cfg, &errors);
    if (e != PK_OK) {
        if (e == PK_ENOENT && !a.config && !cfg)
            cli_error(CMD, "no perfkit.yml here; give the config file: perfkit check FILE");
        else
            print_errors(&errors, e);
        pk_diag_list_clear(&errors);
        pk_config_free(cfg);
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    rc = run_check(&a, cfg);
    pk_config_free(cfg);
    return rc;
}
