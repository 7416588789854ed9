/* clock.c — the system clocks behind one replaceable hook (core/clock.h).
 * Reading is inline in the header; this file holds the hook. */
#include "core/clock.h"

#include <stddef.h>

pk__clock_fn pk__clock_hook;
void *pk__clock_hook_ud;

void pk__clock_set(pk__clock_fn fn, void *ud)
{
    pk__clock_hook_ud = fn ? ud : NULL;
    pk__clock_hook = fn;
}
