/* cli/progress.h — what long-running subcommands share on the terminal:
 * a progress line on stderr (a redrawn bar on a TTY, a plain line per phase
 * otherwise). Signals are cli/signals.h's. */
#ifndef PERFKIT_CLI_PROGRESS_H
#define PERFKIT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include "perfkit/cmdbench.h"

typedef struct cli_progress {
    const char *cmd;        /* subcommand, for plain lines */
    bool tty;               /* stderr is a terminal */
    size_t last_total;
    double last_draw_ns, start_ns;
} cli_progress;

/* Initialize for subcommand cmd (tty from isatty(stderr)). */
void cli_progress_init(cli_progress *p, const char *cmd);

/* Show one cmdbench progress event; prefix (may be NULL) precedes the bar,
 * name is the command that just ran. Rate-limited to 20 redraws a second. */
void cli_progress_show(cli_progress *p, const pk_cmdbench_progress *ev, const char *prefix,
                       const char *name);

/* Erase the progress line (TTY only). */
void cli_progress_done(cli_progress *p);

#endif
