/**
 * Notes on an incident: written through its workflow (each add, edit and delete is a ledger
 * event, `note_added` / `note_edited` / `note_deleted`, and the answer waits until it is
 * recorded), read back from the ledger, every version kept. Restricted notes are shown to their
 * author, admins and auditors only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { incidentNotes, visibleNotes, type Note } from '../../db/casework.reads.js';
import type { Database } from '../../db/client.js';
import { mergedFamily } from '../../db/incidents.reads.js';
import { existingIncident } from '../incident-exists.js';
import { MAX_NOTE_BYTES, mayReadNote, type NoteVisibility } from '../../machines/casework.js';
import { actorOf, principalOf } from '../auth.js';
import { noteCreate, noteEdit, noteIdParams, noteVersions, noteView } from '../casework.schemas.js';
import type { IncidentCommands } from '../incident-commands.js';
import { normalisedField } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { newRecordId } from '../record-ids.js';
import { observablesIn } from '../observable-extraction.js';
import type { NoteRequest } from '../../workflows/incident.messages.js';
import { authProblems, idempotencyHeader, incidentIdParams, problem } from '../schemas.js';

type NoteParams = { id: string; noteId: string };

/** A body over the byte limit: the schema counts characters, the limit is bytes of UTF-8. */
function mustFit(text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_NOTE_BYTES) throw problems.badRequest(`a note body may hold at most ${MAX_NOTE_BYTES} bytes of UTF-8; this one holds ${bytes}`, [{ path: 'body', message: 'is too long' }]);
}

export function noteRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database): void {
  const mustExist = (id: string) => existingIncident(db, commands, id);

  /** The note as the reader may see it; 404 for one that is not there or not theirs to read. */
  async function readableNote(request: FastifyRequest, { id, noteId }: NoteParams): Promise<Note> {
    const note = (await incidentNotes(db, id)).find((n) => n.id === noteId);
    if (!note || !mayReadNote(note, principalOf(request))) throw problems.notFound(`incident ${id} has no note ${noteId}`);
    return note;
  }

  const viewOf = ({ versions: _versions, ...note }: Note) => note;

  app.post<{ Params: { id: string }; Body: { body: string; visibility: NoteVisibility }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/notes',
    {
      schema: {
        tags: ['case work'],
        summary: 'Add a note (Markdown); `@name` mentions are listed on it',
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: noteCreate,
        response: { 201: noteView, ...authProblems, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      mustFit(request.body.body);
      const principal = principalOf(request);
      const noteId = `N-${newRecordId(principal.name, request.headers['idempotency-key'])}`;
      const { body, visibility } = request.body;
      const observables = observablesIn(body);
      await commands.note(request.params.id, { op: 'add', noteId, body, visibility, observables, ...actorOf(principal), ...normalisedField(request) }, request.headers['idempotency-key']);
      const added = (await incidentNotes(db, request.params.id)).find((n) => n.id === noteId);
      if (!added) throw problems.keyReused();
      return reply.code(201).header('location', `/v1/incidents/${request.params.id}/notes/${added.id}`).send(viewOf(added));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/notes',
    {
      schema: {
        tags: ['case work'],
        summary: 'The notes of an incident the caller may read, latest versions, oldest first',
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { notes: { type: 'array', items: noteView } } }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      await mustExist(request.params.id);
      // Notes of incidents merged into this one are listed with it (each names its incident).
      const family = await mergedFamily(db, request.params.id);
      const notes = (await Promise.all(family.map((id) => incidentNotes(db, id)))).flat();
      return { notes: visibleNotes(notes, principalOf(request)) };
    },
  );

  app.get<{ Params: NoteParams }>(
    '/v1/incidents/:id/notes/:noteId/versions',
    {
      schema: {
        tags: ['case work'],
        summary: 'Every version of a note, a deleted one included',
        params: noteIdParams,
        response: { 200: noteVersions, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      const note = await readableNote(request, request.params);
      return { note: viewOf(note), versions: note.versions };
    },
  );

  app.patch<{ Params: NoteParams; Body: { body: string }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/notes/:noteId',
    {
      schema: {
        tags: ['case work'],
        summary: 'Edit a note (its author or an admin); the earlier version is kept',
        headers: idempotencyHeader,
        params: noteIdParams,
        body: noteEdit,
        response: { 200: noteView, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      mustFit(request.body.body);
      await readableNote(request, request.params);
      const principal = principalOf(request);
      const { body } = request.body;
      const change: NoteRequest = { op: 'edit', noteId: request.params.noteId, body, observables: observablesIn(body), ...actorOf(principal), actorRoles: [...principal.roles], ...normalisedField(request) };
      await commands.note(request.params.id, change, request.headers['idempotency-key']);
      return viewOf(await readableNote(request, request.params));
    },
  );

  app.delete<{ Params: NoteParams; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/notes/:noteId',
    {
      schema: {
        tags: ['case work'],
        summary: 'Delete a note (its author or an admin); every version stays in the ledger',
        headers: idempotencyHeader,
        params: noteIdParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...authProblems, 404: problem },
      },
    },
    async (request, reply) => {
      await readableNote(request, request.params);
      const principal = principalOf(request);
      await commands.note(request.params.id, { op: 'delete', noteId: request.params.noteId, ...actorOf(principal), actorRoles: [...principal.roles] }, request.headers['idempotency-key']);
      return reply.code(204).send();
    },
  );
}
