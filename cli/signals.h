/* cli/signals.h — how the commands that run programs (bench, check) end on
 * SIGINT, SIGTERM and SIGHUP: the running child gets the signal, perfkit
 * reports what it gathered and exits 128 + the signal (cli/signals.c). */
#ifndef PERFKIT_CLI_SIGNALS_H
#define PERFKIT_CLI_SIGNALS_H

/* Install the handlers for SIGINT, SIGTERM and SIGHUP (a SIGHUP ignored on
 * entry stays ignored), and a thread that says on stderr at once that
 * subcommand cmd is stopping ("perfkit: bench: interrupted by SIGINT:
 * stopping…"). Call once, before the command starts. */
void cli_signals_install(const char *cmd);

/* The first signal caught, 0 when none. */
int cli_signal_caught(void);

/* The exit status: 128 + the first signal caught, else rc. */
int cli_signal_status(int rc);

/* "SIGINT", "SIGTERM", "SIGHUP" (else "a signal"), for messages. */
const char *cli_signal_name(int sig);

#endif
