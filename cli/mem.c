/* mem.c — `perfkit mem`: the allocation profiler.
 *
 * Four forms, one usage text: run a command under libperfkit-mem.so and
 * report (pk_mem_run), report an event file (pk_mem_load), diff two files
 * (pk_mem_write_diff), and a flame graph per cost (pk_mem_add_folded →
 * pk_flame_write_svg, count name "bytes" or "allocations"). Pipeline as
 * everywhere: parse → validate → libperfkit → its writers. Exit 1 when the
 * profiled command failed (its report is still printed), 2 for usage
 * errors and bad files (named with their offset), 3 internal. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit mem [options] [--] CMD [ARGS...]\n"
"       perfkit mem report [options] FILE\n"
"       perfkit mem diff [options] BEFORE AFTER\n"
"       perfkit mem flame [options] FILE\n"
"\n"
"Profile the heap of CMD: every malloc, calloc, realloc, aligned allocation\n"
"and free goes through an LD_PRELOAD interposer (libperfkit-mem.so) that\n"
"streams compact events with call stacks to a file. Then the report: peak\n"
"heap and the call sites alive at the peak, bytes leaked at exit by site,\n"
"allocations by site, temporary allocations (freed right after), and the\n"
"heap over time. `report` reads a file again, `diff` compares two per\n"
"call site, `flame` draws an allocation flame graph for one cost.\n"
"\n"
"  -o, --output FILE       run: the event file (default perfkit.mem);\n"
"                          flame: the SVG (default stdout)\n"
"  -d, --depth N           run: frames per stack (default 64, 1..256)\n"
"      --follow-fork       run: record children too, to FILE.PID\n"
"  -n, --top N             rows per table (default 10)\n"
"      --json              the report (or diff) as JSON\n"
"      --timeline SVG      also write the heap over time as an SVG chart\n"
"      --flame SVG         also write an allocation flame graph (see --cost)\n"
"      --massif FILE       also write valgrind massif's format (for ms_print)\n"
"  -c, --cost COST         the flame graph's cost: allocated (bytes, default),\n"
"                          count, peak (bytes alive at the peak), leaked,\n"
"                          temporary\n"
"      --folded            flame: write folded stacks instead of an SVG\n"
"  -t, --title TEXT        flame: the graph's title\n"
"  -q, --quiet             run: no report (the event file only)\n"
"  -h, --help              this help\n"
"\n"
"Exit: 0 ok, 1 the command failed (still profiled), 2 usage error or a bad\n"
"event file (its name and byte offset given), 3 internal error.\n";

enum { OPT_JSON = 256, OPT_TIMELINE, OPT_FLAME, OPT_FOLLOW, OPT_FOLDED, OPT_MASSIF };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"depth", required_argument, NULL, 'd'},
    {"follow-fork", no_argument, NULL, OPT_FOLLOW},
    {"top", required_argument, NULL, 'n'},
    {"json", no_argument, NULL, OPT_JSON},
    {"timeline", required_argument, NULL, OPT_TIMELINE},
    {"flame", required_argument, NULL, OPT_FLAME},
    {"massif", required_argument, NULL, OPT_MASSIF},
    {"cost", required_argument, NULL, 'c'},
    {"folded", no_argument, NULL, OPT_FOLDED},
    {"title", required_argument, NULL, 't'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const CMD = "mem";
static const char *const costs[] = {"allocated", "count", "peak", "leaked", "temporary"};

typedef struct mem_args {
    pk_mem_opts o;
    pk_mem_report_opts r;
    const char *output, *timeline, *flame, *title, *massif;
    pk_mem_cost cost;
    bool json, quiet, folded;
    char **rest;
    int n_rest;
} mem_args;

static int parse_args(int argc, char **argv, mem_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    size_t n;
    while ((c = getopt_long(argc, argv, "+:o:d:n:c:t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a->output = optarg; break;
        case 'd':
            if (!opt_count_max(CMD, "--depth", optarg, 256, &n))
                return CLI_USAGE;
            if (n == 0) {
                cli_error(CMD, "--depth: 0 frames records no stack; use 1..256");
                return CLI_USAGE;
            }
            a->o.depth = (unsigned)n;
            break;
        case OPT_FOLLOW: a->o.follow_fork = true; break;
        case 'n':
            if (!opt_count_max(CMD, "--top", optarg, 100000, &n))
                return CLI_USAGE;
            a->r.top = n;
            break;
        case OPT_JSON: a->json = true; break;
        case OPT_TIMELINE: a->timeline = optarg; break;
        case OPT_FLAME: a->flame = optarg; break;
        case OPT_MASSIF: a->massif = optarg; break;
        case 'c':
            if (!opt_choice(CMD, "--cost", "cost", optarg, costs, 5, &n))
                return CLI_USAGE;
            a->cost = (pk_mem_cost)n;
            break;
        case OPT_FOLDED: a->folded = true; break;
        case 't': a->title = optarg; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(usage_text, stdout); return -1;
        case ':': cli_error(CMD, "option `%s` needs a value", argv[optind - 1]); return CLI_USAGE;
        default: opt_unknown(CMD, argv[optind - 1], longopts); return CLI_USAGE;
        }
    }
    if (optind < argc && !strcmp(argv[optind], "--"))
        optind++;
    a->rest = argv + optind;
    a->n_rest = argc - optind;
    return CLI_OK;
}

static int load(const char *path, pk_mem_profile **p)
{
    pk_diag d = {0};
    pk_err e = pk_mem_load(path, p, &d);
    if (e == PK_OK)
        return CLI_OK;
    char buf[1400];
    cli_error(CMD, "%s", d.message[0] ? pk_diag_format(&d, buf, sizeof buf) : pk_strerror(e));
    return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
}

static FILE *open_out(const char *path)
{
    if (!path || !strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        cli_error(CMD, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path, pk_err e)
{
    bool out = f == stdout;
    int bad = out ? fflush(f) : fclose(f);
    if (bad && !e)
        e = PK_EIO;
    if (e) {
        cli_error(CMD, "cannot write %s: %s", path ? path : "stdout", pk_strerror(e));
        return CLI_INTERNAL;
    }
    return CLI_OK;
}

static int write_flame(pk_mem_profile *p, const mem_args *a, const char *path)
{
    pk_folded *fo = NULL;
    pk_err e = pk_folded_new(&fo);
    if (!e)
        e = pk_mem_add_folded(p, a->cost, fo, 1);
    if (e) {
        pk_folded_free(fo);
        cli_error(CMD, "flame graph: %s", pk_strerror(e));
        return CLI_INTERNAL;
    }
    FILE *f = open_out(path);
    if (!f) {
        pk_folded_free(fo);
        return CLI_USAGE;
    }
    if (a->folded) {
        e = pk_folded_write(fo, 1, f);
    } else {
        pk_flame_opts fl;
        pk_flame_opts_init(&fl);
        static const char *const titles[] = {"Allocated bytes", "Allocations",
                                             "Heap at the peak", "Leaked bytes",
                                             "Temporary allocations"};
        fl.title = a->title ? a->title : titles[a->cost];
        fl.count_name = a->cost == PK_MEM_COUNT        ? "allocations"
                        : a->cost == PK_MEM_TEMPORARY ? "temporary allocations"
                                                       : "bytes";
        fl.palette = PK_FLAME_MEM;
        fl.subtitle = pk_mem_get_info(p)->cmdline;
        e = pk_flame_write_svg(fo, &fl, f, NULL);
    }
    pk_folded_free(fo);
    return close_out(f, path, e);
}

/* The report to stdout and the extra files asked for. */
static int report(pk_mem_profile *p, const mem_args *a)
{
    pk_err e = a->json ? pk_mem_write_json(p, &a->r, stdout) : pk_mem_write_text(p, &a->r, stdout);
    int rc = close_out(stdout, NULL, e);
    if (rc == CLI_OK && a->timeline) {
        FILE *f = open_out(a->timeline);
        if (!f)
            return CLI_USAGE;
        rc = close_out(f, a->timeline, pk_mem_write_timeline_svg(p, pk_mem_get_info(p)->cmdline, f));
    }
    if (rc == CLI_OK && a->flame)
        rc = write_flame(p, a, a->flame);
    if (rc == CLI_OK && a->massif) {
        FILE *f = open_out(a->massif);
        if (!f)
            return CLI_USAGE;
        rc = close_out(f, a->massif, pk_mem_write_massif(p, NULL, f));
    }
    return rc;
}

static int do_run(mem_args *a)
{
    if (a->n_rest < 1) {
        cli_error(CMD, "no command to profile; e.g. perfkit mem -- ./myprog arg");
        return CLI_USAGE;
    }
    a->o.output = a->output ? a->output : "perfkit.mem";
    pk_mem_profile *p = NULL;
    char *msg = NULL;
    pk_err e = pk_mem_run(&a->o, a->rest, &p, &msg);
    if (e != PK_OK && !(e == PK_EINTR && p)) {
        cli_error(CMD, "%s", msg ? msg : pk_strerror(e));
        pk_free(msg);
        return e == PK_ENOMEM ? CLI_INTERNAL : CLI_USAGE;
    }
    pk_free(msg);
    int rc = a->quiet ? CLI_OK : report(p, a);
    int st = pk_mem_get_info(p)->exit_status;
    if (!a->quiet)
        fprintf(stderr, "perfkit: mem: events in %s (perfkit mem report %s)\n", a->o.output,
                a->o.output);
    if (rc == CLI_OK && st != 0) {
        cli_error(CMD, "%s exited with status %d", a->rest[0], st);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && e == PK_EINTR)
        rc = 128 + 2;
    pk_mem_free(p);
    return rc;
}

static int do_report(mem_args *a)
{
    if (a->n_rest != 1) {
        cli_error(CMD, "report: give one event file; e.g. perfkit mem report perfkit.mem");
        return CLI_USAGE;
    }
    pk_mem_profile *p;
    int rc = load(a->rest[0], &p);
    if (rc)
        return rc;
    rc = report(p, a);
    pk_mem_free(p);
    return rc;
}

static int do_diff(mem_args *a)
{
    if (a->n_rest != 2) {
        cli_error(CMD, "diff: give two event files; e.g. perfkit mem diff before.mem after.mem");
        return CLI_USAGE;
    }
    pk_mem_profile *x = NULL, *y = NULL;
    int rc = load(a->rest[0], &x);
    if (!rc)
        rc = load(a->rest[1], &y);
    if (!rc)
        rc = close_out(stdout, NULL, pk_mem_write_diff(x, y, a->r.top, a->json, stdout));
    pk_mem_free(x);
    pk_mem_free(y);
    return rc;
}

static int do_flame(mem_args *a)
{
    if (a->n_rest != 1) {
        cli_error(CMD, "flame: give one event file; e.g. perfkit mem flame -c peak -o peak.svg "
                       "perfkit.mem");
        return CLI_USAGE;
    }
    pk_mem_profile *p;
    int rc = load(a->rest[0], &p);
    if (rc)
        return rc;
    rc = write_flame(p, a, a->output);
    pk_mem_free(p);
    return rc;
}

int cmd_mem(int argc, char **argv)
{
    mem_args a = {.cost = PK_MEM_ALLOCATED};
    pk_mem_opts_init(&a.o);
    pk_mem_report_opts_init(&a.r);
    /* the action: a word right after `mem` */
    int (*act)(mem_args *) = do_run;
    if (argc > 1) {
        if (!strcmp(argv[1], "report"))
            act = do_report;
        else if (!strcmp(argv[1], "diff"))
            act = do_diff;
        else if (!strcmp(argv[1], "flame"))
            act = do_flame;
    }
    if (act != do_run) {
        argc--;
        argv++;
    }
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    return act(&a);
}
