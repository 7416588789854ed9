/* sqlite_open.c — how a SQLite history comes to exist and is opened: atomic
 * creation, leftovers of killed creators, hot journals, read-only
 * directories.
 *
 * Creation is atomic. A new history is built under a unique temporary name
 * next to it, "<name>.creating-XXXXXX" (O_EXCL, mode 0666 less the umask as
 * SQLite would create it): the schema is committed in the main file, then
 * the file is switched to WAL mode (the WAL is empty, so the main file alone
 * is the whole history), closed, fsync'd, and published under its name with
 * renameat2(RENAME_NOREPLACE) — link(2) where the file system lacks it —
 * and the directory fsync'd. So the name holds either nothing or a complete
 * WAL-mode history: a process killed at any moment leaves no half-made file
 * and no hot rollback journal behind it, and concurrent first opens never
 * switch journal modes under one another — the one whose publish succeeds
 * wins, the others drop their copy and open the winner's. What a killed
 * creator leaves (its temporary file and SQLite's -wal, -shm, -journal next
 * to it) is removed by any later read-write open once older than
 * STALE_S (10 minutes; a creation takes milliseconds).
 *
 * An existing file is read first through a read-only connection (a file
 * that is not ours is refused untouched, sqlite_schema.c). Two things stop
 * a read-only connection, and are handled here:
 *  - a hot rollback journal: a writer in rollback mode (an older perfkit,
 *    another tool) died mid-transaction, and the file may hold its
 *    uncommitted pages. SQLite rolls it back on the first read of a
 *    connection that may write, so we open read-write once — also for a
 *    read-only handle: rolling back restores the committed state, which is
 *    what every SQLite reader with write access does. Without write access
 *    to the file and its directory it cannot be read consistently: an error
 *    says so. (Another application's file with a hot journal is rolled back
 *    too before it is refused — what its own application would do next.)
 *  - a WAL-mode file in a directory we cannot write (a read-only mount,
 *    another user's history): a reader must create <name>-shm to share the
 *    WAL index, and cannot. When no non-empty <name>-wal exists, every
 *    committed transaction is in the main file, and we open it with the URI
 *    parameter immutable=1: SQLite then takes no locks and needs no -shm or
 *    -wal. immutable promises the file does not change while open, so it
 *    is only the fallback when the directory is not writable by us (a
 *    writer cannot start without creating -wal/-shm there, and perfkit
 *    reads a history in milliseconds) and never for a read-write handle.
 *    nolock=1 and the unix-none VFS do not help: WAL mode still needs the
 *    -shm. With -shm and -wal present (a writer is at work), the plain
 *    read-only connection works (SQLite >= 3.22) and sees its commits.
 * References: https://www.sqlite.org/atomiccommit.html#hot_journals,
 * https://www.sqlite.org/wal.html#readonly, https://www.sqlite.org/uri.html,
 * rename(2) RENAME_NOREPLACE. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "store/sqlite_int.h"

#define TEMP_TAG ".creating-"                 /* <name>.creating-XXXXXX */
#define TEMP_RAND 6                           /* the X's: [A-Za-z0-9] */
#define TEMP_EXTRA (sizeof TEMP_TAG - 1 + TEMP_RAND + sizeof "-journal")
#define STALE_S 600                           /* a temporary this old is a leftover */

static const char *const sqlite_files[] = {"", "-wal", "-shm", "-journal"};

/* ---- the directory ------------------------------------------------------------ */

/* path's directory into dir[len] ("." when it has none); *base (may be NULL)
 * points at its last component. false when it does not fit. */
static bool split(const char *path, char *dir, size_t len, const char **base)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= len)
        return false;
    memcpy(dir, !slash ? "." : path, n);
    dir[n] = '\0';
    if (base)
        *base = slash ? slash + 1 : path;
    return true;
}

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

static bool is_rand_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Is name (in path's directory) one of our temporaries for base, or a file
 * SQLite made next to one? */
static bool is_temp_of(const char *name, const char *base, size_t base_len)
{
    if (strncmp(name, base, base_len) != 0 ||
        strncmp(name + base_len, TEMP_TAG, sizeof TEMP_TAG - 1) != 0)
        return false;
    const char *r = name + base_len + sizeof TEMP_TAG - 1;
    for (int i = 0; i < TEMP_RAND; i++)
        if (!is_rand_char(r[i]))
            return false;
    for (size_t i = 0; i < sizeof sqlite_files / sizeof sqlite_files[0]; i++)
        if (strcmp(r + TEMP_RAND, sqlite_files[i]) == 0)
            return true;
    return false;
}

/* Remove the temporaries of killed creators of path: our names, regular
 * files, not modified for STALE_S. Best effort and allocation-free (a
 * failure here must not fail the open). */
static void clean_stale(const char *path)
{
    char dir[PATH_MAX];
    const char *base;
    if (!split(path, dir, sizeof dir, &base))
        return;
    size_t base_len = strlen(base);
    DIR *d = opendir(dir);
    if (!d)
        return;
    int64_t now_s = pk__clock_ns(PK__CLOCK_REAL) / 1000000000;
    for (struct dirent *ent; (ent = readdir(d)) != NULL;) {
        struct stat st;
        if (!is_temp_of(ent->d_name, base, base_len) ||
            fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || (int64_t)st.st_mtime > now_s - STALE_S)
            continue;
        unlinkat(dirfd(d), ent->d_name, 0);
    }
    closedir(d);
}

/* fsync path (a directory when dir); a directory that cannot be synced
 * (some file systems refuse) is no error. */
static pk_err sync_path(pk_store *s, const char *path, const char *what, bool dir)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    int err = 0;
    if (fd < 0 || fsync(fd) != 0)
        err = errno;
    if (fd >= 0)
        close(fd);
    if (err && !dir)
        return pk__store_fail(s, pk__err_from_errno(err) == PK_EPERM ? PK_EPERM : PK_EIO,
                              "cannot create history %s: %s: %s", what, path, strerror(err));
    return PK_OK;
}

/* ---- atomic creation -------------------------------------------------------- */

/* A new empty file "<path>.creating-XXXXXX" into tmp (strlen(path) +
 * TEMP_EXTRA bytes): O_EXCL, mode 0666 less the umask — mkstemp's 0600
 * would hide the history from the rest of the team. */
static pk_err make_temp(pk_store *s, const char *path, char *tmp)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = strlen(path);
    uint64_t x = (uint64_t)pk__clock_ns(PK__CLOCK_MONO) ^ (uint64_t)pk__clock_ns(PK__CLOCK_REAL) ^
                 ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)tmp;
    snprintf(tmp, n + TEMP_EXTRA, "%s" TEMP_TAG, path);
    char *r = tmp + n + sizeof TEMP_TAG - 1;
    int err = EEXIST;
    for (int tries = 0; tries < 100 && err == EEXIST; tries++) {
        for (int i = 0; i < TEMP_RAND; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;   /* Knuth's MMIX LCG */
            r[i] = chars[(x >> 33) % (sizeof chars - 1)];
        }
        r[TEMP_RAND] = '\0';
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            return PK_OK;
        }
        err = errno;
    }
    return pk__store_fail(s, pk__err_from_errno(err) == PK_EPERM ? PK_EPERM : PK_EIO,
                          "cannot create history %s: %s", path, strerror(err));
}

/* Remove tmp and the files SQLite may have made next to it. */
static void remove_temp(char *tmp)
{
    size_t n = strlen(tmp);
    for (size_t i = 0; i < sizeof sqlite_files / sizeof sqlite_files[0]; i++) {
        memcpy(tmp + n, sqlite_files[i], strlen(sqlite_files[i]) + 1);
        unlink(tmp);
    }
    tmp[n] = '\0';
}

/* Give the complete history tmp its name path, unless path exists by now
 * (another process created it first: its history is as good as ours). */
static pk_err publish(pk_store *s, const char *tmp, const char *path)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0 || errno == EEXIST)
        return PK_OK;
    int err = errno;
    if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {   /* no NOREPLACE here */
        if (link(tmp, path) == 0 || errno == EEXIST)
            return PK_OK;
        err = errno;
        struct stat st;
        if (err == EPERM || err == ENOTSUP || err == ENOSYS) {
            /* nor hard links (some FUSE and network file systems): a plain
             * rename unless the name exists — two creators within the same
             * microseconds could replace one another's empty history */
            if (lstat(path, &st) == 0 || rename(tmp, path) == 0)
                return PK_OK;
            err = errno;
        }
    }
    return pk__store_fail(s, pk__err_from_errno(err) == PK_EPERM ? PK_EPERM : PK_EIO,
                          "cannot create history %s: %s", path, strerror(err));
}

/* Build a complete, empty WAL-mode history and publish it at path (see the
 * top of the file). PK_OK also when another process published first. */
static pk_err create_atomically(pk_store *s, const char *path)
{
    pk__sqlite *q = s->state;
    char *tmp = pk_malloc(strlen(path) + TEMP_EXTRA);
    if (!tmp)
        return pk__store_fail(s, PK_ENOMEM, "out of memory creating history %s", path);
    pk_err e = make_temp(s, path, tmp);
    if (e != PK_OK) {
        pk_free(tmp);
        return e;
    }
    int version = 0;
    if ((e = pk__sqlite_connect(s, tmp, SQLITE_OPEN_READWRITE)) == PK_OK &&
        (e = pk__sqlite_check_schema(s, &version, NULL)) == PK_OK &&
        (e = pk__sqlite_migrate(s, version)) == PK_OK)
        e = pk__sqlite_configure(s);   /* WAL, last: the main file holds the schema */
    pk__sqlite_disconnect(q);          /* and the empty -wal, -shm go */
    if (e == PK_OK && (e = sync_path(s, tmp, "syncing", false)) == PK_OK &&
        (e = publish(s, tmp, path)) == PK_OK) {
        char dir[PATH_MAX];
        if (split(path, dir, sizeof dir, NULL))
            sync_path(s, dir, "syncing", true);
    }
    remove_temp(tmp);   /* published: only its name is gone, or it lost */
    pk_free(tmp);
    return e;
}

/* ---- opening an existing file ----------------------------------------------- */

/* A hot journal stopped the read-only connection: roll it back through a
 * read-write one (its first read does), then reconnect read-only. */
static pk_err roll_back(pk_store *s, const char *path, int *version)
{
    pk__sqlite *q = s->state;
    pk__sqlite_disconnect(q);
    int rc = SQLITE_OK;
    pk_err e = pk__sqlite_connect(s, path, SQLITE_OPEN_READWRITE);
    if (e == PK_OK)
        e = pk__sqlite_check_schema(s, version, &rc);
    pk__sqlite_disconnect(q);
    if (e == PK_EPERM || (e != PK_OK && ((rc & 0xff) == SQLITE_READONLY ||
                                         (rc & 0xff) == SQLITE_CANTOPEN)))
        return pk__store_fail(s, PK_EPERM,
                              "history %s was left in the middle of a write (hot journal "
                              "%s-journal); it cannot be read until that write is rolled "
                              "back, which needs write access to it and its directory: open "
                              "it once with write access", path, path);
    if (e != PK_OK)
        return e;
    if ((e = pk__sqlite_connect(s, path, SQLITE_OPEN_READONLY)) != PK_OK)
        return e;
    return pk__sqlite_check_schema(s, version, NULL);
}

/* "file:" URI of path with immutable=1 (see the top of the file). */
static pk_err immutable_uri(pk_store *s, const char *path, char **uri)
{
    pk__buf b = {0};
    pk_err e = pk__buf_puts(&b, path[0] == '/' ? "file://" : "file:");
    for (const char *p = path; e == PK_OK && *p; p++)
        e = *p == '%' || *p == '?' || *p == '#' ? pk__buf_printf(&b, "%%%02x", (unsigned char)*p)
                                                : pk__buf_add(&b, p, 1);
    if (e == PK_OK)
        e = pk__buf_puts(&b, "?immutable=1");
    if (e != PK_OK) {
        pk__buf_free(&b);
        return pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", path);
    }
    *uri = pk__buf_take(&b);
    return PK_OK;
}

/* The read-only connection cannot create path-shm: read the file as
 * immutable when we cannot write its directory and no -wal holds commits;
 * else keep the error e. */
static pk_err open_immutable(pk_store *s, const char *path, int *version, pk_err e)
{
    pk__sqlite *q = s->state;
    char dir[PATH_MAX];
    if (!split(path, dir, sizeof dir, NULL) || faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0)
        return e;
    size_t n = strlen(path);
    char *wal = pk_malloc(n + sizeof "-wal");
    if (!wal)
        return pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", path);
    memcpy(wal, path, n);
    memcpy(wal + n, "-wal", sizeof "-wal");
    struct stat st;
    bool pending = stat(wal, &st) == 0 && st.st_size > 0;
    pk_free(wal);
    if (pending)
        return pk__store_fail(s, PK_EPERM,
                              "history %s: its latest changes are in %s-wal and reading "
                              "them needs %s-shm, which cannot be created in its read-only "
                              "directory; copy the history with its -wal file to a "
                              "writable directory",
                              path, path, path);
    char *uri = NULL;
    if ((e = immutable_uri(s, path, &uri)) != PK_OK)
        return e;
    pk__sqlite_disconnect(q);
    e = pk__sqlite_connect(s, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    pk_free(uri);
    return e == PK_OK ? pk__sqlite_check_schema(s, version, NULL) : e;
}

/* A read-only connection to path that has read its header: *version. */
static pk_err open_reader(pk_store *s, const char *path, bool read_only, int *version)
{
    int rc = SQLITE_OK;
    pk_err e = pk__sqlite_connect(s, path, SQLITE_OPEN_READONLY);
    if (e == PK_OK && (e = pk__sqlite_check_schema(s, version, &rc)) == PK_OK)
        return PK_OK;
    if (rc == SQLITE_READONLY_ROLLBACK)
        return roll_back(s, path, version);
    bool no_shm = rc == SQLITE_READONLY_DIRECTORY || rc == SQLITE_READONLY_CANTINIT;
    if (read_only && (no_shm || (rc & 0xff) == SQLITE_CANTOPEN))
        return open_immutable(s, path, version, e);
    if (no_shm)
        return pk__store_fail(s, PK_EPERM,
                              "history %s: cannot write in its directory (WAL mode keeps "
                              "%s-wal and %s-shm next to it); it can only be opened read-only",
                              path, path, path);
    return e;
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
        return pk__store_fail(s, PK_ECORRUPT, "history %s is not a regular file", path);
    if (!exists && (o->read_only || !o->create))
        return pk__store_fail(s, PK_ENOENT, "no history at %s", path);
    pk_err e;
    if (!exists) {
        if ((e = make_parent(s, path)) != PK_OK)
            return e;
        clean_stale(path);
        if ((e = create_atomically(s, path)) != PK_OK)
            return e;
    } else if (!o->read_only) {
        clean_stale(path);
    }
    if (stat(path, &st) == 0 && st.st_size > 0 && (e = pk__sqlite_check_magic(s, path)) != PK_OK)
        return e;
    int version = 0;
    if ((e = open_reader(s, path, o->read_only, &version)) != PK_OK)
        return e;
    if (o->read_only) {
        if (version == 0)
            return pk__store_fail(s, PK_ENOENT, "history %s holds no runs yet", path);
        q->version = version;   /* older: read as it is; newer tables are empty */
        return PK_OK;
    }
    pk__sqlite_disconnect(q);
    if ((e = pk__sqlite_connect(s, path, SQLITE_OPEN_READWRITE)) != PK_OK ||
        (e = pk__sqlite_check_schema(s, &version, NULL)) != PK_OK ||
        (e = pk__sqlite_migrate(s, version)) != PK_OK)
        return e;
    q->version = pk__sqlite_schema_version();
    return pk__sqlite_configure(s);
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
