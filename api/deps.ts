/** What the API needs from the world, handed to `buildApp` (tests pass real parts, never globals). */
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { NormalisedAlert } from '../machines/alert.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';

export interface PlaybookCatalog {
  /** The playbook version a new incident opened by this alert runs. */
  forAlert(alert: NormalisedAlert): Promise<PinnedPlaybook>;
  /** The latest version of a playbook, by id. */
  latest(id: string): Promise<PinnedPlaybook | undefined>;
}

export interface ApiDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  playbooks: PlaybookCatalog;
  /** Fastify logger setting: `false` in tests, pino options in production. */
  logger?: boolean | object;
}
