/* perfkit/gitinfo.h — which code a measurement was taken of.
 *
 * Asks git (the `git` program, run without a shell) for the commit, the
 * branch and whether the work tree has uncommitted changes to tracked files.
 * CI systems check out a detached HEAD; the branch then comes from the
 * environment: PERFKIT_BRANCH, GITHUB_HEAD_REF, GITHUB_REF_NAME,
 * CI_COMMIT_REF_NAME (GitLab), BRANCH_NAME (Jenkins), in that order.
 * Thread-safety: safe (spawns processes, touches no shared state). */
#ifndef PERFKIT_GITINFO_H
#define PERFKIT_GITINFO_H

#include <stdbool.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_git_info {
    char commit[41];    /* full hex, "" when not in a git work tree */
    char branch[128];   /* "" when unknown */
    bool dirty;
} pk_git_info;

/* Fill *out for the work tree containing dir (NULL: the current directory).
 * Outside a work tree, or without git installed, *out is empty and the
 * result is PK_ENOENT — callers usually carry on with empty fields.
 * Errors: PK_EINVAL (out NULL), PK_ENOENT, PK_EIO. */
pk_err pk_git_info_get(const char *dir, pk_git_info *out);

PK_END_DECLS
#endif
