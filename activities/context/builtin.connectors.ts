/** Built-in connectors: lookups in irflow's own context tables (fed by `PUT /v1/context/:kind`). */
import type { Database } from '../../db/client.js';
import { findAssets, findBusinessUnits, findChanges, findIntel, findRiskExceptions } from '../../db/context.repo.js';
import type { AssetRecord, LookupFacts } from '../../machines/context.types.js';
import type { ConnectorSet } from './connector.js';

export interface BuiltinOptions {
  /** How far before detection a change still counts (hours, default 72). */
  changeWindowHours?: number;
  ttlSeconds?: number;
}

type AssetFinder = (facts: LookupFacts) => Promise<AssetRecord[]>;

/**
 * The assets a subject's hosts and addresses name, read once for lookups asked at once: four
 * kinds start from them, and `gatherContexts` asks every kind of a stage together. Only a read
 * in flight is shared; the next lookup reads again.
 */
function sharedAssetReads(db: Database): AssetFinder {
  const inFlight = new Map<string, Promise<AssetRecord[]>>();
  return (facts) => {
    const key = JSON.stringify([facts.hostnames, facts.ips]);
    let read = inFlight.get(key);
    if (!read) {
      read = findAssets(db, facts.hostnames, facts.ips).finally(() => inFlight.delete(key));
      inFlight.set(key, read);
    }
    return read;
  };
}

/** Asset ids known already, plus those the subject's hosts and addresses name. */
async function affectedAssetIds(assetsOf: AssetFinder, facts: LookupFacts): Promise<string[]> {
  const found = await assetsOf(facts);
  return [...new Set([...facts.assetIds, ...found.map((a) => a.id)])];
}

export function builtinConnectors(db: Database, options: BuiltinOptions = {}): ConnectorSet {
  const assetsOf = sharedAssetReads(db);
  const ttl = options.ttlSeconds ?? 3600;
  const windowMs = (options.changeWindowHours ?? 72) * 3600_000;
  const source = (kind: string) => `irflow:${kind}`;
  return {
    asset: { kind: 'asset', source: source('asset'), ttl, lookup: assetsOf },
    'business-unit': {
      kind: 'business-unit',
      source: source('business-unit'),
      ttl,
      async lookup(facts) {
        const assets = await assetsOf(facts);
        return findBusinessUnits(db, [...new Set([...facts.businessUnitIds, ...assets.map((a) => a.businessUnit)])]);
      },
    },
    change: {
      kind: 'change',
      source: source('change'),
      ttl,
      async lookup(facts) {
        const detectedAt = new Date(facts.detectedAt);
        return findChanges(db, await affectedAssetIds(assetsOf, facts), new Date(detectedAt.getTime() - windowMs), detectedAt);
      },
    },
    'risk-exception': {
      kind: 'risk-exception',
      source: source('risk-exception'),
      ttl,
      lookup: async (facts, now) => findRiskExceptions(db, await affectedAssetIds(assetsOf, facts), facts.ruleIds, now),
    },
    intel: {
      kind: 'intel',
      source: source('intel'),
      ttl,
      lookup: (facts) => findIntel(db, [...facts.observables, ...facts.ips.map((value) => ({ type: 'ip' as const, value }))]),
    },
  };
}
