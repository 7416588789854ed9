/* core/file.h — files for every libperfkit module: one errno mapping, input
 * files (regular files only, size limits), glob expansion, temporary files.
 * (Internal toolkit; see core/buf.h.)
 *
 * errno → pk_err, the one table of lib/:
 *   ENOENT ENOTDIR ELOOP ENAMETOOLONG         PK_ENOENT
 *   EACCES EPERM EROFS                        PK_EPERM
 *   EISDIR                                    PK_EINVAL (a directory where a
 *                                             file is wanted: the caller's input)
 *   ENOMEM                                    PK_ENOMEM
 *   anything else                             PK_EIO
 * Thread-safety: every function is safe on distinct arguments. */
#ifndef PK_CORE_FILE_H
#define PK_CORE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/diag.h"
#include "perfkit/error.h"

pk_err pk__err_from_errno(int err);

/* The size limits of the files perfkit reads whole: the one place they are
 * written (docs/guarantees.md quotes them, and error messages name them).
 * A file is read into memory and parsed into a tree several times its size
 * (about 30x for YAML, 12x for JSON), so the limits keep a mistaken input
 * from taking the machine's memory while leaving room for a million
 * benchmarks (a perfkit.yml of 10^6 benchmarks is ~32 MB; an import of 10^6
 * results ~200-270 MB). Files that are only measured (size budgets) are
 * streamed and have no limit. */
#define PK__INPUT_CONFIG_MAX ((uint64_t)64 << 20)    /* perfkit.yml: 64 MiB */
#define PK__INPUT_IMPORT_MAX ((uint64_t)512 << 20)   /* imported results: 512 MiB */

/* Open path for reading as an input: a regular file, never a device, FIFO,
 * socket or directory (those would block, never end or mean nothing). The
 * open itself does not block on a FIFO (O_NONBLOCK, cleared again for the
 * regular file). On PK_OK *fd (close-on-exec; caller closes) is open at
 * offset 0 and *size (may be NULL) holds the file's size. Errors, with diag
 * (may be NULL) naming path: PK_EINVAL "cannot read: is a directory" / "is a
 * FIFO, not a regular file" (also a character or block device, a socket),
 * PK_ENOENT, PK_EPERM, PK_EIO ("cannot open: <reason>"). */
pk_err pk__file_open(const char *path, int *fd, uint64_t *size, pk_diag *diag);

/* The whole of the regular file at path into a new pk_malloc'd,
 * NUL-terminated buffer (*out, caller frees; *len excludes the NUL), at most
 * max_bytes of it: a larger file (or one that grows past it while read) is
 * PK_ERANGE with "<size> is larger than the <max> limit for <what>" (what:
 * "configuration files", "imports"). Other errors as pk__file_open, plus
 * PK_EIO / PK_ENOMEM reading. On error *out is NULL and diag (may be NULL)
 * has the message, path as its file. */
pk_err pk__file_read(const char *path, uint64_t max_bytes, const char *what, char **out,
                     size_t *len, pk_diag *diag);

/* Expand pattern as a glob(7) pattern with braces ({a,b}) and ~, sorted
 * (byte order), directories left out. A pattern without glob characters
 * names itself when it exists (even with a '[' in the name). On PK_OK *paths
 * (free with pk__glob_free) holds *n >= 1 paths. Errors: PK_ENOENT (matches
 * no file), PK_ENOMEM, PK_EIO. */
pk_err pk__glob(const char *pattern, char ***paths, size_t *n);
void   pk__glob_free(char **paths, size_t n);

/* mkdir -p: create directory path and its missing parents (mode 0777 less
 * the umask). A component that exists but is not a directory is PK_EIO;
 * errno mapped as above otherwise (PK_EPERM for EACCES/EROFS). *failed
 * (may be NULL) receives the length of the prefix that could not be
 * created, and errno is left as the failing mkdir set it, for messages. */
pk_err pk__mkdirs(const char *path, size_t *failed);

/* Whether s has glob(7) metacharacters (* ? [ {). */
int pk__glob_magic(const char *s);

/* Whether path is one that pk__glob(pattern) can return, decided without
 * the file system: the same braces ({a,{b,c}}), a leading ~ (from $HOME),
 * '*' and '?' not crossing '/' nor matching a leading '.', and a pattern
 * equal to path (a literal name, even with '[') always matches. For
 * matching results back to the pattern that produced them (lib/check). */
int pk__glob_match(const char *pattern, const char *path);

/* A new empty file "<$TMPDIR or /tmp>/<prefix>XXXXXX<suffix>" (mkstemps),
 * close-on-exec. The name goes into path (path_len bytes); *fd receives the
 * open descriptor, or the file is closed when fd is NULL. Errors: PK_EINVAL
 * (the name does not fit), PK_EIO / PK_EPERM (creating it). */
pk_err pk__tempfile(const char *prefix, const char *suffix, char *path, size_t path_len,
                    int *fd);

#endif
