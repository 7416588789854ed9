/* perfkit/alloc.h — the one allocation hook every libperfkit allocation goes through.
 *
 * Tests install a hook that fails the n-th allocation to prove that every path
 * ends in a clean PK_ENOMEM, never a crash or a leak (SQLite/Lua style). */
#ifndef PERFKIT_ALLOC_H
#define PERFKIT_ALLOC_H

#include <stddef.h>
#include "perfkit/api.h"

PK_BEGIN_DECLS

/* realloc-shaped allocator: (NULL, n) allocates, (p, 0) frees and returns NULL,
 * (p, n) resizes. Returns NULL on failure (p stays valid then). */
typedef void *(*pk_alloc_fn)(void *ud, void *ptr, size_t size);

/* Replace the allocator used by libperfkit; fn NULL restores the libc one.
 * Thread-safety: not safe; call before any other libperfkit use. Memory must be
 * released by the same allocator that produced it. */
void pk_set_allocator(pk_alloc_fn fn, void *ud);

/* Library-wide allocation entry points (used by lib/, usable by callers that
 * hand memory to libperfkit to own). Return NULL on failure; size 0 yields a
 * unique non-NULL pointer. pk_free(NULL) is a no-op. pk_calloc and
 * pk_reallocarray check n*size for overflow. Thread-safety: as the hook. */
void *pk_malloc(size_t size);
void *pk_calloc(size_t n, size_t size);
void *pk_realloc(void *ptr, size_t size);
void *pk_reallocarray(void *ptr, size_t n, size_t size);
void  pk_free(void *ptr);
/* Copy of s (NULL gives NULL); caller frees with pk_free(). */
char *pk_strdup(const char *s);
char *pk_strndup(const char *s, size_t n);

PK_END_DECLS
#endif
