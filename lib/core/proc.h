/* core/proc.h — run a short helper program and keep what it said.
 * (Internal toolkit; see core/buf.h.)
 *
 * For the git and build commands the library runs itself (git info, paired
 * mode's base tree): argv through posix_spawnp, no shell, stdin from
 * /dev/null, stdout and stderr into memory files, waited for. Measured
 * programs go through lib/run instead. Thread-safety: safe; the caller's
 * SIGCHLD disposition must let waitpid see the child. */
#ifndef PK_CORE_PROC_H
#define PK_CORE_PROC_H

#include <limits.h>
#include "perfkit/error.h"

#define PK__PROC_TAIL 480

typedef struct pk__proc_out {
    int status;                    /* exit status; -1 when signalled */
    char out[PATH_MAX];            /* first line of stdout (a path may be that long) */
    char tail[PK__PROC_TAIL + 1];  /* end of stderr (of stdout when stderr is empty) */
} pk__proc_out;

/* Run argv (argv[0] searched in PATH) in cwd (NULL: ours) and wait for it.
 * PK_OK when it ran (look at r->status); PK_ENOENT when the program is
 * missing; PK_EIO / PK_ENOMEM when it could not be started or waited for. */
pk_err pk__proc_run(char *const argv[], const char *cwd, pk__proc_out *r);

#endif
