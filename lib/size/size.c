/* size.c — artifact sizes: raw and compressed with gzip, brotli and zstd.
 *
 * Each compressor runs once over the whole buffer into a buffer of its
 * worst-case bound, at the levels servers use for static assets: zlib
 * deflate level 9 with gzip framing (windowBits 15 + 16, memLevel 8: what
 * zlib-based servers and Python's gzip module write; GNU `gzip -9 -n` has its
 * own deflate and agrees on text, within 0.3% on binaries), brotli quality
 * 11 / window 22 in text mode (as `brotli -q 11 -w 22`), zstd level 19 with
 * content size and checksum (as `zstd -19 FILE`). Output is streamed through
 * a small stack buffer and only counted; files are mapped, not copied.
 * References: RFC 1952 (gzip), RFC 7932 (brotli), RFC 8878 (zstd). */
#include "perfkit/size.h"

#include <brotli/encode.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/file.h"
#include "perfkit/alloc.h"

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

/* zlib's allocator hooks, so zlib's state is subject to pk_set_allocator. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return pk_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    pk_free(p);
}

static pk_err gzip_size(const void *data, size_t len, uint64_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = z_alloc;
    z.zfree = z_free;
    int rc = deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK)
        return rc == Z_MEM_ERROR ? PK_ENOMEM : PK_EIO;
    /* Stream through a fixed window: only the count of bytes matters. */
    unsigned char buf[16384];
    const unsigned char *in = data;
    size_t left = len;
    uint64_t total = 0;
    int flush;
    do {
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        z.next_in = (Bytef *)in;   /* zlib does not write through it */
        z.avail_in = chunk;
        in += chunk;
        left -= chunk;
        flush = left ? Z_NO_FLUSH : Z_FINISH;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            rc = deflate(&z, flush);
            if (rc == Z_STREAM_ERROR) {
                deflateEnd(&z);
                return PK_EIO;
            }
            total += sizeof buf - z.avail_out;
        } while (z.avail_out == 0);
    } while (flush != Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        return PK_EIO;
    *out = total;
    return PK_OK;
}

/* Brotli through its streaming API so the output never needs a whole-input
 * bound. Its state comes from libc, not pk_malloc: brotli 1.0's encoder
 * exit()s when an allocation fails, which a failing hook would provoke. */
static pk_err brotli_size(const void *data, size_t len, uint64_t *out)
{
    BrotliEncoderState *s = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return PK_ENOMEM;
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 11);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, 22);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
    if (len <= UINT32_MAX)
        BrotliEncoderSetParameter(s, BROTLI_PARAM_SIZE_HINT, (uint32_t)len);
    size_t avail_in = len;
    const uint8_t *next_in = data;
    uint64_t total = 0;
    pk_err e = PK_OK;
    for (;;) {
        uint8_t buf[16384];
        size_t avail_out = sizeof buf;
        uint8_t *next_out = buf;
        if (!BrotliEncoderCompressStream(s, BROTLI_OPERATION_FINISH, &avail_in, &next_in,
                                         &avail_out, &next_out, NULL)) {
            e = PK_EIO;
            break;
        }
        total += sizeof buf - avail_out;
        if (BrotliEncoderIsFinished(s) && !BrotliEncoderHasMoreOutput(s))
            break;
    }
    BrotliEncoderDestroyInstance(s);
    if (e == PK_OK)
        *out = total;
    return e;
}

static pk_err zstd_size(const void *data, size_t len, uint64_t *out)
{
    /* Custom allocators are zstd's experimental API: its state uses libc. */
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    /* As `zstd -19 FILE` writes it: content size and XXH64 checksum in the frame. */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 19)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c, len)))
        e = PK_EIO;
    ZSTD_inBuffer in = {data, len, 0};
    uint64_t total = 0;
    while (e == PK_OK) {
        uint8_t buf[16384];
        ZSTD_outBuffer o = {buf, sizeof buf, 0};
        size_t rem = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
        if (ZSTD_isError(rem)) {
            e = PK_EIO;
            break;
        }
        total += o.pos;
        if (rem == 0)
            break;
    }
    ZSTD_freeCCtx(c);
    if (e == PK_OK)
        *out = total;
    return e;
}

pk_err pk_size_buffer(const void *data, size_t len, uint32_t mask, pk_size *out)
{
    if (!out || (!data && len) || (mask >> PK_SIZE_COUNT))
        return PK_EINVAL;
    static const unsigned char empty[1];
    if (!data)
        data = empty;
    pk_size s = {{0}, 1u << PK_SIZE_RAW};
    s.bytes[PK_SIZE_RAW] = len;
    pk_err (*const fn[PK_SIZE_COUNT])(const void *, size_t, uint64_t *) = {
        NULL, gzip_size, brotli_size, zstd_size};
    for (int c = PK_SIZE_GZIP; c < PK_SIZE_COUNT; c++) {
        if (!((mask >> c) & 1u))
            continue;
        pk_err e = fn[c](data, len, &s.bytes[c]);
        if (e != PK_OK)
            return e;
        s.measured |= 1u << c;
    }
    *out = s;
    return PK_OK;
}

/* A file that cannot be mapped (a pipe, /proc): read it whole. */
static pk_err size_by_reading(int fd, uint32_t mask, pk_size *out)
{
    char *buf;
    size_t n;
    pk_err e = pk__file_read_fd(fd, "", &buf, &n, NULL);
    if (e != PK_OK)
        return e;
    e = pk_size_buffer(buf, n, mask, out);
    pk_free(buf);
    return e;
}

pk_err pk_size_file(const char *path, uint32_t mask, pk_size *out)
{
    if (!path || !out || (mask >> PK_SIZE_COUNT))
        return PK_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pk__err_from_errno(errno);
    struct stat st;
    pk_err e;
    if (fstat(fd, &st) != 0) {
        e = pk__err_from_errno(errno);
    } else if (S_ISDIR(st.st_mode)) {
        e = PK_EINVAL;
    } else if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            e = size_by_reading(fd, mask, out);
        } else {
            madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
            e = pk_size_buffer(p, (size_t)st.st_size, mask, out);
            munmap(p, (size_t)st.st_size);
        }
    } else {
        e = size_by_reading(fd, mask, out);
    }
    close(fd);
    return e;
}
