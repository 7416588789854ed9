#!/bin/sh
# checksrc: keep banned calls out of the library (curl style). libperfkit
# never prints, exits or aborts, and allocates only through pk_malloc &
# friends (lib/core/alloc.c is the one place that calls the C allocator).
#
# Scans lib/*/*.c, lib/*/*.h and include/perfkit/*.h with comments and string
# literals blanked out, so a word in a message or a comment is no call:
#   - printing to the terminal: any use of stdout, stderr, STDOUT_FILENO or
#     STDERR_FILENO (fprintf(stderr, ...), fputs(s, stdout), fwrite(..,
#     stderr), vfprintf(stderr, ...), putc(c, stdout), fflush(stdout), ...),
#     printf, vprintf, puts, putchar, perror, dprintf/write to fd 1 or 2,
#     err/warn/error (err.h, error.h) and syslog. A writer given the caller's
#     FILE* (fprintf(f, ...)) is fine. A macro of a public header expands in
#     the caller's program (PK_BENCH_MAIN's main()), so #define lines of
#     include/perfkit/*.h may name stdout and stderr, and so may a line of
#     a fork()ed child that says "forked child" (dup2 onto the child's own
#     STDOUT_FILENO, before its exec);
#   - ending the process: exit, _exit, _Exit, quick_exit, abort, assert
#     (a fork()ed child that failed to exec ends with _exit on a line that
#     says "forked child": that is the child's process, not the caller's);
#   - allocating around the hook: malloc, calloc, realloc, reallocarray,
#     aligned_alloc, posix_memalign, strdup, strndup, asprintf, vasprintf,
#     getline, getdelim, open_memstream (except in lib/core/alloc.c).
# And no file over 800 lines in lib/, cli/, include/, tests/unit/*.h and
# tests/helpers/ (one idea per file).
#
# Prints one line per finding, FILE:LINE: what: the code, and exits 1 when
# there is any. Environment: ROOT (.) — the tree to scan.
set -u
cd "${ROOT:-.}" || exit 2
rc=0

# shellcheck disable=SC2046
hits=$(awk '
FNR == 1 { incomment = 0; cont = 0; pub = (FILENAME ~ /^include\/perfkit\//) }
{
    raw = $0; s = $0; out = ""; n = length(s); i = 1
    # blank comments, string and character literals; keep everything else
    while (i <= n) {
        c = substr(s, i, 1)
        if (incomment) {
            if (substr(s, i, 2) == "*/") { incomment = 0; i += 2; out = out "  " } else { i++; out = out " " }
            continue
        }
        if (substr(s, i, 2) == "/*") { incomment = 1; i += 2; out = out "  "; continue }
        if (substr(s, i, 2) == "//") break
        if (c == "\"" || c == "\047") {
            q = c; out = out q; i++
            while (i <= n && substr(s, i, 1) != q) { if (substr(s, i, 1) == "\\") i++; i++ }
            out = out q; i++; continue
        }
        out = out c; i++
    }
    macro = cont || out ~ /^[ \t]*#[ \t]*define/
    cont = macro && raw ~ /\\$/
    code = " " out " "
    where = FILENAME ":" FNR ": "
    text = raw; gsub(/^[ \t]+|[ \t]+$/, "", text)
    if (code ~ /[^A-Za-z0-9_](stdout|stderr|STDOUT_FILENO|STDERR_FILENO)[^A-Za-z0-9_]/ && !(pub && macro) &&
        !(raw ~ /\/\* forked child/))
        print where "prints to the terminal (the library writes to a FILE* it is given): " text
    else if (code ~ /[^A-Za-z0-9_.>](printf|vprintf|puts|putchar|perror|err|errx|warn|warnx|verr|verrx|vwarn|vwarnx|error|error_at_line|syslog|vsyslog)[ \t]*\(/)
        print where "prints to the terminal (the library writes to a FILE* it is given): " text
    else if (code ~ /[^A-Za-z0-9_.>](v?dprintf|write)[ \t]*\([ \t]*[12][ \t]*,/)
        print where "writes to file descriptor 1 or 2 (the terminal): " text
    else if (code ~ /[^A-Za-z0-9_.>](exit|_exit|_Exit|quick_exit|abort|assert)[ \t]*\(/ &&
             !(raw ~ /_exit\(127\);[ \t]*\/\* forked child/))
        print where "ends the process (the library returns a pk_err): " text
    else if (FILENAME != "lib/core/alloc.c" &&
             code ~ /[^A-Za-z0-9_.>](malloc|calloc|realloc|reallocarray|aligned_alloc|posix_memalign|strdup|strndup|asprintf|vasprintf|getline|getdelim|open_memstream)[ \t]*\(/)
        print where "allocates around the hook (use pk_malloc & friends, perfkit/alloc.h): " text
}' $(ls lib/*/*.c lib/*/*.h include/perfkit/*.h 2>/dev/null))
if [ -n "$hits" ]; then
    echo "checksrc: banned calls in the library:"; printf '%s\n' "$hits"; rc=1
fi

# shellcheck disable=SC2046
big=$(wc -l $(ls lib/*/*.c lib/*/*.h cli/*.c cli/*.h include/perfkit/*.h tests/unit/*.h \
                 tests/helpers/*.c tests/helpers/*.cc 2>/dev/null) |
      awk '$2 != "total" && $1 > 800 {print "  " $2 " (" $1 " lines)"}')
if [ -n "$big" ]; then
    echo "checksrc: files over 800 lines (one idea per file):"; printf '%s\n' "$big"; rc=1
fi
[ $rc -eq 0 ] && echo "checksrc: ok"
exit $rc
