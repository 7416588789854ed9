/* sqlite.c — the SQLite history backend: statement cache, storing and
 * loading runs, the backend vtable.
 *
 * Every statement is prepared once per handle (SQLITE_PREPARE_PERSISTENT)
 * and reset right after use, so no read transaction outlives a call (an
 * open one would pin the WAL and block checkpoints). Writes are one
 * BEGIN IMMEDIATE transaction each: the write lock is taken up front, so a
 * concurrent writer waits out the busy timeout instead of failing on
 * upgrade; pk_store_put_runs stores several runs in that one transaction,
 * so a failure rolls back all of them. Samples are stored as a BLOB of
 * little-endian doubles — exact round trip, 8 bytes a sample, no parsing.
 * Opening and the schema are in sqlite_schema.c, queries in
 * sqlite_query.c. SQLite keeps its own allocator: rerouting it through
 * pk_malloc would need process-wide sqlite3_config(), which is not a
 * library's to change under an application that also uses SQLite. */
#include <inttypes.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
#include "store/sqlite_int.h"

#define META_COLS "id, started_unix_ns, \"commit\", branch, dirty, perfkit_version, " \
                  "cpu_model, cores, kernel, arch, hostname, mem_bytes, fingerprint, config_hash"
#define RESULT_COLS "r.id, r.benchmark, r.primary_figure, r.error, s.figure, s.kind, s.n, " \
                    "s.samples FROM results r LEFT JOIN series s ON s.result_id = r.id "
/* Baseline search. Without filters: walk results(benchmark, run_id) newest
 * first. With a branch and/or fingerprint: walk that runs index newest first
 * (CROSS JOIN fixes the order), starting at the benchmark's newest result,
 * found in O(log n) — a branch or machine with no runs, or a benchmark no run
 * has, answers at once instead of walking history. */
#define BASELINE_ANY "SELECT r.run_id FROM results r " \
                     "WHERE r.benchmark = ?1 AND r.run_id < ?2 AND r.error IS NULL " \
                     "ORDER BY r.run_id DESC LIMIT 1"
#define BASELINE_BY(filter) "SELECT u.id FROM runs u CROSS JOIN results r " \
    "WHERE " filter " AND u.id <= (SELECT max(run_id) FROM results " \
    "WHERE benchmark = ?1 AND run_id < ?2) AND r.run_id = u.id AND r.benchmark = ?1 " \
    "AND r.error IS NULL ORDER BY u.id DESC LIMIT 1"

static const char *const sq_sql[SQ_N] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_INS_RUN] = "INSERT INTO runs(started_unix_ns, \"commit\", branch, dirty, "
                   "perfkit_version, cpu_model, cores, kernel, arch, hostname, mem_bytes, "
                   "fingerprint, config_hash) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [SQ_INS_RESULT] = "INSERT INTO results(run_id, benchmark, primary_figure, error) "
                      "VALUES(?1, ?2, ?3, ?4)",
    [SQ_INS_SERIES] = "INSERT INTO series(result_id, figure, kind, n, samples) "
                      "VALUES(?1, ?2, ?3, ?4, ?5)",
    [SQ_GET_META] = "SELECT " META_COLS " FROM runs WHERE id = ?1",
    [SQ_GET_RESULTS] = "SELECT " RESULT_COLS "WHERE r.run_id = ?1 ORDER BY r.id, s.rowid",
    [SQ_GET_BENCH] = "SELECT " RESULT_COLS "WHERE r.run_id = ?1 AND r.benchmark = ?2 "
                     "ORDER BY s.rowid",
    [SQ_PINNED] = "SELECT run_id FROM pins WHERE benchmark = ?1",
    [SQ_BASE_ANY] = BASELINE_ANY,
    [SQ_BASE_BRANCH] = BASELINE_BY("u.branch = ?3"),
    [SQ_BASE_FP] = BASELINE_BY("u.fingerprint = ?4"),
    [SQ_BASE_BRANCH_FP] = BASELINE_BY("u.branch = ?3 AND u.fingerprint = ?4"),
    [SQ_RUN_EXISTS] = "SELECT 1 FROM runs WHERE id = ?1",
    [SQ_LATEST] = "SELECT max(id) FROM runs",
    [SQ_LATEST_COMMIT] = "SELECT max(id) FROM runs WHERE \"commit\" = ?1",
    [SQ_LATEST_BRANCH] = "SELECT max(id) FROM runs WHERE branch = ?1",
    [SQ_MATCH_COMMITS] = "SELECT DISTINCT \"commit\" FROM runs "
                         "WHERE \"commit\" >= ?1 AND \"commit\" < ?1 || 'g' LIMIT 2",
    [SQ_HAS_BENCH] = "SELECT 1 FROM results WHERE run_id = ?1 AND benchmark = ?2",
    [SQ_PIN_ONE] = "INSERT OR REPLACE INTO pins(benchmark, run_id) VALUES(?2, ?1)",
    [SQ_PIN_ALL] = "INSERT OR REPLACE INTO pins(benchmark, run_id) "
                   "SELECT benchmark, run_id FROM results WHERE run_id = ?1",
    [SQ_UNPIN_ONE] = "DELETE FROM pins WHERE benchmark = ?1",
    [SQ_UNPIN_ALL] = "DELETE FROM pins",
    [SQ_HISTORY] = "SELECT u.id, u.started_unix_ns, u.\"commit\", u.branch, u.dirty, "
                   "s.kind, s.n, s.samples FROM results r "
                   "JOIN series s ON s.result_id = r.id AND s.figure = ?2 "
                   "JOIN runs u ON u.id = r.run_id "
                   "WHERE r.benchmark = ?1 ORDER BY r.run_id DESC LIMIT ?3",
    [SQ_LIST_RUNS] = "SELECT " META_COLS " FROM runs ORDER BY id DESC LIMIT ?1",
    /* DISTINCT by skipping through the index: one probe per name, not per row */
    [SQ_LIST_BENCH] = "WITH RECURSIVE b(name) AS ("
                      " SELECT min(benchmark) FROM results UNION ALL"
                      " SELECT (SELECT min(benchmark) FROM results WHERE benchmark > b.name)"
                      " FROM b WHERE b.name IS NOT NULL)"
                      " SELECT name FROM b WHERE name IS NOT NULL",
    [SQ_LIST_PINS] = "SELECT benchmark, run_id FROM pins ORDER BY benchmark",
    [SQ_RUN_SPAN] = "SELECT min(id), max(id), count(*) FROM runs",
    /* the same skip through runs_branch: one probe per branch */
    [SQ_LIST_BRANCHES] = "WITH RECURSIVE b(name) AS ("
                         " SELECT min(branch) FROM runs UNION ALL"
                         " SELECT (SELECT min(branch) FROM runs WHERE branch > b.name)"
                         " FROM b WHERE b.name IS NOT NULL)"
                         " SELECT name FROM b WHERE name IS NOT NULL AND name != ''",
    [SQ_PUT_PROFILE] = "INSERT OR REPLACE INTO profiles(run_id, benchmark, kind, size, data) "
                       "VALUES(?1, ?2, ?3, ?4, ?5)",
    [SQ_GET_PROFILE] = "SELECT size, data FROM profiles "
                       "WHERE run_id = ?1 AND benchmark = ?2 AND kind = ?3",
    [SQ_LIST_PROFILES] = "SELECT benchmark, kind FROM profiles WHERE run_id = ?1 "
                         "ORDER BY benchmark, kind",
    [SQ_FIND_RUN] = "SELECT min(id) FROM runs WHERE \"commit\" = ?1 AND started_unix_ns = ?2 "
                    "AND branch = ?3 AND fingerprint = ?4 AND hostname = ?5",
};

sqlite3_stmt *pk__sqlite_stmt(pk_store *s, pk__sq_stmt id, pk_err *e)
{
    pk__sqlite *q = s->state;
    if (q->stmt[id]) {
        sqlite3_reset(q->stmt[id]);
        return q->stmt[id];
    }
    int rc = sqlite3_prepare_v3(q->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                &q->stmt[id], NULL);
    if (rc != SQLITE_OK) {
        *e = pk__sqlite_fail(s, rc, "preparing a query");
        q->stmt[id] = NULL;
        return NULL;
    }
    return q->stmt[id];
}

static void sq_close(pk_store *s)
{
    pk__sqlite *q = s->state;
    if (!q)
        return;
    for (int i = 0; i < SQ_N; i++)
        sqlite3_finalize(q->stmt[i]);
    sqlite3_close_v2(q->db);
    pk_free(q->scratch);
    pk_free(q->path);
    pk_free(q);
    s->state = NULL;
}

/* ---- small helpers -------------------------------------------------------- */

/* Step a statement that returns no rows, then reset it. */
pk_err pk__sqlite_run_stmt(pk_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PK_OK : pk__sqlite_fail(s, rc, what);
}

pk_err pk__sqlite_rows_end(pk_store *s, sqlite3_stmt *st, pk_err e, int rc, const char *what)
{
    if (e == PK_OK && rc != SQLITE_DONE)
        e = pk__sqlite_fail(s, rc, what);
    sqlite3_reset(st);
    return e;
}

pk_err pk__sqlite_exec(pk_store *s, pk__sq_stmt id, const char *what)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, id, &e);
    return st ? pk__sqlite_run_stmt(s, st, what) : e;
}

/* Undo the open transaction, if SQLite has not already. */
void pk__sqlite_tx_abort(pk_store *s)
{
    pk__sqlite *q = s->state;
    if (!sqlite3_get_autocommit(q->db)) {
        char keep[PK__STORE_ERRLEN];
        memcpy(keep, s->err, sizeof keep);
        pk__sqlite_exec(s, SQ_ROLLBACK, "rolling back");
        memcpy(s->err, keep, sizeof keep);
    }
}

/* Copy text column i into dst[len] ("" for NULL), truncating. */
void pk__sqlite_col_text(sqlite3_stmt *st, int i, char *dst, size_t len)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    size_t n = v ? strlen(v) : 0;
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

/* Single-integer query result: *out = column 0 of the first row, 0 if none
 * or NULL. */
pk_err pk__sqlite_one_int(pk_store *s, sqlite3_stmt *st, int64_t *out, const char *what)
{
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PK_OK : pk__sqlite_fail(s, rc, what);
}

/* ---- samples: n little-endian doubles ------------------------------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PK_HOST_LE 1
#else
#define PK_HOST_LE 0
#endif

static pk_err bind_samples(pk_store *s, sqlite3_stmt *st, int i, const pk_series *se)
{
    sqlite3_uint64 bytes = (sqlite3_uint64)se->n * 8u;
    if (PK_HOST_LE) {
        sqlite3_bind_blob64(st, i, se->samples, bytes, SQLITE_STATIC);
        return PK_OK;
    }
    pk__sqlite *q = s->state;
    if (pk__grow((void **)&q->scratch, &q->scratch_cap, bytes, 1) != PK_OK)
        return pk__store_fail(s, PK_ENOMEM, "out of memory storing samples");
    for (size_t k = 0; k < se->n; k++) {
        uint64_t u;
        memcpy(&u, &se->samples[k], 8);
        for (int b = 0; b < 8; b++)
            q->scratch[k * 8 + (size_t)b] = (unsigned char)(u >> (8 * b));
    }
    sqlite3_bind_blob64(st, i, q->scratch, bytes, SQLITE_STATIC);
    return PK_OK;
}

/* Decode columns (kind, n, samples) starting at col into a series whose
 * samples live in the scratch buffer until the next decode. */
pk_err pk__sqlite_decode_series(pk_store *s, sqlite3_stmt *st, int col, pk_series *out)
{
    pk__sqlite *q = s->state;
    int64_t kind = sqlite3_column_int64(st, col);
    int64_t n = sqlite3_column_int64(st, col + 1);
    const unsigned char *blob = sqlite3_column_blob(st, col + 2);
    int64_t bytes = sqlite3_column_bytes(st, col + 2);
    if (kind < PK_UNIT_DURATION || kind > PK_UNIT_PERCENT || n <= 0 || !blob ||
        bytes != n * 8)
        return pk__store_fail(s, PK_ECORRUPT, "history %s is damaged: a series has "
                              "%" PRId64 " bytes for %" PRId64 " samples", q->path, bytes, n);
    if (pk__grow((void **)&q->scratch, &q->scratch_cap, (size_t)bytes, 1) != PK_OK)
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading samples");
    if (PK_HOST_LE) {
        memcpy(q->scratch, blob, (size_t)bytes);
    } else {
        for (int64_t k = 0; k < n; k++) {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--)
                u = u << 8 | blob[k * 8 + b];
            memcpy(q->scratch + k * 8, &u, 8);
        }
    }
    out->kind = (pk_unit_kind)kind;
    out->n = (size_t)n;
    out->samples = (double *)(void *)q->scratch;   /* pk_realloc'd: aligned */
    return PK_OK;
}

/* ---- storing a run ---------------------------------------------------------- */

static pk_err put_bench(pk_store *s, int64_t run_id, const pk_bench_data *b)
{
    pk__sqlite *q = s->state;
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_INS_RESULT, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, run_id);
    pk__sqlite_bind_text(st, 2, b->name);
    pk__sqlite_bind_text(st, 3, b->primary);
    pk__sqlite_bind_text(st, 4, b->error);
    if ((e = pk__sqlite_run_stmt(s, st, "storing a result")) != PK_OK)
        return e;
    int64_t result_id = sqlite3_last_insert_rowid(q->db);
    for (size_t i = 0; i < b->n_series; i++) {
        const pk_series *se = &b->series[i];
        if (!(st = pk__sqlite_stmt(s, SQ_INS_SERIES, &e)))
            return e;
        sqlite3_bind_int64(st, 1, result_id);
        pk__sqlite_bind_text(st, 2, se->figure);
        sqlite3_bind_int(st, 3, (int)se->kind);
        sqlite3_bind_int64(st, 4, (int64_t)se->n);
        if ((e = bind_samples(s, st, 5, se)) != PK_OK ||
            (e = pk__sqlite_run_stmt(s, st, "storing samples")) != PK_OK)
            return e;
    }
    return PK_OK;
}

static pk_err put_meta(pk_store *s, const pk_run_meta *m, int64_t *run_id)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_INS_RUN, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, m->started_unix_ns);
    pk__sqlite_bind_text(st, 2, m->commit);
    pk__sqlite_bind_text(st, 3, m->branch);
    sqlite3_bind_int(st, 4, m->dirty);
    pk__sqlite_bind_text(st, 5, m->perfkit_version);
    pk__sqlite_bind_text(st, 6, m->machine.cpu_model);
    sqlite3_bind_int(st, 7, m->machine.cores);
    pk__sqlite_bind_text(st, 8, m->machine.kernel);
    pk__sqlite_bind_text(st, 9, m->machine.arch);
    pk__sqlite_bind_text(st, 10, m->machine.hostname);
    sqlite3_bind_int64(st, 11, (int64_t)m->machine.mem_bytes);
    pk__sqlite_bind_text(st, 12, m->fingerprint);
    pk__sqlite_bind_text(st, 13, m->config_hash);
    if ((e = pk__sqlite_run_stmt(s, st, "storing the run")) != PK_OK)
        return e;
    *run_id = sqlite3_last_insert_rowid(((pk__sqlite *)s->state)->db);
    return PK_OK;
}

static pk_err sq_put_runs(pk_store *s, pk_run_meta *const metas[],
                          const pk_resultset *const sets[], size_t n)
{
    int64_t ids[2] = {0, 0}, *run_id = n <= 2 ? ids : NULL;
    if (!run_id && !(run_id = pk_calloc(n, sizeof *run_id)))
        return pk__store_fail(s, PK_ENOMEM, "out of memory storing %zu runs", n);
    pk_err e = pk__sqlite_exec(s, SQ_BEGIN, n > 1 ? "starting to store the runs"
                                                  : "starting to store the run");
    if (e != PK_OK)
        goto done;
    for (size_t k = 0; e == PK_OK && k < n; k++) {
        run_id[k] = 0;
        e = put_meta(s, metas[k], &run_id[k]);
        for (size_t i = 0; e == PK_OK && i < sets[k]->n; i++)
            e = put_bench(s, run_id[k], &sets[k]->benches[i]);
    }
    if (e == PK_OK)
        e = pk__sqlite_exec(s, SQ_COMMIT, n > 1 ? "committing the runs" : "committing the run");
    if (e != PK_OK) {
        pk__sqlite_tx_abort(s);   /* none of the n runs stays */
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        metas[k]->id = run_id[k];
done:
    if (run_id != ids)
        pk_free(run_id);
    return e;
}

/* ---- loading -------------------------------------------------------------- */

void pk__sqlite_read_meta(sqlite3_stmt *st, pk_run_meta *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->started_unix_ns = sqlite3_column_int64(st, 1);
    pk__sqlite_col_text(st, 2, m->commit, sizeof m->commit);
    pk__sqlite_col_text(st, 3, m->branch, sizeof m->branch);
    m->dirty = sqlite3_column_int(st, 4) != 0;
    pk__sqlite_col_text(st, 5, m->perfkit_version, sizeof m->perfkit_version);
    pk__sqlite_col_text(st, 5, m->machine.perfkit_version, sizeof m->machine.perfkit_version);
    pk__sqlite_col_text(st, 6, m->machine.cpu_model, sizeof m->machine.cpu_model);
    m->machine.cores = sqlite3_column_int(st, 7);
    pk__sqlite_col_text(st, 8, m->machine.kernel, sizeof m->machine.kernel);
    pk__sqlite_col_text(st, 9, m->machine.arch, sizeof m->machine.arch);
    pk__sqlite_col_text(st, 10, m->machine.hostname, sizeof m->machine.hostname);
    m->machine.mem_bytes = (uint64_t)sqlite3_column_int64(st, 11);
    pk__sqlite_col_text(st, 12, m->fingerprint, sizeof m->fingerprint);
    pk__sqlite_col_text(st, 13, m->config_hash, sizeof m->config_hash);
}

/* A loaded value the result set rejects: out of memory, or damage. */
static pk_err rs_fail(pk_store *s, pk_err e, int64_t run_id)
{
    if (e == PK_ENOMEM)
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading run %" PRId64, run_id);
    return pk__store_fail(s, PK_ECORRUPT, "history %s is damaged: run %" PRId64
                          " has an invalid result", ((pk__sqlite *)s->state)->path, run_id);
}

/* One row of RESULT_COLS into rs; *cur tracks the result id being filled. */
static pk_err load_row(pk_store *s, sqlite3_stmt *st, int64_t run_id, pk_resultset *rs,
                       int64_t *cur)
{
    pk_err e;
    int64_t result_id = sqlite3_column_int64(st, 0);
    if (result_id != *cur) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *primary = (const char *)sqlite3_column_text(st, 2);
        const char *error = (const char *)sqlite3_column_text(st, 3);
        pk_bench_data *b = NULL;
        if ((e = pk_resultset_add(rs, name, &b)) != PK_OK ||
            (primary && (e = pk_bench_data_set_primary(b, primary)) != PK_OK) ||
            (error && (e = pk_bench_data_set_error(b, error)) != PK_OK))
            return rs_fail(s, e, run_id);
        *cur = result_id;
    }
    const char *figure = (const char *)sqlite3_column_text(st, 4);
    if (!figure)   /* a benchmark without series (failed) */
        return PK_OK;
    pk_series se = {0};
    if ((e = pk__sqlite_decode_series(s, st, 5, &se)) != PK_OK)
        return e;
    pk_bench_data *b = &rs->benches[rs->n - 1];
    if ((e = pk_bench_data_put(b, figure, se.kind, se.samples, se.n)) != PK_OK)
        return rs_fail(s, e, run_id);
    return PK_OK;
}

/* Step st (bound) to the end, building a result set; *rows counts rows. */
static pk_err load_results(pk_store *s, sqlite3_stmt *st, int64_t run_id,
                           pk_resultset **out, size_t *rows)
{
    pk_resultset *rs = NULL;
    pk_err e = pk_resultset_new(&rs);
    if (e != PK_OK) {
        sqlite3_reset(st);
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading run %" PRId64, run_id);
    }
    int64_t cur = 0;
    int rc = SQLITE_DONE;
    *rows = 0;
    while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ++*rows;
        e = load_row(s, st, run_id, rs, &cur);
    }
    e = pk__sqlite_rows_end(s, st, e, rc, "loading a run");
    if (e != PK_OK) {
        pk_resultset_free(rs);
        return e;
    }
    *out = rs;
    return PK_OK;
}

static pk_err sq_get_run(pk_store *s, int64_t id, pk_run_meta *meta, pk_resultset **rs_out)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_GET_META, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && meta)
        pk__sqlite_read_meta(st, meta);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    if (rc != SQLITE_ROW)
        return pk__sqlite_fail(s, rc, "loading a run");
    if (!rs_out)
        return PK_OK;
    if (!(st = pk__sqlite_stmt(s, SQ_GET_RESULTS, &e)))
        return e;
    sqlite3_bind_int64(st, 1, id);
    size_t rows;
    return load_results(s, st, id, rs_out, &rows);
}

pk_err pk__sqlite_run_exists(pk_store *s, int64_t id, bool *exists)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_RUN_EXISTS, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, id);
    int64_t one = 0;
    e = pk__sqlite_one_int(s, st, &one, "looking up a run");
    *exists = one == 1;
    return e;
}

static pk_err sq_get_bench(pk_store *s, int64_t id, const char *benchmark,
                           pk_resultset **rs_out)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_GET_BENCH, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, id);
    pk__sqlite_bind_text(st, 2, benchmark);
    size_t rows = 0;
    pk_resultset *rs = NULL;
    if ((e = load_results(s, st, id, &rs, &rows)) != PK_OK)
        return e;
    if (rows > 0) {
        *rs_out = rs;
        return PK_OK;
    }
    pk_resultset_free(rs);
    bool exists = false;
    if ((e = pk__sqlite_run_exists(s, id, &exists)) != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmark '%s'", id,
                          benchmark);
}

const pk_store_backend pk__sqlite_backend = {
    .name = "sqlite",
    .close = sq_close,
    .put_runs = sq_put_runs,
    .get_run = sq_get_run,
    .get_bench = sq_get_bench,
    .pinned = pk__sqlite_pinned,
    .search_baseline = pk__sqlite_search_baseline,
    .run_exists = pk__sqlite_run_exists,
    .latest_run = pk__sqlite_latest_run,
    .match_commits = pk__sqlite_match_commits,
    .pin = pk__sqlite_pin,
    .unpin = pk__sqlite_unpin,
    .history = pk__sqlite_history,
    .list_runs = pk__sqlite_list_runs,
    .list_benchmarks = pk__sqlite_list_benchmarks,
    .put_profile = pk__sqlite_put_profile,
    .get_profile = pk__sqlite_get_profile,
    .list_pins = pk__sqlite_list_pins,
    .run_span = pk__sqlite_run_span,
    .list_branches = pk__sqlite_list_branches,
    .list_profiles = pk__sqlite_list_profiles,
    .find_run = pk__sqlite_find_run,
};
