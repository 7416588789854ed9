/* rt_debounce_replay.c — replays the random timelines that
 * rt_debounce_lodash.js ran through lodash 4.17.21's debounce (on stdin, one
 * per line) through pk_debounce in poll mode on a fake clock, and compares
 * func's runs — time and which call's argument — with lodash's. Same model
 * of time as the JS side: before each operation at time t, every timer due
 * at or before t runs; at the end the clock runs on until nothing is pending.
 *
 *   node rt_debounce_lodash.js DIR timelines SEED COUNT | rt_debounce_replay
 *
 * Prints each differing timeline (both run lists) and
 * "RESULT perfkit timelines <n> <differing>"; exits 1 when any differs. */
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
static char got[65536];

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
        pk_debounce_poll(d, &next);
        if (next < 0 || next > t)
            break;
        fake_now = next;
    }
    fake_now = t;
    pk_debounce_poll(d, NULL);
}

int main(void)
{
    for (int i = 0; i < MAXOPS; i++)
        idx[i] = i;
    static char line[1 << 16];
    long n = 0, bad = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        if (!bar2)
            continue;
        *bar1 = *bar2 = 0;
        long wait, mw;
        int leading, trailing;
        if (sscanf(line, "%ld %ld %d %d", &wait, &mw, &leading, &trailing) != 4)
            continue;
        const char *want = bar2 + 1;
        while (*want == ' ')
            want++;
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
        if (pk_debounce_new(&o, on_fire, NULL, &d) != PK_OK)
            return 2;
        int i = 0;
        int64_t t = 0;
        for (char *tok = strtok(bar1 + 1, " "); tok && i < MAXOPS; tok = strtok(NULL, " "), i++) {
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
        n++;
        if (strcmp(got, want) != 0) {
            if (++bad <= 5)
                printf("DIFF wait %ld maxWait %ld leading %d trailing %d\n  lodash:  %s\n  perfkit: %s\n",
                       wait, mw, leading, trailing, want, got);
        }
    }
    printf("RESULT perfkit timelines %ld %ld\n", n, bad);
    return bad ? 1 : 0;
}
