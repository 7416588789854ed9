/* flame.c — `perfkit flame`: folded stacks → flame graph SVG, speedscope
 * JSON, pprof or merged folded text.
 *
 * Pipeline: options → pk_folded_read of each input (FILE or - for stdin;
 * several inputs are merged) → the pk_flame writer of --format on stdout
 * (or --output). Bad input is exit 2 with "file:line:column: message".
 * Inputs are read through pk_input (perfkit/input.h): gzip is inflated,
 * detected by its magic bytes. cli_read_folded is shared with `perfkit
 * diff` (cli/diff.c), cli_input_* with `perfkit collapse`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit flame [options] [FILE|-]...\n"
"\n"
"Render folded stacks (`frame;frame;frame COUNT` per line, as written by\n"
"`perfkit collapse`, `perfkit record`, stackcollapse-*.pl or spans' folded\n"
"output) as an interactive flame graph SVG: tooltips, click to zoom, Search\n"
"(regular expression, with the matched share), Reset Zoom. Several inputs are\n"
"merged; none or - reads stdin; gzip-compressed input is read as is.\n"
"\n"
"  -f, --format FMT        svg, speedscope (JSON), pprof (gzipped\n"
"                          profile.proto), folded (merged and sorted); default:\n"
"                          the one --output's name implies (.svg, .json,\n"
"                          .pb.gz or .pprof, .folded or .txt), else svg\n"
"  -o, --output FILE       write there instead of stdout\n"
"  -t, --title TEXT        title (default \"Flame Graph\")\n"
"      --subtitle TEXT     a second line under the title\n"
"      --count-name NAME   what a count is: samples (default), bytes, ns...\n"
"      --width PX          image width (default 1200)\n"
"      --height PX         height of one frame (default 16)\n"
"      --min-width PX      prune frames narrower than PX (default 0.1); the\n"
"                          SVG says how many were pruned\n"
"      --colors PALETTE    hot (default), mem, io, or kind (kernel _[k]\n"
"                          orange, JIT _[j] and Java green, C++ yellow)\n"
"  -i, --inverted          icicle graph: the root at the top\n"
"  -r, --reverse           reverse the stacks: leaf first, callers above\n"
"  -h, --help              this help\n"
"\n"
"In the SVG, ?s=REGEX and ?f=NAME in the URL search and zoom on load.\n"
"Exit: 0 ok, 2 usage or input error (with file:line:column).\n";


static const struct option longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"colors", required_argument, NULL, CLI_FLAME_COLORS},
    CLI_FLAME_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "flame";

int cli_input_open(const char *cmd, const char *path, pk_input **in)
{
    pk_diag d = {0};
    pk_err e = pk_input_open(path, in, &d);
    if (e == PK_OK)
        return CLI_OK;
    char msg[1400];
    cli_error(cmd, "%s", pk_diag_format(&d, msg, sizeof msg));
    return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
}

int cli_input_failed(const char *cmd, const pk_input *in)
{
    pk_err e;
    const pk_diag *d = pk_input_error(in, &e);
    if (!d)
        return 0;
    char msg[1400];
    cli_error(cmd, "%s", pk_diag_format(d, msg, sizeof msg));
    return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
}

int cli_read_folded(const char *cmd, pk_folded *p, const pk_folded_opts *o, const char *path)
{
    pk_input *in;
    int rc = cli_input_open(cmd, path, &in);
    if (rc != CLI_OK)
        return rc;
    pk_diag d = {0};
    pk_err e = pk_folded_read(p, o, pk_input_stream(in), pk_input_name(in), &d);
    if (e == PK_OK) {
        rc = CLI_OK;
    } else if (e == PK_EIO && (rc = cli_input_failed(cmd, in)) != 0) {
        /* the decompression's own message: truncated, corrupt */
    } else if (e == PK_ENOMEM) {
        cli_error(cmd, "out of memory reading %s", path);
        rc = CLI_INTERNAL;
    } else {
        char msg[1400];
        cli_error(cmd, "%s", pk_diag_format(&d, msg, sizeof msg));
        rc = CLI_USAGE;
    }
    pk_input_close(in);
    return rc;
}

const char *const cli_profile_formats[CLI_PROFILE_NFORMATS] = {"svg", "speedscope", "pprof",
                                                              "folded"};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

cli_profile_format cli_profile_format_of(const char *path, cli_profile_format fallback)
{
    if (!path || !strcmp(path, "-"))
        return fallback;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (ends_with(base, n, ".svg"))
        return CLI_PROFILE_SVG;
    if (ends_with(base, n, ".json"))   /* .speedscope.json too */
        return CLI_PROFILE_SPEEDSCOPE;
    if (ends_with(base, n, ".pb.gz") || ends_with(base, n, ".pprof"))
        return CLI_PROFILE_PPROF;
    if (ends_with(base, n, ".folded") || ends_with(base, n, ".txt"))
        return CLI_PROFILE_FOLDED;
    return fallback;
}

int cli_write_profile(const char *cmd, const pk_folded *p, cli_profile_format fmt,
                      const pk_flame_opts *o, const char *output)
{
    bool to_stdout = !output || !strcmp(output, "-");
    FILE *out = to_stdout ? stdout : fopen(output, "wb");
    if (!out) {
        cli_error(cmd, "%s: %s", output, strerror(errno));
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    pk_flame_stats st;
    pk_err e = fmt == CLI_PROFILE_SVG          ? pk_flame_write_svg(p, o, out, &st)
               : fmt == CLI_PROFILE_SPEEDSCOPE ? pk_flame_write_speedscope(p, o, out)
               : fmt == CLI_PROFILE_PPROF      ? pk_flame_write_pprof(p, o, out)
                                               : pk_folded_write(p, pk_folded_has_slot(p, 0) ? 2 : 1, out);
    if (e != PK_OK) {
        cli_error(cmd, "writing %s: %s", to_stdout ? "stdout" : output, pk_strerror(e));
        rc = e == PK_EIO ? CLI_USAGE : CLI_INTERNAL;
    } else if (fmt == CLI_PROFILE_SVG && st.pruned) {
        fprintf(stderr, "perfkit: %s: %zu frames narrower than %g px pruned "
                        "(the SVG says so)\n", cmd, st.pruned, o->min_width);
    }
    if (!to_stdout && fclose(out) != 0 && rc == CLI_OK) {
        cli_error(cmd, "%s: %s", output, strerror(errno));
        rc = CLI_USAGE;
    }
    return rc;
}

bool cli_flame_option(const char *cmd, int c, const char *arg, pk_flame_opts *o)
{
    double v;
    size_t n;
    switch (c) {
    case 't': o->title = arg; return true;
    case CLI_FLAME_SUBTITLE: o->subtitle = arg; return true;
    case CLI_FLAME_COUNT_NAME: o->count_name = arg; return true;
    case CLI_FLAME_WIDTH:
        if (!opt_count_max(cmd, "--width", arg, 100000, &n))
            return false;
        o->width = (unsigned)n;
        if (n < 200) {
            cli_error(cmd, "--width: %s is less than 200 px", arg);
            return false;
        }
        return true;
    case CLI_FLAME_HEIGHT:
        if (!opt_count_max(cmd, "--height", arg, 64, &n))
            return false;
        if (n < 8) {
            cli_error(cmd, "--height: %s is less than 8 px", arg);
            return false;
        }
        o->frame_height = (unsigned)n;
        return true;
    case CLI_FLAME_MIN_WIDTH:
        if (!opt_number(cmd, "--min-width", arg, &v))
            return false;
        if (v < 0) {
            cli_error(cmd, "--min-width: %s is negative", arg);
            return false;
        }
        o->min_width = v;
        return true;
    case CLI_FLAME_COLORS: {
        static const char *const names[] = {"hot", "mem", "io", "kind"};
        size_t i;
        if (!opt_choice(cmd, "--colors", "palette", arg, names, 4, &i))
            return false;
        o->palette = (pk_flame_palette)i;
        return true;
    }
    case 'i': o->inverted = true; return true;
    case 'r': o->reverse = true; return true;
    default: return false;
    }
}

int cmd_flame(int argc, char **argv)
{
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    const char *format = NULL, *output = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:t:irh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        case ':': cli_error(CMD, "%s needs a value", argv[optind - 1]); return CLI_USAGE;
        case '?': opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        default:
            if (!cli_flame_option(CMD, c, optarg, &o))
                return CLI_USAGE;
        }
    }
    size_t fmt = cli_profile_format_of(output, CLI_PROFILE_SVG);
    if (format && !opt_choice(CMD, "--format", "format", format, cli_profile_formats,
                              CLI_PROFILE_NFORMATS, &fmt))
        return CLI_USAGE;
    pk_folded *p;
    if (pk_folded_new(&p) != PK_OK) {
        cli_error(CMD, "out of memory");
        return CLI_INTERNAL;
    }
    int rc = CLI_OK;
    if (optind == argc)
        rc = cli_read_folded(CMD, p, NULL, "-");
    for (int i = optind; i < argc && rc == CLI_OK; i++)
        rc = cli_read_folded(CMD, p, NULL, argv[i]);
    if (rc == CLI_OK && pk_folded_stacks(p) == 0)
        cli_warn(CMD, "no stacks in the input: the %s is empty",
                 fmt == CLI_PROFILE_SVG ? "flame graph" : "profile");
    if (rc == CLI_OK)
        rc = cli_write_profile(CMD, p, (cli_profile_format)fmt, &o, output);
    pk_folded_free(p);
    return rc;
}
