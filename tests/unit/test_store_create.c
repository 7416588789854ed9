/* Unit tests for how a history comes to exist and how it opens after a
 * crash (lib/store/sqlite_create.c, sqlite_schema.c): creation is atomic —
 * a process killed at any moment of the first open leaves either no
 * history or a complete one, never a half-made file with a hot journal;
 * concurrent first opens all succeed on one file; leftovers of killed
 * creators are removed once stale; a history left with a hot rollback
 * journal (by an older perfkit or another tool) opens, read-only or not,
 * and shows exactly its committed runs; a history whose directory we cannot
 * write opens read-only. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fault.h"
#include "perfkit/store.h"
#include "store_util.h"

TestSuite(store_create, .init = store_setup, .fini = store_teardown, .timeout = 120);

static pk_err try_open(const char *path, bool read_only, pk_store **s, pk_diag *d)
{
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.read_only = read_only;
    return pk_store_open(path, &o, s, d);
}

static size_t count_runs(pk_store *s)
{
    pk_run_meta *runs = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK, "%s", pk_store_last_error(s));
    pk_free(runs);
    return n;
}

/* Names in dir that contain `part` (0 when dir is missing). */
static int entries_with(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, part))
            n++;
    closedir(d);
    return n;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The child of the creation tests: open (create) path, store one run seeded
 * by seed, exit 0 when both went well. */
static void creator(const char *path, int seed)
{
    pk_store *s = NULL;
    pk_diag dg;
    if (pk_store_open(path, NULL, &s, &dg) != PK_OK) {
        fprintf(stderr, "creator %d: %s\n", seed, dg.message);
        _exit(10);
    }
    pk_resultset *rs = make_rs((uint64_t)seed, 1, 3);
    pk_run_meta m = make_meta("", "main", "f");
    pk_err e = pk_store_put_run(s, &m, rs);
    if (e != PK_OK)
        fprintf(stderr, "creator %d: %s\n", seed, pk_store_last_error(s));
    pk_resultset_free(rs);
    pk_store_close(s);
    _exit(e == PK_OK ? 0 : 11);
}

/* 4 processes create the same history at the same moment, many times over:
 * every one opens and stores (none fails switching the journal mode), the
 * history holds the 4 runs, and no temporary file is left. */
Test(store_create, concurrent_first_opens_all_succeed)
{
    char dir[160];
    snprintf(dir, sizeof dir, "%s/.perfkit", tmpdir);
    for (int round = 0; round < 40; round++) {
        char path[200];
        snprintf(path, sizeof path, "%s/h%d.db", dir, round);
        int gate[2];
        cr_assert_eq(pipe(gate), 0);
        pid_t pids[4];
        for (int w = 0; w < 4; w++) {
            pids[w] = fork();
            cr_assert_geq(pids[w], 0);
            if (pids[w] == 0) {
                char c;
                close(gate[1]);
                if (read(gate[0], &c, 1) != 0)
                    _exit(12);
                creator(path, 100 * round + w);
            }
        }
        close(gate[0]);
        close(gate[1]);   /* all four start now */
        for (int w = 0; w < 4; w++) {
            int status;
            cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
            cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "round %d: creator %d failed (status %d)", round, w, status);
        }
        pk_store *s = open_store(path);
        cr_assert_eq(count_runs(s), 4, "round %d", round);
        pk_store_close(s);
    }
    cr_assert_eq(entries_with(dir, ".creating-"), 0, "a temporary history was left behind");
}

/* Fork a child that signals `ready`, opens (creates) path, writes `done`
 * to notify (when >= 0) and waits to be killed. Returns its pid once it
 * signalled ready. */
static pid_t spawn_opener(const char *path, int notify)
{
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(ready[0]);
        if (write(ready[1], "r", 1) != 1)
            _exit(13);
        pk_store *s = NULL;
        pk_diag dg;
        pk_store_open(path, NULL, &s, &dg);
        if (notify >= 0 && write(notify, "d", 1) != 1)
            _exit(14);
        pause();   /* wait for the kill */
        _exit(0);
    }
    close(ready[1]);
    char c;
    cr_assert_eq(read(ready[0], &c, 1), 1);
    close(ready[0]);
    return pid;
}

static void kill_9(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
}

static int64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* kill -9 at random moments of the first open: afterwards the history is
 * either absent or complete — it opens read-only (no hot journal, no
 * missing schema) and read-write. The moments are uniform over 1.2 times
 * the length of a whole first open on this machine now (measured: it
 * adapts to load). */
Test(store_create, kill_9_during_creation_leaves_no_broken_history)
{
    char path[200], cmd[300];
    snprintf(path, sizeof path, "%s/k/h.db", tmpdir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s/k'", tmpdir);
    int64_t span_us = 1;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(system(cmd), 0);
        int done[2];
        cr_assert_eq(pipe(done), 0);
        int64_t t0 = now_us();
        pid_t pid = spawn_opener(path, done[1]);
        char c;
        cr_assert_eq(read(done[0], &c, 1), 1);
        int64_t t = now_us() - t0;
        span_us = t > span_us ? t : span_us;
        kill_9(pid);
        close(done[0]);
        close(done[1]);
    }
    span_us += span_us / 5;
    srand(9);
    int complete = 0, absent = 0;
    for (int trial = 0; trial < 150; trial++) {
        cr_assert_eq(system(cmd), 0);
        pid_t pid = spawn_opener(path, -1);
        int64_t d_us = (int64_t)((double)rand() / RAND_MAX * (double)span_us);
        struct timespec d = {(time_t)(d_us / 1000000), (long)(d_us % 1000000) * 1000L};
        nanosleep(&d, NULL);
        kill_9(pid);
        if (!exists(path)) {
            absent++;
            continue;
        }
        complete++;
        pk_store *s = NULL;
        pk_diag dg;
        pk_err e = try_open(path, true, &s, &dg);
        cr_assert_eq(e, PK_OK, "trial %d: read-only open: %s", trial, dg.message);
        cr_assert_eq(count_runs(s), 0);
        pk_store_close(s);
        cr_assert_eq(try_open(path, false, &s, &dg), PK_OK, "trial %d: %s", trial, dg.message);
        pk_store_close(s);
    }
    cr_log_info("kill -9 during creation (over %lld us): %d complete, %d absent",
                (long long)span_us, complete, absent);
    cr_assert_gt(complete, 0);
    cr_assert_gt(absent, 0);
}

/* A history is visible under its name only once it is in WAL mode with
 * the schema: the first bytes say WAL (18 and 19 are 2) on the file as
 * soon as it exists. */
Test(store_create, new_history_is_wal_from_the_start)
{
    pk_store *s = open_store(dbpath);
    pk_store_close(s);
    size_t n = 0;
    unsigned char *b = slurp(dbpath, &n);
    cr_assert_geq(n, 100);
    cr_assert_eq(b[18], 2, "write version %d: not WAL", b[18]);
    cr_assert_eq(b[19], 2, "read version %d: not WAL", b[19]);
    free(b);
    cr_assert_eq(entries_with(tmpdir, ".creating-"), 0);
    cr_assert_eq(entries_with(tmpdir, "-journal"), 0);
}

static void touch_aged(const char *path, time_t age_s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, "x", 1), 1);
    close(fd);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= age_s;
    t[1] = t[0];
    cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* What a killed creator leaves (its temporary history and SQLite's files
 * next to it) is removed by the next read-write open once older than 10
 * minutes; younger ones (a creator at work) and other names stay. */
Test(store_create, stale_temporaries_are_removed)
{
    char dir[160], p[260];
    snprintf(dir, sizeof dir, "%s/.perfkit", tmpdir);
    mkdir(dir, 0755);
    const char *stale[] = {"history.db.creating-Ab12Cd", "history.db.creating-Ab12Cd-wal",
                           "history.db.creating-Ab12Cd-shm", "history.db.creating-zz99ZZ-journal"};
    const char *keep_old[] = {"other.db.creating-Ab12Cd", "history.db.creating-x",
                              "history.db.creating-Ab12Cd.bak", "history.db.creatingAb12Cd"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
        touch_aged(p, 3600);
        snprintf(p, sizeof p, "%s/%s", dir, keep_old[i]);
        touch_aged(p, 3600);
    }
    snprintf(p, sizeof p, "%s/history.db.creating-Young1", dir);
    touch_aged(p, 60);
    pk_store *s = open_store(dbpath);   /* creates the history */
    pk_store_close(s);
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
        cr_assert(!exists(p), "%s is still there", stale[i]);
        snprintf(p, sizeof p, "%s/%s", dir, keep_old[i]);
        cr_assert(exists(p), "%s was removed", keep_old[i]);
    }
    snprintf(p, sizeof p, "%s/history.db.creating-Young1", dir);
    cr_assert(exists(p), "a young temporary was removed");

    /* an existing history's read-write open cleans too; read-only never */
    snprintf(p, sizeof p, "%s/history.db.creating-Old222", dir);
    touch_aged(p, 3600);
    pk_diag dg;
    cr_assert_eq(try_open(dbpath, true, &s, &dg), PK_OK, "%s", dg.message);
    pk_store_close(s);
    cr_assert(exists(p), "a read-only open removed a file");
    s = open_store(dbpath);
    pk_store_close(s);
    cr_assert(!exists(p), "the read-write open left a stale temporary");
}

/* ---- hot journals -------------------------------------------------------- */

/* A history with 2 runs, in rollback-journal mode (an older perfkit's, or
 * one another tool switched), left by a writer killed in the middle of a
 * big transaction: the journal is hot and the file holds uncommitted
 * pages (a 1-page cache spills them). */
static void make_hot_journal(const char *path)
{
    pk_store *s = open_store(path);
    for (int i = 0; i < 2; i++) {
        pk_resultset *rs = make_rs((uint64_t)(7 + i), 2, 5);
        pk_run_meta m = make_meta("", "main", "f");
        m.started_unix_ns = 7 + i;
        cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
        pk_resultset_free(rs);
    }
    pk_store_close(s);
    store_sql(path, "PRAGMA journal_mode=DELETE");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        sqlite3 *db = NULL;
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "PRAGMA cache_size=1; BEGIN;"
                             "UPDATE series SET samples = zeroblob(4000);"
                             "INSERT INTO runs SELECT NULL, started_unix_ns + 100, \"commit\","
                             " branch, dirty, perfkit_version, cpu_model, cores, kernel, arch,"
                             " hostname, mem_bytes, fingerprint, config_hash FROM runs;",
                         NULL, NULL, NULL) != SQLITE_OK)
            _exit(20);
        _exit(0);   /* no COMMIT, no close: the journal stays hot */
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
    char j[1100];
    snprintf(j, sizeof j, "%s-journal", path);
    cr_assert(exists(j), "no hot journal was made");
}

/* The two committed runs, exactly; the interrupted transaction is gone. */
static void committed_runs_only(pk_store *s)
{
    pk_run_meta *runs = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK, "%s", pk_store_last_error(s));
    cr_assert_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        pk_resultset *rs = NULL;
        cr_assert_eq(pk_store_get_run(s, runs[i].id, NULL, &rs), PK_OK, "%s",
                     pk_store_last_error(s));
        cr_assert(rs_matches(rs, (uint64_t)runs[i].started_unix_ns, 2, 5));
        pk_resultset_free(rs);
    }
    pk_free(runs);
}

Test(store_create, hot_journal_rolls_back_on_read_only_open)
{
    make_hot_journal(dbpath);
    pk_store *s = NULL;
    pk_diag dg;
    cr_assert_eq(try_open(dbpath, true, &s, &dg), PK_OK, "%s", dg.message);
    committed_runs_only(s);
    pk_store_close(s);
    char j[1100];
    snprintf(j, sizeof j, "%s-journal", dbpath);
    cr_assert(!exists(j), "the hot journal is still there");
    s = open_store(dbpath);   /* and read-write: a new run goes in */
    committed_runs_only(s);
    pk_store_close(s);
}

Test(store_create, hot_journal_rolls_back_on_read_write_open)
{
    make_hot_journal(dbpath);
    pk_store *s = open_store(dbpath);
    committed_runs_only(s);
    pk_resultset *rs = make_rs(9, 2, 5);
    pk_run_meta m = make_meta("", "main", "f");
    m.started_unix_ns = 9;
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
    pk_resultset_free(rs);
    cr_assert_eq(count_runs(s), 3);
    pk_store_close(s);
}

/* ---- faults ---------------------------------------------------------------- */

/* Every failed allocation while creating ends in PK_ENOMEM with no history
 * and no temporary file left behind. */
Test(store_create, failed_allocations_leave_nothing)
{
    char path[200];
    snprintf(path, sizeof path, "%s/f/h.db", tmpdir);
    fault_arm(-1);
    pk_store *s = open_store(path);
    pk_store_close(s);
    long total = fault_requests();
    char dir[200];
    snprintf(dir, sizeof dir, "%s/f", tmpdir);
    for (long k = 0; k < total; k++) {
        unlink(path);
        fault_arm(k);
        pk_diag dg;
        pk_err e = pk_store_open(path, NULL, &s, &dg);
        fault_disarm();
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, dg.message);
        cr_assert_null(s);
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
        cr_assert_eq(entries_with(dir, ".creating-"), 0, "allocation %ld left a temporary", k);
    }
}
