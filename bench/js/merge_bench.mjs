// bench/js/merge_bench.mjs - the in-memory merge of Yjs and Automerge on the
// edit sets that bench/sync_gen.py wrote for the ccmsync sync benchmark.
//
//   node merge_bench.mjs EDITS_JSON [REPS]
//
// Prints one JSON document on stdout (progress goes to stderr). Run by
// bench/sync_bench.sh, which installs the dependencies of bench/js/package.json
// into bench/out/js/ and runs a copy of this script from there.
//
// The shape is the one ccmsync syncs: a common base holding the 249 states,
// each an (empty) map; two replicas A and B that each apply their own edit
// set offline; then B's changes are merged into A.
//
// Two workloads, both from EDITS_JSON:
//   "edits"     the N edits of each replica in order (overwrites included),
//               in one transaction (Yjs) / one change (Automerge) per
//               replica, as ccmsync's import makes one commit per replica;
//   "collapsed" the distinct field assignments of each replica (the last
//               value per field), exactly what ccmsync imports.
//
// Timed, per library and workload (median of REPS runs after one unrecorded
// warm-up run, fresh documents each run):
//   yjs.merge_ms        Y.encodeStateVector(A) + Y.encodeStateAsUpdate(B, sv) + Y.applyUpdate(A, u)
//   yjs.back_ms         the same from A to B (the other half of a two-way sync)
//   automerge.merge_ms  Automerge.merge(A, B)
//   automerge.wire_ms   Automerge.saveSince(B, baseHeads) + Automerge.loadIncremental(A, bytes)
//   *.edit_ms           applying one replica's edit set locally (for context; untimed by the headline)
//   *.merge_cpu_ms      CPU time (user + system, whole process) of the merge, for shared machines
// After the first run the replicas are merged both ways and compared:
// identical JSON, and as many fields as the union of both edit sets, or exit 1.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import * as Automerge from "@automerge/automerge";

const here = path.dirname(fileURLToPath(import.meta.url));
const [editsPath, repsArg] = process.argv.slice(2);
if (!editsPath) {
  console.error("usage: node merge_bench.mjs EDITS_JSON [REPS]");
  process.exit(2);
}
const REPS = Math.max(1, parseInt(repsArg || "3", 10));
const data = JSON.parse(fs.readFileSync(editsPath, "utf8"));
const log = (...a) => console.error("js:", ...a);

function pkgVersion(name) {
  try {
    const p = path.join(here, "node_modules", name, "package.json");
    return JSON.parse(fs.readFileSync(p, "utf8")).version;
  } catch {
    return null;
  }
}

function collapse(edits) {
  const last = new Map(); // "state\0field" -> [s, f, v], in first-seen order
  for (const e of edits) last.set(e[0] + "\0" + e[1], e);
  return [...last.values()];
}

const workloads = {
  edits: { A: data.A, B: data.B },
  collapsed: { A: collapse(data.A), B: collapse(data.B) },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const round = (x) => Math.round(x * 1000) / 1000;
// CPU time (user + system, all threads of the process) since c0, in ms
const cpuSince = (c0) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const gc = globalThis.gc || (() => {});

function countFields(states) {
  let n = 0;
  for (const k of Object.keys(states)) n += Object.keys(states[k]).length;
  return n;
}

function canon(v) {
  // JSON with sorted keys, for comparing the replicas
  if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
  if (v && typeof v === "object")
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
  return JSON.stringify(v);
}

function check(lib, wl, a, b, union) {
  const ca = canon(a), cb = canon(b);
  if (ca !== cb) {
    log(`${lib}/${wl}: replicas differ after a two-way merge`);
    process.exit(1);
  }
  const n = countFields(a);
  if (n !== union) {
    log(`${lib}/${wl}: ${n} fields after the merge, expected ${union}`);
    process.exit(1);
  }
  return n;
}

// ----- Yjs -------------------------------------------------------------------
function yjsBase() {
  const base = new Y.Doc();
  base.clientID = 1;
  const states = base.getMap("states");
  base.transact(() => {
    for (const s of data.states) states.set(s, new Y.Map());
  });
  return Y.encodeStateAsUpdate(base);
}

function yjsReplica(baseUpdate, clientID, edits) {
  const d = new Y.Doc();
  d.clientID = clientID;
  Y.applyUpdate(d, baseUpdate);
  const states = d.getMap("states");
  const t0 = performance.now();
  d.transact(() => {
    for (const [s, f, v] of edits) states.get(s).set(f, v);
  });
  return [d, performance.now() - t0];
}

function runYjs(wl, edits, union) {
  const baseUpdate = yjsBase();
  const merge = [], mergeCpu = [], back = [], edit = [];
  let bytes = 0, fields = null;
  for (let r = -1; r < REPS; r++) { // r = -1: warm-up (JIT), not recorded
    const [a, ea] = yjsReplica(baseUpdate, 2, edits.A);
    const [b, eb] = yjsReplica(baseUpdate, 3, edits.B);
    gc();
    const c0 = process.cpuUsage();
    let t0 = performance.now();
    const sv = Y.encodeStateVector(a);
    const u = Y.encodeStateAsUpdate(b, sv);
    Y.applyUpdate(a, u);
    const tm = performance.now() - t0;
    const cm = cpuSince(c0);
    bytes = u.length;
    t0 = performance.now();
    const u2 = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
    Y.applyUpdate(b, u2);
    const tb = performance.now() - t0;
    if (r >= 0) {
      edit.push(ea, eb);
      merge.push(tm);
      mergeCpu.push(cm);
      back.push(tb);
    }
    if (r === 0) fields = check("yjs", wl, a.getMap("states").toJSON(), b.getMap("states").toJSON(), union);
    a.destroy();
    b.destroy();
  }
  return {
    merge_ms: round(median(merge)), merge_runs_ms: merge.map(round), merge_cpu_ms: round(median(mergeCpu)),
    back_ms: round(median(back)), edit_ms: round(median(edit)),
    update_bytes: bytes, fields_after_merge: fields,
  };
}

// ----- Automerge --------------------------------------------------------------
const ACTOR_BASE = "01".repeat(16), ACTOR_A = "0a".repeat(16), ACTOR_B = "0b".repeat(16);

function amBase() {
  const init = { states: {} };
  for (const s of data.states) init.states[s] = {};
  return Automerge.from(init, ACTOR_BASE);
}

function amReplica(base, actor, edits) {
  let d = Automerge.clone(base, actor);
  const t0 = performance.now();
  d = Automerge.change(d, (doc) => {
    for (const [s, f, v] of edits) doc.states[s][f] = v;
  });
  return [d, performance.now() - t0];
}

function runAutomerge(wl, edits, union) {
  const base = amBase();
  const heads = Automerge.getHeads(base);
  const merge = [], mergeCpu = [], wire = [], edit = [];
  let bytes = 0, fields = null;
  for (let r = -1; r < REPS; r++) { // r = -1: warm-up, not recorded
    const [a, ea] = amReplica(base, ACTOR_A, edits.A);
    const [b, eb] = amReplica(base, ACTOR_B, edits.B);
    const a2 = Automerge.clone(a, ACTOR_A); // a second copy of A for the wire path
    gc();
    const c0 = process.cpuUsage();
    let t0 = performance.now();
    const m = Automerge.merge(a, b);
    const tm = performance.now() - t0;
    const cm = cpuSince(c0);
    const b2 = Automerge.clone(b, ACTOR_B);
    gc();
    t0 = performance.now();
    const bin = Automerge.saveSince(b2, heads);
    const w = Automerge.loadIncremental(a2, bin);
    const tw = performance.now() - t0;
    bytes = bin.length;
    if (r >= 0) {
      edit.push(ea, eb);
      merge.push(tm);
      mergeCpu.push(cm);
      wire.push(tw);
    }
    if (r === 0) {
      const back = Automerge.merge(b2, Automerge.clone(a, ACTOR_A));
      fields = check("automerge", wl, Automerge.toJS(m).states, Automerge.toJS(back).states, union);
      if (canon(Automerge.toJS(w).states) !== canon(Automerge.toJS(m).states)) {
        log(`automerge/${wl}: merge and saveSince+loadIncremental disagree`);
        process.exit(1);
      }
    }
  }
  return {
    merge_ms: round(median(merge)), merge_runs_ms: merge.map(round), merge_cpu_ms: round(median(mergeCpu)),
    wire_ms: round(median(wire)), wire_runs_ms: wire.map(round),
    edit_ms: round(median(edit)), change_bytes: bytes, fields_after_merge: fields,
  };
}

// ----- main -------------------------------------------------------------------
const union = data.stats.union;
const out = {
  n: data.n, seed: data.seed, reps: REPS, node: process.version,
  yjs_version: pkgVersion("yjs"), automerge_version: pkgVersion("@automerge/automerge"),
  stats: data.stats, yjs: {}, automerge: {},
};
for (const [wl, edits] of Object.entries(workloads)) {
  log(`N=${data.n} ${wl}: Yjs...`);
  out.yjs[wl] = runYjs(wl, edits, union);
  log(`N=${data.n} ${wl}: Yjs merge ${out.yjs[wl].merge_ms} ms; Automerge...`);
  out.automerge[wl] = runAutomerge(wl, edits, union);
  log(`N=${data.n} ${wl}: Automerge merge ${out.automerge[wl].merge_ms} ms, wire ${out.automerge[wl].wire_ms} ms`);
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
