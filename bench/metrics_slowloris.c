/* metrics_slowloris.c — the /metrics server against slow clients: the
 * server, the slow clients and a scraper probe of bench/metrics_slowloris.sh.
 *
 *   metrics_slowloris serve SECONDS
 *       serve a fixed registry (20 counters, constant values: every body has
 *       the same length, so ab's length check means something) with
 *       pk_metrics_serve(reg, "127.0.0.1", 0) — the defaults; print
 *       "port N", serve SECONDS or until SIGINT/SIGTERM.
 *   metrics_slowloris slow PORT N ADDRS INTERVAL_S SECONDS
 *       hold N connections to 127.0.0.1:PORT, from source addresses
 *       127.0.0.2 .. 127.0.0.(ADDRS+1) in turn (other hosts, on loopback);
 *       each sends "GET /metrics HTTP/1.1" and a Host line, then one more
 *       header line every INTERVAL_S seconds and never ends its headers.
 *       A connection the server closes is opened again 100 ms later (a
 *       slowloris tool keeps its count up). Runs SECONDS, then prints
 *       "slow: opened A closed-by-server B open-at-end C".
 *   metrics_slowloris probe PORT SECONDS PERIOD_MS TIMEOUT_S
 *       a scraper: GET /metrics from 127.0.0.1 every PERIOD_MS, each
 *       allowed TIMEOUT_S to be answered 200; prints
 *       "probe: answered A of B".
 * Loopback only; every loop is bounded by SECONDS. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "perfkit/metrics.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg(const char *s, long lo, long hi, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < lo || v > hi) {
        fprintf(stderr, "metrics_slowloris: bad %s '%s' (%ld..%ld)\n", what, s, lo, hi);
        exit(2);
    }
    return v;
}

/* ---- serve ---------------------------------------------------------------------- */

static atomic_bool stop;
static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop, true);
}

static int serve(long seconds)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    pk_metrics_registry *reg;
    pk_metrics_family *f;
    if (pk_metrics_registry_new(&reg) ||
        pk_metrics_counter_family(reg, "bench_requests_total", "Requests.",
                                  (const char *[]){"route"}, 1, &f))
        return 1;
    for (int i = 0; i < 20; i++) {
        char route[16];
        snprintf(route, sizeof route, "/r%02d", i);
        pk_metrics_counter *c;
        if (pk_metrics_counter_get(f, (const char *[]){route}, &c))
            return 1;
        pk_metrics_counter_add(c, 1000 + i);
    }
    pk_metrics_server *srv;
    pk_diag d = {0};
    if (pk_metrics_serve(reg, "127.0.0.1", 0, &srv, &d)) {
        fprintf(stderr, "metrics_slowloris: %s\n", d.message);
        return 1;
    }
    printf("port %u\n", (unsigned)pk_metrics_server_port(srv));
    fflush(stdout);
    double end = now_s() + (double)seconds;
    while (!atomic_load(&stop) && now_s() < end)
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    pk_metrics_server_stop(srv);
    pk_metrics_registry_free(reg);
    return 0;
}

/* ---- slow clients --------------------------------------------------------------- */

struct slow {
    int fd;            /* -1: closed */
    int connected;
    double next;       /* when to send the next line, or to reconnect */
    unsigned lines;
};

static int open_from(int addr_index, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)addr_index);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    a.sin_addr.s_addr = htonl(0x7f000001u);
    a.sin_port = htons(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static int slow(uint16_t port, long n, long addrs, long interval, long seconds)
{
    signal(SIGPIPE, SIG_IGN);
    struct slow *c = calloc((size_t)n, sizeof *c);
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    if (!c || !p)
        return 1;
    for (long i = 0; i < n; i++)
        c[i].fd = -1;
    unsigned long opened = 0, closed = 0;
    double end = now_s() + (double)seconds;
    while (now_s() < end) {
        double t = now_s();
        for (long i = 0; i < n; i++) {
            struct slow *s = &c[i];
            if (s->fd < 0 && t >= s->next) {
                s->fd = open_from((int)(i % addrs), port);
                s->connected = 0;
                s->lines = 0;
                if (s->fd >= 0)
                    opened++;
                else
                    s->next = t + 0.1;
            } else if (s->fd >= 0 && s->connected && t >= s->next) {
                char line[64];
                int len = snprintf(line, sizeof line, "X-Slow-%u: %ld\r\n", s->lines++, i);
                if (send(s->fd, line, (size_t)len, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
                    close(s->fd);
                    s->fd = -1;
                    closed++;
                    s->next = t + 0.1;
                } else {
                    s->next = t + (double)interval;
                }
            }
            p[i].fd = s->fd;
            p[i].events = (short)(s->fd >= 0 && !s->connected ? POLLOUT : POLLIN);
            p[i].revents = 0;
        }
        if (poll(p, (nfds_t)n, 100) <= 0)
            continue;
        t = now_s();
        for (long i = 0; i < n; i++) {
            struct slow *s = &c[i];
            if (s->fd < 0 || p[i].revents == 0)
                continue;
            if (!s->connected && (p[i].revents & POLLOUT) && !(p[i].revents & (POLLERR | POLLHUP))) {
                static const char first[] = "GET /metrics HTTP/1.1\r\nHost: slow\r\n";
                s->connected = 1;
                if (send(s->fd, first, sizeof first - 1, MSG_NOSIGNAL) >= 0) {
                    s->next = t + (double)interval;
                    continue;
                }
            } else if (p[i].revents & POLLIN) {
                char buf[4096];
                ssize_t r = recv(s->fd, buf, sizeof buf, 0);
                if (r > 0 || (r < 0 && errno == EAGAIN))
                    continue;   /* an answer (408?): wait for the close */
            }
            close(s->fd);
            s->fd = -1;
            closed++;
            s->next = t + 0.1;
        }
    }
    long open_now = 0;
    for (long i = 0; i < n; i++)
        if (c[i].fd >= 0) {
            open_now += c[i].connected;
            close(c[i].fd);
        }
    printf("slow: opened %lu closed-by-server %lu open-at-end %ld\n", opened, closed, open_now);
    free(c);
    free(p);
    return 0;
}

/* ---- probe ---------------------------------------------------------------------- */

/* One GET: 1 when answered 200 within timeout_s. */
static int probe_once(uint16_t port, double timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(0x7f000001u);
    double end = now_s() + timeout_s;
    int ok = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS)
        goto out;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, (int)(timeout_s * 1000)) != 1 || (p.revents & (POLLERR | POLLHUP)))
        goto out;
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1))
        goto out;
    char buf[64];
    size_t have = 0;
    while (have < 12) {
        int left = (int)((end - now_s()) * 1000);
        if (left <= 0)
            goto out;
        p.events = POLLIN;
        if (poll(&p, 1, left) != 1)
            continue;
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0 && !(r < 0 && errno == EAGAIN))
            goto out;
        if (r > 0)
            have += (size_t)r;
    }
    buf[have] = '\0';
    ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
out:
    close(fd);
    return ok;
}

static int probe(uint16_t port, long seconds, long period_ms, long timeout_s)
{
    signal(SIGPIPE, SIG_IGN);
    unsigned long tries = 0, answered = 0;
    double end = now_s() + (double)seconds;
    while (now_s() < end) {
        double t0 = now_s();
        tries++;
        answered += (unsigned long)probe_once(port, (double)timeout_s);
        double wait = (double)period_ms / 1000 - (now_s() - t0);
        if (wait > 0)
            nanosleep(&(struct timespec){.tv_sec = (time_t)wait,
                                         .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)},
                      NULL);
    }
    printf("probe: answered %lu of %lu\n", answered, tries);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(arg(argv[2], 1, 86400, "SECONDS"));
    if (argc == 7 && strcmp(argv[1], "slow") == 0)
        return slow((uint16_t)arg(argv[2], 1, 65535, "PORT"), arg(argv[3], 1, 100000, "N"),
                    arg(argv[4], 1, 250, "ADDRS"), arg(argv[5], 1, 3600, "INTERVAL_S"),
                    arg(argv[6], 1, 86400, "SECONDS"));
    if (argc == 6 && strcmp(argv[1], "probe") == 0)
        return probe((uint16_t)arg(argv[2], 1, 65535, "PORT"), arg(argv[3], 1, 86400, "SECONDS"),
                     arg(argv[4], 1, 60000, "PERIOD_MS"), arg(argv[5], 1, 600, "TIMEOUT_S"));
    fprintf(stderr, "usage: metrics_slowloris serve SECONDS\n"
                    "       metrics_slowloris slow PORT N ADDRS INTERVAL_S SECONDS\n"
                    "       metrics_slowloris probe PORT SECONDS PERIOD_MS TIMEOUT_S\n");
    return 2;
}
