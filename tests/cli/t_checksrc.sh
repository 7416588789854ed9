# tools/checksrc.sh: each way of printing to the terminal, ending the process
# or allocating around the hook is found in lib/ .c and .h files and public
# headers, one line each; comments, strings and writers given a FILE* are not
# findings; files over 800 lines are named. Whether the real tree passes is
# `make checksrc` (in `make check`), not this test.
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
checksrc() {   # checksrc DIR
    last_cmd="tools/checksrc.sh in $1"
    set +e; (cd "$1" && sh "$root/tools/checksrc.sh") >stdout.txt 2>stderr.txt; rc=$?; set -e
}

mkdir -p t/lib/a t/lib/core t/include/perfkit t/cli t/tests/unit t/tests/helpers
cat >t/lib/a/clean.c <<'C'
/* printf("x"); exit(1); fprintf(stderr, "y"); — comments are no calls */
#include <stdio.h>
int pk__a_write(FILE *f, const char *s, int fd, const char *buf, unsigned n)
{
    fprintf(f, "stderr and stdout in a string: printf(\"%s\") exit(1)\n", s);
    fputc('"', f); fputs(s, f); putc('x', f); fwrite(s, 1, 1, f);
    char b[8]; snprintf(b, sizeof b, "%s", s);     // fprintf(stderr, ...) in a comment
    return (int)write(fd, buf, n);
}
C
printf '#include <stdlib.h>\nvoid *pk_malloc(unsigned long n) { return malloc(n); }\n' >t/lib/core/alloc.c
printf '#define PK_MAIN() int main(void) { return pk_run(stdout, \\\n    stderr); }\nint pk_run(void *o, void *e);\n' >t/include/perfkit/p.h
: >t/cli/main.c
checksrc t
expect_rc 0
expect_out '^checksrc: ok$'

cp -r t s
cat >s/lib/a/bad.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <assert.h>
void pk__a_bad(const char *fmt, va_list ap, const void *p, size_t n)
{
    fprintf(stderr, "x\n");
    fputs("x", stderr);
    fwrite(p, 1, n, stdout);
    vprintf(fmt, ap);
    vfprintf(stderr, fmt, ap);
    putc('x', stdout);
    dprintf(2, "x");
    printf("%d", 1);
    write(STDERR_FILENO, p, n);
    if (n) exit(1);
    abort();
    assert(p);
    char *q = malloc(3), *r = strdup(fmt);
    (void)q; (void)r;
}
C
printf '#define PK__A_LOG(m) \\\n    fprintf(stderr, "%%s", m)\n' >s/lib/a/a_int.h
printf 'static inline void pk_p_log(const char *s) { fputs(s, stderr); }\n' >>s/include/perfkit/p.h
awk 'BEGIN { for (i = 0; i < 801; i++) print "int x" i ";" }' >s/cli/big.c
awk 'BEGIN { for (i = 0; i < 900; i++) print "/* */" }' >s/tests/unit/helper.h
checksrc s
expect_rc 1
cat >want.txt <<'W'
checksrc: banned calls in the library:
include/perfkit/p.h:4: prints to the terminal (the library writes to a FILE* it is given): static inline void pk_p_log(const char *s) { fputs(s, stderr); }
lib/a/a_int.h:2: prints to the terminal (the library writes to a FILE* it is given): fprintf(stderr, "%s", m)
lib/a/bad.c:9: prints to the terminal (the library writes to a FILE* it is given): fprintf(stderr, "x\n");
lib/a/bad.c:10: prints to the terminal (the library writes to a FILE* it is given): fputs("x", stderr);
lib/a/bad.c:11: prints to the terminal (the library writes to a FILE* it is given): fwrite(p, 1, n, stdout);
lib/a/bad.c:12: prints to the terminal (the library writes to a FILE* it is given): vprintf(fmt, ap);
lib/a/bad.c:13: prints to the terminal (the library writes to a FILE* it is given): vfprintf(stderr, fmt, ap);
lib/a/bad.c:14: prints to the terminal (the library writes to a FILE* it is given): putc('x', stdout);
lib/a/bad.c:15: writes to file descriptor 1 or 2 (the terminal): dprintf(2, "x");
lib/a/bad.c:16: prints to the terminal (the library writes to a FILE* it is given): printf("%d", 1);
lib/a/bad.c:17: prints to the terminal (the library writes to a FILE* it is given): write(STDERR_FILENO, p, n);
lib/a/bad.c:18: ends the process (the library returns a pk_err): if (n) exit(1);
lib/a/bad.c:19: ends the process (the library returns a pk_err): abort();
lib/a/bad.c:20: ends the process (the library returns a pk_err): assert(p);
lib/a/bad.c:21: allocates around the hook (use pk_malloc & friends, perfkit/alloc.h): char *q = malloc(3), *r = strdup(fmt);
checksrc: files over 800 lines (one idea per file):
  cli/big.c (801 lines)
  tests/unit/helper.h (900 lines)
W
diff want.txt stdout.txt >diff.txt || die "checksrc output differs:
$(cat diff.txt)"

# the real tree, seeded: a store file that reports to stderr is found
mkdir real
cp -r "$root/lib" "$root/include" "$root/cli" real/
f=$(ls real/lib/store/*.c | head -n 1)
printf '\nstatic void pk__seed_log(const char *m) { fprintf(stderr, "%%s\\n", m); }\n' >>"$f"
checksrc real
expect_rc 1
expect_out "^${f#real/}:[0-9]+: prints to the terminal .*fprintf\(stderr"
