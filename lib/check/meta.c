/* meta.c — what the gate records about a run before it starts: when, which
 * code (git commit, branch, dirty flag), which machine (and its
 * fingerprint, the key baselines are matched by), which perfkit and which
 * config (its hash).
 *
 * The time comes from core/clock.h's wall clock, so a test can fix it. Git
 * and the machine are best effort: outside a work tree, without git, or on
 * a machine that hides /proc, the fields stay empty and the gate still runs
 * (the run is then matched by an empty branch / the fingerprint of what was
 * readable). */
#include "perfkit/check.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "perfkit/gitinfo.h"
#include "perfkit/machine.h"

pk_err pk_check_meta_collect(const pk_config *c, pk_run_meta *out)
{
    if (!out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    out->started_unix_ns = pk__clock_ns(PK__CLOCK_REAL);
    pk_git_info g;
    if (pk_git_info_get(c ? c->dir : NULL, &g) == PK_OK) {
        memcpy(out->commit, g.commit, sizeof out->commit);
        snprintf(out->branch, sizeof out->branch, "%s", g.branch);
        out->dirty = g.dirty;
    }
    snprintf(out->perfkit_version, sizeof out->perfkit_version, "%s", pk_version());
    pk_machine_get(&out->machine);
    pk_machine_fingerprint(&out->machine, out->fingerprint);
    if (c)
        memcpy(out->config_hash, c->hash, sizeof out->config_hash);
    return PK_OK;
}
