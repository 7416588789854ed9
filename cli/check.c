/* check.c — `perfkit check`: the regression gate for CI.
 *
 * Pipeline: load perfkit.yml → validate (programs, files, globs) → open the
 * history → collect (imports, commands, Google Benchmark binaries, sizes) →
 * find a baseline per benchmark → evaluate → store the run → report (text,
 * --json, --markdown, --junit). Every input problem is found before the
 * first benchmark runs and exits 2 with file:line:column. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "progress.h"
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
"      --db PATH            history database (default from CONFIG:\n"
"                           .perfkit/history.db beside it)\n"
"      --no-store           do not store this run in history\n"
"      --strict             \"not measurable here\" and \"inconclusive\" fail too\n"
"      --only TEXT          run only benchmarks whose name contains TEXT\n"
"      --json               perfkit/check/v1 JSON on stdout instead of the table\n"
"      --markdown           Markdown on stdout (a pull-request comment)\n"
"      --junit FILE         also write JUnit XML to FILE (one test per check)\n"
"  -v, --verbose            show every check, not only failures and changes\n"
"      --color WHEN         auto (default), always, never; NO_COLOR is honoured\n"
"  -h, --help               this help\n"
"\n"
"Exit: 0 all pass, 1 a budget or regression failed, 2 config or usage error,\n"
"3 internal error, 130 interrupted.\n";

enum { OPT_BASELINE = 256, OPT_DB, OPT_NO_STORE, OPT_STRICT, OPT_ONLY, OPT_JSON, OPT_MARKDOWN,
       OPT_JUNIT, OPT_COLOR };

static const struct option longopts[] = {
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"db", required_argument, NULL, OPT_DB},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"only", required_argument, NULL, OPT_ONLY},
    {"json", no_argument, NULL, OPT_JSON},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"verbose", no_argument, NULL, 'v'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "check";

typedef struct check_args {
    const char *config, *baseline, *db, *junit;
    bool no_store, json, markdown, verbose;
    int color;
    pk_check_opts o;
} check_args;

static int parse_args(int argc, char **argv, check_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_BASELINE: a->baseline = optarg; break;
        case OPT_DB: a->db = optarg; break;
        case OPT_NO_STORE: a->no_store = true; break;
        case OPT_STRICT: a->o.strict = true; break;
        case OPT_ONLY: a->o.only = optarg; break;
        case OPT_JSON: a->json = true; break;
        case OPT_MARKDOWN: a->markdown = true; break;
        case OPT_JUNIT: a->junit = optarg; break;
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
    char prefix[96];
    snprintf(prefix, sizeof prefix, "[%zu/%zu] %s", p->bench + 1, p->n_benches, p->name);
    if (!p->run) {
        if (!bar->tty)
            fprintf(stderr, "perfkit: check: %s\n", prefix);
        bar->last_total = (size_t)-1;   /* a new benchmark: new bar */
        return;
    }
    cli_progress_show(bar, p->run, prefix, p->name);
}

/* Baselines for every benchmark of current, from history. */
typedef struct baselines {
    pk_resultset **sets;
    int64_t *ids;
    size_t n;
} baselines;

static void baselines_free(baselines *b)
{
    for (size_t i = 0; i < b->n; i++)
        pk_resultset_free(b->sets[i]);
    pk_free(b->sets);
    pk_free(b->ids);
}

static int find_baselines(pk_store *st, const check_args *a, const pk_config *cfg,
                          const pk_resultset *cur, const pk_run_meta *meta, baselines *out)
{
    out->n = cur->n;
    out->sets = pk_calloc(cur->n ? cur->n : 1, sizeof(pk_resultset *));
    out->ids = pk_calloc(cur->n ? cur->n : 1, sizeof *out->ids);
    if (!out->sets || !out->ids)
        return CLI_INTERNAL;
    if (!st) {
        if (a->baseline) {
            cli_error(CMD, "--baseline %s: there is no history yet", a->baseline);
            return CLI_USAGE;
        }
        return CLI_OK;   /* no history: every regression item says "no baseline" */
    }
    int64_t fixed = 0;
    if (a->baseline) {
        pk_err e = pk_store_resolve(st, a->baseline, &fixed);
        if (e != PK_OK) {
            cli_error(CMD, "--baseline %s: %s", a->baseline,
                      e == PK_ENOENT ? "no such run, commit or branch in history"
                                     : pk_store_last_error(st));
            return CLI_USAGE;
        }
    }
    for (size_t i = 0; i < cur->n; i++) {
        const char *name = cur->benches[i].name;
        int64_t id = fixed;
        pk_err e = PK_OK;
        if (!fixed) {
            /* the baseline branch first, then this branch, then any branch */
            e = pk_store_find_baseline(st, name, cfg->baseline_branch, meta->fingerprint, 0, &id);
            if (e == PK_OK && !id && meta->branch[0])
                e = pk_store_find_baseline(st, name, meta->branch, meta->fingerprint, 0, &id);
            if (e == PK_OK && !id && !meta->branch[0])
                e = pk_store_find_baseline(st, name, NULL, meta->fingerprint, 0, &id);
        }
        if (e == PK_OK && id)
            e = pk_store_get_bench(st, id, name, &out->sets[i]);
        if (e == PK_ENOENT) {
            e = PK_OK;   /* that run lacks this benchmark: no baseline */
            id = 0;
        }
        if (e != PK_OK) {
            cli_error(CMD, "history: %s", pk_store_last_error(st));
            return e == PK_ECORRUPT ? CLI_USAGE : CLI_INTERNAL;
        }
        out->ids[i] = out->sets[i] ? id : 0;
    }
    return CLI_OK;
}

static void fill_meta(pk_run_meta *m, const pk_config *cfg)
{
    memset(m, 0, sizeof *m);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->started_unix_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    pk_git_info g;
    if (pk_git_info_get(cfg->dir, &g) == PK_OK) {
        memcpy(m->commit, g.commit, sizeof m->commit);
        snprintf(m->branch, sizeof m->branch, "%s", g.branch);
        m->dirty = g.dirty;
    }
    snprintf(m->perfkit_version, sizeof m->perfkit_version, "%s", pk_version());
    pk_machine_get(&m->machine);
    pk_machine_fingerprint(&m->machine, m->fingerprint);
    memcpy(m->config_hash, cfg->hash, sizeof m->config_hash);
}

pk_err cli_write_check_report(const pk_check_report *r, bool json, bool markdown, int color,
                              bool verbose)
{
    pk_write_opts wo = {.color = cli_color_enabled(color, stdout), .verbose = verbose};
    return pk_check_write(stdout, r,
                          json ? PK_FORMAT_JSON : markdown ? PK_FORMAT_MARKDOWN : PK_FORMAT_TEXT,
                          &wo);
}

static int write_reports(const check_args *a, const pk_check_report *r)
{
    pk_err e = cli_write_check_report(r, a->json, a->markdown, a->color, a->verbose);
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
    return CLI_OK;
}

/* Everything after the config is loaded and validated. */
static int run_check(const check_args *a, const pk_config *cfg)
{
    pk_store *st = NULL;
    const char *loc = a->db ? a->db : cfg->history_path;
    int rc = CLI_OK;
    if (!a->no_store)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_CREATE, &st);
    else if (access(loc, F_OK) == 0)   /* --no-store still compares with history */
        rc = cli_open_history(CMD, loc, CLI_HISTORY_READ, &st);
    if (rc != CLI_OK)
        return rc;
    pk_resultset *cur = NULL;
    pk_check_report *rep = NULL;
    baselines base = {0};
    pk_run_meta meta;
    pk_diag d = {0};
    char msg[1400];
    if (pk_resultset_new(&cur) != PK_OK) {
        rc = CLI_INTERNAL;
        goto done;
    }
    cli_progress bar;
    cli_progress_init(&bar, CMD);
    pk_check_opts o = a->o;
    o.progress = on_progress;
    o.progress_ud = &bar;
    o.stop = &cli_interrupted;
    cli_interrupt_install();
    fill_meta(&meta, cfg);   /* before the runs: the run starts now */
    pk_err e = pk_check_sizes(cfg, cur, &d);
    if (e == PK_OK)
        e = pk_check_collect(cfg, &o, cur, &d);
    cli_interrupt_restore();
    cli_progress_done(&bar);
    if (e == PK_EPARSE || e == PK_ENOENT || e == PK_EPERM) {
        cli_error(CMD, "%s", pk_diag_format(&d, msg, sizeof msg));
        rc = CLI_USAGE;
        goto done;
    }
    if (e == PK_EINTR) {
        cli_warn(CMD, "interrupted: nothing stored");
        rc = 130;
        goto done;
    }
    if (e != PK_OK) {
        cli_error(CMD, "%s", d.message[0] ? pk_diag_format(&d, msg, sizeof msg) : pk_strerror(e));
        rc = CLI_INTERNAL;
        goto done;
    }
    if ((rc = find_baselines(st, a, cfg, cur, &meta, &base)) != CLI_OK)
        goto done;
    pk_check_baselines cb = {(const pk_resultset *const *)base.sets, base.ids};
    if (pk_check_evaluate(cfg, cur, &cb, &a->o, &rep) != PK_OK) {
        cli_error(CMD, "out of memory");
        rc = CLI_INTERNAL;
        goto done;
    }
    if (!a->no_store) {
        e = pk_store_put_run(st, &meta, cur);
        if (e != PK_OK) {
            cli_error(CMD, "storing the run failed: %s", pk_store_last_error(st));
            rc = e == PK_ECORRUPT || e == PK_EBUSY ? CLI_USAGE : CLI_INTERNAL;
            goto done;
        }
    }
    rep->run = meta;
    rc = write_reports(a, rep);
    if (rc == CLI_OK && rep->failed)
        rc = CLI_FAIL;
done:
    pk_check_report_free(rep);
    baselines_free(&base);
    pk_resultset_free(cur);
    pk_store_close(st);
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
    const char *path = a.config ? a.config : "perfkit.yml";
    pk_config *cfg = NULL;
    pk_diag d = {0};
    char msg[1400];
    pk_err e = pk_config_load(path, &cfg, &d);
    if (e == PK_OK)
        e = pk_config_validate(cfg, &d);
    if (e != PK_OK) {
        if (e == PK_ENOENT && !a.config && !cfg)
            cli_error(CMD, "no perfkit.yml here; give the config file: perfkit check FILE");
        else
            cli_error(CMD, "%s", pk_diag_format(&d, msg, sizeof msg));
        pk_config_free(cfg);
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    rc = run_check(&a, cfg);
    pk_config_free(cfg);
    return rc;
}
