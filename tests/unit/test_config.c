/* Unit tests for lib/config/config*.c: a full valid perfkit.yml, defaults,
 * loading from disk, pk_config_validate and allocation-failure injection.
 * Error diagnostics are in test_config_errors.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "perfkit/config.h"

static const char FULL[] =
    "version: 1\n"
    "history: { path: hist/h.db, baseline_branch: trunk }\n"
    "regression: { threshold: 5%, alpha: 0.01, method: t-test }\n"
    "benchmarks:\n"
    "  sort:                 # a command\n"
    "    command: build/sortdemo radix 300000\n"
    "    runs: 30\n"
    "    warmup: 3\n"
    "    budgets: { wall.p95: 50ms, rss.max: 64MiB, wall.p99.9: 1.5s, nvcsw.mean: 2K }\n"
    "    tolerance: 10%\n"
    "    regression: { alpha: 0.02 }\n"
    "  scan:\n"
    "    command: \"sleep {n}\"\n"
    "    min-runs: 5\n"
    "    max_runs: 20\n"
    "    min-time: 500ms\n"
    "    prepare: echo prep\n"
    "    conclude: echo done\n"
    "    setup: echo setup\n"
    "    cleanup: echo cleanup\n"
    "    shell: false\n"
    "    interleave: false\n"
    "    ignore_failure: yes\n"
    "    input: in.txt\n"
    "    output: out.log\n"
    "    timeout: 2.5s\n"
    "    parameter-scan: { name: n, from: 1, to: 2, step: 0.5 }\n"
    "  list:\n"
    "    command: echo {x}\n"
    "    shell: true\n"
    "    output: pipe\n"
    "    timeout: 3\n"
    "    min_time: 2\n"
    "    parameter_list: { name: x, values: [a, \"b c\", 4] }\n"
    "  range:\n"
    "    command: echo {k}\n"
    "    output: inherit\n"
    "    parameter-scan: { name: k, from: 8, to: 10 }\n"
    "  sort-insns:\n"
    "    command: build/sortdemo radix 300000\n"
    "    measure: instructions\n"
    "    runs: 3\n"
    "    budgets: { instructions.mean: 1.2G }\n"
    "    regression: { method: exact, threshold: 0% }\n"
    "  micro:\n"
    "    google-benchmark: build/bench_micro\n"
    "    args: [--benchmark_filter=BM_Sort, --benchmark_min_time=0.1]\n"
    "    repetitions: 10\n"
    "    budgets: { real_time.median: 2us, cpu_time.p90: '3ms' }\n"
    "  nightly:\n"
    "    import: results/hyperfine.json\n"
    "    format: hyperfine\n"
    "  gb-import:\n"
    "    import: results/gb.json\n"
    "    format: google_benchmark\n"
    "sizes:\n"
    "  build/app.wasm: { raw: 1MB, gzip: 100KB, brotli: 90KB, zstd: 95KB }\n"
    "  \"dist/[a-z]*.js\": { gzip: 50KiB }\n";

static pk_config *parse_ok(const char *text, const char *name)
{
    pk_config *c = NULL;
    pk_diag d = {0};
    pk_err e = pk_config_parse(text, strlen(text), name, &c, &d);
    cr_assert_eq(e, PK_OK, "parse failed: %d %u:%u %s", e, d.line, d.column, d.message);
    cr_assert_not_null(c);
    return c;
}

static const pk_cfg_bench *bench(const pk_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_benches; i++)
        if (strcmp(c->benches[i].name, name) == 0)
            return &c->benches[i];
    cr_assert_fail("no benchmark %s", name);
    return NULL;
}

static const pk_budget *budget(const pk_cfg_bench *b, const char *fig, const char *stat)
{
    for (size_t i = 0; i < b->n_budgets; i++)
        if (!strcmp(b->budgets[i].figure, fig) && !strcmp(b->budgets[i].stat, stat))
            return &b->budgets[i];
    cr_assert_fail("no budget %s.%s", fig, stat);
    return NULL;
}

static void fnv_hex(const char *s, size_t n, char out[17])
{
    unsigned long long h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", h);
}

Test(config, full_file_top_level)
{
    pk_config *c = parse_ok(FULL, "proj/perfkit.yml");
    cr_assert_str_eq(c->path, "proj/perfkit.yml");
    cr_assert_str_eq(c->dir, "proj");
    cr_assert_str_eq(c->history_path, "proj/hist/h.db");
    cr_assert_str_eq(c->baseline_branch, "trunk");
    cr_assert_float_eq(c->policy.threshold, 0.05, 1e-12);
    cr_assert_float_eq(c->policy.alpha, 0.01, 1e-12);
    cr_assert_eq(c->policy.method, PK_TEST_WELCH);
    cr_assert_eq(c->n_benches, 8);
    cr_assert_str_eq(c->benches[0].name, "sort");   /* file order */
    cr_assert_str_eq(c->benches[7].name, "gb-import");
    char h[17];
    fnv_hex(FULL, strlen(FULL), h);
    cr_assert_str_eq(c->hash, h);
    cr_assert_eq(c->n_sizes, 2);
    const pk_size_budget *s = &c->sizes[0];
    cr_assert_str_eq(s->pattern, "build/app.wasm");
    cr_assert(s->has[PK_SIZE_RAW] && s->has[PK_SIZE_GZIP] && s->has[PK_SIZE_BROTLI] &&
              s->has[PK_SIZE_ZSTD]);
    cr_assert_float_eq(s->limit[PK_SIZE_RAW], 1e6, 1e-6);
    cr_assert_float_eq(s->limit[PK_SIZE_GZIP], 1e5, 1e-6);
    cr_assert_float_eq(s->limit[PK_SIZE_BROTLI], 9e4, 1e-6);
    cr_assert_float_eq(s->limit[PK_SIZE_ZSTD], 9.5e4, 1e-6);
    cr_assert_str_eq(s->text[PK_SIZE_GZIP], "100KB");
    cr_assert_eq(s->pos.line, 57);
    cr_assert_eq(s->pos.column, 3);
    s = &c->sizes[1];
    cr_assert_str_eq(s->pattern, "dist/[a-z]*.js");
    cr_assert(!s->has[PK_SIZE_RAW] && s->has[PK_SIZE_GZIP]);
    cr_assert_float_eq(s->limit[PK_SIZE_GZIP], 50 * 1024.0, 1e-6);
    pk_config_free(c);
}

Test(config, full_file_command_benchmarks)
{
    pk_config *c = parse_ok(FULL, "proj/perfkit.yml");
    const pk_cfg_bench *b = bench(c, "sort");
    cr_assert_eq(b->kind, PK_BENCH_COMMAND);
    cr_assert_eq(b->pos.line, 5);
    cr_assert_eq(b->pos.column, 3);
    cr_assert_str_eq(b->command, "build/sortdemo radix 300000");
    cr_assert_eq(b->bench.runs, 30);
    cr_assert_eq(b->bench.warmup, 3);
    cr_assert_eq(b->bench.min_runs, 10);            /* opts_init default */
    cr_assert_eq(b->bench.interleave, true);
    cr_assert_eq(b->n_budgets, 4);
    const pk_budget *bu = budget(b, "wall", "p95");
    cr_assert_float_eq(bu->limit, 50e6, 1e-3);
    cr_assert_eq(bu->kind, PK_UNIT_DURATION);
    cr_assert_str_eq(bu->text, "50ms");
    cr_assert_eq(bu->pos.line, 9);
    cr_assert_eq(bu->pos.column, 26);
    bu = budget(b, "rss", "max");
    cr_assert_float_eq(bu->limit, 64.0 * 1048576, 1e-3);
    cr_assert_eq(bu->kind, PK_UNIT_SIZE);
    cr_assert_float_eq(budget(b, "wall", "p99.9")->limit, 1.5e9, 1e-3);
    bu = budget(b, "nvcsw", "mean");
    cr_assert_eq(bu->kind, PK_UNIT_COUNT);
    cr_assert_float_eq(bu->limit, 2000, 1e-9);
    cr_assert_float_eq(b->tolerance, 0.10, 1e-12);
    /* global policy overridden field by field */
    cr_assert_float_eq(b->policy.alpha, 0.02, 1e-12);
    cr_assert_float_eq(b->policy.threshold, 0.05, 1e-12);
    cr_assert_eq(b->policy.method, PK_TEST_WELCH);

    b = bench(c, "scan");
    cr_assert_str_eq(b->command, "sleep {n}");
    cr_assert_eq(b->bench.runs, 0);
    cr_assert_eq(b->bench.min_runs, 5);
    cr_assert_eq(b->bench.max_runs, 20);
    cr_assert_eq(b->bench.min_time_ns, 500000000ull);
    cr_assert_str_eq(b->prepare, "echo prep");
    cr_assert_str_eq(b->conclude, "echo done");
    cr_assert_str_eq(b->setup, "echo setup");
    cr_assert_str_eq(b->cleanup, "echo cleanup");
    cr_assert_eq(b->bench.setup, b->setup);          /* points into owned strings */
    cr_assert_eq(b->bench.cleanup, b->cleanup);
    cr_assert_eq(b->bench.shell, false);
    cr_assert_eq(b->bench.interleave, false);
    cr_assert_eq(b->bench.ignore_failure, true);
    cr_assert_str_eq(b->input, "in.txt");
    cr_assert_eq(b->bench.run.input_path, b->input);
    cr_assert_eq(b->bench.run.output, PK_OUTPUT_FILE);
    cr_assert_str_eq(b->output_file, "out.log");
    cr_assert_eq(b->bench.run.output_path, b->output_file);
    cr_assert_eq(b->bench.run.timeout_ms, 2500);
    cr_assert_str_eq(b->param_name, "n");
    cr_assert_eq(b->n_param_values, 3);
    cr_assert_str_eq(b->param_values[0], "1.0");   /* the step's decimals (params.h) */
    cr_assert_str_eq(b->param_values[1], "1.5");
    cr_assert_str_eq(b->param_values[2], "2.0");
    cr_assert_eq(b->n_budgets, 0);
    cr_assert_eq(b->policy.method, PK_TEST_WELCH);
    cr_assert_float_eq(b->policy.alpha, 0.01, 1e-12);

    b = bench(c, "list");
    cr_assert_eq(b->bench.shell, true);
    cr_assert_eq(b->bench.run.output, PK_OUTPUT_PIPE);
    cr_assert_null(b->bench.run.output_path);
    cr_assert_null(b->bench.run.input_path);
    cr_assert_eq(b->bench.run.timeout_ms, 3000);     /* bare number: seconds */
    cr_assert_eq(b->bench.min_time_ns, 2000000000ull);
    cr_assert_str_eq(b->param_name, "x");
    cr_assert_eq(b->n_param_values, 3);
    cr_assert_str_eq(b->param_values[0], "a");
    cr_assert_str_eq(b->param_values[1], "b c");
    cr_assert_str_eq(b->param_values[2], "4");

    b = bench(c, "range");
    cr_assert_eq(b->bench.run.output, PK_OUTPUT_INHERIT);
    cr_assert_eq(b->n_param_values, 3);
    cr_assert_str_eq(b->param_values[0], "8");
    cr_assert_str_eq(b->param_values[2], "10");

    b = bench(c, "sort-insns");
    cr_assert_eq(b->bench.measure, PK_MEASURE_INSTRUCTIONS);
    cr_assert_float_eq(budget(b, "instructions", "mean")->limit, 1.2e9, 1e-3);
    cr_assert_eq(b->policy.method, PK_TEST_EXACT);
    cr_assert_float_eq(b->policy.threshold, 0.0, 1e-12);
    cr_assert_float_eq(b->policy.alpha, 0.01, 1e-12);
    pk_config_free(c);
}

Test(config, full_file_gbench_and_imports)
{
    pk_config *c = parse_ok(FULL, "proj/perfkit.yml");
    const pk_cfg_bench *b = bench(c, "micro");
    cr_assert_eq(b->kind, PK_BENCH_GBENCH);
    cr_assert_str_eq(b->binary, "build/bench_micro");
    cr_assert_eq(b->n_args, 2);
    cr_assert_str_eq(b->args[0], "--benchmark_filter=BM_Sort");
    cr_assert_str_eq(b->args[1], "--benchmark_min_time=0.1");
    cr_assert_eq(b->repetitions, 10);
    cr_assert_float_eq(budget(b, "real_time", "median")->limit, 2000, 1e-6);
    cr_assert_float_eq(budget(b, "cpu_time", "p90")->limit, 3e6, 1e-6);
    cr_assert_str_eq(budget(b, "cpu_time", "p90")->text, "3ms");
    b = bench(c, "nightly");
    cr_assert_eq(b->kind, PK_BENCH_IMPORT);
    cr_assert_str_eq(b->import_path, "results/hyperfine.json");
    cr_assert_eq(b->import_format, PK_IMPORT_HYPERFINE);
    cr_assert_eq(bench(c, "gb-import")->import_format, PK_IMPORT_GBENCH);
    pk_config_free(c);
}

Test(config, defaults)
{
    pk_config *c = parse_ok("version: 1\nbenchmarks:\n  a: { command: ls, runs: 2 }\n"
                            "  g: { google-benchmark: ./gb }\n  i: { import: x.json }\n",
                            "perfkit.yml");
    cr_assert_str_eq(c->dir, ".");
    cr_assert_str_eq(c->history_path, "./.perfkit/history.db");
    cr_assert_str_eq(c->baseline_branch, "main");
    cr_assert_eq(c->policy.threshold, PK_THRESHOLD_AUTO, "left to the figure table");
    cr_assert_float_eq(c->policy.alpha, 0.05, 1e-12);
    cr_assert_eq(c->policy.method, PK_TEST_MANN_WHITNEY);
    cr_assert_eq(c->n_sizes, 0);
    const pk_cfg_bench *b = bench(c, "a");
    cr_assert_eq(b->bench.min_time_ns, 3000000000ull);
    cr_assert_eq(b->bench.run.output, PK_OUTPUT_NULL);
    cr_assert_eq(b->bench.run.timeout_ms, 0);
    cr_assert_eq(b->bench.measure, PK_MEASURE_TIME);
    cr_assert_float_eq(b->tolerance, 0, 1e-12);
    cr_assert_null(b->param_name);
    cr_assert_eq(b->n_param_values, 0);
    cr_assert_eq(bench(c, "g")->repetitions, 5);
    cr_assert_eq(bench(c, "g")->n_args, 0);
    cr_assert_eq(bench(c, "i")->import_format, PK_IMPORT_AUTO);
    pk_config_free(c);

    pk_policy p;
    pk_policy_init(&p);
    cr_assert_eq(p.threshold, PK_THRESHOLD_AUTO);
    cr_assert_eq(p.method, PK_TEST_MANN_WHITNEY);
}

/* A budget follows its figure's direction unless it says `>=` / `<=`. */
Test(config, budget_bounds)
{
    pk_config *c = parse_ok("version: 1\n"
                            "benchmarks:\n"
                            "  gb:\n"
                            "    google-benchmark: ./gb\n"
                            "    budgets:\n"
                            "      items_per_second.median: 1M\n"
                            "      bytes_per_second.mean: \"<= 5G\"\n"
                            "      real_time.median: \"<= 50us\"\n"
                            "      cpu_time.p90: <=60us\n"
                            "      wall.mean: \">=1ms\"\n"
                            "      frames/s.min: \xe2\x89\xa5 30\n"
                            "      rss.max: \xe2\x89\xa4 64MiB\n"
                            "      nvcsw.max: 100\n",
                            "perfkit.yml");
    const pk_cfg_bench *b = bench(c, "gb");
    const pk_budget *bu = budget(b, "items_per_second", "median");
    cr_assert_eq(bu->bound, PK_BOUND_MIN, "a bare limit on a rate is a minimum");
    cr_assert_float_eq(bu->limit, 1e6, 1e-6);
    cr_assert_str_eq(bu->text, "1M");
    bu = budget(b, "bytes_per_second", "mean");
    cr_assert_eq(bu->bound, PK_BOUND_MAX, "`<=` overrides the direction");
    cr_assert_float_eq(bu->limit, 5e9, 1e-3);
    cr_assert_str_eq(bu->text, "5G");
    bu = budget(b, "real_time", "median");
    cr_assert_eq(bu->bound, PK_BOUND_MAX);
    cr_assert_float_eq(bu->limit, 50e3, 1e-6);
    cr_assert_str_eq(bu->text, "50us");
    cr_assert_eq(bu->pos.line, 8);
    cr_assert_eq(bu->pos.column, 25, "the value's position, operator included");
    bu = budget(b, "cpu_time", "p90");
    cr_assert_eq(bu->bound, PK_BOUND_MAX);
    cr_assert_float_eq(bu->limit, 60e3, 1e-6);
    bu = budget(b, "wall", "mean");
    cr_assert_eq(bu->bound, PK_BOUND_MIN, "`>=` overrides the direction");
    cr_assert_float_eq(bu->limit, 1e6, 1e-6);
    cr_assert_str_eq(bu->text, "1ms");
    bu = budget(b, "frames/s", "min");
    cr_assert_eq(bu->bound, PK_BOUND_MIN);
    cr_assert_float_eq(bu->limit, 30, 1e-9);
    bu = budget(b, "rss", "max");
    cr_assert_eq(bu->bound, PK_BOUND_MAX);
    cr_assert_float_eq(bu->limit, 64.0 * 1048576, 1e-3);
    cr_assert_eq(budget(b, "nvcsw", "max")->bound, PK_BOUND_MAX);
    pk_config_free(c);
}

Test(config, history_paths_and_dirs)
{
    pk_config *c = parse_ok("version: 1\nhistory: { path: /var/h.db }\n", "a/b/perfkit.yml");
    cr_assert_str_eq(c->dir, "a/b");
    cr_assert_str_eq(c->history_path, "/var/h.db");
    pk_config_free(c);
    c = parse_ok("version: 1\n", "/perfkit.yml");
    cr_assert_str_eq(c->dir, "/");
    cr_assert_str_eq(c->history_path, "/.perfkit/history.db");
    cr_assert_eq(c->n_benches, 0);
    pk_config_free(c);
    /* a shared history: the URL verbatim, never joined to the directory */
    c = parse_ok("version: 1\nhistory: { url: 'postgres://ci@db/perf?sslmode=require' }\n",
                 "a/b/perfkit.yml");
    cr_assert_str_eq(c->history_path, "postgres://ci@db/perf?sslmode=require");
    pk_config_free(c);
    c = parse_ok("version: 1\nhistory: { path: postgresql://db/perf }\n", "a/perfkit.yml");
    cr_assert_str_eq(c->history_path, "postgresql://db/perf");
    pk_config_free(c);
    /* path and url name two histories: refused at the second */
    const char both[] = "version: 1\nhistory:\n  path: h.db\n  url: postgres://db/perf\n";
    pk_diag d = {0};
    cr_assert_eq(pk_config_parse(both, strlen(both), "perfkit.yml", &c, &d), PK_EPARSE);
    cr_assert_eq(d.line, 4);
    cr_assert(strstr(d.message, "`path` (a SQLite file) or `url` (PostgreSQL), not both"), "%s",
              d.message);
    c = parse_ok("benchmarks:\nsizes: ~\n", NULL);   /* version optional, empty sections */
    cr_assert_str_eq(c->path, "");
    cr_assert_str_eq(c->dir, ".");
    pk_config_free(c);
}

Test(config, figure_kinds)
{
    const char *dur[] = {"wall", "user", "sys", "real_time", "cpu_time", "task-clock"};
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(pk_figure_kind(dur[i]), PK_UNIT_DURATION, "%s", dur[i]);
    cr_assert_eq(pk_figure_kind("rss"), PK_UNIT_SIZE);
    cr_assert_eq(pk_figure_kind("instructions"), PK_UNIT_COUNT);
    cr_assert_eq(pk_figure_kind("bytes_per_second"), PK_UNIT_COUNT);
    cr_assert_eq(pk_figure_kind(NULL), PK_UNIT_COUNT);
}

/* ---- load from disk -------------------------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/pkcfgXXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(config, load_from_file)
{
    make_tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/perfkit.yml", tmpdir);
    write_file(path, FULL);
    pk_config *c = NULL;
    pk_diag d;
    cr_assert_eq(pk_config_load(path, &c, &d), PK_OK, "%s", d.message);
    cr_assert_str_eq(c->dir, tmpdir);
    char h[17];
    fnv_hex(FULL, strlen(FULL), h);
    cr_assert_str_eq(c->hash, h);
    cr_assert_eq(c->n_benches, 8);
    pk_config_free(c);

    snprintf(path, sizeof path, "%s/missing.yml", tmpdir);
    cr_assert_eq(pk_config_load(path, &c, &d), PK_ENOENT);
    cr_assert_null(c);
    cr_assert_str_eq(d.file, path);
    cr_assert_eq(pk_config_load(NULL, &c, &d), PK_EINVAL);
    pk_config_free(NULL);

    /* regular files of at most 64 MiB: /dev/zero never ends */
    cr_assert_eq(pk_config_load("/dev/zero", &c, &d), PK_EINVAL);
    cr_assert_null(c);
    cr_assert_str_eq(d.file, "/dev/zero");
    cr_assert_str_eq(d.message, "is a character device, not a regular file");
    snprintf(path, sizeof path, "%s/huge.yml", tmpdir);
    write_file(path, "version: 1\n");
    cr_assert_eq(truncate(path, (off_t)64 << 20), 0);   /* sparse: at the limit */
    cr_assert_eq(pk_config_load(path, &c, &d), PK_EPARSE, "read, then found to be no YAML");
    cr_assert_eq(truncate(path, ((off_t)64 << 20) + 1), 0);
    cr_assert_eq(pk_config_load(path, &c, &d), PK_ERANGE);
    cr_assert_str_eq(d.message,
                     "67108865 bytes is larger than the 64 MiB limit for configuration files");
    unlink(path);
}

/* ---- validate ------------------------------------------------------------ */

static pk_err validate(const char *text, pk_diag *d)
{
    pk_config *c = parse_ok(text, "perfkit.yml");
    pk_err e = pk_config_validate(c, d);
    pk_config_free(c);
    return e;
}

Test(config, validate_ok)
{
    make_tmpdir();
    char imp[128], art[128], text[1024];
    snprintf(imp, sizeof imp, "%s/r.json", tmpdir);
    snprintf(art, sizeof art, "%s/app.js", tmpdir);
    write_file(imp, "{}");
    write_file(art, "x");
    snprintf(text, sizeof text,
             "version: 1\n"
             "benchmarks:\n"
             "  a: { command: 'sh -c true', prepare: true, setup: /bin/true }\n"
             "  s: { command: 'no-such-program-x | whatever', shell: true }\n"
             "  p:\n"
             "    command: '{prog} --x'\n"
             "    parameter-list: { name: prog, values: [/bin/true, /no/such] }\n"
             "  g: { google-benchmark: /bin/true }\n"
             "  i: { import: %s }\n"
             "sizes:\n"
             "  %s/[a-z]*.js: { gzip: 1KB }\n",
             imp, tmpdir);
    pk_diag d = {0};
    cr_assert_eq(validate(text, &d), PK_OK, "%s", d.message);
}

Test(config, validate_missing_program)
{
    pk_diag d = {0};
    cr_assert_eq(validate("version: 1\nbenchmarks:\n  ok: { command: /bin/true }\n"
                          "  bad:\n    command: ./no-such-prog-xyz 1 2\n",
                          &d),
                 PK_ENOENT);
    cr_assert_str_eq(d.file, "perfkit.yml");
    cr_assert_eq(d.line, 4);
    cr_assert_eq(d.column, 3);
    cr_assert(strstr(d.message, "benchmark `bad`"), "%s", d.message);
    cr_assert(strstr(d.message, "`./no-such-prog-xyz` not found"), "%s", d.message);

    cr_assert_eq(validate("benchmarks:\n  b: { command: /bin/true, cleanup: nope-xyz-q }\n", &d),
                 PK_ENOENT);
    cr_assert(strstr(d.message, "cleanup program `nope-xyz-q`"), "%s", d.message);
    cr_assert_eq(validate("benchmarks:\n  b: { command: '{p} 1', parameter-scan: "
                          "{ name: p, from: 1, to: 2 } }\n",
                          &d),
                 PK_ENOENT);
    cr_assert(strstr(d.message, "`1`"), "%s", d.message);   /* after substitution */
    cr_assert_eq(validate("benchmarks:\n  g: { google-benchmark: ./no/gb }\n", &d), PK_ENOENT);
    cr_assert(strstr(d.message, "benchmark `g`"), "%s", d.message);
}

Test(config, validate_not_executable)
{
    make_tmpdir();
    char prog[128], text[256];
    snprintf(prog, sizeof prog, "%s/prog", tmpdir);
    write_file(prog, "#!/bin/sh\n");
    chmod(prog, 0644);
    snprintf(text, sizeof text, "benchmarks:\n  x: { command: %s }\n", prog);
    pk_diag d = {0};
    cr_assert_eq(validate(text, &d), PK_EPERM);
    cr_assert(strstr(d.message, "not executable"), "%s", d.message);
}

Test(config, validate_missing_import)
{
    pk_diag d = {0};
    cr_assert_eq(validate("version: 1\nbenchmarks:\n  n:\n    import: /no/such/file.json\n", &d),
                 PK_ENOENT);
    cr_assert_eq(d.line, 3);
    cr_assert_eq(d.column, 3);
    cr_assert(strstr(d.message, "benchmark `n`: import file `/no/such/file.json` does not exist"),
              "%s", d.message);
}

Test(config, validate_unmatched_glob)
{
    pk_diag d = {0};
    cr_assert_eq(validate("version: 1\nsizes:\n  /tmp/no-such-dir-pk/*.wasm: { raw: 1MB }\n", &d),
                 PK_ENOENT);
    cr_assert_eq(d.line, 3);
    cr_assert_eq(d.column, 3);
    cr_assert(strstr(d.message, "`/tmp/no-such-dir-pk/*.wasm` matches no file"), "%s",
              d.message);
    cr_assert_eq(pk_config_validate(NULL, &d), PK_EINVAL);
}

/* ---- allocation failures --------------------------------------------------- */

static void fault_sweep(const char *text)
{
    size_t len = strlen(text);
    pk_config *c = NULL;
    fault_arm(-1);
    cr_assert_eq(pk_config_parse(text, len, "perfkit.yml", &c, NULL), PK_OK);
    pk_config_free(c);
    long total = fault_requests();
    fault_disarm();
    cr_assert_eq(fault_live(), 0);
    cr_assert_gt(total, 10);
    for (long k = 0; k < total; k++) {
        pk_diag d = {0};
        c = (pk_config *)1;
        fault_arm(k);
        pk_err e = pk_config_parse(text, len, "perfkit.yml", &c, &d);
        fault_disarm();
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: got %d (%s)", k, e, d.message);
        cr_assert_null(c);
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked %ld blocks", k, fault_live());
    }
}

Test(config, every_failed_allocation_is_enomem)
{
    fault_sweep(FULL);
}

/* More than 16 benchmarks: duplicates are found through a hash set, whose
 * allocation fails cleanly too. */
Test(config, every_failed_allocation_is_enomem_in_a_long_mapping)
{
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "version: 1\nbenchmarks:\n");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "  b%02d: { command: ls }\n", i);
    fault_sweep(text);
}

Test(config, failed_allocation_on_error_paths)
{
    /* a file with an error late: every earlier failure is still ENOMEM */
    const char *text = "version: 1\nbenchmarks:\n  a: { command: ls, budgets: { wall.p95: 5ms } }\n"
                       "  b: { command: ls, runz: 1 }\n";
    pk_config *c = NULL;
    fault_arm(-1);
    cr_assert_eq(pk_config_parse(text, strlen(text), "f", &c, NULL), PK_EPARSE);
    long total = fault_requests();
    fault_disarm();
    cr_assert_eq(fault_live(), 0);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_err e = pk_config_parse(text, strlen(text), "f", &c, NULL);
        fault_disarm();
        cr_assert(e == PK_ENOMEM, "allocation %ld: got %d", k, e);
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
    }
}

Test(config, validate_substituted_command_must_split)
{
    pk_diag d = {0};
    cr_assert_eq(validate("benchmarks:\n  q:\n    command: echo {v}\n"
                          "    parameter-list: { name: v, values: [\"it's\"] }\n",
                          &d),
                 PK_EPARSE);
    cr_assert_eq(d.line, 2);
    cr_assert(strstr(d.message, "benchmark `q`: command `echo it's`"), "%s", d.message);
}

/* ---- shell syntax without a shell: a warning ----------------------------- */

Test(config, shell_syntax_without_shell_is_a_warning)
{
    const char *text = "benchmarks:\n"
                       "  a:\n"
                       "    command: \"echo hi | cat\"\n"                /* line 3 */
                       "    prepare: rm -f *.o\n"                         /* line 4 */
                       "  b: { command: \"grep 'a|b' f\" }\n"             /* quoted: none */
                       "  c: { command: echo hi > out, shell: true }\n"   /* a shell: none */
                       "  d: { command: echo $HOME }\n";                  /* line 7 */
    pk_config *c = parse_ok(text, "perfkit.yml");
    cr_assert_eq(c->n_warnings, 3);
    const pk_diag *w = c->warnings;
    cr_assert_str_eq(w[0].file, "perfkit.yml");
    cr_assert_eq(w[0].line, 3);
    cr_assert_eq(w[0].column, 23, "column %u", w[0].column);   /* the `|` */
    cr_assert_str_eq(w[0].message,
                     "`command`: `echo hi | cat` contains `|`, which only a shell understands; "
                     "without `shell: true` it is passed to `echo` as an argument. Add `shell: "
                     "true` to the benchmark to run it through /bin/sh");
    cr_assert_eq(w[1].line, 4);
    cr_assert_eq(w[1].column, 20, "column %u", w[1].column);
    cr_assert(strstr(w[1].message, "`prepare`: `rm -f *.o` contains `*`, which only a shell "
                                   "expands"), "%s", w[1].message);
    cr_assert_eq(w[2].line, 7);
    cr_assert(strstr(w[2].message, "contains `$HOME`"), "%s", w[2].message);
    pk_config_free(c);
}

Test(config, shell_syntax_warnings_are_capped)
{
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "benchmarks:\n");
    for (int i = 0; i < PK_CONFIG_WARNINGS_MAX + 5; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "  b%02d: { command: a | b }\n", i);
    pk_config *c = parse_ok(text, "f.yml");
    cr_assert_eq(c->n_warnings, PK_CONFIG_WARNINGS_MAX);
    cr_assert_eq(c->warnings[0].line, 2);
    const pk_diag *last = &c->warnings[PK_CONFIG_WARNINGS_MAX - 1];
    cr_assert_str_eq(last->message,
                     "6 more commands hold shell syntax but run without `shell: true`");
    cr_assert_eq(last->line, 0);
    pk_config_free(c);
}

Test(config, every_failed_allocation_is_enomem_with_warnings)
{
    fault_sweep("benchmarks:\n  a: { command: echo a | b }\n  b: { command: ls > x }\n");
}

Test(config, profile_policy)
{
    pk_config *c = parse_ok("version: 1\n"
                            "profile: { when: on-regression, call-graph: dwarf, frequency: 1999,"
                            " min-samples: 2000, max-time: 20s }\n"
                            "benchmarks:\n"
                            "  a: { command: \"true\" }\n"
                            "  b: { command: \"true\", profile: always }\n"
                            "  c: { command: \"true\", profile: { when: off, frequency: 99 } }\n"
                            "  d: { import: x.json }\n",
                            "p.yml");
    cr_assert_eq(c->profile.when, PK_PROFILE_ON_REGRESSION);
    cr_assert(c->profile.dwarf);
    cr_assert_eq(c->profile.frequency, 1999);
    cr_assert_eq(c->profile.min_samples, 2000);
    cr_assert_eq(c->profile.max_time_ns, 20000000000ull);
    cr_assert_eq(c->profile.pos.line, 2);
    const pk_cfg_bench *a = bench(c, "a"), *b = bench(c, "b"), *cc = bench(c, "c");
    cr_assert_eq(a->profile.when, PK_PROFILE_ON_REGRESSION);   /* the global one */
    cr_assert_eq(a->profile.frequency, 1999);
    cr_assert_eq(b->profile.when, PK_PROFILE_ALWAYS);          /* short form: when only */
    cr_assert(b->profile.dwarf);
    cr_assert_eq(b->profile.frequency, 1999);
    cr_assert_eq(cc->profile.when, PK_PROFILE_OFF);
    cr_assert_eq(cc->profile.frequency, 99);
    cr_assert_eq(cc->profile.min_samples, 2000);
    pk_config_free(c);
    c = parse_ok("version: 1\nbenchmarks:\n  a: { command: \"true\" }\n", "q.yml");
    cr_assert_eq(c->profile.when, PK_PROFILE_OFF);             /* the defaults */
    cr_assert(!bench(c, "a")->profile.dwarf);
    cr_assert_eq(bench(c, "a")->profile.frequency, 999);
    cr_assert_eq(bench(c, "a")->profile.min_samples, 1000);
    cr_assert_eq(bench(c, "a")->profile.max_time_ns, 10000000000ull);
    pk_config_free(c);
}

Test(config, heap_measure_and_dotted_figures)
{
    pk_config *c = parse_ok("version: 1\nbenchmarks:\n"
                            "  h:\n    command: \"true\"\n    measure: heap\n"
                            "    budgets: { heap.peak: 64MiB, heap.leaked.p50: 0B, "
                            "allocs.count: 1.5M, allocs.bytes: 2GB }\n",
                            "h.yml");
    const pk_cfg_bench *b = bench(c, "h");
    cr_assert_eq(b->bench.measure, PK_MEASURE_HEAP);
    const pk_budget *bu = budget(b, "heap.peak", "max");
    cr_assert_not_null(bu);
    cr_assert_eq(bu->kind, PK_UNIT_SIZE);
    cr_assert_float_eq(bu->limit, 64.0 * 1024 * 1024, 1e-6);
    cr_assert_not_null(budget(b, "heap.leaked", "p50"));
    bu = budget(b, "allocs.count", "max");
    cr_assert_not_null(bu);
    cr_assert_eq(bu->kind, PK_UNIT_COUNT);
    cr_assert_float_eq(bu->limit, 1.5e6, 1e-6);
    cr_assert_eq(budget(b, "allocs.bytes", "max")->kind, PK_UNIT_SIZE);
    pk_config_free(c);
}
