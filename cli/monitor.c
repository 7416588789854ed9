/* monitor.c — `perfkit monitor`: watch a running process (or a command it
 * starts) — CPU, memory, fds, threads, I/O — with thresholds, alerts that
 * do not flap, trends and advice; optionally served to Prometheus.
 *
 * Pipeline as everywhere: parse → merge the `monitor:` section of
 * perfkit.yml with the flags → libperfkit's sampler, alert set, trends and
 * publisher (perfkit/monitor.h) → the writers in monitor_out.c and
 * monitor_chart.c. Between samples perfkit sleeps in poll() on the
 * process's pidfd, so an exit is seen at once. Exit codes: 0, 1 the
 * command it started failed, 2 usage or input error (bad threshold, no such
 * process, permission denied), 3 internal; with --alert-exit, 10 + the
 * worst alert level seen (11 info, 12 warning, 13 critical). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"
#include "opt.h"
#include "perfkit/perfkit.h"
#include "signals.h"

static const char usage_text[] =
"usage: perfkit monitor [options] -p PID\n"
"       perfkit monitor [options] -- CMD [ARGS...]\n"
"\n"
"Watch a running process, or CMD started for it: CPU % (user/system), RSS,\n"
"PSS, virtual size, swap, threads, open fds and their limit, bytes and\n"
"syscalls read and written, page faults, context switches, and its cgroup\n"
"v2 memory and pressure where readable. A live view (in place on a\n"
"terminal, one line per sample when piped), alerts with levels, a minimum\n"
"duration and hysteresis, printed once when they fire and once when they\n"
"resolve, trends (Theil-Sen) with a leak check, advice, and a final report\n"
"when the process ends, --duration passes or on Ctrl-C.\n"
"\n"
"  -p, --pid PID           the process to watch\n"
"  -i, --interval DUR      between samples (default 1s; e.g. 200ms)\n"
"  -d, --duration DUR      stop after DUR; 0 (the default): no limit, until\n"
"                          the process ends or Ctrl-C\n"
"  -o, --output FILE       every sample to FILE: CSV, or JSON lines when FILE\n"
"                          ends in .jsonl/.json (see --format); - is stdout\n"
"      --format FMT        csv or jsonl\n"
"      --chart SVG         an SVG chart of the run at the end\n"
"  -t, --threshold SPEC    FIGURE:LEVEL=VALUE, e.g. rss:warning=512MiB,\n"
"                          cpu:critical=150%, fds:info=800 (repeatable; LEVEL\n"
"                          info, warning or critical)\n"
"      --below FIGURE      FIGURE's thresholds fire when it falls to them\n"
"      --for DUR           flags' thresholds: held this long before firing\n"
"      --hysteresis PCT    flags' thresholds: clear this far below the\n"
"                          level (default 10%; under 100% unless --below)\n"
"      --on-alert CMD      run CMD (split into words, no shell) on each alert\n"
"                          event, the alert line as its last argument and\n"
"                          PERFKIT_ALERT_* in its environment\n"
"      --on-alert-shell    run --on-alert's CMD as /bin/sh -c CMD (the line is\n"
"                          \"$1\")\n"
"      --alert-file FILE   append each alert event to FILE\n"
"      --alert-exit        exit 10 + the worst alert level seen (11 info,\n"
"                          12 warning, 13 critical)\n"
"      --serve PORT        serve the figures and perfkit_alert_active gauges\n"
"                          at http://127.0.0.1:PORT/metrics (0: a free port)\n"
"      --window N          samples per trend (default 60, 3..600)\n"
"      --children          add the figures of every descendant (a pass over\n"
"                          /proc per sample); fd_use stays the process's own\n"
"      --no-pss            skip smaps_rollup (its cost grows with memory)\n"
"  -c, --config FILE       thresholds from FILE's `monitor:` section (default:\n"
"                          the nearest perfkit.yml, when it has one)\n"
"      --no-config         read no perfkit.yml\n"
"  -q, --quiet             no live view (alerts and the report still print)\n"
"  -h, --help              this help\n"
"\n"
"Figures: cpu cpu_user cpu_sys cpu_seconds rss pss vsize swap threads fds\n"
"fd_limit fd_use read write read_rate write_rate read_syscalls\n"
"write_syscalls disk_read disk_write minor_faults major_faults\n"
"major_fault_rate ctxsw_voluntary ctxsw_involuntary ctxsw_rate cgroup_memory\n"
"cgroup_memory_max cgroup_memory_use cgroup_swap psi_cpu psi_memory psi_io\n"
"processes\n"
"\n"
"Exit: 0 ok, 1 CMD failed, 2 usage or input error (bad threshold with its\n"
"file:line:column, no such process, permission denied), 3 internal error;\n"
"--alert-exit as above.\n";

enum { OPT_FORMAT = 256, OPT_CHART, OPT_BELOW, OPT_FOR, OPT_HYST, OPT_ON_ALERT, OPT_ALERT_FILE,
       OPT_ALERT_EXIT, OPT_SERVE, OPT_WINDOW, OPT_NO_PSS, OPT_NO_CONFIG, OPT_CHILDREN,
       OPT_ON_ALERT_SHELL };

static const struct option longopts[] = {
    {"pid", required_argument, NULL, 'p'},
    {"interval", required_argument, NULL, 'i'},
    {"duration", required_argument, NULL, 'd'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"chart", required_argument, NULL, OPT_CHART},
    {"threshold", required_argument, NULL, 't'},
    {"below", required_argument, NULL, OPT_BELOW},
    {"for", required_argument, NULL, OPT_FOR},
    {"hysteresis", required_argument, NULL, OPT_HYST},
    {"on-alert", required_argument, NULL, OPT_ON_ALERT},
    {"on-alert-shell", no_argument, NULL, OPT_ON_ALERT_SHELL},
    {"alert-file", required_argument, NULL, OPT_ALERT_FILE},
    {"alert-exit", no_argument, NULL, OPT_ALERT_EXIT},
    {"serve", required_argument, NULL, OPT_SERVE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"no-pss", no_argument, NULL, OPT_NO_PSS},
    {"children", no_argument, NULL, OPT_CHILDREN},
    {"config", required_argument, NULL, 'c'},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "monitor";

#define MAX_RULES PK_MON_NFIGURES
#define MAX_EVENTS 4096

typedef struct mon_args {
    pid_t pid;
    char **cmd;
    int n_cmd;
    uint64_t interval_ns, duration_ns, for_ns;
    bool interval_set, for_set, hyst_set, alert_exit, quiet, no_pss, no_config, children,
        on_alert_shell;
    double hyst;
    const char *output, *chart, *config, *alert_file;
    int format;   /* -1: from the name */
    const char *on_alert_text;   /* --on-alert as given */
    char **on_alert;   /* owned (pk_shellwords_free): it split, without --on-alert-shell */
    long serve;        /* -1: none */
    size_t window;
    pk_monitor_rule rules[MAX_RULES];   /* from the flags */
    size_t n_rules;
    bool below[PK_MON_NFIGURES];
} mon_args;

static pk_monitor_rule *flag_rule(mon_args *a, pk_monitor_figure f)
{
    for (size_t i = 0; i < a->n_rules; i++)
        if (a->rules[i].figure == f)
            return &a->rules[i];
    pk_monitor_rule *r = &a->rules[a->n_rules++];
    pk_monitor_rule_init(r);
    r->figure = f;
    return r;
}

static bool figure_arg(const char *opt, const char *name, pk_monitor_figure *out)
{
    int f = pk_monitor_figure_find(name);
    if (f >= 0) {
        *out = (pk_monitor_figure)f;
        return true;
    }
    const char *names[PK_MON_NFIGURES];
    for (int i = 0; i < PK_MON_NFIGURES; i++)
        names[i] = pk_monitor_figure_name((pk_monitor_figure)i);
    const char *near = pk_diag_suggest(name, names, PK_MON_NFIGURES);
    cli_error(CMD, "%s: unknown figure `%s`%s%s%s (see --help for the list)", opt, name,
              near ? " — did you mean `" : "", near ? near : "", near ? "`?" : "");
    return false;
}

/* -t FIGURE:LEVEL=VALUE */
static bool threshold_arg(mon_args *a, const char *spec)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *colon = strchr(buf, ':'), *eq = strchr(buf, '=');
    if (!colon || !eq || eq < colon) {
        cli_error(CMD, "--threshold `%s`: write FIGURE:LEVEL=VALUE, e.g. rss:warning=512MiB",
                  spec);
        return false;
    }
    *colon = *eq = '\0';
    pk_monitor_figure f = PK_MON_CPU;
    if (!figure_arg("--threshold", buf, &f))
        return false;
    int l = pk_monitor_level_find(colon + 1);
    if (l <= 0) {
        cli_error(CMD, "--threshold `%s`: unknown level `%s`; use info, warning or critical",
                  spec, colon + 1);
        return false;
    }
    double v;
    const char *why;
    if (pk_monitor_parse_value(f, eq + 1, &v, &why) != PK_OK) {
        cli_error(CMD, "--threshold `%s`: %s, got `%s`", spec, why, eq + 1);
        return false;
    }
    flag_rule(a, f)->level[l] = v;
    return true;
}

static int parse_args(int argc, char **argv, mon_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    size_t n;
    uint64_t u;
    double d;
    pk_monitor_figure f = PK_MON_CPU;
    static const char *const formats[] = {"csv", "jsonl"};
    while ((c = getopt_long(argc, argv, "+:p:i:d:o:t:c:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!opt_u64(CMD, "--pid", optarg, &u))
                return CLI_USAGE;
            if (u == 0 || u > 4194304) {
                cli_error(CMD, "--pid: %s is not a process id", optarg);
                return CLI_USAGE;
            }
            a->pid = (pid_t)u;
            break;
        case 'i':
            if (!opt_duration_ns(CMD, "--interval", optarg, &a->interval_ns))
                return CLI_USAGE;
            if (a->interval_ns < 1000000) {
                cli_error(CMD, "--interval: %s is below the 1ms minimum", optarg);
                return CLI_USAGE;
            }
            a->interval_set = true;
            break;
        case 'd':
            if (!opt_duration_ns(CMD, "--duration", optarg, &a->duration_ns))
                return CLI_USAGE;
            break;
        case 'o': a->output = optarg; break;
        case OPT_FORMAT:
            if (!opt_choice(CMD, "--format", "format", optarg, formats, 2, &n))
                return CLI_USAGE;
            a->format = (int)n;
            break;
        case OPT_CHART: a->chart = optarg; break;
        case 't':
            if (!threshold_arg(a, optarg))
                return CLI_USAGE;
            break;
        case OPT_BELOW:
            if (!figure_arg("--below", optarg, &f))
                return CLI_USAGE;
            a->below[f] = true;
            break;
        case OPT_FOR:
            if (!opt_duration_ns(CMD, "--for", optarg, &a->for_ns))
                return CLI_USAGE;
            a->for_set = true;
            break;
        case OPT_HYST:
            if (!opt_percent(CMD, "--hysteresis", optarg, &d))
                return CLI_USAGE;
            a->hyst = d;
            a->hyst_set = true;
            break;
        case OPT_ON_ALERT: a->on_alert_text = optarg; break;
        case OPT_ON_ALERT_SHELL: a->on_alert_shell = true; break;
        case OPT_ALERT_FILE: a->alert_file = optarg; break;
        case OPT_ALERT_EXIT: a->alert_exit = true; break;
        case OPT_SERVE:
            if (!opt_count_max(CMD, "--serve", optarg, 65535, &n))
                return CLI_USAGE;
            a->serve = (long)n;
            break;
        case OPT_WINDOW:
            if (!opt_count_max(CMD, "--window", optarg, 600, &n))
                return CLI_USAGE;
            if (n < 3) {
                cli_error(CMD, "--window: a trend needs at least 3 samples");
                return CLI_USAGE;
            }
            a->window = n;
            break;
        case OPT_NO_PSS: a->no_pss = true; break;
        case OPT_CHILDREN: a->children = true; break;
        case 'c': a->config = optarg; break;
        case OPT_NO_CONFIG: a->no_config = true; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (a->on_alert_shell && !a->on_alert_text) {
        cli_error(CMD, "--on-alert-shell: give the command with --on-alert CMD (perfkit.yml's "
                       "`on-alert` has its own `on-alert-shell: true`)");
        return CLI_USAGE;
    }
    size_t argc2 = 0, col;
    if (a->on_alert_text && !a->on_alert_shell &&
        (pk_shellwords_split(a->on_alert_text, &a->on_alert, &argc2, &col) != PK_OK || !argc2)) {
        cli_error(CMD, "--on-alert `%s`: %s", a->on_alert_text,
                  argc2 ? "unterminated quote" : "needs a command");
        return CLI_USAGE;
    }
    if (optind < argc && !strcmp(argv[optind], "--"))
        optind++;
    a->cmd = argv + optind;
    a->n_cmd = argc - optind;
    if (!a->pid == !a->n_cmd) {
        cli_error(CMD, a->pid ? "give -p PID or a command, not both"
                              : "what to watch? give -p PID or -- CMD [ARGS]");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* ---- the run ---------------------------------------------------------------- */

typedef struct mon_run {
    mon_args *a;
    pid_t pid;
    pid_t child;               /* the command we started; 0 with -p */
    char comm[64];
    pk_monitor_rule rules[2 * MAX_RULES];
    size_t n_rules;
    mon_alert_cmd cmd;         /* on-alert: the flag's or the config's */
    const char *alert_file;
    pk_monitor_sampler *s;
    pk_monitor_alerts *al;
    pk_monitor_trend *trend[PK_MON_NFIGURES];
    mon_series series;
    pk_monitor_event events[MAX_EVENTS];
    size_t n_events;
    FILE *out;
    mon_out_format fmt;
    bool tty, live_pending;
    int64_t t0;
    size_t samples;
    FILE *chart;               /* --chart, open from the start */
} mon_run;


/* Rules: the config's, then the flags' (a flag's levels replace the
 * config's levels for that figure). */
static int load_rules(mon_run *r, pk_config **cfg_out)
{
    mon_args *a = r->a;
    char *found = NULL;
    const char *path = a->config;
    if (!path && !a->no_config &&
        pk_config_find(NULL, getenv("PERFKIT_CEILING_DIRECTORIES"), &found) == PK_OK)
        path = found;
    pk_config *cfg = NULL;
    if (path && !a->no_config) {
        pk_diag d = {0};
        pk_err e = pk_config_load(path, &cfg, &d);
        if (e != PK_OK) {
            char buf[1400];
            cli_error(CMD, "%s", pk_diag_format(&d, buf, sizeof buf));
            free(found);
            return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
        }
    }
    free(found);
    if (cfg && cfg->has_monitor) {
        for (size_t i = 0; i < cfg->n_monitor_rules; i++)
            r->rules[r->n_rules++] = cfg->monitor_rules[i];
        if (!a->interval_set && cfg->monitor_interval_ns)
            a->interval_ns = cfg->monitor_interval_ns;
        r->cmd.argv = cfg->monitor_on_alert;
        r->cmd.script = cfg->monitor_on_alert_text;
        r->alert_file = cfg->monitor_alert_file;
    }
    if (a->on_alert_text) {
        r->cmd.argv = a->on_alert;
        r->cmd.script = a->on_alert_shell ? a->on_alert_text : NULL;
    }
    if (a->alert_file)
        r->alert_file = a->alert_file;
    for (size_t i = 0; i < a->n_rules; i++) {
        pk_monitor_rule fr = a->rules[i];
        if (a->for_set)
            fr.for_ns = a->for_ns;
        if (a->hyst_set)
            fr.hysteresis = a->hyst;
        size_t k = 0;
        while (k < r->n_rules && r->rules[k].figure != fr.figure)
            k++;
        if (k == r->n_rules) {
            r->rules[r->n_rules++] = fr;
            continue;
        }
        for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++)
            if (!isnan(fr.level[l]))
                r->rules[k].level[l] = fr.level[l];
        if (a->for_set)
            r->rules[k].for_ns = a->for_ns;
        if (a->hyst_set)
            r->rules[k].hysteresis = a->hyst;
    }
    for (int f = 0; f < PK_MON_NFIGURES; f++) {
        size_t i = 0;
        while (i < r->n_rules && r->rules[i].figure != (pk_monitor_figure)f)
            i++;
        if (a->below[f] && i == r->n_rules)
            cli_warn(CMD, "--below %s: no threshold of %s to apply it to",
                     pk_monitor_figure_name((pk_monitor_figure)f),
                     pk_monitor_figure_name((pk_monitor_figure)f));
        else if (a->below[f])
            r->rules[i].below = true;
    }
    if ((a->for_set || a->hyst_set) && !a->n_rules)
        cli_warn(CMD, "%s applies to -t thresholds, and there are none",
                 a->for_set ? "--for" : "--hysteresis");
    *cfg_out = cfg;
    for (size_t i = 0; i < r->n_rules; i++)
        if (!r->rules[i].below && r->rules[i].hysteresis >= 1) {   /* the file's are checked */
            cli_error(CMD, "--hysteresis %g%%: %s's rising threshold would clear at or below 0 "
                           "and never resolve; use less than 100%%",
                      a->hyst * 100, pk_monitor_figure_name(r->rules[i].figure));
            return CLI_USAGE;
        }
    return CLI_OK;
}

static void clear_live(mon_run *r)
{
    if (r->live_pending) {
        fputs("\r\033[K", stdout);
        r->live_pending = false;
    }
}

static void dispatch(mon_run *r, const pk_monitor_event *ev, size_t n)
{
    for (size_t i = 0; i < n && i < (size_t)6 * MAX_RULES; i++) {
        double t = (double)(ev[i].t_ns - r->t0) / 1e9;
        char line[512];
        mon_format_event(&ev[i], pk_monitor_alerts_rule(r->al, ev[i].rule), t, line, sizeof line);
        clear_live(r);
        printf("%s\n", line);
        fflush(stdout);
        if (r->n_events < MAX_EVENTS)
            r->events[r->n_events++] = ev[i];
        if (r->alert_file) {
            FILE *f = fopen(r->alert_file, "a");
            if (!f) {
                cli_warn(CMD, "--alert-file: cannot append to %s: %s", r->alert_file,
                         strerror(errno));
            } else {
                char stamp[32];
                time_t now = time(NULL);
                struct tm tm;
                gmtime_r(&now, &tm);
                strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
                fprintf(f, "%s pid=%d %s\n", stamp, (int)r->pid, line);
                fclose(f);
            }
        }
        if (r->cmd.argv || r->cmd.script)
            mon_alert_run(&r->cmd, r->pid, &ev[i], line);
    }
}

static int start_child(mon_run *r)
{
    int rc = mon_child_start(r->a->cmd, &r->child);
    if (rc == CLI_OK) {
        r->pid = r->child;
        /* its name until a sample says otherwise (one that exits at once
         * is reported by the name it was run by) */
        const char *slash = strrchr(r->a->cmd[0], '/');
        pk_termsafe(slash ? slash + 1 : r->a->cmd[0], r->comm, sizeof r->comm);
    }
    return rc;
}

static int open_output(mon_run *r)
{
    const char *o = r->a->output;
    if (!o)
        return CLI_OK;
    size_t n = strlen(o);
    r->fmt = r->a->format >= 0 ? (mon_out_format)r->a->format
             : (n > 6 && !strcmp(o + n - 6, ".jsonl")) || (n > 5 && !strcmp(o + n - 5, ".json"))
                 ? MON_OUT_JSONL
                 : MON_OUT_CSV;
    if (!strcmp(o, "-")) {
        /* the samples own stdout: the view, alerts and report go to stderr */
        int fd = dup(STDOUT_FILENO);
        fflush(stdout);
        r->out = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (r->out && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
            fclose(r->out);
            r->out = NULL;
        }
        r->a->quiet = true;
    } else {
        r->out = fopen(o, "w");
    }
    if (!r->out) {
        cli_error(CMD, "cannot write %s: %s", o, strerror(errno));
        return CLI_USAGE;
    }
    mon_write_header(r->out, r->fmt);
    return CLI_OK;
}

/* Wait until deadline (monotonic ns) or the process's exit or a signal: one
 * poll on the pidfd for the whole wait (a signal on this thread ends it
 * with EINTR), woken at most every second to look at the signal flag in
 * case a signal landed on another thread — few wakeups keep the monitor's
 * own CPU use low at 1 Hz. */
static void wait_until(int pidfd, int64_t deadline)
{
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        if (now >= deadline || cli_signal_caught())
            return;
        int64_t ms = (deadline - now + 999999) / 1000000;
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        int rc = poll(&p, pidfd >= 0 ? 1 : 0, (int)(ms > 1000 ? 1000 : ms));
        if (rc > 0)
            return;   /* it exited: sample now, the sampler says so */
    }
}

/* t + d ns, saturating: a duration may be up to 1.8e19 ns (opt.c) */
static int64_t add_ns(int64_t t, uint64_t d)
{
    return d >= (uint64_t)(INT64_MAX - t) ? INT64_MAX : t + (int64_t)d;
}

static int sample_loop(mon_run *r, pk_monitor_publisher *pub)
{
    int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
    pk_monitor_event ev[6 * MAX_RULES];
    int64_t next = 0;
    const char *why = "stopped";
    int err_rc = CLI_OK;   /* the watch broke off: said, then the report */
    for (;;) {
        pk_monitor_sample x;
        pk_err e = pk_monitor_sampler_read(r->s, &x);
        if (e == PK_ENOENT) {
            why = "exited";
            break;
        }
        if (e == PK_EPERM) {
            cli_error(CMD, "process %d: permission to read /proc/%d lost — it ran a setuid "
                           "program, changed user or became not dumpable",
                      (int)r->pid, (int)r->pid);
            why = "could no longer be read";
            err_rc = CLI_USAGE;
            break;
        }
        if (e != PK_OK) {
            cli_error(CMD, "sampling process %d: %s", (int)r->pid, pk_strerror(e));
            why = "could not be sampled";
            err_rc = CLI_INTERNAL;
            break;
        }
        if (!r->samples)
            r->t0 = next = x.t_ns;
        /* the name is the program's to choose: no raw control or non-UTF-8
         * bytes into the terminal, the report or the chart's XML */
        pk_termsafe(pk_monitor_sampler_comm(r->s), r->comm, sizeof r->comm);
        r->samples++;
        double t = (double)(x.t_ns - r->t0) / 1e9;
        mon_series_add(&r->series, &x);
        for (size_t i = 0; i < MON_NTRENDED; i++)
            if (pk_monitor_has(&x, mon_trended[i]))
                pk_monitor_trend_add(r->trend[mon_trended[i]], x.t_ns, x.v[mon_trended[i]]);
        if (r->out)
            mon_write_row(r->out, r->fmt, r->pid, t, &x);
        dispatch(r, ev, pk_monitor_alerts_update(r->al, &x, ev, sizeof ev / sizeof ev[0]));
        pk_monitor_publish(pub, &x, r->al);
        if (!r->a->quiet) {
            char line[512];
            mon_format_line(&x, t, line, sizeof line);
            if (r->tty) {
                struct winsize ws;   /* a wrapped line could not be rewritten in place */
                if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
                    strlen(line) >= ws.ws_col)
                    line[ws.ws_col - 1] = '\0';
                printf("\r\033[K%s", line);
                r->live_pending = true;
            } else {
                printf("%s\n", line);
            }
            fflush(stdout);
        }
        if (r->a->duration_ns && (uint64_t)(x.t_ns - r->t0) >= r->a->duration_ns) {
            why = "duration reached";
            break;
        }
        if (cli_signal_caught())
            break;
        next = add_ns(next, r->a->interval_ns);
        int64_t until = next;   /* an interval longer than --duration ends at it */
        if (r->a->duration_ns && add_ns(r->t0, r->a->duration_ns) < until)
            until = add_ns(r->t0, r->a->duration_ns);
        wait_until(pidfd, until);
        if (cli_signal_caught())
            break;
    }
    if (pidfd >= 0)
        close(pidfd);
    clear_live(r);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t end = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    dispatch(r, ev, pk_monitor_alerts_end(r->al, end, ev, sizeof ev / sizeof ev[0]));
    mon_summary sum = {.pid = r->pid, .comm = r->comm, .why = why,
                       .interval_ns = r->a->interval_ns, .samples = r->samples, .t0 = r->t0,
                       .end_ns = end,
                       .series = &r->series, .trend = r->trend, .events = r->events,
                       .n_events = r->n_events, .alerts = r->al};
    int rc = mon_report(&sum);
    return rc != CLI_OK ? rc : err_rc;
}

/* The chart file is opened before the watch (a bad path is said at once,
 * not after an hour of sampling) and written at the end. */
static int write_chart(mon_run *r)
{
    FILE *f = r->chart;
    r->chart = NULL;
    char title[160];
    snprintf(title, sizeof title, "perfkit monitor: process %d (%s)", (int)r->pid, r->comm);
    int err = mon_write_chart(f, &r->series, title, r->events, r->n_events);
    if (fclose(f) != 0 && !err)
        err = errno;
    if (err) {
        cli_error(CMD, "cannot write %s: %s", r->a->chart, strerror(err));
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

static int serve_start(mon_run *r, pk_metrics_registry **reg, pk_monitor_publisher **pub,
                       pk_metrics_server **srv)
{
    if (r->a->serve < 0)
        return CLI_OK;
    pk_diag d = {0};
    pk_err e = pk_metrics_registry_new(reg);
    if (e == PK_OK)
        e = pk_monitor_publisher_new(*reg, "perfkit_monitor_", r->al, pub);
    if (e != PK_OK) {
        cli_error(CMD, "--serve: %s", pk_strerror(e));
        return CLI_INTERNAL;
    }
    if ((e = pk_metrics_serve(*reg, "127.0.0.1", (uint16_t)r->a->serve, srv, &d)) != PK_OK) {
        cli_error(CMD, "--serve: %s", d.message[0] ? d.message : pk_strerror(e));
        return CLI_USAGE;
    }
    fprintf(stderr, "perfkit: monitor: serving http://127.0.0.1:%u/metrics\n",
            (unsigned)pk_metrics_server_port(*srv));
    return CLI_OK;
}

int cmd_monitor(int argc, char **argv)
{
    mon_args a = {.interval_ns = 1000000000u, .hyst = 0.1, .format = -1, .serve = -1,
                  .window = 60};
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        pk_shellwords_free(a.on_alert);
        return rc < 0 ? CLI_OK : rc;
    }
    mon_run *r = calloc(1, sizeof *r);
    if (!r)
        return CLI_INTERNAL;
    r->a = &a;
    r->pid = a.pid;
    pk_config *cfg = NULL;
    pk_metrics_registry *reg = NULL;
    pk_monitor_publisher *pub = NULL;
    pk_metrics_server *srv = NULL;
    pk_monitor_sampler_opts so;
    pk_monitor_sampler_opts_init(&so);
    so.pss = !a.no_pss;
    so.children = a.children;
    pk_err e;
    if ((rc = load_rules(r, &cfg)) != CLI_OK)
        goto done;
    if ((e = pk_monitor_alerts_new(r->rules, r->n_rules, &r->al)) != PK_OK) {
        cli_error(CMD, "thresholds: levels must rise from info to critical (fall, with "
                       "--below): %s", pk_strerror(e));
        rc = CLI_USAGE;
        goto done;
    }
    for (size_t i = 0; i < MON_NTRENDED; i++)
        if (pk_monitor_trend_new(a.window, &r->trend[mon_trended[i]]) != PK_OK) {
            rc = CLI_INTERNAL;
            goto done;
        }
    if ((rc = open_output(r)) != CLI_OK)
        goto done;
    if (a.chart && !(r->chart = fopen(a.chart, "w"))) {
        cli_error(CMD, "cannot write %s: %s", a.chart, strerror(errno));
        rc = CLI_USAGE;
        goto done;
    }
    if (a.n_cmd && (rc = start_child(r)) != CLI_OK)
        goto done;
    pk_diag d = {0};
    if ((e = pk_monitor_sampler_new(r->pid, &so, &r->s, &d)) != PK_OK) {
        cli_error(CMD, "%s", d.message[0] ? d.message : pk_strerror(e));
        rc = e == PK_ENOMEM ? CLI_INTERNAL : e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
        if (e == PK_ENOENT)
            printf("perfkit monitor: process %d does not exist: nothing sampled\n", (int)r->pid);
        goto done;
    }
    if ((rc = serve_start(r, &reg, &pub, &srv)) != CLI_OK)
        goto done;
    r->tty = isatty(STDOUT_FILENO);
    rc = sample_loop(r, pub);
    if (r->chart && r->series.n) {
        int crc = write_chart(r);
        if (crc != CLI_OK)
            rc = crc;
    }
done:
    if (r->chart) {   /* nothing sampled: no chart */
        fclose(r->chart);
        remove(a.chart);
    }
    rc = r->child ? mon_child_status(r->child, rc) : rc;
    if (rc == CLI_OK && a.alert_exit && r->al && pk_monitor_alerts_worst(r->al) > PK_MON_NONE)
        rc = 10 + (int)pk_monitor_alerts_worst(r->al);
    mon_alert_reap(&r->cmd, true);
    if (r->out && fclose(r->out) != 0)
        cli_warn(CMD, "writing %s: %s", a.output, strerror(errno));
    pk_metrics_server_stop(srv);
    pk_monitor_publisher_free(pub);
    pk_metrics_registry_free(reg);
    pk_monitor_sampler_free(r->s);
    pk_monitor_alerts_free(r->al);
    for (int i = 0; i < PK_MON_NFIGURES; i++)
        pk_monitor_trend_free(r->trend[i]);
    mon_series_free(&r->series);
    pk_config_free(cfg);
    pk_shellwords_free(a.on_alert);
    free(r);
    return cli_signal_status(rc);
}
