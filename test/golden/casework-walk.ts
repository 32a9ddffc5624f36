/**
 * The case-work golden walk: two incidents of a playbook whose stages create tasks and whose gate
 * requires one; notes added, edited and deleted; tasks moved; evidence held elsewhere recorded,
 * handed on and disposed of; an observable marked as an IOC; a link; and a merge that closes the
 * source through the `merged` close. Returns each incident's history (Temporal's JSON form).
 */
import { expect } from 'vitest';
import type { Stack } from '../support/stack.js';

export const CASEWORK_PLAYBOOK = {
  id: 'casework-golden',
  name: 'Case work golden',
  initial: 'triage',
  stages: {
    triage: {
      tasks: [{ id: 'evidence-collected', title: 'Collect evidence' }],
      on: { contain: { to: 'containment', requires: { tasks: ['evidence-collected'] } } },
    },
    containment: { on: { close: { to: 'closed' } } },
    closed: { closed: true, marks: ['resolved', 'closed'] },
  },
};

export async function recordCaseworkWalk(stack: Stack): Promise<Array<{ workflowId: string; history: unknown }>> {
  const analyst = await stack.token(['analyst'], 'alice');
  const auditor = await stack.token(['auditor'], 'audrey');
  expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), CASEWORK_PLAYBOOK)).status).toBeLessThan(300);
  const open = async (title: string) => (await stack.call('POST', '/v1/incidents', analyst, { title, severity: 'high', playbook: CASEWORK_PLAYBOOK.id })).body.id as string;
  const call = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const answer = await stack.call(method, url, analyst, body);
    expect(answer.status, `${method} ${url}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body;
  };
  const [target, source] = [await open('golden case work'), await open('golden duplicate')];
  const note = await call('POST', `/v1/incidents/${target}/notes`, { body: 'beacon to 203.0.113.7, @bob check the proxy' });
  await call('PATCH', `/v1/incidents/${target}/notes/${note.id}`, { body: 'beacon to 203.0.113.7 confirmed' });
  await call('POST', `/v1/incidents/${target}/notes`, { body: 'HR is informed', visibility: 'restricted' });
  await call('DELETE', `/v1/incidents/${target}/notes/${note.id}`);
  const task = await call('POST', `/v1/incidents/${target}/tasks`, { title: 'Reset the token', assignee: 'bob', dueAt: '2026-01-02T00:00:00.000Z' });
  await call('PATCH', `/v1/incidents/${target}/tasks/${task.id}`, { status: 'in_progress' });
  await call('PATCH', `/v1/incidents/${target}/tasks/evidence-collected`, { status: 'done' });
  const item = await call('POST', `/v1/incidents/${target}/evidence`, { uri: 's3://vault/golden/disk.e01', sha256: 'c'.repeat(64), size: 4096 });
  await call('POST', `/v1/incidents/${target}/evidence/${item.id}/custody`, { to: 'forensics-lab', reason: 'imaging' });
  await call('POST', `/v1/incidents/${target}/evidence/${item.id}/dispose`, { reason: 'retention over' });
  await call('POST', `/v1/incidents/${target}/observables`, { type: 'domain', value: 'golden-c2.example', tlp: 'amber', ioc: true });
  await call('POST', `/v1/incidents/${target}/links`, { incidentId: source, relation: 'related' });
  await call('POST', `/v1/incidents/${source}/merge`, { into: target });
  await call('POST', `/v1/incidents/${target}/transitions`, { event: 'contain' });
  await call('POST', `/v1/incidents/${target}/transitions`, { event: 'close' });
  await new Promise((resolve) => setTimeout(resolve, 500)); // let anything beside the lifecycle land
  const histories = [];
  for (const workflowId of [target, source]) {
    histories.push({ workflowId, history: (await stack.call('GET', `/v1/incidents/${workflowId}/export`, auditor)).body.temporalHistory });
  }
  return histories;
}
