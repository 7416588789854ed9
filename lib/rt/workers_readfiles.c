/* rt/workers_readfiles.c — read N files on a worker pool, bounded
 * concurrency, results in input order.
 *
 * K = min(max_inflight, n) reader tasks (one allocation for the call) each
 * take the next index from a shared atomic counter and read that file into
 * its own out[i] slot, so at most K reads are in flight and out keeps the
 * input order whatever order the reads finish in. Each file: open, fstat,
 * one buffer of its size (+1 for the NUL), read until end of file (a file
 * that grows meanwhile is followed up to max_bytes). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "rt/workers_int.h"

typedef struct rf_ctx {
    const char *const *paths;
    size_t n, max_bytes;
    pk_read_result *out;
    _Atomic size_t next;
} rf_ctx;

typedef struct rf_task {
    pk_task task;
    rf_ctx *c;
} rf_task;

static pk_err from_errno(int e)
{
    if (e == ENOENT || e == ENOTDIR)
        return PK_ENOENT;
    if (e == EACCES || e == EPERM)
        return PK_EPERM;
    if (e == ENOMEM)
        return PK_ENOMEM;
    return PK_EIO;
}

static void fail(pk_read_result *r, pk_err e, int err)
{
    pk_free(r->data);
    r->data = NULL;
    r->len = 0;
    r->err = e;
    r->sys_errno = err;
}

static void read_one(const char *path, size_t max_bytes, pk_read_result *r)
{
    memset(r, 0, sizeof *r);
    if (max_bytes >= SIZE_MAX - 1)
        max_bytes = 0;   /* no file is that long; max_bytes + 1 must not wrap to 0 */
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused below as not a regular file); regular files ignore it */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        fail(r, from_errno(errno), errno);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail(r, from_errno(errno), errno);
        close(fd);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(r, PK_EIO, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
        close(fd);
        return;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    if (max_bytes && cap > max_bytes + 1)
        cap = max_bytes + 1;
    char *buf = pk_malloc(cap + 1);
    if (!buf) {
        fail(r, PK_ENOMEM, 0);
        close(fd);
        return;
    }
    r->data = buf;
    for (;;) {
        if (len == cap) {   /* grew since fstat */
            if (max_bytes && len > max_bytes)
                break;
            size_t ncap = cap * 2;
            if (max_bytes && ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            char *nb = pk_realloc(r->data, ncap + 1);
            if (!nb) {
                fail(r, PK_ENOMEM, 0);
                close(fd);
                return;
            }
            r->data = nb;
            cap = ncap;
        }
        ssize_t k = read(fd, r->data + len, cap - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int err = errno;
            fail(r, PK_EIO, err);
            close(fd);
            return;
        }
        if (k == 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    if (max_bytes && len > max_bytes) {
        fail(r, PK_ERANGE, 0);
        return;
    }
    r->data[len] = 0;
    r->len = len;
}

static void reader(pk_task *t)
{
    rf_ctx *c = PK_TASK_OWNER(t, rf_task, task)->c;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&c->next, 1, memory_order_relaxed);
        if (i >= c->n)
            return;
        read_one(c->paths[i], c->max_bytes, &c->out[i]);
    }
}

pk_err pk_workers_read_files(pk_workers *w, const char *const *paths, size_t n,
                             size_t max_inflight, size_t max_bytes, pk_read_result *out)
{
    if (!w || (n && (!paths || !out)))
        return PK_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!paths[i])
            return PK_EINVAL;
    if (!n)
        return PK_OK;
    size_t k = max_inflight ? max_inflight : w->o.max_threads;
    if (k > n)
        k = n;
    rf_task *ts = pk_calloc(k, sizeof *ts);
    if (!ts)
        return PK_ENOMEM;
    rf_ctx c = {.paths = paths, .n = n, .max_bytes = max_bytes, .out = out};
    atomic_init(&c.next, 0);
    pk_workers_group g;
    pk_workers_group_init(&g);
    for (size_t i = 0; i < k; i++) {
        pk_task_init(&ts[i].task, reader);
        ts[i].c = &c;
        pk_workers_submit(w, &g, &ts[i].task);
    }
    pk_workers_wait_all(w, &g);
    pk_free(ts);
    return PK_OK;
}

void pk_workers_read_results_free(pk_read_result *out, size_t n)
{
    for (size_t i = 0; out && i < n; i++) {
        pk_free(out[i].data);
        out[i].data = NULL;
    }
}
