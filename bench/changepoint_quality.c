/* changepoint_quality.c — precision and recall of perfkit's change points
 * (pk_stats_changepoints, E-Divisive, default options) on synthetic series
 * with known steps.
 *
 * Generator (seeded pk_rng, so every run prints the same table): a run-level
 * statistic 100 · level(i) · (1 + cv · z), z standard normal, for
 *   none    60 runs, no change (every detection is a false alarm);
 *   single  60 runs, one step of +s at a run drawn from 15..45;
 *   double  90 runs, +s at run 30 and −s (back) or +s (further) at run 60,
 *           alternating per series;
 *   creep   60 runs, a linear ramp of total +s over runs 25..31 (6 steps of
 *           s/6, each well below s).
 * For cv in {1, 2, 5}% and s in {1, 2, 3, 5, 10}%. A detection within ±2
 * runs of a true step (for a creep: anywhere from 2 runs before the ramp to
 * 2 after it) is a true positive, each true step matched at most once; every
 * other detection is a false positive — except a second one inside the
 * same creep's window, which is neither (every run of a ramp is a real
 * change; counted as "ramp") — and every unmatched step a miss.
 * precision = TP / (TP + FP), recall = TP / (TP + FN), per row and pooled
 * over the rows with s >= 2 cv (the goal: both >= 0.9) and s < 2 cv.
 *
 * Usage: changepoint_quality [SERIES_PER_ROW]   (default 40) */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/alloc.h"
#include "perfkit/stats.h"

enum { MAXN = 90, MAXSTEPS = 2 };

typedef enum { K_NONE, K_SINGLE, K_DOUBLE, K_CREEP, K_COUNT } kind;
static const char *const kind_name[K_COUNT] = {"none", "single", "double", "creep"};

typedef struct truth {
    size_t lo[MAXSTEPS], hi[MAXSTEPS];   /* a detection in [lo-2, hi+2] matches */
    size_t n;
} truth;

typedef struct tally {
    size_t tp, fp, fn, series;
    size_t ramp;   /* further detections inside a creep's ramp: neither */
} tally;

static double normal(pk_rng *r)
{
    double u1 = 1.0 - pk_rng_double(r), u2 = pk_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* One series of kind k into x (its length returned) and its true steps. */
static size_t generate(kind k, double cv, double s, size_t rep, pk_rng *r, double *x, truth *t)
{
    size_t n = k == K_DOUBLE ? 90 : 60;
    double level[MAXN];
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++)
        level[i] = 1.0;
    if (k == K_SINGLE) {
        size_t at = 15 + (size_t)pk_rng_below(r, 31);
        for (size_t i = at; i < n; i++)
            level[i] = 1.0 + s;
        t->lo[0] = t->hi[0] = at;
        t->n = 1;
    } else if (k == K_DOUBLE) {
        double second = rep % 2 ? 1.0 + 2 * s : 1.0;
        for (size_t i = 30; i < n; i++)
            level[i] = i < 60 ? 1.0 + s : second;
        t->lo[0] = t->hi[0] = 30;
        t->lo[1] = t->hi[1] = 60;
        t->n = 2;
    } else if (k == K_CREEP) {
        for (size_t i = 25; i < n; i++)
            level[i] = 1.0 + s * (i >= 31 ? 1.0 : (double)(i - 25 + 1) / 6.0);
        t->lo[0] = 25;
        t->hi[0] = 31;
        t->n = 1;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = 100.0 * level[i] * (1.0 + cv * normal(r));
    return n;
}

static void score(const truth *t, const pk_changepoint *cp, size_t nc, tally *y)
{
    bool used[MAXSTEPS] = {false, false};
    for (size_t i = 0; i < nc; i++) {
        size_t at = cp[i].index;
        bool hit = false;
        bool ramp = false;
        for (size_t j = 0; j < t->n && !hit; j++) {
            size_t lo = t->lo[j] >= 2 ? t->lo[j] - 2 : 0;
            bool near = at >= lo && at <= t->hi[j] + 2;
            if (near && !used[j]) {
                used[j] = true;
                hit = true;
            }
            ramp |= near && t->hi[j] > t->lo[j];   /* every run of a ramp changed */
        }
        if (hit)
            y->tp++;
        else if (ramp)
            y->ramp++;
        else
            y->fp++;
    }
    for (size_t j = 0; j < t->n; j++)
        y->fn += !used[j];
    y->series++;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : NAN;
}

static void add(tally *to, const tally *y)
{
    to->tp += y->tp;
    to->fp += y->fp;
    to->fn += y->fn;
    to->series += y->series;
    to->ramp += y->ramp;
}

int main(int argc, char **argv)
{
    size_t reps = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 40;
    static const double cvs[] = {0.01, 0.02, 0.05};
    static const double steps[] = {0.01, 0.02, 0.03, 0.05, 0.10};
    pk_changepoint_opts o;
    pk_changepoint_opts_init(&o);
    printf("E-Divisive (alpha %.2g, %zu permutations, min segment %zu), %zu series per row\n\n",
           o.alpha, o.permutations, o.min_size, reps);
    printf("%-7s %5s %5s %6s %5s %5s %5s %5s %9s %7s\n", "kind", "cv", "step", "series", "TP",
           "FP", "FN", "ramp", "precision", "recall");
    tally big = {0}, small = {0}, none = {0};
    double x[MAXN];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < K_COUNT; k++)
        for (size_t c = 0; c < sizeof cvs / sizeof *cvs; c++)
            for (size_t si = 0; si < sizeof steps / sizeof *steps; si++) {
                if (k == K_NONE && si > 0)
                    break;   /* no step: one row per cv */
                tally y = {0};
                for (size_t rep = 0; rep < reps; rep++) {
                    pk_rng r;
                    pk_rng_seed(&r, (uint64_t)k << 48 ^ (uint64_t)c << 40 ^ (uint64_t)si << 32 ^
                                        rep);
                    truth t;
                    size_t n = generate((kind)k, cvs[c], steps[si], rep, &r, x, &t);
                    pk_changepoint *cp = NULL;
                    size_t nc = 0;
                    if (pk_stats_changepoints(x, n, &o, &cp, &nc) != PK_OK) {
                        fprintf(stderr, "pk_stats_changepoints failed\n");
                        return 1;
                    }
                    score(&t, cp, nc, &y);
                    pk_free(cp);
                }
                double s = k == K_NONE ? 0.0 : steps[si];
                printf("%-7s %4.0f%% %4.0f%% %6zu %5zu %5zu %5zu %5zu %9.3f %7.3f\n",
                       kind_name[k], cvs[c] * 100, s * 100, y.series, y.tp, y.fp, y.fn, y.ramp,
                       ratio(y.tp, y.tp + y.fp), ratio(y.tp, y.tp + y.fn));
                if (k == K_NONE)
                    add(&none, &y);
                else if (s >= 2 * cvs[c] - 1e-12)
                    add(&big, &y);
                else
                    add(&small, &y);
            }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const char *fmt = "%s precision %.3f, recall %.3f (TP %zu, FP %zu, FN %zu, %zu series)\n";
    printf("\n");
    printf(fmt, "steps >= 2x noise:", ratio(big.tp, big.tp + big.fp),
           ratio(big.tp, big.tp + big.fn), big.tp, big.fp, big.fn, big.series);
    printf(fmt, "steps <  2x noise:", ratio(small.tp, small.tp + small.fp),
           ratio(small.tp, small.tp + small.fn), small.tp, small.fp, small.fn, small.series);
    printf("no step:           %zu false change points in %zu series\n", none.fp, none.series);
    printf("time: %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    return 0;
}
