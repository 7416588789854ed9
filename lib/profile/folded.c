/* folded.c — the folded-stack profile (perfkit/folded.h): parse, aggregate,
 * write, and the prefix tree the renderers walk.
 *
 * Design: one hash table (core/hash.h) from stack text to an entry holding
 * the two counts, so memory follows the distinct stacks whatever the input
 * size; stack bytes live in an arena of blocks that never move (the table
 * borrows them as keys). Lines are parsed in place, in one pass, without
 * copying: the count is the last token, and in two-column mode the token
 * before it. The tree (pk__folded_tree) is built only when a renderer asks,
 * from the stacks sorted frame by frame (';' sorts below every byte, so a
 * frame's children are contiguous), in depth-first preorder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "folded_int.h"
#include "perfkit/alloc.h"

#define BLOCK_MIN ((size_t)1 << 20)

void pk_folded_opts_init(pk_folded_opts *o)
{
    if (o)
        *o = (pk_folded_opts){.columns = 0, .slot = 1};
}

pk_err pk_folded_new(pk_folded **out)
{
    if (!out)
        return PK_EINVAL;
    *out = pk_calloc(1, sizeof **out);
    return *out ? PK_OK : PK_ENOMEM;
}

void pk_folded_free(pk_folded *p)
{
    if (!p)
        return;
    pk__hash_free(&p->index);
    pk_free(p->stacks);
    for (pk__fblock *b = p->arena, *nx; b; b = nx) {
        nx = b->next;
        pk_free(b);
    }
    pk_free(p);
}

static char *arena_copy(pk_folded *p, const char *s, size_t len)
{
    pk__fblock *b = p->arena;
    if (!b || b->cap - b->used < len) {
        size_t cap = len > BLOCK_MIN ? len : BLOCK_MIN;
        b = pk_malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = p->arena;
        b->used = 0;
        b->cap = cap;
        p->arena = b;
    }
    char *dst = b->data + b->used;
    memcpy(dst, s, len);
    b->used += len;
    return dst;
}

pk_err pk_folded_add(pk_folded *p, const char *stack, size_t len, unsigned slot, double count)
{
    if (!p || !stack || len == 0 || len >= UINT32_MAX || slot > 1 || !isfinite(count) ||
        count < 0)
        return PK_EINVAL;
    size_t k;
    if (!pk__hash_get(&p->index, stack, len, &k)) {
        if (PK__PUSH_ROOM(p->stacks, p->n, p->cap) != PK_OK)
            return PK_ENOMEM;
        char *text = arena_copy(p, stack, len);
        if (!text)
            return PK_ENOMEM;
        if (pk__hash_put(&p->index, text, len, p->n) != PK_OK)
            return PK_ENOMEM;   /* the arena bytes are reused by no one: harmless */
        k = p->n++;
        p->stacks[k] = (pk__fstack){.text = text, .len = (uint32_t)len};
    }
    p->stacks[k].count[slot] += count;
    p->total[slot] += count;
    p->has[slot] = true;
    return PK_OK;
}

size_t pk_folded_stacks(const pk_folded *p) { return p ? p->n : 0; }

double pk_folded_total(const pk_folded *p, unsigned slot)
{
    return p && slot <= 1 ? p->total[slot] : 0;
}

int pk_folded_has_slot(const pk_folded *p, unsigned slot)
{
    return p && slot <= 1 && p->has[slot];
}

pk_err pk_folded_scale(pk_folded *p, unsigned slot, double factor)
{
    if (!p || slot > 1 || !isfinite(factor) || factor < 0)
        return PK_EINVAL;
    for (size_t i = 0; i < p->n; i++)
        p->stacks[i].count[slot] *= factor;
    p->total[slot] *= factor;
    return PK_OK;
}

/* ---- parsing ------------------------------------------------------------- */

/* A count: digits with an optional fraction ("12", "0.5", "3."). */
static bool parse_count(const char *s, size_t n, double *out)
{
    size_t i = 0;
    double v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return false;
    if (i < n && s[i] == '.') {
        double scale = 0.1;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            v += (s[i] - '0') * scale;
    }
    if (i != n || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

typedef struct parser {
    pk_folded *p;
    unsigned columns, slot;
    unsigned long line;
    const char *name;
    pk_diag *d;
} parser;

static pk_err fail(parser *ps, size_t col, const char *msg)
{
    pk_diag_set(ps->d, ps->name, (unsigned)ps->line, (unsigned)col + 1, "%s", msg);
    return PK_EPARSE;
}

/* The last token of s[0..*n-1] (after trailing blanks): [*tok, *n) on
 * return, *n shrunk to the bytes before the blanks preceding it. */
static void last_token(const char *s, size_t *n, size_t *tok)
{
    size_t e = *n;
    while (e > 0 && is_space(s[e - 1]))
        e--;
    size_t b = e;
    while (b > 0 && !is_space(s[b - 1]))
        b--;
    *tok = b;
    size_t rest = b;
    while (rest > 0 && is_space(s[rest - 1]))
        rest--;
    *n = rest;
    (void)e;
}

/* A line of `perf script` text, s[0..n-1] without trailing blanks: a sample
 * header ends in "EVENT:" ("app 12 1.0: 1001 cpu-clock:"), a frame line is a
 * tab and a hex address ("\t  7f01 main (/bin/app)"). Only names the fix in
 * an error message; nothing is parsed differently. */
static bool looks_like_perf_script(const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == ':' && memchr(s, ' ', n))
        return true;
    size_t i = 0;
    if (n == 0 || s[0] != '\t')
        return false;
    while (i < n && is_space(s[i]))
        i++;
    size_t h = i;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'f')))
        i++;
    return i > h && i < n && s[i] == ' ';
}

static pk_err parse_line(parser *ps, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    const char *nul = memchr(s, '\0', n);
    if (nul)
        return fail(ps, (size_t)(nul - s), "a NUL byte: binary input, not folded stacks");
    size_t e = n;
    while (e > 0 && is_space(s[e - 1]))
        e--;
    if (e == 0)
        return PK_OK;   /* blank line */
    size_t stack_end = e, tok;
    last_token(s, &stack_end, &tok);
    double v[2];
    if (!parse_count(s + tok, e - tok, &v[1]) || stack_end == 0)
        return fail(ps, tok,
                    stack_end == 0 && parse_count(s + tok, e - tok, &v[1])
                        ? "a count without a stack (expected `frame;frame COUNT`)"
                    : looks_like_perf_script(s, e)
                        ? "expected a sample count at the end of the line "
                          "(`frame;frame COUNT`); this looks like `perf script` output: "
                          "fold it first with `perfkit collapse`"
                        : "expected a sample count at the end of the line "
                          "(`frame;frame COUNT`)");
    unsigned cols = 1;
    if (ps->columns != 1) {
        size_t se2 = stack_end, tok2;
        last_token(s, &se2, &tok2);
        bool two = se2 > 0 && parse_count(s + tok2, stack_end - tok2, &v[0]);
        if (ps->columns == 0)
            ps->columns = two ? 2 : 1;
        if (ps->columns == 2) {
            if (!two)
                return fail(ps, tok,
                            "expected two counts (`frame;frame BEFORE AFTER`), as on the first line");
            stack_end = se2;
            cols = 2;
        }
    }
    pk_err err;
    if (cols == 2) {
        err = pk_folded_add(ps->p, s, stack_end, 0, v[0]);
        if (err == PK_OK)
            err = pk_folded_add(ps->p, s, stack_end, 1, v[1]);
    } else {
        err = pk_folded_add(ps->p, s, stack_end, ps->slot, v[1]);
    }
    if (err == PK_EINVAL)
        return fail(ps, 0, "a stack longer than 4 GiB");
    return err;
}

static pk_err parse_lines(parser *ps, const char *text, size_t len, size_t *consumed, bool final)
{
    size_t at = 0;
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        if (!nl && !final)
            break;
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        ps->line++;
        pk_err e = parse_line(ps, text + at, n);
        if (e != PK_OK)
            return e;
        at += n + (nl ? 1 : 0);
    }
    *consumed = at;
    return PK_OK;
}

static bool setup(parser *ps, pk_folded *p, const pk_folded_opts *o, const char *name,
                  pk_diag *d)
{
    pk_folded_opts def;
    pk_folded_opts_init(&def);
    if (!o)
        o = &def;
    *ps = (parser){.p = p, .columns = o->columns, .slot = o->slot,
                   .name = name ? name : "<input>", .d = d};
    return p && o->columns <= 2 && o->slot <= 1;
}

pk_err pk_folded_parse(pk_folded *p, const pk_folded_opts *o, const char *text, size_t len,
                       const char *name, pk_diag *d)
{
    parser ps;
    if (!setup(&ps, p, o, name, d) || (!text && len))
        return PK_EINVAL;
    size_t used;
    return len ? parse_lines(&ps, text, len, &used, true) : PK_OK;
}

pk_err pk_folded_read(pk_folded *p, const pk_folded_opts *o, FILE *f, const char *name,
                      pk_diag *d)
{
    parser ps;
    if (!setup(&ps, p, o, name, d) || !f)
        return PK_EINVAL;
    size_t cap = (size_t)1 << 16, have = 0;
    char *buf = pk_malloc(cap);
    if (!buf)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    for (;;) {
        if (have == cap) {   /* one line fills the buffer: grow it */
            if (pk__grow((void **)&buf, &cap, cap * 2, 1) != PK_OK) {
                e = PK_ENOMEM;
                break;
            }
        }
        size_t got = fread(buf + have, 1, cap - have, f);
        have += got;
        bool eof = got == 0;
        if (eof && ferror(f)) {
            e = PK_EIO;
            pk_diag_set(d, ps.name, 0, 0, "read error");
            break;
        }
        size_t used = 0;
        e = parse_lines(&ps, buf, have, &used, eof);
        if (e != PK_OK || eof)
            break;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    pk_free(buf);
    return e;
}

/* ---- order, tree, output ------------------------------------------------- */

/* Frame-by-frame order: ';' below every byte, a shorter stack first. */
static int frame_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn, i = 0;
    for (; i + 8 <= n; i += 8) {   /* skip the common prefix a word at a time */
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            break;
    }
    for (; i < n; i++) {
        if (a[i] != b[i]) {
            int x = a[i] == ';' ? -1 : (unsigned char)a[i];
            int y = b[i] == ';' ? -1 : (unsigned char)b[i];
            return x < y ? -1 : 1;
        }
    }
    return an < bn ? -1 : an > bn;
}

static int by_stack(const void *x, const void *y)
{
    const pk__fstack *a = x, *b = y;
    return frame_cmp(a->text, a->len, b->text, b->len);
}

static pk__fstack *sorted_copy(const pk_folded *p)
{
    pk__fstack *s = pk_reallocarray(NULL, p->n ? p->n : 1, sizeof *s);
    if (s) {
        if (p->n)
            memcpy(s, p->stacks, p->n * sizeof *s);
        qsort(s, p->n, sizeof *s, by_stack);
    }
    return s;
}

const char *pk__folded_num(double v, char *buf, size_t len)
{
    if (v == floor(v) && v < 9e15)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.6g", v);
    return buf;
}

pk_err pk_folded_write(const pk_folded *p, unsigned slot, FILE *f)
{
    if (!p || !f || slot > 2)
        return PK_EINVAL;
    pk__fstack *s = sorted_copy(p);
    if (!s)
        return PK_ENOMEM;
    char a[32], b[32];
    for (size_t i = 0; i < p->n; i++) {
        if (slot < 2 && s[i].count[slot] == 0)
            continue;
        fwrite(s[i].text, 1, s[i].len, f);
        if (slot == 2)
            fprintf(f, " %s %s\n", pk__folded_num(s[i].count[0], a, sizeof a),
                    pk__folded_num(s[i].count[1], b, sizeof b));
        else
            fprintf(f, " %s\n", pk__folded_num(s[i].count[slot], a, sizeof a));
    }
    pk_free(s);
    return fflush(f) != 0 || ferror(f) ? PK_EIO : PK_OK;
}

static pk_err reverse_stacks(const pk_folded *p, pk__fstack *s, pk__ftree *t)
{
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += s[i].len;
    t->scratch = pk_malloc(total ? total : 1);
    if (!t->scratch)
        return PK_ENOMEM;
    char *out = t->scratch;
    for (size_t i = 0; i < p->n; i++) {
        const char *in = s[i].text;
        size_t n = s[i].len, w = 0, end = n;
        while (end > 0) {   /* frames from the last to the first */
            size_t b = end;
            while (b > 0 && in[b - 1] != ';')
                b--;
            if (w)
                out[w++] = ';';
            memcpy(out + w, in + b, end - b);
            w += end - b;
            end = b ? b - 1 : 0;
            if (b == 0)
                break;
        }
        s[i].text = out;
        s[i].len = (uint32_t)w;
        out += w;
    }
    return PK_OK;
}

pk_err pk__folded_tree(const pk_folded *p, bool reverse, pk__ftree *t)
{
    *t = (pk__ftree){0};
    pk__fstack *s = sorted_copy(p);
    size_t cap = 0, *path = NULL, depth_cap = 0;
    pk_err e = s ? PK_OK : PK_ENOMEM;
    if (e == PK_OK && reverse && (e = reverse_stacks(p, s, t)) == PK_OK)
        qsort(s, p->n, sizeof *s, by_stack);
    if (e == PK_OK && (e = PK__PUSH_ROOM(t->nodes, t->n, cap)) == PK_OK)
        t->nodes[t->n++] = (pk__fnode){.name = "", .len = 0};
    size_t plen = 0;   /* path[0..plen-1]: the open nodes below the root */
    for (size_t i = 0; e == PK_OK && i < p->n; i++) {
        const char *txt = s[i].text;
        size_t d = 0, at = 0, n = s[i].len;
        while (e == PK_OK) {
            const char *semi = memchr(txt + at, ';', n - at);
            size_t fl = semi ? (size_t)(semi - (txt + at)) : n - at;
            if (d < plen) {
                pk__fnode *nd = &t->nodes[path[d]];
                if (nd->len != fl || memcmp(nd->name, txt + at, fl) != 0) {
                    for (size_t k = d; k < plen; k++)
                        t->nodes[path[k]].end = (uint32_t)t->n;
                    plen = d;
                }
            }
            if (d >= plen) {
                if ((e = PK__PUSH_ROOM(t->nodes, t->n, cap)) != PK_OK ||
                    (e = pk__grow((void **)&path, &depth_cap, d + 1, sizeof *path)) != PK_OK)
                    break;
                t->nodes[t->n] = (pk__fnode){.name = txt + at, .len = (uint32_t)fl,
                                             .depth = (uint32_t)d + 1,
                                             .parent = d ? (uint32_t)path[d - 1] : 0};
                path[d] = t->n++;
                plen = d + 1;
                if (d + 1 > t->max_depth)
                    t->max_depth = (uint32_t)d + 1;
            }
            if (!semi)
                break;
            at += fl + 1;
            d++;
        }
        if (e != PK_OK)
            break;
        /* frames below d of the previous stack end here */
        for (size_t k = d + 1; k < plen; k++)
            t->nodes[path[k]].end = (uint32_t)t->n;
        plen = d + 1;
        for (int sl = 0; sl < 2; sl++) {
            double c = s[i].count[sl];
            t->nodes[path[d]].self[sl] += c;
            t->nodes[0].total[sl] += c;
            for (size_t k = 0; k <= d; k++)
                t->nodes[path[k]].total[sl] += c;
        }
    }
    if (e == PK_OK) {
        for (size_t k = 0; k < plen; k++)
            t->nodes[path[k]].end = (uint32_t)t->n;
        t->nodes[0].end = (uint32_t)t->n;
    } else {
        pk__folded_tree_free(t);
    }
    pk_free(path);
    pk_free(s);
    return e;
}

void pk__folded_tree_free(pk__ftree *t)
{
    if (!t)
        return;
    pk_free(t->nodes);
    pk_free(t->scratch);
    *t = (pk__ftree){0};
}

/* ---- escaping ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (k == 0 || k > n || (k == 2 && c < 0xC2) || (k == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0;
    if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0;
    return k;
}

pk_err pk__folded_escape(pk__buf *b, const char *s, size_t len, int mode)
{
    bool json = mode == PK__ESC_JSON, xml = mode == PK__ESC_XML;
    const unsigned char *u = (const unsigned char *)s;
    pk_err e = PK_OK;
    for (size_t i = 0; i < len && e == PK_OK;) {
        size_t k = utf8_len(u + i, len - i);
        unsigned c = u[i];
        const char *rep = NULL;
        if (k == 0 || (c < 0x20 && c != '\t'))
            rep = "\xEF\xBF\xBD";
        else if (c == '&' && xml)
            rep = "&amp;";
        else if (c == '<' && xml)
            rep = "&lt;";
        else if (c == '>' && xml)
            rep = "&gt;";
        else if (c == '"' && mode != PK__ESC_UTF8)
            rep = json ? "\\\"" : "&quot;";
        else if (c == '\\' && json)
            rep = "\\\\";
        else if (c == '\t' && json)
            rep = "\\t";
        if (rep) {
            e = pk__buf_puts(b, rep);
            i += k ? k : 1;
            continue;
        }
        if (mode == PK__ESC_UTF8 || k > 1) {
            e = pk__buf_add(b, s + i, k);
            i += k;
            continue;
        }
        size_t j = i + k;   /* copy a run of plain bytes at once */
        while (j < len && u[j] >= 0x20 && u[j] < 0x80 && u[j] != '&' && u[j] != '<' &&
               u[j] != '>' && u[j] != '"' && u[j] != '\\')
            j++;
        e = pk__buf_add(b, s + i, j - i);
        i = j;
    }
    return e;
}
