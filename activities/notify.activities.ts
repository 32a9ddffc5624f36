/**
 * Escalation notifications: a webhook POST of JSON, signed with HMAC-SHA256 over the body when
 * the channel names a secret (`X-Irflow-Signature: sha256=<hex>`), with `X-Irflow-Delivery`
 * carrying an id the receiver can de-duplicate redeliveries by. Non-2xx answers and network
 * errors are retried by the activity's policy; an unknown channel is not.
 */
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { notificationChannels } from '../db/schema.js';
import type { JsonValue } from '../machines/procedure.js';

export interface DeliverNotificationInput {
  deliveryId: string;
  channel: string | null;
  payload: { [key: string]: JsonValue };
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createNotifyActivities(deps: { db: Database; env?: NodeJS.ProcessEnv; publicUrl?: string }) {
  const env = deps.env ?? process.env;
  async function deliverNotification(input: DeliverNotificationInput): Promise<{ status: number }> {
    if (!input.channel) throw ApplicationFailure.nonRetryable('the incident has no assignee to notify', 'NoSuchChannel');
    const [channel] = await deps.db.select().from(notificationChannels).where(eq(notificationChannels.id, input.channel));
    if (!channel) throw ApplicationFailure.nonRetryable(`no notification channel ${input.channel}`, 'NoSuchChannel');
    const link = typeof input.payload.link === 'string' && deps.publicUrl ? `${deps.publicUrl}${input.payload.link}` : input.payload.link;
    const body = JSON.stringify({ ...input.payload, link });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-irflow-delivery': input.deliveryId };
    if (channel.secretEnv) {
      const secret = env[channel.secretEnv];
      if (!secret) throw ApplicationFailure.nonRetryable(`the secret variable ${channel.secretEnv} of channel ${channel.id} is not set`, 'ChannelMisconfigured');
      headers['x-irflow-signature'] = signature(secret, body);
    }
    const response = await fetch(channel.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${channel.id}: ${channel.url} answered ${response.status}`);
    return { status: response.status };
  }
  return { deliverNotification };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
