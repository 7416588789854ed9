/* test_collapse.c — pk_collapse (lib/profile): the stackcollapse-perf.pl
 * rules on small inputs, any chunking gives the same stacks, folded input,
 * strict errors with their line, API misuse, and every allocation failing
 * in turn ending in PK_ENOMEM without a leak (tests/unit/fault.h). The
 * byte-for-byte comparisons with the Perl script on recorded profiles are
 * CLI tests (tests/cli/t_collapse.sh). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "perfkit/collapse.h"

static const char SAMPLE[] =
    "# comment\n"
    "V8 WorkerThread 24636/25607 [000] 94564.109216:     100 cpu-clock: \n"
    "\t    7f01 leaf+0x1a (/usr/bin/app)\n"
    "\t    7f02 std::map<int, int>::find(int const&) (/usr/bin/app)\n"
    "\t    7f03 [unknown] (/usr/lib/libc.so.6)\n"
    "\n"
    "app 12/13 1.0: 7 cycles: \n"
    "\t    7f04 main (/usr/bin/app)\n"
    "\n"
    "V8 WorkerThread 24636/25607 [000] 94564.109217:     50 cpu-clock: \n"
    "\t    7f01 leaf+0x1b (/usr/bin/app)\n"
    "\t    7f02 std::map<int, int>::find(int const&) (/usr/bin/app)\n"
    "\t    7f03 [unknown] (/usr/lib/libc.so.6)\n"
    "\n"
    "app 12/13 1.1: 250 cpu-clock: \n"
    "\t    7f05 a->b (/usr/bin/app)\n"
    "\t    ffff0001 do_syscall_64 ([kernel.kallsyms])\n"
    "\n";

static const char WANT[] =
    "V8_WorkerThread;[libc.so.6];std::map<int, int>::find;leaf 150\n"
    "app;do_syscall_64;a;b_[i] 250\n";

/* Collapse text fed in chunks of `chunk` bytes; the output as folded text
 * (caller frees), or NULL with *err set. */
static char *collapse(const pk_collapse_opts *o, const char *text, size_t len, size_t chunk,
                      pk_err *err, pk_diag *d)
{
    pk_collapse *c = NULL;
    *err = pk_collapse_new(o, &c);
    if (*err != PK_OK)
        return NULL;
    for (size_t off = 0; off < len && *err == PK_OK; off += chunk)
        *err = pk_collapse_feed(c, text + off, len - off < chunk ? len - off : chunk, d);
    if (*err == PK_OK)
        *err = pk_collapse_finish(c, d);
    char *out = NULL;
    size_t out_len = 0;
    if (*err == PK_OK) {
        FILE *f = open_memstream(&out, &out_len);
        for (size_t i = 0; i < pk_collapse_count(c); i++) {
            const char *s;
            size_t n;
            uint64_t count;
            cr_assert_eq(pk_collapse_get(c, i, &s, &n, &count), PK_OK);
            fwrite(s, 1, n, f);
            fprintf(f, " %llu\n", (unsigned long long)count);
        }
        fclose(f);
    }
    pk_collapse_free(c);
    return out;
}

Test(collapse, perf_script_rules)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    pk_err e;
    char *out = collapse(&o, SAMPLE, sizeof SAMPLE - 1, sizeof SAMPLE, &e, NULL);
    cr_assert_eq(e, PK_OK);
    cr_assert_str_eq(out, WANT);
    free(out);
}

Test(collapse, any_chunking_gives_the_same_stacks)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    for (size_t chunk = 1; chunk <= 67; chunk++) {
        pk_err e;
        char *out = collapse(&o, SAMPLE, sizeof SAMPLE - 1, chunk, &e, NULL);
        cr_assert_eq(e, PK_OK);
        cr_assert_str_eq(out, WANT, "chunk %zu", chunk);
        free(out);
    }
}

Test(collapse, options_and_stats)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    o.include_tid = o.annotate_kernel = o.include_addrs = true;
    o.event_filter = "cycles";
    pk_err e;
    char *out = collapse(&o, SAMPLE, sizeof SAMPLE - 1, 5, &e, NULL);
    cr_assert_eq(e, PK_OK);
    cr_assert_str_eq(out, "app-12/13;main 7\n");
    free(out);

    pk_collapse *c;
    pk_collapse_opts_init(&o);
    cr_assert_eq(pk_collapse_new(&o, &c), PK_OK);
    static const char in[] = "junk\nmore junk\n" "app 1 1.0: 3 cpu-clock:\n\tf main (/x)\n\n"
                             "app 1 1.0: 3 cycles:\n\n";
    cr_assert_eq(pk_collapse_feed(c, in, sizeof in - 1, NULL), PK_OK);
    cr_assert_eq(pk_collapse_finish(c, NULL), PK_OK);
    pk_collapse_stats st;
    pk_collapse_get_stats(c, &st);
    cr_assert_eq(st.ignored, 2);
    cr_assert_eq(st.first_ignored, 1);
    cr_assert_eq(st.filtered, 1);
    cr_assert_eq(st.samples, 1);
    cr_assert_eq(st.lines, 7);
    cr_assert_eq(st.format, PK_COLLAPSE_PERF);
    cr_assert_str_eq(st.event, "cpu-clock");
    pk_collapse_free(c);
}

Test(collapse, folded_input_is_merged_and_sorted)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    static const char in[] = "b;c 2\na;x 1\n\nb;c 3\nb 0\nb;c 9999999999999999999999\n";
    pk_err e;
    char *out = collapse(&o, in, sizeof in - 1, 4, &e, NULL);
    cr_assert_eq(e, PK_OK);
    /* counts saturate instead of wrapping */
    cr_assert_str_eq(out, "a;x 1\nb 0\nb;c 18446744073709551615\n");
    free(out);
}

Test(collapse, strict_names_the_line)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    o.strict = true;
    static const char in[] = "app 1 1.0: 3 cpu-clock:\n\tf main (/x)\n\nnot perf\n";
    pk_err e;
    pk_diag d = {0};
    char *out = collapse(&o, in, sizeof in - 1, 3, &e, &d);
    cr_assert_eq(e, PK_EPARSE);
    cr_assert_null(out);
    cr_assert_eq(d.line, 4);
    cr_assert(strstr(d.message, "perf script"), "%s", d.message);
}

Test(collapse, misuse)
{
    pk_collapse *c = (pk_collapse *)1;
    cr_assert_eq(pk_collapse_new(NULL, &c), PK_EINVAL);
    cr_assert_null(c);
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    o.format = (pk_collapse_format)7;
    cr_assert_eq(pk_collapse_new(&o, &c), PK_EINVAL);
    pk_collapse_opts_init(&o);
    cr_assert_eq(pk_collapse_new(&o, &c), PK_OK);
    cr_assert_eq(pk_collapse_get(c, 0, NULL, NULL, NULL), PK_EINVAL);   /* not finished */
    cr_assert_eq(pk_collapse_count(c), 0);
    cr_assert_eq(pk_collapse_finish(c, NULL), PK_OK);
    cr_assert_eq(pk_collapse_feed(c, "x\n", 2, NULL), PK_EINVAL);
    cr_assert_eq(pk_collapse_finish(c, NULL), PK_EINVAL);
    cr_assert_eq(pk_collapse_get(c, 0, NULL, NULL, NULL), PK_EINVAL);   /* no stacks */
    pk_collapse_free(c);
    pk_collapse_free(NULL);
}

Test(collapse, every_allocation_failure_is_clean)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    o.event_filter = "cpu-clock";
    fault_arm(-1);
    pk_err e;
    char *out = collapse(&o, SAMPLE, sizeof SAMPLE - 1, 16, &e, NULL);
    fault_disarm();
    cr_assert_eq(e, PK_OK);
    free(out);
    long total = fault_requests();
    cr_assert_gt(total, 5);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        out = collapse(&o, SAMPLE, sizeof SAMPLE - 1, 16, &e, NULL);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "allocation %ld: %d", k, e);
        cr_assert_eq(fault_live(), 0, "leak when allocation %ld fails", k);
        if (e == PK_OK)
            cr_assert_str_eq(out, WANT);
        free(out);
    }
}

/* Found by fuzz_collapse: an event name holding a NUL was copied with
 * strndup, so the filter was shorter than its recorded length (ASan: read
 * past the end). Names are bytes, NULs included. */
Test(collapse, event_names_are_bytes)
{
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    static const char in[] = "app 1 1.0: 3 ev\0a:\n\tf main (/x)\n\n"
                             "app 1 1.0: 4 ev\0b:\n\tf other (/x)\n\n"
                             "app 1 1.0: 5 ev\0a:\n\tf main (/x)\n\n";
    pk_err e;
    char *out = collapse(&o, in, sizeof in - 1, 7, &e, NULL);
    cr_assert_eq(e, PK_OK);
    cr_assert_str_eq(out, "app;main 8\n");
    free(out);
}

/* More distinct stacks than the cache of recent stacks has slots, seen in
 * two orders: every count is exact (a cache miss or collision falls back to
 * the table, never to a wrong entry). */
Test(collapse, many_distinct_stacks_count_exactly)
{
    enum { N = 20000 };
    char *in = malloc((size_t)N * 2 * 32);
    cr_assert_not_null(in);
    size_t len = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N; i++) {
            int k = pass ? N - 1 - i : i;
            len += (size_t)sprintf(in + len, "app;f%d;g%d %d\n", k % 97, k, k + 1);
        }
    pk_collapse_opts o;
    pk_collapse_opts_init(&o);
    pk_collapse *c;
    cr_assert_eq(pk_collapse_new(&o, &c), PK_OK);
    cr_assert_eq(pk_collapse_feed(c, in, len, NULL), PK_OK);
    cr_assert_eq(pk_collapse_finish(c, NULL), PK_OK);
    cr_assert_eq(pk_collapse_count(c), N);
    for (size_t i = 0; i < N; i++) {
        const char *s;
        size_t n;
        uint64_t count;
        cr_assert_eq(pk_collapse_get(c, i, &s, &n, &count), PK_OK);
        const char *g = memrchr(s, 'g', n);
        long k = strtol(g + 1, NULL, 10);
        cr_assert_eq(count, (uint64_t)(2 * (k + 1)), "%.*s", (int)n, s);
    }
    pk_collapse_free(c);
    free(in);
}
