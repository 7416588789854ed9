/* baseline.c — `perfkit baseline list|show|pin|unpin`: see and fix the run
 * that `perfkit check` compares against, instead of the latest run on the
 * baseline branch (e.g. pin a release, so a slow drift over many commits
 * cannot hide behind small steps). list and show read the history
 * (pk_check_pins_new, pk_check_run_view_new) and write it through
 * lib/report; pin and unpin change it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit baseline list [options]\n"
"       perfkit baseline show NAME|RUN [options]\n"
"       perfkit baseline pin [RUN] [options]\n"
"       perfkit baseline unpin [options]\n"
"\n"
"list: every pinned baseline: benchmark, run, commit, branch, date.\n"
"show: a run's metadata and each benchmark's main figure; NAME is a pinned\n"
"benchmark (its pinned run), RUN a run id, `latest`, a commit or a branch.\n"
"pin: make RUN (a run id, `latest` (default), a commit or a branch) the\n"
"baseline of every benchmark it contains, or of --benchmark NAME only.\n"
"unpin: go back to the latest run on the baseline branch.\n"
"\n"
"Options:\n"
"  -b, --benchmark NAME   pin, unpin: only this benchmark\n"
"      --json             list, show: JSON (perfkit/baselines/v1, perfkit/run/v1)\n"
"      --color WHEN       auto (default), always, never; NO_COLOR is honoured\n"
"      --db PATH|URL      history: a SQLite file or a postgres:// URL (default:\n"
"                         $PERFKIT_DB, else from ./perfkit.yml, else\n"
"                         .perfkit/history.db)\n"
"      --config FILE      take the history path from this perfkit.yml\n"
"  -h, --help             this help\n";

enum { OPT_DB = 256, OPT_CONFIG, OPT_JSON, OPT_COLOR };

static const struct option longopts[] = {
    {"benchmark", required_argument, NULL, 'b'},
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "baseline";

typedef enum action { LIST, SHOW, PIN, UNPIN } action;

/* list or show: read the history, write the view. */
static int view(action act, const char *ref, bool json, int color, pk_store *st)
{
    pk_diag d;
    pk_err e;
    pk_format fmt = json ? PK_FORMAT_JSON : PK_FORMAT_TEXT;
    pk_write_opts wo = cli_write_opts(json ? 0 : color, false);
    if (act == LIST) {
        pk_check_pins *p = NULL;
        if ((e = pk_check_pins_new(st, &p, &d)) == PK_OK) {
            e = pk_check_pins_write(stdout, p, fmt, &wo);
            pk_check_pins_free(p);
            if (e != PK_OK)
                d.message[0] = '\0';
        }
    } else {
        pk_check_run_view *v = NULL;
        if ((e = pk_check_run_view_new(st, ref, &v, &d)) == PK_OK) {
            e = pk_check_run_view_write(stdout, v, fmt, &wo);
            pk_check_run_view_free(v);
            if (e != PK_OK)
                d.message[0] = '\0';
        }
    }
    if (e == PK_OK)
        return CLI_OK;
    cli_error(CMD, "%s", d.message[0] ? d.message : pk_strerror(e));
    return e == PK_ENOENT || e == PK_EINVAL || e == PK_ECORRUPT ? CLI_USAGE : CLI_INTERNAL;
}

/* pin or unpin. */
static int change(action act, const char *ref, const char *bench, pk_store *st)
{
    pk_err e;
    int64_t id = 0;
    if (act == PIN) {
        e = pk_store_resolve(st, ref, &id);
        if (e == PK_OK)
            e = pk_store_pin(st, id, bench);
    } else {
        e = pk_store_unpin(st, bench);
    }
    if (e != PK_OK) {
        cli_error(CMD, "%s", pk_store_last_error(st));
        return e == PK_ENOENT || e == PK_EINVAL ? CLI_USAGE : CLI_INTERNAL;
    }
    if (act == PIN)
        printf("pinned run #%lld as the baseline of ", (long long)id);
    else
        fputs("unpinned ", stdout);
    pk_termsafe_fputs(bench ? bench : act == PIN ? "every benchmark it contains"
                                                 : "every benchmark",
                      stdout);
    putchar('\n');
    return CLI_OK;
}

int cmd_baseline(int argc, char **argv)
{
    const char *bench = NULL, *db = NULL, *config = NULL;
    bool json = false;
    int color = -1;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    static const char *const actions[] = {"list", "show", "pin", "unpin"};
    const char *name = argv[1];
    action act = LIST;
    while (act <= UNPIN && strcmp(name, actions[act]) != 0)
        act++;
    if (act > UNPIN) {
        const char *s = pk_diag_suggest(name, actions, 4);
        if (s)
            cli_error(CMD, "unknown action `%s` — did you mean `%s`?", name, s);
        else
            cli_error(CMD, "unknown action `%s`; use list, show, pin or unpin", name);
        return CLI_USAGE;
    }
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, ":b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': bench = optarg; break;
        case OPT_DB: db = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_COLOR:
            if (!cli_parse_color(CMD, optarg, &color))
                return CLI_USAGE;
            break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind], longopts); return CLI_USAGE;
        }
    }
    int rest = argc - 1 - optind;
    const char *ref = rest > 0 ? argv[1 + optind] : act == PIN ? "latest" : NULL;
    int max_args = act == PIN || act == SHOW ? 1 : 0;
    if (rest > max_args) {
        cli_error(CMD, "unexpected argument `%s`", argv[1 + optind + max_args]);
        return CLI_USAGE;
    }
    if (act == SHOW && !ref) {
        cli_error(CMD, "show what? give a pinned benchmark or a run: perfkit baseline show "
                       "latest");
        return CLI_USAGE;
    }
    if (json && (act == PIN || act == UNPIN)) {
        cli_error(CMD, "--json is for list and show");
        return CLI_USAGE;
    }
    if (bench && (act == LIST || act == SHOW)) {
        cli_error(CMD, "--benchmark is for pin and unpin; show takes the name: perfkit "
                       "baseline show NAME");
        return CLI_USAGE;
    }
    char loc[1024];
    int rc = cli_history_location(CMD, db, config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, act <= SHOW ? CLI_HISTORY_READ : CLI_HISTORY_WRITE, &st);
    if (rc != CLI_OK)
        return rc;
    rc = act <= SHOW ? view(act, ref, json, color, st) : change(act, ref, bench, st);
    pk_store_close(st);
    return rc;
}
