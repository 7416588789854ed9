/* rt/arena.c — the bump arena: chunks, the slow path, marks, reset.
 *
 * The inline path (arena.h) aligns the current pointer and bumps it inside
 * the current chunk. When the request does not fit, the slow path moves to
 * the next chunk in the list if it is large enough, or allocates a new chunk
 * (sizes double from chunk_size up to max_chunk, a larger request gets its
 * own) and links it right after the current one, so the list is always
 * "used chunks, current, unused chunks". A mark is (chunk, pointer, base);
 * rewinding and resetting only move the current position, hence O(1), and
 * keep every chunk for the next round. */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/arena_int.h"

void pk_arena_opts_init(pk_arena_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->chunk_size = (size_t)64 << 10;
    o->max_chunk = (size_t)4 << 20;
}

static void note_peak(pk_arena *a)
{
    uint64_t used = a->base + (size_t)(a->h.cur - a->chunk->data);
    if (used > a->peak)
        a->peak = used;
}

static void enter(pk_arena *a, pk__arena_chunk *c, char *cur, size_t base)
{
    a->chunk = c;
    a->h.cur = cur;
    a->h.end = c->data + c->size;
    a->base = base;
}

/* A new chunk of at least size bytes, not yet linked; NULL on failure. */
static pk__arena_chunk *chunk_new(pk_arena *a, size_t size)
{
    if (size > SIZE_MAX - sizeof(pk__arena_chunk))
        return NULL;
    if (a->o.max_bytes && (size > a->o.max_bytes || a->reserved > a->o.max_bytes - size))
        return NULL;
    pk__arena_chunk *c = pk_malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    if (a->o.prefault)
        memset(c->data, 0, size);
    a->reserved += size;
    a->nchunks++;
    a->chunk_allocs++;
    return c;
}

pk_err pk_arena_new(const pk_arena_opts *opts, pk_arena **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_arena_opts o;
    if (opts)
        o = *opts;
    else
        pk_arena_opts_init(&o);
    if (o.chunk_size < 64 || o.max_chunk < o.chunk_size ||
        (o.max_bytes && o.max_bytes < o.chunk_size))
        return PK_EINVAL;
    pk_arena *a = pk_calloc(1, sizeof *a);
    if (!a)
        return PK_ENOMEM;
    a->o = o;
    pk__arena_chunk *c = chunk_new(a, o.chunk_size);
    if (!c) {
        pk_free(a);
        return PK_ENOMEM;
    }
    a->first = c;
    a->next_size = o.chunk_size < o.max_chunk / 2 ? o.chunk_size * 2 : o.max_chunk;
    enter(a, c, c->data, 0);
    *out = a;
    return PK_OK;
}

void pk_arena_free(pk_arena *a)
{
    if (!a)
        return;
    for (pk__arena_chunk *c = a->first, *nx; c; c = nx) {
        nx = c->next;
        pk_free(c);
    }
    pk_free(a);
}

void *pk__arena_alloc_slow(pk_arena *a, size_t size, size_t align)
{
    if (align == 0 || (align & (align - 1)) || align > 4096 || size > SIZE_MAX / 2) {
        a->failures++;
        return NULL;
    }
    note_peak(a);
    size_t need = size + align - 1;   /* fits at any alignment of the chunk's start */
    size_t base = a->base + a->chunk->size;
    pk__arena_chunk *c = a->chunk->next;
    if (!c || c->size < need) {
        size_t sz = need > a->next_size ? need : a->next_size;
        pk__arena_chunk *n = chunk_new(a, sz);
        if (!n) {
            a->failures++;
            return NULL;
        }
        if (sz == a->next_size)
            a->next_size = sz < a->o.max_chunk / 2 ? sz * 2 : a->o.max_chunk;
        n->next = c;
        a->chunk->next = n;
        c = n;
    }
    enter(a, c, c->data, base);
    char *p = c->data + (size_t)(-(uintptr_t)c->data & (uintptr_t)(align - 1));
    a->h.cur = p + size;
    return p;
}

pk_arena_mark pk_arena_save(const pk_arena *a)
{
    pk_arena_mark m = {a->chunk, a->h.cur, a->base};
    return m;
}

void pk_arena_rewind(pk_arena *a, pk_arena_mark m)
{
    note_peak(a);
    enter(a, m.chunk, m.cur, m.base);
}

void pk_arena_reset(pk_arena *a)
{
    note_peak(a);
    enter(a, a->first, a->first->data, 0);
}

size_t pk_arena_trim(pk_arena *a)
{
    if (!a)
        return 0;
    size_t freed = 0;
    for (pk__arena_chunk *c = a->chunk->next, *nx; c; c = nx) {
        nx = c->next;
        freed += c->size;
        a->nchunks--;
        pk_free(c);
    }
    a->chunk->next = NULL;
    a->reserved -= freed;
    return freed;
}

pk_err pk_arena_stats_get(pk_arena *a, pk_arena_stats *out)
{
    if (!a || !out)
        return PK_EINVAL;
    note_peak(a);
    out->used_bytes = a->base + (size_t)(a->h.cur - a->chunk->data);
    out->peak_bytes = a->peak;
    out->reserved_bytes = a->reserved;
    out->chunks = a->nchunks;
    out->chunk_allocs = a->chunk_allocs;
    out->failures = a->failures;
    return PK_OK;
}
