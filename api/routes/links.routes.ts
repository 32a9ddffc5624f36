/**
 * Links between incidents (both sides record them, each as the relation reads from there) and
 * merges: the target takes the source's outstanding tasks and, through moved alerts and the
 * read side, its alerts, observables, notes and evidence; the source closes through its
 * playbook's duplicate path (or the `merged` close) and its correlation key routes to the target.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { findIncident } from '../../db/incidents.reads.js';
import { moveToMergeTarget } from '../../db/merges.repo.js';
import { INVERSE_RELATION, LINK_RELATIONS, isOutstanding, type LinkRelation } from '../../machines/casework.js';
import type { IncidentView } from '../../machines/incident.types.js';
import type { AlertIntake } from '../alert-intake.js';
import { actorOf, principalOf } from '../auth.js';
import type { IncidentCommands } from '../incident-commands.js';
import { problems } from '../problem.js';
import { authProblems, incidentIdParams, incidentView, isoTime, problem } from '../schemas.js';

const incidentId = { type: 'string', minLength: 1, maxLength: 100 } as const;
const link = { type: 'object', properties: { incidentId: { type: 'string' }, relation: { type: 'string' }, by: { type: 'string' }, at: isoTime } } as const;

export function linkRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database, intake: AlertIntake): void {
  async function existing(id: string) {
    const row = await findIncident(db, id);
    if (!row) throw problems.notFound(`no incident ${id}`);
    return row;
  }
  const sameIncident = (id: string) => problems.conflict('same-incident', 'An incident cannot be linked to itself', `incident ${id} cannot be linked or merged with itself`);

  app.post<{ Params: { id: string }; Body: { incidentId: string; relation: LinkRelation } }>(
    '/v1/incidents/:id/links',
    {
      schema: {
        tags: ['case work'],
        summary: 'Link two incidents; both sides show the link (related, duplicate-of / duplicated-by, caused-by / caused, parent-of / child-of)',
        params: incidentIdParams,
        body: { type: 'object', additionalProperties: false, required: ['incidentId', 'relation'], properties: { incidentId, relation: { type: 'string', enum: [...LINK_RELATIONS] } } },
        response: { 201: { type: 'object', properties: { links: { type: 'array', items: link } } }, ...authProblems, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { incidentId: other, relation } = request.body;
      if (other === id) throw sameIncident(id);
      await Promise.all([existing(id), existing(other)]);
      const who = actorOf(principalOf(request));
      const here = await commands.link(id, { op: 'link', incidentId: other, relation, ...who });
      await commands.link(other, { op: 'link', incidentId: id, relation: INVERSE_RELATION[relation], ...who });
      return reply.code(201).send({ links: here.incident.links });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/links',
    { schema: { tags: ['case work'], summary: 'The incidents this one is linked to, merges included', params: incidentIdParams, response: { 200: { type: 'object', properties: { links: { type: 'array', items: link } } }, ...authProblems, 404: problem } } },
    async (request) => ({ links: (await existing(request.params.id)).links }),
  );

  app.post<{ Params: { id: string }; Body: { into: string } }>(
    '/v1/incidents/:id/merge',
    {
      schema: {
        tags: ['case work'],
        summary: 'Merge this incident into another: the target takes its alerts, tasks, observables, notes and evidence; this one closes',
        description: 'Both must be open (a retry of a merge that closed the source is answered again). 200 {source, target, alertsMoved}.',
        params: incidentIdParams,
        body: { type: 'object', additionalProperties: false, required: ['into'], properties: { into: incidentId } },
        response: { 200: { type: 'object', properties: { source: incidentView, target: incidentView, alertsMoved: { type: 'integer' } } }, ...authProblems, 404: problem, 409: problem },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { into } = request.body;
      if (into === id) throw sameIncident(id);
      const [source] = await Promise.all([existing(id), existing(into)]);
      // A closed source takes part in no merge (the target would record one that never happens), except a retry of its own.
      const retry = source.links.some((l) => l.relation === 'merged-into' && l.incidentId === into);
      if (!source.open && !retry) throw problems.conflict('incident-closed', 'The incident is closed', `incident ${id} is closed (${source.stage}): it can be merged into no other`);
      const who = actorOf(principalOf(request));
      const tasks = source.tasks.filter(isOutstanding);
      // The target first: a merge that stops halfway leaves the source open, and a retry completes it.
      const target = await commands.link(into, { op: 'absorb', from: id, tasks, ...who });
      const closed = await commands.link(id, { op: 'mergeInto', into, ...who });
      const moved = await moveToMergeTarget(db, { source: id, target: into, correlationKey: source.correlationKey });
      await intake.deliverStored(moved).catch((error: unknown) => request.log.warn({ err: error }, 'moved alerts stay queued for redelivery'));
      const view: IncidentView = (await commands.liveView(into)) ?? target.incident;
      return { source: closed.incident, target: view, alertsMoved: moved.length };
    },
  );
}
