/* Unit tests for the allocation hook (lib/core/alloc.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include "perfkit/alloc.h"
#include "perfkit/error.h"

static int calls;
static void *counting(void *ud, void *p, size_t n)
{
    (void)ud;
    calls++;
    if (n == 0) { free(p); return NULL; }
    return realloc(p, n);
}
static void *failing(void *ud, void *p, size_t n)
{
    (void)ud; (void)p; (void)n;
    return NULL;
}

Test(alloc, hook_sees_every_call)
{
    pk_set_allocator(counting, NULL);
    char *s = pk_strdup("abc");
    cr_assert_str_eq(s, "abc");
    pk_free(s);
    cr_assert_eq(calls, 2);
    pk_set_allocator(NULL, NULL);
}

Test(alloc, failures_are_null_and_overflow_is_caught)
{
    pk_set_allocator(failing, NULL);
    cr_assert_null(pk_malloc(16));
    cr_assert_null(pk_strdup("x"));
    pk_set_allocator(NULL, NULL);
    cr_assert_null(pk_calloc(SIZE_MAX / 2, 4));
    cr_assert_null(pk_reallocarray(NULL, SIZE_MAX / 2, 4));
    char *d = pk_strndup("abcdef", 3);
    cr_assert_str_eq(d, "abc");
    pk_free(d);
}

Test(error, every_code_has_a_message)
{
    for (int e = 0; e <= PK_EBUSY; e++)
        cr_assert_neq(pk_strerror((pk_err)e)[0], '\0');
    cr_assert_str_eq(pk_strerror((pk_err)999), "unknown error");
}
