import type { NativeConnection } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { incidentWorkerOptions } from '../../runtime/worker.js';
import { WorkerTuningError, workerTuningFromEnv } from '../../runtime/worker-tuning.js';

describe("the incident worker's slots, cache and threads", () => {
  it('runs workflow code on two threads and leaves every other option to the SDK when nothing is set', () => {
    expect(workerTuningFromEnv({})).toEqual({ workflowThreadPoolSize: 2 });
    expect(loadConfig({}).workerTuning).toEqual({ workflowThreadPoolSize: 2 });
  });

  it('maps each setting the README lists to its worker option', () => {
    const env = {
      IRFLOW_WORKFLOW_TASK_SLOTS: '16',
      IRFLOW_LOCAL_ACTIVITY_SLOTS: '8',
      IRFLOW_ACTIVITY_SLOTS: '50',
      IRFLOW_CACHED_WORKFLOWS: '500',
      IRFLOW_WORKFLOW_THREADS: '2',
    };
    expect(workerTuningFromEnv(env)).toEqual({
      maxConcurrentWorkflowTaskExecutions: 16,
      maxConcurrentLocalActivityExecutions: 8,
      maxConcurrentActivityTaskExecutions: 50,
      maxCachedWorkflows: 500,
      workflowThreadPoolSize: 2,
    });
    expect(workerTuningFromEnv({ IRFLOW_CACHED_WORKFLOWS: '0', IRFLOW_WORKFLOW_TASK_SLOTS: '' })).toEqual({ maxCachedWorkflows: 0, workflowThreadPoolSize: 2 });
    expect(workerTuningFromEnv({ IRFLOW_WORKFLOW_THREADS: '1' })).toEqual({ workflowThreadPoolSize: 1 });
  });

  it('refuses what is not a whole number at least the minimum, naming the setting', () => {
    for (const [name, raw] of [
      ['IRFLOW_WORKFLOW_TASK_SLOTS', '1'],
      ['IRFLOW_WORKFLOW_TASK_SLOTS', 'many'],
      ['IRFLOW_LOCAL_ACTIVITY_SLOTS', '0'],
      ['IRFLOW_ACTIVITY_SLOTS', '2.5'],
      ['IRFLOW_CACHED_WORKFLOWS', '-1'],
      ['IRFLOW_WORKFLOW_THREADS', '0'],
    ] as const) {
      expect(() => workerTuningFromEnv({ [name]: raw }), `${name}=${raw}`).toThrow(WorkerTuningError);
      expect(() => workerTuningFromEnv({ [name]: raw }), `${name}=${raw}`).toThrow(name);
      expect(() => loadConfig({ [name]: raw }), `${name}=${raw}`).toThrow(ConfigError);
    }
  });

  it('gives the worker the tuning on top of its own options, and nothing when there is none', () => {
    const base = { connection: {} as NativeConnection, namespace: 'default', taskQueue: 'irflow-incidents', db: {} as Database };
    const tuned = incidentWorkerOptions({ ...base, tuning: { maxConcurrentWorkflowTaskExecutions: 8, workflowThreadPoolSize: 2 } });
    expect(tuned).toMatchObject({ taskQueue: 'irflow-incidents', shutdownGraceTime: '10 seconds', maxConcurrentWorkflowTaskExecutions: 8, workflowThreadPoolSize: 2 });
    expect(tuned.activities).toHaveProperty('recordIncidentSteps');
    const plain = incidentWorkerOptions(base);
    for (const option of ['maxConcurrentWorkflowTaskExecutions', 'maxConcurrentLocalActivityExecutions', 'maxCachedWorkflows', 'workflowThreadPoolSize']) {
      expect(plain, option).not.toHaveProperty(option);
    }
  });
});
