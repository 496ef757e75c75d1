#!/usr/bin/env python3
"""bench/sync_gen.py - deterministic edit sets for bench/sync_bench.sh.

    python3 bench/sync_gen.py --n N --seed SEED --iso ISO_JSON --out DIR

Writes, for two replicas A and B, N random field edits each over the 249
ISO 3166-1 states x 40 user fields (f01..f40), every value a short random
text. The two edit streams are different (independent generators derived
from SEED), so they touch the same states and, often, the same fields:

  DIR/edits.json     {"n", "seed", "states": [ISO3...], "fields": [f01...],
                      "A": [[state, field, value], ...],   # N edits, in order
                      "B": [[state, field, value], ...],
                      "stats": {...}}                      # read by the JS side
  DIR/import-A.json  {"states": [{"id", "fields": {...}}]} # for `ccmsync import`
  DIR/import-B.json

`ccmsync import` takes each state once per file, so the import files hold the
edits collapsed per state, the last value of each field winning: N edits
become at most 249 x 40 = 9,960 distinct field assignments per replica.
The statistics (printed on stdout as one JSON object, also in edits.json)
say how many: distinct assignments per replica, fields assigned on both
sides (concurrent assignments to the same field), their union, and states
touched on both sides.

The generator is splitmix64, written out here so the data does not depend
on the Python version.
"""
import argparse
import json
import os
import sys

MASK = (1 << 64) - 1
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class SplitMix64:
    def __init__(self, seed):
        self.x = seed & MASK

    def next(self):
        self.x = (self.x + 0x9E3779B97F4A7C15) & MASK
        z = self.x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        # n is small (< 2^16): the modulo bias is below 2^-48
        return self.next() % n


def word(rng, lo, hi):
    return "".join(ALPHABET[rng.below(26)] for _ in range(lo + rng.below(hi - lo + 1)))


def edits_for(rng, n, states, fields):
    out = []
    for _ in range(n):
        s = states[rng.below(len(states))]
        f = fields[rng.below(len(fields))]
        v = word(rng, 3, 8) + " " + word(rng, 2, 7)
        out.append([s, f, v])
    return out


def collapse(edits):
    """state -> field -> last value"""
    agg = {}
    for s, f, v in edits:
        agg.setdefault(s, {})[f] = v
    return agg


def import_doc(agg):
    return {
        "states": [
            {"id": s, "fields": {f: agg[s][f] for f in sorted(agg[s])}} for s in sorted(agg)
        ]
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True, help="edits per replica")
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--iso", default="/usr/share/iso-codes/json/iso_3166-1.json")
    ap.add_argument("--fields", type=int, default=40)
    ap.add_argument("--out", required=True, help="output folder (created)")
    a = ap.parse_args()
    if a.n < 1 or a.fields < 1 or a.fields > 99:
        ap.error("--n must be >= 1 and --fields between 1 and 99")

    with open(a.iso, encoding="utf-8") as f:
        states = sorted(c["alpha_3"] for c in json.load(f)["3166-1"])
    fields = ["f%02d" % (i + 1) for i in range(a.fields)]

    base = SplitMix64(a.seed)
    ea = edits_for(SplitMix64(base.next()), a.n, states, fields)
    eb = edits_for(SplitMix64(base.next()), a.n, states, fields)
    ga, gb = collapse(ea), collapse(eb)
    ka = {(s, f) for s in ga for f in ga[s]}
    kb = {(s, f) for s in gb for f in gb[s]}
    stats = {
        "n": a.n,
        "seed": a.seed,
        "states": len(states),
        "fields": len(fields),
        "slots": len(states) * len(fields),
        "distinct_A": len(ka),
        "distinct_B": len(kb),
        "both_sides": len(ka & kb),
        "union": len(ka | kb),
        "states_A": len(ga),
        "states_B": len(gb),
        "states_both": len(set(ga) & set(gb)),
    }

    os.makedirs(a.out, exist_ok=True)

    def dump(name, doc, indent=None):
        p = os.path.join(a.out, name)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"), indent=indent)
            f.write("\n")

    dump("edits.json", {"n": a.n, "seed": a.seed, "states": states, "fields": fields,
                        "A": ea, "B": eb, "stats": stats})
    dump("import-A.json", import_doc(ga))
    dump("import-B.json", import_doc(gb))
    json.dump(stats, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
