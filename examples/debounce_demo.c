/* debounce_demo.c — coalescing file-change events with pk_debounce, the way a
 * "rebuild on save" watcher does (watchexec, nodemon): every change under a
 * directory is an event; a burst of them (an editor saving several files, a
 * `git checkout`) becomes one rebuild that gets each changed file once.
 *
 *   debounce_demo DIR [SECONDS]    watch DIR (inotify) for SECONDS (5)
 *
 * pk_debounce runs in poll mode inside the program's own event loop: poll(2)
 * waits on the inotify descriptor with the timeout pk_debounce_poll says the
 * next window ends at. wait 200 ms (a burst ends after 200 ms of quiet),
 * maxWait 2 s (a rebuild at least every 2 s while changes keep coming),
 * dedup (a file saved 5 times in the window is listed once, "x5"). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <perfkit/debounce.h>

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int rebuilds;
static int64_t t0;

static void rebuild(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    printf("rebuild #%d at %.1f s after %llu events:", ++rebuilds, (double)(f->now_ns - t0) / 1e9,
           (unsigned long long)f->calls);
    for (size_t i = 0; i < f->n_events; i++) {
        printf(" %.*s", (int)f->events[i].len, (const char *)f->events[i].data);
        if (f->events[i].count > 1)
            printf(" (x%u)", f->events[i].count);
    }
    printf("\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    char *rest = NULL;
    double secs = argc > 2 ? strtod(argv[2], &rest) : 5;
    if (argc < 2 || argc > 3 || (rest && (rest == argv[2] || *rest)) || !(secs > 0) || secs > 86400) {
        fprintf(stderr, "usage: debounce_demo DIR [SECONDS]  (SECONDS: > 0, at most 86400)\n");
        return 2;
    }
    int fd = inotify_init1(IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE) < 0) {
        fprintf(stderr, "debounce_demo: cannot watch %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = 200 * PK_DEBOUNCE_MS;
    o.max_wait_ns = 2000 * PK_DEBOUNCE_MS;
    o.dedup = true;
    o.poll = true;                       /* our loop drives the timers */
    pk_debounce *d;
    if (pk_debounce_new(&o, rebuild, NULL, &d) != PK_OK)
        return 3;
    t0 = mono_ns();
    int64_t end = t0 + (int64_t)(secs * 1e9);
    printf("watching %s for %g s\n", argv[1], secs);
    fflush(stdout);
    for (;;) {
        int64_t now = mono_ns(), next;
        pk_debounce_poll(d, &next);      /* runs a window that has ended */
        if (now >= end)
            break;
        int64_t until = next >= 0 && next < end ? next : end;
        int timeout_ms = (int)((until - now + 999999) / 1000000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
            continue;
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n = read(fd, buf, sizeof buf);
        for (char *e = buf; n > 0 && e < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)e;
            if (ev->len)
                pk_debounce_add(d, ev->name, strlen(ev->name), NULL);
            e += sizeof *ev + ev->len;
        }
    }
    pk_debounce_flush(d, NULL);          /* a window still open at the end */
    pk_debounce_stats st;
    pk_debounce_stats_get(d, &st);
    printf("%llu events, %d rebuilds, %llu merged as duplicates\n", (unsigned long long)st.calls,
           rebuilds, (unsigned long long)st.merged);
    pk_debounce_free(d);
    close(fd);
    return 0;
}
