/* metrics_demo.c — a program instrumented with perfkit metrics, scraped by Prometheus.
 *
 *   metrics_demo [PORT [SECONDS]]     defaults: 9464, 30; PORT 0 picks a free
 *                                     port, SECONDS 0 runs until a signal
 *
 * Registers the standard process_* metrics, a labelled counter
 * http_requests_total{method,code}, a gauge queue_depth and a histogram
 * request_duration_seconds with classic bounds; serves them on
 * http://127.0.0.1:PORT/metrics while a worker thread simulates traffic.
 * Prints "listening on http://127.0.0.1:PORT/metrics" once serving; exits 0
 * after SECONDS or on SIGINT/SIGTERM.
 *
 * Build: cc -o metrics_demo metrics_demo.c $(pkg-config --cflags --libs perfkit) -lpthread */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/metrics.h"

static atomic_bool stop;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop, true);
}

/* The children a request updates: looked up once, then used lock-free. */
struct demo {
    pk_metrics_counter *requests[4];   /* GET 200, GET 404, POST 201, POST 500 */
    pk_metrics_gauge *queue_depth;
    pk_metrics_histogram *latency;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)   /* xorshift64*: only the worker thread calls it */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static void *worker(void *arg)
{
    struct demo *d = arg;
    double depth = 0;
    while (!atomic_load(&stop)) {
        /* a burst of "requests" every 10 ms */
        for (int i = 0; i < 20; i++) {
            uint64_t x = rng();
            unsigned kind = (x & 0xff) < 200 ? 0 : (x & 0xff) < 230 ? 1 : (x & 0xff) < 250 ? 2 : 3;
            pk_metrics_counter_inc(d->requests[kind]);
            /* latency: mostly 1-50 ms, a tail up to ~1 s */
            double ms = 1.0 + (double)((x >> 8) % 50);
            if (((x >> 20) & 0x3f) == 0)
                ms += (double)((x >> 26) % 1000);
            pk_metrics_histogram_observe(d->latency, ms / 1000.0);
        }
        depth += (double)(rng() % 7) - 3.0;
        if (depth < 0)
            depth = 0;
        pk_metrics_gauge_set(d->queue_depth, depth);
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    return NULL;
}

static int fail(const char *what, pk_err e)
{
    fprintf(stderr, "metrics_demo: %s: %s\n", what, pk_strerror(e));
    return 1;
}

static long parse_arg(const char *s, long max, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 0 || v > max) {
        fprintf(stderr, "metrics_demo: bad %s '%s'\nusage: metrics_demo [PORT [SECONDS]]\n",
                what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long port = argc > 1 ? parse_arg(argv[1], 65535, "port") : 9464;
    long seconds = argc > 2 ? parse_arg(argv[2], 86400, "seconds") : 30;
    if (argc > 3) {
        fprintf(stderr, "usage: metrics_demo [PORT [SECONDS]]\n");
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    pk_metrics_registry *reg;
    pk_err e = pk_metrics_registry_new(&reg);
    if (e)
        return fail("registry", e);
    int rc = 1;
    struct demo d;
    pk_metrics_family *requests, *depth, *latency;
    static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static const char *const codes[4][2] = {
        {"GET", "200"}, {"GET", "404"}, {"POST", "201"}, {"POST", "500"}};

    if ((e = pk_metrics_add_process(reg)) ||
        (e = pk_metrics_counter_family(reg, "http_requests_total", "Requests handled.",
                                       (const char *[]){"method", "code"}, 2, &requests)) ||
        (e = pk_metrics_gauge_family(reg, "queue_depth", "Requests waiting in the queue.",
                                     NULL, 0, &depth)) ||
        (e = pk_metrics_histogram_family(reg, "request_duration_seconds",
                                         "Time to handle a request.", NULL, 0, bounds,
                                         sizeof bounds / sizeof bounds[0], &latency))) {
        fail("metric families", e);
        goto out;
    }
    for (int i = 0; i < 4; i++)
        if ((e = pk_metrics_counter_get(requests, codes[i], &d.requests[i]))) {
            fail("counter", e);
            goto out;
        }
    if ((e = pk_metrics_gauge_get(depth, NULL, &d.queue_depth)) ||
        (e = pk_metrics_histogram_get(latency, NULL, &d.latency))) {
        fail("gauge/histogram", e);
        goto out;
    }

    pk_diag diag = {0};
    pk_metrics_server *srv;
    if ((e = pk_metrics_serve(reg, "127.0.0.1", (uint16_t)port, &srv, &diag))) {
        fprintf(stderr, "metrics_demo: %s\n", diag.message[0] ? diag.message : pk_strerror(e));
        goto out;
    }
    printf("listening on http://127.0.0.1:%u/metrics\n", (unsigned)pk_metrics_server_port(srv));
    fflush(stdout);

    pthread_t tid;
    int err = pthread_create(&tid, NULL, worker, &d);
    if (err) {
        fprintf(stderr, "metrics_demo: pthread_create: %s\n", strerror(err));
        pk_metrics_server_stop(srv);
        goto out;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!atomic_load(&stop)) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (seconds > 0 && now.tv_sec - t0.tv_sec >= seconds)
            break;
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    atomic_store(&stop, true);
    pthread_join(tid, NULL);
    pk_metrics_server_stop(srv);
    printf("stopped after %.0f simulated requests\n",
           pk_metrics_counter_value(d.requests[0]) + pk_metrics_counter_value(d.requests[1]) +
               pk_metrics_counter_value(d.requests[2]) + pk_metrics_counter_value(d.requests[3]));
    rc = 0;
out:
    pk_metrics_registry_free(reg);
    return rc;
}
