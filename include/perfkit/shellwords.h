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

/* Shell syntax in a command that pk_shellwords_split passes on as text. */
typedef struct pk_shellwords_syntax {
    char token[24];     /* as written: "|", "&&", ">>", ";", "(", "$(", "${",
                           "$HOME", "$?", "`", "*", "?", "~", "#", "\n";
                           "" when none was found; cut at 23 bytes */
    size_t col;         /* 0-based byte column of the token in the command */
    size_t word;        /* the word the token is in, or starts: 0 = the
                           program, else the argument's index */
    char program[64];   /* the command's first word (cut at 63 bytes) */
} pk_shellwords_syntax;

/* Look for shell syntax in s, with the splitter itself, so that what is
 * quoted is known: the first unquoted and unescaped operator (| || & &&
 * ; ;; ( ) < > >> << >& <& >| <>), expansion ($( ${ $NAME $1 $? $$ ...,
 * `...`), glob (* ?), ~ or # at the start of a word, or a line break
 * followed by more text; inside "..." only the $ and ` expansions, which a
 * shell performs there too; nothing inside '...'. `grep 'a|b' f` and
 * `echo \$HOME` hold none. [ is not reported (a program of that name
 * exists and a bracket rarely means a glob in a command line).
 * On PK_OK *out describes the first one (out->token is "" when there is
 * none). Errors: as pk_shellwords_split (then *out is zeroed).
 * Thread-safety: safe. */
pk_err pk_shellwords_find_syntax(const char *s, pk_shellwords_syntax *out);

/* One sentence about what syn found in s, for a warning: "`echo hi | cat`
 * contains `|`, which only a shell understands; without WITHOUT it is
 * passed to `echo` as an argument" (WITHOUT: how a shell is asked for,
 * e.g. "--shell"; NULL says "a shell"). s is cut to 60 bytes with "…".
 * Written to buf (always NUL-terminated, "" when syn found nothing);
 * returns buf. */
char *pk_shellwords_syntax_text(const char *s, const pk_shellwords_syntax *syn,
                                const char *without, char *buf, size_t len);

/* Copy of s with every {name} replaced by value; caller frees with pk_free().
 * NULL on allocation failure. For a command split into words (never given
 * to a shell): a value with blanks or quotes in it is split and unquoted
 * with the rest of the line. */
char *pk_shellwords_subst(const char *s, const char *name, const char *value);

/* The same for a script that /bin/sh -c runs: each value is quoted for
 * POSIX sh where its {name} stands, so the shell reads it as text — one
 * word, or the part of one word the placeholder is in — and never as
 * syntax (no `;`, `$(...)`, globs or blanks act):
 *   outside quotes      'value', each ' in it written '\''
 *   inside '...'        value, each ' written '\''
 *   inside "..."        value, with \ $ ` " escaped by a backslash
 *   inside $(...), `...` as outside quotes (the shell reads these afresh,
 *                       inside "..." too)
 * `echo {n}` with n = x;touch pwned gives `echo 'x;touch pwned'`. A {name}
 * right after a backslash is left as written. Here-documents, and a `)`
 * closing a case pattern inside $(...), are not followed. Caller frees with
 * pk_free(); NULL on allocation failure. */
char *pk_shellwords_subst_sh(const char *s, const char *name, const char *value);

PK_END_DECLS
#endif
