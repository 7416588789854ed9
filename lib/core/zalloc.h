/* zalloc.h — zlib's allocator hooks on pk_malloc (internal to libperfkit):
 * a z_stream whose zalloc/zfree are these obeys pk_set_allocator and the
 * tests' allocation-failure injection like the rest of the library.
 * Thread-safe as pk_calloc / pk_free are. */
#ifndef PK_CORE_ZALLOC_H
#define PK_CORE_ZALLOC_H

#include <zlib.h>

#include "perfkit/alloc.h"

static inline voidpf pk__z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return pk_calloc(items, size);
}

static inline void pk__z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    pk_free(p);
}

#endif
