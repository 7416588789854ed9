/* pg_int.h — what the PostgreSQL backend's files share (module-private):
 * pg.c connects, checks the database is ours, migrates, maps errors and
 * stores and loads runs; pg_param.c holds statement parameters and result
 * values; pg_query.c holds baselines, references, pins,
 * history, listings and profiles. Every table lives in the schema
 * "perfkit" of the database the URL names (PG_SCHEMA). */
#ifndef PK_STORE_PG_INT_H
#define PK_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store_int.h"

#define PG_SCHEMA "perfkit"
#define PG_MAX_PARAMS 16

typedef struct pk__pg {
    PGconn *conn;
    char *name;          /* the URL without its password, for messages */
    int lock_timeout_ms;
    bool read_only;
    bool in_tx;          /* a transaction of ours is open */
    unsigned char *scratch;   /* decoded samples */
    size_t scratch_cap;
    char *text;               /* a text column turned back (pk__pg_str) */
    size_t text_cap;
} pk__pg;

/* Parameters of one statement: text (numbers are printed), or binary
 * bytes (samples, profiles). Values are borrowed until the statement ran. */
typedef struct pk__pg_params {
    int n;
    const char *val[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS];
    int fmt[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24];
} pk__pg_params;

void pk__pg_text(pk__pg_params *p, const char *v);            /* NULL → SQL NULL */
void pk__pg_int(pk__pg_params *p, int64_t v);
void pk__pg_bytes(pk__pg_params *p, const void *v, size_t len);

/* v as text the server takes: NULL when v is well-formed UTF-8, else a
 * copy (pk_free) with each stray byte 0xNN as U+F7NN; *oom is set when
 * the copy cannot be made (pg_param.c). pk__pg_unescape turns those
 * characters back into bytes in place; pk__pg_str is a text column so
 * turned back: the result's own value, or the handle's buffer (valid
 * until the next call), NULL when out of memory. */
char *pk__pg_utf8_text(const char *v, bool *oom);
void pk__pg_unescape(char *s);
const char *pk__pg_str(pk_store *s, const PGresult *r, int row, int col);

/* Run sql with p (may be NULL), results in binary. On PK_OK *res (may be
 * NULL: cleared here) holds the result for the caller to PQclear; on error
 * the message is set (what: the operation) and nothing needs clearing. */
pk_err pk__pg_exec(pk_store *s, const char *sql, const pk__pg_params *p, PGresult **res,
                   const char *what);
/* A single-integer query: *out = column 0 of row 0, 0 when no row or NULL. */
pk_err pk__pg_one_int(pk_store *s, const char *sql, const pk__pg_params *p, int64_t *out,
                      const char *what);

/* Binary column values: an integer of 1 (bool), 2, 4 or 8 bytes; NULL is 0. */
int64_t pk__pg_get_int(const PGresult *r, int row, int col);
/* Text column into dst[len] ("" for NULL), truncating, turned back
 * (pk__pg_unescape). */
void pk__pg_get_text(const PGresult *r, int row, int col, char *dst, size_t len);

/* Transactions: BEGIN (and, with lock, the history's write lock: writers
 * queue, ids ascend in commit order), COMMIT, and ROLLBACK keeping s->err. */
pk_err pk__pg_begin(pk_store *s, bool lock, const char *what);
pk_err pk__pg_commit(pk_store *s, const char *what);
void pk__pg_abort(pk_store *s);

pk_err pk__pg_run_exists(pk_store *s, int64_t id, bool *exists);

/* ---- operations (pg_query.c), as in pk_store_backend ---- */

pk_err pk__pg_pinned(pk_store *s, const char *benchmark, int64_t *run_id);
pk_err pk__pg_search_baseline(pk_store *s, const char *benchmark, const char *branch,
                              const char *fingerprint, int64_t before_id, int64_t *run_id);
pk_err pk__pg_latest_run(pk_store *s, pk__store_by by, const char *value, int64_t *run_id);
pk_err pk__pg_match_commits(pk_store *s, const char *prefix, char found[2][41], size_t *n);
pk_err pk__pg_pin(pk_store *s, int64_t run_id, const char *benchmark);
pk_err pk__pg_unpin(pk_store *s, const char *benchmark);
pk_err pk__pg_history(pk_store *s, const char *benchmark, const char *figure,
                      const char *stat, size_t limit, pk_history_point **points, size_t *n);
pk_err pk__pg_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n);
pk_err pk__pg_list_benchmarks(pk_store *s, char ***names, size_t *n);
pk_err pk__pg_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n);
pk_err pk__pg_run_span(pk_store *s, int64_t *first, int64_t *last, int64_t *count);
pk_err pk__pg_list_branches(pk_store *s, char ***names, size_t *n);
pk_err pk__pg_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                          const char *kind, const void *data, size_t data_len, size_t size);
pk_err pk__pg_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                          const char *kind, void **data, size_t *data_len, size_t *size);
pk_err pk__pg_list_profiles(pk_store *s, int64_t run_id, char ***benchmarks, char ***kinds,
                            size_t *n);
pk_err pk__pg_find_run(pk_store *s, const pk_run_meta *m, int64_t *run_id);

/* Decode a series row (kind, n, samples at col..col+2) into out; samples
 * in a buffer of the handle valid until the next decode. */
pk_err pk__pg_decode_series(pk_store *s, const PGresult *r, int row, int col, pk_series *out);
/* Fill *m from row of the META_COLS columns. */
void pk__pg_read_meta(const PGresult *r, int row, pk_run_meta *m);

#define PG_META_COLS "id, started_unix_ns, \"commit\", branch, dirty, perfkit_version, " \
                     "cpu_model, cores, kernel, arch, hostname, mem_bytes, fingerprint, " \
                     "config_hash"

extern const pk_store_backend pk__pg_backend;

#endif
