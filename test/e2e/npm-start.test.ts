/**
 * `npm start` as a user runs it, in embedded mode (Temporal dev server + PGlite under the data
 * folder), over real HTTP: ready, an alert walked to triage, a clean stop on SIGTERM, and a
 * second start on the same data folder that finds the incident as it was.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/ports.js';
import { startTestProvider } from '../support/oidc-provider.js';
import { temporalCli } from '../support/temporal.js';
import { killStarted, npmStart, type Started } from '../support/npm-start.js';

const dataDir = mkdtempSync(join(tmpdir(), 'irflow-start-'));

/** SIGINT to the process group is a Ctrl-C in a terminal; SIGTERM to npm is a service manager's stop. */
async function stop(started: Started, how: 'ctrl-c' | 'sigterm'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  if (how === 'ctrl-c') process.kill(-started.child.pid!, 'SIGINT');
  else started.child.kill('SIGTERM');
  return exited;
}

let closeProvider: () => Promise<void> = async () => undefined;

afterAll(async () => {
  await closeProvider();
  killStarted();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (embedded mode)', () => {
  it('serves, stops cleanly on Ctrl-C and SIGTERM, and starts again on its data', async () => {
    const env = {
      PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      IRFLOW_DATA_DIR: dataDir,
      TEMPORAL_CLI: await temporalCli(),
      LOG_LEVEL: 'warn',
    };
    const first = await npmStart(env);
    let api = `http://127.0.0.1:${env.PORT}`;
    console.log(`npm start: ready in ${(first.readyMs / 1000).toFixed(1)} s (first start on an empty data folder)`);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    // A start retried on other ports (one was taken meanwhile) finds the token the first attempt made
    // before it failed to bind: it says where the token is kept instead of showing it.
    if (first.attempts === 1) expect(first.output()).toContain(token);
    else expect(first.output()).toContain('admin-token (shown when it was made)');
    expect(first.output()).toContain(`API:          ${api}`);
    expect(first.output()).toContain(`UI: http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const accepted = await fetch(`${api}/v1/alerts/generic`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ sourceId: 'e2e-1', title: 'Ransomware note found', severity: 'critical', rule: { id: 'ransom' }, assets: [{ hostname: 'fs01' }] }),
    });
    expect(accepted.status).toBe(202);
    const { incidentId } = (await accepted.json()) as { incidentId: string };
    const moved = await fetch(`${api}/v1/incidents/${incidentId}/transitions`, { method: 'POST', headers: auth, body: JSON.stringify({ event: 'acknowledge' }) });
    expect(moved.status).toBe(200);

    expect(await stop(first, 'ctrl-c'), `npm start should exit 0 on Ctrl-C:\n${first.output()}`).toBe(0);
    expect(first.output()).toMatch(/SIGINT: stopping[\s\S]*stopped/);

    // The second start signs people in through a real OpenID provider as well.
    const provider = await startTestProvider({ people: { 'ana.lyst': { groups: ['soc-l1'] } }, audience: 'https://irflow.example/api' });
    closeProvider = () => provider.close();
    const sso = { IRFLOW_OIDC_ISSUER: provider.issuer, IRFLOW_OIDC_AUDIENCE: 'https://irflow.example/api', IRFLOW_OIDC_ROLES_CLAIM: 'groups', IRFLOW_OIDC_ROLE_MAP: '{"soc-l1":"analyst"}' };
    const second = await npmStart({ ...env, ...sso });
    api = `http://127.0.0.1:${env.PORT}`;
    expect(second.output()).toContain(`OIDC access tokens from ${provider.issuer} for audience https://irflow.example/api`);
    console.log(`npm start: ready in ${(second.readyMs / 1000).toFixed(1)} s (restart on existing data)`);
    expect(second.output(), 'the admin token is shown once, when it is made').not.toContain(token);
    expect(second.output()).toContain('admin-token (shown when it was made)');
    const view = (await (await fetch(`${api}/v1/incidents/${incidentId}`, { headers: auth })).json()) as { stage: string; alertCount: number };
    expect(view).toMatchObject({ stage: 'triage', alertCount: 1 });
    const signedIn = { authorization: `Bearer ${await provider.token('ana.lyst')}`, 'content-type': 'application/json' };
    const analysed = await fetch(`${api}/v1/incidents/${incidentId}/transitions`, { method: 'POST', headers: signedIn, body: JSON.stringify({ event: 'start_analysis' }) });
    expect(analysed.status, 'the open incident goes on after a restart, moved by a signed-in analyst').toBe(200);
    const history = (await (await fetch(`${api}/v1/incidents/${incidentId}/history`, { headers: auth })).json()) as { events: Array<{ type: string; actor: string }> };
    expect(history.events.filter((e) => e.type === 'transitioned').map((e) => e.actor)).toContain('oidc:ana.lyst');
    const verified = (await (await fetch(`${api}/v1/incidents/${incidentId}/history/verify`, { headers: auth })).json()) as { valid: boolean; signature?: { valid: boolean; keyId: string }; history?: { consistent: boolean } };
    // The signing key was made at the first start, in the data folder, for its owner only.
    const keyFile = join(dataDir, 'signing', 'signing-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keys = (await (await fetch(`${api}/v1/audit/keys`, { headers: auth })).json()) as { current: string };
    expect(verified).toMatchObject({ valid: true, signature: { valid: true, keyId: keys.current }, history: { consistent: true } });
    expect(await stop(second, 'sigterm'), `npm start should exit 0 on SIGTERM:\n${second.output()}`).toBe(0);
    expect(second.output()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
  });
});
