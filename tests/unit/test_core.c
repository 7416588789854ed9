/* Unit tests for lib/core's internal toolkit: buf.c (pk__grow, PK__PUSH_ROOM,
 * pk__buf), file.c (errno map, whole-file reading, glob, temp files) and
 * clock.c (the replaceable clock).
 *
 * Every allocating call is also run with each allocation failing in turn
 * (tests/unit/fault.h): it must end in PK_ENOMEM with nothing leaked. Files
 * live in a fresh directory under $TMPDIR (else /tmp), removed at the end. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/file.h"
#include "fault.h"
#include "perfkit/alloc.h"
#include "perfkit/run.h"

#define MAX PK__INPUT_CONFIG_MAX

/* ---- scratch directory ----------------------------------------------------- */

static char dir[512];

static void dir_make(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pk-core-XXXXXX", t && *t ? t : "/tmp");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void dir_remove(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
    static char buf[4][700];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(text, 1, n, f), n);
    fclose(f);
}

/* ---- buf.c: pk__grow ------------------------------------------------------------ */

Test(core_buf, grow_doubles_from_eight)
{
    int *a = NULL;
    size_t cap = 0;
    cr_assert_eq(pk__grow((void **)&a, &cap, 0, sizeof *a), PK_OK);
    cr_assert_null(a, "need 0: nothing allocated");
    cr_assert_eq(pk__grow((void **)&a, &cap, 1, sizeof *a), PK_OK);
    cr_assert_eq(cap, 8);
    cr_assert_eq(pk__grow((void **)&a, &cap, 8, sizeof *a), PK_OK);
    cr_assert_eq(cap, 8, "enough room: unchanged");
    cr_assert_eq(pk__grow((void **)&a, &cap, 9, sizeof *a), PK_OK);
    cr_assert_eq(cap, 16);
    cr_assert_eq(pk__grow((void **)&a, &cap, 100, sizeof *a), PK_OK);
    cr_assert_eq(cap, 128, "doubles until need fits");
    for (int i = 0; i < 100; i++)
        a[i] = i;   /* the room is really there (ASan would say) */
    pk_free(a);
}

Test(core_buf, push_room_appends_and_keeps_contents)
{
    size_t *v = NULL, n = 0, cap = 0;
    for (size_t i = 0; i < 1000; i++) {
        cr_assert_eq(PK__PUSH_ROOM(v, n, cap), PK_OK);
        v[n++] = i * 3;
    }
    cr_assert_eq(n, 1000);
    cr_assert_eq(cap, 1024);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], i * 3);
    pk_free(v);
}

Test(core_buf, grow_overflow_is_enomem_and_keeps_the_array)
{
    char *a = NULL;
    size_t cap = 0;
    cr_assert_eq(pk__grow((void **)&a, &cap, 10, 1), PK_OK);
    memcpy(a, "abcdefghi", 10);
    char *before = a;
    /* doubling past SIZE_MAX */
    cr_assert_eq(pk__grow((void **)&a, &cap, SIZE_MAX, 1), PK_ENOMEM);
    cr_assert_eq(a, before);
    cr_assert_eq(cap, 16);
    /* count × element size past SIZE_MAX */
    cr_assert_eq(pk__grow((void **)&a, &cap, SIZE_MAX / 8 + 1, 16), PK_ENOMEM);
    cr_assert_eq(a, before);
    cr_assert_eq(cap, 16);
    cr_assert_str_eq(a, "abcdefghi", "still valid");
    pk_free(a);
}

Test(core_buf, grow_failure_keeps_the_array)
{
    int *a = NULL;
    size_t cap = 0;
    cr_assert_eq(pk__grow((void **)&a, &cap, 8, sizeof *a), PK_OK);
    a[7] = 42;
    fault_arm(0);
    cr_assert_eq(pk__grow((void **)&a, &cap, 9, sizeof *a), PK_ENOMEM);
    fault_disarm();
    cr_assert_eq(cap, 8);
    cr_assert_eq(a[7], 42);
    pk_free(a);
}

/* ---- buf.c: pk__buf ------------------------------------------------------------- */

Test(core_buf, buf_appends_strings_bytes_and_printf)
{
    pk__buf b = {0};
    cr_assert_eq(pk__buf_puts(&b, "x="), PK_OK);
    cr_assert_eq(pk__buf_printf(&b, "%d;%s", 42, "y"), PK_OK);
    cr_assert_eq(pk__buf_add(&b, "\0z", 2), PK_OK);   /* bytes, a NUL among them */
    cr_assert_eq(b.len, 8);
    cr_assert_eq(memcmp(b.data, "x=42;y\0z", 8), 0);
    cr_assert_eq(b.data[b.len], '\0', "always NUL-terminated");
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(pk__buf_printf(&b, "[%s]", big), PK_OK);
    cr_assert_eq(b.len, 8 + 2 + sizeof big - 1);
    cr_assert_eq(b.data[b.len - 1], ']');
    char *s = pk__buf_take(&b);
    cr_assert_null(b.data, "take resets the buffer");
    cr_assert_eq(b.len, 0);
    cr_assert_eq(s[0], 'x');
    pk_free(s);

    s = pk__buf_take(&b);   /* empty: "" the caller frees, not NULL */
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "");
    pk_free(s);
    pk__buf_free(&b);   /* empty: a no-op */
}

Test(core_buf, buf_overflow_keeps_earlier_content)
{
    pk__buf b = {0};
    cr_assert_eq(pk__buf_puts(&b, "keep"), PK_OK);
    cr_assert_eq(pk__buf_add(&b, "x", SIZE_MAX - 2), PK_ENOMEM);
    cr_assert_str_eq(b.data, "keep");
    cr_assert_eq(b.len, 4);
    pk__buf_free(&b);
    cr_assert_null(b.data);
}

/* Pushes and appends with each allocation failing in turn. */
static pk_err buf_work(void)
{
    pk__buf b = {0};
    double *v = NULL;
    size_t n = 0, cap = 0;
    pk_err e = PK_OK;
    for (int i = 0; i < 100 && e == PK_OK; i++) {
        if ((e = PK__PUSH_ROOM(v, n, cap)) == PK_OK)
            v[n++] = i;
        if (e == PK_OK)
            e = pk__buf_printf(&b, "%d,", i);
        if (e == PK_OK && i % 10 == 0)
            e = pk__buf_puts(&b, "----------------------------------------");
    }
    char *s = e == PK_OK ? pk__buf_take(&b) : NULL;
    if (e == PK_OK && !s)
        e = PK_ENOMEM;
    pk_free(s);
    pk__buf_free(&b);
    pk_free(v);
    return e;
}

Test(core_buf, every_allocation_failure_is_clean)
{
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_err e = buf_work();
        long reqs = fault_requests();
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        cr_assert(e == PK_OK || e == PK_ENOMEM, "fail %ld gave %s", k, pk_strerror(e));
        if (e == PK_OK) {
            cr_assert_leq(reqs, k, "succeeded although allocation %ld failed", k);
            break;
        }
    }
    cr_assert_gt(k, 5);
}

/* ---- file.c: errno map ------------------------------------------------------------ */

Test(core_file, errno_map_is_the_one_table)
{
    cr_assert_eq(pk__err_from_errno(ENOENT), PK_ENOENT);
    cr_assert_eq(pk__err_from_errno(ENOTDIR), PK_ENOENT);
    cr_assert_eq(pk__err_from_errno(ELOOP), PK_ENOENT);
    cr_assert_eq(pk__err_from_errno(ENAMETOOLONG), PK_ENOENT);
    cr_assert_eq(pk__err_from_errno(EACCES), PK_EPERM);
    cr_assert_eq(pk__err_from_errno(EPERM), PK_EPERM);
    cr_assert_eq(pk__err_from_errno(EROFS), PK_EPERM);
    cr_assert_eq(pk__err_from_errno(EISDIR), PK_EINVAL);
    cr_assert_eq(pk__err_from_errno(ENOMEM), PK_ENOMEM);
    cr_assert_eq(pk__err_from_errno(EIO), PK_EIO);
    cr_assert_eq(pk__err_from_errno(ENOSPC), PK_EIO);
    cr_assert_eq(pk__err_from_errno(0), PK_EIO);
}

/* ---- file.c: reading ---------------------------------------------------------------- */

Test(core_file, read_regular_and_empty_files)
{
    dir_make();
    char text[10000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    write_file(in_dir("big"), text, sizeof text);
    write_file(in_dir("empty"), "", 0);
    char *s;
    size_t n;
    pk_diag d = {0};
    cr_assert_eq(pk__file_read(in_dir("big"), MAX, "tests", &s, &n, &d), PK_OK, "%s", d.message);
    cr_assert_eq(n, sizeof text);
    cr_assert_eq(memcmp(s, text, n), 0);
    cr_assert_eq(s[n], '\0');
    pk_free(s);
    cr_assert_eq(pk__file_read(in_dir("empty"), MAX, "tests", &s, &n, NULL), PK_OK);
    cr_assert_eq(n, 0);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "");
    pk_free(s);
    dir_remove();
}

/* /proc files report size 0: the buffer grows as they are read */
Test(core_file, read_proc_file)
{
    char *s;
    size_t n;
    cr_assert_eq(pk__file_read("/proc/self/status", MAX, "tests", &s, &n, NULL), PK_OK);
    cr_assert_gt(n, 0);
    cr_assert(strstr(s, "Pid:"), "%s", s);
    cr_assert_eq(strlen(s), n);
    pk_free(s);
}

/* Only regular files are inputs: a pipe, a FIFO nobody writes to (the open
 * must not wait for a writer), /dev/zero (which never ends) and a socket
 * are refused at once, by name. */
Test(core_file, read_refuses_what_is_not_a_regular_file, .timeout = 20)
{
    char *s = (char *)1;
    size_t n = 7;
    pk_diag d = {0};
    cr_assert_eq(pk__file_read("/dev/zero", MAX, "tests", &s, &n, &d), PK_EINVAL);
    cr_assert_null(s);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(d.file, "/dev/zero");
    cr_assert_str_eq(d.message, "is a character device, not a regular file");

    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(write(p[1], "{}", 2), 2);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    cr_assert_eq(pk__file_read(path, MAX, "tests", &s, &n, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "is a FIFO, not a regular file");
    close(p[0]);
    close(p[1]);

    dir_make();
    cr_assert_eq(mkfifo(in_dir("fifo"), 0600), 0);
    cr_assert_eq(pk__file_read(in_dir("fifo"), MAX, "tests", &s, &n, &d), PK_EINVAL);
    cr_assert_str_eq(d.message, "is a FIFO, not a regular file");
    int fd = 7;
    uint64_t size = 1;
    cr_assert_eq(pk__file_open(in_dir("fifo"), &fd, &size, &d), PK_EINVAL);
    cr_assert_eq(fd, -1);
    dir_remove();
}

/* A file over the caller's limit is refused before it is read (its size
 * says so) or, when it grows past the limit as read (a /proc file says 0),
 * one byte past it: memory never exceeds the limit. */
Test(core_file, read_enforces_the_size_limit)
{
    dir_make();
    char text[3000];
    memset(text, 'x', sizeof text);
    write_file(in_dir("f"), text, sizeof text);
    char *s = (char *)1;
    size_t n = 7;
    pk_diag d = {0};
    cr_assert_eq(pk__file_read(in_dir("f"), 3000, "tests", &s, &n, &d), PK_OK, "%s",
                 d.message);   /* exactly at the limit */
    cr_assert_eq(n, 3000);
    pk_free(s);
    cr_assert_eq(pk__file_read(in_dir("f"), 2999, "tests", &s, &n, &d), PK_ERANGE);
    cr_assert_null(s);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(d.file, in_dir("f"));
    cr_assert_str_eq(d.message, "3000 bytes is larger than the 2999 bytes limit for tests");
    cr_assert_eq(pk__file_read(in_dir("f"), 1024, "imports", &s, &n, &d), PK_ERANGE);
    cr_assert_str_eq(d.message, "2.9 KiB is larger than the 1 KiB limit for imports");

    /* sparse: 3 GiB said by its size, nothing read */
    int fd = open(in_dir("sparse"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)3 << 30), 0);
    close(fd);
    cr_assert_eq(pk__file_read(in_dir("sparse"), PK__INPUT_IMPORT_MAX, "imports", &s, &n, &d),
                 PK_ERANGE);
    cr_assert_str_eq(d.message, "3.0 GiB is larger than the 512 MiB limit for imports");
    dir_remove();

    /* size 0 as fstat says, more as read */
    cr_assert_eq(pk__file_read("/proc/self/maps", 100, "tests", &s, &n, &d), PK_ERANGE);
    cr_assert_null(s);
    cr_assert_str_eq(d.message, "more than 100 bytes is larger than the 100 bytes limit for tests");
}

Test(core_file, read_errors)
{
    dir_make();
    char *s = (char *)1;
    size_t n = 7;
    pk_diag d = {0};
    cr_assert_eq(pk__file_read(dir, MAX, "tests", &s, &n, &d), PK_EINVAL, "a directory");
    cr_assert_null(s);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(d.file, dir);
    cr_assert(strstr(d.message, "is a directory"), "%s", d.message);

    cr_assert_eq(pk__file_read(in_dir("missing"), MAX, "tests", &s, &n, &d), PK_ENOENT);
    cr_assert(strstr(d.message, "cannot open"), "%s", d.message);
    cr_assert_eq(pk__file_read(in_dir("missing/below"), MAX, "tests", &s, &n, NULL), PK_ENOENT);
    cr_assert_eq(pk__file_read("", MAX, "tests", &s, &n, &d), PK_EINVAL);
    cr_assert_eq(pk__file_read(NULL, MAX, "tests", &s, &n, &d), PK_EINVAL);
    cr_assert_eq(pk__file_read(in_dir("x"), MAX, "tests", NULL, &n, &d), PK_EINVAL);

    const char *locked = in_dir("locked");
    write_file(locked, "secret", 6);
    chmod(locked, 0);
    int fd = open(locked, O_RDONLY);
    if (fd < 0) {
        cr_assert_eq(pk__file_read(locked, MAX, "tests", &s, &n, &d), PK_EPERM);
        cr_assert(strstr(d.message, "cannot open"), "%s", d.message);
        dir_remove();
        return;
    }
    /* root reads anyway: try as nobody in a child (the directory is 0700) */
    close(fd);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77);
        _exit(pk__file_read(locked, MAX, "tests", &s, &n, NULL) == PK_EPERM ? 0 : 1);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    dir_remove();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        cr_skip_test("root cannot drop to nobody: an unreadable file cannot be made");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unreadable file: not PK_EPERM");
}

Test(core_file, read_every_allocation_failure_is_clean)
{
    char *s;
    size_t n;
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_diag d = {0};
        pk_err e = pk__file_read("/proc/self/maps", MAX, "tests", &s, &n, &d);   /* grows: size 0 */
        long reqs = fault_requests();
        if (e == PK_OK)
            pk_free(s);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        if (e == PK_OK) {
            cr_assert_leq(reqs, k);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM, "fail %ld gave %s", k, pk_strerror(e));
        cr_assert_null(s);
        cr_assert(strstr(d.message, "out of memory"), "%s", d.message);
    }
    cr_assert_gt(k, 0);
}

/* ---- file.c: glob ------------------------------------------------------------------ */

static void glob_tree(void)
{
    dir_make();
    write_file(in_dir("b.txt"), "b", 1);
    write_file(in_dir("a.txt"), "a", 1);
    write_file(in_dir("c.md"), "c", 1);
    write_file(in_dir("x[1].txt"), "x", 1);
    cr_assert_eq(mkdir(in_dir("d.txt"), 0755), 0);   /* a directory that matches */
}

static void expect_paths(char **p, size_t n, const char *const *want, size_t n_want)
{
    cr_assert_eq(n, n_want, "%zu paths, want %zu", n, n_want);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(p[i], in_dir(want[i]), "path %zu", i);
}

Test(core_file, glob_braces_sorted_without_directories)
{
    glob_tree();
    char **p;
    size_t n;
    cr_assert_eq(pk__glob(in_dir("{c.md,b.txt,a.txt,d.txt}"), &p, &n), PK_OK);
    expect_paths(p, n, (const char *[]){"a.txt", "b.txt", "c.md"}, 3);
    pk__glob_free(p, n);
    cr_assert_eq(pk__glob(in_dir("*.txt"), &p, &n), PK_OK);
    expect_paths(p, n, (const char *[]){"a.txt", "b.txt", "x[1].txt"}, 3);
    pk__glob_free(p, n);
    cr_assert_eq(pk__glob(in_dir("?.md"), &p, &n), PK_OK);
    expect_paths(p, n, (const char *[]){"c.md"}, 1);
    pk__glob_free(p, n);
    dir_remove();
}

Test(core_file, glob_literal_names_and_no_match)
{
    glob_tree();
    char **p = (char **)1;
    size_t n = 9;
    /* '[' in a name that exists: the name itself, not a character class */
    cr_assert(pk__glob_magic(in_dir("x[1].txt")));
    cr_assert_eq(pk__glob(in_dir("x[1].txt"), &p, &n), PK_OK);
    expect_paths(p, n, (const char *[]){"x[1].txt"}, 1);
    pk__glob_free(p, n);
    cr_assert_eq(pk__glob(in_dir("a.txt"), &p, &n), PK_OK);   /* no magic */
    expect_paths(p, n, (const char *[]){"a.txt"}, 1);
    pk__glob_free(p, n);

    cr_assert_eq(pk__glob(in_dir("*.wasm"), &p, &n), PK_ENOENT);
    cr_assert_null(p);
    cr_assert_eq(n, 0);
    cr_assert_eq(pk__glob(in_dir("nothing.txt"), &p, &n), PK_ENOENT);
    cr_assert_eq(pk__glob(in_dir("d.txt"), &p, &n), PK_ENOENT, "a directory is no file");
    cr_assert_eq(pk__glob(in_dir("d.*"), &p, &n), PK_ENOENT, "only a directory matches");
    cr_assert_eq(pk__glob(NULL, &p, &n), PK_EINVAL);
    cr_assert(!pk__glob_magic("plain.txt"));
    cr_assert(pk__glob_magic("{a,b}"));
    dir_remove();
}

Test(core_file, glob_every_allocation_failure_is_clean)
{
    glob_tree();
    long k;
    for (k = 0;; k++) {
        char **p;
        size_t n;
        fault_arm(k);
        pk_err e = pk__glob(in_dir("*.{txt,md}"), &p, &n);
        long reqs = fault_requests();
        if (e == PK_OK)
            pk__glob_free(p, n);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        if (e == PK_OK) {
            cr_assert_leq(reqs, k);
            cr_assert_eq(n, 4);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM, "fail %ld gave %s", k, pk_strerror(e));
    }
    cr_assert_gt(k, 3);
    dir_remove();
}

/* ---- file.c: temporary files --------------------------------------------------------- */

Test(core_file, tempfile_prefix_suffix_and_tmpdir)
{
    dir_make();
    setenv("TMPDIR", dir, 1);
    char path[1024];
    int fd;
    cr_assert_eq(pk__tempfile("pk-test-", ".json", path, sizeof path, &fd), PK_OK);
    cr_assert_geq(fd, 0);
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "close-on-exec");
    size_t dl = strlen(dir), pl = strlen(path);
    cr_assert_eq(strncmp(path, dir, dl), 0, "%s", path);
    cr_assert_eq(strncmp(path + dl, "/pk-test-", 9), 0, "%s", path);
    cr_assert_eq(pl, dl + 9 + 6 + 5, "%s", path);
    cr_assert_str_eq(path + pl - 5, ".json");
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_size, 0);
    close(fd);

    char path2[1024];
    cr_assert_eq(pk__tempfile("pk-test-", NULL, path2, sizeof path2, NULL), PK_OK);
    cr_assert_str_neq(path, path2, "a new name each time");
    cr_assert_eq(access(path2, F_OK), 0, "created, then closed");

    char small[16];
    cr_assert_eq(pk__tempfile("a-rather-long-prefix-", ".json", small, sizeof small, &fd),
                 PK_EINVAL);
    cr_assert_eq(fd, -1);
    setenv("TMPDIR", in_dir("missing"), 1);
    cr_assert_eq(pk__tempfile("x", "", path, sizeof path, NULL), PK_EIO);
    unsetenv("TMPDIR");
    dir_remove();
}

/* ---- clock.c ------------------------------------------------------------------------ */

Test(core_clock, system_clocks)
{
    int64_t a = pk__clock_ns(PK__CLOCK_MONO), b = pk__clock_ns(PK__CLOCK_MONO);
    cr_assert_gt(a, 0);
    cr_assert_geq(b, a, "monotonic");
    int64_t real = pk__clock_ns(PK__CLOCK_REAL);
    int64_t now = (int64_t)time(NULL);
    cr_assert(real / 1000000000 >= now - 1 && real / 1000000000 <= now + 1, "wall calendar");
    cr_assert_gt(pk__clock_ns(PK__CLOCK_CPU), 0, "process CPU time (startup used some)");
    cr_assert_eq(pk__clock_ns((pk__clock_id)7), 0, "unknown clock: 0");
}

typedef struct fake {
    int64_t t, step;
    int calls[3];
} fake;

static int64_t fake_clock(void *ud, pk__clock_id id)
{
    fake *f = ud;
    f->calls[id]++;
    return f->t += f->step;
}

Test(core_clock, hook_replaces_every_clock_until_removed)
{
    fake f = {1000, 10, {0}};
    pk__clock_set(fake_clock, &f);
    cr_assert_eq(pk__clock_ns(PK__CLOCK_MONO), 1010);
    cr_assert_eq(pk__clock_ns(PK__CLOCK_REAL), 1020);
    cr_assert_eq(pk__clock_ns(PK__CLOCK_CPU), 1030);
    cr_assert_eq(f.calls[PK__CLOCK_MONO], 1);
    cr_assert_eq(f.calls[PK__CLOCK_CPU], 1);
    pk__clock_set(NULL, &f);
    cr_assert_gt(pk__clock_ns(PK__CLOCK_REAL), 1000000000000000000, "the system clock again");
    cr_assert_eq(f.calls[PK__CLOCK_REAL], 1);
}

/* The hook reaches the modules: a command's wall time is two reads of the
 * monotonic clock, so a fake clock makes it exact. */
Test(core_clock, hook_makes_a_measured_run_exact)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.counters = false;
    pk_runner *r;
    cr_assert_eq(pk_runner_new(&o, &r), PK_OK);
    fake f = {5000000, 1234567, {0}};
    pk__clock_set(fake_clock, &f);
    char *argv[] = {(char *)"true", NULL};
    pk_run_result res;
    pk_err e = pk_runner_run(r, argv, &res);
    pk__clock_set(NULL, NULL);
    cr_assert_eq(e, PK_OK, "%s", pk_runner_last_error(r));
    cr_assert_eq(res.wall_ns, 1234567);
    cr_assert_eq(f.calls[PK__CLOCK_MONO], 2);
    pk_runner_free(r);
}
