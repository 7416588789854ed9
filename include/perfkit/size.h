/* perfkit/size.h — artifact sizes: raw and compressed (gzip, brotli, zstd).
 *
 * What a user downloads is the compressed file, so size budgets are set on
 * the compressed size. Levels are the ones servers use for static assets:
 * gzip level 9 (zlib, gzip framing), brotli quality 11 (text mode, window
 * 22), zstd level 19. The figures are deterministic for a given library
 * version.
 *
 * On top of the measurement, what `perfkit size` does, for any program: which
 * files a FILE|GLOB argument names (pk_size_glob: the one glob of perfkit,
 * shared with perfkit.yml's size budgets), budgets written C=LIMIT, and a
 * size report — files × compressions with a verdict per budget — that
 * lib/report writes as a table or JSON (pk_size_write, report.h).
 * Thread-safety: every function is safe; a report is immutable after
 * creation. */
#ifndef PERFKIT_SIZE_H
#define PERFKIT_SIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
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

/* The same for the file at path, which must be a regular file: a
 * directory, device (/dev/zero), FIFO or socket is refused, since it has no
 * size and may never end or never answer. The file is streamed in chunks
 * through the compressors, so memory stays flat whatever its size (there
 * is no size limit); raw alone only stats it. Errors: as above plus
 * PK_ENOENT, PK_EPERM (unreadable), PK_EINVAL (not a regular file), PK_EIO
 * (a read failed, or the file changed size while read). */
pk_err pk_size_file(const char *path, uint32_t mask, pk_size *out);

/* pk_size_file, with diag (may be NULL) naming path and saying why it could
 * not be measured: "is a FIFO, not a regular file", "cannot
 * open: No such file or directory", ... */
pk_err pk_size_file_diag(const char *path, uint32_t mask, pk_size *out, pk_diag *diag);

/* ---- files -------------------------------------------------------------- */

/* The files pattern names: a glob(7) pattern with braces ({a,b}) and ~,
 * sorted (byte order), directories left out; a pattern without glob
 * characters (* ? [ {), or one naming an existing file, names itself. On
 * PK_OK *paths (free with pk_size_glob_free) holds *n >= 1 paths. Errors:
 * PK_ENOENT (no file matches, or the file does not exist or is a
 * directory), PK_EINVAL (NULL), PK_ENOMEM, PK_EIO. */
pk_err pk_size_glob(const char *pattern, char ***paths, size_t *n);
void   pk_size_glob_free(char **paths, size_t n);   /* NULL is a no-op */

/* ---- budgets and reports -------------------------------------------------- */

/* A budget: the compressed (or raw) size of each file must not exceed
 * limit bytes. */
typedef struct pk_size_limit {
    pk_compression c;
    double limit;           /* bytes */
    char text[32];          /* the limit as written, "100KB", for reports */
} pk_size_limit;

/* Parse "C=LIMIT" — "gzip=100KB", "brotli=90KiB" (KB = 1000 B, KiB = 1024
 * B, a unit is required). Errors: PK_EPARSE with diag (may be NULL) holding
 * the message and the 1-based column in text of the offending character,
 * e.g. "unknown compression `gzp` at column 1 — did you mean `gzip`?
 * (expected raw, gzip, brotli or zstd)"; PK_EINVAL (NULL). */
pk_err pk_size_limit_parse(const char *text, pk_size_limit *out, pk_diag *diag);

/* A comma-separated list of compression names ("raw,gzip") into a mask
 * (bit 1u << c; raw always set). Errors: PK_EPARSE (an unknown name; diag
 * as pk_size_limit_parse), PK_EINVAL (NULL). */
pk_err pk_compression_parse_list(const char *list, uint32_t *mask, pk_diag *diag);

typedef struct pk_size_report_opts {
    uint32_t mask;                  /* compressions to show (raw always); default all */
    const pk_size_limit *budgets;   /* borrowed for the call; may be NULL */
    size_t n_budgets;
} pk_size_report_opts;

void pk_size_report_opts_init(pk_size_report_opts *o);

typedef struct pk_size_entry {
    char *path;             /* as the argument or the glob gave it */
    pk_size size;           /* every compression of the report's mask measured */
} pk_size_entry;

typedef struct pk_size_verdict {
    pk_size_limit budget;
    bool ok;                /* no file is over the limit */
    size_t largest;         /* index of the largest file in this compression */
    size_t *over;           /* indices of the files over the limit, in order */
    size_t n_over;
} pk_size_verdict;

typedef struct pk_size_report {
    uint32_t mask;              /* shown and measured: opts mask | budgets' | raw */
    pk_size_entry *files;       /* in argument order, each glob sorted, no */
    size_t n_files;             /*   path twice */
    pk_size_verdict *verdicts;  /* one per budget, in order */
    size_t n_verdicts;
    size_t n_broken;            /* verdicts that are not ok */
} pk_size_report;

/* Measure the files args[0..n-1] name (each a file or a glob, see
 * pk_size_glob) and judge every budget: a file is over when its size in the
 * budget's compression is greater than the limit. On PK_OK *out owns the
 * report (pk_size_report_free). On error *out is NULL, nothing leaks and
 * diag (may be NULL) names the argument or file: "no file matches
 * `dist/[ab].js`", "missing.js: no such file", "dist: is a directory (give
 * files, or a glob)", "app.wasm: permission denied". Errors: PK_EINVAL (no
 * argument, NULL, a directory), PK_ENOENT, PK_EPERM, PK_EIO, PK_ENOMEM. */
pk_err pk_size_report_new(const char *const *args, size_t n, const pk_size_report_opts *o,
                          pk_size_report **out, pk_diag *diag);
void   pk_size_report_free(pk_size_report *r);   /* NULL is a no-op */

PK_END_DECLS
#endif
