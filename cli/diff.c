/* diff.c — `perfkit diff BEFORE AFTER`: the differential flame graph of two
 * folded profiles, or (--text) the table of the top changed functions.
 *
 * Pipeline: options → BEFORE read into slot 0, AFTER into slot 1 of one
 * pk_folded (a single FILE with two count columns, FlameGraph's
 * difffolded.pl format, is taken too) → --normalize scales BEFORE to
 * AFTER's total → pk_flame_write_svg in diff mode, or
 * pk_flame_write_changes. The rendering options are flame's (cli/flame.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit diff [options] BEFORE AFTER\n"
"       perfkit diff [options] DIFFOLDED     (lines `stack BEFORE AFTER`)\n"
"\n"
"Compare two folded profiles: a differential flame graph SVG where a frame's\n"
"width is its before + after count (frames that shrank or vanished stay\n"
"visible) and its colour the change of its total (red grew, blue shrank);\n"
"or, with --text, the functions that changed most by self and total count.\n"
"gzip-compressed inputs are read as they are.\n"
"\n"
"  -n, --normalize         scale BEFORE to AFTER's total first (profiles of\n"
"                          different lengths)\n"
"      --text              the table of top changes instead of the SVG\n"
"      --top N             rows per table (default 20)\n"
"  -o, --output FILE       write there instead of stdout\n"
"  -t, --title TEXT        title (default \"Differential Flame Graph\")\n"
"      --subtitle TEXT     a second line under the title\n"
"      --count-name NAME   what a count is (default samples)\n"
"      --width PX, --height PX, --min-width PX, -i/--inverted, -r/--reverse\n"
"                          as for `perfkit flame`\n"
"  -h, --help              this help\n"
"\n"
"Exit: 0 ok, 2 usage or input error (with file:line:column).\n";

enum { OPT_TEXT = 256, OPT_TOP };

static const struct option longopts[] = {
    {"normalize", no_argument, NULL, 'n'},
    {"text", no_argument, NULL, OPT_TEXT},
    {"top", required_argument, NULL, OPT_TOP},
    CLI_FLAME_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "diff";

int cmd_diff(int argc, char **argv)
{
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    o.diff = true;
    bool normalize = false, text = false;
    size_t top = 20;
    const char *output = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":no:t:irh", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': normalize = true; break;
        case OPT_TEXT: text = true; break;
        case OPT_TOP:
            if (!opt_count_max(CMD, "--top", optarg, 100000, &top))
                return CLI_USAGE;
            break;
        case 'o': output = optarg; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "%s needs a value", argv[optind - 1]); return CLI_USAGE;
        case '?': opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        default:
            if (!cli_flame_option(CMD, c, optarg, &o))
                return CLI_USAGE;
        }
    }
    int nin = argc - optind;
    if (nin < 1 || nin > 2) {
        cli_error(CMD, "expected BEFORE AFTER (two folded files) or one two-column file; "
                       "`perfkit diff --help`");
        return CLI_USAGE;
    }
    pk_folded *p;
    if (pk_folded_new(&p) != PK_OK) {
        cli_error(CMD, "out of memory");
        return CLI_INTERNAL;
    }
    pk_folded_opts fo;
    pk_folded_opts_init(&fo);
    int rc;
    if (nin == 2) {
        fo.columns = 1;
        fo.slot = 0;
        rc = cli_read_folded(CMD, p, &fo, argv[optind]);
        fo.slot = 1;
        if (rc == CLI_OK)
            rc = cli_read_folded(CMD, p, &fo, argv[optind + 1]);
    } else {
        fo.columns = 2;
        rc = cli_read_folded(CMD, p, &fo, argv[optind]);
    }
    char sub[200];
    double b0 = pk_folded_total(p, 0), a0 = pk_folded_total(p, 1);
    if (rc == CLI_OK && normalize && b0 > 0)
        pk_folded_scale(p, 0, a0 / b0);
    if (!o.subtitle) {   /* what the widths add up: both totals */
        const char *u = o.count_name ? o.count_name : "samples";
        if (normalize && b0 > 0)
            snprintf(sub, sizeof sub, "before %.15g %s (scaled x%.4g to after's total), after %.15g %s",
                     b0, u, a0 / b0, a0, u);
        else
            snprintf(sub, sizeof sub, "before %.15g %s, after %.15g %s; red grew, blue shrank",
                     b0, u, a0, u);
        o.subtitle = sub;
    }
    FILE *out = stdout;
    if (rc == CLI_OK && output && !(out = fopen(output, "wb"))) {
        cli_error(CMD, "%s: %s", output, strerror(errno));
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && pk_folded_stacks(p) == 0)
        cli_warn(CMD, "no stacks in the input: the %s is empty",
                 text ? "table" : "flame graph");
    if (rc == CLI_OK) {
        pk_flame_stats st;
        pk_err e = text ? pk_flame_write_changes(p, top, out) : pk_flame_write_svg(p, &o, out, &st);
        if (e != PK_OK) {
            cli_error(CMD, "writing %s: %s", output ? output : "stdout", pk_strerror(e));
            rc = e == PK_EIO ? CLI_USAGE : CLI_INTERNAL;
        }
        if (output && fclose(out) != 0 && rc == CLI_OK) {
            cli_error(CMD, "%s: %s", output, strerror(errno));
            rc = CLI_USAGE;
        }
    }
    pk_folded_free(p);
    return rc;
}
