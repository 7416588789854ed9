/* record.c — the span recorder: clock, per-thread buffers, start/stop/reset.
 *
 * Hot path (pk__trace_emit): read the clock, find the thread's buffer through
 * one thread-local pointer (checked against a global generation so that a
 * reset invalidates every thread's pointer at once), store 32 bytes, publish
 * the count with a release store. Slow paths — a thread's first event, a full
 * chunk — take the registry mutex or allocate; a failed or over-cap
 * allocation marks the thread full and every later event is counted as
 * dropped. Clock: rdtsc when the TSC is invariant (constant_tsc and
 * nonstop_tsc), calibrated against CLOCK_MONOTONIC between the first start and
 * each export; else CLOCK_MONOTONIC. */
#include "trace_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "perfkit/alloc.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define TRACE_DEFAULT_MAX (64u << 20)
#define TRACE_DEFAULT_CHUNK 4096u
#define TRACE_MIN_CHUNK 16u
#define TRACE_MAX_CHUNK (1u << 24)
#define TRACE_MIN_BASELINE_NS 20000000ull

enum { CLK_NONE, CLK_TSC, CLK_MONO, CLK_CUSTOM };

int pk__trace_on;

/* Read on every event, written only by start/reset: a cache line of its own,
 * away from the counters that chunk allocations write. */
static struct {
    _Alignas(64) _Atomic uint64_t gen; /* bumped by reset: stale thread pointers */
    _Atomic int clk;             /* CLK_* of the current trace */
    char pad[64 - sizeof(uint64_t) - sizeof(int)];
} hot = { .gen = 1 };

static struct {
    pthread_mutex_t mu;
    pk__trace_buf *list;
    uint64_t (*clock_ns)(void);
    _Atomic size_t max_bytes;
    _Atomic size_t bytes;        /* reserved by all buffers */
    _Atomic uint64_t dropped;    /* events of threads that could not register */
    uint32_t chunk_events;
    bool origin_set;
    uint64_t origin_ticks, origin_mono; /* calibration pair at first start */
    uint64_t stop_ticks;         /* 0 while recording */
} g = { .mu = PTHREAD_MUTEX_INITIALIZER };

static _Thread_local struct {
    pk__trace_buf *buf;
    uint64_t gen;                /* generation buf belongs to */
    uint64_t failed_gen;         /* registration failed in this generation */
    char name[32];               /* pk_trace_set_thread_name() */
} tl;

/* CLOCK_MONOTONIC through core/clock.h (tests may replace it: choose
 * PK_TRACE_CLOCK_MONOTONIC then, TSC ticks are not replaced). */
static inline uint64_t mono_ns(void)
{
    return (uint64_t)pk__clock_ns(PK__CLOCK_MONO);
}

static inline uint64_t now_ticks(void)
{
    int c = atomic_load_explicit(&hot.clk, memory_order_relaxed);
#if defined(__x86_64__)
    if (__builtin_expect(c == CLK_TSC, 1))
        return __rdtsc();
#endif
    if (c == CLK_CUSTOM && g.clock_ns)
        return g.clock_ns();
    return mono_ns();
}

/* constant_tsc and nonstop_tsc in /proc/cpuinfo: the TSC ticks at a fixed
 * rate in every P- and C-state and is synchronized across cores. */
static bool tsc_invariant(void)
{
#if defined(__x86_64__)
    static int cached = -1;
    if (cached >= 0)
        return cached;
    FILE *f = fopen("/proc/cpuinfo", "r");
    bool ok = false;
    if (f) {
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "flags", 5) != 0)
                continue;
            ok = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
            break;
        }
        fclose(f);
    }
    cached = ok;
    return ok;
#else
    return false;
#endif
}

void pk_trace_opts_init(pk_trace_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->max_bytes = TRACE_DEFAULT_MAX;
    o->chunk_events = TRACE_DEFAULT_CHUNK;
    o->clock = PK_TRACE_CLOCK_AUTO;
}

pk_err pk_trace_start(const pk_trace_opts *o)
{
    pk_trace_opts d;
    if (!o) {
        pk_trace_opts_init(&d);
        o = &d;
    }
    size_t chunk = o->chunk_events ? o->chunk_events : TRACE_DEFAULT_CHUNK;
    if (chunk < TRACE_MIN_CHUNK || chunk > TRACE_MAX_CHUNK ||
        (o->clock != PK_TRACE_CLOCK_AUTO && o->clock != PK_TRACE_CLOCK_MONOTONIC))
        return PK_EINVAL;
    pthread_mutex_lock(&g.mu);
    atomic_store(&g.max_bytes, o->max_bytes ? o->max_bytes : TRACE_DEFAULT_MAX);
    if (!g.origin_set) {
        int c = CLK_MONO;
        g.clock_ns = o->clock_ns;
        if (o->clock_ns)
            c = CLK_CUSTOM;
        else if (o->clock == PK_TRACE_CLOCK_AUTO && tsc_invariant())
            c = CLK_TSC;
        g.chunk_events = (uint32_t)chunk;
        atomic_store(&hot.clk, c);
        g.origin_mono = mono_ns();
        g.origin_ticks = now_ticks();
        g.origin_set = true;
    }
    g.stop_ticks = 0;
    pthread_mutex_unlock(&g.mu);
    __atomic_store_n(&pk__trace_on, 1, __ATOMIC_RELEASE);
    return PK_OK;
}

void pk_trace_stop(void)
{
    __atomic_store_n(&pk__trace_on, 0, __ATOMIC_RELEASE);
    pthread_mutex_lock(&g.mu);
    if (g.origin_set && !g.stop_ticks)
        g.stop_ticks = now_ticks();
    pthread_mutex_unlock(&g.mu);
}

static void buf_free(pk__trace_buf *b)
{
    pk__trace_chunk *c = b->head;
    while (c) {
        pk__trace_chunk *n = atomic_load_explicit(&c->next, memory_order_relaxed);
        pk_free(c);
        c = n;
    }
    pk_free(b);
}

void pk_trace_reset(void)
{
    __atomic_store_n(&pk__trace_on, 0, __ATOMIC_RELEASE);
    pthread_mutex_lock(&g.mu);
    pk__trace_buf *b = g.list;
    g.list = NULL;
    while (b) {
        pk__trace_buf *n = b->next;
        buf_free(b);
        b = n;
    }
    atomic_fetch_add(&hot.gen, 1);
    atomic_store(&g.bytes, 0);
    atomic_store(&g.dropped, 0);
    atomic_store(&hot.clk, CLK_NONE);
    g.clock_ns = NULL;
    g.origin_set = false;
    g.stop_ticks = 0;
    pthread_mutex_unlock(&g.mu);
}

uint64_t pk_trace_dropped(void)
{
    pthread_mutex_lock(&g.mu);
    uint64_t n = atomic_load(&g.dropped);
    for (pk__trace_buf *b = g.list; b; b = b->next)
        n += atomic_load_explicit(&b->dropped, memory_order_relaxed);
    pthread_mutex_unlock(&g.mu);
    return n;
}

const char *pk_trace_clock_name(void)
{
    switch (atomic_load(&hot.clk)) {
    case CLK_TSC: return "tsc";
    case CLK_MONO: return "monotonic";
    case CLK_CUSTOM: return "custom";
    default: return "none";
    }
}

/* Reserve n bytes against the cap. */
static bool reserve(size_t n)
{
    size_t max = atomic_load_explicit(&g.max_bytes, memory_order_relaxed);
    size_t cur = atomic_load_explicit(&g.bytes, memory_order_relaxed);
    do {
        if (cur > max || n > max - cur)
            return false;
    } while (!atomic_compare_exchange_weak(&g.bytes, &cur, cur + n));
    return true;
}

static size_t chunk_bytes(uint32_t cap)
{
    return sizeof(pk__trace_chunk) + (size_t)cap * sizeof(pk__trace_ev);
}

static pk__trace_chunk *chunk_new(uint32_t cap)
{
    size_t sz = chunk_bytes(cap);
    if (!reserve(sz))
        return NULL;
    pk__trace_chunk *c = pk_malloc(sz);
    if (!c) {
        atomic_fetch_sub(&g.bytes, sz);
        return NULL;
    }
    atomic_init(&c->next, NULL);
    atomic_init(&c->n, 0);
    return c;
}

/* The calling thread's first event in this generation: a buffer with its
 * first chunk, put on the global list. NULL when it cannot be had (the event
 * and every later one of this thread in this generation are dropped). */
static pk__trace_buf *thread_register(void)
{
    uint64_t gen = atomic_load_explicit(&hot.gen, memory_order_acquire);
    if (tl.failed_gen == gen || !__atomic_load_n(&pk__trace_on, __ATOMIC_ACQUIRE)) {
        if (tl.failed_gen == gen)
            atomic_fetch_add_explicit(&g.dropped, 1, memory_order_relaxed);
        return NULL;
    }
    pk__trace_buf *b = NULL;
    pk__trace_chunk *c = NULL;
    if (reserve(sizeof *b)) {
        b = pk_calloc(1, sizeof *b);
        if (!b)
            atomic_fetch_sub(&g.bytes, sizeof *b);
    }
    pthread_mutex_lock(&g.mu);
    uint32_t cap = g.chunk_events;
    if (b && cap)
        c = chunk_new(cap);
    if (!b || !c || gen != atomic_load(&hot.gen)) {
        pthread_mutex_unlock(&g.mu);
        if (c) {
            atomic_fetch_sub(&g.bytes, chunk_bytes(cap));
            pk_free(c);
        }
        if (b) {
            atomic_fetch_sub(&g.bytes, sizeof *b);
            pk_free(b);
        }
        tl.failed_gen = gen;
        atomic_fetch_add_explicit(&g.dropped, 1, memory_order_relaxed);
        return NULL;
    }
    b->head = b->cur = c;
    b->cap = cap;
    b->tid = (int)gettid();
    if (tl.name[0])
        memcpy(b->name, tl.name, sizeof b->name);
    else if (pthread_getname_np(pthread_self(), b->name, sizeof b->name) != 0)
        b->name[0] = '\0';
    b->next = g.list;
    g.list = b;
    pthread_mutex_unlock(&g.mu);
    tl.buf = b;
    tl.gen = gen;
    return b;
}

/* The current chunk is full: chain a new one, or drop from now on. */
static pk__trace_chunk *thread_grow(pk__trace_buf *b, uint64_t ts)
{
    pk__trace_chunk *c = atomic_load_explicit(&b->full, memory_order_relaxed)
                             ? NULL : chunk_new(b->cap);
    if (!c) {
        if (!atomic_load_explicit(&b->full, memory_order_relaxed)) {
            atomic_store_explicit(&b->drop_ts, ts, memory_order_relaxed);
            atomic_store_explicit(&b->full, 1, memory_order_release);
        }
        atomic_store_explicit(&b->dropped,
                              atomic_load_explicit(&b->dropped, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return NULL;
    }
    atomic_store_explicit(&b->cur->next, c, memory_order_release);
    b->cur = c;
    return c;
}

static inline int emit(unsigned kind, const char *name, double value)
{
    uint64_t ts = now_ticks();
    pk__trace_buf *b = tl.buf;
    if (__builtin_expect(!b || tl.gen != atomic_load_explicit(&hot.gen, memory_order_relaxed), 0)) {
        b = thread_register();
        if (!b)
            return 0;
    }
    pk__trace_chunk *c = b->cur;
    uint32_t n = atomic_load_explicit(&c->n, memory_order_relaxed);
    if (__builtin_expect(n == b->cap, 0)) {
        c = thread_grow(b, ts);
        if (!c)
            return 0;
        n = 0;
    }
    pk__trace_ev *e = &c->ev[n];
    e->ts = ts;
    e->name = name;
    e->value = value;
    e->kind = kind;
    atomic_store_explicit(&c->n, n + 1, memory_order_release);
    return 1;
}

void pk__trace_emit(unsigned kind, const char *name, double value)
{
    (void)emit(kind, name, value);
}

int pk__trace_span_open(const char *name)
{
    return emit(PK__TRACE_BEGIN, name, 0);
}

void pk_trace_set_thread_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n >= sizeof tl.name)
        n = sizeof tl.name - 1;
    memcpy(tl.name, name ? name : "", n);
    tl.name[n] = '\0';
    pthread_mutex_lock(&g.mu);
    if (tl.buf && tl.gen == atomic_load(&hot.gen))
        memcpy(tl.buf->name, tl.name, sizeof tl.name);
    pthread_mutex_unlock(&g.mu);
}

void pk__trace_lock(void) { pthread_mutex_lock(&g.mu); }
void pk__trace_unlock(void) { pthread_mutex_unlock(&g.mu); }
pk__trace_buf *pk__trace_list(void) { return g.list; }
uint64_t pk__trace_dropped_global(void) { return atomic_load(&g.dropped); }

/* Without the lock: with the TSC, wait until the trace is at least
 * TRACE_MIN_BASELINE_NS old so the calibration has a usable baseline. */
void pk__trace_settle(void)
{
    pthread_mutex_lock(&g.mu);
    bool tsc = g.origin_set && atomic_load(&hot.clk) == CLK_TSC;
    uint64_t since = mono_ns() - g.origin_mono;
    pthread_mutex_unlock(&g.mu);
    if (!tsc || since >= TRACE_MIN_BASELINE_NS)
        return;
    uint64_t left = TRACE_MIN_BASELINE_NS - since;
    struct timespec ts = { (time_t)(left / 1000000000u), (long)(left % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Under the lock. TSC: ns per tick from (origin, now) against
 * CLOCK_MONOTONIC (midpoint of two reads around the TSC read). */
void pk__trace_calibrate(double *ns_per_tick, uint64_t *origin, uint64_t *end_ticks)
{
    *ns_per_tick = 1.0;
    *origin = g.origin_ticks;
    if (!g.origin_set) {
        *end_ticks = 0;
        return;
    }
    if (atomic_load(&hot.clk) == CLK_TSC) {
        uint64_t a = mono_ns();
        uint64_t t = now_ticks();
        uint64_t b = mono_ns();
        uint64_t m = a + (b - a) / 2;
        if (t > g.origin_ticks && m > g.origin_mono)
            *ns_per_tick = (double)(m - g.origin_mono) / (double)(t - g.origin_ticks);
    }
    *end_ticks = g.stop_ticks ? g.stop_ticks : now_ticks();
}
