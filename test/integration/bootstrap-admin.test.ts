/**
 * The bootstrap admin key on a real database: made once while no admin key is active, never
 * replaced by another IRFLOW_ADMIN_TOKEN, and once revoked it stays revoked through every start.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ADMIN_ID, createApiKey, findActiveKeyByToken, revokeApiKey, seedAdminToken } from '../../db/api-keys.repo.js';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';

let database: DatabaseHandle;
beforeEach(async () => {
  database = await openDatabase({});
  await database.migrate();
});
afterEach(async () => database?.close());

describe('the bootstrap admin key', () => {
  it('is made once; a later start with another token neither replaces it nor adds one', async () => {
    const { db } = database;
    expect(await seedAdminToken(db, 'irf_first')).toBe('seeded');
    expect(await seedAdminToken(db, 'irf_first')).toBe('admin-exists');
    expect(await seedAdminToken(db, 'irf_second')).toBe('admin-exists');
    expect((await findActiveKeyByToken(db, 'irf_first'))?.id).toBe(BOOTSTRAP_ADMIN_ID);
    expect(await findActiveKeyByToken(db, 'irf_second')).toBeUndefined();
  });

  it('stays revoked once revoked, whatever token a start brings', async () => {
    const { db } = database;
    await seedAdminToken(db, 'irf_first');
    await createApiKey(db, 'second admin', ['admin']);
    expect(await revokeApiKey(db, BOOTSTRAP_ADMIN_ID)).toBeTruthy();
    for (const token of ['irf_first', 'irf_other']) {
      expect(await seedAdminToken(db, token)).toBe('revoked');
      expect(await findActiveKeyByToken(db, token)).toBeUndefined();
    }
  });

  it('is not made while another admin key is active', async () => {
    const { db } = database;
    await createApiKey(db, 'made by hand', ['admin']);
    expect(await seedAdminToken(db, 'irf_first')).toBe('admin-exists');
    expect(await findActiveKeyByToken(db, 'irf_first')).toBeUndefined();
  });
});
