/**
 * A deliberately broken incident workflow, for the test that proves the golden replay fails on a
 * change that would break incidents in flight: it sleeps before it does what today's workflow
 * does - a timer the recorded histories never had, with no patch.
 */
import { sleep } from '@temporalio/workflow';
import { incidentWorkflow as todays } from '../../../workflows/incident.workflow.js';

export async function incidentWorkflow(...args: Parameters<typeof todays>): ReturnType<typeof todays> {
  await sleep('1 second');
  return todays(...args);
}
