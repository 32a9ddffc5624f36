/** The first admin token: IRFLOW_ADMIN_TOKEN, else one made once and kept in the data folder. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function resolveAdminToken(dataDir: string, fromEnv?: string): { token: string; source: 'env' | 'file' | 'new' } {
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), source: 'file' };
  mkdirSync(dataDir, { recursive: true });
  const token = `irf_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'new' };
}
