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
    bool seen;              /* an event came before */
    size_t last_total, last_done, start_done;
    double last_draw_ns, last_event_ns, start_ns;
} cli_progress;

/* Initialize for subcommand cmd (tty from isatty(stderr)). */
void cli_progress_init(cli_progress *p, const char *cmd);

/* Show one cmdbench progress event; prefix (may be NULL) precedes the bar,
 * name is the command that just ran. Rate-limited to 20 redraws a second. */
void cli_progress_show(cli_progress *p, const pk_cmdbench_progress *ev, const char *prefix,
                       const char *name);

/* Account for event ev at time t (ns, monotonic) and write "  ETA 1.2 s"
 * to buf — the time the runs measured so far in this phase took, per run,
 * times the runs left — or "" before the first measured run, during
 * warm-up and the pilot runs, and on the last run. */
void cli_progress_eta(cli_progress *p, const pk_cmdbench_progress *ev, double t, char *buf,
                      size_t len);

/* Erase the progress line (TTY only). */
void cli_progress_done(cli_progress *p);

#endif
