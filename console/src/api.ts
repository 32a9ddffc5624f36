/** The public API from the browser: the bearer token of the session, problem+json turned into sentences. */

const TOKEN_KEY = 'irflow.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer that was not 2xx: its problem, readable as one sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; [key: string]: unknown },
  ) {
    super(problem.detail ? `${problem.title ?? 'Error'}: ${problem.detail}` : (problem.title ?? `The server answered ${status}`));
  }
}

export interface Call {
  method?: string;
  /** JSON, or text sent as `contentType` (YAML playbooks). */
  body?: unknown;
  contentType?: string;
  /** `text/csv`, `text/plain`: answered as text. */
  accept?: string;
}

async function send(path: string, init: Call): Promise<Response> {
  const token = session.token();
  const text = typeof init.body === 'string' && init.contentType;
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
      ...(init.accept ? { accept: init.accept } : {}),
    },
    ...(init.body !== undefined ? { body: text ? (init.body as string) : JSON.stringify(init.body) } : {}),
  });
  if (!response.ok) {
    const problem = await response.text();
    throw new ApiError(response.status, (problem.startsWith('{') ? JSON.parse(problem) : { title: problem || `The server answered ${response.status}` }) as ApiError['problem']);
  }
  return response;
}

export async function api<T>(path: string, init: Call = {}): Promise<T> {
  const text = await (await send(path, init)).text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An answer as text (a diagram, a CSV). */
export async function apiText(path: string, init: Call = {}): Promise<string> {
  return (await send(path, init)).text();
}

export interface Me {
  name: string;
  displayName?: string;
  roles: string[];
}

export interface PendingApproval {
  event: string;
  requestedBy: string;
  requestedAt: string;
  required: number;
  roles: string[];
  granted: Array<{ by: string; at: string }>;
}

export interface LadderStep {
  level: number;
  at: string;
  notify: string[];
  raisePriority: boolean;
  repeatEvery: string | null;
  fired: number;
  nextAt: string | null;
}

export interface SlaClock {
  clock: string;
  basis: string;
  deadline: string | null;
  breached: boolean;
  paused: boolean;
  targetSeconds: number;
  elapsedSeconds: number;
  escalationLevel: number;
  calendar: string | null;
  ladder?: LadderStep[];
}

export interface CaseTask {
  id: string;
  title: string;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  assignee: string | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface Incident {
  id: string;
  title: string;
  stage: string;
  severity: string;
  priority: string;
  playbook: { id: string; version: number };
  alertCount: number;
  allowedEvents: string[];
  fields: Record<string, unknown>;
  pendingApprovals: PendingApproval[];
  priorityReason?: { cell?: string };
  sla: SlaClock[];
  assignee: string | null;
  tasks: CaseTask[];
  /** Findings by section (assets, businessUnits, changes, riskExceptions, intel), each with its provenance. */
  context: Record<string, Array<{ kind: string; key: string; provenance: { source: string; fetchedAt: string } }> | undefined>;
  createdAt: string;
  updatedAt: string;
}

export interface Procedure {
  fields?: string[];
  checklist?: string[];
  approvals?: { count: number; roles: string[] };
  tasks?: string[];
}

export interface PlaybookDocument {
  id: string;
  name: string;
  initial: string;
  on?: Record<string, { to: string; requires?: Procedure }>;
  stages: Record<string, { closed?: boolean; returnOn?: string; on?: Record<string, { to: string; requires?: Procedure }> }>;
  fields?: Record<string, { description?: string; values?: string[] }>;
}

export const holds = (me: Me | undefined, ...roles: string[]) => Boolean(me && me.roles.some((r) => r === 'admin' || roles.includes(r)));
