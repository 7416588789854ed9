/* perfkit/size.h — artifact sizes: raw and compressed (gzip, brotli, zstd).
 *
 * What a user downloads is the compressed file, so size budgets are set on
 * the compressed size. Levels are the ones servers use for static assets:
 * gzip level 9 (zlib, gzip framing), brotli quality 11 (text mode, window
 * 22), zstd level 19. The figures are deterministic for a given library
 * version. Thread-safety: every function is safe. */
#ifndef PERFKIT_SIZE_H
#define PERFKIT_SIZE_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_compression {
    PK_SIZE_RAW = 0,
    PK_SIZE_GZIP,
    PK_SIZE_BROTLI,
    PK_SIZE_ZSTD,
    PK_SIZE_COUNT
} pk_compression;

/* "raw", "gzip", "brotli", "zstd"; never NULL. */
const char *pk_compression_name(pk_compression c);
/* PK_SIZE_COUNT when name is unknown. */
pk_compression pk_compression_from_name(const char *name);

typedef struct pk_size {
    uint64_t bytes[PK_SIZE_COUNT];   /* valid where (measured >> c) & 1 */
    uint32_t measured;
} pk_size;

/* Sizes of data[0..len-1] for each compression in mask (bit 1u << c; raw is
 * always measured). Errors: PK_EINVAL, PK_ENOMEM, PK_EIO (a compressor
 * failed). */
pk_err pk_size_buffer(const void *data, size_t len, uint32_t mask, pk_size *out);

/* The same for a file (read whole). Errors: as above plus PK_ENOENT, PK_EPERM
 * (unreadable), PK_EINVAL (a directory). */
pk_err pk_size_file(const char *path, uint32_t mask, pk_size *out);

PK_END_DECLS
#endif
