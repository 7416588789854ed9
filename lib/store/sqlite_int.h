/* sqlite_int.h — state shared by the SQLite backend's two files
 * (sqlite_schema.c: open, checks, migrations, statement cache and error
 * mapping; sqlite.c: the operations). Module-private. */
#ifndef PK_STORE_SQLITE_INT_H
#define PK_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "store/store_int.h"

/* Prepared statements, cached for the life of the handle (see sq_sql[]). */
typedef enum pk__sq_stmt {
    SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK,
    SQ_INS_RUN, SQ_INS_RESULT, SQ_INS_SERIES,
    SQ_GET_META, SQ_GET_RESULTS, SQ_GET_BENCH,
    SQ_PINNED, SQ_BASE_ANY, SQ_BASE_BRANCH, SQ_BASE_FP, SQ_BASE_BRANCH_FP,
    SQ_RUN_EXISTS, SQ_LATEST, SQ_LATEST_COMMIT, SQ_LATEST_BRANCH, SQ_MATCH_COMMITS,
    SQ_HAS_BENCH, SQ_PIN_ONE, SQ_PIN_ALL, SQ_UNPIN_ONE, SQ_UNPIN_ALL,
    SQ_HISTORY, SQ_LIST_RUNS, SQ_LIST_BENCH,
    SQ_N
} pk__sq_stmt;

typedef struct pk__sqlite {
    sqlite3 *db;
    char *path;                  /* for messages */
    int busy_timeout_ms;
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

/* The backend's operations (sqlite.c). */
extern const pk_store_backend pk__sqlite_backend;

#endif
