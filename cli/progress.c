/* progress.c — progress on stderr, shared by bench and check.
 * The bar is redrawn in place with \r and ESC[K only on a TTY; elsewhere
 * (CI logs) a plain line per phase, so logs stay readable. Names and
 * commands are shown terminal-safe (perfkit/termsafe.h): the only control
 * characters on the line are perfkit's own. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "perfkit/termsafe.h"
#include "perfkit/units.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, const char *cmd)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->tty = isatty(STDERR_FILENO);
}

void cli_progress_show(cli_progress *p, const pk_cmdbench_progress *ev, const char *prefix_in,
                       const char *name_in)
{
    char pre_buf[128], name[51];   /* the name is cut to 50 bytes, whole characters */
    const char *prefix = prefix_in ? pk_termsafe(prefix_in, pre_buf, sizeof pre_buf) : NULL;
    pk_termsafe(name_in, name, sizeof name);
    if (!p->tty) {
        if (ev->total && ev->total != p->last_total) {
            fprintf(stderr, "perfkit: %s: %s%smeasuring %zu runs\n", p->cmd,
                    prefix ? prefix : "", prefix ? ": " : "", ev->total);
            p->last_total = ev->total;
        }
        return;
    }
    double t = now_ns();
    if (ev->total != p->last_total) {   /* a new phase: restart the ETA clock */
        p->last_total = ev->total;
        p->start_ns = t;
    }
    if (t - p->last_draw_ns < 50e6 && ev->done != ev->total)
        return;   /* redraw at most 20 times a second */
    p->last_draw_ns = t;
    const char *pre = prefix ? prefix : "";
    const char *sep = prefix ? "  " : "";
    if (ev->warmup) {
        fprintf(stderr, "\r\033[K  %s%swarm-up: %s", pre, sep, name);
    } else if (!ev->total) {
        fprintf(stderr, "\r\033[K  %s%sestimating the run count: %s", pre, sep, name);
    } else {
        pk_termsafe(name_in, name, 41);   /* 40 bytes beside the bar */
        size_t width = 30, fill = ev->done * width / ev->total;
        char bar[64], eta[32];
        for (size_t i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[width] = '\0';
        double left = ev->done ? (t - p->start_ns) / (double)ev->done *
                                     (double)(ev->total - ev->done)
                               : 0;
        fprintf(stderr, "\r\033[K  %s%s[%s] %zu/%zu  ETA %s  %s", pre, sep, bar, ev->done,
                ev->total, pk_units_format_duration(left, 0, eta, sizeof eta), name);
    }
    fflush(stderr);
}

void cli_progress_done(cli_progress *p)
{
    if (p->tty)
        fputs("\r\033[K", stderr);
}
