/* collapse_perf.c — the rules of FlameGraph's stackcollapse-perf.pl, for one
 * `perf script` line at a time.
 *
 * The Perl script is the reference users compare against, so its regular
 * expressions are reproduced exactly, including their backtracking corners,
 * each by a linear scan (a 10 MB line costs 10 MB of work, never a square):
 *
 *   header  ^(\S.+?)\s+(\d+)\/ *(\d+)*\s+         comm, pid[/tid] (no space
 *           after the slash in the original: a comment cannot hold it)
 *   event   :\s*(\d+)*\s+(\S+):\s*$               period, event name
 *   frame   ^\s*(\w+)\s*(.+) \((.*)\)             pc, symbol, dso
 *
 * then the name tidying (+0x offsets, "->" inline chains, [unknown] frames,
 * ';' → ':', arguments after '(' except Go methods and "(anonymous
 * namespace)", quotes, Java's 'L') and the _[k] _[j] _[i] annotations.
 * State follows the script too: a header does not clear the stack, a blank
 * line ends a sample, a sample without its blank line is dropped at the end.
 * \s is [ \t\n\v\f\r] and \w [A-Za-z0-9_]: Perl on bytes. */
#include <string.h>

#include "perfkit/alloc.h"
#include "profile/collapse_int.h"

static inline bool is_ws(unsigned char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

static inline bool is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }

static inline bool is_word(unsigned char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool has(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle)) != NULL;
}

typedef struct span { const char *p; size_t n; } span;

static bool span_is(span a, const char *lit)
{
    size_t l = strlen(lit);
    return a.n == l && memcmp(a.p, lit, l) == 0;
}

/* header: the lazy comm is the shortest prefix (>= 2 bytes) after which
 * come spaces, digits, slashes, digits, a space. A candidate end inside a
 * run of spaces gives the same result as the run's start, so only run
 * starts are tried: each byte is scanned a bounded number of times. */
static bool match_header(const char *s, size_t n, span *comm, span *pid, span *tid)
{
    if (n < 3 || is_ws((unsigned char)s[0]))
        return false;
    for (size_t i = 2; i < n; i++) {
        if (!is_ws((unsigned char)s[i]) || (i >= 3 && is_ws((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (j < n && is_ws((unsigned char)s[j]))
            j++;
        size_t k = j;
        while (k < n && is_digit((unsigned char)s[k]))
            k++;
        if (k == j)
            continue;
        size_t m = k;
        while (m < n && s[m] == '/')
            m++;
        size_t q = m;
        while (q < n && is_digit((unsigned char)s[q]))
            q++;
        if (q < n && is_ws((unsigned char)s[q])) {
            *comm = (span){s, i};
            *pid = (span){s + j, k - j};
            *tid = (span){s + m, q - m};
            return true;
        }
    }
    return false;
}

/* event: the last token ends in ':', before it spaces, before them either
 * ':' or digits (the period) after ':' and optional spaces. */
static bool match_event(const char *s, size_t n, span *period, span *event)
{
    size_t e = n;
    while (e > 0 && is_ws((unsigned char)s[e - 1]))
        e--;
    if (e < 2 || s[e - 1] != ':')
        return false;
    size_t t = e - 1;
    while (t > 0 && !is_ws((unsigned char)s[t - 1]))
        t--;
    if (t == e - 1 || t == 0)
        return false;
    size_t w = t;
    while (w > 0 && is_ws((unsigned char)s[w - 1]))
        w--;
    size_t d = w;
    while (d > 0 && is_digit((unsigned char)s[d - 1]))
        d--;
    size_t colon = d;
    if (d < w)
        while (colon > 0 && is_ws((unsigned char)s[colon - 1]))
            colon--;
    if (colon == 0 || s[colon - 1] != ':')
        return false;
    *period = (span){s + d, w - d};
    *event = (span){s + t, e - 1 - t};
    return true;
}

/* frame: see the header comment; (.+) is greedy, so the symbol ends at the
 * last " (" that has a ')' after it, and the dso runs to the last ')'. */
static bool match_frame(const char *s, size_t n, span *pc, span *func, span *mod)
{
    size_t a = 0;
    while (a < n && is_ws((unsigned char)s[a]))
        a++;
    size_t b = a;
    while (b < n && is_word((unsigned char)s[b]))
        b++;
    if (b == a)
        return false;
    size_t c = b;
    while (c < n && is_ws((unsigned char)s[c]))
        c++;
    const char *rp = memrchr(s, ')', n);
    if (!rp)
        return false;
    size_t last = (size_t)(rp - s);
    if (last < 2)
        return false;
    size_t p = 0, lim = last;   /* '(' at an index < lim, so p + 2 <= last */
    for (;;) {
        const char *lp = lim ? memrchr(s, '(', lim) : NULL;
        if (!lp)
            return false;
        size_t x = (size_t)(lp - s);
        if (x >= 1 && s[x - 1] == ' ') {
            p = x - 1;
            break;
        }
        lim = x;
    }
    if (p < a + 2)
        return false;
    size_t start = c < p - 1 ? c : p - 1;
    size_t pc_end = b < start ? b : start;
    *pc = (span){s + a, pc_end - a};
    *func = (span){s + start, p - start};
    *mod = (span){s + p + 2, last - (p + 2)};
    return true;
}

/* Room for n more bytes of frame names. */
static pk_err fb_room(pk_collapse *c, size_t n)
{
    if (c->fb_cap - c->fb_n >= n)
        return PK_OK;
    /* "[unknown]->[unknown]->..." with a long dso repeats the dso per name:
     * a line of L bytes could make ~L^2/20 bytes of stack */
    if (n > PK__COLLAPSE_MAX_STACK || c->fb_n > PK__COLLAPSE_MAX_STACK - n)
        return PK_ERANGE;
    return pk__grow((void **)&c->fbytes, &c->fb_cap, c->fb_n + n, 1);
}

/* "ab+0x1f" → "ab": s/\+0x[\da-f]+$//. */
static span strip_offset(span f)
{
    size_t e = f.n;
    while (e > 0 && (is_digit((unsigned char)f.p[e - 1]) || (f.p[e - 1] >= 'a' && f.p[e - 1] <= 'f')))
        e--;
    if (e < f.n && e >= 3 && memcmp(f.p + e - 3, "+0x", 3) == 0)
        f.n = e - 3;
    return f;
}

/* Whether m:/tmp/perf-\d+\.map: matches mod. */
static bool is_jit_map(span mod)
{
    const char *p = mod.p, *end = mod.p + mod.n;
    while ((p = memmem(p, (size_t)(end - p), "/tmp/perf-", 10)) != NULL) {
        const char *q = p + 10, *d = q;
        while (d < end && is_digit((unsigned char)*d))
            d++;
        if (d > q && end - d >= 4 && memcmp(d, ".map", 4) == 0)
            return true;
        p++;
    }
    return false;
}

/* Go methods ("net/http.(*Client).Do") keep their parentheses: \.\(.*\)\.
 * paren is the first '(' of s. */
static bool is_go_method(const char *s, size_t n, const char *paren)
{
    for (const char *o = paren; o; o = memchr(o + 1, '(', (size_t)(s + n - o - 1))) {
        if (o > s && o[-1] == '.') {
            for (const char *q = o + 1; q + 1 < s + n; q++)
                if (q[0] == ')' && q[1] == '.')
                    return true;
            return false;
        }
        if (o + 1 >= s + n)
            break;
    }
    return false;
}

/* Where "->" starts in s[0..n-1], or NULL (memmem costs more on short names). */
static const char *find_arrow(const char *s, size_t n)
{
    for (const char *d = memchr(s, '-', n); d; d = memchr(d + 1, '-', (size_t)(s + n - d - 1))) {
        if (d + 1 >= s + n)
            return NULL;
        if (d[1] == '>')
            return d;
    }
    return NULL;
}

/* Append "_[kind]" to out[0..n-1] (room was made); the new length. */
static size_t annotate(char *out, size_t n, char kind)
{
    out[n] = '_';
    out[n + 1] = '[';
    out[n + 2] = kind;
    out[n + 3] = ']';
    return n + 4;
}

/* One name of a frame line, tidied and annotated, appended to the sample. */
static pk_err add_func(pk_collapse *c, span f, span pc, span mod, bool inlined)
{
    size_t need = f.n + mod.n + pc.n + 16;
    pk_err e = fb_room(c, need);
    if (e != PK_OK)
        return e;
    char *out = c->fbytes + c->fb_n;
    size_t n = 0;
    if (span_is(f, "[unknown]")) {
        span name = {"unknown", 7};
        if (!span_is(mod, "[unknown]")) {
            const char *slash = memrchr(mod.p, '/', mod.n);
            name = slash ? (span){slash + 1, mod.n - (size_t)(slash + 1 - mod.p)} : mod;
        }
        out[n++] = '[';
        memcpy(out + n, name.p, name.n);
        n += name.n;
        if (c->o.include_addrs) {
            out[n++] = ' ';
            out[n++] = '<';
            memcpy(out + n, pc.p, pc.n);
            n += pc.n;
            out[n++] = '>';
        }
        out[n++] = ']';
        f = (span){out, n};   /* tidied in place below: the writes trail the reads */
    }
    /* Perl: ';' becomes ':', then all from the first '(' not opening
     * "(anonymous namespace)" goes (unless a Go method), then quotes go.
     * ';' -> ':' moves no parenthesis, so the cut is found first and one
     * pass copies, replaces and drops quotes. */
    size_t cut = f.n;
    const char *paren = memchr(f.p, '(', f.n);
    if (paren && !is_go_method(f.p, f.n, paren)) {
        static const char anon[] = "anonymous namespace)";
        for (size_t i = (size_t)(paren - f.p); i < f.n; i++) {
            if (f.p[i] != '(')
                continue;
            if (f.n - i - 1 >= sizeof anon - 1 && memcmp(f.p + i + 1, anon, sizeof anon - 1) == 0)
                continue;
            cut = i;
            break;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < cut; i++) {
        char ch = f.p[i];
        if (ch == '"' || ch == '\'')
            continue;
        out[k++] = ch == ';' ? ':' : ch;
    }
    n = k;
    if (c->pname.len >= 4 && memcmp(c->pname.data, "java", 4) == 0 && n > 0 && out[0] == 'L'
        && memchr(out, '/', n)) {
        memmove(out, out + 1, n - 1);
        n--;
    }
    if (inlined) {
        if (!has(out, n, "_[i]")) {
            n = annotate(out, n, 'i');
        }
    } else if (c->o.annotate_kernel
               && ((mod.n > 0 && mod.p[0] == '[')
                   || (mod.n >= 7 && memcmp(mod.p + mod.n - 7, "vmlinux", 7) == 0))
               && !has(mod.p, mod.n, "unknown")) {
        n = annotate(out, n, 'k');
    } else if (c->o.annotate_jit && is_jit_map(mod)) {
        if (!has(out, n, "_[j]")) {
            n = annotate(out, n, 'j');
        }
    }
    if (PK__PUSH_ROOM(c->frames, c->n_frames, c->frames_cap) != PK_OK)
        return PK_ENOMEM;
    c->frames[c->n_frames++] = (pk__collapse_frame){c->fb_n, n};
    c->fb_n += n;
    return PK_OK;
}

static pk_err frame_line(pk_collapse *c, span pc, span func, span mod)
{
    func = strip_offset(func);
    if (func.n > 0 && func.p[0] == '(')
        return PK_OK;   /* "(process name)" lines */
    /* split /->/, trailing empty fields dropped */
    size_t keep = func.n;
    while (keep >= 2 && memcmp(func.p + keep - 2, "->", 2) == 0)
        keep -= 2;
    if (keep == 0)
        return PK_OK;
    const char *end = func.p + keep;
    if (PK__PUSH_ROOM(c->groups, c->n_groups, c->groups_cap) != PK_OK)
        return PK_ENOMEM;
    c->groups[c->n_groups++] = c->n_frames;
    const char *p = func.p;
    bool first = true;
    for (;;) {
        const char *arrow = find_arrow(p, (size_t)(end - p));
        span f = {p, arrow ? (size_t)(arrow - p) : (size_t)(end - p)};
        pk_err e = add_func(c, f, pc, mod, !first);
        if (e != PK_OK)
            return e;
        first = false;
        if (!arrow)
            break;
        p = arrow + 2;
    }
    return PK_OK;
}

/* Numeric value of the period digits: "" and "0" count 1 (Perl's `not
 * $period`), other strings their value ("00" is 0); saturates. */
static uint64_t period_value(span d)
{
    if (d.n == 0 || span_is(d, "0"))
        return 1;
    uint64_t v = 0;
    for (size_t i = 0; i < d.n; i++) {
        unsigned dig = (unsigned)(d.p[i] - '0');
        if (v > (UINT64_MAX - dig) / 10)
            return UINT64_MAX;
        v = v * 10 + dig;
    }
    return v;
}

static pk_err header_line(pk_collapse *c, const char *s, size_t n, span comm, span pid, span tid)
{
    span period = {NULL, 0}, event;
    if (match_event(s, n, &period, &event)) {
        if (!c->filter) {
            c->filter = pk_malloc(event.n + 1);   /* not strndup: the name may hold a NUL */
            if (!c->filter)
                return PK_ENOMEM;
            memcpy(c->filter, event.p, event.n);
            c->filter[event.n] = '\0';
            c->filter_len = event.n;
            c->st.event = c->filter;
        } else if (event.n != c->filter_len || memcmp(event.p, c->filter, event.n) != 0) {
            c->st.filtered++;
            return PK_OK;
        }
    }
    c->period = period_value(period);
    if (tid.n == 0 || span_is(tid, "0")) {
        tid = pid;
        pid = (span){"?", 1};
    }
    pk__buf *b = &c->pname;
    b->len = 0;
    pk_err e = pk__buf_add(b, comm.p, comm.n);
    if (e == PK_OK && (c->o.include_tid || c->o.include_pid)) {
        e = pk__buf_add(b, "-", 1);
        if (e == PK_OK)
            e = pk__buf_add(b, pid.p, pid.n);
        if (e == PK_OK && c->o.include_tid)
            e = pk__buf_add(b, "/", 1);
        if (e == PK_OK && c->o.include_tid)
            e = pk__buf_add(b, tid.p, tid.n);
    }
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < comm.n; i++)
        if (b->data[i] == ' ')
            b->data[i] = '_';
    c->have_pname = true;
    return PK_OK;
}

/* A blank line: the sample ends; its stack is counted, root first. */
static pk_err end_sample(pk_collapse *c)
{
    if (!c->have_pname)
        return PK_OK;
    pk__buf *k = &c->key;
    k->len = 0;
    pk_err e = pk__buf_add(k, c->pname.data, c->pname.len);
    for (size_t g = c->n_groups; g-- > 0 && e == PK_OK;) {
        size_t to = g + 1 < c->n_groups ? c->groups[g + 1] : c->n_frames;
        for (size_t f = c->groups[g]; f < to && e == PK_OK; f++) {
            e = pk__buf_add(k, ";", 1);
            if (e == PK_OK)
                e = pk__buf_add(k, c->fbytes + c->frames[f].off, c->frames[f].len);
        }
    }
    if (e == PK_OK)
        e = pk__collapse_add(c, k->data, k->len, c->period);
    if (e != PK_OK)
        return e;
    c->st.samples++;
    c->have_pname = false;
    c->n_frames = c->n_groups = c->fb_n = 0;
    return PK_OK;
}

bool pk__collapse_perf_line(pk_collapse *c, const char *s, size_t n, pk_err *err)
{
    *err = PK_OK;
    if (n > 0 && s[0] == '#')
        return true;
    if (n == 0) {
        *err = end_sample(c);
        return true;
    }
    span a, b, d;
    if (!is_ws((unsigned char)s[0]) && match_header(s, n, &a, &b, &d)) {
        *err = header_line(c, s, n, a, b, d);
        return true;
    }
    if (match_frame(s, n, &a, &b, &d)) {
        if (c->have_pname)
            *err = frame_line(c, a, b, d);
        return true;
    }
    return false;
}

bool pk__collapse_is_folded(const char *s, size_t n)
{
    if (n < 3 || is_ws((unsigned char)s[0]) || !is_digit((unsigned char)s[n - 1]))
        return false;
    size_t i = n;
    while (i > 0 && is_digit((unsigned char)s[i - 1]))
        i--;
    return i >= 2 && s[i - 1] == ' ' && !memmem(s, n, ": ", 2);
}
