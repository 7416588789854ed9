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
}

/* Overflow is "out of range" (PK_ERANGE), not an unknown unit: before, 1e400
 * overflowed in strtod and the error pointed past the number at "ms". */
Test(units, too_large_is_out_of_range)
{
    double v = -1;
    size_t col = 99;
    cr_assert_eq(pk_units_parse("1e400ms", PK_UNIT_DURATION, &v, &col), PK_ERANGE);
    cr_assert_eq(col, 0);
    cr_assert_eq(v, -1);
    cr_assert_eq(pk_units_parse("1e0302s", PK_UNIT_DURATION, &v, &col), PK_ERANGE); /* scaled */
    cr_assert_eq(pk_units_parse("1e309GiB", PK_UNIT_SIZE, &v, &col), PK_ERANGE);
    cr_assert_eq(pk_units_parse("1e999%", PK_UNIT_PERCENT, &v, &col), PK_ERANGE);
    cr_assert_eq(pk_units_parse("1e400", PK_UNIT_COUNT, &v, &col), PK_ERANGE);
    cr_assert_eq(v, -1);
    /* too small is a tiny number, not an error */
    cr_assert_float_eq(parse_ok("1e-400ms", PK_UNIT_DURATION), 0, 1e-300);
}

/* Decimal only: strtod alone read "0x10ms" as 16 ms and "infms" as a number. */
Test(units, only_decimal_numbers)
{
    cr_assert_eq(parse_bad("0x10ms", PK_UNIT_DURATION), 1);
    cr_assert_eq(parse_bad("0X1p3s", PK_UNIT_DURATION), 1);
    cr_assert_eq(parse_bad("0x10", PK_UNIT_COUNT), 1);
    cr_assert_eq(parse_bad("0x10%", PK_UNIT_PERCENT), 1);
    cr_assert_eq(parse_bad("0x1p10B", PK_UNIT_SIZE), 1);
    cr_assert_eq(parse_bad("infms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad("inf", PK_UNIT_COUNT), 0);
    cr_assert_eq(parse_bad("nan%", PK_UNIT_PERCENT), 0);
    cr_assert_eq(parse_bad("+5ms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad(" 5ms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad("5ms ", PK_UNIT_DURATION), 3);
    cr_assert_eq(parse_bad(".ms", PK_UNIT_DURATION), 0);
    cr_assert_eq(parse_bad("1e+ms", PK_UNIT_DURATION), 1);   /* "e" without digits: a unit */
    cr_assert_float_eq(parse_ok(".5ms", PK_UNIT_DURATION), 0.5e6, 1e-6);
    cr_assert_float_eq(parse_ok("5.ms", PK_UNIT_DURATION), 5e6, 1e-6);
    cr_assert_float_eq(parse_ok("1e3ms", PK_UNIT_DURATION), 1e9, 1e-3);
    cr_assert_float_eq(parse_ok("2.5E-3s", PK_UNIT_DURATION), 2.5e6, 1e-6);
    cr_assert_float_eq(parse_ok("1e3", PK_UNIT_COUNT), 1e3, 1e-9);
    cr_assert_float_eq(parse_ok("007ms", PK_UNIT_DURATION), 7e6, 1e-6);
}

Test(units, number)
{
    double v = -1;
    size_t len = 99;
    cr_assert_eq(pk_units_number("12.5e1ms", false, &v, &len), PK_OK);
    cr_assert_eq(len, 6);
    cr_assert_float_eq(v, 125, 1e-9);
    cr_assert_eq(pk_units_number("-2", true, &v, &len), PK_OK);
    cr_assert_eq(len, 2);
    cr_assert_float_eq(v, -2, 1e-9);
    cr_assert_eq(pk_units_number("+.5", true, &v, &len), PK_OK);
    cr_assert_eq(len, 3);
    cr_assert_eq(pk_units_number("-2", false, &v, &len), PK_EPARSE);
    cr_assert_eq(len, 0);
    cr_assert_eq(pk_units_number("0x10", false, &v, &len), PK_OK);   /* the "0" only */
    cr_assert_eq(len, 1);
    cr_assert_float_eq(v, 0, 1e-9);
    v = 7;
    cr_assert_eq(pk_units_number("inf", true, &v, &len), PK_EPARSE);
    cr_assert_eq(pk_units_number("nan", true, &v, &len), PK_EPARSE);
    cr_assert_eq(pk_units_number("", true, &v, &len), PK_EPARSE);
    cr_assert_eq(pk_units_number("-", true, &v, &len), PK_EPARSE);
    cr_assert_eq(pk_units_number("-1e400", true, &v, &len), PK_ERANGE);
    cr_assert_eq(len, 6);
    cr_assert_eq(v, 7);
    cr_assert_eq(pk_units_number(NULL, true, &v, &len), PK_EINVAL);
    cr_assert_eq(pk_units_number("3", false, NULL, NULL), PK_OK);
    /* a number longer than the stack copy goes through the heap */
    char big[400];
    memset(big, '1', 300);
    strcpy(big + 300, ".5e-290s");
    cr_assert_eq(pk_units_number(big, false, &v, &len), PK_OK);
    cr_assert_eq(len, 307);
    cr_assert_float_eq(v, 1.11111111e9, 1e2);
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
