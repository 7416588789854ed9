/* ingest_util.h — helpers of the ingest unit tests (test_ingest.c,
 * test_ingest_values.c): the data directory ($PK_TEST_DATA), whole-file
 * reads, and ingesting that must succeed or must fail with a located
 * diagnostic and an unchanged set. */
#ifndef PK_TEST_INGEST_UTIL_H
#define PK_TEST_INGEST_UTIL_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/ingest.h"

static inline const char *data(const char *name)
{
    static char buf[4][1024];
    static int k;
    const char *dir = getenv("PK_TEST_DATA");
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/ingest/%s", dir && *dir ? dir : "tests/data", name);
    return b;
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static inline json_t *load(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    return j;
}

static inline pk_resultset *ingest_file_ok(const char *path, const char *prefix)
{
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    pk_diag d = {0};
    char msg[1400];
    pk_err e = pk_ingest_file(path, PK_IMPORT_AUTO, prefix, rs, &d);
    cr_assert_eq(e, PK_OK, "%s: %s", pk_strerror(e), pk_diag_format(&d, msg, sizeof msg));
    return rs;
}

static inline const pk_series *series(const pk_resultset *rs, const char *bench, const char *fig)
{
    const pk_bench_data *b = pk_resultset_find(rs, bench);
    cr_assert_not_null(b, "no benchmark %s", bench);
    return pk_bench_data_get(b, fig);
}

/* Ingest text (AUTO) into rs expecting err; returns the diagnostic. */
static inline pk_diag fails(pk_resultset *rs, const char *text, pk_import_format fmt, pk_err err)
{
    pk_diag d = {0};
    size_t n0 = rs->n;
    pk_err e = pk_ingest_buffer(text, strlen(text), "t.json", fmt, NULL, rs, &d);
    cr_assert_eq(e, err, "expected %s, got %s (%s)", pk_strerror(err), pk_strerror(e), d.message);
    cr_assert_eq(rs->n, n0, "the set changed on error");
    cr_assert_str_eq(d.file, "t.json");
    return d;
}

#endif
