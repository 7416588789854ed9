# tools/layers.sh fails on each kind of violation with one line naming it,
# and passes a tree without any. Seeded on a small synthetic tree (exact
# output) and on a copy of the real one; whether the real tree itself passes
# is `make layers` (part of `make check`), not this test.
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
build=$(dirname "$PERFKIT")
CC=${CC:-cc}

# ---- a synthetic tree: core <- low <- high, a cli, an umbrella header --------
mkdir -p mini/tools mini/include/perfkit mini/lib/core mini/lib/low mini/lib/high mini/cli
cat >mini/tools/layers.conf <<'EOF'
core:
low: core
high: core low
headers core: api err
headers low: low
headers high: high
umbrella-header: all
cli-system: stdio.h sys/
exported-internal: pk__low_hook
EOF
cd mini
printf '#define PK_API\n' >include/perfkit/api.h
printf '#include "perfkit/api.h"\ntypedef int pk_err;\n' >include/perfkit/err.h
printf '#include "perfkit/err.h"\npk_err pk_low_get(void);\nvoid pk__low_hook(void);\n' >include/perfkit/low.h
printf '#include "perfkit/low.h"\npk_err pk_high_run(void);\n' >include/perfkit/high.h
printf '#include "perfkit/low.h"\n#include "perfkit/high.h"\n' >include/perfkit/all.h
printf '/* toolkit */\nint pk__buf_grow(int n);\n' >lib/core/buf.h
printf '#include "core/buf.h"\nint pk__buf_grow(int n) { return n * 2; }\n' >lib/core/buf.c
printf 'int pk__low_internal(void);\n' >lib/low/low_int.h
printf '#include "perfkit/low.h"\n#include "core/buf.h"\n#include "low_int.h"\npk_err pk_low_get(void) { return pk__buf_grow(1) + pk__low_internal(); }\nvoid pk__low_hook(void) {}\n' >lib/low/low.c
printf '#include "low_int.h"\nint pk__low_internal(void) { return 0; }\n' >lib/low/internal.c
printf 'void pk__high_secret(void);\n' >lib/high/high_int.h
printf '#include "perfkit/high.h"\n#include "high_int.h"\npk_err pk_high_run(void) { return pk_low_get(); }\nvoid pk__high_secret(void) {}\n' >lib/high/high.c
printf 'int cli_main(void);\n' >cli/cli.h
printf '#include <stdio.h>\n#include <sys/stat.h>\n#include "perfkit/all.h"\n#include "cli.h"\nint main(void) { pk__low_hook(); return pk_high_run(); }\n' >cli/main.c
cd ..

layers() {   # layers DIR: run tools/layers.sh on DIR (objects in DIR/build)
    last_cmd="tools/layers.sh in $1"
    for src in "$1"/lib/*/*.c "$1"/cli/*.c; do
        rel=${src#"$1"/}
        obj="$1/build/${rel%.c}.o"
        if [ ! -f "$obj" ]; then   # new sources only: includes are read from the source
            mkdir -p "$(dirname "$obj")"
            (cd "$1" && $CC -std=c17 -D_GNU_SOURCE -Iinclude -Ilib -c "$rel" -o "build/${rel%.c}.o") ||
                die "cannot compile $rel"
        fi
    done
    set +e
    (cd "$1" && BUILD=build sh "$root/tools/layers.sh") >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}
expect_lines() {   # expect_lines 'LINE...': stdout is exactly these lines
    printf '%s\n' "$@" >want.txt
    diff want.txt stdout.txt >diff.txt || die "layers output differs from the expected lines:
$(cat diff.txt)"
}
seed() {   # seed NAME: a fresh copy of the clean synthetic tree in NAME
    rm -rf "$1"; cp -r mini "$1"   # with mini's objects
}
touch_line() { # touch_line FILE TEXT: prepend TEXT as line 1 of FILE
    { printf '%s\n' "$2"; cat "$1"; } >"$1.new" && mv "$1.new" "$1"
}

layers mini
expect_rc 0
expect_out '^layers: ok \(3 modules, '

# (a) a lower module includes a higher module's public header
seed s1
touch_line s1/lib/low/low.c '#include "perfkit/high.h"'
layers s1
expect_rc 1
expect_lines 'lib/low/low.c:1: low may not include perfkit/high.h (module high)'
expect_err '^layers: 1 violation of tools/layers.conf$'

# (a) another module's private header, by module path or relative path; the
# umbrella header; a header missing from the map
seed s2
touch_line s2/lib/low/low.c '#include "../high/high_int.h"'
touch_line s2/lib/high/high.c '#include "low/low_int.h"'
touch_line s2/lib/high/high.c '#include "perfkit/all.h"'
printf '#include "perfkit/err.h"\n' >s2/include/perfkit/extra.h
touch_line s2/lib/high/high.c '#include "perfkit/extra.h"'
layers s2
expect_rc 1
expect_lines \
    'include/perfkit/extra.h: unknown public header perfkit/extra.h: add it to a `headers` line of tools/layers.conf' \
    'lib/high/high.c:1: unknown public header perfkit/extra.h: add it to a `headers` line of tools/layers.conf' \
    'lib/high/high.c:2: high may not include perfkit/all.h (it includes every module; include the headers needed)' \
    'lib/high/high.c:3: high may not include low/low_int.h (private header of module low)' \
    'lib/low/low.c:1: low may not include high/high_int.h (private header of module high)'

# (a) a public header includes a header of a module its module may not use,
# and a lib-internal header
seed s3
touch_line s3/include/perfkit/low.h '#include "perfkit/high.h"'
touch_line s3/include/perfkit/err.h '#include "core/buf.h"'
layers s3
expect_rc 1
expect_lines \
    'include/perfkit/err.h:1: public header perfkit/err.h may not include "core/buf.h" (lib-internal)' \
    'include/perfkit/low.h:1: perfkit/low.h (module low) may not include perfkit/high.h (module high)'

# (b) an object calls a function of a module it may not use, without any
# include giving it away; a public header declares another module's function
seed s4
printf 'int pk_high_run(void);\n\nint pk__low_sneak(void) { return pk_high_run(); }\n' >s4/lib/low/sneak.c
printf 'void pk__high_secret(void);\n' >>s4/include/perfkit/low.h
layers s4
expect_rc 1
expect_lines \
    'include/perfkit/low.h:4: perfkit/low.h (module low) declares pk__high_secret, defined in lib/high/high.c (module high)' \
    'lib/low/sneak.c:1: low may not use pk_high_run (module high, lib/high/high.c)'

# (c) the allowed graph has a cycle
seed s5
sed -i 's/^low: core$/low: core high/' s5/tools/layers.conf
layers s5
expect_rc 1
expect_lines 'tools/layers.conf: the allowed graph has a cycle: low -> high -> low'

# (d) cli includes a lib-internal header and a header outside the C library
# list (as <jansson.h> would be), and calls an internal no public macro needs
seed s6
touch_line s6/cli/main.c '#include "core/buf.h"'
touch_line s6/cli/main.c '#include <stddef.h>'
printf 'int pk__buf_grow(int n);\nint cli_helper(void);\nint cli_helper(void) { return pk__buf_grow(2); }\n' >s6/cli/helper.c
layers s6
expect_rc 1
expect_lines \
    'cli/helper.c:1: cli may not use pk__buf_grow: internal to libperfkit (lib/core/buf.c)' \
    'cli/main.c:1: cli may not include <stddef.h>: cli uses libperfkit through perfkit/*.h only (the C library is the `cli-system` line of tools/layers.conf)' \
    'cli/main.c:2: cli may not include "core/buf.h": lib-internal (cli uses perfkit/*.h and its own headers)'

# the generated block of docs/ARCHITECTURE.md must match the graph;
# --update-doc rewrites it
seed s8
mkdir s8/docs
printf '# map\n\n<!-- layers: begin -->\nstale\n<!-- layers: end -->\n\nafter\n' >s8/docs/ARCHITECTURE.md
layers s8
expect_rc 1
expect_lines 'docs/ARCHITECTURE.md: the layers block differs from tools/layers.conf — regenerate it: sh tools/layers.sh --update-doc'
(cd s8 && sh "$root/tools/layers.sh" --update-doc) || die "--update-doc failed"
grep -q '^  layer 2   high -> low$' s8/docs/ARCHITECTURE.md || die "no diagram line for high: $(cat s8/docs/ARCHITECTURE.md)"
grep -q '^| 1 | `low` |  | `low.h` | — |$' s8/docs/ARCHITECTURE.md || die "no table row for low: $(cat s8/docs/ARCHITECTURE.md)"
[ "$(tail -n 1 s8/docs/ARCHITECTURE.md)" = after ] || die "--update-doc lost the text after the block"
layers s8
expect_rc 0

# no objects: it says so instead of passing
seed s7
rm -rf s7/build
set +e; (cd s7 && BUILD=build sh "$root/tools/layers.sh") >stdout.txt 2>stderr.txt; rc=$?; set -e
expect_rc 2
expect_err 'have no object under build/'

# ---- the real tree, seeded: store includes check.h and calls into check ------
mkdir real
cp -r "$root/lib" "$root/include" "$root/cli" "$root/tools" real/
mkdir -p real/build
cp -r "$build/lib" "$build/cli" real/build/
store_c=$(cd real && ls lib/store/*.c | head -n 1)
layers real
cp stdout.txt before.txt
touch_line "real/$store_c" '#include "perfkit/check.h"'
printf '#include "perfkit/check.h"\n\nvoid pk__store_seed(void);\nvoid pk__store_seed(void) { pk_check_report_free(NULL); }\n' >real/lib/store/seed.c
layers real
expect_rc 1
expect_out "^$store_c:1: store may not include perfkit/check.h \(module check\)$"
expect_out '^lib/store/seed.c:1: store may not include perfkit/check.h \(module check\)$'
expect_out '^lib/store/seed.c:4: store may not use pk_check_report_free \(module check, lib/check/[a-z_]+\.c\)$'
! grep -q "^$store_c:1: " before.txt || die "the unseeded copy already reports $store_c:1"
