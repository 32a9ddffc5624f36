/** Chooses the playbook version an incident pins: the latest stored version at its start. */
import type { Database } from '../db/client.js';
import { latestPlaybook, pinPlaybook, playbookRouter, type PlaybookVersionCache } from '../db/playbooks.repo.js';
import { DEFAULT_PLAYBOOK_ID } from '../machines/playbook.routing.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';
import type { PlaybookCatalog } from './deps.js';
import { problems } from './problem.js';

export function createPlaybookCatalog(db: Database): PlaybookCatalog {
  // Versions never change once stored: each intake request reads which is the latest, not the documents again.
  const versions: PlaybookVersionCache = new Map();
  async function latest(id: string): Promise<PinnedPlaybook | undefined> {
    const found = await latestPlaybook(db, id);
    return found ? pinPlaybook(found) : undefined;
  }
  async function router() {
    const route = await playbookRouter(db, versions);
    return (alert: Parameters<typeof route>[0]) => {
      const chosen = route(alert);
      if (!chosen) throw problems.unavailable(`the ${DEFAULT_PLAYBOOK_ID} playbook is not registered`);
      return chosen;
    };
  }
  return { latest, router };
}
