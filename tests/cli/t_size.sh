# perfkit size: table, --json with exact bytes, budgets (exit 1), input and
# usage errors (exit 2).
. "$(dirname "$TESTFILE")/lib.sh"

# 'a' x 100000: gzip 133 B, raw 100000 B; lines: mildly compressible text
/usr/bin/python3 -c 'open("a.txt","w").write("a"*100000)'
/usr/bin/python3 -c '
with open("lines.txt","w") as f:
    for i in range(5000): f.write("line %d: perfkit measures truthfully\n" % i)'
mkdir -p dist/sub
cp a.txt dist/one.js; cp lines.txt dist/two.js; cp a.txt dist/sub/deep.js

run size a.txt lines.txt
expect_rc 0
expect_out '^file +raw +gzip +brotli +zstd'
expect_out '^a\.txt +97\.7 KiB +133 B '
expect_out '^total '

run size --json a.txt
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/size/v1", d
f = d["files"][0]
assert f["path"] == "a.txt" and f["raw"] == 100000 and f["gzip"] == 133, f
assert isinstance(f["brotli"], int) and 0 < f["brotli"] < 100 and isinstance(f["zstd"], int), f
assert d["budgets"] == [] and d["ok"] is True
'

# gzip figure is zlib level 9 with gzip framing: the bytes Python gzip writes
run size --json -c gzip lines.txt
expect_rc 0
pyjson stdout.txt '
import zlib
c = zlib.compressobj(9, zlib.DEFLATED, 31, 8); data = open("lines.txt","rb").read()
f = d["files"][0]
assert f["gzip"] == len(c.compress(data) + c.flush()), f
assert set(f) == {"path", "raw", "gzip"}, f
'

# a glob perfkit expands itself; directories are skipped
run size -c raw 'dist/*.js'
expect_rc 0
expect_out '^dist/one\.js'
expect_out '^dist/two\.js'
expect_no_out 'deep'

# braces: one glob everywhere (sorted, ~, {a,b}); the glob perfkit.yml gets too
run size -c raw 'dist/{two,one}.js'
expect_rc 0
expect_out '^dist/one\.js'
expect_out '^dist/two\.js'
expect_out '^total'

# a perfkit.yml size budget with braces passes validation and measures both
# files (it was rejected: "matches no file"); the history shows what was stored
cat > sizes.yml <<'YML'
history: { path: sizes.db }
benchmarks:
  t: { command: "true", runs: 2, budgets: { wall.max: 1h } }
sizes:
  "dist/{one,two}.js": { gzip: 1MB }
YML
rm -f sizes.db
run check --json sizes.yml
expect_rc 0
# each file of the brace pattern is judged against the budget (an fnmatch
# without braces gave them no item)
pyjson stdout.txt "s=[i for i in d['items'] if i['kind']=='size']; assert sorted(i['benchmark'] for i in s)==['dist/one.js','dist/two.js'], s"
run history --db sizes.db
expect_rc 0
expect_out '^size:dist/one\.js'
expect_out '^size:dist/two\.js'
expect_no_out 'deep'

# budgets: within → 0, over → 1 and the file is named
run size --budget gzip=1KB a.txt
expect_rc 0
expect_out '^ok +gzip=1KB: 1 file within'
run size -b gzip=1KB -b brotli=100B 'dist/*.js'
expect_rc 1
expect_out '^FAIL gzip=1KB: 1 of 2 files over'
expect_out 'dist/two\.js: gzip .* > 1KB \(1000 B\)'
expect_err 'size budgets? exceeded'
run size --json -b gzip=1KB 'dist/*.js'
expect_rc 1
pyjson stdout.txt '
b = d["budgets"][0]
assert b["compression"] == "gzip" and b["limit"] == "1KB" and b["limit_bytes"] == 1000, b
assert b["ok"] is False and [o["path"] for o in b["over"]] == ["dist/two.js"], b
assert d["ok"] is False
'
# a budget on a compression not shown is still measured
run size -c raw -b zstd=1MiB a.txt
expect_rc 0
expect_out 'zstd'

# errors: exit 2 with a clear message
run size missing.js
expect_rc 2
expect_err 'missing\.js: no such file'
run size dist
expect_rc 2
expect_err 'dist: is a directory'
run size 'nothing/*.js'
expect_rc 2
expect_err 'no file matches `nothing/\*\.js`'
run size -b gzp=10KB a.txt
expect_rc 2
expect_err 'unknown compression `gzp` at column 1 — did you mean `gzip`'
run size -b 'gzip=10 KB' a.txt
expect_rc 2
expect_err 'invalid size `10 KB` at column 8'
run size -b gzip=100 a.txt
expect_rc 2
expect_err 'at column 9'
run size -b gzip a.txt
expect_rc 2
expect_err 'expected COMPRESSION=LIMIT'
run size -c gzip,brotly a.txt
expect_rc 2
expect_err 'unknown compression `brotly` at column 6 — did you mean `brotli`'
run size
expect_rc 2
expect_err 'no file to measure'
run size --bugdet x a.txt
expect_rc 2
expect_err 'did you mean `--budget`'
run size --help
expect_rc 0
expect_out '^usage: perfkit size'
