/* startup_int.h — private to lib/rt's startup graph: the structures shared by
 * the builder and checker (startup.c), the scheduler (startup_run.c) and the
 * report (startup_report.c). */
#ifndef PK_RT_STARTUP_INT_H
#define PK_RT_STARTUP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include "perfkit/startup.h"

struct pk_startup_ctx {
    struct pk_startup *g;
    uint32_t step;
    _Atomic int cancelled;     /* timed out, or cancel_all after a failure */
};

typedef struct pk__startup_step {
    char *name;
    pk_startup_fn fn;
    void *arg;
    int64_t timeout_ns;        /* -1: the graph's default */
    double cost, prio;         /* cost hint; longest cost chain to a sink */
    char **dep_names;          /* unresolved names (pk_startup_depends) */
    uint32_t n_dep_names, cap_dep_names;
    uint32_t *deps;            /* resolved dependency ids */
    uint32_t n_deps, cap_deps;
    uint32_t *outs;            /* dependants (built by the checker) */
    uint32_t n_outs;
    _Atomic uint32_t indeg;    /* unfinished dependencies during the run */
    /* under g->mu during the run: */
    pk_startup_status status;
    int running;               /* started and its thread not yet returned */
    pk_err err;
    int64_t start_ns, end_ns;  /* absolute clock; -1 never */
    unsigned runner;
    int crit;
    char *msg;                 /* pk_startup_fail's (under mu), or NULL */
    char *note;                /* "name: timed out" for the trace */
    pk_startup_ctx ctx;
} pk__startup_step;

/* A ready-queue entry: the step's priority travels with it. */
typedef struct pk__startup_ready {
    double prio;
    uint32_t id;
} pk__startup_ready;

struct pk_startup {
    pk_startup_opts o;
    pk__startup_step *steps;
    uint32_t n, cap;
    int ran;
    char err[512];
    uint32_t *topo;            /* a topological order (checker) */
    uint32_t *names;           /* name table: open addressing, ids + 1, 0 empty */
    uint32_t names_mask;       /* slots - 1 (0: no table yet) */
    /* the run, under mu */
    pthread_mutex_t mu;
    pthread_cond_t ready_cv;   /* runners wait for work */
    pthread_cond_t sup_cv;     /* the supervisor waits for deadlines or the end */
    int sync_ok;               /* mu and the cvs were initialised */
    pk__startup_ready *heap;   /* ready queue: binary max-heap by prio */
    uint32_t n_heap;
    uint32_t resolved;         /* steps in a final state */
    int stop;                  /* runners exit */
    int cancel_all_now;        /* cancel_all was triggered */
    int64_t t0;                /* run start (absolute) */
    int64_t first_bad_ns;      /* end of the first failure/timeout */
    uint32_t first_bad;        /* its step, UINT32_MAX none */
    unsigned n_runners;        /* runner threads started */
    pthread_t *threads;        /* [cap_threads] */
    int *stuck;                /* runner i abandoned inside a timed-out step */
    uint32_t *cur;             /* runner i's step, UINT32_MAX when idle */
    unsigned cap_threads;
    unsigned refs;             /* 1 (the caller) + stuck threads */
    int freed;                 /* pk_startup_free was called */
    _Atomic size_t stragglers;
    uint32_t *crit;            /* the critical path, first step first */
    uint32_t n_crit;
    int64_t crit_ns;
};

/* startup.c */
int64_t pk__startup_now(const pk_startup *g);
void pk__startup_seterr(pk_startup *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Resolve names, build dependants, find a topological order or a cycle. */
pk_err pk__startup_check(pk_startup *g);
/* Free everything (the last reference is gone). */
void pk__startup_destroy(pk_startup *g);

/* startup_report.c: mark the critical path (after the run). */
void pk__startup_critical(pk_startup *g);

#endif
