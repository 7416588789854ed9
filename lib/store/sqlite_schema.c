/* sqlite_schema.c — opening a SQLite history: safety checks, connection
 * settings, the schema and its migrations, error mapping.
 *
 * A file is only handed to SQLite read-write after it proved to be ours (or
 * new): an existing non-empty file must start with the 16-byte SQLite magic,
 * then a read-only connection checks PRAGMA application_id, user_version and
 * whether it holds tables. Anything else (another application's database,
 * a damaged file, a newer schema) is PK_ECORRUPT and stays byte-for-byte
 * unchanged. Migrations are an ordered list of SQL steps (step i takes
 * user_version i to i+1) applied in one IMMEDIATE transaction that
 * re-checks the file under the write lock, so concurrent first opens
 * migrate once. Reference: https://www.sqlite.org/fileformat2.html */
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

/* ---- before SQLite touches the file ---------------------------------------- */

/* mkdir -p of path's parent directory (pk__mkdirs). */
static pk_err make_parent(pk_store *s, const char *path)
{
    char *dir = pk_strdup(path);
    if (!dir)
        return pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", path);
    char *slash = strrchr(dir, '/');
    pk_err e = PK_OK;
    size_t bad = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        e = pk__mkdirs(dir, &bad);
        int err = errno;
        if (e == PK_ENOMEM) {
            e = pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", path);
        } else if (e != PK_OK) {
            dir[bad] = '\0';
            struct stat st;
            if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
                e = pk__store_fail(s, PK_EIO, "%s is not a directory (history %s)", dir, path);
            else
                e = pk__store_fail(s, e == PK_EPERM ? PK_EPERM : PK_EIO,
                                   "cannot create directory %s for the history: %s", dir,
                                   strerror(err));
        }
    }
    pk_free(dir);
    return e;
}

static pk_err not_ours(pk_store *s, const char *path, const char *why)
{
    return pk__store_fail(s, PK_ECORRUPT,
                          "%s is not a perfkit history (%s); refusing to touch it", path, why);
}

/* An existing non-empty file must start with "SQLite format 3\0". */
static pk_err check_magic(pk_store *s, const char *path)
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

/* Is the database on s's connection ours? *version receives user_version
 * (0 for an empty new database). */
static pk_err check_schema(pk_store *s, int *version)
{
    pk__sqlite *q = s->state;
    int64_t app = 0, ver = 0, objects = 0;
    int rc = read_header(q->db, &app, &ver, &objects);
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

static pk_err sq_connect(pk_store *s, int flags)
{
    pk__sqlite *q = s->state;
    int rc = sqlite3_open_v2(q->path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "opening");
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, q->busy_timeout_ms);
    return PK_OK;
}

static void disconnect(pk__sqlite *q)
{
    sqlite3_close_v2(q->db);
    q->db = NULL;
}

/* Bring the schema to SCHEMA_VERSION in one IMMEDIATE transaction. */
static pk_err migrate(pk_store *s)
{
    pk__sqlite *q = s->state;
    int rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return pk__sqlite_fail(s, rc, "starting the schema upgrade");
    int version = 0;
    pk_err e = check_schema(s, &version);   /* again, now under the write lock */
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
static pk_err configure(pk_store *s)
{
    pk__sqlite *q = s->state;
    /* Switching to WAL needs the file to itself, and SQLite answers BUSY at
     * once rather than through the busy handler while another process
     * holds it (two `perfkit check`s creating the history together): wait
     * and retry, up to the busy timeout, as every other lock waits. */
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
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) ||
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

static pk_err open_checked(pk_store *s, const char *path, const pk_store_opts *o)
{
    pk__sqlite *q = s->state;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT)
        return pk__store_fail(s, errno == EACCES ? PK_EPERM : PK_EIO,
                              "cannot open history %s: %s", path, strerror(errno));
    if (exists && !S_ISREG(st.st_mode))
        return pk__store_fail(s, PK_EIO, "history %s is not a regular file", path);
    if (!exists && (o->read_only || !o->create))
        return pk__store_fail(s, PK_ENOENT, "no history at %s", path);
    pk_err e;
    int version = 0;
    if (exists) {
        if (st.st_size > 0 && (e = check_magic(s, path)) != PK_OK)
            return e;
        if ((e = sq_connect(s, SQLITE_OPEN_READONLY)) != PK_OK ||
            (e = check_schema(s, &version)) != PK_OK)
            return e;
        if (o->read_only) {
            if (version == 0)
                return pk__store_fail(s, PK_ENOENT, "history %s holds no runs yet", path);
            if (version < SCHEMA_VERSION)
                return pk__store_fail(s, PK_ENOTSUP,
                                      "history %s has an older schema; open it once "
                                      "read-write to upgrade it", path);
            return PK_OK;
        }
        disconnect(q);
    } else if ((e = make_parent(s, path)) != PK_OK) {
        return e;
    }
    int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
    if ((e = sq_connect(s, flags)) != PK_OK || (e = check_schema(s, &version)) != PK_OK)
        return e;
    if (version < SCHEMA_VERSION && (e = migrate(s)) != PK_OK)
        return e;
    return configure(s);
}

pk_err pk__store_sqlite_open(pk_store *s, const char *path, const pk_store_opts *o)
{
    pk__sqlite *q = pk_calloc(1, sizeof *q);
    char *copy = pk_strdup(path);
    if (!q || !copy) {
        pk_free(q);
        pk_free(copy);
        return pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", path);
    }
    q->path = copy;
    q->busy_timeout_ms = o->busy_timeout_ms;
    s->state = q;
    s->be = &pk__sqlite_backend;
    pk_err e = open_checked(s, path, o);
    if (e != PK_OK) {
        s->be->close(s);
        s->be = NULL;
        s->state = NULL;
    }
    return e;
}
