/* kallsyms.c — kernel frames: an address above user space → the kernel
 * function holding it, from /proc/kallsyms.
 *
 * Read once, on the first kernel address of a recording: the text symbols
 * (types t, T, w, W) sorted by address; a lookup is a binary search for the
 * last symbol at or below the address. When the kernel hides its addresses
 * (kernel.kptr_restrict, or not root: every address reads 0) every kernel
 * frame is "[kernel]". Names get "_[k]", as stackcollapse-perf.pl --kernel
 * marks them, so a flame graph can colour them apart.
 * Reference: linux Documentation/admin-guide/sysctl/kernel.rst (kptr_restrict). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "perfkit/alloc.h"
#include "record_int.h"

static int by_addr(const void *a, const void *b)
{
    uint64_t x = ((const pk__record_ksym *)a)->addr, y = ((const pk__record_ksym *)b)->addr;
    return x < y ? -1 : x > y;
}

static void load(pk_record *r)
{
    r->ksyms_loaded = true;
    FILE *f = fopen("/proc/kallsyms", "re");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        uint64_t addr;
        char type, name[256];
        if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || !addr ||
            !strchr("tTwW", type))
            continue;
        if (PK__PUSH_ROOM(r->ksyms, r->n_ksyms, r->cap_ksyms) != PK_OK)
            break;
        char *copy = pk_strdup(name);
        if (!copy)
            break;
        r->ksyms[r->n_ksyms++] = (pk__record_ksym){addr, copy};
    }
    fclose(f);
    if (r->n_ksyms)
        qsort(r->ksyms, r->n_ksyms, sizeof *r->ksyms, by_addr);
}

void pk__record_ksym_name(pk_record *r, uint64_t addr, char *buf, size_t len)
{
    if (!r->ksyms_loaded)
        load(r);
    size_t lo = 0, hi = r->n_ksyms;   /* first symbol above addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ksyms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        snprintf(buf, len, "[kernel]");
    else
        snprintf(buf, len, "%s_[k]", r->ksyms[lo - 1].name);
}

void pk__record_ksyms_free(pk_record *r)
{
    for (size_t i = 0; i < r->n_ksyms; i++)
        pk_free(r->ksyms[i].name);
    pk_free(r->ksyms);
}
