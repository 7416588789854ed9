/* libFuzzer target: pk_collapse on arbitrary bytes, with options and the
 * input format taken from the first byte and the input fed in chunks whose
 * size comes from the second, must end in PK_OK (or PK_EPARSE when strict,
 * PK_ERANGE for a stack over 64 MiB), give stacks in strictly increasing
 * byte order, the same stacks whatever the chunking, and never read or
 * write out of bounds. */
#include <stdint.h>
#include <string.h>
#include "perfkit/collapse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pk_collapse *run(const pk_collapse_opts *o, const char *s, size_t n, size_t chunk)
{
    pk_collapse *c = NULL;
    if (pk_collapse_new(o, &c) != PK_OK)
        return NULL;
    pk_diag d;
    for (size_t off = 0; off < n; off += chunk) {
        pk_err e = pk_collapse_feed(c, s + off, n - off < chunk ? n - off : chunk, &d);
        if (e != PK_OK) {
            if (e != PK_ENOMEM && e != PK_ERANGE && !(e == PK_EPARSE && o->strict))
                __builtin_trap();
            pk_collapse_free(c);
            return NULL;
        }
    }
    pk_err e = pk_collapse_finish(c, &d);
    if (e != PK_OK) {
        if (e != PK_ENOMEM && e != PK_ERANGE && !(e == PK_EPARSE && o->strict))
            __builtin_trap();
        pk_collapse_free(c);
        return NULL;
    }
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    uint8_t f = data[0];
    o.format = (pk_collapse_format)(f % 3);
    o.include_pid = f & 4;
    o.include_tid = f & 8;
    o.annotate_kernel = f & 16;
    o.annotate_jit = f & 32;
    o.include_addrs = f & 64;
    o.strict = f & 128;
    size_t chunk = (size_t)data[1] + 1;
    const char *s = (const char *)data + 2;
    size_t n = size - 2;
    pk_collapse *a = run(&o, s, n, chunk), *b = run(&o, s, n, n ? n : 1);
    if (!a || !b) {
        if ((a == NULL) != (b == NULL) && !o.strict)
            __builtin_trap();
        pk_collapse_free(a);
        pk_collapse_free(b);
        return 0;
    }
    size_t count = pk_collapse_count(a);
    if (count != pk_collapse_count(b))
        __builtin_trap();
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < count; i++) {
        const char *x, *y;
        size_t xn, yn;
        uint64_t xc, yc;
        if (pk_collapse_get(a, i, &x, &xn, &xc) != PK_OK || pk_collapse_get(b, i, &y, &yn, &yc) != PK_OK)
            __builtin_trap();
        if (xn != yn || xc != yc || memcmp(x, y, xn) != 0)
            __builtin_trap();
        if (prev) {
            size_t m = prev_len < xn ? prev_len : xn;
            int r = memcmp(prev, x, m);
            if (r > 0 || (r == 0 && prev_len >= xn))
                __builtin_trap();
        }
        prev = x;
        prev_len = xn;
    }
    pk_collapse_free(a);
    pk_collapse_free(b);
    return 0;
}
