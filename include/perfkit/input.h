/* perfkit/input.h — an input stream that may be gzip- or zstd-compressed:
 * what the profile readers (`perfkit collapse`, `flame`, `diff`) and
 * `perfkit mem report` read through, so `perf script | gzip` output,
 * *.perf.gz / *.folded.gz / *.zst files and perfkit mem's event files are
 * read as they are.
 *
 * The first bytes decide, never the name: 1f 8b (gzip's magic) is
 * inflated as it is read, every member of a multi-member file in turn
 * (what `cat a.gz b.gz` makes, as `gzip -dc` reads it); 28 b5 2f fd
 * (zstd's) is decompressed frame after frame the same way; anything else
 * is read unchanged. Streaming: memory is a 64 KiB buffer and the
 * decompressor's state (zlib ~45 KiB; zstd its window, ≤ 8 MiB for what
 * `zstd` writes at levels ≤ 19), whatever the size of the input.
 *
 * Thread-safety: a pk_input is used by one thread at a time. */
#ifndef PERFKIT_INPUT_H
#define PERFKIT_INPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_input pk_input;

/* Open path for reading ("-" or NULL: standard input, named "<stdin>"; a
 * FIFO or device is read like a file) and look at its first bytes. On PK_OK
 * *out owns the input (pk_input_close). On error *out is NULL and d (may be
 * NULL) says "PATH: reason". Errors: PK_EINVAL (out NULL, a directory),
 * PK_ENOENT, PK_EPERM, PK_EIO (open or the first read failed), PK_ENOMEM.
 * An empty input is no error (it reads as empty text). */
pk_err pk_input_open(const char *path, pk_input **out, pk_diag *d);

/* The content as a stdio stream (decompressed when the input is gzip):
 * borrowed, valid until pk_input_close; read it with fread / getc / a
 * reader taking a FILE * (pk_folded_read). A damaged compressed input makes
 * the stream's read fail (ferror, errno EIO) after the text before the
 * damage was delivered; pk_input_error then says why. */
FILE *pk_input_stream(pk_input *in);

/* Why the stream's read failed: NULL when it did not, else a diagnostic
 * naming the input (borrowed, valid until pk_input_close), with *e (may be
 * NULL) its code: PK_ECORRUPT "PATH: truncated gzip data: the file ends
 * inside the compressed stream" / "corrupt gzip data (<zlib's reason>)" /
 * "truncated zstd data: ..." / "corrupt zstd data (<zstd's reason>)" /
 * "data after the end of the gzip stream is not gzip", PK_EIO "PATH: read
 * failed: <reason>", PK_ENOMEM. */
const pk_diag *pk_input_error(const pk_input *in, pk_err *e);

/* Whether the input is gzip-compressed (decided at open). */
bool pk_input_gzip(const pk_input *in);
/* Whether the input is zstd-compressed (decided at open). */
bool pk_input_zstd(const pk_input *in);
/* Whether the read failed because a compressed input ends inside its
 * stream (a gzip member or zstd frame cut short): everything before the cut
 * was delivered. A reader for which
 * a cut file is no error (perfkit mem's) checks this after ferror. */
bool pk_input_truncated(const pk_input *in);

/* The input's name as diagnostics show it: PATH or "<stdin>" (borrowed,
 * valid until pk_input_close). */
const char *pk_input_name(const pk_input *in);

/* Close the stream and the file (standard input stays open). NULL is a
 * no-op. */
void pk_input_close(pk_input *in);

PK_END_DECLS
#endif
