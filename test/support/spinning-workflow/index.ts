/**
 * An incident workflow that never yields: the replay thread has no execution timeout of the
 * SDK's, so only its own deadline can end a replay of it (test/integration/replay.test.ts).
 */
import type { incidentWorkflow as todays } from '../../../workflows/incident.workflow.js';

export async function incidentWorkflow(..._args: Parameters<typeof todays>): ReturnType<typeof todays> {
  for (;;) {
    // spins
  }
}
