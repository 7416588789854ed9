/* Unit tests for lib/size/size_report.c (the glob, C=LIMIT budgets, a size
 * report with verdicts) and lib/report/size_write.c (its text and JSON
 * writers behind pk_size_write). Files are made in a fresh temporary
 * directory: "a" x 100000 compresses to 133 B with gzip, "lines" does not
 * shrink below 1 KB. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/check.h"
#include "perfkit/config.h"
#include "perfkit/report.h"
#include "perfkit/size.h"
#include "capture.h"
#include "fault.h"

static char dir[64];

static void write_file(const char *name, const char *text, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fwrite(text, 1, n, f);
    fclose(f);
}

/* dist/{a,b,c}.js, dist/sub/deep.js, dist/x.css; the cwd becomes dir. */
static void make_tree(void)
{
    snprintf(dir, sizeof dir, "/tmp/pk-size-report-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char *as = malloc(100000);
    memset(as, 'a', 100000);
    char lines[8192];
    size_t n = 0;
    for (int i = 0; n + 64 < sizeof lines; i++)
        n += (size_t)snprintf(lines + n, sizeof lines - n, "line %d: %x\n", i, i * 2654435761u);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/dist", dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/dist/sub", dir);
    mkdir(sub, 0755);
    write_file("dist/a.js", as, 100000);
    write_file("dist/b.js", lines, n);
    write_file("dist/c.js", "c", 1);
    write_file("dist/sub/deep.js", as, 10);
    write_file("dist/x.css", as, 5);
    free(as);
    cr_assert_eq(chdir(dir), 0);
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(size_report, .init = make_tree, .fini = remove_tree);

static void expect_glob(const char *pattern, const char *want)
{
    char **p = NULL;
    size_t n = 0;
    cr_assert_eq(pk_size_glob(pattern, &p, &n), PK_OK, "%s", pattern);
    char got[512] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, p[i]);
    }
    cr_assert_str_eq(got, want, "%s", pattern);
    pk_size_glob_free(p, n);
}

Test(size_report, glob_braces_sorted_no_directories)
{
    expect_glob("dist/{b,a}.js", "dist/a.js dist/b.js");
    expect_glob("dist/*", "dist/a.js dist/b.js dist/c.js dist/x.css");
    expect_glob("dist/*/*.js", "dist/sub/deep.js");
    expect_glob("dist/[ab].js", "dist/a.js dist/b.js");
    expect_glob("dist/c.js", "dist/c.js");
    char **p = (char **)1;
    size_t n = 7;
    cr_assert_eq(pk_size_glob("dist/*.wasm", &p, &n), PK_ENOENT);
    cr_assert_null(p);
    cr_assert_eq(n, 0);
    cr_assert_eq(pk_size_glob("dist/sub", &p, &n), PK_ENOENT);   /* a directory */
    cr_assert_eq(pk_size_glob("missing.js", &p, &n), PK_ENOENT);
    cr_assert_eq(pk_size_glob(NULL, &p, &n), PK_EINVAL);
    pk_size_glob_free(NULL, 0);
}

/* perfkit.yml's size budgets expand like `perfkit size`: validation and
 * collection agree on braces (validation used to reject `{a,b}` while
 * collection expanded it) and leave directories out. */
Test(size_report, config_budgets_use_the_same_glob)
{
    const char *yml = "sizes:\n"
                      "  \"dist/{a,b}.js\": { gzip: 1MB }\n"
                      "  \"dist/*\": { raw: 1MB }\n";
    pk_config *c = NULL;
    pk_diag d;
    cr_assert_eq(pk_config_parse(yml, strlen(yml), "p.yml", &c, &d), PK_OK, "%s", d.message);
    cr_assert_eq(pk_config_validate(c, &d), PK_OK, "%s", d.message);
    pk_resultset *rs = NULL;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_check_sizes(c, rs, &d), PK_OK, "%s", d.message);
    cr_assert_not_null(pk_resultset_find(rs, "size:dist/a.js"));
    cr_assert_not_null(pk_resultset_find(rs, "size:dist/b.js"));
    cr_assert_not_null(pk_resultset_find(rs, "size:dist/x.css"));
    cr_assert_null(pk_resultset_find(rs, "size:dist/sub"));   /* a directory */
    pk_resultset_free(rs);
    pk_config_free(c);

    const char *none = "sizes:\n  \"dist/{y,z}.js\": { gzip: 1MB }\n";
    cr_assert_eq(pk_config_parse(none, strlen(none), "p.yml", &c, &d), PK_OK);
    cr_assert_eq(pk_config_validate(c, &d), PK_ENOENT);
    cr_assert(strstr(d.message, "size budget `dist/{y,z}.js` matches no file"), "%s",
              d.message);
    cr_assert_eq(d.line, 2);
    pk_config_free(c);
}

static void expect_limit_error(const char *text, unsigned col, const char *msg)
{
    pk_size_limit b;
    pk_diag d;
    cr_assert_eq(pk_size_limit_parse(text, &b, &d), PK_EPARSE, "%s", text);
    cr_assert_eq(d.column, col, "%s: column %u", text, d.column);
    cr_assert(strstr(d.message, msg), "%s: `%s` lacks `%s`", text, d.message, msg);
}

Test(size_report, limits_and_compression_lists)
{
    pk_size_limit b;
    cr_assert_eq(pk_size_limit_parse("gzip=100KB", &b, NULL), PK_OK);
    cr_assert_eq(b.c, PK_SIZE_GZIP);
    cr_assert_float_eq(b.limit, 100000.0, 1e-9);
    cr_assert_str_eq(b.text, "100KB");
    cr_assert_eq(pk_size_limit_parse("brotli=90KiB", &b, NULL), PK_OK);
    cr_assert_float_eq(b.limit, 92160.0, 1e-9);
    expect_limit_error("gzp=10KB", 1, "unknown compression `gzp` at column 1 — did you mean "
                                      "`gzip`?");
    expect_limit_error("gzip=10 KB", 8, "invalid size `10 KB` at column 8");
    expect_limit_error("gzip=100", 9, "at column 9");
    expect_limit_error("gzip", 5, "expected COMPRESSION=LIMIT");
    /* decimal only, and too large is out of range (it was "write a number
     * and its unit together" for 1e400KB, and 0x10KB was 16 KB) */
    expect_limit_error("raw=0x10KB", 6, "invalid size `0x10KB` at column 6: write a decimal");
    expect_limit_error("raw=1e400KB", 5, "size `1e400KB` at column 5 is out of range");
    cr_assert_eq(pk_size_limit_parse(NULL, &b, NULL), PK_EINVAL);

    uint32_t m = 0;
    cr_assert_eq(pk_compression_parse_list("gzip", &m, NULL), PK_OK);
    cr_assert_eq(m, (1u << PK_SIZE_RAW) | (1u << PK_SIZE_GZIP));
    cr_assert_eq(pk_compression_parse_list("zstd,raw,brotli", &m, NULL), PK_OK);
    cr_assert_eq(m, (1u << PK_SIZE_RAW) | (1u << PK_SIZE_BROTLI) | (1u << PK_SIZE_ZSTD));
    pk_diag d;
    cr_assert_eq(pk_compression_parse_list("gzip,brotly", &m, &d), PK_EPARSE);
    cr_assert_eq(d.column, 6);
    cr_assert(strstr(d.message, "unknown compression `brotly` at column 6 — did you mean "
                                "`brotli`?"), "%s", d.message);
}

static pk_size_report *report(const char *const *args, size_t n, uint32_t mask,
                              const pk_size_limit *b, size_t nb)
{
    pk_size_report_opts o;
    pk_size_report_opts_init(&o);
    cr_assert_eq(o.mask, 0xfu);
    o.mask = mask;
    o.budgets = b;
    o.n_budgets = nb;
    pk_size_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_size_report_new(args, n, &o, &r, &d), PK_OK, "%s", d.message);
    return r;
}

Test(size_report, files_budgets_and_verdicts)
{
    pk_size_limit b[2];
    cr_assert_eq(pk_size_limit_parse("gzip=1KB", &b[0], NULL), PK_OK);
    cr_assert_eq(pk_size_limit_parse("zstd=1MiB", &b[1], NULL), PK_OK);
    /* argument order, each glob sorted, a file named twice measured once */
    const char *args[] = {"dist/c.js", "dist/{b,a}.js", "dist/*.js"};
    pk_size_report *r = report(args, 3, 1u << PK_SIZE_RAW, b, 2);
    cr_assert_eq(r->n_files, 3);
    cr_assert_str_eq(r->files[0].path, "dist/c.js");
    cr_assert_str_eq(r->files[1].path, "dist/a.js");
    cr_assert_str_eq(r->files[2].path, "dist/b.js");
    /* a budget's compression is measured and shown */
    cr_assert_eq(r->mask, (1u << PK_SIZE_RAW) | (1u << PK_SIZE_GZIP) | (1u << PK_SIZE_ZSTD));
    cr_assert_eq(r->files[1].size.bytes[PK_SIZE_RAW], 100000);
    cr_assert_eq(r->files[1].size.bytes[PK_SIZE_GZIP], 133);
    cr_assert_eq(r->n_verdicts, 2);
    const pk_size_verdict *v = &r->verdicts[0];
    cr_assert(!v->ok);
    cr_assert_eq(v->n_over, 1);
    cr_assert_eq(v->over[0], 2);   /* dist/b.js */
    cr_assert_eq(v->largest, 2);
    cr_assert(r->verdicts[1].ok);
    cr_assert_eq(r->n_broken, 1);
    pk_size_report_free(r);
}

Test(size_report, input_errors_name_the_file)
{
    struct {
        const char *arg;
        pk_err e;
        const char *msg;
    } cases[] = {
        {"missing.js", PK_ENOENT, "missing.js: no such file"},
        {"dist", PK_EINVAL, "dist: is a directory (give files, or a glob)"},
        {"/dev/zero", PK_EINVAL, "/dev/zero: is a character device, not a regular file"},
        {"nothing/*.js", PK_ENOENT, "no file matches `nothing/*.js`"},
        {"dist/sub/{x,y}", PK_ENOENT, "no file matches `dist/sub/{x,y}`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pk_size_report *r = (pk_size_report *)1;
        pk_diag d;
        const char *args[] = {"dist/a.js", cases[i].arg};
        cr_assert_eq(pk_size_report_new(args, 2, NULL, &r, &d), cases[i].e, "%s", cases[i].arg);
        cr_assert_null(r);
        cr_assert_str_eq(d.message, cases[i].msg);
    }
    pk_size_report *r;
    cr_assert_eq(pk_size_report_new(NULL, 0, NULL, &r, NULL), PK_EINVAL);
    pk_size_report_free(NULL);
}

/* 2 x 10^5 arguments, each a different path: every one is checked against
 * those before it through a hash set (a scan would make 2 x 10^10
 * compares and miss the deadline); the repeat of the first is measured
 * once, and the first missing file ends it with its name. */
Test(size_report, many_arguments_in_linear_time, .timeout = 15)
{
    enum { N = 200000 };
    char (*names)[32] = calloc(N, sizeof *names);
    const char **args = calloc(N + 2, sizeof *args);
    cr_assert(names && args);
    args[0] = "dist/a.js";
    args[1] = "dist/a.js";
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "dist/missing/%d.js", i);
        args[i + 2] = names[i];
    }
    pk_size_report *r = (pk_size_report *)1;
    pk_diag d;
    cr_assert_eq(pk_size_report_new(args, N + 2, NULL, &r, &d), PK_ENOENT);
    cr_assert_null(r);
    cr_assert_str_eq(d.message, "dist/missing/0.js: no such file");
    uint32_t raw = 1u << PK_SIZE_RAW;
    pk_size_report_opts o;
    pk_size_report_opts_init(&o);
    o.mask = raw;
    cr_assert_eq(pk_size_report_new(args, 2, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_eq(r->n_files, 1, "a file named twice is measured once");
    pk_size_report_free(r);
    free(args);
    free(names);
}

static char *write_size(const pk_size_report *r, pk_format fmt, bool color)
{
    capture c;
    pk_write_opts o = {.color = color};
    cr_assert_eq(pk_size_write(capture_begin(&c), r, fmt, &o), PK_OK);
    return capture_end(&c);
}

Test(size_report, text_table_and_budget_lines)
{
    pk_size_limit b[2];
    cr_assert_eq(pk_size_limit_parse("gzip=1KB", &b[0], NULL), PK_OK);
    cr_assert_eq(pk_size_limit_parse("raw=1MB", &b[1], NULL), PK_OK);
    const char *args[] = {"dist/{a,b}.js"};
    pk_size_report *r = report(args, 1, 1u << PK_SIZE_RAW, b, 2);
    char *s = write_size(r, PK_FORMAT_TEXT, false);
    size_t b_gzip = r->files[1].size.bytes[PK_SIZE_GZIP];
    char want[1024];
    char gz[32], raw[32];
    pk_units_format_size((double)b_gzip, gz, sizeof gz);
    pk_units_format_size((double)r->files[1].size.bytes[PK_SIZE_RAW], raw, sizeof raw);
    char total_gz[32], total_raw[32];
    pk_units_format_size((double)(b_gzip + 133), total_gz, sizeof total_gz);
    pk_units_format_size((double)(100000 + r->files[1].size.bytes[PK_SIZE_RAW]), total_raw,
                         sizeof total_raw);
    snprintf(want, sizeof want,
             "file               raw         gzip\n"
             "dist/a.js     97.7 KiB        133 B\n"
             "dist/b.js  %11s  %11s\n"
             "total      %11s  %11s\n"
             "\n"
             "FAIL gzip=1KB: 1 of 2 files over\n"
             "     dist/b.js: gzip %s (%zu B) > 1KB (1000 B) (+%.1f%%)\n"
             "ok   raw=1MB: 2 files within (largest 97.7 KiB, 10%% of the limit)\n",
             raw, gz, total_raw, total_gz, gz, b_gzip, 100.0 * ((double)b_gzip - 1000) / 1000);
    cr_assert_str_eq(s, want);
    free(s);
    s = write_size(r, PK_FORMAT_TEXT, true);
    cr_assert(strstr(s, "\033[31mFAIL\033[0m gzip=1KB"), "%s", s);
    cr_assert(strstr(s, "\033[32mok\033[0m   raw=1MB"), "%s", s);
    free(s);
    pk_size_report_free(r);
}

Test(size_report, json_exact_bytes)
{
    pk_size_limit b;
    cr_assert_eq(pk_size_limit_parse("gzip=1KB", &b, NULL), PK_OK);
    const char *args[] = {"dist/[ab].js"};
    pk_size_report *r = report(args, 1, (1u << PK_SIZE_RAW) | (1u << PK_SIZE_BROTLI), &b, 1);
    char *s = write_size(r, PK_FORMAT_JSON, true);
    json_t *d = capture_json(s);
    cr_assert_str_eq(json_string_value(json_object_get(d, "schema")), "perfkit/size/v1");
    json_t *comp = json_object_get(d, "compression");
    cr_assert_eq(json_object_size(comp), 2);   /* gzip (a budget's) and brotli */
    cr_assert_str_eq(json_string_value(json_object_get(comp, "gzip")),
                     "zlib deflate level 9, gzip framing");
    json_t *f0 = json_array_get(json_object_get(d, "files"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(f0, "path")), "dist/a.js");
    cr_assert_eq(json_integer_value(json_object_get(f0, "raw")), 100000);
    cr_assert_eq(json_integer_value(json_object_get(f0, "gzip")), 133);
    cr_assert_null(json_object_get(f0, "zstd"));
    json_t *bj = json_array_get(json_object_get(d, "budgets"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(bj, "limit")), "1KB");
    cr_assert_eq(json_integer_value(json_object_get(bj, "limit_bytes")), 1000);
    cr_assert(json_is_false(json_object_get(bj, "ok")));
    json_t *over = json_object_get(bj, "over");
    cr_assert_eq(json_array_size(over), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(over, 0), "path")),
                     "dist/b.js");
    cr_assert(json_is_false(json_object_get(d, "ok")));
    cr_assert_eq(s[strlen(s) - 1], '\n');
    json_decref(d);
    free(s);
    /* the one writer interface: other formats have no size writer */
    capture c;
    cr_assert_eq(pk_size_write(capture_begin(&c), r, PK_FORMAT_CSV, NULL), PK_ENOTSUP);
    free(capture_end(&c));
    cr_assert_eq(pk_size_write(stdout, r, PK_FORMAT_JUNIT, NULL), PK_ENOTSUP);
    cr_assert_eq(pk_size_write(NULL, r, PK_FORMAT_TEXT, NULL), PK_EINVAL);
    FILE *full = fopen("/dev/full", "w");
    cr_assert_eq(pk_size_write(full, r, PK_FORMAT_TEXT, NULL), PK_EIO);
    cr_assert_eq(pk_size_write(full, r, PK_FORMAT_JSON, NULL), PK_EIO);
    fclose(full);
    pk_size_report_free(r);
}

/* Each allocation of building and writing a report fails in turn: a clean
 * PK_ENOMEM, nothing leaked. (brotli and zstd allocate from libc.) */
Test(size_report, every_allocation_failure_is_clean)
{
    pk_size_limit b;
    cr_assert_eq(pk_size_limit_parse("gzip=1KB", &b, NULL), PK_OK);
    const char *args[] = {"dist/c.js", "dist/{a,b}.js"};
    pk_size_report_opts o;
    pk_size_report_opts_init(&o);
    o.mask = (1u << PK_SIZE_RAW) | (1u << PK_SIZE_GZIP);
    o.budgets = &b;
    o.n_budgets = 1;
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_size_report *r = NULL;
        pk_diag d;
        pk_err e = pk_size_report_new(args, 2, &o, &r, &d);
        char *buf = NULL;
        size_t len = 0;
        if (e == PK_OK) {
            FILE *f = open_memstream(&buf, &len);
            e = pk_size_write(f, r, PK_FORMAT_JSON, NULL);
            fclose(f);
            pk_size_report_free(r);
        }
        long reqs = fault_requests();
        fault_disarm();
        free(buf);
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        if (e == PK_OK) {
            cr_assert_leq(reqs, k);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
    }
    cr_assert_gt(k, 5);
}
