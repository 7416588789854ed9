/* store_int.h — the history store's backend interface (module-private).
 *
 * A pk_store is a vtable (struct pk_store_backend) + the backend's state +
 * the last error message. lib/store/store.c checks arguments, holds the
 * backend-neutral rules (how a reference resolves, pins before search) and
 * dispatches; a backend (sqlite*.c, pg*.c) implements storage only.
 * Backend functions receive valid arguments and report errors through
 * pk__store_fail(), which fills the handle's message. */
#ifndef PK_STORE_INT_H
#define PK_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/store.h"

/* Which runs pk_store_backend.latest_run looks at. */
typedef enum pk__store_by {
    PK__STORE_BY_ANY,      /* every run (value unused) */
    PK__STORE_BY_COMMIT,   /* runs whose commit equals value */
    PK__STORE_BY_BRANCH,   /* runs on branch value */
} pk__store_by;

typedef struct pk_store_backend {
    const char *name;                                /* "sqlite" */
    void   (*close)(pk_store *s);                    /* frees s->state */
    /* n >= 1 runs in one transaction; ids set only when all are stored. */
    pk_err (*put_runs)(pk_store *s, pk_run_meta *const metas[], const pk_resultset *const sets[],
                       size_t n);
    pk_err (*get_run)(pk_store *s, int64_t id, pk_run_meta *meta, pk_resultset **rs_out);
    pk_err (*get_bench)(pk_store *s, int64_t id, const char *benchmark,
                        pk_resultset **rs_out);
    /* The run pinned for benchmark, 0 when none. */
    pk_err (*pinned)(pk_store *s, const char *benchmark, int64_t *run_id);
    /* Most recent run < before_id (INT64_MAX: any) with branch / fingerprint
     * (NULL: any) in which benchmark ran without error; 0 when none. */
    pk_err (*search_baseline)(pk_store *s, const char *benchmark, const char *branch,
                              const char *fingerprint, int64_t before_id, int64_t *run_id);
    pk_err (*run_exists)(pk_store *s, int64_t id, bool *exists);
    /* Highest run id selected by `by`, 0 when none. */
    pk_err (*latest_run)(pk_store *s, pk__store_by by, const char *value, int64_t *run_id);
    /* Up to 2 distinct commits starting with prefix (lowercase hex) into
     * found; *n is how many. */
    pk_err (*match_commits)(pk_store *s, const char *prefix, char found[2][41], size_t *n);
    pk_err (*pin)(pk_store *s, int64_t run_id, const char *benchmark);
    pk_err (*unpin)(pk_store *s, const char *benchmark);
    /* stat is valid; limit 0 means all. */
    pk_err (*history)(pk_store *s, const char *benchmark, const char *figure,
                      const char *stat, size_t limit, pk_history_point **points, size_t *n);
    pk_err (*list_runs)(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n);
    pk_err (*list_benchmarks)(pk_store *s, char ***names, size_t *n);
    /* Every pin, sorted by benchmark: names (pk_store_free_names) and run
     * ids (pk_free), *n of each. */
    pk_err (*list_pins)(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n);
    /* Lowest and highest run id and the number of runs (all 0: none). */
    pk_err (*run_span)(pk_store *s, int64_t *first, int64_t *last, int64_t *count);
    /* Distinct non-empty branch names, sorted (pk_store_free_names). */
    pk_err (*list_branches)(pk_store *s, char ***names, size_t *n);
    /* Profiles: data is the compressed stream, size the folded text's
     * length; get answers PK_ENOENT when none is stored. *data from get is
     * the caller's (pk_free). */
    pk_err (*put_profile)(pk_store *s, int64_t run_id, const char *benchmark, const char *kind,
                          const void *data, size_t data_len, size_t size);
    pk_err (*get_profile)(pk_store *s, int64_t run_id, const char *benchmark, const char *kind,
                          void **data, size_t *data_len, size_t *size);
    /* The profiles stored with run_id, sorted: benchmark and kind names
     * (each freed with pk_store_free_names), *n of each. */
    pk_err (*list_profiles)(pk_store *s, int64_t run_id, char ***benchmarks, char ***kinds,
                            size_t *n);
    /* The run with m's commit, start time, branch, fingerprint and host
     * (the same run stored twice, e.g. by an earlier copy), 0 when none. */
    pk_err (*find_run)(pk_store *s, const pk_run_meta *m, int64_t *run_id);
} pk_store_backend;

#define PK__STORE_ERRLEN 512

struct pk_store {
    const pk_store_backend *be;
    void *state;                     /* the backend's */
    char err[PK__STORE_ERRLEN];      /* last error message, "" after success */
    char *name;                      /* pk_store_name */
};

/* url with its password replaced by "***" (in the userinfo and a
 * password= parameter), for every message; caller frees (pk_free). NULL
 * when out of memory. */
char *pk__store_redact(const char *url);

/* Format the handle's last error message and return e. */
pk_err pk__store_fail(pk_store *s, pk_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Open the SQLite history at path into s (s->be, s->state). On error s->err
 * holds the message and s->state is NULL. */
pk_err pk__store_sqlite_open(pk_store *s, const char *path, const pk_store_opts *o);

/* Open the PostgreSQL history at url (postgres:// or postgresql://) into s,
 * as pk__store_sqlite_open (lib/store/pg.c). */
pk_err pk__store_pg_open(pk_store *s, const char *url, const pk_store_opts *o);

#endif
