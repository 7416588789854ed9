/* serve.c — the metrics HTTP endpoint: GET /metrics over libmicrohttpd.
 *
 * One thread of ours drives an MHD daemon in external-epoll mode: it polls
 * MHD's epoll descriptor and a wake-up eventfd, runs MHD, then enforces the
 * connection guard (guard.c). Each request is answered from that thread:
 * GET or HEAD /metrics renders the registry (pk_metrics_render) in the
 * format the Accept header asks for (pk_metrics_negotiate) and hands the
 * buffer to MHD, which frees it with pk_free once sent. Other paths get 404,
 * other methods 405 with `Allow: GET, HEAD`.
 *
 * Slow clients. MHD 0.9.75 has an idle timeout only, which every received
 * byte resets, and a connection limit that refuses newcomers once reached:
 * 1200 clients trickling a header line every 10 s held every slot and no
 * scrape got through. Nor can MHD close a given connection on request. So
 * the guard follows each connection through MHD's callbacks — accepted
 * (MHD_OPTION_NOTIFY_CONNECTION: its socket and address), headers complete
 * (the access handler is called), answered (MHD_OPTION_NOTIFY_COMPLETED),
 * closed (NOTIFY_CONNECTION again) — and closes one by shutdown(2) on its
 * socket, which MHD sees as end of file. Because our thread runs MHD and
 * the guard, a socket the guard still knows is never closed under it. The
 * header deadline, per-address and total limits are the guard's; MHD's own
 * connection limit is set above ours (room for connections shut down but
 * not yet reaped) and only pauses accepting.
 *
 * The path is matched on the raw request target (MHD_OPTION_URI_LOG_CALLBACK
 * sees it before MHD decodes it in place): percent-decoded with its length,
 * it must be exactly "/metrics", so "/metrics%00.txt" — which MHD decodes to
 * a string that strcmp takes for "/metrics" — is a 404.
 *
 * The library never prints: MHD's messages go to a logger that keeps the
 * last one (and its errno) while the daemon starts, so a failed bind becomes
 * PK_EIO with a message (in the caller's pk_diag) such as "cannot listen on
 * 127.0.0.1:9464: Address already in use", and are dropped afterwards.
 *
 * References: libmicrohttpd manual (MHD_start_daemon, MHD_run,
 * MHD_DAEMON_INFO_EPOLL_FD, MHD_OPTION_NOTIFY_CONNECTION); RFC 9112 §3.2
 * (request target); Prometheus exposition formats,
 * https://prometheus.io/docs/instrumenting/exposition_formats/ */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/clock.h"
#include "metrics/guard.h"
#include "perfkit/alloc.h"
#include "perfkit/diag.h"
#include "perfkit/metrics.h"

/* Defaults of pk_metrics_server_opts (documented at the declaration). */
#define SERVE_PORT 9464u
#define SERVE_HEADER_TIMEOUT_MS 10000u
#define SERVE_IDLE_TIMEOUT_S 30u
#define SERVE_MAX_CONNECTIONS 512u
#define SERVE_MAX_PER_ADDRESS 64u
#define SERVE_MAX_CONNECTIONS_LIMIT 100000u
/* MHD's own limit is ours plus this: room for connections the guard has
 * shut down and MHD has not reaped yet (MHD accepts at most 10 per pass). */
#define SERVE_MHD_HEADROOM 32u

struct pk_metrics_server {
    struct MHD_Daemon *daemon;
    pk_metrics_registry *reg;
    uint16_t port;
    atomic_bool capture;      /* keep log messages: only while starting */
    int log_errno;            /* errno when MHD last logged, while starting */
    char log_msg[160];        /* MHD's last message, while starting */
    pkm_guard guard;          /* the serving thread's only */
    int epoll_fd;             /* MHD's */
    int wake_fd;              /* eventfd: stop */
    atomic_bool stop;
    pthread_t thread;
};

/* A request whose raw path is "/metrics": the access handler's con_cls. */
static char path_is_metrics;

/* MHD's logger: never print. While the daemon starts, remember the last
 * message and the errno at that moment (MHD logs a failed bind right after
 * the failing call, before anything else can change errno). */
static void serve_log(void *cls, const char *fm, va_list ap)
{
    pk_metrics_server *s = cls;
    int saved = errno;
    if (!atomic_load(&s->capture))
        return;
    s->log_errno = saved;
    vsnprintf(s->log_msg, sizeof s->log_msg, fm, ap);
    size_t n = strlen(s->log_msg);
    while (n > 0 && (s->log_msg[n - 1] == '\n' || s->log_msg[n - 1] == ' '))
        s->log_msg[--n] = '\0';
    errno = saved;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Whether the raw request target's path (up to '?'), percent-decoded, is
 * exactly want — byte for byte and length for length, so an encoded NUL
 * or anything after it makes it differ. A '%' not followed by two hex
 * digits stands for itself (as MHD decodes it). */
static bool raw_path_is(const char *raw, const char *want)
{
    size_t n = strlen(want), k = 0;
    const char *p = raw;
    while (*p && *p != '?') {
        char c = *p++;
        if (c == '%' && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
            c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
            p += 2;
        }
        if (k >= n || c != want[k])
            return false;
        k++;
    }
    return k == n;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the raw target, before MHD decodes it. The
 * return value becomes the request's con_cls. */
static void *serve_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    return uri && raw_path_is(uri, "/metrics") ? &path_is_metrics : NULL;
}

static pkm_conn *conn_record(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: a socket accepted or about to be closed. */
static void serve_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    pk_metrics_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        pk__metrics_guard_close(&s->guard, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fdi =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ai =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fdi)
        return;   /* cannot happen: MHD always knows the socket */
    *socket_context = pk__metrics_guard_open(&s->guard, fdi->connect_fd,
                                             ai ? ai->client_addr : NULL,
                                             pk__clock_ns(PK__CLOCK_MONO));
}

/* MHD_OPTION_NOTIFY_COMPLETED: a request answered (or abandoned). */
static void serve_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    pk_metrics_server *s = cls;
    (void)con_cls;
    (void)toe;
    pk__metrics_guard_idle(&s->guard, conn_record(conn), pk__clock_ns(PK__CLOCK_MONO));
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *body, const char *allow)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                                 "text/plain; charset=utf-8");
    if (ok == MHD_YES && allow)
        ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (ok == MHD_YES)
        ok = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result serve_request(void *cls, struct MHD_Connection *conn,
                                     const char *url, const char *method,
                                     const char *version, const char *upload_data,
                                     size_t *upload_data_size, void **con_cls)
{
    pk_metrics_server *s = cls;
    (void)url;
    (void)version;
    (void)upload_data;
    pk__metrics_guard_busy(&s->guard, conn_record(conn));   /* headers complete */
    if (*upload_data_size != 0) {   /* a body we don't want: discard it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*con_cls != &path_is_metrics)
        return reply(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", NULL);
    bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "GET, HEAD");

    const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_ACCEPT);
    pk_metrics_format fmt = pk_metrics_negotiate(accept);
    char *text = NULL;
    size_t len = 0;
    if (pk_metrics_render(s->reg, fmt, &text, &len) != PK_OK)
        return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render metrics\n", NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, text, pk_free);
    if (!resp) {
        pk_free(text);
        return MHD_NO;
    }
    enum MHD_Result ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                                 pk_metrics_content_type(fmt));
    if (ok == MHD_YES)
        ok = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The serving thread: wait for MHD's sockets, MHD's own timeouts, the
 * guard's next deadline or the stop signal; run MHD; enforce the guard. */
static void *serve_loop(void *arg)
{
    pk_metrics_server *s = arg;
    while (!atomic_load(&s->stop)) {
        MHD_run(s->daemon);
        int64_t next_ns = pk__metrics_guard_expire(&s->guard, pk__clock_ns(PK__CLOCK_MONO));
        int timeout_ms = -1;
        MHD_UNSIGNED_LONG_LONG mhd_ms;
        if (MHD_get_timeout(s->daemon, &mhd_ms) == MHD_YES)
            timeout_ms = mhd_ms > 60000 ? 60000 : (int)mhd_ms;
        if (next_ns >= 0) {
            int64_t g_ms = (next_ns + 999999) / 1000000;
            if (timeout_ms < 0 || g_ms < timeout_ms)
                timeout_ms = (int)(g_ms > 60000 ? 60000 : g_ms);
        }
        struct pollfd pf[2] = {{.fd = s->epoll_fd, .events = POLLIN},
                               {.fd = s->wake_fd, .events = POLLIN}};
        (void)poll(pf, 2, timeout_ms);   /* EINTR: just go round */
    }
    return NULL;
}

void pk_metrics_server_opts_init(pk_metrics_server_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->addr = "127.0.0.1";
    o->port = SERVE_PORT;
    o->header_timeout_ms = SERVE_HEADER_TIMEOUT_MS;
    o->idle_timeout_s = SERVE_IDLE_TIMEOUT_S;
    o->max_connections = SERVE_MAX_CONNECTIONS;
    o->max_connections_per_address = SERVE_MAX_PER_ADDRESS;
}

/* Start the serving thread with every signal blocked in it: signals are the
 * application's, for its own threads. */
static int start_thread(pk_metrics_server *s)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&s->thread, NULL, serve_loop, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

pk_err pk_metrics_server_new(pk_metrics_registry *r, const pk_metrics_server_opts *o,
                             pk_metrics_server **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    pk_metrics_server_opts defaults;
    pk_metrics_server_opts_init(&defaults);
    if (!o)
        o = &defaults;
    const char *addr = o->addr;
    uint16_t port = o->port;
    if (!r || !addr || !out) {
        pk_diag_set(diag, "", 0, 0, "pk_metrics_serve: registry, address and out are required");
        return PK_EINVAL;
    }
    if (o->max_connections < 1 || o->max_connections > SERVE_MAX_CONNECTIONS_LIMIT) {
        pk_diag_set(diag, "", 0, 0, "max_connections %u is out of range (1..%u)",
                    o->max_connections, SERVE_MAX_CONNECTIONS_LIMIT);
        return PK_EINVAL;
    }
    if (o->max_connections_per_address < 1) {
        pk_diag_set(diag, "", 0, 0, "max_connections_per_address must be at least 1");
        return PK_EINVAL;
    }

    /* "127.0.0.1", "::1" or "[::1]" */
    char host[INET6_ADDRSTRLEN + 2];
    size_t alen = strlen(addr);
    if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']') {
        addr++;
        alen -= 2;
    }
    if (alen == 0 || alen >= sizeof host) {
        pk_diag_set(diag, "", 0, 0, "invalid listen address '%s'", addr);
        return PK_EINVAL;
    }
    memcpy(host, addr, alen);
    host[alen] = '\0';

    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    const struct sockaddr *sa;
    unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    bool v6 = false;
    if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        sa = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(port);
        sa = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
        v6 = true;
    } else {
        pk_diag_set(diag, "", 0, 0,
                    "invalid listen address '%s' (want an IPv4 or IPv6 literal)", host);
        return PK_EINVAL;
    }

    pk_metrics_server *s = pk_calloc(1, sizeof *s);
    if (!s) {
        pk_diag_set(diag, "", 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    s->reg = r;
    s->wake_fd = -1;
    atomic_init(&s->capture, true);
    atomic_init(&s->stop, false);
    int64_t header_ns = (int64_t)o->header_timeout_ms * 1000000;
    int64_t kept_ns = header_ns > 0 ? header_ns + (int64_t)o->idle_timeout_s * 1000000000 : 0;
    pk__metrics_guard_init(&s->guard, header_ns, kept_ns, o->max_connections,
                           o->max_connections_per_address);

    errno = 0;
    /* The logger must come first: options before it would log to stderr. */
    s->daemon = MHD_start_daemon(
        flags, port, NULL, NULL, serve_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, serve_log, s,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, o->max_connections + SERVE_MHD_HEADROOM,
        MHD_OPTION_NOTIFY_CONNECTION, serve_conn, s,
        MHD_OPTION_NOTIFY_COMPLETED, serve_done, s,
        MHD_OPTION_URI_LOG_CALLBACK, serve_uri, s,
        MHD_OPTION_END);
    int start_errno = errno;
    atomic_store(&s->capture, false);
    if (!s->daemon) {
        int e = s->log_errno ? s->log_errno : start_errno;
        char ebuf[128];
        const char *why = s->log_msg[0] ? s->log_msg : "cannot start the HTTP server";
        if (e != 0)
            why = strerror_r(e, ebuf, sizeof ebuf);
        pk_diag_set(diag, "", 0, 0, "cannot listen on %s%s%s:%u: %s", v6 ? "[" : "", host,
                v6 ? "]" : "", (unsigned)port, why);
        pk_free(s);
        return e == ENOMEM ? PK_ENOMEM : PK_EIO;
    }

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = (info && info->port != 0) ? info->port : port;
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    s->epoll_fd = info ? info->epoll_fd : -1;
    s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int err = s->epoll_fd < 0 || s->wake_fd < 0 ? errno : start_thread(s);
    if (s->epoll_fd < 0 || s->wake_fd < 0 || err != 0) {
        char ebuf[128];
        pk_diag_set(diag, "", 0, 0, "cannot start the HTTP server's thread: %s",
                    err ? strerror_r(err, ebuf, sizeof ebuf) : "no epoll descriptor");
        MHD_stop_daemon(s->daemon);
        if (s->wake_fd >= 0)
            close(s->wake_fd);
        pk_free(s);
        return err == ENOMEM || err == EAGAIN ? PK_ENOMEM : PK_EIO;
    }
    *out = s;
    return PK_OK;
}

pk_err pk_metrics_serve(pk_metrics_registry *r, const char *addr, uint16_t port,
                        pk_metrics_server **out, pk_diag *diag)
{
    pk_metrics_server_opts o;
    pk_metrics_server_opts_init(&o);
    o.addr = addr;
    o.port = port;
    return pk_metrics_server_new(r, &o, out, diag);
}

uint16_t pk_metrics_server_port(const pk_metrics_server *s)
{
    return s ? s->port : 0;
}

void pk_metrics_server_stop(pk_metrics_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    uint64_t one = 1;
    while (write(s->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    pthread_join(s->thread, NULL);
    MHD_stop_daemon(s->daemon);   /* closes what is open: the guard forgets each */
    close(s->wake_fd);
    pk_free(s);
}
