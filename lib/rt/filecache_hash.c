/* rt/filecache_hash.c — content hashes, stat tuples and validation of the
 * tiered file cache (include/perfkit/filecache.h).
 *
 * A file's identity is the XXH3-128 of its bytes, streamed through a
 * 256 KiB buffer (16 KiB on the stack for small files: validating a small
 * file does not allocate). The stat tuple (st_dev, st_ino, size, mtime_ns,
 * ctime_ns) only short-cuts hashing, as ccache's direct mode does, and only
 * once it is settled: recorded at least racy_ns after the file's last
 * mtime/ctime, so that a write in the same timestamp tick as the recording
 * cannot hide behind an unchanged tuple (git's racy-clean rule,
 * Documentation/technical/racy-git.txt). A size change is a change without
 * reading the file. The tuple is taken with fstat on the descriptor that is
 * hashed, so a tuple never describes other bytes than its hash unless the
 * file changes during the read within one tick — which leaves it unsettled.
 * On x86-64 XXH3 goes through libxxhash's run-time dispatch (AVX2/AVX-512:
 * ~9 GB/s here against ~6 with the baseline SSE2 build), as xxhsum does.
 * References: xxHash (Collet), ccache manual "Direct mode". */
#include "rt/filecache_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#if defined(__x86_64__) && __has_include(<xxh_x86dispatch.h>)
#include <xxh_x86dispatch.h>   /* XXH3 with the widest vector unit (AVX2, AVX-512) at run time */
#endif

#include "core/clock.h"
#include "core/file.h"
#include "perfkit/alloc.h"

enum { SMALL_BUF = 16384, BIG_BUF = 256 * 1024 };

static int64_t ts_ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static void tuple_from_stat(const struct stat *s, pk__fc_tuple *t)
{
    t->dev = (uint64_t)s->st_dev;
    t->ino = (uint64_t)s->st_ino;
    t->size = (uint64_t)s->st_size;
    t->mtime_ns = ts_ns(s->st_mtim);
    t->ctime_ns = ts_ns(s->st_ctim);
}

static bool same_stat(const pk__fc_tuple *a, const pk__fc_tuple *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static bool settled(const pk_filecache *fc, const pk__fc_tuple *t)
{
    int64_t last = t->mtime_ns > t->ctime_ns ? t->mtime_ns : t->ctime_ns;
    return t->recorded_ns - last >= fc->o.racy_ns;
}

/* Hash the open regular file fd of size bytes. */
static pk_err hash_fd(int fd, uint64_t size, pk_filecache_hash *out)
{
    unsigned char small[SMALL_BUF];
    unsigned char *buf = small;
    size_t cap = sizeof small;
    if (size > SMALL_BUF) {
        buf = pk_malloc(BIG_BUF);
        if (!buf)
            return PK_ENOMEM;
        cap = BIG_BUF;
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_128bits_reset(&st);
    pk_err e = PK_OK;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            e = pk__err_from_errno(errno);
            break;
        }
        if (n == 0)
            break;
        XXH3_128bits_update(&st, buf, (size_t)n);
    }
    if (buf != small)
        pk_free(buf);
    if (e == PK_OK) {
        XXH128_hash_t h = XXH3_128bits_digest(&st);
        out->lo = h.low64;
        out->hi = h.high64;
    }
    return e;
}

static pk_err open_regular(const char *path, int *fd, struct stat *s)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (*fd < 0)
        return pk__err_from_errno(errno);
    pk_err e = PK_OK;
    if (fstat(*fd, s) != 0)
        e = pk__err_from_errno(errno);
    else if (!S_ISREG(s->st_mode))
        e = PK_EINVAL;
    if (e) {
        close(*fd);
        *fd = -1;
    }
    return e;
}

pk_err pk_filecache_hash_file(const char *path, pk_filecache_hash *out)
{
    if (!path || !out)
        return PK_EINVAL;
    int fd;
    struct stat s = {0};
    pk_err e = open_regular(path, &fd, &s);
    if (e)
        return e;
    e = hash_fd(fd, (uint64_t)s.st_size, out);
    close(fd);
    return e;
}

pk_err pk__fc_tuple_take(pk_filecache *fc, const char *path, const pk__fc_tuple *known,
                         bool absent_ok, pk__fc_tuple *out, bool *hashed)
{
    *hashed = false;
    int fd;
    struct stat s = {0};
    pk_err e = open_regular(path, &fd, &s);
    if (e == PK_ENOENT && absent_ok) {
        memset(out, 0, sizeof *out);
        out->ino = PK__FC_ABSENT_INO;
        out->recorded_ns = pk__clock_ns(PK__CLOCK_REAL);
        return PK_OK;
    }
    if (e)
        return pk__fc_fail(fc, e, "%s: cannot open for hashing: %s", path,
                           e == PK_EINVAL ? "not a regular file" : strerror(errno));
    pk__fc_tuple t = {0};
    tuple_from_stat(&s, &t);
    t.recorded_ns = pk__clock_ns(PK__CLOCK_REAL);
    if (known && known->ino != PK__FC_ABSENT_INO && same_stat(known, &t) && settled(fc, known)) {
        *out = *known;
        close(fd);
        return PK_OK;
    }
    e = hash_fd(fd, t.size, &t.hash);
    close(fd);
    if (e)
        return pk__fc_fail(fc, e, "%s: cannot read for hashing", path);
    *hashed = true;
    *out = t;
    return PK_OK;
}

/* Check one recorded tuple t of path; may update *t. */
static pk_err check_one(pk_filecache *fc, const char *path, pk__fc_tuple *t, pk__fc_valid *v)
{
    struct stat s = {0};
    if (stat(path, &s) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            if (t->ino != PK__FC_ABSENT_INO)
                *v = PK__FC_STALE;
            return PK_OK;
        }
        return pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot stat", path);
    }
    if (t->ino == PK__FC_ABSENT_INO || (uint64_t)s.st_size != t->size || !S_ISREG(s.st_mode)) {
        *v = PK__FC_STALE;
        return PK_OK;
    }
    pk__fc_tuple now = {0};
    tuple_from_stat(&s, &now);
    if (same_stat(t, &now) && settled(fc, t))
        return PK_OK;
    bool hashed;
    pk_err e = pk__fc_tuple_take(fc, path, NULL, false, &now, &hashed);
    if (e == PK_ENOENT || e == PK_EINVAL) {   /* gone or replaced since the stat */
        *v = PK__FC_STALE;
        return PK_OK;
    }
    if (e)
        return e;
    fc->st.rehashes++;
    if (now.hash.lo != t->hash.lo || now.hash.hi != t->hash.hi) {
        *v = PK__FC_STALE;
        return PK_OK;
    }
    /* Same bytes: keep the entry, remember the new tuple. Rewrite the file
     * only when that spares later hashing (changed stat fields, or settled
     * now), not on every validation of a file that stays racy. */
    bool useful = !same_stat(t, &now) || settled(fc, &now);
    *t = now;
    if (useful && *v == PK__FC_VALID)
        *v = PK__FC_REFRESHED;
    return PK_OK;
}

pk_err pk__fc_validate(pk_filecache *fc, pk__fc_ent *e, pk__fc_valid *out)
{
    pk__fc_valid v = PK__FC_VALID;
    pk_err err = check_one(fc, e->path, &e->t, &v);
    for (uint32_t i = 0; !err && v != PK__FC_STALE && i < e->ndeps; i++)
        err = check_one(fc, e->deps[i].path, &e->deps[i].t, &v);
    if (!err && v == PK__FC_REFRESHED)
        e->dirty = true;
    *out = v;
    return err;
}

uint64_t pk__fc_key(const char *kind, size_t kind_len, const char *path, size_t path_len)
{
    return XXH3_64bits_withSeed(path, path_len, XXH3_64bits(kind, kind_len));
}
