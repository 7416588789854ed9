/* lazy.c — pk_lazy's slow path: claim, run init once, publish, wake.
 *
 * The whole state is one 32-bit word: phase (empty, running, ready, failed)
 * in bits 0-1, the last failure's pk_err in bits 2-9, the attempt number in
 * bits 10-31. A caller claims an empty (or, with the retry policy, failed)
 * value by a compare-and-swap to "running, attempt + 1"; the failure code
 * stays in the word while a retry runs, so a caller that waited on the
 * failed attempt still reads its error after the next attempt has begun.
 * The winner runs init with no lock held, stores the value and then the new
 * word with release order, and wakes the futex; the others sleep on the word
 * (FUTEX_WAIT_PRIVATE compares it first, so no wake-up is lost) and re-read
 * it with acquire order. Ready is final until pk_lazy_reset.
 * Reference: futex(2); Drepper, "Futexes Are Tricky" (2011). */
#include "perfkit/lazy.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { EMPTY = 0u, RUNNING = 1u, READY = 2u, FAILED = 3u };

#define PHASE(s) ((s) & 3u)
#define ERRC(s) ((pk_err)(((s) >> 2) & 0xFFu))
#define ATTEMPT(s) ((s) >> 10)

static _Thread_local char self_mark;

void pk_lazy_init(pk_lazy *l)
{
    if (!l)
        return;
    __atomic_store_n(&l->state, 0u, __ATOMIC_RELAXED);
    l->value = NULL;
    __atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
}

static void futex_wait(unsigned *w, unsigned expect)
{
    (void)syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, expect, NULL, NULL, 0);
}

static void futex_wake_all(unsigned *w)
{
    (void)syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}

/* Run init as attempt `attempt` (the word is ours: "running"). */
static pk_err run_init(pk_lazy *l, unsigned attempt, pk_lazy_fn init, void *arg, void **out)
{
    void *v = NULL;
    __atomic_store_n(&l->owner, (const void *)&self_mark, __ATOMIC_RELAXED);
    pk_err e = init(arg, &v);
    __atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
    unsigned word;
    if (e == PK_OK) {
        l->value = v;
        word = (attempt << 10) | READY;
        *out = v;
    } else {
        unsigned code = (unsigned)e & 0xFFu;
        if (code == 0)
            code = PK_EFAIL;   /* an out-of-range code must still read as an error */
        e = (pk_err)code;
        word = (attempt << 10) | (code << 2) | FAILED;
    }
    __atomic_store_n(&l->state, word, __ATOMIC_RELEASE);
    futex_wake_all(&l->state);
    return e;
}

pk_err pk__lazy_slow(pk_lazy *l, pk_lazy_fn init, void *arg, void **out, int retry)
{
    if (out)
        *out = NULL;
    if (!l || !init || !out)
        return PK_EINVAL;
    int waited = 0;            /* this call slept on attempt `seen` */
    unsigned seen = 0;
    unsigned s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    for (;;) {
        unsigned ph = PHASE(s);
        if (ph == READY) {
            *out = l->value;
            return PK_OK;
        }
        if (ph == FAILED && (!retry || waited))
            return ERRC(s);
        if (ph == EMPTY || ph == FAILED) {   /* claim: a first attempt or a retry */
            unsigned next = (((ATTEMPT(s) + 1) & 0x3FFFFFu) << 10) | (s & (0xFFu << 2)) | RUNNING;
            if (__atomic_compare_exchange_n(&l->state, &s, next, 0, __ATOMIC_ACQUIRE,
                                            __ATOMIC_ACQUIRE))
                return run_init(l, ATTEMPT(next), init, arg, out);
            continue;   /* s holds the new word */
        }
        /* RUNNING */
        if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == (const void *)&self_mark)
            return PK_EBUSY;
        if (waited && ATTEMPT(s) != seen)
            return ERRC(s);   /* our attempt failed and a retry has begun */
        waited = 1;
        seen = ATTEMPT(s);
        futex_wait(&l->state, s);
        s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    }
}

void pk_lazy_reset(pk_lazy *l, void (*destroy)(void *value))
{
    if (!l)
        return;
    unsigned s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    if (PHASE(s) == READY && destroy)
        destroy(l->value);
    pk_lazy_init(l);
}
