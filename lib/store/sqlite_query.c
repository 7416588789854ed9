/* sqlite_query.c — the SQLite backend's queries: baselines, references,
 * pins, history and listings.
 *
 * Every lookup is an index walk that stops early: the baseline search walks
 * results(benchmark, run_id) newest first and checks each run by primary
 * key, so it costs the number of runs skipped, not the size of history;
 * history takes the last `limit` rows of the same walk and computes the
 * statistic from the decoded samples (pk_series_stat), then reverses them to
 * oldest first. Pins and unpins are IMMEDIATE transactions like put_run. */
#include <inttypes.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
#include "store/sqlite_int.h"

pk_err pk__sqlite_pinned(pk_store *s, const char *benchmark, int64_t *run_id)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_PINNED, &e);
    if (!st)
        return e;
    pk__sqlite_bind_text(st, 1, benchmark);
    return pk__sqlite_one_int(s, st, run_id, "looking up a pin");
}

pk_err pk__sqlite_search_baseline(pk_store *s, const char *benchmark, const char *branch,
                                 const char *fingerprint, int64_t before_id, int64_t *run_id)
{
    pk__sq_stmt id = branch ? (fingerprint ? SQ_BASE_BRANCH_FP : SQ_BASE_BRANCH)
                            : (fingerprint ? SQ_BASE_FP : SQ_BASE_ANY);
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, id, &e);
    if (!st)
        return e;
    pk__sqlite_bind_text(st, 1, benchmark);
    sqlite3_bind_int64(st, 2, before_id);
    if (branch)
        pk__sqlite_bind_text(st, 3, branch);
    if (fingerprint)
        pk__sqlite_bind_text(st, 4, fingerprint);
    return pk__sqlite_one_int(s, st, run_id, "looking for a baseline");
}

pk_err pk__sqlite_latest_run(pk_store *s, pk__store_by by, const char *value, int64_t *run_id)
{
    pk__sq_stmt id = by == PK__STORE_BY_COMMIT ? SQ_LATEST_COMMIT
                   : by == PK__STORE_BY_BRANCH ? SQ_LATEST_BRANCH : SQ_LATEST;
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, id, &e);
    if (!st)
        return e;
    if (by != PK__STORE_BY_ANY)
        pk__sqlite_bind_text(st, 1, value);
    return pk__sqlite_one_int(s, st, run_id, "resolving a run");
}

pk_err pk__sqlite_match_commits(pk_store *s, const char *prefix, char found[2][41], size_t *n)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_MATCH_COMMITS, &e);
    if (!st)
        return e;
    pk__sqlite_bind_text(st, 1, prefix);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < 2)
        pk__sqlite_col_text(st, 0, found[(*n)++], 41);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PK_OK
                                                 : pk__sqlite_fail(s, rc, "resolving a commit");
}

/* ---- pins ------------------------------------------------------------------ */

static pk_err pin_in_tx(pk_store *s, int64_t run_id, const char *benchmark)
{
    pk__sqlite *q = s->state;
    bool exists = false;
    pk_err e = pk__sqlite_run_exists(s, run_id, &exists);
    if (e != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    sqlite3_stmt *st;
    if (benchmark) {
        int64_t has = 0;
        if (!(st = pk__sqlite_stmt(s, SQ_HAS_BENCH, &e)))
            return e;
        sqlite3_bind_int64(st, 1, run_id);
        pk__sqlite_bind_text(st, 2, benchmark);
        if ((e = pk__sqlite_one_int(s, st, &has, "looking up a benchmark")) != PK_OK)
            return e;
        if (!has)
            return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmark '%s'",
                                  run_id, benchmark);
    }
    if (!(st = pk__sqlite_stmt(s, benchmark ? SQ_PIN_ONE : SQ_PIN_ALL, &e)))
        return e;
    sqlite3_bind_int64(st, 1, run_id);
    if (benchmark)
        pk__sqlite_bind_text(st, 2, benchmark);
    if ((e = pk__sqlite_run_stmt(s, st, "pinning a baseline")) != PK_OK)
        return e;
    if (!benchmark && sqlite3_changes(q->db) == 0)
        return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmarks to pin",
                              run_id);
    return PK_OK;
}

pk_err pk__sqlite_pin(pk_store *s, int64_t run_id, const char *benchmark)
{
    pk_err e = pk__sqlite_exec(s, SQ_BEGIN, "starting to pin");
    if (e != PK_OK)
        return e;
    if ((e = pin_in_tx(s, run_id, benchmark)) == PK_OK)
        e = pk__sqlite_exec(s, SQ_COMMIT, "committing a pin");
    if (e != PK_OK)
        pk__sqlite_tx_abort(s);
    return e;
}

pk_err pk__sqlite_unpin(pk_store *s, const char *benchmark)
{
    pk__sqlite *q = s->state;
    pk_err e = pk__sqlite_exec(s, SQ_BEGIN, "starting to unpin");
    if (e != PK_OK)
        return e;
    sqlite3_stmt *st = pk__sqlite_stmt(s, benchmark ? SQ_UNPIN_ONE : SQ_UNPIN_ALL, &e);
    if (st) {
        if (benchmark)
            pk__sqlite_bind_text(st, 1, benchmark);
        if ((e = pk__sqlite_run_stmt(s, st, "removing a pin")) == PK_OK && benchmark &&
            sqlite3_changes(q->db) == 0)
            e = pk__store_fail(s, PK_ENOENT, "no baseline is pinned for '%s'", benchmark);
    }
    if (e == PK_OK)
        e = pk__sqlite_exec(s, SQ_COMMIT, "committing an unpin");
    if (e != PK_OK)
        pk__sqlite_tx_abort(s);
    return e;
}

/* ---- history and listings -------------------------------------------------- */

static pk_err history_point(pk_store *s, sqlite3_stmt *st, const char *figure,
                            const char *stat, pk_history_point *p)
{
    pk_series se = {.figure = (char *)figure};
    pk_err e = pk__sqlite_decode_series(s, st, 5, &se);
    if (e != PK_OK)
        return e;
    memset(p, 0, sizeof *p);
    p->run_id = sqlite3_column_int64(st, 0);
    p->started_unix_ns = sqlite3_column_int64(st, 1);
    pk__sqlite_col_text(st, 2, p->commit, sizeof p->commit);
    pk__sqlite_col_text(st, 3, p->branch, sizeof p->branch);
    p->dirty = sqlite3_column_int(st, 4) != 0;
    p->n = se.n;
    if ((e = pk_series_stat(&se, stat, &p->value)) != PK_OK)
        return e == PK_ENOMEM
                   ? pk__store_fail(s, PK_ENOMEM, "out of memory computing history")
                   : pk__store_fail(s, PK_ECORRUPT, "history: cannot compute %s of run %"
                                    PRId64, stat, p->run_id);
    return PK_OK;
}

pk_err pk__sqlite_history(pk_store *s, const char *benchmark, const char *figure,
                         const char *stat, size_t limit, pk_history_point **points, size_t *n)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_HISTORY, &e);
    if (!st)
        return e;
    pk__sqlite_bind_text(st, 1, benchmark);
    pk__sqlite_bind_text(st, 2, figure);
    sqlite3_bind_int64(st, 3, pk__sqlite_limit(limit));
    pk_history_point *pts = NULL;
    size_t cnt = 0, cap = 0;
    int rc = SQLITE_DONE;
    while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pk__grow((void **)&pts, &cap, cnt + 1, sizeof *pts) != PK_OK)
            e = pk__store_fail(s, PK_ENOMEM, "out of memory loading history");
        else if ((e = history_point(s, st, figure, stat, &pts[cnt])) == PK_OK)
            cnt++;
    }
    e = pk__sqlite_rows_end(s, st, e, rc, "loading history");
    if (e != PK_OK) {
        pk_free(pts);
        return e;
    }
    for (size_t i = 0; i < cnt / 2; i++) {   /* newest first → oldest first */
        pk_history_point t = pts[i];
        pts[i] = pts[cnt - 1 - i];
        pts[cnt - 1 - i] = t;
    }
    *points = pts;
    *n = cnt;
    return PK_OK;
}

pk_err pk__sqlite_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_LIST_RUNS, &e);
    if (!st)
        return e;
    sqlite3_bind_int64(st, 1, pk__sqlite_limit(limit));
    pk_run_meta *out = NULL;
    size_t cnt = 0, cap = 0;
    int rc = SQLITE_DONE;
    while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pk__grow((void **)&out, &cap, cnt + 1, sizeof *out) != PK_OK)
            e = pk__store_fail(s, PK_ENOMEM, "out of memory listing runs");
        else
            pk__sqlite_read_meta(st, &out[cnt++]);
    }
    e = pk__sqlite_rows_end(s, st, e, rc, "listing runs");
    if (e != PK_OK) {
        pk_free(out);
        return e;
    }
    *runs = out;
    *n = cnt;
    return PK_OK;
}

/* Column 0 of every row of statement id, as names; ids into *ids (when
 * not NULL) from column 1. */
static pk_err list_names(pk_store *s, pk__sq_stmt id, const char *what, char ***names,
                         int64_t **ids, size_t *n)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, id, &e);
    if (!st)
        return e;
    char **out = NULL;
    int64_t *nums = NULL;
    size_t cnt = 0, cap = 0, cap_ids = 0;
    int rc = SQLITE_DONE;
    while (e == PK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *name = NULL;
        if (pk__grow((void **)&out, &cap, cnt + 1, sizeof *out) != PK_OK ||
            (ids && pk__grow((void **)&nums, &cap_ids, cnt + 1, sizeof *nums) != PK_OK) ||
            !(name = pk_strdup((const char *)sqlite3_column_text(st, 0)))) {
            e = pk__store_fail(s, PK_ENOMEM, "out of memory %s", what);
        } else {
            if (ids)
                nums[cnt] = sqlite3_column_int64(st, 1);
            out[cnt++] = name;
        }
    }
    e = pk__sqlite_rows_end(s, st, e, rc, what);
    if (e != PK_OK) {
        pk_store_free_names(out, cnt);
        pk_free(nums);
        return e;
    }
    *names = out;
    if (ids)
        *ids = nums;
    *n = cnt;
    return PK_OK;
}

pk_err pk__sqlite_list_benchmarks(pk_store *s, char ***names, size_t *n)
{
    return list_names(s, SQ_LIST_BENCH, "listing benchmarks", names, NULL, n);
}

pk_err pk__sqlite_list_branches(pk_store *s, char ***names, size_t *n)
{
    return list_names(s, SQ_LIST_BRANCHES, "listing branches", names, NULL, n);
}

pk_err pk__sqlite_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n)
{
    return list_names(s, SQ_LIST_PINS, "listing pins", benchmarks, run_ids, n);
}

pk_err pk__sqlite_run_span(pk_store *s, int64_t *first, int64_t *last, int64_t *count)
{
    pk_err e = PK_OK;
    sqlite3_stmt *st = pk__sqlite_stmt(s, SQ_RUN_SPAN, &e);
    if (!st)
        return e;
    int rc = sqlite3_step(st);
    *first = *last = *count = 0;
    if (rc == SQLITE_ROW) {
        *first = sqlite3_column_int64(st, 0);
        *last = sqlite3_column_int64(st, 1);
        *count = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PK_OK
                                                 : pk__sqlite_fail(s, rc, "counting runs");
}
