/* export.c — the folded profile in other tools' formats (perfkit/flame.h):
 * speedscope JSON and pprof's profile.proto, gzipped.
 *
 * Both walk the prefix tree (folded_int.h) once in preorder, keeping the
 * path of frame ids from the root; every node with a self count is one
 * distinct stack, written as one weighted sample. Frame names are
 * deduplicated through a hash table (core/hash.h) that borrows the names
 * from the tree. pprof is hand-encoded: the five messages it needs
 * (Profile, ValueType, Sample, Location/Line, Function) are a few varints
 * and length-delimited fields of the documented protobuf wire format, not
 * worth a code generator; zlib writes the gzip framing. */
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "flame_int.h"
#include "folded_int.h"
#include "perfkit/alloc.h"

typedef struct walk {
    pk__ftree t;
    pk__hash names;      /* name → frame id */
    size_t *frame_of;    /* node → frame id */
    size_t nframes;
    uint32_t *first;     /* frame id → a node holding that name */
} walk;

static void walk_free(walk *w)
{
    pk__folded_tree_free(&w->t);
    pk__hash_free(&w->names);
    pk_free(w->frame_of);
    pk_free(w->first);
}

static pk_err walk_new(const pk_folded *p, walk *w)
{
    *w = (walk){0};
    pk_err e = pk__folded_tree(p, false, &w->t);
    if (e == PK_OK && (!(w->frame_of = pk_calloc(w->t.n, sizeof *w->frame_of)) ||
                       !(w->first = pk_calloc(w->t.n, sizeof *w->first))))
        e = PK_ENOMEM;
    for (uint32_t i = 1; e == PK_OK && i < w->t.n; i++) {
        const pk__fnode *nd = &w->t.nodes[i];
        size_t id;
        if (!pk__hash_get(&w->names, nd->name, nd->len, &id)) {
            id = w->nframes++;
            w->first[id] = i;
            e = pk__hash_put(&w->names, nd->name, nd->len, id);
        }
        w->frame_of[i] = id;
    }
    if (e != PK_OK)
        walk_free(w);
    return e;
}

/* ---- speedscope ---------------------------------------------------------- */

static const char *speedscope_unit(const char *n)
{
    static const char *const map[][2] = {
        {"bytes", "bytes"}, {"ns", "nanoseconds"}, {"nanoseconds", "nanoseconds"},
        {"us", "microseconds"}, {"microseconds", "microseconds"}, {"ms", "milliseconds"},
        {"milliseconds", "milliseconds"}, {"s", "seconds"}, {"seconds", "seconds"}};
    for (size_t i = 0; n && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(n, map[i][0]) == 0)
            return map[i][1];
    return "none";
}

static pk_err speedscope_profile(const walk *w, unsigned slot, const char *name,
                                 const char *unit, pk__buf *b)
{
    pk__buf wt = {0};
    char num[32];
    pk_err e = pk__buf_printf(b, "{\"type\":\"sampled\",\"name\":\"%s\",\"unit\":\"%s\","
                                 "\"startValue\":0,\"endValue\":%s,\"samples\":[",
                              name, unit, pk__folded_num(w->t.nodes[0].total[slot], num,
                                                             sizeof num));
    size_t path_n = 0, cap = 0, *path = NULL;
    bool first = true;
    for (uint32_t i = 1; e == PK_OK && i < w->t.n; i++) {
        const pk__fnode *nd = &w->t.nodes[i];
        path_n = nd->depth - 1;
        if ((e = pk__grow((void **)&path, &cap, path_n + 1, sizeof *path)) != PK_OK)
            break;
        path[path_n++] = w->frame_of[i];
        if (nd->self[slot] <= 0)
            continue;
        e = pk__buf_puts(b, first ? "[" : ",[");
        for (size_t k = 0; e == PK_OK && k < path_n; k++)
            e = pk__buf_printf(b, k ? ",%zu" : "%zu", path[k]);
        if (e == PK_OK)
            e = pk__buf_puts(b, "]");
        if (e == PK_OK)
            e = pk__buf_printf(&wt, first ? "%s" : ",%s",
                               pk__folded_num(nd->self[slot], num, sizeof num));
        first = false;
    }
    if (e == PK_OK)
        e = pk__buf_printf(b, "],\"weights\":[%s]}", wt.data ? wt.data : "");
    pk_free(path);
    pk__buf_free(&wt);
    return e;
}

pk_err pk_flame_write_speedscope(const pk_folded *p, const pk_flame_opts *o, FILE *f)
{
    if (!p || !f || pk__flame_check(o) != PK_OK)
        return PK_EINVAL;
    walk w;
    pk_err e = walk_new(p, &w);
    if (e != PK_OK)
        return e;
    pk__buf b = {0};
    const char *title = o->title ? o->title : "perfkit profile";
    e = pk__buf_puts(&b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
                         "\"exporter\":\"perfkit " PK_VERSION "\",\"name\":\"");
    if (e == PK_OK)
        e = pk__folded_escape(&b, title, strlen(title), PK__ESC_JSON);
    if (e == PK_OK)
        e = pk__buf_puts(&b, "\",\"activeProfileIndex\":0,\"shared\":{\"frames\":[");
    for (size_t k = 0; e == PK_OK && k < w.nframes; k++) {
        const pk__fnode *nd = &w.t.nodes[w.first[k]];
        e = pk__buf_puts(&b, k ? ",{\"name\":\"" : "{\"name\":\"");
        if (e == PK_OK)
            e = pk__folded_escape(&b, nd->name, nd->len, PK__ESC_JSON);
        if (e == PK_OK)
            e = pk__buf_puts(&b, "\"}");
    }
    if (e == PK_OK)
        e = pk__buf_puts(&b, "]},\"profiles\":[");
    bool both = pk_folded_has_slot(p, 0) && pk_folded_has_slot(p, 1);
    const char *unit = speedscope_unit(o->count_name);
    if (e == PK_OK && both)
        e = speedscope_profile(&w, 0, "before", unit, &b);
    if (e == PK_OK && both)
        e = pk__buf_puts(&b, ",");
    unsigned slot = both || pk_folded_has_slot(p, o->slot) || !pk_folded_has_slot(p, 0)
                        ? (both ? 1 : o->slot) : 0;
    if (e == PK_OK)
        e = speedscope_profile(&w, slot, both ? "after" : "profile", unit, &b);
    if (e == PK_OK)
        e = pk__buf_puts(&b, "]}\n");
    if (e == PK_OK) {
        if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0)
            e = PK_EIO;
    }
    pk__buf_free(&b);
    walk_free(&w);
    return e;
}

/* ---- pprof --------------------------------------------------------------- */

static pk_err varint(pk__buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return pk__buf_add(b, tmp, n);
}

static pk_err field_varint(pk__buf *b, unsigned field, uint64_t v)
{
    pk_err e = varint(b, (uint64_t)field << 3);
    return e == PK_OK ? varint(b, v) : e;
}

static pk_err field_bytes(pk__buf *b, unsigned field, const void *p, size_t n)
{
    pk_err e = varint(b, (uint64_t)field << 3 | 2);
    if (e == PK_OK)
        e = varint(b, n);
    return e == PK_OK ? pk__buf_add(b, p, n) : e;
}

static pk_err pprof_encode(const walk *w, const pk_flame_opts *o, unsigned slot, pk__buf *out)
{
    pk__buf m = {0}, packed = {0}, vals = {0};
    size_t *path = NULL, cap = 0;
    /* strings: 0 "", 1 count name, 2 "count", 3+k frame k */
    const char *unit = o->count_name ? o->count_name : "samples";
    static const unsigned char vt[4] = {1 << 3, 1, 2 << 3, 2};   /* type 1, unit 2 */
    pk_err e = field_bytes(out, 1, vt, sizeof vt);                /* sample_type */
    for (uint32_t i = 1; e == PK_OK && i < w->t.n; i++) {
        const pk__fnode *nd = &w->t.nodes[i];
        size_t pn = nd->depth - 1;
        if ((e = pk__grow((void **)&path, &cap, pn + 1, sizeof *path)) != PK_OK)
            break;
        path[pn++] = w->frame_of[i];
        double v = nd->self[slot];
        if (v <= 0)
            continue;
        packed.len = vals.len = m.len = 0;
        for (size_t k = pn; e == PK_OK && k > 0; k--)   /* leaf first */
            e = varint(&packed, path[k - 1] + 1);
        if (e == PK_OK)
            e = varint(&vals, (uint64_t)llround(v));
        if (e == PK_OK)
            e = field_bytes(&m, 1, packed.data, packed.len);
        if (e == PK_OK)
            e = field_bytes(&m, 2, vals.data, vals.len);
        if (e == PK_OK)
            e = field_bytes(out, 2, m.data, m.len);
    }
    for (size_t k = 0; e == PK_OK && k < w->nframes; k++) {   /* location k+1 → function k+1 */
        m.len = packed.len = 0;
        e = field_varint(&packed, 1, k + 1);
        if (e == PK_OK)
            e = field_varint(&m, 1, k + 1);
        if (e == PK_OK)
            e = field_bytes(&m, 4, packed.data, packed.len);
        if (e == PK_OK)
            e = field_bytes(out, 4, m.data, m.len);
        m.len = 0;
        if (e == PK_OK)
            e = field_varint(&m, 1, k + 1);
        if (e == PK_OK)
            e = field_varint(&m, 2, k + 3);
        if (e == PK_OK)
            e = field_varint(&m, 3, k + 3);
        if (e == PK_OK)
            e = field_bytes(out, 5, m.data, m.len);
    }
    if (e == PK_OK)
        e = field_bytes(out, 6, "", 0);
    if (e == PK_OK)
        e = field_bytes(out, 6, unit, strlen(unit));
    if (e == PK_OK)
        e = field_bytes(out, 6, "count", 5);
    for (size_t k = 0; e == PK_OK && k < w->nframes; k++) {
        const pk__fnode *nd = &w->t.nodes[w->first[k]];
        m.len = 0;   /* strings must be UTF-8: invalid bytes become U+FFFD */
        if ((e = pk__folded_escape(&m, nd->name, nd->len, PK__ESC_UTF8)) == PK_OK)
            e = field_bytes(out, 6, m.data, m.len);
    }
    pk_free(path);
    pk__buf_free(&m);
    pk__buf_free(&packed);
    pk__buf_free(&vals);
    return e;
}

static pk_err gzip_write(const pk__buf *b, FILE *f)
{
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return PK_ENOMEM;
    unsigned char out[1 << 14];
    z.next_in = (unsigned char *)b->data;
    z.avail_in = (uInt)b->len;
    pk_err e = PK_OK;
    int r;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        r = deflate(&z, Z_FINISH);
        size_t n = sizeof out - z.avail_out;
        if (r == Z_STREAM_ERROR || fwrite(out, 1, n, f) != n) {
            e = r == Z_STREAM_ERROR ? PK_ENOMEM : PK_EIO;
            break;
        }
    } while (r != Z_STREAM_END);
    deflateEnd(&z);
    return e == PK_OK && fflush(f) != 0 ? PK_EIO : e;
}

pk_err pk_flame_write_pprof(const pk_folded *p, const pk_flame_opts *o, FILE *f)
{
    if (!p || !f || pk__flame_check(o) != PK_OK)
        return PK_EINVAL;
    walk w;
    pk_err e = walk_new(p, &w);
    if (e != PK_OK)
        return e;
    pk__buf b = {0};
    unsigned slot = pk_folded_has_slot(p, o->slot) || !pk_folded_has_slot(p, 0) ? o->slot : 0;
    e = pprof_encode(&w, o, slot, &b);
    if (e == PK_OK && b.len > UINT32_MAX)
        e = PK_ERANGE;
    if (e == PK_OK)
        e = gzip_write(&b, f);
    pk__buf_free(&b);
    walk_free(&w);
    return e;
}
