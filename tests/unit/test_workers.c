/* test_workers.c — pk_workers: tasks, futures, groups, cancellation, growth
 * and shrinking, statistics, metrics, faults, parallel file reading. No
 * timing is asserted: waits poll a condition (with a generous bound only
 * against a hang) and every check is an exact count. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "perfkit/workers.h"

static pk_workers *pool(unsigned min, unsigned max)
{
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = min;
    o.max_threads = max;
    o.spin_us = 5;
    pk_workers *w = NULL;
    cr_assert_eq(pk_workers_new(&o, &w), PK_OK);
    return w;
}

/* Poll cond until true; false after ~60 s (a hang, not a timing check). */
#define EVENTUALLY(cond)                                                  \
    do {                                                                  \
        int ok_ = 0;                                                      \
        for (int i_ = 0; i_ < 300000 && !(ok_ = (cond)); i_++)            \
            usleep(100);                                                  \
        cr_assert(ok_, "never became true: %s", #cond);                   \
    } while (0)

/* ---- options ----------------------------------------------------------------------- */

Test(workers, rejects_bad_options)
{
    pk_workers_opts o;
    pk_workers *w = (pk_workers *)1;
    cr_assert_eq(pk_workers_new(NULL, NULL), PK_EINVAL);
    pk_workers_opts_init(&o);
    o.min_threads = 4;
    o.max_threads = 2;
    cr_assert_eq(pk_workers_new(&o, &w), PK_EINVAL);
    cr_assert_null(w);
    pk_workers_opts_init(&o);
    o.max_threads = 300;
    o.min_threads = 1;
    cr_assert_eq(pk_workers_new(&o, &w), PK_EINVAL);
    pk_workers_opts_init(&o);
    o.deque_capacity = 100;
    cr_assert_eq(pk_workers_new(&o, &w), PK_EINVAL);
    pk_workers_opts_init(&o);
    o.idle_ms = 0;
    cr_assert_eq(pk_workers_new(&o, &w), PK_EINVAL);
    pk_workers_free(NULL);
}

Test(workers, default_size_is_cpu_count)
{
    pk_workers *w;
    cr_assert_eq(pk_workers_new(NULL, &w), PK_OK);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof set, &set), 0);
    cr_assert_eq(s.threads, (unsigned)CPU_COUNT(&set));
    cr_assert_eq(s.min_threads, s.max_threads);
    pk_workers_free(w);
}

/* ---- counting tasks --------------------------------------------------------------- */

typedef struct cnt_task {
    pk_task task;
    atomic_long *counter;
    long add;
} cnt_task;

static void count_fn(pk_task *t)
{
    cnt_task *c = PK_TASK_OWNER(t, cnt_task, task);
    atomic_fetch_add(c->counter, c->add);
}

Test(workers, runs_every_task_once_from_outside)
{
    enum { N = 20000 };
    static cnt_task ts[N];
    atomic_long sum = 0;
    pk_workers *w = pool(2, 2);
    pk_workers_group g;
    pk_workers_group_init(&g);
    for (int i = 0; i < N; i++) {
        pk_task_init(&ts[i].task, count_fn);
        ts[i].counter = &sum;
        ts[i].add = i + 1;
        cr_assert_eq(pk_workers_submit(w, &g, &ts[i].task), PK_OK);
    }
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_OK);
    cr_assert_eq(atomic_load(&sum), (long)N * (N + 1) / 2);
    for (int i = 0; i < N; i++)
        cr_assert_eq(pk_workers_wait(w, &ts[i].task), PK_OK);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.submitted, N);
    cr_assert_eq(s.run, N);
    cr_assert_eq(s.cancelled, 0);
    /* the nodes are done: submit them all again, as one batch */
    pk_task *ptr[N];
    for (int i = 0; i < N; i++)
        ptr[i] = &ts[i].task;
    cr_assert_eq(pk_workers_submit_batch(w, &g, ptr, N), PK_OK);
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_OK);
    cr_assert_eq(atomic_load(&sum), (long)N * (N + 1));
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.run, 2UL * N);
    cr_assert_eq(s.queue_depth, 0);
    pk_workers_free(w);
}

Test(workers, free_runs_what_was_submitted)
{
    enum { N = 5000 };
    static cnt_task ts[N];
    atomic_long sum = 0;
    pk_workers *w = pool(2, 2);
    for (int i = 0; i < N; i++) {
        pk_task_init(&ts[i].task, count_fn);
        ts[i].counter = &sum;
        ts[i].add = 1;
        pk_workers_submit(w, NULL, &ts[i].task);
    }
    pk_workers_free(w);
    cr_assert_eq(atomic_load(&sum), N);
}

Test(workers, bad_calls)
{
    pk_workers *w = pool(1, 1);
    pk_task t;
    pk_task_init(&t, NULL);
    cr_assert_eq(pk_workers_submit(w, NULL, &t), PK_EINVAL);
    cr_assert_eq(pk_workers_submit(NULL, NULL, &t), PK_EINVAL);
    cr_assert_eq(pk_workers_wait(w, &t), PK_EINVAL);   /* never submitted */
    cr_assert_eq(pk_workers_wait_all(w, NULL), PK_EINVAL);
    cr_assert_eq(pk_workers_submit_batch(w, NULL, NULL, 0), PK_OK);
    cr_assert_eq(pk_workers_stats_get(w, NULL), PK_EINVAL);
    cr_assert(!pk_workers_on_worker(w));
    cr_assert(!pk_workers_cancel(&t));
    pk_workers_free(w);
}

/* ---- fork-join: tasks that submit and wait (the worker helps) -------------------- */

typedef struct fib_task {
    pk_task task;
    pk_workers *w;
    int n;
    long r;
} fib_task;

static long fib_seq(int n) { return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2); }

static void fib_fn(pk_task *t)
{
    fib_task *f = PK_TASK_OWNER(t, fib_task, task);
    if (f->n < 10) {
        f->r = fib_seq(f->n);
        return;
    }
    cr_assert(pk_workers_on_worker(f->w));
    fib_task a = {.w = f->w, .n = f->n - 1}, b = {.w = f->w, .n = f->n - 2};
    pk_task_init(&a.task, fib_fn);
    pk_task_init(&b.task, fib_fn);
    pk_workers_submit(f->w, NULL, &a.task);
    pk_workers_submit(f->w, NULL, &b.task);
    cr_assert_eq(pk_workers_wait(f->w, &b.task), PK_OK);
    cr_assert_eq(pk_workers_wait(f->w, &a.task), PK_OK);
    f->r = a.r + b.r;
}

Test(workers, fork_join_fib)
{
    for (unsigned n = 1; n <= 3; n++) {
        pk_workers *w = pool(n, n);
        fib_task f = {.w = w, .n = 25};
        pk_task_init(&f.task, fib_fn);
        cr_assert_eq(pk_workers_submit(w, NULL, &f.task), PK_OK);
        cr_assert_eq(pk_workers_wait(w, &f.task), PK_OK);
        cr_assert_eq(f.r, 75025);
        pk_workers_stats s;
        pk_workers_stats_get(w, &s);
        cr_assert(s.run > 100);
        cr_assert_eq(s.run, s.submitted);
        pk_workers_free(w);
    }
}

/* ---- cancellation ------------------------------------------------------------------ */

static atomic_int gate, in_blocker;

typedef struct block_task {
    pk_task task;
    int saw_cancel;
} block_task;

static void block_fn(pk_task *t)
{
    atomic_fetch_add(&in_blocker, 1);
    while (!atomic_load(&gate))
        sched_yield();
    PK_TASK_OWNER(t, block_task, task)->saw_cancel = pk_task_cancelled(t);
}

Test(workers, cancel_before_start_and_while_running)
{
    atomic_store(&gate, 0);
    atomic_store(&in_blocker, 0);
    pk_workers *w = pool(1, 1);
    block_task blk = {0};
    pk_task_init(&blk.task, block_fn);
    pk_workers_submit(w, NULL, &blk.task);
    EVENTUALLY(atomic_load(&in_blocker) == 1);   /* the only worker is busy */

    atomic_long sum = 0;
    cnt_task b = {.counter = &sum, .add = 1};
    pk_task_init(&b.task, count_fn);
    cr_assert_eq(pk_workers_submit(w, NULL, &b.task), PK_OK);
    cr_assert_eq(pk_workers_submit(w, NULL, &b.task), PK_EBUSY);
    cr_assert(pk_workers_cancel(&b.task));
    cr_assert(!pk_workers_cancel(&b.task));            /* already cancelled */
    cr_assert(pk_task_cancelled(&b.task));
    cr_assert(!pk_workers_cancel(&blk.task));          /* running: only flagged */
    atomic_store(&gate, 1);
    cr_assert_eq(pk_workers_wait(w, &b.task), PK_EINTR);
    cr_assert_eq(pk_workers_wait(w, &blk.task), PK_OK);
    cr_assert_eq(blk.saw_cancel, 1);
    cr_assert_eq(atomic_load(&sum), 0);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.run, 1);
    cr_assert_eq(s.cancelled, 1);
    /* a dropped node may be submitted again and then runs */
    cr_assert_eq(pk_workers_submit(w, NULL, &b.task), PK_OK);
    cr_assert_eq(pk_workers_wait(w, &b.task), PK_OK);
    cr_assert_eq(atomic_load(&sum), 1);
    cr_assert(!pk_workers_cancel(&b.task));            /* done */
    pk_workers_free(w);
}

Test(workers, group_cancel_drops_queued_tasks)
{
    enum { N = 300 };
    static cnt_task ts[N];
    atomic_store(&gate, 0);
    atomic_store(&in_blocker, 0);
    pk_workers *w = pool(1, 1);
    block_task blk = {0};
    pk_task_init(&blk.task, block_fn);
    pk_workers_submit(w, NULL, &blk.task);
    EVENTUALLY(atomic_load(&in_blocker) == 1);
    atomic_long sum = 0;
    pk_workers_group g;
    pk_workers_group_init(&g);
    for (int i = 0; i < N; i++) {
        pk_task_init(&ts[i].task, count_fn);
        ts[i].counter = &sum;
        ts[i].add = 1;
        pk_workers_submit(w, &g, &ts[i].task);
    }
    pk_workers_group_cancel(&g);
    atomic_store(&gate, 1);
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_EINTR);
    cr_assert_eq(atomic_load(&sum), 0);
    cr_assert_eq(g.dropped, N);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.cancelled, N);
    cr_assert_eq(s.run, 1);
    /* re-initialised, the group runs its tasks again */
    pk_workers_group_init(&g);
    for (int i = 0; i < N; i++)
        pk_workers_submit(w, &g, &ts[i].task);
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_OK);
    cr_assert_eq(atomic_load(&sum), N);
    pk_workers_free(w);
}

/* ---- dynamic size ---------------------------------------------------------------- */

Test(workers, grows_under_load_and_shrinks_when_idle)
{
    atomic_store(&gate, 0);
    atomic_store(&in_blocker, 0);
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = 1;
    o.max_threads = 4;
    o.idle_ms = 1;
    o.spin_us = 1;
    pk_workers *w;
    cr_assert_eq(pk_workers_new(&o, &w), PK_OK);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.threads, 1);
    block_task blk[4];
    for (int i = 0; i < 4; i++) {
        memset(&blk[i], 0, sizeof blk[i]);
        pk_task_init(&blk[i].task, block_fn);
        pk_workers_submit(w, NULL, &blk[i].task);
    }
    /* four blocking tasks can only all start on four threads */
    EVENTUALLY(atomic_load(&in_blocker) == 4);
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.threads, 4);
    cr_assert_eq(s.started, 4);
    atomic_store(&gate, 1);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pk_workers_wait(w, &blk[i].task), PK_OK);
    /* idle for idle_ms: back to min_threads, never below */
    EVENTUALLY((pk_workers_stats_get(w, &s), s.threads == 1 && s.retired == 3));
    usleep(20000);
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.threads, 1);
    cr_assert_eq(s.retired, 3);
    /* and it grows again */
    atomic_store(&gate, 0);
    atomic_store(&in_blocker, 0);
    for (int i = 0; i < 2; i++)
        pk_workers_submit(w, NULL, &blk[i].task);
    EVENTUALLY(atomic_load(&in_blocker) == 2);
    atomic_store(&gate, 1);
    pk_workers_free(w);
}

/* ---- statistics and metrics ------------------------------------------------------ */

Test(workers, metrics_follow_the_counters)
{
    enum { N = 1000 };
    static cnt_task ts[N];
    atomic_long sum = 0;
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_workers *w = pool(2, 2);
    cr_assert_eq(pk_workers_register_metrics(w, r, "pool"), PK_OK);
    cr_assert_eq(pk_workers_register_metrics(w, r, "pool"), PK_EINVAL);
    pk_workers_group g;
    pk_workers_group_init(&g);
    for (int i = 0; i < N; i++) {
        pk_task_init(&ts[i].task, count_fn);
        ts[i].counter = &sum;
        ts[i].add = 1;
        pk_workers_submit(w, &g, &ts[i].task);
    }
    pk_workers_wait_all(w, &g);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.run, N);
    cr_assert(s.utilisation >= 0 && s.utilisation <= 1);
    /* the workers push their counts when they go idle */
    EVENTUALLY((pk_workers_stats_get(w, &s), s.idle == 2));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    EVENTUALLY((rewind(f), pk_metrics_write(r, PK_METRICS_PROMETHEUS, f) == PK_OK &&
                fflush(f) == 0 && strstr(text, "pool_tasks_total 1000\n")));
    cr_assert(strstr(text, "pool_submitted_total 1000\n"), "%s", text);
    cr_assert(strstr(text, "pool_threads 2\n"), "%s", text);
    cr_assert(strstr(text, "pool_queue_depth 0\n"), "%s", text);
    cr_assert(strstr(text, "# TYPE pool_utilisation gauge"), "%s", text);
    cr_assert(strstr(text, "pool_steals_total "), "%s", text);
    fclose(f);
    free(text);
    pk_workers_free(w);
    pk_metrics_registry_free(r);
}

/* ---- faults ----------------------------------------------------------------------- */

Test(workers, failed_allocations_leak_nothing)
{
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = 2;
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_workers *w = NULL;
        pk_err e = pk_workers_new(&o, &w);
        if (e == PK_OK) {
            pk_workers_free(w);
            fault_disarm();
            cr_assert_eq(fault_live(), 0);
            break;
        }
        fault_disarm();
        cr_assert_eq(e, PK_ENOMEM);
        cr_assert_null(w);
        cr_assert_eq(fault_live(), 0, "leak after failing request %ld", k);
    }
}

/* ---- parallel file reading ------------------------------------------------------- */

Test(workers, read_files_in_order_with_errors)
{
    enum { N = 40 };
    char dir[] = "/tmp/pk_wk_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char paths[N + 3][64];
    const char *pp[N + 3];
    for (int i = 0; i < N; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/f%02d", dir, i);
        FILE *f = fopen(paths[i], "w");
        for (int k = 0; k <= i * 10; k++)
            fprintf(f, "%d,", i);
        fclose(f);
        pp[i] = paths[i];
    }
    snprintf(paths[N], sizeof paths[N], "%s/missing", dir);
    snprintf(paths[N + 1], sizeof paths[N + 1], "%s", dir);           /* a directory */
    snprintf(paths[N + 2], sizeof paths[N + 2], "%s/big", dir);       /* over max_bytes */
    FILE *big = fopen(paths[N + 2], "w");
    for (int k = 0; k < 2001; k++)
        fputc('x', big);
    fclose(big);
    for (int i = N; i < N + 3; i++)
        pp[i] = paths[i];

    pk_workers *w = pool(2, 2);
    pk_read_result out[N + 3];
    cr_assert_eq(pk_workers_read_files(w, pp, N + 3, 3, 2000, out), PK_OK);
    for (int i = 0; i < N; i++) {
        char want[8];
        int wl = snprintf(want, sizeof want, "%d,", i);
        cr_assert_eq(out[i].err, PK_OK, "file %d", i);
        cr_assert_eq(out[i].len, (size_t)(wl * (i * 10 + 1)), "file %d", i);
        cr_assert_eq(memcmp(out[i].data, want, (size_t)wl), 0);
        cr_assert_eq(out[i].data[out[i].len], 0);
    }
    cr_assert_eq(out[N].err, PK_ENOENT);
    cr_assert_null(out[N].data);
    cr_assert_eq(out[N + 1].err, PK_EIO);
    cr_assert_eq(out[N + 2].err, PK_ERANGE);
    pk_workers_read_results_free(out, N + 3);
    cr_assert_eq(pk_workers_read_files(w, pp, 0, 0, 0, NULL), PK_OK);
    cr_assert_eq(pk_workers_read_files(NULL, pp, 1, 0, 0, out), PK_EINVAL);
    pk_workers_free(w);
    for (int i = 0; i < N; i++)
        unlink(paths[i]);
    unlink(paths[N + 2]);
    rmdir(dir);
}

/* ---- parking: every submit must wake someone (a lost wake-up hangs) ------------- */

typedef struct serial_arg {
    pk_workers *w;
    long sum;
} serial_arg;

static void *serial_submitter(void *p)
{
    serial_arg *a = p;
    pk_workers *w = a->w;
    atomic_long sum = 0;
    cnt_task t = {.counter = &sum, .add = 1};
    pk_task_init(&t.task, count_fn);
    for (int i = 0; i < 3000; i++) {
        pk_workers_submit(w, NULL, &t.task);
        pk_workers_wait(w, &t.task);
        if (i % 500 == 0)
            usleep(1000);   /* everyone parks */
    }
    a->sum = atomic_load(&sum);
    return NULL;
}

Test(workers, serial_submits_always_wake_a_parked_worker, .timeout = 120)
{
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = 2;
    o.spin_us = 0;   /* park at once: the wake path every time */
    pk_workers *w;
    cr_assert_eq(pk_workers_new(&o, &w), PK_OK);
    pthread_t th[3];
    serial_arg a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = (serial_arg){w, 0};
        pthread_create(&th[i], NULL, serial_submitter, &a[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(a[i].sum, 3000);
    }
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    cr_assert_eq(s.run, 9000);
    cr_assert(s.parks > 0);
    pk_workers_free(w);
}

Test(workers, a_burst_reaches_every_parked_worker, .timeout = 120)
{
    atomic_store(&gate, 0);
    atomic_store(&in_blocker, 0);
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = 3;
    o.spin_us = 0;
    pk_workers *w;
    cr_assert_eq(pk_workers_new(&o, &w), PK_OK);
    pk_workers_stats s;
    EVENTUALLY((pk_workers_stats_get(w, &s), s.parked == 3));
    /* one push of three tasks: one wake in flight, the woken worker wakes
     * the next, which wakes the last; each blocks until all three run */
    block_task blk[3];
    pk_task *ts[3];
    for (int i = 0; i < 3; i++) {
        memset(&blk[i], 0, sizeof blk[i]);
        pk_task_init(&blk[i].task, block_fn);
        ts[i] = &blk[i].task;
    }
    cr_assert_eq(pk_workers_submit_batch(w, NULL, ts, 3), PK_OK);
    EVENTUALLY(atomic_load(&in_blocker) == 3);
    atomic_store(&gate, 1);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pk_workers_wait(w, ts[i]), PK_OK);
    pk_workers_free(w);
}

Test(workers, read_files_under_failed_allocations)
{
    char path[] = "/tmp/pk_wk_fault_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "hello\n", 6), 6);
    close(fd);
    const char *pp[3] = {path, path, path};
    pk_workers *w = pool(1, 1);   /* one allocating thread at a time: fault.h is not thread-safe */
    for (long k = 0;; k++) {
        pk_read_result out[3];
        fault_arm(k);
        pk_err e = pk_workers_read_files(w, pp, 3, 2, 0, out);
        long req = fault_requests();
        if (e == PK_OK) {
            int failed = 0;
            for (int i = 0; i < 3; i++) {
                if (out[i].err == PK_OK)
                    cr_assert_eq(memcmp(out[i].data, "hello\n", 7), 0);
                else
                    failed += out[i].err == PK_ENOMEM;
            }
            pk_workers_read_results_free(out, 3);
            fault_disarm();
            cr_assert_eq(fault_live(), 0, "leak after failing request %ld", k);
            if (!failed && k >= req)
                break;
        } else {
            fault_disarm();
            cr_assert_eq(e, PK_ENOMEM);
            cr_assert_eq(fault_live(), 0, "leak after failing request %ld", k);
        }
    }
    pk_workers_free(w);
    unlink(path);
}

/* A FIFO among the paths is refused as not a regular file; opening it must
 * not block waiting for a writer (the call hung for ever). */
Test(workers, read_files_refuses_a_fifo_without_blocking, .timeout = 30)
{
    char dir[] = "/tmp/pk_wkf_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char fifo[64], reg[64];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(reg, sizeof reg, "%s/reg", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    FILE *f = fopen(reg, "w");
    fputs("abc", f);
    fclose(f);
    const char *pp[] = {fifo, reg};
    pk_read_result out[2];
    pk_workers *w = pool(1, 1);
    cr_assert_eq(pk_workers_read_files(w, pp, 2, 0, 0, out), PK_OK);
    cr_assert_eq(out[0].err, PK_EIO);
    cr_assert_null(out[0].data);
    cr_assert_eq(out[1].err, PK_OK);
    cr_assert_str_eq(out[1].data, "abc");
    pk_workers_read_results_free(out, 2);
    pk_workers_free(w);
    unlink(fifo);
    unlink(reg);
    rmdir(dir);
}

/* A node given twice in one submit_batch is PK_EBUSY with nothing queued
 * (it was chained to itself: the batch hung). The same nodes, once each,
 * are accepted afterwards. */
Test(workers, submit_batch_refuses_a_node_given_twice, .timeout = 60)
{
    pk_workers *w = pool(2, 2);
    atomic_long sum = 0;
    cnt_task a = {.counter = &sum, .add = 1}, b = {.counter = &sum, .add = 10};
    pk_task_init(&a.task, count_fn);
    pk_task_init(&b.task, count_fn);
    pk_task *dup[] = {&a.task, &b.task, &a.task};
    pk_workers_group g;
    pk_workers_group_init(&g);
    cr_assert_eq(pk_workers_submit_batch(w, &g, dup, 3), PK_EBUSY);
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_OK);
    cr_assert_eq(atomic_load(&sum), 0);
    pk_task *once[] = {&a.task, &b.task};
    cr_assert_eq(pk_workers_submit_batch(w, &g, once, 2), PK_OK);
    cr_assert_eq(pk_workers_wait_all(w, &g), PK_OK);
    cr_assert_eq(atomic_load(&sum), 11);
    pk_workers_free(w);
}

/* max_bytes = SIZE_MAX means no limit: max_bytes + 1 wrapped to 0 and the
 * file read back as empty with PK_OK. */
Test(workers, read_files_max_bytes_size_max_reads_everything)
{
    char path[] = "/tmp/pk_wkm_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "hello", 5), 5);
    close(fd);
    const char *pp[] = {path};
    pk_read_result out[1];
    pk_workers *w = pool(1, 1);
    cr_assert_eq(pk_workers_read_files(w, pp, 1, 0, SIZE_MAX, out), PK_OK);
    cr_assert_eq(out[0].err, PK_OK);
    cr_assert_eq(out[0].len, 5);
    cr_assert_str_eq(out[0].data, "hello");
    pk_workers_read_results_free(out, 1);
    pk_workers_free(w);
    unlink(path);
}
