/**
 * Builds the incident lifecycle as an XState machine from a playbook document. Never hand-codes
 * stages: every state, transition and gate comes from the document. The machine only decides;
 * it names its effects (`stageEntered`, `stageLeft`) as actions with params, which the workflow
 * carries out. Used through XState's pure `initialTransition` / `transition`.
 */
import { assign, setup, type AnyEventObject, type SnapshotFrom, type TransitionConfig } from 'xstate';
import type { Milestone, PlaybookDocument } from './playbook.types.js';
import { isProcedureMet, missingProcedure, transitionsFrom, type Fields, type JsonValue } from './procedure.js';
import { MERGED_EVENT, mergedStage } from './merge.js';

/** A lifecycle event as the workflow hands it to the machine. `at` comes from workflow time. */
export interface LifecycleEvent {
  type: string;
  actor: string;
  at: string;
  fields?: Fields;
  checklist?: string[];
  approvedBy?: string[];
  /** Ids of the incident's tasks that are done (a gate may require some). */
  doneTasks?: string[];
  comment?: string;
}

export interface LifecycleContext {
  openedAt: string;
  fields: Fields;
  /** The stage an incident on hold returns to. */
  heldFrom: string | null;
  /** When each KPI milestone was first reached. */
  milestones: Partial<Record<Milestone, string>>;
}

export interface LifecycleInput {
  at: string;
  fields?: Fields;
}

export interface StageEnteredEffect {
  type: 'stageEntered';
  params: { stage: string; marks: Milestone[]; closed: boolean };
}
export interface StageLeftEffect {
  type: 'stageLeft';
  params: { stage: string };
}
export type LifecycleEffect = StageEnteredEffect | StageLeftEffect;

function eventTime(context: LifecycleContext, event: AnyEventObject): string {
  return typeof event.at === 'string' ? event.at : context.openedAt;
}

function givenFields(event: AnyEventObject): Fields {
  const fields = (event as Partial<LifecycleEvent>).fields;
  return fields && typeof fields === 'object' ? fields : {};
}

export function buildLifecycleMachine(playbook: PlaybookDocument) {
  const lifecycle = setup({
    types: {} as { context: LifecycleContext; events: LifecycleEvent; input: LifecycleInput },
    guards: {
      procedureMet: ({ context, event }, params: { stage: string; event: string }) => {
        const t = transitionsFrom(playbook, params.stage).find((candidate) => candidate.event === params.event);
        return isProcedureMet(
          missingProcedure(t?.requires, {
            known: context.fields,
            given: event.fields,
            checklist: event.checklist,
            approvedBy: event.approvedBy,
            doneTasks: event.doneTasks,
          }),
        );
      },
      heldFrom: ({ context }, params: { stage: string }) => context.heldFrom === params.stage,
    },
    actions: {
      keepFields: assign({ fields: ({ context, event }) => ({ ...context.fields, ...givenFields(event) }) }),
      rememberHeldFrom: assign({ heldFrom: (_, params: { stage: string }) => params.stage }),
      forgetHeldFrom: assign({ heldFrom: () => null }),
      markMilestones: assign({
        milestones: ({ context, event }, params: { marks: Milestone[] }) => {
          const next = { ...context.milestones };
          for (const mark of params.marks) next[mark] ??= eventTime(context, event);
          return next;
        },
      }),
      // Declared effects: the workflow performs them; the machine only names them.
      stageEntered: (_, _params: StageEnteredEffect['params']) => undefined,
      stageLeft: (_, _params: StageLeftEffect['params']) => undefined,
    },
  });

  type Transition = TransitionConfig<LifecycleContext, LifecycleEvent, LifecycleEvent, never, never, never, never, never, never>;
  const states: Record<string, object> = {};
  const openStages = Object.keys(playbook.stages).filter((s) => !playbook.stages[s]!.closed && !playbook.stages[s]!.returnOn);

  for (const [stage, definition] of Object.entries(playbook.stages)) {
    const on: Record<string, unknown> = {};
    for (const t of transitionsFrom(playbook, stage)) {
      if (t.origin === 'return') {
        on[t.event] = openStages.map((back) => ({
          target: back,
          guard: { type: 'heldFrom', params: { stage: back } },
          actions: [{ type: 'forgetHeldFrom' }],
        }));
        continue;
      }
      const holds = Boolean(playbook.stages[t.to]?.returnOn);
      const transition = {
        target: t.to,
        reenter: t.to === stage,
        guard: { type: 'procedureMet', params: { stage, event: t.event } },
        actions: [{ type: 'keepFields' }, ...(holds ? [{ type: 'rememberHeldFrom', params: { stage } }] : [])],
      };
      on[t.event] = transition as unknown as Transition;
    }
    // Merged into another incident: every open stage answers, to the first closed stage (machines/merge.ts).
    if (!definition.closed) on[MERGED_EVENT] = { target: mergedStage(playbook), actions: [{ type: 'keepFields' }] } as unknown as Transition;
    const marks = definition.marks ?? [];
    states[stage] = {
      entry: [
        { type: 'markMilestones', params: { marks } },
        { type: 'stageEntered', params: { stage, marks, closed: Boolean(definition.closed) } },
      ],
      exit: [{ type: 'stageLeft', params: { stage } }],
      on,
    };
  }

  return lifecycle.createMachine({
    id: `playbook:${playbook.id}`,
    initial: playbook.initial,
    context: ({ input }) => ({
      openedAt: input.at,
      fields: input.fields ?? {},
      heldFrom: null,
      milestones: {},
    }),
    // The state map is generated from the playbook, so its keys are not known to the type system.
    states: states as never,
  });
}

export type LifecycleMachine = ReturnType<typeof buildLifecycleMachine>;
export type LifecycleSnapshot = SnapshotFrom<LifecycleMachine>;

/** The current stage of a snapshot: the machine is flat, so its value is the stage name. */
export function stageOfSnapshot(snapshot: LifecycleSnapshot): string {
  return String(snapshot.value);
}

/** The effects the machine asked for, as plain data. */
export function effectsOf(actions: ReadonlyArray<{ type: string; params?: unknown }>): LifecycleEffect[] {
  return actions
    .filter((a) => a.type === 'stageEntered' || a.type === 'stageLeft')
    .map((a) => ({ type: a.type, params: a.params }) as LifecycleEffect);
}

export type { JsonValue };
