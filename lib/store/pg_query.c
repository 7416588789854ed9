/* pg_query.c — the PostgreSQL backend's queries: baselines, references,
 * pins, history, listings and profiles.
 *
 * The same index walks as SQLite's (sqlite_query.c): the baseline search
 * is one ORDER BY id DESC LIMIT 1 that the planner answers by walking
 * results(benchmark, run_id) — or runs(branch, fingerprint, id) when a
 * branch or machine is asked for — newest first, probing the other table
 * by key; its cost is the runs skipped, not the size of history. Each
 * statement runs on its own (autocommit) or inside the transaction of a
 * write; pins and profiles are one transaction each. */
#include <inttypes.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
#include "store/pg_int.h"

#define T(name) PG_SCHEMA "." name

pk_err pk__pg_pinned(pk_store *s, const char *benchmark, int64_t *run_id)
{
    pk__pg_params p = {0};
    pk__pg_text(&p, benchmark);
    return pk__pg_one_int(s, "SELECT run_id FROM " T("pins") " WHERE benchmark = $1", &p, run_id,
                          "looking up a pin");
}

pk_err pk__pg_search_baseline(pk_store *s, const char *benchmark, const char *branch,
                              const char *fingerprint, int64_t before_id, int64_t *run_id)
{
    static const char any[] =
        "SELECT run_id FROM " T("results") " WHERE benchmark = $1 AND run_id < $2"
        " AND error IS NULL ORDER BY run_id DESC LIMIT 1";
    static const char by_branch[] =
        "SELECT u.id FROM " T("runs") " u JOIN " T("results") " r ON r.run_id = u.id"
        " AND r.benchmark = $1 AND r.error IS NULL"
        " WHERE u.id < $2 AND u.branch = $3 ORDER BY u.id DESC LIMIT 1";
    static const char by_fp[] =
        "SELECT u.id FROM " T("runs") " u JOIN " T("results") " r ON r.run_id = u.id"
        " AND r.benchmark = $1 AND r.error IS NULL"
        " WHERE u.id < $2 AND u.fingerprint = $3 ORDER BY u.id DESC LIMIT 1";
    static const char by_both[] =
        "SELECT u.id FROM " T("runs") " u JOIN " T("results") " r ON r.run_id = u.id"
        " AND r.benchmark = $1 AND r.error IS NULL"
        " WHERE u.id < $2 AND u.branch = $3 AND u.fingerprint = $4"
        " ORDER BY u.id DESC LIMIT 1";
    pk__pg_params p = {0};
    pk__pg_text(&p, benchmark);
    pk__pg_int(&p, before_id);
    const char *sql = any;
    if (branch && fingerprint) {
        sql = by_both;
        pk__pg_text(&p, branch);
        pk__pg_text(&p, fingerprint);
    } else if (branch) {
        sql = by_branch;
        pk__pg_text(&p, branch);
    } else if (fingerprint) {
        sql = by_fp;
        pk__pg_text(&p, fingerprint);
    }
    return pk__pg_one_int(s, sql, &p, run_id, "looking for a baseline");
}

pk_err pk__pg_latest_run(pk_store *s, pk__store_by by, const char *value, int64_t *run_id)
{
    pk__pg_params p = {0};
    if (by != PK__STORE_BY_ANY)
        pk__pg_text(&p, value);
    const char *sql = by == PK__STORE_BY_COMMIT ? "SELECT max(id) FROM " T("runs")
                                                  " WHERE \"commit\" = $1"
                    : by == PK__STORE_BY_BRANCH ? "SELECT max(id) FROM " T("runs")
                                                  " WHERE branch = $1"
                    : "SELECT max(id) FROM " T("runs");
    return pk__pg_one_int(s, sql, &p, run_id, "resolving a run");
}

pk_err pk__pg_match_commits(pk_store *s, const char *prefix, char found[2][41], size_t *n)
{
    pk__pg_params p = {0};
    pk__pg_text(&p, prefix);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT DISTINCT \"commit\" FROM " T("runs") " WHERE \"commit\""
                           " >= $1 AND \"commit\" < $1 || 'g' LIMIT 2", &p, &r,
                           "resolving a commit");
    *n = 0;
    if (e != PK_OK)
        return e;
    for (int i = 0; i < PQntuples(r) && *n < 2; i++)
        pk__pg_get_text(r, i, 0, found[(*n)++], 41);
    PQclear(r);
    return PK_OK;
}

/* ---- pins ------------------------------------------------------------------ */

static pk_err pin_in_tx(pk_store *s, int64_t run_id, const char *benchmark)
{
    bool exists = false;
    pk_err e = pk__pg_run_exists(s, run_id, &exists);
    if (e != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    if (benchmark) {
        pk__pg_text(&p, benchmark);
        int64_t has = 0;
        if ((e = pk__pg_one_int(s, "SELECT 1::int FROM " T("results") " WHERE run_id = $1 AND "
                                "benchmark = $2", &p, &has, "looking up a benchmark")) != PK_OK)
            return e;
        if (!has)
            return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmark '%s'",
                                  run_id, benchmark);
    }
    PGresult *r = NULL;
    e = pk__pg_exec(s, benchmark ? "INSERT INTO " T("pins") "(benchmark, run_id) VALUES($2, $1)"
                                   " ON CONFLICT (benchmark) DO UPDATE SET run_id = $1"
                                 : "INSERT INTO " T("pins") "(benchmark, run_id) SELECT "
                                   "benchmark, run_id FROM " T("results") " WHERE run_id = $1"
                                   " ON CONFLICT (benchmark) DO UPDATE SET run_id = $1",
                    &p, &r, "pinning a baseline");
    if (e != PK_OK)
        return e;
    bool none = strcmp(PQcmdTuples(r), "0") == 0;
    PQclear(r);
    if (!benchmark && none)
        return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmarks to pin",
                              run_id);
    return PK_OK;
}

pk_err pk__pg_pin(pk_store *s, int64_t run_id, const char *benchmark)
{
    pk_err e = pk__pg_begin(s, false, "starting to pin");
    if (e != PK_OK)
        return e;
    if ((e = pin_in_tx(s, run_id, benchmark)) == PK_OK)
        e = pk__pg_commit(s, "committing a pin");
    if (e != PK_OK)
        pk__pg_abort(s);
    return e;
}

pk_err pk__pg_unpin(pk_store *s, const char *benchmark)
{
    pk__pg_params p = {0};
    if (benchmark)
        pk__pg_text(&p, benchmark);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, benchmark ? "DELETE FROM " T("pins") " WHERE benchmark = $1"
                                        : "DELETE FROM " T("pins"), &p, &r, "removing a pin");
    if (e != PK_OK)
        return e;
    bool none = strcmp(PQcmdTuples(r), "0") == 0;
    PQclear(r);
    if (benchmark && none)
        return pk__store_fail(s, PK_ENOENT, "no baseline is pinned for '%s'", benchmark);
    return PK_OK;
}

/* ---- history and listings -------------------------------------------------- */

pk_err pk__pg_history(pk_store *s, const char *benchmark, const char *figure,
                      const char *stat, size_t limit, pk_history_point **points, size_t *n)
{
    pk__pg_params p = {0};
    pk__pg_text(&p, benchmark);
    pk__pg_text(&p, figure);
    if (limit == 0 || limit > (size_t)INT64_MAX)
        pk__pg_text(&p, NULL);   /* LIMIT NULL: all */
    else
        pk__pg_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT u.id, u.started_unix_ns, u.\"commit\", u.branch, "
                           "u.dirty, s.kind, s.n, s.samples FROM " T("results") " r JOIN "
                           T("series") " s ON s.result_id = r.id AND s.figure = $2 JOIN "
                           T("runs") " u ON u.id = r.run_id WHERE r.benchmark = $1 "
                           "ORDER BY r.run_id DESC LIMIT $3::bigint", &p, &r,
                           "loading history");
    if (e != PK_OK)
        return e;
    size_t cnt = (size_t)PQntuples(r);
    pk_history_point *pts = pk_calloc(cnt ? cnt : 1, sizeof *pts);
    if (!pts) {
        PQclear(r);
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading history");
    }
    for (size_t i = 0; e == PK_OK && i < cnt; i++) {
        int row = (int)(cnt - 1 - i);   /* newest first → oldest first */
        pk_history_point *pt = &pts[i];
        pk_series se = {.figure = (char *)figure};
        if ((e = pk__pg_decode_series(s, r, row, 5, &se)) != PK_OK)
            break;
        pt->run_id = pk__pg_get_int(r, row, 0);
        pt->started_unix_ns = pk__pg_get_int(r, row, 1);
        pk__pg_get_text(r, row, 2, pt->commit, sizeof pt->commit);
        pk__pg_get_text(r, row, 3, pt->branch, sizeof pt->branch);
        pt->dirty = pk__pg_get_int(r, row, 4) != 0;
        pt->n = se.n;
        if ((e = pk_series_stat(&se, stat, &pt->value)) != PK_OK)
            e = e == PK_ENOMEM ? pk__store_fail(s, PK_ENOMEM, "out of memory computing history")
                               : pk__store_fail(s, PK_ECORRUPT, "history: cannot compute %s "
                                                "of run %" PRId64, stat, pt->run_id);
    }
    PQclear(r);
    if (e != PK_OK) {
        pk_free(pts);
        return e;
    }
    *points = pts;
    *n = cnt;
    return PK_OK;
}

pk_err pk__pg_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n)
{
    pk__pg_params p = {0};
    if (limit == 0 || limit > (size_t)INT64_MAX)
        pk__pg_text(&p, NULL);
    else
        pk__pg_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT " PG_META_COLS " FROM " T("runs") " ORDER BY id DESC "
                           "LIMIT $1::bigint", &p, &r, "listing runs");
    if (e != PK_OK)
        return e;
    size_t cnt = (size_t)PQntuples(r);
    pk_run_meta *out = pk_calloc(cnt ? cnt : 1, sizeof *out);
    if (!out) {
        PQclear(r);
        return pk__store_fail(s, PK_ENOMEM, "out of memory listing runs");
    }
    for (size_t i = 0; i < cnt; i++)
        pk__pg_read_meta(r, (int)i, &out[i]);
    PQclear(r);
    *runs = out;
    *n = cnt;
    return PK_OK;
}

/* Column 0 of every row of sql as names; column 1 into *ids (when ids is
 * not NULL) as numbers, or into *names2 (when names2 is not NULL). */
static pk_err list_names(pk_store *s, const char *sql, const pk__pg_params *p,
                         const char *what, char ***names, int64_t **ids, char ***names2,
                         size_t *n)
{
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, sql, p, &r, what);
    if (e != PK_OK)
        return e;
    size_t cnt = (size_t)PQntuples(r), done = 0;
    char **out = pk_calloc(cnt ? cnt : 1, sizeof *out);
    char **out2 = names2 ? pk_calloc(cnt ? cnt : 1, sizeof *out2) : NULL;
    int64_t *nums = ids ? pk_calloc(cnt ? cnt : 1, sizeof *nums) : NULL;
    bool ok = out && (!names2 || out2) && (!ids || nums);
    for (; ok && done < cnt; done++) {
        if ((out[done] = pk_strdup(PQgetvalue(r, (int)done, 0))))
            pk__pg_unescape(out[done]);
        if (names2 && (out2[done] = pk_strdup(PQgetvalue(r, (int)done, 1))))
            pk__pg_unescape(out2[done]);
        if (ids)
            nums[done] = pk__pg_get_int(r, (int)done, 1);
        ok = out[done] && (!names2 || out2[done]);
    }
    PQclear(r);
    if (!ok) {
        pk_store_free_names(out, out ? done : 0);
        pk_store_free_names(out2, out2 ? done : 0);
        pk_free(nums);
        return pk__store_fail(s, PK_ENOMEM, "out of memory %s", what);
    }
    *names = out;
    if (ids)
        *ids = nums;
    if (names2)
        *names2 = out2;
    *n = cnt;
    return PK_OK;
}

pk_err pk__pg_list_benchmarks(pk_store *s, char ***names, size_t *n)
{
    /* DISTINCT by skipping through the index: one probe per name */
    return list_names(s, "WITH RECURSIVE b(name) AS ("
                      " SELECT min(benchmark) FROM " T("results") " UNION ALL"
                      " SELECT (SELECT min(benchmark) FROM " T("results")
                      " WHERE benchmark > b.name) FROM b WHERE b.name IS NOT NULL)"
                      " SELECT name FROM b WHERE name IS NOT NULL", NULL,
                      "listing benchmarks", names, NULL, NULL, n);
}

pk_err pk__pg_list_branches(pk_store *s, char ***names, size_t *n)
{
    return list_names(s, "WITH RECURSIVE b(name) AS ("
                      " SELECT min(branch) FROM " T("runs") " UNION ALL"
                      " SELECT (SELECT min(branch) FROM " T("runs") " WHERE branch > b.name)"
                      " FROM b WHERE b.name IS NOT NULL)"
                      " SELECT name FROM b WHERE name IS NOT NULL AND name <> ''", NULL,
                      "listing branches", names, NULL, NULL, n);
}

pk_err pk__pg_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n)
{
    return list_names(s, "SELECT benchmark, run_id FROM " T("pins") " ORDER BY benchmark",
                      NULL, "listing pins", benchmarks, run_ids, NULL, n);
}

pk_err pk__pg_list_profiles(pk_store *s, int64_t run_id, char ***benchmarks, char ***kinds,
                            size_t *n)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    return list_names(s, "SELECT benchmark, kind FROM " T("profiles") " WHERE run_id = $1"
                      " ORDER BY benchmark, kind", &p, "listing profiles", benchmarks, NULL,
                      kinds, n);
}

pk_err pk__pg_run_span(pk_store *s, int64_t *first, int64_t *last, int64_t *count)
{
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT min(id), max(id), count(*) FROM " T("runs"), NULL, &r,
                           "counting runs");
    *first = *last = *count = 0;
    if (e != PK_OK)
        return e;
    if (PQntuples(r) > 0) {
        *first = pk__pg_get_int(r, 0, 0);
        *last = pk__pg_get_int(r, 0, 1);
        *count = pk__pg_get_int(r, 0, 2);
    }
    PQclear(r);
    return PK_OK;
}

pk_err pk__pg_find_run(pk_store *s, const pk_run_meta *m, int64_t *run_id)
{
    pk__pg_params p = {0};
    pk__pg_text(&p, m->commit);
    pk__pg_int(&p, m->started_unix_ns);
    pk__pg_text(&p, m->branch);
    pk__pg_text(&p, m->fingerprint);
    pk__pg_text(&p, m->machine.hostname);
    return pk__pg_one_int(s, "SELECT min(id) FROM " T("runs") " WHERE \"commit\" = $1 AND "
                          "started_unix_ns = $2 AND branch = $3 AND fingerprint = $4 AND "
                          "hostname = $5", &p, run_id, "looking up a run");
}

/* ---- profiles ------------------------------------------------------------- */

pk_err pk__pg_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                          const char *kind, const void *data, size_t data_len, size_t size)
{
    if (data_len > INT32_MAX)
        return pk__store_fail(s, PK_EINVAL, "put_profile: %zu bytes is too large", data_len);
    bool exists = false;
    pk_err e = pk__pg_run_exists(s, run_id, &exists);
    if (e != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    pk__pg_text(&p, benchmark);
    pk__pg_text(&p, kind);
    pk__pg_int(&p, (int64_t)size);
    pk__pg_bytes(&p, data, data_len);
    e = pk__pg_exec(s, "INSERT INTO " T("profiles") "(run_id, benchmark, kind, size, data) "
                    "VALUES($1, $2, $3, $4, $5) ON CONFLICT (run_id, benchmark, kind) DO UPDATE"
                    " SET size = EXCLUDED.size, data = EXCLUDED.data", &p, NULL,
                    "storing a profile");
    if (e == PK_EINVAL)   /* the run went away between the two statements */
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    return e;
}

pk_err pk__pg_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                          const char *kind, void **data, size_t *data_len, size_t *size)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    pk__pg_text(&p, benchmark);
    pk__pg_text(&p, kind);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT size, data FROM " T("profiles") " WHERE run_id = $1 AND "
                           "benchmark = $2 AND kind = $3", &p, &r, "reading a profile");
    if (e != PK_OK)
        return e;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return pk__store_fail(s, PK_ENOENT, "no %s profile of '%s' in run %" PRId64, kind,
                              benchmark, run_id);
    }
    int64_t n = pk__pg_get_int(r, 0, 0);
    int bytes = PQgetlength(r, 0, 1);
    void *copy = pk_malloc(bytes > 0 ? (size_t)bytes : 1);
    if (!copy) {
        e = pk__store_fail(s, PK_ENOMEM, "out of memory reading a profile");
    } else if (n < 0) {
        pk_free(copy);
        e = pk__store_fail(s, PK_ECORRUPT, "the %s profile of '%s' in run %" PRId64
                           " is damaged", kind, benchmark, run_id);
    } else {
        if (bytes > 0)
            memcpy(copy, PQgetvalue(r, 0, 1), (size_t)bytes);
        *data = copy;
        *data_len = (size_t)bytes;
        *size = (size_t)n;
    }
    PQclear(r);
    return e;
}
