/* watch.c — a program monitoring itself (or another process) from a
 * background thread: sample, update the alerts, publish into the caller's
 * registry, hand each alert event to the caller's callback. The thread
 * sleeps on a condition variable (CLOCK_MONOTONIC), so stop returns at
 * once rather than after the interval. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

struct pk_monitor_watch {
    pk_monitor_watch_opts o;
    pk_monitor_sampler *s;
    pk_monitor_alerts *a;
    pk_monitor_publisher *pub;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, has_last;
    pk_monitor_sample last;
};

void pk_monitor_watch_opts_init(pk_monitor_watch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->interval_ns = 1000000000u;
    o->prefix = "perfkit_monitor_";
}

static void *watch_main(void *arg)
{
    pk_monitor_watch *w = arg;
    pk_monitor_event ev[48];
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        pk_monitor_sample x;
        bool ok = pk_monitor_sampler_read(w->s, &x) == PK_OK;
        size_t n = 0;
        if (ok) {
            n = pk_monitor_alerts_update(w->a, &x, ev, sizeof ev / sizeof ev[0]);
            pk_monitor_publish(w->pub, &x, w->a);
            for (size_t i = 0; w->o.on_event && i < n && i < sizeof ev / sizeof ev[0]; i++)
                w->o.on_event(w->o.ud, &ev[i]);
        }
        pthread_mutex_lock(&w->mu);
        if (ok) {
            w->last = x;
            w->has_last = true;
        }
        uint64_t ns = (uint64_t)next.tv_nsec + w->o.interval_ns;
        next.tv_sec += (time_t)(ns / 1000000000u);
        next.tv_nsec = (long)(ns % 1000000000u);
        while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &next) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void watch_free(pk_monitor_watch *w)
{
    pk_monitor_publisher_free(w->pub);
    pk_monitor_alerts_free(w->a);
    pk_monitor_sampler_free(w->s);
    pk_free(w);
}

pk_err pk_monitor_watch_start(const pk_monitor_watch_opts *o, pk_monitor_watch **out,
                              pk_diag *diag)
{
    if (!o || !out || o->interval_ns < 1000000u)
        return PK_EINVAL;
    *out = NULL;
    pk_monitor_watch *w = pk_calloc(1, sizeof *w);
    if (!w)
        return PK_ENOMEM;
    w->o = *o;
    pk_err e = pk_monitor_sampler_new(o->pid ? o->pid : getpid(), NULL, &w->s, diag);
    if (e == PK_OK)
        e = pk_monitor_alerts_new(o->rules, o->n_rules, &w->a);
    if (e == PK_OK && o->registry)
        e = pk_monitor_publisher_new(o->registry, o->prefix, w->a, &w->pub);
    if (e != PK_OK) {
        watch_free(w);
        return e;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        watch_free(w);
        return PK_EIO;
    }
    *out = w;
    return PK_OK;
}

bool pk_monitor_watch_last(pk_monitor_watch *w, pk_monitor_sample *out)
{
    if (!w || !out)
        return false;
    pthread_mutex_lock(&w->mu);
    bool has = w->has_last;
    if (has)
        *out = w->last;
    pthread_mutex_unlock(&w->mu);
    return has;
}

void pk_monitor_watch_stop(pk_monitor_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    watch_free(w);
}
