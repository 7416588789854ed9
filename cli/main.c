/* main.c — the perfkit command: one table of subcommands, one file each. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "perfkit/diag.h"
#include "perfkit/machine.h"
#include "perfkit/termsafe.h"
#include "signals.h"

typedef struct cli_command {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
    bool runs_programs;   /* SIGINT/SIGTERM/SIGHUP stop its child and end it
                             with 128 + the signal (signals.h); the others
                             keep the default action: nothing to clean up */
} cli_command;

static const cli_command commands[] = {
    {"bench", cmd_bench, "benchmark commands: statistics, counters, verdicts, exports", true},
    {"check", cmd_check, "run perfkit.yml: budgets, regressions against history, CI verdict",
     true},
    {"history", cmd_history, "runs over time with sparklines; export/import between SQLite and PostgreSQL", false},
    {"compare", cmd_compare, "compare two runs from history", false},
    {"baseline", cmd_baseline, "list, show, pin or unpin the baseline runs", false},
    {"size", cmd_size, "raw and compressed (gzip, brotli, zstd) file sizes, with budgets", false},
    {"init", cmd_init, "write a commented perfkit.yml for the programs found here", false},
    {"record", cmd_record, "sample a command's CPU time into folded stacks", true},
    {"mem", cmd_mem, "profile a command's heap: peak, leaks, allocations per call site", true},
    {"monitor", cmd_monitor, "watch a process: CPU, memory, fds, I/O; alerts, trends, Prometheus",
     true},
    {"collapse", cmd_collapse, "perf script output to folded stacks (stackcollapse-perf.pl)", false},
    {"flame", cmd_flame, "folded stacks as a flame graph SVG, speedscope or pprof", false},
    {"diff", cmd_diff, "differential flame graph of two profiles, top changes", false},
    {"report", cmd_report, "the history as one HTML page: trends, distributions, flame graphs",
     false},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: perfkit <command> [options] [--] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`perfkit <command> --help` for a command's options; `perfkit --version`.\n");
}

/* "perfkit: <cmd>: <prefix><message>" on stderr, the message made
 * terminal-safe: it may quote names, commands and values from anyone. */
__attribute__((format(printf, 3, 0)))
static void say(const char *cmd, const char *prefix, const char *fmt, va_list ap)
{
    char small[1024], *msg = small;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)))
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    fprintf(stderr, "perfkit: %s%s%s", cmd ? cmd : "", cmd ? ": " : "", prefix);
    pk_termsafe_fputs(msg ? msg : small, stderr);   /* small: cut short, but said */
    fputc('\n', stderr);
    if (msg != small)
        free(msg);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, "", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, "warning: ", fmt, ap);
    va_end(ap);
}

bool cli_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (nc && nc[0])
        return false;
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f));
}

bool cli_parse_color(const char *cmd, const char *when, int *out)
{
    if (strcmp(when, "auto") == 0)
        *out = -1;
    else if (strcmp(when, "never") == 0)
        *out = 0;
    else if (strcmp(when, "always") == 0)
        *out = 1;
    else {
        cli_error(cmd, "invalid value `%s` for --color: expected auto, always or never", when);
        return false;
    }
    return true;
}

bool cli_color_enabled(int setting, FILE *f)
{
    return setting < 0 ? cli_use_color(f) : setting == 1;
}

int main(int argc, char **argv)
{
    /* A file-size limit (ulimit -f) makes a write fail with EFBIG instead
     * of killing perfkit: a history that cannot grow must not cost the
     * verdict and the reports. Benchmarked commands get the default back
     * (lib/run resets it in the child). */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("perfkit %s\n", pk_version());
        return CLI_OK;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        if (commands[i].runs_programs)
            cli_signals_install(commands[i].name);
        /* once a signal came, the exit status says so, even when it came
         * after the last run (the reports are complete then) */
        return cli_signal_status(commands[i].fn(argc - 1, argv + 1));
    }
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    const char *s = pk_diag_suggest(name, names, sizeof names / sizeof names[0]);
    if (s) {   /* a typo: the one line that matters, not the whole usage */
        cli_error(NULL, "unknown command `%s` — did you mean `%s`?", name, s);
        return CLI_USAGE;
    }
    cli_error(NULL, "unknown command `%s`", name);
    usage(stderr);
    return CLI_USAGE;
}
