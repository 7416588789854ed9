/* cli/monitor.h — what cli/monitor*.c share: the run's state, the writers
 * of its outputs (live view, CSV / JSON lines, alerts, final report, SVG
 * chart). Policy (sampling, alerts, trends, advice) is libperfkit's
 * (perfkit/monitor.h); these files only print it. */
#ifndef PERFKIT_CLI_MONITOR_H
#define PERFKIT_CLI_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "perfkit/monitor.h"

/* Every sample kept for the report and the chart: up to MON_KEEP, then
 * every other one is dropped and only every stride-th new one kept (a long
 * run keeps its whole span at a coarser step). */
#define MON_KEEP 20000

typedef struct mon_series {
    pk_monitor_sample *s;
    size_t n, stride, seen;
} mon_series;

void mon_series_add(mon_series *m, const pk_monitor_sample *x);
void mon_series_free(mon_series *m);

typedef enum { MON_OUT_CSV, MON_OUT_JSONL } mon_out_format;

/* Sample rows: CSV (a header first; an absent figure is an empty cell) or
 * JSON lines (absent figures left out). t is seconds since the start. */
void mon_write_header(FILE *f, mon_out_format fmt);
void mon_write_row(FILE *f, mon_out_format fmt, pid_t pid, double t,
                   const pk_monitor_sample *x);

/* The one-line view of a sample ("  12.0s  cpu  97.3% ..."), no newline. */
void mon_format_line(const pk_monitor_sample *x, double t, char *buf, size_t len);
/* A value in its figure's unit ("512.0 MiB", "97.3%", "12/s"). */
char *mon_format_value(pk_monitor_figure f, double v, char *buf, size_t len);

/* The alert line printed once on fire and once on resolve. */
void mon_format_event(const pk_monitor_event *ev, const pk_monitor_rule *r, double t,
                      char *buf, size_t len);

/* The chart of the run: CPU %, memory (RSS, PSS), fds and threads over
 * time, one panel each, alert intervals shaded. Returns 0 or errno. */
int mon_write_chart(FILE *f, const mon_series *m, const char *title,
                    const pk_monitor_event *events, size_t n_events);

/* The figures with a trend, in the report's order. */
#define MON_NTRENDED 21
extern const pk_monitor_figure mon_trended[MON_NTRENDED];

/* What the final report says. */
typedef struct mon_summary {
    pid_t pid;
    const char *comm;              /* the process's name */
    const char *why;               /* "exited", "duration reached", "stopped" */
    uint64_t interval_ns;
    size_t samples;
    int64_t t0;                    /* the first sample's time */
    int64_t end_ns;                /* when the watch ended (same clock) */
    const mon_series *series;
    pk_monitor_trend *const *trend;   /* indexed by figure; NULL where none */
    const pk_monitor_event *events;
    size_t n_events;
    const pk_monitor_alerts *alerts;
} mon_summary;

/* Print the report on stdout. Returns a CLI exit code (0, or 3: no memory). */
int mon_report(const mon_summary *r);

/* The on-alert command: argv (no shell) or a script for /bin/sh -c; one
 * of the two is set (both borrowed). */
typedef struct mon_alert_cmd {
    char **argv;
    const char *script;
    pid_t helpers[64];             /* commands not yet reaped */
    size_t n_helpers;
} mon_alert_cmd;

/* Run c for the event (the line as its last argument, or "$1" of the
 * script; PERFKIT_ALERT_* in its environment), not waited for. */
void mon_alert_run(mon_alert_cmd *c, pid_t pid, const pk_monitor_event *ev, const char *line);
/* Reap the commands that ended (block: wait for all of them). */
void mon_alert_reap(mon_alert_cmd *c, bool block);

/* Start cmd (argv, no shell; PATH searched) into *out, and return once its
 * program is mapped. Returns 0, or 2 (cannot run it: said on stderr) or 3. */
int mon_child_start(char **cmd, pid_t *out);

/* The exit code once the watch of child ended with rc: a child still
 * running is stopped (SIGTERM, or the signal perfkit caught) and that is
 * no failure; one that exited non-zero or was killed makes rc 1. */
int mon_child_status(pid_t child, int rc);

#endif
