/* rt/cache_wheel.c — the cache's TTL timer wheel (one per shard, under its lock).
 *
 * A hierarchical timing wheel (Varghese & Lauck, "Hashed and hierarchical
 * timing wheels", SOSP 1987; the layout of Linux's classic timer wheel): 4
 * levels of 64 slots over ticks of 2^20 ns; an entry due in d ticks sits in
 * level l where 64^l <= d < 64^(l+1) (beyond 64^4 ticks, ~4.9 h, in the last
 * level's farthest slot), at the slot of its due tick's level-l digit. When
 * tick t is processed, the slots of the higher levels that start at t are
 * cascaded (their entries re-added relative to t, each entry at most 4 times
 * in its life) and then level 0's slot of t holds exactly the entries due at
 * t. An insertion processes the ticks that have fully passed; pk_cache_expire
 * also the entries of the current tick whose time has come, so expiry is
 * exact to the nanosecond. A gap of more than 4096 ticks rebuilds the wheel
 * from the entry records in one pass instead of walking every tick. */
#include <string.h>

#include "rt/cache_int.h"

#define LEVEL_BITS 6

static void link_head(pk__cache_shard *s, uint32_t i, unsigned level, unsigned slot)
{
    pk__cache_node *n = &s->nodes[i];
    uint32_t *head = &s->wheel[level][slot];
    n->wprev = 0;
    n->wnext = *head;
    if (*head)
        s->nodes[*head].wprev = i;
    *head = i;
    n->wslot = (uint16_t)(level * PK__CACHE_WHEEL_SLOTS + slot + 1);
    s->wheel_count++;
}

void pk__cache_wheel_add(pk__cache_shard *s, uint32_t i)
{
    int64_t exp = atomic_load_explicit(&s->nodes[i].blob->expire_ns, memory_order_relaxed);
    int64_t et = exp >> PK__CACHE_TICK_SHIFT, cur = s->cur_tick;
    if (et < cur)
        et = cur;
    uint64_t d = (uint64_t)(et - cur);
    const uint64_t span = UINT64_C(1) << (LEVEL_BITS * PK__CACHE_WHEEL_LEVELS);
    if (d >= span) {
        d = span - 1;
        et = cur + (int64_t)d;
    }
    unsigned level = 0;
    while (level + 1 < PK__CACHE_WHEEL_LEVELS && d >= (UINT64_C(1) << (LEVEL_BITS * (level + 1))))
        level++;
    unsigned slot = (unsigned)((uint64_t)et >> (LEVEL_BITS * level)) & (PK__CACHE_WHEEL_SLOTS - 1);
    link_head(s, i, level, slot);
}

void pk__cache_wheel_del(pk__cache_shard *s, uint32_t i)
{
    pk__cache_node *n = &s->nodes[i];
    unsigned w = n->wslot - 1u;
    uint32_t *head = &s->wheel[w / PK__CACHE_WHEEL_SLOTS][w % PK__CACHE_WHEEL_SLOTS];
    if (n->wprev)
        s->nodes[n->wprev].wnext = n->wnext;
    else
        *head = n->wnext;
    if (n->wnext)
        s->nodes[n->wnext].wprev = n->wprev;
    n->wprev = n->wnext = 0;
    n->wslot = 0;
    s->wheel_count--;
}

/* Re-add the entries of the level-l slots that start at tick t (cur_tick == t). */
static void cascade(pk__cache_shard *s, int64_t t)
{
    for (unsigned l = 1; l < PK__CACHE_WHEEL_LEVELS; l++) {
        if ((uint64_t)t & ((UINT64_C(1) << (LEVEL_BITS * l)) - 1))
            break;
        unsigned slot = (unsigned)((uint64_t)t >> (LEVEL_BITS * l)) & (PK__CACHE_WHEEL_SLOTS - 1);
        uint32_t i = s->wheel[l][slot];
        s->wheel[l][slot] = 0;
        while (i) {
            pk__cache_node *n = &s->nodes[i];
            uint32_t nx = n->wnext;
            n->wslot = 0;
            n->wprev = n->wnext = 0;
            s->wheel_count--;
            pk__cache_wheel_add(s, i);
            i = nx;
        }
    }
}

static void expire_one(pk_cache *c, pk__cache_shard *s, uint32_t i, pk__cache_retired *r)
{
    pk__cache_detach(c, s, i, PK_CACHE_EXPIRED, r);
    s->expirations++;
    if (c->m)
        pk_metrics_counter_inc(c->m->expirations);
}

static size_t rebuild(pk_cache *c, pk__cache_shard *s, int64_t now_ns, bool exact,
                      pk__cache_retired *r)
{
    int64_t now_tick = now_ns >> PK__CACHE_TICK_SHIFT;
    memset(s->wheel, 0, sizeof s->wheel);
    s->wheel_count = 0;
    s->cur_tick = now_tick;
    size_t n = 0;
    for (uint32_t i = 1; i <= s->node_cap; i++) {
        pk__cache_node *nd = &s->nodes[i];
        if (!nd->wslot)
            continue;
        nd->wslot = 0;
        nd->wprev = nd->wnext = 0;
        int64_t exp = atomic_load_explicit(&nd->blob->expire_ns, memory_order_relaxed);
        if ((exp >> PK__CACHE_TICK_SHIFT) < now_tick || (exact && exp <= now_ns)) {
            expire_one(c, s, i, r);
            n++;
        } else {
            pk__cache_wheel_add(s, i);
        }
    }
    return n;
}

size_t pk__cache_wheel_advance(pk_cache *c, pk__cache_shard *s, int64_t now_ns, bool exact,
                               pk__cache_retired *r)
{
    int64_t now_tick = now_ns >> PK__CACHE_TICK_SHIFT;
    size_t n = 0;
    pk__cache_write_begin(s);
    if (now_tick - s->cur_tick > 4096) {
        n = rebuild(c, s, now_ns, exact, r);
        pk__cache_write_end(s);
        return n;
    }
    for (int64_t t = s->cur_tick; t < now_tick; t++) {
        s->cur_tick = t;
        cascade(s, t);
        uint32_t *head = &s->wheel[0][(uint64_t)t & (PK__CACHE_WHEEL_SLOTS - 1)];
        while (*head) {
            expire_one(c, s, *head, r);
            n++;
        }
    }
    if (now_tick > s->cur_tick)
        s->cur_tick = now_tick;
    if (exact && now_tick == s->cur_tick) {
        cascade(s, now_tick);
        uint32_t i = s->wheel[0][(uint64_t)now_tick & (PK__CACHE_WHEEL_SLOTS - 1)];
        while (i) {
            uint32_t nx = s->nodes[i].wnext;
            if (atomic_load_explicit(&s->nodes[i].blob->expire_ns, memory_order_relaxed) <=
                now_ns) {
                expire_one(c, s, i, r);
                n++;
            }
            i = nx;
        }
    }
    pk__cache_write_end(s);
    return n;
}
