/**
 * Alert intake. A batch is de-duplicated by (source, sourceId) and routed by correlation key to
 * the open incident holding it (or a new one) in one transaction: from then on nothing is lost.
 * Then it is delivered to the incidents' workflows, 16 incidents at a time, for at most the
 * delivery budget; the answer says which alerts are delivered and which are queued (stored,
 * being delivered: a batch opening hundreds of incidents takes Temporal longer than a SIEM
 * waits). Queued alerts - and any a crash or a Temporal outage left undelivered - are delivered by
 * the redelivery loop every API process runs. Exactly one answer per alert says
 * `deduplicated: false`: the request that stored it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import pLimit from 'p-limit';
import { markDelivered, queuedAlerts, storeAlerts, undeliveredAlerts, type AlertRecord } from '../db/alerts.repo.js';
import type { Database } from '../db/client.js';
import { countSuppressedDuplicates } from '../db/measures.repo.js';
import type { AlertSource, NormalisedAlert } from '../machines/alert.js';
import { correlationKey, correlationWindowMs } from '../machines/correlation.js';
import { byIncident, type AlertDelivery, type PlaybookRoute } from './alert-delivery.js';
import { problems } from './problem.js';

/** Incidents signalled at once. */
const DELIVERY_CONCURRENCY = 16;
/** How long a request waits for its alerts to reach their workflows before answering. */
export const DEFAULT_DELIVERY_BUDGET_MS = 3_000;
/** Beyond this many undelivered alerts (Temporal down for long), intake answers 503. */
export const MAX_QUEUED_ALERTS = 50_000;
/**
 * How long a count of undelivered alerts under the cap stands for later requests: the cap guards
 * against an outage of minutes, so a second-old count is as good, and a busy intake counts once a
 * second instead of once a request. A count at the cap is never reused: the next request counts again.
 */
const QUEUED_COUNT_TTL_MS = 1_000;
/** The redelivery loop takes alerts undelivered this long (the request that stored them had its turn). */
const REDELIVER_AFTER_MS = 10_000;

export interface AlertIntakeDeps {
  db: Database;
  delivery: AlertDelivery;
  /** Routes the alerts of a batch to playbook versions (one read of the playbooks). */
  router(): Promise<PlaybookRoute>;
  deliveryBudgetMs?: number;
  /** Undelivered alerts beyond which intake answers 503 (MAX_QUEUED_ALERTS). */
  maxQueuedAlerts?: number;
  log?: FastifyBaseLogger;
}

export interface AlertAccepted {
  alertId: string;
  incidentId: string;
  deduplicated: boolean;
  /** Stored and routed, not yet held by the incident's workflow: it will be, within moments. */
  queued?: true;
}

export function createAlertIntake(deps: AlertIntakeDeps) {
  const { db, delivery } = deps;
  const budgetMs = deps.deliveryBudgetMs ?? DEFAULT_DELIVERY_BUDGET_MS;
  const maxQueued = deps.maxQueuedAlerts ?? MAX_QUEUED_ALERTS;
  let counted: { at: number; queued: number } | undefined;

  /** Are too many alerts waiting for delivery to store more (a count under the cap is reused for a second)? */
  async function queueFull(): Promise<boolean> {
    const now = Date.now();
    if (!counted || counted.queued >= maxQueued || now - counted.at >= QUEUED_COUNT_TTL_MS) counted = { at: now, queued: await queuedAlerts(db, maxQueued) };
    return counted.queued >= maxQueued;
  }

  /**
   * Starts delivering; resolves with each alert delivered so far, by id, when all are or the budget
   * (if any) ends. Those delivered by then are marked in one update; later ones as they land.
   */
  async function deliverWithin(records: AlertRecord[], route: PlaybookRoute, ms?: number): Promise<Map<string, AlertRecord>> {
    const delivered = new Map<string, AlertRecord>();
    if (records.length === 0) return delivered;
    const limit = pLimit(DELIVERY_CONCURRENCY);
    let answered = false;
    const all = Promise.all(
      byIncident(records).map((group) =>
        limit(() => delivery.deliver(group, route))
          .then(async (done) => {
            done.forEach((r) => delivered.set(r.id, r));
            if (answered) await markDelivered(db, done.map((r) => r.id), new Date());
          })
          .catch((error: unknown) => deps.log?.warn({ err: error, alertId: group[0]!.id }, 'alert delivery failed; it stays queued')),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await (ms === undefined ? all : Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]));
    clearTimeout(timer);
    answered = true;
    const now = [...delivered.values()];
    await markDelivered(db, now.map((r) => r.id), new Date());
    return new Map(now.map((r) => [r.id, r]));
  }

  async function ingest(source: AlertSource, batch: NormalisedAlert[]): Promise<AlertAccepted[]> {
    if (await queueFull()) {
      throw problems.unavailable(`${maxQueued} alerts wait to reach their incidents (is Temporal down?); retry later`, 30);
    }
    const route = await deps.router();
    const inputs = batch.map((alert) => {
      const playbook = route(alert);
      const correlation = playbook.document.match?.correlation;
      const windowMs = correlationWindowMs(correlation);
      return { alertId: randomUUID(), alert, correlationKey: correlationKey(alert, { id: playbook.id, correlation }), ...(windowMs ? { windowMs } : {}) };
    });
    const now = new Date();
    const stored = await storeAlerts(db, source, inputs, now);
    // A repeat of an alert another request is delivering leaves it to that one; an orphan (its request died) is taken up.
    const orphaned = (r: AlertRecord) => r.receivedAt.getTime() < now.getTime() - REDELIVER_AFTER_MS;
    const delivered = await deliverWithin(
      stored.filter((s) => !s.record.deliveredAt && (s.stored || orphaned(s.record))).map((s) => s.record),
      route,
      budgetMs,
    );
    const answers = stored.map(({ record, stored: here }): AlertAccepted => {
      const current = delivered.get(record.id) ?? record;
      const queued = !record.deliveredAt && !delivered.has(record.id);
      return { alertId: current.id, incidentId: current.incidentId, deduplicated: !here, ...(queued ? { queued: true } : {}) };
    });
    await countSuppressedDuplicates(
      db,
      answers.filter((a) => a.deduplicated).map((a) => a.incidentId),
    );
    return answers;
  }

  /** Delivers alerts left undelivered (queued past a request's budget, a crash, Temporal down). */
  async function redeliver(batchSize = 500): Promise<number> {
    const waiting = await undeliveredAlerts(db, new Date(Date.now() - REDELIVER_AFTER_MS), batchSize);
    if (waiting.length === 0) return 0;
    return (await deliverWithin(waiting, await deps.router())).size;
  }

  /** Delivers stored alerts now (alerts a merge moved to their new incident). */
  async function deliverStored(records: AlertRecord[], chunk = 500): Promise<number> {
    let delivered = 0;
    // One signal holds one chunk: payloads stay far below Temporal's size limit.
    for (let i = 0; i < records.length; i += chunk) delivered += (await deliverWithin(records.slice(i, i + chunk), await deps.router())).size;
    return delivered;
  }

  return { ingest, redeliver, deliverStored };
}

export type AlertIntake = ReturnType<typeof createAlertIntake>;

/**
 * Runs `redeliver` every few seconds until stopped; one run at a time. Stopping waits for a run
 * under way (at most `waitAtMostMs`): the Temporal connection closes after, and a signal cut off
 * by its close would be retried by the client on the closed channel (an uncaught error).
 */
export function startRedelivery(intake: AlertIntake, everyMs = 2_000, log?: FastifyBaseLogger, waitAtMostMs = 10_000): () => Promise<void> {
  let run: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (run) return;
    run = intake
      .redeliver()
      .then(() => undefined)
      .catch((error: unknown) => log?.warn({ err: error }, 'redelivery failed; it runs again'))
      .finally(() => (run = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (run) await Promise.race([run, new Promise((resolve) => setTimeout(resolve, waitAtMostMs).unref())]);
  };
}
