/* report.c — `perfkit report`: the history as one HTML page.
 *
 * Parse the options → find the history and the project's perfkit.yml (as
 * `perfkit history` does: --history, else $PERFKIT_DB, else the config's
 * history path or URL, else .perfkit/history.db) → pk_dashboard_new reads the page's data (the
 * config's budgets are judged on the latest run) → pk_dashboard_write_html
 * into the output file. The page is written beside the output and renamed
 * into place, so a reader never sees half a page (a device or a FIFO, such
 * as /dev/null, is written through instead). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit report [options]\n"
"\n"
"Write the history as one self-contained HTML page: per benchmark a trend\n"
"chart (95% CI band, change points, regressions, budgets; the commit on\n"
"hover), the latest run's distribution against its baseline, stored flame\n"
"graphs; the latest check with each budget's headroom; filters by branch\n"
"and machine. No network: it opens from disk or a CI artifact.\n"
"\n"
"Options:\n"
"  -o, --output FILE     the page (default report.html; - for stdout)\n"
"      --history PATH|URL  history: a SQLite file or a postgres:// URL (default:\n"
"                        $PERFKIT_DB, else from ./perfkit.yml, else\n"
"                        .perfkit/history.db); --db is the same\n"
"      --config FILE     budgets and the history path from this perfkit.yml\n"
"                        (default: the project's, when there is one)\n"
"      --branch NAME     only runs of this branch\n"
"  -n, --last N          the last N runs of each benchmark (default 30; 0 = all)\n"
"      --stat NAME       statistic per run: median (default), mean, min, p95 ...\n"
"      --title TEXT      the page's heading (default \"perfkit report\")\n"
"      --profiles N      embed the flame graphs of at most N benchmarks (default\n"
"                        8; 0 = none)\n"
"  -h, --help            this help\n"
"\n"
"Exit: 0 the page is written, 2 usage or input error (no history, not a\n"
"perfkit history, credentials refused, a branch without runs, an output\n"
"that cannot be written), 3 a history server that cannot be reached or an\n"
"internal error.\n";

enum { OPT_HISTORY = 256, OPT_CONFIG, OPT_BRANCH, OPT_STAT, OPT_TITLE, OPT_PROFILES };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"history", required_argument, NULL, OPT_HISTORY},
    {"db", required_argument, NULL, OPT_HISTORY},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"branch", required_argument, NULL, OPT_BRANCH},
    {"last", required_argument, NULL, 'n'},
    {"stat", required_argument, NULL, OPT_STAT},
    {"title", required_argument, NULL, OPT_TITLE},
    {"profiles", required_argument, NULL, OPT_PROFILES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "report";

/* The config whose budgets the page shows: config if given, else the
 * project's; *out NULL when there is none. */
static int load_config(const char *config, pk_config **out)
{
    *out = NULL;
    char *found = NULL;
    if (!config)
        config = found = cli_find_config();
    if (!config)
        return CLI_OK;
    pk_diag d;
    pk_err e = pk_config_load(config, out, &d);
    pk_free(found);
    if (e != PK_OK) {
        char msg[1400];
        cli_error(CMD, "%s", pk_diag_format(&d, msg, sizeof msg));
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    return CLI_OK;
}

static int write_page(const char *path, const pk_dashboard *dash)
{
    if (strcmp(path, "-") == 0) {
        pk_err e = pk_dashboard_write_html(stdout, dash);
        if (e != PK_OK)
            cli_error(CMD, "writing the page failed: %s", pk_strerror(e));
        return e == PK_OK ? CLI_OK : CLI_INTERNAL;
    }
    /* a directory is refused; a device, FIFO or symbolic link (-o
     * /dev/null, /dev/stdout) is written through, never replaced */
    struct stat sb;
    bool special = lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
    if (special && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_error(CMD, "cannot write `%s`: it is a directory", path);
        return CLI_USAGE;
    }
    /* a regular file: written under a name of its own beside it, then
     * renamed into place, so that neither a reader nor another report
     * writing the same page ever sees half of one */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s%s", path, special ? "" : ".XXXXXX");
    FILE *f = NULL;
    if (special) {
        f = fopen(tmp, "w");
    } else {
        int fd = mkstemp(tmp);
        mode_t um = umask(0);
        umask(um);
        if (fd >= 0 && (fchmod(fd, 0666 & ~um) != 0 || !(f = fdopen(fd, "w")))) {
            close(fd);
            remove(tmp);
        }
    }
    if (!f) {
        cli_error(CMD, "cannot write `%s`: %s", path, strerror(errno));
        return CLI_USAGE;
    }
    pk_err e = pk_dashboard_write_html(f, dash);
    if (fclose(f) != 0 && e == PK_OK)
        e = PK_EIO;
    if (e == PK_OK && !special && rename(tmp, path) != 0)
        e = PK_EIO;
    if (e != PK_OK) {
        if (!special)
            remove(tmp);
        cli_error(CMD, "writing `%s` failed: %s", path, pk_strerror(e));
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *output = "report.html";
    pk_dashboard_opts o;
    pk_dashboard_opts_init(&o);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:n:h", longopts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_HISTORY: db = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_BRANCH: o.branch = optarg; break;
        case 'n': ok = opt_count(CMD, "--last", optarg, &o.last); break;
        case OPT_STAT: o.stat = optarg; break;
        case OPT_TITLE: o.title = optarg; break;
        case OPT_PROFILES: ok = opt_count(CMD, "--profiles", optarg, &o.profiles); break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
        if (!ok)
            return CLI_USAGE;
    }
    if (optind < argc) {
        cli_error(CMD, "unexpected argument `%s`: the options say what to show",
                  argv[optind]);
        return CLI_USAGE;
    }
    if (!output[0]) {
        cli_error(CMD, "--output needs a file name");
        return CLI_USAGE;
    }
    if (o.stat && !pk_series_stat_valid(o.stat)) {
        cli_error(CMD, "--stat `%s` is not a statistic: mean, median, min, max, stddev, mad "
                  "or pN such as p95", o.stat);
        return CLI_USAGE;
    }
    pk_config *cfg = NULL;
    int rc = load_config(config, &cfg);
    char loc[1024];
    if (rc == CLI_OK)
        rc = cli_history_location(CMD, db, config, loc, sizeof loc);
    pk_store *st = NULL;
    if (rc == CLI_OK)
        rc = cli_open_history(CMD, loc, CLI_HISTORY_READ, &st);
    if (rc != CLI_OK) {
        pk_config_free(cfg);
        return rc;
    }
    o.config = cfg;
    pk_dashboard *dash = NULL;
    pk_diag d;
    pk_err e = pk_dashboard_new(st, &o, &dash, &d);
    pk_store_close(st);
    pk_config_free(cfg);
    if (e != PK_OK) {
        cli_error(CMD, "%s", d.message[0] ? d.message : pk_strerror(e));
        return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
    }
    rc = write_page(output, dash);
    if (rc == CLI_OK && strcmp(output, "-") != 0)
        fprintf(stderr, "perfkit: report: wrote %s (%zu benchmark%s)\n", output,
                pk_dashboard_benchmarks(dash), pk_dashboard_benchmarks(dash) == 1 ? "" : "s");
    pk_dashboard_free(dash);
    return rc;
}
