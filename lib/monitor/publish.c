/* publish.c — monitored figures into a metrics registry: one gauge per
 * figure (named by pk_monitor_metric_name) and perfkit_alert_active
 * {figure, level} per rule level, 1 while that alert is active. A figure
 * absent from a sample is published as NaN (unknown), never 0. */
#include <math.h>
#include <stdio.h>

#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

struct pk_monitor_publisher {
    pk_metrics_gauge *fig[PK_MON_NFIGURES];
    pk_metrics_gauge **alert;   /* n_rules x PK_MON_NLEVELS (NULL: level unset) */
    size_t n_rules;
};

static const char *const help[] = {
    [PK_MON_UNIT_PERCENT] = "percent", [PK_MON_UNIT_BYTES] = "bytes",
    [PK_MON_UNIT_COUNT] = "count", [PK_MON_UNIT_SECONDS] = "seconds",
    [PK_MON_UNIT_BYTES_PER_S] = "bytes per second", [PK_MON_UNIT_PER_S] = "per second"};

pk_err pk_monitor_publisher_new(pk_metrics_registry *r, const char *prefix,
                                const pk_monitor_alerts *a, pk_monitor_publisher **out)
{
    if (!r || !out)
        return PK_EINVAL;
    *out = NULL;
    pk_monitor_publisher *p = pk_calloc(1, sizeof *p);
    if (!p)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    for (int f = 0; f < PK_MON_NFIGURES && e == PK_OK; f++) {
        char name[128], text[160];
        pk_monitor_metric_name(prefix ? prefix : "perfkit_monitor_", (pk_monitor_figure)f, name,
                               sizeof name);
        snprintf(text, sizeof text, "perfkit monitor: %s (%s) of the watched process",
                 pk_monitor_figure_name((pk_monitor_figure)f),
                 help[pk_monitor_figure_unit((pk_monitor_figure)f)]);
        pk_metrics_family *fam;
        if ((e = pk_metrics_gauge_family(r, name, text, NULL, 0, &fam)) == PK_OK)
            e = pk_metrics_gauge_get(fam, NULL, &p->fig[f]);
        if (e == PK_OK)
            pk_metrics_gauge_set(p->fig[f], NAN);
    }
    size_t n = pk_monitor_alerts_count(a);
    if (e == PK_OK && n) {
        pk_metrics_family *fam;
        static const char *const labels[] = {"figure", "level"};
        p->alert = pk_calloc(n * PK_MON_NLEVELS, sizeof(pk_metrics_gauge *));
        p->n_rules = n;
        if (!p->alert)
            e = PK_ENOMEM;
        else
            e = pk_metrics_gauge_family(r, "perfkit_alert_active",
                                        "1 while the monitor's alert is active, else 0",
                                        labels, 2, &fam);
        for (size_t i = 0; i < n && e == PK_OK; i++) {
            const pk_monitor_rule *rule = pk_monitor_alerts_rule(a, i);
            for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL && e == PK_OK; l++) {
                if (isnan(rule->level[l]))
                    continue;
                const char *vals[] = {pk_monitor_figure_name(rule->figure),
                                      pk_monitor_level_name((pk_monitor_level)l)};
                e = pk_metrics_gauge_get(fam, vals, &p->alert[i * PK_MON_NLEVELS + (size_t)l]);
            }
        }
    }
    if (e != PK_OK) {
        pk_monitor_publisher_free(p);
        return e;
    }
    *out = p;
    return PK_OK;
}

void pk_monitor_publish(pk_monitor_publisher *p, const pk_monitor_sample *s,
                        const pk_monitor_alerts *a)
{
    if (!p)
        return;
    for (int f = 0; s && f < PK_MON_NFIGURES; f++)
        pk_metrics_gauge_set(p->fig[f],
                             pk_monitor_has(s, (pk_monitor_figure)f) ? s->v[f] : NAN);
    for (size_t i = 0; a && i < p->n_rules; i++)
        for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++) {
            pk_metrics_gauge *g = p->alert[i * PK_MON_NLEVELS + (size_t)l];
            if (g)
                pk_metrics_gauge_set(g, pk_monitor_alerts_active(a, i, (pk_monitor_level)l));
        }
}

void pk_monitor_publisher_free(pk_monitor_publisher *p)
{
    if (!p)
        return;
    pk_free(p->alert);
    pk_free(p);
}
