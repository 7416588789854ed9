/* size.c — `perfkit size`: raw and compressed sizes of files, with budgets.
 *
 * Pipeline: parse options (compressions, budgets C=LIMIT: pk_size_limit_parse)
 * → pk_size_report_new (expands FILE|GLOB with perfkit's one glob, measures,
 * judges the budgets) → pk_size_write as a table on stdout (or --json,
 * schema perfkit/size/v1, exact bytes) → exit 1 when a budget is broken.
 * What users download is the compressed file, so budgets are usually set on
 * gzip or brotli. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit size [options] FILE|GLOB...\n"
"\n"
"Measure each file raw and compressed the way servers send it: gzip -9\n"
"(zlib), brotli -q 11 (window 22), zstd -19. Quote a GLOB ('dist/*.js',\n"
"'dist/{app,vendor}.js') to let perfkit expand it as perfkit.yml does; a glob\n"
"that matches no file is an error, directories it matches are left out.\n"
"\n"
"  -c, --compression LIST  sizes to show, from raw,gzip,brotli,zstd (all)\n"
"  -b, --budget C=LIMIT    fail when a file's C size is over LIMIT, e.g.\n"
"                          gzip=100KB or brotli=90KiB (KB = 1000 B,\n"
"                          KiB = 1024 B); repeatable\n"
"      --json              JSON on stdout (schema perfkit/size/v1), exact bytes\n"
"      --color WHEN        auto (default), always, never; NO_COLOR is honoured\n"
"  -h, --help              this help\n"
"\n"
"Exit: 0 ok, 1 a file is over a budget, 2 usage or input error.\n";

enum { OPT_JSON = 256, OPT_COLOR };

static const struct option longopts[] = {
    {"compression", required_argument, NULL, 'c'},
    {"budget", required_argument, NULL, 'b'},
    {"json", no_argument, NULL, OPT_JSON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "size";

#define MAX_BUDGETS 16

typedef struct size_args {
    pk_size_report_opts o;
    pk_size_limit budgets[MAX_BUDGETS];
    bool json;
    int color;
    const char *const *inputs;
    size_t n_inputs;
} size_args;

/* "value\n  ^" under an option value, pointing at 1-based column col. */
static void show_column(const char *val, unsigned col)
{
    size_t before = 0;   /* bytes shown before the column: escapes widen it */
    char *head = strndup(val, col ? col - 1 : 0);
    if (head)
        before = pk_termsafe_size(head) - 1;
    free(head);
    fputs("    ", stderr);
    pk_termsafe_fputs(val, stderr);
    fprintf(stderr, "\n    %*s^\n", (int)before, "");
}

static int parse_args(int argc, char **argv, size_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    pk_diag d;
    while ((c = getopt_long(argc, argv, ":c:b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (pk_compression_parse_list(optarg, &a->o.mask, &d) != PK_OK) {
                cli_error(CMD, "--compression: %s", d.message);
                show_column(optarg, d.column);
                return CLI_USAGE;
            }
            break;
        case 'b':
            if (a->o.n_budgets == MAX_BUDGETS) {
                cli_error(CMD, "too many --budget options (at most %d)", MAX_BUDGETS);
                return CLI_USAGE;
            }
            if (pk_size_limit_parse(optarg, &a->budgets[a->o.n_budgets++], &d) != PK_OK) {
                cli_error(CMD, "--budget `%s`: %s", optarg, d.message);
                show_column(optarg, d.column);
                return CLI_USAGE;
            }
            break;
        case OPT_JSON: a->json = true; break;
        case OPT_COLOR:
            if (!cli_parse_color(CMD, optarg, &a->color))
                return CLI_USAGE;
            break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    a->inputs = (const char *const *)argv + optind;
    a->n_inputs = (size_t)(argc - optind);
    if (a->n_inputs == 0) {
        cli_error(CMD, "no file to measure; e.g. perfkit size build/app.wasm 'dist/*.js'");
        return CLI_USAGE;
    }
    a->o.budgets = a->budgets;
    return CLI_OK;
}

int cmd_size(int argc, char **argv)
{
    size_args a = {.color = -1};
    pk_size_report_opts_init(&a.o);
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pk_size_report *rep = NULL;
    pk_diag d;
    pk_err e = pk_size_report_new(a.inputs, a.n_inputs, &a.o, &rep, &d);
    if (e != PK_OK) {
        cli_error(CMD, "%s", d.message);
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    pk_write_opts wo = {.color = cli_color_enabled(a.color, stdout)};
    e = pk_size_write(stdout, rep, a.json ? PK_FORMAT_JSON : PK_FORMAT_TEXT, &wo);
    if (e != PK_OK) {
        cli_error(CMD, "cannot write the report: %s", pk_strerror(e));
        rc = CLI_INTERNAL;
    } else if (rep->n_broken) {
        cli_error(CMD, "%zu size budget%s exceeded", rep->n_broken,
                  rep->n_broken == 1 ? "" : "s");
        rc = CLI_FAIL;
    }
    pk_size_report_free(rep);
    return rc;
}
