/* cli/cli.h — what the subcommands of the perfkit command share.
 * Only cli/ touches the terminal: every subcommand parses, validates, calls
 * libperfkit and writes through a lib/report writer. */
#ifndef PERFKIT_CLI_H
#define PERFKIT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "perfkit/flame.h"
#include "perfkit/folded.h"
#include "perfkit/format.h"
#include "perfkit/input.h"

/* Exit codes (DESIGN.md). */
enum {
    CLI_OK = 0,        /* all good */
    CLI_FAIL = 1,      /* a verdict failed or a benchmarked command failed */
    CLI_USAGE = 2,     /* usage or input error */
    CLI_INTERNAL = 3,  /* internal error */
    CLI_NOT_STORED = 4,  /* check: passed, but the run was not recorded in the history */
};

/* A subcommand: argv[0] is the subcommand name. Returns the exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_collapse(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* `perfkit history export|import` (history_copy.c); argv[0] is the verb. */
int cli_history_copy(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* Open path ("-": stdin) through pk_input (gzip inflated, perfkit/input.h);
 * prints "PATH: reason" and returns CLI_USAGE (CLI_INTERNAL: no memory). */
int cli_input_open(const char *cmd, const char *path, pk_input **in);
/* After a read of in's stream failed: prints why (truncated or corrupt
 * gzip, a read error) and returns CLI_USAGE / CLI_INTERNAL; 0 when the
 * input itself had no error. */
int cli_input_failed(const char *cmd, const pk_input *in);

/* Read folded stacks from path ("-": stdin; gzip inflated) into p; prints
 * the error ("file:line:column: message") and returns CLI_USAGE on bad
 * input. */
int cli_read_folded(const char *cmd, pk_folded *p, const pk_folded_opts *o, const char *path);

/* The output formats of `flame` and `record` (names in cli_profile_formats,
 * in this order), and the one implied by an output file's name: .svg,
 * .json (.speedscope.json), .pb.gz or .pprof, .folded or .txt; fallback for
 * any other name, stdout ("-") and NULL. */
typedef enum { CLI_PROFILE_SVG, CLI_PROFILE_SPEEDSCOPE, CLI_PROFILE_PPROF, CLI_PROFILE_FOLDED,
               CLI_PROFILE_NFORMATS } cli_profile_format;
extern const char *const cli_profile_formats[CLI_PROFILE_NFORMATS];
cli_profile_format cli_profile_format_of(const char *path, cli_profile_format fallback);
/* Write p as fmt with o to output (NULL or "-": stdout); prints the error
 * and returns CLI_USAGE / CLI_INTERNAL on failure, notes pruning (SVG). */
int cli_write_profile(const char *cmd, const pk_folded *p, cli_profile_format fmt,
                      const pk_flame_opts *o, const char *output);

/* The rendering options `flame` and `diff` share (getopt codes below, plus
 * 't', 'i', 'r'): applies one to o; false (error printed) on a bad value. */
enum { CLI_FLAME_SUBTITLE = 300, CLI_FLAME_COUNT_NAME, CLI_FLAME_WIDTH, CLI_FLAME_HEIGHT,
       CLI_FLAME_MIN_WIDTH, CLI_FLAME_COLORS };
bool cli_flame_option(const char *cmd, int c, const char *arg, pk_flame_opts *o);
/* Their getopt_long entries, and --output and --help, in one place. */
#define CLI_FLAME_LONGOPTS                                                  \
    {"output", required_argument, NULL, 'o'},                               \
    {"title", required_argument, NULL, 't'},                                \
    {"subtitle", required_argument, NULL, CLI_FLAME_SUBTITLE},              \
    {"count-name", required_argument, NULL, CLI_FLAME_COUNT_NAME},          \
    {"width", required_argument, NULL, CLI_FLAME_WIDTH},                    \
    {"height", required_argument, NULL, CLI_FLAME_HEIGHT},                  \
    {"min-width", required_argument, NULL, CLI_FLAME_MIN_WIDTH},            \
    {"inverted", no_argument, NULL, 'i'},                                   \
    {"reverse", no_argument, NULL, 'r'},                                    \
    {"help", no_argument, NULL, 'h'}

/* "perfkit: <cmd>: message\n" on stderr (printf-style). The message is
 * written whole and terminal-safe (perfkit/termsafe.h): control characters
 * in the names, commands and values it quotes show as escapes ("\x1b"). */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Colour on this stream: a TTY, NO_COLOR unset, TERM not "dumb". */
bool cli_use_color(FILE *f);

/* --color WHEN: "auto" → -1, "never" → 0, "always" → 1; prints the error
 * and returns false for anything else. */
bool cli_parse_color(const char *cmd, const char *when, int *out);
/* Whether to colour f under a --color setting (-1 auto). */
bool cli_color_enabled(int setting, FILE *f);

/* Writer options (format.h) for stdout under --color WHEN (-1 auto) and -v. */
static inline pk_write_opts cli_write_opts(int color, bool verbose)
{
    pk_write_opts o = {.color = cli_color_enabled(color, stdout), .verbose = verbose};
    return o;
}

#endif
