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
 * ignored, so `kill -INT` still stops it cleanly.
 *
 * Feedback comes at once, not when the running command has ended (a
 * command that ignores the signal takes the grace period): the handler
 * writes the signal's number into a pipe, and a thread that does nothing
 * but read it prints "interrupted by SIGINT: stopping…" on stderr — stdio
 * is not async-signal-safe, so the handler itself never prints. The pipe
 * is close-on-exec (no benchmarked command inherits it) and its write end
 * non-blocking (the handler never waits). */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "perfkit/cancel.h"

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t first_signal, signals_seen;
static int notify_fd[2] = {-1, -1};   /* handler → watcher thread */
static const char *notify_cmd;

static void on_signal(int sig)
{
    if (!first_signal)
        first_signal = sig;
    pk_cancel_request(sig);
    if (++signals_seen >= 2)   /* the three are blocked in here: no race on the count */
        for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
            signal(handled[i], SIG_DFL);
    if (notify_fd[1] >= 0) {
        int saved = errno;
        unsigned char b = (unsigned char)sig;
        if (write(notify_fd[1], &b, 1) < 0) {
            /* full or gone: the message is a courtesy, the stop is not */
        }
        errno = saved;
    }
}

/* The watcher: one line per signal, as soon as it arrives. On a terminal
 * the progress line is erased first, so the message stands on its own. */
static void *watch_signals(void *ud)
{
    (void)ud;
    unsigned char b;
    int seen = 0;
    bool tty = isatty(STDERR_FILENO);
    for (;;) {
        ssize_t n = read(notify_fd[0], &b, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != 1)
            return NULL;
        if (++seen == 1)
            fprintf(stderr,
                    "%sperfkit: %s: interrupted by %s: stopping… (the running command got "
                    "it too; a second signal kills it at once)\n",
                    tty ? "\r\033[K" : "", notify_cmd, cli_signal_name(b));
        else if (seen == 2)
            fprintf(stderr, "%sperfkit: %s: %s again: killing the running command\n",
                    tty ? "\r\033[K" : "", notify_cmd, cli_signal_name(b));
        fflush(stderr);
    }
}

/* Start the watcher with the three signals blocked in it, so that the
 * handler runs on the main thread as before. Without a pipe or a thread
 * the signals still work, only without the early message. */
static void start_watcher(void)
{
    if (pipe2(notify_fd, O_CLOEXEC) != 0)
        return;
    int fl = fcntl(notify_fd[1], F_GETFL);
    if (fl < 0 || fcntl(notify_fd[1], F_SETFL, fl | O_NONBLOCK) != 0)
        goto fail;
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaddset(&block, handled[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_attr_t attr;
    pthread_t t;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&t, &attr, watch_signals, NULL);
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return;
fail:
    close(notify_fd[0]);
    close(notify_fd[1]);
    notify_fd[0] = notify_fd[1] = -1;
}

void cli_signals_install(const char *cmd)
{
    notify_cmd = cmd;
    start_watcher();
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
