/**
 * The HTTP connector, for a user's real CMDB or threat-intel service: POSTs `{kind, facts}` as
 * JSON and takes an answer of records of the kind's shape, as an array or `{records: [...]}`.
 * Configured per kind from the environment:
 *   IRFLOW_CONTEXT_<KIND>_URL         e.g. IRFLOW_CONTEXT_ASSET_URL=https://cmdb.example/irflow
 *   IRFLOW_CONTEXT_<KIND>_HEADERS     JSON {header: ENV_VAR}, e.g. {"Authorization":"CMDB_AUTH"}
 *   IRFLOW_CONTEXT_<KIND>_TIMEOUT_MS  default 5000
 *   IRFLOW_CONTEXT_<KIND>_TTL         seconds a finding stays fresh, default 3600
 * A 5xx, a timeout or a refused connection is retried by the activity's policy; a 4xx or an
 * answer that is not records of the kind is not.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { validateContextRows } from '../../machines/context.schemas.js';
import type { ContextRecords } from '../../machines/context.types.js';
import { CONTEXT_KINDS, type ContextKind } from '../../machines/playbook.types.js';
import type { ContextConnector } from './connector.js';
import { egressPolicy, egressRefusalMessage, guardedFetch, redactedUrl, refusedUrl, type EgressPolicy } from '../egress.js';

export interface HttpConnectorConfig {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  ttl: number;
}

export class ConnectorConfigError extends Error {
  override name = 'ConnectorConfigError';
}

function envName(kind: ContextKind, setting: string): string {
  return `IRFLOW_CONTEXT_${kind.replace(/-/g, '_').toUpperCase()}_${setting}`;
}

/** The HTTP configuration of each kind that has one in the environment; a URL the egress policy refuses is a configuration error. */
export function httpConnectorConfigs(env: NodeJS.ProcessEnv = process.env, egress: EgressPolicy = egressPolicy(env)): Partial<Record<ContextKind, HttpConnectorConfig>> {
  const configs: Partial<Record<ContextKind, HttpConnectorConfig>> = {};
  for (const kind of CONTEXT_KINDS) {
    const url = env[envName(kind, 'URL')];
    if (!url) continue;
    const refusal = refusedUrl(url, egress);
    if (refusal) throw new ConnectorConfigError(`${envName(kind, 'URL')}: ${refusal}`);
    const headers: Record<string, string> = {};
    const mapping = env[envName(kind, 'HEADERS')];
    if (mapping) {
      let parsed: Record<string, string>;
      try {
        parsed = JSON.parse(mapping) as Record<string, string>;
      } catch {
        throw new ConnectorConfigError(`${envName(kind, 'HEADERS')} must be JSON such as {"Authorization":"CMDB_AUTH"}`);
      }
      for (const [header, variable] of Object.entries(parsed)) {
        const value = env[variable];
        if (value === undefined) throw new ConnectorConfigError(`${envName(kind, 'HEADERS')} names ${variable}, which is not set`);
        headers[header] = value;
      }
    }
    configs[kind] = {
      url,
      headers,
      timeoutMs: Number(env[envName(kind, 'TIMEOUT_MS')] ?? 5000),
      ttl: Number(env[envName(kind, 'TTL')] ?? 3600),
    };
  }
  return configs;
}

export function httpConnector<K extends ContextKind>(kind: K, config: HttpConnectorConfig, post = guardedFetch(egressPolicy())): ContextConnector<K> {
  // Failures are recorded in the ledger: they name the service's scheme and host, not its path.
  const where = redactedUrl(config.url);
  return {
    kind,
    source: `http:${new URL(config.url).host}`,
    ttl: config.ttl,
    async lookup(facts) {
      const response = await post(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...config.headers },
        body: JSON.stringify({ kind, facts }),
        signal: AbortSignal.timeout(config.timeoutMs),
      }).catch((error: unknown) => {
        const refusal = egressRefusalMessage(error);
        if (refusal) throw ApplicationFailure.nonRetryable(`${where}: ${refusal}`, 'EgressRefused');
        throw error;
      });
      if (response.status >= 400 && response.status < 500) {
        throw ApplicationFailure.nonRetryable(`${where} answered ${response.status}`, 'ContextSourceRefused');
      }
      if (!response.ok) throw new Error(`${where} answered ${response.status}`);
      let answer: unknown;
      try {
        answer = await response.json();
      } catch {
        throw ApplicationFailure.nonRetryable(`${where} answered with malformed JSON`, 'MalformedContextAnswer');
      }
      const records = Array.isArray(answer) ? answer : (answer as { records?: unknown })?.records;
      if (!Array.isArray(records)) throw ApplicationFailure.nonRetryable(`${where} answered neither an array nor {records: [...]}`, 'MalformedContextAnswer');
      const errors = validateContextRows(kind, records);
      if (errors.length > 0) {
        const first = errors.slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ');
        throw ApplicationFailure.nonRetryable(`${where} answered records that are not ${kind} records: ${first}`, 'MalformedContextAnswer');
      }
      return records as Array<ContextRecords[K]>;
    },
  };
}
