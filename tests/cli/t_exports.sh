# tools/exports.sh: a shared library exporting anything but pk_ names and the
# listed pk__ internals fails, one line per symbol; the list stays exact.
# Whether the real libperfkit.so passes is `make exports` (in `make check`).
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
CC=${CC:-cc}
mkdir tools
cat >tools/layers.conf <<'CONF'
core:
exported-internal: pk__loop_slow   # the macro pk_loop() expands to it
CONF
exports() {   # exports SOURCE: build SOURCE as lib.so, run exports.sh on it
    last_cmd="tools/exports.sh lib.so"
    printf '%s\n' "$1" >lib.c
    $CC -shared -fPIC -fvisibility=hidden -o lib.so lib.c || die "cannot build lib.so"
    set +e; sh "$root/tools/exports.sh" lib.so >stdout.txt 2>stderr.txt; rc=$?; set -e
}
V='__attribute__((visibility("default")))'

exports "$V int pk_answer(void) { return 42; } $V int pk__loop_slow(void) { return 0; }
         static int helper(void) { return 1; } int pk__hidden(void) { return helper(); }"
expect_rc 0
expect_out '^exports: ok \(2 symbols\)$'

exports "$V int pk_answer(void) { return 42; } $V int pk__loop_slow(void) { return 0; }
         $V int helper(void) { return 1; } $V int pk__secret(void) { return 2; } $V int counter;"
expect_rc 1
[ "$(cat stdout.txt)" = "lib.so: exports counter, which is not a pk_ name
lib.so: exports helper, which is not a pk_ name
lib.so: exports internal pk__secret (not an exported-internal of tools/layers.conf)" ] ||
    die "unexpected lines: $(cat stdout.txt)"
expect_err '^exports: 3 symbols outside the public API$'

exports "$V int pk_answer(void) { return 42; }"
expect_rc 1
expect_out '^tools/layers.conf: exported-internal pk__loop_slow is not exported by lib.so'

set +e; sh "$root/tools/exports.sh" missing.so >stdout.txt 2>stderr.txt; rc=$?; set -e
expect_rc 2
expect_err 'no missing.so'
