/* check_int.h — what the files of lib/check share (module-private).
 * Names carry the pk__check_ prefix; nothing here is public API. */
#ifndef PK_CHECK_INT_H
#define PK_CHECK_INT_H

#include "core/hash.h"
#include "perfkit/check.h"
#include "perfkit/params.h"

/* PK_OK when o->only is NULL or a benchmark name of c contains it; else
 * PK_ENOENT with diag "no benchmark matches --only `TEXT`". */
pk_err pk__check_only_matches(const pk_config *c, const pk_check_opts *o, pk_diag *diag);

/* The run ref (--baseline) names in history st (NULL: none yet) into *id,
 * as pk_store_resolve; a ref that matches nothing gets a message with a
 * did-you-mean from the history's branches and "latest", or the range of
 * its run ids (baseline.c). Errors: PK_ENOENT, PK_EINVAL (empty or
 * ambiguous), PK_EIO, PK_ECORRUPT. */
pk_err pk__check_resolve_ref(pk_store *st, const char *ref, int64_t *id, pk_diag *diag);

/* The concrete commands of command benchmark b: one, or one per parameter
 * value, named "<name>/<value>" (collect.c). Errors: PK_ENOMEM. */
pk_err pk__check_plan_commands(const pk_cfg_bench *b, pk_cmd_list *plan);

/* Record that benchmark name could not run (its error is msg), adding it to
 * rs when missing; the first message also goes to diag (*have_diag).
 * Errors: PK_ENOMEM. */
pk_err pk__check_record_error(pk_resultset *rs, const char *name, const char *msg,
                              pk_diag *diag, bool *have_diag);

/* Paired mode for Google Benchmark entry b (collect_gbench.c): its rounds
 * alternate the candidate's binary (current directory, into rs) and the
 * base tree's (base_cwd, into base), one repetition each; block i of each
 * side is round i. A failing base side marks base's benchmarks with its
 * error; a failing candidate records its error in rs. Errors: PK_EINTR
 * (o->stop), PK_ENOMEM, PK_EIO. */
pk_err pk__check_gbench_pair(const pk_cfg_bench *b, const pk_check_opts *o,
                             const char *base_cwd, pk_resultset *rs, pk_resultset *base,
                             pk_diag *diag, bool *have_diag);

/* creep.c: add a "creep" warning to r for every regression item whose
 * history on its baseline run's branch and meta's machine, with r's
 * current value appended, shifted past the threshold in steps each below
 * it (check.h, pk_check_warning). Only PK_ENOMEM fails (r then holds what
 * was added); an unreadable history adds nothing. */
pk_err pk__check_creep(pk_store *st, const pk_config *c, const pk_run_meta *meta,
                       pk_check_report *r);

/* Release r's warnings (pk_check_report_free). */
void pk__check_warnings_free(pk_check_report *r);

/* The status of regression item it from its comparison it->cmp, read with
 * its figure's direction (figure.h): worse → REGRESSED, better → IMPROVED;
 * no verdict but a change beyond threshold → INCONCLUSIVE (too noisy to
 * say); else PASS. The one rule of every mode (status.c). */
void pk__check_set_status(pk_check_item *it, double threshold);

/* Comparison options from a benchmark's regression policy: the defaults of
 * pk_compare_opts_init with pol's alpha, threshold (PK_THRESHOLD_AUTO left
 * for the figure table) and method (status.c). */
void pk__check_compare_opts(const pk_policy *pol, pk_compare_opts *co);

/* Whether result name ("name" or "name/inner") comes from config benchmark
 * cb (owner.c). */
bool pk__check_belongs(const pk_cfg_bench *cb, const char *name);

/* The benchmarks of a config by name, to find the one a result belongs to
 * in O(1) expected instead of scanning them all (owner.c). */
typedef struct pk__check_owners {
    const pk_config *c;   /* borrowed; NULL: no result belongs anywhere */
    pk__hash names;       /* c->benches[i].name → i */
    size_t longest;       /* the longest name's length */
} pk__check_owners;

/* Index c's benchmarks (c may be NULL). Errors: PK_ENOMEM (o is empty). */
pk_err pk__check_owners_init(pk__check_owners *o, const pk_config *c);
/* The first benchmark of the config (in its order) that result name
 * belongs to (pk__check_belongs), or NULL. */
const pk_cfg_bench *pk__check_owner(const pk__check_owners *o, const char *name);
void pk__check_owners_free(pk__check_owners *o);   /* NULL is a no-op */

/* The unpaired verdict of regression item it of a noisy figure against
 * history window w (unpaired.c): it->current, ->baseline (the statistic of
 * base, the pinned / named / newest run's series) and ->stat are set; this
 * sets the verdict, cmp, n_runs, spread, the baseline (the window's centre
 * unless w->fixed) and the note. co: the figure's policy. Errors:
 * PK_ENOMEM. */
pk_err pk__check_unpaired(pk_check_item *it, const pk_series *cur, const pk_series *base,
                          const pk_compare_opts *co, const pk_check_window *w);

#endif
