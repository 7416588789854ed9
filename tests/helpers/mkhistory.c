/* mkhistory.c — a known history for `perfkit report`'s tests and bench.
 *
 * usage: mkhistory DB RUNS BENCHES [hostile]
 *
 * RUNS runs (each its own pk_store_put_run), each with BENCHES benchmarks
 * "bench-00".. of one "wall" series of 12 samples (a fixed xorshift
 * stream: the same file every time). Runs alternate between branch "main"
 * (4 in 5) and "feature/x", and machines aaaa… (2 in 3) and bbbb…; even
 * benchmarks get 15% slower from run RUNS*2/3 on (a change point and a
 * regression). The last 6 runs carry a CPU profile of bench-00. "hostile"
 * names the first benchmark `<script>alert(1)</script>&"'`, and gives the
 * feature runs the branch `"><img src=x onerror=alert(2)>` — the page must
 * show them as text. Commit i is the hex of a hash of i. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/perfkit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double unit(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void die(const char *what, pk_store *s, pk_err e)
{
    fprintf(stderr, "mkhistory: %s: %s (%s)\n", what, pk_strerror(e),
            s ? pk_store_last_error(s) : "");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mkhistory DB RUNS BENCHES [hostile]\n");
        return 2;
    }
    long runs = atol(argv[2]), benches = atol(argv[3]);
    int hostile = argc > 4 && strcmp(argv[4], "hostile") == 0;
    pk_store *s = NULL;
    pk_diag d;
    pk_err e = pk_store_open(argv[1], NULL, &s, &d);
    if (e != PK_OK) {
        fprintf(stderr, "mkhistory: %s\n", d.message);
        return 1;
    }
    for (long i = 0; i < runs; i++) {
        pk_run_meta m;
        memset(&m, 0, sizeof m);
        m.started_unix_ns = ((int64_t)1750000000 + (int64_t)i * 3600) * 1000000000;
        uint64_t h = (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL;
        snprintf(m.commit, sizeof m.commit, "%016llx%016llx%08x", (unsigned long long)h,
                 (unsigned long long)h * 31, (unsigned)(h >> 7));
        snprintf(m.branch, sizeof m.branch, "%s",
                 i % 5 == 4 ? (hostile ? "\"><img src=x onerror=alert(2)>" : "feature/x")
                            : "main");
        snprintf(m.perfkit_version, sizeof m.perfkit_version, "0.1.0");
        snprintf(m.machine.cpu_model, sizeof m.machine.cpu_model, "test cpu");
        m.machine.cores = 2;
        snprintf(m.fingerprint, sizeof m.fingerprint, "%s",
                 i % 3 == 2 ? "bbbbbbbbbbbbbbbb" : "aaaaaaaaaaaaaaaa");
        pk_resultset *rs = NULL;
        if ((e = pk_resultset_new(&rs)) != PK_OK)
            die("resultset", NULL, e);
        for (long b = 0; b < benches; b++) {
            char name[64];
            if (b == 0 && hostile)
                snprintf(name, sizeof name, "<script>alert(1)</script>&\"'");
            else
                snprintf(name, sizeof name, "bench-%02ld", b);
            pk_bench_data *bd = NULL;
            if ((e = pk_resultset_add(rs, name, &bd)) != PK_OK)
                die("add", NULL, e);
            double base = 1e6 * (double)(b + 1) * (b % 2 == 0 && i >= runs * 2 / 3 ? 1.15 : 1.0);
            double x[12];
            for (int k = 0; k < 12; k++)
                x[k] = base * (1 + 0.02 * unit());
            if ((e = pk_bench_data_put(bd, "wall", PK_UNIT_DURATION, x, 12)) != PK_OK ||
                (e = pk_bench_data_set_primary(bd, "wall")) != PK_OK)
                die("put", NULL, e);
        }
        if ((e = pk_store_put_run(s, &m, rs)) != PK_OK)
            die("put_run", s, e);
        pk_resultset_free(rs);
        if (i >= runs - 6) {
            char folded[256];
            int n = snprintf(folded, sizeof folded,
                             "main;parse;lex %ld\nmain;parse 10\nmain;eval;add %ld\nmain;gc 5\n",
                             40 - (i % 2) * 20, 30 + (i % 2) * 25);
            const char *name = hostile ? "<script>alert(1)</script>&\"'" : "bench-00";
            if ((e = pk_store_put_profile(s, m.id, name, "cpu", folded, (size_t)n)) != PK_OK)
                die("put_profile", s, e);
        }
    }
    pk_store_close(s);
    return 0;
}
