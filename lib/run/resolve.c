/* resolve.c — find a program the way execvp(3) does.
 *
 * A name containing '/' is used as is; otherwise each PATH entry is tried in
 * order (an empty entry is the current directory; PATH unset means
 * "/bin:/usr/bin", as glibc's execvp). The first executable regular file wins.
 * A candidate that exists but is not executable (or is a directory) is
 * remembered so the error is PK_EPERM rather than PK_ENOENT, like execvp's
 * EACCES. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/run.h"
#include "run_internal.h"

/* PK_OK when path is an executable regular file. */
static pk_err check_exec(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pk__err_from_errno(errno);
    if (!S_ISREG(st.st_mode))
        return PK_EPERM;
    if (access(path, X_OK) != 0)
        return PK_EPERM;
    return PK_OK;
}

pk_err pk_run_resolve(const char *prog, char **path_out)
{
    if (path_out)
        *path_out = NULL;
    if (!prog || !*prog)
        return PK_ENOENT;

    if (strchr(prog, '/')) {
        pk_err e = check_exec(prog);
        if (e == PK_OK && path_out && !(*path_out = pk_strdup(prog)))
            return PK_ENOMEM;
        return e;
    }

    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin";
    size_t plen = strlen(prog);
    pk_err worst = PK_ENOENT;
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        char *cand = pk_malloc(dlen + plen + 3);
        if (!cand)
            return PK_ENOMEM;
        if (dlen == 0)   /* an empty PATH entry means the current directory */
            snprintf(cand, dlen + plen + 3, "./%s", prog);
        else
            snprintf(cand, dlen + plen + 3, "%.*s/%s", (int)dlen, p, prog);
        pk_err e = check_exec(cand);
        if (e == PK_OK) {
            if (path_out)
                *path_out = cand;
            else
                pk_free(cand);
            return PK_OK;
        }
        pk_free(cand);
        if (e == PK_EPERM)
            worst = PK_EPERM;
        if (!end)
            break;
        p = end + 1;
    }
    return worst;
}

const char *pk__run_in_dir(const char *cwd, const char *prog, char *buf, size_t len)
{
    if (!cwd || prog[0] == '/' || !strchr(prog, '/'))
        return prog;
    int n = snprintf(buf, len, "%s/%s", cwd, prog);
    return n >= 0 && (size_t)n < len ? buf : NULL;
}
