# Man pages and completions are generated from the binary's --help
# (tools/helpgen.py): a page per command that renders without a warning and
# names every option of the help; bash completion of commands, options and
# baseline's pin/unpin.
. "$(dirname "$TESTFILE")/lib.sh"
root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
python3 "$root/tools/helpgen.py" "$PERFKIT" gen || die "helpgen.py failed"

cmds=$("$PERFKIT" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$cmds" ] || die "no commands in perfkit --help"
for p in perfkit $(for c in $cmds; do echo "perfkit-$c"; done); do
    [ -f "gen/man/$p.1" ] || die "no man page $p.1"
    w=$(groff -ww -z -man "gen/man/$p.1" 2>&1) || die "groff fails on $p.1: $w"
    [ -z "$w" ] || die "groff warns on $p.1: $w"
    MANWIDTH=80 man -l "gen/man/$p.1" >"$p.txt" 2>man.err || die "man -l $p.1: $(cat man.err)"
    [ ! -s man.err ] || die "man -l $p.1 warns: $(cat man.err)"
done
grep -q 'perfkit-bench(1)' perfkit.txt || die "perfkit.1 does not point to perfkit-bench(1)"

# every long option of each --help is on the page, and the text reads the same
for c in $cmds; do
    for o in $("$PERFKIT" "$c" --help | grep -oE '^ {2,6}(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
        grep -qe "$o" "perfkit-$c.txt" || die "perfkit-$c.1 lacks $o of \`perfkit $c --help\`"
    done
done
grep -q 'exactly N measured runs per command' perfkit-bench.txt || die "bench page lacks --runs' text"
grep -q 'EXIT STATUS' perfkit-check.txt || die "check page has no EXIT STATUS"

# bash: the completion loads, and completes commands, options, words
complete_bash() {   # complete_bash WORD... : COMPREPLY for the last word
    bash -c '. gen/completions/perfkit; complete -p perfkit >/dev/null || exit 9
             COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _perfkit; echo "${COMPREPLY[*]}"' sh "$@"
}
[ "$(complete_bash perfkit be)" = bench ] || die "perfkit be<TAB>: '$(complete_bash perfkit be)'"
[ "$(complete_bash perfkit bench --ru)" = --runs ] || die "bench --ru<TAB>: '$(complete_bash perfkit bench --ru)'"
[ "$(complete_bash perfkit check --no-st)" = --no-store ] || die "check --no-st<TAB>"
[ "$(complete_bash perfkit baseline p)" = pin ] || die "baseline p<TAB>: '$(complete_bash perfkit baseline p)'"
case " $(complete_bash perfkit '') " in *" compare "*) ;; *) die "perfkit <TAB> lacks compare" ;; esac

# zsh: a completion function for perfkit that parses
head -n 1 gen/completions/_perfkit | grep -q '^#compdef perfkit' || die "_perfkit has no #compdef"
grep -q "'--runs:exactly N measured runs per command'" gen/completions/_perfkit || die "_perfkit lacks --runs"
if command -v zsh >/dev/null 2>&1; then zsh -n gen/completions/_perfkit || die "_perfkit does not parse"; fi
