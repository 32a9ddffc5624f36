/** Chooses the playbook version an incident pins: the latest stored version at its start. */
import type { Database } from '../db/client.js';
import { latestPlaybook } from '../db/playbooks.repo.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';
import type { PlaybookCatalog } from './deps.js';
import { problems } from './problem.js';

export const DEFAULT_PLAYBOOK_ID = 'default';

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
    async forAlert() {
      const playbook = await latest(DEFAULT_PLAYBOOK_ID);
      if (!playbook) throw problems.unavailable(`the ${DEFAULT_PLAYBOOK_ID} playbook is not registered`);
      return playbook;
    },
  };
}
