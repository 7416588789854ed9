/* record.c — `perfkit record`: sample a command's CPU time into folded stacks.
 *
 * Pipeline: parse options → pk_record_run (lib/record: forks the command,
 * samples it with perf_event_open, unwinds, names the frames) → the folded
 * stacks to --output (default perfkit.folded, "-" for stdout), or, for the
 * format --format or the output's name asks (.svg, .json, .pb.gz...), the
 * stacks copied into a pk_folded and written by `perfkit flame`'s writer
 * (cli_write_profile) → a summary on stderr: samples, lost samples, what
 * perfkit itself cost. The exit code is 1 when the command failed (it was
 * still recorded). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"
#include <errno.h>

static const char usage_text[] =
"usage: perfkit record [options] [--] CMD [ARGS...]\n"
"\n"
"Run CMD and sample where it spends its CPU time (perf_event_open; no perf\n"
"binary needed), following its threads and child processes. Writes folded\n"
"stacks (\"comm;main;f;g 42\" lines, the format of FlameGraph's\n"
"stackcollapse-perf.pl) for `perfkit flame`, flamegraph.pl or speedscope.\n"
"Only user-space code is sampled unless --kernel is given.\n"
"\n"
"  -o, --output FILE       write to FILE (default perfkit.folded; - stdout), in\n"
"                          the format its name implies: .svg flame graph,\n"
"                          .json speedscope, .pb.gz or .pprof pprof, else folded\n"
"  -f, --format FMT        folded, svg, speedscope or pprof, whatever the name\n"
"      --title TEXT, --subtitle TEXT, --count-name NAME, --width PX,\n"
"      --height PX, --min-width PX, --colors PALETTE, --inverted, --reverse\n"
"                          the SVG's options, as for `perfkit flame`\n"
"  -e, --event EVENT       cpu-clock (default; works in VMs) or cycles (needs a\n"
"                          hardware PMU)\n"
"  -F, --freq HZ           samples per second of CPU time (default 999)\n"
"  -g, --call-graph MODE   fp (default): frame pointers, cheap; dwarf: copy\n"
"                          the user stack and unwind it with DWARF CFI (code\n"
"                          built without frame pointers; x86-64)\n"
"      --stack-size BYTES  dwarf mode: stack bytes copied a sample (default 8192)\n"
"      --no-inline         no frames for inlined functions (they need each\n"
"                          binary's DWARF, read once: tens of ms for a libc\n"
"                          with its debug file)\n"
"      --no-demangle       keep C++ names mangled (_ZN2ns3hotIiEEmT_); by\n"
"                          default they read as perf script shows them\n"
"                          (ns::hot<int>)\n"
"  -k, --kernel            sample kernel code too, and the kernel part of the\n"
"                          stacks (\"name_[k]\" frames; fp mode; root or\n"
"                          kernel.perf_event_paranoid <= 1)\n"
"  -q, --quiet             no summary on stderr\n"
"  -h, --help              this help\n"
"\n"
"Exit: 0 ok, 1 the command failed (still recorded), 2 usage error or\n"
"profiling not permitted or supported here, 3 internal error.\n";

enum { OPT_STACK = 256, OPT_NO_INLINE, OPT_NO_DEMANGLE };

static const struct option longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"colors", required_argument, NULL, CLI_FLAME_COLORS},
    CLI_FLAME_LONGOPTS,   /* --output, --help and the SVG's options */
    {"event", required_argument, NULL, 'e'},
    {"freq", required_argument, NULL, 'F'},
    {"call-graph", required_argument, NULL, 'g'},
    {"stack-size", required_argument, NULL, OPT_STACK},
    {"no-inline", no_argument, NULL, OPT_NO_INLINE},
    {"no-demangle", no_argument, NULL, OPT_NO_DEMANGLE},
    {"kernel", no_argument, NULL, 'k'},
    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "record";

typedef struct record_args {
    pk_record_opts o;
    pk_flame_opts flame;
    const char *output;
    cli_profile_format fmt;     /* --format, or the one the output's name implies */
    bool quiet;
    char **argv;
} record_args;

static int parse_args(int argc, char **argv, record_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    size_t n;
    const char *format = NULL;
    while ((c = getopt_long(argc, argv, "+:o:f:e:F:g:kqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a->output = optarg; break;
        case 'f': format = optarg; break;
        case 'e': {
            static const char *const events[] = {"cpu-clock", "cycles"};
            static const pk_record_event ev[] = {PK_RECORD_CPU_CLOCK, PK_RECORD_CYCLES};
            if (!opt_choice(CMD, "--event", "event", optarg, events, 2, &n))
                return CLI_USAGE;
            a->o.event = ev[n];
            break;
        }
        case 'F':
            if (!opt_count_max(CMD, "--freq", optarg, 100000, &n))
                return CLI_USAGE;
            if (n == 0) {
                cli_error(CMD, "--freq: 0 Hz samples nothing; e.g. --freq 999");
                return CLI_USAGE;
            }
            a->o.freq_hz = (uint32_t)n;
            break;
        case 'g': {
            static const char *const modes[] = {"fp", "dwarf"};
            static const pk_record_callgraph cg[] = {PK_RECORD_FP, PK_RECORD_DWARF};
            if (!opt_choice(CMD, "--call-graph", "mode", optarg, modes, 2, &n))
                return CLI_USAGE;
            a->o.callgraph = cg[n];
            break;
        }
        case OPT_STACK:
            if (!opt_count_max(CMD, "--stack-size", optarg, 65528, &n))
                return CLI_USAGE;
            a->o.stack_bytes = (uint32_t)n;
            break;
        case OPT_NO_INLINE: a->o.no_inline = true; break;
        case OPT_NO_DEMANGLE: a->o.no_demangle = true; break;
        case 'k': a->o.kernel = true; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        case '?': opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        default:
            if (!cli_flame_option(CMD, c, optarg, &a->flame))
                return CLI_USAGE;
        }
    }
    n = cli_profile_format_of(a->output, CLI_PROFILE_FOLDED);
    if (format && !opt_choice(CMD, "--format", "format", format, cli_profile_formats,
                              CLI_PROFILE_NFORMATS, &n))
        return CLI_USAGE;
    a->fmt = (cli_profile_format)n;
    if (optind < argc && !strcmp(argv[optind], "--"))
        optind++;
    if (optind >= argc) {
        cli_error(CMD, "no command to record; e.g. perfkit record -- ./myprog arg");
        return CLI_USAGE;
    }
    a->argv = argv + optind;
    return CLI_OK;
}

/* The recording as a pk_folded, written by `perfkit flame`'s writer. */
static int write_rendered(const record_args *a, const pk_record *r)
{
    pk_folded *p;
    if (pk_folded_new(&p) != PK_OK) {
        cli_error(CMD, "out of memory");
        return CLI_INTERNAL;
    }
    int rc = CLI_OK;
    for (size_t i = 0, n = pk_record_stack_count(r); i < n && rc == CLI_OK; i++) {
        const char *stack;
        uint64_t count;
        pk_record_stack_get(r, i, &stack, &count);
        if (pk_folded_add(p, stack, strlen(stack), 1, (double)count) != PK_OK) {
            cli_error(CMD, "out of memory");
            rc = CLI_INTERNAL;
        }
    }
    if (rc == CLI_OK)
        rc = cli_write_profile(CMD, p, a->fmt, &a->flame, a->output);
    pk_folded_free(p);
    return rc;
}

static int write_output(const record_args *a, const pk_record *r)
{
    if (a->fmt != CLI_PROFILE_FOLDED)
        return write_rendered(a, r);
    bool to_stdout = !strcmp(a->output, "-");
    FILE *f = to_stdout ? stdout : fopen(a->output, "w");
    if (!f) {
        cli_error(CMD, "cannot write %s: %s", a->output, strerror(errno));
        return CLI_USAGE;
    }
    pk_err e = pk_record_write_folded(r, f);
    if (!to_stdout && fclose(f) != 0)
        e = PK_EIO;
    if (e != PK_OK) {
        cli_error(CMD, "cannot write %s: %s", a->output, pk_strerror(e));
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

static void summary(const record_args *a, const pk_record *r)
{
    const pk_record_stats *st = pk_record_get_stats(r);
    double child_s = (double)st->child_cpu_ns / 1e9;
    double self_ms = (double)st->perfkit_cpu_ns / 1e6;
    fprintf(stderr,
            "perfkit: record: %llu samples, %llu lost, %zu distinct stacks → %s\n"
            "perfkit: record: the command used %.3f s of CPU in %.3f s; perfkit used "
            "%.1f ms of CPU (%.2f%% of the command's)\n",
            (unsigned long long)st->samples, (unsigned long long)st->lost,
            pk_record_stack_count(r), !strcmp(a->output, "-") ? "stdout" : a->output, child_s,
            (double)st->wall_ns / 1e9, self_ms,
            st->child_cpu_ns ? 100.0 * (double)st->perfkit_cpu_ns / (double)st->child_cpu_ns
                             : 0.0);
    if (st->lost)
        cli_warn(CMD, "%llu samples were lost (the ring buffer filled); lower --freq",
                 (unsigned long long)st->lost);
    if (a->o.callgraph == PK_RECORD_DWARF && st->unwind_failed * 2 > st->samples)
        cli_warn(CMD, "%llu of %llu stacks could not be unwound past the leaf",
                 (unsigned long long)st->unwind_failed, (unsigned long long)st->samples);
}

int cmd_record(int argc, char **argv)
{
    record_args a = {.output = "perfkit.folded"};
    pk_record_opts_init(&a.o);
    pk_flame_opts_init(&a.flame);
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pk_record *r = NULL;
    char *msg = NULL;
    pk_err e = pk_record_run(&a.o, a.argv, &r, &msg);
    if (e != PK_OK && e != PK_EINTR) {
        cli_error(CMD, "%s", msg ? msg : pk_strerror(e));
        pk_free(msg);
        return e == PK_ENOMEM || e == PK_EIO ? CLI_INTERNAL : CLI_USAGE;
    }
    rc = write_output(&a, r);
    const pk_record_stats *st = pk_record_get_stats(r);
    if (rc == CLI_OK && !a.quiet)
        summary(&a, r);
    if (st->no_frame_pointers)
        cli_warn(CMD, "most stacks are 2 frames deep or less: the code seems built "
                 "without frame pointers; rebuild it with -fno-omit-frame-pointer or "
                 "use --call-graph dwarf");
    if (rc == CLI_OK && e == PK_OK && st->exit_status != 0) {
        cli_error(CMD, "%s exited with status %d", a.argv[0], st->exit_status);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && e == PK_EINTR)
        rc = 128 + 2;
    pk_record_free(r);
    return rc;
}
