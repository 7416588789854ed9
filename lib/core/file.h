/* core/file.h — files for every libperfkit module: one errno mapping, whole-
 * file reading, glob expansion, temporary files. (Internal toolkit; see
 * core/buf.h.)
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
#include "perfkit/diag.h"
#include "perfkit/error.h"

pk_err pk__err_from_errno(int err);

/* The whole file at path (a regular file, pipe or /proc file) into a new
 * pk_malloc'd, NUL-terminated buffer (*out, caller frees; *len excludes the
 * NUL). A directory is PK_EINVAL. On error *out is NULL and diag (may be
 * NULL) says "cannot open/read: <reason>" with path as the file. */
pk_err pk__file_read(const char *path, char **out, size_t *len, pk_diag *diag);

/* The same from an open descriptor, read from its current offset to the
 * end (fd stays open; path only names it in diag). */
pk_err pk__file_read_fd(int fd, const char *path, char **out, size_t *len, pk_diag *diag);

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
