#!/bin/sh
# The history store's unit tests on PostgreSQL: start a private server
# (tests/pg.sh), run the shared store suite and test_store_pg with
# PERFKIT_TEST_STORE set to it, stop the server. Arguments: the test
# binaries (build/tests/test_store ...). Skips, saying so, only when the
# PostgreSQL binaries are not installed.
set -u
here=$(dirname "$0")
if ! sh "$here/pg.sh" available; then
    echo "store on PostgreSQL: SKIPPED — no PostgreSQL binaries (/usr/lib/postgresql/*/bin; apt-get install postgresql)"
    exit 0
fi
dir=$(mktemp -u /tmp/pk-pgtest-XXXXXX)
url=$(sh "$here/pg.sh" start "$dir") || { echo "store on PostgreSQL: the server did not start" >&2; exit 1; }
trap 'sh "$here/pg.sh" stop "$dir"' EXIT INT TERM
echo "store on PostgreSQL ($dir):"
PERFKIT_TEST_STORE=$url sh "$here/run-unit.sh" "$@"
