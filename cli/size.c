/* size.c — `perfkit size`: raw and compressed sizes of files, with budgets.
 *
 * Pipeline: parse options (compressions, budgets C=LIMIT) → expand FILE|GLOB
 * arguments (a glob that matches nothing is an error, directories a glob
 * matches are skipped) → pk_size_file for each → a table on stdout (or
 * --json, schema perfkit/size/v1, exact bytes) → budget verdicts: exit 1
 * when any file is over. What users download is the compressed file, so
 * budgets are usually set on gzip or brotli. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "opt.h"
#include "perfkit/perfkit.h"

static const char usage_text[] =
"usage: perfkit size [options] FILE|GLOB...\n"
"\n"
"Measure each file raw and compressed the way servers send it: gzip -9\n"
"(zlib), brotli -q 11 (window 22), zstd -19. Quote a GLOB ('dist/*.js') to\n"
"let perfkit expand it; a glob that matches no file is an error.\n"
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

typedef struct size_budget {
    pk_compression c;
    double limit;          /* bytes */
    const char *text;      /* the LIMIT as written */
} size_budget;

typedef struct size_file {
    char *path;            /* owned */
    pk_size size;
} size_file;

typedef struct size_args {
    uint32_t mask;         /* shown compressions, raw included */
    size_budget budgets[MAX_BUDGETS];
    size_t n_budgets;
    bool json;
    int color;
    char **inputs;
    size_t n_inputs;
} size_args;

/* "value\n  ^" under an option value, pointing at 0-based column col. */
static void show_column(const char *val, size_t col)
{
    fprintf(stderr, "    %s\n    %*s^\n", val, (int)col, "");
}

static bool parse_compressions(const char *val, uint32_t *mask)
{
    *mask = 1u << PK_SIZE_RAW;
    const char *s = val;
    for (;;) {
        size_t len = strcspn(s, ",");
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)(len < 15 ? len : 15), s);
        pk_compression c = len < 15 ? pk_compression_from_name(name) : PK_SIZE_COUNT;
        if (c == PK_SIZE_COUNT) {
            static const char *const all[] = {"raw", "gzip", "brotli", "zstd"};
            const char *hint = pk_diag_suggest(name, all, 4);
            cli_error(CMD, "--compression: unknown compression `%.*s` at column %zu%s%s%s "
                           "(expected raw, gzip, brotli, zstd)", (int)len, s,
                      (size_t)(s - val) + 1, hint ? " — did you mean `" : "", hint ? hint : "",
                      hint ? "`?" : "");
            show_column(val, (size_t)(s - val));
            return false;
        }
        *mask |= 1u << c;
        if (!s[len])
            return true;
        s += len + 1;
    }
}

static bool parse_budget(const char *val, size_budget *b)
{
    const char *eq = strchr(val, '=');
    if (!eq) {
        cli_error(CMD, "--budget `%s`: expected COMPRESSION=LIMIT, e.g. gzip=100KB", val);
        show_column(val, strlen(val));
        return false;
    }
    char name[16];
    size_t len = (size_t)(eq - val);
    snprintf(name, sizeof name, "%.*s", (int)(len < 15 ? len : 15), val);
    b->c = len < 15 ? pk_compression_from_name(name) : PK_SIZE_COUNT;
    if (b->c == PK_SIZE_COUNT) {
        static const char *const all[] = {"raw", "gzip", "brotli", "zstd"};
        const char *hint = pk_diag_suggest(name, all, 4);
        cli_error(CMD, "--budget `%s`: unknown compression `%.*s` at column 1%s%s%s "
                       "(expected raw, gzip, brotli or zstd)", val, (int)len, val,
                  hint ? " — did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
        show_column(val, 0);
        return false;
    }
    size_t col = 0;
    b->text = eq + 1;
    if (pk_units_parse(b->text, PK_UNIT_SIZE, &b->limit, &col) != PK_OK) {
        size_t at = (size_t)(b->text - val) + col;
        cli_error(CMD, "--budget `%s`: invalid size `%s` at column %zu: write a number and "
                       "its unit together, e.g. 100KB, 90KiB, 1.5MB", val, b->text, at + 1);
        show_column(val, at);
        return false;
    }
    return true;
}

static int parse_args(int argc, char **argv, size_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":c:b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!parse_compressions(optarg, &a->mask))
                return CLI_USAGE;
            break;
        case 'b':
            if (a->n_budgets == MAX_BUDGETS) {
                cli_error(CMD, "too many --budget options (at most %d)", MAX_BUDGETS);
                return CLI_USAGE;
            }
            if (!parse_budget(optarg, &a->budgets[a->n_budgets++]))
                return CLI_USAGE;
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
    a->inputs = argv + optind;
    a->n_inputs = (size_t)(argc - optind);
    if (a->n_inputs == 0) {
        cli_error(CMD, "no file to measure; e.g. perfkit size build/app.wasm 'dist/*.js'");
        return CLI_USAGE;
    }
    for (size_t i = 0; i < a->n_budgets; i++)   /* a budget's size is always measured */
        a->mask |= 1u << a->budgets[i].c;
    return CLI_OK;
}

/* ---- files ----------------------------------------------------------------- */

typedef struct file_list {
    size_file *v;
    size_t n, cap;
} file_list;

static bool add_file(file_list *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, path) == 0)
            return true;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        size_file *nv = pk_reallocarray(l->v, cap, sizeof *nv);
        if (!nv)
            return false;
        l->v = nv;
        l->cap = cap;
    }
    if (!(l->v[l->n].path = pk_strdup(path)))
        return false;
    l->n++;
    return true;
}

static void free_files(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        pk_free(l->v[i].path);
    pk_free(l->v);
}

static bool is_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Expand one argument into l. Returns an exit code. */
static int expand(const char *arg, file_list *l)
{
    struct stat st;
    if (!is_glob(arg) || stat(arg, &st) == 0)   /* a literal name, even with '[' */
        return add_file(l, arg) ? CLI_OK : CLI_INTERNAL;
    glob_t g;
    int rc = glob(arg, 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        cli_error(CMD, "no file matches `%s`", arg);
        return CLI_USAGE;
    }
    if (rc != 0) {
        cli_error(CMD, "cannot expand `%s`: out of memory", arg);
        return CLI_INTERNAL;
    }
    size_t added = 0;
    int ret = CLI_OK;
    for (size_t i = 0; i < g.gl_pathc && ret == CLI_OK; i++) {
        if (stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode))
            continue;
        if (!add_file(l, g.gl_pathv[i]))
            ret = CLI_INTERNAL;
        added++;
    }
    globfree(&g);
    if (ret == CLI_OK && added == 0) {
        cli_error(CMD, "`%s` matches only directories", arg);
        ret = CLI_USAGE;
    }
    return ret;
}

static int measure(size_file *f, uint32_t mask)
{
    pk_err e = pk_size_file(f->path, mask, &f->size);
    switch (e) {
    case PK_OK: return CLI_OK;
    case PK_ENOENT: cli_error(CMD, "%s: no such file", f->path); return CLI_USAGE;
    case PK_EPERM: cli_error(CMD, "%s: permission denied", f->path); return CLI_USAGE;
    case PK_EINVAL: cli_error(CMD, "%s: is a directory (give files, or a glob)", f->path);
        return CLI_USAGE;
    case PK_ENOMEM: cli_error(CMD, "%s: out of memory", f->path); return CLI_INTERNAL;
    default: cli_error(CMD, "%s: %s", f->path, pk_strerror(e)); return CLI_USAGE;
    }
}

/* ---- output ---------------------------------------------------------------- */

static bool over(const size_file *f, const size_budget *b)
{
    return (double)f->size.bytes[b->c] > b->limit;
}

static void write_table(const size_args *a, const file_list *l)
{
    int w = 4;
    for (size_t i = 0; i < l->n; i++) {
        int n = (int)strlen(l->v[i].path);
        w = n > w ? n : w;
    }
    printf("%-*s", w, "file");
    for (int c = 0; c < PK_SIZE_COUNT; c++)
        if ((a->mask >> c) & 1u)
            printf("  %11s", pk_compression_name((pk_compression)c));
    putchar('\n');
    uint64_t total[PK_SIZE_COUNT] = {0};
    char buf[32];
    for (size_t i = 0; i < l->n; i++) {
        printf("%-*s", w, l->v[i].path);
        for (int c = 0; c < PK_SIZE_COUNT; c++) {
            if (!((a->mask >> c) & 1u))
                continue;
            total[c] += l->v[i].size.bytes[c];
            printf("  %11s", pk_units_format_size((double)l->v[i].size.bytes[c], buf, sizeof buf));
        }
        putchar('\n');
    }
    if (l->n > 1) {
        printf("%-*s", w, "total");
        for (int c = 0; c < PK_SIZE_COUNT; c++)
            if ((a->mask >> c) & 1u)
                printf("  %11s", pk_units_format_size((double)total[c], buf, sizeof buf));
        putchar('\n');
    }
}

/* Budget verdicts under the table; returns the number of budgets broken. */
static size_t write_budgets(const size_args *a, const file_list *l, bool color)
{
    size_t broken = 0;
    if (l->n == 0)
        return 0;
    const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "",
               *off = color ? "\033[0m" : "";
    char buf[32];
    if (a->n_budgets)
        putchar('\n');
    for (size_t k = 0; k < a->n_budgets; k++) {
        const size_budget *b = &a->budgets[k];
        const char *cn = pk_compression_name(b->c);
        size_t n_over = 0, worst = 0;
        for (size_t i = 0; i < l->n; i++) {
            n_over += over(&l->v[i], b);
            if (l->v[i].size.bytes[b->c] > l->v[worst].size.bytes[b->c])
                worst = i;
        }
        if (n_over == 0) {
            double top = (double)l->v[worst].size.bytes[b->c];
            printf("%sok%s   %s=%s: %zu file%s within (largest %s, %.0f%% of the limit)\n",
                   green, off, cn, b->text, l->n, l->n == 1 ? "" : "s",
                   pk_units_format_size(top, buf, sizeof buf),
                   b->limit > 0 ? 100.0 * top / b->limit : 100.0);
            continue;
        }
        broken++;
        printf("%sFAIL%s %s=%s: %zu of %zu file%s over\n", red, off, cn, b->text, n_over, l->n,
               l->n == 1 ? "" : "s");
        for (size_t i = 0; i < l->n; i++) {
            if (!over(&l->v[i], b))
                continue;
            double v = (double)l->v[i].size.bytes[b->c];
            printf("     %s: %s %s (%.0f B) > %s (%.0f B)", l->v[i].path, cn,
                   pk_units_format_size(v, buf, sizeof buf), v, b->text, b->limit);
            if (b->limit > 0)
                printf(" (+%.1f%%)", 100.0 * (v - b->limit) / b->limit);
            putchar('\n');
        }
    }
    return broken;
}

static json_t *budgets_json(const size_args *a, const file_list *l, size_t *broken)
{
    json_t *arr = json_array();
    *broken = 0;
    for (size_t k = 0; arr && k < a->n_budgets; k++) {
        const size_budget *b = &a->budgets[k];
        json_t *o = json_object(), *ov = json_array();
        if (!o || !ov || json_array_append_new(arr, o)) {
            json_decref(ov);
            json_decref(arr);
            return NULL;
        }
        for (size_t i = 0; i < l->n; i++)
            if (over(&l->v[i], b))
                json_array_append_new(ov, json_pack("{s:s,s:I}", "path", l->v[i].path, "bytes",
                                                    (json_int_t)l->v[i].size.bytes[b->c]));
        *broken += json_array_size(ov) > 0;
        json_object_set_new(o, "compression", json_string(pk_compression_name(b->c)));
        json_object_set_new(o, "limit", json_string(b->text));
        bool whole = b->limit < 9007199254740992.0 && b->limit == floor(b->limit);
        json_object_set_new(o, "limit_bytes", whole ? json_integer((json_int_t)b->limit)
                                                    : json_real(b->limit));
        json_object_set_new(o, "ok", json_boolean(json_array_size(ov) == 0));
        json_object_set_new(o, "over", ov);
    }
    return arr;
}

static int write_json(const size_args *a, const file_list *l, size_t *broken)
{
    json_t *root = json_object(), *files = json_array(), *comp = json_object();
    if (root && files && comp) {
        json_object_set_new(root, "schema", json_string("perfkit/size/v1"));
        json_object_set_new(root, "perfkit_version", json_string(pk_version()));
        json_object_set(root, "compression", comp);
        json_object_set(root, "files", files);
    }
    static const char *const settings[PK_SIZE_COUNT] = {
        NULL, "zlib deflate level 9, gzip framing", "brotli quality 11, window 22, text mode",
        "zstd level 19, checksum"};
    for (int c = PK_SIZE_GZIP; comp && c < PK_SIZE_COUNT; c++)
        if ((a->mask >> c) & 1u)
            json_object_set_new(comp, pk_compression_name((pk_compression)c),
                                json_string(settings[c]));
    for (size_t i = 0; files && i < l->n; i++) {
        json_t *f = json_object();
        if (!f || json_array_append_new(files, f))
            break;
        json_object_set_new(f, "path", json_string(l->v[i].path));
        for (int c = 0; c < PK_SIZE_COUNT; c++)
            if ((a->mask >> c) & 1u)
                json_object_set_new(f, pk_compression_name((pk_compression)c),
                                    json_integer((json_int_t)l->v[i].size.bytes[c]));
    }
    json_t *budgets = budgets_json(a, l, broken);
    int rc = CLI_INTERNAL;
    if (root && files && comp && budgets &&
        json_object_set_new(root, "budgets", budgets) == 0 &&
        json_object_set_new(root, "ok", json_boolean(*broken == 0)) == 0 &&
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
        putchar('\n');
        rc = CLI_OK;
    } else {
        cli_error(CMD, "cannot write JSON: out of memory");
    }
    json_decref(comp);
    json_decref(files);
    json_decref(root);
    return rc;
}

int cmd_size(int argc, char **argv)
{
    size_args a = {.mask = (1u << PK_SIZE_COUNT) - 1, .color = -1};
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    file_list l = {0};
    for (size_t i = 0; rc == CLI_OK && i < a.n_inputs; i++)
        rc = expand(a.inputs[i], &l);
    for (size_t i = 0; rc == CLI_OK && i < l.n; i++)
        rc = measure(&l.v[i], a.mask);
    if (rc == CLI_OK) {
        size_t broken = 0;
        if (a.json) {
            rc = write_json(&a, &l, &broken);
        } else {
            write_table(&a, &l);
            broken = write_budgets(&a, &l, cli_color_enabled(a.color, stdout));
        }
        if (rc == CLI_OK && broken) {
            if (!a.json)
                fflush(stdout);
            cli_error(CMD, "%zu size budget%s exceeded", broken, broken == 1 ? "" : "s");
            rc = CLI_FAIL;
        }
    }
    free_files(&l);
    return rc;
}
