/** One interface for every context source: built-in tables or a user's HTTP service. */
import type { ContextRecords, LookupFacts } from '../../machines/context.types.js';
import type { ContextKind } from '../../machines/playbook.types.js';

export interface ContextConnector<K extends ContextKind = ContextKind> {
  kind: K;
  /** Named in each finding's provenance. */
  source: string;
  /** Seconds a finding stays fresh. */
  ttl: number;
  lookup(facts: LookupFacts, now: Date): Promise<Array<ContextRecords[K]>>;
}

export type ConnectorSet = { [K in ContextKind]: ContextConnector<K> };
