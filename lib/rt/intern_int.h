/* rt/intern_int.h — the interner's insides, shared by intern.c (hash table,
 * API) and intern_store.c (append-only arena and id index). Private to lib/rt.
 *
 * Publication rule: everything a reader can reach (arena bytes, index
 * entries, directory entries) is written before the writer's release store
 * of the count or of a table slot; readers start from an acquire load of
 * one of those, so plain loads suffice below it. Only the pointers the
 * writer replaces (directories, the table) are atomics. */
#ifndef PK_RT_INTERN_INT_H
#define PK_RT_INTERN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "perfkit/intern.h"

/* The arena is a 4 GiB virtual space of 64 KiB chunks: an arena offset is
 * 32 bits (chunk number, byte in chunk); chunks never move. A record is
 * [LEB128 length][bytes][NUL]; one larger than BIG_RECORD gets a block of
 * its own spanning as many virtual chunks as it needs. The first chunks
 * are smaller (4, 8, 16, 32 KiB, each still one virtual chunk), so that a
 * small interner does not hold 64 KiB. */
#define PK__IN_CHUNK_SHIFT 16u
#define PK__IN_CHUNK ((uint32_t)1 << PK__IN_CHUNK_SHIFT)
#define PK__IN_MAX_VCHUNKS ((uint32_t)1 << (32u - PK__IN_CHUNK_SHIFT))
#define PK__IN_BIG_RECORD (PK__IN_CHUNK / 8u)
#define PK__IN_FIRST_CHUNK 4096u
/* The id index: pages of 1024 32-bit arena offsets. */
#define PK__IN_PAGE_SHIFT 10u
#define PK__IN_PAGE ((uint32_t)1 << PK__IN_PAGE_SHIFT)

/* The head of every block a reader may still use after the writer replaced
 * it: the writer's retire list, never read by readers. */
typedef struct pk__in_retired {
    struct pk__in_retired *next;
    uint64_t bytes;
} pk__in_retired;

/* A directory of pointers that only grows: replaced by a copy twice as
 * large, the old one retired. */
typedef struct pk__in_dir {
    pk__in_retired r;
    uint32_t cap;
    uint32_t pad;
    void *e[];
} pk__in_dir;

/* The open-addressing table: slot = hash32 << 32 | (id + 1); 0 is empty.
 * A slot's home is hash32 & mask, so growth never rereads the bytes. */
typedef struct pk__in_table {
    pk__in_retired r;
    uint32_t mask;  /* slots - 1 (a power of two) */
    uint32_t pad;
    _Atomic uint64_t slot[];
} pk__in_table;

struct pk_interner {
    /* read by every lookup, written only when replaced */
    _Atomic(pk__in_table *) table;
    _Atomic(pk__in_dir *) chunks;  /* virtual chunk -> base address */
    _Atomic(pk__in_dir *) pages;   /* id >> PAGE_SHIFT -> uint32_t page[PAGE] */
    uint64_t seed;
    bool shared;
    char pad_[64];
    /* written on every insert: its own cache line */
    _Atomic uint32_t count;
    char pad2_[60];
    /* the writer's (under mu when shared) */
    pthread_mutex_t mu;
    uint32_t cur_chunk;    /* virtual chunk being filled */
    uint32_t cur_fill;     /* bytes used in it */
    uint32_t cur_size;     /* its size; 0 when there is none */
    uint32_t next_vchunk;  /* first unused virtual chunk */
    void **blocks;         /* every arena allocation, to free */
    uint32_t nblocks, capblocks;
    uint32_t npages;       /* index pages allocated */
    pk__in_retired *retired;
    uint64_t string_bytes, arena_bytes, index_bytes, retired_bytes, grows;
};

/* intern_store.c */
/* Makes room for id's index entry (a page, a larger directory). */
pk_err pk__intern_index_reserve(pk_interner *in, uint32_t id);
/* Copies a record of str into the arena: *off its arena offset. Errors:
 * PK_ENOMEM, PK_ERANGE (the 4 GiB arena is full). */
pk_err pk__intern_arena_add(pk_interner *in, const void *str, size_t len, uint32_t *off);
/* Sets id's index entry (reserved) to off. */
void pk__intern_index_set(pk_interner *in, uint32_t id, uint32_t off);
/* Keeps r's block (r->bytes long) until reclaim or free (shared mode), or
 * frees it now (one thread only). */
void pk__intern_retire(pk_interner *in, pk__in_retired *r);
void pk__intern_reclaim_all(pk_interner *in);
void pk__intern_store_free(pk_interner *in);

/* The record of an id below count: its bytes and length. */
static inline const char *pk__intern_record(const pk_interner *in, uint32_t id, size_t *len)
{
    const pk__in_dir *pd = atomic_load_explicit(&in->pages, memory_order_acquire);
    const uint32_t *page = pd->e[id >> PK__IN_PAGE_SHIFT];
    uint32_t off = page[id & (PK__IN_PAGE - 1)];
    const pk__in_dir *cd = atomic_load_explicit(&in->chunks, memory_order_acquire);
    const unsigned char *p = (const unsigned char *)cd->e[off >> PK__IN_CHUNK_SHIFT] +
                             (off & (PK__IN_CHUNK - 1));
    size_t n = *p & 0x7f;
    if (*p++ & 0x80) {
        unsigned shift = 7;
        do {
            n |= (size_t)(*p & 0x7f) << shift;
            shift += 7;
        } while (*p++ & 0x80);
    }
    *len = n;
    return (const char *)p;
}

#endif
