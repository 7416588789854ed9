/* core/clock.h — the clock every module reads, replaceable in tests.
 * (Internal toolkit; see core/buf.h.)
 *
 * pk__clock_ns(PK__CLOCK_MONO) is CLOCK_MONOTONIC, PK__CLOCK_REAL the wall
 * calendar (CLOCK_REALTIME), PK__CLOCK_CPU this process's CPU time. A test
 * installs a hook to make time-dependent code exact; the hook applies to every
 * module at once. Thread-safety: reading is safe; install the hook before
 * other threads read the clock. */
#ifndef PK_CORE_CLOCK_H
#define PK_CORE_CLOCK_H

#include <stdint.h>

typedef enum pk__clock_id {
    PK__CLOCK_MONO = 0,
    PK__CLOCK_REAL = 1,
    PK__CLOCK_CPU = 2,
} pk__clock_id;

typedef int64_t (*pk__clock_fn)(void *ud, pk__clock_id id);

/* Nanoseconds on clock id (0 when the clock cannot be read). */
int64_t pk__clock_ns(pk__clock_id id);

/* Replace the clock (fn NULL restores the system clocks). */
void pk__clock_set(pk__clock_fn fn, void *ud);

#endif
