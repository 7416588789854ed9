/* debounce_tsan.c — pk_debounce under ThreadSanitizer (a standalone driver,
 * as cache_tsan.c; `make tsan`).
 *
 * Four threads call and add events to one debouncer (wait 200 µs, maxWait
 * 1 ms, leading and trailing, dedup, metrics registered) with its timer thread running trailing
 * edges, while a fifth flushes, cancels and polls. Each callback checks
 * that no other callback runs at the same time and counts the calls it
 * covers. At the end (after a final flush) the calls covered by invocations
 * plus those dropped by cancel must equal the calls made. Exits 0 when all
 * holds; TSan exits non-zero on a race with halt_on_error=1. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/debounce.h"

#define THREADS 4
#define PER 20000

static atomic_int in_cb;
static atomic_long overlaps, covered, fired, events;
static atomic_int done_adding;
static pk_debounce *d;

static void on_fire(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    if (atomic_fetch_add(&in_cb, 1) != 0)
        atomic_fetch_add(&overlaps, 1);
    atomic_fetch_add(&covered, (long)f->calls);
    atomic_fetch_add(&fired, 1);
    for (size_t i = 0; i < f->n_events; i++)
        atomic_fetch_add(&events, (long)f->events[i].count);
    atomic_fetch_sub(&in_cb, 1);
}

static void *caller(void *p)
{
    int t = *(const int *)p;
    static int marker;
    for (int i = 0; i < PER; i++) {
        if (i % 4 == 0) {
            char ev[16];
            int n = snprintf(ev, sizeof ev, "f%d", (t * 31 + i) % 50);
            pk_debounce_add(d, ev, (size_t)n, NULL);
        } else {
            pk_debounce_call(d, &marker);
        }
    }
    return NULL;
}

static void *other(void *p)
{
    (void)p;
    for (unsigned i = 0; !atomic_load(&done_adding); i++) {
        if (i % 3 == 0)
            pk_debounce_flush(d, NULL);
        int64_t next;
        pk_debounce_poll(d, &next);
        (void)pk_debounce_pending(d);
    }
    return NULL;
}

int main(void)
{
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 200000;
    o.max_wait_ns = 1000000;
    o.leading = true;
    o.dedup = true;
    pk_metrics_registry *reg;
    if (pk_debounce_new(&o, on_fire, NULL, &d) != PK_OK || pk_metrics_registry_new(&reg) != PK_OK ||
        pk_debounce_register_metrics(d, reg, "tsan") != PK_OK)
        return 2;
    pthread_t th[THREADS], ot;
    pthread_create(&ot, NULL, other, NULL);
    static int ids[THREADS];
    for (int t = 0; t < THREADS; t++) {
        ids[t] = t;
        pthread_create(&th[t], NULL, caller, &ids[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    atomic_store(&done_adding, 1);
    pthread_join(ot, NULL);
    pk_debounce_flush(d, NULL);
    pk_debounce_stats st;
    pk_debounce_stats_get(d, &st);
    pk_debounce_free(d);
    pk_metrics_registry_free(reg);
    long made = (long)THREADS * PER;
    printf("debounce_tsan: %ld calls, %ld invocations (%llu leading, %llu trailing, %llu maxWait, "
           "%llu flush), %ld calls covered, %ld events, overlapping callbacks %ld\n",
           made, atomic_load(&fired), (unsigned long long)st.by_cause[0],
           (unsigned long long)st.by_cause[1], (unsigned long long)st.by_cause[2],
           (unsigned long long)st.by_cause[3], atomic_load(&covered), atomic_load(&events),
           atomic_load(&overlaps));
    /* with trailing set, every call is covered by an invocation: a window
     * ends with one whenever a call came since the last */
    return atomic_load(&overlaps) || atomic_load(&covered) != made || (long)st.calls != made ? 1 : 0;
}
