/* registry.c — the metrics registry: families, children, name rules.
 *
 * Families are kept in registration order (a list), children in creation
 * order (an array per family, found by a hash of the label values then a
 * string compare). Everything here runs under the registry mutex; the hot
 * path never comes here after a child is created.
 *
 * Names follow the Prometheus data model
 * (https://prometheus.io/docs/concepts/data_model/). A new family is refused
 * when any name it exposes in either format clashes with one an existing
 * family exposes (e.g. counter `x_total` and gauge `x`, histogram `h` and
 * gauge `h_count`), since OpenMetrics parsers reject such output. */
#include "metrics/metrics_int.h"

#include <math.h>
#include <stdlib.h>

#include "core/buf.h"
#include "perfkit/alloc.h"

pk_err pk_metrics_registry_new(pk_metrics_registry **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_metrics_registry *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        pk_free(r);
        return PK_ENOMEM;
    }
    pk__metrics_registry_count(+1);
    *out = r;
    return PK_OK;
}

static void strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        pk_free(v[i]);
    pk_free(v);
}

static void child_free(struct pkm_child *ch)
{
    if (ch->slot != UINT32_MAX)
        pk__metrics_slot_release(ch->slot);
    pk__metrics_cells_free(ch);
    strv_free(ch->values, ch->fam->n_labels);
    pk_free(ch);
}

static void family_free(pk_metrics_family *f)
{
    for (size_t i = 0; i < f->n_kids; i++)
        child_free(f->kids[i]);
    pk_free(f->kids);
    strv_free(f->labels, f->n_labels);
    pk_free(f->bounds);
    pk_free(f->name);
    pk_free(f->om_name);
    pk_free(f->help);
    pk_free(f);
}

void pk_metrics_registry_free(pk_metrics_registry *r)
{
    if (!r)
        return;
    pk_metrics_family *f = r->head;
    while (f) {
        pk_metrics_family *n = f->next;
        family_free(f);
        f = n;
    }
    pthread_mutex_destroy(&r->mu);
    pk_free(r);
    pk__metrics_registry_count(-1);
}

/* ---- names ---------------------------------------------------------------------- */

static bool name_ok(const char *s, bool colon)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                     (colon && c == ':');
        if (!alpha && !(p != s && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* Every name family f may expose, in either format: base + suffixes. */
static size_t exposed(enum pkm_kind kind, const char **suffix)
{
    static const char *const counter[] = {"", "_total", "_created"};
    static const char *const hist[] = {"", "_bucket", "_sum", "_count", "_created"};
    if (kind == PKM_COUNTER) {
        memcpy(suffix, counter, sizeof counter);
        return 3;
    }
    if (kind == PKM_HISTOGRAM) {
        memcpy(suffix, hist, sizeof hist);
        return 5;
    }
    suffix[0] = "";
    return 1;
}

static bool joined_eq(const char *a, const char *as, const char *b, const char *bs)
{
    size_t al = strlen(a), bl = strlen(b), asl = strlen(as), bsl = strlen(bs);
    if (al + asl != bl + bsl)
        return false;
    /* compare the virtual strings a+as and b+bs */
    for (size_t i = 0; i < al + asl; i++) {
        char ca = i < al ? a[i] : as[i - al];
        char cb = i < bl ? b[i] : bs[i - bl];
        if (ca != cb)
            return false;
    }
    return true;
}

static bool clashes(const pk_metrics_registry *r, enum pkm_kind kind, const char *om_name)
{
    const char *ns[5], *os[5];
    size_t nn = exposed(kind, ns);
    for (const pk_metrics_family *f = r->head; f; f = f->next) {
        size_t on = exposed(f->type, os);
        for (size_t i = 0; i < nn; i++)
            for (size_t j = 0; j < on; j++)
                if (joined_eq(om_name, ns[i], f->om_name, os[j]))
                    return true;
    }
    return false;
}

pk_err pk__metrics_family_new(pk_metrics_registry *r, enum pkm_kind kind, const char *name,
                              const char *help, const char *const *labels, size_t n_labels,
                              const double *bounds, size_t n_bounds, pk_metrics_family **out)
{
    if (out)
        *out = NULL;
    if (!r || !out || !name_ok(name, true) || n_labels > PKM_MAX_LABELS ||
        (n_labels && !labels) || (n_bounds && !bounds))
        return PK_EINVAL;
    enum pkm_kind type = kind == PKM_PROCESS ? PKM_GAUGE : kind;
    for (size_t i = 0; i < n_labels; i++) {
        if (!name_ok(labels[i], false) || strncmp(labels[i], "__", 2) == 0)
            return PK_EINVAL;
        if (type == PKM_HISTOGRAM && strcmp(labels[i], "le") == 0)
            return PK_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return PK_EINVAL;
    }
    for (size_t i = 0; i < n_bounds; i++)
        if (!isfinite(bounds[i]) || (i && !(bounds[i] > bounds[i - 1])))
            return PK_EINVAL;

    pk_metrics_family *f = pk_calloc(1, sizeof *f);
    if (!f)
        return PK_ENOMEM;
    f->reg = r;
    f->kind = kind;
    f->n_labels = n_labels;
    f->name = pk_strdup(name);
    f->help = pk_strdup(help ? help : "");
    size_t nl = strlen(name);
    bool counterish = kind == PKM_COUNTER ||
                      (kind == PKM_PROCESS && ends_with(name, "_total"));
    f->om_name = counterish && ends_with(name, "_total") ? pk_strndup(name, nl - 6)
                                                        : pk_strdup(name);
    if (!f->name || !f->help || !f->om_name)
        goto nomem;
    if (n_labels) {
        f->labels = pk_calloc(n_labels, sizeof *f->labels);
        if (!f->labels)
            goto nomem;
        for (size_t i = 0; i < n_labels; i++)
            if (!(f->labels[i] = pk_strdup(labels[i])))
                goto nomem;
    }
    if (n_bounds) {
        f->bounds = pk_calloc(n_bounds, sizeof *f->bounds);
        if (!f->bounds)
            goto nomem;
        memcpy(f->bounds, bounds, n_bounds * sizeof *bounds);
        f->n_bounds = n_bounds;
    }

    pthread_mutex_lock(&r->mu);
    f->type = counterish ? PKM_COUNTER : type;
    if (!*f->om_name || clashes(r, f->type, f->om_name)) {
        pthread_mutex_unlock(&r->mu);
        family_free(f);
        return PK_EINVAL;
    }
    if (r->tail)
        r->tail->next = f;
    else
        r->head = f;
    r->tail = f;
    pthread_mutex_unlock(&r->mu);
    *out = f;
    return PK_OK;
nomem:
    family_free(f);
    return PK_ENOMEM;
}

pk_err pk_metrics_counter_family(pk_metrics_registry *r, const char *name, const char *help,
                                 const char *const *labels, size_t n_labels,
                                 pk_metrics_family **out)
{
    return pk__metrics_family_new(r, PKM_COUNTER, name, help, labels, n_labels, NULL, 0, out);
}

pk_err pk_metrics_gauge_family(pk_metrics_registry *r, const char *name, const char *help,
                               const char *const *labels, size_t n_labels,
                               pk_metrics_family **out)
{
    return pk__metrics_family_new(r, PKM_GAUGE, name, help, labels, n_labels, NULL, 0, out);
}

pk_err pk_metrics_histogram_family(pk_metrics_registry *r, const char *name, const char *help,
                                   const char *const *labels, size_t n_labels,
                                   const double *bounds, size_t n_bounds,
                                   pk_metrics_family **out)
{
    return pk__metrics_family_new(r, PKM_HISTOGRAM, name, help, labels, n_labels, bounds,
                                  n_bounds, out);
}

/* ---- children ------------------------------------------------------------------- */

static uint64_t values_hash(const char *const *v, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;   /* FNV-1a over the values, NUL-separated */
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)v[i]; *p; p++)
            h = (h ^ *p) * 0x100000001b3u;
        h = (h ^ 0xff) * 0x100000001b3u;
    }
    return h;
}

static pk_err child_get(pk_metrics_family *f, enum pkm_kind kind, const char *const *values,
                        size_t size, void **out)
{
    if (out)
        *out = NULL;
    if (!f || !out || f->kind != kind || (f->n_labels && !values))
        return PK_EINVAL;
    for (size_t i = 0; i < f->n_labels; i++)
        if (!values[i])
            return PK_EINVAL;
    uint64_t h = values_hash(values, f->n_labels);
    pk_metrics_registry *r = f->reg;
    pk_err rc = PK_ENOMEM;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < f->n_kids; i++) {
        struct pkm_child *ch = f->kids[i];
        if (ch->hash != h)
            continue;
        size_t j = 0;
        while (j < f->n_labels && strcmp(ch->values[j], values[j]) == 0)
            j++;
        if (j == f->n_labels) {
            *out = ch;
            pthread_mutex_unlock(&r->mu);
            return PK_OK;
        }
    }
    if (pk__grow((void **)&f->kids, &f->cap_kids, f->n_kids + 1, sizeof(struct pkm_child *)) !=
        PK_OK)
        goto out;
    struct pkm_child *ch = pk_calloc(1, size);
    if (!ch)
        goto out;
    ch->fam = f;
    ch->hash = h;
    ch->slot = UINT32_MAX;
    if (f->n_labels) {
        ch->values = pk_calloc(f->n_labels, sizeof *ch->values);
        if (!ch->values)
            goto fail;
        for (size_t i = 0; i < f->n_labels; i++)
            if (!(ch->values[i] = pk_strdup(values[i])))
                goto fail;
    }
    if (kind != PKM_GAUGE && pk__metrics_slot_new(&ch->slot) != PK_OK) {   /* ENOMEM */
        ch->slot = UINT32_MAX;
        goto fail;
    }
    if (kind == PKM_HISTOGRAM) {
        pk_metrics_histogram *hg = (pk_metrics_histogram *)ch;
        hg->bounds = f->bounds;
        hg->n_bounds = f->n_bounds;
    }
    f->kids[f->n_kids++] = ch;
    *out = ch;
    rc = PK_OK;
    goto out;
fail:
    child_free(ch);
    rc = PK_ENOMEM;
out:
    pthread_mutex_unlock(&r->mu);
    return rc;
}

pk_err pk_metrics_counter_get(pk_metrics_family *f, const char *const *values,
                              pk_metrics_counter **out)
{
    return child_get(f, PKM_COUNTER, values, sizeof **out, (void **)out);
}

pk_err pk_metrics_gauge_get(pk_metrics_family *f, const char *const *values,
                            pk_metrics_gauge **out)
{
    return child_get(f, PKM_GAUGE, values, sizeof **out, (void **)out);
}

pk_err pk_metrics_histogram_get(pk_metrics_family *f, const char *const *values,
                                pk_metrics_histogram **out)
{
    return child_get(f, PKM_HISTOGRAM, values, sizeof **out, (void **)out);
}

pk_err pk_metrics_add_process(pk_metrics_registry *r)
{
    if (!r)
        return PK_EINVAL;
    pthread_mutex_lock(&r->mu);
    bool had = r->has_process;
    r->has_process = true;
    pthread_mutex_unlock(&r->mu);
    if (had)
        return PK_EINVAL;
    pk_metrics_family *made[PKM_PROC_N] = {0};
    for (int i = 0; i < PKM_PROC_N; i++) {
        pk_err rc = pk__metrics_family_new(r, PKM_PROCESS, pk__metrics_proc_defs[i].name,
                                           pk__metrics_proc_defs[i].help, NULL, 0, NULL, 0,
                                           &made[i]);
        if (rc != PK_OK) {   /* unlink what this call added, newest last */
            pthread_mutex_lock(&r->mu);
            for (int j = 0; j < i; j++) {
                pk_metrics_family **pp = &r->head, *prev = NULL;
                while (*pp != made[j]) {
                    prev = *pp;
                    pp = &(*pp)->next;
                }
                *pp = made[j]->next;
                if (r->tail == made[j])
                    r->tail = prev;
                family_free(made[j]);
            }
            r->has_process = false;
            pthread_mutex_unlock(&r->mu);
            return rc;
        }
        made[i]->proc = i;
    }
    return PK_OK;
}
