#!/bin/sh
# layers: enforce the allowed dependency graph of libperfkit, written once in
# tools/layers.conf. Prints one line per violation and exits 1 when there is
# any; exits 0 and prints "layers: ok ..." when there is none; exits 2 when
# it cannot run (no config, no objects).
#
# What counts as a violation:
#   (a) includes — a file of lib/<mod>/ includes a public header
#       "perfkit/X.h" of a module <mod> may not use, or a private header of
#       another module ("<other>/x.h", "../<other>/x.h"; core/ is the shared
#       toolkit and allowed everywhere; a `shared-internal` header only to
#       the modules allowed to use its module); a public header includes a header of
#       a module its own module may not use, or a lib-internal header; a
#       header missing from the `headers` lines (the map stays complete);
#   (b) symbols — an object build/lib/<mod>/*.o references (nm: undefined) a
#       pk_/pk__ symbol defined in an object of a module <mod> may not use;
#       a public header declares a function defined in another module;
#   (c) the allowed graph has a cycle;
#   (d) cli/ includes anything but perfkit/*.h, its own headers and the C
#       library (the `cli-system` line), or references a pk__ internal other
#       than the `exported-internal` ones its public macros expand to.
#
# Also: the layers block of docs/ARCHITECTURE.md (diagram and module table,
# generated from the config) must be what `sh tools/layers.sh --doc` prints;
# `sh tools/layers.sh --update-doc` rewrites it in place.
#
# Usage: sh tools/layers.sh      (from the top of the tree; `make layers`)
# Environment: BUILD (build) — where the objects are; ROOT (.) — the tree;
# CONF (tools/layers.conf, relative to ROOT); NM (nm).
set -u
cd "${ROOT:-.}" || exit 2
BUILD=${BUILD:-build}
CONF=${CONF:-tools/layers.conf}
NM=${NM:-nm}

[ -r "$CONF" ] || { echo "layers: cannot read $CONF" >&2; exit 2; }
DOC=${DOC-docs/ARCHITECTURE.md}
[ -f "$DOC" ] || DOC=

# shellcheck disable=SC2016  # an awk program, not shell
checker='
function err(msg) { if (!(msg in seenmsg)) { seenmsg[msg] = 1; bad[++nbad] = msg } }
function allowed(m, t) { return m == t || t == "core" || ((m, t) in dep) }
function modof(path,    p) {            # lib/<mod>/... -> mod; cli/... -> cli
    if (path ~ /^cli\//) return "cli"
    if (path ~ /^lib\/[^\/]+\//) { p = substr(path, 5); sub(/\/.*/, "", p); return p }
    if (path ~ /^include\/perfkit\/[^\/]+\.h$/) { p = path; sub(/^include\/perfkit\//, "", p); sub(/\.h$/, "", p)
        return (p in hmod) ? hmod[p] : "" }
    return ""
}
function dirname(path) { sub(/\/[^\/]*$/, "", path); return path }
function normalize(path,    n, i, parts, out, k) {   # collapse ./ and ../
    n = split(path, parts, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (parts[i] == "." || parts[i] == "") continue
        if (parts[i] == ".." && k > 0 && stack[k] != "..") { k--; continue }
        stack[++k] = parts[i]
    }
    out = ""
    for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") stack[i]
    return out
}
function lineof(src, name,    l, n, re) {   # first line of src naming name
    re = "(^|[^A-Za-z0-9_])" name "([^A-Za-z0-9_]|$)"; n = 0
    while ((getline l < src) > 0) { n++; if (l ~ re) { close(src); return src ":" n } }
    close(src); return src
}
function visit(m,    d, k, i, cyc) {               # DFS for cycles: 1 on the stack, 2 done
    state[m] = 1; path[++depth] = m
    for (k = 1; k <= ndeps[m]; k++) {
        d = deps[m, k]
        if (state[d] == 1) { cyc = d; for (i = depth; i >= 1 && path[i] != d; i--) cyc = path[i] " -> " cyc
                             if (!(cyc in seencyc)) { seencyc[cyc] = 1; err(conf ": the allowed graph has a cycle: " d " -> " cyc) } }
        else if (!state[d]) visit(d)
    }
    depth--; state[m] = 2
}
function rank(m,    k, r, d) {             # longest path down to core; core is 0
    if (m in rk) return rk[m]
    if (m == "core" || inrank[m]) return 0
    inrank[m] = 1; r = 1
    for (k = 1; k <= ndeps[m]; k++) { d = deps[m, k]; if (d != "core" && rank(d) + 1 > r) r = rank(d) + 1 }
    inrank[m] = 0; rk[m] = r; return r
}
# The layers diagram and module table of docs/ARCHITECTURE.md, from the conf.
function gendoc(    out, k, m, r, top, line, j, d, h, hs, sep) {
    top = 0
    for (k = 1; k <= nmods; k++) if (rank(order[k]) > top) top = rank(order[k])
    out = "```\n"
    out = out "          cli/       the perfkit command: include/perfkit/*.h only\n"
    out = out "            |\n"
    out = out "            v\n"
    for (r = top; r >= 0; r--) {
        line = ""
        for (k = 1; k <= nmods; k++) {
            m = order[k]; if (rank(m) != r) continue
            d = ""
            for (j = 1; j <= ndeps[m]; j++) if (deps[m, j] != "core") d = d " " deps[m, j]
            line = line (line == "" ? "" : "   ") m (d == "" ? "" : " ->" d)
        }
        if (r == 0) line = line "   (every module may use core)"
        out = out sprintf("  layer %d   %s\n", r, line)
    }
    out = out "```\n\n"
    out = out "| layer | module | its one job | public headers (`include/perfkit/`) | may use (besides core) |\n"
    out = out "|---|---|---|---|---|\n"
    for (r = 0; r <= top; r++) for (k = 1; k <= nmods; k++) {
        m = order[k]; if (rank(m) != r) continue
        hs = ""; sep = ""
        for (h = 1; h <= nhdr; h++) if (hmod[hdr[h]] == m) { hs = hs sep "`" hdr[h] ".h`"; sep = " " }
        d = ""; sep = ""
        for (j = 1; j <= ndeps[m]; j++) if (deps[m, j] != "core") { d = d sep deps[m, j]; sep = ", " }
        out = out sprintf("| %d | `%s` | %s | %s | %s |\n", r, m, (m in job) ? job[m] : "", hs == "" ? "—" : hs, d == "" ? "—" : d)
    }
    return out
}
FILENAME == conf {
    line = $0; sub(/#.*/, "", line)
    if (line ~ /^[ \t]*$/) next
    key = line; sub(/:.*/, "", key); gsub(/^[ \t]+|[ \t]+$/, "", key)
    rest = line; if (!sub(/^[^:]*:/, "", rest)) { err(conf ":" FNR ": expected `key: values`"); next }
    n = split(rest, v, /[ \t]+/)
    if (key ~ /^headers [a-z]+$/) {
        m = substr(key, 9)
        hline[m] = FNR
        for (i = 1; i <= n; i++) if (v[i] != "") {
            if (v[i] in hmod) err(conf ":" FNR ": header " v[i] " is listed twice (module " hmod[v[i]] ")")
            hmod[v[i]] = m; hconf[v[i]] = FNR; hdr[++nhdr] = v[i]
        }
    } else if (key == "umbrella-header") {
        for (i = 1; i <= n; i++) if (v[i] != "") { umbrella[v[i]] = 1; hconf[v[i]] = FNR }
    } else if (key == "cli-system") {
        for (i = 1; i <= n; i++) if (v[i] != "") sys[v[i]] = 1
    } else if (key == "exported-internal") {
        for (i = 1; i <= n; i++) if (v[i] != "") expint[v[i]] = 1
    } else if (key == "shared-internal") {
        for (i = 1; i <= n; i++) if (v[i] != "") shint["lib/" v[i]] = 1
    } else if (key ~ /^[a-z]+$/) {
        if (key in mods) err(conf ":" FNR ": module " key " has two lines")
        mods[key] = FNR; order[++nmods] = key
        if (match($0, /#.*/)) { job[key] = substr($0, RSTART + 1); gsub(/^[ \t]+|[ \t]+$/, "", job[key]) }
        for (i = 1; i <= n; i++) if (v[i] != "") { dep[key, v[i]] = 1; deps[key, ++ndeps[key]] = v[i]; depline[key, v[i]] = FNR }
    } else err(conf ":" FNR ": cannot read `" key ":`")
    next
}
$1 == "DIR"  { dirs[$2] = 1; next }
$1 == "FILE" { files[$2] = 1; nfiles++; next }
$1 == "INC"  { ninc++; inc_f[ninc] = $2; inc_l[ninc] = $3; inc_t[ninc] = $4; next }
$1 == "DECL" { ndecl++; decl_f[ndecl] = $2; decl_l[ndecl] = $3; decl_n[ndecl] = $4; next }
$1 == "SYM"  {
    if ($3 == "U") { nuse++; use_f[nuse] = $2; use_n[nuse] = $4 }
    else if ($3 ~ /^[A-TV-Z]$/ && $2 !~ /^cli\//) { def[$4] = $2 }
    if ($2 !~ /^cli\//) objs[$2] = 1
    next
}
END {
    if (mode == "doc") { printf "%s", gendoc(); exit 0 }
    # ---- the generated block of the architecture document ---------------------
    if (docfile != "") {
        inblock = 0; have = ""; found = 0
        while ((getline l < docfile) > 0) {
            if (l ~ /^<!-- layers: end/) inblock = 0
            if (inblock) have = have l "\n"
            if (l ~ /^<!-- layers: begin/) { inblock = 1; found = 1 }
        }
        close(docfile)
        if (!found) err(docfile ": no `<!-- layers: begin -->` block (sh tools/layers.sh --doc writes it)")
        else if (have != gendoc()) err(docfile ": the layers block differs from " conf " — regenerate it: sh tools/layers.sh --update-doc")
    }
    # ---- the configuration itself -------------------------------------------
    for (k = 1; k <= nmods; k++) {
        m = order[k]
        if (!(m in dirs)) err(conf ":" mods[m] ": module " m " has no directory lib/" m "/")
        for (j = 1; j <= ndeps[m]; j++)
            if (!(deps[m, j] in mods)) err(conf ":" mods[m] ": " m " lists unknown module " deps[m, j])
    }
    for (d in dirs) if (!(d in mods)) err("lib/" d "/: module " d " has no line in " conf)
    for (h in hmod) {
        if (!(hmod[h] in mods)) err(conf ":" hconf[h] ": header " h " belongs to unknown module " hmod[h])
        if (!(("include/perfkit/" h ".h") in files)) err(conf ":" hconf[h] ": header perfkit/" h ".h does not exist")
    }
    for (f in files) if (f ~ /^include\/perfkit\/[^\/]+\.h$/) {
        h = f; sub(/^include\/perfkit\//, "", h); sub(/\.h$/, "", h)
        if (!(h in hmod) && !(h in umbrella))
            err(f ": unknown public header perfkit/" h ".h: add it to a `headers` line of " conf)
    }
    # ---- (c) cycles ------------------------------------------------------------
    for (k = 1; k <= nmods; k++) if (!state[order[k]]) visit(order[k])

    # ---- (a), (d) includes -----------------------------------------------------
    for (k = 1; k <= ninc; k++) {
        f = inc_f[k]; where = f ":" inc_l[k]; t = inc_t[k]
        quoted = (t ~ /^"/); name = substr(t, 2, length(t) - 2)
        m = modof(f); pub = (f ~ /^include\/perfkit\//)
        if (pub && quoted && name !~ /\//) name = "perfkit/" name      # sibling public header
        if (name ~ /^perfkit\/[^\/]+\.h$/) {
            h = substr(name, 9); sub(/\.h$/, "", h)
            self = pub ? substr(f, 17, length(f) - 18) : ""
            who = pub ? "perfkit/" self ".h (module " m ")" : m
            if (h in umbrella) {
                if (m != "cli" && !(self in umbrella))
                    err(where ": " who " may not include " name " (it includes every module; include the headers needed)")
            } else if (!(h in hmod))
                err(where ": unknown public header " name ": add it to a `headers` line of " conf)
            else if (m != "cli" && m != "" && !(self in umbrella) && !allowed(m, hmod[h]))
                err(where ": " who " may not include " name " (module " hmod[h] ")")
            continue
        }
        if (m == "cli") {
            if (quoted && name !~ /\// && (("cli/" name) in files)) continue
            if (!quoted) {
                ok = (name in sys)
                for (s in sys) if (s ~ /\/$/ && index(name, s) == 1) ok = 1
                if (ok) continue
                err(where ": cli may not include <" name ">: cli uses libperfkit through perfkit/*.h only (the C library is the `cli-system` line of " conf ")")
            } else
                err(where ": cli may not include \"" name "\": lib-internal (cli uses perfkit/*.h and its own headers)")
            continue
        }
        if (pub) {
            if (quoted) err(where ": public header perfkit/" substr(f, 17) " may not include \"" name "\" (lib-internal)")
            continue
        }
        if (!quoted || m == "") continue
        # a private header: resolved like the compiler, next to the file first
        p = normalize(dirname(f) "/" name)
        if ((p in files) || name ~ /^\.\.?\//) target = p
        else if (name ~ /^[a-z]+\//) target = normalize("lib/" name)
        else continue
        tm = modof(target)
        if ((tm in dirs) && tm != m && tm != "core" && !((target in shint) && allowed(m, tm)))
            err(where ": " m " may not include " substr(target, 5) " (private header of module " tm ")")
    }

    # ---- (b), (d) symbols --------------------------------------------------------
    for (k = 1; k <= nuse; k++) {
        f = use_f[k]; s = use_n[k]; m = modof(f)
        if (m == "cli") {
            if (s ~ /^pk__/ && !(s in expint))
                err(lineof(f, s) ": cli may not use " s ": internal to libperfkit" ((s in def) ? " (" def[s] ")" : ""))
            continue
        }
        if (!(s in def)) continue
        tm = modof(def[s])
        if (!allowed(m, tm)) err(lineof(f, s) ": " m " may not use " s " (module " tm ", " def[s] ")")
    }
    for (k = 1; k <= ndecl; k++) {
        s = decl_n[k]
        if (!(s in def)) continue
        h = substr(decl_f[k], 17); m = modof(decl_f[k]); tm = modof(def[s])
        if (m != "" && tm != m)
            err(decl_f[k] ":" decl_l[k] ": perfkit/" h " (module " m ") declares " s ", defined in " def[s] " (module " tm ")")
    }

    if (nbad) {
        for (k = 1; k <= nbad; k++) print bad[k] | "LC_ALL=C sort -t: -k1,1 -k2,2n"
        close("LC_ALL=C sort -t: -k1,1 -k2,2n")
        printf "layers: %d violation%s of %s\n", nbad, nbad == 1 ? "" : "s", conf > "/dev/stderr"
        exit 1
    }
    no = 0; for (o in objs) no++
    printf "layers: ok (%d modules, %d files, %d objects)\n", nmods, nfiles, no
}'

case ${1:-} in
--doc)           # print the generated block of the architecture document
    awk -v conf="$CONF" -v mode=doc "$checker" "$CONF" /dev/null
    exit ;;
--update-doc)    # rewrite that block in place
    [ -n "$DOC" ] || { echo "layers: no docs/ARCHITECTURE.md" >&2; exit 2; }
    block=$(awk -v conf="$CONF" -v mode=doc "$checker" "$CONF" /dev/null) || exit 2
    awk -v block="$block" '
        /^<!-- layers: end/ { skip = 0 }
        !skip { print }
        /^<!-- layers: begin/ { print block; skip = 1 }' "$DOC" >"$DOC.new" && mv "$DOC.new" "$DOC"
    exit ;;
"") ;;
*) echo "usage: sh tools/layers.sh [--doc | --update-doc]" >&2; exit 2 ;;
esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# Sources and the objects built from them (stale objects of deleted sources
# are skipped; a source without its object means the build is incomplete).
find lib include/perfkit cli -type f -name '*.[ch]' 2>/dev/null | LC_ALL=C sort >"$tmp/files"
: >"$tmp/objs"
missing=0
for src in $(grep -E '^(lib/[^/]+|cli)/[^/]+\.c$' "$tmp/files"); do
    obj=$BUILD/${src%.c}.o
    if [ -f "$obj" ]; then echo "$obj" >>"$tmp/objs"; else missing=$((missing + 1)); fi
done
if [ "$missing" -gt 0 ]; then
    echo "layers: $missing source files have no object under $BUILD/ — build first (make)" >&2
    exit 2
fi
ls -d lib/*/ 2>/dev/null | sed 's|^lib/||; s|/$||' >"$tmp/dirs"

# Records for the checker, one per line, tagged:
#   DIR  module                      a directory lib/<module>/
#   FILE path                        a source or header file
#   INC  path line target            target is "x.h" or <x.h>, as written
#   DECL path line name              a function a public header declares
#   SYM  path type name              nm of the object built from path
{
    sed 's/^/DIR /' "$tmp/dirs"
    sed 's/^/FILE /' "$tmp/files"
    # shellcheck disable=SC2046
    awk '/^[ \t]*#[ \t]*include[ \t]*["<]/ {
             t = $0; sub(/^[ \t]*#[ \t]*include[ \t]*/, "", t)
             if (match(t, /^"[^"]*"/) || match(t, /^<[^>]*>/)) print "INC", FILENAME, FNR, substr(t, 1, RLENGTH)
         }' $(cat "$tmp/files")
    # Declarations: a line at column 0 of a public header, outside comments and
    # macros, not a typedef or an inline definition, whose first `pk_name(`
    # is the declared function.
    # shellcheck disable=SC2046
    awk 'FNR == 1 { inc = 0; cont = 0 }
         { line = $0
           if (cont) { cont = (line ~ /\\$/); next }
           if (line ~ /^[ \t]*#/) { cont = (line ~ /\\$/); next }
           out = ""
           while (line != "") {
               if (inc) {
                   i = index(line, "*/"); if (!i) { line = ""; break }
                   line = substr(line, i + 2); inc = 0
               } else {
                   i = index(line, "/*"); j = index(line, "//")
                   if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
                   if (!i) { out = out line; line = ""; break }
                   out = out substr(line, 1, i - 1); line = substr(line, i + 2); inc = 1
               }
           }
           if (out !~ /^[A-Za-z_]/ || out ~ /^(typedef|static|extern "C")/) next
           if (match(out, /pk_[A-Za-z0-9_]+[ \t]*\(/)) {
               name = substr(out, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name)
               print "DECL", FILENAME, FNR, name
           }
         }' $(grep '^include/perfkit/.*\.h$' "$tmp/files")
    # shellcheck disable=SC2046
    $NM -A -P $(cat "$tmp/objs") 2>/dev/null |
        awk -v build="$BUILD/" '{ o = $1; sub(/:$/, "", o)
                                  if (index(o, build) == 1) o = substr(o, length(build) + 1)
                                  sub(/\.o$/, ".c", o)
                                  if ($2 ~ /^pk_/) print "SYM", o, $3, $2 }'
} >"$tmp/records"

awk -v conf="$CONF" -v docfile="$DOC" "$checker" "$CONF" "$tmp/records"
