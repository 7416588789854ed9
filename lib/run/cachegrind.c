/* cachegrind.c — deterministic instruction counts without a PMU.
 *
 * The command runs as
 *   valgrind -q --tool=cachegrind --cache-sim=no --log-file=/dev/null
 *            --vgdb=no --cachegrind-out-file=TMP -- prog args...
 * and Ir (instructions executed by the guest, dynamic linker included) is the
 * first number of the "summary:" line in TMP. valgrind passes the guest's exit
 * status (and fatal signal) through. Its own messages go to /dev/null so the
 * stderr tail is the program's: -q alone still lets cache-detection warnings
 * through even with --cache-sim=no (valgrind 3.19). The temp
 * file is created once per runner (pk__tempfile: $TMPDIR or /tmp), truncated
 * before every run so a stale count is never read, and unlinked at the end.
 * --vgdb=no: valgrind's gdbserver FIFOs (vgdb-pipe-* in $TMPDIR) would stay
 * behind whenever valgrind is killed outright (a timeout, a cancel's
 * SIGKILL); the guest's instruction count is the same without them.
 * Reference: valgrind's cg_main.c (out-file format "events:" / "summary:"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/buf.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "run_internal.h"

pk_err pk__cg_init(pk__cg *cg, char *msg, size_t msg_len)
{
    memset(cg, 0, sizeof *cg);
    pk_err e = pk_run_resolve("valgrind", &cg->valgrind);
    if (e != PK_OK) {
        snprintf(msg, msg_len, "cannot count instructions with cachegrind: %s",
                 e == PK_ENOMEM ? "out of memory" : "valgrind is not installed");
        return e == PK_ENOMEM ? PK_ENOMEM : PK_ENOENT;
    }
    char path[4096] = "";
    if ((e = pk__tempfile("perfkit-cg-", "", path, sizeof path, NULL)) != PK_OK) {
        snprintf(msg, msg_len, "cannot create temporary file %s: %s", path,
                 e == PK_EINVAL ? "name too long" : strerror(errno));
        pk__cg_free(cg);
        return e;
    }
    size_t n = strlen(path) + sizeof "--cachegrind-out-file=";
    cg->out_path = pk_strdup(path);
    cg->out_opt = pk_malloc(n);
    if (!cg->out_path || !cg->out_opt) {
        unlink(path);
        pk__cg_free(cg);
        snprintf(msg, msg_len, "out of memory");
        return PK_ENOMEM;
    }
    snprintf(cg->out_opt, n, "--cachegrind-out-file=%s", cg->out_path);
    return PK_OK;
}

void pk__cg_free(pk__cg *cg)
{
    if (cg->out_path)
        unlink(cg->out_path);
    pk_free(cg->valgrind);
    pk_free(cg->out_path);
    pk_free(cg->out_opt);
    pk_free(cg->argv);
    memset(cg, 0, sizeof *cg);
}

char *const *pk__cg_wrap(pk__cg *cg, const char *path, char *const argv[])
{
    static const char *const pre[] = {"-q", "--tool=cachegrind", "--cache-sim=no",
                                      "--log-file=/dev/null", "--vgdb=no"};
    size_t npre = sizeof pre / sizeof pre[0];
    size_t argc = 0;
    while (argv[argc])
        argc++;
    size_t need = 1 + npre + 2 + argc + 1;   /* valgrind pre.. out -- path args.. NULL */
    if (pk__grow((void **)&cg->argv, &cg->argv_cap, need, sizeof *cg->argv) != PK_OK)
        return NULL;
    size_t k = 0;
    cg->argv[k++] = cg->valgrind;
    for (size_t i = 0; i < npre; i++)
        cg->argv[k++] = (char *)pre[i];
    cg->argv[k++] = cg->out_opt;
    cg->argv[k++] = (char *)"--";
    cg->argv[k++] = (char *)path;
    for (size_t i = 1; i < argc; i++)
        cg->argv[k++] = argv[i];
    cg->argv[k] = NULL;
    /* A stale count must never be read: empty the file (or drop it). */
    if (truncate(cg->out_path, 0) != 0)
        unlink(cg->out_path);
    return cg->argv;
}

bool pk__cg_read_ir(const pk__cg *cg, uint64_t *ir)
{
    FILE *f = fopen(cg->out_path, "re");
    if (!f)
        return false;
    char line[512];
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "summary:", 8) != 0)
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(line + 8, &end, 10);
        if (end != line + 8 && errno == 0) {
            *ir = (uint64_t)v;
            found = true;
        }
        break;
    }
    fclose(f);
    return found;
}
