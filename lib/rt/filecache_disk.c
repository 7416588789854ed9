/* rt/filecache_disk.c — the disk tier of the file cache: entry files, their
 * versioned format, atomic writes and size-bounded eviction.
 *
 * One file per (kind, path): <dir>/<XXH3-128 of kind NUL path, 32 hex>.pkfc.
 * Format v1, native byte order (a cache is local to its machine; the header's
 * byte-order mark makes a foreign-endian file a miss):
 *   0  "PKFC"   4 u16 version (1)   6 u16 0x0102   8 u32 meta_len
 *  12 u32 ndeps  16 u64 payload_len  24 u64 checksum
 *  32 meta: u32 kind_len, u32 path_len, kind, path, tuple (8 x u64: dev ino
 *     size mtime_ns ctime_ns recorded_ns hash.lo hash.hi), then per
 *     dependency u32 path_len, path, tuple
 *  32 + meta_len: payload
 * checksum = XXH3-64 of bytes [32, end) seeded with XXH3-64 of bytes [0, 24):
 * every byte of the file but the checksum itself is covered. A file whose
 * size, magic, version, lengths or checksum disagree is torn or foreign: a
 * miss, and it is removed.
 *
 * Writes: a new file "tmp-<pid>-<seq>" (O_EXCL), written whole, optionally
 * fsync'ed (pk_filecache_sync), then rename()d over the entry — atomic on
 * POSIX file systems, so readers in any process see the old entry or the new
 * one. A writer killed mid-write leaves only its tmp file, which a later
 * scan removes once its pid is gone (or after an hour).
 *
 * Bound: the sum of the entry files' sizes (apparent bytes) stays within
 * max_disk_bytes. Before a write that would pass it, the directory is
 * scanned (re-syncing the count with other processes' writes) and the least
 * recently used files — oldest mtime; a hit sets the mtime to now when it is
 * more than a second old — are removed until the new file fits with 10% of
 * the bound to spare, so that scans stay rare. */
#include "rt/filecache_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#if defined(__x86_64__) && __has_include(<xxh_x86dispatch.h>)
#include <xxh_x86dispatch.h>   /* XXH3 with the widest vector unit (AVX2, AVX-512) at run time */
#endif

#include "core/clock.h"
#include "core/file.h"
#include "perfkit/alloc.h"

#define HDR 32
#define TUPLE_BYTES 64
#define VERSION 1
#define BOM 0x0102
#define TOUCH_NS 1000000000LL           /* LRU mtime refresh granularity */
#define TMP_MAX_AGE_NS 3600000000000LL  /* a tmp file older than this is dead */
enum { NAME_LEN = 37 };                 /* 32 hex + ".pkfc" */

/* ---- names ------------------------------------------------------------------ */

/* fc->dir + "/" + the entry name of (kind, path), into a new buffer. */
static char *entry_name(const pk_filecache *fc, const char *kind, size_t kl, const char *path,
                        size_t pl)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, kind, kl);
    XXH3_128bits_update(&st, "", 1);
    XXH3_128bits_update(&st, path, pl);
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    char *s = pk_malloc(fc->dir_len + 1 + NAME_LEN + 1);
    if (!s)
        return NULL;
    static const char hex[] = "0123456789abcdef";
    memcpy(s, fc->dir, fc->dir_len);
    char *p = s + fc->dir_len;
    *p++ = '/';
    for (int i = 60; i >= 0; i -= 4)
        *p++ = hex[(h.high64 >> i) & 15];
    for (int i = 60; i >= 0; i -= 4)
        *p++ = hex[(h.low64 >> i) & 15];
    memcpy(p, ".pkfc", 6);
    return s;
}

static bool is_entry_name(const char *n)
{
    if (strlen(n) != NAME_LEN || strcmp(n + 32, ".pkfc") != 0)
        return false;
    for (int i = 0; i < 32; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
            return false;
    return true;
}

/* ---- entries in memory -------------------------------------------------------- */

pk__fc_ent *pk__fc_ent_alloc(const char *kind, size_t kl, const char *path, size_t pl,
                             size_t len, uint32_t ndeps, const size_t *dep_lens)
{
    size_t off_deps = (offsetof(pk__fc_ent, data) + len + 7) & ~(size_t)7;
    size_t total = off_deps + (size_t)ndeps * sizeof(pk__fc_dep) + kl + 1 + pl + 1;
    for (uint32_t i = 0; i < ndeps; i++)
        total += dep_lens[i] + 1;
    pk__fc_ent *e = pk_malloc(total);
    if (!e)
        return NULL;
    memset(e, 0, offsetof(pk__fc_ent, data));
    e->len = len;
    e->ndeps = ndeps;
    e->deps = (pk__fc_dep *)((char *)e + off_deps);
    char *s = (char *)(e->deps + ndeps);
    memcpy(s, kind, kl);
    s[kl] = '\0';
    e->kind = s;
    e->kind_len = (uint32_t)kl;
    s += kl + 1;
    memcpy(s, path, pl);
    s[pl] = '\0';
    e->path = s;
    e->path_len = (uint32_t)pl;
    s += pl + 1;
    for (uint32_t i = 0; i < ndeps; i++) {
        memset(&e->deps[i], 0, sizeof e->deps[i]);
        e->deps[i].path = s;
        e->deps[i].path_len = (uint32_t)dep_lens[i];
        s[dep_lens[i]] = '\0';
        s += dep_lens[i] + 1;
    }
    e->charge = total + 2 * sizeof(void *) + 64;
    e->key = pk__fc_key(kind, kl, path, pl);
    return e;
}

/* ---- serialisation ------------------------------------------------------------ */

static size_t meta_len(const pk__fc_ent *e)
{
    size_t n = 8 + e->kind_len + e->path_len + TUPLE_BYTES;
    for (uint32_t i = 0; i < e->ndeps; i++)
        n += 4 + e->deps[i].path_len + TUPLE_BYTES;
    return n;
}

static unsigned char *put_bytes(unsigned char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v) { return put_bytes(p, &v, 4); }

static unsigned char *put_tuple(unsigned char *p, const pk__fc_tuple *t)
{
    uint64_t v[8] = {t->dev, t->ino, t->size, (uint64_t)t->mtime_ns, (uint64_t)t->ctime_ns,
                     (uint64_t)t->recorded_ns, t->hash.lo, t->hash.hi};
    return put_bytes(p, v, sizeof v);
}

static uint64_t checksum(const unsigned char *hdr, const void *meta, size_t ml, const void *data,
                         size_t len)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset_withSeed(&st, XXH3_64bits(hdr, 24));
    XXH3_64bits_update(&st, meta, ml);
    XXH3_64bits_update(&st, data, len);
    return XXH3_64bits_digest(&st);
}

/* A reader over the bytes of an entry file; every get is bounds-checked. */
typedef struct rd {
    const unsigned char *p, *end;
} rd;

static bool get_bytes(rd *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}

static bool get_tuple(rd *r, pk__fc_tuple *t)
{
    uint64_t v[8];
    if (!get_bytes(r, v, sizeof v))
        return false;
    *t = (pk__fc_tuple){v[0], v[1], v[2], (int64_t)v[3], (int64_t)v[4], (int64_t)v[5], {v[6], v[7]}};
    return true;
}

static bool get_str(rd *r, const unsigned char **s, uint32_t *len)
{
    if (!get_bytes(r, len, 4) || *len > PK__FC_KEY_MAX || (size_t)(r->end - r->p) < *len)
        return false;
    *s = r->p;
    r->p += *len;
    return true;
}

/* Parse a verified file image into a new entry: PK_ENOENT when malformed
 * (then *bad) or when it holds another key. */
static pk_err parse(const unsigned char *img, const char *kind, size_t kl,
                    const char *path, size_t pl, pk__fc_ent **out, bool *bad)
{
    *bad = true;
    uint32_t ml, nd;
    uint64_t plen;
    memcpy(&ml, img + 8, 4);
    memcpy(&nd, img + 12, 4);
    memcpy(&plen, img + 16, 8);
    rd r = {img + HDR, img + HDR + ml};
    const unsigned char *ks, *ps;
    uint32_t kn, pn;
    pk__fc_tuple t;
    if (!get_bytes(&r, &kn, 4) || !get_bytes(&r, &pn, 4) || kn > PK__FC_KEY_MAX ||
        pn > PK__FC_KEY_MAX || (size_t)(r.end - r.p) < kn + (size_t)pn)
        return PK_ENOENT;
    ks = r.p;
    ps = r.p + kn;
    r.p += kn + pn;
    if (!get_tuple(&r, &t) || nd > (ml / (4 + TUPLE_BYTES)))
        return PK_ENOENT;
    size_t *lens = nd ? pk_malloc(nd * sizeof *lens) : NULL;
    if (nd && !lens)
        return PK_ENOMEM;
    rd scan = r;
    for (uint32_t i = 0; i < nd; i++) {
        const unsigned char *dp;
        uint32_t dl;
        pk__fc_tuple dt;
        if (!get_str(&scan, &dp, &dl) || !get_tuple(&scan, &dt)) {
            pk_free(lens);
            return PK_ENOENT;
        }
        lens[i] = dl;
    }
    if (scan.p != scan.end) {
        pk_free(lens);
        return PK_ENOENT;
    }
    *bad = false;
    if (kn != kl || pn != pl || memcmp(ks, kind, kl) != 0 || memcmp(ps, path, pl) != 0) {
        pk_free(lens);
        return PK_ENOENT;   /* another key under the same name */
    }
    pk__fc_ent *e = pk__fc_ent_alloc(kind, kl, path, pl, (size_t)plen, nd, lens);
    pk_free(lens);
    if (!e)
        return PK_ENOMEM;
    e->t = t;
    for (uint32_t i = 0; i < nd; i++) {
        const unsigned char *dp;
        uint32_t dl;
        if (!get_str(&r, &dp, &dl) || dl != e->deps[i].path_len ||
            !get_tuple(&r, &e->deps[i].t)) {   /* cannot happen: the first pass read them */
            pk_free(e);
            return PK_ENOENT;
        }
        memcpy((char *)e->deps[i].path, dp, dl);
    }
    memcpy(e->data, img + HDR + ml, (size_t)plen);
    *out = e;
    return PK_OK;
}

/* ---- reading ------------------------------------------------------------------- */

static pk_err read_all(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return pk__err_from_errno(errno);
        if (k == 0)
            return PK_ECORRUPT;   /* shrank under us */
        got += (size_t)k;
    }
    return PK_OK;
}

static bool header_ok(const unsigned char *img, size_t size)
{
    uint16_t ver, bom;
    uint32_t ml;
    uint64_t plen, sum;
    memcpy(&ver, img + 4, 2);
    memcpy(&bom, img + 6, 2);
    memcpy(&ml, img + 8, 4);
    memcpy(&plen, img + 16, 8);
    memcpy(&sum, img + 24, 8);
    if (memcmp(img, "PKFC", 4) != 0 || ver != VERSION || bom != BOM || ml > size - HDR ||
        plen != size - HDR - ml)
        return false;
    return checksum(img, img + HDR, ml, img + HDR + ml, (size_t)plen) == sum;
}

static void drop_corrupt(pk_filecache *fc, const char *name, uint64_t size)
{
    if (unlink(name) == 0) {
        fc->st.disk_bytes = fc->st.disk_bytes > size ? fc->st.disk_bytes - size : 0;
        pk__fc_inc(&fc->st.corrupt, fc->m_corrupt);
    }
}

pk_err pk__fc_disk_read(pk_filecache *fc, const char *kind, size_t kl, const char *path,
                        size_t pl, pk__fc_ent **out)
{
    *out = NULL;
    char *name = entry_name(fc, kind, kl, path, pl);
    if (!name)
        return PK_ENOMEM;
    int fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        pk_err e = errno == ENOENT ? PK_ENOENT : pk__err_from_errno(errno);
        if (e != PK_ENOENT)
            pk__fc_fail(fc, e, "%s: cannot open: %s", name, strerror(errno));
        pk_free(name);
        return e;
    }
    struct stat s;
    pk_err e = PK_OK;
    unsigned char small[8192];
    unsigned char *img = small;
    if (fstat(fd, &s) != 0) {
        e = pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot stat", name);
        goto out;
    }
    size_t size = (size_t)s.st_size;
    if (!S_ISREG(s.st_mode) || size < HDR || (uint64_t)s.st_size > fc->o.max_disk_bytes) {
        if (S_ISREG(s.st_mode))
            drop_corrupt(fc, name, size);
        e = PK_ENOENT;
        goto out;
    }
    if (size > sizeof small && !(img = pk_malloc(size))) {
        e = PK_ENOMEM;
        goto out;
    }
    e = read_all(fd, img, size);
    if (e == PK_OK && !header_ok(img, size))
        e = PK_ECORRUPT;
    if (e == PK_ECORRUPT) {
        drop_corrupt(fc, name, size);
        e = PK_ENOENT;
        goto out;
    }
    if (e) {
        pk__fc_fail(fc, e, "%s: cannot read", name);
        goto out;
    }
    bool bad;
    e = parse(img, kind, kl, path, pl, out, &bad);
    if (e == PK_ENOENT && bad)
        drop_corrupt(fc, name, size);
    if (e == PK_OK) {
        int64_t now = pk__clock_ns(PK__CLOCK_REAL);
        int64_t m = (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
        if (now - m > TOUCH_NS) {
            struct timespec ts[2] = {{now / 1000000000, now % 1000000000},
                                     {now / 1000000000, now % 1000000000}};
            (void)futimens(fd, ts);
        }
    }
out:
    if (img != small)
        pk_free(img);
    close(fd);
    pk_free(name);
    return e;
}

/* ---- eviction ------------------------------------------------------------------- */

typedef struct fileinfo {
    int64_t mtime_ns;
    uint64_t size;
    char name[NAME_LEN + 1];
} fileinfo;

static int by_mtime(const void *a, const void *b)
{
    const fileinfo *x = a, *y = b;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A tmp file whose writer is gone (same host) or that is over an hour old. */
static bool tmp_is_dead(const char *n, int64_t mtime_ns, int64_t now)
{
    char *end;
    long pid = strtol(n + 4, &end, 10);
    if (now - mtime_ns > TMP_MAX_AGE_NS)
        return true;
    return *end == '-' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Scan dir: recount the entry files, remove dead tmp files, then evict the
 * least recently used entry files until the count is <= target. */
static pk_err scan_evict(pk_filecache *fc, uint64_t target)
{
    int dfd = open(fc->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot read the cache directory: %s",
                           fc->dir, strerror(errno));
    }
    fileinfo *v = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    int64_t now = pk__clock_ns(PK__CLOCK_REAL);
    pk_err e = PK_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        bool tmp = strncmp(de->d_name, "tmp-", 4) == 0;
        if (!tmp && !is_entry_name(de->d_name))
            continue;
        struct stat s;
        if (fstatat(dfd, de->d_name, &s, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(s.st_mode))
            continue;
        int64_t m = (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
        if (tmp) {
            if (tmp_is_dead(de->d_name, m, now))
                (void)unlinkat(dfd, de->d_name, 0);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            fileinfo *nv = pk_reallocarray(v, nc, sizeof *v);
            if (!nv) {
                e = PK_ENOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        v[n].mtime_ns = m;
        v[n].size = (uint64_t)s.st_size;
        memcpy(v[n].name, de->d_name, NAME_LEN + 1);
        total += (uint64_t)s.st_size;
        n++;
    }
    if (e == PK_OK && total > target) {
        qsort(v, n, sizeof *v, by_mtime);
        for (size_t i = 0; i < n && total > target; i++) {
            if (unlinkat(dfd, v[i].name, 0) == 0 || errno == ENOENT) {
                total -= v[i].size;
                pk__fc_inc(&fc->st.disk_evictions, fc->m_ev_disk);
            }
        }
    }
    closedir(d);
    pk_free(v);
    if (e == PK_OK)
        fc->st.disk_bytes = total;
    return e;
}

pk_err pk__fc_disk_scan(pk_filecache *fc)
{
    return scan_evict(fc, fc->o.max_disk_bytes);
}

/* ---- writing --------------------------------------------------------------------- */

static pk_err write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return pk__err_from_errno(errno);
        s += k;
        n -= (size_t)k;
    }
    return PK_OK;
}

static pk_err write_tmp(pk_filecache *fc, const char *tmp, const unsigned char *meta, size_t ml,
                        const pk__fc_ent *e)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        return pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot create: %s", tmp,
                           strerror(errno));
    pk_err err = write_all(fd, meta, ml);
    if (!err)
        err = write_all(fd, e->data, e->len);
    if (!err && fc->o.sync != PK_FILECACHE_SYNC_NONE && fdatasync(fd) != 0)
        err = pk__err_from_errno(errno);
    if (close(fd) != 0 && !err)
        err = pk__err_from_errno(errno);
    if (err)
        pk__fc_fail(fc, err, "%s: cannot write: %s", tmp, strerror(errno));
    return err;
}

pk_err pk__fc_disk_write(pk_filecache *fc, const pk__fc_ent *e)
{
    size_t ml = meta_len(e);
    uint64_t total = HDR + (uint64_t)ml + e->len;
    if (total > fc->o.max_disk_bytes)
        return pk__fc_fail(fc, PK_ERANGE, "entry of %llu bytes is larger than max_disk_bytes (%llu)",
                           (unsigned long long)total, (unsigned long long)fc->o.max_disk_bytes);
    unsigned char *buf = pk_malloc(HDR + ml);
    char *name = entry_name(fc, e->kind, e->kind_len, e->path, e->path_len);
    char *tmp = pk_malloc(fc->dir_len + 64);
    pk_err err = PK_OK;
    if (!buf || !name || !tmp) {
        err = PK_ENOMEM;
        goto out;
    }
    unsigned char *p = buf;
    uint16_t ver = VERSION, bom = BOM;
    uint32_t ml32 = (uint32_t)ml;
    uint64_t plen = e->len;
    p = put_bytes(p, "PKFC", 4);
    p = put_bytes(p, &ver, 2);
    p = put_bytes(p, &bom, 2);
    p = put_u32(p, ml32);
    p = put_u32(p, e->ndeps);
    p = put_bytes(p, &plen, 8);
    p += 8;   /* checksum, below */
    p = put_u32(p, e->kind_len);
    p = put_u32(p, e->path_len);
    p = put_bytes(p, e->kind, e->kind_len);
    p = put_bytes(p, e->path, e->path_len);
    p = put_tuple(p, &e->t);
    for (uint32_t i = 0; i < e->ndeps; i++) {
        p = put_u32(p, e->deps[i].path_len);
        p = put_bytes(p, e->deps[i].path, e->deps[i].path_len);
        p = put_tuple(p, &e->deps[i].t);
    }
    uint64_t sum = checksum(buf, buf + HDR, ml, e->data, e->len);
    memcpy(buf + 24, &sum, 8);

    /* Room first: the bound holds at every moment for the entry files. */
    struct stat s;
    uint64_t old = stat(name, &s) == 0 && S_ISREG(s.st_mode) ? (uint64_t)s.st_size : 0;
    if (fc->st.disk_bytes - old + total > fc->o.max_disk_bytes) {
        uint64_t max = fc->o.max_disk_bytes, room = max - total;
        uint64_t target = room > max / 10 ? room - max / 10 : 0;
        err = scan_evict(fc, target);
        if (err)
            goto out;
        old = stat(name, &s) == 0 && S_ISREG(s.st_mode) ? (uint64_t)s.st_size : 0;
    }
    snprintf(tmp, fc->dir_len + 64, "%s/tmp-%ld-%llu", fc->dir, (long)getpid(),
             (unsigned long long)++fc->tmp_seq);
    err = write_tmp(fc, tmp, buf, HDR + ml, e);
    if (!err && rename(tmp, name) != 0)
        err = pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot rename into place: %s", name,
                          strerror(errno));
    if (err) {
        (void)unlink(tmp);
        goto out;
    }
    fc->st.disk_bytes = fc->st.disk_bytes - (old < fc->st.disk_bytes ? old : fc->st.disk_bytes) + total;
    if (fc->o.sync == PK_FILECACHE_SYNC_FULL) {
        int dfd = open(fc->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
out:
    pk_free(buf);
    pk_free(name);
    pk_free(tmp);
    return err;
}

pk_err pk__fc_disk_remove(pk_filecache *fc, const char *kind, size_t kl, const char *path,
                          size_t pl)
{
    char *name = entry_name(fc, kind, kl, path, pl);
    if (!name)
        return PK_ENOMEM;
    struct stat s;
    pk_err err = PK_OK;
    if (stat(name, &s) == 0) {
        if (unlink(name) == 0)
            fc->st.disk_bytes -= (uint64_t)s.st_size < fc->st.disk_bytes ? (uint64_t)s.st_size
                                                                          : fc->st.disk_bytes;
        else if (errno != ENOENT)
            err = pk__fc_fail(fc, pk__err_from_errno(errno), "%s: cannot remove: %s", name,
                              strerror(errno));
    }
    pk_free(name);
    return err;
}
