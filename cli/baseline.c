/* baseline.c — `perfkit baseline pin|unpin`: fix the run that `perfkit
 * check` compares against, instead of the latest run on the baseline
 * branch (e.g. pin a release, so a slow drift over many commits cannot hide
 * behind small steps). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit baseline pin [RUN] [options]\n"
"       perfkit baseline unpin [options]\n"
"\n"
"pin: make RUN (a run id, `latest` (default), a commit or a branch) the\n"
"baseline of every benchmark it contains, or of --benchmark NAME only.\n"
"unpin: go back to the latest run on the baseline branch.\n"
"\n"
"Options:\n"
"  -b, --benchmark NAME   only this benchmark\n"
"      --db PATH          history database (default: from ./perfkit.yml, else\n"
"                         .perfkit/history.db)\n"
"      --config FILE      take the history path from this perfkit.yml\n"
"  -h, --help             this help\n";

enum { OPT_DB = 256, OPT_CONFIG };

static const struct option longopts[] = {
    {"benchmark", required_argument, NULL, 'b'},
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "baseline";

int cmd_baseline(int argc, char **argv)
{
    const char *bench = NULL, *db = NULL, *config = NULL;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *action = argv[1];
    bool pin = strcmp(action, "pin") == 0;
    if (!pin && strcmp(action, "unpin") != 0) {
        static const char *const actions[] = {"pin", "unpin"};
        const char *s = pk_diag_suggest(action, actions, 2);
        cli_error(CMD, "unknown action `%s`%s%s%s; use pin or unpin", action,
                  s ? " — did you mean `" : "", s ? s : "", s ? "`?" : "");
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
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind], longopts); return CLI_USAGE;
        }
    }
    int rest = argc - 1 - optind;
    const char *ref = rest > 0 ? argv[1 + optind] : "latest";
    if (rest > 1 || (!pin && rest > 0)) {
        cli_error(CMD, "unexpected argument `%s`", argv[1 + optind + (pin ? 1 : 0)]);
        return CLI_USAGE;
    }
    char loc[1024];
    int rc = cli_history_location(CMD, db, config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_WRITE, &st);
    if (rc != CLI_OK)
        return rc;
    pk_err e;
    int64_t id = 0;
    if (pin) {
        e = pk_store_resolve(st, ref, &id);
        if (e == PK_OK)
            e = pk_store_pin(st, id, bench);
    } else {
        e = pk_store_unpin(st, bench);
    }
    if (e == PK_OK) {
        if (pin)
            printf("pinned run #%lld as the baseline of ", (long long)id);
        else
            fputs("unpinned ", stdout);
        pk_termsafe_fputs(bench ? bench : pin ? "every benchmark it contains" : "every benchmark",
                          stdout);
        putchar('\n');
    } else {
        cli_error(CMD, "%s", e == PK_ENOENT ? "no such run, or that run lacks the benchmark"
                                             : pk_store_last_error(st));
        rc = e == PK_ENOENT || e == PK_EINVAL ? CLI_USAGE : CLI_INTERNAL;
    }
    pk_store_close(st);
    return rc;
}
