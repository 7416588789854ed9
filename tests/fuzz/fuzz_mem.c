/* libFuzzer target: perfkit mem's event-file reader. pk_mem_read on
 * arbitrary bytes (a memory stream, as a pipe would give them) returns
 * PK_OK or PK_EPARSE (PK_ENOMEM allowed), never crashes, hangs or leaks;
 * what it accepted has consistent totals and writes in every format (text,
 * JSON, timeline SVG, massif) without error. Written against the public
 * API only (perfkit/mem.h), not the format's details, so the target holds
 * across format versions; the corpus (tests/fuzz/corpus/mem) has files of
 * tests/cli/memfile.py. */
#include <stdint.h>
#include <stdio.h>
#include "perfkit/alloc.h"
#include "perfkit/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        return 0;
    pk_mem_profile *p = NULL;
    pk_diag d = {0};
    pk_err e = pk_mem_read(in, "fuzz", &p, &d);
    fclose(in);
    if (e != PK_OK && e != PK_EPARSE && e != PK_ENOMEM)
        __builtin_trap();
    if (e != PK_OK) {
        if (p)
            __builtin_trap();   /* on error *out is NULL */
        return 0;
    }
    const pk_mem_totals *t = pk_mem_get_totals(p);
    if (t->peak_bytes < t->leaked_bytes || t->leaked_blocks > t->allocs)
        __builtin_trap();
    size_t n = pk_mem_site_count(p), np;
    const pk_mem_point *pt = pk_mem_timeline(p, &np);
    uint64_t top = 0;
    for (size_t i = 0; i < np; i++)
        if (pt[i].bytes > top)
            top = pt[i].bytes;
    if (np > PK_MEM_TIMELINE_MAX || top > t->peak_bytes)
        __builtin_trap();
    size_t *idx = pk_calloc(n ? n : 1, sizeof *idx);
    if (idx) {
        for (int c = PK_MEM_ALLOCATED; c <= PK_MEM_TEMPORARY; c++)
            if (pk_mem_sites_by(p, (pk_mem_cost)c, idx) > n)
                __builtin_trap();
        pk_free(idx);
    }
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        pk_mem_report_opts o;
        pk_mem_report_opts_init(&o);
        pk_mem_massif_opts m;
        pk_mem_massif_opts_init(&m);
        m.threshold = size & 1 ? 0 : 1.0;
        pk_err w[4] = {pk_mem_write_text(p, &o, out), pk_mem_write_json(p, &o, out),
                       pk_mem_write_timeline_svg(p, "fuzz", out),
                       pk_mem_write_massif(p, &m, out)};
        for (int i = 0; i < 4; i++)
            if (w[i] != PK_OK && w[i] != PK_ENOMEM)
                __builtin_trap();
        fclose(out);
    }
    pk_mem_free(p);
    return 0;
}
