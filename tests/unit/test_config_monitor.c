/* test_config_monitor.c — the `monitor:` section of perfkit.yml: what it
 * loads into, and each error at its exact line:column. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "perfkit/config.h"

static void expect(const char *text, unsigned line, unsigned col, const char *frag)
{
    pk_config *c = (pk_config *)1;
    pk_diag d;
    memset(&d, 0, sizeof d);
    fault_arm(-1);
    pk_err e = pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d);
    fault_disarm();
    cr_assert_eq(e, PK_EPARSE, "expected PK_EPARSE, got %d for:\n%s", e, text);
    cr_assert_null(c);
    cr_assert_eq(fault_live(), 0, "leak on error path");
    cr_assert(strstr(d.message, frag), "message `%s` lacks `%s`", d.message, frag);
    cr_assert_eq(d.line, line, "line %u, expected %u: %s", d.line, line, d.message);
    cr_assert_eq(d.column, col, "column %u, expected %u: %s", d.column, col, d.message);
}

Test(config_monitor, loads)
{
    const char *text = "version: 1\n"
                       "monitor:\n"
                       "  interval: 250ms\n"
                       "  on-alert: notify-send 'perfkit alert'\n"
                       "  alert-file: alerts.log\n"
                       "  thresholds:\n"
                       "    rss: { warning: 512MiB, critical: 1GiB, for: 10s, hysteresis: 5% }\n"
                       "    fd-use: { info: 50%, warning: 80% }\n"
                       "    threads: { critical: 1, below: true, auto-resolve: false,\n"
                       "               resolve-after: 2s }\n";
    pk_config *c;
    pk_diag d;
    fault_arm(-1);
    cr_assert_eq(pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d), PK_OK, "%s",
                 d.message);
    cr_assert(c->has_monitor);
    cr_expect_eq(c->monitor_interval_ns, 250000000u);
    cr_assert_not_null(c->monitor_on_alert);
    cr_expect_str_eq(c->monitor_on_alert[0], "notify-send");
    cr_expect_str_eq(c->monitor_on_alert[1], "perfkit alert");
    cr_expect_null(c->monitor_on_alert[2]);
    cr_expect_str_eq(c->monitor_alert_file, "alerts.log");
    cr_assert_eq(c->n_monitor_rules, 3);
    const pk_monitor_rule *r = c->monitor_rules;
    cr_expect_eq(r[0].figure, PK_MON_RSS);
    cr_expect_eq(r[0].level[PK_MON_WARNING], 512.0 * 1048576);
    cr_expect_eq(r[0].level[PK_MON_CRITICAL], 1073741824.0);
    cr_expect(isnan(r[0].level[PK_MON_INFO]));
    cr_expect_eq(r[0].for_ns, 10000000000u);
    cr_expect_float_eq(r[0].hysteresis, 0.05, 1e-12);
    cr_expect_eq(c->monitor_rule_pos[0].line, 7);
    cr_expect_eq(r[1].figure, PK_MON_FD_USE);
    cr_expect_eq(r[1].level[PK_MON_INFO], 50);
    cr_expect_float_eq(r[1].hysteresis, 0.1, 1e-12);   /* the default */
    cr_expect_eq(r[2].figure, PK_MON_THREADS);
    cr_expect(r[2].below);
    cr_expect_not(r[2].auto_resolve);
    cr_expect_eq(r[2].resolve_ns, 2000000000u);
    pk_config_free(c);
    cr_expect_eq(fault_live(), 0);
    fault_disarm();
    text = "version: 1\nmonitor:\n  on-alert: [logger, -t, perfkit]\n";
    cr_assert_eq(pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d), PK_OK, "%s",
                 d.message);
    cr_expect_str_eq(c->monitor_on_alert[2], "perfkit");
    cr_expect_null(c->monitor_on_alert[3]);
    cr_expect_eq(c->n_monitor_rules, 0);
    cr_expect_not(c->monitor_on_alert_shell);
    cr_expect_null(c->monitor_on_alert_text);
    pk_config_free(c);
    /* on-alert-shell: the command kept whole for /bin/sh -c, whichever key
     * comes first; an unbalanced quote is the shell's to judge */
    text = "version: 1\nmonitor:\n  on-alert: echo \"$1\" | logger 'x\n"
           "  on-alert-shell: true\n";
    fault_arm(-1);
    cr_assert_eq(pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d), PK_OK, "%s",
                 d.message);
    cr_expect(c->monitor_on_alert_shell);
    cr_expect_str_eq(c->monitor_on_alert_text, "echo \"$1\" | logger 'x");
    cr_expect_null(c->monitor_on_alert);
    pk_config_free(c);
    cr_expect_eq(fault_live(), 0);
    fault_disarm();
}

Test(config_monitor, errors)
{
    expect("version: 1\nmonitor:\n  thresholds:\n    rss: { warning: lots }\n", 4, 21,
           "`rss.warning`: expected a size like 512MiB, got `lots`");
    expect("version: 1\nmonitor:\n  thresholds:\n    rsss: { warning: 1MiB }\n", 4, 5,
           "did you mean `rss`?");
    expect("version: 1\nmonitor:\n  thresholds:\n    cpu: { warnin: 90% }\n", 4, 12,
           "did you mean `warning`?");
    expect("version: 1\nmonitor:\n  thresholds:\n    cpu: { for: 5s }\n", 4, 10,
           "sets no level");
    expect("version: 1\nmonitor:\n  thresholds:\n    cpu: { warning: 90%, critical: 50% }\n",
           4, 10, "`critical` must be at or above the lower levels");
    expect("version: 1\nmonitor:\n  intervall: 1s\n", 3, 3, "did you mean `interval`?");
    expect("version: 1\nmonitor:\n  interval: 0s\n", 3, 13, "at least 1ms");
    expect("version: 1\nmonitor:\n  interval: soon\n", 3, 13, "interval");
    expect("version: 1\nmonitor:\n  on-alert: {a: b}\n", 3, 13, "`on-alert` must be");
    expect("version: 1\nmonitor:\n  thresholds:\n    fds: { warning: 80% }\n", 4, 21,
           "expected a number like 800");
    expect("version: 1\nmonitor:\n  thresholds:\n    cpu: { warning: 1, hysteresis: x }\n", 4,
           36, "hysteresis");
    expect("version: 1\nmonitor: 3\n", 2, 10, "`monitor`");
    /* a rising alert with 100% hysteresis or more would never resolve */
    expect("version: 1\nmonitor:\n  thresholds:\n    rss: { warning: 1GiB, hysteresis: 100% }\n",
           4, 39, "`hysteresis` must be under 100% (got `100%`)");
    expect("version: 1\nmonitor:\n  thresholds:\n    cpu: { hysteresis: 1, warning: 90% }\n",
           4, 24, "never resolve");
    expect("version: 1\nmonitor:\n  on-alert-shell: yes please\n", 3, 19, "on-alert-shell");
    expect("version: 1\nmonitor:\n  on-alert-shell: true\n  on-alert: [logger, x]\n", 4, 13,
           "one command string with `on-alert-shell: true` (line 3)");
}
