/* config_monitor.c — the `monitor:` section of perfkit.yml: perfkit
 * monitor's interval, alert command, alert file and thresholds.
 *
 *   monitor:
 *     interval: 500ms
 *     on-alert: notify-send perfkit      # argv, no shell (or a list)
 *     on-alert-shell: false              # true: /bin/sh -c 'on-alert'
 *     alert-file: alerts.log
 *     thresholds:
 *       rss: { warning: 512MiB, critical: 1GiB, for: 10s, hysteresis: 10% }
 *       fd-use: { warning: 80%, critical: 95% }
 *
 * Figure names and value syntax are lib/monitor's (pk_monitor_figure_find,
 * pk_monitor_parse_value): one table decides them for the flags and here.
 * Every error is recorded at its value's line and column. */
#include "config/config_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"

void pk__cfg_monitor_clear(pk_config *cfg)
{
    pk_free(cfg->monitor_rules);
    pk_free(cfg->monitor_rule_pos);
    pk_shellwords_free(cfg->monitor_on_alert);
    pk_free(cfg->monitor_alert_file);
    pk_free(cfg->monitor_on_alert_text);
    cfg->monitor_on_alert_text = NULL;
    cfg->monitor_rules = NULL;
    cfg->monitor_rule_pos = NULL;
    cfg->monitor_on_alert = NULL;
    cfg->monitor_alert_file = NULL;
    cfg->n_monitor_rules = 0;
}

enum { R_INFO, R_WARNING, R_CRITICAL, R_FOR, R_HYST, R_RESOLVE, R_AUTO, R_BELOW, R_COUNT };
static const char *const rule_keys[R_COUNT] = {"info",       "warning",       "critical",
                                               "for",        "hysteresis",    "resolve-after",
                                               "auto-resolve", "below"};

static pk_err level(pk__cfg_ctx *c, const char *fig, const char *key, const pk__ynode *v,
                    pk_monitor_figure f, double *out)
{
    const char *why;
    if (v->kind != PK__YN_SCALAR || !v->str || !v->len)
        return pk__cfg_error_at(c, v, "`%s.%s` needs a value", fig, key);
    if (pk_monitor_parse_value(f, v->str, out, &why) != PK_OK)
        return pk__cfg_error_at(c, v, "`%s.%s`: %s, got `%s`", fig, key, why, v->str);
    return PK_OK;
}

static pk_err rule(pk__cfg_ctx *c, const pk__ynode *name, const pk__ynode *body,
                   pk_monitor_rule *r)
{
    int f = pk_monitor_figure_find(name->str);
    if (f < 0) {
        const char *names[PK_MON_NFIGURES];
        for (int i = 0; i < PK_MON_NFIGURES; i++)
            names[i] = pk_monitor_figure_name((pk_monitor_figure)i);
        return pk__cfg_unknown_key(c, name, "`monitor.thresholds` (a figure)", names,
                                   PK_MON_NFIGURES);
    }
    pk_monitor_rule_init(r);
    r->figure = (pk_monitor_figure)f;
    char what[96];
    snprintf(what, sizeof what, "`monitor.thresholds.%s`", name->str);
    pk_err e = pk__cfg_check_map(c, body, what, "key", true);
    if (e != PK_OK)
        return e;
    pk_err acc = PK_OK;
    bool any = false;
    const pk__ynode *hyst = NULL;
    for (size_t i = 0; i < body->n && acc != PK_ENOMEM; i += 2) {
        const pk__ynode *k = body->items[i], *v = body->items[i + 1];
        int ki = pk__cfg_key_index(k->str, rule_keys, R_COUNT);
        double d;
        switch (ki) {
        case R_INFO:
        case R_WARNING:
        case R_CRITICAL:
            e = level(c, name->str, rule_keys[ki], v, r->figure, &r->level[ki + 1]);
            any = any || e == PK_OK;
            break;
        case R_FOR:
        case R_RESOLVE:
            if ((e = pk__cfg_duration(c, rule_keys[ki], v, true, &d)) == PK_OK)
                *(ki == R_FOR ? &r->for_ns : &r->resolve_ns) = (uint64_t)d;
            break;
        case R_HYST:
            if ((e = pk__cfg_percent(c, "hysteresis", v, &d)) == PK_OK) {
                r->hysteresis = d;
                hyst = v;
            }
            break;
        case R_AUTO:
            e = pk__cfg_bool(c, "auto-resolve", v, &r->auto_resolve);
            break;
        case R_BELOW:
            e = pk__cfg_bool(c, "below", v, &r->below);
            break;
        default:
            e = pk__cfg_unknown_key(c, k, what, rule_keys, R_COUNT);
        }
        acc = pk__cfg_keep(acc, e);
    }
    /* pk_monitor_alerts_new's rule: a rising alert would clear at or below 0 */
    if (acc == PK_OK && hyst && !r->below && r->hysteresis >= 1)
        return pk__cfg_error_at(c, hyst, "%s: `hysteresis` must be under 100%% (got `%s`): "
                                "the alert would clear at or below 0 and never resolve",
                                what, hyst->str);
    if (acc == PK_OK && !any)
        return pk__cfg_error_at(c, body, "%s sets no level: give `info`, `warning` or "
                                "`critical`", what);
    if (acc == PK_OK) {
        double prev = NAN;
        for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++) {
            if (isnan(r->level[l]))
                continue;
            if (!isnan(prev) && (r->below ? r->level[l] > prev : r->level[l] < prev))
                return pk__cfg_error_at(c, body, "%s: `%s` must be %s the lower levels", what,
                                        pk_monitor_level_name((pk_monitor_level)l),
                                        r->below ? "at or below" : "at or above");
            prev = r->level[l];
        }
    }
    return acc;
}

static pk_err thresholds(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    pk_err e = pk__cfg_check_map(c, v, "`monitor.thresholds`", "figure", true);
    if (e != PK_OK)
        return e;
    size_t n = v->n / 2;
    cfg->monitor_rules = pk_calloc(n ? n : 1, sizeof *cfg->monitor_rules);
    cfg->monitor_rule_pos = pk_calloc(n ? n : 1, sizeof *cfg->monitor_rule_pos);
    if (!cfg->monitor_rules || !cfg->monitor_rule_pos)
        return pk__cfg_nomem(c);
    pk_err acc = PK_OK;
    for (size_t i = 0; i < v->n && acc != PK_ENOMEM; i += 2) {
        pk_monitor_rule *r = &cfg->monitor_rules[cfg->n_monitor_rules];
        e = rule(c, v->items[i], v->items[i + 1], r);
        if (e == PK_OK)
            cfg->monitor_rule_pos[cfg->n_monitor_rules++] = pk__cfg_pos(v->items[i]);
        acc = pk__cfg_keep(acc, e);
    }
    return acc;
}

/* After the section's other keys: with `on-alert-shell: true` the command
 * is kept as text for /bin/sh -c (a list is refused: a shell takes one
 * string), otherwise split into argv. */
static pk_err on_alert(pk__cfg_ctx *c, const pk__ynode *v, const pk__ynode *shell,
                       pk_config *cfg)
{
    if (shell && cfg->monitor_on_alert_shell) {
        if (v->kind != PK__YN_SCALAR || !v->str || !v->len)
            return pk__cfg_error_at(c, v, "`on-alert` must be one command string with "
                                    "`on-alert-shell: true` (line %u), got %s",
                                    shell->line, pk__cfg_node_what(v));
        return pk__cfg_string(c, "on-alert", v, &cfg->monitor_on_alert_text);
    }
    if (v->kind == PK__YN_SCALAR) {
        size_t argc, col;
        if (!v->str || !v->len)
            return pk__cfg_error_at(c, v, "`on-alert` needs a command");
        pk_err e = pk_shellwords_split(v->str, &cfg->monitor_on_alert, &argc, &col);
        if (e == PK_ENOMEM)
            return pk__cfg_nomem(c);
        if (e != PK_OK)
            return pk__cfg_error(c, v->line, v->column + (unsigned)col,
                                 "`on-alert`: unterminated quote in the command");
        if (argc == 0)
            return pk__cfg_error_at(c, v, "`on-alert` needs a command");
        return PK_OK;
    }
    if (v->kind != PK__YN_SEQ || v->n == 0)
        return pk__cfg_error_at(c, v, "`on-alert` must be a command or a list of words, got %s",
                                pk__cfg_node_what(v));
    cfg->monitor_on_alert = pk_calloc(v->n + 1, sizeof *cfg->monitor_on_alert);
    if (!cfg->monitor_on_alert)
        return pk__cfg_nomem(c);
    for (size_t i = 0; i < v->n; i++) {
        pk_err e = pk__cfg_string(c, "on-alert", v->items[i], &cfg->monitor_on_alert[i]);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}

pk_err pk__cfg_monitor(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    enum { M_INTERVAL, M_ON_ALERT, M_ALERT_FILE, M_THRESHOLDS, M_ON_ALERT_SHELL, M_COUNT };
    static const char *const keys[M_COUNT] = {"interval", "on-alert", "alert-file",
                                              "thresholds", "on-alert-shell"};
    cfg->has_monitor = true;
    cfg->monitor_pos = pk__cfg_pos(v);
    pk_err e = pk__cfg_check_map(c, v, "`monitor`", "key", true);
    if (e != PK_OK)
        return e;
    pk_err acc = PK_OK;
    const pk__ynode *cmd = NULL, *shell = NULL;
    for (size_t i = 0; i < v->n && acc != PK_ENOMEM; i += 2) {
        const pk__ynode *k = v->items[i], *val = v->items[i + 1];
        double d;
        switch (pk__cfg_key_index(k->str, keys, M_COUNT)) {
        case M_INTERVAL:
            if ((e = pk__cfg_duration(c, "interval", val, true, &d)) == PK_OK) {
                if (d < 1e6)
                    e = pk__cfg_error_at(c, val, "`interval` must be at least 1ms, got `%s`",
                                         val->str);
                else
                    cfg->monitor_interval_ns = (uint64_t)d;
            }
            break;
        case M_ON_ALERT:
            cmd = val;
            e = PK_OK;
            break;
        case M_ON_ALERT_SHELL:
            shell = val;
            e = pk__cfg_bool(c, "on-alert-shell", val, &cfg->monitor_on_alert_shell);
            break;
        case M_ALERT_FILE:
            e = pk__cfg_string(c, "alert-file", val, &cfg->monitor_alert_file);
            break;
        case M_THRESHOLDS:
            e = thresholds(c, val, cfg);
            break;
        default:
            e = pk__cfg_unknown_key(c, k, "`monitor`", keys, M_COUNT);
        }
        acc = pk__cfg_keep(acc, e);
    }
    if (cmd && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, on_alert(c, cmd, shell, cfg));
    return acc;
}
