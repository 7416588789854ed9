#!/bin/sh
# exports: libperfkit.so exports its public API and nothing else. Fails
# (exit 1, one line per symbol) when `nm -D --defined-only` lists a symbol
# that does not start with pk_, or a pk__ internal other than the
# `exported-internal` ones of tools/layers.conf (the few that public macros
# and inline functions expand to, each listed there with its reason), or
# when a listed one is no longer exported (the list stays exact).
#
# Usage: sh tools/exports.sh [LIBRARY]   (default $BUILD/libperfkit.so;
# `make exports`). Environment: CONF (tools/layers.conf), NM (nm).
set -u
lib=${1:-${BUILD:-build}/libperfkit.so}
CONF=${CONF:-tools/layers.conf}
NM=${NM:-nm}
[ -r "$CONF" ] || { echo "exports: cannot read $CONF" >&2; exit 2; }
[ -f "$lib" ] || { echo "exports: no $lib — build it first (make)" >&2; exit 2; }
syms=$($NM -D --defined-only "$lib") || { echo "exports: $NM -D failed on $lib" >&2; exit 2; }
printf '%s\n' "$syms" | awk -v conf="$CONF" -v lib="$lib" '
FILENAME == conf {
    line = $0; sub(/#.*/, "", line)
    if (line ~ /^exported-internal:/) { sub(/^[^:]*:/, "", line); n = split(line, v, /[ \t]+/)
                                        for (i = 1; i <= n; i++) if (v[i] != "") ok[v[i]] = 1 }
    next
}
NF >= 2 {
    name = $NF; sub(/@.*/, "", name); total++
    if (name ~ /^pk__/) { if (!(name in ok)) bad[++nbad] = lib ": exports internal " name " (not an exported-internal of " conf ")"
                          else used[name] = 1 }
    else if (name !~ /^pk_/) bad[++nbad] = lib ": exports " name ", which is not a pk_ name"
}
END {
    for (s in ok) if (!(s in used)) bad[++nbad] = conf ": exported-internal " s " is not exported by " lib " (drop it from the list)"
    if (nbad) { for (k = 1; k <= nbad; k++) print bad[k] | "LC_ALL=C sort"; close("LC_ALL=C sort")
                printf "exports: %d symbol%s outside the public API\n", nbad, nbad == 1 ? "" : "s" > "/dev/stderr"; exit 1 }
    printf "exports: ok (%d symbols)\n", total
}' "$CONF" -
