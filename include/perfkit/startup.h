/* perfkit/startup.h — a startup graph: init steps with dependencies, run in
 * parallel in dependency order, with per-step timeouts, fail-fast
 * cancellation, cycle detection and a report (per-step times, critical path,
 * Chrome trace through lib/trace, optional metrics).
 *
 *   pk_startup *g;  pk_startup_new(NULL, &g);            // width 2 threads
 *   pk_startup_id cfg, db, http;
 *   pk_startup_add(g, "config", load_config, &app, &cfg);
 *   pk_startup_add(g, "db", open_db, &app, &db);
 *   pk_startup_add(g, "http", start_http, &app, &http);
 *   pk_startup_depends(g, db, "config");                 // by name (may come later)
 *   pk_startup_depends_id(g, http, db);                  // or by handle
 *   pk_startup_set_timeout(g, db, 2 * PK_STARTUP_SECOND);
 *   pk_err e = pk_startup_run(g);                        // PK_OK: every step succeeded
 *   if (e != PK_OK) ... pk_startup_last_error(g) ...     // "step `db` timed out after 2 s"
 *   pk_startup_write_report(g, f);                       // table + critical path
 *   pk_startup_free(g);
 *
 * Scheduling. pk_startup_run first resolves every dependency name and checks
 * the graph (unknown names and cycles are reported without running a step),
 * then starts `width` runner threads (pthreads of its own) and runs Kahn's
 * algorithm: each step has an atomic count of unfinished dependencies; a
 * step whose count reaches 0 goes to a ready queue, ordered by the longest
 * chain of cost hints (pk_startup_set_cost; 1 per step by default) from it to
 * the end of the graph, ties by registration order. So with width 1 the
 * steps run in a deterministic topological order.
 *
 * Failures. A step fails when its function returns an error; it times out
 * when it runs longer than its timeout. Either way every step that depends
 * on it (transitively) is cancelled (never started) and, with
 * opts.cancel_all, so is every step not yet started (and the running ones see
 * pk_startup_cancelled(): one that then returns an error is reported failed,
 * one that returns PK_OK succeeded). Steps that do not depend on it keep
 * running (default) — a service can start its admin endpoint even if its
 * database is down.
 *
 * Timeouts and the overrunning thread. C cannot stop a thread safely, so a
 * step that passes its deadline is reported as timed out at the deadline,
 * its dependants are cancelled, pk_startup_cancelled() turns true for it
 * (a step that may block should poll it and return), and a replacement
 * runner thread is started so the width stays. The overrunning thread keeps
 * running the step's function until it returns; its result is then ignored
 * and the thread exits. pk_startup_run does not wait for it; the graph's
 * memory lives until both pk_startup_free and that thread are done (the
 * last one frees it), but the step's arg must stay valid until its function
 * returns (pk_startup_stragglers() says how many are still inside one). A
 * step that returns after its deadline without having been caught (the
 * supervisor polls a replaced clock every ms) is reported as timed out all
 * the same: the status depends only on start, end and timeout.
 *
 * Tracing. While lib/trace is recording (pk_trace_start), each step is a span
 * named after it on the runner thread that ran it, failures and timeouts are
 * instants ("db: timed out"), and the runner threads are named
 * "startup-<n>": pk_trace_write_chrome then shows the startup in Perfetto.
 * The names are the graph's copies: export the trace before
 * pk_startup_free.
 *
 * Thread-safety: a graph is built and run by one thread (pk_startup_add...,
 * pk_startup_run, the report calls, pk_startup_free: not concurrently with
 * each other). Step functions run on the runner threads, several at once;
 * pk_startup_cancelled may be called from them. Errors: pk_err, with a
 * message per graph (pk_startup_last_error). */
#ifndef PERFKIT_STARTUP_H
#define PERFKIT_STARTUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

typedef struct pk_startup pk_startup;
/* What a step's function gets besides its arg (borrowed for the call). */
typedef struct pk_startup_ctx pk_startup_ctx;
/* A step's handle: its registration index, 0, 1, 2... */
typedef uint32_t pk_startup_id;

#define PK_STARTUP_SECOND INT64_C(1000000000)   /* nanoseconds */

/* A step: returns PK_OK on success, any other code is a failure (recorded
 * as the step's err). Runs on a runner thread; may call
 * pk_startup_cancelled(ctx) and pk_startup_fail(ctx, ...). */
typedef pk_err (*pk_startup_fn)(void *arg, pk_startup_ctx *ctx);

/* Options; defaults from pk_startup_opts_init in brackets. */
typedef struct pk_startup_opts {
    unsigned width;            /* [2] runner threads, 1..256 */
    int64_t timeout_ns;        /* [0: none] default timeout of every step, >= 0 */
    bool cancel_all;           /* [false] a failure or timeout cancels every step
                                * not yet started, not only its dependants */
    int64_t (*clock_ns)(void *ud); /* [NULL: CLOCK_MONOTONIC through lib/core's
                                * replaceable clock] the time source of the report
                                * and the timeouts; tests pass a fake clock */
    void *clock_ud;            /* passed to clock_ns */
} pk_startup_opts;

void pk_startup_opts_init(pk_startup_opts *o);

/* On PK_OK *out owns a new empty graph (free with pk_startup_free); o NULL
 * means defaults. Errors: PK_EINVAL (NULL out, width 0 or > 256, negative
 * timeout), PK_ENOMEM. On error *out is NULL. */
pk_err pk_startup_new(const pk_startup_opts *o, pk_startup **out);

/* Release g. If a timed-out step's thread is still inside its function, the
 * memory is freed when that thread returns (see the top); arg pointers are
 * the caller's. NULL is a no-op. Not during pk_startup_run. */
void pk_startup_free(pk_startup *g);

/* Register a step named name (copied; non-empty, unique in g) running
 * fn(arg, ctx). *id (may be NULL) gets its handle. Before pk_startup_run only.
 * Errors: PK_EINVAL (NULL g/name/fn, empty or duplicate name, graph already
 * run), PK_ERANGE (2^31 steps), PK_ENOMEM. */
pk_err pk_startup_add(pk_startup *g, const char *name, pk_startup_fn fn, void *arg,
                      pk_startup_id *id);

/* Step `step` runs only after the step named dep (copied; resolved at
 * pk_startup_run, so it may be registered later) has succeeded.
 * Errors: PK_EINVAL (NULL g/dep, unknown step id, graph already run), PK_ENOMEM. */
pk_err pk_startup_depends(pk_startup *g, pk_startup_id step, const char *dep);
/* The same by handle. Errors: PK_EINVAL (unknown ids, already run), PK_ENOMEM. */
pk_err pk_startup_depends_id(pk_startup *g, pk_startup_id step, pk_startup_id dep);

/* The step's timeout: it is timed out when it runs longer than timeout_ns
 * (0: never; overrides opts.timeout_ns). Errors: PK_EINVAL (unknown id,
 * negative, already run). */
pk_err pk_startup_set_timeout(pk_startup *g, pk_startup_id step, int64_t timeout_ns);
/* A hint of the step's cost in any unit (default 1): only orders the ready
 * queue (longest remaining chain of costs first). Errors: PK_EINVAL (unknown
 * id, negative, already run). */
pk_err pk_startup_set_cost(pk_startup *g, pk_startup_id step, double cost);

/* Run every step once, in parallel in dependency order, and return when
 * each step has succeeded, failed, timed out or been cancelled (not waiting
 * for the threads of timed-out steps). Once per graph.
 * Errors: PK_EINVAL (NULL g, already run, a dependency on an unknown step —
 * "step `http` depends on unknown step `dbb`" — or a cycle, reported as the
 * path of "depends on" edges starting at its earliest-registered step:
 * "dependency cycle: a -> b -> c -> a"; no step runs then); PK_EFAIL (a step
 * failed), PK_ETIMEDOUT (a step timed out): the earlier of the two in time
 * decides, pk_startup_last_error names the step; PK_ENOMEM or PK_EIO (no
 * runner thread could be started: no step runs). An empty graph is PK_OK. */
pk_err pk_startup_run(pk_startup *g);

/* The message of g's last error ("" if none). Borrowed: valid until the next
 * call on g. Never NULL (NULL g gives ""). */
const char *pk_startup_last_error(const pk_startup *g);

/* ---- inside a step ---------------------------------------------------------- */

/* True once the step has been timed out or, with opts.cancel_all, another
 * step failed: the step should return soon (its result is ignored after a
 * timeout). One relaxed atomic load; thread-safe. */
bool pk_startup_cancelled(const pk_startup_ctx *ctx);
/* Attach a message to the step's failure (copied, at most 255 bytes; the
 * last call wins); shown in the report and in pk_startup_last_error. */
void pk_startup_fail(pk_startup_ctx *ctx, const char *msg);
/* The running step's name (borrowed from the graph). */
const char *pk_startup_step_name(const pk_startup_ctx *ctx);

/* ---- the report (after pk_startup_run) ------------------------------------- */

typedef enum pk_startup_status {
    PK_STARTUP_PENDING = 0,    /* not run: the graph was not run or was invalid */
    PK_STARTUP_OK = 1,         /* its function returned PK_OK in time */
    PK_STARTUP_FAILED = 2,     /* its function returned an error */
    PK_STARTUP_TIMEDOUT = 3,   /* it ran past its timeout */
    PK_STARTUP_CANCELLED = 4,  /* never started: a dependency (or, with
                                * cancel_all, any step) failed or timed out */
} pk_startup_status;

/* "pending", "ok", "failed", "timed out", "cancelled"; never NULL. */
const char *pk_startup_status_name(pk_startup_status s);

typedef struct pk_startup_step_info {
    const char *name;          /* borrowed from g */
    pk_startup_status status;
    pk_err err;                /* the function's result (PK_ETIMEDOUT after a
                                * timeout, PK_EINTR when cancelled) */
    const char *message;       /* from pk_startup_fail, else ""; borrowed */
    int64_t start_ns, end_ns;  /* since the run's start; -1 when never started.
                                * end of a timed-out step: its deadline */
    int64_t duration_ns;       /* end - start, 0 when never started */
    unsigned runner;           /* runner thread index that ran it */
    bool critical;             /* on the critical path */
} pk_startup_step_info;

typedef struct pk_startup_summary {
    size_t steps, ok, failed, timed_out, cancelled;
    int64_t wall_ns;           /* run start to the last step's end */
    int64_t busy_ns;           /* sum of the steps' durations */
    int64_t critical_ns;       /* the critical path's length */
    size_t critical_steps;     /* steps on it */
} pk_startup_summary;

/* Number of registered steps (0 for NULL g). */
size_t pk_startup_count(const pk_startup *g);
/* The step's report. Errors: PK_EINVAL (NULL g/out, unknown id). */
pk_err pk_startup_step_get(const pk_startup *g, pk_startup_id step, pk_startup_step_info *out);
/* Totals of the run. Errors: PK_EINVAL (NULL g/out). */
pk_err pk_startup_summary_get(const pk_startup *g, pk_startup_summary *out);
/* The critical path: the chain of dependencies with the largest sum of
 * measured durations (cancelled steps count 0), the lower bound of the
 * startup at unbounded width. ids[0..min(*n, cap)) get it, first step first;
 * *n the full length. Errors: PK_EINVAL (NULL g or n, NULL ids with cap > 0). */
pk_err pk_startup_critical_path(const pk_startup *g, pk_startup_id *ids, size_t cap, size_t *n);
/* Threads of timed-out steps still inside their function (thread-safe). */
size_t pk_startup_stragglers(const pk_startup *g);

/* A text table to f: one row per step (in start order; never-started last):
 * name, status, start, end, duration, runner, '*' on the critical path;
 * then the summary and the critical path "a -> b -> c (12.3 ms)".
 * Errors: PK_EINVAL (NULL g or f), PK_EIO. */
pk_err pk_startup_write_report(const pk_startup *g, FILE *f);

/* Publish the run into r: gauges <prefix>_step_duration_seconds{step},
 * <prefix>_step_start_seconds{step} (since the run's start; not set for
 * steps never started), <prefix>_step_ok{step} (1 or 0),
 * <prefix>_duration_seconds and <prefix>_critical_path_seconds. Call after
 * pk_startup_run, once per registry and prefix. Errors: PK_EINVAL (NULL
 * argument, bad or taken name), PK_ENOMEM — on error some of the families
 * may already be in r. */
pk_err pk_startup_export_metrics(const pk_startup *g, pk_metrics_registry *r, const char *prefix);

PK_END_DECLS
#endif
