/* resultset.c — benchmark results as named series of raw samples.
 *
 * Benchmarks live in a growable array (core/buf.h), in the order they were
 * added (the order of reports). Names are indexed by a hash table (core/
 * hash.h: name → position, keys borrowed from the benchmarks' own names),
 * kept in step by add and truncate, so finding a name is O(1) whether the
 * set holds three benchmarks or an import of a million. The index counts
 * the benchmarks it covers; a reader that shortened n for a while (tests
 * do) gets a correct, linear answer instead of a stale one. A benchmark's
 * series (a handful) are still found by a linear scan. Series own a copy of
 * their samples so producers can free their buffers at once. */
#include "perfkit/resultset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "perfkit/alloc.h"
#include "perfkit/stats.h"
#include "perfkit/units.h"

struct pk_resultset_index {
    pk__hash names;       /* benches[i].name → i for every i < indexed */
    size_t indexed;
};

pk_err pk_resultset_new(pk_resultset **out)
{
    if (!out)
        return PK_EINVAL;
    *out = pk_calloc(1, sizeof **out);
    return *out ? PK_OK : PK_ENOMEM;
}

static void series_clear(pk_series *s)
{
    pk_free(s->figure);
    pk_free(s->samples);
}

static void bench_clear(pk_bench_data *b)
{
    for (size_t i = 0; i < b->n_series; i++)
        series_clear(&b->series[i]);
    pk_free(b->series);
    pk_free(b->name);
    pk_free(b->primary);
    pk_free(b->error);
    pk_free(b->stderr_tail);
}

void pk_resultset_free(pk_resultset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        bench_clear(&rs->benches[i]);
    pk_free(rs->benches);
    if (rs->index)
        pk__hash_free(&rs->index->names);
    pk_free(rs->index);
    pk_free(rs);
}

pk_bench_data *pk_resultset_find(const pk_resultset *rs, const char *name)
{
    if (!rs || !name)
        return NULL;
    const pk_resultset_index *x = rs->index;
    size_t from = 0;   /* benches[from..n-1] are not in the index */
    if (x && x->indexed <= rs->n) {
        size_t i;
        if (pk__hash_get(&x->names, name, strlen(name), &i))
            return &rs->benches[i];
        from = x->indexed;
    }
    for (size_t i = from; i < rs->n; i++)
        if (strcmp(rs->benches[i].name, name) == 0)
            return &rs->benches[i];
    return NULL;
}

/* Bring the index up to rs->n benchmarks (rebuilt when n went below it).
 * On PK_ENOMEM the index covers a prefix and stays correct. */
static pk_err index_sync(pk_resultset *rs)
{
    if (!rs->index && !(rs->index = pk_calloc(1, sizeof *rs->index)))
        return PK_ENOMEM;
    pk_resultset_index *x = rs->index;
    if (x->indexed > rs->n) {
        pk__hash_clear(&x->names);
        x->indexed = 0;
    }
    for (; rs->benches && x->indexed < rs->n; x->indexed++) {
        const char *name = rs->benches[x->indexed].name;
        if (pk__hash_put(&x->names, name, strlen(name), x->indexed) != PK_OK)
            return PK_ENOMEM;
    }
    return PK_OK;
}

pk_err pk_resultset_add(pk_resultset *rs, const char *name, pk_bench_data **out)
{
    if (out)
        *out = NULL;
    if (!rs || !name || !name[0] || pk_resultset_find(rs, name))
        return PK_EINVAL;
    if (index_sync(rs) != PK_OK)
        return PK_ENOMEM;
    char *copy = pk_strdup(name);
    if (!copy)
        return PK_ENOMEM;
    if (PK__PUSH_ROOM(rs->benches, rs->n, rs->cap) != PK_OK ||
        pk__hash_put(&rs->index->names, copy, strlen(copy), rs->n) != PK_OK) {
        pk_free(copy);
        return PK_ENOMEM;
    }
    rs->index->indexed++;
    pk_bench_data *b = &rs->benches[rs->n++];
    memset(b, 0, sizeof *b);
    b->name = copy;
    if (out)
        *out = b;
    return PK_OK;
}

void pk_resultset_truncate(pk_resultset *rs, size_t n)
{
    if (!rs || n >= rs->n)
        return;
    pk_resultset_index *x = rs->index;
    bool in_step = x && x->indexed == rs->n;
    for (size_t i = n; i < rs->n; i++) {
        pk_bench_data *b = &rs->benches[i];
        if (in_step)
            pk__hash_remove(&x->names, b->name, strlen(b->name));
        bench_clear(b);
    }
    rs->n = n;
    if (x && in_step) {
        x->indexed = n;
    } else if (x) {   /* out of step already: rebuilt by the next add */
        pk__hash_clear(&x->names);
        x->indexed = 0;
    }
}

const pk_series *pk_bench_data_get(const pk_bench_data *b, const char *figure)
{
    if (!b || !figure)
        return NULL;
    for (size_t i = 0; i < b->n_series; i++)
        if (strcmp(b->series[i].figure, figure) == 0)
            return &b->series[i];
    return NULL;
}

pk_err pk_bench_data_put(pk_bench_data *b, const char *figure, pk_unit_kind kind,
                         const double *samples, size_t n)
{
    if (!b || !figure || !figure[0] || !samples || n == 0)
        return PK_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (isnan(samples[i]))
            return PK_EINVAL;
    double *copy = pk_reallocarray(NULL, n, sizeof *copy);
    if (!copy)
        return PK_ENOMEM;
    memcpy(copy, samples, n * sizeof *copy);
    pk_series *s = (pk_series *)pk_bench_data_get(b, figure);
    if (s) {   /* replace */
        pk_free(s->samples);
        s->samples = copy;
        s->n = n;
        s->kind = kind;
        return PK_OK;
    }
    char *name = pk_strdup(figure);
    if (!name || PK__PUSH_ROOM(b->series, b->n_series, b->cap_series) != PK_OK) {
        pk_free(name);
        pk_free(copy);
        return PK_ENOMEM;
    }
    b->series[b->n_series++] = (pk_series){name, kind, copy, n};
    return PK_OK;
}

static pk_err set_string(char **field, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = pk_strdup(value)))
        return PK_ENOMEM;
    pk_free(*field);
    *field = copy;
    return PK_OK;
}

pk_err pk_bench_data_set_primary(pk_bench_data *b, const char *figure)
{
    return b ? set_string(&b->primary, figure) : PK_EINVAL;
}

pk_err pk_bench_data_set_error(pk_bench_data *b, const char *message)
{
    return b ? set_string(&b->error, message) : PK_EINVAL;
}

pk_err pk_bench_data_set_stderr_tail(pk_bench_data *b, const char *tail)
{
    return b ? set_string(&b->stderr_tail, tail) : PK_EINVAL;
}

/* ---- statistics ------------------------------------------------------------ */

/* "p95" → 95; false when s is not "p" + a number in [0, 100]. */
static bool parse_percentile(const char *s, double *p)
{
    if (s[0] != 'p')
        return false;
    size_t len = 0;
    double v;
    if (pk_units_number(s + 1, false, &v, &len) != PK_OK || s[1 + len] ||
        !(v >= 0.0 && v <= 100.0))
        return false;   /* decimal only: "p0x10" is not p16 */
    *p = v;
    return true;
}

bool pk_series_stat_valid(const char *name)
{
    static const char *const names[] = {"mean", "median", "min", "max", "stddev", "mad"};
    double p;
    if (!name)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return parse_percentile(name, &p);
}

pk_err pk_series_stat(const pk_series *s, const char *stat, double *out)
{
    double p;
    if (!s || !stat || !out || s->n == 0 || !pk_series_stat_valid(stat))
        return PK_EINVAL;
    if (parse_percentile(stat, &p))
        return pk_stats_percentile(s->samples, s->n, p, out);
    pk_summary sum;
    pk_err e = pk_stats_summarize(s->samples, s->n, &sum);
    if (e != PK_OK)
        return e;
    if (strcmp(stat, "mean") == 0)
        *out = sum.mean;
    else if (strcmp(stat, "median") == 0)
        *out = sum.median;
    else if (strcmp(stat, "min") == 0)
        *out = sum.min;
    else if (strcmp(stat, "max") == 0)
        *out = sum.max;
    else if (strcmp(stat, "stddev") == 0)
        *out = sum.stddev;
    else
        *out = sum.mad;
    return PK_OK;
}
