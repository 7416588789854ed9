/* discover.c — pk_config_find: the perfkit.yml of the project a directory
 * is in, found the way git finds its repository.
 *
 * Look for perfkit.yml in the start directory, then in each parent. The
 * search ends without a find at the first of: the top of a git repository
 * (a directory holding `.git`, searched itself: a project's perfkit.yml
 * sits at or below its repository's top, never above it), a directory on
 * another filesystem than the start (a mount point, like git without
 * GIT_DISCOVERY_ACROSS_FILESYSTEM), a ceiling directory (the caller's list,
 * like GIT_CEILING_DIRECTORIES: the search never enters it), or `/`.
 * The answer is relative to the start ("perfkit.yml", "../../perfkit.yml")
 * so messages naming it stay short. Ref: git-rev-parse(1), gitrepository
 * discovery in setup.c. */
#include "perfkit/config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "perfkit/alloc.h"

#define MAX_DEPTH 64   /* ../ steps at most: PATH_MAX / 3 would be absurd */

/* Whether dir (an absolute, resolved path) is one of the colon-separated
 * ceilings (each resolved; empty entries and relative ones are skipped,
 * as git does). */
static bool is_ceiling(const char *dir, const char *ceilings)
{
    if (!ceilings)
        return false;
    const char *p = ceilings;
    while (*p) {
        size_t len = strcspn(p, ":");
        char one[PATH_MAX], real[PATH_MAX];
        if (len > 0 && len < sizeof one && p[0] == '/') {
            memcpy(one, p, len);
            one[len] = '\0';
            if (realpath(one, real) && strcmp(real, dir) == 0)
                return true;
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return false;
}

/* prefix + name into buf; false when it does not fit. */
static bool join(char *buf, size_t len, const char *prefix, const char *name)
{
    int n = snprintf(buf, len, "%s%s", prefix, name);
    return n >= 0 && (size_t)n < len;
}

pk_err pk_config_find(const char *start, const char *ceilings, char **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return PK_EINVAL;
    char prefix[3 * MAX_DEPTH + PATH_MAX] = "";   /* "", "../", "../../", ... */
    char probe[sizeof prefix + 16], real[PATH_MAX];
    if (start && start[0] && !join(prefix, sizeof prefix, start, "/"))
        return PK_EINVAL;
    struct stat st;
    if (stat(prefix[0] ? prefix : ".", &st) != 0)
        return PK_ENOENT;
    dev_t dev = st.st_dev;
    for (int depth = 0; depth <= MAX_DEPTH; depth++) {
        if (!join(probe, sizeof probe, prefix[0] ? prefix : "./", "."))
            return PK_ENOENT;
        if (!realpath(probe, real) || stat(probe, &st) != 0 || st.st_dev != dev)
            return PK_ENOENT;   /* another filesystem: not ours to search */
        if (depth > 0 && is_ceiling(real, ceilings))
            return PK_ENOENT;
        if (!join(probe, sizeof probe, prefix, "perfkit.yml"))
            return PK_ENOENT;
        if (stat(probe, &st) == 0 && !S_ISDIR(st.st_mode)) {
            *out = pk_strdup(probe);
            return *out ? PK_OK : PK_ENOMEM;
        }
        if (!join(probe, sizeof probe, prefix, ".git") || stat(probe, &st) == 0)
            return PK_ENOENT;   /* the top of the repository */
        if (strcmp(real, "/") == 0)
            return PK_ENOENT;
        size_t len = strlen(prefix);
        if (len + 3 >= sizeof prefix)
            return PK_ENOENT;
        memcpy(prefix + len, "../", 4);
    }
    return PK_ENOENT;
}
