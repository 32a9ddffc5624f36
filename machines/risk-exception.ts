/**
 * A risk exception's lifecycle: requested → approved under the two-person rule (the requester
 * never approves, each approver once, holders of the listed roles) → active → expiring (its
 * owner told N days before) → expired; or renewed (a renewal approved like the request), rejected,
 * revoked. Pure rules over workflow time; the workflow keeps the state and records every event.
 */
import { holdsListedRole, type ApprovalGrant } from './approval.js';

export const RISK_EXCEPTION_STATUSES = ['requested', 'active', 'expiring', 'expired', 'rejected', 'revoked'] as const;
export type RiskExceptionStatus = (typeof RISK_EXCEPTION_STATUSES)[number];
const TERMINAL: ReadonlySet<RiskExceptionStatus> = new Set(['expired', 'rejected', 'revoked']);
/** Covering: the context connector finds it, the priority matrix gives its step. */
export const COVERING: ReadonlySet<RiskExceptionStatus> = new Set(['active', 'expiring']);

export const DEFAULT_NOTICE_DAYS = 14;
const DAY_MS = 86_400_000;

export interface RiskExceptionRequest {
  id: string;
  assetIds?: string[];
  ruleIds?: string[];
  justification: string;
  owner: string;
  expiresAt: string;
  /** Days before expiry its owner is told (default 14). */
  noticeDays?: number;
  /** Approvals needed (default 2) and by whom (default approver). */
  approvals?: { count?: number; roles?: string[] };
}

export interface PendingDecision {
  kind: 'grant' | 'renewal';
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  justification: string;
  granted: ApprovalGrant[];
}

export interface RiskExceptionState {
  id: string;
  assetIds?: string[];
  ruleIds?: string[];
  justification: string;
  owner: string;
  expiresAt: string;
  noticeDays: number;
  required: number;
  roles: string[];
  status: RiskExceptionStatus;
  requestedBy: string;
  requestedAt: string;
  pending: PendingDecision | null;
  renewals: number;
  noticeGiven: boolean;
  /** When it first covered (approved), and when it stopped (expired, revoked, rejected). */
  activatedAt: string | null;
  endedAt: string | null;
}

export type RiskExceptionCommand =
  | { type: 'approve' | 'reject'; actor: string; actorRoles: string[]; comment?: string }
  | { type: 'renew'; actor: string; expiresAt: string; justification: string }
  | { type: 'revoke'; actor: string; reason: string };

export type RiskEventType =
  | 'risk_exception_requested'
  | 'risk_exception_approval_granted'
  | 'risk_exception_activated'
  | 'risk_exception_rejected'
  | 'risk_exception_renewal_requested'
  | 'risk_exception_renewed'
  | 'risk_exception_renewal_rejected'
  | 'risk_exception_expiring'
  | 'risk_exception_expired'
  | 'risk_exception_revoked';

export interface RiskEvent {
  type: RiskEventType;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export type RiskRefusal = 'terminal' | 'nothingPending' | 'pendingAlready' | 'selfApproval' | 'alreadyDecided' | 'approverRoleMissing' | 'expiryNotLater';
export type RiskDecision = { ok: true; state: RiskExceptionState; events: RiskEvent[] } | { ok: false; reason: RiskRefusal; message: string };

export const isTerminal = (state: RiskExceptionState) => TERMINAL.has(state.status);
const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

export function requestRiskException(request: RiskExceptionRequest, actor: string, now: string): { state: RiskExceptionState; events: RiskEvent[] } {
  const state: RiskExceptionState = {
    id: request.id,
    ...(request.assetIds ? { assetIds: request.assetIds } : {}),
    ...(request.ruleIds ? { ruleIds: request.ruleIds } : {}),
    justification: request.justification,
    owner: request.owner,
    expiresAt: request.expiresAt,
    noticeDays: request.noticeDays ?? DEFAULT_NOTICE_DAYS,
    required: request.approvals?.count ?? 2,
    roles: request.approvals?.roles ?? ['approver'],
    status: 'requested',
    requestedBy: actor,
    requestedAt: now,
    pending: { kind: 'grant', requestedBy: actor, requestedAt: now, expiresAt: request.expiresAt, justification: request.justification, granted: [] },
    renewals: 0,
    noticeGiven: false,
    activatedAt: null,
    endedAt: null,
  };
  const data = { assetIds: request.assetIds ?? null, ruleIds: request.ruleIds ?? null, expiresAt: request.expiresAt, owner: request.owner, justification: request.justification, required: state.required, roles: state.roles };
  return { state, events: [{ type: 'risk_exception_requested', actor, at: now, data }] };
}

function judgeDecision(state: RiskExceptionState, command: Extract<RiskExceptionCommand, { type: 'approve' | 'reject' }>): RiskDecision | null {
  const pending = state.pending;
  if (!pending) return { ok: false, reason: 'nothingPending', message: `risk exception ${state.id} waits for no decision` };
  if (command.actor === pending.requestedBy) return { ok: false, reason: 'selfApproval', message: `${command.actor} asked for this and may not decide on it (two-person rule)` };
  if (pending.granted.some((g) => g.by === command.actor)) return { ok: false, reason: 'alreadyDecided', message: `${command.actor} approved it already` };
  if (!holdsListedRole(command.actorRoles, state)) return { ok: false, reason: 'approverRoleMissing', message: `deciding on risk exception ${state.id} needs one of the roles ${state.roles.join(', ')}` };
  return null;
}

function decideApproval(state: RiskExceptionState, command: Extract<RiskExceptionCommand, { type: 'approve' | 'reject' }>, now: string): RiskDecision {
  const refused = judgeDecision(state, command);
  if (refused) return refused;
  const pending = state.pending!;
  const comment = command.comment ? { comment: command.comment } : {};
  if (command.type === 'reject') {
    const type = pending.kind === 'grant' ? 'risk_exception_rejected' : 'risk_exception_renewal_rejected';
    const next: RiskExceptionState = pending.kind === 'grant' ? { ...state, status: 'rejected', pending: null, endedAt: now } : { ...state, pending: null };
    return { ok: true, state: next, events: [{ type, actor: command.actor, at: now, data: { ...comment } }] };
  }
  const granted = [...pending.granted, { by: command.actor, at: now, ...comment }];
  const events: RiskEvent[] = [{ type: 'risk_exception_approval_granted', actor: command.actor, at: now, data: { granted: granted.length, required: state.required, ...comment } }];
  if (granted.length < state.required) return { ok: true, state: { ...state, pending: { ...pending, granted } }, events };
  const approvedBy = granted.map((g) => g.by);
  if (pending.kind === 'grant') {
    events.push({ type: 'risk_exception_activated', actor: 'system', at: now, data: { approvedBy, expiresAt: pending.expiresAt } });
    return { ok: true, state: { ...state, status: 'active', pending: null, expiresAt: pending.expiresAt, activatedAt: now }, events };
  }
  events.push({ type: 'risk_exception_renewed', actor: 'system', at: now, data: { approvedBy, from: state.expiresAt, expiresAt: pending.expiresAt, justification: pending.justification } });
  const renewed: RiskExceptionState = { ...state, status: 'active', pending: null, expiresAt: pending.expiresAt, justification: pending.justification, renewals: state.renewals + 1, noticeGiven: false };
  return { ok: true, state: renewed, events };
}

export function decideRiskException(state: RiskExceptionState, command: RiskExceptionCommand, now: string): RiskDecision {
  if (isTerminal(state)) return { ok: false, reason: 'terminal', message: `risk exception ${state.id} is ${state.status}` };
  switch (command.type) {
    case 'approve':
    case 'reject':
      return decideApproval(state, command, now);
    case 'renew': {
      if (!COVERING.has(state.status)) return { ok: false, reason: 'nothingPending', message: `only an active exception can be renewed; ${state.id} is ${state.status}` };
      if (state.pending) return { ok: false, reason: 'pendingAlready', message: `a renewal of ${state.id} waits for approval already` };
      if (!later(command.expiresAt, state.expiresAt)) return { ok: false, reason: 'expiryNotLater', message: `a renewal must expire after ${state.expiresAt}` };
      const pending: PendingDecision = { kind: 'renewal', requestedBy: command.actor, requestedAt: now, expiresAt: command.expiresAt, justification: command.justification, granted: [] };
      return { ok: true, state: { ...state, pending }, events: [{ type: 'risk_exception_renewal_requested', actor: command.actor, at: now, data: { expiresAt: command.expiresAt, justification: command.justification } }] };
    }
    case 'revoke':
      return { ok: true, state: { ...state, status: 'revoked', pending: null, endedAt: now }, events: [{ type: 'risk_exception_revoked', actor: command.actor, at: now, data: { reason: command.reason } }] };
  }
}

const noticeAt = (state: RiskExceptionState) => new Date(Date.parse(state.expiresAt) - state.noticeDays * DAY_MS).toISOString();

/** When the next thing falls due (notice, expiry), or null when nothing will. */
export function nextRiskDeadline(state: RiskExceptionState): string | null {
  if (isTerminal(state)) return null;
  if (state.status === 'requested') return state.pending?.expiresAt ?? state.expiresAt;
  return state.noticeGiven ? state.expiresAt : noticeAt(state);
}

/** What is due at `now`: the notice to its owner, the expiry (a request never approved expires too). */
export function dueRiskEvents(state: RiskExceptionState, now: string): { state: RiskExceptionState; events: RiskEvent[] } {
  if (isTerminal(state)) return { state, events: [] };
  const expiry = state.status === 'requested' ? (state.pending?.expiresAt ?? state.expiresAt) : state.expiresAt;
  if (!later(expiry, now)) {
    const data = { expiresAt: expiry, ...(state.status === 'requested' ? { approved: false } : {}), ...(state.pending?.kind === 'renewal' ? { renewalPending: true } : {}) };
    return { state: { ...state, status: 'expired', pending: null, endedAt: now }, events: [{ type: 'risk_exception_expired', actor: 'system', at: now, data }] };
  }
  if (COVERING.has(state.status) && !state.noticeGiven && !later(noticeAt(state), now)) {
    return { state: { ...state, status: 'expiring', noticeGiven: true }, events: [{ type: 'risk_exception_expiring', actor: 'system', at: now, data: { expiresAt: state.expiresAt, owner: state.owner, noticeDays: state.noticeDays } }] };
  }
  return { state, events: [] };
}
