/* test_mem.c — perfkit mem's reader and analysis on hand-written event
 * files (mem_writer.h encodes the records of docs/mem.md "File format"):
 * exact peaks and the sites alive at the peak, leaks, temporaries, realloc
 * chains, threads freeing each other's blocks, unknown frees, truncated and
 * broken files (PK_EPARSE with the offset), the timeline's bounds, names
 * from this test binary's own maps, and a failed allocation at every step. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "perfkit/mem.h"
#include "fault.h"
#include "mem_writer.h"

static pk_mem_profile *load_ok(mw *w)
{
    pk_mem_profile *p = NULL;
    pk_diag d = {0};
    pk_err e = pk_mem_read(mw_file(w), "t.mem", &p, &d);
    cr_assert_eq(e, PK_OK, "load: %s: %s", pk_strerror(e), d.message);
    cr_assert_not_null(p);
    return p;
}

static const pk_mem_site *site_of(const pk_mem_profile *p, uint32_t stack)
{
    for (size_t i = 0; i < pk_mem_site_count(p); i++)
        if (pk_mem_site_get(p, i)->stack == stack)
            return pk_mem_site_get(p, i);
    cr_assert_fail("no site for stack %u", stack);
    return NULL;
}

/* The story of test "totals" (times in ns, one thread):
 *   10 A 0x1000 100 s1   heap 100
 *   20 A 0x2000  50 s2   heap 150
 *   30 F 0x1000          heap  50   (not temporary: 0x2000 came between)
 *   40 A 0x3000 200 s2   heap 250   the peak: s2 250, s1 0
 *   50 F 0x3000          heap  50   temporary
 *   60 A 0x4000  10 s1   heap  60   leaks: 0x2000 (s2) and 0x4000 (s1) */
static void story(mw *w)
{
    uint64_t f1[] = {0x401000, 0x402000}, f2[] = {0x401100, 0x402000};
    mw_info(w, 42, "prog", "/usr/bin/prog");
    mw_thread(w, 7, "prog");
    mw_stack(w, 1, f1, 2);
    mw_alloc(w, 10, 7, 0x1000, 100, 1);
    mw_stack(w, 2, f2, 2);
    mw_alloc(w, 10, 7, 0x2000, 50, 2);
    mw_free(w, 10, 7, 0x1000);
    mw_alloc(w, 10, 7, 0x3000, 200, 2);
    mw_free(w, 10, 7, 0x3000);
    mw_alloc(w, 10, 7, 0x4000, 10, 1);
}

Test(mem, totals_peak_leaks_temporaries)
{
    mw w;
    mw_open(&w);
    story(&w);
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->allocs, 4);
    cr_expect_eq(t->alloc_bytes, 360);
    cr_expect_eq(t->frees, 2);
    cr_expect_eq(t->peak_bytes, 250);
    cr_expect_eq(t->peak_ns, 40);
    cr_expect_eq(t->leaked_bytes, 60);
    cr_expect_eq(t->leaked_blocks, 2);
    cr_expect_eq(t->temporary, 1);
    cr_expect_eq(t->unknown_frees, 0);
    cr_expect_eq(t->duration_ns, 60);
    cr_expect_eq(t->stacks, 2);
    cr_expect_eq(t->threads, 1);
    const pk_mem_info *in = pk_mem_get_info(p);
    cr_expect_eq(in->pid, 42);
    cr_expect_str_eq(in->cmdline, "prog");
    cr_expect_str_eq(in->exe, "/usr/bin/prog");
    cr_expect(!in->truncated);
    cr_expect_eq(in->end_reason, 0);
    cr_assert_eq(pk_mem_site_count(p), 2);
    const pk_mem_site *s1 = site_of(p, 1), *s2 = site_of(p, 2);
    cr_expect_eq(s1->allocs, 2);
    cr_expect_eq(s1->alloc_bytes, 110);
    cr_expect_eq(s1->peak_bytes, 0);
    cr_expect_eq(s1->leaked_bytes, 10);
    cr_expect_eq(s1->leaked_blocks, 1);
    cr_expect_eq(s1->temporary, 0);
    cr_expect_eq(s2->allocs, 2);
    cr_expect_eq(s2->alloc_bytes, 250);
    cr_expect_eq(s2->peak_bytes, 250);
    cr_expect_eq(s2->leaked_bytes, 50);
    cr_expect_eq(s2->temporary, 1);
    size_t idx[2];
    cr_assert_eq(pk_mem_sites_by(p, PK_MEM_PEAK, idx), 1);   /* s1's 0 left out */
    cr_expect_eq(pk_mem_site_get(p, idx[0])->stack, 2);
    cr_assert_eq(pk_mem_sites_by(p, PK_MEM_LEAKED, idx), 2);
    cr_expect_eq(pk_mem_site_get(p, idx[0])->stack, 2);
    cr_expect_eq(pk_mem_site_get(p, idx[1])->stack, 1);
    pk_mem_free(p);
    mw_close(&w);
}

/* A later, higher peak replaces the figures of the first one; sites not
 * touched since a peak keep their bytes of that peak. */
Test(mem, peak_moves)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400100};
    for (uint64_t s = 1; s <= 3; s++) {
        f[0] += 0x10;
        mw_stack(&w, s, f, 1);
    }
    mw_alloc(&w, 1, 1, 0x10, 1000, 1);   /* peak 1000: s1 1000 */
    mw_free(&w, 1, 1, 0x10);
    mw_alloc(&w, 1, 1, 0x20, 300, 2);
    mw_alloc(&w, 1, 1, 0x30, 800, 3);    /* peak 1100: s2 300, s3 800 */
    mw_free(&w, 1, 1, 0x20);
    mw_alloc(&w, 1, 1, 0x40, 200, 1);    /* 1000, below the peak */
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    cr_expect_eq(pk_mem_get_totals(p)->peak_bytes, 1100);
    cr_expect_eq(pk_mem_get_totals(p)->peak_ns, 4);
    cr_expect_eq(site_of(p, 1)->peak_bytes, 0);
    cr_expect_eq(site_of(p, 2)->peak_bytes, 300);
    cr_expect_eq(site_of(p, 3)->peak_bytes, 800);
    cr_expect_eq(site_of(p, 1)->leaked_bytes, 200);
    pk_mem_free(p);
    mw_close(&w);
}

/* realloc(p) = 'F' p then 'A' q: each step of a chain is an allocation,
 * the block freed by the next step a temporary (heaptrack counts the same). */
Test(mem, realloc_chain)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400500};
    mw_stack(&w, 1, f, 1);
    mw_alloc(&w, 5, 1, 0xa0, 16, 1);
    mw_realloc(&w, 5, 1, 0xa0, 0xb0, 32, 1);
    mw_realloc(&w, 5, 1, 0xb0, 0xb0, 64, 1);   /* in place */
    mw_realloc(&w, 5, 1, 0xb0, 0xc0, 128, 1);
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->allocs, 4);
    cr_expect_eq(t->alloc_bytes, 16 + 32 + 64 + 128);
    cr_expect_eq(t->peak_bytes, 128);
    cr_expect_eq(t->leaked_bytes, 128);
    cr_expect_eq(t->leaked_blocks, 1);
    cr_expect_eq(t->temporary, 3);
    pk_mem_free(p);
    mw_close(&w);
}

/* Threads: a block freed by another thread is no temporary; one thread's
 * allocation does not break another's temporary. */
Test(mem, threads)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400900};
    mw_stack(&w, 1, f, 1);
    mw_thread(&w, 11, "a");
    mw_thread(&w, 12, "b");
    mw_alloc(&w, 1, 11, 0x100, 10, 1);
    mw_alloc(&w, 1, 12, 0x200, 20, 1);
    mw_free(&w, 1, 11, 0x100);            /* temporary of thread 11 */
    mw_alloc(&w, 1, 12, 0x300, 30, 1);
    mw_free(&w, 1, 11, 0x300);            /* thread 12's block: not temporary */
    mw_free(&w, 1, 12, 0x200);
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->temporary, 1);
    cr_expect_eq(t->threads, 2);
    cr_expect_eq(t->peak_bytes, 50);
    cr_expect_eq(t->leaked_bytes, 0);
    pk_mem_free(p);
    mw_close(&w);
}

Test(mem, unknown_frees_counted_and_ignored)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400900};
    mw_stack(&w, 1, f, 1);
    mw_free(&w, 1, 1, 0xdead0);           /* allocated before init */
    mw_alloc(&w, 1, 1, 0x100, 10, 1);
    mw_free(&w, 1, 1, 0xbeef0);
    mw_fork(&w, 1, 999);
    mw_end(&w, 1, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->unknown_frees, 2);
    cr_expect_eq(t->frees, 0);
    cr_expect_eq(t->leaked_bytes, 10);
    cr_expect_eq(t->temporary, 0);
    cr_expect_eq(pk_mem_get_info(p)->forks, 1);
    cr_expect_eq(pk_mem_get_info(p)->end_reason, 1);
    pk_mem_free(p);
    mw_close(&w);
}

/* A file cut anywhere loads up to its last complete record. */
Test(mem, truncated)
{
    mw w;
    mw_open(&w);
    story(&w);
    fflush(w.w);
    size_t full = w.len;
    mw_end(&w, 0, 0);
    /* without the end record: every event there, truncated */
    pk_mem_profile *p = NULL;
    cr_assert_eq(pk_mem_read(mw_file_cut(&w, full), "t", &p, NULL), PK_OK);
    cr_expect(pk_mem_get_info(p)->truncated);
    cr_expect_eq(pk_mem_get_info(p)->end_reason, -1);
    cr_expect_eq(pk_mem_get_totals(p)->leaked_bytes, 60);
    pk_mem_free(p);
    /* cut inside the last 'A' record (0x4000, 10 bytes): it is not applied */
    cr_assert_eq(pk_mem_read(mw_file_cut(&w, full - 2), "t", &p, NULL), PK_OK);
    cr_expect(pk_mem_get_info(p)->truncated);
    cr_expect_eq(pk_mem_get_totals(p)->allocs, 3);
    cr_expect_eq(pk_mem_get_totals(p)->leaked_bytes, 50);
    cr_expect_eq(pk_mem_get_totals(p)->peak_bytes, 250);
    pk_mem_free(p);
    /* every cut loads or says why, never crashes */
    for (size_t k = 1; k < full; k++) {
        pk_err e = pk_mem_read(mw_file_cut(&w, k), "t", &p, NULL);
        cr_expect(e == PK_OK || (e == PK_EPARSE && k < 16), "cut at %zu: %d", k, e);
        pk_mem_free(p);
    }
    mw_close(&w);
}

static void expect_bad(mw *w, const char *msg)
{
    pk_mem_profile *p = (pk_mem_profile *)1;
    pk_diag d = {0};
    pk_err e = pk_mem_read(mw_file(w), "bad.mem", &p, &d);
    cr_expect_eq(e, PK_EPARSE, "%s", d.message);
    cr_expect_null(p);
    cr_expect_str_eq(d.file, "bad.mem");
    cr_expect(strstr(d.message, msg), "message `%s` lacks `%s`", d.message, msg);
    mw_close(w);
}

Test(mem, bad_files)
{
    mw w;
    mw_open_raw(&w);
    fputs("hello, this is not an event file", w.w);
    expect_bad(&w, "offset 0: not a perfkit mem event file");
    mw_open_raw(&w);
    mw_header(&w, 3, 0);
    expect_bad(&w, "offset 6: format version 3");
    mw_open_raw(&w);
    fputs("PKM", w.w);
    expect_bad(&w, "offset 0: too short");
    mw_open(&w);
    uint64_t f[] = {1};
    mw_stack(&w, 1, f, 1);
    mw_byte(&w, 'Z');
    expect_bad(&w, "offset 20: unknown record type 0x5a");
    mw_open(&w);
    mw_alloc(&w, 0, 0, 0x10, 5, 3);
    expect_bad(&w, "offset 16: stack 3 used before its record");
    mw_open(&w);
    mw_byte(&w, 'W');
    mw_uv(&w, 1ull << 40);
    expect_bad(&w, "offset 16: record 'W': thread id 1099511627776 out of range");
    mw_open(&w);
    mw_stack(&w, 2, f, 1);
    expect_bad(&w, "offset 16: stack id 2 out of order (expected 1)");
    mw_open(&w);
    mw_byte(&w, 'A');
    for (int i = 0; i < 11; i++)
        mw_byte(&w, 0xff);
    mw_byte(&w, 0);
    expect_bad(&w, "offset 16: record 'A': a number longer than 64 bits");
}

/* Version 1 files (a time and a thread per event, absolute pointers) still load. */
Test(mem, version1)
{
    mw w;
    mw_open_raw(&w);
    mw_header(&w, 1, 1);
    uint64_t f[] = {0x401000};
    mw_stack(&w, 1, f, 1);
    mw_byte(&w, 'A'), mw_uv(&w, 5), mw_uv(&w, 7), mw_uv(&w, 0x1000), mw_uv(&w, 100), mw_uv(&w, 1);
    mw_byte(&w, 'A'), mw_uv(&w, 5), mw_uv(&w, 8), mw_uv(&w, 0x2000), mw_uv(&w, 30), mw_uv(&w, 1);
    mw_byte(&w, 'F'), mw_uv(&w, 5), mw_uv(&w, 7), mw_uv(&w, 0x1000);
    mw_byte(&w, 'E'), mw_uv(&w, 5), mw_uv(&w, 0), mw_uv(&w, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->peak_bytes, 130);
    cr_expect_eq(t->peak_ns, 10);
    cr_expect_eq(t->leaked_bytes, 30);
    cr_expect_eq(t->threads, 2);
    cr_expect_eq(t->duration_ns, 20);
    cr_expect_eq(pk_mem_get_info(p)->end_reason, 0);
    pk_mem_free(p);
    mw_close(&w);
}

Test(mem, load_missing_file)
{
    pk_mem_profile *p;
    pk_diag d = {0};
    cr_expect_eq(pk_mem_load("/nonexistent/x.mem", &p, &d), PK_ENOENT);
    cr_expect_null(p);
    cr_expect(strstr(d.message, "cannot open"), "%s", d.message);
}

/* Ten million ns of steady growth then a drop: at most 1000 points, in time
 * order, the peak among them. */
Test(mem, timeline_bounded)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400100};
    mw_stack(&w, 1, f, 1);
    for (uint64_t i = 0; i < 5000; i++)
        mw_alloc(&w, 2000, 1, 0x1000 + i * 16, 8, 1);
    for (uint64_t i = 0; i < 5000; i++)
        mw_free(&w, 10, 1, 0x1000 + i * 16);
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    size_t n;
    const pk_mem_point *pt = pk_mem_timeline(p, &n);
    cr_assert(n > 100 && n <= PK_MEM_TIMELINE_MAX, "n = %zu", n);
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            cr_assert_gt(pt[i].t_ns, pt[i - 1].t_ns);
        max = pt[i].bytes > max ? pt[i].bytes : max;
    }
    cr_expect_eq(max, 40000);
    cr_expect_eq(pk_mem_get_totals(p)->peak_bytes, 40000);
    cr_expect_lt(pt[n - 1].bytes, 40000);   /* the drop shows */
    pk_mem_free(p);
    mw_close(&w);
}

/* Names from this very process: its maps, return addresses inside it. */
__attribute__((noinline)) uint64_t mem_ret(void);
__attribute__((noinline)) uint64_t mem_caller(void);
__attribute__((noinline)) uint64_t mem_ret(void)
{
    return (uint64_t)(uintptr_t)__builtin_return_address(0);
}
__attribute__((noinline)) uint64_t mem_caller(void)
{
    uint64_t r = mem_ret();
    __asm__ volatile("" : "+r"(r));
    return r;
}

static char *read_self_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, o);
    fclose(f);
    fclose(o);
    return buf;
}

Test(mem, names_from_maps)
{
    mw w;
    mw_open(&w);
    char *maps = read_self_maps();
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    cr_assert_gt(n, 0);
    exe[n] = '\0';
    mw_info(&w, (uint64_t)getpid(), "test_mem", exe);
    mw_maps(&w, maps);
    uint64_t frames[] = {mem_caller(), 0x10};   /* the second maps nowhere */
    mw_stack(&w, 1, frames, 2);
    mw_alloc(&w, 1, 1, 0x100, 64, 1);
    mw_alloc(&w, 1, 1, 0x200, 8, 0);             /* no stack */
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    const char *stack, *func, *file;
    unsigned line;
    size_t s1 = pk_mem_site_get(p, 0)->stack == 1 ? 0 : 1;
    cr_assert_eq(pk_mem_site_folded(p, s1, &stack), PK_OK);
    cr_expect_str_eq(stack, "test_mem;[unknown];mem_caller");
    cr_assert_eq(pk_mem_site_leaf(p, s1, &func, &file, &line), PK_OK);
    cr_expect_str_eq(func, "mem_caller");
    cr_assert_not_null(file);
    cr_expect(strstr(file, "test_mem.c"), "%s", file);
    cr_expect_gt(line, 0);
    cr_assert_eq(pk_mem_site_folded(p, 1 - s1, &stack), PK_OK);
    cr_expect_str_eq(stack, "test_mem;[no stack]");
    pk_folded *fo;
    cr_assert_eq(pk_folded_new(&fo), PK_OK);
    cr_assert_eq(pk_mem_add_folded(p, PK_MEM_ALLOCATED, fo, 1), PK_OK);
    cr_expect_eq(pk_folded_total(fo, 1), 72);
    cr_expect_eq(pk_folded_stacks(fo), 2);
    pk_folded_free(fo);
    pk_mem_free(p);
    free(maps);
    mw_close(&w);
}

/* A failed allocation at every step of a load ends in PK_ENOMEM and frees
 * everything. */
Test(mem, fault_injection)
{
    mw w;
    mw_open(&w);
    story(&w);
    mw_maps(&w, "00400000-00500000 r-xp 00000000 08:01 1 /nonexistent/prog\n");
    mw_end(&w, 0, 0);
    fault_arm(-1);
    pk_mem_profile *p = NULL;
    cr_assert_eq(pk_mem_read(mw_file(&w), "t", &p, NULL), PK_OK);
    const char *s;
    cr_assert_eq(pk_mem_site_folded(p, 0, &s), PK_OK);
    pk_mem_free(p);
    long total = fault_requests();
    fault_disarm();
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_err e = pk_mem_read(mw_file(&w), "t", &p, NULL);
        if (e == PK_OK) {
            e = pk_mem_site_folded(p, 0, &s);
            pk_mem_free(p);
        }
        long live = fault_live();
        fault_disarm();
        cr_expect_eq(e, PK_ENOMEM, "failing request %ld", k);
        cr_expect_eq(live, 0, "failing request %ld leaked %ld blocks", k, live);
    }
    mw_close(&w);
}

/* A pointer allocated again without a free in between (another
 * allocator's free we never saw): the old block is gone, not leaked and
 * not a temporary. */
Test(mem, allocated_twice)
{
    mw w;
    mw_open(&w);
    uint64_t f[] = {0x400900};
    mw_stack(&w, 1, f, 1);
    mw_alloc(&w, 1, 1, 0x100, 10, 1);
    mw_alloc(&w, 1, 1, 0x100, 20, 1);
    mw_end(&w, 0, 0);
    pk_mem_profile *p = load_ok(&w);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    cr_expect_eq(t->allocs, 2);
    cr_expect_eq(t->frees, 0);
    cr_expect_eq(t->temporary, 0);
    cr_expect_eq(t->leaked_bytes, 20);
    cr_expect_eq(t->leaked_blocks, 1);
    cr_expect_eq(t->peak_bytes, 20);
    pk_mem_free(p);
    mw_close(&w);
}
