/* collapse.c — `perfkit collapse`: `perf script` text (or folded stacks) →
 * folded stacks, byte for byte what FlameGraph's stackcollapse-perf.pl
 * prints for the same options.
 *
 * Pipeline: parse options → read FILE (or stdin; gzip inflated on the way,
 * perfkit/input.h) in 256 KiB chunks into
 * pk_collapse_feed (the library holds the rules and the stack table) →
 * pk_collapse_finish sorts → "STACK COUNT\n" lines to stdout or --output.
 * Unrecognised lines are skipped and counted on stderr, as the Perl script
 * warns and goes on; --strict makes the first one an error (exit 2). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit collapse [options] [FILE]\n"
"\n"
"Fold the stacks of `perf script` output into \"comm;root;...;leaf COUNT\"\n"
"lines sorted in byte order, the input of flame graphs; the output equals\n"
"stackcollapse-perf.pl's for the same options. FILE omitted or - is stdin.\n"
"Folded input (\"STACK COUNT\" lines) is detected and passes through, merged\n"
"and sorted. Counts are the samples' periods when perf script prints them.\n"
"gzip-compressed input (FILE.gz, or piped) is read as is.\n"
"\n"
"  -o, --output FILE         write to FILE instead of stdout\n"
"      --pid                 root frame \"comm-PID\" (perf script -F must show pid)\n"
"      --tid                 root frame \"comm-PID/TID\"\n"
"      --kernel              annotate kernel frames with _[k]\n"
"      --jit                 annotate JIT frames (/tmp/perf-PID.map) with _[j]\n"
"      --all                 --kernel and --jit\n"
"      --addrs               [dso <addr>] for frames without a symbol\n"
"      --event-filter EVENT  keep samples of EVENT only (default: the first\n"
"                            event in the input)\n"
"      --input-format F      auto (default), perf or folded\n"
"      --strict              an unrecognised line is an error (exit 2), not\n"
"                            skipped with a count on stderr\n"
"  -h, --help                this help\n"
"\n"
"Exit: 0 ok, 2 usage or input error.\n";

enum { OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS, OPT_EVENT, OPT_FORMAT,
       OPT_STRICT };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"pid", no_argument, NULL, OPT_PID},
    {"tid", no_argument, NULL, OPT_TID},
    {"kernel", no_argument, NULL, OPT_KERNEL},
    {"jit", no_argument, NULL, OPT_JIT},
    {"all", no_argument, NULL, OPT_ALL},
    {"addrs", no_argument, NULL, OPT_ADDRS},
    {"event-filter", required_argument, NULL, OPT_EVENT},
    {"input-format", required_argument, NULL, OPT_FORMAT},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "collapse";

static int parse_args(int argc, char **argv, pk_collapse_opts *o, const char **output,
                      const char **input)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case OPT_PID: o->include_pid = true; break;
        case OPT_TID: o->include_tid = true; break;
        case OPT_KERNEL: o->annotate_kernel = true; break;
        case OPT_JIT: o->annotate_jit = true; break;
        case OPT_ALL: o->annotate_kernel = o->annotate_jit = true; break;
        case OPT_ADDRS: o->include_addrs = true; break;
        case OPT_EVENT: o->event_filter = optarg; break;
        case OPT_STRICT: o->strict = true; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "auto") == 0)
                o->format = PK_COLLAPSE_AUTO;
            else if (strcmp(optarg, "perf") == 0)
                o->format = PK_COLLAPSE_PERF;
            else if (strcmp(optarg, "folded") == 0)
                o->format = PK_COLLAPSE_FOLDED;
            else {
                cli_error(CMD, "invalid value `%s` for --input-format: expected auto, perf or folded",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (argc - optind > 1) {
        cli_error(CMD, "one input at most (got %d); concatenate them: cat a b | perfkit collapse",
                  argc - optind);
        return CLI_USAGE;
    }
    *input = optind < argc ? argv[optind] : "-";
    return CLI_OK;
}

/* Read all of the input's content (inflated when gzip) into c. */
static int feed_all(pk_collapse *c, pk_input *in)
{
    enum { CHUNK = 256 * 1024 };
    char *buf = malloc(CHUNK);
    if (!buf) {
        cli_error(CMD, "out of memory");
        return CLI_INTERNAL;
    }
    const char *name = pk_input_name(in);
    FILE *f = pk_input_stream(in);
    int rc = CLI_OK;
    pk_diag d = {0};
    for (;;) {
        size_t n = fread(buf, 1, CHUNK, f);
        if (n == 0 && ferror(f)) {
            if ((rc = cli_input_failed(CMD, in)) == 0) {
                cli_error(CMD, "%s: read failed: %s", name, strerror(errno));
                rc = CLI_USAGE;
            }
            break;
        }
        pk_err e = n == 0 ? pk_collapse_finish(c, &d) : pk_collapse_feed(c, buf, n, &d);
        if (e == PK_EPARSE || e == PK_ERANGE) {
            cli_error(CMD, "%s:%u: %s", name, d.line, d.message);
            rc = CLI_USAGE;
            break;
        }
        if (e != PK_OK) {
            cli_error(CMD, "%s: %s", name, pk_strerror(e));
            rc = e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
            break;
        }
        if (n == 0)
            break;
    }
    free(buf);
    return rc;
}

static int write_all(const pk_collapse *c, const char *output)
{
    FILE *f = stdout;
    if (output && strcmp(output, "-") != 0 && !(f = fopen(output, "w"))) {
        cli_error(CMD, "cannot write %s: %s", output, strerror(errno));
        return CLI_USAGE;
    }
    static char obuf[1 << 16];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    size_t n = pk_collapse_count(c);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        uint64_t count;
        pk_collapse_get(c, i, &s, &len, &count);
        fwrite(s, 1, len, f);
        fprintf(f, " %" PRIu64 "\n", count);
    }
    bool bad = fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad = fclose(f) != 0 || bad;
    if (bad) {
        cli_error(CMD, "cannot write %s: %s", f == stdout ? "stdout" : output, strerror(errno));
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_collapse(int argc, char **argv)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    const char *output = NULL, *input = "-";
    int rc = parse_args(argc, argv, &o, &output, &input);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pk_input *in;
    if ((rc = cli_input_open(CMD, input, &in)) != CLI_OK)
        return rc;
    const char *name = pk_input_name(in);
    pk_collapse *c = NULL;
    if (pk_collapse_new(&o, &c) != PK_OK) {
        cli_error(CMD, "out of memory");
        rc = CLI_INTERNAL;
    } else {
        rc = feed_all(c, in);
    }
    if (rc == CLI_OK) {
        pk_collapse_stats st;
        pk_collapse_get_stats(c, &st);
        if (st.ignored)
            cli_warn(CMD, "ignored %" PRIu64 " unrecognised line%s (first: %s:%" PRIu64
                     "); --strict makes this an error", st.ignored, st.ignored == 1 ? "" : "s",
                     name, st.first_ignored);
        if (st.filtered && (!o.event_filter || !o.event_filter[0]))
            cli_warn(CMD, "kept the first event seen, `%s`; left out %" PRIu64
                     " sample%s of other events (--event-filter EVENT to choose)",
                     st.event ? st.event : "", st.filtered, st.filtered == 1 ? "" : "s");
        rc = write_all(c, output);
    }
    pk_collapse_free(c);
    pk_input_close(in);
    return rc;
}
