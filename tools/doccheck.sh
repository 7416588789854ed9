#!/bin/sh
# doccheck.sh — run the runnable command blocks of README.md and docs/*.md
# (marked `<!-- runnable -->`, tools/docblocks.py) the way a new user would:
# in a fresh clone of this working tree (committed and uncommitted changes,
# untracked files not ignored), built with a plain `make` and installed with
# `make install PREFIX=$HOME/.local` into a HOME of its own (PATH and
# PKG_CONFIG_PATH point there, as the README's Install section says). The blocks of one page run
# in order, each from the top of the clone; between pages the clone goes back
# to its clean state (build/ kept). Prints one line per block and
# "docs: N passed, N failed"; a failing block shows its script and output.
# Arguments: pages to run (default README.md docs/*.md).
# Environment: DOC_JOBS (make -j, default nproc), DOC_TIMEOUT (s per block, 300),
#              DOC_KEEP=1 keeps the clone.
set -u
src=$(git rev-parse --show-toplevel) || exit 2
cd "$src" || exit 2
[ $# -gt 0 ] || set -- README.md docs/*.md
tmp=$(mktemp -d)
[ "${DOC_KEEP:-}" = 1 ] || trap 'rm -rf "$tmp"' EXIT
clone=$tmp/perfkit
git clone -q "$src" "$clone" || exit 2
# the working tree's changes, tracked and untracked, committed in the clone so
# that `git clean` between pages keeps them
git diff HEAD --binary | git -C "$clone" apply --allow-empty || exit 2
git ls-files -z --others --exclude-standard | xargs -0 -r cp --parents -t "$clone" || exit 2
git -C "$clone" add -A
git -C "$clone" -c user.name=doccheck -c user.email=doccheck@localhost \
    commit -qm 'working tree' --allow-empty
echo "docs: building a fresh clone in $clone"
if ! make -C "$clone" -j"${DOC_JOBS:-$(nproc 2>/dev/null || echo 2)}" >"$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log"; echo "docs: the fresh clone does not build"; exit 1
fi
# a home of its own, with perfkit installed there as the README's Install
# says: pages that build against the installed library find it
HOME=$tmp/home; export HOME
mkdir -p "$HOME"
make -C "$clone" install PREFIX="$HOME/.local" >>"$tmp/build.log" 2>&1 || {
    tail -n 30 "$tmp/build.log"; echo "docs: make install fails"; exit 1; }
PATH=$HOME/.local/bin:$clone/build:$PATH; export PATH
PKG_CONFIG_PATH=$HOME/.local/lib/pkgconfig; export PKG_CONFIG_PATH
pass=0; fail=0
for page in "$@"; do
    git -C "$clone" checkout -q -- . && git -C "$clone" clean -fdxq -e /build/
    rm -rf "$tmp/blocks"
    python3 "$clone/tools/docblocks.py" "$clone/$page" "$tmp/blocks" >"$tmp/list" || exit 2
    while IFS="$(printf '\t')" read -r n line want; do
        (cd "$clone" && timeout "${DOC_TIMEOUT:-300}" sh -e "$tmp/blocks/$n.sh") \
            >"$tmp/out" 2>&1 </dev/null
        got=$?
        case ",$want," in *",$got,"*) ok=1 ;; *) ok=0 ;; esac
        if [ "$ok" = 1 ]; then
            pass=$((pass + 1)); echo "  ok   $page:$line"
        else
            fail=$((fail + 1))
            echo "  FAIL $page:$line: exit $got, expected $want"
            sed 1d "$tmp/blocks/$n.sh" | sed 's/^/     $ /'
            tail -n 20 "$tmp/out" | sed 's/^/     | /'
        fi
    done <"$tmp/list"
done
echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
