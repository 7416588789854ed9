/* rt/arena_pool.c — a size-class pool over a bump arena.
 *
 * 40 classes: multiples of 16 bytes up to 128, then four per power of two
 * (2^e + k * 2^(e-2), k = 1..4) up to 32 KiB, so a size is rounded up by at
 * most 25% and a class index is a count of leading zeros and a shift. Each
 * class keeps a LIFO free list threaded through the first 8 bytes of its
 * returned blocks; a get pops it or bumps the arena (16-byte aligned), a put
 * pushes. A reset empties the lists and resets the arena. Single-threaded,
 * like the arena. */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/arena_int.h"

typedef struct free_block {
    struct free_block *next;
} free_block;

struct pk_arena_pool {
    pk_arena *a;
    free_block *free[PK_ARENA_POOL_CLASSES];
    uint64_t gets, puts, reused, live, live_bytes;
};

/* Class index of size (1 .. PK_ARENA_POOL_MAX). */
static unsigned class_of(size_t size)
{
    if (size <= 128)
        return (unsigned)((size + 15) >> 4) - 1;
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)(size - 1));   /* 2^e < size */
    return 8 + (e - 7) * 4 + (unsigned)((size - 1 - ((size_t)1 << e)) >> (e - 2));
}

static size_t class_size(unsigned c)
{
    if (c < 8)
        return (size_t)(c + 1) * 16;
    unsigned e = (c - 8) / 4 + 7, k = (c - 8) % 4 + 1;
    return ((size_t)1 << e) + ((size_t)k << (e - 2));
}

size_t pk_arena_pool_class_size(size_t size)
{
    if (size > PK_ARENA_POOL_MAX)
        return 0;
    return class_size(class_of(size ? size : 1));
}

pk_err pk_arena_pool_new(const pk_arena_opts *o, pk_arena_pool **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_arena_pool *sp = pk_calloc(1, sizeof *sp);
    if (!sp)
        return PK_ENOMEM;
    pk_err e = pk_arena_new(o, &sp->a);
    if (e != PK_OK) {
        pk_free(sp);
        return e;
    }
    *out = sp;
    return PK_OK;
}

void pk_arena_pool_free(pk_arena_pool *sp)
{
    if (!sp)
        return;
    pk_arena_free(sp->a);
    pk_free(sp);
}

void *pk_arena_pool_get(pk_arena_pool *sp, size_t size)
{
    if (size > PK_ARENA_POOL_MAX)
        return NULL;
    unsigned c = class_of(size ? size : 1);
    void *p;
    if (sp->free[c]) {
        free_block *b = sp->free[c];
        sp->free[c] = b->next;
        sp->reused++;
        p = b;
    } else if (!(p = pk_arena_alloc(sp->a, class_size(c)))) {
        return NULL;
    }
    sp->gets++;
    sp->live++;
    sp->live_bytes += class_size(c);
    return p;
}

void pk_arena_pool_put(pk_arena_pool *sp, void *p, size_t size)
{
    if (!p || size > PK_ARENA_POOL_MAX)
        return;
    unsigned c = class_of(size ? size : 1);
    free_block *b = p;
    b->next = sp->free[c];
    sp->free[c] = b;
    sp->puts++;
    sp->live--;
    sp->live_bytes -= class_size(c);
}

void pk_arena_pool_reset(pk_arena_pool *sp)
{
    memset(sp->free, 0, sizeof sp->free);
    sp->live = 0;
    sp->live_bytes = 0;
    pk_arena_reset(sp->a);
}

pk_err pk_arena_pool_stats_get(pk_arena_pool *sp, pk_arena_pool_stats *out)
{
    if (!sp || !out)
        return PK_EINVAL;
    out->gets = sp->gets;
    out->puts = sp->puts;
    out->reused = sp->reused;
    out->live = sp->live;
    out->live_bytes = sp->live_bytes;
    return pk_arena_stats_get(sp->a, &out->arena);
}
