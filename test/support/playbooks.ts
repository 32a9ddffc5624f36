/** Reads shipped playbooks for tests, through the same parser the service uses. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PinnedPlaybook, PlaybookDocument } from '../../machines/playbook.types.js';
import { parsePlaybook } from '../../machines/playbook.validate.js';

export function shippedPlaybook(id: string): PlaybookDocument {
  const text = readFileSync(fileURLToPath(new URL(`../../playbooks/${id}.yaml`, import.meta.url)), 'utf8');
  const result = parsePlaybook(text);
  if (!result.ok) throw new Error(`playbooks/${id}.yaml is invalid: ${JSON.stringify(result.errors)}`);
  return result.playbook;
}

export function pinned(document: PlaybookDocument, version = 1): PinnedPlaybook {
  return { id: document.id, version, hash: `test-${document.id}-${version}`, document };
}
