/** The audit log of an incident, and the check of its hash chain. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import type { IncidentCommands } from '../incident-commands.js';
import { incidentHistory } from '../../db/incidents.reads.js';
import { existingIncident } from '../incident-exists.js';
import type { KeyRing } from '../../db/chain-signing.js';
import { verifySignedChain } from '../../db/chain-verify.js';
import { crossCheckReads, recordedHashes, type HistoryCheck, type RecordedHash } from '../../db/ledger-history.js';
import type { StoredEvent } from '../../db/ledger.js';
import { redactedFor } from '../../db/casework.reads.js';
import { principalOf } from '../auth.js';
import { ProblemError, problems } from '../problem.js';
import { auditEvent, authProblems, chainVerdictProperties, incidentIdParams, problem } from '../schemas.js';

export function historyRoutes(app: FastifyInstance, db: Database, commands: IncidentCommands, keyRing?: KeyRing): void {
  const mustExist = (id: string) => existingIncident(db, commands, id);

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history',
    {
      schema: {
        tags: ['audit'],
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: auditEvent } } }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      await mustExist(request.params.id);
      await app.auditTrail.access(principalOf(request).name, 'history', request.params.id);
      const events = await incidentHistory(db, request.params.id);
      const reader = principalOf(request);
      return { events: events.map(({ incidentId: _incidentId, ...event }) => redactedFor(event, reader)) };
    },
  );

  /** The hashes the workflow recorded in its history, over every run, or why there are none. */
  async function recordedInHistory(id: string): Promise<RecordedHash[] | { checked: false; reason: string }> {
    try {
      return recordedHashes((await commands.workflowRuns(id)) as Parameters<typeof recordedHashes>[0]);
    } catch (error) {
      if (error instanceof ProblemError) return { checked: false, reason: 'the incident has no workflow history' };
      return { checked: false, reason: 'Temporal did not answer: the ledger was not compared with the workflow history' };
    }
  }

  /**
   * The ledger against what the workflow recorded in its history, read before the ledger (see
   * crossCheckReads). A step the ledger holds and the history not yet is looked at again each
   * second, up to four times: the history gets it when the workflow task that recorded it completes.
   */
  async function againstHistory(id: string): Promise<{ events: StoredEvent[]; history: HistoryCheck | { checked: false; reason: string } }> {
    const before = await recordedInHistory(id);
    const events = await incidentHistory(db, id);
    if (!Array.isArray(before)) return { events, history: before };
    let latest = before;
    for (let attempt = 0; ; attempt += 1) {
      const check = crossCheckReads(events, before, latest);
      // A workflow task that recorded the step completes within moments; on a loaded machine, a few seconds.
      if (check.consistent || check.historyHash !== null || attempt >= 4) return { events, history: check };
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const again = await recordedInHistory(id);
      if (!Array.isArray(again)) return { events, history: again };
      latest = again;
    }
  }

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Recompute the hash chain of the audit log and check its head's signature",
        params: incidentIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              ...chainVerdictProperties,
              history: {
                type: 'object',
                description: 'the ledger against the hashes the workflow recorded in its Temporal history, over every run: the first seq where they disagree',
                properties: {
                  consistent: { type: 'boolean' },
                  recorded: { type: 'integer' },
                  seq: { type: 'integer' },
                  reason: { type: 'string' },
                  ledgerHash: { type: ['string', 'null'] },
                  historyHash: { type: ['string', 'null'] },
                  checked: { type: 'boolean' },
                },
              },
            },
          },
          ...authProblems,
          404: problem,
        },
      },
    },
    async (request) => {
      const incident = await mustExist(request.params.id);
      await app.auditTrail.access(principalOf(request).name, 'verify', request.params.id);
      const { events, history } = await againstHistory(request.params.id);
      const head = incident ? { incidentId: incident.id, lastSeq: incident.lastSeq, lastHash: incident.lastHash, headKeyId: incident.headKeyId, headSignature: incident.headSignature } : undefined;
      const chain = verifySignedChain(events, head, keyRing?.publicKeys);
      if (!chain.valid || !('consistent' in history) || history.consistent) return { ...chain, history };
      return { ...chain, valid: false, brokenAt: history.seq, reason: history.reason, history };
    },
  );
}
