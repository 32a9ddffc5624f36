/** Writes the playbook JSON Schema to playbooks/playbook.schema.json (for editors); CI checks it is current. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playbookJsonSchema } from '../machines/playbook.schema.js';

const target = fileURLToPath(new URL('../playbooks/playbook.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(playbookJsonSchema, null, 2)}\n`);
console.log(`wrote ${target}`);
