/* history_copy.c — `perfkit history export TO` and `perfkit history import
 * FROM`: copy a whole history (runs, profiles, pins) between SQLite files
 * and PostgreSQL databases, so a team can move to a shared server and back.
 *
 * export copies the project's history (--db, $PERFKIT_DB, perfkit.yml) into
 * TO; import copies FROM into it. pk_store_copy does the work: runs get the
 * destination's ids, and a run already there is not stored again, so a
 * second copy (or one after a failure) only adds what is missing. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "history_db.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit history export [options] TO\n"
"       perfkit history import [options] FROM\n"
"\n"
"Copy every run of one history into another, with its stored profiles and\n"
"the pinned baselines: export from the project's history into TO, import\n"
"from FROM into the project's history. TO and FROM are a SQLite file or a\n"
"postgres:// URL; the destination is created when missing. Runs get the\n"
"destination's next ids (pins follow them); a run the destination already\n"
"holds (same commit, start time, branch, machine) is skipped, so copying\n"
"again adds only what is new.\n"
"\n"
"Options:\n"
"      --db PATH|URL     the project's history (default: $PERFKIT_DB, else\n"
"                        from ./perfkit.yml, else .perfkit/history.db)\n"
"      --config FILE     take the history from this perfkit.yml\n"
"  -h, --help            this help\n"
"\n"
"Exit: 0 copied, 2 a history that cannot be opened (missing, not perfkit's,\n"
"credentials refused), 3 a server that cannot be reached or another error.\n";

enum { OPT_DB = 256, OPT_CONFIG };

static const struct option longopts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int copy_error(const char *cmd, pk_err e, const pk_store *where)
{
    cli_error(cmd, "%s", where && pk_store_last_error(where)[0] ? pk_store_last_error(where)
                                                                 : pk_strerror(e));
    cli_warn(cmd, "the runs copied before the error stay; run the same command again to "
             "copy the rest");
    return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
}

/* argv[0] is "export" or "import". */
int cli_history_copy(int argc, char **argv)
{
    bool export = strcmp(argv[0], "export") == 0;
    const char *cmd = export ? "history export" : "history import";
    const char *db = NULL, *config = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(cmd, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(cmd, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error(cmd, optind >= argc ? "missing %s: a SQLite file or a postgres:// URL"
                                      : "unexpected argument `%s`: one %s",
                  optind >= argc ? (export ? "TO" : "FROM") : argv[optind + 1],
                  export ? "destination" : "source");
        return CLI_USAGE;
    }
    const char *other = argv[optind];
    char loc[4096];
    int rc = cli_history_location(cmd, db, config, loc, sizeof loc);
    if (rc != CLI_OK)
        return rc;
    struct stat a, b;   /* the same file by another name: ./x.db, an absolute path */
    bool same = strcmp(loc, other) == 0 ||
                (!pk_store_is_url(loc) && !pk_store_is_url(other) && stat(loc, &a) == 0 &&
                 stat(other, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
    if (same) {
        cli_error(cmd, "`%s` is the project's history itself: nothing to copy", other);
        return CLI_USAGE;
    }
    pk_store *from = NULL, *to = NULL;
    rc = cli_open_history(cmd, export ? loc : other, CLI_HISTORY_READ, &from);
    if (rc == CLI_OK)
        rc = cli_open_history(cmd, export ? other : loc, CLI_HISTORY_CREATE, &to);
    if (rc != CLI_OK) {
        pk_store_close(from);
        return rc;
    }
    pk_store_copy_stats st;
    pk_store *where = NULL;
    pk_err e = pk_store_copy(from, to, &st, &where);
    printf("%s %zu run%s (%zu already there), %zu profile%s, %zu pin%s: %s -> %s\n",
           e == PK_OK ? "copied" : "copied before the error", st.runs_copied,
           st.runs_copied == 1 ? "" : "s", st.runs_skipped, st.profiles_copied,
           st.profiles_copied == 1 ? "" : "s", st.pins_copied, st.pins_copied == 1 ? "" : "s",
           pk_store_name(from), pk_store_name(to));
    if (e != PK_OK) {
        fflush(stdout);
        rc = copy_error(cmd, e, where);
    }
    pk_store_close(from);
    pk_store_close(to);
    return rc;
}
