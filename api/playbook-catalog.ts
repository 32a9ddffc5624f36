/** Chooses the playbook version an incident pins: the latest stored version at its start. */
import type { Database } from '../db/client.js';
import { latestPlaybook, latestPlaybooks } from '../db/playbooks.repo.js';
import { DEFAULT_PLAYBOOK_ID, routeAlert } from '../machines/playbook.routing.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';
import type { PlaybookCatalog } from './deps.js';
import { problems } from './problem.js';

function pin({ id, version, hash, document }: PinnedPlaybook): PinnedPlaybook {
  return { id, version, hash, document };
}

export function createPlaybookCatalog(db: Database): PlaybookCatalog {
  async function latest(id: string): Promise<PinnedPlaybook | undefined> {
    const found = await latestPlaybook(db, id);
    return found ? pin(found) : undefined;
  }
  return {
    latest,
    async forAlert(alert) {
      const playbooks = await latestPlaybooks(db);
      const id = routeAlert(playbooks.map((p) => p.document), alert);
      const chosen = playbooks.find((p) => p.id === id);
      if (!chosen) throw problems.unavailable(`the ${DEFAULT_PLAYBOOK_ID} playbook is not registered`);
      return pin(chosen);
    },
  };
}
