/* libFuzzer target: pk_ingest_buffer (format detected) on arbitrary bytes
 * must succeed or fail with PK_EPARSE and a position inside the text, and
 * leave the set unchanged on failure. */
#include <stdint.h>
#include <string.h>
#include "perfkit/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_resultset *rs;
    if (pk_resultset_new(&rs) != PK_OK)
        return 0;
    pk_diag d;
    const char *text = (const char *)data;
    pk_err e = pk_ingest_buffer(text, size, "fuzz", PK_IMPORT_AUTO, "p", rs, &d);
    if (e != PK_OK && e != PK_EPARSE && e != PK_ENOMEM)
        __builtin_trap();
    if (e == PK_EPARSE) {
        unsigned lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        if (rs->n != 0 || d.line == 0 || d.line > lines + 1 || d.column == 0)
            __builtin_trap();
    }
    for (size_t i = 0; e == PK_OK && i < rs->n; i++)
        if (strncmp(rs->benches[i].name, "p/", 2) != 0)
            __builtin_trap();
    pk_resultset_free(rs);
    (void)pk_ingest_detect(text, size);
    return 0;
}
