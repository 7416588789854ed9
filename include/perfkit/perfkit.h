/* perfkit/perfkit.h — the whole libperfkit API. */
#ifndef PERFKIT_PERFKIT_H
#define PERFKIT_PERFKIT_H

#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/cancel.h"
#include "perfkit/alloc.h"
#include "perfkit/diag.h"
#include "perfkit/units.h"
#include "perfkit/shellwords.h"
#include "perfkit/termsafe.h"
#include "perfkit/machine.h"
#include "perfkit/stats.h"
#include "perfkit/figure.h"
#include "perfkit/resultset.h"
#include "perfkit/runmeta.h"
#include "perfkit/run.h"
#include "perfkit/cmdbench.h"
#include "perfkit/params.h"
#include "perfkit/format.h"
#include "perfkit/report.h"
#include "perfkit/size.h"
#include "perfkit/ingest.h"
#include "perfkit/config.h"
#include "perfkit/store.h"
#include "perfkit/gitinfo.h"
#include "perfkit/check.h"
#include "perfkit/check_write.h"
#include "perfkit/metrics.h"
#include "perfkit/bench.h"
#include "perfkit/trace.h"

#endif
