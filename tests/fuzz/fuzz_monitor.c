/* libFuzzer target: every /proc and cgroup parser of lib/monitor, and
 * pk_monitor_parse_value for every figure, on arbitrary bytes (NUL-
 * terminated, as the sampler hands them over): each returns PK_OK or
 * PK_EPARSE (PK_ENOENT / PK_ERANGE for the cgroup path), never reads past
 * the text, and a parsed value is finite. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "monitor/monitor_int.h"
#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = pk_strndup((const char *)data, size);
    if (!s)
        return 0;
    size_t n = strlen(s);
    pk__mon_stat st;
    pk__mon_status ss;
    pk__mon_io io;
    uint64_t a, b;
    bool unl;
    double d;
    char path[64];
    pk_err e = pk__mon_parse_stat(s, n, &st);
    if (e != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if (e == PK_OK && strlen(st.comm) >= sizeof st.comm)
        __builtin_trap();
    if ((e = pk__mon_parse_status(s, n, &ss)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_io(s, n, &io)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_statm(s, n, &a, &b)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_nofile(s, n, &a, &unl)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_pss(s, n, &a)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_pressure(s, n, &d)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if ((e = pk__mon_parse_cg_value(s, n, &a, &unl)) != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    e = pk__mon_parse_cgroup(s, n, path, sizeof path);
    if ((e != PK_OK && e != PK_ENOENT && e != PK_ERANGE) || (e == PK_OK && strlen(path) >= 64))
        __builtin_trap();
    for (int f = 0; f < PK_MON_NFIGURES; f++) {
        const char *why = NULL;
        e = pk_monitor_parse_value((pk_monitor_figure)f, s, &d, &why);
        if ((e == PK_OK && !isfinite(d)) || (e != PK_OK && (e != PK_EPARSE || !why)))
            __builtin_trap();
    }
    pk_free(s);
    return 0;
}
