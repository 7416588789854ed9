/* sqlite_schema.c — a SQLite history's schema and connection: is the file
 * ours, the schema and its migrations, connection settings, error mapping.
 *
 * A file is only handed to SQLite read-write after it proved to be ours (or
 * new): an existing non-empty file must start with the 16-byte SQLite magic,
 * then a read-only connection checks PRAGMA application_id, user_version and
 * whether it holds tables. Anything else (another application's database,
 * a damaged file, a newer schema) is PK_ECORRUPT and stays byte-for-byte
 * unchanged. Migrations are an ordered list of SQL steps (step i takes
 * user_version i to i+1) applied in one IMMEDIATE transaction that
 * re-checks the file under the write lock, so concurrent first opens
 * migrate once. How a file comes to exist and the order of the opens are in
 * sqlite_open.c. Reference: https://www.sqlite.org/fileformat2.html */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "store/sqlite_int.h"

#define PK_APPLICATION_ID 0x706b6869   /* "pkhi" */

/* Schema steps; user_version = number of steps applied. Append only. */
static const char *const migrations[] = {
    /* 0 → 1: the first schema. Indexes serve, on 100 000+ runs:
     * baseline search  runs(branch, fingerprint, id), runs(branch, id) or
     *                  runs(fingerprint, id) walked newest first from the
     *                  benchmark's newest result (results(benchmark, run_id)),
     *                  each run probed in results(run_id, benchmark);
     * history          the same walk + series(result_id, figure) unique;
     * load a run       results(run_id, benchmark) unique + series index;
     * resolve          runs(commit, id); list_benchmarks skips through the
     *                  benchmark index (one probe per distinct name). */
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " started_unix_ns INTEGER NOT NULL,"
    " \"commit\" TEXT NOT NULL,"
    " branch TEXT NOT NULL,"
    " dirty INTEGER NOT NULL,"
    " perfkit_version TEXT NOT NULL,"
    " cpu_model TEXT NOT NULL,"
    " cores INTEGER NOT NULL,"
    " kernel TEXT NOT NULL,"
    " arch TEXT NOT NULL,"
    " hostname TEXT NOT NULL,"
    " mem_bytes INTEGER NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " config_hash TEXT NOT NULL);"
    "CREATE TABLE results("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " benchmark TEXT NOT NULL,"
    " primary_figure TEXT,"
    " error TEXT,"
    " UNIQUE(run_id, benchmark));"
    "CREATE TABLE series("
    " result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
    " figure TEXT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " samples BLOB NOT NULL,"   /* n little-endian IEEE-754 doubles */
    " UNIQUE(result_id, figure));"
    "CREATE TABLE pins("
    " benchmark TEXT PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE);"
    "CREATE INDEX results_benchmark ON results(benchmark, run_id);"
    "CREATE INDEX runs_branch_fp ON runs(branch, fingerprint, id);"
    "CREATE INDEX runs_branch ON runs(branch, id);"
    "CREATE INDEX runs_fp ON runs(fingerprint, id);"
    "CREATE INDEX runs_commit ON runs(\"commit\", id);",
    /* 1 → 2: profiles recorded with a run (`profile:` in perfkit.yml), one
     * per benchmark and kind ("cpu"): folded stacks, zlib-compressed. */
    "CREATE TABLE profiles("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " benchmark TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " size INTEGER NOT NULL,"   /* bytes of the folded text */
    " data BLOB NOT NULL,"      /* zlib stream (RFC 1950) of the folded text */
    " PRIMARY KEY(run_id, benchmark, kind));",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

pk_err pk__sqlite_fail(pk_store *s, int rc, const char *what)
{
    pk__sqlite *q = s->state;
    const char *path = q ? q->path : "?";
    const char *msg = q && q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return pk__store_fail(s, PK_EBUSY,
                              "history %s is locked by another process (waited %d ms) "
                              "while %s", path, q ? q->busy_timeout_ms : 0, what);
    case SQLITE_NOMEM:
        return pk__store_fail(s, PK_ENOMEM, "out of memory while %s", what);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return pk__store_fail(s, PK_ECORRUPT,
                              "history %s is damaged (%s) while %s; restore it from a "
                              "backup or move it aside", path, msg, what);
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return pk__store_fail(s, PK_EPERM, "history %s: %s while %s", path, msg, what);
    case SQLITE_CONSTRAINT:
        return pk__store_fail(s, PK_EINVAL, "history %s: %s while %s", path, msg, what);
    case SQLITE_CANTOPEN:
        if (q && q->db && sqlite3_system_errno(q->db) == EACCES)
            return pk__store_fail(s, PK_EPERM, "history %s: permission denied while %s",
                                  path, what);
        return pk__store_fail(s, PK_EIO, "history %s: %s while %s", path, msg, what);
    default:
        return pk__store_fail(s, PK_EIO, "history %s: %s while %s", path, msg, what);
    }
}

/* ---- is it ours? ------------------------------------------------------------ */

static pk_err not_ours(pk_store *s, const char *path, const char *why)
{
    return pk__store_fail(s, PK_ECORRUPT,
                          "%s is not a perfkit history (%s); refusing to touch it", path, why);
}

/* An existing non-empty file must start with "SQLite format 3\0". */
pk_err pk__sqlite_check_magic(pk_store *s, const char *path)
{
    static const char magic[16] = "SQLite format 3";   /* + the NUL */
    unsigned char head[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pk__store_fail(s, errno == EACCES ? PK_EPERM : PK_EIO,
                              "cannot read history %s: %s", path, strerror(errno));
    ssize_t got = read(fd, head, sizeof head);
    int err = errno;
    close(fd);
    if (got < 0)
        return pk__store_fail(s, PK_EIO, "cannot read history %s: %s", path, strerror(err));
    if (got < (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0)
        return not_ours(s, path, "not an SQLite database");
    return PK_OK;
}

/* application_id, user_version and the number of schema objects, read in
 * one statement so they come from one snapshot (another process may be
 * committing the first schema right now); rc from SQLite. */
static int read_header(sqlite3 *db, int64_t *app, int64_t *ver, int64_t *objects)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT (SELECT application_id FROM pragma_application_id),"
                                " (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) FROM sqlite_master)", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *app = sqlite3_column_int64(st, 0);
        *ver = sqlite3_column_int64(st, 1);
        *objects = sqlite3_column_int64(st, 2);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int pk__sqlite_schema_version(void)
{
    return SCHEMA_VERSION;
}

pk_err pk__sqlite_check_schema(pk_store *s, int *version, int *rc_out)
{
    pk__sqlite *q = s->state;
    int64_t app = 0, ver = 0, objects = 0;
    int rc = read_header(q->db, &app, &ver, &objects);
    if (rc_out)
        *rc_out = rc;
    if ((rc & 0xff) == SQLITE_NOTADB)
        return not_ours(s, q->path, "not an SQLite database");
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "reading the history's header");
    if (app != PK_APPLICATION_ID && (app != 0 || objects > 0 || ver != 0))
        return not_ours(s, q->path, "it belongs to another application");
    if (app == PK_APPLICATION_ID && ver == 0 && objects > 0)
        return pk__store_fail(s, PK_ECORRUPT,
                              "history %s is damaged (tables without a schema version); "
                              "refusing to touch it", q->path);
    if (ver > SCHEMA_VERSION)
        return pk__store_fail(s, PK_ECORRUPT,
                              "history %s was written by a newer perfkit (schema %d; this "
                              "build knows up to %d); refusing to touch it — upgrade perfkit",
                              q->path, (int)ver, SCHEMA_VERSION);
    *version = (int)ver;
    return PK_OK;
}

pk_err pk__sqlite_connect(pk_store *s, const char *file, int flags)
{
    pk__sqlite *q = s->state;
    int rc = sqlite3_open_v2(file, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "opening");
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, q->busy_timeout_ms);
    return PK_OK;
}

void pk__sqlite_disconnect(pk__sqlite *q)
{
    sqlite3_close_v2(q->db);
    q->db = NULL;
}

pk_err pk__sqlite_migrate(pk_store *s, int version)
{
    pk__sqlite *q = s->state;
    if (version >= SCHEMA_VERSION)
        return PK_OK;
    int rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "starting the schema upgrade");
    pk_err e = pk__sqlite_check_schema(s, &version, NULL);   /* again, under the write lock */
    for (int v = version; e == PK_OK && v < SCHEMA_VERSION; v++)
        if ((rc = sqlite3_exec(q->db, migrations[v], NULL, NULL, NULL)) != SQLITE_OK)
            e = pk__sqlite_fail(s, rc, "upgrading the schema");
    if (e == PK_OK && version < SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d",
                 PK_APPLICATION_ID, SCHEMA_VERSION);
        if ((rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
            e = pk__sqlite_fail(s, rc, "upgrading the schema");
    }
    if (e == PK_OK && (rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
        e = pk__sqlite_fail(s, rc, "committing the schema upgrade");
    if (e != PK_OK)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return e;
}

/* Read-write connection settings.
 * WAL + synchronous=NORMAL: a commit appends the transaction's pages to the
 * -wal file with write(2) before COMMIT returns; only checkpoints fsync. A
 * process killed at any moment (kill -9, OOM killer, CI timeout) loses
 * nothing already committed, because those bytes sit in the kernel's page
 * cache, which outlives the process; a half-written transaction has no
 * commit frame and is ignored by the WAL checksums on the next open. Only a
 * power loss or kernel crash can drop the last few commits (never corrupt
 * the file) — the fsync per commit that FULL would add buys nothing against
 * process crashes and costs a disk flush per run. */
pk_err pk__sqlite_configure(pk_store *s)
{
    pk__sqlite *q = s->state;
    /* A history is created in WAL mode (sqlite_open.c), so this is a no-op
     * but for a history an older perfkit made in rollback mode. Switching
     * needs the file to itself, and SQLite answers BUSY (or an extended
     * BUSY_* / LOCKED_* code) at once rather than through the busy handler
     * while another process holds it: wait and retry, up to the busy
     * timeout, as every other lock waits. */
    int64_t deadline = pk__clock_ns(PK__CLOCK_MONO) + (int64_t)q->busy_timeout_ms * 1000000;
    int rc;
    for (;;) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(st, 0);
            rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_CANTOPEN;
        }
        sqlite3_finalize(st);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
            pk__clock_ns(PK__CLOCK_MONO) >= deadline)
            break;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "switching to WAL mode");
    rc = sqlite3_exec(q->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "configuring the connection");
    return PK_OK;
}
