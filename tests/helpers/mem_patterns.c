/* mem_patterns — known allocation patterns for perfkit mem's recorder
 * (libperfkit-mem.so) and its tests: `mem_patterns MODE`. Each mode's exact
 * figures are in tests/cli/t_mem_preload.sh. Built with frame pointers.
 * Prints nothing unless it fails (stdio would allocate). Exit 3: a check of
 * the program itself failed (alignment, zeroed calloc, thread errors). */
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <malloc.h>

static void *volatile sink;

/* 3 blocks of 1000 bytes, never freed: the known leak */
__attribute__((noinline)) static void leak_here(void)
{
    for (int i = 0; i < 3; i++) {
        sink = malloc(1000);
        memset(sink, 1, 1000);
    }
}

/* live peak: 3 MiB on top of the leak */
__attribute__((noinline)) static void peak_here(void)
{
    sink = malloc(1 << 20);
    char *a = sink;
    sink = malloc(2 << 20);
    char *b = sink;
    a[0] = b[0] = 1;
    free(a);
    free(b);
}

static int mode_leak(void)
{
    leak_here();
    peak_here();
    return 0;
}

/* 16, 32, ... 1 MiB: 17 allocations, each realloc is F + A */
static int mode_realloc(void)
{
    char *p = NULL;
    for (size_t n = 16; n <= (1u << 20); n *= 2) {
        p = realloc(p, n);
        if (!p)
            return 3;
        p[n - 1] = 1;
    }
    p = realloc(p, 0);              /* frees (glibc), returns NULL */
    char *q = reallocarray(NULL, 10, 100);   /* 1000 */
    q = reallocarray(q, 20, 100);            /* 2000 */
    free(q);
    char *c = calloc(10, 300);               /* 3000, zeroed */
    for (int i = 0; i < 3000; i++)
        if (c[i])
            return 3;
    free(c);
    volatile size_t big = SIZE_MAX / 2;
    if (reallocarray(NULL, big, 4))          /* overflows: NULL, not recorded */
        return 3;
    return p ? 3 : 0;
}

/* aligned allocations, all leaked: 1000 + 8192 + 100 + 5000 + 100 */
static int mode_aligned(void)
{
    void *p;
    if (posix_memalign(&p, 64, 1000) != 0 || (uintptr_t)p % 64)
        return 3;
    sink = p;
    long page = sysconf(_SC_PAGESIZE);
    p = aligned_alloc(4096, 8192);
    if (!p || (uintptr_t)p % 4096)
        return 3;
    sink = p;
    p = memalign(256, 100);
    if (!p || (uintptr_t)p % 256)
        return 3;
    sink = p;
    p = valloc(5000);
    if (!p || (uintptr_t)p % (uintptr_t)page)
        return 3;
    sink = p;
    p = pvalloc(100);
    if (!p || (uintptr_t)p % (uintptr_t)page)
        return 3;
    sink = p;
    return 0;
}

/* 8 threads x 100000 allocations of 1000..1063 bytes, each put in a shared
 * ring; whatever a slot held is freed by the thread that replaced it, so
 * blocks are freed by other threads than their allocator. */
#define RING 1024
static void *_Atomic ring[RING];

static void *churn(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint32_t x = (uint32_t)id * 2654435761u + 1;
    for (int i = 0; i < 100000; i++) {
        x = x * 1103515245u + 12345u;
        void *p = malloc(1000 + (size_t)(i % 64));
        if (!p)
            return (void *)1;
        void *old = __atomic_exchange_n(&ring[(x >> 8) % RING], p, __ATOMIC_ACQ_REL);
        free(old);
    }
    return NULL;
}

static int mode_threads(void)
{
    pthread_t t[8];
    for (uintptr_t i = 0; i < 8; i++)
        if (pthread_create(&t[i], NULL, churn, (void *)i) != 0)
            return 3;
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    for (int i = 0; i < RING; i++)
        free(ring[i]);
    return bad ? 3 : 0;
}

/* mode_threads while a ninth thread bombards the eight with SIGUSR1
 * (no SA_RESTART: the recorder's write(2) sees EINTR), and the main thread
 * takes SIGALRM from a 2 kHz interval timer: signals land in the middle of
 * the recorder's hooks all the time. The handlers only count. */
static volatile sig_atomic_t hits;
static atomic_int stop_kicking, workers_done;

static void *churn_and_say(void *arg)
{
    void *r = churn(arg);
    atomic_fetch_add(&workers_done, 1);
    return r;
}

static void count_signal(int sig)
{
    (void)sig;
    hits = hits + 1;
}

static void *kicker(void *arg)
{
    pthread_t *t = arg;
    while (!atomic_load(&stop_kicking))
        for (int i = 0; i < 8; i++)
            pthread_kill(t[i], SIGUSR1);
    return NULL;
}

static int mode_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGALRM, &sa, NULL) != 0)
        return 3;
    struct itimerval it = {{0, 500}, {0, 500}};
    setitimer(ITIMER_REAL, &it, NULL);
    pthread_t t[8], k;
    for (uintptr_t i = 0; i < 8; i++)
        if (pthread_create(&t[i], NULL, churn_and_say, (void *)i) != 0)
            return 3;
    if (pthread_create(&k, NULL, kicker, t) != 0)
        return 3;
    /* the kicker stops before any worker is joined: pthread_kill of an
     * exited thread is fine until it is joined, never after */
    while (atomic_load(&workers_done) < 8)
        sched_yield();
    atomic_store(&stop_kicking, 1);
    pthread_join(k, NULL);
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    for (int i = 0; i < RING; i++)
        free(ring[i]);
    fprintf(stderr, "signals: %d\n", (int)hits);
    return bad ? 3 : 0;
}

/* the parent leaks 111 bytes, the child 222 */
static int mode_fork(void)
{
    sink = malloc(111);
    pid_t c = fork();
    if (c < 0)
        return 3;
    if (c == 0) {
        sink = malloc(222);
        exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

static int mode_abort(void)
{
    sink = malloc(333);
    abort();
}

static int mode_exit(void)
{
    sink = malloc(444);
    _exit(0);
}

static int mode_segv(void)
{
    sink = malloc(555);
    raise(SIGSEGV);
    return 3;
}

static void own_handler(int sig)
{
    (void)sig;
    _exit(7);
}

/* The program's own handler (installed after the recorder's) wins. */
static int mode_ownhandler(void)
{
    signal(SIGSEGV, own_handler);
    sink = malloc(666);
    raise(SIGSEGV);
    return 3;
}

/* enough events for a few buffer flushes, then wait to be killed */
static int mode_kill(void)
{
    for (int i = 0; i < 50000; i++) {
        sink = malloc(64);
        free(sink);
    }
    if (write(1, "ready\n", 6) != 6)
        return 3;
    for (;;)
        pause();
}

/* leak 777, then become `mem_patterns leak` */
static int mode_exec(const char *self)
{
    sink = malloc(777);
    execl(self, self, "leak", (char *)NULL);
    return 3;
}

/* fork; the child execs `mem_patterns leak`, the parent leaks 888 */
static int mode_forkexec(const char *self)
{
    pid_t c = fork();
    if (c < 0)
        return 3;
    if (c == 0) {
        sink = malloc(999);
        execl(self, self, "leak", (char *)NULL);
        _exit(3);
    }
    sink = malloc(888);
    int st;
    waitpid(c, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

/* system(): posix_spawn underneath, past the exec hooks */
static int mode_system(const char *self)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' leak", self);
    return system(cmd) == 0 ? 0 : 3;
}

static int mode_dlopen(void)
{
    void *h = dlopen("libz.so.1", RTLD_NOW);
    if (!h)
        return 3;
    dlclose(h);
    return 0;
}

/* malloc called with garbage in rbp (code without frame pointers may leave
 * anything there): -16, so that rbp + 16 wraps around to 0. The recorder's
 * walk must stop, not crash. x86-64 only; elsewhere a plain malloc. */
#if defined(__x86_64__)
__attribute__((noinline, optimize("omit-frame-pointer"))) static void *badfp_alloc(size_t n)
{
    void *p;
    __asm__ volatile("push %%rbp\n\t"
                     "mov $-16, %%rbp\n\t"
                     "call malloc@PLT\n\t"
                     "pop %%rbp"
                     : "=a"(p), "+D"(n)
                     :
                     : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
    return p;
}
#else
static void *badfp_alloc(size_t n)
{
    return malloc(n);
}
#endif

static int mode_badfp(void)
{
    sink = badfp_alloc(123);
    return sink ? 0 : 3;
}

/* the cost per event: 2 M malloc/free pairs */
static int mode_bench(void)
{
    for (int i = 0; i < 2000000; i++) {
        sink = malloc(16 + (size_t)(i & 255));
        free(sink);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "leak"))
        return mode_leak();
    if (!strcmp(m, "realloc"))
        return mode_realloc();
    if (!strcmp(m, "aligned"))
        return mode_aligned();
    if (!strcmp(m, "threads"))
        return mode_threads();
    if (!strcmp(m, "signals"))
        return mode_signals();
    if (!strcmp(m, "fork"))
        return mode_fork();
    if (!strcmp(m, "abort"))
        return mode_abort();
    if (!strcmp(m, "exit"))
        return mode_exit();
    if (!strcmp(m, "segv"))
        return mode_segv();
    if (!strcmp(m, "ownhandler"))
        return mode_ownhandler();
    if (!strcmp(m, "kill"))
        return mode_kill();
    if (!strcmp(m, "exec"))
        return mode_exec(argv[0]);
    if (!strcmp(m, "forkexec"))
        return mode_forkexec(argv[0]);
    if (!strcmp(m, "system"))
        return mode_system(argv[0]);
    if (!strcmp(m, "dlopen"))
        return mode_dlopen();
    if (!strcmp(m, "badfp"))
        return mode_badfp();
    if (!strcmp(m, "bench"))
        return mode_bench();
    fprintf(stderr, "usage: mem_patterns leak|realloc|aligned|threads|fork|abort|exit|segv|"
                    "ownhandler|kill|exec|forkexec|system|dlopen|badfp|bench|signals\n");
    return 2;
}
