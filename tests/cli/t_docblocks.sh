# tools/docblocks.py: which blocks of a page are runnable and what runs.
. "$(dirname "$TESTFILE")/lib.sh"
root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
cat > page.md <<'EOF_PAGE'
# A page

    not marked: never runs

<!-- runnable -->

    $ echo one \
        two
    one two
    $ cat > f.yml <<'EOF'
    a: 1
    EOF
    output line, not run

<!-- runnable exit=1 -->
```sh
false
```

<!-- runnable file=x.c -->
```c
int main(void) { return 0; }
```
EOF_PAGE
python3 "$root/tools/docblocks.py" page.md blocks > list.txt || die "docblocks.py failed"
[ "$(wc -l < list.txt)" -eq 3 ] || die "expected 3 runnable blocks: $(cat list.txt)"
[ "$(cut -f 3 list.txt | tr '\n' ' ')" = "0 1 0 " ] || die "exit statuses: $(cat list.txt)"
grep -q 'never runs' blocks/*.sh && die "an unmarked block was extracted"
grep -q 'output line' blocks/001.sh && die "output lines were taken as commands"
grep -q '^    two$' blocks/001.sh || die "a continuation line was lost"
grep -q '^a: 1$' blocks/001.sh || die "a here-document body was lost"
(sh -e blocks/001.sh >out.txt) || die "block 1 fails"
grep -q '^one two$' out.txt || die "block 1 printed $(cat out.txt)"
[ "$(cat f.yml)" = "a: 1" ] || die "the here-document wrote $(cat f.yml)"
set +e; sh -e blocks/002.sh; r=$?; set -e
[ "$r" -eq 1 ] || die "block 2 exited $r"
sh -e blocks/003.sh && grep -q 'int main' x.c || die "the file= block did not write x.c"
