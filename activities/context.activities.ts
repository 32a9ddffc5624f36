/**
 * Context gathering, run by the workflow on entering a stage (and for the new observables of a
 * joining alert): every kind asked in one activity (`gatherContexts`), each with its own timeout
 * and attempts, or - in runs recorded before that - one activity per kind (`gatherContext`). It
 * asks the kind's connector and returns the findings with their provenance; the workflow records
 * them. Reads only, so retries are safe.
 */
import { ApplicationFailure } from '@temporalio/activity';
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

/** How one kind is asked within `gatherContexts`: its own timeout and attempts. */
export interface LookupPolicy {
  timeoutMs: number;
  attempts: number;
}

export interface GatherContextsInput {
  lookups: Array<GatherContextInput & { policy: LookupPolicy }>;
}

/** One kind's outcome: its findings, or why it could not be gathered (`final`: the source refused for good, no retry helps). */
export type LookupOutcome = { kind: ContextKind; findings: Finding[] } | { kind: ContextKind; reason: string; final?: true };

class LookupTimeout extends Error {
  override name = 'LookupTimeout';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createContextActivities(connectors: ConnectorSet, observe: LookupObserver = () => undefined) {
  /** One attempt, bounded by the kind's timeout. */
  async function attempt(kind: ContextKind, facts: LookupFacts, timeoutMs: number): Promise<Finding[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new LookupTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs)));
    try {
      return await Promise.race([gatherContext({ kind, facts }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One kind with its attempts: retried with backoff (0.5 s, doubling, at most 5 s) unless the source refused for good. */
  async function lookupWithRetries({ kind, facts, policy }: GatherContextsInput['lookups'][number]): Promise<LookupOutcome> {
    for (let tried = 1; ; tried += 1) {
      try {
        return { kind, findings: await attempt(kind, facts, policy.timeoutMs) };
      } catch (error) {
        const final = error instanceof ApplicationFailure && error.nonRetryable;
        if (final) return { kind, reason: describe(error), final };
        if (tried >= policy.attempts) return { kind, reason: describe(error) };
        await delay(Math.min(5_000, 500 * 2 ** (tried - 1)));
      }
    }
  }

  /**
   * Every kind a stage entry or an alert asks for, in one activity: asked at once, each with its
   * own timeout and attempts; one kind failing never fails the others.
   */
  async function gatherContexts({ lookups }: GatherContextsInput): Promise<LookupOutcome[]> {
    return Promise.all(lookups.map(lookupWithRetries));
  }

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
  return { gatherContext, gatherContexts };
}

export type ContextActivities = ReturnType<typeof createContextActivities>;
