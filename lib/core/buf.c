/* buf.c — growable arrays and byte buffers (core/buf.h).
 *
 * Growth doubles from a minimum of 8 elements, so n pushes cost O(n)
 * amortised; every size is checked for overflow before it is multiplied. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"

pk_err pk__grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return PK_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return PK_ENOMEM;
        ncap *= 2;
    }
    void *np = pk_reallocarray(*ptr, ncap, elem);
    if (!np)
        return PK_ENOMEM;
    *ptr = np;
    *cap = ncap;
    return PK_OK;
}

pk_err pk__buf_add(pk__buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX - b->len - 1)
        return PK_ENOMEM;
    pk_err e = pk__grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    if (e != PK_OK)
        return e;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PK_OK;
}

pk_err pk__buf_puts(pk__buf *b, const char *s)
{
    return pk__buf_add(b, s, strlen(s));
}

pk_err pk__buf_printf(pk__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return PK_EINVAL;
    pk_err e = pk__grow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1);
    if (e != PK_OK)
        return e;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return PK_OK;
}

char *pk__buf_take(pk__buf *b)
{
    char *d = b->data;
    if (!d)
        d = pk_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void pk__buf_free(pk__buf *b)
{
    pk_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
