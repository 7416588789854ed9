/* serve.c — the metrics HTTP endpoint: GET /metrics over libmicrohttpd.
 *
 * One MHD daemon with its own polling thread answers each request from that
 * thread: GET or HEAD /metrics renders the registry (pk_metrics_render) in the
 * format the Accept header asks for (pk_metrics_negotiate) and hands the
 * buffer to MHD, which frees it with pk_free once sent. Other paths get 404,
 * other methods 405 with `Allow: GET, HEAD`. The library never prints: MHD's
 * messages go to a logger that keeps the last one (and its errno) while the
 * daemon starts, so a failed bind becomes PK_EIO with a message (in the
 * caller's pk_diag) such as "cannot listen on 127.0.0.1:9464: Address
 * already in use", and are dropped afterwards.
 *
 * References: libmicrohttpd manual (MHD_start_daemon, MHD_OPTION_SOCK_ADDR,
 * MHD_DAEMON_INFO_BIND_PORT); Prometheus exposition formats,
 * https://prometheus.io/docs/instrumenting/exposition_formats/ */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "perfkit/alloc.h"
#include "perfkit/diag.h"
#include "perfkit/metrics.h"

/* Seconds an idle connection may stay open (a stuck client cannot pin the
 * single serving thread's resources forever). */
#define SERVE_TIMEOUT_S 30u

struct pk_metrics_server {
    struct MHD_Daemon *daemon;
    pk_metrics_registry *reg;
    uint16_t port;
    atomic_bool capture;      /* keep log messages: only while starting */
    int log_errno;            /* errno when MHD last logged, while starting */
    char log_msg[160];        /* MHD's last message, while starting */
};

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
    (void)version;
    (void)upload_data;
    (void)con_cls;
    if (*upload_data_size != 0) {   /* a body we don't want: discard it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") != 0)
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

pk_err pk_metrics_serve(pk_metrics_registry *r, const char *addr, uint16_t port,
                        pk_metrics_server **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    if (!r || !addr || !out) {
        pk_diag_set(diag, "", 0, 0, "pk_metrics_serve: registry, address and out are required");
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
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
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
    atomic_init(&s->capture, true);

    errno = 0;
    /* The logger must come first: options before it would log to stderr. */
    s->daemon = MHD_start_daemon(flags, port, NULL, NULL, serve_request, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, serve_log, s,
                                 MHD_OPTION_SOCK_ADDR, sa,
                                 MHD_OPTION_CONNECTION_TIMEOUT, SERVE_TIMEOUT_S,
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
    *out = s;
    return PK_OK;
}

uint16_t pk_metrics_server_port(const pk_metrics_server *s)
{
    return s ? s->port : 0;
}

void pk_metrics_server_stop(pk_metrics_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    pk_free(s);
}
