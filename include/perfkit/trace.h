/* perfkit/trace.h — in-process spans, checkpoints and counters, exported as a
 * Chrome/Perfetto trace, folded stacks (flame graphs) or a bottleneck table.
 *
 *   pk_trace_start(NULL);                 // recording is off until started
 *   {
 *       PK_SPAN("parse");                 // closes itself at scope exit
 *       pk_span_begin("lex"); ...; pk_span_end();
 *       pk_trace_checkpoint("tokens ready");
 *       pk_trace_counter("queue_depth", 17);
 *   }
 *   pk_trace_stop();
 *   pk_trace_write_chrome(f);  pk_trace_write_folded(g);  pk_trace_write_summary(h);
 *
 * Names are NOT copied: the pointer is stored and read at export, which keeps
 * the hot path to a timestamp and a 32-byte store. Pass string literals or
 * strings that outlive the trace (until pk_trace_reset() or exit). NULL is
 * shown as "(null)".
 *
 * Recording: each thread appends to its own buffer (thread-local, fixed-size
 * chunks allocated through pk_malloc on the thread's first event and when a
 * chunk fills — the only allocations); no lock on the hot path. A global list
 * of thread buffers is guarded by a mutex taken only when a thread records its
 * first event and during export. Buffers of exited threads are kept until
 * pk_trace_reset(). Spans nest per thread: pk_span_end() closes the innermost
 * span the calling thread has open.
 *
 * Timestamps: rdtsc on x86_64 when /proc/cpuinfo has constant_tsc and
 * nonstop_tsc (ticks are converted to ns against CLOCK_MONOTONIC, sampled at
 * the first start and at each export: an export less than 20 ms after the
 * start sleeps for the remainder to get a usable baseline), otherwise
 * clock_gettime(CLOCK_MONOTONIC).
 *
 * Cost: while stopped, every recording call is one load and one predictable
 * branch; while recording, a begin/end pair costs ~13 ns with the TSC here
 * (bench/spans.sh, docs/trace.md).
 *
 * Memory: opts.max_bytes caps the memory of all thread buffers; events that do
 * not fit (or whose chunk allocation fails) are dropped and counted, never a
 * crash. Once a thread has dropped an event it drops the rest until reset, so
 * what it recorded is a consistent prefix; spans it left open are closed at
 * the time of the first drop and marked "truncated" in exports.
 *
 * Compile-time switch: building a translation unit with -DPK_TRACE_DISABLE
 * turns every macro into nothing and every function below into a static
 * inline no-op (writers return PK_ENOTSUP and write nothing), so that unit
 * references no trace symbol at all.
 *
 * Thread-safety: recording calls, start, stop and the writers are safe from
 * any thread. pk_trace_reset() frees every buffer: call it only when no other
 * thread is inside a recording call (stop first, then join or quiesce). */
#ifndef PERFKIT_TRACE_H
#define PERFKIT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_trace_clock {
    PK_TRACE_CLOCK_AUTO = 0,     /* TSC when invariant, else CLOCK_MONOTONIC */
    PK_TRACE_CLOCK_MONOTONIC = 1 /* always clock_gettime(CLOCK_MONOTONIC) */
} pk_trace_clock;

typedef struct pk_trace_opts {
    size_t max_bytes;       /* cap on all thread buffers; default 64 MiB.
                               Events beyond it are dropped and counted */
    size_t chunk_events;    /* events per chunk (32 bytes each); default 4096,
                               at least 16 */
    pk_trace_clock clock;   /* default PK_TRACE_CLOCK_AUTO */
    uint64_t (*clock_ns)(void); /* if set, the time source in ns (tests use a
                               fake clock); overrides clock */
} pk_trace_opts;

/* ---- the hot path (inline; real symbols only while tracing is compiled in) -- */

enum { PK__TRACE_BEGIN = 1, PK__TRACE_END = 2, PK__TRACE_INSTANT = 3, PK__TRACE_COUNTER = 4 };

#ifndef PK_TRACE_DISABLE

extern int pk__trace_on;   /* read with a relaxed atomic load */
void pk__trace_emit(unsigned kind, const char *name, double value);
int  pk__trace_span_open(const char *name);

/* Open a span named name on the calling thread (name stored, not copied). */
static inline void pk_span_begin(const char *name)
{
    if (__builtin_expect(__atomic_load_n(&pk__trace_on, __ATOMIC_RELAXED), 0))
        pk__trace_emit(PK__TRACE_BEGIN, name, 0);
}

/* Close the innermost span the calling thread has open. An end without a
 * recorded begin (tracing started in between) is ignored at export. */
static inline void pk_span_end(void)
{
    if (__builtin_expect(__atomic_load_n(&pk__trace_on, __ATOMIC_RELAXED), 0))
        pk__trace_emit(PK__TRACE_END, NULL, 0);
}

/* An instant event ("i" in Chrome traces). */
static inline void pk_trace_checkpoint(const char *name)
{
    if (__builtin_expect(__atomic_load_n(&pk__trace_on, __ATOMIC_RELAXED), 0))
        pk__trace_emit(PK__TRACE_INSTANT, name, 0);
}

/* One sample of the counter name ("C" in Chrome traces). */
static inline void pk_trace_counter(const char *name, double value)
{
    if (__builtin_expect(__atomic_load_n(&pk__trace_on, __ATOMIC_RELAXED), 0))
        pk__trace_emit(PK__TRACE_COUNTER, name, value);
}

/* Implementation of PK_SPAN: the guard remembers whether the begin was
 * recorded, so a span opened while stopped never emits a stray end. */
static inline int pk__span_guard_begin(const char *name)
{
    if (__builtin_expect(__atomic_load_n(&pk__trace_on, __ATOMIC_RELAXED), 0))
        return pk__trace_span_open(name);
    return 0;
}
static inline void pk__span_guard_end(int *recorded)
{
    if (*recorded)
        pk__trace_emit(PK__TRACE_END, NULL, 0);
}
#define PK__SPAN_CAT2(a, b) a##b
#define PK__SPAN_CAT(a, b) PK__SPAN_CAT2(a, b)
/* PK_SPAN(name); — a span from here to the end of the enclosing scope
 * (__attribute__((cleanup)), GCC and Clang). A declaration: use it as a
 * statement inside a block. */
#define PK_SPAN(name)                                                          \
    __attribute__((cleanup(pk__span_guard_end), unused))                       \
    int PK__SPAN_CAT(pk__span_, __COUNTER__) = pk__span_guard_begin(name)

/* ---- control --------------------------------------------------------------- */

/* Defaults: 64 MiB cap, 4096-event chunks, automatic clock. */
void pk_trace_opts_init(pk_trace_opts *o);

/* Start (or resume) recording; o NULL means defaults. The clock, its origin
 * and chunk_events are fixed by the first start after a reset; max_bytes
 * applies from this start on. Errors: PK_EINVAL (max_bytes or chunk_events
 * out of range). */
pk_err pk_trace_start(const pk_trace_opts *o);
/* Stop recording; recorded events stay until pk_trace_reset(). Spans still
 * open are closed at the stop time in exports. */
void   pk_trace_stop(void);
/* Stop and free every buffer and counter: the next start begins a new trace.
 * Must not race with recording calls (see thread-safety above). */
void   pk_trace_reset(void);

/* Events dropped so far (memory cap or failed allocation). */
uint64_t pk_trace_dropped(void);
/* "tsc", "monotonic" or "custom": the time source of the current trace
 * ("none" before the first start). Static string. */
const char *pk_trace_clock_name(void);
/* Name the calling thread in exports (copied, at most 31 bytes); default: its
 * pthread name. */
void pk_trace_set_thread_name(const char *name);

/* ---- exports (to f only; nothing is printed elsewhere) ---------------------- */

/* Chrome Trace Event JSON (opens in Perfetto and chrome://tracing): "B"/"E"
 * span events, "i" instants, "C" counters, thread_name/process_name "M"
 * metadata; ts in µs since the start. Spans open at export get an "E" at the
 * export (or stop) time with args {"perfkit": "open at export"} (or
 * "truncated" after drops). Top level: "schema": "perfkit/trace/v1" and
 * otherData.dropped_events. Errors: PK_EINVAL (f NULL), PK_ENOMEM, PK_EIO. */
pk_err pk_trace_write_chrome(FILE *f);
/* Folded stacks, one line per distinct span stack: "main;parse;lex 1234",
 * the count being the stack's self time in whole µs (lines rounding to 0 are
 * left out); sorted; input for flamegraph.pl and inferno-flamegraph. ';' and
 * newlines in names are written as '_'. Errors: as pk_trace_write_chrome. */
pk_err pk_trace_write_folded(FILE *f);
/* A text table of span names sorted by self time (largest first): count,
 * total, self, mean, max, self as % of traced time (time covered by
 * top-level spans, all threads). Recursive spans count their total once.
 * Errors: as pk_trace_write_chrome. */
pk_err pk_trace_write_summary(FILE *f);

#else /* PK_TRACE_DISABLE: everything compiles to nothing */

#define PK_SPAN(name) ((void)0)
static inline void pk_span_begin(const char *name) { (void)name; }
static inline void pk_span_end(void) {}
static inline void pk_trace_checkpoint(const char *name) { (void)name; }
static inline void pk_trace_counter(const char *name, double value) { (void)name; (void)value; }
static inline void pk_trace_opts_init(pk_trace_opts *o)
{
    if (o) {
        o->max_bytes = 0; o->chunk_events = 0;
        o->clock = PK_TRACE_CLOCK_AUTO; o->clock_ns = 0;
    }
}
static inline pk_err pk_trace_start(const pk_trace_opts *o) { (void)o; return PK_OK; }
static inline void pk_trace_stop(void) {}
static inline void pk_trace_reset(void) {}
static inline uint64_t pk_trace_dropped(void) { return 0; }
static inline const char *pk_trace_clock_name(void) { return "disabled"; }
static inline void pk_trace_set_thread_name(const char *name) { (void)name; }
static inline pk_err pk_trace_write_chrome(FILE *f) { (void)f; return PK_ENOTSUP; }
static inline pk_err pk_trace_write_folded(FILE *f) { (void)f; return PK_ENOTSUP; }
static inline pk_err pk_trace_write_summary(FILE *f) { (void)f; return PK_ENOTSUP; }

#endif /* PK_TRACE_DISABLE */

PK_END_DECLS
#endif
