/* core/buf.h — growable arrays and byte buffers for every libperfkit module.
 *
 * the headers in lib/core are libperfkit's internal toolkit: any lib/ module may include
 * it; it is not installed and its pk__ symbols are not exported.
 *
 *   pk__grow    make room for `need` elements in a (ptr, cap) array,
 *               doubling (minimum 8): the one growable-array rule of lib/;
 *   pk__buf     a NUL-terminated byte buffer with printf-style appends.
 *
 * All memory comes from pk_malloc & friends (tests can fail any allocation).
 * Thread-safety: none; plain data owned by the caller. */
#ifndef PK_CORE_BUF_H
#define PK_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "perfkit/error.h"

/* Ensure *ptr (an array of *cap elements of elem bytes) holds at least need
 * elements; on growth *ptr and *cap change. On PK_ENOMEM (also on size
 * overflow) *ptr and *cap are unchanged and still valid. */
pk_err pk__grow(void **ptr, size_t *cap, size_t need, size_t elem);

/* Room for one more element in a (ptr, n, cap) triple: the common case.
 *   if (PK__PUSH_ROOM(arr, n, cap) != PK_OK) return PK_ENOMEM;
 *   arr[n++] = x; */
#define PK__PUSH_ROOM(ptr, n, cap) pk__grow((void **)&(ptr), &(cap), (n) + 1, sizeof *(ptr))

typedef struct pk__buf {
    char *data;    /* NUL-terminated when non-NULL; owned */
    size_t len;    /* bytes before the NUL */
    size_t cap;
} pk__buf;

/* Append n bytes / a string / printf output. Errors: PK_ENOMEM (the buffer
 * keeps its earlier content). */
pk_err pk__buf_add(pk__buf *b, const void *p, size_t n);
pk_err pk__buf_puts(pk__buf *b, const char *s);
pk_err pk__buf_printf(pk__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hand the data to the caller (pk_free; "" when empty, NULL on PK_ENOMEM)
 * and reset b. */
char *pk__buf_take(pk__buf *b);
void  pk__buf_free(pk__buf *b);   /* releases the data; b is empty again */

#endif
