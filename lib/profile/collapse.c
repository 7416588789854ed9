/* collapse.c — pk_collapse: streaming `perf script` / folded text into a
 * table of distinct folded stacks (perfkit/collapse.h).
 *
 * Input arrives in chunks; complete lines are handled in place, only a line
 * that straddles two chunks is copied (into `carry`), so memory is the
 * table plus the longest line. The table is core/hash.h mapping a stack's
 * bytes to an entry {key, count}; keys live in an arena of 64 KiB chunks
 * (stable addresses, as the hash borrows them; one allocation per chunk,
 * not per stack). finish() sorts the entries by memcmp, which is Perl's
 * `sort { $a cmp $b }` on byte strings, so the output order is the Perl
 * script's. The per-line rules of the Perl script are in collapse_perf.c;
 * folded lines ("STACK COUNT") are parsed here. */
#include <stdlib.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "profile/collapse_int.h"

#define CHUNK_BYTES ((size_t)64 * 1024)
#define RECENT_SLOTS 4096   /* power of two */

/* A cheap hash, 8 bytes a step, for the cache of recent stacks in front of
 * the table: a wrong guess costs one memcmp, never a wrong count, and the
 * seeded table behind it keeps crafted inputs harmless. */
static uint64_t quick_hash(const char *s, size_t n)
{
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

void pk_collapse_opts_init(pk_collapse_opts *o)
{
    if (o)
        *o = (pk_collapse_opts){.format = PK_COLLAPSE_AUTO};
}

pk_err pk_collapse_new(const pk_collapse_opts *o, pk_collapse **out)
{
    if (out)
        *out = NULL;
    if (!o || !out || (unsigned)o->format > PK_COLLAPSE_FOLDED)
        return PK_EINVAL;
    pk_collapse *c = pk_calloc(1, sizeof *c);
    if (!c)
        return PK_ENOMEM;
    c->recent = pk_calloc(RECENT_SLOTS, sizeof *c->recent);
    if (!c->recent) {
        pk_free(c);
        return PK_ENOMEM;
    }
    c->o = *o;
    c->o.event_filter = NULL;
    if (o->event_filter && o->event_filter[0]) {
        c->filter = pk_strdup(o->event_filter);
        if (!c->filter) {
            pk_free(c->recent);
            pk_free(c);
            return PK_ENOMEM;
        }
        c->filter_len = strlen(c->filter);
        c->st.event = c->filter;
    }
    c->last = SIZE_MAX;
    c->format = o->format;
    c->st.format = o->format;
    *out = c;
    return PK_OK;
}

void pk_collapse_free(pk_collapse *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_chunks; i++)
        pk_free(c->chunks[i]);
    pk_free(c->chunks);
    pk_free(c->entries);
    pk_free(c->recent);
    pk__hash_free(&c->table);
    pk__buf_free(&c->carry);
    pk__buf_free(&c->pname);
    pk__buf_free(&c->key);
    pk_free(c->fbytes);
    pk_free(c->frames);
    pk_free(c->groups);
    pk_free(c->filter);
    pk_free(c);
}

/* Stable storage for a key's bytes. */
static char *arena_copy(pk_collapse *c, const char *key, size_t len)
{
    if (c->n_chunks == 0 || c->chunk_size - c->chunk_used < len) {
        size_t size = len > CHUNK_BYTES / 4 ? len : CHUNK_BYTES;
        if (PK__PUSH_ROOM(c->chunks, c->n_chunks, c->chunks_cap) != PK_OK)
            return NULL;
        char *chunk = pk_malloc(size ? size : 1);
        if (!chunk)
            return NULL;
        c->chunks[c->n_chunks++] = chunk;
        if (size > CHUNK_BYTES) {
            /* a big key gets a chunk of its own; the previous one stays current */
            if (c->n_chunks >= 2) {
                char *cur = c->chunks[c->n_chunks - 2];
                c->chunks[c->n_chunks - 2] = chunk;
                c->chunks[c->n_chunks - 1] = cur;
            } else {
                c->chunk_used = c->chunk_size = size;
            }
            memcpy(chunk, key, len);
            return chunk;
        }
        c->chunk_size = size;
        c->chunk_used = 0;
    }
    char *p = c->chunks[c->n_chunks - 1] + c->chunk_used;
    memcpy(p, key, len);
    c->chunk_used += len;
    return p;
}

pk_err pk__collapse_add(pk_collapse *c, const char *key, size_t len, uint64_t count)
{
    size_t idx = c->last;
    if (len >= UINT32_MAX)
        return PK_ENOMEM;
    /* consecutive samples often share their stack (a hot loop): one memcmp;
     * then the direct-mapped cache of recent stacks (a cheap hash and one
     * memcmp); then the table (core's hash, byte by byte) */
    size_t *slot = NULL;
    bool hit = idx < c->n_entries && c->entries[idx].len == len
               && memcmp(c->entries[idx].key, key, len) == 0;
    if (!hit) {
        slot = &c->recent[quick_hash(key, len) & (RECENT_SLOTS - 1)];
        idx = *slot - 1;   /* SIZE_MAX when empty */
        hit = idx < c->n_entries && c->entries[idx].len == len
              && memcmp(c->entries[idx].key, key, len) == 0;
    }
    if (hit || pk__hash_get(&c->table, key, len, &idx)) {
        if (slot)
            *slot = idx + 1;
        c->last = idx;
        uint64_t *t = &c->entries[idx].count;
        *t = *t > UINT64_MAX - count ? UINT64_MAX : *t + count;
        return PK_OK;
    }
    if (PK__PUSH_ROOM(c->entries, c->n_entries, c->entries_cap) != PK_OK)
        return PK_ENOMEM;
    char *copy = arena_copy(c, key, len);
    if (!copy)
        return PK_ENOMEM;
    pk_err e = pk__hash_put(&c->table, copy, len, c->n_entries);
    if (e != PK_OK)
        return e;   /* the arena bytes stay until free: harmless */
    c->last = c->n_entries;
    c->recent[quick_hash(key, len) & (RECENT_SLOTS - 1)] = c->n_entries + 1;
    c->entries[c->n_entries++] = (pk__collapse_entry){copy, (uint32_t)len, count};
    return PK_OK;
}

/* "a;b;c 12": the count is the digits after the last space. */
static bool folded_line(pk_collapse *c, const char *s, size_t n, pk_err *err)
{
    *err = PK_OK;
    if (n == 0)
        return true;
    const char *sp = memrchr(s, ' ', n);
    if (!sp || sp == s || (size_t)(sp - s) + 1 == n)
        return false;
    uint64_t v = 0;
    for (const char *p = sp + 1; p < s + n; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned dig = (unsigned)(*p - '0');
        v = v > (UINT64_MAX - dig) / 10 ? UINT64_MAX : v * 10 + dig;
    }
    *err = pk__collapse_add(c, s, (size_t)(sp - s), v);
    if (*err == PK_OK)
        c->st.samples++;
    return true;
}

static pk_err one_line(pk_collapse *c, const char *s, size_t n, pk_diag *d)
{
    c->lineno++;
    c->st.lines++;
    if (c->format == PK_COLLAPSE_AUTO && n > 0 && s[0] != '#') {
        c->format = pk__collapse_is_folded(s, n) ? PK_COLLAPSE_FOLDED : PK_COLLAPSE_PERF;
        c->st.format = c->format;
    }
    pk_err e = PK_OK;
    bool ok = c->format == PK_COLLAPSE_FOLDED ? folded_line(c, s, n, &e)
                                              : pk__collapse_perf_line(c, s, n, &e);
    if (e == PK_ERANGE)
        pk_diag_set(d, "", (unsigned)(c->lineno > UINT32_MAX ? 0 : c->lineno), 0,
                    "a sample's stack is over %zu MiB of names", PK__COLLAPSE_MAX_STACK >> 20);
    if (e != PK_OK)
        return e;
    if (ok)
        return PK_OK;
    if (c->o.strict) {
        pk_diag_set(d, "", (unsigned)(c->lineno > UINT32_MAX ? 0 : c->lineno), 0,
                    "not a line of %s: a sample header, a frame, a comment or a blank line expected",
                    c->format == PK_COLLAPSE_FOLDED ? "folded stacks (\"STACK COUNT\")" : "perf script");
        return PK_EPARSE;
    }
    if (c->st.ignored++ == 0)
        c->st.first_ignored = c->lineno;
    return PK_OK;
}

pk_err pk_collapse_feed(pk_collapse *c, const char *data, size_t len, pk_diag *d)
{
    if (!c || (!data && len) || c->finished || c->failed)
        return PK_EINVAL;
    const char *p = data, *end = data + len;
    pk_err e = PK_OK;
    if (c->carry.len > 0 && len > 0) {
        const char *nl = memchr(p, '\n', len);
        e = pk__buf_add(&c->carry, p, nl ? (size_t)(nl - p) : len);
        if (e == PK_OK && nl) {
            e = one_line(c, c->carry.data, c->carry.len, d);
            c->carry.len = 0;
            p = nl + 1;
        } else {
            p = end;
        }
    }
    while (e == PK_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            e = pk__buf_add(&c->carry, p, (size_t)(end - p));
            break;
        }
        e = one_line(c, p, (size_t)(nl - p), d);
        p = nl + 1;
    }
    if (e != PK_OK)
        c->failed = true;
    return e;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const pk__collapse_entry *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->key, b->key, n);
    if (r)
        return r;
    return (a->len > b->len) - (a->len < b->len);
}

pk_err pk_collapse_finish(pk_collapse *c, pk_diag *d)
{
    if (!c || c->finished || c->failed)
        return PK_EINVAL;
    /* Perl reads a last line without "\n" too; `carry` may be empty but
     * allocated: only a non-empty tail is a line. */
    if (c->carry.len > 0) {
        pk_err e = one_line(c, c->carry.data, c->carry.len, d);
        c->carry.len = 0;
        if (e != PK_OK) {
            c->failed = true;
            return e;
        }
    }
    if (c->n_entries > 1)
        qsort(c->entries, c->n_entries, sizeof *c->entries, cmp_entry);
    pk__hash_free(&c->table);   /* indices are stale after the sort */
    c->finished = true;
    return PK_OK;
}

size_t pk_collapse_count(const pk_collapse *c)
{
    return c && c->finished ? c->n_entries : 0;
}

pk_err pk_collapse_get(const pk_collapse *c, size_t i, const char **stack, size_t *len,
                       uint64_t *count)
{
    if (!c || !c->finished || i >= c->n_entries)
        return PK_EINVAL;
    if (stack)
        *stack = c->entries[i].key;
    if (len)
        *len = c->entries[i].len;
    if (count)
        *count = c->entries[i].count;
    return PK_OK;
}

void pk_collapse_get_stats(const pk_collapse *c, pk_collapse_stats *out)
{
    *out = c->st;
}
