/* cancel.c — one process-wide cancellation request (perfkit/cancel.h).
 *
 * A request is two lock-free atomics (the first signal, the number of
 * requests) and a wake-up: an eventfd that every wait of the library polls
 * beside its child's pidfd (core/proc.c). pk_cancel_request stores the
 * signal and then writes the eventfd, nothing else — async-signal-safe. The
 * eventfd is created by the first wait, never in a handler, and published
 * before that wait reads the signal; so a request is either seen by the
 * wait's check or, if it comes after it, wakes the wait's poll: no window
 * in which a wait sleeps through a request. The eventfd stays readable
 * until pk_cancel_reset, so every waiting thread wakes, however many. */
#include "perfkit/cancel.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/proc.h"

static atomic_int cancel_sig;       /* first request's signal, 0: none */
static atomic_uint cancel_count;    /* requests since the last reset */
static atomic_int cancel_fd = -1;   /* the wake-up; -1 until the first wait */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs lock-free atomics");

void pk_cancel_request(int sig)
{
    int saved = errno;
    if (sig < 1 || sig > 64)
        sig = SIGTERM;
    int none = 0;
    atomic_compare_exchange_strong(&cancel_sig, &none, sig);
    atomic_fetch_add(&cancel_count, 1);
    int fd = atomic_load(&cancel_fd);
    if (fd >= 0) {
        uint64_t one = 1;
        ssize_t n = write(fd, &one, sizeof one);   /* EAGAIN: already readable */
        (void)n;
    }
    errno = saved;
}

int pk_cancel_signal(void)
{
    return atomic_load(&cancel_sig);
}

void pk_cancel_reset(void)
{
    int fd = atomic_load(&cancel_fd);
    uint64_t v;
    if (fd >= 0)
        while (read(fd, &v, sizeof v) > 0)   /* non-blocking: empties the counter */
            ;
    atomic_store(&cancel_count, 0);
    atomic_store(&cancel_sig, 0);
}

unsigned pk__cancel_count(void)
{
    return atomic_load(&cancel_count);
}

int pk__cancel_fd(void)
{
    int fd = atomic_load(&cancel_fd);
    if (fd >= 0)
        return fd;
    int mine = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (mine < 0)
        return -1;   /* the waits fall back to checking every 10 ms */
    int expect = -1;
    if (!atomic_compare_exchange_strong(&cancel_fd, &expect, mine)) {
        close(mine);   /* another thread published one first */
        return expect;
    }
    return mine;
}

bool pk__stopped(const volatile sig_atomic_t *stop)
{
    return (stop && *stop) || atomic_load(&cancel_sig) != 0;
}
