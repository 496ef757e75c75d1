#!/usr/bin/env bash
# bench/sync_bench.sh BIN [N...] - the merging sync of two replicas, timed,
# next to Yjs and Automerge merging the same edits in memory.
#
# For each N (default "10000 100000"), bench/sync_gen.py writes two seeded
# edit sets of N random field edits each over the 249 ISO 3166-1 states x 40
# fields (f01..f40). Then, REPS times, in a fresh temporary folder:
#   A: init --member A --no-passphrase; remote add origin HUB; sync
#   B: join HUB --member B --no-passphrase   (prints the request line)
#   A: member add REQUEST; sync        B: sync
#   A: import import-A.json            B: import import-B.json   (offline)
#   A: sync                                          (push)
#   B: sync      <- the headline: fetch + verify + merge + push
#   A: sync      (fast-forward)        B: sync  (nothing to do: the floor)
#   A and B export, compared byte for byte; the field count must be the union
#   of both edit sets. Any failure stops the benchmark with exit 1.
# Medians of the REPS runs are reported. Next to them: a plain `git fetch` of
# the same hub into a copy of B's repository (taken just before B's sync),
# and, once per N from a snapshot of the last run, B's sync again under gdb
# (wall time of each phase: ccm_sync_fetch, ccm_store_verify_range,
# ccm_sync_merge, ccm_sync_push, ccm_store_refresh), under perf (where the
# CPU goes) and under strace -c (system calls). The last two are written to
# sync_profile-N.txt next to the results file (bench/out/ by default).
#
# When node and npm are there, bench/js/package.json is installed into
# bench/out/js (node_modules and package-lock.json never land in bench/js)
# and bench/js/merge_bench.mjs runs there on the same edit sets.
#
# Prints tables and writes bench/out/sync_results.json. See bench/SYNC.md.
#
# Environment:
#   SYNC_REPS     runs per N, median reported (default 3)
#   BENCH_SEED    generator seed (default 20250101)
#   SYNC_OUT      results file (default bench/out/sync_results.json)
#   SYNC_JS=0     skip the Yjs/Automerge side
#   SYNC_PROFILE=0  skip the gdb/perf/strace runs
#   BENCH_KEEP=1  keep the temporary folder (its path is printed)
#
# Needs bash >= 4, python3, git, and /usr/share/iso-codes/json/iso_3166-1.json.
set -u

usage() {
    echo "usage: $0 BIN [N...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
BIN0=$1
shift
case $BIN0 in /*) ;; *) BIN0=$PWD/$BIN0 ;; esac
[ -x "$BIN0" ] || {
    echo "sync_bench: '$BIN0' is not an executable" >&2
    exit 2
}
NS=${*:-10000 100000}
for n in $NS; do
    case $n in '' | *[!0-9]* | 0) usage ;; esac
done
REPS=${SYNC_REPS:-3}
case $REPS in '' | *[!0-9]* | 0) usage ;; esac
SEED=${BENCH_SEED:-20250101}
OUTDIR=$HERE/out
OUT=${SYNC_OUT:-$OUTDIR/sync_results.json}
ISO=/usr/share/iso-codes/json/iso_3166-1.json
for tool in python3 git; do
    command -v $tool >/dev/null || {
        echo "sync_bench: $tool is missing" >&2
        exit 2
    }
done
[ -r "$ISO" ] || {
    echo "sync_bench: $ISO is missing (Debian package iso-codes)" >&2
    exit 2
}
mkdir -p "$OUTDIR" "$(dirname "$OUT")" || exit 1

T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-syncbench.XXXXXX") || exit 1
cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "sync_bench: kept $T" >&2
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "sync_bench: $*" >&2; }
die() {
    log "FAILED: $*"
    exit 1
}

# A private copy of the binary: the build folder may be rebuilt meanwhile.
BIN=$T/ccmsync
cp "$BIN0" "$BIN" || exit 1

if [ -n "${EPOCHREALTIME:-}" ]; then
    tick() { _T=${EPOCHREALTIME/[.,]/}; }
else
    tick() { _T=$(($(date +%s%N) / 1000)); }
fi

# ----- the JS side: install once --------------------------------------------
JSDIR=$OUTDIR/js
JS=0
if [ "${SYNC_JS:-1}" = 0 ]; then
    JS_SKIP="SYNC_JS=0"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    JS_SKIP="node not available"
    echo "node not available: JS comparison skipped"
else
    mkdir -p "$JSDIR" && cp "$HERE/js/package.json" "$HERE/js/merge_bench.mjs" "$JSDIR/" || exit 1
    log "installing yjs and @automerge/automerge into $JSDIR ..."
    if npm install --prefix "$JSDIR" --no-audit --no-fund --loglevel=error >"$T/npm.log" 2>&1; then
        JS=1 JS_SKIP=
    else
        JS_SKIP="npm install failed: $(tail -n 3 "$T/npm.log" | tr '\n' ' ')"
        echo "npm install failed: JS comparison skipped" >&2
        cat "$T/npm.log" >&2
    fi
fi

# ----- one run ---------------------------------------------------------------
RES=$T/runs.tsv # n rep step wall_us [cpu_us]
: >"$RES"
R=         # the run's folder
ccmA() { "$BIN" -C "$R/A" "$@"; }
ccmB() { "$BIN" -C "$R/B" "$@"; }

# timed N REP STEP CMD...: runs CMD (stdout to $R/STEP.out), records its wall
# time and its CPU time (user + system of the processes it ran; the machine
# may be shared, and CPU time suffers less from that than wall time).
timed() {
    local n=$1 rep=$2 step=$3 t0 rc cpu TIMEFORMAT='%3U %3S'
    shift 3
    tick; t0=$_T
    { time "$@" >"$R/$step.out" 2>"$R/$step.err"; } 2>"$R/$step.time"
    rc=$?
    tick
    [ $rc -eq 0 ] || die "$step (N=$n, run $rep): exit $rc: $(head -c 400 "$R/$step.err")"
    cpu=$(awk 'END { printf "%d", ($1 + $2) * 1000000 }' "$R/$step.time")
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$rep" "$step" "$((_T - t0))" "$cpu" >>"$RES"
}

git_fetch_baseline() {
    git --git-dir="$R/gitb.git" fetch --quiet --no-tags "$R/hub" +refs/heads/main:refs/bench/theirs
}
git_push_baseline() { # B's merged branch to a copy of the hub as it was before B's sync
    git --git-dir="$R/B/repo" push --quiet "$R/gith.git" +refs/heads/main:refs/bench/merged
}

count_fields() { # export on stdin -> number of f01..f40 fields held
    python3 -c '
import json, re, sys
d = json.load(sys.stdin)
print(sum(1 for s in d["states"] for f in s["fields"] if re.fullmatch(r"f\d\d", f)))'
}

run_once() {
    local n=$1 rep=$2 data=$3 req union fa
    R=$T/run-$n-$rep
    rm -rf "$R" && mkdir -p "$R" || exit 1
    ccmA init --member A --no-passphrase >/dev/null 2>&1 || die "init A"
    ccmA remote add origin "$R/hub" || die "remote add"
    ccmA sync >/dev/null || die "first sync of A"
    req=$(ccmB join "$R/hub" --member B --no-passphrase 2>/dev/null) || die "join B"
    [ -n "$req" ] || die "join printed no request"
    ccmA member add "$req" >/dev/null || die "member add"
    ccmA sync >/dev/null || die "sync A after member add"
    ccmB sync >/dev/null || die "first sync of B"

    timed "$n" "$rep" import_A ccmA import "$data/import-A.json"
    timed "$n" "$rep" import_B ccmB import "$data/import-B.json"
    timed "$n" "$rep" sync_A_push ccmA --json sync
    grep -q '"pushed": true' "$R/sync_A_push.out" || die "A's sync did not push"

    # plain git baselines: fetch the hub into a copy of B's repository now;
    # push B's merge into a copy of this hub after B's sync
    cp -a "$R/B/repo" "$R/gitb.git" && cp -a "$R/hub" "$R/gith.git" || exit 1
    timed "$n" "$rep" git_fetch git_fetch_baseline
    rm -rf "$R/gitb.git"
    if [ "$rep" = "$REPS" ] && [ "${SYNC_PROFILE:-1}" != 0 ]; then
        cp -a "$R/hub" "$R/hub.snap" && cp -a "$R/B" "$R/B.snap" || exit 1
    fi

    export CCMSYNC_TRACE=1 # phase times on stderr (sync.c)
    timed "$n" "$rep" sync_B_merge ccmB --json sync
    unset CCMSYNC_TRACE
    # the sync itself, as the issue times it: fetch + verify + merge + push
    awk -v n="$n" -v rep="$rep" '$1 == "ccmsync:" && $2 == "trace:" &&
        ($3 == "fetch" || $3 == "verify" || $3 == "merge" || $3 == "push") {
            t[$3] += $4; s += $4 }
        END { for (k in t) printf "%s\t%s\tphase_%s\t%d\n", n, rep, k, t[k] * 1000
              printf "%s\t%s\tphases_sum\t%d\n", n, rep, s * 1000 }' \
        "$R/sync_B_merge.err" >>"$RES"
    grep -q '"merged": true' "$R/sync_B_merge.out" || die "B's sync did not merge: $(tr -d '\n' <"$R/sync_B_merge.out")"
    grep -q '"pushed": true' "$R/sync_B_merge.out" || die "B's sync did not push"
    timed "$n" "$rep" git_push git_push_baseline
    rm -rf "$R/gith.git"
    timed "$n" "$rep" sync_A_ff ccmA --json sync
    grep -q '"fast_forward": true' "$R/sync_A_ff.out" || die "A's second sync was not a fast-forward"
    timed "$n" "$rep" sync_B_noop ccmB --json sync

    ccmA export >"$R/export-A.json" || die "export A"
    ccmB export >"$R/export-B.json" || die "export B"
    cmp -s "$R/export-A.json" "$R/export-B.json" ||
        die "N=$n run $rep: A and B do not converge (exports differ; BENCH_KEEP=1 keeps $R)"
    union=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["union"])' "$data/edits.json")
    fa=$(count_fields <"$R/export-A.json")
    [ "$fa" = "$union" ] || die "N=$n run $rep: $fa fields after the merge, expected $union"
    printf '%s\t%s\t%s\t%s\n' "$n" "$rep" fields_after "$fa" >>"$RES"
    printf '%s\t%s\t%s\t%s\n' "$n" "$rep" hub_bytes "$(du -sb "$R/hub" | cut -f1)" >>"$RES"
}

restore_snap() {
    rm -rf "$R/hub" "$R/B" && cp -a "$R/hub.snap" "$R/hub" && cp -a "$R/B.snap" "$R/B"
}

# B's merging sync under gdb: wall time of each phase function (no
# instrumentation in the binary; breakpoints on entry, `finish` to return).
cat >"$T/phases.py" <<'EOF'
import gdb, json, os, time
FUNCS = ["ccm_store_refresh", "ccm_sync_fetch", "ccm_store_verify_range",
         "ccm_sync_merge", "ccm_sync_push"]
gdb.execute("set pagination off")
gdb.execute("set confirm off")
for f in FUNCS:
    gdb.Breakpoint(f)
ev = []
t0 = time.monotonic()
gdb.execute("run", to_string=True)
while gdb.selected_inferior().pid:
    name = gdb.selected_frame().name()
    t1 = time.monotonic()
    gdb.execute("finish", to_string=True)
    t2 = time.monotonic()
    ev.append({"fn": name, "start_ms": round((t1 - t0) * 1e3, 2), "ms": round((t2 - t1) * 1e3, 2)})
    gdb.execute("continue", to_string=True)
total = (time.monotonic() - t0) * 1e3
try:
    code = int(gdb.parse_and_eval("$_exitcode"))
except Exception:
    code = None
with open(os.environ["PHASE_OUT"], "w") as f:
    json.dump({"events": ev, "total_ms": round(total, 2), "exit": code}, f)
EOF

profile() {
    local n=$1 prof
    prof=$(dirname "$OUT")/sync_profile-$n.txt
    R=$T/run-$n-$REPS
    [ -d "$R/B.snap" ] || return 0
    : >"$prof"
    if command -v gdb >/dev/null; then
        restore_snap
        log "[N=$n] B's merging sync again under gdb (phase times)..."
        PHASE_OUT=$T/phases-$n.json \
            gdb -q -batch -nx -x "$T/phases.py" --args "$BIN" -C "$R/B" --json sync >"$T/phases-$n.log" 2>"$T/gdb.err" ||
            log "gdb failed: $(head -c 300 "$T/gdb.err")"
        grep -q '"merged": true' "$T/phases-$n.log" 2>/dev/null || {
            log "gdb run did not merge; phases ignored"
            rm -f "$T/phases-$n.json"
        }
    fi
    if command -v perf >/dev/null; then
        restore_snap
        log "[N=$n] ... under perf record (CPU profile)..."
        if perf record -q -F 2000 --call-graph dwarf,32768 -o "$T/perf-$n.data" -- \
            "$BIN" -C "$R/B" sync >/dev/null 2>"$T/perf.err"; then
            {
                echo "# perf: ccmsync -C B sync, N=$n (merging sync), CPU samples by shared object"
                perf report -i "$T/perf-$n.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | head -n 25
                echo
                echo "# perf: self time by function (top 40)"
                perf report -i "$T/perf-$n.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | head -n 40
                echo
                echo "# perf: inclusive time (children) by named function, top 70 (unnamed library frames left out)"
                perf report -i "$T/perf-$n.data" --stdio --children --sort sym -g none 2>/dev/null | grep -v '^$' | grep -v '^#' | grep -v '\] 0x0000' | head -n 70
                echo
            } >>"$prof"
        else
            log "perf record failed: $(head -c 300 "$T/perf.err")"
            echo "# perf record failed: $(head -c 300 "$T/perf.err")" >>"$prof"
        fi
        rm -f "$T/perf-$n.data"
    fi
    if command -v strace >/dev/null; then
        restore_snap
        log "[N=$n] ... under strace -c (system calls)..."
        if strace -f -c -o "$T/strace-$n.txt" "$BIN" -C "$R/B" sync >/dev/null 2>"$T/strace.err"; then
            { echo "# strace -f -c: ccmsync -C B sync, N=$n"; cat "$T/strace-$n.txt"; echo; } >>"$prof"
        else
            log "strace failed: $(head -c 300 "$T/strace.err")"
        fi
    fi
    [ -s "$prof" ] && log "[N=$n] profile written to $prof"
}

# ----- main loop -------------------------------------------------------------
log "binary $BIN0 (copied to $T); N = $NS; $REPS runs each; seed $SEED"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
for n in $NS; do
    data=$T/data-$n
    python3 "$HERE/sync_gen.py" --n "$n" --seed "$SEED" --iso "$ISO" --out "$data" >"$data.stats" ||
        die "generator (N=$n)"
    log "[N=$n] edit sets: $(cat "$data.stats")"
    for rep in $(seq 1 "$REPS"); do
        log "[N=$n] run $rep/$REPS ..."
        run_once "$n" "$rep" "$data"
        log "[N=$n] run $rep: B's merging sync $(awk -F'\t' -v n="$n" -v r="$rep" '$1 == n && $2 == r && $3 == "sync_B_merge" { printf "%.1f", $4 / 1000 }' "$RES") ms"
    done
    [ "${SYNC_PROFILE:-1}" != 0 ] && profile "$n"
    for rep in $(seq 1 "$REPS"); do
        [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$T/run-$n-$rep"
    done
    if [ "$JS" = 1 ]; then
        log "[N=$n] Yjs and Automerge (node $(node --version)) ..."
        node --expose-gc "$JSDIR/merge_bench.mjs" "$data/edits.json" "$REPS" >"$T/js-$n.json" ||
            die "merge_bench.mjs (N=$n)"
    fi
done

# ----- report -----------------------------------------------------------------
export SB_LOAD_START=${LOAD_START:-} SB_LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
export SB_T=$T SB_NS=$NS SB_REPS=$REPS SB_SEED=$SEED SB_OUT=$OUT SB_BIN=$BIN0 SB_JS_SKIP=${JS_SKIP:-}
export SB_REV=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')
export SB_DIRTY=$(git -C "$HERE/.." status --porcelain --untracked-files=no 2>/dev/null | wc -l)
export SB_GIT=$(git --version | awk '{ print $3 }')
export SB_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
export SB_NPROC=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
export SB_NODE=$(command -v node >/dev/null && node --version || echo)
python3 - <<'EOF' || exit 1
import json, os, statistics, sys, datetime

T = os.environ["SB_T"]
ns = [int(x) for x in os.environ["SB_NS"].split()]
reps = int(os.environ["SB_REPS"])
runs = {}
cpus = {}
for line in open(os.path.join(T, "runs.tsv")):
    n, rep, step, v, *c = line.rstrip("\n").split("\t")
    runs.setdefault(int(n), {}).setdefault(step, []).append(int(v))
    if c:
        cpus.setdefault(int(n), {}).setdefault(step, []).append(int(c[0]))

def med_ms(n, step, src=None):
    v = (src or runs)[n].get(step)
    return round(statistics.median(v) / 1000, 1) if v else None

def fmt(x, w=9):
    return ("-" if x is None else "%.1f" % x).rjust(w)

def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None

def fr(x, w=8):
    return ("-" if x is None else "%.2fx" % x).rjust(w)

out = {
    "benchmark": "ccmsync merging sync of two replicas vs Yjs/Automerge in-memory merge",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cpus": os.environ["SB_NPROC"], "cpu": os.environ["SB_CPU"],
                "git": os.environ["SB_GIT"], "node": os.environ["SB_NODE"] or None,
                "loadavg_start": os.environ["SB_LOAD_START"], "loadavg_end": os.environ["SB_LOAD_END"]},
    "ccmsync": {"binary": os.environ["SB_BIN"], "source": os.environ["SB_REV"],
                "modified_tracked_files": int(os.environ["SB_DIRTY"])},
    "reps": reps, "seed": int(os.environ["SB_SEED"]),
    "js_skipped": os.environ["SB_JS_SKIP"] or None,
    "results": [],
}
steps = ["import_A", "import_B", "sync_A_push", "git_fetch", "sync_B_merge", "git_push", "sync_A_ff", "sync_B_noop"]
for n in ns:
    stats = json.load(open(os.path.join(T, "data-%d.stats" % n)))
    r = {"n": n, "edit_sets": stats, "ccmsync_ms": {}, "ccmsync_cpu_ms": {}, "ccmsync_runs_ms": {}}
    for s in steps:
        r["ccmsync_ms"][s] = med_ms(n, s)
        r["ccmsync_cpu_ms"][s] = med_ms(n, s, cpus)
        r["ccmsync_runs_ms"][s] = [round(v / 1000, 1) for v in runs[n].get(s, [])]
    r["trace_ms"] = {k: med_ms(n, "phase_" + k) for k in ("fetch", "verify", "merge", "push")}
    r["trace_ms"]["sum"] = med_ms(n, "phases_sum")
    r["trace_runs_ms"] = [round(v / 1000, 1) for v in runs[n].get("phases_sum", [])]
    r["fields_after_merge"] = runs[n]["fields_after"][0]
    r["hub_bytes"] = runs[n]["hub_bytes"][-1]
    p = os.path.join(T, "phases-%d.json" % n)
    if os.path.exists(p):
        ph = json.load(open(p))
        r["phases_under_gdb"] = ph
    jp = os.path.join(T, "js-%d.json" % n)
    if os.path.exists(jp):
        js = json.load(open(jp))
        r["js"] = js
        def ratios(x, key, prefix):
            return {prefix + "_over_" + lib + "_" + wl: ratio(x, js[lib][wl][key])
                    for lib in ("yjs", "automerge") for wl in ("edits", "collapsed")}
        r["ratios"] = ratios(r["ccmsync_ms"]["sync_B_merge"], "merge_ms", "ccmsync")
        r["cpu_ratios"] = ratios(r["ccmsync_cpu_ms"]["sync_B_merge"], "merge_cpu_ms", "ccmsync")
        r["trace_ratios"] = ratios(r["trace_ms"]["sum"], "merge_ms", "sync_phases")
    out["results"].append(r)

m = out["machine"]
print()
print("ccmsync sync benchmark: 2 replicas, %d states x %d fields; median of %d runs; times in ms"
      % (out["results"][0]["edit_sets"]["states"], out["results"][0]["edit_sets"]["fields"], reps))
print("%s CPUs (%s); git %s; node %s; source %s%s" % (m["cpus"], m["cpu"], m["git"], m["node"] or "-",
      out["ccmsync"]["source"], " + uncommitted changes" if out["ccmsync"]["modified_tracked_files"] else ""))
print("load average (1, 5, 15 min) at start: %s; at end: %s" % (m["loadavg_start"], m["loadavg_end"]))
print()
print("Edit sets (per replica: N edits, collapsed per state/field as `import` takes them)")
print("%8s %12s %12s %12s %8s %12s" % ("N", "distinct A", "distinct B", "both sides", "union", "states both"))
for r in out["results"]:
    e = r["edit_sets"]
    print("%8d %12d %12d %12d %8d %12d" % (r["n"], e["distinct_A"], e["distinct_B"], e["both_sides"], e["union"], e["states_both"]))
print()
print("ccmsync: each CLI command, process start included; wall clock / CPU time (user + system)")
hdr = ("N", "", "import A", "import B", "A sync push", "B sync MERGE", "A sync ff", "no-op sync", "git fetch*", "git push*")
print("%8s %5s %10s %10s %12s %13s %10s %11s %11s %10s" % hdr)
for r in out["results"]:
    for lab, c in (("wall", r["ccmsync_ms"]), ("cpu", r["ccmsync_cpu_ms"])):
        print("%8s %5s %10s %10s %12s %13s %10s %11s %11s %10s" % (r["n"] if lab == "wall" else "", lab, fmt(c["import_A"]),
              fmt(c["import_B"]), fmt(c["sync_A_push"]), fmt(c["sync_B_merge"]), fmt(c["sync_A_ff"]),
              fmt(c["sync_B_noop"]), fmt(c["git_fetch"]), fmt(c["git_push"])))
print("  * plain git on the same objects: `git fetch HUB main` into a copy of B's repository taken just")
print("    before B's sync; `git push` of B's merged branch into a copy of the hub taken at the same moment")
print("  B sync MERGE runs (ms): " + "; ".join("N=%d: %s" % (r["n"], ", ".join("%.1f" % v for v in r["ccmsync_runs_ms"]["sync_B_merge"])) for r in out["results"]))
print()
print("B's merging sync itself, as the issue times it (fetch + verify + merge + push, from CCMSYNC_TRACE")
print("in the same runs; process start, store open and exit excluded); wall ms, medians")
print("%8s %9s %9s %9s %9s %11s %13s" % ("N", "fetch", "verify", "merge", "push", "sum", "B sync MERGE"))
for r in out["results"]:
    t = r["trace_ms"]
    print("%8d %9s %9s %9s %9s %11s %13s" % (r["n"], fmt(t["fetch"]), fmt(t["verify"]), fmt(t["merge"]), fmt(t["push"]),
          fmt(t["sum"]), fmt(r["ccmsync_ms"]["sync_B_merge"])))
print("  sum runs (ms): " + "; ".join("N=%d: %s" % (r["n"], ", ".join("%.1f" % v for v in r["trace_runs_ms"])) for r in out["results"]))
if any("phases_under_gdb" in r for r in out["results"]):
    print()
    print("Where B's merging sync spends its wall time (one more run from a snapshot of the last run,")
    print("under gdb: entry and return of each phase function)")
    print("%8s %9s %9s %9s %9s %9s %11s %11s" % ("N", "fetch", "verify", "merge", "push", "refresh", "phases sum",
                                              "B sync med"))
    for r in out["results"]:
        ph = r.get("phases_under_gdb")
        if not ph:
            continue
        ev = ph["events"]
        def get(fn):
            xs = [e["ms"] for e in ev if e["fn"] == fn]
            return round(sum(xs), 1) if xs else None
        parts = [get(f) for f in ("ccm_sync_fetch", "ccm_store_verify_range", "ccm_sync_merge", "ccm_sync_push", "ccm_store_refresh")]
        tot = round(sum(x for x in parts if x is not None), 1)
        plain = r["ccmsync_ms"]["sync_B_merge"]
        ph["phases_ms"] = dict(zip(("fetch", "verify", "merge", "push", "refresh"), parts))
        ph["phases_sum_ms"] = tot
        print("%8d %9s %9s %9s %9s %9s %11s %11s" % ((r["n"],) + tuple(fmt(x) for x in parts) + (fmt(tot), fmt(plain))))
        print("%8s %9s %9s %9s %9s %9s" % (("share",) + tuple(("%.0f%%" % (100 * x / tot) if x is not None and tot else "-").rjust(9) for x in parts)))
    print("  fetch = ccm_sync_fetch (libgit2 fetch into a quarantine ref), verify = ccm_store_verify_range")
    print("  (signatures and roster of the incoming commits), merge = ccm_sync_merge (3-way tree walk, decrypt +")
    print("  join + re-encrypt of records changed on both sides, new trees, signed merge commit), push =")
    print("  ccm_sync_push (objects to the hub + compare-and-swap of its branch), refresh = ccm_store_refresh")
    print("  (before and after). The rest of a sync (process start, store open, lock) is about the no-op sync.")
    print("  One run under a debugger: read the shares, and compare the sum with the B sync runs above.")
if out["js_skipped"]:
    print()
    print("JS comparison skipped: " + out["js_skipped"])
else:
    print()
    j0 = out["results"][0]["js"]
    print("Yjs %s / Automerge %s in memory (node %s): median of %d runs after a warm-up"
          % (j0["yjs_version"], j0["automerge_version"], j0["node"], j0["reps"]))
    print("%8s %-10s %10s %10s %13s %13s %11s %11s" % ("N", "workload", "Yjs edit", "Yjs merge", "AM edit", "AM merge", "AM wire",
                                                        "upd KiB Y/AM"))
    for r in out["results"]:
        js = r["js"]
        for wl in ("edits", "collapsed"):
            y, a = js["yjs"][wl], js["automerge"][wl]
            print("%8d %-10s %10s %10s %13s %13s %11s %6.0f/%-5.0f" % (r["n"], wl, fmt(y["edit_ms"]), fmt(y["merge_ms"]),
                  fmt(a["edit_ms"]), fmt(a["merge_ms"]), fmt(a["wire_ms"]), y["update_bytes"] / 1024, a["change_bytes"] / 1024))
    print("  edit = one replica applying its set locally; merge = B's changes into A (Yjs: state vector +")
    print("  encodeStateAsUpdate + applyUpdate; Automerge: merge); wire = Automerge saveSince + loadIncremental")
    print()
    print("Comparison: ccmsync's merging sync (CLI, on disk, encrypted, signed, fetch+verify+merge+push)")
    print("against the in-memory merge; ratio = ccmsync / other, > 1 means ccmsync is slower")
    print("%8s %5s %10s %11s %11s %11s %11s %9s %9s %9s %9s" % ("N", "", "ccmsync", "Yjs edits", "Yjs coll.", "AM edits", "AM coll.",
          "/Yjs ed", "/Yjs co", "/AM ed", "/AM co"))
    for r in out["results"]:
        js = r["js"]
        for lab, cm, key, q in (("wall", r["ccmsync_ms"], "merge_ms", r["ratios"]),
                                ("cpu", r["ccmsync_cpu_ms"], "merge_cpu_ms", r["cpu_ratios"])):
            print("%8s %5s %10s %11s %11s %11s %11s %9s %9s %9s %9s" % (r["n"] if lab == "wall" else "", lab, fmt(cm["sync_B_merge"]),
                  fmt(js["yjs"]["edits"][key]), fmt(js["yjs"]["collapsed"][key]),
                  fmt(js["automerge"]["edits"][key]), fmt(js["automerge"]["collapsed"][key]),
                  fr(q["ccmsync_over_yjs_edits"]), fr(q["ccmsync_over_yjs_collapsed"]),
                  fr(q["ccmsync_over_automerge_edits"]), fr(q["ccmsync_over_automerge_collapsed"])))
        q = r["trace_ratios"]
        print("%8s %5s %10s %11s %11s %11s %11s %9s %9s %9s %9s" % ("", "sync*", fmt(r["trace_ms"]["sum"]),
              fmt(js["yjs"]["edits"]["merge_ms"]), fmt(js["yjs"]["collapsed"]["merge_ms"]),
              fmt(js["automerge"]["edits"]["merge_ms"]), fmt(js["automerge"]["collapsed"]["merge_ms"]),
              fr(q["sync_phases_over_yjs_edits"]), fr(q["sync_phases_over_yjs_collapsed"]),
              fr(q["sync_phases_over_automerge_edits"]), fr(q["sync_phases_over_automerge_collapsed"])))
    print("  wall, cpu: the whole `ccmsync sync` process; sync*: its fetch + verify + merge + push only")
    print("  (CCMSYNC_TRACE), the issue's definition, against the same wall times of the JS merges")
with open(os.environ["SB_OUT"], "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print()
print("written: " + os.environ["SB_OUT"])
EOF
