/* perfkit/lazy.h — a lazily initialised value: the first caller runs the
 * init function, every other caller (concurrent or later) gets its result.
 *
 *   static pk_lazy tz = PK_LAZY_INIT;
 *   static pk_err load_tz(void *arg, void **value) { *value = parse_tzdata(arg); ... }
 *   void *db;
 *   pk_err e = pk_lazy_get(&tz, load_tz, "/usr/share/zoneinfo", &db);
 *
 * Fast path: once the value is ready, pk_lazy_get is one acquire load, one
 * predictable branch and a load of the value (inline; 0.8-1.4 ns here against
 * 1.1-2.9 ns for pthread_once, bench/rt_startup.sh). The slow path
 * (pk__lazy_slow) claims the value with a compare-and-swap; the winner runs
 * init outside any lock, the others sleep on a futex on the state word until
 * it finishes (Linux), then all read the same outcome.
 *
 * Errors. When init returns an error, every caller that was waiting for that
 * attempt gets the same error (and *out NULL). What later callers get is the
 * retry policy, chosen per call:
 *  - pk_lazy_get: errors are sticky. init runs at most once per pk_lazy;
 *    every caller, forever (until pk_lazy_reset), gets the first attempt's
 *    error. For things that cannot get better (a missing config file).
 *  - pk_lazy_get_retry: a failed attempt is retried by the next caller that
 *    arrives after it ended; callers that were waiting on the failed attempt
 *    get its error, not a second attempt (no retry storm). A caller that
 *    slept through several failed attempts gets the latest one's error. For
 *    transient failures (a server not up yet).
 * The same pk_lazy may be used with both; the policy is that of the call.
 * The error code is kept in the state word: init must return a pk_err
 * (0..255); PK_OK means success, anything else failure.
 *
 * Recursion: init calling pk_lazy_get on the same pk_lazy would wait for
 * itself; it gets PK_EBUSY instead.
 *
 * Thread-safety: pk_lazy_get and pk_lazy_get_retry from any threads at
 * once. pk_lazy_reset only when no other call on the same pk_lazy runs.
 * Memory: pk_lazy allocates nothing; the value is the caller's (init
 * creates it, pk_lazy_reset hands it to a destroy function). */
#ifndef PERFKIT_LAZY_H
#define PERFKIT_LAZY_H

#include <stddef.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* Creates the value: on PK_OK *value is it (may be NULL). Any other code is
 * a failure; *value is then ignored. */
typedef pk_err (*pk_lazy_fn)(void *arg, void **value);

/* Caller-owned; static storage or any memory initialised with PK_LAZY_INIT
 * (or pk_lazy_init). Fields are private. */
typedef struct pk_lazy {
    unsigned state;            /* atomic: [attempt:22][err:8][phase:2] */
    void *value;               /* written before phase READY (release) */
    const void *owner;         /* thread running init (relaxed), for PK_EBUSY */
} pk_lazy;

#define PK_LAZY_INIT { 0u, NULL, NULL }

void pk_lazy_init(pk_lazy *l);

/* internal: the slow path of the inline functions below. */
pk_err pk__lazy_slow(pk_lazy *l, pk_lazy_fn init, void *arg, void **out, int retry);

/* The value, initialising it on first use with init(arg). On PK_OK *out is
 * the value (the same for every caller). Errors: init's error (sticky, see
 * the top), PK_EBUSY (called from inside this pk_lazy's own init),
 * PK_EINVAL (NULL l, init or out). */
static inline pk_err pk_lazy_get(pk_lazy *l, pk_lazy_fn init, void *arg, void **out)
{
    if (__builtin_expect(l && out && (__atomic_load_n(&l->state, __ATOMIC_ACQUIRE) & 3u) == 2u, 1)) {
        *out = l->value;
        return PK_OK;
    }
    return pk__lazy_slow(l, init, arg, out, 0);
}

/* As pk_lazy_get, but a failed attempt is retried by the next call (see the
 * top). Errors: as pk_lazy_get. */
static inline pk_err pk_lazy_get_retry(pk_lazy *l, pk_lazy_fn init, void *arg, void **out)
{
    if (__builtin_expect(l && out && (__atomic_load_n(&l->state, __ATOMIC_ACQUIRE) & 3u) == 2u, 1)) {
        *out = l->value;
        return PK_OK;
    }
    return pk__lazy_slow(l, init, arg, out, 1);
}

/* Whether the value is ready (one acquire load; thread-safe). */
static inline int pk_lazy_ready(const pk_lazy *l)
{
    return l && (__atomic_load_n(&l->state, __ATOMIC_ACQUIRE) & 3u) == 2u;
}

/* Back to the uninitialised state; if a value was ready and destroy is not
 * NULL, destroy(value) is called first. Not concurrent with any other call
 * on l (the caller's quiescent point). NULL l is a no-op. */
void pk_lazy_reset(pk_lazy *l, void (*destroy)(void *value));

PK_END_DECLS
#endif
