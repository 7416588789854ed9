/* cli/history_db.h — finding and opening the history for subcommands. */
#ifndef PERFKIT_CLI_HISTORY_DB_H
#define PERFKIT_CLI_HISTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include "perfkit/store.h"

typedef enum cli_history_mode {
    CLI_HISTORY_READ,     /* read only; a missing file is an error */
    CLI_HISTORY_WRITE,    /* read and write an existing history */
    CLI_HISTORY_CREATE,   /* read and write, created when missing */
} cli_history_mode;

/* Open the history at location. Prints the error and returns CLI_USAGE for
 * a foreign/damaged/missing file, CLI_INTERNAL else. */
int cli_open_history(const char *cmd, const char *location, cli_history_mode mode,
                     pk_store **out);

/* The project's perfkit.yml, searched from the current directory upward
 * (pk_config_find with $PERFKIT_CEILING_DIRECTORIES): "perfkit.yml",
 * "../perfkit.yml", ...; NULL when there is none. Caller frees with pk_free. */
char *cli_find_config(void);

/* $PERFKIT_DB into buf (a relative file path made absolute, so that it
 * survives check's move into the project's directory); false when it is
 * unset or empty. A URL is copied as it is. */
bool cli_env_history(char *buf, size_t len);

/* Where the history is when no check runs: db if given; else $PERFKIT_DB;
 * else the history
 * path of config (or of the project's perfkit.yml, cli_find_config, when
 * config is NULL and there is one); else .perfkit/history.db. Writes into buf. Returns CLI_OK or CLI_USAGE
 * (a config that does not load; the error is printed). */
int cli_history_location(const char *cmd, const char *db, const char *config, char *buf,
                         size_t len);

#endif
