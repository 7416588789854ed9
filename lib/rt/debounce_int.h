/* rt/debounce_int.h — the debouncer's event buffer, shared by
 * lib/rt/debounce*.c.
 *
 * A window's events are records (offset into one byte array, length, count,
 * hash) in arrival order; with dedup an open-addressing table of record
 * indices (linear probing, power-of-two size, load <= 1/2) finds an equal
 * event. A buffer is owned by the debouncer while the window fills and by the
 * invoking thread while func runs (the two swap, so that adds go on during a
 * callback); emptied buffers are kept for reuse. */
#ifndef PK_RT_DEBOUNCE_INT_H
#define PK_RT_DEBOUNCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/debounce.h"

typedef struct pk__deb_rec {
    size_t off, len;
    uint64_t hash;
    uint32_t count;
} pk__deb_rec;

typedef struct pk__deb_buf {
    pk__deb_rec *rec;
    size_t n, cap;
    unsigned char *bytes;
    size_t blen, bcap;
    uint32_t *tab;             /* record index + 1; 0 = empty */
    size_t tcap;               /* 0 or a power of two */
    pk_debounce_event *out;    /* the public view, built for a callback */
    size_t ocap;
} pk__deb_buf;

/* The metrics of pk_debounce_register_metrics. */
typedef struct pk__deb_metrics {
    pk_metrics_counter *calls, *cause[4], *events, *merged;
    pk_metrics_gauge *wait;
} pk__deb_metrics;

/* Register d's families in r under name into *m (debounce_events.c).
 * Errors: as pk_debounce_register_metrics. */
pk_err pk__deb_metrics_new(pk_metrics_registry *r, const char *name, pk__deb_metrics *m);

/* Add data[0..len); with dedup an equal event's count goes up instead.
 * *merged says which happened. Errors: PK_ENOMEM (buffer unchanged). */
pk_err pk__deb_buf_add(pk__deb_buf *b, const void *data, size_t len, bool dedup, bool *merged);
/* Build b->out from the records (pointers into b->bytes). Errors: PK_ENOMEM. */
pk_err pk__deb_buf_view(pk__deb_buf *b);
/* Forget the events, keep the memory. */
void pk__deb_buf_reset(pk__deb_buf *b);
/* Free the memory (b itself is the caller's). */
void pk__deb_buf_release(pk__deb_buf *b);

#endif
