/* collect_gbench.c — paired mode for Google Benchmark binaries: the base
 * tree's binary and the candidate's alternate, one repetition each.
 *
 * A binary measures all its benchmarks in one process, so the unit of
 * pairing is the round: for each of the entry's `repetitions` rounds both
 * binaries run once with --benchmark_repetitions=1, each from its own
 * tree's directory (relative paths resolve per tree, as for commands). The
 * order inside a round is a coin flip of an RNG seeded with the entry's
 * shuffle seed (cmdbench.h: fixed by default, so a run is reproducible),
 * so a drift of the machine during a round favours neither side. Round i
 * of the base pairs with round i of the candidate: every series
 * (real_time, cpu_time, iterations, user counters) gets one sample per
 * round, and a series missing from some round (a counter one run could not
 * report) is dropped, so the pairs never shift. When the base side fails
 * (e.g. its binary predates the benchmark) its benchmarks carry the error
 * and the candidate keeps running alone: evaluate then judges it against
 * history and says why. When the candidate fails, the entry records the
 * error, as unpaired. Ingest does the parsing (pk_ingest_gbench_run_in). */
#include "perfkit/check.h"

#include <string.h>
#include <unistd.h>

#include "check/check_int.h"
#include "core/proc.h"
#include "perfkit/alloc.h"
#include "perfkit/ingest.h"
#include "perfkit/stats.h"

/* One side's rounds so far. */
typedef struct side {
    const char *cwd;
    pk_resultset *acc;     /* every series: one sample per completed round */
    size_t rounds;
    bool failed;
    char error[sizeof ((pk_diag *)0)->message];
} side;

/* Append series s (samples of one round) to figure of b. */
static pk_err append(pk_bench_data *b, const pk_series *s)
{
    const pk_series *had = pk_bench_data_get(b, s->figure);
    size_t n0 = had ? had->n : 0;
    double *all = pk_reallocarray(NULL, n0 + s->n, sizeof *all);
    if (!all)
        return PK_ENOMEM;
    if (n0)
        memcpy(all, had->samples, n0 * sizeof *all);
    memcpy(all + n0, s->samples, s->n * sizeof *all);
    pk_err e = pk_bench_data_put(b, s->figure, s->kind, all, n0 + s->n);
    pk_free(all);
    return e;
}

/* The benchmark named name of rs, added when missing. */
static pk_err find_or_add(pk_resultset *rs, const char *name, pk_bench_data **out)
{
    *out = pk_resultset_find(rs, name);
    return *out ? PK_OK : pk_resultset_add(rs, name, out);
}

/* One round's results into the side's accumulator. */
static pk_err add_round(side *sd, const pk_resultset *round)
{
    for (size_t i = 0; i < round->n; i++) {
        const pk_bench_data *rb = &round->benches[i];
        pk_bench_data *b;
        pk_err e = find_or_add(sd->acc, rb->name, &b);
        for (size_t k = 0; e == PK_OK && k < rb->n_series; k++)
            e = append(b, &rb->series[k]);
        if (e == PK_OK && rb->primary && !b->primary)
            e = pk_bench_data_set_primary(b, rb->primary);
        if (e == PK_OK && rb->error && !b->error)
            e = pk_bench_data_set_error(b, rb->error);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}

/* Run the side's binary once (one repetition) and add its round. PK_OK also
 * when it failed (sd->failed, sd->error); PK_ENOMEM, PK_EINTR (a cancel
 * request stopped it) only. */
static pk_err run_round(const pk_cfg_bench *b, side *sd)
{
    pk_resultset *round = NULL;
    pk_err e = pk_resultset_new(&round);
    if (e != PK_OK)
        return e;
    pk_diag d;
    e = pk_ingest_gbench_run_in(b->binary, sd->cwd, (const char *const *)b->args, b->n_args, 1,
                                b->name, round, &d);
    if (e == PK_OK) {
        e = add_round(sd, round);
        sd->rounds++;
    } else if (e != PK_ENOMEM && e != PK_EINTR) {
        sd->failed = true;
        snprintf(sd->error, sizeof sd->error, "%s", d.message[0] ? d.message : pk_strerror(e));
        e = PK_OK;
    }
    pk_resultset_free(round);
    return e;
}

/* The side's benchmarks into dst: the series with one sample per round
 * only; with msg, every benchmark (and those of names, when given) carries
 * that error instead. */
static pk_err move_side(const side *sd, const pk_resultset *names, const char *msg,
                        pk_resultset *dst)
{
    pk_err e = PK_OK;
    for (size_t i = 0; e == PK_OK && i < sd->acc->n; i++) {
        const pk_bench_data *sb = &sd->acc->benches[i];
        pk_bench_data *b;
        if ((e = find_or_add(dst, sb->name, &b)) != PK_OK)
            break;
        for (size_t k = 0; e == PK_OK && !msg && k < sb->n_series; k++)
            if (sb->series[k].n == sd->rounds)
                e = pk_bench_data_put(b, sb->series[k].figure, sb->series[k].kind,
                                      sb->series[k].samples, sb->series[k].n);
        if (e == PK_OK && sb->primary && pk_bench_data_get(b, sb->primary))
            e = pk_bench_data_set_primary(b, sb->primary);
        if (e == PK_OK && (msg || sb->error))
            e = pk_bench_data_set_error(b, msg ? msg : sb->error);
    }
    for (size_t i = 0; e == PK_OK && msg && names && i < names->n; i++) {
        pk_bench_data *b;
        if ((e = find_or_add(dst, names->benches[i].name, &b)) == PK_OK && !b->error)
            e = pk_bench_data_set_error(b, msg);
    }
    return e;
}

pk_err pk__check_gbench_pair(const pk_cfg_bench *b, const pk_check_opts *o,
                             const char *base_cwd, pk_resultset *rs, pk_resultset *base,
                             pk_diag *diag, bool *have_diag)
{
    char cand_cwd[4096];
    if (!getcwd(cand_cwd, sizeof cand_cwd))
        return PK_EIO;
    side sides[2] = {{.cwd = cand_cwd}, {.cwd = base_cwd}};   /* 0: candidate, 1: base */
    pk_err e = pk_resultset_new(&sides[0].acc);
    if (e == PK_OK)
        e = pk_resultset_new(&sides[1].acc);
    pk_rng rng;
    pk_rng_seed(&rng, b->bench.seed);
    size_t rounds = b->repetitions ? b->repetitions : 1;
    for (size_t r = 0; e == PK_OK && r < rounds && !sides[0].failed; r++) {
        unsigned first = (unsigned)pk_rng_below(&rng, 2);
        for (unsigned k = 0; e == PK_OK && k < 2; k++) {
            side *sd = &sides[k ^ first];
            if (!sd->failed)
                e = run_round(b, sd);
            if (e == PK_OK && pk__stopped(o->stop))
                e = PK_EINTR;
        }
    }
    if (e == PK_OK && sides[0].failed) {
        e = pk__check_record_error(rs, b->name, sides[0].error, diag, have_diag);
        if (e == PK_OK)   /* what the base measured is real; keep it */
            e = move_side(&sides[1], NULL, sides[1].failed ? sides[1].error : NULL, base);
    } else if (e == PK_OK) {
        e = move_side(&sides[0], NULL, NULL, rs);
        if (e == PK_OK)
            e = move_side(&sides[1], sides[0].acc, sides[1].failed ? sides[1].error : NULL,
                          base);
    }
    pk_resultset_free(sides[0].acc);
    pk_resultset_free(sides[1].acc);
    return e;
}
