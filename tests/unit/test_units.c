/* Unit tests for lib/core/units.c. */
#include <criterion/criterion.h>
#include <string.h>
#include "perfkit/units.h"

static double parse_ok(const char *s, pk_unit_kind k)
{
    double v = -1;
    size_t col = 99;
    cr_assert_eq(pk_units_parse(s, k, &v, &col), PK_OK, "parse %s", s);
    return v;
}

static size_t parse_bad(const char *s, pk_unit_kind k)
{
    double v = -1;
    size_t col = 99;
    cr_assert_eq(pk_units_parse(s, k, &v, &col), PK_EPARSE, "parse %s should fail", s);
    cr_assert_eq(v, -1);
    return col;
}

Test(units, durations)
{
    cr_assert_float_eq(parse_ok("12ms", PK_UNIT_DURATION), 12e6, 1e-6);
    cr_assert_float_eq(parse_ok("12.5ms", PK_UNIT_DURATION), 12.5e6, 1e-6);
    cr_assert_float_eq(parse_ok("1.5s", PK_UNIT_DURATION), 1.5e9, 1e-3);
    cr_assert_float_eq(parse_ok("250us", PK_UNIT_DURATION), 250e3, 1e-6);
    cr_assert_float_eq(parse_ok("7ns", PK_UNIT_DURATION), 7, 1e-9);
    cr_assert_float_eq(parse_ok("2m", PK_UNIT_DURATION), 120e9, 1);
}

Test(units, sizes_and_counts)
{
    cr_assert_float_eq(parse_ok("5MiB", PK_UNIT_SIZE), 5.0 * 1048576, 1e-6);
    cr_assert_float_eq(parse_ok("100KB", PK_UNIT_SIZE), 100e3, 1e-6);
    cr_assert_float_eq(parse_ok("1.2G", PK_UNIT_COUNT), 1.2e9, 1e-3);
    cr_assert_float_eq(parse_ok("42", PK_UNIT_COUNT), 42, 1e-9);
    cr_assert_float_eq(parse_ok("5%", PK_UNIT_PERCENT), 0.05, 1e-12);
}

Test(units, errors_point_at_the_column)
{
    cr_assert_eq(parse_bad("50 ms", PK_UNIT_DURATION), 2);
    cr_assert_eq(parse_bad("50mss", PK_UNIT_DURATION), 4);
    cr_assert_eq(parse_bad("ms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad("12", PK_UNIT_DURATION), 2);
    cr_assert_eq(parse_bad("-3ms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad("5MB/s", PK_UNIT_SIZE), 3);
    parse_bad("", PK_UNIT_COUNT);
    cr_assert_eq(parse_bad("1e0302s", PK_UNIT_DURATION), 0);   /* found by fuzz_units */
}

Test(units, formatting)
{
    char b[32];
    cr_assert_str_eq(pk_units_format_duration(12.41e6, 0, b, sizeof b), "12.41 ms");
    cr_assert_str_eq(pk_units_format_duration(812.3e3, 1, b, sizeof b), "812.3 us");
    cr_assert_str_eq(pk_units_format_duration(1.2034e9, 0, b, sizeof b), "1.203 s");
    cr_assert_str_eq(pk_units_format_duration(15, 0, b, sizeof b), "15.0 ns");
    cr_assert_str_eq(pk_units_format_size(64.0 * 1048576, b, sizeof b), "64.0 MiB");
    cr_assert_str_eq(pk_units_format_size(512, b, sizeof b), "512 B");
    cr_assert_str_eq(pk_units_format_count(1234567890, b, sizeof b), "1.235 G");
}
