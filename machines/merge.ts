/**
 * Merging an incident into another: how the source closes. Through its playbook's duplicate
 * path where the current stage has one that asks only for fields (an event naming `duplicate`
 * that leads to a closed stage), else through the `merged` close every open stage of every
 * playbook answers (an event name no playbook can use: the name pattern has no colon). Pure.
 */
import type { PlaybookDocument } from './playbook.types.js';
import { transitionsFrom, type Fields } from './procedure.js';

export const MERGED_EVENT = 'irflow:merged';

/** Where the `merged` close leads: the playbook's first closed stage. */
export function mergedStage(playbook: PlaybookDocument): string {
  return Object.keys(playbook.stages).find((stage) => playbook.stages[stage]!.closed)!;
}

/** The transition that closes a stage's incident as merged into `target`, with the fields it needs. */
export function mergeClose(playbook: PlaybookDocument, stage: string, target: string): { event: string; fields: Fields } {
  const why = `merged into ${target}`;
  for (const t of transitionsFrom(playbook, stage)) {
    if (t.origin !== 'stage' || !t.event.includes('duplicate') || !playbook.stages[t.to]?.closed) continue;
    const { fields = [], checklist = [], approvals, tasks = [] } = t.requires ?? {};
    if (checklist.length > 0 || approvals || tasks.length > 0) continue;
    const values = (name: string) => playbook.fields?.[name]?.values;
    const chosen = fields.map((name) => [name, values(name) ? values(name)!.find((v) => v.includes('duplicate')) : why] as const);
    if (chosen.some(([, value]) => value === undefined)) continue;
    return { event: t.event, fields: Object.fromEntries(chosen) as Fields };
  }
  return { event: MERGED_EVENT, fields: { mergedInto: target } };
}
