/* stream.c — the event stream of libperfkit-mem.so (format: docs/mem.md
 * "File format", version 2: compact).
 *
 * Design: every record is encoded straight into one buffer (PK__MI_BUF_BYTES,
 * mmap'd) under one mutex, and the buffer goes out with write(2) when the
 * next record might not fit: the order in the file is the order under the
 * lock, which is the true order of allocations and frees across threads
 * (a free is recorded before the memory goes back to libc, an allocation
 * after it came out). `len` only moves past a record once it is complete,
 * so a crash mid-record flushes whole records only. Stacks are walked
 * outside the lock (frame pointers, bounded by the thread's stack) and
 * deduplicated under it in an open-addressing table of mmap'd memory; a new
 * stack emits its 'S' record once, before the event that uses it. Events
 * carry no time and no thread: a 'C' record when the clock moved on by
 * 1 ms (or 4096 events went by), a 'W' when the writing thread changes;
 * pointers are deltas from the previous one. The output is a file or a
 * stream socket to perfkit (send MSG_NOSIGNAL: a reader gone stops the
 * recording, never the program). Nothing here calls malloc or stdio. */
#include "interpose.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

pk__mi_state pk__mi = {.fd = -1, .depth = 64, .gen = 1, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Per thread: its tid (gettid once), the top of its stack (bounds the frame
 * walk), and the generation it announced itself in ('T'). */
typedef struct pk__mi_thread {
    pid_t tid;
    unsigned gen;
    uintptr_t stack_hi;
    uint64_t coarse;        /* CLOCK_MONOTONIC_COARSE at the last precise read */
    unsigned since_read;    /* events since */
} pk__mi_thread;
static __thread pk__mi_thread self PK__MI_TLS;

extern void *__libc_stack_end;

/* ---- memory and I/O without malloc ------------------------------------ */

static void *map_bytes(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Grows *p (an mmap of *cap bytes) to at least want bytes; 0 on success. */
static int grow(void **p, size_t *cap, size_t want)
{
    size_t n = *cap ? *cap : 4096;
    while (n < want)
        n *= 2;
    if (n == *cap)
        return 0;
    void *q = *p ? mremap(*p, *cap, n, MREMAP_MAYMOVE) : mmap(NULL, n, PROT_READ | PROT_WRITE,
                                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* write(2) that never raises SIGPIPE: send MSG_NOSIGNAL on a socket; on a
 * pipe SIGPIPE is blocked around the write and, when the write raised it,
 * taken back (sigtimedwait). A reader gone is EPIPE, nothing else. */
static ssize_t out_write(int fd, const void *s, size_t n)
{
    if (pk__mi.sock == PK__MI_OUT_SOCKET)
        return send(fd, s, n, MSG_NOSIGNAL);
    if (pk__mi.sock != PK__MI_OUT_PIPE)
        return write(fd, s, n);
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int was = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    ssize_t w = write(fd, s, n);
    int e = errno;
    if (w < 0 && e == EPIPE && !was) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = out_write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads a whole small file (/proc) into *buf (mmap'd, grown as needed);
 * returns its length, or 0 when it cannot be read. */
static size_t slurp(const char *path, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t len = 0;
    for (;;) {
        if (len + 4096 > *cap && grow((void **)buf, cap, len + 4096) != 0)
            break;
        ssize_t r = read(fd, *buf + len, *cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    return len;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An event's time, or 0: "no newer than the stream's clock". The precise
 * clock costs ~50 ns a call on some machines (a VM's TSC; most of the
 * recorder's time): it is read when the coarse one (~14 ns, the kernel's
 * tick) moved or every 16th event of a thread. So an event's time is at
 * most 16 events or one tick (1-4 ms) behind, and in a busy stream the
 * 'C' records keep 1 ms. */
#define CLOCK_READ_EVERY 16u

static inline uint64_t event_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    uint64_t c = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (c != self.coarse || ++self.since_read >= CLOCK_READ_EVERY) {
        self.coarse = c;
        self.since_read = 0;
        return now_ns();
    }
    return 0;
}

/* ---- encoding ----------------------------------------------------------- */

static inline unsigned char *put_uv(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static inline unsigned char *put_sv(unsigned char *p, int64_t v)
{
    return put_uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline unsigned char *put_bytes(unsigned char *p, const void *s, size_t n)
{
    p = put_uv(p, n);
    memcpy(p, s, n);
    return p + n;
}

/* A write failed (the disk is full, perfkit is gone: EPIPE): recording
 * stops for good, silently; the program goes on. */
static void write_failed(void)
{
    pk__mi.failed = 1;
    __atomic_store_n(&pk__mi.on, 0, __ATOMIC_RELAXED);
}

void pk__mi_stream_flush(void)
{
    if (pk__mi.len == 0)
        return;
    if (!pk__mi.failed && write_all(pk__mi.fd, pk__mi.buf, pk__mi.len) != 0)
        write_failed();
    if (!pk__mi.failed)
        pk__mi.written += pk__mi.len;
    pk__mi.len = 0;
}

/* Room for need more bytes at pk__mi.buf + pk__mi.len. */
static inline unsigned char *reserve(size_t need)
{
    if (PK__MI_UNLIKELY(pk__mi.cap - pk__mi.len < need))
        pk__mi_stream_flush();
    return pk__mi.buf + pk__mi.len;
}

static inline void commit(unsigned char *end)
{
    pk__mi.len = (size_t)(end - pk__mi.buf);
}

/* 'C' (the clock moved on to t) before an event, when 1 ms has passed
 * since the last one, or 4096 events went by and it moved at all; always
 * (when it moved) before 'K' and 'E'. The clock never runs backwards in the
 * file, even when a thread read it before another one took the lock. */
#define CLOCK_STEP_NS 1000000u
#define CLOCK_EVENTS  4096u

static inline unsigned char *put_clock(unsigned char *p, uint64_t t, int always)
{
    if (t <= pk__mi.clock_ns)
        return p;
    if (!always && t - pk__mi.clock_ns < CLOCK_STEP_NS && pk__mi.since_clock < CLOCK_EVENTS)
        return p;
    *p++ = 'C';
    p = put_uv(p, t - pk__mi.clock_ns);
    pk__mi.clock_ns = t;
    pk__mi.since_clock = 0;
    return p;
}

/* A pointer as the zigzag delta from the previous one. */
static inline unsigned char *put_ptr(unsigned char *p, uintptr_t ptr)
{
    p = put_sv(p, (int64_t)((uint64_t)ptr - pk__mi.prev_ptr));
    pk__mi.prev_ptr = ptr;
    return p;
}

static inline void lock(void)
{
    pthread_mutex_lock(&pk__mi.lock);
    pk__mi.owner = self.tid;
}

static pid_t gettid_now(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* The lock for the end of the file, which may run in a fatal-signal
 * handler: when this very thread crashed holding it, the buffer still ends
 * on a whole record and is taken over as is; when another thread holds it,
 * wait up to ~2 s for it, then take over anyway (a crashing process must
 * not hang). Returns 1 when the lock was taken. */
static int lock_for_end(int in_signal)
{
    if (!in_signal) {
        lock();
        return 1;
    }
    pid_t me = gettid_now();
    if (__atomic_load_n(&pk__mi.owner, __ATOMIC_RELAXED) == me)
        return 0;
    for (int i = 0; i < 2000; i++) {
        if (pthread_mutex_trylock(&pk__mi.lock) == 0) {
            pk__mi.owner = me;
            return 1;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

static inline void unlock(void)
{
    pk__mi.owner = 0;
    pthread_mutex_unlock(&pk__mi.lock);
}

/* ---- threads ----------------------------------------------------------- */

static char comm[64];   /* under the lock only */

/* First event of this thread in this file: learn who it is. Returns 1 when
 * a 'T' record is due (the caller writes it under the lock). */
static int thread_enter(void)
{
    if (PK__MI_UNLIKELY(self.gen != pk__mi.gen)) {
        self.tid = (pid_t)syscall(SYS_gettid);
        self.gen = pk__mi.gen;
        if (self.stack_hi == 0) {
            pthread_attr_t a;
            void *lo;
            size_t size;
            if (pthread_getattr_np(pthread_self(), &a) == 0) {
                if (pthread_attr_getstack(&a, &lo, &size) == 0)
                    self.stack_hi = (uintptr_t)lo + size;
                pthread_attr_destroy(&a);
            }
            if (self.stack_hi == 0 && self.tid == getpid())
                self.stack_hi = (uintptr_t)__libc_stack_end + 4096;
        }
        return 1;
    }
    return 0;
}

static void put_thread(void)
{
    char path[64] = "/proc/self/task/";
    char digits[16];
    int n = 0;
    unsigned v = (unsigned)self.tid;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    size_t at = strlen(path);
    while (n > 0)
        path[at++] = digits[--n];
    memcpy(path + at, "/comm", 6);
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, comm, sizeof comm - 1);
        len = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    while (len > 0 && comm[len - 1] == '\n')
        len--;
    unsigned char *p = reserve(1 + 10 + 10 + len);
    *p++ = 'T';
    p = put_uv(p, (uint64_t)self.tid);
    commit(put_bytes(p, comm, len));
    pk__mi.cur_tid = self.tid;
}

/* Under the lock, before an event of this thread: its 'T' when new, a 'W'
 * when the previous event was another thread's, a 'C' when due. */
static inline unsigned char *event_prelude(int announce, uint64_t t, size_t need)
{
    if (PK__MI_UNLIKELY(announce))
        put_thread();
    unsigned char *p = reserve(need + 24);
    if (PK__MI_UNLIKELY(pk__mi.cur_tid != self.tid)) {
        *p++ = 'W';
        p = put_uv(p, (uint64_t)self.tid);
        pk__mi.cur_tid = self.tid;
    }
    p = put_clock(p, t, 0);
    pk__mi.since_clock++;
    return p;
}

/* ---- stacks ------------------------------------------------------------- */

/* Walks the frame-pointer chain from the hook's frame: frame[1] is the
 * return address into the allocation function's caller. A frame must lie
 * above the previous one and below the top of the thread's stack. */
static unsigned walk(void *frame, uintptr_t *out, unsigned max)
{
    uintptr_t fp = (uintptr_t)frame, hi = self.stack_hi;
    unsigned n = 0;
    while (n < max) {
        /* written so that a garbage fp near the top of the address space
         * cannot wrap around (code without frame pointers leaves anything
         * in rbp) */
        if ((fp & 7) != 0 || (hi != 0 && (fp >= hi || hi - fp < 2 * sizeof(uintptr_t))))
            break;
        uintptr_t ret = ((uintptr_t *)fp)[1];
        uintptr_t next = ((uintptr_t *)fp)[0];
        if (ret < 4096)
            break;
        out[n++] = ret;
        if (next <= fp || hi == 0)
            break;
        fp = next;
    }
    return n;
}

static uint64_t hash_frames(const uintptr_t *f, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325u ^ n;
    for (unsigned i = 0; i < n; i++) {
        h ^= f[i];
        h *= 0x100000001b3u;
        h ^= h >> 29;
    }
    return h | 1;
}

static int table_grow(void)
{
    size_t cap = pk__mi.tab_cap ? pk__mi.tab_cap * 2 : 4096;
    pk__mi_slot *t = map_bytes(cap * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < pk__mi.tab_cap; i++) {
        pk__mi_slot *s = &pk__mi.tab[i];
        if (s->id == 0)
            continue;
        size_t j = s->hash & (cap - 1);
        while (t[j].id != 0)
            j = (j + 1) & (cap - 1);
        t[j] = *s;
    }
    if (pk__mi.tab)
        munmap(pk__mi.tab, pk__mi.tab_cap * sizeof *t);
    pk__mi.tab = t;
    pk__mi.tab_cap = cap;
    return 0;
}

/* The id of this stack (under the lock); a new one writes its 'S' first.
 * 0 when the table cannot grow (the event then has no stack). */
static uint32_t stack_id(const uintptr_t *f, unsigned n, uint64_t h)
{
    if (n == 0)
        return 0;
    if (PK__MI_UNLIKELY(2 * (pk__mi.tab_used + 1) > pk__mi.tab_cap) && table_grow() != 0)
        return 0;
    size_t mask = pk__mi.tab_cap - 1, j = h & mask;
    for (;; j = (j + 1) & mask) {
        pk__mi_slot *s = &pk__mi.tab[j];
        if (s->id == 0)
            break;
        if (s->hash == h && s->n == n && memcmp(pk__mi.frames + s->off, f, n * sizeof *f) == 0)
            return s->id;
    }
    size_t want = (pk__mi.frames_len + n) * sizeof *f, cap = pk__mi.frames_cap * sizeof *f;
    if (want > cap) {
        if (grow((void **)&pk__mi.frames, &cap, want) != 0)
            return 0;
        pk__mi.frames_cap = cap / sizeof *f;
    }
    memcpy(pk__mi.frames + pk__mi.frames_len, f, n * sizeof *f);
    pk__mi_slot *s = &pk__mi.tab[j];
    *s = (pk__mi_slot){.hash = h, .off = pk__mi.frames_len, .n = n, .id = ++pk__mi.next_id};
    pk__mi.frames_len += n;
    pk__mi.tab_used++;

    unsigned char *p = reserve(1 + 10 + 10 + (size_t)n * 10);
    *p++ = 'S';
    p = put_uv(p, s->id);
    p = put_uv(p, n);
    uintptr_t prev = 0;
    for (unsigned i = 0; i < n; i++) {
        p = put_sv(p, (int64_t)(f[i] - prev));
        prev = f[i];
    }
    commit(p);
    return s->id;
}

/* ---- events ------------------------------------------------------------- */

void pk__mi_record_alloc(void *ptr, size_t size, void *frame)
{
    uintptr_t f[PK__MI_MAX_DEPTH];
    int announce = thread_enter();
    unsigned n = walk(frame, f, pk__mi.depth);
    uint64_t h = hash_frames(f, n);
    uint64_t t = event_ns();
    lock();
    if (pk__mi.on) {
        uint32_t id = stack_id(f, n, h);
        unsigned char *p = event_prelude(announce, t, 32);
        *p++ = 'A';
        p = put_ptr(p, (uintptr_t)ptr);
        p = put_uv(p, size);
        commit(put_uv(p, id));
    }
    unlock();
}

void pk__mi_record_free(void *ptr)
{
    int announce = thread_enter();
    uint64_t t = event_ns();
    lock();
    if (pk__mi.on) {
        unsigned char *p = event_prelude(announce, t, 12);
        *p++ = 'F';
        commit(put_ptr(p, (uintptr_t)ptr));
    }
    unlock();
}

void pk__mi_record_fork(pid_t child)
{
    uint64_t t = now_ns();
    lock();
    if (pk__mi.on) {
        unsigned char *p = put_clock(reserve(32), t, 1);
        *p++ = 'K';
        commit(put_uv(p, (uint64_t)child));
    }
    unlock();
}

/* /proc/self/maps, read outside the lock into memory of our own. */
static char *maps_buf;
static size_t maps_cap;

static void put_maps(const char *text, size_t len)
{
    if (len + 16 <= pk__mi.cap) {
        unsigned char *p = reserve(len + 16);
        *p++ = 'M';
        commit(put_bytes(p, text, len));
        return;
    }
    unsigned char *p = reserve(16);   /* a huge map: the text goes out directly */
    *p++ = 'M';
    commit(put_uv(p, len));
    pk__mi_stream_flush();
    if (!pk__mi.failed && write_all(pk__mi.fd, text, len) != 0)
        write_failed();
    if (!pk__mi.failed)
        pk__mi.written += len;
}

void pk__mi_record_maps(void)
{
    static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER;   /* maps_buf */
    pthread_mutex_lock(&one);
    size_t len = slurp("/proc/self/maps", &maps_buf, &maps_cap);
    lock();
    if (pk__mi.on && len > 0)
        put_maps(maps_buf, len);
    unlock();
    pthread_mutex_unlock(&one);
}

/* ---- the file ------------------------------------------------------------ */

void pk__mi_stream_open(int fd, int kind)
{
    if (!pk__mi.buf) {
        pk__mi.buf = map_bytes(PK__MI_BUF_BYTES);
        if (!pk__mi.buf) {
            close(fd);
            return;
        }
        pk__mi.cap = PK__MI_BUF_BYTES;
    }
    pk__mi.fd = fd;
    pk__mi.sock = kind;
    pk__mi.failed = 0;
    pk__mi.written = 0;
    pk__mi.len = 0;
    pk__mi.clock_ns = now_ns();
    pk__mi.since_clock = 0;
    pk__mi.cur_tid = 0;
    pk__mi.prev_ptr = 0;

    unsigned char *p = pk__mi.buf;
    memcpy(p, "PKMEM\0", 6);
    p[6] = 2, p[7] = 0;                         /* version 2 */
    p[8] = 1, p[9] = p[10] = p[11] = 0;          /* flags: frame-pointer stacks */
    memset(p + 12, 0, 4);
    p += 16;
    *p++ = 'I';
    p = put_uv(p, (uint64_t)getpid());
    p = put_uv(p, (uint64_t)getppid());
    p = put_uv(p, pk__mi.clock_ns);
    p = put_uv(p, (uint64_t)sysconf(_SC_PAGESIZE));
    commit(p);

    char *text = NULL;
    size_t cap = 0, len = slurp("/proc/self/cmdline", &text, &cap);
    if (len > 0 && text[len - 1] == '\0')
        len--;
    if (len > pk__mi.cap / 4)
        len = pk__mi.cap / 4;
    p = reserve(len + 10);
    commit(put_bytes(p, text, len));
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe);
    p = reserve(sizeof exe + 10);
    commit(put_bytes(p, exe, n > 0 ? (size_t)n : 0));
    if (text)
        munmap(text, cap);
    pk__mi.on = 1;
}

uint64_t pk__mi_stream_end(unsigned reason, unsigned sig)
{
    /* in a signal handler the shared maps buffer may be mid-use: skip 'M' */
    size_t len = reason == PK__MI_END_SIGNAL ? 0 : slurp("/proc/self/maps", &maps_buf, &maps_cap);
    uint64_t t = now_ns();
    int locked = lock_for_end(reason == PK__MI_END_SIGNAL);
    uint64_t at = 0;
    if (pk__mi.on) {
        if (len > 0)
            put_maps(maps_buf, len);
        unsigned char *p = put_clock(reserve(32), t, 1);
        commit(p);
        at = pk__mi.written + pk__mi.len;
        *p++ = 'E';
        p = put_uv(p, reason);
        commit(put_uv(p, sig));
        pk__mi_stream_flush();
        __atomic_store_n(&pk__mi.on, 0, __ATOMIC_RELAXED);
    }
    if (locked)
        unlock();
    return at;
}

void pk__mi_stream_unend(uint64_t at)
{
    lock();
    if (at > 0 && !pk__mi.failed && pk__mi.sock) {
        /* a stream cannot be cut: the reader sees records after this 'E'
         * (reason exec) and goes on */
        __atomic_store_n(&pk__mi.on, 1, __ATOMIC_RELAXED);
    } else if (at > 0 && !pk__mi.failed && ftruncate(pk__mi.fd, (off_t)at) == 0 &&
               lseek(pk__mi.fd, (off_t)at, SEEK_SET) == (off_t)at) {
        pk__mi.written = at;
        __atomic_store_n(&pk__mi.on, 1, __ATOMIC_RELAXED);
    }
    unlock();
}

void pk__mi_stream_reset_child(void)
{
    pthread_mutex_init(&pk__mi.lock, NULL);
    pk__mi.owner = 0;
    pk__mi.gen++;
    pk__mi.len = 0;
    if (pk__mi.fd >= 0)
        close(pk__mi.fd);
    pk__mi.fd = -1;
    pk__mi.sock = 0;
    __atomic_store_n(&pk__mi.on, 0, __ATOMIC_RELAXED);
    if (pk__mi.tab)
        memset(pk__mi.tab, 0, pk__mi.tab_cap * sizeof *pk__mi.tab);
    pk__mi.tab_used = 0;
    pk__mi.frames_len = 0;
    pk__mi.next_id = 0;
}
