/* perfkit/workers.h — a work-stealing worker pool: fixed or dynamic size,
 * intrusive tasks (no allocation per task), futures, groups, cancellation,
 * statistics on /metrics; and a parallel file reader built on it.
 *
 *   typedef struct job { pk_task task; const double *x; size_t n; double sum; } job;
 *   static void run(pk_task *t) { job *j = PK_TASK_OWNER(t, job, task); ... j->sum = ...; }
 *
 *   pk_workers_opts o;  pk_workers_opts_init(&o);          // one thread per CPU
 *   pk_workers *w;  pk_workers_new(&o, &w);
 *   job jobs[64];  pk_workers_group g;  pk_workers_group_init(&g);
 *   for (int i = 0; i < 64; i++) {
 *       pk_task_init(&jobs[i].task, run);                  // ... and the job's fields
 *       pk_workers_submit(w, &g, &jobs[i].task);
 *   }
 *   pk_workers_wait_all(w, &g);                            // every job ran (or was cancelled)
 *   pk_workers_free(w);
 *
 * Tasks. A pk_task is a node the caller embeds in its own structure (the
 * function to run and the pool's links live in it), so submitting never
 * allocates. The node must stay valid, and must not be submitted again,
 * until the pool is done with it: pk_workers_wait on it returned, or
 * pk_workers_wait_all on its group returned. A done node may be submitted
 * again (pk_task_init is not needed again; the function may be changed with
 * pk_task_init).
 *
 * Scheduling. Each worker owns a Chase-Lev deque (Chase & Lev, SPAA 2005;
 * the C11 formulation of Lê et al., PPoPP 2013) with a fixed capacity: a task
 * submitted from inside a task goes to the bottom of the running worker's
 * deque, the worker takes from the bottom (LIFO, cache-warm), idle workers
 * steal from the top of the others' deques (FIFO). Tasks submitted from
 * other threads go on a lock-free injection stack (one compare-and-swap); a
 * worker that finds its deque empty takes the whole stack at once, moves it
 * into its deque (others steal from there) and runs the oldest. No order
 * between tasks is guaranteed; use groups (or chains of submits) for order.
 *
 * Idling. A worker without work spins (pause instructions and steal
 * attempts, yielding its CPU between rounds) for spin_us, then parks on a
 * futex. A submit wakes one parked worker when there is one (and costs a
 * single shared load when none is parked); a woken worker that finds more
 * work than the task it takes wakes the next. A dynamic pool (max_threads >
 * min_threads) starts min_threads workers and starts another (up to
 * max_threads) when a task is submitted while no worker is idle, or when a
 * worker sees tasks queued behind the one it takes and none is idle or
 * parked; a worker parked for idle_ms without work exits while more than
 * min_threads run.
 *
 * Thread-safety: every function may be called from any thread, concurrently,
 * including from inside running tasks, except pk_workers_new,
 * pk_workers_free and pk_workers_register_metrics (see each). A task's
 * function runs on a worker thread. Errors: pk_err (PK_EINVAL, PK_ENOMEM,
 * PK_EIO, PK_EBUSY, PK_EINTR, PK_ENOENT, PK_EPERM, PK_ERANGE). */
#ifndef PERFKIT_WORKERS_H
#define PERFKIT_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

typedef struct pk_workers pk_workers;
typedef struct pk_task pk_task;
typedef struct pk_workers_group pk_workers_group;

/* A task's function: runs once on a worker thread with the submitted node.
 * It may submit more tasks, wait for others (the waiting worker runs other
 * tasks meanwhile), and poll pk_task_cancelled(t). */
typedef void (*pk_task_fn)(pk_task *t);

/* The intrusive task node. Its fields are the pool's: set them only through
 * pk_task_init; read the outcome with pk_workers_wait / pk_task_cancelled.
 * (Plain types, so that the header also compiles as C++; the library
 * accesses the shared words with atomic operations.) */
struct pk_task {
    pk_task_fn fn;
    pk_task *next;                 /* injection stack link */
    pk_workers_group *group;       /* NULL: none */
    uint32_t state;                /* accessed atomically (lib/rt/workers_int.h) */
    uint32_t pad_;
};

/* The structure that holds member `member` (a pk_task) at t. */
#define PK_TASK_OWNER(t, type, member) ((type *)(void *)((char *)(t) - offsetof(type, member)))

/* A set of tasks to wait for together (wait_all) and to cancel together.
 * Caller-owned (embed it or put it on the stack); init before use; it must
 * outlive the wait_all that ends its use. Any number of tasks; reusable once
 * wait_all returned. */
struct pk_workers_group {
    uint32_t word;                 /* 2 x pending tasks | a waiter is parked */
    uint32_t cancelled;            /* pk_workers_group_cancel was called */
    uint32_t dropped;              /* tasks dropped as cancelled since init; read it
                                    * after pk_workers_wait_all returned */
};

/* Options; defaults from pk_workers_opts_init in brackets. */
typedef struct pk_workers_opts {
    unsigned min_threads;      /* [0: the CPU count (sched_getaffinity), at most 256] */
    unsigned max_threads;      /* [0: = min_threads, a fixed pool]; >= min_threads, <= 256 */
    unsigned spin_us;          /* [50] spin this long without work before parking */
    unsigned idle_ms;          /* [2000] a dynamic pool's worker parked this long exits
                                * (while more than min_threads run); >= 1 */
    unsigned deque_capacity;   /* [4096] tasks per worker deque, a power of two >= 16;
                                * a submit into a full deque goes to the injection stack */
} pk_workers_opts;

void pk_workers_opts_init(pk_workers_opts *o);

/* On PK_OK *out owns a new pool with min_threads started workers (free with
 * pk_workers_free). Allocates max_threads deques at once; later calls
 * allocate nothing except a worker's thread stack when a dynamic pool
 * grows. Errors: PK_EINVAL (NULL out, max < min, max > 256, idle_ms 0,
 * deque_capacity not a power of two >= 16), PK_ENOMEM, PK_EIO (a thread
 * could not be started). On error *out is NULL and nothing leaks. */
pk_err pk_workers_new(const pk_workers_opts *o, pk_workers **out);

/* Run every task already submitted (and those they submit), then stop and
 * join the workers and free the pool. No submit from outside the pool's
 * tasks may run concurrently or follow. Must not be called from a task.
 * NULL is a no-op. */
void pk_workers_free(pk_workers *w);

/* Set t's function (and clear its outcome); call once per node before its
 * first submit. Not while t is queued or running. */
void pk_task_init(pk_task *t, pk_task_fn fn);

/* Queue t (in group g, or none when g is NULL) to run once on a worker. From
 * inside one of w's tasks the node goes to the running worker's deque, from
 * elsewhere to the injection stack; wakes a parked worker when one is
 * parked, grows a dynamic pool when no worker is idle. Never allocates
 * (growing starts a thread). Errors: PK_EINVAL (NULL w or t, no function),
 * PK_EBUSY (t is queued or running). */
pk_err pk_workers_submit(pk_workers *w, pk_workers_group *g, pk_task *t);

/* pk_workers_submit of ts[0..n) into g with one group update and, from
 * outside the pool, one push of the chain onto the injection stack.
 * Errors: as pk_workers_submit (for the first bad node; nothing is queued);
 * a node that appears twice in ts is PK_EBUSY. */
pk_err pk_workers_submit_batch(pk_workers *w, pk_workers_group *g, pk_task *const *ts, size_t n);

/* The future: wait until t ran or was dropped as cancelled. PK_OK: its
 * function ran to the end; PK_EINTR: it was cancelled before it started (its
 * function never ran); PK_EINVAL: NULL, or t was never submitted. From a
 * task of w the worker runs other tasks while it waits; elsewhere the
 * caller spins briefly, then sleeps on a futex. Returns at once for a done
 * node. */
pk_err pk_workers_wait(pk_workers *w, pk_task *t);

/* Wait until every task submitted into g has finished (ran or was dropped
 * as cancelled), helping as pk_workers_wait does. PK_OK when none of them
 * was cancelled, else PK_EINTR; PK_EINVAL for NULL arguments. The count of
 * cancellations is g's since its init. */
pk_err pk_workers_wait_all(pk_workers *w, pk_workers_group *g);

/* Zero g (no pending task, not cancelled). Not while g has pending tasks. */
void pk_workers_group_init(pk_workers_group *g);

/* Cancel t if it has not started: true when this call cancelled it (its
 * function will never run; the pool still drops the node later, so wait
 * for it before reusing or freeing it), false when it had already started,
 * finished or been cancelled. A running task sees it in pk_task_cancelled. */
bool pk_workers_cancel(pk_task *t);

/* Cancel every task of g that has not started yet (dropped when a worker
 * reaches it) and every task later submitted into g, until the next
 * pk_workers_group_init; running tasks see pk_task_cancelled(t) turn true. */
void pk_workers_group_cancel(pk_workers_group *g);

/* Whether t (or its group) was cancelled: for long tasks to poll and stop
 * early. */
bool pk_task_cancelled(const pk_task *t);

/* Whether the calling thread is one of w's workers (for w NULL: of any pool). */
bool pk_workers_on_worker(const pk_workers *w);

typedef struct pk_workers_stats {
    unsigned threads;          /* workers running now */
    unsigned idle;             /* of which spinning or parked (no task) */
    unsigned parked;           /* of which parked on the futex */
    unsigned min_threads, max_threads;
    uint64_t submitted;        /* tasks submitted since creation */
    uint64_t run;              /* tasks whose function ran */
    uint64_t cancelled;        /* tasks dropped as cancelled */
    uint64_t queue_depth;      /* submitted - run - cancelled - running: queued now */
    uint64_t steals;           /* tasks taken from another worker's deque */
    uint64_t parks, wakes;     /* futex sleeps; sleeps ended by a submit's wake */
    uint64_t started, retired; /* worker threads started (min_threads included) / exited early */
    double utilisation;        /* 1 - idle time / thread time, over the pool's life */
} pk_workers_stats;

/* A snapshot, summed from the workers' own counters without stopping them
 * (each worker's are current to its last finished task; exact when the pool
 * is quiet, e.g. for the tasks of a group after pk_workers_wait_all).
 * Errors: PK_EINVAL (NULL argument). */
pk_err pk_workers_stats_get(pk_workers *w, pk_workers_stats *out);

/* Export w's statistics into r, one call: counters <name>_tasks_total (run),
 * <name>_submitted_total, <name>_cancelled_total, <name>_steals_total,
 * <name>_parks_total, <name>_wakes_total, gauges <name>_threads,
 * <name>_idle_threads, <name>_queue_depth and <name>_utilisation. Counters
 * and gauges are refreshed whenever a worker goes idle, every 256 tasks of a
 * worker, and on pk_workers_stats_get. Call after pk_workers_new and before
 * the first submit; once per pool; r must outlive w. Errors: PK_EINVAL (NULL
 * argument, a bad or taken name, already registered), PK_ENOMEM — on error
 * some of the families may already be in r. */
pk_err pk_workers_register_metrics(pk_workers *w, pk_metrics_registry *r, const char *name);

/* ---- parallel file reading ---------------------------------------------------------- */

/* One file's outcome. data (NUL-terminated, not counted in len) is the
 * caller's after pk_workers_read_files: free each with pk_free, or all with
 * pk_workers_read_results_free. */
typedef struct pk_read_result {
    char *data;                /* NULL on error */
    size_t len;
    pk_err err;                /* PK_OK, PK_ENOENT, PK_EPERM, PK_EIO (not a regular
                                * file, read error), PK_ERANGE (over max_bytes),
                                * PK_ENOMEM */
    int sys_errno;             /* errno of the failed call, 0 otherwise */
} pk_read_result;

/* Read the files paths[0..n) on w's workers, at most max_inflight at once
 * (0: the pool's max_threads), into out[0..n) in input order: out[i] is
 * paths[i]'s content or error. Returns when all are done. A file longer than
 * max_bytes (0: no limit) fails alone with PK_ERANGE. Allocates one block for
 * the call plus each file's buffer. Callable from a task of w (the worker
 * helps). Errors: PK_EINVAL (NULL w, paths or out with n > 0, a NULL path),
 * PK_ENOMEM (the call's block; nothing read): per-file errors are in out and
 * the call still returns PK_OK. */
pk_err pk_workers_read_files(pk_workers *w, const char *const *paths, size_t n,
                             size_t max_inflight, size_t max_bytes, pk_read_result *out);

/* pk_free every out[i].data and set it NULL. */
void pk_workers_read_results_free(pk_read_result *out, size_t n);

PK_END_DECLS
#endif
