/* Unit tests for the history store's safety: files that are not ours are
 * refused and left byte-for-byte unchanged; kill -9 mid-write and concurrent
 * writers leave every committed run intact; a busy lock is PK_EBUSY; every
 * failed allocation is a clean PK_ENOMEM without leaks. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fault.h"
#include "perfkit/store.h"
#include "store_util.h"

TestSuite(store_safety, .init = store_setup, .fini = store_teardown, .timeout = 120);

/* Opening path must fail with want, mention `says`, and change no byte. */
static void refused(const char *path, pk_err want, const char *says)
{
    size_t n0 = 0, n1 = 0;
    unsigned char *before = slurp(path, &n0);
    cr_assert_not_null(before);
    pk_store *s = (pk_store *)1;
    pk_diag dg;
    const char *msg = dg.message;
    pk_store_opts o;
    pk_store_opts_init(&o);
    for (int ro = 0; ro < 2; ro++) {
        o.read_only = ro;
        cr_assert_eq(pk_store_open(path, &o, &s, &dg), want, "%s", msg);
        cr_assert_null(s);
        cr_assert(strstr(msg, says), "message: %s", msg);
        cr_assert(strstr(msg, "refusing to touch it"), "message: %s", msg);
    }
    unsigned char *after = slurp(path, &n1);
    cr_assert_eq(n0, n1);
    cr_assert_eq(memcmp(before, after, n0), 0, "the file was modified");
    free(before);
    free(after);
}

Test(store_safety, foreign_sqlite_database_is_refused)
{
    STORE_SQLITE_ONLY("SQLite files; test_store_pg.c has the PostgreSQL case");
    char path[256];
    snprintf(path, sizeof path, "%s/app.db", tmpdir);
    store_sql(path, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
              "INSERT INTO users(name) VALUES('ada'), ('linus');");
    refused(path, PK_ECORRUPT, "it belongs to another application");
    /* another application_id, even without tables */
    snprintf(path, sizeof path, "%s/app2.db", tmpdir);
    store_sql(path, "PRAGMA application_id=1234; PRAGMA user_version=1;");
    refused(path, PK_ECORRUPT, "it belongs to another application");
    /* our application id but a newer schema */
    snprintf(path, sizeof path, "%s/newer.db", tmpdir);
    store_sql(path, "PRAGMA application_id=1886087273; PRAGMA user_version=99;"
              "CREATE TABLE future(x);");
    refused(path, PK_ECORRUPT, "newer perfkit");
}

Test(store_safety, garbage_file_is_refused)
{
    STORE_SQLITE_ONLY("files");
    char path[256];
    snprintf(path, sizeof path, "%s/garbage.db", tmpdir);
    FILE *f = fopen(path, "wb");
    srand(7);
    for (int i = 0; i < 100000; i++)
        fputc(rand() & 0xff, f);
    fclose(f);
    refused(path, PK_ECORRUPT, "not an SQLite database");
    /* shorter than the header, and a JSON history of another tool */
    snprintf(path, sizeof path, "%s/short.db", tmpdir);
    f = fopen(path, "wb");
    fputs("SQLite", f);
    fclose(f);
    refused(path, PK_ECORRUPT, "not an SQLite database");
    snprintf(path, sizeof path, "%s/data.js", tmpdir);
    f = fopen(path, "wb");
    fputs("window.BENCHMARK_DATA = {\"entries\": {}}\n", f);
    fclose(f);
    refused(path, PK_ECORRUPT, "not an SQLite database");
}

Test(store_safety, newer_schema_is_refused)
{
    STORE_SQLITE_ONLY("PRAGMA user_version; test_store_pg.c has the PostgreSQL case");
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(1, 1, 3);
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_resultset_free(rs);
    pk_store_close(s);
    store_sql(dbpath, "PRAGMA user_version=99");
    refused(dbpath, PK_ECORRUPT, "written by a newer perfkit");
}

Test(store_safety, damaged_samples_are_ecorrupt)
{
    STORE_SQLITE_ONLY("rowid");
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(1, 2, 3);
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_store_close(s);
    store_sql(dbpath, "UPDATE series SET samples = x'0102' WHERE rowid = 2");
    s = open_store(dbpath);
    pk_resultset *back = NULL;
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, &back), PK_ECORRUPT);
    cr_assert_null(back);
    cr_assert(strstr(pk_store_last_error(s), "damaged"));
    pk_history_point *p = NULL;
    size_t n;
    cr_assert_eq(pk_store_history(s, "bench0", "rss", "mean", 0, &p, &n), PK_ECORRUPT);
    cr_assert_null(p);
    pk_resultset_free(rs);
    pk_store_close(s);
}

Test(store_safety, busy_lock_is_ebusy)
{
    STORE_SQLITE_ONLY("SQLite locks");
    pk_store *s = open_store(dbpath);
    pk_store_close(s);
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.busy_timeout_ms = 50;
    pk_diag dg;
    const char *msg = dg.message;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_OK, "%s", msg);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(dbpath, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pk_resultset *rs = make_rs(1, 1, 3);
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_EBUSY);
    cr_assert(strstr(pk_store_last_error(s), "locked"), "%s", pk_store_last_error(s));
    cr_assert_eq(pk_store_pin(s, 1, NULL), PK_EBUSY);
    int64_t id = -1;   /* readers are not blocked by a writer (WAL) */
    cr_assert_eq(pk_store_resolve(s, "latest", &id), PK_ENOENT);
    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(other);
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_resultset_free(rs);
    pk_store_close(s);
}

/* The child of the writer tests: put runs seeded by their index from
 * `first`, `count` of them (0: forever); after each commit one byte to
 * notify_fd when it is >= 0. Exits 0 when all went well. */
static void writer(const char *path, int first, int count, int notify_fd)
{
    pk_store *s = NULL;
    pk_diag dg;
    const char *msg = dg.message;
    if (pk_store_open(path, NULL, &s, &dg) != PK_OK) {
        fprintf(stderr, "writer %d: %s\n", first, msg);
        _exit(10);
    }
    for (int i = first; count == 0 || i < first + count; i++) {
        pk_resultset *rs = make_rs((uint64_t)i, 3, 30);
        pk_run_meta m = make_meta("", "main", "f");
        m.started_unix_ns = i;
        pk_err e = pk_store_put_run(s, &m, rs);
        pk_resultset_free(rs);
        if (e != PK_OK) {
            fprintf(stderr, "writer %d: %s\n", first, pk_store_last_error(s));
            _exit(11);
        }
        if (notify_fd >= 0 && write(notify_fd, "c", 1) != 1)
            _exit(13);
    }
    pk_store_close(s);
    _exit(0);
}

/* Every run in path loads completely; returns how many there are. */
static size_t check_all_runs(const char *path)
{
    pk_store *s = open_store(path);
    pk_run_meta *runs = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    for (size_t i = 0; i < n; i++) {
        pk_resultset *rs = NULL;
        cr_assert_eq(pk_store_get_run(s, runs[i].id, NULL, &rs), PK_OK, "run %lld: %s",
                     (long long)runs[i].id, pk_store_last_error(s));
        cr_assert(rs_matches(rs, (uint64_t)runs[i].started_unix_ns, 3, 30),
                  "run %lld is incomplete", (long long)runs[i].id);
        pk_resultset_free(rs);
    }
    pk_free(runs);
    pk_store_close(s);
    if (store_is_pg())
        return n;
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

Test(store_safety, kill_9_keeps_committed_runs)
{
    size_t last = 0;
    for (int round = 0; round < 4; round++) {   /* kill at different moments */
        int committed[2];   /* the writer says when a run is in */
        cr_assert_eq(pipe(committed), 0);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            close(committed[0]);
            writer(dbpath, 1000 * (round + 1), 0, committed[1]);
        }
        close(committed[1]);
        /* Wait for this round's first commit however slow the machine is,
         * then let it write on for a while before the kill. */
        char c;
        cr_assert_eq(read(committed[0], &c, 1), 1, "the writer of round %d stored nothing", round);
        struct timespec d = {0, (long)(37 * round) * 1000000L};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        close(committed[0]);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "the writer ended before the kill (status %d)", status);
        size_t n = check_all_runs(dbpath);
        cr_assert_gt(n, last, "round %d stored no run", round);
        cr_log_info("kill -9 round %d: %zu runs intact", round, n);
        last = n;
    }
}

Test(store_safety, concurrent_writers_serialize)
{
    pid_t pids[2];
    int gate[2];   /* both start together and create the history at once */
    cr_assert_eq(pipe(gate), 0);
    for (int w = 0; w < 2; w++) {
        pids[w] = fork();
        cr_assert_geq(pids[w], 0);
        if (pids[w] == 0) {
            char c;
            close(gate[1]);
            if (read(gate[0], &c, 1) != 0)
                _exit(12);
            writer(dbpath, 1000 * (w + 1), 50, -1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    for (int w = 0; w < 2; w++) {
        int status;
        cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "writer %d failed (status %d)", w, status);
    }
    cr_assert_eq(check_all_runs(dbpath), 100);
}

/* ---- fault injection --------------------------------------------------- */

static size_t count_runs(pk_store *s)
{
    pk_run_meta *runs;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    pk_free(runs);
    return n;
}

Test(store_safety, open_fails_cleanly_on_every_allocation)
{
    STORE_SQLITE_ONLY("file paths");
    for (int existing = 0; existing < 2; existing++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s/h.db", tmpdir, existing ? "old" : "new-1");
        fault_arm(-1);
        pk_store *s = open_store(path);   /* creates it */
        pk_store_close(s);
        if (existing) {
            fault_arm(-1);
            s = open_store(path);
            pk_store_close(s);
        }
        long total = fault_requests();
        cr_assert_gt(total, 0);
        for (long k = 0; k < total; k++) {
            snprintf(path, sizeof path, "%s/%s%ld/h.db", tmpdir, existing ? "old" : "new", k);
            if (existing)
                snprintf(path, sizeof path, "%s/old/h.db", tmpdir);
            fault_arm(k);
            pk_diag dg;
            const char *msg = dg.message;
            pk_err e = pk_store_open(path, NULL, &s, &dg);
            cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
            cr_assert_null(s);
            cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
            cr_assert(strstr(msg, "out of memory"), "%s", msg);
        }
    }
    fault_disarm();
}

Test(store_safety, put_and_get_fail_cleanly_on_every_allocation)
{
    fault_arm(-1);
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(5, 3, 30);
    pk_run_meta m = make_meta("", "main", "f");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_resultset *warm = NULL;   /* sizes the handle's sample buffer */
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, &warm), PK_OK);
    pk_resultset_free(warm);

    /* put_run allocates nothing of its own (samples are bound in place) */
    fault_arm(-1);
    pk_run_meta m2 = m;
    cr_assert_eq(pk_store_put_run(s, &m2, rs), PK_OK);
    cr_assert_eq(fault_requests(), 0);
    size_t runs = count_runs(s);
    for (long k = 0; k < 8; k++) {   /* if it ever does: ENOMEM and no trace */
        fault_arm_from(k);
        pk_err e = pk_store_put_run(s, &m2, rs);
        fault_arm(-1);
        cr_assert(e == PK_OK || e == PK_ENOMEM);
        if (e == PK_ENOMEM)
            cr_assert_eq(count_runs(s), runs);
        runs = count_runs(s);
    }

    /* get_run: every allocation in turn */
    fault_arm(-1);
    pk_resultset *back = NULL;
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, &back), PK_OK);
    pk_resultset_free(back);
    long total = fault_requests();
    cr_assert_gt(total, 10);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        back = NULL;
        pk_err e = pk_store_get_run(s, m.id, NULL, &back);
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
        cr_assert_null(back);
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
        cr_assert(strstr(pk_store_last_error(s), "out of memory"));
    }
    /* get_bench, history and listings the same way */
    for (int op = 0; op < 4; op++) {
        long n_req = -1;
        for (long k = -1; n_req < 0 || k < n_req; k++) {
            fault_arm(k);
            pk_resultset *one = NULL;
            pk_history_point *p = NULL;
            pk_run_meta *list = NULL;
            char **names = NULL;
            size_t n = 0;
            pk_err e = op == 0 ? pk_store_get_bench(s, m.id, "bench1", &one)
                     : op == 1 ? pk_store_history(s, "bench0", "wall", "p90", 0, &p, &n)
                     : op == 2 ? pk_store_list_runs(s, 0, &list, &n)
                               : pk_store_list_benchmarks(s, &names, &n);
            if (k < 0) {
                cr_assert_eq(e, PK_OK);
                n_req = fault_requests();
            } else {
                cr_assert_eq(e, PK_ENOMEM, "op %d allocation %ld: %s", op, k, pk_strerror(e));
                cr_assert(!one && !p && !list && !names);
            }
            pk_resultset_free(one);
            pk_free(p);
            pk_free(list);
            pk_store_free_names(names, n);
            cr_assert_eq(fault_live(), 0, "op %d allocation %ld leaked", op, k);
        }
    }
    fault_arm(-1);
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, &back), PK_OK);
    cr_assert(rs_matches(back, 5, 3, 30));
    pk_resultset_free(back);
    pk_resultset_free(rs);
    pk_store_close(s);
    fault_disarm();
}

/* pk_store_put_runs: paired mode's base run and its candidate are one
 * transaction. A failure while writing the second run — forced here by a
 * trigger that aborts the insert of its last series — leaves neither run in
 * history and no id set; a read-only store and an invalid second run
 * (rejected before anything is written) store nothing either. */
Test(store_safety, put_runs_is_all_or_nothing)
{
    STORE_SQLITE_ONLY("a SQLite trigger");
    pk_store *s = open_store(dbpath);
    pk_resultset *a = make_rs(1, 2, 3), *b = make_rs(2, 2, 3);
    pk_run_meta ma = make_meta("aaaa", "pair:main", "fp"), mb = make_meta("bbbb", "main", "fp");
    pk_run_meta *metas[2] = {&ma, &mb};
    const pk_resultset *sets[2] = {a, b};
    store_sql(dbpath, "CREATE TRIGGER boom BEFORE INSERT ON series "
                "WHEN (SELECT benchmark FROM results WHERE id = NEW.result_id) = 'bench1' "
                "AND (SELECT \"commit\" FROM runs WHERE id = (SELECT run_id FROM results "
                "WHERE id = NEW.result_id)) = 'bbbb' AND NEW.figure = 'rss' "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    pk_err e = pk_store_put_runs(s, metas, sets, 2);
    cr_assert_neq(e, PK_OK);
    cr_assert(strstr(pk_store_last_error(s), "injected failure"), "%s", pk_store_last_error(s));
    cr_assert_eq(ma.id, 0);
    cr_assert_eq(mb.id, 0);
    pk_run_meta *runs = NULL;
    size_t n = 99;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 0, "the first run of the pair was left behind");
    pk_free(runs);
    char **names = NULL;
    cr_assert_eq(pk_store_list_benchmarks(s, &names, &n), PK_OK);
    cr_assert_eq(n, 0, "results of the failed pair were left behind");
    pk_store_free_names(names, n);

    /* an invalid second run: rejected before the first is written */
    pk_resultset *bad = make_rs(3, 1, 3);
    pk_free(bad->benches[0].series[1].samples);
    bad->benches[0].series[1].samples = NULL;
    const pk_resultset *sets_bad[2] = {a, bad};
    cr_assert_eq(pk_store_put_runs(s, metas, sets_bad, 2), PK_EINVAL);
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 0);
    pk_free(runs);
    pk_resultset_free(bad);
    cr_assert_eq(pk_store_put_runs(s, metas, sets, 0), PK_EINVAL);

    /* without the failure both are stored, in order */
    store_sql(dbpath, "DROP TRIGGER boom");
    cr_assert_eq(pk_store_put_runs(s, metas, sets, 2), PK_OK, "%s", pk_store_last_error(s));
    cr_assert(ma.id > 0 && mb.id == ma.id + 1, "ids %lld %lld", (long long)ma.id,
              (long long)mb.id);
    pk_resultset *back = NULL;
    cr_assert_eq(pk_store_get_run(s, mb.id, NULL, &back), PK_OK);
    cr_assert(rs_matches(back, 2, 2, 3));
    pk_resultset_free(back);
    pk_store_close(s);

    /* read only: PK_EPERM, nothing stored */
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.read_only = true;
    pk_diag d;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &d), PK_OK, "%s", d.message);
    pk_run_meta mc = make_meta("cccc", "pair:main", "fp"), md = make_meta("dddd", "main", "fp");
    pk_run_meta *metas2[2] = {&mc, &md};
    cr_assert_eq(pk_store_put_runs(s, metas2, sets, 2), PK_EPERM, "%s", pk_store_last_error(s));
    cr_assert_eq(mc.id, 0);
    cr_assert_eq(md.id, 0);
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 2);
    pk_free(runs);
    pk_store_close(s);
    pk_resultset_free(a);
    pk_resultset_free(b);
}
