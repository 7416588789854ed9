/* history_db.c — where the project and its history are, and opening the
 * history, for check, history, compare and baseline, with the same
 * messages everywhere. The project is found as git finds a repository
 * (pk_config_find: the nearest perfkit.yml at or above the current
 * directory, PERFKIT_CEILING_DIRECTORIES honoured), so every subcommand
 * works from any subdirectory of the project. Where the history is:
 * --db, then $PERFKIT_DB, then perfkit.yml's `history:` (path or url),
 * then .perfkit/history.db. */
#include "history_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "perfkit/alloc.h"
#include "perfkit/config.h"

char *cli_find_config(void)
{
    char *path = NULL;
    pk_config_find(NULL, getenv("PERFKIT_CEILING_DIRECTORIES"), &path);
    return path;
}

int cli_open_history(const char *cmd, const char *location, cli_history_mode mode,
                     pk_store **out)
{
    pk_store_opts so;
    pk_store_opts_init(&so);
    so.create = mode == CLI_HISTORY_CREATE;
    so.read_only = mode == CLI_HISTORY_READ;
    pk_diag d;
    pk_err e = pk_store_open(location, &so, out, &d);
    if (e == PK_OK)
        return CLI_OK;
    if (e == PK_ENOENT && mode != CLI_HISTORY_CREATE && !pk_store_is_url(location))
        cli_error(cmd, "no history at `%s` yet: run `perfkit check` first", location);
    else
        cli_error(cmd, "%s", d.message[0] ? d.message : pk_strerror(e));
    return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
}

bool cli_env_history(char *buf, size_t len)
{
    const char *env = getenv("PERFKIT_DB");
    if (!env || !env[0])
        return false;
    char cwd[2048];
    if (env[0] == '/' || pk_store_is_url(env) || !getcwd(cwd, sizeof cwd))
        snprintf(buf, len, "%s", env);
    else
        snprintf(buf, len, "%s/%s", cwd, env);
    return true;
}

int cli_history_location(const char *cmd, const char *db, const char *config, char *buf,
                         size_t len)
{
    if (db) {
        snprintf(buf, len, "%s", db);
        return CLI_OK;
    }
    if (cli_env_history(buf, len))
        return CLI_OK;
    char *found = NULL;
    if (!config)
        config = found = cli_find_config();
    if (!config) {
        snprintf(buf, len, ".perfkit/history.db");
        return CLI_OK;
    }
    pk_config *c = NULL;
    pk_diag d;
    pk_err e = pk_config_load(config, &c, &d);
    pk_free(found);
    if (e != PK_OK) {
        char msg[1400];
        cli_error(cmd, "%s", pk_diag_format(&d, msg, sizeof msg));
        return CLI_USAGE;
    }
    snprintf(buf, len, "%s", c->history_path);
    pk_config_free(c);
    return CLI_OK;
}
