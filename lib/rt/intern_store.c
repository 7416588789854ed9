/* intern_store.c — the interner's append-only arena and its id index.
 *
 * Bytes go to chunks (4 KiB doubling to 64 KiB) allocated through pk_malloc and never moved or
 * freed before the interner; a record is [LEB128 length][bytes][NUL], so a
 * string under 128 bytes costs 2 bytes beyond itself (plus the tail of a
 * chunk left unused when the next record does not fit: under 1/8 of a
 * chunk, as larger records get blocks of their own). A record's place is a
 * 32-bit arena offset (virtual chunk << 16 | byte), kept per id in pages of
 * 1024 offsets: 4 bytes per string where a pointer would take 8.
 * The chunk and page directories grow by copy-and-publish (release store);
 * a replaced directory is retired, as a replaced table is (intern_int.h). */
#include <string.h>

#include "perfkit/alloc.h"
#include "rt/intern_int.h"

void pk__intern_retire(pk_interner *in, pk__in_retired *r)
{
    if (!in->shared) {
        pk_free(r);
        return;
    }
    r->next = in->retired;
    in->retired = r;
    in->retired_bytes += r->bytes;
}

void pk__intern_reclaim_all(pk_interner *in)
{
    while (in->retired) {
        pk__in_retired *r = in->retired;
        in->retired = r->next;
        pk_free(r);
    }
    in->retired_bytes = 0;
}

/* Makes *slot's directory hold index i, replacing it by a larger copy. */
static pk_err dir_reserve(pk_interner *in, _Atomic(pk__in_dir *) *slot, uint32_t i)
{
    pk__in_dir *d = atomic_load_explicit(slot, memory_order_relaxed);
    if (d && i < d->cap)
        return PK_OK;
    uint32_t cap = d ? d->cap : 16;
    while (cap <= i)
        cap *= 2;
    uint64_t bytes = sizeof(pk__in_dir) + (uint64_t)cap * sizeof(void *);
    pk__in_dir *n = pk_malloc(bytes);
    if (!n)
        return PK_ENOMEM;
    n->r.next = NULL;
    n->r.bytes = bytes;
    n->cap = cap;
    n->pad = 0;
    uint32_t old = d ? d->cap : 0;
    for (uint32_t k = 0; k < old; k++)
        n->e[k] = d->e[k];
    for (uint32_t k = old; k < cap; k++)
        n->e[k] = NULL;
    atomic_store_explicit(slot, n, memory_order_release);
    in->index_bytes += bytes;
    if (d) {
        in->index_bytes -= d->r.bytes;
        pk__intern_retire(in, &d->r);
    }
    return PK_OK;
}

pk_err pk__intern_index_reserve(pk_interner *in, uint32_t id)
{
    uint32_t pi = id >> PK__IN_PAGE_SHIFT;
    pk_err e = dir_reserve(in, &in->pages, pi);
    if (e)
        return e;
    pk__in_dir *d = atomic_load_explicit(&in->pages, memory_order_relaxed);
    if (d->e[pi])
        return PK_OK;
    uint32_t *page = pk_malloc((size_t)PK__IN_PAGE * sizeof *page);
    if (!page)
        return PK_ENOMEM;
    d->e[pi] = page;  /* reachable once an id on it is published */
    in->npages++;
    in->index_bytes += (uint64_t)PK__IN_PAGE * sizeof *page;
    return PK_OK;
}

void pk__intern_index_set(pk_interner *in, uint32_t id, uint32_t off)
{
    pk__in_dir *d = atomic_load_explicit(&in->pages, memory_order_relaxed);
    ((uint32_t *)d->e[id >> PK__IN_PAGE_SHIFT])[id & (PK__IN_PAGE - 1)] = off;
}

static size_t leb_size(size_t len)
{
    size_t n = 1;
    while (len >= 0x80) {
        len >>= 7;
        n++;
    }
    return n;
}

/* A new arena block of bytes spanning nv virtual chunks; *vchunk its first. */
static pk_err block_new(pk_interner *in, uint64_t bytes, uint32_t nv, uint32_t *vchunk)
{
    if (nv > PK__IN_MAX_VCHUNKS - in->next_vchunk)
        return PK_ERANGE;
    pk_err e = dir_reserve(in, &in->chunks, in->next_vchunk + nv - 1);
    if (e)
        return e;
    if (in->nblocks == in->capblocks) {
        uint32_t cap = in->capblocks ? in->capblocks * 2 : 16;
        void **b = pk_reallocarray(in->blocks, cap, sizeof *b);
        if (!b)
            return PK_ENOMEM;
        in->blocks = b;
        in->capblocks = cap;
    }
    char *p = pk_malloc((size_t)bytes);
    if (!p)
        return PK_ENOMEM;
    in->blocks[in->nblocks++] = p;
    in->arena_bytes += bytes;
    pk__in_dir *d = atomic_load_explicit(&in->chunks, memory_order_relaxed);
    for (uint32_t k = 0; k < nv; k++)
        d->e[in->next_vchunk + k] = p + (size_t)k * PK__IN_CHUNK;
    *vchunk = in->next_vchunk;
    in->next_vchunk += nv;
    return PK_OK;
}

pk_err pk__intern_arena_add(pk_interner *in, const void *str, size_t len, uint32_t *off)
{
    if (len > UINT32_MAX - 8)
        return PK_ERANGE;
    uint64_t rec = leb_size(len) + (uint64_t)len + 1;
    uint32_t vchunk, at;
    pk_err e;
    if (rec > PK__IN_BIG_RECORD) {
        uint32_t nv = (uint32_t)((rec + PK__IN_CHUNK - 1) >> PK__IN_CHUNK_SHIFT);
        if ((e = block_new(in, rec, nv, &vchunk)))
            return e;
        at = 0;
    } else {
        if (in->cur_fill + rec > in->cur_size) {
            uint32_t size = in->cur_size ? in->cur_size * 2 : PK__IN_FIRST_CHUNK;
            if (size > PK__IN_CHUNK)
                size = PK__IN_CHUNK;
            while (size < rec)
                size *= 2;
            if ((e = block_new(in, size, 1, &in->cur_chunk)))
                return e;
            in->cur_fill = 0;
            in->cur_size = size;
        }
        vchunk = in->cur_chunk;
        at = in->cur_fill;
        in->cur_fill += (uint32_t)rec;
    }
    pk__in_dir *d = atomic_load_explicit(&in->chunks, memory_order_relaxed);
    unsigned char *p = (unsigned char *)d->e[vchunk] + at;
    size_t n = len;
    while (n >= 0x80) {
        *p++ = (unsigned char)(n | 0x80);
        n >>= 7;
    }
    *p++ = (unsigned char)n;
    if (len)
        memcpy(p, str, len);
    p[len] = '\0';
    in->string_bytes += len;
    *off = vchunk << PK__IN_CHUNK_SHIFT | at;
    return PK_OK;
}

void pk__intern_store_free(pk_interner *in)
{
    for (uint32_t k = 0; k < in->nblocks; k++)
        pk_free(in->blocks[k]);
    pk_free(in->blocks);
    pk__in_dir *pd = atomic_load_explicit(&in->pages, memory_order_relaxed);
    if (pd) {
        for (uint32_t k = 0; k < pd->cap; k++)
            pk_free(pd->e[k]);
        pk_free(pd);
    }
    pk_free(atomic_load_explicit(&in->chunks, memory_order_relaxed));
    pk__intern_reclaim_all(in);
}
