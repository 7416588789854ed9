/* fault.h — fault-injecting allocator for the unit tests (header-only).
 *
 * Contract:
 *   fault_arm(k)      install fault_alloc via pk_set_allocator and zero the
 *                     counters; request k fails (0-based), every other one is
 *                     served by libc. k = -1: never fail, only count.
 *   fault_arm_from(k) the same, but request k and every later one fail.
 *   fault_disarm()    restore the libc allocator; counters stay readable.
 *   fault_requests()  requests seen since arming: every call with size > 0
 *                     (fresh allocations and resizes), failed ones included.
 *   fault_live()      fresh blocks handed out minus blocks freed since
 *                     arming: 0 after a call that leaks nothing.
 * A failed request returns NULL and leaves the old block valid, as
 * pk_alloc_fn requires. State is process-global and not thread-safe;
 * Criterion runs each Test in its own process. */
#ifndef PK_TEST_FAULT_H
#define PK_TEST_FAULT_H

#include <stdbool.h>
#include <stdlib.h>
#include "perfkit/alloc.h"

static struct {
    long fail_at;    /* index of the request to fail; -1: never */
    bool sticky;     /* fail every request from fail_at on */
    long requests;   /* requests seen */
    long live;       /* blocks currently allocated */
} fault_state = {-1, false, 0, 0};

static inline void *fault_alloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (n == 0) {
        if (p)
            fault_state.live--;
        free(p);
        return NULL;
    }
    long k = fault_state.requests++;
    if (fault_state.fail_at >= 0 &&
        (k == fault_state.fail_at || (fault_state.sticky && k > fault_state.fail_at)))
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        fault_state.live++;
    return q;
}

static inline void fault_arm_mode(long fail_at, bool sticky)
{
    fault_state.fail_at = fail_at;
    fault_state.sticky = sticky;
    fault_state.requests = 0;
    fault_state.live = 0;
    pk_set_allocator(fault_alloc, NULL);
}

static inline void fault_arm(long fail_at) { fault_arm_mode(fail_at, false); }
static inline void fault_arm_from(long fail_at) { fault_arm_mode(fail_at, true); }
static inline void fault_disarm(void) { pk_set_allocator(NULL, NULL); }
static inline long fault_requests(void) { return fault_state.requests; }
static inline long fault_live(void) { return fault_state.live; }

#endif
