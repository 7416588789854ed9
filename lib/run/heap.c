/* heap.c — `measure: heap`: every run of a command benchmark under perfkit
 * mem's interposer (libperfkit-mem.so, perfkit/mem.h), whose event file is
 * read after the run into the heap figures of pk_run_result: the peak,
 * what was left allocated at exit, and the count and bytes of allocations.
 *
 * One temporary event file serves every run of a runner (truncated before
 * each, removed at the end); the runs' environment is built once
 * (pk_mem_environ: the interposer first in LD_PRELOAD, PERFKIT_MEM_OUT
 * naming the file; children are not recorded). The figures are the
 * program's own requests, so a deterministic program gives the same
 * numbers every run: the gate judges them exactly. A run whose file is
 * missing or cut short (a statically linked program ignores LD_PRELOAD; a
 * killed one never wrote its end) measures nothing: its figures are
 * absent, never zeros. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "perfkit/mem.h"
#include "run/run_internal.h"

pk_err pk__heap_init(pk__heap *h, char *msg, size_t msg_len)
{
    memset(h, 0, sizeof *h);
    pk_mem_opts mo;
    pk_mem_opts_init(&mo);
    char so[4096];
    char *why = NULL;
    pk_err e = pk_mem_find_preload(&mo, so, sizeof so, &why);
    if (e != PK_OK) {
        snprintf(msg, msg_len, "heap cannot be measured here: %s",
                 why ? why : pk_strerror(e));
        pk_free(why);
        return e;
    }
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/perfkit-heap-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(msg, msg_len, "cannot create a temporary event file in %s: %s",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return PK_EIO;
    }
    close(fd);
    if (!(h->out_path = pk_strdup(path)) || pk_mem_environ(&mo, so, path, &h->envp) != PK_OK) {
        unlink(path);
        pk__heap_free(h);
        snprintf(msg, msg_len, "out of memory");
        return PK_ENOMEM;
    }
    return PK_OK;
}

void pk__heap_free(pk__heap *h)
{
    if (h->out_path)
        unlink(h->out_path);
    pk_free(h->out_path);
    pk_mem_environ_free(h->envp);
    memset(h, 0, sizeof *h);
}

void pk__heap_reset(const pk__heap *h)
{
    if (truncate(h->out_path, 0) != 0)
        return;   /* read finds nothing then: heap_ok false */
}

void pk__heap_read(const pk__heap *h, pk_run_result *res)
{
    res->heap_ok = false;
    pk_mem_profile *p = NULL;
    if (pk_mem_load(h->out_path, &p, NULL) != PK_OK)
        return;
    const pk_mem_info *info = pk_mem_get_info(p);
    const pk_mem_totals *t = pk_mem_get_totals(p);
    if (!info->truncated) {
        res->heap_ok = true;
        res->heap_peak = t->peak_bytes;
        res->heap_leaked = t->leaked_bytes;
        res->allocs_count = t->allocs;
        res->allocs_bytes = t->alloc_bytes;
    }
    pk_mem_free(p);
}
