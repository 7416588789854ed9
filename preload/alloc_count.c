/* alloc_count.c — allocation counting for perfkit microbenchmarks
 * (build/libperfkit-alloccount.a; never part of libperfkit).
 *
 * Design: defines malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc in the program itself; each
 * forwards to glibc's __libc_* entry point of the same allocator (so memory
 * from any path can be freed by any other) and bumps this thread's counters.
 * libperfkit reads them through pk_bench_alloc_counters(), which it
 * references weakly: without this archive, allocations are "not available".
 * Link it after libperfkit (or with --whole-archive) so the linker takes it:
 *     cc prog.o -lperfkit build/libperfkit-alloccount.a ...
 * glibc only (__libc_malloc & co.); not with ASan, which brings its own
 * malloc. Counters are initial-exec TLS: no allocation, no lock. */
#include <errno.h>
#include <stddef.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include "perfkit/bench.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static __thread pk_bench_alloc_stats counts __attribute__((tls_model("initial-exec")));

const pk_bench_alloc_stats *pk_bench_alloc_counters(void)
{
    return &counts;
}

static inline void *counted(void *p, size_t size)
{
    if (p) {
        counts.allocs++;
        counts.bytes += size;
    }
    return p;
}

void *malloc(size_t size)
{
    return counted(__libc_malloc(size), size);
}

void *calloc(size_t n, size_t size)
{
    return counted(__libc_calloc(n, size), n * size);
}

void *realloc(void *p, size_t size)
{
    if (p && size == 0)
        counts.frees++;
    return counted(__libc_realloc(p, size), size);
}

void free(void *p)
{
    if (p)
        counts.frees++;
    __libc_free(p);
}

void *memalign(size_t align, size_t size)
{
    return counted(__libc_memalign(align, size), size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return counted(__libc_memalign(align, size), size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = counted(__libc_memalign(align, size), size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return counted(__libc_valloc(size), size);
}

void *pvalloc(size_t size)
{
    return counted(__libc_pvalloc(size), size);
}
