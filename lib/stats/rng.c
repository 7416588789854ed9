/* rng.c — xoshiro256** pseudo-random generator seeded through splitmix64.
 *
 * Design: 256 bits of state, one 64-bit output per step, no global state, so
 * a seed fixes the stream on every platform (bootstrap intervals reproduce).
 * Bounded integers use rejection sampling on the low residues (the OpenBSD
 * arc4random_uniform rule): no modulo bias, expected < 2 draws.
 * Doubles take the top 53 bits, giving every multiple of 2^-53 in [0, 1).
 * References: D. Blackman, S. Vigna, "Scrambled Linear Pseudorandom Number
 * Generators", ACM TOMS 47(4), 2021; https://prng.di.unimi.it/ */
#include "perfkit/stats.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void pk_rng_seed(pk_rng *r, uint64_t seed)
{
    /* splitmix64 never yields four zero words in a row, so the state is
     * never the all-zero fixed point of xoshiro. */
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

uint64_t pk_rng_next(pk_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t pk_rng_below(pk_rng *r, uint64_t n)
{
    if (n < 2)
        return 0;   /* n = 0 breaks the contract; answer 0 rather than trap */
    /* 2^64 mod n: draws below it would make the low residues more likely. */
    uint64_t min = (0 - n) % n;
    for (;;) {
        uint64_t x = pk_rng_next(r);
        if (x >= min)
            return x % n;
    }
}

double pk_rng_double(pk_rng *r)
{
    return (double)(pk_rng_next(r) >> 11) * 0x1.0p-53;
}
