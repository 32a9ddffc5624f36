/**
 * The baseline of the transitions benchmark: a workflow that holds a case's stage and answers an
 * Update that moves it, the least a lifecycle on Temporal Updates costs per transition.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export interface BareStep {
  event: string;
  actor: string;
}
export interface BareCase {
  stage: string;
  steps: number;
}

export const bareStepUpdate = defineUpdate<BareCase, [BareStep]>('step');

const MOVES: Record<string, Record<string, string>> = { triage: { park: 'parked' }, parked: { unpark: 'triage' } };

export async function bareCase(): Promise<void> {
  const state: BareCase = { stage: 'triage', steps: 0 };
  setHandler(
    bareStepUpdate,
    (step) => {
      state.stage = MOVES[state.stage]![step.event]!;
      state.steps += 1;
      return { ...state };
    },
    {
      validator: (step) => {
        if (!MOVES[state.stage]?.[step.event]) throw new Error(`${step.event} is not allowed in ${state.stage}`);
      },
    },
  );
  await condition(() => false);
}
