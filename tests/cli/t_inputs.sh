# Inputs in bounded time and memory (docs/guarantees.md): perfkit reads
# regular files only — /dev/zero and a FIFO as the config, as an import, as
# a size budget's file and for `perfkit size` are refused at once with exit
# 2 — config and import files have a size limit, and size budgets stream
# (flat memory on a big sparse file). Every perfkit here runs under
# `timeout`, so a hang fails its check instead of the whole test. Big inputs
# in linear time: t_inputs_scale.sh.
. "$(dirname "$TESTFILE")/lib.sh"


# peak_kib ARGS...: run perfkit (deadline 60 s); its exit code in $rc, its
# peak resident size in KiB in $peak (getrusage of the child)
# shellcheck disable=SC2034  # last_cmd and rc are lib.sh's
peak_kib() {
    last_cmd="perfkit $*"
    set +e
    peak=$(/usr/bin/python3 - "$PERFKIT" "$@" <<'PY'
import resource, subprocess, sys
with open("stdout.txt", "wb") as o, open("stderr.txt", "wb") as e:
    try:
        rc = subprocess.call(sys.argv[1:], stdout=o, stderr=e, timeout=60)
    except subprocess.TimeoutExpired:
        rc = 124
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY
)
    rc=$?
    set -e
}

imp_yml() {   # imp_yml FILE: a config importing FILE
    printf 'version: 1\nbenchmarks:\n  nightly:\n    import: %s\n' "$1" > imp.yml
}
size_yml() {   # size_yml FILE: a config with a gzip budget on FILE
    printf 'version: 1\nsizes:\n  %s:\n    gzip: 10KB\n' "$1" > size.yml
}

# ---- regular files only: a device never ends, a FIFO may never answer --------

run_t 10 check /dev/zero
expect_rc 2
expect_err '^perfkit: check: /dev/zero: is a character device, not a regular file$'

imp_yml /dev/zero
run_t 10 check imp.yml --no-store
expect_rc 2
expect_err '/dev/zero: is a character device, not a regular file'

size_yml /dev/zero
run_t 10 check size.yml --no-store
expect_rc 2
expect_err '/dev/zero: cannot measure the size: is a character device, not a regular file'

run_t 10 size /dev/zero
expect_rc 2
expect_err '^perfkit: size: /dev/zero: is a character device, not a regular file$'

mkfifo fifo   # nobody writes to it: reading it would wait forever
run_t 10 check fifo
expect_rc 2
expect_err '^perfkit: check: fifo: is a FIFO, not a regular file$'

imp_yml fifo
run_t 10 check imp.yml --no-store
expect_rc 2
expect_err 'fifo: is a FIFO, not a regular file'

size_yml fifo
run_t 10 check size.yml --no-store
expect_rc 2
expect_err 'fifo: cannot measure the size: is a FIFO, not a regular file'

run_t 10 size fifo
expect_rc 2
expect_err '^perfkit: size: fifo: is a FIFO, not a regular file$'

# ---- size limits: 64 MiB for a config, 512 MiB for an import (sparse files) ---

truncate -s 65M big.yml
run_t 20 check big.yml
expect_rc 2
expect_err '^perfkit: check: big.yml: 65.0 MiB is larger than the 64 MiB limit for configuration files$'

truncate -s 513M big.json
imp_yml big.json
run_t 20 check imp.yml --no-store
expect_rc 2
expect_err 'big.json: 513.0 MiB is larger than the 512 MiB limit for imports'

# ---- size budgets stream: no limit, flat memory --------------------------------

truncate -s 5G huge.bin   # over 4 GiB; raw alone only stats it
run_t 20 size --json -c raw huge.bin
expect_rc 0
pyjson stdout.txt 'assert d["files"][0]["raw"] == 5 * 2**30, d'

# 256 MiB through gzip: read in chunks, not mapped or held whole
truncate -s 256M sparse.bin
peak_kib size --json -c gzip sparse.bin
expect_rc 0
pyjson stdout.txt '
f = d["files"][0]
assert f["raw"] == 256 * 2**20 and 0 < f["gzip"] < 1024 * 1024, f'
[ "$peak" -lt 65536 ] || die "perfkit size on 256 MiB: peak RSS $peak KiB, expected < 64 MiB"

truncate -s 160M budget.bin
size_yml budget.bin
peak_kib check size.yml --no-store
expect_rc 1   # 160 MiB of zeros is ~160 KB gzipped: over the 10KB budget
expect_out 'budget.bin'
[ "$peak" -lt 65536 ] || die "a size budget on 160 MiB: peak RSS $peak KiB, expected < 64 MiB"

