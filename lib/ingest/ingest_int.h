/* ingest_int.h — what the ingest readers (ingest_*.c) share; not public API.
 *
 * jansson keeps no source positions per value, so a reader names the place
 * of a semantic error as a JSON path (keys and array indices); ingest.c
 * walks the text along that path to turn it into line:column. A reader adds
 * benchmarks straight into the caller's set; ingest.c rolls the set back
 * when the reader fails, so the set is unchanged on any error. */
#ifndef PK_CHECK_INGEST_INT_H
#define PK_CHECK_INGEST_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/hash.h"
#include "perfkit/ingest.h"

/* One step of a JSON path: an object key, or (key NULL) an array index. */
typedef struct pk__jstep {
    const char *key;
    size_t index;
} pk__jstep;

#define PK__JPATH_MAX 8

typedef struct pk__jpath {
    pk__jstep step[PK__JPATH_MAX];
    size_t n;
} pk__jpath;

/* One ingest call: the text (for positions), names, and where to add. */
typedef struct pk__ingest {
    const char *text;     /* as written (a UTF-8 BOM left out): positions count here */
    size_t len;
    const char *name;     /* input name for diagnostics, never NULL */
    const char *prefix;   /* NULL or "" for none */
    pk_resultset *rs;
    pk_diag *diag;        /* may be NULL */
    size_t n0;            /* benchmarks rs had before this call */
    pk__jpath results;    /* the reader's list of benchmarks: where "no benchmark
                             results" points (the root until a reader sets it) */
    pk__hash copies;      /* a name given more than once → the last k of its
                             "name #k" (keys: the first copy's name in rs) */
} pk__ingest;

/* Path builders: return p for chaining; steps past PK__JPATH_MAX are dropped
 * (the position then names the deepest kept step). */
pk__jpath *pk__ingest_key(pk__jpath *p, const char *key);
pk__jpath *pk__ingest_idx(pk__jpath *p, size_t index);

/* Report a semantic error at the value path p points to (or, when the text
 * lacks part of the path, at the deepest part it has). Returns PK_EPARSE. */
pk_err pk__ingest_fail(pk__ingest *g, const pk__jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report an allocation failure. Returns PK_ENOMEM. */
pk_err pk__ingest_nomem(pk__ingest *g);

/* Add benchmark "<prefix>/<bench>" to the set; the path p (of its name
 * field) locates the error when the name is empty or was in the set before
 * this call (PK_EPARSE). A name this call already added gets " #2", " #3",
 * ... (the first of those free): the same command twice in one file.
 * Errors: PK_EPARSE, PK_ENOMEM. */
pk_err pk__ingest_add(pk__ingest *g, const char *bench, const pk__jpath *p, pk_bench_data **out);

/* v as a number: a JSON number, or NaN / Infinity / -Infinity / -NaN, which
 * pk_ingest_buffer turns into strings of that spelling before jansson (strict
 * JSON) parses the text. false for anything else. */
bool pk__ingest_value(const json_t *v, double *out);

/* The member key of obj as a number (pk__ingest_value: NaN and infinities
 * included, the caller judges them); path p names obj. Absent or null:
 * *present false, PK_OK (unless required: PK_EPARSE). Any other type:
 * PK_EPARSE at the member. */
pk_err pk__ingest_number(pk__ingest *g, const json_t *obj, const char *key, const pk__jpath *p,
                         bool required, double *out, bool *present);

/* The member key of obj, which must be an array; path p names obj. Absent:
 * PK_EPARSE at obj, "missing `key`" followed by hint (NULL for none). Any
 * other type: PK_EPARSE at the member. On PK_OK *arr is the array and *at
 * (which may be p itself) the path of the member. */
pk_err pk__ingest_array(pk__ingest *g, const json_t *obj, const char *key, const char *hint,
                        const pk__jpath *p, const json_t **arr, pk__jpath *at);

/* What a series' samples may be (the rules of perfkit/ingest.h). A value
 * that is NaN or infinite (also after unit conversion) is always rejected. */
enum {
    PK__NONNEG = 1u,    /* no negative value */
    PK__NONZERO = 2u,   /* not every value 0 */
    PK__ELAPSED = PK__NONNEG | PK__NONZERO,   /* wall / real time, memory, iterations */
    PK__CPU = PK__NONNEG,                     /* CPU times, counts */
};

/* Check raw (as written) and v (raw in perfkit's unit) of the value named
 * what at path p against rules: PK_EPARSE at p when it fails. */
pk_err pk__ingest_check(pk__ingest *g, const pk__jpath *p, const char *what, double raw,
                        double v, unsigned rules);

/* The PK__NONZERO rule over a whole series: PK_EPARSE at p (its first
 * value) when every one of v[0..n-1] is 0. */
pk_err pk__ingest_check_zero(pk__ingest *g, const pk__jpath *p, const char *what,
                             const double *v, size_t n, unsigned rules);

/* "a string", "an array", ... for messages about a value's type. */
const char *pk__ingest_type_name(const json_t *v);

/* The readers: root is the parsed document. */
pk_err pk__ingest_perfkit(pk__ingest *g, const json_t *root);
pk_err pk__ingest_hyperfine(pk__ingest *g, const json_t *root);
pk_err pk__ingest_gbench(pk__ingest *g, const json_t *root);

#endif
