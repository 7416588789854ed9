/* file.c — one errno mapping, input files, sorted glob expansion and
 * temporary files for every module (core/file.h).
 *
 * Inputs are regular files only: opened with O_NONBLOCK (a FIFO would block
 * the open itself), then fstat'd — a device, FIFO or socket is refused by
 * name, since /dev/zero never ends and a FIFO may never answer. A whole-file
 * read takes its capacity from fstat, doubles for /proc files (size 0), and
 * stops one byte past the caller's limit, so no input costs more memory
 * than the limit however it changes while read. Globs use
 * glob(3) with GLOB_BRACE | GLOB_TILDE | GLOB_MARK: one flag set everywhere,
 * so `{a,b}.js` means the same to a size budget, to `perfkit size` and to
 * collection; GLOB_MARK lets directories be told apart and left out. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "perfkit/alloc.h"

pk_err pk__err_from_errno(int err)
{
    switch (err) {
    case ENOENT: case ENOTDIR: case ELOOP: case ENAMETOOLONG: return PK_ENOENT;
    case EACCES: case EPERM: case EROFS:                      return PK_EPERM;
    case EISDIR:                                              return PK_EINVAL;
    case ENOMEM:                                              return PK_ENOMEM;
    default:                                                  return PK_EIO;
    }
}

static pk_err fail(pk_diag *diag, const char *path, const char *what, int err)
{
    pk_diag_set(diag, path, 0, 0, "cannot %s: %s", what,
                err == EISDIR ? "is a directory" : strerror(err));
    return pk__err_from_errno(err);
}

/* What a file that is not a regular one is, for messages. */
static const char *kind_of(mode_t m)
{
    return S_ISCHR(m)    ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
                         : "a special file";
}

/* Reads of fd wait again (O_NONBLOCK was for the open only). */
static pk_err blocking(int fd, const char *path, pk_diag *diag)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return fail(diag, path, "open", errno);
    return PK_OK;
}

pk_err pk__file_open(const char *path, int *fd, uint64_t *size, pk_diag *diag)
{
    if (!fd)
        return PK_EINVAL;
    *fd = -1;
    if (!path || !path[0]) {
        pk_diag_set(diag, "", 0, 0, "no file name given");
        return PK_EINVAL;
    }
    /* O_NONBLOCK: opening a FIFO nobody writes to would wait forever */
    int f = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (f < 0)
        return fail(diag, path, "open", errno);
    struct stat st;
    pk_err e = PK_OK;
    if (fstat(f, &st) != 0) {
        e = fail(diag, path, "read", errno);
    } else if (S_ISDIR(st.st_mode)) {
        e = fail(diag, path, "read", EISDIR);
    } else if (!S_ISREG(st.st_mode)) {
        pk_diag_set(diag, path, 0, 0, "is %s, not a regular file", kind_of(st.st_mode));
        e = PK_EINVAL;
    } else {
        e = blocking(f, path, diag);
    }
    if (e != PK_OK) {
        close(f);
        return e;
    }
    *fd = f;
    if (size)
        *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return PK_OK;
}

/* "2.1 GiB" for a size; a limit exactly: "64 MiB", else "2999 bytes". */
static void size_text(uint64_t bytes, bool exact, char *buf, size_t len)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double v = (double)bytes;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (exact && v != (double)(uint64_t)v)
        snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
    else
        snprintf(buf, len, u == 0 || exact ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

static pk_err too_large(pk_diag *diag, const char *path, uint64_t size, bool at_least,
                        uint64_t max_bytes, const char *what)
{
    char have[64], max[32], near[32];
    size_text(size, false, have, sizeof have);
    size_text(max_bytes, false, near, sizeof near);
    if (strcmp(have, near) == 0)   /* "64.0 MiB" either way: say the bytes */
        snprintf(have, sizeof have, "%llu bytes", (unsigned long long)size);
    size_text(max_bytes, true, max, sizeof max);
    pk_diag_set(diag, path, 0, 0, "%s%s is larger than the %s limit for %s",
                at_least ? "more than " : "", have, max, what ? what : "this input");
    return PK_ERANGE;
}

pk_err pk__file_read(const char *path, uint64_t max_bytes, const char *what, char **out,
                     size_t *len, pk_diag *diag)
{
    if (!out || !len)
        return PK_EINVAL;
    *out = NULL;
    *len = 0;
    int fd;
    uint64_t size;
    pk_err e = pk__file_open(path, &fd, &size, diag);
    if (e != PK_OK)
        return e;
    if (max_bytes > SIZE_MAX - 2)
        max_bytes = SIZE_MAX - 2;
    if (size > max_bytes) {
        close(fd);
        return too_large(diag, path, size, false, max_bytes, what);
    }
    /* the size fstat gave, read to the end: a file can change meanwhile, and
     * /proc files say 0; never more than max_bytes + 1 (to see it is over) */
    size_t cap = 0, n = 0;
    char *buf = NULL;
    e = pk__grow((void **)&buf, &cap, size ? (size_t)size + 1 : 4096, 1);
    while (e == PK_OK) {
        if (n + 1 >= cap && (e = pk__grow((void **)&buf, &cap, cap + 1, 1)) != PK_OK)
            break;
        size_t want = cap - n - 1;
        if (want > max_bytes + 1 - n)
            want = (size_t)(max_bytes + 1 - n);
        ssize_t r = read(fd, buf + n, want);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = fail(diag, path, "read", errno);
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max_bytes) {
            e = too_large(diag, path, n - 1, true, max_bytes, what);
            break;
        }
    }
    close(fd);
    if (e != PK_OK) {
        if (e == PK_ENOMEM)
            pk_diag_set(diag, path, 0, 0, "out of memory reading the file");
        pk_free(buf);
        return e;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return PK_OK;
}

int pk__glob_magic(const char *s)
{
    return s && strpbrk(s, "*?[{") != NULL;
}

void pk__glob_free(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        pk_free(paths[i]);
    pk_free(paths);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

pk_err pk__glob(const char *pattern, char ***paths, size_t *n)
{
    if (!pattern || !paths || !n)
        return PK_EINVAL;
    *paths = NULL;
    *n = 0;
    struct stat st;
    glob_t g;
    int rc;
    if (!pk__glob_magic(pattern) || stat(pattern, &st) == 0) {
        /* a literal name, even one with '[' in it: only a file counts */
        if (stat(pattern, &st) != 0 || S_ISDIR(st.st_mode))
            return PK_ENOENT;
        char **one = pk_calloc(1, sizeof *one);
        if (!one || !(one[0] = pk_strdup(pattern))) {
            pk_free(one);
            return PK_ENOMEM;
        }
        *paths = one;
        *n = 1;
        return PK_OK;
    }
    rc = glob(pattern, GLOB_BRACE | GLOB_TILDE | GLOB_MARK, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        globfree(&g);
        return PK_ENOENT;
    }
    if (rc != 0) {
        globfree(&g);
        return rc == GLOB_NOSPACE ? PK_ENOMEM : PK_EIO;
    }
    char **out = pk_calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof *out);
    size_t k = 0;
    pk_err e = out ? PK_OK : PK_ENOMEM;
    for (size_t i = 0; e == PK_OK && i < g.gl_pathc; i++) {
        const char *p = g.gl_pathv[i];
        size_t len = strlen(p);
        if (len && p[len - 1] == '/')
            continue;   /* GLOB_MARK: a directory */
        if (!(out[k] = pk_strdup(p)))
            e = PK_ENOMEM;
        else
            k++;
    }
    globfree(&g);
    if (e == PK_OK && k == 0)
        e = PK_ENOENT;
    if (e != PK_OK) {
        pk__glob_free(out, k);
        return e;
    }
    qsort(out, k, sizeof *out, by_bytes);
    *paths = out;
    *n = k;
    return PK_OK;
}

pk_err pk__tempfile(const char *prefix, const char *suffix, char *path, size_t path_len,
                    int *fd)
{
    if (fd)
        *fd = -1;
    if (!prefix || !path || !path_len)
        return PK_EINVAL;
    if (!suffix)
        suffix = "";
    const char *dir = getenv("TMPDIR");
    if (!dir || !dir[0])
        dir = "/tmp";
    int len = snprintf(path, path_len, "%s/%sXXXXXX%s", dir, prefix, suffix);
    if (len < 0 || (size_t)len >= path_len)   /* TMPDIR too long: /tmp */
        len = snprintf(path, path_len, "/tmp/%sXXXXXX%s", prefix, suffix);
    if (len < 0 || (size_t)len >= path_len)
        return PK_EINVAL;
    int f = mkostemps(path, (int)strlen(suffix), O_CLOEXEC);
    if (f < 0)
        return pk__err_from_errno(errno) == PK_EPERM ? PK_EPERM : PK_EIO;
    if (fd)
        *fd = f;
    else
        close(f);
    return PK_OK;
}

pk_err pk__mkdirs(const char *path, size_t *failed)
{
    if (!path || !path[0])
        return PK_EINVAL;
    char *dir = pk_strdup(path);
    if (!dir)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            e = pk__err_from_errno(errno);
        else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            e = PK_EIO;
        if (e != PK_OK) {
            if (failed)
                *failed = (size_t)(p - dir);
            break;
        }
        *p = c;
        if (!c)
            break;
    }
    int err = errno;   /* the failing mkdir's reason, for the caller's message */
    pk_free(dir);
    errno = err;
    return e;
}
