/* libFuzzer target: pk_units_parse of every kind on arbitrary bytes must
 * either succeed with a finite non-negative value, say PK_ERANGE, or point
 * its error column inside the string; pk_units_number never reads past the
 * number it reports. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = pk_strndup((const char *)data, size);
    if (!s)
        return 0;
    for (int k = PK_UNIT_DURATION; k <= PK_UNIT_PERCENT; k++) {
        double v = -1;
        size_t col = 0;
        pk_err e = pk_units_parse(s, (pk_unit_kind)k, &v, &col);
        if (e == PK_OK && !(isfinite(v) && v >= 0))
            __builtin_trap();
        if (e == PK_EPARSE && col > strlen(s))
            __builtin_trap();
        if (e != PK_OK && e != PK_EPARSE && e != PK_ERANGE && e != PK_ENOMEM)
            __builtin_trap();
        char buf[32];
        pk_units_format_duration(v, 1, buf, sizeof buf);
        pk_units_format_size(v, buf, sizeof buf);
        pk_units_format_count(v, buf, sizeof buf);
    }
    double v;
    size_t len = 0;
    pk_err e = pk_units_number(s, true, &v, &len);
    if (len > strlen(s) || (e == PK_OK && !isfinite(v)) || (e == PK_EPARSE && len != 0))
        __builtin_trap();
    pk_free(s);
    return 0;
}
