/* trace_demo.c — spans, a checkpoint and a counter from several threads,
 * exported as trace.json (Perfetto / chrome://tracing), trace.folded
 * (flamegraph.pl, inferno-flamegraph) and a summary table on stdout.
 *
 *   cc -Iinclude examples/trace_demo.c build/libperfkit.a <libs> -o trace_demo
 *   ./trace_demo [outdir]     # writes outdir/trace.json, outdir/trace.folded */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "perfkit/trace.h"

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

static volatile unsigned long sink;
static void spin_us(long us)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        for (int i = 0; i < 1000; i++)
            sink += (unsigned long)i;
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static void lex(void)
{
    PK_SPAN("lex");
    spin_us(300);
}

static void parse(void)
{
    PK_SPAN("parse");
    lex();
    spin_us(200);
}

static void *worker(void *arg)
{
    int id = *(int *)arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%d", id);
    pk_trace_set_thread_name(name);
    for (int job = 0; job < 5; job++) {
        PK_SPAN("job");
        parse();
        pk_span_begin("io");
        sleep_us(500);
        pk_span_end();
        pk_trace_counter("jobs_done", job + 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    if (pk_trace_start(NULL) != PK_OK)
        return 1;
    pk_trace_set_thread_name("main");
    {
        PK_SPAN("main");
        {
            PK_SPAN("setup");
            spin_us(1000);
        }
        pk_trace_checkpoint("setup done");
        pthread_t th[3];
        int ids[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = i + 1;
            pthread_create(&th[i], NULL, worker, &ids[i]);
        }
        for (int i = 0; i < 3; i++)
            pthread_join(th[i], NULL);
        pk_trace_checkpoint("workers joined");
    }
    pk_trace_stop();

    char path[4096];
    int rc = 0;
    const char *names[] = {"trace.json", "trace.folded"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            return 1;
        }
        pk_err e = k == 0 ? pk_trace_write_chrome(f) : pk_trace_write_folded(f);
        if (fclose(f) != 0 || e != PK_OK) {
            fprintf(stderr, "trace_demo: writing %s: %s\n", path, pk_strerror(e));
            rc = 1;
        }
    }
    if (pk_trace_write_summary(stdout) != PK_OK)
        rc = 1;
    printf("wrote %s/trace.json and %s/trace.folded\n", dir, dir);
    pk_trace_reset();
    return rc;
}
