/* rt/workers_int.h — the worker pool's insides, shared by workers*.c.
 *
 * The pool is an array of max_threads worker slots (each a Chase-Lev deque
 * plus the counters its thread owns), a lock-free injection stack for
 * tasks submitted from outside, and an event count (epoch futex + parked
 * count) for parking. The deque follows Lê, Pop, Cohen, Zappa Nardelli,
 * "Correct and efficient work-stealing for weak memory models" (PPoPP 2013)
 * with a fixed-size ring and seq_cst accesses to top and bottom in place of
 * their fences (ThreadSanitizer models those; on x86 it is the same xchg). */
#ifndef PK_RT_WORKERS_INT_H
#define PK_RT_WORKERS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "perfkit/workers.h"

/* pk_task.state: the low byte is the state, PK__TS_WAITER says a waiter
 * sleeps on the word. */
enum {
    PK__TS_IDLE = 0,       /* never submitted */
    PK__TS_QUEUED = 1,
    PK__TS_RUNNING = 2,
    PK__TS_DONE = 3,       /* its function ran */
    PK__TS_CANCELLED = 4,  /* cancelled while queued; still in a queue */
    PK__TS_DROPPED = 5,    /* a worker took it off the queue without running it */
    PK__TS_MASK = 0xff,
    PK__TS_WAITER = 0x100,
    PK__TS_CANCEL_REQ = 0x200, /* pk_workers_cancel on a running task */
};

enum { PK__SLOT_FREE = 0, PK__SLOT_RUNNING = 1, PK__SLOT_EXITED = 2 };

#define PK__WK_CELLS 16     /* counters of submits from outside the pool */
#define PK__WK_FLUSH 256    /* tasks between a worker's metric flushes */

typedef struct pk__wk_deque {
    _Atomic int64_t top;
    char pad0[56];
    _Atomic int64_t bottom;
    char pad1[56];
    _Atomic(pk_task *) *buf;
    int64_t mask;
} pk__wk_deque;

typedef struct pk__wk_metrics {
    pk_metrics_counter *run, *submitted, *cancelled, *steals, *parks, *wakes;
    pk_metrics_gauge *threads, *idle, *depth, *util;
} pk__wk_metrics;

/* The counters a worker flushed to the metrics last. */
typedef struct pk__wk_flushed {
    uint64_t run, sub, cancelled, steals, parks, wakes;
} pk__wk_flushed;

typedef struct pk__worker {
    pk__wk_deque dq;
    pk_workers *pool;
    pthread_t th;
    _Atomic int slot;              /* PK__SLOT_* */
    unsigned idx;
    uint64_t rng;
    /* written by the owning thread only; read relaxed by stats */
    _Atomic uint64_t run, sub, cancelled, steals, parks, wakes;
    _Atomic int64_t idle_ns, alive_ns, started_ns;   /* started_ns 0: not running */
    _Atomic int64_t idle_since;    /* 0: busy */
    /* deferred group decrements: n tasks of group g finished */
    pk_workers_group *dg;
    uint32_t dn;
    unsigned since_flush;
    int more;                      /* the last steal left tasks behind */
    pk__wk_flushed fl;
    char pad[64];
} pk__worker;

typedef struct pk__wk_cell {
    _Atomic uint64_t n;
    char pad[56];
} pk__wk_cell;

struct pk_workers {
    pk_workers_opts o;
    pk__worker *ws;                /* [o.max_threads] */
    char pad0[48];
    _Atomic(pk_task *) inject;     /* the injection stack (newest first) */
    char pad1[56];
    _Atomic uint32_t epoch;        /* futex: bumped by every wake */
    _Atomic int nparked;
    _Atomic int nidle;
    _Atomic int waking;            /* a wake is in flight (after_push) */
    char pad2[48];
    _Atomic unsigned nthreads;
    _Atomic unsigned hi;           /* slots ever used: stealing scans [0, hi) */
    _Atomic int stop;
    _Atomic uint64_t started, retired;
    pthread_mutex_t grow_mu;
    int64_t spin_ns;
    _Atomic(pk__wk_metrics *) m;   /* set once by pk_workers_register_metrics */
    pk__wk_flushed ext_fl;         /* outside submits flushed (under m_mu) */
    pthread_mutex_t m_mu;
    pk__wk_cell cells[PK__WK_CELLS];
};

/* The public structs' shared words, as atomics (same size and alignment as
 * uint32_t on every ABI GCC and Clang support; workers.h keeps them plain
 * so that it compiles as C++). */
#define PK__A32(p) ((_Atomic uint32_t *)(void *)(p))

/* ---- the deque (owner: push, take; anyone: steal) ------------------------------ */

static inline int pk__dq_push(pk__wk_deque *q, pk_task *t)
{
    int64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed);
    int64_t tp = atomic_load_explicit(&q->top, memory_order_acquire);
    if (b - tp > q->mask)
        return 0;
    atomic_store_explicit(&q->buf[b & q->mask], t, memory_order_relaxed);
    atomic_store_explicit(&q->bottom, b + 1, memory_order_seq_cst);
    return 1;
}

static inline pk_task *pk__dq_take(pk__wk_deque *q)
{
    int64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed) - 1;
    atomic_store_explicit(&q->bottom, b, memory_order_seq_cst);
    int64_t tp = atomic_load_explicit(&q->top, memory_order_seq_cst);
    if (tp > b) {
        atomic_store_explicit(&q->bottom, b + 1, memory_order_relaxed);
        return NULL;
    }
    pk_task *t = atomic_load_explicit(&q->buf[b & q->mask], memory_order_relaxed);
    if (tp == b) {
        if (!atomic_compare_exchange_strong_explicit(&q->top, &tp, tp + 1, memory_order_seq_cst,
                                                     memory_order_relaxed))
            t = NULL;
        atomic_store_explicit(&q->bottom, b + 1, memory_order_relaxed);
    }
    return t;
}

/* NULL when empty or when another thief won the race (*lost set). */
static inline pk_task *pk__dq_steal(pk__wk_deque *q, int *lost)
{
    int64_t tp = atomic_load_explicit(&q->top, memory_order_seq_cst);
    int64_t b = atomic_load_explicit(&q->bottom, memory_order_seq_cst);
    if (tp >= b)
        return NULL;
    pk_task *t = atomic_load_explicit(&q->buf[tp & q->mask], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&q->top, &tp, tp + 1, memory_order_seq_cst,
                                                 memory_order_relaxed)) {
        *lost = 1;
        return NULL;
    }
    return t;
}

static inline int64_t pk__dq_size(pk__wk_deque *q)
{
    int64_t n = atomic_load_explicit(&q->bottom, memory_order_relaxed) -
                atomic_load_explicit(&q->top, memory_order_relaxed);
    return n > 0 ? n : 0;
}

static inline pk__wk_metrics *pk__wk_m(pk_workers *w)
{
    return atomic_load_explicit(&w->m, memory_order_acquire);
}

/* ---- shared between the files ------------------------------------------------------ */

/* The calling thread's worker (NULL outside every pool). */
pk__worker *pk__workers_self(void);
/* Flush w's deferred group decrements and counters to the metrics. */
void pk__workers_flush(pk__worker *me);
/* Push the worker's counters to the registered metrics (m set). */
void pk__workers_metrics_flush(pk_workers *w, pk__worker *me, int gauges);
/* Futex wait on *addr while it equals val (timeout_ms < 0: none); returns
 * 0 (woken), or an errno (EAGAIN, ETIMEDOUT, EINTR). */
int pk__workers_futex_wait(_Atomic uint32_t *addr, uint32_t val, int timeout_ms);
void pk__workers_futex_wake(_Atomic uint32_t *addr, int n);

#endif
