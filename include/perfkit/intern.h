/* perfkit/intern.h — a string interner: byte strings to dense uint32 ids and back.
 *
 * pk_intern() maps a byte string (any bytes, NULs included, length 0 allowed)
 * to an id: 0 for the first distinct string, 1 for the next, and so on; the
 * same bytes always give the same id. pk_intern_lookup() maps an id back to
 * the bytes in O(1). The bytes live in an append-only arena whose chunks
 * never move, so a returned pointer stays valid until pk_intern_free().
 * Nothing is ever removed.
 *
 * Lookups are lock-free: an open-addressing table of 8-byte slots (a 32-bit
 * hash and the id), so most probes that do not match never touch the arena.
 *
 * Thread-safety (shared mode, the default):
 *   - pk_intern_find(), pk_intern_lookup(), pk_intern_count() and the hit
 *     path of pk_intern() take no lock and may run in any number of threads
 *     at once, concurrently with pk_intern() inserting in another thread.
 *   - Inserts (pk_intern() of a new string) are serialised by an internal
 *     mutex: pk_intern() may be called from any thread.
 *   - A string is visible to every thread once pk_intern() returned its id
 *     (release/acquire ordering): a thread that received the id through any
 *     synchronising channel (a mutex, a queue, an atomic with acquire) may
 *     look it up. A find running concurrently with the insert of the same
 *     string may or may not see it.
 *   - When the table grows, the old table is retired, not freed: a reader
 *     may still be probing it. Retired tables (together at most the size of
 *     the current one) are freed by pk_intern_reclaim(), which the caller
 *     calls only at a point where no other thread is inside a call on this
 *     interner (a quiescent point, as in RCU), or by pk_intern_free().
 *   - pk_intern_free(), pk_intern_reclaim() and pk_intern_stats() need
 *     exclusive access: no other call on the interner at the same time.
 * With opts.shared = false the interner is for one thread only: no mutex,
 * and a grown table's predecessor is freed at once (nothing is retired).
 *
 * Limits: at most 2^32 - 1 strings and 4 GiB of arena (bytes + 1-2 bytes of
 * length + a NUL per string); beyond them pk_intern() returns PK_ERANGE. */
#ifndef PERFKIT_INTERN_H
#define PERFKIT_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_interner pk_interner;

typedef struct pk_intern_opts {
    size_t capacity;  /* strings to size the table for up front; default 0 (grows) */
    uint64_t seed;    /* hash seed (vary it against chosen-collision input); default a constant */
    bool shared;      /* default true: the thread-safety above; false: one thread only */
} pk_intern_opts;

void pk_intern_opts_init(pk_intern_opts *o);

/* On PK_OK *out owns a new, empty interner (o NULL: the defaults);
 * pk_intern_free() releases it and every string it holds. On error *out is
 * NULL and nothing leaks. Errors: PK_EINVAL (out NULL, capacity over the
 * id limit), PK_ENOMEM. */
pk_err pk_intern_new(const pk_intern_opts *o, pk_interner **out);
void   pk_intern_free(pk_interner *in);   /* NULL is a no-op */

/* The id of str[0..len-1], interning a copy of the bytes if they are new
 * (ids are dense: the k-th distinct string gets id k-1). str may be NULL
 * when len is 0. A hit allocates nothing and takes no lock; an insert
 * copies the bytes into the arena and may grow the table (amortised O(1)).
 * On error *id is unchanged and the interner is as before. Errors:
 * PK_EINVAL (in or id NULL, str NULL with len > 0), PK_ENOMEM, PK_ERANGE
 * (the id or arena limit above). */
pk_err pk_intern(pk_interner *in, const void *str, size_t len, uint32_t *id);

/* The id of str[0..len-1] if it was interned, without interning it: true
 * and *id set, or false (*id unchanged). Lock-free; never allocates. */
bool pk_intern_find(const pk_interner *in, const void *str, size_t len, uint32_t *id);

/* The bytes of id: a pointer into the arena (borrowed: valid until
 * pk_intern_free(), from any thread), followed by a NUL that is not part of
 * the string, and *len (when len is not NULL) set to the length. NULL for
 * an id not yet handed out (id >= pk_intern_count()). O(1), lock-free. */
const char *pk_intern_lookup(const pk_interner *in, uint32_t id, size_t *len);

/* The number of strings interned: every id below it is valid. Lock-free. */
uint32_t pk_intern_count(const pk_interner *in);

/* Frees the retired tables (see above). The caller guarantees that no other
 * thread is inside any call on in. A no-op when nothing is retired. */
void pk_intern_reclaim(pk_interner *in);

/* Structure and memory, as of the call. Every byte counted was allocated
 * through the pk_malloc hook for this interner. overhead_bytes is
 * total_bytes - string_bytes: everything beyond the strings' own bytes. */
typedef struct pk_intern_stats {
    uint64_t strings;        /* distinct strings (= pk_intern_count()) */
    uint64_t string_bytes;   /* sum of their lengths */
    uint64_t arena_bytes;    /* arena chunks allocated (bytes, lengths, NULs, unused tail) */
    uint64_t index_bytes;    /* id -> arena offset pages and their directories */
    uint64_t table_bytes;    /* the current hash table */
    uint64_t retired_bytes;  /* retired tables not yet reclaimed */
    uint64_t total_bytes;    /* all of the above plus the handle */
    uint64_t overhead_bytes; /* total_bytes - string_bytes */
    uint64_t table_slots;    /* slots of the current table */
    uint64_t grows;          /* times the table grew */
    double load;             /* strings / table_slots */
} pk_intern_stats;

/* Fills *st. Exclusive access (see above). Errors: PK_EINVAL (a NULL argument). */
pk_err pk_intern_stats_get(const pk_interner *in, pk_intern_stats *st);

PK_END_DECLS
#endif
