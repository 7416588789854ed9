/* perfkit/termsafe.h — untrusted text made safe to show on a terminal.
 *
 * Benchmark names, commands, branch names, commit subjects, file names and
 * the names inside imported files come from users, repositories and other
 * tools. A terminal acts on some of their characters: ESC starts colour,
 * cursor movement or an OSC sequence (window title, hyperlink, clipboard),
 * BEL rings, CR and BS overwrite what was shown, and bidirectional controls
 * reorder it. Every such string perfkit shows on a terminal goes through
 * these functions, which write each of those characters as a visible
 * escape and leave all other text, UTF-8 included, as it is:
 *
 *   C0 controls (tab, newline and CR too) and DEL    \x1b  \x07  \x0d  \x7f
 *   bytes that are not UTF-8 (a lone 0x9b is CSI     \x9b  \xff
 *   on an 8-bit terminal)
 *   C1 controls U+0080..U+009F, the bidirectional    \u009b  \u202e  \u2028
 *   marks, embeddings, overrides and isolates
 *   (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
 *   and the line and paragraph separators (U+2028, U+2029)
 *
 * A backslash itself is left alone: this is for reading, not a reversible
 * encoding (JSON, CSV, JUnit and Markdown outputs escape by their own rules
 * and do not use it).
 *
 * Thread-safety: every function is safe (no shared state). */
#ifndef PERFKIT_TERMSAFE_H
#define PERFKIT_TERMSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "perfkit/api.h"

PK_BEGIN_DECLS

/* s (NULL reads as "") into buf with the escapes above, always
 * NUL-terminated when len > 0. When buf is too small the copy stops before
 * the first character or escape that does not fit, never inside one.
 * Returns buf. */
char *pk_termsafe(const char *s, char *buf, size_t len);

/* The bytes pk_termsafe needs for all of s, its terminating NUL included. */
size_t pk_termsafe_size(const char *s);

/* Write s (NULL reads as "") to f with the escapes above, all of it.
 * Returns 0, or EOF on a write error (as fputs). */
int pk_termsafe_fputs(const char *s, FILE *f);

/* true when s (NULL reads as "") has nothing to escape. */
bool pk_termsafe_is_clean(const char *s);

PK_END_DECLS
#endif
