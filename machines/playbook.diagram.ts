/**
 * The lifecycle of a playbook as a Mermaid `stateDiagram-v2`, with each transition's gate
 * (fields, checklist, approvals) written on its edge. Transitions allowed from every open stage
 * are drawn from each of them; a hold stage's way back is one edge per stage it can return to.
 */
import type { PlaybookDocument, Procedure } from './playbook.types.js';
import { transitionsFrom } from './procedure.js';

/** Mermaid state ids may not contain `-`; stage names may. */
function stateId(stage: string): string {
  return stage.replace(/-/g, '_');
}

function gate(requires: Procedure | undefined): string[] {
  const lines: string[] = [];
  if (requires?.fields?.length) lines.push(`fields: ${requires.fields.join(', ')}`);
  if (requires?.checklist?.length) lines.push(`checklist: ${requires.checklist.join(', ')}`);
  if (requires?.approvals) lines.push(`approvals: ${requires.approvals.count} × ${requires.approvals.roles.join('/')}`);
  return lines;
}

/** Mermaid ends a label at `;` or a new line and reads `:` inside it oddly; keep labels plain. */
function label(parts: string[]): string {
  return parts.map((part) => part.replace(/[;:#]/g, ' ').replace(/\s+/g, ' ').trim()).join('<br/>');
}

export function playbookDiagram(playbook: PlaybookDocument): string {
  const lines = ['stateDiagram-v2', `  %% ${playbook.id}: ${playbook.name.replace(/\n/g, ' ')}`];
  const stages = Object.entries(playbook.stages);
  for (const [stage] of stages) {
    if (stateId(stage) !== stage) lines.push(`  state "${stage}" as ${stateId(stage)}`);
  }
  lines.push(`  [*] --> ${stateId(playbook.initial)}`);
  const openStages = stages.filter(([, d]) => !d.closed && !d.returnOn).map(([s]) => s);
  for (const [stage, definition] of stages) {
    for (const t of transitionsFrom(playbook, stage)) {
      if (t.origin === 'return') {
        for (const back of openStages) {
          const reaches = transitionsFrom(playbook, back).some((o) => o.to === stage);
          if (reaches) lines.push(`  ${stateId(stage)} --> ${stateId(back)} : ${label([`${t.event} (back to ${back})`])}`);
        }
        continue;
      }
      lines.push(`  ${stateId(stage)} --> ${stateId(t.to)} : ${label([t.event, ...gate(t.requires)])}`);
    }
    if (definition.closed) lines.push(`  ${stateId(stage)} --> [*]`);
  }
  // Notes after the states they annotate: Mermaid's renderer cannot place a note on a state it has not met yet.
  for (const [stage, definition] of stages) {
    if (definition.marks?.length) lines.push(`  note right of ${stateId(stage)} : marks ${definition.marks.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
