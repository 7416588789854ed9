/* perfkit/metrics.h — production metrics with Prometheus / OpenMetrics export.
 *
 * A registry holds metric families (counter, gauge, histogram), each with a
 * fixed list of label names; a family's children are looked up by label
 * values once and then updated on the hot path:
 *
 *   pk_metrics_registry *reg;  pk_metrics_registry_new(&reg);
 *   pk_metrics_family *req;
 *   pk_metrics_counter_family(reg, "http_requests_total", "Requests served.",
 *                             (const char *[]){"method", "code"}, 2, &req);
 *   pk_metrics_counter *get200;
 *   pk_metrics_counter_get(req, (const char *[]){"GET", "200"}, &get200);
 *   pk_metrics_counter_inc(get200);                       // hot path: ~1 ns
 *
 * Hot path (inc/add/set/observe): lock-free and allocation-free after the
 * first update from a thread. Counters and histograms keep one cache-line
 * aligned cell per thread (written by that thread only with relaxed atomic
 * load + store, no locked instruction) that a scrape sums; a thread finds
 * its cell through a thread-local table indexed by the child's slot id.
 * Cells of exited threads keep counting in the totals until the registry is
 * freed. Gauges are one atomic double (add is a CAS loop). The registry
 * (creating families, looking up children, exposition, reading values) is
 * thread-safe behind one mutex that the hot path never takes. Should a
 * thread's cell not be allocatable, its updates go to a shared atomic
 * fallback: counts are never lost.
 *
 * Counters keep an exact uint64 for inc() and integral add()s below 2^53,
 * plus a double for fractional add()s; the value is their sum and is
 * exposed as an exact integer while no fractional add() happened.
 *
 * Histograms are log-linear (HDR-style): every power of two in (2^-30,
 * 2^50] is split into 128 linear sub-buckets (lo, hi], so any recorded
 * value is known within 1/128 < 0.8% relative error, and any percentile can
 * be answered (pk_metrics_histogram_percentile). [0, 2^-30] is a zero
 * bucket, values above 2^50 (~1.1e15) an overflow bucket reported with the
 * largest value seen there. A thread's bucket counts are allocated lazily,
 * 1 KiB per power of two it observes, so after warm-up over the range of
 * values it sees, observe() does not allocate. Classic Prometheus `le`
 * buckets are exposed when the family is created with explicit bounds
 * (exact per-bound counts, a value equal to a bound counts in it); without
 * bounds, the upper edges of the non-empty log-linear buckets are the `le`
 * bounds.
 *
 * Exposition: Prometheus text format 0.0.4 and OpenMetrics 1.0 (escaping,
 * _bucket/_sum/_count, +Inf, _total, # EOF; `_created` and `# UNIT` are not
 * exposed), plus the standard process_* metrics read from /proc.
 * pk_metrics_serve() runs an HTTP server (libmicrohttpd) answering GET
 * /metrics with content negotiation, with a header deadline and connection
 * limits so that slow or greedy clients cannot stall a scrape.
 *
 * Errors: pk_err; names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
 * [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__"; "le" not on histograms);
 * a family name registered twice, or one whose exposed names clash with
 * another family's (counter x_total vs gauge x, histogram h vs gauge
 * h_count...), is PK_EINVAL. Thread-safety: every function is thread-safe; handles
 * (families, children) live as long as their registry. */
#ifndef PERFKIT_METRICS_H
#define PERFKIT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_metrics_registry pk_metrics_registry;
typedef struct pk_metrics_family pk_metrics_family;
typedef struct pk_metrics_counter pk_metrics_counter;
typedef struct pk_metrics_gauge pk_metrics_gauge;
typedef struct pk_metrics_histogram pk_metrics_histogram;

/* ---- registry -------------------------------------------------------------- */

/* On PK_OK *out owns an empty registry. Errors: PK_ENOMEM. */
pk_err pk_metrics_registry_new(pk_metrics_registry **out);
/* Frees the registry and every family and child (their handles die with it),
 * including the cells of every thread. Must not race with updates or reads
 * of its metrics. NULL is a no-op. */
void   pk_metrics_registry_free(pk_metrics_registry *r);

/* Add the standard process_* metrics (process_cpu_seconds_total,
 * process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_open_fds, process_max_fds, process_start_time_seconds,
 * process_threads), read from /proc at each exposition; a value that cannot
 * be read is left out, never shown as 0. Errors: PK_ENOMEM, PK_EINVAL
 * (already added, or a name clash). */
pk_err pk_metrics_add_process(pk_metrics_registry *r);

/* ---- families ------------------------------------------------------------- */

/* Create a family; labels[0..n_labels-1] are copied. *out is borrowed from r.
 * A counter's name should end in _total (exposed as is for Prometheus 0.0.4;
 * OpenMetrics exposes the family without the suffix). Errors: PK_EINVAL (bad
 * or duplicate name, bad label name, more than 16 labels), PK_ENOMEM. */
pk_err pk_metrics_counter_family(pk_metrics_registry *r, const char *name, const char *help,
                                 const char *const *labels, size_t n_labels,
                                 pk_metrics_family **out);
pk_err pk_metrics_gauge_family(pk_metrics_registry *r, const char *name, const char *help,
                               const char *const *labels, size_t n_labels,
                               pk_metrics_family **out);
/* bounds: ascending classic `le` bounds (may be NULL/0: expose the
 * log-linear buckets that hold data, as le bounds). Errors: as above, and
 * PK_EINVAL for bounds not strictly ascending or not finite. */
pk_err pk_metrics_histogram_family(pk_metrics_registry *r, const char *name, const char *help,
                                   const char *const *labels, size_t n_labels,
                                   const double *bounds, size_t n_bounds,
                                   pk_metrics_family **out);

/* ---- children (one per label-value tuple) ------------------------------------
 * values[0..n_labels-1] (NULL when the family has no labels). The same values
 * always give the same child; keep the handle, the lookup takes the registry
 * lock. Errors: PK_EINVAL (wrong family type, NULL value), PK_ENOMEM. */
pk_err pk_metrics_counter_get(pk_metrics_family *f, const char *const *values,
                              pk_metrics_counter **out);
pk_err pk_metrics_gauge_get(pk_metrics_family *f, const char *const *values,
                            pk_metrics_gauge **out);
pk_err pk_metrics_histogram_get(pk_metrics_family *f, const char *const *values,
                                pk_metrics_histogram **out);

/* ---- hot path: lock-free, no allocation after a thread's first update ------- */

void pk_metrics_counter_inc(pk_metrics_counter *c);
/* v >= 0 (negative values and NaN are ignored: counters only go up). */
void pk_metrics_counter_add(pk_metrics_counter *c, double v);
void pk_metrics_gauge_set(pk_metrics_gauge *g, double v);
void pk_metrics_gauge_add(pk_metrics_gauge *g, double v);   /* v may be negative */
/* v >= 0 is recorded in the log-linear buckets (values up to 2^-30 ~ 9.3e-10
 * go to the zero bucket); negative values count in _sum, _count and every
 * `le` bucket they are <= (all of them without classic bounds) but not in
 * percentiles; NaN is ignored. In OpenMetrics, a histogram with a negative
 * observation or bound omits _sum and _count, as the spec requires. */
void pk_metrics_histogram_observe(pk_metrics_histogram *h, double v);

/* ---- reading ------------------------------------------------------------------ */

double pk_metrics_counter_value(const pk_metrics_counter *c);   /* sum over threads */
double pk_metrics_gauge_value(const pk_metrics_gauge *g);
uint64_t pk_metrics_histogram_count(const pk_metrics_histogram *h);
double pk_metrics_histogram_sum(const pk_metrics_histogram *h);
/* The p-th percentile (0..100, nearest rank: the smallest value with at
 * least ceil(p/100 * n) values <= it) of the observed non-negative values,
 * as its bucket's midpoint: within 0.4% relative error (0 for the zero
 * bucket, the maximum for the overflow bucket). Errors: PK_EINVAL (p out of
 * range, no non-negative observation). */
pk_err pk_metrics_histogram_percentile(const pk_metrics_histogram *h, double p, double *out);

/* ---- exposition ---------------------------------------------------------------- */

typedef enum pk_metrics_format {
    PK_METRICS_PROMETHEUS = 0,   /* text/plain; version=0.0.4; charset=utf-8 */
    PK_METRICS_OPENMETRICS = 1,  /* application/openmetrics-text; version=1.0.0; charset=utf-8 */
} pk_metrics_format;

/* The Content-Type header value for fmt. Never NULL. */
const char *pk_metrics_content_type(pk_metrics_format fmt);

/* Pick the format an HTTP Accept header asks for (OpenMetrics when it lists
 * application/openmetrics-text with q > 0 and higher or equal to text/plain's,
 * else Prometheus text). accept may be NULL. */
pk_metrics_format pk_metrics_negotiate(const char *accept);

/* Write every family in registration order. Errors: PK_EIO, PK_ENOMEM. */
pk_err pk_metrics_write(pk_metrics_registry *r, pk_metrics_format fmt, FILE *f);
/* The same into a new buffer the caller frees with pk_free (*len bytes, NUL
 * terminated; len may be NULL). Errors: PK_EINVAL (NULL r/out, unknown
 * fmt), PK_ENOMEM. */
pk_err pk_metrics_render(pk_metrics_registry *r, pk_metrics_format fmt, char **out, size_t *len);

/* ---- HTTP endpoint ------------------------------------------------------------- */

/* The HTTP server: GET/HEAD /metrics (path matched exactly, after percent
 * decoding: "/metrics%00.txt" is not it) renders the registry in the format
 * the Accept header asks for; other paths get 404, other methods 405.
 * Thread-safety: start and stop from any thread; the server serves from one
 * thread of its own. */
typedef struct pk_metrics_server pk_metrics_server;

/* Where to listen and what one client may hold. Defaults (from
 * pk_metrics_server_opts_init) are the values in brackets.
 *
 * A connection must deliver its request's complete headers within
 * header_timeout_ms of being accepted, however the bytes trickle in
 * (slowloris); on a kept-alive connection the next request's headers are due
 * idle_timeout_s + header_timeout_ms after the previous response. A
 * connection that sends nothing for idle_timeout_s (while waiting or while
 * we send) is closed. A new connection that would give its address more
 * than max_connections_per_address, or the server more than
 * max_connections, closes the connection that has waited longest for its
 * headers (of that address, resp. of any) — a slot is always kept for a new
 * client; only when every connection in the way is being answered is the
 * new one closed. The process needs about max_connections + 40 file
 * descriptors (RLIMIT_NOFILE). */
typedef struct pk_metrics_server_opts {
    const char *addr;            /* IPv4 or IPv6 literal ["127.0.0.1"]; "[::1]" accepted */
    uint16_t port;               /* [9464]; 0 picks a free port (pk_metrics_server_port) */
    unsigned header_timeout_ms;  /* [10000]; 0: no header deadline */
    unsigned idle_timeout_s;     /* [30]; 0: none */
    unsigned max_connections;    /* [512], 1..100000 */
    unsigned max_connections_per_address;  /* [64], >= 1 (IPv6: per full address) */
} pk_metrics_server_opts;

void pk_metrics_server_opts_init(pk_metrics_server_opts *o);

/* Serve r as o says (NULL o: the defaults) from a background thread. On
 * PK_OK *out owns the server (stop it with pk_metrics_server_stop before
 * freeing r); on error *out is NULL and diag (may be NULL) says why in
 * diag->message ("cannot listen on 127.0.0.1:9464: Address already in use";
 * no file or position). Errors: PK_EINVAL (NULL r/out, addr not an IP
 * literal, a limit out of range), PK_EIO (cannot bind or start), PK_ENOMEM.
 * r must outlive the server. */
pk_err pk_metrics_server_new(pk_metrics_registry *r, const pk_metrics_server_opts *o,
                             pk_metrics_server **out, pk_diag *diag);
/* pk_metrics_server_new with the default options but addr and port
 * ("127.0.0.1", 9464). Errors as pk_metrics_server_new (NULL addr:
 * PK_EINVAL). */
pk_err pk_metrics_serve(pk_metrics_registry *r, const char *addr, uint16_t port,
                        pk_metrics_server **out, pk_diag *diag);
/* The port s listens on (the one picked when asked for 0); 0 for NULL s. */
uint16_t pk_metrics_server_port(const pk_metrics_server *s);
/* Stop serving and free s (NULL is a no-op): open connections are closed;
 * returns promptly. r stays valid. */
void pk_metrics_server_stop(pk_metrics_server *s);

PK_END_DECLS
#endif
