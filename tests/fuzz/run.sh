#!/bin/sh
# run.sh - run the libFuzzer harnesses built by `make fuzz-build`.
#
#   run.sh [--smoke] BUILD SECONDS JOBS HARNESS...
#
# Each harness fuzzes for SECONDS (JOBS harnesses at a time) from its seed
# corpus tests/fuzz/corpus/H plus its regression inputs tests/fuzz/regressions/H
# (each of which is executed first, so a regression crashes at once), with its
# dictionary tests/fuzz/H.dict when there is one.  New inputs go to
# BUILD/corpus/H (kept between long runs; a fresh folder for --smoke), crash
# inputs to BUILD/crashes/H/.  Prints one line per harness with libFuzzer's
# final stats (execs, exec/s) and coverage (cov = edges, ft = features), then
# "fuzz: N passed, N failed" (fuzz-smoke: with --smoke).  A crash input must be
# copied into tests/fuzz/regressions/H/ once understood: it then runs forever.
# With CW_COUNTS=FILE, also appends "passed failed" to FILE for the summary.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")

if [ "${1:-}" = "--one" ]; then
    # internal: one harness; prints its summary line, exit status 0 = no crash
    mode=$2 build=$3 seconds=$4 h=$5
    bin="$build/fuzz/fuzz-$h"
    dict_name=$h
    case $h in jira|jenkins|pagerduty|github|gitlab) dict_name=json ;; servicenow) dict_name=jira-csv ;; esac
    work="$build/corpus/$h"
    [ "$mode" = smoke ] && work="$build/smoke/$h" && rm -rf "$work"
    crashes="$build/crashes/$h"
    log="$build/logs/$mode-$h.log"
    mkdir -p "$work" "$crashes" "$build/logs"
    set -- -max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
        -max_len=16384 -artifact_prefix="$crashes/"
    [ -f "$here/$dict_name.dict" ] && set -- "$@" -dict="$here/$dict_name.dict"
    set -- "$@" "$work"
    [ -d "$here/corpus/$h" ] && set -- "$@" "$here/corpus/$h"
    [ -d "$here/regressions/$h" ] && set -- "$@" "$here/regressions/$h"
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
        "$bin" "$@" >"$log" 2>&1
    rc=$?
    # the log may hold bytes a parser printed: read it as text regardless
    execs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -n 1 | tr -cd '0-9')
    speed=$(grep -a '^stat::average_exec_per_sec:' "$log" | tail -n 1 | tr -cd '0-9')
    cov=$(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    corpus=$(find "$work" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        printf '%-11s ok      %10s execs %6s exec/s  %-22s corpus %s\n' \
            "$h" "${execs:-?}" "${speed:-?}" "${cov:-cov: ?}" "$corpus"
        exit 0
    fi
    printf '%-11s CRASHED %10s execs (exit %s); log %s\n' "$h" "${execs:-?}" "$rc" "$log"
    grep -aE 'ERROR: |runtime error|invariant broken|Test unit written|SUMMARY' "$log" | head -n 8 | sed 's/^/    /'
    exit 1
fi

mode=long
[ "${1:-}" = "--smoke" ] && mode=smoke && shift
build=$1 seconds=$2 jobs=$3
shift 3
results=$(mktemp)
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$mode" "$build" "$seconds" {} | tee "$results"
passed=$(grep -c ' ok  ' "$results")
failed=$(($# - passed))
rm -f "$results"
[ -n "${CW_COUNTS:-}" ] && echo "$passed $failed" >>"$CW_COUNTS"
label=fuzz
[ "$mode" = smoke ] && label=fuzz-smoke
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
