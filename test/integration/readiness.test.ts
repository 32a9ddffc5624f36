/**
 * Readiness says which dependency does not answer, never its error text (host names, ports and
 * driver messages stay in the service log): a real database, and a Temporal address nothing
 * listens on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createPlaybookCatalog } from '../../api/playbook-catalog.js';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';
import { freePort } from '../../runtime/ports.js';

let database: DatabaseHandle;
let app: FastifyInstance;
const logLines: string[] = [];
let nowhere: string;

beforeAll(async () => {
  database = await openDatabase({});
  await database.migrate();
  nowhere = `127.0.0.1:${await freePort()}`;
  app = await buildApp({
    db: database.db,
    temporal: new Client({ connection: Connection.lazy({ address: nowhere, connectTimeout: 500 }) }),
    taskQueue: 'readiness',
    playbooks: createPlaybookCatalog(database.db),
    logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } },
  });
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

describe('GET /readyz', () => {
  it('names the dependency that is down and keeps why in the log', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json();
    expect(body).toMatchObject({ status: 503, checks: { database: 'ok', temporal: expect.stringMatching(/^(down|timed out)$/) } });
    expect(body.detail).toContain('temporal');
    const port = nowhere.split(':')[1]!;
    expect(response.body, 'no address or driver message in the answer').not.toContain(port);
    expect(response.body).not.toMatch(/ECONNREFUSED|UNAVAILABLE|connect/i);
    expect(logLines.some((line) => line.includes('readiness: temporal')), 'the reason is in the log').toBe(true);
  });
});
