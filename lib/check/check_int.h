/* check_int.h — what the files of lib/check share (module-private).
 * Names carry the pk__check_ prefix; nothing here is public API. */
#ifndef PK_CHECK_INT_H
#define PK_CHECK_INT_H

#include "perfkit/check.h"

/* PK_OK when o->only is NULL or a benchmark name of c contains it; else
 * PK_ENOENT with diag "no benchmark matches --only `TEXT`". */
pk_err pk__check_only_matches(const pk_config *c, const pk_check_opts *o, pk_diag *diag);

/* Whether result name ("name" or "name/inner") comes from config benchmark
 * cb. */
bool pk__check_belongs(const pk_cfg_bench *cb, const char *name);

/* The unpaired verdict of regression item it of a noisy figure against
 * history window w (unpaired.c): it->current, ->baseline (the statistic of
 * base, the pinned / named / newest run's series) and ->stat are set; this
 * sets the verdict, cmp, n_runs, spread, the baseline (the window's centre
 * unless w->fixed) and the note. co: the figure's policy. Errors:
 * PK_ENOMEM. */
pk_err pk__check_unpaired(pk_check_item *it, const pk_series *cur, const pk_series *base,
                          const pk_compare_opts *co, const pk_check_window *w);

#endif
