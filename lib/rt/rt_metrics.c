/* lib/rt/rt_metrics.c — the series behind lib/rt's register_metrics calls. */
#include "rt/rt_metrics.h"

#include <stdio.h>

typedef enum { COUNTER, GAUGE, HISTOGRAM } kind;

/* The unlabelled family NAME+SUFFIX of kind k into *f; PK_EINVAL when the
 * name does not fit. */
static pk_err family(pk_metrics_registry *r, kind k, const char *name, const char *suffix,
                     const char *help, pk_metrics_family **f)
{
    char full[256];
    if ((size_t)snprintf(full, sizeof full, "%s%s", name, suffix) >= sizeof full)
        return PK_EINVAL;
    return k == GAUGE       ? pk_metrics_gauge_family(r, full, help, NULL, 0, f)
           : k == HISTOGRAM ? pk_metrics_histogram_family(r, full, help, NULL, 0, NULL, 0, f)
                            : pk_metrics_counter_family(r, full, help, NULL, 0, f);
}

pk_err pk__rt_ctr(pk_metrics_registry *r, const char *name, const char *suffix,
                  const char *help, pk_metrics_counter **out)
{
    pk_metrics_family *f;
    pk_err e = family(r, COUNTER, name, suffix, help, &f);
    return e == PK_OK ? pk_metrics_counter_get(f, NULL, out) : e;
}

pk_err pk__rt_gauge(pk_metrics_registry *r, const char *name, const char *suffix,
                    const char *help, pk_metrics_gauge **out)
{
    pk_metrics_family *f;
    pk_err e = family(r, GAUGE, name, suffix, help, &f);
    return e == PK_OK ? pk_metrics_gauge_get(f, NULL, out) : e;
}

pk_err pk__rt_hist(pk_metrics_registry *r, const char *name, const char *suffix,
                   const char *help, pk_metrics_histogram **out)
{
    pk_metrics_family *f;
    pk_err e = family(r, HISTOGRAM, name, suffix, help, &f);
    return e == PK_OK ? pk_metrics_histogram_get(f, NULL, out) : e;
}
