/* trace_int.h — private to lib/trace: the recording structures shared by the
 * recorder (record.c), the event walker (walk.c) and the writers. */
#ifndef PK_TRACE_INT_H
#define PK_TRACE_INT_H

#include <stdatomic.h>
#include <stdint.h>
#include "perfkit/trace.h"

/* One recorded event: 32 bytes. ts is in clock ticks (TSC or ns). */
typedef struct pk__trace_ev {
    uint64_t ts;
    const char *name;
    double value;
    uint32_t kind;
} pk__trace_ev;

/* A fixed-size chunk. Only the owning thread writes; n is published with a
 * release store after the event is written, next likewise, so an export
 * running concurrently reads complete events only. */
typedef struct pk__trace_chunk {
    _Atomic(struct pk__trace_chunk *) next;
    _Atomic uint32_t n;
    pk__trace_ev ev[];
} pk__trace_chunk;

/* One thread's buffer; lives on the global list until pk_trace_reset(). */
typedef struct pk__trace_buf {
    struct pk__trace_buf *next;      /* global list, under the mutex */
    pk__trace_chunk *head, *cur;     /* head fixed at registration */
    uint32_t cap;                    /* events per chunk */
    int tid;
    char name[32];                   /* under the mutex */
    _Atomic uint64_t dropped;        /* written by the owner only */
    _Atomic int full;                /* 1 after the first drop */
    _Atomic uint64_t drop_ts;        /* ticks of the first drop */
} pk__trace_buf;

/* Visitor of the normalized event stream (times in ns since the origin).
 * Span ends carry the matching begin's name; how is 0 (ended), 1 (open at
 * export/stop) or 2 (left open by a truncated thread). A non-zero return
 * stops the walk and becomes its result. */
typedef struct pk__trace_visitor {
    void *ud;
    pk_err (*thread)(void *ud, int tid, const char *name);
    pk_err (*begin)(void *ud, const char *name, uint64_t ns, unsigned depth);
    pk_err (*end)(void *ud, const char *name, uint64_t ns, unsigned depth, int how);
    pk_err (*instant)(void *ud, const char *name, uint64_t ns);
    pk_err (*counter)(void *ud, const char *name, uint64_t ns, double value);
} pk__trace_visitor;

typedef struct pk__trace_totals {
    int pid;
    size_t threads;
    uint64_t events, dropped, end_ns;
} pk__trace_totals;

/* recorder side (record.c) */
void pk__trace_lock(void);
void pk__trace_unlock(void);
pk__trace_buf *pk__trace_list(void);             /* under the lock */
uint64_t pk__trace_dropped_global(void);         /* failed registrations */
/* Convert ticks to ns since the origin; takes a fresh calibration pair. Fills
 * *end_ticks with the close time for open spans (stop time or now). */
void pk__trace_settle(void);
void pk__trace_calibrate(double *ns_per_tick, uint64_t *origin, uint64_t *end_ticks);

/* walk.c: visit every thread's events in order, under the lock. */
pk_err pk__trace_walk(const pk__trace_visitor *v, pk__trace_totals *tot);

/* Name as written: "(null)" for NULL. */
static inline const char *pk__trace_name(const char *s) { return s ? s : "(null)"; }

#endif
