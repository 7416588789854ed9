#!/bin/sh
# installcheck-docs.sh — what `make install` put under $STAGE besides the
# library: a man page per command that renders without a warning, and bash
# and zsh completions that load and complete a subcommand.
set -eu
man1=$STAGE/share/man/man1
for c in $("$STAGE/bin/perfkit" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
    [ -f "$man1/perfkit-$c.1" ] || { echo "installcheck: no man page perfkit-$c.1"; exit 1; }
done
for p in "$man1"/perfkit*.1; do
    w=$(groff -ww -z -man "$p" 2>&1)
    [ -z "$w" ] || { echo "installcheck: $p: $w"; exit 1; }
    MANWIDTH=80 man -l "$p" >/dev/null 2>&1 || { echo "installcheck: man -l $p fails"; exit 1; }
done
comp=$STAGE/share/bash-completion/completions/perfkit
got=$(bash -c '. "$1"; complete -p perfkit >/dev/null; COMP_WORDS=(perfkit be); COMP_CWORD=1;
               _perfkit; echo "${COMPREPLY[*]}"' sh "$comp")
[ "$got" = bench ] || { echo "installcheck: bash completion of 'perfkit be' gave '$got'"; exit 1; }
zcomp=$STAGE/share/zsh/site-functions/_perfkit
head -n 1 "$zcomp" | grep -q '^#compdef perfkit' || { echo "installcheck: $zcomp is no zsh completion"; exit 1; }
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$zcomp" || { echo "installcheck: $zcomp does not parse"; exit 1; }
fi
echo "installcheck: $(ls "$man1" | wc -l) man pages render, bash and zsh completions load"
