/* Unit tests for lib/config/config*.c diagnostics: one test per error class,
 * each asserting PK_EPARSE, the exact line:column and a message fragment. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "perfkit/config.h"

static void expect(const char *text, unsigned line, unsigned col, const char *frag)
{
    pk_config *c = (pk_config *)1;
    pk_diag d;
    memset(&d, 0, sizeof d);
    fault_arm(-1);   /* count blocks: nothing may leak on an error path */
    pk_err e = pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d);
    fault_disarm();
    cr_assert_eq(e, PK_EPARSE, "expected PK_EPARSE, got %d for:\n%s", e, text);
    cr_assert_null(c);
    cr_assert_eq(fault_live(), 0, "leak on error path");
    cr_assert_str_eq(d.file, "perfkit.yml");
    cr_assert(strstr(d.message, frag), "message `%s` lacks `%s`", d.message, frag);
    cr_assert_eq(d.line, line, "line %u, expected %u: %s", d.line, line, d.message);
    cr_assert_eq(d.column, col, "column %u, expected %u: %s", d.column, col, d.message);
}

#define HEAD "version: 1\nbenchmarks:\n  s:\n    command: ls\n"

/* Whether pk_config_parse_all reports frag at line:col among its errors. */
static void expect_among(const char *text, unsigned line, unsigned col, const char *frag)
{
    pk_diag_list all;
    pk_diag_list_init(&all);
    pk_config *c = NULL;
    cr_assert_eq(pk_config_parse_all(text, strlen(text), "perfkit.yml", &c, &all), PK_EPARSE);
    bool found = false;
    for (size_t i = 0; i < all.n && !found; i++)
        found = all.items[i].line == line && all.items[i].column == col &&
                strstr(all.items[i].message, frag);
    cr_assert(found, "no `%s` at %u:%u among %zu errors", frag, line, col, all.n);
    pk_diag_list_clear(&all);
}

Test(config_errors, yaml_syntax)
{
    expect("version: 1\nbenchmarks:\n  a: [1, 2\n", 4, 1, "invalid YAML");
    expect("version: 1\n  bad: indent\n", 2, 6, "invalid YAML: mapping values are not allowed");
    expect("a: \"open\n", 2, 1, "invalid YAML");
    expect("a: 1\n\tb: 2\n", 2, 1, "invalid YAML");
}

Test(config_errors, yaml_reader_error_has_position)
{
    expect("version: 1\nx: a\x01\n", 2, 5, "invalid YAML: control characters");
}

Test(config_errors, history_url_must_be_postgres)
{
    expect("version: 1\nhistory:\n  url: history.db\n", 3, 8,
           "`url` must be a postgres:// or postgresql:// URL (a file is `path:`)");
    expect("version: 1\nhistory: { urll: x }\n", 2, 12, "unknown key `urll`");
}

Test(config_errors, empty_file)
{
    expect("", 1, 1, "empty config");
    expect("# only a comment\n\n", 1, 1, "empty config");
    expect("---\n", 1, 1, "empty config");
}

Test(config_errors, top_level_not_mapping)
{
    expect("- a\n- b\n", 1, 1, "the top level must be a mapping");
}

Test(config_errors, second_document)
{
    expect("version: 1\n---\nversion: 1\n", 2, 1, "second YAML document");
}

Test(config_errors, aliases_refused)
{
    expect("x: &a [1]\nbenchmarks:\n  b: *a\n", 3, 6, "YAML aliases (`*a`) are not supported");
}

Test(config_errors, version)
{
    expect("version: 2\n", 1, 10, "unsupported `version: 2` — this perfkit reads version 1");
    expect("version: one\n", 1, 10, "`version` must be a whole number, got `one`");
}

Test(config_errors, unknown_keys_with_suggestion)
{
    expect(HEAD "    runz: 3\n", 5, 5, "unknown key `runz` in benchmark `s` — did you mean `runs`?");
    expect("version: 1\nbenchmark:\n", 2, 1, "unknown key `benchmark` in the top level — did "
                                             "you mean `benchmarks`?");
    expect("history: { paht: x }\n", 1, 12, "did you mean `path`?");
    expect("regression: { treshold: 5% }\n", 1, 15, "did you mean `threshold`?");
    expect("sizes:\n  a.js: { gzp: 1KB }\n", 2, 11, "unknown key `gzp` in size budget `a.js` — "
                                                  "did you mean `gzip`?");
    expect(HEAD "    zzzzzzzz: 1\n", 5, 5, "unknown key `zzzzzzzz` in benchmark `s`; expected");
    expect(HEAD "    parameter-scan: { name: n, form: 1, to: 2 }\n", 5, 32, "did you mean `from`?");
}

Test(config_errors, wrong_types)
{
    expect(HEAD "    runs: abc\n", 5, 11, "`runs` must be a whole number, got `abc`");
    expect(HEAD "    runs: -3\n", 5, 11, "`runs` must be a whole number, got `-3`");
    expect(HEAD "    runs: 0\n", 5, 11, "`runs` must be at least 1, got 0");
    expect(HEAD "    warmup: [1]\n", 5, 13, "`warmup` must be a whole number, got a list");
    expect(HEAD "    shell: maybe\n", 5, 12, "`shell` must be true or false, got `maybe`");
    expect("version: 1\nbenchmarks:\n  s:\n    command: [ls]\n", 4, 14,
           "`command` must be a string, got a list");
    expect(HEAD "    measure: cycles\n", 5, 14,
           "`measure` must be time, instructions or heap, got `cycles`");
    expect(HEAD "    output:\n", 5, 12, "`output` needs a value");
    expect("version: 1\nbenchmarks: [a, b]\n", 2, 13, "`benchmarks` must be a mapping");
    expect("version: 1\nbenchmarks:\n  s: 3\n", 3, 6, "benchmark `s` must be a mapping");
    expect("benchmarks:\n  g: { google-benchmark: x, args: --flag }\n", 2, 35,
           "`args` must be a list of strings");
    expect("benchmarks:\n  i: { import: x, format: csv }\n", 2, 27,
           "`format` must be auto, perfkit, hyperfine or google-benchmark, got `csv`");
    expect("regression: { alpha: 2 }\n", 1, 22, "`alpha` must be between 0 and 1");
    expect("regression: { method: mann-whitny }\n", 1, 23, "did you mean `mann-whitney`?");
    expect("history: { path: [a] }\n", 1, 18, "`path` must be a string, got a list");
}

/* Counts are capped before anything runs: `runs: 4000000000` passed and the
 * run failed later with "out of memory". */
Test(config_errors, counts_over_their_limit)
{
    expect(HEAD "    runs: 4000000000\n", 5, 11,
           "`runs`: 4000000000 is more than the limit of 1000000");
    expect(HEAD "    runs: 99999999999999999999999\n", 5, 11,
           "`runs`: 99999999999999999999999 is more than the limit of 1000000");
    expect(HEAD "    warmup: 1000001\n", 5, 13, "`warmup`: 1000001 is more than the limit");
    expect(HEAD "    min-runs: 2000000\n", 5, 15, "`min-runs`: 2000000 is more than the limit");
    expect(HEAD "    max-runs: 2000000\n", 5, 15, "`max-runs`: 2000000 is more than the limit");
    expect("benchmarks:\n  g:\n    google-benchmark: ./b\n    repetitions: 1000001\n", 4, 18,
           "`repetitions`: 1000001 is more than the limit of 1000000");
}

/* One rule for both parameter forms: a scan was capped at 100000 values,
 * a list was not. */
Test(config_errors, parameter_list_over_the_limit)
{
    static char text[4 * 100001 + 256];
    int n = snprintf(text, sizeof text, HEAD "    parameter-list:\n      name: n\n      values: [");
    for (int i = 0; i < 100001; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s1", i ? "," : "");
    snprintf(text + n, sizeof text - (size_t)n, "]\n");
    expect(text, 7, 15, "`parameter-list`: 100001 values; at most 100000");
    expect(HEAD "    parameter-scan: { name: n, from: 1, to: 100001 }\n", 5, 21,
           "makes 100001 values; at most 100000");
}

/* Numbers are decimal: "0x10ms" was 16 ms, "1e400ms" an "unknown unit". */
Test(config_errors, numbers_are_decimal_and_in_range)
{
    expect(HEAD "    timeout: 0x10ms\n", 5, 15, "`timeout`: `0x10ms` is hexadecimal");
    expect(HEAD "    timeout: 1e400ms\n", 5, 14, "`timeout`: `1e400ms` is out of range");
    expect(HEAD "    timeout: 1e400\n", 5, 14, "`timeout`: `1e400` is out of range");
    expect(HEAD "    min-time: 1e300\n", 5, 15, "`min-time`: `1e300` seconds is out of range");
    expect(HEAD "    min-time: inf\n", 5, 15, "`min-time` must be a duration such as 50ms or 2s");
    expect(HEAD "    budgets: { wall.p95: 0x10ms }\n", 5, 27, "is hexadecimal");
    expect(HEAD "    budgets: { rss.max: 1e999MiB }\n", 5, 25, "`1e999MiB` is out of range");
    expect(HEAD "    budgets: { wall.p95: nanms }\n", 5, 26, "must be a duration such as");
    expect(HEAD "    parameter-scan: { name: n, from: 0x10, to: 20 }\n", 5, 38,
           "`from` must be a decimal number such as 12, 0.5 or 1e3, got `0x10`");
    expect(HEAD "    parameter-scan: { name: n, from: 1, to: 1e400 }\n", 5, 45,
           "`to`: `1e400` is out of range");
    expect("regression: { alpha: nan }\n", 1, 22, "`alpha` must be a decimal number");
    expect("regression: { threshold: 0x1p-4 }\n", 1, 27, "`threshold`: `0x1p-4` is hexadecimal");
}

Test(config_errors, unit_space_between_number_and_unit)
{
    expect(HEAD "    budgets: { wall.p95: 50 ms }\n", 5, 28,
           "unexpected ` ms` — write the number and unit together: 50ms");
    expect(HEAD "    min-time: 2 s\n", 5, 16, "write the number and unit together: 2s");
}

Test(config_errors, unit_unknown)
{
    expect(HEAD "    budgets: { wall.p95: 50mss }\n", 5, 30,
           "unknown duration unit `mss` in `50mss` — did you mean `50ms`?");
    /* quoted: one more column for the quote */
    expect(HEAD "    budgets: { wall.p95: \"50mss\" }\n", 5, 31, "unknown duration unit `mss`");
    expect("sizes:\n  a.js: { gzip: 5Q }\n", 2, 18, "unknown size unit `Q` in `5Q`");
    expect(HEAD "    budgets: { rss.max: 1.2G }\n", 5, 28, "did you mean `1.2GB`?");
    expect(HEAD "    timeout: soon\n", 5, 14, "`timeout` must be a duration such as 50ms or 2s");
    expect(HEAD "    budgets: { wall.p95: -5ms }\n", 5, 26, "`wall.p95` must not be negative");
    expect(HEAD "    budgets: { wall.p95: 50 }\n", 5, 28, "`50` needs a unit");
}

Test(config_errors, unit_of_wrong_kind)
{
    expect(HEAD "    budgets: { wall.p95: 64MiB }\n", 5, 28,
           "`wall` is a duration; `64MiB` is a size — use ns, us, ms, s, m or h");
    expect(HEAD "    budgets: { rss.max: 10ms }\n", 5, 27, "`rss` is a size; `10ms` is a duration");
    expect(HEAD "    budgets: { instructions.mean: 5ms }\n", 5, 36,
           "`instructions` is a count; `5ms` is a duration");
    expect("sizes:\n  a.js: { gzip: 5s }\n", 2, 18, "`gzip` is a size; `5s` is a duration");
    expect(HEAD "    budgets: { wal.p95: 5ms }\n", 5, 16, "unknown figure `wal` in `wal.p95` — "
                                                       "did you mean `wall`?");
}

Test(config_errors, budget_keys)
{
    expect(HEAD "    budgets: { wall.p1000: 5ms }\n", 5, 21,
           "unknown statistic `p1000` in `wall.p1000`; expected FIGURE.STATISTIC");
    expect(HEAD "    budgets: { wall.meen: 5ms }\n", 5, 21, "did you mean `wall.mean`?");
    expect(HEAD "    budgets: { wallp95: 5ms }\n", 5, 16, "expected FIGURE.STATISTIC");
    expect(HEAD "    budgets: { .p95: 5ms }\n", 5, 16, "expected FIGURE.STATISTIC");
    expect(HEAD "    budgets: { wall.p95: 5ms, wall.p95: 6ms }\n", 5, 31,
           "duplicate budget `wall.p95`");
}

Test(config_errors, budget_bounds)
{
    /* value at column 41 (its quote); the limit is missing after `>=` */
    expect(HEAD "    budgets: { items_per_second.median: \">=\" }\n", 5, 44,
           "`items_per_second.median`: `>=` needs a limit, e.g. \">= 1M\"");
    expect(HEAD "    budgets: { wall.p95: \"<= \" }\n", 5, 30,
           "`wall.p95`: `<=` needs a limit, e.g. \"<= 50ms\"");
    /* unit mistakes point into the limit, after the operator */
    expect(HEAD "    budgets: { wall.p95: \"<= 50 ms\" }\n", 5, 32,
           "unexpected ` ms` — write the number and unit together: 50ms");
    expect(HEAD "    budgets: { wall.p95: <=50mss }\n", 5, 32,
           "unknown duration unit `mss` in `50mss` — did you mean `50ms`?");
    expect(HEAD "    budgets: { wall.p95: \">= 64MiB\" }\n", 5, 32,
           "`wall` is a duration; `64MiB` is a size");
    expect(HEAD "    budgets: { items_per_second.median: \">= 1ms\" }\n", 5, 46,
           "`items_per_second` is a count; `1ms` is a duration");
    /* a strict comparison is not a budget */
    expect(HEAD "    budgets: { wall.p95: <50ms }\n", 5, 26,
           "`wall.p95`: a budget includes its limit — write `<= 50ms`, not `<50ms`");
    expect(HEAD "    budgets: { items_per_second.mean: \"> 1M\" }\n", 5, 40,
           "write `>= 1M`, not `> 1M`");
    /* unquoted `>=`: YAML's folded block, with a hint */
    expect(HEAD "    budgets: { items_per_second.median: >= 1M }\n", 5, 41,
           "quote a budget minimum: \">= 1M\"");
    expect(HEAD "    budgets:\n      items_per_second.median: >= 1M\n", 6, 33,
           "quote a budget minimum");
}

Test(config_errors, percentages)
{
    expect(HEAD "    tolerance: 10\n", 5, 16, "`tolerance` must be a percentage such as 10%");
    expect(HEAD "    tolerance: 10%%\n", 5, 19, "unknown percentage unit");
    expect(HEAD "    tolerance: -5%\n", 5, 16, "must not be negative");
    expect("regression: { threshold: 5 % }\n", 1, 27, "write the number and unit together: 5%");
}

Test(config_errors, duplicates)
{
    expect("version: 1\nbenchmarks:\n  a: { command: ls }\n  a: { command: ls }\n", 4, 3,
           "duplicate benchmark `a` in `benchmarks` (first at line 3)");
    expect(HEAD "    min-runs: 2\n    min_runs: 3\n", 6, 5, "duplicate key `min_runs`");
    expect("version: 1\nversion: 1\n", 2, 1, "duplicate key `version`");
    expect("sizes:\n  a.js: { raw: 1KB }\n  a.js: { raw: 2KB }\n", 3, 3,
           "duplicate pattern `a.js`");
}

/* Mappings of more than 16 keys find duplicates through a hash set: the
 * same first duplicate, the same line of the first copy, '_' read as '-'
 * where keys are normalised, and no allocation left behind (expect). */
Test(config_errors, duplicates_in_long_mappings)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "version: 1\nbenchmarks:\n");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "  b%02d: { command: ls }\n", i);
    snprintf(text + n, sizeof text - n, "  b17: { command: ls }\n  b03: { command: ls }\n");
    expect(text, 43, 3, "duplicate benchmark `b17` in `benchmarks` (first at line 20)");

    n = (size_t)snprintf(text, sizeof text, HEAD "    budgets:\n");
    for (int i = 1; i <= 30; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "      wall.p%d: 5ms\n", i);
    snprintf(text + n, sizeof text - n, "      wall.p7: 6ms\n");
    expect(text, 36, 7, "duplicate budget `wall.p7` in the budgets of benchmark `s` (first at line 12)");

    /* normalised keys: min-runs and min_runs are one key; the (unknown)
     * keys around them are reported too, every one in its place */
    n = (size_t)snprintf(text, sizeof text, HEAD "    min-runs: 2\n");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "    key_%d: 1\n", i);
    snprintf(text + n, sizeof text - n, "    min_runs: 3\n");
    expect(text, 6, 5, "unknown key `key_0` in benchmark `s`");
    pk_diag_list all;
    pk_diag_list_init(&all);
    pk_config *c = NULL;
    cr_assert_eq(pk_config_parse_all(text, strlen(text), "perfkit.yml", &c, &all), PK_EPARSE);
    cr_assert_eq(all.n, PK_DIAG_LIST_MAX);   /* 20 unknown keys + 1 duplicate: 21 */
    cr_assert_eq(all.more, 1);
    cr_assert_eq(all.items[19].line, 25, "%u", all.items[19].line);
    pk_diag_list_clear(&all);
    n = (size_t)snprintf(text, sizeof text, HEAD);
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "    key_%d: 1\n    key-%d: 2\n", i, i);
    expect(text, 5, 5, "unknown key `key_0` in benchmark `s`");
    expect_among(text, 6, 5, "duplicate key `key-0` in benchmark `s` (first at line 5)");
}

Test(config_errors, benchmark_kind)
{
    expect("version: 1\nbenchmarks:\n  a:\n    runs: 3\n", 3, 3,
           "benchmark `a` needs one of `command`, `google-benchmark` or `import`");
    expect("version: 1\nbenchmarks:\n  a:\n", 3, 3, "needs one of `command`");
    expect("version: 1\nbenchmarks:\n  a:\n    command: ls\n    import: x.json\n", 5, 5,
           "benchmark `a` has both `command` and `import` — keep one");
    expect("benchmarks:\n  n: { import: x.json, runs: 3 }\n", 2, 24,
           "`runs` applies to command benchmarks only; benchmark `n` is an import");
    expect("benchmarks:\n  g: { google-benchmark: x, shell: true }\n", 2, 29,
           "`shell` applies to command benchmarks only");
    expect("benchmarks:\n  c: { command: ls, repetitions: 3 }\n", 2, 21,
           "`repetitions` applies to Google Benchmark benchmarks only");
}

Test(config_errors, run_counts)
{
    expect(HEAD "    min-runs: 10\n    max-runs: 5\n", 6, 15,
           "`max-runs` 5 is below `min-runs` 10");
    expect(HEAD "    max-runs: 5\n", 5, 15, "`max-runs` 5 is below `min-runs` 10");
}

Test(config_errors, commands)
{
    expect("benchmarks:\n  c:\n    command: echo 'open\n", 3, 19,
           "`command`: unterminated quote or trailing backslash");
    expect("benchmarks:\n  c:\n    command: ls\n    prepare: \"echo 'x\"\n", 4, 20,
           "`prepare`: unterminated quote");
    expect("benchmarks:\n  c:\n    command: \"  \"\n", 3, 14, "`command` is empty");
}

Test(config_errors, parameters)
{
    expect(HEAD "    parameter-scan: { name: n, from: 1 }\n", 5, 21,
           "`parameter-scan` needs `name`, `from` and `to`");
    expect(HEAD "    parameter-scan: { name: n, from: 5, to: 1 }\n", 5, 38,
           "`from` 5 is greater than `to` 1");
    expect(HEAD "    parameter-scan: { name: n, from: 0.5, to: 1 }\n", 5, 21,
           "non-integer bounds needs `step`");
    expect(HEAD "    parameter-scan: { name: n, from: 1, to: 2, step: 0 }\n", 5, 54,
           "`step` must be greater than 0");
    expect(HEAD "    parameter-scan: { name: n, from: x, to: 2 }\n", 5, 38,
           "`from` must be a decimal number such as 12, 0.5 or 1e3, got `x`");
    expect(HEAD "    parameter-list: { name: n, values: [] }\n", 5, 40,
           "`values` must be a non-empty list");
    expect(HEAD "    parameter-list: { name: n, values: [1]}\n"
                "    parameter-scan: { name: n, from: 1, to: 2 }\n",
           5, 21, "only one of `parameter-scan` and `parameter-list`");
}

Test(config_errors, sizes)
{
    expect("sizes:\n  a.js: {}\n", 2, 3, "size budget `a.js` needs at least one of raw, gzip");
    expect("sizes:\n  a.js:\n", 2, 3, "needs at least one of");
}

Test(config_errors, diag_may_be_null)
{
    pk_config *c = NULL;
    cr_assert_eq(pk_config_parse("version: 3\n", 11, "f", &c, NULL), PK_EPARSE);
    cr_assert_null(c);
    cr_assert_eq(pk_config_parse("x", 1, "f", NULL, NULL), PK_EINVAL);
}

Test(config_errors, nul_and_deep_nesting)
{
    expect("a: \"x\\0y\"\n", 1, 4, "NUL character");
    char deep[400];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "a: ");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    deep[n++] = '\n';
    deep[n] = '\0';
    expect(deep, 1, 4 + 64, "nested deeper than 64 levels");
}

/* Every error of the file in one pass: each benchmark, key and section is
 * read past an error; sorted by position whatever the order of reading
 * (sections are read version, history, regression, benchmarks, sizes). */
Test(config_errors, all_errors_in_one_pass)
{
    const char *text = "version: 1\n"
                       "sizes:\n  \"x.wasm\": { gzp: 10KB }\n"
                       "benchmarks:\n"
                       "  a: { command: ls, runz: 3, budgets: { wall.p95: 50 ms, rss.max: 1x } }\n"
                       "  b: { command: ls, runs: many, warmup: -1 }\n"
                       "  c: { import: x.json, runs: 3 }\n"
                       "regression: { threshold: lots }\n";
    pk_diag_list all;
    pk_diag_list_init(&all);
    pk_config *c = (pk_config *)1;
    pk_err e = pk_config_parse_all(text, strlen(text), "perfkit.yml", &c, &all);
    cr_assert_eq(e, PK_EPARSE);
    cr_assert_null(c);
    static const struct {
        unsigned line;
        const char *frag;
    } want[] = {
        {3, "unknown key `gzp`"}, {5, "unknown key `runz`"}, {5, "unexpected ` ms`"},
        {5, "`rss.max`"},         {6, "`runs` must be a whole number"},
        {6, "`warmup`"},          {7, "`runs` applies to command benchmarks only"},
        {8, "`threshold`"},
    };
    cr_assert_eq(all.n, sizeof want / sizeof want[0], "%zu errors", all.n);
    for (size_t i = 0; i < all.n; i++) {
        cr_assert_eq(all.items[i].line, want[i].line, "error %zu: %s", i, all.items[i].message);
        cr_assert(strstr(all.items[i].message, want[i].frag), "error %zu: %s lacks %s", i,
                  all.items[i].message, want[i].frag);
        if (i)
            cr_assert(all.items[i].line > all.items[i - 1].line ||
                      all.items[i].column > all.items[i - 1].column, "not sorted at %zu", i);
    }
    pk_diag_list_clear(&all);
    fault_arm(-1);
    cr_assert_eq(pk_config_parse_all(text, strlen(text), "perfkit.yml", &c, NULL), PK_EPARSE);
    fault_disarm();
    cr_assert_eq(fault_live(), 0, "leak on the error paths");
    /* pk_config_parse gives the first by position */
    pk_diag d;
    cr_assert_eq(pk_config_parse(text, strlen(text), "perfkit.yml", &c, &d), PK_EPARSE);
    cr_assert_eq(d.line, 3);
    cr_assert(strstr(d.message, "unknown key `gzp`"), "%s", d.message);
}

Test(config_errors, profile)
{
    expect("version: 1\nprofile: on-regresion\n", 2, 10, "did you mean `on-regression`");
    expect("version: 1\nprofile: { when: always, frequency: 0 }\n", 2, 37,
           "`frequency` must be at least 1");
    expect("version: 1\nprofile: { call-graph: lbr }\n", 2, 24, "`call-graph` must be fp or dwarf");
    expect("version: 1\nprofile: { max-time: 0s }\n", 2, 22, "`max-time` must be at least 1ms");
    expect("version: 1\nprofile: { samples: 10 }\n", 2, 12, "expected when, call-graph, frequency, min-samples or max-time");
    expect("version: 1\nbenchmarks:\n  i: { import: x.json, profile: always }\n", 3, 24,
           "`profile` applies to command benchmarks only");
}
