/* signals.c — SIGINT, SIGTERM and SIGHUP for the commands that run programs.
 *
 * The handler records the first signal and passes every one to libperfkit
 * (pk_cancel_request, perfkit/cancel.h), which forwards it to the running
 * child's process group, reaps the child and removes its temporary files;
 * the command then reports what it gathered and perfkit exits 128 + the
 * first signal (130, 143, 129). A second signal makes the library SIGKILL
 * the child at once and gives the three signals back their default action,
 * so a third ends perfkit immediately. SA_RESTART: the library's waits never
 * rely on EINTR (they poll an eventfd), and the reports written after a
 * signal must not fail half-way with EINTR. A SIGHUP ignored on entry
 * (nohup) stays ignored; SIGINT and SIGTERM are always taken, also when a
 * non-interactive shell started perfkit in the background with SIGINT
 * ignored, so `kill -INT` still stops it cleanly. */
#include "signals.h"

#include <signal.h>
#include <string.h>

#include "perfkit/cancel.h"

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t first_signal, signals_seen;

static void on_signal(int sig)
{
    if (!first_signal)
        first_signal = sig;
    pk_cancel_request(sig);
    if (++signals_seen >= 2)   /* the three are blocked in here: no race on the count */
        for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
            signal(handled[i], SIG_DFL);
}

void cli_signals_install(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaddset(&sa.sa_mask, handled[i]);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        if (handled[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;   /* nohup: keep ignoring hang-ups */
        sigaction(handled[i], &sa, NULL);
    }
}

int cli_signal_caught(void)
{
    return first_signal;
}

int cli_signal_status(int rc)
{
    return first_signal ? 128 + first_signal : rc;
}

const char *cli_signal_name(int sig)
{
    switch (sig) {
    case SIGINT:  return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP:  return "SIGHUP";
    default:      return "a signal";
    }
}
