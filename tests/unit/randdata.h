/* randdata.h — reproducible random samples for the stats unit tests
 * (header-only). Draws come from the library generator (pk_rng), so a seed
 * gives the same data on every platform. */
#ifndef PK_TEST_RANDDATA_H
#define PK_TEST_RANDDATA_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/stats.h"

/* Box-Muller normal draw from the library generator. */
static inline double normal(pk_rng *r, double mu, double sigma)
{
    double u1 = 1.0 - pk_rng_double(r), u2 = pk_rng_double(r);
    return mu + sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* x[0..n) = n normal(mu, sigma) draws from a generator seeded with seed. */
static inline void fill_normal(double *x, size_t n, uint64_t seed, double mu, double sigma)
{
    pk_rng r;
    pk_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = normal(&r, mu, sigma);
}

#endif
