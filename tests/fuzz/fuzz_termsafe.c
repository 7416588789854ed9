/* libFuzzer target: pk_termsafe on arbitrary bytes. The result never holds
 * a C0 control or DEL, is clean itself (escaping it again changes nothing:
 * well-formed UTF-8 without C1 or bidi controls), and the buffer, size and
 * FILE forms agree; a small buffer cuts it short without overflowing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = pk_strndup((const char *)data, size);
    if (!s)
        return 0;
    size_t need = pk_termsafe_size(s);
    char *out = pk_malloc(need);
    if (!out) {
        pk_free(s);
        return 0;
    }
    pk_termsafe(s, out, need);
    if (strlen(out) + 1 != need || !pk_termsafe_is_clean(out))
        __builtin_trap();
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            __builtin_trap();
    if (pk_termsafe_is_clean(s) != (strcmp(s, out) == 0))
        __builtin_trap();
    char small[7];
    pk_termsafe(s, small, sizeof small);
    if (strncmp(small, out, strlen(small)) != 0)
        __builtin_trap();
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (f) {
        pk_termsafe_fputs(s, f);
        fclose(f);
        if (!mem || strcmp(mem, out) != 0)
            __builtin_trap();
        free(mem);
    }
    pk_free(out);
    pk_free(s);
    return 0;
}
