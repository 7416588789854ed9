/* termsafe.c — untrusted text made safe to show on a terminal (termsafe.h).
 *
 * One scanner walks the string a character at a time: a well-formed UTF-8
 * sequence (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) is copied unless it is a C1 control or a bidirectional or
 * separator code point, which become "\uXXXX"; a C0 control, DEL, or a byte
 * that starts no well-formed sequence becomes "\xNN", and scanning goes on
 * at the next byte. The three entry points (into a buffer, its size, into a
 * FILE) share that scanner, so they cannot disagree.
 * References: RFC 3629 (UTF-8); ECMA-48 (C0/C1 controls); Unicode UAX #9
 * (bidirectional formatting characters); "Trojan Source", Boucher and
 * Anderson, 2021 (bidi overrides that reorder displayed text). */
#include "perfkit/termsafe.h"

#include <stdint.h>
#include <string.h>

/* One character of s: its bytes (*n of them) and, when it must be escaped,
 * the escape in esc (NUL-terminated, at most 7 characters); esc[0] == '\0'
 * when the bytes are shown as they are. */
typedef struct piece {
    size_t n;
    char esc[8];
} piece;

static const char hex[] = "0123456789abcdef";

static void esc_byte(piece *p, unsigned char c)
{
    p->n = 1;
    p->esc[0] = '\\';
    p->esc[1] = 'x';
    p->esc[2] = hex[c >> 4];
    p->esc[3] = hex[c & 15];
    p->esc[4] = '\0';
}

/* Code points a terminal acts on although they are printable UTF-8. */
static bool special(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The well-formed UTF-8 sequence at s (s[0] >= 0x80): its length and code
 * point, or 0 when s starts none. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2; v = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3; v = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;   /* a continuation byte, 0xc0/0xc1 or 0xf5.. */
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)   /* also stops at the NUL */
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

static void next(const char *s, piece *p)
{
    const unsigned char *u = (const unsigned char *)s;
    p->esc[0] = '\0';
    p->n = 1;
    if (u[0] < 0x20 || u[0] == 0x7f) {
        esc_byte(p, u[0]);
        return;
    }
    if (u[0] < 0x80)
        return;
    uint32_t cp = 0;
    size_t n = utf8_seq(u, &cp);
    if (!n) {
        esc_byte(p, u[0]);
        return;
    }
    p->n = n;
    if (special(cp)) {
        p->esc[0] = '\\';
        p->esc[1] = 'u';
        for (int k = 0; k < 4; k++)
            p->esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
        p->esc[6] = '\0';
    }
}

char *pk_termsafe(const char *s, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    size_t o = 0;
    for (size_t i = 0; s && s[i];) {
        piece p;
        next(s + i, &p);
        size_t k = p.esc[0] ? strlen(p.esc) : p.n;
        if (o + k >= len)
            break;
        memcpy(buf + o, p.esc[0] ? p.esc : s + i, k);
        o += k;
        i += p.n;
    }
    buf[o] = '\0';
    return buf;
}

size_t pk_termsafe_size(const char *s)
{
    size_t o = 1;
    for (size_t i = 0; s && s[i];) {
        piece p;
        next(s + i, &p);
        o += p.esc[0] ? strlen(p.esc) : p.n;
        i += p.n;
    }
    return o;
}

int pk_termsafe_fputs(const char *s, FILE *f)
{
    if (!f)
        return EOF;
    size_t i = 0, run = 0;   /* s[run..i) is clean and not yet written */
    while (s && s[i]) {
        piece p;
        next(s + i, &p);
        if (p.esc[0]) {
            if ((i > run && fwrite(s + run, 1, i - run, f) != i - run) || fputs(p.esc, f) == EOF)
                return EOF;
            run = i + p.n;
        }
        i += p.n;
    }
    if (i > run && fwrite(s + run, 1, i - run, f) != i - run)
        return EOF;
    return 0;
}

bool pk_termsafe_is_clean(const char *s)
{
    for (size_t i = 0; s && s[i];) {
        piece p;
        next(s + i, &p);
        if (p.esc[0])
            return false;
        i += p.n;
    }
    return true;
}
