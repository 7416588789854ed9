/* monitor_child.c — the command `perfkit monitor -- CMD` starts: spawned
 * without a shell, the first sample held back until its program is mapped,
 * stopped with SIGTERM when --duration ends the watch (as timeout(1)), and
 * its exit status turned into perfkit's exit code. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"
#include "signals.h"

extern char **environ;

/* posix_spawn returns once the child's execve has swapped in the new memory
 * map, before the kernel has mapped the program into it: a sample then
 * shows rss 0 and one stack page. Wait (at most ~1 s, on a loaded machine)
 * until stat — the file the sampler reads — shows more than that page and
 * an rss above 0 (stat's rss lags statm's by the kernel's per-CPU counter
 * batches), or the child is gone. */
static void wait_exec_mapped(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < 2000; i++) {
        FILE *f = fopen(path, "r");
        if (!f)
            return;   /* gone: the sampler says so */
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        unsigned long long vsize = 0;
        long long rss = 0;
        char state = 0;
        /* after "(comm)": state, fields 4..22 of proc(5), then vsize, rss */
        if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
                                "%*d %*d %*d %*d %*u %llu %lld", &state, &vsize, &rss) != 3)
            return;
        if (state == 'Z' || state == 'X' || (vsize > (unsigned long long)page && rss > 0))
            return;
        nanosleep(&(struct timespec){0, 500000}, NULL);
    }
}

int mon_child_start(char **cmd, pid_t *out)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, environ);
    if (rc != 0) {
        cli_error("monitor", "cannot run %s: %s", cmd[0], strerror(rc));
        return rc == ENOENT || rc == EACCES ? CLI_USAGE : CLI_INTERNAL;
    }
    *out = pid;
    wait_exec_mapped(pid);
    return CLI_OK;
}

static int child_exit(int rc, int st, bool we_stopped_it);

int mon_child_status(pid_t child, int rc)
{
    int sig = cli_signal_caught(), st = 0;
    bool stopped = false;
    pid_t done = sig ? 0 : waitpid(child, &st, WNOHANG);
    if (done < 0)
        return rc;   /* not ours to wait for any more */
    if (sig) {
        kill(child, sig);
    } else if (done == 0) {
        /* --duration ended the watch while the command runs on: stop it, as
         * timeout(1) would; that is not the command failing */
        kill(child, SIGTERM);
        stopped = true;
    } else {
        return child_exit(rc, st, false);
    }
    while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    return child_exit(rc, st, stopped || sig);
}

/* The exit code after the command ended with status st. */
static int child_exit(int rc, int st, bool we_stopped_it)
{
    if (we_stopped_it)
        return rc;
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
        printf("the command exited with status %d\n", WEXITSTATUS(st));
        return rc == CLI_OK ? CLI_FAIL : rc;
    }
    if (WIFSIGNALED(st)) {
        printf("the command was killed by signal %d\n", WTERMSIG(st));
        return rc == CLI_OK ? CLI_FAIL : rc;
    }
    return rc;
}

