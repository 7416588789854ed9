/* hooks.c — the allocator entry points of libperfkit-mem.so.
 *
 * Design: each hook calls the next definition of itself (dlsym RTLD_NEXT,
 * so another interposer or a malloc replacement below us keeps working)
 * and records the event: an allocation after the real call returned it, a
 * free before the memory goes back (so no other thread can be handed the
 * same address and record it first). While dlsym itself runs (it may call
 * calloc) requests are served from a static bump arena whose blocks are
 * never given back to libc. A thread-local guard (initial-exec TLS: no
 * allocation to reach it) lets whatever the recorder itself allocates pass
 * through unrecorded, and so does an allocation in a signal handler that
 * interrupted the recorder. The recorded size is the size requested
 * (calloc: n * size); a realloc is 'F' of the old block then 'A' of the new
 * one. Sizes: docs/mem.md "File format". */
#include "interpose.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__thread int pk__mi_guard PK__MI_TLS;
pk__mi_real pk__mi_libc;

static void *(*real_memalign)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/* ---- bootstrap ---------------------------------------------------------- */

static int ready;          /* real functions resolved, pk__mi_init done */
static int starting;       /* the start is under way (nested calls pass) */

/* Blocks of 16-byte units: a size header, then the block. Zeroed (static),
 * never reused: calloc from it needs no memset. */
static _Alignas(64) unsigned char arena[64 * 1024];
static size_t arena_used;

static int in_arena(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof arena;
}

static void *arena_alloc(size_t n, size_t align)
{
    if (align < 16)
        align = 16;
    size_t at = (arena_used + 16 + align - 1) & ~(align - 1);
    if (n > sizeof arena || at + n > sizeof arena)
        return NULL;
    memcpy(arena + at - sizeof(size_t), &n, sizeof n);
    arena_used = at + n;
    return arena + at;
}

static size_t arena_size(const void *p)
{
    size_t n;
    memcpy(&n, (const unsigned char *)p - sizeof(size_t), sizeof n);
    return n;
}

static void start(void)
{
    if (__atomic_exchange_n(&starting, 1, __ATOMIC_ACQ_REL))
        return;
    pk__mi_guard++;
    pk__mi_real r;
    PK__MI_NEXT(r.malloc, "malloc");
    PK__MI_NEXT(r.free, "free");
    PK__MI_NEXT(r.calloc, "calloc");
    PK__MI_NEXT(r.realloc, "realloc");
    PK__MI_NEXT(real_memalign, "memalign");
    PK__MI_NEXT(real_posix_memalign, "posix_memalign");
    PK__MI_NEXT(real_aligned_alloc, "aligned_alloc");
    PK__MI_NEXT(real_valloc, "valloc");
    PK__MI_NEXT(real_pvalloc, "pvalloc");
    pk__mi_libc = r;   /* all four at once: a nested call sees all or none */
    pk__mi_init();
    pk__mi_guard--;
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}

/* 1 when the hook may go on to the real function; 0: serve from the arena. */
static inline int up(void)
{
    if (PK__MI_UNLIKELY(!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)))
        start();
    return pk__mi_libc.free != NULL;
}

void pk__mi_start(void)
{
    (void)up();
}

/* The hook's own frame: the walk starts at the return address into the
 * allocation function's caller. Called from the hook itself, not inlined
 * into another helper, so that __builtin_frame_address(0) is the hook's. */
#define RECORD_ALLOC(p, size)                                                   \
    do {                                                                        \
        if ((p) && pk__mi_recording()) {                                               \
            pk__mi_guard++;                                                     \
            pk__mi_record_alloc((p), (size), __builtin_frame_address(0));       \
            pk__mi_guard--;                                                     \
        }                                                                       \
    } while (0)

static inline void record_free(void *p)
{
    if (pk__mi_recording()) {
        pk__mi_guard++;
        pk__mi_record_free(p);
        pk__mi_guard--;
    }
}

/* ---- the hooks ----------------------------------------------------------- */

PK__MI_EXPORT void *malloc(size_t n)
{
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(n, 16);
    void *p = pk__mi_libc.malloc(n);
    RECORD_ALLOC(p, n);
    return p;
}

PK__MI_EXPORT void free(void *p)
{
    if (!p || PK__MI_UNLIKELY(in_arena(p)) || PK__MI_UNLIKELY(!up()))
        return;
    record_free(p);
    pk__mi_libc.free(p);
}

PK__MI_EXPORT void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(bytes, 16);
    void *p = pk__mi_libc.calloc(n, size);
    RECORD_ALLOC(p, bytes);
    return p;
}

PK__MI_EXPORT void *realloc(void *old, size_t n)
{
    if (PK__MI_UNLIKELY(old && in_arena(old))) {
        /* a bootstrap block: move it to the real heap, never free it */
        void *p = malloc(n ? n : 1);
        if (p) {
            size_t had = arena_size(old);
            memcpy(p, old, had < n ? had : n);
        }
        return p;
    }
    if (PK__MI_UNLIKELY(!up()))
        return old ? NULL : arena_alloc(n, 16);
    if (old)
        record_free(old);
    void *p = pk__mi_libc.realloc(old, n);
    if (p) {
        RECORD_ALLOC(p, n);
    } else if (old && n != 0) {
        /* failed: the old block lives on. Its requested size is unknown
         * here; the usable size stands in (only under memory exhaustion). */
        RECORD_ALLOC(old, malloc_usable_size(old));
    }
    return p;
}

PK__MI_EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (PK__MI_UNLIKELY(old && in_arena(old)) || PK__MI_UNLIKELY(!up()))
        return realloc(old, bytes);
    /* glibc's reallocarray calls realloc through the PLT (that is, our
     * hook): the real realloc here, so the event is recorded once, here */
    if (old)
        record_free(old);
    void *p = pk__mi_libc.realloc(old, bytes);
    if (p) {
        RECORD_ALLOC(p, bytes);
    } else if (old && bytes != 0) {
        RECORD_ALLOC(old, malloc_usable_size(old));
    }
    return p;
}

PK__MI_EXPORT void *memalign(size_t align, size_t n)
{
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(n, align);
    void *p = real_memalign(align, n);
    RECORD_ALLOC(p, n);
    return p;
}

PK__MI_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (PK__MI_UNLIKELY(!up())) {
        *out = arena_alloc(n, align);
        return *out ? 0 : ENOMEM;
    }
    int rc = real_posix_memalign(out, align, n);
    if (rc == 0)
        RECORD_ALLOC(*out, n);
    return rc;
}

PK__MI_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(n, align);
    void *p = real_aligned_alloc(align, n);
    RECORD_ALLOC(p, n);
    return p;
}

PK__MI_EXPORT void *valloc(size_t n)
{
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(n, 4096);
    void *p = real_valloc(n);
    RECORD_ALLOC(p, n);
    return p;
}

PK__MI_EXPORT void *pvalloc(size_t n)
{
    if (PK__MI_UNLIKELY(!up()))
        return arena_alloc(n, 4096);
    void *p = real_pvalloc(n);
    RECORD_ALLOC(p, n);
    return p;
}

/* A bootstrap block asked about (libc never sees one otherwise). */
PK__MI_EXPORT size_t malloc_usable_size(void *p)
{
    static size_t (*real)(void *);
    if (!p)
        return 0;
    if (in_arena(p))
        return arena_size(p);
    if (!real)
        PK__MI_NEXT(real, "malloc_usable_size");
    return real ? real(p) : 0;
}
