/* size.c — artifact sizes: raw and compressed with gzip, brotli and zstd.
 *
 * Each compressor is a stream at the levels servers use for static assets:
 * zlib deflate level 9 with gzip framing (windowBits 15 + 16, memLevel 8:
 * what zlib-based servers and Python's gzip module write; GNU `gzip -9 -n`
 * has its own deflate and agrees on text, within 0.3% on binaries), brotli
 * quality 11 / window 22 in text mode (as `brotli -q 11 -w 22`), zstd level
 * 19 with content size and checksum (as `zstd -19 FILE`). A file is read in
 * 128 KiB chunks, each fed to every compressor measured, whose output goes
 * through a small stack buffer and is only counted: memory stays flat (the
 * compressors' own state, at most ~100 MiB for zstd -19 and brotli -q 11 on
 * large inputs) however large the file. Only regular files are measured (a
 * device or FIFO has no size and may never end); raw alone needs no read.
 * None of the three streams depends on how its input is cut into chunks, so
 * a file and the same bytes as one buffer measure alike.
 * References: RFC 1952 (gzip), RFC 7932 (brotli), RFC 8878 (zstd). */
#include "core/zalloc.h"
#include "perfkit/size.h"

#include <brotli/encode.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/file.h"
#include "perfkit/alloc.h"

#define CHUNK (128u << 10)

static const char *const names[PK_SIZE_COUNT] = {"raw", "gzip", "brotli", "zstd"};

const char *pk_compression_name(pk_compression c)
{
    return (unsigned)c < PK_SIZE_COUNT ? names[c] : "unknown";
}

pk_compression pk_compression_from_name(const char *name)
{
    for (int c = 0; name && c < PK_SIZE_COUNT; c++)
        if (strcmp(name, names[c]) == 0)
            return (pk_compression)c;
    return PK_SIZE_COUNT;
}

/* The streams of one measurement: those of mask are open. */
typedef struct sizer {
    uint32_t mask;
    pk_size out;
    z_stream z;
    bool z_open;
    BrotliEncoderState *br;
    ZSTD_CCtx *zs;
} sizer;

static bool on(const sizer *s, pk_compression c)
{
    return (s->mask >> c) & 1u;
}

static void sizer_end(sizer *s)
{
    if (s->z_open)
        deflateEnd(&s->z);
    BrotliEncoderDestroyInstance(s->br);
    ZSTD_freeCCtx(s->zs);
    memset(s, 0, sizeof *s);
}

/* Open the streams of mask for an input of total bytes. Brotli's and zstd's
 * state come from libc, not pk_malloc: brotli 1.0's encoder exit()s when an
 * allocation fails, which a failing hook would provoke; zstd's custom
 * allocators are experimental API. */
static pk_err sizer_begin(sizer *s, uint32_t mask, uint64_t total)
{
    memset(s, 0, sizeof *s);
    s->mask = mask | 1u;
    s->out.measured = s->mask;
    if (on(s, PK_SIZE_GZIP)) {
        s->z.zalloc = pk__z_alloc;
        s->z.zfree = pk__z_free;
        int rc = deflateInit2(&s->z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        if (rc != Z_OK)
            return rc == Z_MEM_ERROR ? PK_ENOMEM : PK_EIO;
        s->z_open = true;
    }
    if (on(s, PK_SIZE_BROTLI)) {
        if (!(s->br = BrotliEncoderCreateInstance(NULL, NULL, NULL))) {
            sizer_end(s);
            return PK_ENOMEM;
        }
        BrotliEncoderSetParameter(s->br, BROTLI_PARAM_QUALITY, 11);
        BrotliEncoderSetParameter(s->br, BROTLI_PARAM_LGWIN, 22);
        BrotliEncoderSetParameter(s->br, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
        if (total <= UINT32_MAX)
            BrotliEncoderSetParameter(s->br, BROTLI_PARAM_SIZE_HINT, (uint32_t)total);
    }
    if (on(s, PK_SIZE_ZSTD)) {
        /* As `zstd -19 FILE` writes it: content size and XXH64 checksum. */
        if (!(s->zs = ZSTD_createCCtx())) {
            sizer_end(s);
            return PK_ENOMEM;
        }
        if (ZSTD_isError(ZSTD_CCtx_setParameter(s->zs, ZSTD_c_compressionLevel, 19)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(s->zs, ZSTD_c_checksumFlag, 1)) ||
            ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(s->zs, total))) {
            sizer_end(s);
            return PK_EIO;
        }
    }
    return PK_OK;
}

static pk_err gzip_feed(sizer *s, const unsigned char *in, size_t len, bool last)
{
    unsigned char buf[16384];
    do {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        s->z.next_in = (Bytef *)in;   /* zlib does not write through it */
        s->z.avail_in = chunk;
        in += chunk;
        len -= chunk;
        int flush = last && !len ? Z_FINISH : Z_NO_FLUSH, rc;
        do {
            s->z.next_out = buf;
            s->z.avail_out = sizeof buf;
            rc = deflate(&s->z, flush);
            if (rc == Z_STREAM_ERROR)
                return PK_EIO;
            s->out.bytes[PK_SIZE_GZIP] += sizeof buf - s->z.avail_out;
        } while (flush == Z_FINISH ? rc != Z_STREAM_END : s->z.avail_out == 0);
    } while (len);
    return PK_OK;
}

static pk_err brotli_feed(sizer *s, const unsigned char *in, size_t len, bool last)
{
    size_t avail_in = len;
    const uint8_t *next_in = in;
    BrotliEncoderOperation op = last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS;
    for (;;) {
        uint8_t buf[16384];
        size_t avail_out = sizeof buf;
        uint8_t *next_out = buf;
        if (!BrotliEncoderCompressStream(s->br, op, &avail_in, &next_in, &avail_out, &next_out,
                                         NULL))
            return PK_EIO;
        s->out.bytes[PK_SIZE_BROTLI] += sizeof buf - avail_out;
        if (BrotliEncoderHasMoreOutput(s->br))
            continue;
        if (last ? BrotliEncoderIsFinished(s->br) : avail_in == 0)
            return PK_OK;
    }
}

static pk_err zstd_feed(sizer *s, const unsigned char *data, size_t len, bool last)
{
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        uint8_t buf[16384];
        ZSTD_outBuffer o = {buf, sizeof buf, 0};
        size_t rem = ZSTD_compressStream2(s->zs, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(rem))
            return PK_EIO;   /* also: the input was not the pledged size */
        s->out.bytes[PK_SIZE_ZSTD] += o.pos;
        if (last ? rem == 0 : in.pos == in.size)
            return PK_OK;
    }
}

/* Feed the next len bytes (last: the end of the input) to every stream. */
static pk_err sizer_feed(sizer *s, const void *data, size_t len, bool last)
{
    pk_err e = PK_OK;
    s->out.bytes[PK_SIZE_RAW] += len;
    if (on(s, PK_SIZE_GZIP))
        e = gzip_feed(s, data, len, last);
    if (e == PK_OK && on(s, PK_SIZE_BROTLI))
        e = brotli_feed(s, data, len, last);
    if (e == PK_OK && on(s, PK_SIZE_ZSTD))
        e = zstd_feed(s, data, len, last);
    return e;
}

pk_err pk_size_buffer(const void *data, size_t len, uint32_t mask, pk_size *out)
{
    if (!out || (!data && len) || (mask >> PK_SIZE_COUNT))
        return PK_EINVAL;
    static const unsigned char empty[1];
    sizer s;
    pk_err e = sizer_begin(&s, mask, len);
    if (e == PK_OK)
        e = sizer_feed(&s, data ? data : empty, len, true);
    if (e == PK_OK)
        *out = s.out;
    sizer_end(&s);
    return e;
}

/* Stream fd (size bytes, as fstat said) through s in chunks. */
static pk_err size_stream(int fd, uint64_t size, sizer *s, const char *path, pk_diag *diag)
{
    unsigned char *buf = pk_malloc(CHUNK);
    if (!buf) {
        pk_diag_set(diag, path, 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    pk_err e = PK_OK;
    uint64_t done = 0;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, CHUNK - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            pk_diag_set(diag, path, 0, 0, "cannot read: %s", strerror(errno));
            e = pk__err_from_errno(errno);
            break;
        }
        n += (size_t)r;
        bool end = r == 0 || done + n > size;
        if (done + n > size || (end && done + n < size)) {
            pk_diag_set(diag, path, 0, 0, "cannot measure: the file changed size while read");
            e = PK_EIO;
            break;
        }
        if (n == CHUNK || end) {   /* the last call has end set, even when n is 0 */
            if ((e = sizer_feed(s, buf, n, end)) != PK_OK) {
                pk_diag_set(diag, path, 0, 0, "cannot measure: a compressor failed");
                break;
            }
            done += n;
            n = 0;
        }
        if (end)
            break;
    }
    pk_free(buf);
    return e;
}

pk_err pk_size_file_diag(const char *path, uint32_t mask, pk_size *out, pk_diag *diag)
{
    if (!path || !out || (mask >> PK_SIZE_COUNT)) {
        pk_diag_set(diag, path, 0, 0, "invalid argument");
        return PK_EINVAL;
    }
    int fd;
    uint64_t size;
    pk_err e = pk__file_open(path, &fd, &size, diag);
    if (e != PK_OK)
        return e;
    sizer s;
    if ((e = sizer_begin(&s, mask, size)) != PK_OK) {
        pk_diag_set(diag, path, 0, 0, "cannot measure: %s", pk_strerror(e));
    } else if (s.mask == 1u) {   /* raw only: the size is the file's */
        s.out.bytes[PK_SIZE_RAW] = size;
    } else {
        e = size_stream(fd, size, &s, path, diag);
    }
    close(fd);
    if (e == PK_OK)
        *out = s.out;
    sizer_end(&s);
    return e;
}

pk_err pk_size_file(const char *path, uint32_t mask, pk_size *out)
{
    return pk_size_file_diag(path, mask, out, NULL);
}
