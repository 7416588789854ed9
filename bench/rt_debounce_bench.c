/* rt_debounce_bench.c — pk_debounce's hot path and timer accuracy
 * (bench/rt_debounce.sh runs it; lodash's side is rt_debounce_lodash.js).
 *
 *   rt_debounce_bench call N        ns per pk_debounce_call in a burst (wait 1 s,
 *                                   timer thread running: the trailing edge never
 *                                   comes during the loop)
 *   rt_debounce_bench add N         ns per pk_debounce_add of one of 64 8-byte
 *                                   names, dedup on
 *   rt_debounce_bench throttle N    ns per call with leading + maxWait = wait = 1 ms
 *                                   (lodash's throttle: func runs every 1 ms)
 *   rt_debounce_bench accuracy T W  T trials: one call, wait W ms, the timer
 *                                   thread's callback; prints the lateness of each
 *                                   (callback time - (call time + W)) in µs;
 *                                   a trial whose call itself took > 1 ms (the
 *                                   thread preempted) is repeated, and counted
 * Prints "RESULT perfkit <what> <value>" lines: for the bursts, ns per call
 * of wall time and of the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID:
 * what the call costs, without the time the thread sat descheduled on a
 * shared machine). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/debounce.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static volatile long fired;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int64_t fired_at;

static void count(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    (void)f;
    fired = fired + 1;
}

static void signal_fire(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    (void)f;
    int64_t t = now_ns();
    pthread_mutex_lock(&mu);
    fired_at = t;
    fired = fired + 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static double burst(const char *what, long n, double *cpu)
{
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 1000 * PK_DEBOUNCE_MS;
    if (!strcmp(what, "throttle")) {
        o.wait_ns = o.max_wait_ns = PK_DEBOUNCE_MS;
        o.leading = true;
    }
    o.dedup = true;
    pk_debounce *d;
    if (pk_debounce_new(&o, count, NULL, &d) != PK_OK)
        exit(2);
    static const char names[64][9] = {
        "src/a00", "src/a01", "src/a02", "src/a03", "src/a04", "src/a05", "src/a06", "src/a07",
        "src/a08", "src/a09", "src/a10", "src/a11", "src/a12", "src/a13", "src/a14", "src/a15",
        "src/a16", "src/a17", "src/a18", "src/a19", "src/a20", "src/a21", "src/a22", "src/a23",
        "src/a24", "src/a25", "src/a26", "src/a27", "src/a28", "src/a29", "src/a30", "src/a31",
        "src/a32", "src/a33", "src/a34", "src/a35", "src/a36", "src/a37", "src/a38", "src/a39",
        "src/a40", "src/a41", "src/a42", "src/a43", "src/a44", "src/a45", "src/a46", "src/a47",
        "src/a48", "src/a49", "src/a50", "src/a51", "src/a52", "src/a53", "src/a54", "src/a55",
        "src/a56", "src/a57", "src/a58", "src/a59", "src/a60", "src/a61", "src/a62", "src/a63"};
    static int slots[64];   /* the calls' arguments */
    bool add = !strcmp(what, "add");
    for (long i = 0; i < n / 10; i++)   /* warm-up */
        add ? (void)pk_debounce_add(d, names[i & 63], 8, NULL)
            : (void)pk_debounce_call(d, &slots[i & 63]);
    int64_t c0 = cpu_ns(), t0 = now_ns();
    if (add)
        for (long i = 0; i < n; i++)
            pk_debounce_add(d, names[i & 63], 8, NULL);
    else
        for (long i = 0; i < n; i++)
            pk_debounce_call(d, &slots[i & 63]);
    int64_t t1 = now_ns(), c1 = cpu_ns();
    pk_debounce_free(d);
    *cpu = (double)(c1 - c0) / (double)n;
    return (double)(t1 - t0) / (double)n;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (!strcmp(argv[1], "accuracy")) {
        int trials = atoi(argv[2]);
        int64_t wait_ms = argc > 3 ? atoll(argv[3]) : 10;
        pk_debounce_opts o;
        pk_debounce_opts_init(&o);
        o.wait_ns = wait_ms * PK_DEBOUNCE_MS;
        pk_debounce *d;
        if (pk_debounce_new(&o, signal_fire, NULL, &d) != PK_OK)
            return 2;
        int skipped = 0;
        for (int t = 0; t < trials; t++) {
            long before = fired;
            int64_t t_call = now_ns();
            pk_debounce_call(d, NULL);
            if (now_ns() - t_call > 1000000 && skipped++ < trials) {   /* this thread was preempted in the call: */
                printf("RESULT perfkit preempted_trial 1\n");   /* no measure of the timer */
                pthread_mutex_lock(&mu);
                while (fired == before)
                    pthread_cond_wait(&cv, &mu);
                pthread_mutex_unlock(&mu);
                t--;
                continue;
            }
            pthread_mutex_lock(&mu);
            while (fired == before)
                pthread_cond_wait(&cv, &mu);
            int64_t late = fired_at - (t_call + o.wait_ns);
            pthread_mutex_unlock(&mu);
            printf("RESULT perfkit late_us %.1f\n", (double)late / 1e3);
        }
        pk_debounce_free(d);
        return 0;
    }
    long n = atol(argv[2]);
    double cpu, wall = burst(argv[1], n, &cpu);
    printf("RESULT perfkit %s_ns %.2f\nRESULT perfkit %s_cpu_ns %.2f\n", argv[1], wall, argv[1], cpu);
    return 0;
}
