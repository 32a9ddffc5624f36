import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { devServerArgs } from '../../runtime/dev-server.js';
import { TASK_QUEUE } from '../../workflows/incident.messages.js';

const dynamicValues = (args: string[]) => args.flatMap((arg, i) => (args[i - 1] === '--dynamic-config-value' ? [arg] : []));

describe("Temporal's dynamic configuration", () => {
  it('has the dev server write new tasks to one partition and read the default four', () => {
    const values = dynamicValues(devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: false }));
    expect(values).toContain('matching.numTaskqueueWritePartitions=1');
    expect(values.some((v) => v.startsWith('matching.numTaskqueueReadPartitions='))).toBe(false);
  });

  it('keeps what a caller sets over the defaults', () => {
    const values = dynamicValues(devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: false, dynamicConfig: { 'matching.numTaskqueueWritePartitions': 4 } }));
    expect(values.filter((v) => v.startsWith('matching.numTaskqueueWritePartitions='))).toEqual(['matching.numTaskqueueWritePartitions=4']);
  });

  it("gives docker-compose's server the same setting, for irflow's task queue", () => {
    const file = parse(readFileSync(new URL('../../deploy/temporal-dynamic-config.yaml', import.meta.url), 'utf8')) as Record<string, Array<{ value: unknown; constraints?: Record<string, unknown> }>>;
    expect(file['matching.numTaskqueueWritePartitions']).toEqual([{ value: 1, constraints: { taskQueueName: TASK_QUEUE } }]);
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).toContain('./deploy/temporal-dynamic-config.yaml:/etc/temporal/config/dynamicconfig/irflow.yaml:ro');
    expect(compose).toContain('DYNAMIC_CONFIG_FILE_PATH: config/dynamicconfig/irflow.yaml');
  });
});
