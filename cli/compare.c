/* compare.c — `perfkit compare RUN_A RUN_B`: two runs from history side by
 * side. pk_check_compare judges every benchmark of RUN_B against RUN_A on
 * every figure they share (sizes included), with the same statistics and
 * report as `perfkit check`; this file parses, opens the history and picks
 * the writer. The exit status is check's: 1 when the report fails (a
 * regression), 0 otherwise, 2 for usage and input errors. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit compare [options] RUN_A RUN_B\n"
"\n"
"Compare RUN_B with RUN_A (the baseline). A run is a run id, `latest`, a\n"
"commit (prefix) or a branch (its latest run). Shows what changed; figures\n"
"that did not (by check's rule) are counted in one line.\n"
"\n"
"Options:\n"
"      --db PATH|URL          history: a SQLite file or a postgres:// URL (default:\n"
"                             $PERFKIT_DB, else from ./perfkit.yml, else\n"
"                             .perfkit/history.db)\n"
"      --config FILE          take the history path from this perfkit.yml\n"
"      --json | --markdown    machine / pull-request output instead of the table\n"
"      --strict               inconclusive changes fail too (as check --strict)\n"
"  -v, --verbose              every figure, not only changes\n"
"      --color WHEN           auto (default), always, never\n"
"  -h, --help                 this help\n"
"\n"
"Exit status: 0 nothing got worse, 1 a regression, 2 usage or input error.\n";

enum { OPT_DB = 256, OPT_CONFIG, OPT_JSON, OPT_MARKDOWN, OPT_FAIL, OPT_COLOR, OPT_STRICT };

static const struct option longopts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"json", no_argument, NULL, OPT_JSON},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"fail-on-regression", no_argument, NULL, OPT_FAIL},   /* the default now; kept */
    {"strict", no_argument, NULL, OPT_STRICT},
    {"verbose", no_argument, NULL, 'v'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "compare";

int cmd_compare(int argc, char **argv)
{
    const char *db = NULL, *config = NULL;
    bool json = false, markdown = false, strict = false, verbose = false;
    int color = -1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_MARKDOWN: markdown = true; break;
        case OPT_FAIL: break;   /* a regression fails by default, as in check */
        case OPT_STRICT: strict = true; break;
        case 'v': verbose = true; break;
        case OPT_COLOR:
            if (!cli_parse_color(CMD, optarg, &color))
                return CLI_USAGE;
            break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error(CMD, "give two runs, e.g. perfkit compare 41 latest");
        return CLI_USAGE;
    }
    char loc[1024];
    int rc = cli_history_location(CMD, db, config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_READ, &st);
    if (rc != CLI_OK)
        return rc;
    pk_check_report *rep = NULL;
    pk_diag d;
    pk_check_opts co;
    pk_check_opts_init(&co);
    co.strict = strict;
    pk_err e = pk_check_compare(st, argv[optind], argv[optind + 1], &co, &rep, &d);
    pk_store_close(st);
    if (e != PK_OK) {
        cli_error(CMD, "%s", d.message);
        return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
    }
    pk_write_opts wo = cli_write_opts(color, verbose);
    e = pk_check_write(stdout, rep,
                       json ? PK_FORMAT_JSON : markdown ? PK_FORMAT_MARKDOWN : PK_FORMAT_TEXT, &wo);
    if (e != PK_OK) {
        cli_error(CMD, "writing the report failed: %s", pk_strerror(e));
        rc = CLI_INTERNAL;
    } else if (rep->failed) {
        rc = CLI_FAIL;   /* check's rule (pk_check_status_fails) */
    }
    pk_check_report_free(rep);
    return rc;
}
