/* guard.h — the /metrics server's connection guard (lib/metrics private).
 *
 * Keeps one record per open connection of the HTTP endpoint and decides
 * which connections may stay: the header deadline, the per-address and the
 * total connection limit (guard.c says how). The server (serve.c) calls it
 * from its one serving thread only. Thread-safety: none — one thread. */
#ifndef PK_METRICS_GUARD_H
#define PK_METRICS_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct pkm_conn pkm_conn;

/* A doubly-linked list of connections, oldest first. */
typedef struct pkm_conn_list {
    pkm_conn *head, *tail;
} pkm_conn_list;

typedef struct pkm_guard {
    pkm_conn_list fresh;      /* waiting for their first request's headers */
    pkm_conn_list kept;       /* kept alive, waiting for the next request's headers */
    pkm_conn_list busy;       /* headers complete: a request being answered */
    unsigned live;            /* connections in the three lists */
    int64_t fresh_ns;         /* deadline of fresh ones, from accept; 0: none */
    int64_t kept_ns;          /* deadline of kept ones, from their last response; 0: none */
    unsigned max_total;       /* live connections at most */
    unsigned max_per_addr;    /* live connections of one address at most */
} pkm_guard;

/* Deadlines in ns (0: none) and limits (>= 1). */
void pk__metrics_guard_init(pkm_guard *g, int64_t fresh_ns, int64_t kept_ns,
                            unsigned max_total, unsigned max_per_addr);

/* A connection was accepted at now on socket fd from addr (may be NULL).
 * Admits it, first closing (shutdown) the oldest connection still waiting
 * for headers — of the same address when that address is at its limit, of
 * any address when the total is — or, when none is waiting, the new one.
 * Returns its record (owned by the guard until pk__metrics_guard_close), or
 * NULL when no record could be allocated: then the new connection is shut
 * down too. */
pkm_conn *pk__metrics_guard_open(pkm_guard *g, int fd, const struct sockaddr *addr,
                                 int64_t now);
/* The connection's socket is about to be closed: forget and free c (NULL
 * is a no-op). */
void pk__metrics_guard_close(pkm_guard *g, pkm_conn *c);
/* c's request headers are complete: no deadline until it is answered. */
void pk__metrics_guard_busy(pkm_guard *g, pkm_conn *c);
/* c's request was answered at now: if the connection stays open, it waits
 * for the next request's headers under the kept-alive deadline. */
void pk__metrics_guard_idle(pkm_guard *g, pkm_conn *c, int64_t now);
/* Shut down every connection whose deadline is at or before now. Returns
 * the ns until the next deadline, or -1 when no connection has one. */
int64_t pk__metrics_guard_expire(pkm_guard *g, int64_t now);

#endif
