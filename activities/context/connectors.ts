/** The connector of each kind: HTTP where the environment configures one, else built-in. */
import type { Database } from '../../db/client.js';
import { CONTEXT_KINDS } from '../../machines/playbook.types.js';
import { builtinConnectors, type BuiltinOptions } from './builtin.connectors.js';
import type { ConnectorSet } from './connector.js';
import { httpConnector, httpConnectorConfigs } from './http.connector.js';
import { egressPolicy, guardedFetch } from '../egress.js';

export function contextConnectors(db: Database, env: NodeJS.ProcessEnv = process.env, options: BuiltinOptions = {}): ConnectorSet {
  const connectors = builtinConnectors(db, { changeWindowHours: Number(env.IRFLOW_CHANGE_WINDOW_HOURS ?? 72), ...options });
  const egress = egressPolicy(env);
  const configs = httpConnectorConfigs(env, egress);
  const post = guardedFetch(egress);
  for (const kind of CONTEXT_KINDS) {
    const config = configs[kind];
    if (config) (connectors as Record<string, unknown>)[kind] = httpConnector(kind, config, post);
  }
  return connectors;
}
