/* rt/arena_int.h — the bump arena's private layout (lib/rt/arena*.c).
 *
 * Chunks form a singly linked list in the order the arena walks them; the
 * current chunk is the one cur/end point into, and every chunk after it is
 * unused (a reset or rewind moves back, never forward). base is the sum of
 * the sizes of the chunks before the current one, so that the used size and
 * its high-water mark are O(1). */
#ifndef PK_RT_ARENA_INT_H
#define PK_RT_ARENA_INT_H

#include "perfkit/arena.h"

typedef struct pk__arena_chunk {
    struct pk__arena_chunk *next;
    size_t size;                 /* bytes of data[] */
    _Alignas(16) char data[];
} pk__arena_chunk;

struct pk_arena {
    pk__arena_head h;            /* must be first: the inline path */
    pk_arena_opts o;             /* after defaults */
    pk__arena_chunk *first, *chunk;
    size_t base;                 /* bytes of the chunks before `chunk` */
    size_t next_size;            /* size of the next chunk to allocate */
    size_t reserved;             /* sum of the chunks' sizes */
    uint64_t nchunks, chunk_allocs, failures, peak;
};

#endif
