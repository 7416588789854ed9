/* perfkit/shellwords.h — split a command string into words the way POSIX sh
 * would, without running a shell: blanks separate words; 'single' quotes keep
 * everything; "double" quotes keep everything but \" \\ \$ \` escapes; a
 * backslash outside quotes escapes the next character. No expansion of
 * variables, globs or substitutions is done.
 * Thread-safety: safe. */
#ifndef PERFKIT_SHELLWORDS_H
#define PERFKIT_SHELLWORDS_H

#include <stddef.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* Split s into a NULL-terminated argv. On PK_OK *argv_out is owned by the
 * caller (free with pk_shellwords_free) and *argc_out (may be NULL) holds the
 * count. Errors: PK_EPARSE (unterminated quote or trailing backslash; *err_col
 * receives the 0-based column of the quote or backslash), PK_EINVAL (an empty
 * command), PK_ENOMEM. */
pk_err pk_shellwords_split(const char *s, char ***argv_out, size_t *argc_out, size_t *err_col);
void   pk_shellwords_free(char **argv);   /* NULL is a no-op */

/* Copy of s with every {name} replaced by value; caller frees with pk_free().
 * NULL on allocation failure. */
char *pk_shellwords_subst(const char *s, const char *name, const char *value);

PK_END_DECLS
#endif
