/* test_startup.c — pk_startup: order, parallel correctness, cycles, unknown
 * dependencies, failures, cancel_all, timeouts (fake clock), the report, the
 * critical path, the Chrome trace parsed back with jansson, metrics, faults. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fault.h"
#include "perfkit/metrics.h"
#include "perfkit/startup.h"
#include "perfkit/trace.h"

/* ---- a fake clock: steps "take" their time by advancing it ----------------------- */

static _Atomic int64_t fake_now = 1000000;
static int64_t fake_clock(void *ud)
{
    (void)ud;
    return atomic_load(&fake_now);
}
static uint64_t fake_clock_trace(void) { return (uint64_t)atomic_load(&fake_now); }

typedef struct job {
    int64_t take_ns;          /* advance the fake clock by this much */
    pk_err result;            /* what the step returns */
    const char *msg;          /* pk_startup_fail message */
    int wait_cancel;          /* then loop until pk_startup_cancelled */
    _Atomic int *gate;        /* then wait until *gate != 0 */
    _Atomic int ran;
} job;

static char order[256];
static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;

static void nap(void)
{
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
}

static pk_err step_fn(void *arg, pk_startup_ctx *ctx)
{
    job *j = arg;
    atomic_fetch_add(&j->ran, 1);
    pthread_mutex_lock(&order_mu);
    size_t n = strlen(order);
    snprintf(order + n, sizeof order - n, "%s%s", n ? " " : "", pk_startup_step_name(ctx));
    pthread_mutex_unlock(&order_mu);
    atomic_fetch_add(&fake_now, j->take_ns);
    if (j->msg)
        pk_startup_fail(ctx, j->msg);
    if (j->wait_cancel)
        while (!pk_startup_cancelled(ctx))
            nap();
    if (j->gate)
        while (!atomic_load(j->gate))
            nap();
    return j->result;
}

static pk_startup *new_graph(unsigned width)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = width;
    o.clock_ns = fake_clock;
    pk_startup *g;
    cr_assert_eq(pk_startup_new(&o, &g), PK_OK);
    order[0] = '\0';
    return g;
}

static pk_startup_id add(pk_startup *g, const char *name, job *j, const char *deps)
{
    pk_startup_id id;
    cr_assert_eq(pk_startup_add(g, name, step_fn, j, &id), PK_OK, "add %s", name);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", deps ? deps : "");
    for (char *sv, *t = strtok_r(buf, " ", &sv); t; t = strtok_r(NULL, " ", &sv))
        cr_assert_eq(pk_startup_depends(g, id, t), PK_OK);
    return id;
}

static pk_startup_step_info info(pk_startup *g, pk_startup_id id)
{
    pk_startup_step_info in;
    cr_assert_eq(pk_startup_step_get(g, id, &in), PK_OK);
    return in;
}

/* ---- order and times ---------------------------------------------------------------- */

Test(startup, width1_order_times_and_critical_path)
{
    /* config -> {db, cache} -> http; metrics independent. Costs decide the
     * queue order: db's chain is longer than cache's. */
    pk_startup *g = new_graph(1);
    job cfg = {.take_ns = 10}, db = {.take_ns = 300}, cache = {.take_ns = 50},
        http = {.take_ns = 20}, met = {.take_ns = 5};
    pk_startup_id i_http = add(g, "http", &http, "db cache");
    pk_startup_id i_cfg = add(g, "config", &cfg, NULL);
    pk_startup_id i_db = add(g, "db", &db, "config");
    pk_startup_id i_cache = add(g, "cache", &cache, "config");
    pk_startup_id i_met = add(g, "metrics", &met, NULL);
    cr_assert_eq(pk_startup_set_cost(g, i_db, 300), PK_OK);
    cr_assert_eq(pk_startup_set_cost(g, i_cache, 50), PK_OK);
    cr_assert_eq(pk_startup_run(g), PK_OK, "%s", pk_startup_last_error(g));
    cr_assert_str_eq(order, "config db cache http metrics");
    struct { pk_startup_id id; int64_t s, e; } want[] = {
        {i_cfg, 0, 10}, {i_db, 10, 310}, {i_cache, 310, 360}, {i_http, 360, 380}, {i_met, 380, 385}};
    for (size_t k = 0; k < 5; k++) {
        pk_startup_step_info in = info(g, want[k].id);
        cr_assert_eq(in.status, PK_STARTUP_OK);
        cr_assert_eq(in.start_ns, want[k].s, "%s start %ld", in.name, (long)in.start_ns);
        cr_assert_eq(in.end_ns, want[k].e, "%s end", in.name);
        cr_assert_eq(in.duration_ns, want[k].e - want[k].s);
    }
    pk_startup_id path[8];
    size_t n;
    cr_assert_eq(pk_startup_critical_path(g, path, 8, &n), PK_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(path[0], i_cfg);
    cr_assert_eq(path[1], i_db);
    cr_assert_eq(path[2], i_http);
    cr_assert(info(g, i_db).critical && !info(g, i_cache).critical);
    pk_startup_summary s;
    cr_assert_eq(pk_startup_summary_get(g, &s), PK_OK);
    cr_assert_eq(s.steps, 5);
    cr_assert_eq(s.ok, 5);
    cr_assert_eq(s.wall_ns, 385);
    cr_assert_eq(s.busy_ns, 385);
    cr_assert_eq(s.critical_ns, 330);
    cr_assert_eq(s.critical_steps, 3);
    cr_assert_eq(pk_startup_run(g), PK_EINVAL, "a graph runs once");
    cr_assert_str_eq(pk_startup_last_error(g), "the graph already ran: a graph runs once");
    pk_startup_free(g);
}

Test(startup, report_table)
{
    pk_startup *g = new_graph(1);
    job a = {.take_ns = 1000000}, b = {.take_ns = 2000000, .result = PK_EIO, .msg = "refused"},
        c = {.take_ns = 1};
    add(g, "config", &a, NULL);
    add(g, "db", &b, "config");
    add(g, "http", &c, "db");
    cr_assert_eq(pk_startup_run(g), PK_EFAIL);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(pk_startup_write_report(g, f), PK_OK);
    fclose(f);
    const char *want =
        "step    status       start ms      end ms     took ms  runner  critical\n"
        "config  ok              0.000       1.000       1.000       0  *\n"
        "db      failed          1.000       3.000       2.000       0  *\n"
        "        ^ refused\n"
        "http    cancelled           -           -           -       -\n"
        "3 steps: 1 ok, 1 failed, 0 timed out, 1 cancelled; wall 3.000 ms, busy 3.000 ms, "
        "critical path 3.000 ms\n"
        "critical path: config -> db (3.000 ms)\n";
    cr_assert_str_eq(buf, want);
    free(buf);
    pk_startup_free(g);
}

/* ---- parallel: every dependency done before its dependant starts -------------------- */

#define PN 300
static _Atomic int done_flag[PN];
static uint32_t pdeps[PN][4], pndeps[PN];
static _Atomic int violations, pran;
static uint32_t pidx[PN];

static pk_err par_fn(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    uint32_t i = *(const uint32_t *)arg;
    for (uint32_t k = 0; k < pndeps[i]; k++)
        if (!atomic_load(&done_flag[pdeps[i][k]]))
            atomic_fetch_add(&violations, 1);
    if (i % 7 == 0)
        sched_yield();
    atomic_fetch_add(&pran, 1);
    atomic_store(&done_flag[i], 1);
    return PK_OK;
}

Test(startup, parallel_random_dag_respects_dependencies)
{
    for (unsigned width = 1; width <= 8; width *= 2) {
        pk_startup_opts o;
        pk_startup_opts_init(&o);
        o.width = width;
        pk_startup *g;
        cr_assert_eq(pk_startup_new(&o, &g), PK_OK);
        uint64_t x = 88172645463325252ull;
        atomic_store(&violations, 0);
        atomic_store(&pran, 0);
        for (uint32_t i = 0; i < PN; i++) {
            char name[16];
            snprintf(name, sizeof name, "s%u", (unsigned)i);
            atomic_store(&done_flag[i], 0);
            pidx[i] = i;
            cr_assert_eq(pk_startup_add(g, name, par_fn, &pidx[i], NULL), PK_OK);
            pndeps[i] = 0;
            for (int k = 0; k < 4 && i > 0; k++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                if (x % 3 == 0)
                    continue;
                uint32_t d = (uint32_t)(x % i);
                pdeps[i][pndeps[i]++] = d;
                cr_assert_eq(pk_startup_depends_id(g, (pk_startup_id)i, d), PK_OK);
            }
        }
        cr_assert_eq(pk_startup_run(g), PK_OK);
        cr_assert_eq(atomic_load(&violations), 0, "width %u", width);
        cr_assert_eq(atomic_load(&pran), PN);
        pk_startup_summary s;
        pk_startup_summary_get(g, &s);
        cr_assert_eq(s.ok, PN);
        pk_startup_free(g);
    }
}

/* ---- checks before the run ----------------------------------------------------------- */

Test(startup, cycle_reports_its_path)
{
    pk_startup *g = new_graph(2);
    job j = {0};
    add(g, "root", &j, NULL);
    add(g, "b", &j, "c");
    add(g, "a", &j, "b root");
    add(g, "c", &j, "a");
    add(g, "leaf", &j, "c");
    cr_assert_eq(pk_startup_run(g), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "dependency cycle: b -> c -> a -> b");
    cr_assert_eq(atomic_load(&j.ran), 0, "no step runs");
    cr_assert_eq(info(g, 0).status, PK_STARTUP_PENDING);
    pk_startup_free(g);

    g = new_graph(1);
    add(g, "self", &j, "self");
    cr_assert_eq(pk_startup_run(g), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "dependency cycle: self -> self");
    pk_startup_free(g);
}

Test(startup, unknown_dependency_and_bad_arguments)
{
    pk_startup *g = new_graph(2);
    job j = {0};
    pk_startup_id http = add(g, "http", &j, "dbb");
    add(g, "db", &j, NULL);
    cr_assert_eq(pk_startup_add(g, "db", step_fn, &j, NULL), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "duplicate step name `db`");
    cr_assert_eq(pk_startup_add(g, "", step_fn, &j, NULL), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "a step needs a name");
    cr_assert_eq(pk_startup_add(g, "x", NULL, &j, NULL), PK_EINVAL);
    cr_assert_eq(pk_startup_depends_id(g, http, 99), PK_EINVAL);
    cr_assert(strstr(pk_startup_last_error(g), "unknown step id 99"), "%s", pk_startup_last_error(g));
    cr_assert_eq(pk_startup_set_timeout(g, http, -1), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "a timeout is >= 0 ns");
    cr_assert_eq(pk_startup_set_cost(g, 7, 1), PK_EINVAL);
    cr_assert_eq(pk_startup_run(g), PK_EINVAL);
    cr_assert_str_eq(pk_startup_last_error(g), "step `http` depends on unknown step `dbb`");
    cr_assert_eq(atomic_load(&j.ran), 0);
    cr_assert_eq(pk_startup_add(g, "late", step_fn, &j, NULL), PK_EINVAL, "after run");
    /* not the previous run's message: the call's own */
    cr_assert_str_eq(pk_startup_last_error(g), "the graph already ran: it cannot change");
    pk_startup_free(g);

    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 0;
    cr_assert_eq(pk_startup_new(&o, &g), PK_EINVAL);
    cr_assert_null(g);
    cr_assert_eq(pk_startup_new(NULL, NULL), PK_EINVAL);
    cr_assert_eq(pk_startup_new(NULL, &g), PK_OK);
    cr_assert_eq(pk_startup_run(g), PK_OK, "an empty graph");
    pk_startup_free(g);
    pk_startup_free(NULL);
    cr_assert_str_eq(pk_startup_last_error(NULL), "");
}

/* ---- failures --------------------------------------------------------------------------- */

Test(startup, failure_cancels_dependants_only)
{
    pk_startup *g = new_graph(1);
    job cfg = {.take_ns = 10}, db = {.take_ns = 5, .result = PK_EIO, .msg = "connection refused"},
        http = {0}, worker = {0}, admin = {.take_ns = 3};
    pk_startup_id i_cfg = add(g, "config", &cfg, NULL);
    pk_startup_id i_db = add(g, "db", &db, "config");
    pk_startup_id i_http = add(g, "http", &http, "db");
    pk_startup_id i_worker = add(g, "worker", &worker, "http config");
    pk_startup_id i_admin = add(g, "admin", &admin, "config");
    cr_assert_eq(pk_startup_run(g), PK_EFAIL);
    cr_assert_str_eq(pk_startup_last_error(g), "step `db` failed: connection refused");
    cr_assert_eq(info(g, i_cfg).status, PK_STARTUP_OK);
    pk_startup_step_info d = info(g, i_db);
    cr_assert_eq(d.status, PK_STARTUP_FAILED);
    cr_assert_eq(d.err, PK_EIO);
    cr_assert_str_eq(d.message, "connection refused");
    cr_assert_eq(info(g, i_http).status, PK_STARTUP_CANCELLED);
    cr_assert_eq(info(g, i_http).err, PK_EINTR);
    cr_assert_eq(info(g, i_http).start_ns, -1);
    cr_assert_eq(info(g, i_worker).status, PK_STARTUP_CANCELLED);
    cr_assert_eq(info(g, i_admin).status, PK_STARTUP_OK, "independent steps still run");
    cr_assert_eq(atomic_load(&http.ran) + atomic_load(&worker.ran), 0);
    pk_startup_summary s;
    pk_startup_summary_get(g, &s);
    cr_assert_eq(s.ok, 2);
    cr_assert_eq(s.failed, 1);
    cr_assert_eq(s.cancelled, 2);
    pk_startup_free(g);
}

Test(startup, cancel_all_stops_everything_not_started)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 1;
    o.cancel_all = true;
    o.clock_ns = fake_clock;
    pk_startup *g;
    cr_assert_eq(pk_startup_new(&o, &g), PK_OK);
    order[0] = '\0';
    job bad = {.result = PK_ENOENT}, other = {0};
    add(g, "bad", &bad, NULL);
    pk_startup_id i_o = add(g, "other", &other, NULL);
    cr_assert_eq(pk_startup_run(g), PK_EFAIL);
    cr_assert_str_eq(pk_startup_last_error(g), "step `bad` failed: no such file or program");
    cr_assert_eq(info(g, i_o).status, PK_STARTUP_CANCELLED);
    cr_assert_eq(atomic_load(&other.ran), 0);
    pk_startup_free(g);
}

/* ---- timeouts ---------------------------------------------------------------------------- */

Test(startup, step_over_its_timeout_is_timed_out)
{
    pk_startup *g = new_graph(1);
    job cfg = {.take_ns = 10}, db = {.take_ns = 5000}, http = {0}, admin = {.take_ns = 1};
    add(g, "config", &cfg, NULL);
    pk_startup_id i_db = add(g, "db", &db, "config");
    pk_startup_id i_http = add(g, "http", &http, "db");
    pk_startup_id i_admin = add(g, "admin", &admin, NULL);
    cr_assert_eq(pk_startup_set_timeout(g, i_db, 1000), PK_OK);
    cr_assert_eq(pk_startup_run(g), PK_ETIMEDOUT);
    cr_assert_str_eq(pk_startup_last_error(g), "step `db` timed out after 0.000 s");
    pk_startup_step_info d = info(g, i_db);
    cr_assert_eq(d.status, PK_STARTUP_TIMEDOUT);
    cr_assert_eq(d.err, PK_ETIMEDOUT);
    cr_assert_eq(d.start_ns, 10);
    cr_assert_eq(d.end_ns, 1010, "ends at its deadline");
    cr_assert_eq(info(g, i_http).status, PK_STARTUP_CANCELLED);
    cr_assert_eq(info(g, i_admin).status, PK_STARTUP_OK);
    cr_assert_eq(pk_startup_stragglers(g), 0);
    pk_startup_free(g);
}

Test(startup, default_timeout_and_override)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 1;
    o.timeout_ns = 100;
    o.clock_ns = fake_clock;
    pk_startup *g;
    cr_assert_eq(pk_startup_new(&o, &g), PK_OK);
    job slow = {.take_ns = 500}, slow2 = {.take_ns = 500};
    pk_startup_id a = add(g, "a", &slow, NULL);
    pk_startup_id b = add(g, "b", &slow2, NULL);
    cr_assert_eq(pk_startup_set_timeout(g, b, 0), PK_OK);   /* never */
    cr_assert_eq(pk_startup_run(g), PK_ETIMEDOUT);
    cr_assert_eq(info(g, a).status, PK_STARTUP_TIMEDOUT);
    cr_assert_eq(info(g, b).status, PK_STARTUP_OK);
    pk_startup_free(g);
}

/* Threads of this process now (/proc/self/task entries). */
static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(startup, hung_step_is_abandoned_and_width_kept)
{
    /* "hang" overruns, is caught by the supervisor (fake clock moved past
     * its deadline), its dependant is cancelled, the independent steps run
     * on a replacement runner while it is still inside its function. */
    static _Atomic int gate;
    atomic_store(&gate, 0);
    int before = threads_now();
    pk_startup *g = new_graph(1);
    job hang = {.take_ns = 10000, .gate = &gate}, dep = {0}, x = {.take_ns = 1},
        y = {.take_ns = 1};
    pk_startup_id i_h = add(g, "hang", &hang, NULL);
    pk_startup_id i_dep = add(g, "dep", &dep, "hang");
    pk_startup_id i_x = add(g, "x", &x, NULL);
    pk_startup_id i_y = add(g, "y", &y, "x");
    pk_startup_set_cost(g, i_h, 10);   /* first in the queue */
    cr_assert_eq(pk_startup_set_timeout(g, i_h, 100), PK_OK);
    cr_assert_eq(pk_startup_run(g), PK_ETIMEDOUT);
    cr_assert_eq(pk_startup_stragglers(g), 1, "hang still inside its function");
    cr_assert_eq(info(g, i_h).status, PK_STARTUP_TIMEDOUT);
    cr_assert_eq(info(g, i_h).end_ns - info(g, i_h).start_ns, 100);
    cr_assert_eq(info(g, i_dep).status, PK_STARTUP_CANCELLED);
    cr_assert_eq(info(g, i_x).status, PK_STARTUP_OK);
    cr_assert_eq(info(g, i_y).status, PK_STARTUP_OK);
    cr_assert_eq(info(g, i_x).runner, 1, "a replacement runner");
    atomic_store(&gate, 1);
    while (pk_startup_stragglers(g) > 0)
        nap();
    while (threads_now() > before)
        nap();
    cr_assert_eq(info(g, i_h).status, PK_STARTUP_TIMEDOUT, "its late result is ignored");
    pk_startup_free(g);
}

Test(startup, free_before_the_straggler_returns)
{
    static _Atomic int gate;
    atomic_store(&gate, 0);
    int before = threads_now();
    pk_startup *g = new_graph(2);
    job hang = {.take_ns = 10000, .wait_cancel = 1, .gate = &gate};
    pk_startup_id h = add(g, "hang", &hang, NULL);
    pk_startup_set_timeout(g, h, 100);
    cr_assert_eq(pk_startup_run(g), PK_ETIMEDOUT);
    cr_assert_eq(threads_now(), before + 1, "only the straggler is left");
    pk_startup_free(g);          /* the straggler frees the graph */
    atomic_store(&gate, 1);
    while (threads_now() > before)   /* it exits after freeing: then the leak check */
        nap();
}

/* ---- trace and metrics ---------------------------------------------------------------------- */

Test(startup, chrome_trace_shows_the_steps)
{
    pk_trace_opts to;
    pk_trace_opts_init(&to);
    to.clock_ns = fake_clock_trace;
    atomic_store(&fake_now, 1000000);
    cr_assert_eq(pk_trace_start(&to), PK_OK);
    pk_startup *g = new_graph(1);
    job a = {.take_ns = 2000}, b = {.take_ns = 3000, .result = PK_EIO};
    add(g, "config", &a, NULL);
    add(g, "db", &b, "config");
    cr_assert_eq(pk_startup_run(g), PK_EFAIL);
    pk_trace_stop();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(pk_trace_write_chrome(f), PK_OK);
    fclose(f);
    pk_startup_free(g);
    json_error_t je;
    json_t *root = json_loads(buf, 0, &je);
    cr_assert_not_null(root, "%s: %s", je.text, buf);
    json_t *evs = json_object_get(root, "traceEvents");
    int seen = 0;
    json_int_t runner_tid = -1;
    for (size_t i = 0; i < json_array_size(evs); i++) {
        json_t *e = json_array_get(evs, i);
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *name = json_string_value(json_object_get(e, "name"));
        double ts = json_number_value(json_object_get(e, "ts"));
        if (strcmp(ph, "M") == 0 && strcmp(name, "thread_name") == 0 &&
            strcmp(json_string_value(json_object_get(json_object_get(e, "args"), "name")),
                   "startup-0") == 0)
            runner_tid = json_integer_value(json_object_get(e, "tid"));
        if (strcmp(ph, "B") == 0 && strcmp(name, "config") == 0) {
            cr_assert_float_eq(ts, 0.0, 1e-9);
            seen |= 1;
        }
        if (strcmp(ph, "E") == 0 && strcmp(name, "config") == 0) {
            cr_assert_float_eq(ts, 2.0, 1e-9);   /* µs */
            seen |= 2;
        }
        if (strcmp(ph, "B") == 0 && strcmp(name, "db") == 0) {
            cr_assert_float_eq(ts, 2.0, 1e-9);
            seen |= 4;
        }
        if (strcmp(ph, "E") == 0 && strcmp(name, "db") == 0) {
            cr_assert_float_eq(ts, 5.0, 1e-9);
            seen |= 8;
        }
        if (strcmp(ph, "i") == 0 && strcmp(name, "db: failed") == 0)
            seen |= 16;
    }
    cr_assert_eq(seen, 31, "events seen: %d in %s", seen, buf);
    cr_assert_neq(runner_tid, -1, "the runner thread is named");
    json_decref(root);
    free(buf);
    pk_trace_reset();
}

Test(startup, metrics_export)
{
    pk_startup *g = new_graph(1);
    job a = {.take_ns = 2000000000}, b = {.take_ns = 500000000, .result = PK_EIO};
    add(g, "config", &a, NULL);
    add(g, "db", &b, "config");
    cr_assert_eq(pk_startup_run(g), PK_EFAIL);
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    cr_assert_eq(pk_startup_export_metrics(g, r, "app_startup"), PK_OK);
    cr_assert_eq(pk_startup_export_metrics(g, r, "app_startup"), PK_EINVAL, "names taken");
    char *text;
    size_t len;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &text, &len), PK_OK);
    cr_assert(strstr(text, "app_startup_step_duration_seconds{step=\"config\"} 2\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_step_duration_seconds{step=\"db\"} 0.5\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_step_start_seconds{step=\"db\"} 2\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_step_ok{step=\"config\"} 1\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_step_ok{step=\"db\"} 0\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_duration_seconds 2.5\n"), "%s", text);
    cr_assert(strstr(text, "app_startup_critical_path_seconds 2.5\n"), "%s", text);
    pk_free(text);
    pk_metrics_registry_free(r);
    pk_startup_free(g);
}

/* ---- allocation failures ---------------------------------------------------------------------- */

static pk_err noop(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    (void)ctx;
    return PK_OK;
}

Test(startup, every_failed_allocation_is_clean)
{
    for (long k = 0;; k++) {
        fault_arm(k);   /* width 1: the allocator of fault.h is not thread-safe, and
                         * one runner never allocates while the caller does */
        pk_startup_opts o;
        pk_startup_opts_init(&o);
        o.width = 1;
        pk_startup *g = NULL;
        pk_err e = pk_startup_new(&o, &g);
        const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
                               "k", "l", "m", "n", "o", "p", "q", "r"};
        for (int i = 0; e == PK_OK && i < 18; i++) {
            e = pk_startup_add(g, names[i], noop, NULL, NULL);
            if (e == PK_OK && i > 0)
                e = pk_startup_depends(g, (pk_startup_id)i, names[i / 2]);
        }
        if (e == PK_OK)
            e = pk_startup_run(g);
        pk_startup_summary s = {0};
        if (g)
            pk_startup_summary_get(g, &s);
        pk_startup_free(g);
        long req = fault_requests();
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM || e == PK_EFAIL, "request %ld: %d", k, e);
        cr_assert_eq(fault_live(), 0, "leak after failing request %ld", k);
        if (k >= req)
            break;
    }
}

/* A timeout near INT64_MAX means "never": start + timeout must not wrap
 * into a deadline in the past (every step was reported timed out at once). */
Test(startup, huge_timeout_never_fires)
{
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.width = 2;
    o.timeout_ns = INT64_MAX;
    o.clock_ns = fake_clock;
    pk_startup *g;
    cr_assert_eq(pk_startup_new(&o, &g), PK_OK);
    job ja = {.take_ns = 5 * PK_STARTUP_SECOND, .result = PK_OK};
    job jb = {.take_ns = 1, .result = PK_OK};
    pk_startup_id a = add(g, "a", &ja, NULL);
    pk_startup_id b = add(g, "b", &jb, "a");
    cr_assert_eq(pk_startup_set_timeout(g, b, INT64_MAX - 1), PK_OK);
    cr_assert_eq(pk_startup_run(g), PK_OK, "%s", pk_startup_last_error(g));
    cr_assert_eq(info(g, a).status, PK_STARTUP_OK);
    cr_assert_eq(info(g, b).status, PK_STARTUP_OK);
    pk_startup_free(g);
}
