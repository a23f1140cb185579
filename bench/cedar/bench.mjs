// The Cedar side of bench/decide_vs_cedar.sh: the same request mix as
// bench/decide_bench.cc, decided by an equivalent Cedar policy set
// (policies.cedar) with @cedar-policy/cedar-wasm under Node.
//
//   node bench.mjs [--mix PATH] [--expected PATH] [--n N] [--check-only]
//
// 1. Splits policies.cedar into policies keyed by their @id annotation,
//    validates them against hannan.cedarschema (strict), and preparses them
//    once (preparsePolicySet), so statefulIsAuthorized does not re-parse the
//    policies on each call.
// 2. Converts every mix request to a Cedar request (principal, action,
//    resource, context, entities; see hannan.cedarschema for the mapping).
// 3. With --expected (mamori's contract decisions for the mix, one JSON line
//    per request in mix order, from `decide_bench --decisions_out=PATH`),
//    checks that Cedar agrees on every request: the effect (allow /
//    approval_required / deny), the approval steps, the obligations and the
//    clauses. Any disagreement is an error (exit 1).
// 4. Times N decisions per mode, cycling the mix in file order:
//      decide        statefulIsAuthorized on the pre-built request objects
//      parse_decide  JSON.parse(line) + conversion + statefulIsAuthorized
//    first untimed (decisions/s: median of 5 loops), then each call timed on its own with
//    process.hrtime.bigint() (p50/p99/p99.9/max), and prints the same table
//    and RESULT/MEMORY lines as decide_bench.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = {
    mix: join(here, '..', 'data', 'hannan_mix.jsonl'),
    expected: null,
    n: 20000,
    checkOnly: false,
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--mix') args.mix = value();
    else if (a === '--expected') args.expected = value();
    else if (a === '--n') args.n = Number.parseInt(value(), 10);
    else if (a === '--check-only') args.checkOnly = true;
    else fail(`unknown argument ${a}`);
  }
  if (!(args.n > 0)) fail('--n must be a positive integer');
  return args;
}

function fail(message) {
  console.error(`bench.mjs: ${message}`);
  process.exit(1);
}

function readJsonl(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

// ---------------------------------------------------------------------------
// The policy set

const POLICY_SET_ID = 'hannan';

// Approval steps may be taken by a role's delegates (hannan.toml
// [roles.chief_officer] delegates = ["deputy_chief_officer"]), as mamori
// expands them in Decide.
const DELEGATES = { chief_officer: ['deputy_chief_officer'] };

function splitList(text) {
  return text ? text.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

function loadPolicies() {
  const text = readFileSync(join(here, 'policies.cedar'), 'utf8');
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') fail(`policies.cedar: ${JSON.stringify(parts.errors)}`);
  const staticPolicies = {};
  const meta = new Map();  // policy id -> {effect, approvals, obligations, clauses}
  for (const policyText of parts.policies) {
    const json = cedar.policyToJson(policyText);
    if (json.type !== 'success') fail(`policies.cedar: ${JSON.stringify(json.errors)}`);
    const annotations = json.json.annotations ?? {};
    const id = annotations.id;
    if (!id) fail(`policies.cedar: a policy has no @id: ${policyText.slice(0, 80)}`);
    if (meta.has(id)) fail(`policies.cedar: duplicate @id ${id}`);
    const effect = annotations.effect;
    if (!['allow', 'approval_required', 'deny'].includes(effect)) fail(`${id}: bad @effect`);
    if ((effect === 'deny') !== (json.json.effect === 'forbid')) {
      fail(`${id}: @effect ${effect} does not match ${json.json.effect}`);
    }
    const approvals = (annotations.approvals ?? '')
      .split(';')
      .filter((s) => s !== '')
      .map((step) => {
        const roles = splitList(step);
        for (const role of [...roles]) {
          for (const d of DELEGATES[role] ?? []) if (!roles.includes(d)) roles.push(d);
        }
        return roles;
      });
    if ((effect === 'approval_required') !== (approvals.length > 0)) {
      fail(`${id}: @approvals must be given exactly for approval_required`);
    }
    meta.set(id, {
      effect,
      approvals,
      obligations: splitList(annotations.obligations),
      clauses: splitList(annotations.clauses),
    });
    staticPolicies[id] = policyText;
  }
  const policies = { staticPolicies };

  const schema = readFileSync(join(here, 'hannan.cedarschema'), 'utf8');
  const validation = cedar.validate({ schema, policies, validationSettings: { mode: 'strict' } });
  if (validation.type !== 'success') fail(`validation: ${JSON.stringify(validation.errors)}`);
  if (validation.validationErrors.length > 0) {
    fail(`policies.cedar does not validate against hannan.cedarschema:\n${validation.validationErrors
      .map((e) => `  ${e.policyId}: ${e.error.message}`)
      .join('\n')}`);
  }
  const preparsed = cedar.preparsePolicySet(POLICY_SET_ID, policies);
  if (preparsed.type !== 'success') fail(`preparsePolicySet: ${JSON.stringify(preparsed.errors)}`);
  return meta;
}

// ---------------------------------------------------------------------------
// mamori request (docs: src/decide/request.h) -> Cedar request

const IMPORTANCE_RANK = { A: 0, B: 1, C: 2 };

function toCedar(request, index) {
  const actor = request.actor;
  const principal = { type: 'User', id: actor.id };
  const user = {
    uid: principal,
    attrs: actor.section !== undefined ? { section: actor.section } : {},
    parents: actor.roles.map((role) => ({ type: 'Role', id: role })),
  };
  const entities = [user];
  let resource;
  if (request.asset) {
    resource = { type: 'Asset', id: request.asset.id ?? request.id ?? `asset-${index}` };
    const attrs = { kind: request.asset.kind };
    const importance = request.asset.classification?.importance;
    if (importance !== undefined) {
      // Several levels: the highest counts (2.2(1)①), as mamori's parser keeps.
      const levels = Array.isArray(importance) ? importance : [importance];
      attrs.importance = Math.min(...levels.map((l) => IMPORTANCE_RANK[l]));
    }
    entities.push({ uid: resource, attrs, parents: [] });
  } else {
    resource = { type: 'Organization', id: 'hannan' };
  }
  return {
    principal,
    action: { type: 'Action', id: request.action },
    resource,
    context: request.context ?? {},
    preparsedPolicySetId: POLICY_SET_ID,
    entities,
  };
}

function authorize(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success') fail(`statefulIsAuthorized: ${JSON.stringify(answer.errors)}`);
  return answer.response;
}

// Cedar's answer in mamori's terms: Allow + a determining policy marked
// approval_required = "permit with obligation" = approval_required.
function interpret(response, meta) {
  if (response.diagnostics.errors.length > 0) {
    fail(`policy evaluation errors: ${JSON.stringify(response.diagnostics.errors)}`);
  }
  const reasons = response.diagnostics.reason.map((id) => meta.get(id));
  let effect = response.decision === 'deny' ? 'deny' : 'allow';
  if (effect === 'allow' && reasons.some((m) => m.effect === 'approval_required')) {
    effect = 'approval_required';
  }
  return {
    effect,
    approvals: normalizeSteps(reasons.flatMap((m) => m.approvals)),
    obligations: [...new Set(reasons.flatMap((m) => m.obligations))].sort(),
    clauses: [...new Set(reasons.flatMap((m) => m.clauses))].sort(),
    reasons: response.diagnostics.reason,
  };
}

function normalizeSteps(steps) {
  return [...new Set(steps.map((step) => [...step].sort().join(',')))].sort();
}

// mamori's contract JSON in the same normal form. Separation of duties is a
// note about who may approve, not a decision Cedar makes: its clause (1(3)①)
// is left out of the comparison when mamori reports it.
function fromMamori(decision) {
  let clauses = decision.clauses.map((c) => c.id);
  if (decision.separation_of_duties) clauses = clauses.filter((c) => c !== '1(3)①');
  return {
    effect: decision.effect,
    approvals: normalizeSteps(decision.approvals),
    obligations: [...new Set(decision.obligations)].sort(),
    clauses: [...new Set(clauses)].sort(),
  };
}

function check(lines, calls, meta, expectedPath) {
  const expected = readJsonl(expectedPath).map((line) => JSON.parse(line));
  if (expected.length !== lines.length) {
    fail(`${expectedPath} has ${expected.length} decisions for ${lines.length} requests`);
  }
  const counts = { allow: 0, approval_required: 0, deny: 0 };
  const mismatches = [];
  for (let i = 0; i < lines.length; ++i) {
    const got = interpret(authorize(calls[i]), meta);
    const want = fromMamori(expected[i]);
    counts[want.effect]++;
    for (const key of ['effect', 'approvals', 'obligations', 'clauses']) {
      if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
        mismatches.push(`  ${expected[i].id ?? `line ${i + 1}`}: ${key}: mamori ${JSON.stringify(want[key])}, ` +
                        `cedar ${JSON.stringify(got[key])} (cedar policies: ${got.reasons.join(', ')})`);
      }
    }
  }
  if (mismatches.length > 0) {
    console.error(`cedar disagrees with mamori on ${mismatches.length} point(s):`);
    console.error(mismatches.join('\n'));
    process.exit(1);
  }
  console.log(`cedar agrees with mamori on all ${lines.length} requests ` +
              `(effect, approvals, obligations, clauses): ${counts.allow} allow, ` +
              `${counts.approval_required} approval_required, ${counts.deny} deny`);
}

// ---------------------------------------------------------------------------
// Timing

const REPS = 5;

// As decide_bench's RunMode: warm-up, then REPS untimed loops of n / REPS
// calls whose median rate per CPU second (process.cpuUsage: the whole Node
// process, so V8's helper threads count too) is the throughput, then n calls
// timed one by one by the wall clock.
function runMode(mode, n, size, call) {
  let sink = 0;
  const warmup = Math.max(Math.floor(n / 10), size);
  for (let k = 0, i = 0; k < warmup; ++k) {
    sink += call(i);
    if (++i === size) i = 0;
  }
  const perRep = Math.max(Math.floor(n / REPS), 1);
  const rates = [];
  const wallRates = [];
  for (let rep = 0; rep < REPS; ++rep) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (let k = 0, i = 0; k < perRep; ++k) {
      sink += call(i);
      if (++i === size) i = 0;
    }
    const cpu = process.cpuUsage(cpuStart);
    rates.push(perRep / ((cpu.user + cpu.system) / 1e6));
    wallRates.push(perRep / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  rates.sort((a, b) => a - b);
  wallRates.sort((a, b) => a - b);

  const samples = new Float64Array(n);
  for (let k = 0, i = 0; k < n; ++k) {
    const t0 = process.hrtime.bigint();
    sink += call(i);
    const t1 = process.hrtime.bigint();
    samples[k] = Number(t1 - t0);
    if (++i === size) i = 0;
  }
  samples.sort();
  const q = (p) => samples[Math.min(n - 1, Math.floor(p * n))];
  if (sink < 0) console.log(sink);  // keeps the results alive
  return { mode, n, perS: rates[REPS >> 1], perWallS: wallRates[REPS >> 1], p50: q(0.5), p99: q(0.99), p999: q(0.999), max: samples[n - 1] };
}

function clockOverhead() {
  const samples = new Float64Array(200000);
  for (let k = 0; k < samples.length; ++k) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    samples[k] = Number(t1 - t0);
  }
  samples.sort();
  return samples[samples.length >> 1];
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const meta = loadPolicies();
  const lines = readJsonl(args.mix);
  const calls = lines.map((line, i) => toCedar(JSON.parse(line), i));
  if (args.expected) check(lines, calls, meta, args.expected);
  else console.log('no --expected: decisions not compared with mamori');
  if (args.checkOnly) return;

  const size = calls.length;
  const results = [
    runMode('decide', args.n, size, (i) => (authorize(calls[i]).decision === 'allow' ? 1 : 0)),
    runMode('parse_decide', args.n, size,
      (i) => (authorize(toCedar(JSON.parse(lines[i]), i)).decision === 'allow' ? 1 : 0)),
  ];
  const overhead = clockOverhead();
  const peakKb = process.resourceUsage().maxRSS;

  console.log(`\ncedar-wasm ${cedar.getCedarVersion()} (Cedar language ${cedar.getCedarLangVersion()}), ` +
              `Node ${process.version}: ${meta.size} policies, ${size} distinct requests cycled, ` +
              `${args.n} decisions per mode`);
  const pad = (s, w) => String(s).padStart(w);
  console.log(`${'engine'.padEnd(10)} ${'mode'.padEnd(18)} ${pad('decisions/s', 12)} ${pad('(wall)', 12)} ${pad('mean_ns', 10)} ` +
              `${pad('p50_ns', 8)} ${pad('p99_ns', 8)} ${pad('p999_ns', 8)} ${pad('max_ns', 9)}`);
  for (const r of results) {
    const perS = r.perS;
    console.log(`${'cedar-wasm'.padEnd(10)} ${r.mode.padEnd(18)} ${pad(perS.toFixed(0), 12)} ${pad(r.perWallS.toFixed(0), 12)} ` +
                `${pad((1e9 / perS).toFixed(1), 10)} ${pad(r.p50, 8)} ${pad(r.p99, 8)} ${pad(r.p999, 8)} ` +
                `${pad(r.max, 9)}`);
  }
  console.log(`(decisions/s per CPU second, median of ${REPS} loops; (wall): the same by the wall clock;\n` +
              ` per-call latencies by the wall clock, including two process.hrtime.bigint() reads, median ${overhead} ns together)`);
  console.log(`memory: peak RSS ${peakKb} KiB (Node + cedar-wasm)`);
  for (const r of results) {
    console.log(`RESULT engine=cedar-wasm mode=${r.mode} n=${r.n} per_s=${r.perS.toFixed(0)} per_wall_s=${r.perWallS.toFixed(0)} ` +
                `p50_ns=${r.p50} p99_ns=${r.p99} p999_ns=${r.p999} max_ns=${r.max}`);
  }
  console.log(`RESULT engine=cedar-wasm mode=clock_overhead p50_ns=${overhead}`);
  console.log(`MEMORY engine=cedar-wasm peak_rss_kb=${peakKb}`);
}

main();
