/* mem_writer.h — a test writer of perfkit mem event files (header-only),
 * encoding records exactly as docs/mem.md "File format" (version 2) says,
 * so the reader is tested without the interposer. The calls keep the
 * events' times and threads; the writer turns them into what version 2
 * has: a 'C' before an event with dt > 0, a 'W' when the thread changes
 * (a 'T' makes its thread the current one), pointer deltas.
 *
 *   mw w; mw_open(&w);                 a memory stream, header written
 *   mw_info(&w, pid, "exe", "/bin/exe"); mw_stack(&w, 1, frames, n);
 *   mw_alloc(&w, dt, tid, ptr, size, stack); mw_free(&w, dt, tid, ptr);
 *   mw_end(&w, 0, 0);
 *   FILE *f = mw_file(&w);             the bytes, readable (fmemopen)
 *   mw_close(&w);
 * Raw bytes for broken files: mw_byte, mw_uv. */
#ifndef PK_TEST_MEM_WRITER_H
#define PK_TEST_MEM_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mw {
    char *buf;
    size_t len;
    FILE *w, *r;
    uint64_t tid, ptr;     /* the current thread, the previous pointer */
} mw;

static inline void mw_byte(mw *m, int b) { fputc(b, m->w); }

static inline void mw_uv(mw *m, uint64_t v)
{
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        mw_byte(m, v ? b | 0x80 : b);
    } while (v);
}

static inline void mw_sv(mw *m, int64_t v)
{
    mw_uv(m, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void mw_text(mw *m, const char *s, size_t n)
{
    mw_uv(m, n);
    fwrite(s, 1, n, m->w);
}

static inline void mw_header(mw *m, unsigned version, uint32_t flags)
{
    fwrite("PKMEM\0", 1, 6, m->w);
    mw_byte(m, (int)(version & 0xff));
    mw_byte(m, (int)(version >> 8));
    for (int i = 0; i < 4; i++)
        mw_byte(m, (int)((flags >> (8 * i)) & 0xff));
    for (int i = 0; i < 4; i++)
        mw_byte(m, 0);
}

static inline void mw_open_raw(mw *m)
{
    memset(m, 0, sizeof *m);
    m->w = open_memstream(&m->buf, &m->len);
}

static inline void mw_open(mw *m)
{
    mw_open_raw(m);
    mw_header(m, 2, 1);
}

static inline void mw_info(mw *m, uint64_t pid, const char *argv0, const char *exe)
{
    mw_byte(m, 'I');
    mw_uv(m, pid);
    mw_uv(m, 1);
    mw_uv(m, 123456789);
    mw_uv(m, 4096);
    mw_text(m, argv0, strlen(argv0) + 1);   /* argv joined by NUL, NUL-ended */
    mw_text(m, exe, strlen(exe));
}

static inline void mw_maps(mw *m, const char *text)
{
    mw_byte(m, 'M');
    mw_text(m, text, strlen(text));
}

static inline void mw_stack(mw *m, uint64_t id, const uint64_t *frames, size_t n)
{
    mw_byte(m, 'S');
    mw_uv(m, id);
    mw_uv(m, n);
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        mw_sv(m, (int64_t)(frames[i] - prev));
        prev = frames[i];
    }
}

static inline void mw_thread(mw *m, uint64_t tid, const char *name)
{
    mw_byte(m, 'T');
    mw_uv(m, tid);
    mw_text(m, name, strlen(name));
    m->tid = tid;
}

/* What comes before an event: the clock ('C'), the thread ('W'). */
static inline void mw_pre(mw *m, uint64_t dt, uint64_t tid)
{
    if (dt) {
        mw_byte(m, 'C');
        mw_uv(m, dt);
    }
    if (tid != m->tid) {
        mw_byte(m, 'W');
        mw_uv(m, tid);
        m->tid = tid;
    }
}

static inline void mw_ptr(mw *m, uint64_t ptr)
{
    mw_sv(m, (int64_t)(ptr - m->ptr));
    m->ptr = ptr;
}

static inline void mw_alloc(mw *m, uint64_t dt, uint64_t tid, uint64_t ptr, uint64_t size,
                            uint64_t stack)
{
    mw_pre(m, dt, tid);
    mw_byte(m, 'A');
    mw_ptr(m, ptr);
    mw_uv(m, size);
    mw_uv(m, stack);
}

static inline void mw_free(mw *m, uint64_t dt, uint64_t tid, uint64_t ptr)
{
    mw_pre(m, dt, tid);
    mw_byte(m, 'F');
    mw_ptr(m, ptr);
}

/* realloc(p, n) that moves or resizes: 'F' of p, then 'A' of q (dt 0). */
static inline void mw_realloc(mw *m, uint64_t dt, uint64_t tid, uint64_t p, uint64_t q,
                              uint64_t n, uint64_t stack)
{
    mw_free(m, dt, tid, p);
    mw_alloc(m, 0, tid, q, n, stack);
}

static inline void mw_fork(mw *m, uint64_t dt, uint64_t child)
{
    mw_pre(m, dt, m->tid);
    mw_byte(m, 'K');
    mw_uv(m, child);
}

static inline void mw_end(mw *m, uint64_t reason, uint64_t sig)
{
    mw_byte(m, 'E');
    mw_uv(m, reason);
    mw_uv(m, sig);
}

/* The bytes so far (keep: the first keep bytes only; 0: all) as a stream. */
static inline FILE *mw_file_cut(mw *m, size_t keep)
{
    fflush(m->w);
    if (m->r)
        fclose(m->r);
    size_t n = keep && keep < m->len ? keep : m->len;
    m->r = fmemopen(m->buf, n ? n : 1, "rb");
    if (!n)
        fgetc(m->r);   /* an empty file */
    return m->r;
}

static inline FILE *mw_file(mw *m) { return mw_file_cut(m, 0); }

/* Write the bytes to path (for the CLI-style tests). */
static inline void mw_save(mw *m, const char *path)
{
    fflush(m->w);
    FILE *f = fopen(path, "wb");
    fwrite(m->buf, 1, m->len, f);
    fclose(f);
}

static inline void mw_close(mw *m)
{
    if (m->r)
        fclose(m->r);
    fclose(m->w);
    free(m->buf);
}

#endif
