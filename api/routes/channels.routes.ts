/** `PUT /v1/notification-channels` (admin): the webhook channels escalations notify, replaced whole. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { notificationChannels } from '../../db/schema.js';
import { refusedUrl, type EgressPolicy } from '../../activities/egress.js';
import { SECRET_ENV_PATTERN } from '../../activities/notify.activities.js';
import { contentHash } from '../../db/ledger.js';
import { principalOf } from '../auth.js';
import { problems } from '../problem.js';
import { authProblems, problem } from '../schemas.js';

const channel = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'url'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,100}$', description: 'named by escalation steps (`notify`); `assignee` resolves to the channel named like the assignee' },
    type: { type: 'string', enum: ['webhook'] },
    url: { type: 'string', pattern: '^https?://', maxLength: 2000 },
    secretEnv: {
      type: 'string',
      pattern: SECRET_ENV_PATTERN,
      description: 'environment variable of the signing secret, named IRFLOW_SECRET_* (no other variable - DATABASE_URL, say - can be made a signing key and so exfiltrated)',
    },
  },
} as const;

interface Channel {
  id: string;
  type: 'webhook';
  url: string;
  secretEnv?: string;
}

export function channelRoutes(app: FastifyInstance, db: Database, egress: EgressPolicy): void {
  const list = { type: 'object', properties: { channels: { type: 'array', items: channel } } } as const;

  app.put<{ Body: Channel[] }>(
    '/v1/notification-channels',
    { schema: { tags: ['admin'], body: { type: 'array', maxItems: 500, items: channel }, response: { 200: list, ...authProblems, 422: problem } } },
    async (request) => {
      const ids = new Set<string>();
      for (const c of request.body) {
        if (ids.has(c.id)) throw problems.badRequest(`channel ${c.id} appears twice`);
        ids.add(c.id);
      }
      // Loopback, link-local (cloud metadata), private addresses: not a place for webhooks unless allowed.
      const refused = request.body.flatMap((c) => {
        const reason = refusedUrl(c.url, egress);
        return reason ? [{ path: `channel ${c.id}`, message: reason }] : [];
      });
      if (refused.length > 0) throw problems.unprocessable('egress-refused', 'Address not allowed', 'a channel points at an address requests may not go to', { errors: refused });
      await db.transaction(async (tx) => {
        await tx.delete(notificationChannels);
        if (request.body.length > 0) await tx.insert(notificationChannels).values(request.body.map((c) => ({ ...c, secretEnv: c.secretEnv ?? null })));
      });
      // Channel URLs are often secrets themselves (Slack, Teams): the system chain keeps ids and a hash.
      const recorded = { ids: request.body.map((c) => c.id), hash: contentHash(request.body) };
      await app.auditTrail.system('channels_replaced', principalOf(request).name, recorded);
      return { channels: request.body };
    },
  );

  app.get('/v1/notification-channels', { schema: { tags: ['admin'], response: { 200: list, ...authProblems } } }, async () => {
    const rows = await db.select().from(notificationChannels).orderBy(notificationChannels.id);
    return { channels: rows.map(({ id, type, url, secretEnv }) => ({ id, type, url, ...(secretEnv ? { secretEnv } : {}) })) };
  });
}
