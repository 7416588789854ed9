/* config_value.c — typed values out of config nodes, with located errors.
 *
 * Every converter names the key and the value it rejects and suggests the
 * fix. Unit errors point at the offending character inside the value: the
 * scalar's column plus pk_units_parse's offset (plus one for the opening
 * quote of a quoted scalar). */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/hash.h"
#include "perfkit/alloc.h"

__attribute__((format(printf, 4, 0)))
static pk_err verror(pk__cfg_ctx *c, unsigned line, unsigned column, const char *fmt,
                     va_list ap)
{
    pk_diag d;
    vsnprintf(d.message, sizeof d.message, fmt, ap);
    snprintf(d.file, sizeof d.file, "%s", c->file);
    d.line = line;
    d.column = column;
    c->failed = true;
    /* no room for the message: the parse ends as out of memory */
    return pk_diag_list_add(c->errors, &d) == PK_ENOMEM ? PK_ENOMEM : PK_EPARSE;
}

pk_err pk__cfg_error(pk__cfg_ctx *c, unsigned line, unsigned column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_err e = verror(c, line, column, fmt, ap);
    va_end(ap);
    return e;
}

pk_err pk__cfg_error_at(pk__cfg_ctx *c, const pk__ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_err e = verror(c, n ? n->line : 0, n ? n->column : 0, fmt, ap);
    va_end(ap);
    return e;
}

pk_err pk__cfg_warn(pk__cfg_ctx *c, unsigned line, unsigned column, const char *fmt, ...)
{
    if (c->n_warnings == PK_CONFIG_WARNINGS_MAX) {
        c->more_warnings++;
        return PK_OK;
    }
    if (c->n_warnings == c->cap_warnings &&
        pk__grow((void **)&c->warnings, &c->cap_warnings, c->n_warnings + 1,
                 sizeof *c->warnings) != PK_OK)
        return pk__cfg_nomem(c);
    pk_diag *d = &c->warnings[c->n_warnings++];
    pk_diag_set(d, c->file, line, column, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    return PK_OK;
}

pk_err pk__cfg_nomem(pk__cfg_ctx *c)
{
    pk__cfg_error(c, 0, 0, "out of memory");
    return PK_ENOMEM;
}

pk_src_pos pk__cfg_pos(const pk__ynode *n)
{
    pk_src_pos p = {n ? n->line : 0, n ? n->column : 0};
    return p;
}

const char *pk__cfg_node_what(const pk__ynode *n)
{
    return n->kind == PK__YN_SEQ ? "a list" : n->kind == PK__YN_MAP ? "a mapping" : "a value";
}

/* "`abc`" (shortened when long) or "a list" / "a mapping", for messages. */
static const char *got(const pk__ynode *n, char *buf, size_t len)
{
    if (n->kind != PK__YN_SCALAR)
        return pk__cfg_node_what(n);
    if (n->len == 0)
        return "nothing";
    if (n->len > 48)
        snprintf(buf, len, "`%.45s...`", n->str);
    else
        snprintf(buf, len, "`%s`", n->str);
    return buf;
}

/* An empty plain scalar or `~`: the key was written without a value. */
static bool missing(const pk__ynode *v)
{
    return v->kind == PK__YN_SCALAR && v->plain &&
           (v->len == 0 || strcmp(v->str, "~") == 0);
}

static void normalize(const char *key, char *buf, size_t len)
{
    size_t i = 0;
    for (; key[i] && i + 1 < len; i++)
        buf[i] = key[i] == '_' ? '-' : key[i];
    buf[i] = '\0';
}

int pk__cfg_key_index(const char *key, const char *const *keys, size_t n)
{
    char buf[64];
    if (strlen(key) >= sizeof buf)
        return -1;
    normalize(key, buf, sizeof buf);
    for (size_t i = 0; i < n; i++)
        if (strcmp(buf, keys[i]) == 0)
            return (int)i;
    return -1;
}

/* a and b equal, reading '_' as '-' when normalize_keys */
static bool same_key(const char *a, const char *b, bool normalize_keys)
{
    for (;; a++, b++) {
        char x = *a, y = *b;
        if (normalize_keys) {
            x = x == '_' ? '-' : x;
            y = y == '_' ? '-' : y;
        }
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

/* Mappings longer than this find duplicates through a hash set; shorter
 * ones (nearly all: a benchmark's keys, the top level) by a scan. */
#define SCAN_KEYS 16

/* The index (into map->items) of an earlier key equal to key i, or i when
 * there is none: the scan for short mappings. */
static size_t earlier_by_scan(const pk__ynode *map, size_t i, bool normalize_keys)
{
    for (size_t j = 0; j < i; j += 2)
        if (same_key(map->items[i]->str, map->items[j]->str, normalize_keys))
            return j;
    return i;
}

/* Keys of a long mapping as the hash set compares them: their own bytes, or
 * a copy with '_' read as '-' (one block for all) when normalize_keys. */
static pk_err key_texts(pk__cfg_ctx *c, const pk__ynode *map, bool normalize_keys, char **block)
{
    *block = NULL;
    if (!normalize_keys)
        return PK_OK;
    size_t total = 0;
    for (size_t i = 0; i < map->n; i += 2)
        total += map->items[i]->len + 1;
    char *b = pk_malloc(total ? total : 1), *at = b;
    if (!b)
        return pk__cfg_nomem(c);
    for (size_t i = 0; i < map->n; i += 2) {
        const pk__ynode *k = map->items[i];
        for (size_t x = 0; x < k->len; x++)
            at[x] = k->str[x] == '_' ? '-' : k->str[x];
        at[k->len] = '\0';
        at += k->len + 1;
    }
    *block = b;
    return PK_OK;
}

pk_err pk__cfg_check_map(pk__cfg_ctx *c, const pk__ynode *map, const char *what,
                         const char *noun, bool normalize_keys)
{
    char g[64];
    if (map->kind != PK__YN_MAP)
        return pk__cfg_error_at(c, map, "%s must be a mapping (`key: value` lines), got %s", what,
                                got(map, g, sizeof g));
    bool hashed = map->n / 2 > SCAN_KEYS;
    pk__hash seen = {0};
    char *block = NULL;
    pk_err e = PK_OK;
    if (hashed && (e = key_texts(c, map, normalize_keys, &block)) == PK_OK &&
        pk__hash_reserve(&seen, map->n / 2) != PK_OK)
        e = pk__cfg_nomem(c);
    const char *text = block;
    for (size_t i = 0; e == PK_OK && i < map->n; i += 2) {
        const pk__ynode *k = map->items[i];
        if (k->kind != PK__YN_SCALAR) {
            e = pk__cfg_error_at(c, k, "a key in %s is %s; keys are plain words", what,
                                 pk__cfg_node_what(k));
            break;
        }
        if (k->len == 0) {
            e = pk__cfg_error_at(c, k, "empty %s in %s", noun, what);
            break;
        }
        size_t j = i;
        if (!hashed) {
            j = earlier_by_scan(map, i, normalize_keys);
        } else {
            const char *key = block ? text : k->str;
            text += block ? k->len + 1 : 0;
            if (!pk__hash_get(&seen, key, k->len, &j) &&
                pk__hash_put(&seen, key, k->len, i) != PK_OK)
                e = pk__cfg_nomem(c);
        }
        if (e == PK_OK && j != i &&   /* recorded; the entries can still be read */
            pk__cfg_error_at(c, k, "duplicate %s `%s` in %s (first at line %u)", noun, k->str,
                             what, map->items[j]->line) == PK_ENOMEM)
            e = PK_ENOMEM;
    }
    pk__hash_free(&seen);
    pk_free(block);
    return e;
}

pk_err pk__cfg_unknown_key(pk__cfg_ctx *c, const pk__ynode *key, const char *where,
                           const char *const *keys, size_t n)
{
    char buf[64];
    normalize(key->str, buf, sizeof buf);
    const char *s = pk_diag_suggest(buf, keys, n);
    if (s)
        return pk__cfg_error_at(c, key, "unknown key `%s` in %s — did you mean `%s`?", key->str,
                                where, s);
    char list[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i == 0 ? "" : i + 1 == n ? " or " : ", ", keys[i]);
    return pk__cfg_error_at(c, key, "unknown key `%s` in %s; expected %s", key->str, where,
                            list);
}

pk_err pk__cfg_string(pk__cfg_ctx *c, const char *key, const pk__ynode *v, char **out)
{
    char g[64];
    if (v->kind != PK__YN_SCALAR)
        return pk__cfg_error_at(c, v, "`%s` must be a string, got %s", key, got(v, g, sizeof g));
    if (missing(v) || v->len == 0)
        return pk__cfg_error_at(c, v, "`%s` needs a value", key);
    pk_free(*out);
    *out = pk_strdup(v->str);
    return *out ? PK_OK : pk__cfg_nomem(c);
}

pk_err pk__cfg_whole(pk__cfg_ctx *c, const char *key, const pk__ynode *v, size_t min,
                     size_t max, size_t *out)
{
    char g[64];
    if (v->kind != PK__YN_SCALAR || v->len == 0 || !isdigit((unsigned char)v->str[0]))
        return pk__cfg_error_at(c, v, "`%s` must be a whole number, got %s", key,
                                got(v, g, sizeof g));
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v->str, &end, 10);
    if (*end)
        return pk__cfg_error_at(c, v, "`%s` must be a whole number, got %s", key,
                                got(v, g, sizeof g));
    if (errno || x > max)   /* ERANGE: more than any limit */
        return pk__cfg_error_at(c, v, "`%s`: %.40s%s is more than the limit of %zu", key,
                                v->str, v->len > 40 ? "..." : "", max);
    if (x < min)
        return pk__cfg_error_at(c, v, "`%s` must be at least %zu, got %s", key, min, v->str);
    *out = (size_t)x;
    return PK_OK;
}

pk_err pk__cfg_bool(pk__cfg_ctx *c, const char *key, const pk__ynode *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    char g[64];
    if (v->kind == PK__YN_SCALAR) {
        for (size_t i = 0; i < 3; i++) {
            if (strcasecmp(v->str, yes[i]) == 0) {
                *out = true;
                return PK_OK;
            }
            if (strcasecmp(v->str, no[i]) == 0) {
                *out = false;
                return PK_OK;
            }
        }
    }
    return pk__cfg_error_at(c, v, "`%s` must be true or false, got %s", key, got(v, g, sizeof g));
}

/* The whole of s as a decimal number (units.h: no hex, inf, nan or
 * blanks): PK_OK, PK_EPARSE (not a number), PK_ERANGE (too large). */
static pk_err plain_number(const char *s, double *out)
{
    size_t len = 0;
    double x;
    pk_err e = pk_units_number(s, true, &x, &len);
    if (e == PK_ERANGE && !s[len])
        return PK_ERANGE;
    if (e != PK_OK || s[len])
        return PK_EPARSE;
    *out = x;
    return PK_OK;
}

pk_err pk__cfg_number(pk__cfg_ctx *c, const char *key, const pk__ynode *v, double *out)
{
    char g[64];
    pk_err e = v->kind == PK__YN_SCALAR ? plain_number(v->str, out) : PK_EPARSE;
    if (e == PK_ERANGE)
        return pk__cfg_error_at(c, v, "`%s`: %s is out of range (too large for a number)", key,
                                got(v, g, sizeof g));
    if (e != PK_OK)
        return pk__cfg_error_at(c, v,
                                "`%s` must be a decimal number such as 12, 0.5 or 1e3, got %s",
                                key, got(v, g, sizeof g));
    return PK_OK;
}

/* How messages speak of a kind of quantity: its name, an example, its units. */
typedef struct kind_text {
    const char *name, *example, *units;
} kind_text;

static kind_text kind_text_of(pk_unit_kind k)
{
    switch (k) {
    case PK_UNIT_DURATION:
        return (kind_text){"duration", "50ms or 2s", "ns, us, ms, s, m or h"};
    case PK_UNIT_SIZE:
        return (kind_text){"size", "64MiB or 100KB", "B, KB, MB, GB, KiB, MiB or GiB"};
    case PK_UNIT_COUNT:
        return (kind_text){"count", "1200 or 1.2G", "a plain number or K, M, G, T"};
    case PK_UNIT_PERCENT:
        return (kind_text){"percentage", "5%", "%"};
    }
    return (kind_text){"quantity", "", ""};
}

static const char *const duration_names[] = {"ns", "us", "ms", "s", "m", "min", "h"};
static const char *const size_names[] = {"KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "B"};
static const char *const count_names[] = {"K", "M", "G", "T"};

static const char *suggest_unit(const char *unit, pk_unit_kind k)
{
    switch (k) {
    case PK_UNIT_DURATION: return pk_diag_suggest(unit, duration_names, 7);
    case PK_UNIT_SIZE:     return pk_diag_suggest(unit, size_names, 9);
    case PK_UNIT_COUNT:    return pk_diag_suggest(unit, count_names, 4);
    case PK_UNIT_PERCENT:  return NULL;
    }
    return NULL;
}

/* Explain why pk_units_parse rejected v->str at offset off. figure (may be
 * NULL) is named in kind-mismatch messages instead of key. */
static pk_err unit_error(pk__cfg_ctx *c, const char *key, const char *figure,
                         const pk__ynode *v, pk_unit_kind kind, size_t off)
{
    char g[64];
    const char *s = v->str;
    kind_text t = kind_text_of(kind);
    if (off > v->len)
        off = v->len;
    unsigned base = v->column + (v->quoted ? 1u : 0u);
    unsigned col = base + (unsigned)off;
    if (missing(v) || v->len == 0)
        return pk__cfg_error_at(c, v, "`%s` needs a %s, e.g. %s", key, t.name, t.example);
    if (s[0] == '-')
        return pk__cfg_error(c, v->line, base, "`%s` must not be negative, got `%s`", key, s);
    size_t num = 0;
    pk_units_number(s, false, NULL, &num);
    if (off == 0 || num == 0)
        return pk__cfg_error(c, v->line, base,
                             "`%s` must be a %s such as %s (a decimal number%s), got %s", key,
                             t.name, t.example, kind == PK_UNIT_COUNT ? "" : " and its unit",
                             got(v, g, sizeof g));
    const char *unit = s + num;
    if (num == 1 && s[0] == '0' && (*unit == 'x' || *unit == 'X'))
        return pk__cfg_error(c, v->line, col,
                             "`%s`: `%s` is hexadecimal; write a decimal number and its unit, "
                             "e.g. %s",
                             key, s, t.example);
    /* "50 ms": a blank between the number and a valid unit */
    if (*unit == ' ' || *unit == '\t') {
        const char *u = unit;
        while (*u == ' ' || *u == '\t')
            u++;
        char joined[128];
        double x;
        if (num + strlen(u) < sizeof joined) {
            snprintf(joined, sizeof joined, "%.*s%s", (int)num, s, u);
            if (pk_units_parse(joined, kind, &x, NULL) == PK_OK)
                return pk__cfg_error(c, v->line, base + (unsigned)num,
                                     "`%s`: unexpected `%s` — write the number and unit "
                                     "together: %s",
                                     key, unit, joined);
        }
    }
    if (!*unit)
        return pk__cfg_error(c, v->line, base + (unsigned)num,
                             "`%s`: `%s` needs a unit (%s), e.g. %s", key, s, t.units, t.example);
    /* a valid quantity of another kind: "64MiB" for a duration */
    static const pk_unit_kind others[] = {PK_UNIT_DURATION, PK_UNIT_SIZE, PK_UNIT_PERCENT};
    for (size_t i = 0; i < 3; i++) {
        double x;
        if (others[i] != kind && pk_units_parse(s, others[i], &x, NULL) == PK_OK)
            return pk__cfg_error(c, v->line, base + (unsigned)num,
                                 "`%s` is a %s; `%s` is a %s — use %s", figure ? figure : key,
                                 t.name, s, kind_text_of(others[i]).name, t.units);
    }
    const char *sug = suggest_unit(unit, kind);
    if (sug)
        return pk__cfg_error(c, v->line, col,
                             "`%s`: unknown %s unit `%s` in `%s` — did you mean `%.*s%s`?", key,
                             t.name, unit, s, (int)num, s, sug);
    return pk__cfg_error(c, v->line, col, "`%s`: unknown %s unit `%s` in `%s` — use %s", key,
                         t.name, unit, s, t.units);
}

pk_err pk__cfg_quantity(pk__cfg_ctx *c, const char *key, const char *figure,
                        const pk__ynode *v, pk_unit_kind kind, double *out)
{
    char g[64];
    if (v->kind != PK__YN_SCALAR) {
        kind_text t = kind_text_of(kind);
        return pk__cfg_error_at(c, v, "`%s` must be a %s such as %s, got %s", key, t.name,
                                t.example, got(v, g, sizeof g));
    }
    size_t off = 0;
    pk_err e = pk_units_parse(v->str, kind, out, &off);
    if (e == PK_OK)
        return PK_OK;
    if (e == PK_ERANGE)
        return pk__cfg_error(c, v->line, v->column + (v->quoted ? 1u : 0u),
                             "`%s`: `%s` is out of range (too large for a number)", key, v->str);
    if (e == PK_ENOMEM)
        return pk__cfg_nomem(c);
    return unit_error(c, key, figure, v, kind, off);
}

pk_err pk__cfg_duration(pk__cfg_ctx *c, const char *key, const pk__ynode *v,
                        bool bare_seconds, double *out)
{
    double x;
    if (bare_seconds && v->kind == PK__YN_SCALAR && plain_number(v->str, &x) == PK_OK && x >= 0) {
        if (!isfinite(x * 1e9))
            return pk__cfg_error_at(c, v, "`%s`: `%s` seconds is out of range", key, v->str);
        *out = x * 1e9;
        return PK_OK;
    }
    return pk__cfg_quantity(c, key, NULL, v, PK_UNIT_DURATION, out);
}

pk_err pk__cfg_percent(pk__cfg_ctx *c, const char *key, const pk__ynode *v, double *out)
{
    double x;
    if (v->kind == PK__YN_SCALAR && plain_number(v->str, &x) == PK_OK) {
        if (x < 0)
            return pk__cfg_error_at(c, v, "`%s` must not be negative, got `%s`", key, v->str);
        if (x > 1)
            return pk__cfg_error_at(c, v,
                                    "`%s` must be a percentage such as 10%%, got `%s` (a bare "
                                    "number is a fraction: 0.1 = 10%%)",
                                    key, v->str);
        *out = x;
        return PK_OK;
    }
    return pk__cfg_quantity(c, key, NULL, v, PK_UNIT_PERCENT, out);
}

pk_err pk__cfg_enum(pk__cfg_ctx *c, const char *key, const pk__ynode *v,
                    const char *const *words, size_t n, size_t *idx)
{
    char g[64], list[256] = "";
    if (v->kind == PK__YN_SCALAR) {
        int i = pk__cfg_key_index(v->str, words, n);
        if (i >= 0) {
            *idx = (size_t)i;
            return PK_OK;
        }
    }
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
    const char *s = v->kind == PK__YN_SCALAR ? pk_diag_suggest(v->str, words, n) : NULL;
    if (s)
        return pk__cfg_error_at(c, v, "`%s` must be %s, got %s — did you mean `%s`?", key, list,
                                got(v, g, sizeof g), s);
    return pk__cfg_error_at(c, v, "`%s` must be %s, got %s", key, list, got(v, g, sizeof g));
}
