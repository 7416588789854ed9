/* core/hash.h — a string-keyed hash table for every libperfkit module: name
 * lookups that stay O(1) when an input holds a million names. (Internal
 * toolkit; see core/buf.h.)
 *
 * Keys are byte strings (pointer + length, not necessarily NUL-terminated)
 * that the table borrows: the caller keeps each key's bytes alive and
 * unchanged while it is in the table. A key maps to one size_t value (an
 * index into the caller's array, usually). Open addressing with linear
 * probing, at most 1/2 full, capacity a power of two; deletion shifts the
 * probe sequence back, so there are no tombstones and lookups never slow
 * down after removals. Memory: 24 bytes per slot, 48-96 bytes per key.
 *
 * A zeroed pk__hash is an empty table; pk__hash_free releases it.
 * Thread-safety: none for writers; concurrent pk__hash_get calls on a table
 * nobody modifies are safe. */
#ifndef PK_CORE_HASH_H
#define PK_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/error.h"

typedef struct pk__hash_slot {
    const char *key;     /* borrowed; NULL: the slot is empty */
    size_t value;
    uint32_t hash;       /* of key, to skip most byte compares */
    uint32_t len;        /* key length */
} pk__hash_slot;

typedef struct pk__hash {
    pk__hash_slot *slots;   /* cap slots; NULL while cap is 0 */
    size_t cap;             /* 0 or a power of two */
    size_t n;               /* keys held */
} pk__hash;

/* The 32-bit hash of key[0..len-1] the table uses (FNV-1a over the bytes,
 * mixed with a per-process seed so that crafted inputs cannot aim at one
 * chain, and finalised so every bit depends on every byte). */
uint32_t pk__hash_bytes(const char *key, size_t len);

/* Whether key[0..len-1] is in h; on true *value (may be NULL) receives its
 * value. O(1) expected. */
bool pk__hash_get(const pk__hash *h, const char *key, size_t len, size_t *value);

/* Map key[0..len-1] (borrowed, see above) to value, replacing the value
 * (and the borrowed pointer) of an equal key already there. Grows by
 * doubling when the table would be more than half full. Errors: PK_ENOMEM
 * (h is unchanged), PK_EINVAL (h or key NULL, len >= 4 GiB). */
pk_err pk__hash_put(pk__hash *h, const char *key, size_t len, size_t value);

/* Remove key[0..len-1]; false when it was not there. Never allocates. */
bool pk__hash_remove(pk__hash *h, const char *key, size_t len);

/* Make room for n keys in all, so that adding them never grows the table
 * again. Errors: PK_ENOMEM (h is unchanged), PK_EINVAL. */
pk_err pk__hash_reserve(pk__hash *h, size_t n);

/* Forget every key; the slots are kept for reuse. */
void pk__hash_clear(pk__hash *h);

/* Release the slots; h is an empty table again. NULL is a no-op. */
void pk__hash_free(pk__hash *h);

/* Slots a lookup of key[0..len-1] reads before it stops (1 when it lands
 * on its key or an empty slot at once). For tests that check the table
 * stays O(1) without timing anything. */
size_t pk__hash_probes(const pk__hash *h, const char *key, size_t len);

#endif
