#!/usr/bin/env bash
# t_convergence.sh - property test of the merge semantics (README, "Working as a group"; docs/architecture.md, "Records"): four
# replicas make random offline edits and sync in a random order over a random
# topology; whenever two replicas hold the same changes their `export` is byte
# for byte the same, after a quiesce all four exports are identical, `verify`
# passes everywhere, the git repositories are clean, no activity is lost (and
# no removed one comes back), and an assignment made after a full quiesce is
# the value everywhere, with no conflicts left on its field.
#
# Two runs, each with its own seed derived from the main seed:
#   star  - a hub (PATH/hub.git) for everyone, a "USB" remote (PATH/usb.git)
#           for A and C, and pair remotes B<->D (each the other's STORE/repo);
#   chain - only pair syncs along A-B-C-D during the rounds, the hub at the end.
#
# Environment (besides lib.sh's):
#   CCM_SEED=N            the main seed (default: random; it is printed)
#   CCM_CONV_ROUNDS=R     rounds of random edits and syncs per run (default 60:
#                         about 30 s in all on 2 cores, 85 s under ASan)
# Every run logs each command it ran, with exit status and output, to
# <scratch>/<run>/ops.log; on failure the scratch folder is kept and the log
# path, the seed and the differences are printed.
. "$(dirname "$0")/lib.sh"

SEED=${CCM_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000000))}
ROUNDS=${CCM_CONV_ROUNDS:-60}
echo "seed: $SEED (rerun with CCM_SEED=$SEED), $ROUNDS rounds per run"

cat >"$T/driver.py" <<'PY'
# driver.py ROOT RUN SEED TOPOLOGY ROUNDS RESULTS
# Builds a group of four replicas in ROOT/RUN, runs the random rounds, then
# the quiesce and the checks; appends "PASS<TAB>what" / "FAIL<TAB>what" lines
# to RESULTS (details of a failure go to stderr and to the log).
import difflib
import json
import os
import random
import shlex
import subprocess
import sys

BIN = os.environ["CCMSYNC_BIN"]
ROOT, RUN, SEED, TOPO, ROUNDS, RESULTS = sys.argv[1:7]
SEED, ROUNDS = int(SEED), int(ROUNDS)
rng = random.Random("%d/%s" % (SEED, RUN))
W = os.path.join(ROOT, RUN)
os.makedirs(W)
LOG_PATH = os.path.join(W, "ops.log")
LOG = open(LOG_PATH, "w", encoding="utf-8")
RES = open(RESULTS, "a", encoding="utf-8")

MEMBERS = ["A", "B", "C", "D"]
STORE = {m: os.path.join(W, m) for m in MEMBERS}
HUB = os.path.join(W, "hub.git")
USB = os.path.join(W, "usb.git")
HUBNAME = {"A": "hub", "B": "origin", "C": "origin", "D": "origin"}  # joiners: origin
if TOPO == "star":
    REMOTES = {"A": ["hub", "usb"], "B": ["origin", "d"], "C": ["origin", "usb"],
               "D": ["origin", "b"]}
else:  # chain A-B-C-D, pair remotes only
    REMOTES = {"A": ["b"], "B": ["a", "c"], "C": ["b", "d"], "D": ["c"]}
PAIR_URL = {r: os.path.join(STORE[r.upper()], "repo") for r in "abcd"}

STATES = ["LAO", "NOR", "PER", "MWI", "PHL"]
STATUS = ["party", "signatory", "non-party", "withdrawing", "withdrawn"]
PRIORITY = ["high", "medium", "low"]
TARGETS = ["signatory", "apmbc", "withdrawing", "ccw", "unga-yes", "interim-steps"]
REASONS = ["security", "alliances", "stockpile", "cost", "legislation", "capacity",
           "priorities", "regional", "other"]
TYPES = ["bilateral", "survey", "side-event", "iwg-meeting", "embassy", "regional-workshop",
         "model-legislation", "ipu", "cmc-icrc", "treaty-event", "regional-org", "other"]
ACT_STATUS = ["planned", "done", "cancelled"]
WORDS = ["call", "the minister", "embassy", "follow up", "draft law", "Vientiane", "Oslo",
         "Lima", "Lilongwe", "Manila", "côte d'Ivoire", "réunion — MSP", "\"quoted\"",
         "a, b", "x=y", "next week", "ratify?", "50%"]
STATE_FIELDS = ["priority", "status", "next_step", "lead", "targets", "survey_reasons",
                "last_contact", "note_1", "note_2", "note_3"]
SET_POOLS = {"lead": MEMBERS, "targets": TARGETS, "survey_reasons": REASONS}
ENUM_POOLS = {"priority": PRIORITY, "status": STATUS}

nops = 0
op_errors = []          # commands of the run that should have succeeded and did not
created, removed = [], set()
touched = set()         # (state, field) assigned during the rounds
n_failed = 0


def log(msg):
    LOG.write(msg + "\n")
    LOG.flush()


def ccm(m, *args, read=False):
    """Runs ccmsync -C STORE[m] ARGS, logs it; returns the CompletedProcess."""
    global nops
    nops += 1
    p = subprocess.run([BIN, "-C", STORE[m]] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, encoding="utf-8", errors="replace")
    if not read:
        out = p.stdout.strip().splitlines()
        log("#%d %s$ ccmsync -C %s %s   # rc=%d%s%s" % (
            nops, m, m, " ".join(shlex.quote(a) for a in args), p.returncode,
            " out=" + shlex.quote(out[-1][:200]) if out else "",
            " err=" + shlex.quote(p.stderr.strip()[:300]) if p.stderr.strip() else ""))
    return p


def must(p, what):
    if p.returncode != 0:
        op_errors.append("%s: exit %d: %s" % (what, p.returncode, p.stderr.strip()[:300]))
    return p


def git(repo, *args):
    return subprocess.run(["git", "--git-dir=" + repo] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, encoding="utf-8", errors="replace")


def check(ok, what, detail=""):
    global n_failed
    RES.write("%s\t[%s] %s\n" % ("PASS" if ok else "FAIL", RUN, what))
    RES.flush()
    if not ok:
        n_failed += 1
        msg = "FAIL [%s, seed %d] %s\n%s" % (RUN, SEED, what, detail)
        log("### " + msg)
        sys.stderr.write(msg.rstrip("\n") + "\n  operations log: %s\n" % LOG_PATH)


def text():
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))) + \
        " #%d" % rng.randint(0, 9999)


def date():
    return "2025-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28))


def sync(m, remote):
    must(ccm(m, "sync", remote), "%s sync %s" % (m, remote))


# ---- setup ------------------------------------------------------------------

def setup():
    must(ccm("A", "init", "--member", "A", "--no-passphrase"), "A init")
    must(ccm("A", "remote", "add", "hub", HUB), "A remote add hub")
    sync("A", "hub")
    for m in ["B", "C", "D"]:
        p = must(ccm(m, "join", HUB, "--member", m, "--no-passphrase"), "%s join" % m)
        lines = p.stdout.strip().splitlines()
        must(ccm("A", "member", "add", lines[-1] if lines else "", "--role", "editor"),
             "A member add %s" % m)
        sync("A", "hub")
        sync(m, "origin")
    for m in MEMBERS:
        sync(m, HUBNAME[m])
    for m in MEMBERS:
        for r in REMOTES[m]:
            if r in ("hub", "origin"):
                continue
            url = USB if r == "usb" else PAIR_URL[r]
            must(ccm(m, "remote", "add", r, url), "%s remote add %s" % (m, r))


# ---- random edits -------------------------------------------------------------

def state_arg(field):
    """One random FIELD argument of `state set` for FIELD."""
    if field in ENUM_POOLS:
        return field + "=" + (rng.choice(ENUM_POOLS[field]) if rng.random() < 0.85 else "")
    if field in SET_POOLS:
        x = rng.random()
        pool = SET_POOLS[field]
        if x < 0.55:
            return field + "+=" + rng.choice(pool)
        if x < 0.85:
            return field + "-=" + rng.choice(pool)
        if x < 0.93:
            return field + "=" + ",".join(rng.sample(pool, rng.randint(1, 2)))
        return field + "="
    if field == "last_contact":
        return field + "=" + (date() if rng.random() < 0.85 else "")
    return field + "=" + (text() if rng.random() < 0.85 else "")


def visible_activities(m):
    p = ccm(m, "--json", "activity", "list", read=True)
    if p.returncode != 0:
        op_errors.append("%s activity list: exit %d: %s" % (m, p.returncode, p.stderr.strip()))
        return []
    order = {a: i for i, a in enumerate(created)}  # a seed replays the same choices
    return sorted((a["id"] for a in json.loads(p.stdout)), key=lambda a: (order.get(a, -1), a))


def edit(m):
    x = rng.random()
    if x < 0.5:
        # LAO and the first fields are "hot", for more concurrent assignments.
        st = rng.choices(STATES, weights=[4, 2, 1, 1, 1])[0]
        fields, n = [], rng.randint(1, 3)
        while len(fields) < n:
            f = rng.choices(STATE_FIELDS, weights=[3, 3, 3, 3, 2, 1, 1, 1, 1, 1])[0]
            if f not in fields:
                fields.append(f)
        for f in fields:
            touched.add((st, f))
        must(ccm(m, "state", "set", st, *[state_arg(f) for f in fields]), "%s state set" % m)
        return
    if x < 0.72:
        args = ["activity", "add", "--type", rng.choice(TYPES), "--date", date()]
        if rng.random() < 0.7:
            args.append("states=" + ",".join(rng.sample(STATES, rng.randint(1, 2))))
        if rng.random() < 0.5:
            args.append("by+=" + m)
        if rng.random() < 0.5:
            args.append("summary=" + text())
        p = must(ccm(m, "--json", *args), "%s activity add" % m)
        if p.returncode == 0:
            created.append(json.loads(p.stdout)["id"])
        return
    ids = visible_activities(m)
    if not ids:
        return edit(m)
    aid = rng.choice(ids)
    if x < 0.92:
        ops = {"status": lambda: "status=" + rng.choice(ACT_STATUS),
               "summary": lambda: "summary=" + (text() if rng.random() < 0.8 else ""),
               "outcome": lambda: "outcome=" + text(),
               "by": lambda: "by" + rng.choice(["+=", "-="]) + rng.choice(MEMBERS),
               "states": lambda: "states" + rng.choice(["+=", "-="]) + rng.choice(STATES)}
        names = rng.sample(sorted(ops), rng.randint(1, 2))
        must(ccm(m, "activity", "set", aid, *[ops[n]() for n in names]), "%s activity set" % m)
    else:
        p = must(ccm(m, "activity", "rm", aid), "%s activity rm" % m)
        if p.returncode == 0:
            removed.add(aid)


# ---- observation --------------------------------------------------------------

export_cache = {}


def head(m):
    return git(os.path.join(STORE[m], "repo"), "rev-parse", "main").stdout.strip()


def export(m, h=None):
    h = h or head(m)
    if (m, h) not in export_cache:
        p = ccm(m, "export", read=True)
        if p.returncode != 0:
            op_errors.append("%s export: exit %d: %s" % (m, p.returncode, p.stderr.strip()))
        export_cache[(m, h)] = p.stdout
    return export_cache[(m, h)]


def changes(m):
    """The non-merge commits a replica holds: the changes it has seen."""
    p = git(os.path.join(STORE[m], "repo"), "rev-list", "--no-merges", "main")
    return frozenset(p.stdout.split())


def diff(a, b, name_a, name_b):
    d = difflib.unified_diff(a.splitlines(), b.splitlines(), name_a, name_b, lineterm="", n=4)
    return "\n".join(list(d)[:200])


inter = {"compared": 0, "distinct_heads": 0, "mismatch": []}


def intermediate_check(rnd):
    """Replicas holding the same changes must export the same bytes."""
    groups, heads = {}, {m: head(m) for m in MEMBERS}
    for m in MEMBERS:
        groups.setdefault(changes(m), []).append(m)
    for ms in groups.values():
        for other in ms[1:]:
            inter["compared"] += 1
            if heads[ms[0]] != heads[other]:
                inter["distinct_heads"] += 1
            a, b = export(ms[0], heads[ms[0]]), export(other, heads[other])
            if a != b:
                inter["mismatch"].append("after round %d (op #%d), %s (head %s) vs %s (head %s):\n%s"
                                         % (rnd, nops, ms[0], heads[ms[0]][:10], other,
                                            heads[other][:10], diff(a, b, ms[0], other)))
                log("### mismatch after round %d: %s vs %s" % (rnd, ms[0], other))


def snapshot():
    snap = []
    for repo in [os.path.join(STORE[m], "repo") for m in MEMBERS] + [HUB, USB]:
        if os.path.isdir(repo):
            snap.append(git(repo, "for-each-ref", "--format=%(refname) %(objectname)").stdout)
        else:
            snap.append(None)
    return snap


def shuffled(xs):
    xs = list(xs)
    rng.shuffle(xs)
    return xs


def quiesce(label):
    """Syncs until a full pass changes no ref anywhere; True if it got there."""
    log("### quiesce (%s)" % label)
    for _ in range(6):
        before = snapshot()
        if TOPO == "star":
            for _ in range(2):
                for m in shuffled(MEMBERS):
                    sync(m, HUBNAME[m])
            pairs = [("A", "usb"), ("C", "usb"), ("B", "d"), ("D", "b")]
            for m, r in shuffled(pairs):
                sync(m, r)
            for m in shuffled(MEMBERS):
                sync(m, HUBNAME[m])
        else:
            for m, r in [("B", "a"), ("C", "b"), ("D", "c"), ("C", "d"), ("B", "c"), ("A", "b")]:
                sync(m, r)
        if snapshot() == before:
            break
    else:
        return False
    if TOPO == "chain":  # the hub at the end
        for _ in range(4):
            before = snapshot()
            for _ in range(2):
                for m in shuffled(MEMBERS):
                    sync(m, HUBNAME[m])
            if snapshot() == before:
                return True
        return False
    return True


def check_converged(label):
    """All four exports identical; returns the parsed export (or None)."""
    ex = {m: export(m) for m in MEMBERS}
    bad = [m for m in MEMBERS[1:] if ex[m] != ex["A"]]
    check(not bad, "%s: the four exports are byte-identical" % label,
          "heads: " + ", ".join("%s=%s" % (m, head(m)[:10]) for m in MEMBERS) + "\n" +
          "\n".join(diff(ex["A"], ex[m], "A/export", "%s/export" % m) for m in bad))
    try:
        return json.loads(ex["A"])
    except ValueError as e:
        check(False, "%s: export is JSON" % label, str(e))
        return None


def check_verify_fsck(label):
    for m in MEMBERS:
        p = ccm(m, "verify", read=True)
        check(p.returncode == 0, "%s: %s verify passes" % (label, m),
              "exit %d: %s" % (p.returncode, p.stderr.strip()))
    repos = [("hub", HUB)] + ([("usb", USB)] if os.path.isdir(USB) else []) + \
        [(m + "/repo", os.path.join(STORE[m], "repo")) for m in MEMBERS]
    for name, repo in repos:
        p = git(repo, "fsck", "--strict", "--no-dangling", "--no-progress")
        check(p.returncode == 0 and not (p.stdout + p.stderr).strip(),
              "%s: git fsck of %s is clean" % (label, name),
              "exit %d: %s%s" % (p.returncode, p.stdout[:1000], p.stderr[:1000]))


# ---- the run --------------------------------------------------------------------

def main():
    log("# run %s, topology %s, seed %d (derived from %d/%s), %d rounds; stores in %s"
        % (RUN, TOPO, SEED, SEED, RUN, ROUNDS, W))
    setup()
    check(not op_errors, "setup of the four replicas succeeds", "\n".join(op_errors))
    del op_errors[:]
    n_edits = n_syncs = 0
    for rnd in range(1, ROUNDS + 1):
        log("## round %d" % rnd)
        x = rng.random()
        if TOPO == "star" and x < 0.1:
            # Crossed syncs: A and C each push to one of their two shared
            # remotes, then each merges the other's: two different merge
            # commits of (often) the same changes.
            n_syncs += 4
            p, q = shuffled(["A", "C"])
            r1, r2 = shuffled(["hub", "usb"])
            nm = lambda m, r: HUBNAME[m] if r == "hub" else r
            sync(p, nm(p, r1))
            sync(q, nm(q, r2))
            sync(p, nm(p, r2))
            sync(q, nm(q, r1))
        elif x < 0.6:
            n_edits += 1
            edit(rng.choice(MEMBERS))
        else:
            n_syncs += 1
            m = rng.choice(MEMBERS)
            sync(m, rng.choice(REMOTES[m]))
        intermediate_check(rnd)
    check(not op_errors, "every random edit and sync exits 0", "\n".join(op_errors))
    del op_errors[:]
    check(not inter["mismatch"], "replicas holding the same changes export the same bytes "
          "(%d comparisons, %d between different heads)"
          % (inter["compared"], inter["distinct_heads"]), "\n".join(inter["mismatch"][:3]))

    check(quiesce("after the rounds"), "the quiesce reaches a fixed point")
    check(not op_errors, "every quiesce sync exits 0", "\n".join(op_errors))
    del op_errors[:]
    doc = check_converged("after the rounds")
    check_verify_fsck("after the rounds")
    if doc is None:
        return
    have = {a["id"] for a in doc["activities"]}
    n_conflicts = sum(len(r.get("conflicts", {})) for r in doc["states"] + doc["activities"])
    alive = [a for a in created if a not in removed]
    lost = [a for a in alive if a not in have]
    back = sorted(a for a in removed if a in have)
    check(not lost and not back, "every activity created and not removed is there (%d), "
          "no removed one is (%d)" % (len(alive), len(removed)),
          "lost: %s\nremoved but present: %s" % (lost, back))

    # Last assignments: after the full quiesce, random replicas assign fresh
    # values to every field touched during the rounds and to every activity.
    log("### markers")
    expected, per = {}, {}
    for i, (st, f) in enumerate(sorted(touched)):
        if f in ENUM_POOLS:
            v = rng.choice(ENUM_POOLS[f])
            arg, want = f + "=" + v, v
        elif f in SET_POOLS:
            vs = rng.sample(SET_POOLS[f], rng.randint(1, 2))
            arg, want = f + "=" + ",".join(vs), sorted(vs)
        elif f == "last_contact":
            v = date()
            arg, want = f + "=" + v, v
        else:
            v = "marker %s %d %d" % (RUN, SEED, i)
            arg, want = f + "=" + v, v
        expected[("state", st, f)] = want
        per.setdefault((rng.choice(MEMBERS), st), []).append(arg)
    for (m, st), args in sorted(per.items()):
        must(ccm(m, "state", "set", st, *args), "%s state set (marker)" % m)
    for i, aid in enumerate(alive):
        m, v, s = rng.choice(MEMBERS), "marker %s %d a%d" % (RUN, SEED, i), rng.choice(ACT_STATUS)
        must(ccm(m, "activity", "set", aid, "summary=" + v, "status=" + s),
             "%s activity set (marker)" % m)
        expected[("activity", aid, "summary")] = v
        expected[("activity", aid, "status")] = s
    check(not op_errors, "every marker assignment exits 0", "\n".join(op_errors))
    del op_errors[:]
    check(quiesce("after the markers"), "the quiesce after the markers reaches a fixed point")
    check(not op_errors, "every quiesce sync after the markers exits 0", "\n".join(op_errors))
    del op_errors[:]
    doc = check_converged("after the markers")
    wrong = []
    for m in MEMBERS:
        d = json.loads(export(m))
        recs = {(r["kind"], r["id"]): r for r in d["states"] + d["activities"]}
        for (kind, rid, f), want in sorted(expected.items()):
            r = recs.get((kind, rid))
            if r is None:
                wrong.append("%s: %s %s missing" % (m, kind, rid))
            elif r["fields"].get(f) != want or f in r.get("conflicts", {}):
                wrong.append("%s: %s %s.%s = %r (want %r), conflicts %r"
                             % (m, kind, rid, f, r["fields"].get(f), want,
                                r.get("conflicts", {}).get(f)))
    check(not wrong, "the last assignment of each of %d fields holds everywhere, "
          "with no conflicts on it" % len(expected), "\n".join(wrong[:40]))
    check_verify_fsck("after the markers")
    sys.stdout.write("  run %s (%s, seed %d): %d rounds (%d edits, %d syncs), %d commands, "
                     "%d activities (%d removed), %d same-changes comparisons (%d across "
                     "different heads), %d fields with conflicts, %d marker fields\n"
                     % (RUN, TOPO, SEED, ROUNDS, n_edits, n_syncs, nops, len(created),
                        len(removed), inter["compared"], inter["distinct_heads"],
                        n_conflicts, len(expected)))


main()
if n_failed:
    sys.stderr.write("run %s: %d check(s) failed; seed %d; operations log: %s\n"
                     % (RUN, n_failed, SEED, LOG_PATH))
PY

# run_driver RUN TOPOLOGY : one driver run; its checks become assertions. On
# a failure the scratch folder is kept (CCM_E2E_KEEP, read by lib.sh's cleanup).
# shellcheck disable=SC2034 # LAST_CMD and CCM_E2E_KEEP are read by lib.sh
run_driver() {
    local run=$1 topo=$2 res="$T/$1.results" st what rc=0
    : >"$res"
    python3 "$T/driver.py" "$T" "$run" "$SEED" "$topo" "$ROUNDS" "$res" || rc=$?
    LAST_CMD=
    if [[ $rc -ne 0 ]]; then
        CCM_E2E_KEEP=1
        fail "the driver of run $run crashed (exit $rc; seed $SEED; log $T/$run/ops.log)"
    fi
    while IFS=$'\t' read -r st what; do
        if [[ "$st" == PASS ]]; then
            pass
        else
            CCM_E2E_KEEP=1
            fail "$what (seed $SEED; operations log $T/$run/ops.log)"
        fi
    done <"$res"
}

START=$SECONDS
run_driver star star
run_driver chain chain
echo "both runs took $((SECONDS - START)) s"
done_testing
