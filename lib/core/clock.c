/* clock.c — the system clocks behind one replaceable hook (core/clock.h). */
#include "core/clock.h"

#include <stddef.h>
#include <time.h>

static pk__clock_fn hook;
static void *hook_ud;

int64_t pk__clock_ns(pk__clock_id id)
{
    if (hook)
        return hook(hook_ud, id);
    static const clockid_t ids[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_PROCESS_CPUTIME_ID};
    struct timespec ts;
    if ((unsigned)id > PK__CLOCK_CPU || clock_gettime(ids[id], &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pk__clock_set(pk__clock_fn fn, void *ud)
{
    hook = fn;
    hook_ud = ud;
}
