/* tee.c — the interposer's event stream as the program runs: read from the
 * socket perfkit mem gave it (PERFKIT_MEM_FD), handed to the reader as a
 * stdio stream and, on the way, written zstd-compressed to the output file.
 *
 * Design: one thread, no copy beyond the reader's own buffer. The stream is
 * a glibc fopencookie FILE whose read takes what the socket holds (non-
 * blocking; ppoll on the socket and the cancel eventfd when it is empty),
 * feeds it to ZSTD_compressStream2 (level 1: the compressor keeps up with
 * the socket with room to spare) and returns it. The end is the socket's
 * end of file — or, should a process the interposer did not reach keep the
 * socket open, the child's exit (waitid WNOWAIT every 100 ms while idle:
 * the child stays for pk__proc_reap) followed by what is left to read. A
 * cancel request ends the stream early; pk__mem_tee_finish reads the rest
 * (so a program never stays blocked on a full socket) and ends the zstd
 * frame. The program is backpressured by a slow reader, never stopped.
 * References: zstd.h (streaming compression), RFC 8878. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "core/proc.h"
#include "mem_int.h"
#include "perfkit/alloc.h"

#define TEE_LEVEL 1
#define TEE_IDLE_MS 100

struct pk__mem_tee {
    int fd;                 /* our end of the socket, non-blocking */
    pid_t child;
    bool child_gone;        /* exited: read what is left, then the end */
    bool eof, cancelled;
    bool draining;          /* finish: cancel requests no longer end the stream */
    int out;                /* the output file, -1: none */
    ZSTD_CCtx *z;
    unsigned char *zbuf;
    size_t zcap;
    int werr;               /* errno of the first failed write (0: none) */
    uint64_t in_bytes, out_bytes;
    FILE *stream;
};

static void put_out(pk__mem_tee *t, const unsigned char *p, size_t n)
{
    while (n && !t->werr) {
        ssize_t w = write(t->out, p, n);
        if (w < 0) {
            if (errno != EINTR)
                t->werr = errno;
            continue;
        }
        p += w;
        n -= (size_t)w;
        t->out_bytes += (uint64_t)w;
    }
}

/* Compress n bytes (mode ZSTD_e_continue) or end the frame (ZSTD_e_end). */
static void compress(pk__mem_tee *t, const void *src, size_t n, ZSTD_EndDirective mode)
{
    if (t->out < 0 || t->werr)
        return;
    ZSTD_inBuffer in = {src, n, 0};
    for (;;) {
        ZSTD_outBuffer o = {t->zbuf, t->zcap, 0};
        size_t r = ZSTD_compressStream2(t->z, &o, &in, mode);
        if (ZSTD_isError(r)) {
            t->werr = EIO;
            return;
        }
        put_out(t, t->zbuf, o.pos);
        if (mode == ZSTD_e_continue ? in.pos == in.size : r == 0)
            return;
    }
}

/* The child has exited (not reaped: WNOWAIT). */
static bool child_exited(pk__mem_tee *t)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)t->child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == t->child;
}

static ssize_t tee_read(void *cookie, char *buf, size_t size)
{
    pk__mem_tee *t = cookie;
    while (!t->eof) {
        ssize_t n = read(t->fd, buf, size);
        if (n > 0) {
            /* a block boundary every 1 MiB of events: should perfkit itself
             * be killed, its file reads up to the last one */
            bool flush = (t->in_bytes >> 20) != ((t->in_bytes + (uint64_t)n) >> 20);
            t->in_bytes += (uint64_t)n;
            compress(t, buf, (size_t)n, flush ? ZSTD_e_flush : ZSTD_e_continue);
            return n;
        }
        if (n == 0) {
            t->eof = true;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            t->eof = true;
            return -1;   /* errno says why */
        }
        if (t->child_gone) {
            t->eof = true;
            break;
        }
        struct pollfd pf[2] = {{.fd = t->fd, .events = POLLIN},
                               {.fd = t->draining ? -1 : pk__cancel_fd(), .events = POLLIN}};
        int r = poll(pf, pf[1].fd >= 0 ? 2 : 1, TEE_IDLE_MS);
        if (r > 0 && pf[1].fd >= 0 && (pf[1].revents & POLLIN)) {
            t->cancelled = true;
            return 0;   /* the end for the reader; finish drains the rest */
        }
        if (r == 0 && child_exited(t))
            t->child_gone = true;   /* one more read takes what is left */
    }
    return 0;
}

pk_err pk__mem_tee_open(int fd, pid_t child, int out, pk__mem_tee **tp)
{
    *tp = NULL;
    pk__mem_tee *t = pk_calloc(1, sizeof *t);
    if (!t)
        return PK_ENOMEM;
    *t = (pk__mem_tee){.fd = fd, .child = child, .out = out};
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    if (out >= 0) {
        t->z = ZSTD_createCCtx();
        t->zcap = ZSTD_CStreamOutSize();
        t->zbuf = pk_malloc(t->zcap);
        if (!t->z || !t->zbuf ||
            ZSTD_isError(ZSTD_CCtx_setParameter(t->z, ZSTD_c_compressionLevel, TEE_LEVEL))) {
            pk__mem_tee_free(t);
            return PK_ENOMEM;
        }
    }
    static const cookie_io_functions_t fns = {.read = tee_read};
    t->stream = fopencookie(t, "r", fns);
    if (!t->stream) {
        pk__mem_tee_free(t);
        return PK_ENOMEM;
    }
    *tp = t;
    return PK_OK;
}

FILE *pk__mem_tee_stream(pk__mem_tee *t)
{
    return t->stream;
}

bool pk__mem_tee_cancelled(const pk__mem_tee *t)
{
    return t->cancelled;
}

int pk__mem_tee_finish(pk__mem_tee *t, uint64_t *received)
{
    char scratch[16384];
    t->draining = true;
    while (tee_read(t, scratch, sizeof scratch) > 0)
        ;
    if (t->out >= 0)
        compress(t, NULL, 0, ZSTD_e_end);
    *received = t->in_bytes;
    return t->werr;
}

void pk__mem_tee_free(pk__mem_tee *t)
{
    if (!t)
        return;
    if (t->stream)
        fclose(t->stream);
    ZSTD_freeCCtx(t->z);
    pk_free(t->zbuf);
    pk_free(t);
}
