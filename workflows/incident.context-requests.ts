/**
 * The context lookups an incident asks for: on entering a stage with an `enrich` list, the whole
 * subject (replacing what was waiting); for a joining alert, only what it newly names, unless the
 * whole subject is asked for already. Plain and deterministic.
 */
import type { Subject } from '../machines/context.merge.js';
import type { PlaybookDocument, ContextKind } from '../machines/playbook.types.js';
import { Waiting } from './incident.waiting.js';

/** Context to gather: on entering a stage, the whole subject; for a joining alert, what it adds. */
export interface EnrichmentRequest {
  kinds: ContextKind[];
  scope: 'subject' | Subject;
}

export class ContextRequests extends Waiting<EnrichmentRequest> {
  constructor(
    private readonly playbook: PlaybookDocument,
    carried: EnrichmentRequest[] = [],
  ) {
    super(carried);
  }

  private kindsOf(stage: string): ContextKind[] {
    return this.playbook.stages[stage]?.enrich ?? [];
  }

  /** Entering a stage: its kinds, for the whole subject. */
  stageEntered(stage: string): void {
    const kinds = this.kindsOf(stage);
    if (kinds.length > 0) this.waiting = [{ kinds, scope: 'subject' }];
  }

  /** An alert named `fresh` (new hosts, addresses, observables) in a stage that enriches. */
  alertAdded(stage: string, fresh: Subject | null): void {
    const kinds = this.kindsOf(stage);
    const covered = this.waiting.some((r) => r.scope === 'subject');
    if (fresh && kinds.length > 0 && !covered) this.waiting.push({ kinds, scope: fresh });
  }

  carry(): EnrichmentRequest[] {
    return this.waiting;
  }
}
