/* rt/filecache.c — the tiered "parse once" file cache: API, memory tier,
 * statistics and metrics (include/perfkit/filecache.h).
 *
 * The memory tier is self-contained and small: a fixed-capacity open
 * addressing table (linear probing, backward-shift deletion, sized at open
 * for max_mem_entries at load <= 1/2, so it never grows) of entries keyed by
 * XXH3-64 of (kind, path), plus a doubly linked LRU list, bounded by entries
 * and charged bytes. A value handed out is pinned by a reference count: an
 * entry evicted or invalidated while pinned leaves the table at once and is
 * freed by its last release. Each entry is one allocation (header, payload,
 * dependencies, strings), so a memory hit allocates nothing and a disk hit
 * allocates once (plus the read buffer for files over 8 KiB).
 * The disk tier (filecache_disk.c) and validation (filecache_hash.c) sit
 * behind it; docs/rt.md "File cache" has the design in prose. */
#include "rt/filecache_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/file.h"
#include "perfkit/alloc.h"

void pk_filecache_opts_init(pk_filecache_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->max_disk_bytes = (uint64_t)256 << 20;
    o->max_mem_bytes = (size_t)16 << 20;
    o->max_mem_entries = 4096;
    o->trust_ns = 0;
    o->racy_ns = 1000000000;
    o->sync = PK_FILECACHE_SYNC_NONE;
}

pk_err pk__fc_fail(pk_filecache *fc, pk_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fc->err, sizeof fc->err, fmt, ap);
    va_end(ap);
    return e;
}

const char *pk_filecache_last_error(const pk_filecache *fc)
{
    return fc ? fc->err : "";
}

/* The clock of trust windows: CLOCK_MONOTONIC_COARSE (~5 ns against ~35 for
 * CLOCK_MONOTONIC here; resolution a scheduler tick, a few ms, documented at
 * trust_ns) unless a test clock is installed. */
static int64_t trust_clock(void)
{
    if (pk__clock_hook)
        return pk__clock_ns(PK__CLOCK_MONO);
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- memory tier ---------------------------------------------------------------- */

static pk__fc_ent *mem_find(const pk_filecache *fc, uint64_t key, const char *kind, size_t kl,
                            const char *path, size_t pl)
{
    size_t mask = fc->cap - 1;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
        pk__fc_ent *e = fc->slots[i];
        if (!e)
            return NULL;
        if (e->key == key && e->path_len == pl && e->kind_len == kl &&
            memcmp(e->path, path, pl) == 0 && memcmp(e->kind, kind, kl) == 0)
            return e;
    }
}

static void gauges(pk_filecache *fc)
{
    if (fc->m_bytes_mem) {
        pk_metrics_gauge_set(fc->m_bytes_mem, (double)fc->st.mem_bytes);
        pk_metrics_gauge_set(fc->m_entries_mem, (double)fc->st.mem_entries);
        pk_metrics_gauge_set(fc->m_bytes_disk, (double)fc->st.disk_bytes);
    }
}

static void ent_free(pk__fc_ent *e) { pk_free(e); }

/* Take e out of the table and the LRU list; free it unless pinned. */
static void mem_unlink(pk_filecache *fc, pk__fc_ent *e)
{
    size_t mask = fc->cap - 1, i = e->key & mask;
    while (fc->slots[i] != e)
        i = (i + 1) & mask;
    /* backward-shift deletion: no tombstones */
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        pk__fc_ent *x = fc->slots[j];
        if (!x)
            break;
        size_t home = x->key & mask;
        bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            fc->slots[i] = x;
            i = j;
        }
    }
    fc->slots[i] = NULL;
    if (e->prev)
        e->prev->next = e->next;
    else
        fc->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        fc->tail = e->prev;
    e->prev = e->next = NULL;
    e->in_mem = false;
    fc->st.mem_entries--;
    fc->st.mem_bytes -= e->charge;
    if (e->refs == 0)
        ent_free(e);
}

static void lru_front(pk_filecache *fc, pk__fc_ent *e)
{
    if (fc->head == e)
        return;
    e->prev->next = e->next;   /* e is not the head, so it has a prev */
    if (e->next)
        e->next->prev = e->prev;
    else
        fc->tail = e->prev;
    e->prev = NULL;
    e->next = fc->head;
    fc->head->prev = e;
    fc->head = e;
}

/* Put e (not in the table, no equal key there) into the memory tier,
 * evicting from the LRU tail; false when the tier cannot hold it. */
static bool mem_insert(pk_filecache *fc, pk__fc_ent *e)
{
    if (fc->cap == 0 || e->charge > fc->o.max_mem_bytes)
        return false;
    while (fc->tail && (fc->st.mem_entries + 1 > fc->o.max_mem_entries ||
                        fc->st.mem_bytes + e->charge > fc->o.max_mem_bytes)) {
        mem_unlink(fc, fc->tail);
        pk__fc_inc(&fc->st.mem_evictions, fc->m_ev_mem);
    }
    size_t mask = fc->cap - 1, i = e->key & mask;
    while (fc->slots[i])
        i = (i + 1) & mask;
    fc->slots[i] = e;
    e->in_mem = true;
    e->prev = NULL;
    e->next = fc->head;
    if (fc->head)
        fc->head->prev = e;
    else
        fc->tail = e;
    fc->head = e;
    fc->st.mem_entries++;
    fc->st.mem_bytes += e->charge;
    return true;
}

/* ---- open / close ---------------------------------------------------------------- */

pk_err pk_filecache_open(const char *dir, const pk_filecache_opts *o, pk_filecache **out)
{
    if (out)
        *out = NULL;
    if (!dir || !*dir || !out)
        return PK_EINVAL;
    pk_filecache_opts d;
    pk_filecache_opts_init(&d);
    if (!o)
        o = &d;
    if (o->max_disk_bytes < 4096 || o->trust_ns < 0 || o->racy_ns < 0 ||
        (unsigned)o->sync > PK_FILECACHE_SYNC_FULL || o->max_mem_entries > ((size_t)1 << 28))
        return PK_EINVAL;
    pk_filecache *fc = pk_calloc(1, sizeof *fc);
    if (!fc)
        return PK_ENOMEM;
    fc->o = *o;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    fc->dir = pk_strndup(dir, n);
    fc->dir_len = n;
    pk_err e = PK_ENOMEM;
    if (!fc->dir)
        goto fail;
    if (o->max_mem_bytes > 0 && o->max_mem_entries > 0) {
        fc->cap = 16;
        while (fc->cap < 2 * o->max_mem_entries)
            fc->cap *= 2;
        fc->slots = pk_calloc(fc->cap, sizeof(pk__fc_ent *));
        if (!fc->slots)
            goto fail;
    }
    e = pk__mkdirs(fc->dir, NULL);
    if (e)
        goto fail;
    e = pk__fc_disk_scan(fc);
    if (e)
        goto fail;
    fc->err[0] = '\0';
    *out = fc;
    return PK_OK;
fail:
    pk_free(fc->slots);
    pk_free(fc->dir);
    pk_free(fc);
    return e;
}

void pk_filecache_close(pk_filecache *fc)
{
    if (!fc)
        return;
    while (fc->head)
        mem_unlink(fc, fc->head);   /* pinned entries stay until released */
    pk_free(fc->slots);
    pk_free(fc->dir);
    pk_free(fc);
}

/* ---- get / release ---------------------------------------------------------------- */

static pk_err check_args(const pk_filecache *fc, const char *path, const char *kind, size_t *pl,
                         size_t *kl)
{
    if (!fc || !path || !kind)
        return PK_EINVAL;
    *pl = strlen(path);
    *kl = strlen(kind);
    if (*pl == 0 || *pl > PK__FC_KEY_MAX || *kl > PK__FC_KEY_MAX)
        return PK_EINVAL;
    return PK_OK;
}

static pk_err miss(pk_filecache *fc)
{
    pk__fc_inc(&fc->st.misses, fc->m_miss);
    gauges(fc);
    return PK_ENOENT;
}

/* Validate e; on STALE drop it everywhere. Rewrites the entry file when a
 * tuple was refreshed (best effort: a failed rewrite only costs a rehash). */
static pk_err revalidate(pk_filecache *fc, pk__fc_ent *e, int64_t now, bool *stale)
{
    pk__fc_valid v;
    pk_err err = pk__fc_validate(fc, e, &v);
    *stale = false;
    if (err)
        return err;
    if (v == PK__FC_STALE) {
        *stale = true;
        pk__fc_inc(&fc->st.invalidations, fc->m_inval);
        (void)pk__fc_disk_remove(fc, e->kind, e->kind_len, e->path, e->path_len);
        return PK_OK;
    }
    e->checked_ns = now;
    if (e->dirty) {
        e->dirty = false;
        (void)pk__fc_disk_write(fc, e);
    }
    return PK_OK;
}

pk_err pk_filecache_get(pk_filecache *fc, const char *path, const char *kind, const void **data,
                        size_t *len)
{
    if (!data || !len)
        return PK_EINVAL;
    *data = NULL;
    *len = 0;
    size_t pl, kl;
    pk_err err = check_args(fc, path, kind, &pl, &kl);
    if (err)
        return err;
    bool stale;
    if (fc->cap) {
        uint64_t key = pk__fc_key(kind, kl, path, pl);
        pk__fc_ent *e = mem_find(fc, key, kind, kl, path, pl);
        if (e) {
            int64_t now = fc->o.trust_ns ? trust_clock() : 0;
            if (fc->o.trust_ns == 0 || now - e->checked_ns >= fc->o.trust_ns) {
                err = revalidate(fc, e, trust_clock(), &stale);
                if (err)
                    return err;
                if (stale) {
                    mem_unlink(fc, e);
                    return miss(fc);
                }
            }
            lru_front(fc, e);
            e->refs++;
            pk__fc_inc(&fc->st.mem_hits, fc->m_hit_mem);
            *data = e->data;
            *len = e->len;
            return PK_OK;
        }
    }
    pk__fc_ent *e;
    err = pk__fc_disk_read(fc, kind, kl, path, pl, &e);
    if (err == PK_ENOENT)
        return miss(fc);
    if (err)
        return err;
    err = revalidate(fc, e, trust_clock(), &stale);
    if (err || stale) {
        ent_free(e);
        return err ? err : miss(fc);
    }
    (void)mem_insert(fc, e);
    e->refs++;
    pk__fc_inc(&fc->st.disk_hits, fc->m_hit_disk);
    gauges(fc);
    *data = e->data;
    *len = e->len;
    return PK_OK;
}

void pk_filecache_release(pk_filecache *fc, const void *data)
{
    (void)fc;
    if (!data)
        return;
    pk__fc_ent *e = (pk__fc_ent *)(void *)((char *)data - offsetof(pk__fc_ent, data));
    if (--e->refs == 0 && !e->in_mem)
        ent_free(e);
}

/* ---- put / remove ------------------------------------------------------------------ */

static void drop_key(pk_filecache *fc, const char *kind, size_t kl, const char *path, size_t pl)
{
    if (!fc->cap)
        return;
    pk__fc_ent *old = mem_find(fc, pk__fc_key(kind, kl, path, pl), kind, kl, path, pl);
    if (old)
        mem_unlink(fc, old);
}

pk_err pk_filecache_put(pk_filecache *fc, const char *path, const char *kind, const void *data,
                        size_t len, const char *const *deps, size_t ndeps)
{
    size_t pl, kl;
    pk_err err = check_args(fc, path, kind, &pl, &kl);
    if (err || (!data && len) || (!deps && ndeps) || ndeps > UINT32_MAX / 2)
        return err ? err : PK_EINVAL;
    size_t stack_lens[16] = {0};
    size_t *lens = ndeps <= 16 ? stack_lens : pk_malloc(ndeps * sizeof *lens);
    if (!lens)
        return PK_ENOMEM;
    for (size_t i = 0; i < ndeps; i++) {
        lens[i] = deps[i] ? strlen(deps[i]) : 0;
        if (lens[i] == 0 || lens[i] > PK__FC_KEY_MAX) {
            if (lens != stack_lens)
                pk_free(lens);
            return PK_EINVAL;
        }
    }
    pk__fc_ent *e = pk__fc_ent_alloc(kind, kl, path, pl, len, (uint32_t)ndeps, lens);
    if (lens != stack_lens)
        pk_free(lens);
    if (!e)
        return PK_ENOMEM;
    if (len)
        memcpy(e->data, data, len);
    for (size_t i = 0; i < ndeps; i++)
        memcpy((char *)e->deps[i].path, deps[i], e->deps[i].path_len);
    bool hashed;
    err = pk__fc_tuple_take(fc, path, NULL, false, &e->t, &hashed);
    for (size_t i = 0; !err && i < ndeps; i++)
        err = pk__fc_tuple_take(fc, e->deps[i].path, NULL, true, &e->deps[i].t, &hashed);
    drop_key(fc, kind, kl, path, pl);
    if (!err)
        err = pk__fc_disk_write(fc, e);
    if (err) {
        (void)pk__fc_disk_remove(fc, kind, kl, path, pl);
        ent_free(e);
        gauges(fc);
        return err;
    }
    e->checked_ns = trust_clock();
    fc->st.puts++;
    if (!mem_insert(fc, e))
        ent_free(e);
    gauges(fc);
    return PK_OK;
}

pk_err pk_filecache_remove(pk_filecache *fc, const char *path, const char *kind)
{
    size_t pl, kl;
    pk_err err = check_args(fc, path, kind, &pl, &kl);
    if (err)
        return err;
    drop_key(fc, kind, kl, path, pl);
    err = pk__fc_disk_remove(fc, kind, kl, path, pl);
    gauges(fc);
    return err;
}

/* ---- statistics and metrics --------------------------------------------------------- */

void pk_filecache_stats_get(const pk_filecache *fc, pk_filecache_stats *out)
{
    if (!out)
        return;
    if (!fc) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = fc->st;
}

static pk_err family(pk_metrics_registry *r, bool gauge, const char *prefix, const char *suffix,
                     const char *help, bool tier, pk_metrics_family **f)
{
    char name[160];
    if ((size_t)snprintf(name, sizeof name, "%s_%s", prefix, suffix) >= sizeof name)
        return PK_EINVAL;
    static const char *const labels[] = {"tier"};
    return gauge ? pk_metrics_gauge_family(r, name, help, labels, tier ? 1 : 0, f)
                 : pk_metrics_counter_family(r, name, help, labels, tier ? 1 : 0, f);
}

static pk_err counter(pk_metrics_family *f, const char *tier, uint64_t now,
                      pk_metrics_counter **out)
{
    const char *const v[] = {tier};
    pk_err e = pk_metrics_counter_get(f, tier ? v : NULL, out);
    if (!e && now)
        pk_metrics_counter_add(*out, (double)now);
    return e;
}

pk_err pk_filecache_register_metrics(pk_filecache *fc, pk_metrics_registry *r, const char *prefix)
{
    if (!fc || !r || fc->m_hit_mem)
        return PK_EINVAL;
    if (!prefix)
        prefix = "perfkit_filecache";
    if (strlen(prefix) > 100)
        return PK_EINVAL;
    pk_metrics_family *hits, *misses, *inval, *corrupt, *ev, *bytes, *entries;
    pk_metrics_counter *hm, *hd, *mi, *in, *co, *em, *ed;
    pk_metrics_gauge *bm, *bd, *en;
    const char *const mem[] = {"memory"}, *const disk[] = {"disk"};
    pk_err e;
    if ((e = family(r, false, prefix, "hits_total", "File cache hits, by tier.", true, &hits)) ||
        (e = family(r, false, prefix, "misses_total", "File cache misses.", false, &misses)) ||
        (e = family(r, false, prefix, "invalidations_total",
                    "Entries dropped because a file they derive from changed.", false, &inval)) ||
        (e = family(r, false, prefix, "corrupt_total", "Torn or foreign entry files removed.",
                    false, &corrupt)) ||
        (e = family(r, false, prefix, "evictions_total", "Entries evicted, by tier.", true, &ev)) ||
        (e = family(r, true, prefix, "bytes", "Bytes held, by tier.", true, &bytes)) ||
        (e = family(r, true, prefix, "entries", "Entries held in memory.", true, &entries)) ||
        (e = counter(hits, "memory", fc->st.mem_hits, &hm)) ||
        (e = counter(hits, "disk", fc->st.disk_hits, &hd)) ||
        (e = counter(misses, NULL, fc->st.misses, &mi)) ||
        (e = counter(inval, NULL, fc->st.invalidations, &in)) ||
        (e = counter(corrupt, NULL, fc->st.corrupt, &co)) ||
        (e = counter(ev, "memory", fc->st.mem_evictions, &em)) ||
        (e = counter(ev, "disk", fc->st.disk_evictions, &ed)) ||
        (e = pk_metrics_gauge_get(bytes, mem, &bm)) || (e = pk_metrics_gauge_get(bytes, disk, &bd)) ||
        (e = pk_metrics_gauge_get(entries, mem, &en)))
        return e;
    fc->m_hit_mem = hm;
    fc->m_hit_disk = hd;
    fc->m_miss = mi;
    fc->m_inval = in;
    fc->m_corrupt = co;
    fc->m_ev_mem = em;
    fc->m_ev_disk = ed;
    fc->m_bytes_mem = bm;
    fc->m_bytes_disk = bd;
    fc->m_entries_mem = en;
    gauges(fc);
    return PK_OK;
}
