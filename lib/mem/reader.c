/* reader.c — the event file of libperfkit-mem.so (docs/mem.md "File
 * format") read in one streaming pass, analysed as it is read.
 *
 * Live blocks sit in a pointer table (pk__mem_table), costs in an array per
 * stack id. The peak's per-site figures need no second pass and no O(sites)
 * copy at each new peak: a generation counter goes up at each new peak, and
 * a site about to change whose figures are of an older generation first
 * saves its current bytes as its bytes at the peak (nothing changed them
 * since). Temporaries follow heaptrack (accumulatedtracedata.cpp): a block
 * freed right after it was allocated — per thread here, so two threads'
 * interleaved events do not hide each other's. The timeline keeps
 * PK_MEM_TIMELINE_MAX buckets of the heap's maximum; when time runs past
 * the last one, neighbours merge and the bucket width doubles.
 * A record is applied only once it was read whole: a file cut anywhere
 * (SIGKILL) loads up to its last complete record. Version 2 (compact: no
 * time nor thread per event, pointer deltas) and version 1 are read; the
 * stream may come zstd- or gzip-compressed (pk_mem_load, core/input). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem_int.h"
#include "perfkit/alloc.h"
#include "perfkit/input.h"

#define MAX_FRAMES 256
#define MAX_TEXT (64u << 20)

typedef struct rd {
    FILE *f;
    pk_input *in;           /* pk_mem_load's: says why a read failed */
    const char *name;
    pk_diag *d;
    uint64_t base;          /* file offset of buf[0] */
    size_t pos, len;
    bool io_error;
    unsigned char buf[1 << 16];
} rd;

enum { RD_OK = 0, RD_EOF = 1, RD_BAD = 2 };

static uint64_t rd_off(const rd *r)
{
    return r->base + r->pos;
}

static int rd_byte(rd *r)
{
    if (r->pos == r->len) {
        r->base += r->len;
        r->pos = 0;
        r->len = fread(r->buf, 1, sizeof r->buf, r->f);
        if (!r->len) {
            if (ferror(r->f))
                r->io_error = true;
            return -1;
        }
    }
    return r->buf[r->pos++];
}

static int rd_uv(rd *r, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        int c = rd_byte(r);
        if (c < 0)
            return RD_EOF;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return RD_OK;
        }
    }
    return RD_BAD;
}

static int rd_bytes(rd *r, void *out, size_t n)
{
    unsigned char *o = out;
    while (n) {
        if (r->pos == r->len && rd_byte(r) >= 0)
            r->pos--;   /* refilled; put the byte back */
        if (r->pos == r->len)
            return RD_EOF;
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(o, r->buf + r->pos, k);
        r->pos += k;
        o += k;
        n -= k;
    }
    return RD_OK;
}

static pk_err bad(rd *r, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static pk_err bad(rd *r, uint64_t off, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pk_diag_set(r->d, r->name, 0, 0, "offset %" PRIu64 ": %s", off, msg);
    return PK_EPARSE;
}

/* A string field: len uv + bytes, NUL-terminated copy into *out. */
static int rd_text(rd *r, size_t max, char **out, size_t *len, pk_err *e)
{
    uint64_t n;
    int s = rd_uv(r, &n);
    if (s)
        return s;
    if (n > max) {
        *e = bad(r, rd_off(r), "a text of %" PRIu64 " bytes (at most %zu)", n, max);
        return RD_BAD;
    }
    char *t = pk_malloc((size_t)n + 1);
    if (!t) {
        *e = PK_ENOMEM;
        return RD_BAD;
    }
    if ((s = rd_bytes(r, t, (size_t)n)) != RD_OK) {
        pk_free(t);
        return s;
    }
    t[n] = '\0';
    *out = t;
    if (len)
        *len = (size_t)n;
    return RD_OK;
}

pk_mem_profile *pk__mem_profile_new(void)
{
    pk_mem_profile *p = pk_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->info.cmdline = p->info.exe = "";
    p->info.end_reason = -1;
    p->info.exit_status = -1;
    p->bucket_ns = 1000;
    return p;
}

/* ---- the analysis ------------------------------------------------------ */

static void touch(pk_mem_profile *p, pk__mem_stat *s)
{
    if (s->gen != p->gen) {
        s->peak_bytes = s->cur_bytes;
        s->gen = p->gen;
    }
}

static void timeline(pk_mem_profile *p)
{
    /* the time moves at 'C' records only: the bucket is kept until then */
    if (p->tl_ok && p->tl_now == p->now) {
        pk__mem_bucket *b = &p->buckets[p->tl_i];
        if (p->heap > b->max)
            b->max = p->heap;
        b->last = p->heap;
        return;
    }
    uint64_t i = p->now / p->bucket_ns;
    while (i >= PK_MEM_TIMELINE_MAX) {
        for (size_t k = 0; k < PK_MEM_TIMELINE_MAX / 2; k++) {
            pk__mem_bucket a = p->buckets[2 * k], b = p->buckets[2 * k + 1];
            p->buckets[k] = (pk__mem_bucket){a.max > b.max ? a.max : b.max,
                                              b.set ? b.last : a.last, a.set || b.set};
        }
        memset(p->buckets + PK_MEM_TIMELINE_MAX / 2, 0, sizeof p->buckets / 2);
        p->bucket_ns *= 2;
        p->n_buckets = (p->n_buckets + 1) / 2;
        i = p->now / p->bucket_ns;
    }
    pk__mem_bucket *b = &p->buckets[i];
    if (!b->set || p->heap > b->max)
        b->max = p->heap;
    b->last = p->heap;
    b->set = true;
    if (i + 1 > p->n_buckets)
        p->n_buckets = (size_t)i + 1;
    p->tl_ok = true;
    p->tl_now = p->now;
    p->tl_i = (size_t)i;
}

/* The thread's entry, cached: the entry pointer stays valid until the
 * threads table gets a new key (here or in rec_thread, which drops it). */
static pk__mem_entry *thread_of(pk_mem_profile *p, uint64_t tid)
{
    if (p->thr && p->thr_tid == tid)
        return p->thr;
    bool added;
    p->thr = pk__mem_table_put(&p->threads, tid + 1, &added);
    p->thr_tid = tid;
    return p->thr;
}

static pk_err do_free(pk_mem_profile *p, uint64_t tid, uint64_t ptr, bool *unknown)
{
    pk__mem_entry *t = thread_of(p, tid);
    if (!t)
        return PK_ENOMEM;
    bool was_last = t->b && t->a == ptr;
    t->b = 0;
    pk__mem_entry *blk = pk__mem_table_get(&p->live, ptr);
    *unknown = !blk;
    if (!blk) {
        p->tot.unknown_frees++;
        return PK_OK;
    }
    pk__mem_stat *s = &p->stats[blk->b];
    touch(p, s);
    s->cur_bytes -= blk->a;
    s->cur_blocks--;
    p->heap -= blk->a;
    p->tot.frees++;
    if (was_last && blk->c == (uint32_t)tid) {
        s->temporary++;
        p->tot.temporary++;
    }
    pk__mem_table_del(&p->live, blk);
    timeline(p);
    return PK_OK;
}

static pk_err do_alloc(pk_mem_profile *p, uint64_t tid, uint64_t ptr, uint64_t size,
                       uint32_t stack)
{
    if (!ptr)
        return PK_OK;
    bool added, unknown;
    if (pk__mem_table_get(&p->live, ptr)) {
        /* a free we never saw (another allocator's): the old block is gone,
         * not as a temporary */
        pk__mem_entry *t0 = thread_of(p, tid);
        if (!t0)
            return PK_ENOMEM;
        t0->b = 0;
        pk_err e = do_free(p, tid, ptr, &unknown);
        if (e)
            return e;
        p->tot.frees--;
    }
    pk__mem_entry *t = thread_of(p, tid);
    pk__mem_entry *blk = t ? pk__mem_table_put(&p->live, ptr, &added) : NULL;
    if (!blk)
        return PK_ENOMEM;
    t->a = ptr;   /* t is in the threads table: the live table's growth leaves it */
    t->b = 1;
    blk->a = size;
    blk->b = stack;
    blk->c = (uint32_t)tid;
    pk__mem_stat *s = &p->stats[stack];
    touch(p, s);
    s->allocs++;
    s->bytes += size;
    s->cur_bytes += size;
    s->cur_blocks++;
    p->tot.allocs++;
    p->tot.alloc_bytes += size;
    p->heap += size;
    if (p->heap > p->tot.peak_bytes) {
        p->tot.peak_bytes = p->heap;
        p->tot.peak_ns = p->now;
        p->gen++;
    }
    timeline(p);
    return PK_OK;
}

/* Room for stack id n_stacks (stacks and stats). */
static pk_err stack_room(pk_mem_profile *p)
{
    if (PK__PUSH_ROOM(p->stacks, p->n_stacks, p->cap_stacks) != PK_OK)
        return PK_ENOMEM;
    if (p->cap_stats < p->cap_stacks) {
        pk__mem_stat *s = pk_realloc(p->stats, p->cap_stacks * sizeof *s);
        if (!s)
            return PK_ENOMEM;
        memset(s + p->cap_stats, 0, (p->cap_stacks - p->cap_stats) * sizeof *s);
        p->stats = s;
        p->cap_stats = p->cap_stacks;
    }
    return PK_OK;
}

/* ---- the records -------------------------------------------------------- */

#define FIELD(x)                    \
    do {                            \
        int s_ = rd_uv(r, (x));     \
        if (s_ == RD_EOF)            \
            return RD_EOF;           \
        if (s_ == RD_BAD) {          \
            *e = bad(r, start, "record '%c': a number longer than 64 bits", type); \
            return RD_BAD;           \
        }                           \
    } while (0)

#define TEXT(max, out)                                                   \
    do {                                                                 \
        int s_ = rd_text(r, (max), (out), NULL, e);                            \
        if (s_ == RD_EOF)                                                 \
            return RD_EOF;                                                \
        if (s_ == RD_BAD) {                                               \
            if (*e == PK_OK)                                             \
                *e = bad(r, start, "record '%c': a bad length", type);   \
            return RD_BAD;                                                \
        }                                                                \
    } while (0)

static int rec_info(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t pid, ppid, clk, page;
    char *cmd = NULL, *exe = NULL;
    FIELD(&pid);
    FIELD(&ppid);
    FIELD(&clk);
    FIELD(&page);
    size_t cmd_len = 0;
    int s = rd_text(r, 1u << 20, &cmd, &cmd_len, e);
    if (s) {
        if (s == RD_BAD && *e == PK_OK)
            *e = bad(r, start, "record 'I': a bad length");
        return s;
    }
    s = rd_text(r, 1u << 16, &exe, NULL, e);
    if (s) {
        pk_free(cmd);
        if (s == RD_BAD && *e == PK_OK)
            *e = bad(r, start, "record 'I': a bad length");
        return s;
    }
    /* argv joined by NUL → by spaces */
    while (cmd_len && !cmd[cmd_len - 1])
        cmd[--cmd_len] = '\0';
    for (size_t i = 0; i < cmd_len; i++)
        if (!cmd[i])
            cmd[i] = ' ';
    (void)clk;
    (void)page;
    pk_free(p->cmdline);
    pk_free(p->exe);
    p->cmdline = cmd;
    p->exe = exe;
    p->info.pid = pid;
    p->info.ppid = ppid;
    p->info.cmdline = cmd;
    p->info.exe = exe;
    return RD_OK;
}

static int rec_stack(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t id, n;
    FIELD(&id);
    FIELD(&n);
    if (id != p->n_stacks) {
        *e = bad(r, start, "stack id %" PRIu64 " out of order (expected %zu)", id, p->n_stacks);
        return RD_BAD;
    }
    if (n > MAX_FRAMES) {
        *e = bad(r, start, "stack %" PRIu64 " has %" PRIu64 " frames (at most %d)", id, n,
                 MAX_FRAMES);
        return RD_BAD;
    }
    uint64_t frames[MAX_FRAMES], prev = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t z;
        FIELD(&z);
        prev += (z >> 1) ^ (0 - (z & 1));
        frames[i] = prev;
    }
    if ((*e = stack_room(p)) != PK_OK)
        return RD_BAD;
    uint64_t *copy = n ? pk_malloc((size_t)n * sizeof *copy) : NULL;
    if (n && !copy) {
        *e = PK_ENOMEM;
        return RD_BAD;
    }
    if (n)
        memcpy(copy, frames, (size_t)n * sizeof *copy);
    p->stacks[p->n_stacks++] = (pk__mem_stack){copy, (uint32_t)n};
    return RD_OK;
}

static int rec_maps(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    char *text = NULL;
    TEXT(MAX_TEXT, &text);
    if (PK__PUSH_ROOM(p->snaps, p->n_snaps, p->cap_snaps) != PK_OK) {
        pk_free(text);
        *e = PK_ENOMEM;
        return RD_BAD;
    }
    p->snaps[p->n_snaps++] = (pk__mem_snap){text, NULL};
    return RD_OK;
}

static int rec_thread(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t tid;
    char *name = NULL;
    FIELD(&tid);
    TEXT(4096, &name);
    pk_free(name);
    if (tid > UINT32_MAX) {
        *e = bad(r, start, "record 'T': thread id %" PRIu64 " out of range", tid);
        return RD_BAD;
    }
    bool added;
    p->thr = NULL;
    if (!pk__mem_table_put(&p->threads, tid + 1, &added)) {
        *e = PK_ENOMEM;
        return RD_BAD;
    }
    p->cur_tid = tid;
    return RD_OK;
}

/* v2: 'C' the clock moved on; 'W' the thread of the next events. */
static int rec_state(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t v;
    FIELD(&v);
    if (type == 'C') {
        p->now += v;
        return RD_OK;
    }
    if (v > UINT32_MAX) {
        *e = bad(r, start, "record 'W': thread id %" PRIu64 " out of range", v);
        return RD_BAD;
    }
    p->cur_tid = v;
    return RD_OK;
}

/* Version 2's events: 'A' ptr sv, size, stack; 'F' ptr sv; 'K' child;
 * 'E' reason, sig — at the time of the last 'C', of the current thread. */
static int rec_event2(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t z, x = 0, y = 0;
    FIELD(&z);
    if (type == 'A' || type == 'E') {
        FIELD(&x);
        if (type == 'A')
            FIELD(&y);
    }
    if (type == 'K') {
        p->info.forks++;
        return RD_OK;
    }
    if (type == 'E') {
        p->info.end_reason = (int)(z > 3 ? 3 : z);
        p->info.end_signal = (int)(x > 255 ? 0 : x);
        return RD_OK;
    }
    uint64_t ptr = p->prev_ptr + ((z >> 1) ^ (0 - (z & 1)));
    p->prev_ptr = ptr;
    if (type == 'A' && y >= p->n_stacks) {
        *e = bad(r, start, "stack %" PRIu64 " used before its record", y);
        return RD_BAD;
    }
    bool unknown;
    *e = type == 'A' ? do_alloc(p, p->cur_tid, ptr, x, (uint32_t)y)
                     : do_free(p, p->cur_tid, ptr, &unknown);
    return *e ? RD_BAD : RD_OK;
}

static int rec_event(pk_mem_profile *p, rd *r, uint64_t start, int type, pk_err *e)
{
    uint64_t dt, tid, ptr, size = 0, stack = 0, x = 0;
    FIELD(&dt);
    if (type == 'K' || type == 'E') {
        FIELD(&x);
        if (type == 'E')
            FIELD(&size);
    } else {
        FIELD(&tid);
        FIELD(&ptr);
        if (type == 'A') {
            FIELD(&size);
            FIELD(&stack);
        }
    }
    p->now += dt;
    if (type == 'K') {
        p->info.forks++;
        return RD_OK;
    }
    if (type == 'E') {
        p->info.end_reason = (int)(x > 3 ? 3 : x);
        p->info.end_signal = (int)(size > 255 ? 0 : size);
        return RD_OK;
    }
    if (tid > UINT32_MAX) {
        *e = bad(r, start, "record '%c': thread id %" PRIu64 " out of range", type, tid);
        return RD_BAD;
    }
    if (type == 'A' && stack >= p->n_stacks) {
        *e = bad(r, start, "stack %" PRIu64 " used before its record", stack);
        return RD_BAD;
    }
    bool unknown;
    *e = type == 'A' ? do_alloc(p, tid, ptr, size, (uint32_t)stack) : do_free(p, tid, ptr, &unknown);
    return *e ? RD_BAD : RD_OK;
}

/* The stream's read failed at start: a compressed file cut short is a
 * truncated file (everything before the cut was read), else an error. */
static pk_err read_failed(pk_mem_profile *p, rd *r, uint64_t start)
{
    int err = errno;
    pk_err e;
    const pk_diag *why = r->in ? pk_input_error(r->in, &e) : NULL;
    if (r->in && pk_input_truncated(r->in)) {
        p->info.truncated = true;
        return PK_OK;
    }
    if (why)
        return bad(r, start, "%s", why->message);
    return bad(r, start, "read error: %s", strerror(err));
}

/* Read the header and every record; the analysis is complete after. */
static pk_err read_all(pk_mem_profile *p, rd *r)
{
    unsigned char h[16];
    if (rd_bytes(r, h, sizeof h) != RD_OK) {
        if (r->io_error && r->in && pk_input_truncated(r->in))
            return bad(r, 0, "the compressed file ends before its first whole block of events");
        return r->io_error ? read_failed(p, r, 0)
                           : bad(r, 0, "too short for an event file (%" PRIu64 " bytes)", rd_off(r));
    }
    if (memcmp(h, "PKMEM\0", 6) != 0)
        return bad(r, 0, "not a perfkit mem event file (no PKMEM magic)");
    unsigned version = h[6] | (unsigned)h[7] << 8;
    if (version != 1 && version != 2)
        return bad(r, 6, "format version %u; this perfkit reads versions 1 and 2", version);
    p->version = version;
    p->info.flags = h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
    /* stack id 0: no stack */
    if (stack_room(p) != PK_OK)
        return PK_ENOMEM;
    p->stacks[p->n_stacks++] = (pk__mem_stack){NULL, 0};
    for (;;) {
        uint64_t start = rd_off(r);
        int type = rd_byte(r);
        if (type < 0) {
            if (r->io_error)
                return read_failed(p, r, start);
            p->info.truncated = p->info.end_reason < 0;
            return PK_OK;
        }
        pk_err e = PK_OK;
        int s;
        if (p->info.end_reason >= 0)
            p->info.end_reason = -1;   /* an exec that failed goes on after 'E' */
        switch (type) {
        case 'I': s = rec_info(p, r, start, type, &e); break;
        case 'M': s = rec_maps(p, r, start, type, &e); break;
        case 'S': s = rec_stack(p, r, start, type, &e); break;
        case 'T': s = rec_thread(p, r, start, type, &e); break;
        case 'A': case 'F': case 'K': case 'E':
            s = p->version == 1 ? rec_event(p, r, start, type, &e)
                                : rec_event2(p, r, start, type, &e);
            break;
        case 'C': case 'W':
            s = p->version == 1 ? (e = bad(r, start, "unknown record type 0x%02x", (unsigned)type), RD_BAD)
                                : rec_state(p, r, start, type, &e);
            break;
        default:
            return bad(r, start, "unknown record type 0x%02x", (unsigned)type);
        }
        if (s == RD_BAD)
            return e ? e : bad(r, start, "bad record '%c'", type);
        if (s == RD_EOF) {
            if (r->io_error)
                return read_failed(p, r, start);
            p->info.truncated = true;   /* cut inside this record */
            return PK_OK;
        }
    }
}

/* The sites, the leaks, the peak figures and the timeline points. */
static pk_err finish(pk_mem_profile *p)
{
    p->tot.leaked_bytes = p->heap;
    p->tot.leaked_blocks = p->live.n;
    p->tot.duration_ns = p->now;
    p->tot.stacks = p->n_stacks ? p->n_stacks - 1 : 0;
    p->tot.threads = p->threads.n;
    size_t n = 0;
    for (size_t i = 0; i < p->n_stacks; i++)
        n += p->stats[i].allocs > 0;
    p->sites = pk_calloc(n ? n : 1, sizeof *p->sites);
    if (!p->sites)
        return PK_ENOMEM;
    for (size_t i = 0; i < p->n_stacks; i++) {
        pk__mem_stat *s = &p->stats[i];
        if (!s->allocs)
            continue;
        p->sites[p->n_sites++] = (pk_mem_site){
            .stack = (uint32_t)i, .allocs = s->allocs, .alloc_bytes = s->bytes,
            .peak_bytes = s->gen == p->gen ? s->peak_bytes : s->cur_bytes,
            .leaked_bytes = s->cur_bytes, .leaked_blocks = s->cur_blocks,
            .temporary = s->temporary};
    }
    uint64_t carry = 0;
    for (size_t i = 0; i < p->n_buckets; i++) {
        pk__mem_bucket *b = &p->buckets[i];
        p->points[p->n_points++] = (pk_mem_point){i * p->bucket_ns, b->set ? b->max : carry};
        if (b->set)
            carry = b->last;
    }
    return PK_OK;
}

static pk_err mem_read(FILE *f, pk_input *in, const char *name, pk_mem_profile **out,
                       pk_diag *d)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (!f)
        return PK_EINVAL;
    rd *r = pk_calloc(1, sizeof *r);
    pk_mem_profile *p = pk__mem_profile_new();
    pk_err e = r && p ? PK_OK : PK_ENOMEM;
    if (!e) {
        *r = (rd){.f = f, .in = in, .name = name ? name : "<input>", .d = d};
        e = read_all(p, r);
    }
    if (!e)
        e = finish(p);
    pk_free(r);
    if (e) {
        if (e == PK_ENOMEM)
            pk_diag_set(d, name ? name : "<input>", 0, 0, "out of memory");
        pk_mem_free(p);
        return e;
    }
    /* the live set and the threads are not needed any more */
    pk__mem_table_free(&p->live);
    pk__mem_table_free(&p->threads);
    *out = p;
    return PK_OK;
}

pk_err pk_mem_read(FILE *f, const char *name, pk_mem_profile **out, pk_diag *d)
{
    return mem_read(f, NULL, name, out, d);
}

pk_err pk_mem_load(const char *path, pk_mem_profile **out, pk_diag *d)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (!path)
        return PK_EINVAL;
    pk_input *in;
    pk_err e = pk_input_open(path, &in, d);
    if (e)
        return e == PK_ENOENT || e == PK_ENOMEM || e == PK_EINVAL ? e : PK_EIO;
    e = mem_read(pk_input_stream(in), in, path, out, d);
    pk_input_close(in);
    return e;
}

void pk_mem_free(pk_mem_profile *p)
{
    if (!p)
        return;
    pk__mem_names_free(p);
    for (size_t i = 0; i < p->n_stacks; i++)
        pk_free(p->stacks[i].frames);
    pk_free(p->stacks);
    pk_free(p->stats);
    for (size_t i = 0; i < p->n_snaps; i++)
        pk_free(p->snaps[i].maps);
    pk_free(p->snaps);
    pk__mem_table_free(&p->live);
    pk__mem_table_free(&p->threads);
    pk_free(p->sites);
    pk_free(p->cmdline);
    pk_free(p->exe);
    pk_free(p);
}

const pk_mem_info *pk_mem_get_info(const pk_mem_profile *p)
{
    return &p->info;
}

const pk_mem_totals *pk_mem_get_totals(const pk_mem_profile *p)
{
    return &p->tot;
}

size_t pk_mem_site_count(const pk_mem_profile *p)
{
    return p->n_sites;
}

const pk_mem_site *pk_mem_site_get(const pk_mem_profile *p, size_t i)
{
    return i < p->n_sites ? &p->sites[i] : NULL;
}

const pk_mem_point *pk_mem_timeline(const pk_mem_profile *p, size_t *n)
{
    *n = p->n_points;
    return p->points;
}
