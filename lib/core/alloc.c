/* alloc.c — the single allocation hook of libperfkit.
 *
 * Every allocation in lib/ goes through pk_malloc & friends so that tests can
 * substitute a failing allocator (see tests/unit/test_alloc.c). */
#include "perfkit/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static pk_alloc_fn alloc_fn = libc_alloc;
static void *alloc_ud;

void pk_set_allocator(pk_alloc_fn fn, void *ud)
{
    alloc_fn = fn ? fn : libc_alloc;
    alloc_ud = fn ? ud : NULL;
}

void *pk_malloc(size_t size)
{
    return alloc_fn(alloc_ud, NULL, size ? size : 1);
}

void *pk_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = pk_malloc(n * size);
    if (p)
        memset(p, 0, (n && size) ? n * size : 1);
    return p;
}

void *pk_realloc(void *ptr, size_t size)
{
    return alloc_fn(alloc_ud, ptr, size ? size : 1);
}

void *pk_reallocarray(void *ptr, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return pk_realloc(ptr, n * size);
}

void pk_free(void *ptr)
{
    if (ptr)
        alloc_fn(alloc_ud, ptr, 0);
}

char *pk_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = pk_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *pk_strdup(const char *s)
{
    return s ? pk_strndup(s, strlen(s)) : NULL;
}
