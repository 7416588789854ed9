/* lib/rt/rt_metrics.c — the series behind lib/rt's register_metrics calls. */
#include "rt/rt_metrics.h"

#include <stdio.h>

/* NAME+SUFFIX into full; PK_EINVAL when it does not fit. */
static pk_err full_name(char (*full)[256], const char *name, const char *suffix)
{
    return (size_t)snprintf(*full, sizeof *full, "%s%s", name, suffix) >= sizeof *full ? PK_EINVAL
                                                                                       : PK_OK;
}

pk_err pk__rt_ctr(pk_metrics_registry *r, const char *name, const char *suffix,
                  const char *help, pk_metrics_counter **out)
{
    char full[256];
    pk_metrics_family *f;
    pk_err e = full_name(&full, name, suffix);
    if (e == PK_OK)
        e = pk_metrics_counter_family(r, full, help, NULL, 0, &f);
    return e == PK_OK ? pk_metrics_counter_get(f, NULL, out) : e;
}

pk_err pk__rt_gauge(pk_metrics_registry *r, const char *name, const char *suffix,
                    const char *help, pk_metrics_gauge **out)
{
    char full[256];
    pk_metrics_family *f;
    pk_err e = full_name(&full, name, suffix);
    if (e == PK_OK)
        e = pk_metrics_gauge_family(r, full, help, NULL, 0, &f);
    return e == PK_OK ? pk_metrics_gauge_get(f, NULL, out) : e;
}

pk_err pk__rt_hist(pk_metrics_registry *r, const char *name, const char *suffix,
                   const char *help, pk_metrics_histogram **out)
{
    char full[256];
    pk_metrics_family *f;
    pk_err e = full_name(&full, name, suffix);
    if (e == PK_OK)
        e = pk_metrics_histogram_family(r, full, help, NULL, 0, NULL, 0, &f);
    return e == PK_OK ? pk_metrics_histogram_get(f, NULL, out) : e;
}
