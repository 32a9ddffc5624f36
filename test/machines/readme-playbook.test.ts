/** The complete playbook example in the README stays a valid playbook. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../machines/playbook.validate.js';

describe('README', () => {
  it('shows a playbook that validates', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const start = readme.indexOf('id: phishing');
    expect(start, 'the README has the phishing example').toBeGreaterThan(0);
    const example = readme.slice(start, readme.indexOf('```', start));
    const result = parsePlaybook(example);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
