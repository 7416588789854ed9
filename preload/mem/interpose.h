/* interpose.h — internals shared by the files of libperfkit-mem.so, the
 * allocation recorder of `perfkit mem` (preload/mem/; never part of
 * libperfkit, never calls pk_malloc: it IS the allocator's neighbour).
 *
 *   hooks.c      the allocator entry points, the dlsym bootstrap arena and
 *                the recursion guard
 *   stream.c     the event stream: buffer, lock, records, stack table
 *   lifecycle.c  init from the environment, fork, exec, _exit, fatal
 *                signals, dlopen/dlclose, the end of the file
 *
 * The file format is docs/mem.md "File format". Everything here is hidden
 * (-fvisibility=hidden); only the hooked libc names are exported. */
#ifndef PK_PRELOAD_MEM_INTERPOSE_H
#define PK_PRELOAD_MEM_INTERPOSE_H

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define PK__MI_EXPORT __attribute__((visibility("default")))
#define PK__MI_TLS    __attribute__((tls_model("initial-exec")))
#define PK__MI_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* var = the next definition of name (dlsym RTLD_NEXT), without the
 * object-to-function pointer cast ISO C forbids. */
#define PK__MI_NEXT(var, name)                                                  \
    do {                                                                        \
        void *pk__s = dlsym(RTLD_NEXT, name);                                   \
        memcpy(&(var), &pk__s, sizeof pk__s);                                   \
    } while (0)

#define PK__MI_MAX_DEPTH   256
#define PK__MI_BUF_BYTES   (256u * 1024u)

/* 'E' reasons (docs/mem.md) */
enum { PK__MI_END_EXIT = 0, PK__MI_END_EXITCALL = 1, PK__MI_END_SIGNAL = 2, PK__MI_END_EXEC = 3 };

/* One slot of the stack table: id 0 = empty. */
typedef struct pk__mi_slot {
    uint64_t hash;
    uint64_t off;       /* first frame in pk__mi.frames */
    uint32_t n;
    uint32_t id;
} pk__mi_slot;

/* The recorder's state: one per process. Fields after `lock` are touched
 * only with the lock held (or in a signal handler that took it over). */
typedef struct pk__mi_state {
    int on;                 /* recording (read without the lock, relaxed) */
    int follow;             /* PERFKIT_MEM_FORK=follow */
    unsigned depth;         /* frames per stack, 1..PK__MI_MAX_DEPTH */
    unsigned gen;           /* bumped in a fork child: threads announce again */
    pid_t pid;              /* the process the file belongs to */
    char out[4096];         /* PERFKIT_MEM_OUT */
    pthread_mutex_t lock;
    pid_t owner;            /* tid holding the lock, 0 when free */
    int fd;
    int sock;               /* PK__MI_OUT_*: a stream (PERFKIT_MEM_FD) is never cut, never SIGPIPEs */
    int failed;             /* a write failed: recording stopped */
    uint64_t written;       /* bytes written to fd */
    uint64_t clock_ns;      /* the time of the last 'C' record (or the clock start) */
    unsigned since_clock;   /* events since the last 'C' */
    pid_t cur_tid;          /* the thread of the stream's next event ('T' / 'W') */
    uint64_t prev_ptr;      /* the pointer of the previous 'A' / 'F' */
    unsigned char *buf;
    size_t len, cap;
    pk__mi_slot *tab;       /* open addressing, power-of-two capacity */
    size_t tab_cap, tab_used;
    uintptr_t *frames;      /* frames of every distinct stack */
    size_t frames_len, frames_cap;
    uint32_t next_id;
} pk__mi_state;

extern pk__mi_state pk__mi;

/* Recursion guard: nonzero while this thread is inside the recorder, so
 * that whatever it (or libc under it) allocates passes through unrecorded. */
extern __thread int pk__mi_guard PK__MI_TLS;

/* The real allocator (RTLD_NEXT), resolved by pk__mi_resolve(). */
typedef struct pk__mi_real {
    void *(*malloc)(size_t);
    void  (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
} pk__mi_real;
extern pk__mi_real pk__mi_libc;

/* stream.c — all called with pk__mi_guard set, pk__mi.on checked. */
/* What the output fd is: a stream (PERFKIT_MEM_FD) is written without
 * SIGPIPE (a reader gone is EPIPE: recording stops) and never cut. */
enum { PK__MI_OUT_FILE = 0, PK__MI_OUT_SOCKET = 1, PK__MI_OUT_PIPE = 2 };
/* header, 'I'; recording on (stays off when out of memory). */
void pk__mi_stream_open(int fd, int kind);
void pk__mi_stream_reset_child(void);           /* fork child: lock re-initialised, buffer and stacks dropped */
void pk__mi_record_alloc(void *p, size_t size, void *frame);
void pk__mi_record_free(void *p);
void pk__mi_record_fork(pid_t child);
void pk__mi_record_maps(void);
/* Writes 'M' and 'E', flushes; recording stops. Returns the file offset of
 * the 'E' record (for pk__mi_stream_unend). Safe in a fatal-signal handler. */
uint64_t pk__mi_stream_end(unsigned reason, unsigned sig);
/* An exec failed after pk__mi_stream_end: cut the 'E' off and record on. */
void pk__mi_stream_unend(uint64_t at);
void pk__mi_stream_flush(void);

/* hooks.c: resolves the real allocator and runs pk__mi_init, once. */
void pk__mi_start(void);

/* lifecycle.c */
void pk__mi_init(void);                         /* once, from pk__mi_start (guard set) */

/* Events of this thread are to be recorded now. */
static inline int pk__mi_recording(void)
{
    return __atomic_load_n(&pk__mi.on, __ATOMIC_RELAXED) && !pk__mi_guard;
}

#endif
