/* test_record.c — perfkit record's library: folding, naming, sampling.
 *
 * The folded writer and address → name resolution run on this test binary
 * itself (its own functions, libc's) without perf_event_open; the sampler
 * runs tests/helpers/profhot (70% of its instructions in hot_a, 30% in
 * hot_b) and must find hot_a's share within ±5 points in frame-pointer mode
 * and in DWARF mode (on a build without frame pointers). cpu-clock samples
 * the program's own CPU time, so the shares hold on a loaded machine.
 * $HELPERS names the helpers' directory (default build/helpers). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "perfkit/record.h"
#include "record/record_int.h"
#include "fault.h"

__attribute__((noinline)) int rec_outer(int x);
__attribute__((noinline)) int rec_inner(int x);
__attribute__((noinline)) int rec_inner(int x)
{
    __asm__ volatile("" : "+r"(x));
    return x + 1;
}
__attribute__((noinline)) int rec_outer(int x)
{
    return rec_inner(x) * 2;
}

/* An address inside an inlined function: rec_inlined's body in rec_host. */
static inline __attribute__((always_inline)) uint64_t rec_inlined(void)
{
    uint64_t pc;
    __asm__ volatile("1: lea 1b(%%rip), %0" : "=r"(pc));   /* the lea itself */
    return pc;
}
__attribute__((noinline)) uint64_t rec_host(void);
__attribute__((noinline)) uint64_t rec_host(void)
{
    return rec_inlined();
}

static pk_record *fake_record(void)
{
    pk_record *r = pk_calloc(1, sizeof *r);
    cr_assert_not_null(r);
    snprintf(r->fallback_comm, sizeof r->fallback_comm, "fallback");
    cr_assert_not_null(pk__record_proc_get(r, getpid(), true));
    pk__record_proc_read_maps(r, r->procs[0]);
    cr_assert_gt(r->procs[0]->n_maps, 0, "read /proc/self/maps");
    return r;
}

Test(record, symbol_of_own_functions_and_libc)
{
    pk_record *r = fake_record();
    char name[256];
    pk__record_symbol(r->procs[0], (uint64_t)(uintptr_t)&rec_inner, name, sizeof name);
    cr_expect_str_eq(name, "rec_inner");
    pk__record_symbol(r->procs[0], (uint64_t)(uintptr_t)&rec_outer + 3, name, sizeof name);
    cr_expect_str_eq(name, "rec_outer");
    pk__record_symbol(r->procs[0], (uint64_t)(uintptr_t)&qsort, name, sizeof name);
    cr_expect(!strcmp(name, "qsort") || !strcmp(name, "__interceptor_qsort"),   /* ASan's */
              "%s", name);
    pk__record_symbol(r->procs[0], 0x10, name, sizeof name);
    cr_expect_str_eq(name, "[unknown]");
    pk_record_free(r);
}

Test(record, inlined_functions_are_frames)
{
    pk_record *r = fake_record();
    char name[256];
    pk__record_symbol(r->procs[0], rec_host(), name, sizeof name);
    cr_expect_str_eq(name, "rec_host;rec_inlined");
    pk_record_free(r);
}

Test(record, kernel_addresses_named_from_a_sorted_table)
{
    pk_record *r = pk_calloc(1, sizeof *r);
    r->ksyms_loaded = true;   /* a fake /proc/kallsyms: no read */
    r->ksyms = pk_calloc(3, sizeof *r->ksyms);
    r->ksyms[0] = (pk__record_ksym){0xffffffff81000000ULL, pk_strdup("_stext")};
    r->ksyms[1] = (pk__record_ksym){0xffffffff81001000ULL, pk_strdup("do_syscall_64")};
    r->ksyms[2] = (pk__record_ksym){0xffffffff81002000ULL, pk_strdup("vfs_read")};
    r->n_ksyms = r->cap_ksyms = 3;
    char name[256];
    pk__record_ksym_name(r, 0xffffffff81001000ULL, name, sizeof name);
    cr_expect_str_eq(name, "do_syscall_64_[k]");
    pk__record_ksym_name(r, 0xffffffff81001fffULL, name, sizeof name);
    cr_expect_str_eq(name, "do_syscall_64_[k]");
    pk__record_ksym_name(r, 0xffffffff8100ffffULL, name, sizeof name);
    cr_expect_str_eq(name, "vfs_read_[k]");
    pk__record_ksym_name(r, 0xffff800000000000ULL, name, sizeof name);
    cr_expect_str_eq(name, "[kernel]");
    pk_record_free(r);
}

Test(record, kernel_frames_need_fp_mode)
{
    pk_record_opts o;
    pk_record_opts_init(&o);
    o.kernel = true;
    o.callgraph = PK_RECORD_DWARF;
    char *argv[] = {"true", NULL};
    pk_record *r = NULL;
    char *msg = NULL;
    cr_expect_eq(pk_record_run(&o, argv, &r, &msg), PK_ENOTSUP);
    cr_expect(msg && strstr(msg, "frame-pointer mode only"), "%s", msg ? msg : "(null)");
    pk_free(msg);
}

Test(record, jit_map_names_addresses_outside_modules)
{
    pk_record *r = pk_calloc(1, sizeof *r);
    pid_t fake = 4000000 + (getpid() % 100000);   /* above pid_max's default */
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)fake);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "7f0000001000 100 LazyCompile:*fib app.js:3\n7f0000002000 20 stub\n");
    fclose(f);
    pk__record_proc *p = pk__record_proc_get(r, fake, true);
    char name[256];
    pk__record_symbol(p, 0x7f0000001080, name, sizeof name);
    cr_expect_str_eq(name, "LazyCompile:*fib app.js:3");
    pk__record_symbol(p, 0x7f0000002020, name, sizeof name);
    cr_expect_str_eq(name, "[unknown]", "the end of a range is outside it");
    unlink(path);
    pk_record_free(r);
}

Test(record, folded_lines_root_first_merged_and_sorted)
{
    pk_record *r = fake_record();
    cr_assert_eq(pk__record_thread_set(r, getpid(), getpid(), "my prog"), PK_OK);
    /* leaf first; the caller's frame is a return address inside rec_outer
     * (the function's start + 1: naming looks at address - 1) */
    uint64_t a[] = {(uint64_t)(uintptr_t)&rec_inner + 1, (uint64_t)(uintptr_t)&rec_outer + 1};
    uint64_t b[] = {(uint64_t)(uintptr_t)&rec_outer};
    uint64_t c[] = {(uint64_t)(uintptr_t)&rec_inner + 2, (uint64_t)(uintptr_t)&rec_outer + 1};
    cr_assert_eq(pk__record_raw_add(r, 0, getpid(), a, 2), PK_OK);
    cr_assert_eq(pk__record_raw_add(r, 0, getpid(), b, 1), PK_OK);
    cr_assert_eq(pk__record_raw_add(r, 0, getpid(), a, 2), PK_OK);
    cr_assert_eq(pk__record_raw_add(r, 0, getpid(), c, 2), PK_OK);   /* same names as a */
    cr_assert_eq(pk__record_raw_add(r, 0, getpid() + 1, b, 1), PK_OK);  /* unseen thread */
    cr_assert_eq(r->n_raw, 4);
    cr_assert_eq(pk__record_fold(r), PK_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(pk_record_write_folded(r, f), PK_OK);
    fclose(f);
    cr_expect_str_eq(text, "fallback;rec_outer 1\n"
                           "my_prog;rec_outer 1\n"
                           "my_prog;rec_outer;rec_inner 3\n");
    free(text);
    cr_expect_eq(pk_record_stack_count(r), 3);
    pk_record_free(r);
}

Test(record, bad_options_and_missing_program)
{
    pk_record_opts o;
    pk_record_opts_init(&o);
    cr_expect_eq(o.freq_hz, 999);
    pk_record *r = (pk_record *)1;
    char *msg = NULL;
    o.freq_hz = 0;
    char *argv[] = {"true", NULL};
    cr_expect_eq(pk_record_run(&o, argv, &r, &msg), PK_EINVAL);
    cr_expect_null(r);
    cr_expect(msg && strstr(msg, "frequency"), "%s", msg ? msg : "(null)");
    pk_free(msg);
    pk_record_opts_init(&o);
    char *missing[] = {"/nonexistent/perfkit-no-such-program", NULL};
    cr_expect_eq(pk_record_run(&o, missing, &r, &msg), PK_ENOENT);
    cr_expect(msg && strstr(msg, "cannot run"), "%s", msg ? msg : "(null)");
    pk_free(msg);
}

/* The whole path from samples to folded lines with allocation k failing:
 * PK_ENOMEM or PK_OK, never a crash; nothing leaks (pk_record_free takes
 * what was built). Returns the error of the first step that failed. */
static pk_err fold_path(void)
{
    pk_record *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    pk_err e = PK_ENOMEM;
    pk__record_proc *p = pk__record_proc_get(r, getpid(), true);
    if (p) {
        pk__record_proc_read_maps(r, p);
        uint64_t a[] = {(uint64_t)(uintptr_t)&rec_inner + 1, (uint64_t)(uintptr_t)&rec_outer + 1};
        uint64_t b[] = {(uint64_t)(uintptr_t)&rec_outer};
        e = pk__record_thread_set(r, getpid(), getpid(), "prog");
        if (!e)
            e = pk__record_raw_add(r, 0, getpid(), a, 2);
        if (!e)
            e = pk__record_raw_add(r, 0, getpid(), b, 1);
        if (!e)
            e = pk__record_fold(r);
    }
    pk_record_free(r);
    return e;
}

Test(record, every_failed_allocation_is_a_clean_error)
{
    fault_arm(-1);
    cr_assert_eq(fold_path(), PK_OK);
    long total = fault_requests();
    fault_disarm();
    cr_assert_gt(total, 5);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_err e = fold_path();
        long live = fault_live();
        fault_disarm();
        cr_expect(e == PK_ENOMEM || e == PK_OK, "allocation %ld: %s", k, pk_strerror(e));
        cr_expect_eq(live, 0, "allocation %ld failing leaks %ld blocks", k, live);
    }
}

static const char *helper(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("HELPERS");
    snprintf(buf, len, "%s/%s", dir && *dir ? dir : "build/helpers", name);
    return access(buf, X_OK) == 0 ? buf : NULL;
}

/* Record profhot; hot_a's share of the samples in percent, and the share
 * of samples whose stack runs main;hot_a or main;hot_b. */
static void record_hot(const char *prog, pk_record_callgraph cg, double *hot_a_pct,
                       double *via_main_pct)
{
    char path[4096];
    cr_assert_not_null(helper(prog, path, sizeof path), "build %s first", prog);
    pk_record_opts o;
    pk_record_opts_init(&o);
    o.callgraph = cg;
    char *argv[] = {path, "800", NULL};
    pk_record *r = NULL;
    char *msg = NULL;
    pk_err e = pk_record_run(&o, argv, &r, &msg);
    if (e == PK_EPERM || e == PK_ENOTSUP)
        cr_skip_test("cannot profile here: %s", msg ? msg : pk_strerror(e));
    cr_assert_eq(e, PK_OK, "%s", msg ? msg : pk_strerror(e));
    const pk_record_stats *st = pk_record_get_stats(r);
    cr_assert_eq(st->exit_status, 0);
    cr_assert_gt(st->samples, 400, "%llu samples", (unsigned long long)st->samples);
    uint64_t total = 0, a = 0, main_ = 0;
    for (size_t i = 0; i < pk_record_stack_count(r); i++) {
        const char *s;
        uint64_t n;
        pk_record_stack_get(r, i, &s, &n);
        total += n;
        size_t l = strlen(s);
        if (l >= 6 && !strcmp(s + l - 6, ";hot_a"))
            a += n;
        if (strstr(s, ";main;hot_a") || strstr(s, ";main;hot_b"))
            main_ += n;
    }
    *hot_a_pct = 100.0 * (double)a / (double)total;
    *via_main_pct = 100.0 * (double)main_ / (double)total;
    pk_record_free(r);
}

Test(record, fp_finds_hot_a_share, .timeout = 120)
{
    double a, via;
    record_hot("profhot", PK_RECORD_FP, &a, &via);
    cr_expect(a > 65 && a < 75, "hot_a has %.1f%% of the samples, expected 70 ± 5", a);
    cr_expect(via > 90, "only %.1f%% of the stacks run through main", via);
}

Test(record, dwarf_unwinds_code_without_frame_pointers, .timeout = 120)
{
    double a, via;
    record_hot("profhot-nofp", PK_RECORD_DWARF, &a, &via);
    cr_expect(a > 65 && a < 75, "hot_a has %.1f%% of the samples, expected 70 ± 5", a);
    cr_expect(via > 90, "only %.1f%% of the stacks run through main", via);
}
