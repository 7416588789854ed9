/* Unit tests for spans and checkpoints (lib/trace, perfkit/trace.h). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fault.h"
#include "perfkit/flame.h"
#include "perfkit/folded.h"
#include "perfkit/trace.h"

/* ---- helpers ----------------------------------------------------------------- */

static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }

static void start_fake(void)
{
    pk_trace_opts o;
    pk_trace_opts_init(&o);
    o.clock_ns = fake_clock;
    fake_now = 0;
    cr_assert_eq(pk_trace_start(&o), PK_OK);
}

typedef pk_err (*writer)(FILE *);

/* Run a writer into memory; returns a malloc'd NUL-terminated string. */
static char *capture(writer w, pk_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    pk_err e = w(f);
    fclose(f);
    if (err)
        *err = e;
    else
        cr_assert_eq(e, PK_OK, "writer: %s", pk_strerror(e));
    return buf;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* The folded line for stack, or -1. */
static long folded_count(const char *folded, const char *stack)
{
    size_t n = strlen(stack);
    for (const char *p = folded; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, stack, n) == 0 && p[n] == ' ')
            return strtol(p + n + 1, NULL, 10);
    return -1;
}

static json_t *chrome_json(void)
{
    char *s = capture(pk_trace_write_chrome, NULL);
    json_error_t jerr;
    json_t *j = json_loads(s, 0, &jerr);
    cr_assert_not_null(j, "chrome JSON does not parse: %s (line %d)\n%s", jerr.text, jerr.line, s);
    free(s);
    return j;
}

/* Every tid's B/E events are properly nested (E names its B) and ts never
 * goes backwards; returns the number of B events, *open the marked ends. */
static long check_nesting(json_t *j, long *open)
{
    json_t *evs = json_object_get(j, "traceEvents");
    cr_assert(json_is_array(evs));
    struct { long tid; const char *st[64]; int depth; double last; } th[16];
    int nth = 0;
    long begins = 0;
    *open = 0;
    size_t i;
    json_t *ev;
    json_array_foreach(evs, i, ev) {
        const char *ph = json_string_value(json_object_get(ev, "ph"));
        cr_assert_not_null(ph);
        cr_assert(json_is_integer(json_object_get(ev, "pid")));
        cr_assert(json_is_integer(json_object_get(ev, "tid")));
        if (strcmp(ph, "B") != 0 && strcmp(ph, "E") != 0)
            continue;
        long tid = (long)json_integer_value(json_object_get(ev, "tid"));
        int k = 0;
        while (k < nth && th[k].tid != tid)
            k++;
        if (k == nth) {
            cr_assert_lt(nth, 16);
            th[nth].tid = tid;
            th[nth].depth = 0;
            th[nth].last = 0;
            nth++;
        }
        double ts = json_number_value(json_object_get(ev, "ts"));
        cr_assert_geq(ts, th[k].last, "ts goes backwards on tid %ld", tid);
        th[k].last = ts;
        const char *name = json_string_value(json_object_get(ev, "name"));
        if (ph[0] == 'B') {
            cr_assert_lt(th[k].depth, 64);
            th[k].st[th[k].depth++] = name;
            begins++;
        } else {
            cr_assert_gt(th[k].depth, 0, "E without B on tid %ld", tid);
            th[k].depth--;
            cr_assert_str_eq(th[k].st[th[k].depth], name);
            if (json_object_get(ev, "args"))
                (*open)++;
        }
    }
    for (int k = 0; k < nth; k++)
        cr_assert_eq(th[k].depth, 0, "unclosed span on tid %ld", th[k].tid);
    return begins;
}

/* ---- nesting and times --------------------------------------------------------- */

Test(trace, self_and_total_with_fake_clock)
{
    start_fake();
    pk_span_begin("outer");
    fake_now = 1000000;
    pk_span_begin("child");
    fake_now = 3000000;
    pk_span_end();
    fake_now = 5000000;
    pk_span_end();
    pk_trace_stop();
    char *folded = capture(pk_trace_write_folded, NULL);
    cr_assert_str_eq(folded, "outer 3000\nouter;child 2000\n");
    free(folded);
    cr_assert_str_eq(pk_trace_clock_name(), "custom");
}

Test(trace, span_around_sleep_contains_child)
{
    cr_assert_eq(pk_trace_start(NULL), PK_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    {
        PK_SPAN("outer");
        sleep_ms(3);
        {
            PK_SPAN("child");
            sleep_ms(2);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pk_trace_stop();
    double around_us = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    char *folded = capture(pk_trace_write_folded, NULL);
    long self = folded_count(folded, "outer"), child = folded_count(folded, "outer;child");
    /* Sleeps may overshoot on a loaded machine, never undershoot; the spans
     * fit in the time measured around them (1% + 10 µs for a TSC clock's
     * calibration and rounding) — no bound assumes an idle machine. */
    cr_assert_geq(self, 2800, "outer self %ld µs\n%s", self, folded);
    cr_assert_geq(child, 1900, "child %ld µs\n%s", child, folded);
    cr_assert_leq((double)(self + child), around_us * 1.01 + 10, "outer %ld µs in %.0f µs\n%s",
                  self + child, around_us, folded);
    free(folded);
}

Test(trace, macro_span_closes_at_scope_exit_and_nests)
{
    start_fake();
    for (int i = 0; i < 3; i++) {
        PK_SPAN("loop");
        fake_now += 1000;
        PK_SPAN("inner"); /* two guards in one scope: closed in reverse order */
        fake_now += 2000;
    }
    pk_trace_stop();
    char *folded = capture(pk_trace_write_folded, NULL);
    cr_assert_str_eq(folded, "loop 3\nloop;inner 6\n");
    free(folded);
}

Test(trace, nothing_recorded_until_started_and_no_stray_end)
{
    pk_span_begin("before");
    pk_trace_checkpoint("before");
    start_fake();
    {
        pk_trace_stop();
        PK_SPAN("while stopped");   /* not recorded: its guard must not end */
        pk_trace_start(NULL);
        pk_span_begin("a");
        fake_now = 2000;
    }                               /* the guard of "while stopped" runs here */
    pk_span_end();                  /* closes "a" */
    pk_span_end();                  /* stray: ignored at export */
    pk_trace_stop();
    json_t *j = chrome_json();
    long open;
    cr_assert_eq(check_nesting(j, &open), 1);
    cr_assert_eq(open, 0);
    json_decref(j);
    char *folded = capture(pk_trace_write_folded, NULL);
    cr_assert_str_eq(folded, "a 2\n");
    free(folded);
}

Test(trace, open_spans_are_closed_and_marked)
{
    start_fake();
    pk_span_begin("never closed");
    fake_now = 1000;
    pk_span_begin("inner open");
    fake_now = 4000;
    pk_trace_stop();  /* closed at the stop time */
    json_t *j = chrome_json();
    long open;
    cr_assert_eq(check_nesting(j, &open), 2);
    cr_assert_eq(open, 2);
    json_decref(j);
    char *sum = capture(pk_trace_write_summary, NULL);
    cr_assert_not_null(strstr(sum, "never closed*"), "%s", sum);
    cr_assert_not_null(strstr(sum, "2 spans still open"), "%s", sum);
    free(sum);
}

/* ---- threads --------------------------------------------------------------------- */

#define PAIRS 20000
static void *spans_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < PAIRS; i++) {
        pk_span_begin("t.outer");
        pk_span_begin("t.inner");
        pk_trace_counter("t.count", i);
        pk_span_end();
        pk_span_end();
    }
    return NULL;
}

Test(trace, four_threads_record_without_loss)
{
    pk_trace_opts o;
    pk_trace_opts_init(&o);
    o.chunk_events = 64;   /* many chunk refills */
    cr_assert_eq(pk_trace_start(&o), PK_OK);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, spans_thread, NULL), 0);
    /* an export while the threads record must be consistent too */
    json_t *mid = chrome_json();
    long open;
    check_nesting(mid, &open);
    json_decref(mid);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    pk_trace_stop();
    cr_assert_eq(pk_trace_dropped(), 0);
    json_t *j = chrome_json();
    cr_assert_eq(check_nesting(j, &open), 4L * 2 * PAIRS);
    cr_assert_eq(open, 0);
    json_t *other = json_object_get(j, "otherData");
    cr_assert_eq(json_integer_value(json_object_get(other, "dropped_events")), 0);
    cr_assert_eq(json_integer_value(json_object_get(other, "events")), 4L * 5 * PAIRS);
    cr_assert_eq(json_integer_value(json_object_get(other, "threads")), 4);
    json_decref(j);
    char *sum = capture(pk_trace_write_summary, NULL);
    cr_assert_not_null(strstr(sum, "4 threads, 160000 spans"), "%s", sum);
    free(sum);
}

/* ---- formats ---------------------------------------------------------------------- */

Test(trace, chrome_has_every_event_kind_and_escapes_names)
{
    start_fake();
    pk_trace_set_thread_name("tester \"one\"");
    static const char weird[] = "q\"uo\\te\ttab \xff bad \xc3\xa9";
    pk_span_begin(weird);
    fake_now = 1500;
    pk_trace_checkpoint("check");
    pk_trace_counter("depth", 2.5);
    fake_now = 2750;
    pk_span_end();
    pk_span_begin(NULL);
    pk_span_end();
    pk_trace_stop();
    json_t *j = chrome_json();
    cr_assert_str_eq(json_string_value(json_object_get(j, "schema")), "perfkit/trace/v1");
    json_t *evs = json_object_get(j, "traceEvents"), *ev;
    size_t i;
    int seen[128] = {0};
    json_array_foreach(evs, i, ev) {
        const char *ph = json_string_value(json_object_get(ev, "ph"));
        const char *name = json_string_value(json_object_get(ev, "name"));
        double ts = json_number_value(json_object_get(ev, "ts"));
        seen[(unsigned char)ph[0]]++;
        if (ph[0] == 'B' && seen['B'] == 1) {
            cr_assert_str_eq(name, "q\"uo\\te\ttab \xef\xbf\xbd bad \xc3\xa9");
            cr_assert_float_eq(ts, 0.0, 1e-9);
        }
        if (ph[0] == 'B' && seen['B'] == 2)
            cr_assert_str_eq(name, "(null)");
        if (ph[0] == 'E' && seen['E'] == 1)
            cr_assert_float_eq(ts, 2.75, 1e-9);
        if (ph[0] == 'i') {
            cr_assert_str_eq(name, "check");
            cr_assert_float_eq(ts, 1.5, 1e-9);
        }
        if (ph[0] == 'C')
            cr_assert_float_eq(json_number_value(json_object_get(json_object_get(ev, "args"), "value")),
                               2.5, 1e-12);
        if (ph[0] == 'M' && strcmp(name, "thread_name") == 0)
            cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "args"), "name")),
                             "tester \"one\"");
    }
    cr_assert_eq(seen['B'], 2);
    cr_assert_eq(seen['E'], 2);
    cr_assert_eq(seen['i'], 1);
    cr_assert_eq(seen['C'], 1);
    cr_assert_eq(seen['M'], 2);  /* thread_name + process_name */
    json_decref(j);
}

Test(trace, folded_lines_are_flamegraph_input)
{
    start_fake();
    const char *names[] = {"main", "parse;x", "lex\nnl", "parse;x"};
    for (int rep = 0; rep < 3; rep++) {
        for (int d = 0; d < 4; d++) {
            pk_span_begin(names[d]);
            fake_now += 1000 * (uint64_t)(d + 1);
        }
        for (int d = 0; d < 4; d++) {
            pk_span_end();
            fake_now += 10;
        }
    }
    pk_span_begin("tiny");  /* 0.4 µs: rounds to 0, left out */
    fake_now += 400;
    pk_span_end();
    pk_trace_stop();
    char *folded = capture(pk_trace_write_folded, NULL);
    regex_t re;
    cr_assert_eq(regcomp(&re, "^[^; \n]+(;[^; \n]+)* [1-9][0-9]*$", REG_EXTENDED | REG_NEWLINE), 0);
    int lines = 0;
    char *save = NULL, *copy = strdup(folded);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++)
        cr_assert_eq(regexec(&re, l, 0, NULL, 0), 0, "bad folded line '%s'", l);
    regfree(&re);
    free(copy);
    cr_assert_eq(lines, 4, "%s", folded);
    cr_assert_eq(folded_count(folded, "main;parse_x;lex_nl;parse_x"), 12);
    cr_assert_eq(folded_count(folded, "main;parse_x;lex_nl"), 9);
    cr_assert_eq(folded_count(folded, "main;parse_x"), 6);
    cr_assert_eq(folded_count(folded, "main"), 3);
    free(folded);
}

/* The spans' folded output renders through lib/profile's parser and flame
 * graph writer (docs/trace.md, "A flame graph of spans"): counts are µs of
 * self time, so a frame's width is its span's total time. main 10 ms =
 * 2 ms self + parse 6 ms (lex 4 ms inside) + io 2 ms. */
Test(trace, folded_renders_as_a_flame_graph)
{
    start_fake();
    pk_span_begin("main");
    fake_now += 2000000;
    pk_span_begin("parse");
    fake_now += 2000000;
    pk_span_begin("lex");
    fake_now += 4000000;
    pk_span_end();
    pk_span_end();
    pk_span_begin("io");
    fake_now += 2000000;
    pk_span_end();
    pk_span_end();
    pk_trace_stop();
    char *folded = capture(pk_trace_write_folded, NULL);
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_diag d = {0};
    cr_assert_eq(pk_folded_parse(p, NULL, folded, strlen(folded), "trace.folded", &d), PK_OK,
                 "%s", d.message);
    cr_assert_float_eq(pk_folded_total(p, 1), 10000, 1e-9);
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    o.count_name = "us";
    o.title = "spans";
    char *svg = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&svg, &len);
    cr_assert_eq(pk_flame_write_svg(p, &o, f, NULL), PK_OK);
    fclose(f);
    /* width 1200, 10 px padding each side: 1180 px for 10000 µs */
    static const char *const want[] = {
        "<title>all (10000 us, 100.00%)</title><rect x=\"10.0\" y=\"",
        "<title>main (10000 us, 100.00%)</title><rect x=\"10.0\" y=\"",
        "<title>io (2000 us, 20.00%)</title><rect x=\"10.0\" y=\"",
        "<title>parse (6000 us, 60.00%)</title><rect x=\"246.0\" y=\"",
        "<title>lex (4000 us, 40.00%)</title><rect x=\"246.0\" y=\"",
        "id=\"title\" x=\"600.0\" y=\"24.0\" text-anchor=\"middle\">spans</text>",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_expect(strstr(svg, want[i]) != NULL, "no `%s` in\n%s", want[i], svg);
    static const char *const widths[] = {"all (10000", "1180.0", "main (10000", "1180.0",
                                         "io (2000", "236.0", "parse (6000", "708.0",
                                         "lex (4000", "472.0"};
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i += 2) {
        const char *at = strstr(svg, widths[i]);
        cr_assert_not_null(at, "%s", widths[i]);
        const char *w = strstr(at, "width=\"");
        cr_assert_not_null(w);
        cr_expect(strncmp(w + 7, widths[i + 1], strlen(widths[i + 1])) == 0,
                  "%s: width %.8s, expected %s", widths[i], w + 7, widths[i + 1]);
    }
    free(svg);
    free(folded);
    pk_folded_free(p);
}

Test(trace, summary_sorted_by_self_time)
{
    start_fake();
    pk_span_begin("request");      /* total 10 ms, self 1 ms */
    pk_span_begin("db");           /* self 5 ms */
    fake_now += 5000000;
    pk_span_end();
    pk_span_begin("render");       /* self 3 ms, twice */
    fake_now += 1000000;
    pk_span_end();
    pk_span_begin("render");
    fake_now += 2000000;
    pk_span_end();
    fake_now += 1000000;
    pk_span_end();
    pk_trace_stop();
    char *sum = capture(pk_trace_write_summary, NULL);
    const char *db = strstr(sum, "\ndb "), *render = strstr(sum, "\nrender "),
               *request = strstr(sum, "\nrequest ");
    cr_assert(db && render && request, "%s", sum);
    cr_assert(db < render && render < request, "not sorted by self time:\n%s", sum);
    cr_assert_not_null(strstr(sum, "traced 9.000 ms"), "%s", sum);
    char name[32], total[16], self[16];
    long count;
    double pct;
    cr_assert_eq(sscanf(render + 1, "%31s %ld %15s %*s %15s %*s %*s %*s %*s %*s %lf%%",
                        name, &count, total, self, &pct), 5, "%s", sum);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(total, "3.000");
    cr_assert_str_eq(self, "3.000");
    cr_assert_float_eq(pct, 33.3, 0.05);
    free(sum);
}

Test(trace, recursion_counts_total_once)
{
    start_fake();
    pk_span_begin("rec");
    fake_now += 1000;
    pk_span_begin("rec");
    fake_now += 1000;
    pk_span_end();
    pk_span_end();
    pk_trace_stop();
    char *sum = capture(pk_trace_write_summary, NULL);
    const char *row = strstr(sum, "\nrec ");
    cr_assert_not_null(row, "%s", sum);
    long count;
    char total[16], self[16];
    cr_assert_eq(sscanf(row, " rec %ld %15s us %15s us", &count, total, self), 3, "%s", sum);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(total, "2.000"); /* the outer occurrence only */
    cr_assert_str_eq(self, "2.000");
    free(sum);
}

/* ---- limits and failures ------------------------------------------------------------- */

Test(trace, memory_cap_drops_and_counts)
{
    pk_trace_opts o;
    pk_trace_opts_init(&o);
    o.chunk_events = 16;
    o.max_bytes = 2048;   /* the thread buffer and a few chunks */
    o.clock_ns = fake_clock;
    cr_assert_eq(pk_trace_start(&o), PK_OK);
    pk_span_begin("outer");
    for (int i = 0; i < 1000; i++) {
        fake_now += 1000;
        pk_span_begin("inner");
        pk_span_end();
    }
    pk_span_end();
    pk_trace_stop();
    uint64_t dropped = pk_trace_dropped();
    cr_assert_gt(dropped, 0);
    json_t *j = chrome_json();
    long open, begins = check_nesting(j, &open);
    json_t *other = json_object_get(j, "otherData");
    long events = (long)json_integer_value(json_object_get(other, "events"));
    cr_assert_eq((uint64_t)json_integer_value(json_object_get(other, "dropped_events")), dropped);
    cr_assert_eq((uint64_t)events + dropped, 2002);
    cr_assert_lt(events, 2048 / 32);
    cr_assert_gt(begins, 1);
    cr_assert_geq(open, 1);  /* "outer" lost its end: closed as truncated */
    json_decref(j);
    char *sum = capture(pk_trace_write_summary, NULL);
    cr_assert_not_null(strstr(sum, "events dropped"), "%s", sum);
    free(sum);

    /* a cap below one buffer: everything dropped, exports still valid */
    pk_trace_reset();
    o.max_bytes = 1;
    cr_assert_eq(pk_trace_start(&o), PK_OK);
    for (int i = 0; i < 10; i++)
        pk_trace_checkpoint("x");
    cr_assert_eq(pk_trace_dropped(), 10);
    j = chrome_json();
    cr_assert_eq(check_nesting(j, &open), 0);
    json_decref(j);
}

Test(trace, options_are_checked)
{
    pk_trace_opts o;
    pk_trace_opts_init(&o);
    o.chunk_events = 3;
    cr_assert_eq(pk_trace_start(&o), PK_EINVAL);
    pk_trace_opts_init(&o);
    o.clock = (pk_trace_clock)7;
    cr_assert_eq(pk_trace_start(&o), PK_EINVAL);
    cr_assert_eq(pk_trace_write_chrome(NULL), PK_EINVAL);
    cr_assert_eq(pk_trace_write_folded(NULL), PK_EINVAL);
    cr_assert_eq(pk_trace_write_summary(NULL), PK_EINVAL);
    cr_assert_str_eq(pk_trace_clock_name(), "none");
}

static void record_some(void)
{
    for (int i = 0; i < 40; i++) {
        fake_now += 100;
        pk_span_begin("f.outer");
        pk_span_begin("f.inner");
        pk_trace_counter("f.c", i);
        pk_span_end();
        pk_span_end();
    }
}

/* Fail each allocation in turn (recording and exporting): events are dropped
 * or the writer says PK_ENOMEM, never a crash, and reset frees everything. */
Test(trace, every_failed_allocation_is_clean)
{
    long total = -1;
    for (long k = 0;; k++) {
        fault_arm(k);
        pk_trace_opts o;
        pk_trace_opts_init(&o);
        o.chunk_events = 16;
        o.clock_ns = fake_clock;
        cr_assert_eq(pk_trace_start(&o), PK_OK);
        record_some();
        pk_trace_stop();
        uint64_t dropped = pk_trace_dropped();
        pk_err e1, e2, e3;
        free(capture(pk_trace_write_chrome, &e1));
        free(capture(pk_trace_write_folded, &e2));
        free(capture(pk_trace_write_summary, &e3));
        cr_assert(e1 == PK_OK || e1 == PK_ENOMEM);
        cr_assert(e2 == PK_OK || e2 == PK_ENOMEM);
        cr_assert(e3 == PK_OK || e3 == PK_ENOMEM);
        long requests = fault_requests();
        pk_trace_reset();
        cr_assert_eq(fault_live(), 0, "leak when failing request %ld", k);
        fault_disarm();
        if (k >= requests) {  /* nothing failed: the whole run was clean */
            cr_assert_eq(dropped, 0);
            cr_assert(e1 == PK_OK && e2 == PK_OK && e3 == PK_OK);
            total = requests;
            break;
        }
        if (e1 == PK_OK && e2 == PK_OK && e3 == PK_OK)
            cr_assert_gt(dropped, 0, "request %ld failed yet nothing is missing", k);
    }
    cr_assert_gt(total, 5);

    /* every allocation failing: all dropped, writers fail cleanly */
    fault_arm_from(0);
    start_fake();
    record_some();
    cr_assert_eq(pk_trace_dropped(), 200);
    pk_err e;
    free(capture(pk_trace_write_folded, &e));
    cr_assert_eq(e, PK_ENOMEM);
    pk_trace_reset();
    cr_assert_eq(fault_live(), 0);
    fault_disarm();
}

Test(trace, hot_path_allocates_only_per_chunk)
{
    fault_arm(-1);
    pk_trace_opts o;
    pk_trace_opts_init(&o);
    o.chunk_events = 100;
    cr_assert_eq(pk_trace_start(&o), PK_OK);
    pk_trace_checkpoint("first");  /* thread buffer + first chunk */
    cr_assert_eq(fault_requests(), 2);
    for (int i = 0; i < 999; i++)
        pk_trace_checkpoint("more");
    cr_assert_eq(fault_requests(), 2 + 9);  /* 1000 events: 10 chunks */
    pk_trace_reset();
    cr_assert_eq(fault_live(), 0);
    fault_disarm();
}

/* ---- the compile-time switch -------------------------------------------------------- */

static const char disabled_src[] =
    "#include \"perfkit/trace.h\"\n"
    "int main(void)\n"
    "{\n"
    "    pk_trace_opts o;\n"
    "    pk_trace_opts_init(&o);\n"
    "    if (pk_trace_start(&o) != PK_OK) return 1;\n"
    "    { PK_SPAN(\"a\"); pk_span_begin(\"b\"); pk_trace_checkpoint(\"c\");\n"
    "      pk_trace_counter(\"d\", 1); pk_span_end(); }\n"
    "    pk_trace_set_thread_name(\"x\");\n"
    "    if (pk_trace_write_chrome(stdout) != PK_ENOTSUP) return 2;\n"
    "    if (pk_trace_write_folded(stdout) != PK_ENOTSUP) return 3;\n"
    "    if (pk_trace_write_summary(stdout) != PK_ENOTSUP) return 4;\n"
    "    if (pk_trace_dropped() != 0) return 5;\n"
    "    pk_trace_stop(); pk_trace_reset();\n"
    "    return 0;\n"
    "}\n";

/* With -DPK_TRACE_DISABLE a program using every call compiles warning-free,
 * links without libperfkit and references no pk_ symbol at all. */
Test(trace, disabled_build_references_nothing)
{
    char inc[PATH_MAX], dir[] = "/tmp/pk_trace_disabled_XXXXXX", cmd[3 * PATH_MAX];
    if (!realpath("include", inc) || access("include/perfkit/trace.h", R_OK) != 0)
        cr_skip_test("run from the source tree root (include/ not found)");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s/d.c", dir);
    FILE *f = fopen(cmd, "w");
    cr_assert_not_null(f);
    fputs(disabled_src, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd %s && cc -std=c17 -Wall -Wextra -Wpedantic -Werror -Wshadow -O2 "
             "-DPK_TRACE_DISABLE -I%s -c d.c -o d.o && cc -o d d.o && ./d && "
             "! nm -u d.o | grep -q pk_",
             dir, inc);
    int rc = system(cmd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(rc, 0, "disabled build failed or references trace symbols");
}
