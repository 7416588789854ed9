/* input.c — an input stream that may be gzip- or zstd-compressed
 * (perfkit/input.h).
 *
 * The file is opened as given (stdin for "-"), its first two bytes read into
 * the input buffer: gzip's magic 1f 8b makes it a gzip input, inflated by
 * zlib (windowBits 15 + 16: gzip framing only) as the stream is read;
 * otherwise the buffered bytes are delivered first and the rest read
 * straight into the caller's buffer. At the end of a gzip member, more
 * input starting with the magic is the next member (inflateReset); other
 * bytes are an error, as is an end of file inside a member (truncated) or
 * zlib's Z_DATA_ERROR (corrupt). The stream is a stdio FILE over these
 * reads (glibc's fopencookie), so every reader that takes a FILE * reads
 * compressed input unchanged; its read failing carries the diagnostic here.
 * zlib allocates through pk_calloc / pk_free (fault injection reaches it).
 * zstd's magic 28 b5 2f fd makes a zstd input: ZSTD_decompressStream reads
 * frame after frame; an end of file inside a frame is "truncated" (the text
 * before it was delivered; pk_input_truncated says so, for readers that
 * take a cut file as such).
 * References: RFC 1952 (gzip), zlib.h (inflate, multi-member streams),
 * RFC 8878 (zstd), zstd.h (streaming decompression). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/zalloc.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/input.h"

enum { INPUT_BUF = 64 * 1024 };

struct pk_input {
    int fd;
    bool own_fd;                /* not standard input: closed at the end */
    char *name;                 /* owned */
    FILE *stream;               /* the cookie stream over this input */
    unsigned char *buf;         /* INPUT_BUF bytes: read ahead / compressed input */
    size_t at, len;             /* plain: buffered bytes buf[at .. at+len) */
    bool eof;                   /* the file gave its last byte */
    bool gz;
    bool z_open;                /* z is initialised */
    bool z_member_end;          /* inflate finished a member */
    z_stream z;
    bool zst;                   /* zstd */
    bool truncated;             /* the compressed stream was cut short */
    ZSTD_DStream *zd;
    ZSTD_inBuffer zin;          /* zstd: buf[zin.pos .. zin.size) not yet taken */
    size_t zst_left;            /* zstd: the last call's hint; 0 at a frame's end */
    pk_err err;                 /* PK_OK until a read failed */
    pk_diag diag;
};

/* Record why the stream failed (msg, one line); -1 for the cookie. */
static ssize_t fail(pk_input *in, pk_err e, const char *msg)
{
    in->err = e;
    pk_diag_set(&in->diag, in->name, 0, 0, "%s", msg);
    errno = e == PK_ENOMEM ? ENOMEM : EIO;
    return -1;
}

/* read(2) with EINTR retried; -1 with the input's error set. */
static ssize_t read_fd(pk_input *in, void *p, size_t n)
{
    for (;;) {
        ssize_t got = read(in->fd, p, n);
        if (got >= 0) {
            if (got == 0)
                in->eof = true;
            return got;
        }
        if (errno != EINTR) {
            char msg[300];
            snprintf(msg, sizeof msg, "read failed: %s", strerror(errno));
            return fail(in, errno == ENOMEM ? PK_ENOMEM : PK_EIO, msg);
        }
    }
}

/* gzip: refill the compressed buffer behind what inflate has not taken. */
static ssize_t refill(pk_input *in)
{
    size_t keep = in->z.avail_in;
    if (keep)
        memmove(in->buf, in->z.next_in, keep);
    in->z.next_in = in->buf;
    ssize_t got = read_fd(in, in->buf + keep, INPUT_BUF - keep);
    if (got > 0)
        in->z.avail_in = (uInt)(keep + (size_t)got);
    return got;
}

/* gzip: after a member's end, what follows: nothing (the end), another
 * member, or an error. 1 = go on, 0 = end of the content, -1 = error. */
static int next_member(pk_input *in)
{
    while (in->z.avail_in < 2 && !in->eof)
        if (refill(in) < 0)
            return -1;
    if (in->z.avail_in == 0)
        return 0;
    if (in->z.avail_in < 2 || in->z.next_in[0] != 0x1f || in->z.next_in[1] != 0x8b) {
        fail(in, PK_ECORRUPT, "data after the end of the gzip stream is not gzip");
        return -1;
    }
    if (inflateReset(&in->z) != Z_OK) {
        fail(in, PK_ECORRUPT, "corrupt gzip data");
        return -1;
    }
    in->z_member_end = false;
    return 1;
}

static ssize_t read_gzip(pk_input *in, char *out, size_t size)
{
    if (size > UINT_MAX)
        size = UINT_MAX;
    for (;;) {
        if (in->z_member_end) {
            int r = next_member(in);
            if (r <= 0)
                return r;
        }
        if (in->z.avail_in == 0 && !in->eof && refill(in) < 0)
            return -1;
        in->z.next_out = (Bytef *)out;
        in->z.avail_out = (uInt)size;
        int ret = inflate(&in->z, Z_NO_FLUSH);
        size_t produced = size - in->z.avail_out;
        if (ret == Z_STREAM_END)
            in->z_member_end = true;
        else if (ret == Z_MEM_ERROR)
            return fail(in, PK_ENOMEM, "out of memory inflating gzip data");
        else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
            char msg[200];
            snprintf(msg, sizeof msg, "corrupt gzip data (%s)",
                     in->z.msg ? in->z.msg : "invalid stream");
            return fail(in, PK_ECORRUPT, msg);
        }
        if (produced)
            return (ssize_t)produced;
        if (!in->z_member_end && in->z.avail_in == 0 && in->eof && (in->truncated = true))
            return fail(in, PK_ECORRUPT,
                        "truncated gzip data: the file ends inside the compressed stream");
    }
}

static ssize_t read_zstd(pk_input *in, char *out, size_t size)
{
    for (;;) {
        if (in->zin.pos == in->zin.size && !in->eof) {
            ssize_t got = read_fd(in, in->buf, INPUT_BUF);
            if (got < 0)
                return -1;
            in->zin = (ZSTD_inBuffer){in->buf, (size_t)got, 0};
        }
        if (in->zin.pos == in->zin.size && in->eof) {
            if (in->zst_left == 0)
                return 0;
            in->truncated = true;
            return fail(in, PK_ECORRUPT,
                        "truncated zstd data: the file ends inside the compressed stream");
        }
        ZSTD_outBuffer o = {out, size, 0};
        size_t r = ZSTD_decompressStream(in->zd, &o, &in->zin);
        if (ZSTD_isError(r)) {
            char msg[200];
            snprintf(msg, sizeof msg, "corrupt zstd data (%s)", ZSTD_getErrorName(r));
            return fail(in, PK_ECORRUPT, msg);
        }
        in->zst_left = r;
        if (o.pos)
            return (ssize_t)o.pos;
    }
}

static ssize_t cookie_read(void *cookie, char *out, size_t size)
{
    pk_input *in = cookie;
    if (in->err != PK_OK) {
        errno = EIO;
        return -1;
    }
    if (in->zst)
        return read_zstd(in, out, size);
    if (in->gz)
        return read_gzip(in, out, size);
    if (in->len) {
        size_t n = in->len < size ? in->len : size;
        memcpy(out, in->buf + in->at, n);
        in->at += n;
        in->len -= n;
        return (ssize_t)n;
    }
    return in->eof ? 0 : read_fd(in, out, size);
}

static const cookie_io_functions_t cookie_fns = {.read = cookie_read};

/* Read the first four bytes (fewer at the end of the file) and decide. */
static pk_err sniff(pk_input *in, pk_diag *d)
{
    while (in->len < 4 && !in->eof) {
        ssize_t got = read_fd(in, in->buf + in->len, 4 - in->len);
        if (got < 0) {
            pk_diag_set(d, in->name, 0, 0, "%s", in->diag.message);
            return in->err;
        }
        in->len += (size_t)got;
    }
    static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    if (in->len == 4 && !memcmp(in->buf, zstd_magic, 4)) {
        in->zst = true;
        in->zd = ZSTD_createDStream();
        if (!in->zd) {
            pk_diag_set(d, in->name, 0, 0, "out of memory");
            return PK_ENOMEM;
        }
        in->zin = (ZSTD_inBuffer){in->buf, in->len, 0};
        in->zst_left = 1;
        in->len = 0;
        return PK_OK;
    }
    if (in->len < 2 || in->buf[0] != 0x1f || in->buf[1] != 0x8b)
        return PK_OK;
    in->gz = true;
    in->z.zalloc = pk__z_alloc;
    in->z.zfree = pk__z_free;
    in->z.next_in = in->buf;
    in->z.avail_in = (uInt)in->len;
    in->len = 0;
    int ret = inflateInit2(&in->z, 15 + 16);
    if (ret != Z_OK) {
        pk_diag_set(d, in->name, 0, 0, "cannot start gzip decompression");
        return ret == Z_MEM_ERROR ? PK_ENOMEM : PK_EIO;
    }
    in->z_open = true;
    return PK_OK;
}

pk_err pk_input_open(const char *path, pk_input **out, pk_diag *d)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    bool std_in = !path || !strcmp(path, "-");
    const char *name = std_in ? "<stdin>" : path;
    int fd = std_in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pk_err e = pk__err_from_errno(errno);
        pk_diag_set(d, name, 0, 0, "cannot open: %s", strerror(errno));
        return e == PK_ENOMEM ? PK_ENOMEM : e;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        pk_diag_set(d, name, 0, 0, "cannot read: is a directory");
        if (!std_in)
            close(fd);
        return PK_EINVAL;
    }
    pk_input *in = pk_calloc(1, sizeof *in);
    if (in) {
        in->fd = fd;
        in->own_fd = !std_in;
        in->name = pk_strdup(name);
        in->buf = pk_malloc(INPUT_BUF);
    }
    if (!in || !in->name || !in->buf) {
        pk_diag_set(d, name, 0, 0, "out of memory");
        if (in)
            pk_input_close(in);
        else if (!std_in)
            close(fd);
        return PK_ENOMEM;
    }
    pk_err e = sniff(in, d);
    if (e == PK_OK && !(in->stream = fopencookie(in, "r", cookie_fns))) {
        pk_diag_set(d, name, 0, 0, "out of memory");
        e = PK_ENOMEM;
    }
    if (e != PK_OK) {
        pk_input_close(in);
        return e;
    }
    in->err = PK_OK;
    *out = in;
    return PK_OK;
}

FILE *pk_input_stream(pk_input *in)
{
    return in ? in->stream : NULL;
}

const pk_diag *pk_input_error(const pk_input *in, pk_err *e)
{
    if (e)
        *e = in ? in->err : PK_EINVAL;
    return in && in->err != PK_OK ? &in->diag : NULL;
}

bool pk_input_gzip(const pk_input *in)
{
    return in && in->gz;
}

bool pk_input_zstd(const pk_input *in)
{
    return in && in->zst;
}

bool pk_input_truncated(const pk_input *in)
{
    return in && in->truncated;
}

const char *pk_input_name(const pk_input *in)
{
    return in ? in->name : "";
}

void pk_input_close(pk_input *in)
{
    if (!in)
        return;
    if (in->stream)
        fclose(in->stream);
    if (in->z_open)
        inflateEnd(&in->z);
    ZSTD_freeDStream(in->zd);
    if (in->own_fd)
        close(in->fd);
    pk_free(in->buf);
    pk_free(in->name);
    pk_free(in);
}
