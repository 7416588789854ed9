/* history.c — `perfkit history`: how a benchmark moved over time.
 *
 * Without a name: every benchmark in history with its latest value and a
 * sparkline of its recent runs. With a name: one line per run with the
 * commit, branch, value and the change from the run before, marked when it
 * exceeds --threshold. --changes adds the change points (runs where the
 * distribution shifted) to both views. pk_check_history_new decides what is shown (figure,
 * changes, marks); pk_check_history_write prints it; this file parses the
 * options and opens the history. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit history [options] [BENCHMARK]\n"
"       perfkit history export|import [options] TO|FROM   (see --help of each)\n"
"\n"
"Show the runs in history: every benchmark with a sparkline, or one\n"
"benchmark run by run with the change from the run before.\n"
"\n"
"Options:\n"
"      --figure NAME     figure to show (default: the benchmark's primary figure:\n"
"                        wall, instructions, real_time, ...)\n"
"      --stat NAME       statistic per run: median (default), mean, min, max, p95 ...\n"
"  -n, --limit N         the last N runs (default 30; 0 = all)\n"
"      --threshold PCT   mark changes larger than this (default 5%)\n"
"      --changes         find the runs where the distribution shifted (E-Divisive\n"
"                        change points, alpha 0.01): `|` on the sparkline, a list\n"
"                        under the table, \"changes\" in --json\n"
"      --db PATH|URL     history: a SQLite file or a postgres:// URL (default:\n"
"                        $PERFKIT_DB, else from ./perfkit.yml, else\n"
"                        .perfkit/history.db)\n"
"      --config FILE     take the history path from this perfkit.yml\n"
"      --json            perfkit/history/v1 JSON\n"
"      --color WHEN      auto (default), always, never; NO_COLOR is honoured\n"
"  -h, --help            this help\n";

enum { OPT_FIGURE = 256, OPT_STAT, OPT_THRESHOLD, OPT_DB, OPT_CONFIG, OPT_JSON, OPT_CHANGES, OPT_COLOR };

static const struct option longopts[] = {
    {"figure", required_argument, NULL, OPT_FIGURE},
    {"stat", required_argument, NULL, OPT_STAT},
    {"limit", required_argument, NULL, 'n'},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"json", no_argument, NULL, OPT_JSON},
    {"changes", no_argument, NULL, OPT_CHANGES},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "history";

int cmd_history(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "export") == 0 || strcmp(argv[1], "import") == 0))
        return cli_history_copy(argc - 1, argv + 1);   /* `history -- export`: a benchmark */
    const char *db = NULL, *config = NULL;
    bool json = false;
    int color = -1;
    pk_check_history_opts o;
    pk_check_history_opts_init(&o);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:h", longopts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_FIGURE: o.figure = optarg; break;
        case OPT_STAT: o.stat = optarg; break;
        case 'n': ok = opt_count(CMD, "--limit", optarg, &o.limit); break;
        case OPT_THRESHOLD: ok = opt_percent(CMD, "--threshold", optarg, &o.threshold); break;
        case OPT_DB: db = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_CHANGES: o.changes = true; break;
        case OPT_COLOR: ok = cli_parse_color(CMD, optarg, &color); break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
        if (!ok)
            return CLI_USAGE;
    }
    if (optind < argc)
        o.benchmark = argv[optind++];
    if (optind < argc) {
        cli_error(CMD, "unexpected argument `%s`: one benchmark at a time", argv[optind]);
        return CLI_USAGE;
    }
    char loc[1024];
    int rc = cli_history_location(CMD, db, config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_READ, &st);
    if (rc != CLI_OK)
        return rc;
    pk_check_history *h = NULL;
    pk_diag d;
    pk_err e = pk_check_history_new(st, &o, &h, &d);
    pk_store_close(st);
    if (e != PK_OK) {
        cli_error(CMD, "%s", d.message);
        return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
    }
    pk_write_opts wo = cli_write_opts(json ? 0 : color, false);
    e = pk_check_history_write(stdout, h, json ? PK_FORMAT_JSON : PK_FORMAT_TEXT, &wo);
    pk_check_history_free(h);
    if (e != PK_OK) {
        cli_error(CMD, "writing the history failed: %s", pk_strerror(e));
        return CLI_INTERNAL;
    }
    return CLI_OK;
}
