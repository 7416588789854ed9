/* progress.c — progress on stderr, shared by bench and check.
 * The bar is redrawn in place with \r and ESC[K only on a TTY; elsewhere
 * (CI logs) a plain line per phase, so logs stay readable. Names and
 * commands are shown terminal-safe (perfkit/termsafe.h): the only control
 * characters on the line are perfkit's own.
 *
 * The ETA is measured, never guessed: the time since the phase's first
 * measured run began over the runs measured since, times the runs left. A
 * phase that follows straight on from the previous event (the pilot runs of
 * an automatic run count, then the rest) starts when that event came; a
 * fresh one (the next benchmark of a check) starts when its first run
 * began (the event's time less the run's wall time). No ETA is shown before
 * a run is measured, nor on the last one. */
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

void cli_progress_eta(cli_progress *p, const pk_cmdbench_progress *ev, double t, char *buf,
                      size_t len)
{
    buf[0] = '\0';
    bool fresh = !p->seen || ev->done < p->last_done;   /* a new run sequence */
    if (fresh || ev->total != p->last_total) {
        if (fresh) {
            double wall = ev->run && !ev->warmup ? (double)ev->run->wall_ns : 0;
            p->start_ns = t - wall;
            p->start_done = ev->done && !ev->warmup ? ev->done - 1 : ev->done;
        } else {
            p->start_ns = p->last_event_ns;
            p->start_done = p->last_done;
        }
        p->last_total = ev->total;
    }
    p->seen = true;
    p->last_event_ns = t;
    p->last_done = ev->done;
    size_t measured = ev->done - p->start_done;
    if (ev->warmup || !ev->total || !measured || ev->done >= ev->total)
        return;
    double left = (t - p->start_ns) / (double)measured * (double)(ev->total - ev->done);
    char d[32];
    snprintf(buf, len, "  ETA %s", pk_units_format_duration(left > 0 ? left : 0, 0, d, sizeof d));
}

void cli_progress_show(cli_progress *p, const pk_cmdbench_progress *ev, const char *prefix_in,
                       const char *name_in)
{
    char pre_buf[128], name[51];   /* the name is cut to 50 bytes, whole characters */
    const char *prefix = prefix_in ? pk_termsafe(prefix_in, pre_buf, sizeof pre_buf) : NULL;
    pk_termsafe(name_in, name, sizeof name);
    if (!p->tty) {
        if (ev->total && ev->total != p->last_total) {
            fprintf(stderr, "perfkit: %s: %s%smeasuring %zu run%s\n", p->cmd,
                    prefix ? prefix : "", prefix ? ": " : "", ev->total,
                    ev->total == 1 ? "" : "s");
            p->last_total = ev->total;
        }
        return;
    }
    double t = now_ns();
    bool first = !p->seen || ev->total != p->last_total || ev->done < p->last_done;
    char eta[48];
    cli_progress_eta(p, ev, t, eta, sizeof eta);
    if (!first && t - p->last_draw_ns < 50e6 && ev->done != ev->total)
        return;   /* redraw at most 20 times a second, but every new phase at once */
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
        char bar[64];
        for (size_t i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[width] = '\0';
        fprintf(stderr, "\r\033[K  %s%s[%s] %zu/%zu%s  %s", pre, sep, bar, ev->done, ev->total,
                eta, name);
    }
    fflush(stderr);
}

void cli_progress_done(cli_progress *p)
{
    if (p->tty)
        fputs("\r\033[K", stderr);
}
