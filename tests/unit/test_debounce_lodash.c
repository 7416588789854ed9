/* test_debounce_lodash.c — pk_debounce runs func exactly when lodash does:
 * 400 random timelines of calls, flushes and cancels (random wait, maxWait,
 * leading, trailing), recorded from lodash 4.17.21's debounce on a fake clock
 * (tests/data/debounce/lodash_timelines.txt; how to regenerate is in its
 * header), replayed here in poll mode on a fake clock with the same model of
 * time: before each operation at time t every timer due at or before t runs.
 * Every run of func must match: its time and whose argument it got. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/debounce.h"

#define MS PK_DEBOUNCE_MS
#define MAXOPS 256

static int64_t fake_now;
static int64_t fake_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

static int idx[MAXOPS];
static char got[8192];

static void on_fire(void *ud, const pk_debounce_fire *f)
{
    (void)ud;
    size_t n = strlen(got);
    snprintf(got + n, sizeof got - n, "%s%lld:%d", n ? " " : "", (long long)(f->now_ns / MS),
             *(const int *)f->arg);
}

static void advance(pk_debounce *d, int64_t t)
{
    int64_t next;
    for (;;) {
        cr_assert_eq(pk_debounce_poll(d, &next), PK_OK);
        if (next < 0 || next > t)
            break;
        fake_now = next;
    }
    fake_now = t;
    pk_debounce_poll(d, NULL);
}

/* Replay one recorded line; returns whether it was a timeline. */
static bool replay(char *line, int lineno)
{
    char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (line[0] == '#' || !bar2)
        return false;
    *bar1 = *bar2 = 0;
    long wait, mw;
    int leading, trailing;
    cr_assert_eq(sscanf(line, "%ld %ld %d %d", &wait, &mw, &leading, &trailing), 4);
    char *want = bar2 + 1;
    want += strspn(want, " ");
    want[strcspn(want, "\n")] = 0;
    pk_debounce_opts o;
    pk_debounce_opts_init(&o);
    o.wait_ns = wait * MS;
    o.max_wait_ns = mw < 0 ? -1 : mw * MS;
    o.leading = leading;
    o.trailing = trailing;
    o.poll = true;
    o.clock = fake_clock;
    fake_now = 0;
    got[0] = 0;
    pk_debounce *d;
    cr_assert_eq(pk_debounce_new(&o, on_fire, NULL, &d), PK_OK);
    int i = 0;
    int64_t t = 0;
    char *save = NULL;
    for (char *tok = strtok_r(bar1 + 1, " ", &save); tok && i < MAXOPS; tok = strtok_r(NULL, " ", &save), i++) {
        t = atoll(tok + 1) * MS;
        advance(d, t);
        if (tok[0] == 'c')
            pk_debounce_call(d, &idx[i]);
        else if (tok[0] == 'f')
            pk_debounce_flush(d, NULL);
        else
            pk_debounce_cancel(d);
    }
    advance(d, t + (4 * wait + 2 * (mw > 0 ? mw : 0) + 10) * MS);
    pk_debounce_free(d);
    cr_assert_str_eq(got, want, "line %d (wait %ld, maxWait %ld, leading %d, trailing %d)", lineno,
                     wait, mw, leading, trailing);
    return true;
}

Test(debounce_lodash, same_runs_as_lodash_on_recorded_timelines)
{
    for (int i = 0; i < MAXOPS; i++)
        idx[i] = i;
    const char *dir = getenv("PK_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/debounce/lodash_timelines.txt", dir && *dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    static char line[1 << 16];
    int lineno = 0, n = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (replay(line, lineno))
            n++;
    }
    fclose(f);
    cr_assert_eq(n, 400);
}
