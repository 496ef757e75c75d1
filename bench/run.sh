#!/usr/bin/env bash
# bench/run.sh BIN [N] - wall-clock benchmark of ccmsync against plain git.
#
# Builds fresh stores in a temporary folder by importing generated data
# (bench/gen.awk: the 249 ISO 3166-1 states and N activities), times the
# everyday commands on the largest one next to a plain git command on the same
# repository, and times `import` and `state set` at several store sizes to
# show how commit cost scales. Prints a table and writes bench/out/results.json.
#
# Environment:
#   BENCH_N       activities in the main store (default 100000; argument N wins)
#   BENCH_REPS    repetitions of each fast command, median reported (default 15)
#   BENCH_SCALES  store sizes for the scaling table (default "1000 10000 100000",
#                 sizes above N dropped, N always included)
#   BENCH_STATE   the state used for point reads and writes (default LAO)
#   BENCH_SEED    generator seed (default 20250101)
#   BENCH_OUT     results file (default bench/out/results.json)
#   BENCH_KEEP=1  keep the temporary folder (its path is printed)
#
# Needs bash >= 4, POSIX awk, git, and the iso-codes package
# (/usr/share/iso-codes/json/iso_3166-1.json). /usr/bin/time is used for the
# peak memory of imports when present.
set -u

usage() {
    echo "usage: $0 BIN [N]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$1
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || {
    echo "bench: '$1' is not an executable" >&2
    exit 2
}
N=${2:-${BENCH_N:-100000}}
REPS=${BENCH_REPS:-15}
X=${BENCH_STATE:-LAO}
SEED=${BENCH_SEED:-20250101}
OUT=${BENCH_OUT:-$HERE/out/results.json}
ISO=/usr/share/iso-codes/json/iso_3166-1.json
[ -r "$ISO" ] || {
    echo "bench: $ISO is missing (Debian package iso-codes)" >&2
    exit 2
}
case $N in '' | *[!0-9]*) usage ;; esac
SCALES=
for s in ${BENCH_SCALES:-1000 10000 100000}; do
    [ "$s" -lt "$N" ] && SCALES="$SCALES $s"
done
SCALES="$SCALES $N"

T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-bench.XXXXXX") || exit 1
cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $T" >&2
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# ----- timing ---------------------------------------------------------------
# tick sets _T to the wall clock in microseconds, without forking when bash
# has EPOCHREALTIME (bash 5); otherwise via date +%s%N.
if [ -n "${EPOCHREALTIME:-}" ]; then
    tick() { _T=${EPOCHREALTIME/[.,]/}; }
else
    tick() { _T=$(($(date +%s%N) / 1000)); }
fi

# ms US: microseconds as milliseconds with 2 decimals.
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

ITER=0 # the repetition number, for commands that need a new value each time
ERRF=$T/stderr

# measure [--pre FN] [--reps K] CMD...: one warm-up run, then K timed runs
# (K = REPS, fewer when the warm-up took long). Sets M_FIRST (the warm-up), M_MED,
# M_MIN, M_MAX in microseconds, M_REPS, and M_ERR (empty, or what failed).
# FN, when given, runs untimed before every run (e.g. a write before a read).
measure() {
    local pre='' reps=$REPS t0 d rc i k times=()
    while :; do
        case $1 in
        --pre) pre=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        *) break ;;
        esac
    done
    M_ERR='' M_FIRST=0 M_MED=0 M_MIN=0 M_MAX=0 M_REPS=0
    for ((i = 0; i <= reps; i++)); do
        ITER=$((ITER + 1))
        [ -n "$pre" ] && $pre >/dev/null 2>&1
        tick; t0=$_T
        "$@" >/dev/null 2>"$ERRF"
        rc=$?
        tick; d=$((_T - t0))
        if [ $rc -ne 0 ]; then
            M_ERR="exit $rc: $(head -c 300 "$ERRF" | head -n 1)"
            log "FAILED ($M_ERR): $*"
            return 1
        fi
        if [ $i -eq 0 ]; then
            M_FIRST=$d
            # slow commands: fewer repetitions
            if [ $d -gt 5000000 ]; then
                k=3
            elif [ $d -gt 1000000 ]; then
                k=5
            else
                k=$reps
            fi
            [ $k -lt $reps ] && reps=$k
        else
            times+=("$d")
        fi
    done
    M_REPS=${#times[@]}
    read -r M_MIN M_MED M_MAX < <(printf '%s\n' "${times[@]}" | sort -n | awk '
        { v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
              print v[1], m, v[NR] }')
}

# once CMD...: a single timed run; sets M_* like measure (all equal).
once() {
    local t0 rc
    M_ERR='' M_REPS=1
    tick; t0=$_T
    "$@" >/dev/null 2>"$ERRF"
    rc=$?
    tick
    M_FIRST=$((_T - t0)) M_MED=$((_T - t0)) M_MIN=$((_T - t0)) M_MAX=$((_T - t0))
    if [ $rc -ne 0 ]; then
        M_ERR="exit $rc: $(head -c 300 "$ERRF" | head -n 1)"
        log "FAILED ($M_ERR): $*"
        return 1
    fi
}

# ----- results --------------------------------------------------------------
US=$'\x1f' # field separator of the rows below
ROWS=()   # name first med err git_cmd git_med git_err ratio
SROWS=()  # n import_us rss_kb git_import_us first_list_us set_us git_commit_us show_us err
JOPS=()   # JSON objects

jstr() { # JSON string literal
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/ }
    s=${s//$'\n'/ }
    printf '"%s"' "$s"
}
jtimes() { # JSON timing object from M_* values
    if [ -n "$M_ERR" ]; then
        printf '{"error": %s}' "$(jstr "$M_ERR")"
    else
        printf '{"median_ms": %s, "min_ms": %s, "max_ms": %s, "first_ms": %s, "reps": %d}' \
            "$(ms "$M_MED")" "$(ms "$M_MIN")" "$(ms "$M_MAX")" "$(ms "$M_FIRST")" "$M_REPS"
    fi
}
ratio() { # ratio A_US B_US
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "-" }'
}

# row NAME CCM_CMD GIT_CMD, after: measure ccm (saved in C_*), measure git (M_*)
C_FIRST=0 C_MED=0 C_MIN=0 C_MAX=0 C_REPS=0 C_ERR='' C_JSON=''
save_ccm() {
    C_FIRST=$M_FIRST C_MED=$M_MED C_MIN=$M_MIN C_MAX=$M_MAX C_REPS=$M_REPS C_ERR=$M_ERR
    C_JSON=$(jtimes)
}
row() {
    local name=$1 ccmd=$2 gcmd=$3 r='-'
    [ -z "$C_ERR" ] && [ -z "$M_ERR" ] && r=$(ratio "$C_MED" "$M_MED")
    ROWS+=("$name$US$C_FIRST$US$C_MED$US$C_ERR$US$gcmd$US$M_MED$US$M_ERR$US$r")
    JOPS+=("{\"name\": $(jstr "$name"), \"ccmsync\": $(jstr "$ccmd"), \"ccmsync_time\": $C_JSON, \"git\": $(jstr "$gcmd"), \"git_time\": $(jtimes), \"ratio\": $([ "$r" = - ] && echo null || echo "$r")}")
}

# ----- commands -------------------------------------------------------------
S= R= XPATH= AID= APRE=
ccm() { "$BIN" -C "$S" "$@"; }
g() { git --git-dir="$R" "$@"; }

c_state_show() { ccm state show "$X"; }
c_state_set() { ccm state set "$X" "next_step=bench step $ITER"; }
c_state_list() { ccm state list; }
c_act_show() { ccm activity show "$AID"; }
c_act_show_prefix() { ccm activity show "$APRE"; }
c_act_list() { ccm activity list --state "$X"; }
c_act_add() { ccm activity add --type bilateral --date 2025-05-05 "states=$X" "summary=bench $ITER"; }
c_log_x() { ccm log "$X"; }
c_log_all() { ccm log; }
c_export() { ccm export; }
c_verify() { ccm verify; }

g_point() { g cat-file -p "main:$XPATH"; }
g_list() { g ls-tree -r main | wc -l; }
g_log_x() { g log --format=%H main -- "$XPATH"; }
g_log_all() { g log -p --root main | wc -c; }
g_readall() { g ls-tree -r main | awk '{ print $3 }' | g cat-file --batch | wc -c; }
g_fsck() { g fsck --no-dangling --no-progress; }
g_revcount() { g rev-list --count main; }
# A one-file commit with plain git, on refs/bench/w (never on main): one
# process that writes the blob, the trees on the record's path and the commit.
g_commit() {
    local v="bench step $ITER"
    printf 'commit refs/bench/w\ncommitter bench <bench@example.org> %s +0000\ndata 5\nbench\nfrom refs/heads/main\nM 100644 inline %s\ndata %d\n%s\n\n' \
        "$((1735689600 + ITER))" "$XPATH" "${#v}" "$v" | g fast-import --quiet --force
}

# fast-import stream holding every generated record as a blob at a random
# 64-hex-digit path r/xx/yy/..., like ccmsync's layout, in one commit.
fi_stream() {
    LC_ALL=C awk -v seed="$SEED" '
        function h16() { rng = (rng * 48271) % 2147483647; return int(rng / 2147483647 * 65536) }
        BEGIN { rng = seed % 2147483646 + 1 }
        /^\{"(id|fields)"/ {
            sub(/,$/, "")
            p = ""
            for (i = 0; i < 16; i++) p = p sprintf("%04x", h16())
            printf "blob\nmark :%d\ndata %d\n%s\n", ++m, length($0), $0
            path[m] = "r/" substr(p, 1, 2) "/" substr(p, 3, 2) "/" substr(p, 5)
        }
        END {
            printf "commit refs/heads/main\ncommitter bench <bench@example.org> 1735689600 +0000\ndata 7\nimport\n"
            for (i = 1; i <= m; i++) printf "M 100644 :%d %s\n", i, path[i]
            printf "\n"
        }' "$1"
}
g_import() { rm -rf "$T/gitimp" && git init -q --bare "$T/gitimp" && git --git-dir="$T/gitimp" fast-import --quiet <"$T/fi.stream"; }

# Import with peak memory when /usr/bin/time is there: sets IMPORT_RSS_KB.
c_import() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$T/rss" "$BIN" -C "$S" import "$1"
    else
        "$BIN" -C "$S" import "$1"
    fi
}

# ----- scaling: import and state set at several sizes -----------------------
log "ccmsync $BIN; N=$N, sizes:$SCALES; reps=$REPS; temp $T"
for n in $SCALES; do
    S=$T/store-$n R=$S/repo
    data=$T/data-$n.json
    awk -f "$HERE/gen.awk" -v n="$n" -v seed="$SEED" "$ISO" >"$data" || exit 1
    "$BIN" -C "$S" init --member Peru --no-passphrase >/dev/null || {
        log "init failed"
        exit 1
    }
    log "[$n] importing $n activities ($(du -h "$data" | cut -f1) of JSON)..."
    IMPORT_RSS_KB=null
    rm -f "$T/rss"
    once c_import "$data"
    imp_err=$M_ERR imp_us=$M_MED
    [ -s "$T/rss" ] && IMPORT_RSS_KB=$(tail -n 1 "$T/rss" | tr -dc 0-9)
    [ -n "$IMPORT_RSS_KB" ] || IMPORT_RSS_KB=null
    log "[$n] import: $(ms "$imp_us") ms, peak RSS ${IMPORT_RSS_KB} kB ${imp_err:+($imp_err)}"
    fi_stream "$data" >"$T/fi.stream"
    once g_import
    gimp_us=$M_MED
    rm -rf "$T/gitimp" "$T/fi.stream"
    if [ -n "$imp_err" ]; then
        SROWS+=("$n$US$imp_us$US$IMPORT_RSS_KB$US$gimp_us$US-$US-$US-$US-$US$imp_err")
        continue
    fi
    once c_state_list
    list1_us=$M_MED
    log "[$n] first state list after import: $(ms "$list1_us") ms"
    measure c_state_set
    set_us=$M_MED set_first=$M_FIRST set_err=$M_ERR
    XPATH=$(g diff-tree -r --name-only --no-commit-id main~1 main | head -n 1)
    measure g_commit
    gcommit_us=$M_MED
    g update-ref -d refs/bench/w
    measure c_state_show
    show_us=$M_MED
    log "[$n] state set $(ms "$set_us") ms (first $(ms "$set_first")), git commit $(ms "$gcommit_us") ms, state show $(ms "$show_us") ms"
    SROWS+=("$n$US$imp_us$US$IMPORT_RSS_KB$US$gimp_us$US$list1_us$US$set_us$US$gcommit_us$US$show_us$US$set_err")
done

# ----- everyday commands on the largest store -------------------------------
S=$T/store-$N R=$S/repo
if [ ! -d "$R" ] || [ -z "$XPATH" ] || ! g rev-parse -q --verify main~1 >/dev/null; then
    log "no usable store of $N activities; see the errors above"
    exit 1
fi
AID=$(ccm --json activity list --state "$X" | grep -o '"id": *"[0-9a-f]\{16\}"' | head -n 1 | grep -o '[0-9a-f]\{16\}')
APRE=${AID:0:6}
log "main store: $N activities; state $X at $XPATH; activity $AID"

measure c_state_show; save_ccm; measure g_point
row "state show $X" "ccmsync state show $X" "git cat-file -p main:<record of $X>"

measure c_state_set; save_ccm; measure g_commit; g update-ref -d refs/bench/w
row "state set $X next_step=..." "ccmsync state set $X next_step=<new each run>" "git fast-import: one-blob commit (unsigned)"

measure c_act_add; save_ccm; measure g_commit; g update-ref -d refs/bench/w
row "activity add" "ccmsync activity add --type bilateral --date 2025-05-05 states=$X summary=..." "git fast-import: one-blob commit (unsigned)"

measure c_act_show; save_ccm; measure g_point
row "activity show (full id)" "ccmsync activity show $AID" "git cat-file -p main:<record>"

measure c_act_show_prefix; save_ccm; measure g_point
row "activity show (6-digit prefix)" "ccmsync activity show $APRE" "git cat-file -p main:<record>"

measure c_act_list; save_ccm; measure g_list
row "activity list --state $X" "ccmsync activity list --state $X" "git ls-tree -r main | wc -l"

measure c_state_list; save_ccm; measure g_list
row "state list" "ccmsync state list" "git ls-tree -r main | wc -l"

measure --pre c_state_set c_state_list; save_ccm; measure g_list
row "state list, first after a write" "ccmsync state list (after a state set)" "git ls-tree -r main | wc -l"

measure --pre c_state_set c_act_list; save_ccm; measure g_list
row "activity list --state $X, first after a write" "ccmsync activity list --state $X (after a state set)" "git ls-tree -r main | wc -l"

measure c_log_x; save_ccm; measure g_log_x
row "log $X" "ccmsync log $X" "git log --format=%H main -- <record of $X>"

measure c_export; save_ccm; measure g_readall
row "export" "ccmsync export" "git ls-tree -r main | git cat-file --batch (every blob)"

measure c_verify; save_ccm; measure g_fsck
row "verify" "ccmsync verify" "git fsck --no-dangling"

measure c_log_all; save_ccm; measure g_log_all
row "log (whole history)" "ccmsync log" "git log -p --root main | wc -c"

c_whoami() { ccm whoami; }
measure c_whoami; save_ccm; measure g_revcount
row "whoami (start-up floor)" "ccmsync whoami" "git rev-list --count main"
ncommits=$(g rev-list --count main)

# ----- report ---------------------------------------------------------------
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
gitv=$(git --version | awk '{ print $3 }')
ver=$("$BIN" --version 2>/dev/null | head -n 1)
rev=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null)
echo
echo "ccmsync benchmark: $N activities + 249 states, $ncommits commits on main; median of $REPS runs"
echo "(fewer for commands over 1 s); $cpus CPUs; git $gitv; source ${rev:-?}; times in ms"
echo
printf '%-48s %10s %10s  %-52s %9s %7s\n' operation "ccmsync" "1st run" "plain git baseline (same repo)" "git" "ratio"
printf '%.0s-' {1..138}; echo
for r in "${ROWS[@]}"; do
    IFS=$US read -r name first med err gcmd gmed gerr rt <<<"$r"
    if [ -n "$err" ]; then
        printf '%-48s %10s %10s  %-52s %9s %7s\n' "$name" FAILED - "$gcmd" "$(ms "$gmed")" -
        echo "    $err"
    else
        printf '%-48s %10s %10s  %-52s %9s %7s\n' "$name" "$(ms "$med")" "$(ms "$first")" "$gcmd" \
            "$([ -n "$gerr" ] && echo FAILED || ms "$gmed")" "${rt}x"
    fi
done
echo
echo "Scaling: import once per size; state set = median of $REPS commits on that store"
printf '%10s %11s %12s %10s %14s %15s %13s %13s %13s\n' activities "import ms" "us/record" "peak MB" \
    "git import ms" "1st list ms" "state set ms" "git commit" "state show"
printf '%.0s-' {1..124}; echo
JS=()
first_set='' last_set='' first_n='' last_n='' first_imp='' last_imp=''
for r in "${SROWS[@]}"; do
    IFS=$US read -r n imp rss gimp l1 set gc show err <<<"$r"
    per=$(awk -v u="$imp" -v n="$n" 'BEGIN { printf "%.1f", u / (n + 249) }')
    mb=$([ "$rss" = null ] && echo - || awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
    if [ -n "$err" ]; then
        printf '%10s %11s %12s %10s %14s   %s\n' "$n" "$(ms "$imp")" "$per" "$mb" "$(ms "$gimp")" "FAILED: $err"
        JS+=("{\"activities\": $n, \"import_ms\": $(ms "$imp"), \"import_peak_rss_kb\": $rss, \"git_fast_import_ms\": $(ms "$gimp"), \"error\": $(jstr "$err")}")
        continue
    fi
    printf '%10s %11s %12s %10s %14s %15s %13s %13s %13s\n' "$n" "$(ms "$imp")" "$per" "$mb" "$(ms "$gimp")" \
        "$(ms "$l1")" "$(ms "$set")" "$(ms "$gc")" "$(ms "$show")"
    JS+=("{\"activities\": $n, \"import_ms\": $(ms "$imp"), \"import_us_per_record\": $per, \"import_peak_rss_kb\": $rss, \"git_fast_import_ms\": $(ms "$gimp"), \"first_state_list_ms\": $(ms "$l1"), \"state_set_ms\": $(ms "$set"), \"git_commit_ms\": $(ms "$gc"), \"state_show_ms\": $(ms "$show")}")
    [ -z "$first_n" ] && first_n=$n first_set=$set first_imp=$imp
    last_n=$n last_set=$set last_imp=$imp
done
summary=''
if [ -n "$first_n" ] && [ "$first_n" != "$last_n" ]; then
    summary=$(awk -v a="$first_n" -v b="$last_n" -v sa="$first_set" -v sb="$last_set" \
        -v ia="$first_imp" -v ib="$last_imp" 'BEGIN {
        printf "%dx more activities: state set x%.2f (flat = 1, linear = %d), import x%.1f (linear = %d)",
               b / a, sb / sa, b / a, ib / ia, b / a }')
    echo
    echo "$summary"
fi

mkdir -p "$(dirname "$OUT")"
{
    echo "{"
    echo "  \"n\": $N, \"reps\": $REPS, \"state\": $(jstr "$X"), \"seed\": $SEED, \"commits\": $ncommits,"
    echo "  \"cpus\": $(jstr "$cpus"), \"git\": $(jstr "$gitv"), \"source\": $(jstr "${rev:-}"), \"ccmsync_version\": $(jstr "$ver"),"
    echo "  \"date\": $(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),"
    echo "  \"operations\": ["
    for ((i = 0; i < ${#JOPS[@]}; i++)); do
        echo "    ${JOPS[$i]}$([ $i -lt $((${#JOPS[@]} - 1)) ] && echo ,)"
    done
    echo "  ],"
    echo "  \"scaling\": ["
    for ((i = 0; i < ${#JS[@]}; i++)); do
        echo "    ${JS[$i]}$([ $i -lt $((${#JS[@]} - 1)) ] && echo ,)"
    done
    echo "  ],"
    echo "  \"scaling_summary\": $(jstr "$summary")"
    echo "}"
} >"$OUT"
echo
echo "results: $OUT"
