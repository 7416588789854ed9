/* pg_param.c — the PostgreSQL backend's statement parameters and result
 * values: text (numbers printed in decimal) and binary bytes in, binary
 * integers and text out, and text made acceptable to a UTF-8 database.
 *
 * The server refuses text that is not UTF-8, yet git allows any bytes in a
 * branch name (and SQLite keeps them): each stray byte 0xNN is sent as the
 * private-use character U+F7NN (U+F780..U+F7FF, as Python's surrogateescape
 * but with characters the server takes) by every statement alike, and
 * turned back into its byte in every text read: the round trip is exact,
 * so runs are found again, compared and copied by the bytes they were
 * stored with. (A name holding U+F780..U+F7FF itself reads back as bytes.)
 * Reference: RFC 3629 (UTF-8). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
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
    pk__pg_unescape(dst);
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
    char *out = pk_malloc(len + 2 * bad + 1);
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
        } else {   /* U+F700 + byte: EF 9E/9F xx */
            out[o++] = (char)0xef;
            out[o++] = (char)(0x9c | (u[i] >> 6));
            out[o++] = (char)(0x80 | (u[i++] & 0x3f));
        }
    }
    out[o] = '\0';
    return out;
}

/* Each U+F780..U+F7FF in s back into its byte, in place. */
void pk__pg_unescape(char *s)
{
    unsigned char *u = (unsigned char *)s, *o = u;
    while (*u) {
        if (u[0] == 0xef && (u[1] == 0x9e || u[1] == 0x9f) && (u[2] & 0xc0) == 0x80) {
            *o++ = (unsigned char)((u[1] & 0x03) << 6 | (u[2] & 0x3f));
            u += 3;
        } else {
            *o++ = *u++;
        }
    }
    *o = '\0';
}

const char *pk__pg_str(pk_store *s, const PGresult *r, int row, int col)
{
    const char *v = PQgetvalue(r, row, col);
    if (!strstr(v, "\xef\x9e") && !strstr(v, "\xef\x9f"))
        return v;
    pk__pg *g = s->state;
    size_t len = strlen(v) + 1;
    if (pk__grow((void **)&g->text, &g->text_cap, len, 1) != PK_OK)
        return NULL;
    memcpy(g->text, v, len);
    pk__pg_unescape(g->text);
    return g->text;
}
