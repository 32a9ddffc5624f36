/** Registers the shipped playbooks (`playbooks/*.yaml`) at start-up, like any posted version. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/client.js';
import { registerPlaybook, type RegisteredPlaybook } from '../db/playbooks.repo.js';
import { parsePlaybook } from '../machines/playbook.validate.js';

export const SHIPPED_PLAYBOOKS_DIR = fileURLToPath(new URL('../playbooks', import.meta.url));

export class InvalidShippedPlaybookError extends Error {
  override name = 'InvalidShippedPlaybookError';
}

export async function loadShippedPlaybooks(db: Database, dir = SHIPPED_PLAYBOOKS_DIR): Promise<RegisteredPlaybook[]> {
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const registered: RegisteredPlaybook[] = [];
  for (const file of files) {
    const result = parsePlaybook(await readFile(join(dir, file), 'utf8'));
    if (!result.ok) {
      const errors = result.errors.map((e) => `  ${e.path || '(document)'}: ${e.message}`).join('\n');
      throw new InvalidShippedPlaybookError(`playbooks/${file} is not a valid playbook:\n${errors}`);
    }
    registered.push(await registerPlaybook(db, result.playbook, 'irflow'));
  }
  return registered;
}
