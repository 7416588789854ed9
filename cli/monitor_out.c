/* monitor_out.c — perfkit monitor's text outputs: the kept series, CSV and
 * JSON-lines rows, the one-line live view, alert lines. Figures and units
 * come from libperfkit's one table (pk_monitor_figure_name/_unit). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "perfkit/units.h"

void mon_series_add(mon_series *m, const pk_monitor_sample *x)
{
    if (!m->stride)
        m->stride = 1;
    if (m->seen++ % m->stride)
        return;
    if (!m->s && !(m->s = malloc(MON_KEEP * sizeof *m->s)))
        return;
    if (m->n == MON_KEEP) {   /* keep every other one, halve the rate from now on */
        for (size_t i = 0; i < MON_KEEP / 2; i++)
            m->s[i] = m->s[2 * i];
        m->n = MON_KEEP / 2;
        m->stride *= 2;
    }
    m->s[m->n++] = *x;
}

void mon_series_free(mon_series *m)
{
    free(m->s);
    memset(m, 0, sizeof *m);
}

static const char *const unit_suffix[] = {
    [PK_MON_UNIT_PERCENT] = "_pct", [PK_MON_UNIT_BYTES] = "_bytes", [PK_MON_UNIT_COUNT] = "",
    [PK_MON_UNIT_SECONDS] = "", [PK_MON_UNIT_BYTES_PER_S] = "_bytes_per_s",
    [PK_MON_UNIT_PER_S] = "_per_s"};

static const char *suffix(int f)
{
    return unit_suffix[pk_monitor_figure_unit((pk_monitor_figure)f)];
}

void mon_write_header(FILE *f, mon_out_format fmt)
{
    if (fmt != MON_OUT_CSV)
        return;
    fputs("t_s,pid,state", f);
    for (int i = 0; i < PK_MON_NFIGURES; i++)
        fprintf(f, ",%s%s", pk_monitor_figure_name((pk_monitor_figure)i), suffix(i));
    fputc('\n', f);
}

void mon_write_row(FILE *f, mon_out_format fmt, pid_t pid, double t,
                   const pk_monitor_sample *x)
{
    if (fmt == MON_OUT_CSV) {
        fprintf(f, "%.3f,%d,%c", t, (int)pid, x->state ? x->state : '?');
        for (int i = 0; i < PK_MON_NFIGURES; i++) {
            if (pk_monitor_has(x, (pk_monitor_figure)i))
                fprintf(f, ",%.15g", x->v[i]);
            else
                fputc(',', f);
        }
        fputc('\n', f);
        return;
    }
    fprintf(f, "{\"schema\":\"perfkit/monitor/v1\",\"t_s\":%.3f,\"pid\":%d,\"state\":\"%c\"", t,
            (int)pid, x->state >= 'A' && x->state <= 'z' ? x->state : '?');
    for (int i = 0; i < PK_MON_NFIGURES; i++)
        if (pk_monitor_has(x, (pk_monitor_figure)i) && isfinite(x->v[i]))
            fprintf(f, ",\"%s%s\":%.15g", pk_monitor_figure_name((pk_monitor_figure)i),
                    suffix(i), x->v[i]);
    fputs("}\n", f);
}

char *mon_format_value(pk_monitor_figure f, double v, char *buf, size_t len)
{
    char tmp[48];
    switch (pk_monitor_figure_unit(f)) {
    case PK_MON_UNIT_PERCENT: snprintf(buf, len, "%.1f%%", v); break;
    case PK_MON_UNIT_BYTES: snprintf(buf, len, "%s", pk_units_format_size(v, tmp, sizeof tmp)); break;
    case PK_MON_UNIT_SECONDS: snprintf(buf, len, "%.2fs", v); break;
    case PK_MON_UNIT_BYTES_PER_S:
        snprintf(buf, len, "%s/s", pk_units_format_size(v, tmp, sizeof tmp));
        break;
    case PK_MON_UNIT_PER_S: snprintf(buf, len, "%.0f/s", v); break;
    default: snprintf(buf, len, "%.0f", v); break;
    }
    return buf;
}

void mon_format_line(const pk_monitor_sample *x, double t, char *buf, size_t len)
{
    char a[32], b[32], c[32], d[32], e[32];
    size_t k = (size_t)snprintf(buf, len, "%7.1fs", t);
#define ADD(...)                                                                \
    do {                                                                        \
        if (k < len)                                                            \
            k += (size_t)snprintf(buf + k, len - k, __VA_ARGS__);              \
    } while (0)
    if (pk_monitor_has(x, PK_MON_CPU))
        ADD("  cpu %5.1f%% (usr %.1f sys %.1f)", x->v[PK_MON_CPU], x->v[PK_MON_CPU_USER],
            x->v[PK_MON_CPU_SYS]);
    else
        ADD("  cpu     - ");
    ADD("  rss %s", mon_format_value(PK_MON_RSS, x->v[PK_MON_RSS], a, sizeof a));
    if (pk_monitor_has(x, PK_MON_PSS))
        ADD("  pss %s", mon_format_value(PK_MON_PSS, x->v[PK_MON_PSS], b, sizeof b));
    if (pk_monitor_has(x, PK_MON_PROCESSES) && x->v[PK_MON_PROCESSES] > 1)
        ADD("  procs %.0f", x->v[PK_MON_PROCESSES]);
    ADD("  thr %.0f", x->v[PK_MON_THREADS]);
    if (pk_monitor_has(x, PK_MON_FD_LIMIT))
        ADD("  fds %.0f/%.0f", x->v[PK_MON_FDS], x->v[PK_MON_FD_LIMIT]);
    else
        ADD("  fds %.0f", x->v[PK_MON_FDS]);
    if (pk_monitor_has(x, PK_MON_READ_RATE))
        ADD("  rd %s  wr %s",
            mon_format_value(PK_MON_READ_RATE, x->v[PK_MON_READ_RATE], c, sizeof c),
            mon_format_value(PK_MON_WRITE_RATE, x->v[PK_MON_WRITE_RATE], d, sizeof d));
    if (pk_monitor_has(x, PK_MON_CTXSW_RATE))
        ADD("  cs %s", mon_format_value(PK_MON_CTXSW_RATE, x->v[PK_MON_CTXSW_RATE], e, sizeof e));
    if (pk_monitor_has(x, PK_MON_CGROUP_MEMORY_USE))
        ADD("  cg %.0f%%", x->v[PK_MON_CGROUP_MEMORY_USE]);
#undef ADD
}

void mon_format_event(const pk_monitor_event *ev, const pk_monitor_rule *r, double t,
                      char *buf, size_t len)
{
    char v[48], th[48];
    const char *fig = pk_monitor_figure_name(ev->figure);
    const char *lvl = pk_monitor_level_name(ev->level);
    mon_format_value(ev->figure, ev->threshold, th, sizeof th);
    if (ev->kind == PK_MON_FIRE) {
        mon_format_value(ev->figure, ev->value, v, sizeof v);
        snprintf(buf, len, "ALERT %s: %s %s %s %s at %.1fs (held %.1fs)", lvl, fig, v,
                 r && r->below ? "<=" : ">=", th, t, (double)(ev->t_ns - ev->since_ns) / 1e9);
    } else if (isnan(ev->value)) {
        snprintf(buf, len, "RESOLVED %s: %s at %.1fs: monitoring ended (active %.1fs)", lvl,
                 fig, t, (double)(ev->t_ns - ev->since_ns) / 1e9);
    } else {
        mon_format_value(ev->figure, ev->value, v, sizeof v);
        snprintf(buf, len, "RESOLVED %s: %s %s %s %s at %.1fs (active %.1fs)", lvl, fig, v,
                 r && r->below ? ">" : "<", th, t, (double)(ev->t_ns - ev->since_ns) / 1e9);
    }
}
