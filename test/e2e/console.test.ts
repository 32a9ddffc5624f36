/**
 * The console in a real browser (Debian's Chromium through playwright-core) against `npm start`:
 * sign in; an alert posted through the API appears in the queue; open it; a gated transition
 * shows the 422 of a missing field, then passes once it is filled; a second person approves a
 * two-person gate the first asked for; "as of" shows an earlier stage; the KPI page draws its
 * charts; the playbook editor shows a draft's error at its path; an auditor sees the chain
 * verified and replays it; an SLA clock shows its escalation ladder; a report shows as tables and
 * downloads as CSV; a staffing forecast is drawn; an event is applied by keyboard alone; axe-core finds no serious violation on any page. Screenshots go to test-results/console/. Skipped, saying so, where
 * /usr/bin/chromium is not installed (apt-get install chromium).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/ports.js';
import { killStarted, npmStart } from '../support/npm-start.js';
import { optionalPart } from '../support/optional-part.js';
import { temporalCli } from '../support/temporal.js';

const CHROMIUM = process.env.IRFLOW_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(process.cwd(), 'test-results', 'console');
const present = optionalPart(existsSync(CHROMIUM), `console browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const dataDir = mkdtempSync(join(tmpdir(), 'irflow-console-'));
let api: string;
let admin: string;
let browser: Browser;

async function call<T = any>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, body: (await response.json()) as T };
}
const key = async (name: string, roles: string[]) => (await call<{ token: string }>('POST', '/v1/api-keys', admin, { name, roles })).body.token;

/** No serious or critical axe-core violation on the page as it is now. */
async function accessible(page: Page, what: string): Promise<void> {
  // Through the debugging protocol: the console's content security policy refuses inline scripts, as it should.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string; help: string }> }> } }).axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
  expect(violations, `${what}: ${violations.join('; ')}`).toEqual([]);
}

/** A page whose script errors and console errors are kept, to be asserted as none. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A refused request shows as a console error; the tests provoke 422s and 409s on purpose.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  return { page, errors };
}

/** Presses Tab until the focused element is the button named `name` (at most 40 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((n) => document.activeElement?.textContent?.trim() === n, name)) return;
  }
  throw new Error(`Tab never reached the button ${name}`);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${api}/`);
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Queue' }).waitFor();
}

beforeAll(async () => {
  if (!present) return;
  const port = await freePort();
  const env = { PORT: String(port), TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()), IRFLOW_DATA_DIR: dataDir, TEMPORAL_CLI: await temporalCli(), LOG_LEVEL: 'warn', IRFLOW_ADMIN_TOKEN: `irf_console_admin_${port}` };
  await npmStart(env);
  api = `http://127.0.0.1:${env.PORT}`;
  admin = env.IRFLOW_ADMIN_TOKEN;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  killStarted();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!present)('the console in Chromium, against npm start', () => {
  it('signs in, shows a posted alert in the queue, refuses a gated transition with its 422 and passes it once filled', async () => {
    const [analyst, ingest] = [await key('alice', ['analyst']), await key('siem', ['ingest'])];
    const posted = await call<{ incidentId: string }>('POST', '/v1/alerts/generic', ingest, { sourceId: 'console-1', title: 'Beacon from kiosk-7', severity: 'high', rule: { id: 'c2' }, assets: [{ hostname: 'kiosk-7' }] });
    expect(posted.status).toBe(202);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${api}/`);
    await accessible(page, 'sign-in');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
    await signIn(page, analyst);
    await page.getByRole('link', { name: 'Beacon from kiosk-7' }).waitFor({ timeout: 30_000 });
    await accessible(page, 'queue');
    await page.screenshot({ path: join(SCREENSHOTS, 'queue.png') });

    await page.getByRole('link', { name: 'Beacon from kiosk-7' }).click();
    await expect.poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 }).toBe('new');
    // By keyboard alone: Enter opens the event's form, Tab reaches its Apply button, Enter sends it.
    await page.getByRole('button', { name: 'acknowledge', exact: true }).focus();
    await page.keyboard.press('Enter');
    await tabTo(page, 'Apply acknowledge');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 }).toBe('triage');
    await page.getByRole('button', { name: 'close_false_positive', exact: true }).click();
    await page.getByRole('button', { name: 'Apply close_false_positive' }).click();
    await page.getByRole('alert').filter({ hasText: 'missing fields resolution' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'incident-422.png') });
    await page.getByLabel('resolution (required)').fill('authorised scanner');
    await page.getByRole('button', { name: 'Apply close_false_positive' }).click();
    await expect.poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 }).toBe('closed');
    await page.getByRole('heading', { name: 'Alerts (1)' }).waitFor({ timeout: 30_000 });
    await page.getByText('Lifecycle (closed marked)').click();
    await page.locator('details .diagram svg').waitFor({ timeout: 30_000 });
    await accessible(page, 'incident');
    await page.screenshot({ path: join(SCREENSHOTS, 'incident.png'), fullPage: true });
    await page.close();
  }, 180_000);

  it('lets a second person approve a two-person gate, and shows the incident as it stood before', async () => {
    const [alice, bob] = [await key('carol', ['analyst']), await key('bob', ['approver'])];
    const triaged = await call<{ id: string }>('POST', '/v1/incidents', alice, { title: 'Phishing click in finance', severity: 'high', playbook: 'quantitative' });
    expect((await call('POST', `/v1/incidents/${triaged.body.id}/transitions`, alice, { event: 'acknowledge' })).status).toBe(200);
    const created = await call<{ id: string }>('POST', '/v1/incidents', alice, { title: 'Lateral movement on db-2', severity: 'high', playbook: 'quantitative' });
    for (const event of ['acknowledge', 'start_analysis']) expect((await call('POST', `/v1/incidents/${created.body.id}/transitions`, alice, { event })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = new Date();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, alice);
    await page.goto(`${api}/#/incidents/${triaged.body.id}`);
    const ladder = page.getByRole('table', { name: /^Escalation ladder of/ });
    await ladder.waitFor({ timeout: 30_000 });
    expect(await ladder.getByRole('row').allTextContents()).toEqual([
      expect.stringContaining('Level'),
      expect.stringMatching(/^150% of the targetassigneenonot yet/),
      expect.stringMatching(/^2100% of the targetsoc-leadyesnot yet/),
    ]);
    await accessible(page, 'incident with SLA ladder');
    await page.screenshot({ path: join(SCREENSHOTS, 'sla-ladder.png'), fullPage: true });
    await page.goto(`${api}/#/incidents/${created.body.id}`);
    await page.getByRole('button', { name: 'contain', exact: true }).click();
    await page.getByLabel('containmentPlan (required)').fill('isolate db-2 at the switch');
    for (const item of await page.getByRole('form', { name: 'Transition contain' }).getByRole('checkbox').all()) await item.check();
    await page.getByRole('button', { name: 'Apply contain' }).click();
    await page.getByText('You asked for this').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, bob);
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('link', { name: /contain on Lateral movement/ }).click();
    await page.getByRole('button', { name: 'Approve contain' }).click();
    await expect.poll(() => page.getByTestId('stage').textContent(), { timeout: 30_000 }).toBe('containment');
    await page.screenshot({ path: join(SCREENSHOTS, 'approved.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, alice);
    await page.goto(`${api}/#/incidents/${created.body.id}`);
    const local = new Date(before.getTime() - before.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.getByLabel('As of instant').fill(local);
    await page.getByText('Then: stage analysis').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Approvals' }).click();
    await accessible(page, 'approvals');
    await page.screenshot({ path: join(SCREENSHOTS, 'approvals.png') });
    await page.close();
  }, 180_000);

  it('draws the KPI charts, shows a playbook diagram and the error of a draft at its path, and verifies a chain for an auditor', async () => {
    const erin = await key('erin', ['engineer', 'analyst', 'auditor']);
    const created = await call<{ id: string }>('POST', '/v1/incidents', erin, { title: 'Audited incident', severity: 'low' });
    const { page, errors } = await openPage();
    await signIn(page, erin);
    await page.getByRole('link', { name: 'Measures' }).click();
    await page.getByRole('heading', { name: /Maturity: level/ }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.chart svg').first().evaluate((svg) => svg.querySelectorAll('path, rect, text').length), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByRole('combobox', { name: /^Report/ }).selectOption('cost');
    await page.getByTestId('report').getByRole('table').first().waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download this report as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('cost.csv');
    expect(await download.failure()).toBeNull();
    await page.getByLabel('Analysts on shift (levels to compare)').fill('1, 2');
    await page.getByRole('button', { name: 'Forecast the next 30 days' }).click();
    await page.getByRole('table', { name: 'Forecast per staffing level' }).waitFor({ timeout: 60_000 });
    const staffingChart = page.locator('figure', { hasText: 'Staffing forecast' }).locator('.chart');
    await expect.poll(() => staffingChart.evaluate((div) => div.querySelectorAll('svg path').length), { timeout: 30_000 }).toBeGreaterThan(0);
    await accessible(page, 'measures');
    await page.screenshot({ path: join(SCREENSHOTS, 'measures.png'), fullPage: true });

    await page.getByRole('link', { name: 'Playbooks' }).click();
    await page.getByRole('button', { name: 'Default incident lifecycle' }).click();
    await page.locator('.diagram svg').waitFor({ timeout: 30_000 }).catch((error: unknown) => {
      throw new Error(`no diagram (${String(error)}); the page said: ${errors.join('; ') || 'nothing'}`);
    });
    await page.getByLabel('Playbook (YAML or JSON), validated as you type').fill('id: drill\nname: Drill\ninitial: new\nstages:\n  new:\n    on: { close: { to: shut } }\n  closed: { closed: true }\n');
    await page.getByRole('list', { name: 'Validation errors' }).getByText('stages.new.on.close.to').waitFor({ timeout: 30_000 });
    await accessible(page, 'playbooks');
    await page.screenshot({ path: join(SCREENSHOTS, 'playbooks.png'), fullPage: true });

    await page.goto(`${api}/#/incidents/${created.body.id}`);
    await page.getByText(/^chain verified/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('Deterministic; the lifecycle machine agrees with every step.').waitFor({ timeout: 60_000 });
    await accessible(page, 'incident (auditor)');
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
