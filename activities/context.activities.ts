/**
 * Context gathering: one activity per kind, run by the workflow in parallel on entering a stage
 * (and for the new observables of a joining alert). It asks the kind's connector and returns the
 * findings with their provenance; the workflow records them. Reads only, so retries are safe.
 */
import type { Finding, LookupFacts } from '../machines/context.types.js';
import { contextKey } from '../machines/context.schemas.js';
import type { ContextKind } from '../machines/playbook.types.js';
import type { ConnectorSet, ContextConnector } from './context/connector.js';

export interface GatherContextInput {
  kind: ContextKind;
  facts: LookupFacts;
}

/** Told how long each lookup took and how it ended (for the worker's metrics). */
export type LookupObserver = (kind: ContextKind, outcome: 'gathered' | 'failed', seconds: number) => void;

export function createContextActivities(connectors: ConnectorSet, observe: LookupObserver = () => undefined) {
  async function gatherContext({ kind, facts }: GatherContextInput): Promise<Finding[]> {
    const connector = connectors[kind] as ContextConnector;
    const now = new Date();
    const started = performance.now();
    let records;
    try {
      records = await connector.lookup(facts, now);
    } catch (error) {
      observe(kind, 'failed', (performance.now() - started) / 1000);
      throw error;
    }
    observe(kind, 'gathered', (performance.now() - started) / 1000);
    const provenance = { source: connector.source, fetchedAt: now.toISOString(), ttl: connector.ttl };
    return records.map((record) => ({ kind, key: contextKey(kind, record), record, provenance }) as Finding);
  }
  return { gatherContext };
}

export type ContextActivities = ReturnType<typeof createContextActivities>;
