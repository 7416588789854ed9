/* libFuzzer target: pk_metrics_negotiate on arbitrary Accept header values
 * (network input of the /metrics server). It must return one of the two
 * formats, and its answer must not depend on what cannot matter: the order
 * of the comma-separated media ranges, an unrelated range appended, or the
 * case of ASCII letters (media types and parameter names are
 * case-insensitive, q-values and versions have no letters). */
#include <stdint.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* s's comma-separated elements in reverse order, into out (size + 1 bytes) */
static void reverse_ranges(const char *s, size_t n, char *out)
{
    size_t w = 0, end = n;
    for (size_t i = n; i-- > 0;) {
        if (s[i] == ',') {
            memcpy(out + w, s + i + 1, end - i - 1);
            w += end - i - 1;
            out[w++] = ',';
            end = i;
        }
    }
    memcpy(out + w, s, end);
    w += end;
    out[w] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = pk_strndup((const char *)data, size);
    char *t = pk_malloc(size + 32);
    if (!s || !t) {
        pk_free(s);
        pk_free(t);
        return 0;
    }
    size_t n = strlen(s);   /* up to the first NUL: what a header can carry */
    pk_metrics_format f = pk_metrics_negotiate(s);
    if (f != PK_METRICS_PROMETHEUS && f != PK_METRICS_OPENMETRICS)
        __builtin_trap();
    if (!pk_metrics_content_type(f))
        __builtin_trap();

    reverse_ranges(s, n, t);
    if (pk_metrics_negotiate(t) != f)
        __builtin_trap();

    memcpy(t, s, n);
    memcpy(t + n, ", image/png;q=1", 16);
    if (pk_metrics_negotiate(t) != f)
        __builtin_trap();

    for (size_t i = 0; i <= n; i++)
        t[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
    if (pk_metrics_negotiate(t) != f)
        __builtin_trap();

    pk_free(t);
    pk_free(s);
    return 0;
}
