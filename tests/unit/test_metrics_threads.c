/* test_metrics_threads.c — the per-thread hot path: exact totals across
 * threads, counts of exited threads kept, scrapes racing updates, slot
 * reuse across registries, and zero allocations after warm-up.
 * Also built by hand under -fsanitize=thread. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "perfkit/alloc.h"
#include "perfkit/metrics.h"

#define NTHREADS 4
#define PER_THREAD 1000000

struct work {
    pk_metrics_counter *c;
    pk_metrics_histogram *h;
    pk_metrics_gauge *g;
    long n;
};

static void *hammer(void *arg)
{
    struct work *w = arg;
    for (long i = 0; i < w->n; i++) {
        pk_metrics_counter_inc(w->c);
        if (w->h && (i & 15) == 0)
            pk_metrics_histogram_observe(w->h, (double)(i & 1023));
        if (w->g && (i & 255) == 0)
            pk_metrics_gauge_add(w->g, 1);
    }
    return NULL;
}

static pk_metrics_registry *setup(struct work *w)
{
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    pk_metrics_family *fc, *fh, *fg;
    cr_assert_eq(pk_metrics_counter_family(r, "ops_total", "Ops.", NULL, 0, &fc), PK_OK);
    cr_assert_eq(pk_metrics_histogram_family(r, "v", "V.", NULL, 0, (double[]){10, 100}, 2, &fh),
                 PK_OK);
    cr_assert_eq(pk_metrics_gauge_family(r, "g", "G.", NULL, 0, &fg), PK_OK);
    cr_assert_eq(pk_metrics_counter_get(fc, NULL, &w->c), PK_OK);
    cr_assert_eq(pk_metrics_histogram_get(fh, NULL, &w->h), PK_OK);
    cr_assert_eq(pk_metrics_gauge_get(fg, NULL, &w->g), PK_OK);
    return r;
}

Test(metrics_threads, four_threads_exact_and_exited_threads_count)
{
    struct work w = {.n = PER_THREAD};
    pk_metrics_registry *r = setup(&w);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, &w), 0);
    /* scrape while they run: values only grow, output stays well-formed */
    double last = 0;
    for (int k = 0; k < 20; k++) {
        char *s;
        size_t n;
        cr_assert_eq(pk_metrics_render(r, PK_METRICS_OPENMETRICS, &s, &n), PK_OK);
        cr_expect(strstr(s, "# EOF\n"));
        pk_free(s);
        double v = pk_metrics_counter_value(w.c);
        cr_expect_geq(v, last);
        last = v;
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    /* every thread has exited: its cells still count */
    cr_expect_eq(pk_metrics_counter_value(w.c), (double)NTHREADS * PER_THREAD);
    uint64_t hn = (uint64_t)NTHREADS * (PER_THREAD / 16);
    cr_expect_eq(pk_metrics_histogram_count(w.h), hn);
    cr_expect_eq(pk_metrics_gauge_value(w.g), (double)NTHREADS * (PER_THREAD / 256 + 1));
    char *s;
    size_t n;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &s, &n), PK_OK);
    cr_expect(strstr(s, "\nops_total 4000000\n"), "%s", s);
    char want[64];
    snprintf(want, sizeof want, "v_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)hn);
    cr_expect(strstr(s, want), "%s", s);
    /* (i & 1023) <= 10 for 1 value in 16-steps per 1024 (0); <= 100: 0,16..96 */
    snprintf(want, sizeof want, "v_bucket{le=\"10\"} %llu\n",
             (unsigned long long)NTHREADS * (PER_THREAD / 1024 + 1));
    cr_expect(strstr(s, want), "want %s in %s", want, s);
    pk_free(s);
    pk_metrics_registry_free(r);
}

Test(metrics_threads, hot_path_allocates_nothing_after_warmup)
{
    struct work w = {.n = 1000};
    pk_metrics_registry *r = setup(&w);
    /* warm-up: this thread's cells exist, and the histogram's chunks for
     * the powers of two it will see (chunks are allocated lazily) */
    hammer(&w);
    for (int i = 0; i < 1024; i++)
        pk_metrics_histogram_observe(w.h, i);
    fault_arm(-1);
    hammer(&w);
    for (int i = 0; i < 100000; i++) {
        pk_metrics_counter_add(w.c, 2.5);
        pk_metrics_gauge_set(w.g, i);
        pk_metrics_histogram_observe(w.h, (double)(i & 1023));
    }
    cr_expect_eq(fault_requests(), 0, "%ld allocations on the hot path", fault_requests());
    fault_disarm();
    pk_metrics_registry_free(r);
}

Test(metrics_threads, registries_reuse_slots_cleanly)
{
    /* a thread touches children of a registry that is then freed; the slot
     * ids come back for a new registry and start from zero */
    for (int round = 0; round < 5; round++) {
        pk_metrics_registry *keep, *r;
        cr_assert_eq(pk_metrics_registry_new(&keep), PK_OK);
        struct work w1 = {.n = 1000}, w2 = {.n = 3};
        pk_metrics_registry *tmp = setup(&w1);
        (void)tmp;
        hammer(&w1);
        pthread_t t;
        pthread_create(&t, NULL, hammer, &w1);
        pthread_join(t, NULL);
        cr_expect_eq(pk_metrics_counter_value(w1.c), 2000);
        pk_metrics_registry_free(tmp);
        r = setup(&w2);
        hammer(&w2);
        cr_expect_eq(pk_metrics_counter_value(w2.c), 3);
        cr_expect_eq(pk_metrics_histogram_count(w2.h), 1);
        pk_metrics_registry_free(r);
        pk_metrics_registry_free(keep);
    }
}

/* a thread that updates a child after another thread has; both counts land */
static void *one_inc(void *arg)
{
    pk_metrics_counter_inc(arg);
    return NULL;
}

Test(metrics_threads, many_short_lived_threads)
{
    struct work w = {.n = 1};
    pk_metrics_registry *r = setup(&w);
    for (int i = 0; i < 200; i++) {
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, one_inc, w.c), 0);
        pthread_join(t, NULL);
    }
    cr_expect_eq(pk_metrics_counter_value(w.c), 200);
    pk_metrics_registry_free(r);
}
