/* monitor_tsan.c — pk_monitor_watch under ThreadSanitizer (a standalone
 * driver, as cache_tsan.c). The watch thread samples this process every
 * millisecond, updates its alerts and publishes into a registry while four
 * threads read the latest sample and render the registry, and the main
 * thread starts and stops watches. Exits 0 when every sample read was whole
 * (threads >= 1 and fds >= 3); TSan exits non-zero on a race. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "perfkit/alloc.h"
#include "perfkit/metrics.h"
#include "perfkit/monitor.h"

static pk_metrics_registry *reg;
static pk_monitor_watch *volatile cur;
static pthread_mutex_t cur_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int done, bad, events;

static void on_event(void *ud, const pk_monitor_event *ev)
{
    (void)ud;
    (void)ev;
    atomic_fetch_add(&events, 1);
}

static void *reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&done)) {
        pk_monitor_sample x;
        pthread_mutex_lock(&cur_mu);   /* the watch handle lives until stop */
        if (cur && pk_monitor_watch_last(cur, &x) &&
            (x.v[PK_MON_THREADS] < 1 || x.v[PK_MON_FDS] < 3))
            atomic_fetch_add(&bad, 1);
        pthread_mutex_unlock(&cur_mu);
        char *text;
        if (pk_metrics_render(reg, PK_METRICS_PROMETHEUS, &text, NULL) == PK_OK)
            pk_free(text);
    }
    return NULL;
}

int main(void)
{
    if (pk_metrics_registry_new(&reg) != PK_OK)
        return 2;
    pk_monitor_rule r;
    pk_monitor_rule_init(&r);
    r.figure = PK_MON_THREADS;
    r.level[PK_MON_INFO] = 2;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    for (int round = 0; round < 20; round++) {
        pk_monitor_watch_opts o;
        pk_monitor_watch_opts_init(&o);
        o.interval_ns = 1000000;
        o.rules = &r;
        o.n_rules = 1;
        o.registry = round == 0 ? reg : NULL;   /* families are registered once */
        o.on_event = on_event;
        pk_monitor_watch *w;
        if (pk_monitor_watch_start(&o, &w, NULL) != PK_OK)
            return 2;
        pthread_mutex_lock(&cur_mu);
        cur = w;
        pthread_mutex_unlock(&cur_mu);
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&cur_mu);
        cur = NULL;
        pthread_mutex_unlock(&cur_mu);
        pk_monitor_watch_stop(w);
    }
    atomic_store(&done, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pk_metrics_registry_free(reg);
    printf("monitor_tsan: %d torn samples, %d alert events\n", atomic_load(&bad),
           atomic_load(&events));
    return atomic_load(&bad) ? 1 : 0;
}
