/**
 * Records the fuzzer works on, so Schemathesis reaches the logic behind routes that take an id
 * (transitions, approvals, merges, evidence, rules, exceptions, forecasts) instead of meeting
 * only 404s: an incident with one uploaded evidence item, an exposure rule, a risk exception
 * and a finished staffing forecast. Prints them as shell assignments for scripts/fuzz-api.sh.
 * Usage: tsx scripts/fuzz-fixtures.ts <base url> <token>
 */
const [base, token] = process.argv.slice(2);
if (!base || !token) throw new Error('usage: tsx scripts/fuzz-fixtures.ts <base url> <token>');

async function created(path: string, body: unknown, field = 'id'): Promise<string> {
  const isForm = body instanceof FormData;
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(isForm ? {} : { 'content-type': 'application/json' }) },
    body: isForm ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  const value = (JSON.parse(text) as Record<string, unknown>)[field];
  if (typeof value !== 'string') throw new Error(`POST ${path} answered no ${field}: ${text.slice(0, 500)}`);
  return value;
}

const incident = await created('/v1/incidents', { title: 'Fuzzing target', severity: 'medium', description: 'recorded for the schema fuzzer' });
const upload = new FormData();
upload.append('description', 'a small capture');
upload.append('file', new Blob(['GET /login HTTP/1.1\r\nHost: fuzz.example\r\n\r\n']), 'capture.txt');
const evidence = await created(`/v1/incidents/${incident}/evidence`, upload);
const rule = await created('/v1/exposure-rules', { id: 'fuzz-open-ingress', name: 'Open to the internet', when: 'change.kind == "firewall"', severity: 'high' });
const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
const exception = await created('/v1/risk-exceptions', { id: 'RX-FUZZ', ruleIds: [rule], expiresAt, justification: 'a fuzzing target', owner: 'platform' });
const run = await created('/v1/simulations/staffing', { analysts: [1], horizonDays: 7, runs: 5, seed: 1, windowDays: 7 });

const assignments = { IRFLOW_FUZZ_INCIDENT: incident, IRFLOW_FUZZ_EVIDENCE: evidence, IRFLOW_FUZZ_RULE: rule, IRFLOW_FUZZ_EXCEPTION: exception, IRFLOW_FUZZ_RUN: run };
for (const [name, value] of Object.entries(assignments)) console.log(`export ${name}='${value.replace(/[^\w.:-]/g, '')}'`);
