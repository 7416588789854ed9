/* libFuzzer target: pk_folded_parse on arbitrary bytes returns PK_OK or
 * PK_EPARSE with a position inside the input, never crashes or leaks; what
 * it accepted renders to every format (SVG, diff SVG, speedscope, pprof,
 * the changes table, folded text) without error. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "perfkit/flame.h"
#include "perfkit/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_folded *p;
    if (pk_folded_new(&p) != PK_OK)
        return 0;
    pk_diag d = {0};
    pk_folded_opts o;
    pk_folded_opts_init(&o);
    o.columns = size && data[0] == '2' ? 2 : 0;
    pk_err e = pk_folded_parse(p, &o, (const char *)data, size, "fuzz", &d);
    if (e != PK_OK && e != PK_EPARSE)
        __builtin_trap();
    if (e == PK_EPARSE && (d.line == 0 || d.line > size + 1 || d.column == 0))
        __builtin_trap();
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull && e == PK_OK) {
        pk_flame_opts fo;
        pk_flame_opts_init(&fo);
        fo.min_width = size & 1 ? 0 : 1;
        fo.reverse = size & 2;
        fo.inverted = size & 4;
        if (pk_flame_write_svg(p, &fo, devnull, NULL) != PK_OK ||
            pk_flame_write_speedscope(p, &fo, devnull) != PK_OK ||
            pk_flame_write_pprof(p, &fo, devnull) != PK_OK ||
            pk_flame_write_changes(p, 10, devnull) != PK_OK ||
            pk_folded_write(p, 2, devnull) != PK_OK)
            __builtin_trap();
        fo.diff = true;
        if (pk_flame_write_svg(p, &fo, devnull, NULL) != PK_OK)
            __builtin_trap();
    }
    if (devnull)
        fclose(devnull);
    pk_folded_free(p);
    return 0;
}
