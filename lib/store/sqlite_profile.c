/* sqlite_profile.c — the SQLite backend's profiles table (schema 2):
 * one row per run, benchmark and kind, written in its own IMMEDIATE
 * transaction (a check, not the profile, is what a run stores first; a
 * profile that fails to store leaves the run as it was). A history opened
 * read-only with schema 1 has no table: every lookup answers "none". */
#include <inttypes.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
#include "store/sqlite_int.h"

static pk_err put_in_tx(pk_store *s, int64_t run_id, const char *benchmark, const char *kind,
                        const void *data, size_t data_len, size_t size)
{
    bool exists = false;
    pk_err e = pk__sqlite_run_exists(s, run_id, &exists);
    if (e != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_PUT_PROFILE, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, run_id);
    pk__sqlite_bind_text(st, 2, benchmark);
    pk__sqlite_bind_text(st, 3, kind);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
    sqlite3_bind_blob64(st, 5, data, data_len, SQLITE_STATIC);
    e = pk__sqlite_run_stmt(s, st, "storing a profile");
    sqlite3_clear_bindings(st);
    return e;
}

pk_err pk__sqlite_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                              const char *kind, const void *data, size_t data_len, size_t size)
{
    pk_err e = pk__sqlite_exec(s, SQ_BEGIN, "starting to store a profile");
    if (e != PK_OK)
        return e;
    if ((e = put_in_tx(s, run_id, benchmark, kind, data, data_len, size)) == PK_OK)
        e = pk__sqlite_exec(s, SQ_COMMIT, "committing a profile");
    if (e != PK_OK)
        pk__sqlite_tx_abort(s);
    return e;
}

pk_err pk__sqlite_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                              const char *kind, void **data, size_t *data_len, size_t *size)
{
    pk__sqlite *q = s->state;
    if (q->version < 2)
        return pk__store_fail(s, PK_ENOENT, "no %s profile of '%s' in run %" PRId64, kind,
                              benchmark, run_id);
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_GET_PROFILE, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, run_id);
    pk__sqlite_bind_text(st, 2, benchmark);
    pk__sqlite_bind_text(st, 3, kind);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sqlite3_int64 n = sqlite3_column_int64(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        int bytes = sqlite3_column_bytes(st, 1);
        void *copy = pk_malloc(bytes > 0 ? (size_t)bytes : 1);
        if (!copy) {
            e = pk__store_fail(s, PK_ENOMEM, "out of memory reading a profile");
        } else if (n < 0 || (bytes > 0 && !blob)) {
            pk_free(copy);
            e = pk__store_fail(s, PK_ECORRUPT, "the %s profile of '%s' in run %" PRId64
                               " is damaged", kind, benchmark, run_id);
        } else {
            if (bytes > 0)
                memcpy(copy, blob, (size_t)bytes);
            *data = copy;
            *data_len = (size_t)bytes;
            *size = (size_t)n;
        }
        sqlite3_reset(st);
        return e;
    }
    e = rc == SQLITE_DONE ? pk__store_fail(s, PK_ENOENT, "no %s profile of '%s' in run %" PRId64,
                                           kind, benchmark, run_id)
                          : pk__sqlite_fail(s, rc, "reading a profile");
    sqlite3_reset(st);
    return e;
}

pk_err pk__sqlite_list_profiles(pk_store *s, int64_t run_id, char ***benchmarks, char ***kinds,
                                size_t *n)
{
    *benchmarks = *kinds = NULL;
    *n = 0;
    pk__sqlite *q = s->state;
    if (q->version < 2)
        return PK_OK;
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_LIST_PROFILES, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, run_id);
    char **b = NULL, **k = NULL;
    size_t cnt = 0, cap_b = 0, cap_k = 0;
    int rc = SQLITE_DONE;
    while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pk__grow((void **)&b, &cap_b, cnt + 1, sizeof *b) != PK_OK ||
            pk__grow((void **)&k, &cap_k, cnt + 1, sizeof *k) != PK_OK) {
            e = pk__store_fail(s, PK_ENOMEM, "out of memory listing profiles");
            break;
        }
        b[cnt] = pk_strdup((const char *)sqlite3_column_text(st, 0));
        k[cnt] = pk_strdup((const char *)sqlite3_column_text(st, 1));
        cnt++;
        if (!b[cnt - 1] || !k[cnt - 1])
            e = pk__store_fail(s, PK_ENOMEM, "out of memory listing profiles");
    }
    e = pk__sqlite_rows_end(s, st, e, rc, "listing profiles");
    if (e != PK_OK) {
        pk_store_free_names(b, cnt);
        pk_store_free_names(k, cnt);
        return e;
    }
    *benchmarks = b;
    *kinds = k;
    *n = cnt;
    return PK_OK;
}

pk_err pk__sqlite_find_run(pk_store *s, const pk_run_meta *m, int64_t *run_id)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_FIND_RUN, &e);
    if (!st)
        return e;
    pk__sqlite_bind_text(st, 1, m->commit);
    sqlite3_bind_int64(st, 2, m->started_unix_ns);
    pk__sqlite_bind_text(st, 3, m->branch);
    pk__sqlite_bind_text(st, 4, m->fingerprint);
    pk__sqlite_bind_text(st, 5, m->machine.hostname);
    return pk__sqlite_one_int(s, st, run_id, "looking up a run");
}
