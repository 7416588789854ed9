/* guard.c — which connections the /metrics server keeps: header deadline,
 * per-address limit, total limit.
 *
 * Every open connection has a record in exactly one of three lists, each in
 * the order its connections entered it (so oldest first, and the oldest
 * deadline at the head): `fresh` (accepted, its first request's headers not
 * complete yet), `kept` (kept alive after a response, the next request's
 * headers not complete yet) and `busy` (headers complete, being answered).
 * A fresh connection must complete its headers within fresh_ns of its
 * accept; a kept one within kept_ns of its previous response (idle time
 * plus header time: the client may stay quiet, then send). Bytes arriving
 * do not extend either deadline, so a client trickling one header byte at a
 * time (slowloris) is cut off like a silent one.
 *
 * Admission never refuses while someone is merely waiting: a new connection
 * that puts its address over max_per_addr closes that address's oldest
 * waiting (fresh or kept) connection; one that puts the total over
 * max_total closes the oldest waiting connection of any address. Only when
 * every connection in the way is busy is the new one closed instead. A
 * legitimate scrape sends its headers at once and leaves the waiting lists
 * within a round trip, so the oldest waiting connection is the slow one.
 * "Closing" is shutdown(2) on the socket: the HTTP library sees end of file
 * and closes it on its next pass, then pk__metrics_guard_close frees the
 * record. Costs: O(1) per state change, O(live) per accepted connection
 * (counting one address), no allocation but the record. */
#include "metrics/guard.h"

#include <netinet/in.h>
#include <string.h>

#include "perfkit/alloc.h"

enum { IN_FRESH, IN_KEPT, IN_BUSY, IN_NONE };

struct pkm_conn {
    pkm_conn *prev, *next;
    int fd;
    int where;                /* IN_FRESH / IN_KEPT / IN_BUSY, IN_NONE once shut down */
    int64_t since;            /* entered its list (ns, monotonic) */
    sa_family_t family;       /* AF_INET, AF_INET6, or 0 when unknown */
    unsigned char addr[16];   /* the address, without the port */
};

static pkm_conn_list *list_of(pkm_guard *g, int where)
{
    return where == IN_FRESH ? &g->fresh : where == IN_KEPT ? &g->kept : &g->busy;
}

static void unlink_conn(pkm_guard *g, pkm_conn *c)
{
    if (c->where == IN_NONE)
        return;
    pkm_conn_list *l = list_of(g, c->where);
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
    c->where = IN_NONE;
    g->live--;
}

static void append(pkm_guard *g, pkm_conn *c, int where, int64_t now)
{
    unlink_conn(g, c);
    pkm_conn_list *l = list_of(g, where);
    c->prev = l->tail;
    c->next = NULL;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
    c->where = where;
    c->since = now;
    g->live++;
}

/* Close c's connection: the library closes the socket on its next pass. */
static void drop(pkm_guard *g, pkm_conn *c)
{
    unlink_conn(g, c);
    shutdown(c->fd, SHUT_RDWR);
}

static bool same_addr(const pkm_conn *a, const pkm_conn *b)
{
    if (a->family != b->family || a->family == 0)
        return false;
    return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* The first connection of l from c's address (any address when c is NULL). */
static pkm_conn *oldest_in(pkm_conn_list *l, const pkm_conn *c)
{
    pkm_conn *p = l->head;
    while (p && c && !same_addr(p, c))
        p = p->next;
    return p;
}

/* The connection that has waited longest for its headers (of c's address
 * when c is given), or NULL when none is waiting. */
static pkm_conn *oldest_waiting(pkm_guard *g, const pkm_conn *c)
{
    pkm_conn *f = oldest_in(&g->fresh, c), *k = oldest_in(&g->kept, c);
    if (!f || !k)
        return f ? f : k;
    return k->since < f->since ? k : f;
}

static unsigned count_addr(pkm_guard *g, const pkm_conn *c)
{
    unsigned n = 0;
    pkm_conn_list *lists[3] = {&g->fresh, &g->kept, &g->busy};
    for (int i = 0; i < 3; i++)
        for (pkm_conn *p = lists[i]->head; p; p = p->next)
            n += same_addr(p, c);
    return n;
}

void pk__metrics_guard_init(pkm_guard *g, int64_t fresh_ns, int64_t kept_ns,
                            unsigned max_total, unsigned max_per_addr)
{
    memset(g, 0, sizeof *g);
    g->fresh_ns = fresh_ns;
    g->kept_ns = kept_ns;
    g->max_total = max_total ? max_total : 1;
    g->max_per_addr = max_per_addr ? max_per_addr : 1;
}

pkm_conn *pk__metrics_guard_open(pkm_guard *g, int fd, const struct sockaddr *addr,
                                 int64_t now)
{
    pkm_conn *c = pk_calloc(1, sizeof *c);
    if (!c) {
        shutdown(fd, SHUT_RDWR);
        return NULL;
    }
    c->fd = fd;
    c->where = IN_NONE;
    if (addr && addr->sa_family == AF_INET) {
        c->family = AF_INET;
        memcpy(c->addr, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, 4);
    } else if (addr && addr->sa_family == AF_INET6) {
        c->family = AF_INET6;
        memcpy(c->addr, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, 16);
    }

    /* make room: first within the address's share, then in the total */
    if (c->family && count_addr(g, c) >= g->max_per_addr) {
        pkm_conn *v = oldest_waiting(g, c);
        if (!v) {
            drop(g, c);
            return c;
        }
        drop(g, v);
    }
    if (g->live >= g->max_total) {
        pkm_conn *v = oldest_waiting(g, NULL);
        if (!v) {
            drop(g, c);
            return c;
        }
        drop(g, v);
    }
    append(g, c, IN_FRESH, now);
    return c;
}

void pk__metrics_guard_close(pkm_guard *g, pkm_conn *c)
{
    if (!c)
        return;
    unlink_conn(g, c);
    pk_free(c);
}

void pk__metrics_guard_busy(pkm_guard *g, pkm_conn *c)
{
    if (c && (c->where == IN_FRESH || c->where == IN_KEPT))
        append(g, c, IN_BUSY, c->since);
}

void pk__metrics_guard_idle(pkm_guard *g, pkm_conn *c, int64_t now)
{
    if (c && c->where == IN_BUSY)
        append(g, c, IN_KEPT, now);
}

/* Drop the expired head of l; ns until l's next deadline or -1. */
static int64_t expire_list(pkm_guard *g, pkm_conn_list *l, int64_t limit_ns, int64_t now)
{
    if (limit_ns <= 0)
        return -1;
    while (l->head && now - l->head->since >= limit_ns)
        drop(g, l->head);
    return l->head ? l->head->since + limit_ns - now : -1;
}

int64_t pk__metrics_guard_expire(pkm_guard *g, int64_t now)
{
    int64_t a = expire_list(g, &g->fresh, g->fresh_ns, now);
    int64_t b = expire_list(g, &g->kept, g->kept_ns, now);
    if (a < 0 || b < 0)
        return a < 0 ? b : a;
    return a < b ? a : b;
}
