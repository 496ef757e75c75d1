#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for a while (`make fuzz`).
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
#
# BUILD_DIR was configured with -DCCM_FUZZ=ON (normally -DCCM_SANITIZE=ON
# too); SECONDS per target, default 20. Each target starts from a temporary
# copy of its seeds in tests/fuzz/corpus/<name>/ (nothing is written into
# the repository), with tests/fuzz/<name>.dict if there is one, and prints
# one line with its executions. Exits non-zero if
# any target crashed, leaked, timed out or broke an invariant; the input that
# did it is kept under the temporary directory printed, with the log.
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build=$1
secs=${2:-20}
case $secs in
  '' | *[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
bindir=$build/tests/fuzz

# target and its -max_len: records, rosters and CSV files are a few KiB; the
# capsule target stays small because identity files make it run Argon2id;
# a verify input is a few dozen bytes of choices (signer, parents, changes).
targets=(
  "envelope 4096"
  "record 4096"
  "json_load 4096"
  "roster 4096"
  "request 1024"
  "capsule 512"
  "csv 4096"
  "import_json 1024"
  "import 4096"
  "known_hosts 2048"
  "text 1024"
  "verify 128"
)

for t in "${targets[@]}"; do
  name=${t%% *}
  if [ ! -x "$bindir/fuzz_$name" ]; then
    echo "run.sh: $bindir/fuzz_$name not built (configure with -DCCM_FUZZ=ON)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-fuzz.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../lsan.supp:print_suppressions=0}

failed=()
for t in "${targets[@]}"; do
  name=${t%% *}
  max_len=${t##* }
  dir=$work/$name
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "$here/corpus/$name" ]; then
    cp "$here/corpus/$name"/* "$dir/corpus/" 2>/dev/null
  fi
  seeds=$(find "$dir/corpus" -type f | wc -l)
  dict=()
  if [ -f "$here/$name.dict" ]; then
    dict=(-dict="$here/$name.dict")
  fi
  "$bindir/fuzz_$name" "$dir/corpus" "${dict[@]}" \
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
  units=$(find "$dir/corpus" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    printf 'fuzz_%-12s ok      %10s execs in %ss, corpus %d -> %d\n' \
      "$name" "${execs:-?}" "$secs" "$seeds" "$units"
  else
    printf 'fuzz_%-12s FAILED  %10s execs (exit %d), see %s\n' \
      "$name" "${execs:-?}" "$rc" "$dir/log"
    for a in "$dir"/artifacts/*; do
      [ -e "$a" ] && echo "    input: $a"
    done
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant)' "$dir/log" | head -n 5 | sed 's/^/    /'
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: ${#failed[@]} target(s) failed: ${failed[*]} (logs and inputs in $work)" >&2
  exit 1
fi
rm -rf "$work"
exit 0
