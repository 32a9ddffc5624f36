/**
 * Exposure response: every change posted (one at a time, or in bulk) is tested against the
 * enabled exposure rules; each match opens an incident on the rule's playbook, once per
 * (rule, change) - the incident's id comes from the pair, the match row is claimed first, and a
 * change posted again finds both. The incident starts with the change's assets as its subject and
 * the rule's id among its rule ids, so enrichment gathers the assets, the change and the risk
 * exceptions that name the rule.
 */
import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { contextAssets } from '../db/context.schema.js';
import { claimExposureMatch, latestExposureRules } from '../db/exposure-rules.repo.js';
import type { ChangeRecord } from '../machines/context.types.js';
import { compileRule, DEFAULT_EXPOSURE_CATEGORY, DEFAULT_EXPOSURE_PLAYBOOK, ruleIndex, type CompiledRule } from '../machines/exposure-rule.js';
import type { DigestDesk } from './digests.js';
import type { IncidentCommands } from './incident-commands.js';
import type { PlaybookCatalog } from './deps.js';

export interface ExposureOpened {
  ruleId: string;
  ruleVersion: number;
  changeId: string;
  incidentId: string;
  /** False when the change was posted before and the incident exists already. */
  created: boolean;
}

export interface RuleFailure {
  ruleId: string;
  changeId: string;
  error: string;
}

export interface ExposureResponse {
  exposures: ExposureOpened[];
  /** Rules whose expression failed on a change (no match), or whose playbook is missing. */
  failures: RuleFailure[];
  /** Rules tested against each change. */
  rulesTested: number;
}

/** The incident a rule opens for a change: the same pair, the same id. */
export function exposureIncidentId(ruleId: string, changeId: string): string {
  const digest = createHash('sha256').update(`exposure\n${ruleId}\n${changeId}`).digest('base64url').replace(/[-_]/g, '').slice(0, 16).toUpperCase();
  return `INC-X${digest}`;
}

export function createExposureResponder(deps: { db: Database; commands: IncidentCommands; playbooks: PlaybookCatalog; digests?: DigestDesk; log?: { warn(message: string): void } }) {
  const { db, commands, playbooks } = deps;
  /** Planned expressions by rule id and version: a version never changes. */
  const plans = new Map<string, CompiledRule>();

  async function enabledRules(): Promise<CompiledRule[]> {
    const latest = (await latestExposureRules(db)).filter((r) => r.rule.enabled !== false);
    return latest.map((r) => {
      const key = `${r.id}@${r.version}`;
      let compiled = plans.get(key);
      if (!compiled) plans.set(key, (compiled = compileRule(r.rule, r.version)));
      return compiled;
    });
  }

  async function subjectOf(change: ChangeRecord): Promise<{ hostnames: string[]; ips: string[] }> {
    if (change.assetIds.length === 0) return { hostnames: [], ips: [] };
    const rows = await db.select({ hostname: contextAssets.hostname, ips: contextAssets.ips }).from(contextAssets).where(inArray(contextAssets.id, change.assetIds));
    return { hostnames: [...new Set(rows.map((r) => r.hostname.toLowerCase()))], ips: [...new Set(rows.flatMap((r) => r.ips))] };
  }

  async function open(compiled: CompiledRule, change: ChangeRecord, actor: string): Promise<ExposureOpened | RuleFailure> {
    const { rule, version } = compiled;
    const playbook = await playbooks.latest(rule.playbook ?? DEFAULT_EXPOSURE_PLAYBOOK);
    if (!playbook) return { ruleId: rule.id, changeId: change.id, error: `no playbook ${rule.playbook ?? DEFAULT_EXPOSURE_PLAYBOOK} is registered` };
    const { match } = await claimExposureMatch(db, { ruleId: rule.id, changeId: change.id, ruleVersion: version, incidentId: exposureIncidentId(rule.id, change.id), changeKind: change.kind ?? null });
    const { created } = await commands.openIncident({
      incidentId: match.incidentId,
      title: `${rule.name}: ${change.title}`.slice(0, 300),
      severity: rule.severity,
      description: `Exposure rule ${rule.id} (version ${match.ruleVersion}) matched change ${change.id}${change.kind ? ` (${change.kind})` : ''} posted by ${actor}. Rule: ${rule.when}`,
      category: rule.category ?? DEFAULT_EXPOSURE_CATEGORY,
      playbook,
      openedBy: `exposure-rule:${rule.id}`,
      subject: { ...(await subjectOf(change)), ruleIds: [rule.id], observables: [] },
    });
    // Its business unit hears of it at once when it is P1 or P2; the daily digest lists it anyway.
    if (created) await deps.digests?.exposureOpened(match.incidentId).catch((error: unknown) => deps.log?.warn(`exposure ${match.incidentId}: the digest was not told (${String(error)})`));
    return { ruleId: rule.id, ruleVersion: match.ruleVersion, changeId: change.id, incidentId: match.incidentId, created };
  }

  /** Tests the changes against every enabled rule and opens an incident per match. */
  async function respond(changes: ChangeRecord[], actor: string): Promise<ExposureResponse> {
    const rules = await enabledRules();
    const meeting = ruleIndex(rules);
    const response: ExposureResponse = { exposures: [], failures: [], rulesTested: rules.length };
    for (const change of changes) {
      // Rules that require another kind of change are false for this one: not evaluated.
      for (const compiled of meeting(change.kind)) {
        const result = compiled.test(change);
        if (result.error) response.failures.push({ ruleId: compiled.rule.id, changeId: change.id, error: result.error });
        if (!result.matches) continue;
        const outcome = await open(compiled, change, actor);
        if ('error' in outcome) response.failures.push(outcome);
        else response.exposures.push(outcome);
      }
    }
    return response;
  }

  return { respond, enabledRules };
}

export type ExposureResponder = ReturnType<typeof createExposureResponder>;
