/**
 * An incident under SLA clocks keeps one durable timer for its next deadline (patch
 * `keep-clock-timer`): work logged, alerts joining and other wake-ups that leave the deadline
 * where it was neither cancel it nor start another; a transition that ends the clock cancels it.
 * Asserted on the run's Temporal history, on the dev server; the history replays.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayer } from '../../runtime/replayer.js';
import { startStack, workflowBundle, type Stack } from '../support/stack.js';

let stack: Stack;
let analyst: string;
const replayer = createReplayer({ workflowBundle });

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
});
afterAll(async () => {
  await replayer.close();
  await stack?.close();
});

async function timerEvents(incidentId: string): Promise<{ started: number; cancelled: number }> {
  const events = (await stack.client.workflow.getHandle(incidentId).fetchHistory()).events ?? [];
  return { started: events.filter((e) => e.timerStartedEventAttributes).length, cancelled: events.filter((e) => e.timerCanceledEventAttributes).length };
}

describe('the SLA timer', () => {
  it('is kept across wake-ups that leave the deadline, and cancelled when the clock stops', async () => {
    const created = await stack.call('POST', '/v1/incidents', analyst, { title: 'Beacon under SLA', severity: 'high', playbook: 'quantitative' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    // Acknowledging enters triage, whose clock arms the first timer (its ladder's 50 % step).
    const acknowledged = await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'acknowledge' });
    expect(acknowledged.status, JSON.stringify(acknowledged.body)).toBe(200);
    expect(await timerEvents(id)).toEqual({ started: 1, cancelled: 0 });
    for (let i = 0; i < 5; i += 1) {
      const logged = await stack.call('POST', `/v1/incidents/${id}/work-log`, analyst, { minutes: 5, note: `look ${i}` });
      expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    }
    expect(await timerEvents(id)).toEqual({ started: 1, cancelled: 0 });

    // Analysis has no clock: leaving triage stops it, and its timer goes.
    const analysing = await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'start_analysis' });
    expect(analysing.status, JSON.stringify(analysing.body)).toBe(200);
    expect(await timerEvents(id)).toEqual({ started: 1, cancelled: 1 });

    const history = JSON.parse(historyToJSON(await stack.client.workflow.getHandle(id).fetchHistory()));
    expect(await replayer(history, id)).toEqual({ deterministic: true });
  });
});
