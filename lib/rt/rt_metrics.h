/* rt/rt_metrics.h — lib/rt's one way to create the series its
 * pk_*_register_metrics() calls export (internal to lib/rt). */
#ifndef PERFKIT_RT_METRICS_H
#define PERFKIT_RT_METRICS_H

#include "perfkit/error.h"
#include "perfkit/metrics.h"

/* The unlabelled series NAME+SUFFIX in r, with help, into *out: a counter,
 * a gauge, or a histogram with the registry's default buckets. The
 * registry owns it. Errors: PK_EINVAL (the full name is 256 bytes or more,
 * or the registry refuses it), PK_ENOMEM, or what pk_metrics_*_family
 * returns for a name registered before with another kind or help. */
pk_err pk__rt_ctr(pk_metrics_registry *r, const char *name, const char *suffix,
                  const char *help, pk_metrics_counter **out);
pk_err pk__rt_gauge(pk_metrics_registry *r, const char *name, const char *suffix,
                    const char *help, pk_metrics_gauge **out);
pk_err pk__rt_hist(pk_metrics_registry *r, const char *name, const char *suffix,
                   const char *help, pk_metrics_histogram **out);

#endif
