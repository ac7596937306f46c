#!/bin/sh
# check-layers.sh - the folders' includes point one way, down the pipeline:
#
#   core/       the bottom: includes no other folder of catwalk
#   extract/    core/ only
#   transform/  never reports/ or cmd/
#   load/       never transform/, reports/ or cmd/
#   reports/    never cmd/
#   demogen/    core/ only (a tool beside the product; only cmd/demo.c uses it)
#   sqlite3.h, libpq-fe.h: load/ only (and the tests that need a raw SQLite)
#
# A rule that is only written down goes stale; this one runs with `make unit`
# and `make test`.  Prints each offending line and exits 1, or prints
# "layers: ok".
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0

# forbid FOLDER OTHER...: no file of FOLDER includes a header of OTHER.
forbid() {
    folder=$1; shift
    for other in "$@"; do
        hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"(\.\./)?$other/" \
               "$folder"/*.c "$folder"/*.h 2>/dev/null)
        if [ -n "$hits" ]; then
            echo "layers: $folder/ may not include $other/:"
            echo "$hits" | sed 's/^/  /'
            bad=1
        fi
    done
}

forbid core      extract transform load reports cmd demogen
forbid extract   transform load reports cmd demogen
forbid transform reports cmd demogen
forbid load      transform reports cmd demogen
forbid reports   cmd demogen
forbid demogen   extract transform load reports cmd

# Engine headers: only load/ includes sqlite3.h or libpq-fe.h (load/db.h is
# the interface), and of the tests only those that need a raw SQLite
# database (their own SQL functions): support.c makes it for them.
RAW_SQLITE_TESTS="tests/unit/support.c tests/unit/test_metrics.c tests/unit/test_report.c
                  tests/unit/test_valuestream.c"
hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](sqlite3|libpq-fe)\.h[>"]' \
       --include='*.c' --include='*.h' . 2>/dev/null | sed 's|^\./||' |
       grep -vE '^(load|build[^/]*)/' |
       grep -vF "$(printf '%s:\n' $RAW_SQLITE_TESTS)")
if [ -n "$hits" ]; then
    echo "layers: only load/ (and $RAW_SQLITE_TESTS) may include an engine's header:"
    echo "$hits" | sed 's/^/  /'
    bad=1
fi

if [ "$bad" -ne 0 ]; then
    exit 1
fi
echo "layers: ok"
