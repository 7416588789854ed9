/* monitor_chart.c — the SVG chart of a monitor run: one panel per group
 * (CPU %, memory, fds and threads, I/O rates), time on x, each panel's own
 * y scale from 0 to its maximum, alert intervals shaded by level. Plain SVG
 * 1.1 with no script, like the flame graphs: it opens in any browser. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define W 960.0
#define PANEL_H 150.0
#define LEFT 80.0
#define RIGHT 20.0
#define TOP 50.0
#define GAP 40.0

typedef struct panel {
    const char *title;
    const char *color[3];
    pk_monitor_figure fig[3];
    int n;
} panel;

static const panel panels[] = {
    {"CPU (% of one core)", {"#d62728", "#ff9896"}, {PK_MON_CPU, PK_MON_CPU_SYS}, 2},
    {"memory", {"#1f77b4", "#aec7e8"}, {PK_MON_RSS, PK_MON_PSS}, 2},
    {"file descriptors and threads", {"#2ca02c", "#9467bd"}, {PK_MON_FDS, PK_MON_THREADS}, 2},
    {"I/O (bytes/s)", {"#17becf", "#bcbd22"}, {PK_MON_READ_RATE, PK_MON_WRITE_RATE}, 2},
};
enum { NPANELS = 4 };
_Static_assert(sizeof panels / sizeof panels[0] == NPANELS, "one count of panels");

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
}

static void shade(FILE *f, const mon_series *m, const pk_monitor_event *ev, size_t n,
                  double t0, double span, double y, double plot_w)
{
    static const char *const fill[] = {"none", "#fff3b0", "#ffd08a", "#ff9d9d"};
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind != PK_MON_FIRE)
            continue;
        double a = (double)ev[i].t_ns / 1e9, b = (double)m->s[m->n - 1].t_ns / 1e9;
        for (size_t j = i + 1; j < n; j++)
            if (ev[j].kind == PK_MON_RESOLVE && ev[j].rule == ev[i].rule &&
                ev[j].level == ev[i].level) {
                b = (double)ev[j].t_ns / 1e9;
                break;
            }
        double x0 = LEFT + (a - t0) / span * plot_w, x1 = LEFT + (b - t0) / span * plot_w;
        x1 = x1 > LEFT + plot_w ? LEFT + plot_w : x1;   /* resolved at the end: the edge */
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                   "opacity=\"0.6\"><title>%s %s</title></rect>\n",
                x0, y, x1 - x0 > 1 ? x1 - x0 : 1, PANEL_H, fill[ev[i].level],
                pk_monitor_level_name(ev[i].level), pk_monitor_figure_name(ev[i].figure));
    }
}

int mon_write_chart(FILE *f, const mon_series *m, const char *title,
                    const pk_monitor_event *events, size_t n_events)
{
    double h = TOP + (double)NPANELS * (PANEL_H + GAP) + 10, plot_w = W - LEFT - RIGHT;
    fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
               "<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Verdana, sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
               "<text x=\"%.0f\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">",
            W, h, W, h, W / 2);
    esc(f, title);
    fputs("</text>\n", f);
    if (m->n < 1)
        goto end;
    double t0 = (double)m->s[0].t_ns / 1e9, t1 = (double)m->s[m->n - 1].t_ns / 1e9;
    double span = t1 - t0 > 0 ? t1 - t0 : 1;
    for (size_t p = 0; p < NPANELS; p++) {
        const panel *pn = &panels[p];
        double y = TOP + (double)p * (PANEL_H + GAP), max = 0;
        for (size_t i = 0; i < m->n; i++)
            for (int k = 0; k < pn->n; k++)
                if (pk_monitor_has(&m->s[i], pn->fig[k]) && m->s[i].v[pn->fig[k]] > max)
                    max = m->s[i].v[pn->fig[k]];
        if (max <= 0)
            max = 1;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"13\">", LEFT, y - 6);
        esc(f, pn->title);
        fputs("</text>\n", f);
        shade(f, m, events, n_events, t0, span, y, plot_w);
        fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                   "stroke=\"#888\"/>\n", LEFT, y, plot_w, PANEL_H);
        char top[48], mid[48];
        mon_format_value(pn->fig[0], max, top, sizeof top);
        if (pk_monitor_figure_unit(pn->fig[0]) == PK_MON_UNIT_COUNT)
            snprintf(mid, sizeof mid, "%g", max / 2);   /* 2.5 fds, not "2" */
        else
            mon_format_value(pn->fig[0], max / 2, mid, sizeof mid);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n"
                   "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n"
                   "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">0</text>\n",
                LEFT - 4, y + 10, top, LEFT - 4, y + PANEL_H / 2 + 4, mid, LEFT - 4,
                y + PANEL_H);
        for (int k = 0; k < pn->n; k++) {
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
                    pn->color[k]);
            for (size_t i = 0; i < m->n; i++) {
                if (!pk_monitor_has(&m->s[i], pn->fig[k]))
                    continue;
                double x = LEFT + ((double)m->s[i].t_ns / 1e9 - t0) / span * plot_w;
                double yy = y + PANEL_H - m->s[i].v[pn->fig[k]] / max * PANEL_H;
                fprintf(f, "%.1f,%.1f ", x, yy);
            }
            fprintf(f, "\"/>\n<text x=\"%.0f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"end\">%s"
                       "</text>\n",
                    W - RIGHT - (double)(pn->n - 1 - k) * 110, y - 6, pn->color[k],
                    pk_monitor_figure_name(pn->fig[k]));
        }
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">0 s</text><text x=\"%.0f\" y=\"%.1f\" "
                   "text-anchor=\"end\">%.1f s</text>\n",
                LEFT, y + PANEL_H + 14, W - RIGHT, y + PANEL_H + 14, t1 - t0);
    }
end:
    fputs("</svg>\n", f);
    return ferror(f) ? (errno ? errno : EIO) : 0;
}
