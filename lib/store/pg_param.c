/* pg_param.c — the PostgreSQL backend's statement parameters and result
 * values: text (numbers printed in decimal) and binary bytes in, binary
 * integers and text out, and text made acceptable to a UTF-8 database.
 *
 * The server refuses text that is not UTF-8, yet git allows any bytes in a
 * branch name (and SQLite keeps them): such text is sent with each stray
 * byte as \xNN — the form `perfkit history` shows — by every statement
 * alike, so a run is found again by the bytes it was stored with.
 * Reference: RFC 3629 (UTF-8). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "store/pg_int.h"

void pk__pg_text(pk__pg_params *p, const char *v)
{
    p->val[p->n] = v;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

void pk__pg_int(pk__pg_params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%" PRId64, v);
    pk__pg_text(p, p->num[p->n]);
}

void pk__pg_bytes(pk__pg_params *p, const void *v, size_t len)
{
    p->val[p->n] = len ? v : "";
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

int64_t pk__pg_get_int(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    if (len == 1)
        return v[0] != 0;
    if (len != 2 && len != 4 && len != 8)
        return 0;
    uint64_t u = 0;
    for (int i = 0; i < len; i++)
        u = u << 8 | v[i];
    if (len < 8 && (v[0] & 0x80))   /* sign-extend */
        u |= ~(uint64_t)0 << (8 * len);
    return (int64_t)u;
}

void pk__pg_get_text(const PGresult *r, int row, int col, char *dst, size_t len)
{
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(dst, PQgetvalue(r, row, col), n);
    dst[n] = '\0';
}

/* Length of the well-formed UTF-8 character at s (RFC 3629: no overlong
 * form, surrogate or code point above U+10FFFF), 0 when s starts none. */
static size_t utf8_char(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)   /* also stops at the NUL */
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* v as text the server takes: NULL when v is well-formed UTF-8 (the
 * database's encoding refuses anything else), else a copy (pk_free) with
 * each stray byte written as \xNN — as `perfkit history` shows it — so a
 * branch name git allowed is stored, and found again, the same way. *oom
 * is set when the copy cannot be made. */
char *pk__pg_utf8_text(const char *v, bool *oom)
{
    const unsigned char *u = (const unsigned char *)v;
    size_t len = 0, bad = 0;
    while (u[len]) {
        size_t n = utf8_char(u + len);
        bad += n == 0;
        len += n ? n : 1;
    }
    if (!bad)
        return NULL;
    char *out = pk_malloc(len + 3 * bad + 1);
    if (!out) {
        *oom = true;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; u[i];) {
        size_t n = utf8_char(u + i);
        if (n) {
            memcpy(out + o, u + i, n);
            o += n;
            i += n;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", u[i++]);
        }
    }
    out[o] = '\0';
    return out;
}
