/* sqlite_int.h — what the SQLite backend's files share (module-private):
 * sqlite_open.c creates and opens a history (atomic creation, hot journals,
 * read-only directories); sqlite_schema.c checks a file is ours, connects,
 * migrates, configures and maps errors; sqlite.c holds
 * the statement cache, storing and loading runs and the vtable;
 * sqlite_query.c baselines, references, pins, history and listings. */
#ifndef PK_STORE_SQLITE_INT_H
#define PK_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store_int.h"

/* Prepared statements, cached for the life of the handle (see sq_sql[]). */
typedef enum pk__sq_stmt {
    SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK,
    SQ_INS_RUN, SQ_INS_RESULT, SQ_INS_SERIES,
    SQ_GET_META, SQ_GET_RESULTS, SQ_GET_BENCH,
    SQ_PINNED, SQ_BASE_ANY, SQ_BASE_BRANCH, SQ_BASE_FP, SQ_BASE_BRANCH_FP,
    SQ_RUN_EXISTS, SQ_LATEST, SQ_LATEST_COMMIT, SQ_LATEST_BRANCH, SQ_MATCH_COMMITS,
    SQ_HAS_BENCH, SQ_PIN_ONE, SQ_PIN_ALL, SQ_UNPIN_ONE, SQ_UNPIN_ALL,
    SQ_HISTORY, SQ_LIST_RUNS, SQ_LIST_BENCH, SQ_LIST_PINS, SQ_RUN_SPAN, SQ_LIST_BRANCHES,
    SQ_PUT_PROFILE, SQ_GET_PROFILE, SQ_LIST_PROFILES, SQ_FIND_RUN,
    SQ_N
} pk__sq_stmt;

typedef struct pk__sqlite {
    sqlite3 *db;
    char *path;                  /* for messages */
    int busy_timeout_ms;
    int version;                 /* schema version of the file as opened: a
                                    read-only open may see an older one */
    sqlite3_stmt *stmt[SQ_N];    /* prepared on first use */
    unsigned char *scratch;      /* decode/encode buffer for samples */
    size_t scratch_cap;
} pk__sqlite;

/* The statement id, prepared (first use) and reset; NULL on error (message
 * in s->err, *e set). */
sqlite3_stmt *pk__sqlite_stmt(pk_store *s, pk__sq_stmt id, pk_err *e);

/* Map a SQLite result code to a pk_err and set the message (what: the
 * operation, e.g. "storing the run"). */
pk_err pk__sqlite_fail(pk_store *s, int rc, const char *what);

/* ---- connections and the schema (sqlite_schema.c) ---- */

/* Open a connection to file (a path, or a "file:" URI with
 * SQLITE_OPEN_URI) into q->db with the handle's busy timeout and extended
 * result codes; messages name q->path. */
pk_err pk__sqlite_connect(pk_store *s, const char *file, int flags);
/* Close q->db (NULL is fine); q->db becomes NULL. */
void pk__sqlite_disconnect(pk__sqlite *q);
/* An existing non-empty file must start with the SQLite magic, else
 * PK_ECORRUPT ("not an SQLite database"), the file untouched. */
pk_err pk__sqlite_check_magic(pk_store *s, const char *path);
/* Is the database on q->db ours? *version receives user_version (0: a new,
 * empty database). PK_ECORRUPT when it is not ours, damaged or newer; when
 * reading the header fails, the mapped error, and *rc (may be NULL) the
 * extended SQLite code (SQLITE_OK otherwise). */
pk_err pk__sqlite_check_schema(pk_store *s, int *version, int *rc);
/* The schema version this build writes (user_version). */
int pk__sqlite_schema_version(void);
/* Bring a database at `version` to the current schema in one IMMEDIATE
 * transaction (re-checked under the write lock); no-op when current. */
pk_err pk__sqlite_migrate(pk_store *s, int version);
/* WAL mode (retried while busy) and the read-write connection settings. */
pk_err pk__sqlite_configure(pk_store *s);

/* ---- helpers (sqlite.c) ---- */

/* Step a statement that returns no rows, then reset it. */
pk_err pk__sqlite_run_stmt(pk_store *s, sqlite3_stmt *st, const char *what);
/* The end of a `while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)`
 * loop: e when a row failed, else the failure of the last step unless it was
 * SQLITE_DONE (what: the operation); resets st either way. */
pk_err pk__sqlite_rows_end(pk_store *s, sqlite3_stmt *st, pk_err e, int rc, const char *what);
/* pk__sqlite_stmt + pk__sqlite_run_stmt. */
pk_err pk__sqlite_exec(pk_store *s, pk__sq_stmt id, const char *what);
/* Undo the open transaction, if SQLite has not already; keeps s->err. */
void pk__sqlite_tx_abort(pk_store *s);
/* Copy text column i into dst[len] ("" for NULL), truncating. */
void pk__sqlite_col_text(sqlite3_stmt *st, int i, char *dst, size_t len);
/* Step a single-integer query: *out = column 0 of the first row, 0 if none
 * or NULL; resets st. */
pk_err pk__sqlite_one_int(pk_store *s, sqlite3_stmt *st, int64_t *out, const char *what);
/* Decode columns (kind, n, samples) starting at col into out; the samples
 * live in the handle's scratch buffer until the next decode. */
pk_err pk__sqlite_decode_series(pk_store *s, sqlite3_stmt *st, int col, pk_series *out);
/* Fill *m from a row of META_COLS. */
void pk__sqlite_read_meta(sqlite3_stmt *st, pk_run_meta *m);
pk_err pk__sqlite_run_exists(pk_store *s, int64_t id, bool *exists);

/* Bind a string (borrowed for the step), NULL for NULL. */
static inline void pk__sqlite_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* A LIMIT value: 0 (all) → -1. */
static inline int64_t pk__sqlite_limit(size_t limit)
{
    return limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit;
}

/* ---- operations (sqlite_query.c), as in pk_store_backend ---- */

pk_err pk__sqlite_pinned(pk_store *s, const char *benchmark, int64_t *run_id);
pk_err pk__sqlite_search_baseline(pk_store *s, const char *benchmark, const char *branch,
                                  const char *fingerprint, int64_t before_id,
                                  int64_t *run_id);
pk_err pk__sqlite_latest_run(pk_store *s, pk__store_by by, const char *value,
                             int64_t *run_id);
pk_err pk__sqlite_match_commits(pk_store *s, const char *prefix, char found[2][41],
                                size_t *n);
pk_err pk__sqlite_pin(pk_store *s, int64_t run_id, const char *benchmark);
pk_err pk__sqlite_unpin(pk_store *s, const char *benchmark);
pk_err pk__sqlite_history(pk_store *s, const char *benchmark, const char *figure,
                          const char *stat, size_t limit, pk_history_point **points,
                          size_t *n);
pk_err pk__sqlite_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n);
pk_err pk__sqlite_list_benchmarks(pk_store *s, char ***names, size_t *n);
pk_err pk__sqlite_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n);
pk_err pk__sqlite_run_span(pk_store *s, int64_t *first, int64_t *last, int64_t *count);
pk_err pk__sqlite_list_branches(pk_store *s, char ***names, size_t *n);
pk_err pk__sqlite_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                              const char *kind, const void *data, size_t data_len, size_t size);
pk_err pk__sqlite_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                              const char *kind, void **data, size_t *data_len, size_t *size);

pk_err pk__sqlite_list_profiles(pk_store *s, int64_t run_id, char ***benchmarks, char ***kinds,
                                size_t *n);
pk_err pk__sqlite_find_run(pk_store *s, const pk_run_meta *m, int64_t *run_id);

/* The backend (sqlite.c). */
extern const pk_store_backend pk__sqlite_backend;

#endif
