/* negotiate.c — Content-Type of each exposition format and Accept parsing.
 *
 * RFC 9110 §12.5.1: Accept is a comma-separated list of media ranges with
 * parameters; q (0..1, up to three decimals) weighs them, default 1. We take
 * the best q of application/openmetrics-text (version absent, 1.0.0 or
 * 0.0.1; other versions are not ours) and of text/plain (text/ * and * / *
 * count as text/plain: the 0.0.4 format is the default). OpenMetrics wins
 * when its q > 0 and >= text/plain's. Parsed by hand: no locale, no
 * allocation. */
#include "metrics/metrics_int.h"

#include <strings.h>

const char *pk_metrics_content_type(pk_metrics_format fmt)
{
    return fmt == PK_METRICS_OPENMETRICS
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* [s, e) trimmed equals word, case-insensitively */
static bool tok_eq(const char *s, const char *e, const char *word)
{
    while (s < e && is_ows(*s))
        s++;
    while (e > s && is_ows(e[-1]))
        e--;
    size_t n = strlen(word);
    if (e - s >= 2 && *s == '"' && e[-1] == '"') {
        s++;
        e--;
    }
    return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/* q-value "0", "0.5", "1", "1.000": thousandths, or -1 if malformed */
static int parse_q(const char *s, const char *e)
{
    while (s < e && is_ows(*s))
        s++;
    while (e > s && is_ows(e[-1]))
        e--;
    if (s == e || (*s != '0' && *s != '1'))
        return -1;
    int q = (*s - '0') * 1000, scale = 100;
    s++;
    if (s < e) {
        if (*s != '.')
            return -1;
        for (s++; s < e; s++) {
            if (*s < '0' || *s > '9' || scale == 0)
                return -1;
            q += (*s - '0') * scale;
            scale /= 10;
        }
    }
    return q > 1000 ? -1 : q;
}

pk_metrics_format pk_metrics_negotiate(const char *accept)
{
    if (!accept)
        return PK_METRICS_PROMETHEUS;
    int q_om = 0, q_text = 0;
    const char *p = accept;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *type_end = semi ? semi : end;
        int kind = tok_eq(p, type_end, "application/openmetrics-text") ? 1
                   : (tok_eq(p, type_end, "text/plain") || tok_eq(p, type_end, "text/*") ||
                      tok_eq(p, type_end, "*/*"))
                       ? 2
                       : 0;
        int q = 1000;
        bool version_ok = true;
        for (const char *a = semi; a && a < end;) {
            a++;
            const char *next = memchr(a, ';', (size_t)(end - a));
            const char *pe = next ? next : end;
            const char *eq = memchr(a, '=', (size_t)(pe - a));
            if (eq) {
                if (tok_eq(a, eq, "q")) {
                    q = parse_q(eq + 1, pe);
                } else if (kind == 1 && tok_eq(a, eq, "version")) {
                    version_ok = tok_eq(eq + 1, pe, "1.0.0") || tok_eq(eq + 1, pe, "0.0.1");
                }
            }
            a = next;
        }
        if (q >= 0 && kind == 1 && version_ok && q > q_om)
            q_om = q;
        if (q >= 0 && kind == 2 && q > q_text)
            q_text = q;
        p = *end ? end + 1 : end;
    }
    return q_om > 0 && q_om >= q_text ? PK_METRICS_OPENMETRICS : PK_METRICS_PROMETHEUS;
}
