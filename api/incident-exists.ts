/** An incident exists once its workflow does, even before its first step is projected. */
import type { Database } from '../db/client.js';
import { findIncident } from '../db/incidents.reads.js';
import type { IncidentCommands } from './incident-commands.js';
import { problems } from './problem.js';

/** The incident's row (undefined while only its workflow knows it); 404 when there is none. */
export async function existingIncident(db: Database, commands: Pick<IncidentCommands, 'liveView'>, id: string) {
  const row = await findIncident(db, id);
  if (!row && !(await commands.liveView(id))) throw problems.notFound(`no incident ${id}`);
  return row;
}
