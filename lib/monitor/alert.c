/* alert.c — the alert state machine: per rule, each level is one alert.
 *
 *   idle ──value at/beyond level──▶ pending ──held for_ns──▶ ACTIVE (fire)
 *     ▲          ◀──value back under level──┘                    │
 *     └──────── resolve ◀──held beyond the clear level resolve_ns┘
 *
 * The clear level sits hysteresis x |level| on the safe side of the level,
 * so a value oscillating around the level fires once and stays active; a
 * value between the clear level and the level changes nothing. Time comes
 * from the samples only (a fake clock in tests, the sampler's monotonic
 * clock in use): no hidden clock, exact to test. Never allocates after new. */
#include <math.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

typedef struct alert_state {
    bool active;
    int64_t pending_since;   /* -1: not pending */
    int64_t clearing_since;  /* -1: not clearing */
    int64_t fired_at;
} alert_state;

struct pk_monitor_alerts {
    pk_monitor_rule *rules;
    alert_state (*st)[PK_MON_NLEVELS];
    size_t n;
    pk_monitor_level worst;
};

void pk_monitor_rule_init(pk_monitor_rule *r)
{
    memset(r, 0, sizeof *r);
    r->figure = PK_MON_CPU;
    for (int l = 0; l < PK_MON_NLEVELS; l++)
        r->level[l] = NAN;
    r->hysteresis = 0.1;
    r->auto_resolve = true;
}

static bool ordered(const pk_monitor_rule *r)
{
    double prev = NAN;
    for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++) {
        double v = r->level[l];
        if (isnan(v))
            continue;
        if (!isfinite(v))
            return false;
        if (!isnan(prev) && (r->below ? v > prev : v < prev))
            return false;
        prev = v;
    }
    return true;
}

pk_err pk_monitor_alerts_new(const pk_monitor_rule *rules, size_t n, pk_monitor_alerts **out)
{
    if (!out || (n && !rules))
        return PK_EINVAL;
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned)rules[i].figure >= PK_MON_NFIGURES || !(rules[i].hysteresis >= 0) ||
            (!rules[i].below && !(rules[i].hysteresis < 1)) || !ordered(&rules[i]))
            return PK_EINVAL;
    pk_monitor_alerts *a = pk_calloc(1, sizeof *a);
    if (!a)
        return PK_ENOMEM;
    a->rules = pk_calloc(n ? n : 1, sizeof *a->rules);
    a->st = pk_calloc(n ? n : 1, sizeof *a->st);
    if (!a->rules || !a->st) {
        pk_monitor_alerts_free(a);
        return PK_ENOMEM;
    }
    if (n)
        memcpy(a->rules, rules, n * sizeof *rules);
    a->n = n;
    for (size_t i = 0; i < n; i++)
        for (int l = 0; l < PK_MON_NLEVELS; l++)
            a->st[i][l] = (alert_state){.pending_since = -1, .clearing_since = -1};
    *out = a;
    return PK_OK;
}

void pk_monitor_alerts_free(pk_monitor_alerts *a)
{
    if (!a)
        return;
    pk_free(a->rules);
    pk_free(a->st);
    pk_free(a);
}

static double clear_level(const pk_monitor_rule *r, double level)
{
    double h = r->hysteresis * fabs(level);
    return r->below ? level + h : level - h;
}

static void emit(pk_monitor_event *ev, size_t cap, size_t *k, pk_monitor_event e)
{
    if (*k < cap)
        ev[*k] = e;
    (*k)++;
}

size_t pk_monitor_alerts_update(pk_monitor_alerts *a, const pk_monitor_sample *s,
                                pk_monitor_event *ev, size_t cap)
{
    size_t k = 0;
    if (!a || !s)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const pk_monitor_rule *r = &a->rules[i];
        if (!pk_monitor_has(s, r->figure))
            continue;
        double v = s->v[r->figure];
        for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++) {
            double lv = r->level[l];
            if (isnan(lv))
                continue;
            alert_state *st = &a->st[i][l];
            pk_monitor_event e = {.rule = i, .figure = r->figure, .level = (pk_monitor_level)l,
                                  .value = v, .t_ns = s->t_ns};
            if (!st->active) {
                bool over = r->below ? v <= lv : v >= lv;
                if (!over) {
                    st->pending_since = -1;
                    continue;
                }
                if (st->pending_since < 0)
                    st->pending_since = s->t_ns;
                if ((uint64_t)(s->t_ns - st->pending_since) < r->for_ns)
                    continue;
                st->active = true;
                st->fired_at = s->t_ns;
                st->clearing_since = -1;
                if ((pk_monitor_level)l > a->worst)
                    a->worst = (pk_monitor_level)l;
                e.kind = PK_MON_FIRE;
                e.threshold = lv;
                e.since_ns = st->pending_since;
                emit(ev, cap, &k, e);
                continue;
            }
            double cl = clear_level(r, lv);
            bool clear = r->below ? v > cl : v < cl;
            if (!r->auto_resolve || !clear) {
                st->clearing_since = -1;
                continue;
            }
            if (st->clearing_since < 0)
                st->clearing_since = s->t_ns;
            if ((uint64_t)(s->t_ns - st->clearing_since) < r->resolve_ns)
                continue;
            st->active = false;
            st->pending_since = st->clearing_since = -1;
            e.kind = PK_MON_RESOLVE;
            e.threshold = cl;
            e.since_ns = st->fired_at;
            emit(ev, cap, &k, e);
        }
    }
    return k;
}

size_t pk_monitor_alerts_end(pk_monitor_alerts *a, int64_t t_ns, pk_monitor_event *ev,
                             size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; a && i < a->n; i++)
        for (int l = PK_MON_INFO; l <= PK_MON_CRITICAL; l++) {
            alert_state *st = &a->st[i][l];
            if (!st->active)
                continue;
            st->active = false;
            st->pending_since = st->clearing_since = -1;
            emit(ev, cap, &k,
                 (pk_monitor_event){.kind = PK_MON_RESOLVE, .rule = i,
                                    .figure = a->rules[i].figure,
                                    .level = (pk_monitor_level)l, .value = NAN,
                                    .threshold = clear_level(&a->rules[i], a->rules[i].level[l]),
                                    .t_ns = t_ns, .since_ns = st->fired_at});
        }
    return k;
}

bool pk_monitor_alerts_active(const pk_monitor_alerts *a, size_t rule, pk_monitor_level l)
{
    return a && rule < a->n && (unsigned)l < PK_MON_NLEVELS && a->st[rule][l].active;
}

pk_monitor_level pk_monitor_alerts_worst(const pk_monitor_alerts *a)
{
    return a ? a->worst : PK_MON_NONE;
}

size_t pk_monitor_alerts_count(const pk_monitor_alerts *a) { return a ? a->n : 0; }

const pk_monitor_rule *pk_monitor_alerts_rule(const pk_monitor_alerts *a, size_t i)
{
    return a && i < a->n ? &a->rules[i] : NULL;
}
