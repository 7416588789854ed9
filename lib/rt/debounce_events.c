/* debounce_events.c — the debouncer's per-window event buffer (see
 * rt/debounce_int.h): arrival-ordered records over one byte array, and for
 * dedup a linear-probing table of record indices keyed by wyhash. Growth
 * doubles; nothing is freed until pk__deb_buf_release. Also the metric
 * families of pk_debounce_register_metrics. */
#include <stdio.h>
#include <string.h>

#include "core/wyhash.h"
#include "perfkit/alloc.h"
#include "rt/debounce_int.h"
#include "rt/rt_metrics.h"

#define DEB_SEED UINT64_C(0x6a09e667f3bcc908)

static bool grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : first;
    while (n < need)
        n *= 2;
    void *q = pk_reallocarray(*p, n, elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static bool rehash(pk__deb_buf *b, size_t tcap)
{
    uint32_t *t = pk_calloc(tcap, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < b->n; i++) {
        size_t j = b->rec[i].hash & (tcap - 1);
        while (t[j])
            j = (j + 1) & (tcap - 1);
        t[j] = (uint32_t)(i + 1);
    }
    pk_free(b->tab);
    b->tab = t;
    b->tcap = tcap;
    return true;
}

pk_err pk__deb_buf_add(pk__deb_buf *b, const void *data, size_t len, bool dedup, bool *merged)
{
    *merged = false;
    uint64_t h = dedup ? pk__wyhash(data, len, DEB_SEED) : 0;
    if (dedup && b->tcap) {
        for (size_t j = h & (b->tcap - 1); b->tab[j]; j = (j + 1) & (b->tcap - 1)) {
            pk__deb_rec *r = &b->rec[b->tab[j] - 1];
            if (r->hash == h && r->len == len && (len == 0 || memcmp(b->bytes + r->off, data, len) == 0)) {
                if (r->count < UINT32_MAX)
                    r->count++;
                *merged = true;
                return PK_OK;
            }
        }
    }
    if (b->n >= UINT32_MAX - 1 || len > SIZE_MAX / 2 - b->blen)
        return PK_ENOMEM;
    if (!grow((void **)&b->rec, &b->cap, b->n + 1, sizeof *b->rec, 16) ||
        !grow((void **)&b->bytes, &b->bcap, b->blen + len, 1, 256))
        return PK_ENOMEM;
    if (dedup && (b->n + 1) * 2 > b->tcap && !rehash(b, b->tcap ? b->tcap * 2 : 32))
        return PK_ENOMEM;
    if (len)
        memcpy(b->bytes + b->blen, data, len);
    b->rec[b->n] = (pk__deb_rec){.off = b->blen, .len = len, .hash = h, .count = 1};
    b->blen += len;
    if (dedup) {
        size_t j = h & (b->tcap - 1);
        while (b->tab[j])
            j = (j + 1) & (b->tcap - 1);
        b->tab[j] = (uint32_t)(b->n + 1);
    }
    b->n++;
    return PK_OK;
}

pk_err pk__deb_buf_view(pk__deb_buf *b)
{
    if (!grow((void **)&b->out, &b->ocap, b->n, sizeof *b->out, 16))
        return PK_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        b->out[i] = (pk_debounce_event){.data = b->bytes + b->rec[i].off,
                                        .len = b->rec[i].len,
                                        .count = b->rec[i].count};
    return PK_OK;
}

void pk__deb_buf_reset(pk__deb_buf *b)
{
    if (b->tcap && b->n)
        memset(b->tab, 0, b->tcap * sizeof *b->tab);
    b->n = 0;
    b->blen = 0;
}

void pk__deb_buf_release(pk__deb_buf *b)
{
    pk_free(b->rec);
    pk_free(b->bytes);
    pk_free(b->tab);
    pk_free(b->out);
    memset(b, 0, sizeof *b);
}


pk_err pk__deb_metrics_new(pk_metrics_registry *r, const char *name, pk__deb_metrics *m)
{
    static const char *const causes[4] = {"leading", "trailing", "maxwait", "flush"};
    char full[256];
    if ((size_t)snprintf(full, sizeof full, "%s_invocations_total", name) >= sizeof full)
        return PK_EINVAL;
    pk_metrics_family *f;
    pk_err e;
    if ((e = pk__rt_ctr(r, name, "_calls_total", "Debounced calls (and event adds).",
                    &m->calls)) ||
        (e = pk_metrics_counter_family(r, full, "Runs of the debounced function, by cause.",
                                       (const char *[]){"cause"}, 1, &f)))
        return e;
    for (int i = 0; i < 4; i++)
        if ((e = pk_metrics_counter_get(f, (const char *[]){causes[i]}, &m->cause[i])))
            return e;
    if ((e = pk__rt_ctr(r, name, "_events_total", "Events handed to the function (after dedup).",
                    &m->events)) ||
        (e = pk__rt_ctr(r, name, "_merged_total", "Events merged into an equal one (dedup).",
                    &m->merged)) ||
        (e = pk__rt_gauge(r, name, "_wait_seconds", "The wait in force.", &m->wait)))
        return e;
    return PK_OK;
}
