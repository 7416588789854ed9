/* monitor_alert.c — perfkit monitor's on-alert command: one process per
 * alert event, spawned (posix_spawnp) with the alert line as its last
 * argument and PERFKIT_ALERT_* added to the environment, not waited for
 * (reaped before the next one and at the end). Without a shell by default
 * (argv split like a shell would); with --on-alert-shell / `on-alert-shell:
 * true`, as `/bin/sh -c SCRIPT perfkit-alert LINE` (the line is "$1"). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "monitor.h"

extern char **environ;

void mon_alert_reap(mon_alert_cmd *c, bool block)
{
    for (size_t i = 0; i < c->n_helpers;) {
        if (waitpid(c->helpers[i], NULL, block ? 0 : WNOHANG) != 0) {
            c->helpers[i] = c->helpers[--c->n_helpers];
            continue;
        }
        i++;
    }
}

void mon_alert_run(mon_alert_cmd *c, pid_t pid, const pk_monitor_event *ev, const char *line)
{
    static const char *const sh[] = {"/bin/sh", "-c", NULL, "perfkit-alert"};
    size_t argc = 0, envc = 0;
    if (c->script)
        argc = 4;
    else
        while (c->argv[argc])
            argc++;
    while (environ[envc])
        envc++;
    char **argv = calloc(argc + 2, sizeof *argv);
    char **envp = calloc(envc + 8, sizeof *envp);
    char vars[6][160];
    if (!argv || !envp) {
        free(argv);
        free(envp);
        return;
    }
    if (c->script) {
        memcpy(argv, sh, sizeof sh);
        argv[2] = (char *)c->script;
    } else {
        memcpy(argv, c->argv, argc * sizeof *argv);
    }
    argv[argc] = (char *)line;
    memcpy(envp, environ, envc * sizeof *envp);
    char val[48], th[48];
    snprintf(val, sizeof val, "%.17g", ev->value);
    snprintf(th, sizeof th, "%.17g", ev->threshold);
    snprintf(vars[0], sizeof vars[0], "PERFKIT_ALERT_STATE=%s",
             ev->kind == PK_MON_FIRE ? "firing" : "resolved");
    snprintf(vars[1], sizeof vars[1], "PERFKIT_ALERT_LEVEL=%s", pk_monitor_level_name(ev->level));
    snprintf(vars[2], sizeof vars[2], "PERFKIT_ALERT_FIGURE=%s",
             pk_monitor_figure_name(ev->figure));
    snprintf(vars[3], sizeof vars[3], "PERFKIT_ALERT_VALUE=%s", val);
    snprintf(vars[4], sizeof vars[4], "PERFKIT_ALERT_THRESHOLD=%s", th);
    snprintf(vars[5], sizeof vars[5], "PERFKIT_ALERT_PID=%d", (int)pid);
    for (int i = 0; i < 6; i++)
        envp[envc + (size_t)i] = vars[i];
    mon_alert_reap(c, false);
    pid_t child;
    int rc = posix_spawnp(&child, argv[0], NULL, NULL, argv, envp);
    if (rc != 0)
        cli_warn("monitor", "--on-alert: cannot run %s: %s", argv[0], strerror(rc));
    else if (c->n_helpers < sizeof c->helpers / sizeof c->helpers[0])
        c->helpers[c->n_helpers++] = child;
    else
        waitpid(child, NULL, 0);
    free(argv);
    free(envp);
}
