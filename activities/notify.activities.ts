/**
 * Escalation notifications: a webhook POST of JSON, signed the Standard Webhooks way when the
 * channel names a secret (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 over
 * id, timestamp and body, with the `standardwebhooks` library), so a receiver rejects a delivery
 * replayed later or altered. `webhook-id` (also `X-Irflow-Delivery`) stays the same through
 * retries, for the receiver to de-duplicate by. Non-2xx answers and network errors are retried by
 * the activity's policy; an unknown channel, and an address the egress policy refuses
 * (activities/egress.ts), are not. Failures name the channel's scheme and host only: a webhook
 * URL's path is often its secret, and failures land in the ledger.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import { egressPolicy, egressRefusalMessage, guardedFetch, redactedUrl, type EgressPolicy } from './egress.js';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { notificationChannels } from '../db/schema.js';
import type { JsonValue } from '../machines/procedure.js';

export interface DeliverNotificationInput {
  deliveryId: string;
  channel: string | null;
  payload: { [key: string]: JsonValue };
}

/** The variables a channel may take its signing secret from: no other (DATABASE_URL, say) can be made a key and so leak. */
export const SECRET_ENV_PATTERN = '^IRFLOW_SECRET_[A-Z0-9_]+$';
const SECRET_ENV = new RegExp(SECRET_ENV_PATTERN);

/** A channel secret: Standard Webhooks' `whsec_<base64>` form, or any other text taken as raw bytes. */
export function webhookSigner(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
}

/** The Standard Webhooks headers of one delivery attempt at `at`. */
export function webhookHeaders(secret: string, deliveryId: string, at: Date, body: string): Record<string, string> {
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhookSigner(secret).sign(deliveryId, at, body),
  };
}

export function createNotifyActivities(deps: { db: Database; env?: NodeJS.ProcessEnv; publicUrl?: string; egress?: EgressPolicy }) {
  const env = deps.env ?? process.env;
  const post = guardedFetch(deps.egress ?? egressPolicy(env));
  async function deliverNotification(input: DeliverNotificationInput): Promise<{ status: number }> {
    if (!input.channel) throw ApplicationFailure.nonRetryable('the incident has no assignee to notify', 'NoSuchChannel');
    const [channel] = await deps.db.select().from(notificationChannels).where(eq(notificationChannels.id, input.channel));
    if (!channel) throw ApplicationFailure.nonRetryable(`no notification channel ${input.channel}`, 'NoSuchChannel');
    const link = typeof input.payload.link === 'string' && deps.publicUrl ? `${deps.publicUrl}${input.payload.link}` : input.payload.link;
    const body = JSON.stringify({ ...input.payload, link });
    let headers: Record<string, string> = { 'content-type': 'application/json', 'x-irflow-delivery': input.deliveryId };
    if (channel.secretEnv) {
      // Channels stored before the rule: a secret is never read from any other variable.
      if (!SECRET_ENV.test(channel.secretEnv)) {
        throw ApplicationFailure.nonRetryable(`channel ${channel.id} names ${channel.secretEnv}: signing secrets must be IRFLOW_SECRET_* variables`, 'ChannelMisconfigured');
      }
      const secret = env[channel.secretEnv];
      if (!secret) throw ApplicationFailure.nonRetryable(`the secret variable ${channel.secretEnv} of channel ${channel.id} is not set`, 'ChannelMisconfigured');
      headers = { ...headers, ...webhookHeaders(secret, input.deliveryId, new Date(), body) };
    }
    const response = await post(channel.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) }).catch((error: unknown) => {
      const refusal = egressRefusalMessage(error);
      if (refusal) throw ApplicationFailure.nonRetryable(`${channel.id}: ${refusal}`, 'EgressRefused');
      throw new Error(`${channel.id}: ${redactedUrl(channel.url)} could not be reached (${error instanceof Error ? error.message : String(error)})`);
    });
    if (!response.ok) throw new Error(`${channel.id}: ${redactedUrl(channel.url)} answered ${response.status}`);
    return { status: response.status };
  }
  return { deliverNotification };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
