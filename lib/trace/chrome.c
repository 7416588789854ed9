/* chrome.c — pk_trace_write_chrome: the Chrome Trace Event format (JSON
 * object form), as read by Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * Spans are "B"/"E" pairs, already matched and properly nested per tid by the
 * walker; instants are "i" with thread scope, counters "C"; "M" events name
 * the process and the threads. ts is µs with ns precision (3 decimals).
 * Names are escaped by hand: '"', '\\' and control characters; invalid UTF-8
 * bytes become U+FFFD so strict parsers accept the file.
 * Spec: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU */
#include "trace_int.h"

#include <inttypes.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

typedef struct chrome {
    FILE *f;
    int pid, tid;
    unsigned long n;      /* events written: comma placement */
} chrome;

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    unsigned cp = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void put_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)pk__trace_name(s);
    fputc('"', f);
    while (*p) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', f);
            fputc(*p++, f);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

static void ev_head(chrome *c, const char *ph, const char *name, uint64_t ns)
{
    FILE *f = c->f;
    fputs(c->n++ ? ",\n" : "\n", f);
    fprintf(f, "{\"ph\":\"%s\",\"pid\":%d,\"tid\":%d,\"ts\":%" PRIu64 ".%03u,\"name\":",
            ph, c->pid, c->tid, ns / 1000, (unsigned)(ns % 1000));
    put_str(f, name);
}

static pk_err on_thread(void *ud, int tid, const char *name)
{
    chrome *c = ud;
    c->tid = tid;
    FILE *f = c->f;
    fputs(c->n++ ? ",\n" : "\n", f);
    fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":",
            c->pid, tid);
    put_str(f, name[0] ? name : "thread");
    fputs("}}", f);
    return ferror(f) ? PK_EIO : PK_OK;
}

static pk_err on_begin(void *ud, const char *name, uint64_t ns, unsigned depth)
{
    chrome *c = ud;
    (void)depth;
    ev_head(c, "B", name, ns);
    fputc('}', c->f);
    return PK_OK;
}

static pk_err on_end(void *ud, const char *name, uint64_t ns, unsigned depth, int how)
{
    chrome *c = ud;
    (void)depth;
    ev_head(c, "E", name, ns);
    if (how)
        fprintf(c->f, ",\"args\":{\"perfkit\":\"%s\"}",
                how == 1 ? "open at export" : "truncated");
    fputc('}', c->f);
    return ferror(c->f) ? PK_EIO : PK_OK;
}

static pk_err on_instant(void *ud, const char *name, uint64_t ns)
{
    chrome *c = ud;
    ev_head(c, "i", name, ns);
    fputs(",\"s\":\"t\"}", c->f);
    return PK_OK;
}

static pk_err on_counter(void *ud, const char *name, uint64_t ns, double value)
{
    chrome *c = ud;
    ev_head(c, "C", name, ns);
    if (value != value || value - value != 0) /* NaN, inf: not JSON */
        value = 0;
    fprintf(c->f, ",\"args\":{\"value\":%.17g}}", value);
    return PK_OK;
}

pk_err pk_trace_write_chrome(FILE *f)
{
    if (!f)
        return PK_EINVAL;
    chrome c = { .f = f };
    pk__trace_visitor v = { &c, on_thread, on_begin, on_end, on_instant, on_counter };
    pk__trace_totals tot;
    fputs("{\"schema\":\"perfkit/trace/v1\",\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
    c.pid = (int)getpid();
    pk_err e = pk__trace_walk(&v, &tot);
    if (e != PK_OK)
        return e;
    fputs(c.n ? ",\n" : "\n", f);
    fputs("{\"ph\":\"M\",\"pid\":", f);
    fprintf(f, "%d,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":", c.pid);
    put_str(f, program_invocation_short_name);
    fputs("}}\n],\n", f);
    fprintf(f, "\"otherData\":{\"dropped_events\":%" PRIu64 ",\"threads\":%zu,\"events\":%" PRIu64
               ",\"clock\":\"%s\"}}\n",
            tot.dropped, tot.threads, tot.events, pk_trace_clock_name());
    if (fflush(f) != 0 || ferror(f))
        return PK_EIO;
    return PK_OK;
}
