/* perfkit/runmeta.h — what is known about one run of the gate: when, which
 * commit and branch, on which machine, with which perfkit and config. Part of
 * the result model (lib/result): history stores it, reports print it, the
 * gate fills it (pk_check_meta_collect in check.h).
 * Thread-safety: plain data. */
#ifndef PERFKIT_RUNMETA_H
#define PERFKIT_RUNMETA_H

#include <stdbool.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/machine.h"

PK_BEGIN_DECLS

typedef struct pk_run_meta {
    int64_t id;                  /* assigned by pk_store_put_run; > 0 */
    int64_t started_unix_ns;
    char commit[41];             /* full hex commit, "" outside git */
    char branch[128];            /* "" when detached or outside git */
    bool dirty;                  /* uncommitted changes in the work tree */
    char perfkit_version[32];
    pk_machine machine;          /* as pk_machine_get; load is not stored (0 when loaded) */
    char fingerprint[17];        /* pk_machine_fingerprint */
    char config_hash[17];        /* pk_config.hash, "" when none */
} pk_run_meta;

PK_END_DECLS
#endif
