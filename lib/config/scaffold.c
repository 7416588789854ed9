/* scaffold.c — pk_config_scaffold: a first perfkit.yml, commented key by
 * key, for the programs a project has built (`perfkit init`).
 *
 * Programs are found, never run: in the project's build directories
 * (build/, bin/, out/, target/release/, then the top directory itself), a
 * regular executable file that starts with the ELF magic and is not a
 * shared library (lib*.so*) is a program. One whose bytes hold
 * "benchmark_list_tests" (the name of a flag every Google Benchmark binary
 * parses: linked statically) or "_ZN9benchmark" (the library's mangled
 * namespace among its dynamic symbols: linked to libbenchmark.so) is a
 * Google Benchmark binary; running it to ask would run a program nobody
 * vouched for. Names are sorted, at most
 * SCAFFOLD_MAX of each kind. With none found the file holds one template
 * benchmark (`echo`) to replace. Either way the text passes
 * pk_config_parse and pk_config_validate in that directory: every path it
 * names exists there, every program on PATH. Ref: ELF(5) e_ident. */
#include "perfkit/config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "core/buf.h"

#define SCAFFOLD_MAX 8
#define SCAN_MAX ((off_t)256 << 20)   /* bytes searched for the gbench marker */

typedef struct found {
    char *path[SCAFFOLD_MAX * 2];
    bool gbench[SCAFFOLD_MAX * 2];
    size_t n, n_gbench, n_cmd;
} found;

/* Whether the file at path holds needle (streamed, chunks overlap). */
static bool file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t nl = strlen(needle);
    char buf[65536];
    size_t keep = 0;
    bool hit = false;
    off_t total = 0;
    for (;;) {
        size_t got = fread(buf + keep, 1, sizeof buf - keep, f);
        if (!got)
            break;
        size_t len = keep + got;
        if (memmem(buf, len, needle, nl)) {
            hit = true;
            break;
        }
        keep = len < nl - 1 ? len : nl - 1;
        memmove(buf, buf + len - keep, keep);
        if ((total += (off_t)got) > SCAN_MAX)
            break;
    }
    fclose(f);
    return hit;
}

/* An executable ELF program (not a shared library)? */
static bool is_program(const char *path, const char *name)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        return false;
    if (strncmp(name, "lib", 3) == 0 && strstr(name, ".so"))
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char magic[4] = {0};
    bool elf = fread(magic, 1, 4, f) == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0;
    fclose(f);
    return elf;
}

/* A path that needs no quoting in YAML nor in a command line. */
static bool plain(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._+-/", *s)))
            return false;
    return true;
}

/* Whether a program of this file name was taken already (build/app and
 * bin/app: one benchmark `app`, the first). */
static bool named_before(const found *fd, const char *name)
{
    for (size_t i = 0; i < fd->n; i++) {
        const char *base = strrchr(fd->path[i], '/');
        if (strcmp(base ? base + 1 : fd->path[i], name) == 0)
            return true;
    }
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The programs directly in dir (prefix + sub), sorted, into fd. */
static pk_err scan_dir(const char *prefix, const char *sub, found *fd)
{
    char dir[4096];
    int len = snprintf(dir, sizeof dir, "%s%s", prefix, sub[0] ? sub : ".");
    if (len < 0 || (size_t)len >= sizeof dir)
        return PK_OK;   /* a path too long to be a project's */
    DIR *d = opendir(dir);
    if (!d)
        return PK_OK;
    char **names = NULL;
    size_t n = 0, cap = 0;
    pk_err e = PK_OK;
    struct dirent *de;
    while (e == PK_OK && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *copy = pk_strdup(de->d_name);
        if (!copy || pk__grow((void **)&names, &cap, n + 1, sizeof *names) != PK_OK) {
            pk_free(copy);
            e = PK_ENOMEM;
        } else {
            names[n++] = copy;
        }
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; e == PK_OK && i < n; i++) {
        char rel[4096], path[8192];
        int lr = snprintf(rel, sizeof rel, "%s%s%s", sub, sub[0] ? "/" : "", names[i]);
        int lp = snprintf(path, sizeof path, "%s%s", prefix, rel);
        if (lr < 0 || (size_t)lr >= sizeof rel || lp < 0 || (size_t)lp >= sizeof path)
            continue;
        if (!plain(rel) || !is_program(path, names[i]) || named_before(fd, names[i]))
            continue;
        bool gb = file_has(path, "benchmark_list_tests") || file_has(path, "_ZN9benchmark");
        if ((gb ? fd->n_gbench : fd->n_cmd) >= SCAFFOLD_MAX)
            continue;
        if (!(fd->path[fd->n] = pk_strdup(rel))) {
            e = PK_ENOMEM;
            break;
        }
        fd->gbench[fd->n++] = gb;
        gb ? fd->n_gbench++ : fd->n_cmd++;
    }
    for (size_t i = 0; i < n; i++)
        pk_free(names[i]);
    pk_free(names);
    return e;
}

/* The benchmark name of a program: its file name (plain, see above). */
static const char *bench_name(const char *path)
{
    const char *base = strrchr(path, '/');
    return base ? base + 1 : path;
}

static const char head[] =
    "# perfkit.yml: what `perfkit check` measures, the budgets it enforces and\n"
    "# how it decides \"slower\". Written by `perfkit init`; edit freely.\n"
    "# Paths are relative to this file's directory; check runs from there.\n"
    "\n"
    "version: 1                      # the format of this file (always 1)\n"
    "\n"
    "history:\n"
    "  path: .perfkit/history.db     # every run is stored here (SQLite) to compare with\n"
    "  baseline-branch: main         # compare with the latest run of this git branch\n"
    "\n"
    "regression:                     # when is a change a regression?\n"
    "  threshold: 5%                 # larger than this ...\n"
    "  alpha: 0.05                   # ... and significant at this level (Mann-Whitney)\n"
    "\n"
    "benchmarks:                     # name: what to run; names show in every report\n";

static const char cmd_keys[] =
    "    runs: 10                    # measured runs (more runs: finer verdicts)\n"
    "    warmup: 1                   # runs first, not measured (warm caches)\n"
    "    timeout: 60s                # a run taking longer fails the benchmark\n"
    "    # budgets: { wall.p95: 100ms, rss.max: 64MiB }   # limits; a run over one fails\n";

static const char gb_keys[] =
    "    repetitions: 5              # --benchmark_repetitions: samples per benchmark\n"
    "    # args: [--benchmark_filter=BM_Sort]   # more arguments for the binary\n"
    "    # budgets: { real_time.median: 2us }   # limits on its figures\n";

static const char tail[] =
    "\n"
    "# sizes:                        # file size budgets (perfkit size), e.g.\n"
    "#   build/app: { raw: 2MB, gzip: 800KB }\n";

/* "    key: value   # comment", the comment in column 33 as above. */
static pk_err keyed(pk__buf *b, const char *key, const char *value, const char *comment)
{
    int used = 4 + (int)strlen(key) + 2 + (int)strlen(value);
    return pk__buf_printf(b, "    %s: %s%*s# %s\n", key, value, used < 32 ? 32 - used : 1, "",
                          comment);
}

static pk_err write_config(const found *fd, pk__buf *b)
{
    bool bad = false;   /* any append out of memory */
    bad |= pk__buf_puts(b, head) != PK_OK;
    if (!fd->n) {
        bad |= PK_OK != pk__buf_puts(b,
                     "  # No program was found in build/, bin/, out/, target/release/ or here:\n"
                     "  # build yours and run `perfkit init --force`, or replace this example.\n"
                     "  hello:\n"
                     "    command: echo hello         # the command line, run without a shell\n");
        bad |= PK_OK != pk__buf_puts(b, cmd_keys);
    }
    for (size_t i = 0; i < fd->n; i++) {
        bad |= PK_OK != pk__buf_printf(b, "  %s:\n", bench_name(fd->path[i]));
        if (fd->gbench[i]) {
            bad |= PK_OK != keyed(b, "google-benchmark", fd->path[i],
                                  "a Google Benchmark binary: run, its JSON read");
            bad |= PK_OK != pk__buf_puts(b, gb_keys);
        } else {
            bad |= PK_OK != keyed(b, "command", fd->path[i],
                                  "run without a shell: add its arguments");
            bad |= PK_OK != pk__buf_puts(b, cmd_keys);
        }
    }
    bad |= PK_OK != pk__buf_puts(b, tail);
    return bad ? PK_ENOMEM : PK_OK;
}

pk_err pk_config_scaffold(const char *dir, char **out, size_t *n_programs)
{
    if (out)
        *out = NULL;
    if (n_programs)
        *n_programs = 0;
    if (!out)
        return PK_EINVAL;
    char prefix[4096] = "";
    if (dir && dir[0])
        if ((size_t)snprintf(prefix, sizeof prefix, "%s/", dir) >= sizeof prefix)
            return PK_EINVAL;
    static const char *const subs[] = {"build", "bin", "out", "target/release", ""};
    found fd = {.n = 0};
    pk_err e = PK_OK;
    for (size_t i = 0; e == PK_OK && i < sizeof subs / sizeof subs[0]; i++)
        e = scan_dir(prefix, subs[i], &fd);
    pk__buf b = {0};
    if (e == PK_OK)
        e = write_config(&fd, &b);
    for (size_t i = 0; i < fd.n; i++)
        pk_free(fd.path[i]);
    if (e != PK_OK) {
        pk__buf_free(&b);
        return e;
    }
    *out = pk__buf_take(&b);
    if (!*out)
        return PK_ENOMEM;
    if (n_programs)
        *n_programs = fd.n;
    return PK_OK;
}
