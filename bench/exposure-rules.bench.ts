/**
 * The cost of testing one change against 500 exposure rules: irflow's CEL rules (planned once,
 * as the API keeps them) against the same 500 conditions written as plain TypeScript closures -
 * what a competent engineer would write without a rule language, and the floor for any of them.
 * Five shapes of rule (open ingress, MFA off on a group, a public bucket, an unticketed production
 * change, a port opened) with 100 constants each, four of the five guarded by the change's kind;
 * 2,000 changes of the five kinds, a few matching. Also printed: every rule evaluated for every
 * change, without the index of rules by the kind they require.
 *
 *   npm run bench:exposure-rules
 */
import type { ChangeRecord } from '../machines/context.types.js';
import { changeFacts, compileRule, ruleIndex, type ExposureRule } from '../machines/exposure-rule.js';
import { median } from './bench-database.js';
import { reportFigure } from './report.js';

const RULES = 500;
const CHANGES = 2_000;
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));

type Facts = Record<string, any>;
interface Shape {
  cel: (n: number) => string;
  native: (n: number) => (change: Facts) => boolean;
}

const SHAPES: Shape[] = [
  {
    cel: (n) => `change.kind == "firewall" && change.after.ingress.exists(r, r.cidr == "0.0.0.0/0" && r.port == ${n})`,
    native: (n) => (c) => c.kind === 'firewall' && Array.isArray(c.after.ingress) && c.after.ingress.some((r: Facts) => r.cidr === '0.0.0.0/0' && r.port === n),
  },
  {
    cel: (n) => `change.kind == "iam" && change.after.group == "admins-${n}" && change.before.mfa == true && change.after.mfa == false`,
    native: (n) => (c) => c.kind === 'iam' && c.after.group === `admins-${n}` && c.before.mfa === true && c.after.mfa === false,
  },
  {
    cel: (n) => `change.kind == "storage" && change.after.bucket == "bucket-${n}" && change.after.acl == "public-read"`,
    native: (n) => (c) => c.kind === 'storage' && c.after.bucket === `bucket-${n}` && c.after.acl === 'public-read',
  },
  {
    cel: (n) => `change.attributes.environment == "production" && change.attributes.team == "team-${n}" && !(has(change.attributes.ticket) && change.attributes.ticket.approved)`,
    native: (n) => (c) => c.attributes.environment === 'production' && c.attributes.team === `team-${n}` && !(c.attributes.ticket !== undefined && c.attributes.ticket.approved === true),
  },
  {
    cel: (n) => `change.kind == "firewall" && change.after.ingress.exists(r, r.port == ${1000 + n}) && !change.before.ingress.exists(r, r.port == ${1000 + n})`,
    native: (n) => (c) => c.kind === 'firewall' && c.after.ingress.some((r: Facts) => r.port === 1000 + n) && !c.before.ingress.some((r: Facts) => r.port === 1000 + n),
  },
];

function change(i: number): ChangeRecord {
  const base = { id: `CHG-${i}`, assetIds: [`A-${i % 100}`], title: `change ${i}`, plannedStart: '2026-12-01T00:00:00.000Z', plannedEnd: '2026-12-01T00:00:00.000Z', status: 'implemented' };
  const n = i % 120;
  switch (i % 5) {
    case 0:
      return { ...base, kind: 'firewall', before: { ingress: [{ cidr: '10.0.0.0/8', port: 443 }] }, after: { ingress: [{ cidr: '10.0.0.0/8', port: 443 }, { cidr: i % 50 === 0 ? '0.0.0.0/0' : '192.168.0.0/16', port: n }] } };
    case 1:
      return { ...base, kind: 'iam', before: { group: `admins-${n}`, mfa: true }, after: { group: `admins-${n}`, mfa: i % 40 !== 1 } };
    case 2:
      return { ...base, kind: 'storage', before: { bucket: `bucket-${n}`, acl: 'private' }, after: { bucket: `bucket-${n}`, acl: i % 30 === 2 ? 'public-read' : 'private' } };
    case 3:
      return { ...base, kind: 'deployment', attributes: { environment: i % 2 ? 'production' : 'staging', team: `team-${n}`, ...(i % 7 ? { ticket: { id: `T-${i}`, approved: true } } : {}) } };
    default:
      return { ...base, kind: 'firewall', before: { ingress: [{ cidr: '10.0.0.0/8', port: 1000 + n }] }, after: { ingress: [{ cidr: '10.0.0.0/8', port: 1000 + n }, { cidr: '10.0.0.0/8', port: 1000 + ((n + 1) % 120) }] } };
  }
}

function time(run: () => number): { ms: number; matches: number } {
  const started = performance.now();
  const matches = run();
  return { ms: performance.now() - started, matches };
}

function main(): void {
  const rules: ExposureRule[] = [];
  const natives: Array<(c: Facts) => boolean> = [];
  for (let i = 0; i < RULES; i++) {
    const shape = SHAPES[i % SHAPES.length]!;
    const n = Math.floor(i / SHAPES.length);
    rules.push({ id: `rule-${i}`, name: `rule ${i}`, when: shape.cel(n), severity: 'high' });
    natives.push(shape.native(n));
  }
  const planStarted = performance.now();
  const compiled = rules.map((rule, i) => compileRule(rule, i + 1));
  const planMs = performance.now() - planStarted;
  const changes = Array.from({ length: CHANGES }, (_, i) => change(i));

  // As the API runs them: only the rules a change of its kind can meet (ruleIndex).
  const meeting = ruleIndex(compiled);
  const celRun = () => {
    let matches = 0;
    for (const c of changes) for (const rule of meeting(c.kind)) if (rule.test(c).matches) matches++;
    return matches;
  };
  const celEveryRule = () => {
    let matches = 0;
    for (const c of changes) for (const rule of compiled) if (rule.test(c).matches) matches++;
    return matches;
  };
  const nativeRun = () => {
    let matches = 0;
    for (const c of changes) {
      const facts = changeFacts(c);
      for (const test of natives) if (test(facts)) matches++;
    }
    return matches;
  };
  celRun();
  nativeRun(); // warm both up
  const cel = Array.from({ length: RUNS }, () => time(celRun));
  const native = Array.from({ length: RUNS }, () => time(nativeRun));
  const unindexed = Array.from({ length: RUNS }, () => time(celEveryRule));
  if (cel[0]!.matches !== native[0]!.matches) throw new Error(`CEL found ${cel[0]!.matches} matches, the closures ${native[0]!.matches}`);
  const perChange = (runs: Array<{ ms: number }>) => (median(runs.map((r) => r.ms)) * 1000) / CHANGES;
  const celUs = perChange(cel);
  const nativeUs = perChange(native);
  console.log(`without the kind index (every rule evaluated): ${perChange(unindexed).toFixed(0)} µs a change`);
  console.log(`${RULES} rules planned in ${planMs.toFixed(0)} ms (once per rule version); ${CHANGES} changes, ${cel[0]!.matches} matches, the same for both`);
  console.log(`CEL: ${celUs.toFixed(0)} µs a change against ${RULES} rules (median of ${RUNS} runs); TypeScript closures: ${nativeUs.toFixed(1)} µs; ${(celUs / nativeUs).toFixed(0)}x`);
  reportFigure({
    figure: `testing a change against ${RULES} exposure rules`,
    irflow: `${celUs.toFixed(0)} µs a change (CEL)`,
    baseline: `TypeScript closures ${nativeUs.toFixed(1)} µs`,
    ratio: `${(celUs / nativeUs).toFixed(0)}x the time`,
    goal: 'measured (note)',
  });
}

main();
