/* check_int.h — what the files of lib/check share (module-private).
 * Names carry the pk__check_ prefix; nothing here is public API. */
#ifndef PK_CHECK_INT_H
#define PK_CHECK_INT_H

#include "perfkit/check.h"

/* PK_OK when o->only is NULL or a benchmark name of c contains it; else
 * PK_ENOENT with diag "no benchmark matches --only `TEXT`". */
pk_err pk__check_only_matches(const pk_config *c, const pk_check_opts *o, pk_diag *diag);

#endif
