/* proc.c — run a helper program, keep its first line and its last words
 * (core/proc.h). Output goes to memory files (memfd), so a chatty child
 * never blocks on a full pipe and nothing touches the file system; the
 * child is always reaped. */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/file.h"

extern char **environ;

/* The last len-1 bytes of memory file fd into buf. */
static void read_tail(int fd, char *buf, size_t len)
{
    buf[0] = '\0';
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0)
        return;
    size_t want = (size_t)size < len - 1 ? (size_t)size : len - 1;
    ssize_t n = pread(fd, buf, want, size - (off_t)want);
    buf[n > 0 ? n : 0] = '\0';
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
        buf[--l] = '\0';
}

pk_err pk__proc_run(char *const argv[], const char *cwd, pk__proc_out *r)
{
    memset(r, 0, sizeof *r);
    int out = memfd_create("perfkit-proc-out", MFD_CLOEXEC);
    int err = memfd_create("perfkit-proc-err", MFD_CLOEXEC);
    pk_err e = PK_OK;
    posix_spawn_file_actions_t fa;
    bool fa_ok = false;
    if (out < 0 || err < 0 || posix_spawn_file_actions_init(&fa) != 0) {
        e = pk__err_from_errno(errno);
        goto done;
    }
    fa_ok = true;
    int rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out, 1);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, err, 2);
    if (rc == 0 && cwd)
        rc = posix_spawn_file_actions_addchdir_np(&fa, cwd);
    pid_t pid;
    if (rc == 0)
        rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (rc != 0) {
        e = rc == ENOENT ? PK_ENOENT : pk__err_from_errno(rc);
        goto done;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            e = PK_EIO;
            goto done;
        }
    }
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    char line[sizeof r->out];
    ssize_t n = pread(out, line, sizeof line - 1, 0);
    line[n > 0 ? n : 0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    memcpy(r->out, line, sizeof line);
    read_tail(err, r->tail, sizeof r->tail);
    if (!r->tail[0])
        read_tail(out, r->tail, sizeof r->tail);
done:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    return e;
}
