/* core/clock.h — the clock every module reads, replaceable in tests.
 * (Internal toolkit; see core/buf.h.)
 *
 * pk__clock_ns(PK__CLOCK_MONO) is CLOCK_MONOTONIC, PK__CLOCK_REAL the wall
 * calendar (CLOCK_REALTIME), PK__CLOCK_CPU this process's CPU time. A test
 * installs a hook to make time-dependent code exact; the hook applies to every
 * module at once. Reading is inline (one predictable branch over
 * clock_gettime) so hot paths — span timestamps without a TSC, microbenchmark
 * batches — pay nothing measurable for the hook.
 * Thread-safety: reading is safe; install the hook before other threads read
 * the clock. */
#ifndef PK_CORE_CLOCK_H
#define PK_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef enum pk__clock_id {
    PK__CLOCK_MONO = 0,
    PK__CLOCK_REAL = 1,
    PK__CLOCK_CPU = 2,
} pk__clock_id;

typedef int64_t (*pk__clock_fn)(void *ud, pk__clock_id id);

/* The installed hook (NULL: the system clocks); set with pk__clock_set. */
extern pk__clock_fn pk__clock_hook;
extern void *pk__clock_hook_ud;

/* Nanoseconds on clock id (0 when the clock cannot be read). */
static inline int64_t pk__clock_ns(pk__clock_id id)
{
    if (__builtin_expect(pk__clock_hook != 0, 0))
        return pk__clock_hook(pk__clock_hook_ud, id);
    struct timespec ts;
    clockid_t c = id == PK__CLOCK_MONO ? CLOCK_MONOTONIC
                  : id == PK__CLOCK_REAL ? CLOCK_REALTIME
                  : id == PK__CLOCK_CPU  ? CLOCK_PROCESS_CPUTIME_ID
                                         : (clockid_t)-1;
    if (c == (clockid_t)-1 || clock_gettime(c, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Replace the clock (fn NULL restores the system clocks). */
void pk__clock_set(pk__clock_fn fn, void *ud);

#endif
