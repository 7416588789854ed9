/* wyhash.h — one fast, well-mixed 64-bit hash of byte strings for the hot
 * paths of libperfkit (internal): the cache's and the interner's tables.
 * The construction is wyhash's (public domain, Wang Yi): 16-byte blocks
 * folded with 64×64→128-bit multiplies, short keys read as two overlapping
 * words, so a key of up to 16 bytes costs two multiplies and no loop. Not
 * for untrusted adversarial keys without a secret seed (callers seed it
 * per table). Header-only: static inline, thread-safe. */
#ifndef PK_CORE_WYHASH_H
#define PK_CORE_WYHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

__extension__ typedef unsigned __int128 pk__u128;

/* The 128-bit product of a and b, folded to 64 bits. */
static inline uint64_t pk__mum(uint64_t a, uint64_t b)
{
    pk__u128 r = (pk__u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Unaligned little-endian loads of 8 and 4 bytes. */
static inline uint64_t pk__rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t pk__rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The hash of key[0..n) under seed. */
static inline uint64_t pk__wyhash(const void *key, size_t n, uint64_t seed)
{
    const uint64_t P0 = 0xa0761d6478bd642full, P1 = 0xe7037ed1a0b428dbull,
                   P2 = 0x8ebc6af09c88c6e3ull;
    const unsigned char *p = key;
    uint64_t a, b;
    seed ^= pk__mum(seed ^ P0, P1);
    if (n <= 16) {
        if (n >= 4) {
            size_t q = (n >> 3) << 2;
            a = (pk__rd32(p) << 32) | pk__rd32(p + q);
            b = (pk__rd32(p + n - 4) << 32) | pk__rd32(p + n - 4 - q);
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            seed = pk__mum(pk__rd64(p) ^ P1, pk__rd64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = pk__rd64(p + i - 16);
        b = pk__rd64(p + i - 8);
    }
    a ^= P1;
    b ^= seed;
    a = pk__mum(a, b);
    return pk__mum(a ^ P0 ^ n, b ^ P2 ^ a);
}

#endif
